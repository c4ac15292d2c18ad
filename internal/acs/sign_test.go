package acs

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The reference's test vector: any change to the canonical request breaks this signature.
func TestSignReferenceVector(t *testing.T) {
	query := url.Values{
		"BackupPlanId":  {"dbs1hvb0wwwXXXXX"},
		"PageNum":       {"0"},
		"PageSize":      {"30"},
		"RestoreTaskId": {"a b*c~d"},
	}
	req, err := http.NewRequest(http.MethodPost, "https://dbs-api.cn-hangzhou.aliyuncs.com/?"+query.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-acs-action", "DescribeRestoreTaskList")
	req.Header.Set("x-acs-version", "2019-03-06")
	req.Header.Set("User-Agent", "not-signed/1.0")
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	creds := Credentials{AccessKeyID: "testAccessKeyId", AccessKeySecret: "testAccessKeySecret"}
	if err := Sign(req, nil, creds, "3156853299f313e23d1673dc12e1703d", now); err != nil {
		t.Fatal(err)
	}
	want := "ACS3-HMAC-SHA256 Credential=testAccessKeyId," +
		"SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version," +
		"Signature=d7952d023eb1290e1d005b7dbfee12e22a0e771168b51f542af534c4a190e565"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization\n got %s\nwant %s", got, want)
	}
	if got, want := req.URL.RawQuery, "BackupPlanId=dbs1hvb0wwwXXXXX&PageNum=0&PageSize=30&RestoreTaskId=a%20b%2Ac~d"; got != want {
		t.Errorf("query sent %q, want the canonical %q", got, want)
	}
	for name, want := range map[string]string{
		"x-acs-date":            "2024-01-02T03:04:05Z",
		"x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
		"x-acs-content-sha256":  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	} {
		if got := req.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if req.Header.Get("x-acs-security-token") != "" {
		t.Error("security token header set without a token")
	}
}

func TestSignSecurityTokenIsSigned(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/?A=1", nil)
	creds := Credentials{AccessKeyID: "id", AccessKeySecret: "secret", SecurityToken: "tok"}
	if err := Sign(req, []byte("{}"), creds, "n1", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("x-acs-security-token"); got != "tok" {
		t.Errorf("token header = %q", got)
	}
	auth := req.Header.Get("Authorization")
	if !strings.Contains(auth, "SignedHeaders=host;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce,") {
		t.Errorf("token not among the signed headers: %s", auth)
	}
	if req.Host != "127.0.0.1:8080" {
		t.Errorf("host pinned to %q", req.Host)
	}

	// Re-signing without a token (credentials rotated to a long-term key) must drop the stale header.
	creds.SecurityToken = ""
	if err := Sign(req, nil, creds, "n2", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("x-acs-security-token") != "" {
		t.Error("stale security token kept")
	}
}

func TestSignContentTypeIsSigned(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "https://h/", nil)
	req.Header.Set("Content-Type", " application/json ")
	if err := Sign(req, nil, Credentials{AccessKeyID: "id", AccessKeySecret: "s"}, "n", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	block, signed := canonicalHeaders(req.Header, req.Host)
	if !strings.HasPrefix(block, "content-type:application/json\nhost:h\n") {
		t.Errorf("canonical headers:\n%s", block)
	}
	if !strings.HasPrefix(signed, "content-type;host;") {
		t.Errorf("signed headers %s", signed)
	}
}

func TestSignRejectsMissingInputs(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "https://h/", nil)
	if err := Sign(req, nil, Credentials{AccessKeyID: "id"}, "n", time.Now()); err == nil {
		t.Error("no error without a secret")
	}
	if err := Sign(req, nil, Credentials{AccessKeyID: "id", AccessKeySecret: "s"}, "", time.Now()); err == nil {
		t.Error("no error without a nonce")
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"a b*c~d":   "a%20b%2Ac~d",
		"A-Z_a.z~0": "A-Z_a.z~0",
		"x,y/z+=&":  "x%2Cy%2Fz%2B%3D%26",
		"é":         "%C3%A9",
		"":          "",
	} {
		if got := PercentEncode(in); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalQuerySortsKeysAndValues(t *testing.T) {
	got := CanonicalQuery(url.Values{"b": {"2", "1"}, "a": {""}, "B": {"x"}})
	if want := "B=x&a=&b=1&b=2"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNewNonceIsFresh(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n, err := NewNonce()
		if err != nil {
			t.Fatal(err)
		}
		if len(n) != 32 || seen[n] {
			t.Fatalf("nonce %q repeated or malformed", n)
		}
		seen[n] = true
	}
}
