package credentials

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// redirect is a server that answers every request with a redirect to a second server, which counts the
// requests it gets: a client that follows the redirect would send its credentials (a signed STS request,
// an OIDC token, a credentials URI's token, a metadata token) to a host nobody configured.
type redirect struct {
	url, host  string // the redirecting server: https://host, or http://host for plain
	targetHost string // the host the Location names
	followed   atomic.Int32
}

// locationSecret is in the Location's path and query: the error may name the Location's host, never
// the rest of it.
const locationSecret = "location-secret-DO-NOT-LEAK"

func startRedirect(t *testing.T, status int, tlsOn bool) *redirect {
	t.Helper()
	rd := &redirect{}
	start := func(h http.Handler) *httptest.Server {
		s := httptest.NewUnstartedServer(h)
		s.Config.ErrorLog = log.New(io.Discard, "", 0)
		if tlsOn {
			s.TLS = &tls.Config{Certificates: []tls.Certificate{testCert.TLS}, MinVersion: tls.VersionTLS12}
			s.StartTLS()
		} else {
			s.Start()
		}
		t.Cleanup(s.Close)
		return s
	}
	target := start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rd.followed.Add(1)
		_, _ = io.WriteString(w, `{"Code":"Success","AccessKeyId":"STS.followed","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2999-01-01T00:00:00Z"}`)
	}))
	from := start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target.URL+"/"+locationSecret+"?token="+locationSecret)
		w.WriteHeader(status)
	}))
	rd.url = from.URL
	u, _ := url.Parse(from.URL)
	rd.host = u.Host
	t2, _ := url.Parse(target.URL)
	rd.targetHost = t2.Host
	return rd
}

// check asserts that err refuses the redirect, naming its status and the Location's host and nothing
// else of the Location, and that the second server was never called.
func (rd *redirect) check(t *testing.T, err error, status int) {
	t.Helper()
	if err == nil {
		t.Fatal("no error: the redirect was followed or ignored")
	}
	msg := err.Error()
	for _, want := range []string{"HTTP " + strconv.Itoa(status), "redirect", rd.targetHost} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q:\n%s", want, msg)
		}
	}
	mustNotLeak(t, msg, locationSecret)
	if n := rd.followed.Load(); n != 0 {
		t.Errorf("the redirect was followed: the second server got %d requests", n)
	}
}

// Every HTTP request of the credentials sources refuses redirects, whatever the 3xx: STS, credentials
// URIs, the ECS metadata service and the CLI's sign-in services, whichever source or profile mode asks.
func TestResolve_redirectsRefused(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run("STS AssumeRole "+strconv.Itoa(status), func(t *testing.T) {
			rd := startRedirect(t, status, true)
			err := resolveErr(t, Settings{AccessKey: baseKey, SecretKey: baseSecret, AssumeRole: &AssumeRole{RoleARN: roleARN}, STSEndpoint: rd.host}, env(t))
			rd.check(t, err, status)
			mustNotLeak(t, err.Error(), baseSecret)
		})
		t.Run("STS AssumeRoleWithOIDC "+strconv.Itoa(status), func(t *testing.T) {
			rd := startRedirect(t, status, true)
			err := resolveErr(t, Settings{AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderARN: oidcARN, OIDCToken: oidcToken, RoleARN: roleARN},
				STSEndpoint: rd.host}, env(t))
			rd.check(t, err, status)
			mustNotLeak(t, err.Error(), oidcToken)
		})
		t.Run("credentials URI "+strconv.Itoa(status), func(t *testing.T) {
			rd := startRedirect(t, status, true)
			uri := rd.url + "/credentials?token=uri-token-DO-NOT-LEAK"
			err := resolveErr(t, Settings{CredentialsURI: uri}, env(t))
			rd.check(t, err, status)
			mustNotLeak(t, err.Error(), "uri-token-DO-NOT-LEAK")
		})
		t.Run("CredentialsURI profile "+strconv.Itoa(status), func(t *testing.T) {
			rd := startRedirect(t, status, true)
			cfg := profileFile(t, "uri", `{"name": "uri", "mode": "CredentialsURI", "credentials_uri": "`+rd.url+`/c?token=uri-token-DO-NOT-LEAK"}`)
			err := resolveErr(t, Settings{Profile: "uri", SharedCredentialsFile: cfg}, env(t))
			rd.check(t, err, status)
			mustNotLeak(t, err.Error(), "uri-token-DO-NOT-LEAK")
		})
		t.Run("RamRoleArnWithRoleName profile's STS "+strconv.Itoa(status), func(t *testing.T) {
			em := startEmulator(t)
			em.SetInstanceRole("EcsDbsReader")
			rd := startRedirect(t, status, true)
			cfg := profileFile(t, "ecs-role", `{"name": "ecs-role", "mode": "RamRoleArnWithRoleName", "ram_role_arn": "`+roleARN+`"}`)
			err := resolveErr(t, Settings{Profile: "ecs-role", SharedCredentialsFile: cfg, STSEndpoint: rd.host}, env(t))
			rd.check(t, err, status)
		})
		t.Run("CloudSSO portal "+strconv.Itoa(status), func(t *testing.T) {
			rd := startRedirect(t, status, true)
			cfg := profileFile(t, "sso", fmt.Sprintf(`{"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": %q, "cloud_sso_account_id": "5123",
				"cloud_sso_access_config": "ac-dbs", "access_token": %q, "cloud_sso_access_token_expire": %d}`, rd.url+"/login", ssoToken, time.Now().Add(time.Hour).Unix()))
			err := resolveErr(t, Settings{Profile: "sso", SharedCredentialsFile: cfg}, env(t))
			rd.check(t, err, status)
			mustNotLeak(t, err.Error(), ssoToken)
		})
		// OAuth asks twice: for a new access token with the refresh token when the one held has expired,
		// then for a key with the access token. Neither token follows a redirect.
		for name, expires := range map[string]time.Time{"renewal": time.Now().Add(-time.Hour), "exchange": time.Now().Add(time.Hour)} {
			t.Run("OAuth "+name+" "+strconv.Itoa(status), func(t *testing.T) {
				rd := startRedirect(t, status, true)
				cfg := profileFile(t, "oauth", fmt.Sprintf(`{"name": "oauth", "mode": "OAuth", "oauth_site_type": "CN", "oauth_access_token": "at-DO-NOT-LEAK",
					"oauth_access_token_expire": %d, "oauth_refresh_token": "rt-DO-NOT-LEAK"}`, expires.Unix()))
				err := resolveErr(t, Settings{Profile: "oauth", SharedCredentialsFile: cfg, OAuthSignInURLs: map[string]string{"CN": rd.url}}, env(t))
				rd.check(t, err, status)
				mustNotLeak(t, err.Error(), "at-DO-NOT-LEAK", "rt-DO-NOT-LEAK")
				if want := map[string]string{"renewal": "(renewing the access token)", "exchange": "(exchanging the access token for a key)"}[name]; !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say which request was redirected (%s): %v", want, err)
				}
			})
		}
		t.Run("ECS metadata "+strconv.Itoa(status), func(t *testing.T) {
			rd := startRedirect(t, status, false)
			metadataProxy.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// The proxy hands requests for the metadata address on; this one answers as the first server.
				w.Header().Set("Location", "http://"+rd.targetHost+"/"+locationSecret+"?token="+locationSecret)
				w.WriteHeader(status)
			}))
			t.Cleanup(func() { metadataProxy.SetHandler(nil) })
			err := resolveErr(t, Settings{ECSRoleName: "EcsDbsReader"}, env(t))
			rd.check(t, err, status)
		})
	}
}
