package credentials

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// cliConfig is the aliyun CLI's configuration file (~/.aliyun/config.json), as far as credentials go.
type cliConfig struct {
	Current  string       `json:"current"`
	Profiles []cliProfile `json:"profiles"`
}

// cliProfile is one profile; the JSON names are the CLI's (aliyun-cli config/profile.go).
type cliProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
	RAMRoleName     string `json:"ram_role_name"`
	RAMRoleARN      string `json:"ram_role_arn"`
	RAMSessionName  string `json:"ram_session_name"`
	SourceProfile   string `json:"source_profile"`
	ExpiredSeconds  int    `json:"expired_seconds"`
	RegionID        string `json:"region_id"`
	StsRegion       string `json:"sts_region"`
	StsEndpoint     string `json:"sts_endpoint"`
	EnableVpc       bool   `json:"enable_vpc"`
	Policy          string `json:"policy"`
	ExternalID      string `json:"external_id"`
	OIDCProviderARN string `json:"oidc_provider_arn"`
	OIDCTokenFile   string `json:"oidc_token_file"`
	OIDCToken       string `json:"oidc_token"`
	CredentialsURI  string `json:"credentials_uri"`
	ProcessCommand  string `json:"process_command"`
	// CloudSSO (aliyun configure --mode CloudSSO)
	CloudSSOSignInURL         string `json:"cloud_sso_sign_in_url"`
	CloudSSOAccountID         string `json:"cloud_sso_account_id"`
	CloudSSOAccessConfig      string `json:"cloud_sso_access_config"`
	AccessToken               string `json:"access_token"`
	CloudSSOAccessTokenExpire int64  `json:"cloud_sso_access_token_expire"`
	// OAuth (aliyun configure --mode OAuth)
	OAuthSiteType          string `json:"oauth_site_type"`
	OAuthAccessToken       string `json:"oauth_access_token"`
	OAuthRefreshToken      string `json:"oauth_refresh_token"`
	OAuthAccessTokenExpire int64  `json:"oauth_access_token_expire"`

	// fields are the profile's members as the file has them, to tell which a mode requires are set.
	fields map[string]json.RawMessage
}

func (p *cliProfile) UnmarshalJSON(b []byte) error {
	type plain cliProfile // without this method
	if err := json.Unmarshal(b, (*plain)(p)); err != nil {
		return err
	}
	return json.Unmarshal(b, &p.fields)
}

// isSet says whether the profile has the field with a value: not absent, null, blank, 0 or false.
func (p *cliProfile) isSet(field string) bool {
	raw, ok := p.fields[field]
	if !ok {
		return false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s) != ""
	}
	switch strings.TrimSpace(string(raw)) {
	case "null", "0", "false", "":
		return false
	}
	return true
}

// readCLIConfig reads and decodes the file. Decoding errors are Go's own, which name the offending field
// or offset but never a value, so a secret in a malformed file stays out of the message.
func readCLIConfig(path string) (*cliConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c cliConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("the aliyun CLI configuration file %s cannot be read: %w", path, err)
	}
	return &c, nil
}

func (c *cliConfig) find(name string) *cliProfile {
	for i := range c.Profiles {
		if c.Profiles[i].Name == name {
			return &c.Profiles[i]
		}
	}
	return nil
}

func (c *cliConfig) names() string {
	names := make([]string, 0, len(c.Profiles))
	for _, p := range c.Profiles {
		names = append(names, fmt.Sprintf("%q", p.Name))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// profileFile is the CLI configuration file: shared_credentials_file, ALICLOUD_SHARED_CREDENTIALS_FILE,
// ALIBABA_CLOUD_CONFIG_FILE, else ~/.aliyun/config.json ("" when there is no home directory).
func (r *resolver) profileFile() string {
	file := strings.TrimSpace(r.settings.SharedCredentialsFile)
	if file == "" {
		_, file = r.env.first("ALICLOUD_SHARED_CREDENTIALS_FILE", "ALIBABA_CLOUD_CONFIG_FILE")
	}
	if file = strings.TrimSpace(file); file != "" {
		return r.expandHome(file)
	}
	if home := r.home(); home != "" {
		return filepath.Join(home, ".aliyun", "config.json")
	}
	return ""
}

func (r *resolver) home() string {
	if runtime.GOOS == "windows" {
		if h := r.env.get("USERPROFILE"); h != "" {
			return h
		}
	}
	return r.env.get("HOME")
}

func (r *resolver) expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		if home := r.home(); home != "" {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// profile builds the credentials of the named profile, named by namedBy ("the provider block",
// "ALICLOUD_PROFILE", ...), and says where they come from.
func (r *resolver) profile(name, namedBy string) (providers.CredentialsProvider, string, error) {
	path := r.profileFile()
	if path == "" {
		return nil, "", fmt.Errorf("profile %q (named by %s): there is no home directory to find ~/.aliyun/config.json in; set shared_credentials_file", name, namedBy)
	}
	conf, err := readCLIConfig(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("profile %q (named by %s): the aliyun CLI configuration file %s does not exist. "+
			"Create the profile with `aliyun configure --profile %s`, or point shared_credentials_file at the file", name, namedBy, path, name)
	}
	if err != nil {
		return nil, "", fmt.Errorf("profile %q (named by %s): %w", name, namedBy, err)
	}
	p, mode, err := r.buildProfile(conf, path, name, nil)
	if err != nil {
		return nil, "", fmt.Errorf("named by %s: %w", namedBy, err)
	}
	return p, fmt.Sprintf("profile %q (%s) of %s, named by %s", name, mode, path, namedBy), nil
}

// ProfileRegion is the region_id of the aliyun CLI profile Resolve takes the credentials from, with where
// it was found, e.g. `region_id of profile "dev" in /home/me/.aliyun/config.json`: the profile named by
// the provider block or the environment, or the current profile of the file when no other source is set
// (as the default chain reads it). It is "" when the credentials come from elsewhere, the profile has no
// region_id or the file cannot be read (Resolve then says why). For CLI users the profile's region is the
// region, as it is for the aliyun CLI, when the provider block and the environment name none.
func ProfileRegion(s Settings, env Env) (region, origin string) {
	r := &resolver{settings: s, env: env}
	name := r.chosenProfile()
	path := r.profileFile()
	if name == "" || path == "" {
		return "", ""
	}
	conf, err := readCLIConfig(path)
	if err != nil {
		return "", ""
	}
	if name == currentProfile {
		name = cmp.Or(conf.Current, "default")
	}
	p := conf.find(name)
	if p == nil || strings.TrimSpace(p.RegionID) == "" {
		return "", ""
	}
	return strings.TrimSpace(p.RegionID), fmt.Sprintf("region_id of profile %q in %s", name, path)
}

// currentProfile stands for the file's current profile in chosenProfile.
const currentProfile = "\x00current"

// chosenProfile is the name of the profile Resolve reads first, in its order: a profile named by the
// provider block (when it sets no other source) or by the environment (when no earlier variable is set),
// else currentProfile when the default chain would read the file; "" when credentials come from
// elsewhere.
func (r *resolver) chosenProfile() string {
	var block []source
	for _, src := range r.blockSources() {
		if src.set {
			block = append(block, src)
		}
	}
	if len(block) > 0 {
		if len(block) == 1 {
			return block[0].profile
		}
		return ""
	}
	for _, src := range r.envSources() {
		if src.set {
			return src.profile
		}
	}
	if strings.EqualFold(r.env.get("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"), "true") {
		return ""
	}
	return currentProfile
}

// profileBuild is one profile on its way to credentials: the profile, its file, and the profiles that
// led to it through source_profile.
type profileBuild struct {
	conf    *cliConfig
	path    string
	profile *cliProfile
	via     []string
	where   string // e.g. `profile "dev" (mode RamRoleArn) of /home/me/.aliyun/config.json`
}

// buildProfile builds a profile's credentials as the aliyun CLI would, but with this provider's STS
// endpoint: credentials-go's own CLI profile provider cannot be pointed at endpoints.sts. The mode's
// entry in profileModes says what the profile must hold and builds it. via lists the profiles that led
// here through source_profile, to catch a loop. It returns the mode, as the origin names it.
func (r *resolver) buildProfile(conf *cliConfig, path, name string, via []string) (providers.CredentialsProvider, string, error) {
	if slices.Contains(via, name) {
		return nil, "", fmt.Errorf("the profiles of %s name each other in a loop through source_profile: %s -> %s", path, strings.Join(via, " -> "), name)
	}
	p := conf.find(name)
	if p == nil {
		return nil, "", fmt.Errorf("there is no profile %q in %s (its profiles: %s)", name, path, conf.names())
	}
	modeName := p.Mode
	if modeName == "" {
		modeName = inferMode(p) // as the CLI reads profiles written before modes existed
	}
	r.addSecrets(p.AccessKeyID, p.AccessKeySecret, p.StsToken, p.OIDCToken, p.CredentialsURI)
	b := &profileBuild{conf: conf, path: path, profile: p, via: via, where: fmt.Sprintf("profile %q (mode %s) of %s", name, modeName, path)}

	mode := findProfileMode(modeName)
	switch {
	case modeName == "":
		return nil, modeName, fmt.Errorf("profile %q of %s has no mode, and its fields suggest none; supported modes: %s", name, path, strings.Join(SupportedProfileModes(), ", "))
	case mode == nil:
		return nil, modeName, fmt.Errorf("%s: unknown mode %q; supported modes: %s", b.where, modeName, strings.Join(SupportedProfileModes(), ", "))
	case mode.build == nil:
		return nil, modeName, fmt.Errorf("%s: mode %s cannot sign a DBS request: it %s. The modes that can are %s; "+
			"create such a profile with `aliyun configure --profile %s --mode <mode>`, or pass credentials another way",
			b.where, modeName, mode.refusal, strings.Join(SupportedProfileModes(), ", "), name)
	}
	if missing := mode.missing(p, r.env); len(missing) > 0 {
		return nil, modeName, fmt.Errorf("%s lacks %s", b.where, strings.Join(missing, " and "))
	}
	cp, described, err := mode.build(r, b)
	return cp, cmp.Or(described, modeName), err
}

// session is the AssumeRole session the profile describes, at the STS endpoint for its sts_region.
func (b *profileBuild) session(r *resolver) (roleSession, error) {
	p := b.profile
	d := p.ExpiredSeconds
	if d == 0 {
		d = DefaultSessionExpiration
	}
	if d < MinSessionExpiration || d > MaxSessionExpiration {
		return roleSession{}, fmt.Errorf("%s: expired_seconds is %d; STS takes %d to %d", b.where, d, MinSessionExpiration, MaxSessionExpiration)
	}
	return roleSession{roleARN: p.RAMRoleARN, sessionName: cmp.Or(p.RAMSessionName, DefaultSessionName), policy: p.Policy,
		externalID: p.ExternalID, duration: d, endpoint: b.stsEndpoint(r)}, nil
}

// stsEndpoint is endpoints.sts (or its variables) when set, else the profile's sts_endpoint (a host, or a
// URL whose scheme is dropped as the CLI does: STS is always reached over HTTPS), else the endpoint of
// its sts_region and enable_vpc (see resolver.stsEndpoint).
func (b *profileBuild) stsEndpoint(r *resolver) string {
	if r.settings.STSEndpoint == "" && strings.TrimSpace(b.profile.StsEndpoint) != "" {
		host := strings.TrimSpace(b.profile.StsEndpoint)
		host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
		return strings.TrimSuffix(host, "/")
	}
	return r.stsEndpoint(b.profile.StsRegion, b.profile.EnableVpc)
}

// assumeRoleOver assumes the profile's role with the credentials of base.
func (b *profileBuild) assumeRoleOver(r *resolver, base providers.CredentialsProvider) (providers.CredentialsProvider, error) {
	rs, err := b.session(r)
	if err != nil {
		return nil, err
	}
	return r.assumeRole(base, rs)
}

// accessKey is the profile's own access key (and token, when it has one).
func (b *profileBuild) accessKey(withToken bool) (providers.CredentialsProvider, error) {
	k := keySet{accessKey: b.profile.AccessKeyID, secret: b.profile.AccessKeySecret}
	if withToken {
		k.token = b.profile.StsToken
	}
	return staticProvider(k)
}

// externalAllowed refuses the modes that run a program or fetch a URL when
// ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS is set, as the aliyun CLI does.
func (b *profileBuild) externalAllowed(r *resolver) error {
	if v := strings.TrimSpace(r.env.get("ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS")); v == "1" || strings.EqualFold(v, "true") {
		return fmt.Errorf("%s: ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS=%s forbids the modes External and CredentialsURI", b.where, v)
	}
	return nil
}
