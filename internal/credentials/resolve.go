package credentials

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/redact"
)

// resolver carries one Resolve call: the settings, the environment, what was tried (for the "no
// credentials" message) and the secret values seen (to remove from every message).
type resolver struct {
	settings Settings
	env      Env
	http     *httpClient
	tried    []string
	secrets  []string
}

func (r *resolver) addSecrets(values ...string) {
	for _, v := range values {
		if v != "" && !slices.Contains(r.secrets, v) {
			r.secrets = append(r.secrets, v)
		}
	}
}

// source is one place credentials may come from.
type source struct {
	name  string // the argument or variables, as the "tried" list and conflicts name them
	set   bool
	build func() (providers.CredentialsProvider, string, error) // the provider and its origin
	// profile is the aliyun CLI profile the source reads, if it is one (see ProfileRegion).
	profile string
}

// Resolve picks the credential source, in this order, and stops at the first that is set:
//
//  1. the provider block: access_key with secret_key (and security_token), profile, credentials_uri,
//     ecs_role_name or assume_role_with_oidc; two of these at once are a ConflictError;
//  2. the environment: ALICLOUD_ACCESS_KEY (with ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN), then
//     ALIBABA_CLOUD_ACCESS_KEY_ID (with ..._SECRET, ALIBABA_CLOUD_SECURITY_TOKEN), ALICLOUD_PROFILE or
//     ALIBABA_CLOUD_PROFILE, ALIBABA_CLOUD_CREDENTIALS_URI, ALICLOUD_ECS_ROLE_NAME, and the OIDC variables
//     (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE);
//  3. credentials-go's default chain, in its order: the CLI profile file's current profile, the
//     credentials file ~/.alibabacloud/credentials, the ECS instance's RAM role.
//
// A set source that fails is an error; only the chain goes on to its next step. assume_role (or
// ALICLOUD_ASSUME_ROLE_ARN) then assumes a role with the credentials found. Resolve fetches credentials
// once, so that a missing or broken source is reported when the provider is configured, not halfway
// through a read; temporary credentials fetched then are reused until close to their expiry.
func Resolve(ctx context.Context, s Settings, env Env) (*Source, error) {
	if s.Region == "" {
		s.Region, _ = ProfileRegion(s, env)
	}
	r := &resolver{settings: s, env: env, http: newHTTPClient(s.UserAgent)}
	r.addSecrets(s.AccessKey, s.SecretKey, s.SecurityToken, s.CredentialsURI)
	if s.AssumeRoleWithOIDC != nil {
		r.addSecrets(s.AssumeRoleWithOIDC.OIDCToken)
	}
	if s.AssumeRole != nil {
		r.addSecrets(s.AssumeRole.ExternalID)
	}
	for _, k := range []string{"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_ACCESS_KEY_ID",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_OIDC_TOKEN", "ALIBABA_CLOUD_CREDENTIALS_URI"} {
		r.addSecrets(env.get(k))
	}

	rs, err := r.roleToAssume()
	if err != nil {
		return nil, err
	}
	base, origin, err := r.base()
	if err != nil {
		return nil, err
	}
	p := base
	if rs != nil {
		if p, err = r.assumeRole(base, *rs); err != nil {
			return nil, err
		}
		origin = fmt.Sprintf("role %s (%s) assumed with %s", rs.roleARN, rs.namedBy, origin)
	}
	src := &Source{provider: p, Origin: origin}
	c, err := src.Credentials(ctx)
	if err != nil {
		return nil, err
	}
	src.checkTemporaryKey(c)
	return src, nil
}

// base finds the credentials assume_role builds on, or that sign requests themselves.
func (r *resolver) base() (providers.CredentialsProvider, string, error) {
	var chosen []source
	for _, src := range r.blockSources() {
		if src.set {
			chosen = append(chosen, src)
		}
	}
	if len(chosen) > 1 {
		return nil, "", &ConflictError{First: chosen[0].name, Second: chosen[1].name}
	}
	if len(chosen) == 1 {
		return chosen[0].build()
	}
	r.tried = append(r.tried, "the provider block: none of access_key, secret_key, security_token, profile, credentials_uri, ecs_role_name and assume_role_with_oidc is set")

	for _, src := range r.envSources() {
		if src.set {
			return src.build()
		}
		r.tried = append(r.tried, "the environment: "+src.name+" not set")
	}
	return r.chain()
}

// blockKeysOrigin is the origin of the keys of the provider block.
const blockKeysOrigin = "the provider block (access_key, secret_key, security_token)"

func (r *resolver) blockSources() []source {
	keys := keySet{origin: blockKeysOrigin, accessKey: r.settings.AccessKey, secret: r.settings.SecretKey, token: r.settings.SecurityToken}
	keyName := "access_key"
	if r.settings.AccessKey == "" {
		keyName = "secret_key"
		if r.settings.SecretKey == "" {
			keyName = "security_token"
		}
	}
	return []source{
		{name: keyName, set: !keys.empty(), build: keys.build},
		{name: "profile", set: r.settings.Profile != "", profile: r.settings.Profile, build: func() (providers.CredentialsProvider, string, error) {
			return r.profile(r.settings.Profile, "the provider block")
		}},
		{name: "credentials_uri", set: r.settings.CredentialsURI != "", build: func() (providers.CredentialsProvider, string, error) {
			return r.uriSource(r.settings.CredentialsURI), "the credentials URI " + uriHost(r.settings.CredentialsURI) + " (credentials_uri in the provider block)", nil
		}},
		{name: "ecs_role_name", set: r.settings.ECSRoleName != "", build: func() (providers.CredentialsProvider, string, error) {
			// Named in the block, the role is read even with ALIBABA_CLOUD_ECS_METADATA_DISABLED=true,
			// which turns off the chain's guess, not what the user wrote.
			return r.ecsSource(r.settings.ECSRoleName),
				fmt.Sprintf("the RAM role %q of the ECS instance (ecs_role_name in the provider block)", r.settings.ECSRoleName), nil
		}},
		{name: "assume_role_with_oidc", set: r.settings.AssumeRoleWithOIDC != nil, build: func() (providers.CredentialsProvider, string, error) {
			return r.oidc(*r.settings.AssumeRoleWithOIDC, "assume_role_with_oidc in the provider block")
		}},
	}
}

func (r *resolver) envSources() []source {
	alicloud := keySet{origin: "the environment (ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN)",
		accessKey: r.env.get("ALICLOUD_ACCESS_KEY"), secret: r.env.get("ALICLOUD_SECRET_KEY"), token: r.env.get("ALICLOUD_SECURITY_TOKEN")}
	alibaba := keySet{origin: "the environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN)",
		accessKey: r.env.get("ALIBABA_CLOUD_ACCESS_KEY_ID"), secret: r.env.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), token: r.env.get("ALIBABA_CLOUD_SECURITY_TOKEN")}
	profileVar, profileName := r.env.first("ALICLOUD_PROFILE", "ALIBABA_CLOUD_PROFILE")
	uri := r.env.get("ALIBABA_CLOUD_CREDENTIALS_URI")
	role := r.env.get("ALICLOUD_ECS_ROLE_NAME")
	oidcSet := r.env.get("ALIBABA_CLOUD_OIDC_PROVIDER_ARN") != "" || r.env.get("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != ""
	return []source{
		{name: "ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN", set: !alicloud.empty(), build: alicloud.build},
		{name: "ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN", set: !alibaba.empty(), build: alibaba.build},
		{name: "ALICLOUD_PROFILE, ALIBABA_CLOUD_PROFILE", set: profileName != "", profile: profileName, build: func() (providers.CredentialsProvider, string, error) {
			return r.profile(profileName, profileVar)
		}},
		{name: "ALIBABA_CLOUD_CREDENTIALS_URI", set: uri != "", build: func() (providers.CredentialsProvider, string, error) {
			return r.uriSource(uri), "the credentials URI " + uriHost(uri) + " (ALIBABA_CLOUD_CREDENTIALS_URI)", nil
		}},
		{name: "ALICLOUD_ECS_ROLE_NAME", set: role != "", build: func() (providers.CredentialsProvider, string, error) {
			return r.ecsSource(role), fmt.Sprintf("the RAM role %q of the ECS instance (ALICLOUD_ECS_ROLE_NAME)", role), nil
		}},
		{name: "ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE, ALIBABA_CLOUD_ROLE_ARN", set: oidcSet, build: func() (providers.CredentialsProvider, string, error) {
			return r.oidc(AssumeRoleWithOIDC{}, "the ALIBABA_CLOUD_OIDC_* variables")
		}},
	}
}

// oidc builds an AssumeRoleWithOIDC source; what the settings leave empty comes from the variables
// credentials-go reads (ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ...), and a token given anywhere beats a file
// given in the same place.
func (r *resolver) oidc(o AssumeRoleWithOIDC, namedBy string) (providers.CredentialsProvider, string, error) {
	cfg := oidcSession{
		providerARN: cmp.Or(o.OIDCProviderARN, r.env.get("ALIBABA_CLOUD_OIDC_PROVIDER_ARN")),
		roleARN:     cmp.Or(o.RoleARN, r.env.get("ALIBABA_CLOUD_ROLE_ARN")),
		sessionName: cmp.Or(o.RoleSessionName, r.env.get("ALIBABA_CLOUD_ROLE_SESSION_NAME"), DefaultSessionName),
		policy:      o.Policy,
		duration:    o.SessionExpiration,
		endpoint:    r.stsEndpoint("", false),
	}
	switch {
	case o.OIDCToken != "":
		cfg.token = o.OIDCToken
	case o.OIDCTokenFile != "":
		cfg.tokenFile = r.expandHome(o.OIDCTokenFile)
	case r.env.get("ALIBABA_CLOUD_OIDC_TOKEN") != "":
		cfg.token = r.env.get("ALIBABA_CLOUD_OIDC_TOKEN")
	default:
		cfg.tokenFile = r.expandHome(r.env.get("ALIBABA_CLOUD_OIDC_TOKEN_FILE"))
	}
	if cfg.duration == 0 {
		cfg.duration = DefaultSessionExpiration
	}
	var missing []string
	if cfg.providerARN == "" {
		missing = append(missing, "oidc_provider_arn (or ALIBABA_CLOUD_OIDC_PROVIDER_ARN)")
	}
	if cfg.roleARN == "" {
		missing = append(missing, "role_arn (or ALIBABA_CLOUD_ROLE_ARN)")
	}
	if cfg.token == "" && cfg.tokenFile == "" {
		missing = append(missing, "oidc_token or oidc_token_file (or ALIBABA_CLOUD_OIDC_TOKEN_FILE)")
	}
	if len(missing) > 0 {
		return nil, "", fmt.Errorf("assuming a role with OIDC (%s) needs %s", namedBy, strings.Join(missing, " and "))
	}
	if cfg.duration < MinSessionExpiration || cfg.duration > MaxSessionExpiration {
		return nil, "", fmt.Errorf("assume_role_with_oidc: session_expiration is %d; STS takes %d to %d seconds", cfg.duration, MinSessionExpiration, MaxSessionExpiration)
	}
	r.addSecrets(cfg.token)
	return r.oidcSource(cfg), fmt.Sprintf("role %s assumed with OIDC (%s)", cfg.roleARN, namedBy), nil
}

// roleToAssume reads assume_role, else ALICLOUD_ASSUME_ROLE_ARN as the alicloud provider does; nil when
// no role is to be assumed.
func (r *resolver) roleToAssume() (*roleSession, error) {
	ar := r.settings.AssumeRole
	if ar == nil {
		if r.env.get("ALICLOUD_ASSUME_ROLE_ARN") == "" {
			return nil, nil
		}
		ar = &AssumeRole{}
	}
	namedBy := "assume_role.role_arn in the provider block"
	if ar.RoleARN == "" {
		namedBy = "ALICLOUD_ASSUME_ROLE_ARN"
	}
	rs := &roleSession{
		namedBy:     namedBy,
		roleARN:     cmp.Or(ar.RoleARN, r.env.get("ALICLOUD_ASSUME_ROLE_ARN")),
		sessionName: cmp.Or(ar.SessionName, r.env.get("ALICLOUD_ASSUME_ROLE_SESSION_NAME"), DefaultSessionName),
		policy:      ar.Policy,
		externalID:  ar.ExternalID,
		duration:    ar.SessionExpiration,
		endpoint:    r.stsEndpoint("", false),
	}
	if rs.duration == 0 {
		rs.duration = DefaultSessionExpiration
	}
	if rs.roleARN == "" {
		return nil, errors.New("assume_role is set without role_arn, and ALICLOUD_ASSUME_ROLE_ARN is not set either: name the role to assume")
	}
	if rs.duration < MinSessionExpiration || rs.duration > MaxSessionExpiration {
		return nil, fmt.Errorf("assume_role: session_expiration is %d; STS takes %d to %d seconds", rs.duration, MinSessionExpiration, MaxSessionExpiration)
	}
	return rs, nil
}

func (r *resolver) allowIMDSv1() bool {
	return !strings.EqualFold(r.env.get("ALIBABA_CLOUD_IMDSV1_DISABLED"), "true")
}

// chain is credentials-go's default chain after the steps the environment sources above already took
// (its environment keys, OIDC variables and credentials URI): the CLI profile file's current profile, the
// credentials file, the ECS instance's role. Its steps are this package's so that STS calls go to the
// provider's STS endpoint and an ECS lookup off ECS fails within a second; a step that fails hands over
// to the next, as in credentials-go.
func (r *resolver) chain() (providers.CredentialsProvider, string, error) {
	if strings.EqualFold(r.env.get("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"), "true") {
		r.tried = append(r.tried, "the default chain: the aliyun CLI configuration file, skipped as ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true")
	} else if path := r.profileFile(); path == "" {
		r.tried = append(r.tried, "the default chain: the aliyun CLI configuration file, skipped as there is no home directory")
	} else if conf, err := readCLIConfig(path); errors.Is(err, fs.ErrNotExist) {
		r.tried = append(r.tried, "the default chain: the aliyun CLI configuration file "+path+": does not exist")
	} else if err != nil {
		r.tried = append(r.tried, "the default chain: "+err.Error())
	} else {
		name := cmp.Or(conf.Current, "default")
		p, mode, err := r.buildProfile(conf, path, name, nil)
		if err == nil {
			_, err = p.GetCredentials()
		}
		if err == nil {
			return p, fmt.Sprintf("profile %q (%s) of %s, its current profile (default chain)", name, mode, path), nil
		}
		r.tried = append(r.tried, fmt.Sprintf("the default chain: profile %q, the current one of %s: %v", name, path, err))
	}

	iniPath := r.env.get("ALIBABA_CLOUD_CREDENTIALS_FILE")
	if iniPath == "" && r.home() != "" {
		iniPath = filepath.Join(r.home(), ".alibabacloud", "credentials")
	}
	if _, err := os.Stat(iniPath); iniPath == "" || err != nil {
		r.tried = append(r.tried, "the default chain: the credentials file "+cmp.Or(iniPath, "~/.alibabacloud/credentials")+": does not exist")
	} else {
		p, what, err := r.credentialsFile(iniPath)
		if err == nil {
			_, err = p.GetCredentials()
		}
		if err == nil {
			return p, what + " (default chain)", nil
		}
		r.tried = append(r.tried, fmt.Sprintf("the default chain: the credentials file %s: %v", iniPath, err))
	}

	if strings.EqualFold(r.env.get("ALIBABA_CLOUD_ECS_METADATA_DISABLED"), "true") {
		r.tried = append(r.tried, "the default chain: the ECS instance's RAM role, skipped as ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
	} else {
		role := r.env.get("ALIBABA_CLOUD_ECS_METADATA")
		p := r.ecsSource(role)
		_, err := p.GetCredentials()
		if err == nil {
			what := "the RAM role of the ECS instance (default chain)"
			if role != "" {
				what = fmt.Sprintf("the RAM role %q of the ECS instance (ALIBABA_CLOUD_ECS_METADATA, default chain)", role)
			}
			return p, what, nil
		}
		r.tried = append(r.tried, "the default chain: the ECS instance's RAM role: "+err.Error())
	}

	return nil, "", fmt.Errorf("%w. Tried, in order:\n- %s\n\n"+
		"Set access_key and secret_key in the provider block (from variables, never literally) or the ALICLOUD_ACCESS_KEY and "+
		"ALICLOUD_SECRET_KEY environment variables; or name a profile of the aliyun CLI with profile or ALICLOUD_PROFILE; or use "+
		"credentials_uri, ecs_role_name or assume_role_with_oidc (see \"Authentication\" in the provider documentation)",
		ErrNoCredentials, redact.Credentials(strings.Join(r.tried, "\n- "), r.secrets...))
}

// keySet is an access key, its secret and its token, always taken together from one place: mixing a key
// from the block with a secret from the environment would sign with a pair that was never issued.
type keySet struct {
	origin                   string
	accessKey, secret, token string
}

func (k keySet) empty() bool { return k.accessKey == "" && k.secret == "" && k.token == "" }

func (k keySet) check() error {
	switch {
	case k.accessKey == "" && k.secret != "":
		return fmt.Errorf("%s: a secret key is set without an access key", k.origin)
	case k.accessKey != "" && k.secret == "":
		return fmt.Errorf("%s: an access key is set without a secret key", k.origin)
	case k.accessKey == "" && k.token != "":
		return fmt.Errorf("%s: a security token is set without an access key and secret key", k.origin)
	}
	return nil
}

func (k keySet) build() (providers.CredentialsProvider, string, error) {
	if err := k.check(); err != nil {
		return nil, "", err
	}
	p, err := staticProvider(k)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", k.origin, err)
	}
	return p, k.origin, nil
}

func staticProvider(k keySet) (providers.CredentialsProvider, error) {
	if k.token != "" {
		return providers.NewStaticSTSCredentialsProviderBuilder().
			WithAccessKeyId(k.accessKey).WithAccessKeySecret(k.secret).WithSecurityToken(k.token).Build()
	}
	return providers.NewStaticAKCredentialsProviderBuilder().
		WithAccessKeyId(k.accessKey).WithAccessKeySecret(k.secret).Build()
}
