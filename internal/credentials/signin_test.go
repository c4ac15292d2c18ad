package credentials

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

const ssoToken = "sso-access-token-DO-NOT-LEAK"

// TestResolve_cloudSSOProfile: the CLI's CloudSSO access token gets the access configuration's keys from
// the portal of cloud_sso_sign_in_url; an expired token or a refusal says what to do.
func TestResolve_cloudSSOProfile(t *testing.T) {
	em := startEmulator(t)
	em.AddCloudSSOToken(ssoToken, time.Hour, emulator.CloudSSOAccess{AccountID: "5123", AccessConfigurationID: "ac-dbs"})
	future, past := time.Now().Add(time.Hour).Unix(), time.Now().Add(-time.Minute).Unix()
	profile := func(name, config string, expire int64) string {
		return fmt.Sprintf(`{"name": %q, "mode": "CloudSSO", "cloud_sso_sign_in_url": %q, "cloud_sso_account_id": "5123",
			"cloud_sso_access_config": %q, "access_token": %q, "cloud_sso_access_token_expire": %d, "region_id": "cn-hangzhou"}`,
			name, em.url+"/login/portal", config, ssoToken, expire)
	}
	cfg := profileFile(t, "sso", profile("sso", "ac-dbs", future), profile("expired", "ac-dbs", past), profile("other", "ac-admin", future),
		`{"name": "no-expiry", "mode": "CloudSSO", "cloud_sso_sign_in_url": "https://x", "cloud_sso_account_id": "1", "cloud_sso_access_config": "a", "access_token": "t"}`,
		`{"name": "bad-url", "mode": "CloudSSO", "cloud_sso_sign_in_url": "signin.example", "cloud_sso_account_id": "1", "cloud_sso_access_config": "a", "access_token": "t", "cloud_sso_access_token_expire": 9999999999}`)

	src, c := resolve(t, Settings{Profile: "sso", SharedCredentialsFile: cfg}, env(t))
	issued := em.Issued()
	if len(issued) != 1 || issued[0].By != emulator.ActionCloudSSO || issued[0].Role != "5123/ac-dbs" || issued[0].AccessKeyID != c.AccessKeyID || c.SecurityToken == "" {
		t.Errorf("issued %+v, signing with %s", issued, c.AccessKeyID)
	}
	if !strings.Contains(src.Origin, `profile "sso" (CloudSSO)`) {
		t.Errorf("origin %q", src.Origin)
	}

	for name, want := range map[string]string{
		"expired":   "its CloudSSO access token expired at " + time.Unix(past, 0).UTC().Format(time.RFC3339) + " (cloud_sso_access_token_expire); sign in again with `aliyun configure --profile expired`",
		"no-expiry": "lacks cloud_sso_access_token_expire",
		"bad-url":   `cloud_sso_sign_in_url "signin.example" is not an https:// URL`,
		"other":     "CloudSSO at " + em.url + ", for access configuration ac-admin of account 5123 refused: NoPermission.AccessConfiguration",
	} {
		t.Run(name, func(t *testing.T) {
			err := resolveErr(t, Settings{Profile: name, SharedCredentialsFile: cfg}, env(t))
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q, want %q", err, want)
			}
			mustNotLeak(t, err.Error(), ssoToken)
		})
	}
	var se *ServiceError
	if err := resolveErr(t, Settings{Profile: "other", SharedCredentialsFile: cfg}, env(t)); !errors.As(err, &se) || se.RequestID == "" {
		t.Errorf("error %v, want a ServiceError with a request id", err)
	}
	em.AddCloudSSOToken(ssoToken, time.Hour) // the user lost the access configuration
	if err := resolveErr(t, Settings{Profile: "sso", SharedCredentialsFile: cfg}, env(t)); !strings.Contains(err.Error(), "refused: NoPermission.AccessConfiguration") {
		t.Errorf("error %v", err)
	}
}

// cliConfigFile is a configuration file as aliyun-cli 3.4 writes it: fields this provider does not read,
// at the top and in profiles, and a profile of each kind beside the OAuth one.
func cliConfigFile(t *testing.T, oauth string) string {
	t.Helper()
	return writeFile(t, "config.json", `{
	"current": "oauth",
	"profiles": [
		{
			"name": "default",
			"mode": "AK",
			"access_key_id": "LTAI-default",
			"access_key_secret": "default-secret",
			"region_id": "cn-hangzhou",
			"output_format": "json",
			"language": "en",
			"site": "china",
			"read_timeout": 15,
			"connect_timeout": 10,
			"retry_count": 3,
			"auto_plugin_install": true,
			"future_setting": {"nested": [1, 2.50, "x"]}
		},
		`+oauth+`
	],
	"meta_path": "/home/me/.aliyun/meta",
	"plugin_settings": {"source": "https://example.invalid/plugins"}
}
`)
}

// TestResolve_oauthProfile: an expired OAuth access token is refreshed with the refresh token, the new
// tokens are written back, and the file is still the CLI's: every member kept, the same permissions, the
// tokens it now holds the live ones. Another process then signs in with the file as written.
func TestResolve_oauthProfile(t *testing.T) {
	em := startEmulator(t)
	em.AddOAuthSignIn(emulator.OAuthSignIn{ClientID: oauthSites["CN"].clientID, AccessToken: "at-expired", AccessTokenExpires: time.Now().Add(-time.Hour),
		RefreshToken: "rt-first-DO-NOT-LEAK", AccessTokenLifetime: 3 * time.Hour})
	cfg := cliConfigFile(t, `{
			"name": "oauth",
			"mode": "OAuth",
			"oauth_site_type": "CN",
			"oauth_access_token": "at-expired",
			"oauth_refresh_token": "rt-first-DO-NOT-LEAK",
			"oauth_access_token_expire": `+fmt.Sprint(time.Now().Add(-time.Hour).Unix())+`,
			"oauth_refresh_token_expire": 1999999999,
			"region_id": "cn-shanghai",
			"language": "zh"
		}`)
	before, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sites := map[string]string{"CN": em.url}

	src, c := resolve(t, Settings{Profile: "oauth", SharedCredentialsFile: cfg, OAuthSignInURLs: sites}, env(t))
	issued := em.Issued()
	if len(issued) != 1 || issued[0].By != emulator.ActionOAuthExchange || issued[0].AccessKeyID != c.AccessKeyID || c.SecurityToken == "" {
		t.Fatalf("issued %+v, signing with %s from %s", issued, c.AccessKeyID, src.Origin)
	}
	if n := em.Stats().ByAction[emulator.ActionOAuthToken]; n != 1 {
		t.Errorf("%d refreshes", n)
	}

	after, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var conf cliConfig
	if err := json.Unmarshal(after, &conf); err != nil {
		t.Fatalf("the rewritten file does not parse: %v\n%s", err, after)
	}
	var was, is map[string]any
	_ = json.Unmarshal(before, &was)
	if err := json.Unmarshal(after, &is); err != nil {
		t.Fatal(err)
	}
	oauthWas, oauthIs := was["profiles"].([]any)[1].(map[string]any), is["profiles"].([]any)[1].(map[string]any)
	written := []string{"oauth_access_token", "oauth_refresh_token", "oauth_access_token_expire", "access_key_id", "access_key_secret", "sts_token", "sts_expiration"}
	for _, k := range written {
		delete(oauthWas, k)
		delete(oauthIs, k)
	}
	if got, want := fmt.Sprint(is), fmt.Sprint(was); got != want {
		t.Errorf("the file's other members changed:\nwas %s\nis  %s", want, got)
	}
	p := conf.find("oauth")
	if accessLive, refreshLive := em.OAuthTokens(p.OAuthAccessToken, p.OAuthRefreshToken); !accessLive || !refreshLive {
		t.Errorf("the file holds tokens the service does not know (access %v, refresh %v)", accessLive, refreshLive)
	}
	if p.AccessKeyID != c.AccessKeyID || p.OAuthAccessTokenExpire < time.Now().Add(2*time.Hour).Unix() || !p.isSet("sts_expiration") {
		t.Errorf("the file holds key %q, expiry %d", p.AccessKeyID, p.OAuthAccessTokenExpire)
	}
	if fi, _ := os.Stat(cfg); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}

	// Another provider configuration of this process shares the sign-in: no second refresh.
	resolve(t, Settings{Profile: "oauth", SharedCredentialsFile: cfg, OAuthSignInURLs: sites}, env(t))
	// Another process reads the file as written: the access token it holds is valid, so no refresh.
	oauthShared.mu.Lock()
	clear(oauthShared.byProfile)
	oauthShared.mu.Unlock()
	resolve(t, Settings{Profile: "oauth", SharedCredentialsFile: cfg, OAuthSignInURLs: sites}, env(t))
	if st := em.Stats(); st.ByAction[emulator.ActionOAuthToken] != 1 || st.ByAction[emulator.ActionOAuthExchange] != 2 {
		t.Errorf("ByAction %v", st.ByAction)
	}
}

func TestResolve_oauthProfileErrors(t *testing.T) {
	em := startEmulator(t)
	past := time.Now().Add(-time.Minute).Unix()
	cfg := profileFile(t, "a",
		fmt.Sprintf(`{"name": "spent", "mode": "OAuth", "oauth_site_type": "INTL", "oauth_refresh_token": "rt-spent-DO-NOT-LEAK", "oauth_access_token_expire": %d}`, past),
		fmt.Sprintf(`{"name": "no-refresh", "mode": "OAuth", "oauth_site_type": "CN", "oauth_access_token": "at-x", "oauth_access_token_expire": %d}`, past),
		`{"name": "site", "mode": "OAuth", "oauth_site_type": "EU", "oauth_refresh_token": "rt"}`,
		`{"name": "nothing", "mode": "OAuth", "oauth_site_type": "CN"}`)
	sites := map[string]string{"CN": em.url, "INTL": em.url}
	for name, want := range map[string]string{
		"spent": "OAuth sign-in at " + em.url + " (renewing the access token) refused: invalid_grant: The refresh token is invalid, expired or already used. " +
			"(request id ",
		"no-refresh": "its OAuth access token, which it has no refresh token to renew, expired at",
		"site":       `oauth_site_type is "EU"; the aliyun CLI writes CN or INTL`,
		"nothing":    "lacks oauth_refresh_token (or oauth_access_token)",
	} {
		t.Run(name, func(t *testing.T) {
			err := resolveErr(t, Settings{Profile: name, SharedCredentialsFile: cfg, OAuthSignInURLs: sites}, env(t))
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q, want %q", err, want)
			}
			mustNotLeak(t, err.Error(), "rt-spent-DO-NOT-LEAK", "at-x")
		})
	}

	t.Run("spent, with what to do", func(t *testing.T) {
		err := resolveErr(t, Settings{Profile: "spent", SharedCredentialsFile: cfg, OAuthSignInURLs: sites}, env(t))
		var se *ServiceError
		if !errors.As(err, &se) || se.Code != "invalid_grant" || se.RequestID == "" ||
			!strings.HasSuffix(err.Error(), "; if the sign-in has expired, sign in again with `aliyun configure --mode OAuth --oauth-site-type INTL --profile spent`") {
			t.Errorf("error %v, want the service's code, its request id and the command that signs in again", err)
		}
	})

	t.Run("write-back fails", func(t *testing.T) {
		s := &oauthSource{path: "/nonexistent/config.json", profile: "p", refreshToken: "rt-1", savedRefreshToken: "rt-1", signIn: "aliyun configure --mode OAuth"}
		if err := s.saveTokens(); err != nil || s.writeErr != nil {
			t.Errorf("an unchanged refresh token: %v", err)
		}
		s.refreshToken = "rt-2"
		if err := s.saveTokens(); err == nil || !errors.Is(s.writeErr, err) || !strings.Contains(err.Error(), "could not be written back to /nonexistent/config.json") {
			t.Errorf("error %v", err)
		}
		// Kept: the file's refresh token stays spent, whatever comes next.
		if _, err := s.credentials(nil, nil); err == nil || !errors.Is(err, s.writeErr) {
			t.Errorf("credentials after a failed write-back: %v", err)
		}
	})
}

// TestResolve_oauthRenewedTokensKeptWhenExchangeFails: the refresh token is spent as soon as the service
// renews the sign-in, so the new tokens reach the profile before the exchange, whose failure must not lose
// them.
func TestResolve_oauthRenewedTokensKeptWhenExchangeFails(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case oauthTokenPath:
			_, _ = io.WriteString(w, `{"access_token": "at-renewed", "refresh_token": "rt-renewed", "expires_in": 3600, "token_type": "Bearer"}`)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error": "temporarily_unavailable", "error_description": "Try again later.", "requestId": "RID-1"}`)
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{testCert.TLS}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cfg := profileFile(t, "oauth", fmt.Sprintf(`{"name": "oauth", "mode": "OAuth", "oauth_site_type": "CN", "oauth_access_token": "at-old",
		"oauth_access_token_expire": %d, "oauth_refresh_token": "rt-old"}`, time.Now().Add(-time.Hour).Unix()))

	err := resolveErr(t, Settings{Profile: "oauth", SharedCredentialsFile: cfg, OAuthSignInURLs: map[string]string{"CN": srv.URL}}, env(t))
	var se *ServiceError
	if !errors.As(err, &se) || se.Code != "temporarily_unavailable" || se.RequestID != "RID-1" {
		t.Errorf("error %v, want the exchange's refusal", err)
	}
	conf, rerr := readCLIConfig(cfg)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if p := conf.find("oauth"); p.OAuthRefreshToken != "rt-renewed" || p.OAuthAccessToken != "at-renewed" || p.OAuthAccessTokenExpire < time.Now().Add(50*time.Minute).Unix() {
		t.Errorf("the profile holds refresh token %q, access token %q expiring at %d: the renewed sign-in is lost",
			p.OAuthRefreshToken, p.OAuthAccessToken, p.OAuthAccessTokenExpire)
	}
}
