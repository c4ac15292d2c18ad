package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// metadata sends a request to the metadata path p of the server at base, with the headers given as pairs.
func metadata(t *testing.T, base, method, p string, headers ...string) resp {
	t.Helper()
	r, err := http.NewRequestWithContext(t.Context(), method, base+p, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	return do(t, r)
}

func TestMetadata(t *testing.T) {
	s, base := newTestServer(t, Generate(1, 1))
	const tokenPath, credPath = "/latest/api/token", "/latest/meta-data/ram/security-credentials/"

	if r := metadata(t, base, http.MethodPut, tokenPath); r.status != 400 {
		t.Errorf("token without a TTL: %d %s", r.status, r.raw)
	}
	if r := metadata(t, base, http.MethodPut, tokenPath, MetadataTokenTTLHeader, "21601"); r.status != 400 {
		t.Errorf("token with a TTL over 6 h: %d %s", r.status, r.raw)
	}
	if r := metadata(t, base, http.MethodPut, tokenPath, MetadataTokenTTLHeader, "60", "X-Forwarded-For", "10.0.0.1"); r.status != 403 {
		t.Errorf("forwarded token request: %d %s", r.status, r.raw)
	}
	if r := metadata(t, base, http.MethodGet, tokenPath, MetadataTokenTTLHeader, "60"); r.status != 405 {
		t.Errorf("GET token: %d %s", r.status, r.raw)
	}
	tok := metadata(t, base, http.MethodPut, tokenPath, MetadataTokenTTLHeader, "60")
	if tok.status != 200 || len(tok.raw) < 20 {
		t.Fatalf("token: %d %s", tok.status, tok.raw)
	}
	token := string(tok.raw)

	if r := metadata(t, base, http.MethodGet, credPath, MetadataTokenHeader, token); r.status != 404 {
		t.Errorf("role name of an instance without a role: %d %s", r.status, r.raw)
	}
	s.SetInstanceRole("EcsDbsReader")
	if r := metadata(t, base, http.MethodGet, credPath); r.status != 403 {
		t.Errorf("IMDSv1 read: %d %s", r.status, r.raw)
	}
	if r := metadata(t, base, http.MethodGet, credPath, MetadataTokenHeader, "forged"); r.status != 401 {
		t.Errorf("forged token: %d %s", r.status, r.raw)
	}
	if r := metadata(t, base, http.MethodGet, credPath, MetadataTokenHeader, token); r.status != 200 || string(r.raw) != "EcsDbsReader" {
		t.Errorf("role name: %d %s", r.status, r.raw)
	}
	if r := metadata(t, base, http.MethodGet, credPath+"Other", MetadataTokenHeader, token); r.status != 404 {
		t.Errorf("another role: %d %s", r.status, r.raw)
	}
	first := metadata(t, base, http.MethodGet, credPath+"EcsDbsReader", MetadataTokenHeader, token)
	if first.status != 200 || first.str("Code") != "Success" {
		t.Fatalf("credentials: %d %s", first.status, first.raw)
	}
	second := metadata(t, base, http.MethodGet, credPath+"EcsDbsReader", MetadataTokenHeader, token)
	if first.str("AccessKeyId") != second.str("AccessKeyId") {
		t.Error("the instance served a new key while the old one had hours left")
	}
	if exp, err := time.Parse(expirationLayout, first.str("Expiration")); err != nil || time.Until(exp) < 5*time.Hour {
		t.Errorf("Expiration %q", first.str("Expiration"))
	}
	if r := send(t, base, req{ak: first.str("AccessKeyId"), secret: first.str("AccessKeySecret"), token: first.str("SecurityToken")}); r.status != 200 {
		t.Errorf("DBS with the instance's key: %d %s", r.status, r.raw)
	}
	if r := metadata(t, base, http.MethodGet, "/latest/meta-data/instance-id", MetadataTokenHeader, token); r.status != 404 {
		t.Errorf("other metadata: %d", r.status)
	}

	st := s.Stats()
	if st.ByAction[ActionMetadataToken] != 5 || st.ByAction[ActionMetadataRoleName] != 4 || st.ByAction[ActionMetadataCredentials] != 3 {
		t.Errorf("ByAction = %v", st.ByAction)
	}
	if issued := s.Issued(); len(issued) != 1 || issued[0].By != ActionMetadataCredentials || issued[0].Role != "EcsDbsReader" {
		t.Errorf("Issued() = %+v", issued)
	}
}

// TestMetadataThroughProxy reaches the metadata service the way a client on a test machine does: the
// fixed address 100.100.100.200 through an HTTP proxy that is the emulator.
func TestMetadataThroughProxy(t *testing.T) {
	s, base := newTestServer(t, nil)
	s.SetInstanceRole("EcsDbsReader")
	proxy, _ := url.Parse(base)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	r, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, "http://"+MetadataHost+"/latest/api/token", nil)
	r.Header.Set(MetadataTokenTTLHeader, "60")
	res, err := client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("token through the proxy: %d", res.StatusCode)
	}
	if got := s.Requests(); len(got) != 1 || got[0].Action != ActionMetadataToken {
		t.Errorf("log %+v", got)
	}
}

func TestCredentialsURI(t *testing.T) {
	s, base := newTestServer(t, Generate(1, 1))
	s.AddCredentialsURI("ci", 30*time.Minute)

	if r := metadata(t, base, http.MethodGet, CredentialsURIPath+"other"); r.status != 404 || r.str("Code") != "NotFound" {
		t.Errorf("unknown URI: %d %s", r.status, r.raw)
	}
	if r := metadata(t, base, http.MethodPost, CredentialsURIPath+"ci"); r.status != 405 {
		t.Errorf("POST: %d %s", r.status, r.raw)
	}
	a := metadata(t, base, http.MethodGet, CredentialsURIPath+"ci")
	b := metadata(t, base, http.MethodGet, CredentialsURIPath+"ci")
	if a.status != 200 || a.str("Code") != "Success" || a.str("AccessKeyId") == b.str("AccessKeyId") {
		t.Fatalf("URI: %s then %s", a.raw, b.raw)
	}
	if exp, err := time.Parse(expirationLayout, a.str("Expiration")); err != nil || time.Until(exp) > 31*time.Minute || time.Until(exp) < 29*time.Minute {
		t.Errorf("Expiration %q", a.str("Expiration"))
	}
	if r := send(t, base, req{ak: a.str("AccessKeyId"), secret: a.str("AccessKeySecret"), token: a.str("SecurityToken")}); r.status != 200 {
		t.Errorf("DBS with the URI's key: %d %s", r.status, r.raw)
	}
	s.RemoveCredentialsURI("ci")
	if r := metadata(t, base, http.MethodGet, CredentialsURIPath+"ci"); r.status != 404 {
		t.Errorf("removed URI: %d", r.status)
	}
	if st := s.Stats(); st.ByAction[ActionCredentialsURI] != 5 {
		t.Errorf("ByAction = %v", st.ByAction)
	}
	if strings.Contains(string(a.raw), "\n") {
		t.Errorf("body %q", a.raw)
	}
}

// An IMDSv1-only service hands out no token and serves the credentials without one.
func TestMetadata_imdsV1Only(t *testing.T) {
	s, base := newTestServer(t, nil)
	s.SetInstanceRole("Reader")
	s.SetIMDSv1Only(true)
	const credPath = "/latest/meta-data/ram/security-credentials/Reader"
	if r := metadata(t, base, http.MethodPut, "/latest/api/token", MetadataTokenTTLHeader, "60"); r.status != http.StatusNotFound {
		t.Errorf("token request answered %d, want 404", r.status)
	}
	if r := metadata(t, base, http.MethodGet, credPath); r.status != http.StatusOK {
		t.Errorf("a read without a token answered %d, want 200", r.status)
	}
	s.SetIMDSv1Only(false)
	if r := metadata(t, base, http.MethodGet, credPath); r.status != http.StatusForbidden {
		t.Errorf("with IMDSv2 enforced again, a read without a token answered %d, want 403", r.status)
	}
}
