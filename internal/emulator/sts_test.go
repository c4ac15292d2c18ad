package emulator

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testRole     = "acs:ram::1234567890123456:role/dbs-reader"
	testProvider = "acs:ram::1234567890123456:oidc-provider/ack-rrsa"
	testOIDC     = "eyJhbGciOiJSUzI1NiJ9.test-oidc-token.sig"
)

// assumeRole sends AssumeRole signed with RPC 1.0 by ak, as credentials-go does (POST).
func assumeRole(t *testing.T, base, ak, secret, token string, params url.Values) resp {
	t.Helper()
	return send(t, base, req{method: http.MethodPost, rpc: true, form: true, ak: ak, secret: secret, token: token,
		action: "AssumeRole", version: STSVersion, params: params})
}

func credentialsOf(t *testing.T, r resp) (ak, secret, token, expiration string) {
	t.Helper()
	c, ok := r.body["Credentials"].(map[string]any)
	if !ok {
		t.Fatalf("no Credentials in %s", r.raw)
	}
	return c["AccessKeyId"].(string), c["AccessKeySecret"].(string), c["SecurityToken"].(string), c["Expiration"].(string)
}

func TestAssumeRole(t *testing.T) {
	s, base := newTestServer(t, Generate(3, 1))
	s.AddRole(testRole, Role{})

	r := assumeRole(t, base, testAK, testSecret, "", vals("RoleArn", testRole, "RoleSessionName", "terraform", "DurationSeconds", "900"))
	if r.status != 200 {
		t.Fatalf("AssumeRole: %d %s", r.status, r.raw)
	}
	ak, secret, token, exp := credentialsOf(t, r)
	if !strings.HasPrefix(ak, "STS.") || secret == "" || token == "" {
		t.Fatalf("credentials %s", r.raw)
	}
	if e, err := time.Parse(expirationLayout, exp); err != nil || time.Until(e) > 901*time.Second || time.Until(e) < 890*time.Second {
		t.Errorf("Expiration %q, want 900 s from now", exp)
	}
	if strings.Contains(string(r.raw), testSecret) {
		t.Error("the answer echoes the caller's secret")
	}
	user, _ := r.body["AssumedRoleUser"].(map[string]any)
	if user["Arn"] != "acs:ram::1234567890123456:role/dbs-reader/terraform" {
		t.Errorf("AssumedRoleUser %v", user)
	}

	// The issued key signs DBS requests, but only with its token.
	if got := send(t, base, req{ak: ak, secret: secret, token: token}); got.status != 200 {
		t.Errorf("DBS with the issued key: %d %s", got.status, got.raw)
	}
	if got := send(t, base, req{ak: ak, secret: secret}); got.str("Code") != CodeTokenMissing {
		t.Errorf("DBS without the token: %s", got.raw)
	}

	// A temporary key may assume a role in turn (ChainableRamRoleArn).
	chained := assumeRole(t, base, ak, secret, token, vals("RoleArn", testRole, "RoleSessionName", "second"))
	if chained.status != 200 {
		t.Fatalf("chained AssumeRole: %d %s", chained.status, chained.raw)
	}

	issued := s.Issued()
	if len(issued) != 2 || issued[0].CallerKey != testAK || issued[1].CallerKey != ak || issued[0].AccessKeyID != ak ||
		issued[0].By != "AssumeRole" || issued[0].Role != testRole || issued[0].SessionName != "terraform" || issued[0].Duration != 15*time.Minute {
		t.Errorf("Issued() = %+v", issued)
	}
	if st := s.Stats(); st.ByAction["AssumeRole"] != 2 {
		t.Errorf("ByAction = %v", st.ByAction)
	}
	for _, rec := range s.Requests() {
		if rec.Action == "AssumeRole" && (rec.Version != STSVersion || !rec.Authenticated || rec.Params["RoleArn"] != testRole) {
			t.Errorf("logged %+v", rec)
		}
	}
}

func TestAssumeRole_refusals(t *testing.T) {
	s, base := newTestServer(t, nil)
	s.AddRole(testRole, Role{})
	s.AddRole("acs:ram::1:role/external", Role{ExternalID: "abc"})
	s.AddRole("acs:ram::1:role/long", Role{MaxSessionDuration: 12 * time.Hour})

	for name, tc := range map[string]struct {
		secret string
		params url.Values
		status int
		code   string
	}{
		"unknown role":       {params: vals("RoleArn", "acs:ram::1:role/none", "RoleSessionName", "s1"), status: 404, code: CodeRoleNotExist},
		"no role":            {params: vals("RoleSessionName", "s1"), status: 400, code: CodeMissingRoleArn},
		"malformed role":     {params: vals("RoleArn", "role/x", "RoleSessionName", "s1"), status: 400, code: CodeInvalidRoleArn},
		"no session":         {params: vals("RoleArn", testRole), status: 400, code: CodeMissingSessionName},
		"bad session":        {params: vals("RoleArn", testRole, "RoleSessionName", "a b"), status: 400, code: CodeInvalidSessionName},
		"too short":          {params: vals("RoleArn", testRole, "RoleSessionName", "s1", "DurationSeconds", "899"), status: 400, code: CodeInvalidDuration},
		"over role max":      {params: vals("RoleArn", testRole, "RoleSessionName", "s1", "DurationSeconds", "3601"), status: 400, code: CodeInvalidDuration},
		"over 12 h":          {params: vals("RoleArn", "acs:ram::1:role/long", "RoleSessionName", "s1", "DurationSeconds", "43201"), status: 400, code: CodeInvalidDuration},
		"bad policy":         {params: vals("RoleArn", testRole, "RoleSessionName", "s1", "Policy", "{"), status: 400, code: CodeInvalidPolicy},
		"no external id":     {params: vals("RoleArn", "acs:ram::1:role/external", "RoleSessionName", "s1"), status: 403, code: CodeNoPermission},
		"wrong external id":  {params: vals("RoleArn", "acs:ram::1:role/external", "RoleSessionName", "s1", "ExternalId", "abd"), status: 403, code: CodeNoPermission},
		"unknown parameter":  {params: vals("RoleArn", testRole, "RoleSessionName", "s1", "Foo", "1"), status: 400, code: CodeInvalidParameter},
		"bad signature":      {secret: "wrong", params: vals("RoleArn", testRole, "RoleSessionName", "s1"), status: 400, code: CodeSignatureDoesNotMatch},
		"12 h when the role": {params: vals("RoleArn", "acs:ram::1:role/long", "RoleSessionName", "s1", "DurationSeconds", "43200"), status: 200},
	} {
		t.Run(name, func(t *testing.T) {
			secret := tc.secret
			if secret == "" {
				secret = testSecret
			}
			r := assumeRole(t, base, testAK, secret, "", tc.params)
			if r.status != tc.status || r.str("Code") != tc.code {
				t.Errorf("%d %s, want %d %s", r.status, r.raw, tc.status, tc.code)
			}
			if tc.status != 200 && (r.str("RequestId") == "" || r.str("Message") == "") {
				t.Errorf("refusal without RequestId or Message: %s", r.raw)
			}
		})
	}
	if n := len(s.Issued()); n != 1 {
		t.Errorf("%d keys issued, want only the one successful call's", n)
	}
}

// oidc sends AssumeRoleWithOIDC as credentials-go does: not signed, Action in the query, the rest in a form.
func oidc(t *testing.T, base string, form url.Values) resp {
	t.Helper()
	q := url.Values{"Action": {"AssumeRoleWithOIDC"}, "Version": {STSVersion}, "Format": {"JSON"},
		"Timestamp": {time.Now().UTC().Format(timestampLayout)}}
	r, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/?"+q.Encode(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, r)
}

func do(t *testing.T, r *http.Request) resp {
	t.Helper()
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{status: res.StatusCode, header: res.Header, raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := jsonDecode(raw, &out.body); err != nil {
			t.Fatalf("body is not JSON (%v): %q", err, raw)
		}
	}
	return out
}

func TestAssumeRoleWithOIDC(t *testing.T) {
	s, base := newTestServer(t, Generate(2, 1))
	s.AddRole(testRole, Role{OIDCProviderArn: testProvider, OIDCToken: testOIDC})
	form := func(kv ...string) url.Values {
		v := vals("RoleArn", testRole, "OIDCProviderArn", testProvider, "OIDCToken", testOIDC, "RoleSessionName", "terraform", "DurationSeconds", "3600")
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}

	r := oidc(t, base, form())
	if r.status != 200 {
		t.Fatalf("AssumeRoleWithOIDC: %d %s", r.status, r.raw)
	}
	ak, secret, token, _ := credentialsOf(t, r)
	if got := send(t, base, req{ak: ak, secret: secret, token: token}); got.status != 200 {
		t.Errorf("DBS with the issued key: %d %s", got.status, got.raw)
	}

	for name, tc := range map[string]struct {
		form   url.Values
		status int
		code   string
	}{
		"wrong token":    {form("OIDCToken", "eyJ.other"), 400, CodeInvalidOIDCToken},
		"no token":       {form("OIDCToken", ""), 400, CodeMissingOIDCParameter},
		"wrong provider": {form("OIDCProviderArn", "acs:ram::1:oidc-provider/other"), 404, CodeOIDCProviderNotExist},
		"unknown role":   {form("RoleArn", "acs:ram::1:role/none"), 404, CodeRoleNotExist},
		"unknown param":  {form("Foo", "1"), 400, CodeInvalidParameter},
	} {
		t.Run(name, func(t *testing.T) {
			r := oidc(t, base, tc.form)
			if r.status != tc.status || r.str("Code") != tc.code {
				t.Errorf("%d %s, want %d %s", r.status, r.raw, tc.status, tc.code)
			}
		})
	}

	// A role without an identity provider cannot be assumed with OIDC at all.
	s.AddRole("acs:ram::1:role/plain", Role{})
	if r := oidc(t, base, form("RoleArn", "acs:ram::1:role/plain")); r.status != 404 {
		t.Errorf("plain role: %d %s", r.status, r.raw)
	}

	for _, rec := range s.Requests() {
		if rec.Action == "AssumeRoleWithOIDC" && rec.Params["OIDCToken"] != "" && rec.Params["OIDCToken"] != redactedInLog {
			t.Errorf("the request log holds the OIDC token: %+v", rec.Params)
		}
	}
	if st := s.Stats(); st.ByAction["AssumeRoleWithOIDC"] != 7 {
		t.Errorf("ByAction = %v", st.ByAction)
	}
	if issued := s.Issued(); len(issued) != 1 || issued[0].By != "AssumeRoleWithOIDC" || issued[0].CallerKey != "" {
		t.Errorf("Issued() = %+v", issued)
	}
}

func TestRoleLifetime(t *testing.T) {
	s, base := newTestServer(t, nil)
	s.AddRole(testRole, Role{Lifetime: 2 * time.Second})
	r := assumeRole(t, base, testAK, testSecret, "", vals("RoleArn", testRole, "RoleSessionName", "s1"))
	_, _, _, exp := credentialsOf(t, r)
	if e, _ := time.Parse(expirationLayout, exp); time.Until(e) > 3*time.Second {
		t.Errorf("Expiration %s, want within 2 s", exp)
	}
}

func TestStartTLS(t *testing.T) {
	cert, err := NewCertificate("sts.cn-hangzhou.aliyuncs.com")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Keys: map[string]Key{testAK: {Secret: testSecret}}, Tasks: Generate(1, 1)})
	base := s.StartTLS(cert)
	t.Cleanup(s.Close)
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("base %s", base)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cert.PEM) {
		t.Fatal("PEM does not parse")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := client.Do(build(t, base, req{}))
	if err != nil {
		t.Fatalf("a client trusting the PEM: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("status %d", res.StatusCode)
	}
	if res, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}}).Do(build(t, base, req{})); err == nil {
		res.Body.Close()
		t.Error("a client that does not trust the certificate connected")
	}
}

func jsonDecode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// TestRefusalRecommends checks that a refusal's Recommend link names the product that refused: STS for
// AssumeRoleWithOIDC, DBS for the signed API, whether the request was refused for its method or later.
func TestRefusalRecommends(t *testing.T) {
	_, base := newTestServer(t, Generate(2, 1))
	put := func(t *testing.T, query string) resp {
		t.Helper()
		r, err := http.NewRequestWithContext(t.Context(), http.MethodPut, base+"/?"+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		return do(t, r)
	}
	for name, tc := range map[string]struct {
		r       resp
		status  int
		code    string
		product string
	}{
		"STS refusal": {oidc(t, base, vals("RoleArn", "acs:ram::1:role/none")), 400, CodeMissingOIDCParameter, "Sts"},
		"STS method":  {put(t, "Action=AssumeRoleWithOIDC"), 400, CodeUnsupportedHTTPMethod, "Sts"},
		"DBS refusal": {send(t, base, req{ak: "LTAI-unknown"}), 404, CodeInvalidAccessKeyID, "Dbs"},
		"DBS method":  {put(t, "Action=DescribeRestoreTaskList"), 400, CodeUnsupportedHTTPMethod, "Dbs"},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.r.status != tc.status || tc.r.str("Code") != tc.code {
				t.Fatalf("%d %s, want %d %s", tc.r.status, tc.r.raw, tc.status, tc.code)
			}
			if want := "&product=" + tc.product + "&requestId=" + tc.r.str("RequestId"); !strings.Contains(tc.r.str("Recommend"), want) {
				t.Errorf("Recommend %q does not hold %q", tc.r.str("Recommend"), want)
			}
		})
	}
}
