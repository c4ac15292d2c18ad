package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/atomicfile"
)

// The aliyun CLI's sign-ins (`aliyun configure --mode CloudSSO` and `--mode OAuth`) leave tokens in the
// profile that need no interaction at plan time: the CloudSSO portal and the OAuth service exchange them
// for temporary keys. The calls are this package's own, sent through its client (see http.go) the way
// credentials-go's CloudSSO and OAuth providers send them (the same paths, headers and bodies): those
// providers send through credentials-go's internal client, which follows redirects and cannot be given
// another, so a redirect would carry the access token or the refresh token to a host nobody configured,
// and without configuration_source. This file builds the sources from a profile and keeps the profile
// file the CLI's.

const (
	// cloudSSOPath is where the CloudSSO portal hands out an access configuration's temporary key, on the
	// host of cloud_sso_sign_in_url.
	cloudSSOPath = "/cloud-credentials"
	// oauthTokenPath renews an OAuth access token with the refresh token; oauthExchangePath exchanges an
	// access token for a temporary key.
	oauthTokenPath    = "/v1/token"
	oauthExchangePath = "/v1/exchange"
	// oauthRenewBefore is how long before its expiry an OAuth access token is renewed, as credentials-go
	// renews it (20 minutes).
	oauthRenewBefore = 20 * time.Minute
)

// oauthSites are the OAuth sign-in services and the aliyun CLI's client of each oauth_site_type (the
// CLI's config/configure.go).
var oauthSites = map[string]struct{ url, clientID string }{
	"CN":   {"https://oauth.aliyun.com", "4038181954557748008"},
	"INTL": {"https://oauth.alibabacloud.com", "4103531455503354461"},
}

// buildCloudSSOProfile exchanges the profile's CloudSSO access token for the access configuration's
// temporary keys at its sign-in URL, again shortly before they expire. The access token itself cannot be
// renewed without the browser: once it expires, the user signs in again.
func buildCloudSSOProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	p := b.profile
	r.addSecrets(p.AccessToken)
	signIn := "aliyun configure --profile " + p.Name
	alive := func() error {
		return b.tokenAlive("CloudSSO access token", "cloud_sso_access_token_expire", p.CloudSSOAccessTokenExpire, signIn)
	}
	if err := alive(); err != nil {
		return nil, "", err
	}
	site, err := signInSite(p.CloudSSOSignInURL)
	if err != nil {
		return nil, "", fmt.Errorf("%s: cloud_sso_sign_in_url %w", b.where, err)
	}
	s := &cloudSSOSource{site: site, accountID: p.CloudSSOAccountID, accessConfig: p.CloudSSOAccessConfig, accessToken: p.AccessToken,
		alive: alive, http: r.http, secrets: slices.Clone(r.secrets)}
	return &renewing{name: "cloud_sso", fetch: s.fetch}, "", nil
}

// cloudSSOSource asks the CloudSSO portal for the temporary key of one access configuration.
type cloudSSOSource struct {
	site                                 string // scheme://host of the sign-in URL
	accountID, accessConfig, accessToken string
	alive                                func() error // refuses an access token that has expired meanwhile
	http                                 *httpClient
	secrets                              []string
}

func (s *cloudSSOSource) service() string {
	return fmt.Sprintf("CloudSSO at %s, for access configuration %s of account %s", s.site, s.accessConfig, s.accountID)
}

func (s *cloudSSOSource) fetch() (*providers.Credentials, time.Time, error) {
	// A plan that outlives the access token would only be refused (InvalidAccessToken); saying which
	// command signs in again is more use.
	if err := s.alive(); err != nil {
		return nil, time.Time{}, err
	}
	body, err := json.Marshal(struct {
		AccountID             string `json:"AccountId"`
		AccessConfigurationID string `json:"AccessConfigurationId"`
	}{s.accountID, s.accessConfig})
	if err != nil {
		return nil, time.Time{}, &requestError{service: s.service(), detail: "encoding the request: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.site+cloudSSOPath, bytes.NewReader(body))
	if err != nil {
		return nil, time.Time{}, &requestError{service: s.service(), detail: "cloud_sso_sign_in_url does not make a request URL"}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.accessToken)
	a, err := s.http.exchange(s.service(), req, s.secrets)
	if err != nil {
		return nil, time.Time{}, err
	}
	var ok struct {
		CloudCredential *sessionAnswer `json:"CloudCredential"`
	}
	if err := json.Unmarshal(a.body, &ok); err != nil || ok.CloudCredential == nil {
		return nil, time.Time{}, &requestError{service: s.service(), detail: "answered HTTP 200 without a CloudCredential (" + a.kind() + ")"}
	}
	return ok.CloudCredential.credentials(s.service())
}

// signInSite checks that a sign-in URL is an http(s) URL and returns its scheme and host, which is all
// the sign-in's requests use of it, as credentials-go's do.
func signInSite(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%q is not an https:// URL", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// tokenAlive refuses a sign-in whose token has expired (expires in UNIX seconds, 0 for unknown), naming
// the command that signs in again.
func (b *profileBuild) tokenAlive(what, field string, expires int64, signIn string) error {
	switch {
	case expires == 0:
		return fmt.Errorf("%s lacks %s, so its %s cannot be used; sign in again with `%s`", b.where, field, what, signIn)
	case expires <= time.Now().Unix():
		return fmt.Errorf("%s: its %s expired at %s (%s); sign in again with `%s`", b.where, what,
			time.Unix(expires, 0).UTC().Format(time.RFC3339), field, signIn)
	}
	return nil
}

// buildOAuthProfile exchanges the profile's OAuth access token for temporary keys, renewing the token
// first when it expires within oauthRenewBefore, as credentials-go does. Refresh tokens are spent when used, so
// the new tokens are written back to the profile at once (saveTokens), or the CLI's sign-in would be
// broken. One oauthSource per profile serves the whole process: two provider configurations renewing with
// the same refresh token would break each other. Each configuration sends through its own client, so
// that its configuration_source is the one in the User-Agent.
func buildOAuthProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	p := b.profile
	r.addSecrets(p.OAuthAccessToken, p.OAuthRefreshToken)
	siteType := strings.ToUpper(strings.TrimSpace(p.OAuthSiteType))
	site, ok := oauthSites[siteType]
	if !ok {
		return nil, "", fmt.Errorf("%s: oauth_site_type is %q; the aliyun CLI writes CN or INTL", b.where, p.OAuthSiteType)
	}
	if u := r.settings.OAuthSignInURLs[siteType]; u != "" {
		site.url = u
	}
	base, err := signInSite(site.url)
	if err != nil {
		return nil, "", fmt.Errorf("%s: the OAuth sign-in service of %s: %w", b.where, siteType, err)
	}
	signIn := "aliyun configure --mode OAuth --oauth-site-type " + siteType + " --profile " + p.Name
	if strings.TrimSpace(p.OAuthRefreshToken) == "" {
		if err := b.tokenAlive("OAuth access token, which it has no refresh token to renew,", "oauth_access_token_expire", p.OAuthAccessTokenExpire, signIn); err != nil {
			return nil, "", err
		}
	}
	key := strings.Join([]string{b.path, p.Name, base}, "\x00")
	oauthShared.mu.Lock()
	defer oauthShared.mu.Unlock()
	s := oauthShared.byProfile[key]
	if s == nil {
		s = &oauthSource{site: base, clientID: site.clientID, path: b.path, profile: p.Name, signIn: signIn,
			accessToken: p.OAuthAccessToken, accessTokenExpire: p.OAuthAccessTokenExpire,
			refreshToken: p.OAuthRefreshToken, savedRefreshToken: p.OAuthRefreshToken}
		s.key = &renewing{name: "oauth", fetch: s.fetch}
		oauthShared.byProfile[key] = s
	}
	return &oauthUse{shared: s, http: r.http, secrets: slices.Clone(r.secrets)}, "", nil
}

// oauthShared holds the OAuth source of each profile (file, name, sign-in site) for the process.
var oauthShared = struct {
	mu        sync.Mutex
	byProfile map[string]*oauthSource
}{byProfile: map[string]*oauthSource{}}

// oauthUse is one provider configuration's use of a profile's shared OAuth source.
type oauthUse struct {
	shared  *oauthSource
	http    *httpClient
	secrets []string
}

func (u *oauthUse) GetProviderName() string { return "oauth" }

func (u *oauthUse) GetCredentials() (*providers.Credentials, error) {
	return u.shared.credentials(u.http, u.secrets)
}

// oauthSource is the OAuth sign-in of one profile: its tokens, the temporary key they were exchanged
// for, and the write-back of the tokens into the profile.
type oauthSource struct {
	mu                    sync.Mutex
	site, clientID        string
	path, profile, signIn string

	accessToken       string
	accessTokenExpire int64 // UNIX seconds
	refreshToken      string
	savedRefreshToken string // the refresh token the profile file holds
	writeErr          error  // a renewed refresh token that could not be written back

	key *renewing // the temporary key, exchanged again shortly before it expires

	// http and secrets are those of the provider configuration asking, for the request it causes.
	http    *httpClient
	secrets []string
}

func (s *oauthSource) credentials(client *httpClient, secrets []string) (*providers.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writeErr != nil {
		return nil, s.writeErr
	}
	s.http, s.secrets = client, secrets
	c, err := s.key.GetCredentials()
	switch {
	case s.writeErr != nil:
		return nil, s.writeErr
	case err != nil:
		return nil, fmt.Errorf("%w; if the sign-in has expired, sign in again with `%s`", err, s.signIn)
	}
	return c, nil
}

// requestSecrets are the values to remove from whatever an error quotes: the configuration's and the
// tokens held now, which renewing replaces.
func (s *oauthSource) requestSecrets() []string {
	return append(slices.Clone(s.secrets), s.accessToken, s.refreshToken)
}

// fetch renews the access token when it is missing or close to its expiry and a refresh token is held,
// then exchanges it for a temporary key, and writes both into the profile.
func (s *oauthSource) fetch() (*providers.Credentials, time.Time, error) {
	if s.refreshToken != "" && (s.accessToken == "" || time.Until(time.Unix(s.accessTokenExpire, 0)) <= oauthRenewBefore) {
		if err := s.renew(); err != nil {
			return nil, time.Time{}, err
		}
	}
	c, expires, err := s.exchange()
	if err != nil {
		return nil, time.Time{}, err
	}
	s.saveKey(c, expires)
	return c, expires, nil
}

// renew asks for a new access token with the refresh token, which the service then spends, and writes
// the new tokens into the profile.
func (s *oauthSource) renew() error {
	service := "OAuth sign-in at " + s.site + " (renewing the access token)"
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {s.refreshToken},
		"client_id":     {s.clientID},
		"Timestamp":     {time.Now().UTC().Format("2006-01-02T15:04:05Z")},
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.site+oauthTokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return &requestError{service: service, detail: "the sign-in service's URL does not make a request URL"}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	a, err := s.http.exchange(service, req, s.requestSecrets())
	if err != nil {
		return err
	}
	var t struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(a.body, &t); err != nil || t.AccessToken == "" || t.RefreshToken == "" {
		return &requestError{service: service, detail: "answered HTTP 200 without access_token and refresh_token (" + a.kind() + ")"}
	}
	s.accessToken, s.refreshToken, s.accessTokenExpire = t.AccessToken, t.RefreshToken, time.Now().Unix()+t.ExpiresIn
	return s.saveTokens()
}

// exchange trades the access token for a temporary key.
func (s *oauthSource) exchange() (*providers.Credentials, time.Time, error) {
	service := "OAuth sign-in at " + s.site + " (exchanging the access token for a key)"
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.site+oauthExchangePath, nil)
	if err != nil {
		return nil, time.Time{}, &requestError{service: service, detail: "the sign-in service's URL does not make a request URL"}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.accessToken)
	a, err := s.http.exchange(service, req, s.requestSecrets())
	if err != nil {
		return nil, time.Time{}, err
	}
	var k struct {
		AccessKeyID     string `json:"accessKeyId"`
		AccessKeySecret string `json:"accessKeySecret"`
		SecurityToken   string `json:"securityToken"`
		Expiration      string `json:"expiration"`
	}
	if err := json.Unmarshal(a.body, &k); err != nil {
		return nil, time.Time{}, &requestError{service: service, detail: "answered HTTP 200 with something other than a key (" + a.kind() + ")"}
	}
	answer := sessionAnswer{AccessKeyID: k.AccessKeyID, AccessKeySecret: k.AccessKeySecret, SecurityToken: k.SecurityToken, Expiration: k.Expiration}
	return answer.credentials(service)
}

// saveTokens writes the tokens into the profile, as the aliyun CLI does after its own renewal, so that
// the CLI keeps working with the refresh token that is now the live one. A failure is an error only when
// the refresh token changed: then the one the file holds is spent, and the error is kept and reported
// with what to do.
func (s *oauthSource) saveTokens() error {
	err := updateProfile(s.path, s.profile, map[string]any{
		"oauth_refresh_token": s.refreshToken, "oauth_access_token": s.accessToken, "oauth_access_token_expire": s.accessTokenExpire,
	})
	switch {
	case err == nil:
		s.savedRefreshToken = s.refreshToken
	case s.refreshToken != s.savedRefreshToken:
		s.writeErr = fmt.Errorf("the OAuth sign-in of profile %q was renewed, but its new tokens could not be written back to %s (%v): "+
			"the refresh token the file holds is spent, so the aliyun CLI's sign-in is lost. Make the file writable and sign in again with `%s`",
			s.profile, s.path, err, s.signIn)
		return s.writeErr
	}
	return nil
}

// saveKey writes the temporary key into the profile beside the tokens, as the CLI does. A failure is
// ignored: the key is only a cache, which the CLI fills again from the access token.
func (s *oauthSource) saveKey(c *providers.Credentials, expires time.Time) {
	_ = updateProfile(s.path, s.profile, map[string]any{
		"access_key_id": c.AccessKeyId, "access_key_secret": c.AccessKeySecret, "sts_token": c.SecurityToken, "sts_expiration": expires.Unix(),
	})
}

// profileFileMu serializes this process's rewrites of profile files.
var profileFileMu sync.Mutex

// updateProfile sets fields of the named profile in the aliyun CLI's configuration file at path and
// leaves every other member of the file as it was, fields this package does not know included, so that
// the file stays the CLI's: it is read as raw JSON, changed in the profile only, and written whole or
// not at all with the file's permissions (atomicfile), so that a reader never sees half a file. Members
// come out in name order, tab-indented like the CLI's.
func updateProfile(path, name string, set map[string]any) error {
	profileFileMu.Lock()
	defer profileFileMu.Unlock()
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var file map[string]json.RawMessage
	var profiles []map[string]json.RawMessage
	if err := json.Unmarshal(b, &file); err != nil {
		return fmt.Errorf("the file is no longer JSON: %w", err)
	}
	if err := json.Unmarshal(file["profiles"], &profiles); err != nil {
		return fmt.Errorf("its profiles are no longer a JSON array: %w", err)
	}
	i := slices.IndexFunc(profiles, func(p map[string]json.RawMessage) bool {
		var n string
		return json.Unmarshal(p["name"], &n) == nil && n == name
	})
	if i < 0 {
		return fmt.Errorf("it no longer has a profile %q", name)
	}
	for field, v := range set {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		profiles[i][field] = raw
	}
	if file["profiles"], err = json.Marshal(profiles); err != nil {
		return err
	}
	out, err := json.MarshalIndent(file, "", "\t")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(out, '\n'), info.Mode().Perm())
}
