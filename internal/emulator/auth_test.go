package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The reference's inputs for both signature vectors.
var vectorParams = []param{
	{"BackupPlanId", "dbs1hvb0wwwXXXXX"},
	{"PageNum", "0"},
	{"PageSize", "30"},
	{"RestoreTaskId", "a b*c~d"},
}

func TestACS3ReferenceVector(t *testing.T) {
	headers := map[string]string{
		"host":                  "dbs-api.cn-hangzhou.aliyuncs.com",
		"x-acs-action":          "DescribeRestoreTaskList",
		"x-acs-version":         "2019-03-06",
		"x-acs-date":            "2024-01-02T03:04:05Z",
		"x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
		"x-acs-content-sha256":  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	}
	// Given in a scrambled order, as a client might list them: the verifier sorts.
	signed := []string{"x-acs-version", "host", "x-acs-date", "x-acs-content-sha256", "x-acs-signature-nonce", "x-acs-action"}
	canonical := acs3CanonicalRequest("POST", "", vectorParams, func(h string) string { return headers[h] }, signed, headers["x-acs-content-sha256"])

	wantCanonical := "POST\n/\nBackupPlanId=dbs1hvb0wwwXXXXX&PageNum=0&PageSize=30&RestoreTaskId=a%20b%2Ac~d\n" +
		"host:dbs-api.cn-hangzhou.aliyuncs.com\nx-acs-action:DescribeRestoreTaskList\n" +
		"x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" +
		"x-acs-date:2024-01-02T03:04:05Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\nx-acs-version:2019-03-06\n\n" +
		"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if canonical != wantCanonical {
		t.Errorf("canonical request:\n%s\nwant:\n%s", canonical, wantCanonical)
	}
	got := acs3Signature("testAccessKeySecret", acs3StringToSign(canonical))
	if want := "d7952d023eb1290e1d005b7dbfee12e22a0e771168b51f542af534c4a190e565"; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

func TestRPCReferenceVector(t *testing.T) {
	params := append([]param{
		{"AccessKeyId", "testAccessKeyId"},
		{"Action", "DescribeRestoreTaskList"},
		{"Format", "json"},
		{"SignatureMethod", "HMAC-SHA1"},
		{"SignatureNonce", "3156853299f313e23d1673dc12e1703d"},
		{"SignatureVersion", "1.0"},
		{"Timestamp", "2024-01-02T03:04:05Z"},
		{"Version", "2019-03-06"},
		{"Signature", "left out of the string to sign"},
	}, vectorParams...)
	got := rpcSignature("testAccessKeySecret", rpcStringToSign("POST", params))
	if want := "xOCWRhxtcs3Pn1zhapkyjuTLkg8="; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"a b*c~d":     "a%20b%2Ac~d",
		"A-Z_a.z09":   "A-Z_a.z09",
		"+/=&,:":      "%2B%2F%3D%26%2C%3A",
		"恢复":          "%E6%81%A2%E5%A4%8D",
		"%20 already": "%2520%20already",
	} {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSignedRequestsAreAccepted(t *testing.T) {
	_, base := newTestServer(t, Generate(5, 1))
	params := vals("PageSize", "2", "RestoreTaskId", "x y*z~, "+Generate(5, 1)[0].ID())
	for name, q := range map[string]req{
		"ACS3 GET":            {params: params},
		"ACS3 POST query":     {method: "POST", params: params},
		"ACS3 POST form":      {method: "POST", params: params, form: true},
		"ACS3 STS":            {params: params, ak: stsAK, secret: stsSecret, token: stsToken},
		"RPC GET":             {rpc: true, params: params},
		"RPC POST form":       {rpc: true, method: "POST", params: params, form: true},
		"RPC STS":             {rpc: true, params: params, ak: stsAK, secret: stsSecret, token: stsToken},
		"clock 14 minutes on": {params: params, date: time.Now().Add(14 * time.Minute)},
	} {
		t.Run(name, func(t *testing.T) {
			r := send(t, base, q)
			if r.status != 200 || r.body["Success"] != true {
				t.Fatalf("status %d body %s", r.status, r.raw)
			}
			if got := r.items(t); len(got) != 1 {
				t.Errorf("items %v, want the one task asked for", got)
			}
		})
	}
}

func TestAuthRefusals(t *testing.T) {
	s, base := newTestServer(t, Generate(3, 1))
	s.AddKey("expired", Key{Secret: "s", SecurityToken: "tok", Expires: time.Now().Add(-time.Second)})
	badSig := func(r *http.Request) {
		a := r.Header.Get("Authorization")
		r.Header.Set("Authorization", a[:len(a)-4]+"0000")
	}
	cases := []struct {
		name   string
		q      req
		status int
		code   string
	}{
		{"tampered ACS3 signature", req{tamper: badSig}, 400, CodeSignatureDoesNotMatch},
		{"wrong secret ACS3", req{secret: testSecret + "x", ak: testAK}, 400, CodeSignatureDoesNotMatch},
		{"wrong secret RPC", req{rpc: true, secret: testSecret + "x", ak: testAK}, 400, CodeSignatureDoesNotMatch},
		{"parameter changed after signing", req{params: vals("PageSize", "5"), tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "PageSize=5", "PageSize=6", 1)
		}}, 400, CodeSignatureDoesNotMatch},
		{"unknown key", req{ak: "nobody", secret: "x"}, 404, CodeInvalidAccessKeyID},
		{"unsigned request", req{tamper: func(r *http.Request) { r.Header.Del("Authorization") }}, 404, CodeInvalidAccessKeyID},
		{"expired timestamp", req{date: time.Now().Add(-16 * time.Minute)}, 400, CodeTimestampExpired},
		{"future timestamp RPC", req{rpc: true, date: time.Now().Add(16 * time.Minute)}, 400, CodeTimestampExpired},
		{"malformed date", req{tamper: func(r *http.Request) { r.Header.Set("x-acs-date", "yesterday") }}, 400, CodeTimestampFormat},
		{"wrong version", req{version: "2020-01-01"}, 400, CodeInvalidVersion},
		{"wrong action", req{action: "DescribeBackupPlanList"}, 404, CodeInvalidAction},
		{"unsigned x-acs header", req{tamper: func(r *http.Request) { r.Header.Set("x-acs-extra", "1") }}, 400, CodeIncompleteSignature},
		{"body not what the hash says", req{method: "POST", tamper: func(r *http.Request) {
			r.Header.Set("x-acs-content-sha256", strings.Repeat("0", 64))
		}}, 400, CodeSignatureDoesNotMatch},
		{"temporary key without token", req{ak: stsAK, secret: stsSecret}, 400, CodeTokenMissing},
		{"temporary key with another token", req{ak: stsAK, secret: stsSecret, token: "other"}, 400, CodeTokenMismatch},
		{"permanent key with a token", req{token: "stray"}, 400, CodeTokenMismatch},
		{"expired temporary key", req{ak: "expired", secret: "s", token: "tok"}, 400, CodeTokenExpired},
		{"unknown parameter", req{params: vals("Foo", "1")}, 400, CodeInvalidParameter},
		{"repeated parameter", req{rpc: true, params: vals("PageSize", "5"), tamper: func(r *http.Request) {
			r.URL.RawQuery += "&PageSize=5"
		}}, 400, CodeInvalidParameter},
		{"RPC SHA256 method claimed", req{rpc: true, tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "SignatureMethod=HMAC-SHA1", "SignatureMethod=HMAC-SHA256", 1)
		}}, 400, CodeInvalidSignatureMethod},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, base, tc.q)
			if r.status != tc.status || r.str("Code") != tc.code {
				t.Fatalf("got %d %s, want %d %s: %s", r.status, r.str("Code"), tc.status, tc.code, r.raw)
			}
			for _, k := range []string{"RequestId", "HostId", "Code", "Message", "Recommend"} {
				if r.str(k) == "" {
					t.Errorf("gateway error lacks %s: %s", k, r.raw)
				}
			}
			if r.str("RequestId") != r.header.Get("x-acs-request-id") {
				t.Errorf("RequestId %q, header %q", r.str("RequestId"), r.header.Get("x-acs-request-id"))
			}
			for _, secret := range []string{testSecret, stsSecret, "DO-NOT-ECHO"} {
				if strings.Contains(string(r.raw), secret) {
					t.Errorf("body echoes a secret: %s", r.raw)
				}
			}
		})
	}
}

func TestNonceCannotBeReused(t *testing.T) {
	s, base := newTestServer(t, nil)
	for _, rpc := range []bool{false, true} {
		nonce := freshNonce()
		if r := send(t, base, req{rpc: rpc, nonce: nonce}); r.status != 200 {
			t.Fatalf("first use: %d %s", r.status, r.raw)
		}
		r := send(t, base, req{rpc: rpc, nonce: nonce})
		if r.status != 400 || r.str("Code") != CodeSignatureNonceUsed {
			t.Fatalf("replay (rpc=%t): %d %s", rpc, r.status, r.raw)
		}
	}
	// Nonces are kept per AccessKey: another key may use the same one.
	nonce := freshNonce()
	send(t, base, req{nonce: nonce})
	if r := send(t, base, req{nonce: nonce, ak: stsAK, secret: stsSecret, token: stsToken}); r.status != 200 {
		t.Fatalf("same nonce, other key: %d %s", r.status, r.raw)
	}
	// A forged request must not spend the nonce of the genuine one.
	nonce = freshNonce()
	send(t, base, req{nonce: nonce, secret: "wrong", ak: testAK})
	if r := send(t, base, req{nonce: nonce}); r.status != 200 {
		t.Fatalf("nonce spent by a forgery: %d %s", r.status, r.raw)
	}
	if got := s.Stats().ByCode[CodeSignatureNonceUsed]; got != 2 {
		t.Errorf("ByCode[SignatureNonceUsed] = %d, want 2", got)
	}
}

func TestServerClockDecidesExpiry(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	s := New(Options{Keys: map[string]Key{testAK: {Secret: testSecret}}, Clock: func() time.Time { return now }})
	base := s.Start()
	defer s.Close()
	if r := send(t, base, req{date: now.Add(15 * time.Minute)}); r.status != 200 {
		t.Fatalf("15 minutes ahead of the server clock: %d %s", r.status, r.raw)
	}
	if r := send(t, base, req{date: now.Add(-15*time.Minute - time.Second)}); r.str("Code") != CodeTimestampExpired {
		t.Fatalf("15m1s behind: %d %s", r.status, r.raw)
	}
}

func TestAddAndRemoveKeyAtRuntime(t *testing.T) {
	s, base := newTestServer(t, nil)
	q := req{ak: "STS.new", secret: "new-secret", token: "new-token"}
	if r := send(t, base, q); r.status != 404 {
		t.Fatalf("before AddKey: %d %s", r.status, r.raw)
	}
	s.AddKey("STS.new", Key{Secret: "new-secret", SecurityToken: "new-token", Expires: time.Now().Add(time.Hour)})
	if r := send(t, base, q); r.status != 200 {
		t.Fatalf("after AddKey: %d %s", r.status, r.raw)
	}
	s.RemoveKey("STS.new")
	if r := send(t, base, q); r.status != 404 {
		t.Fatalf("after RemoveKey: %d %s", r.status, r.raw)
	}
}
