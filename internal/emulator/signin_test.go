package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// post sends a POST with the given bearer token (none when "") and content type, and decodes the answer.
func post(t *testing.T, url, token, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", contentType)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, out
}

func TestCloudSSO(t *testing.T) {
	s := New(Options{})
	base := s.Start()
	defer s.Close()
	s.AddCloudSSOToken("sso-token", 30*time.Minute, CloudSSOAccess{AccountID: "1234", AccessConfigurationID: "ac-dbs"})

	status, out := post(t, base+CloudSSOPath, "sso-token", "application/json", `{"AccountId": "1234", "AccessConfigurationId": "ac-dbs"}`)
	cred, _ := out["CloudCredential"].(map[string]any)
	if status != 200 || cred == nil || out["RequestId"] == "" {
		t.Fatalf("HTTP %d %v", status, out)
	}
	issued := s.Issued()
	if len(issued) != 1 || issued[0].By != ActionCloudSSO || issued[0].AccessKeyID != cred["AccessKeyId"] || issued[0].Role != "1234/ac-dbs" ||
		issued[0].Expires.Format(expirationLayout) != cred["Expiration"] {
		t.Errorf("issued %+v for %v", issued, cred)
	}
	s.mu.Lock()
	k, known := s.keys[cred["AccessKeyId"].(string)]
	s.mu.Unlock()
	if !known || k.SecurityToken != cred["SecurityToken"] || k.Secret != cred["AccessKeySecret"] {
		t.Errorf("the issued key is not accepted: %+v", k)
	}

	for name, tc := range map[string]struct {
		token, body string
		status      int
		code        string
	}{
		"unknown token":       {"other", `{"AccountId": "1234", "AccessConfigurationId": "ac-dbs"}`, 401, "InvalidAccessToken"},
		"no token":            {"", `{"AccountId": "1234", "AccessConfigurationId": "ac-dbs"}`, 401, "InvalidAccessToken"},
		"other configuration": {"sso-token", `{"AccountId": "1234", "AccessConfigurationId": "ac-admin"}`, 403, "NoPermission.AccessConfiguration"},
		"not JSON":            {"sso-token", `AccountId=1234`, 400, "InvalidParameter"},
	} {
		t.Run(name, func(t *testing.T) {
			status, out := post(t, base+CloudSSOPath, tc.token, "application/json", tc.body)
			if status != tc.status || out["ErrorCode"] != tc.code || out["ErrorMessage"] == "" || out["RequestId"] == "" {
				t.Errorf("HTTP %d %v", status, out)
			}
		})
	}
	if n := s.Stats().ByAction[ActionCloudSSO]; n != 5 {
		t.Errorf("%d CloudSSO requests counted", n)
	}
}

func TestOAuth(t *testing.T) {
	s := New(Options{})
	base := s.Start()
	defer s.Close()
	s.AddOAuthSignIn(OAuthSignIn{ClientID: "cli", AccessToken: "old-access", AccessTokenExpires: time.Now().Add(-time.Minute), RefreshToken: "rt-1"})
	form := func(refresh, client string) string {
		return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {client}}.Encode()
	}
	const formType = "application/x-www-form-urlencoded"

	if status, out := post(t, base+OAuthExchangePath, "old-access", "application/json", ""); status != 401 || out["error"] != "expired_token" {
		t.Errorf("an expired access token: HTTP %d %v", status, out)
	}
	if status, out := post(t, base+OAuthTokenPath, "", formType, form("rt-1", "other")); status != 400 || out["error"] != "invalid_client" {
		t.Errorf("another client: HTTP %d %v", status, out)
	}
	status, tokens := post(t, base+OAuthTokenPath, "", formType, form("rt-1", "cli"))
	access, _ := tokens["access_token"].(string)
	refresh, _ := tokens["refresh_token"].(string)
	if status != 200 || access == "" || refresh == "" || refresh == "rt-1" || tokens["expires_in"] != float64(3600) {
		t.Fatalf("refresh: HTTP %d %v", status, tokens)
	}
	if status, out := post(t, base+OAuthTokenPath, "", formType, form("rt-1", "cli")); status != 400 || out["error"] != "invalid_grant" {
		t.Errorf("a spent refresh token: HTTP %d %v", status, out)
	}
	if a, r := s.OAuthTokens(access, refresh); !a || !r {
		t.Errorf("the new tokens are not live: %v %v", a, r)
	}
	if _, r := s.OAuthTokens("", "rt-1"); r {
		t.Error("the spent refresh token is live")
	}

	status, key := post(t, base+OAuthExchangePath, access, "application/json", "")
	if status != 200 || key["accessKeyId"] == "" || key["securityToken"] == "" || key["requestId"] == "" {
		t.Fatalf("exchange: HTTP %d %v", status, key)
	}
	if issued := s.Issued(); len(issued) != 1 || issued[0].By != ActionOAuthExchange || issued[0].AccessKeyID != key["accessKeyId"] || issued[0].Role != "cli" {
		t.Errorf("issued %+v", issued)
	}
	if status, out := post(t, base+OAuthExchangePath, "forged", "application/json", ""); status != 401 || out["error"] != "invalid_token" || out["requestId"] == "" {
		t.Errorf("a forged token: HTTP %d %v", status, out)
	}
	st := s.Stats()
	if st.ByAction[ActionOAuthToken] != 3 || st.ByAction[ActionOAuthExchange] != 3 {
		t.Errorf("ByAction %v", st.ByAction)
	}
}
