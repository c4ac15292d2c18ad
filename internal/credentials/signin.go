package credentials

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// The aliyun CLI's sign-ins (`aliyun configure --mode CloudSSO` and `--mode OAuth`) leave tokens in the
// profile that need no interaction at plan time: credentials-go's CloudSSO and OAuth providers exchange
// them for temporary keys. This file builds them from a profile and keeps the profile file the CLI's.

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
	p := b.p
	r.addSecrets(p.AccessToken)
	if err := b.tokenAlive("CloudSSO access token", "cloud_sso_access_token_expire", p.CloudSSOAccessTokenExpire, "aliyun configure --profile "+p.Name); err != nil {
		return nil, "", err
	}
	site, err := signInSite(p.CloudSSOSignInURL)
	if err != nil {
		return nil, "", fmt.Errorf("%s: cloud_sso_sign_in_url %w", b.where, err)
	}
	cp, err := providers.NewCloudSSOCredentialsProviderBuilder().
		WithSignInUrl(p.CloudSSOSignInURL).
		WithAccountId(p.CloudSSOAccountID).
		WithAccessConfig(p.CloudSSOAccessConfig).
		WithAccessToken(p.AccessToken).
		WithAccessTokenExpire(p.CloudSSOAccessTokenExpire).
		Build()
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", b.where, err)
	}
	return &explained{inner: cp, service: fmt.Sprintf("CloudSSO at %s, for access configuration %s of account %s", site, p.CloudSSOAccessConfig, p.CloudSSOAccountID),
		secrets: slices.Clone(r.secrets)}, "", nil
}

// signInSite checks that a sign-in URL is an http(s) URL and returns its scheme and host, which is all
// credentials-go uses of it.
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

// buildOAuthProfile exchanges the profile's OAuth access token for temporary keys, refreshing the token
// first when it expires within 20 minutes, as credentials-go's OAuth provider does. Refresh tokens are
// spent when used, so the new tokens are written back to the profile (writeBackOAuth), or the CLI's
// sign-in would be broken. One provider per profile serves the whole process: two provider
// configurations refreshing with the same refresh token would break each other.
func buildOAuthProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	p := b.p
	r.addSecrets(p.OAuthAccessToken, p.OAuthRefreshToken)
	siteType := strings.ToUpper(strings.TrimSpace(p.OAuthSiteType))
	site, ok := oauthSites[siteType]
	if !ok {
		return nil, "", fmt.Errorf("%s: oauth_site_type is %q; the aliyun CLI writes CN or INTL", b.where, p.OAuthSiteType)
	}
	if u := r.s.OAuthSignInURLs[siteType]; u != "" {
		site.url = u
	}
	signIn := "aliyun configure --mode OAuth --oauth-site-type " + siteType + " --profile " + p.Name
	if strings.TrimSpace(p.OAuthRefreshToken) == "" {
		if err := b.tokenAlive("OAuth access token, which it has no refresh token to renew,", "oauth_access_token_expire", p.OAuthAccessTokenExpire, signIn); err != nil {
			return nil, "", err
		}
	}
	key := strings.Join([]string{b.path, p.Name, site.url}, "\x00")
	oauthShared.mu.Lock()
	defer oauthShared.mu.Unlock()
	if s := oauthShared.byProfile[key]; s != nil {
		return s, "", nil
	}
	s := &oauthSource{path: b.path, profile: p.Name, refreshToken: p.OAuthRefreshToken, signIn: signIn}
	op, err := providers.NewOAuthCredentialsProviderBuilder().
		WithSignInUrl(site.url).
		WithClientId(site.clientID).
		WithRefreshToken(p.OAuthRefreshToken).
		WithAccessToken(p.OAuthAccessToken).
		WithAccessTokenExpire(p.OAuthAccessTokenExpire).
		WithTokenUpdateCallback(s.writeBack).
		Build()
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", b.where, err)
	}
	s.inner = &explained{inner: op, service: "OAuth sign-in at " + site.url, secrets: slices.Clone(r.secrets)}
	oauthShared.byProfile[key] = s
	return s, "", nil
}

// oauthShared holds the OAuth source of each profile (file, name, sign-in URL) for the process.
var oauthShared = struct {
	mu        sync.Mutex
	byProfile map[string]*oauthSource
}{byProfile: map[string]*oauthSource{}}

// oauthSource is credentials-go's OAuth provider for one profile, shared by every provider configuration
// of the process, with the write-back of its tokens.
type oauthSource struct {
	mu                    sync.Mutex
	inner                 providers.CredentialsProvider
	path, profile, signIn string
	refreshToken          string // the refresh token the profile file holds
	writeErr              error  // a refreshed refresh token that could not be written back
}

func (s *oauthSource) GetProviderName() string { return "oauth" }

func (s *oauthSource) GetCredentials() (*providers.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.inner.GetCredentials()
	if err != nil {
		return nil, fmt.Errorf("%w; if the sign-in has expired, sign in again with `%s`", err, s.signIn)
	}
	if s.writeErr != nil {
		return nil, s.writeErr
	}
	return c, nil
}

// writeBack is credentials-go's token update callback, called after each exchange: it writes the tokens
// and the temporary key into the profile, as the aliyun CLI does after its own refresh, so that the CLI
// keeps working with the refresh token that is now the live one. A failure matters only when the refresh
// token changed: then it is kept and reported. It returns nil always, since credentials-go prints a
// returned error to standard output, which Terraform logs.
func (s *oauthSource) writeBack(refreshToken, accessToken, accessKeyID, accessKeySecret, securityToken string, accessTokenExpire, stsExpire int64) error {
	err := updateProfile(s.path, s.profile, map[string]any{
		"oauth_refresh_token": refreshToken, "oauth_access_token": accessToken, "oauth_access_token_expire": accessTokenExpire,
		"access_key_id": accessKeyID, "access_key_secret": accessKeySecret, "sts_token": securityToken, "sts_expiration": stsExpire,
	})
	switch {
	case err == nil:
		s.refreshToken, s.writeErr = refreshToken, nil
	case refreshToken != s.refreshToken:
		s.writeErr = fmt.Errorf("the OAuth sign-in of profile %q was refreshed, but its new tokens could not be written back to %s (%v): "+
			"the refresh token the file holds is spent, so the aliyun CLI's sign-in is lost. Make the file writable and sign in again with `%s`",
			s.profile, s.path, err, s.signIn)
	}
	return nil
}

// profileFileMu serializes this process's rewrites of profile files.
var profileFileMu sync.Mutex

// updateProfile sets fields of the named profile in the aliyun CLI's configuration file at path and
// leaves every other member of the file as it was, fields this package does not know included, so that
// the file stays the CLI's: it is read as raw JSON, changed in the profile only, and written to a
// temporary file beside it with the file's permissions, then renamed over it, so that a reader never
// sees half a file. Members come out in name order, tab-indented like the CLI's.
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
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(out, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
