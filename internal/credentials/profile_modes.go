package credentials

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// profileMode is a mode of the aliyun CLI's profiles (`aliyun configure --mode`): the fields a profile of
// the mode must hold, and how its credentials are built.
type profileMode struct {
	name string
	// signsWith says, in Markdown for the provider's documentation, what signs the requests.
	signsWith string
	// requires are the profile fields, by their JSON names, that must be set; "a|b" means either, and
	// "$NAME" an environment variable that stands in for a field.
	requires []string
	// build makes the credentials and may describe the mode further for the origin ("" for its name).
	// It is nil for a mode the provider cannot use, and refusal then says why.
	build   func(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error)
	refusal string
}

// profileModes are the modes of aliyun-cli's config/profile.go. They are set in init because
// ChainableRamRoleArn builds its source profile through this very table.
var profileModes []profileMode

func init() {
	profileModes = []profileMode{
		{name: "AK", signsWith: "the profile's access key",
			requires: []string{"access_key_id", "access_key_secret"}, build: buildAccessKeyProfile},
		{name: "StsToken", signsWith: "the profile's temporary access key and its STS token",
			requires: []string{"access_key_id", "access_key_secret", "sts_token"}, build: buildStsTokenProfile},
		{name: "RamRoleArn", signsWith: "the role `ram_role_arn`, assumed with the profile's access key",
			requires: []string{"access_key_id", "access_key_secret", "ram_role_arn"}, build: buildRAMRoleARNProfile},
		{name: "EcsRamRole", signsWith: "the ECS instance's RAM role `ram_role_name` (without it, the role attached to the instance)",
			build: buildECSRoleProfile},
		{name: "ChainableRamRoleArn", signsWith: "the role `ram_role_arn`, assumed with the credentials of the profile `source_profile` (any mode)",
			requires: []string{"source_profile", "ram_role_arn"}, build: buildChainableProfile},
		{name: "OIDC", signsWith: "the role `ram_role_arn`, assumed with the OIDC token of `oidc_token_file`",
			requires: []string{"oidc_provider_arn", "ram_role_arn", "oidc_token_file|oidc_token"}, build: buildOIDCProfile},
		{name: "RamRoleArnWithRoleName", signsWith: "the role `ram_role_arn`, assumed with the credentials of the ECS instance's RAM role `ram_role_name` " +
			"(without it, the role attached to the instance)",
			requires: []string{"ram_role_arn"}, build: buildECSRoleARNProfile},
		{name: "CredentialsURI", signsWith: "the temporary credentials that a `GET` of `credentials_uri` answers",
			requires: []string{"credentials_uri|$ALIBABA_CLOUD_CREDENTIALS_URI"}, build: buildCredentialsURIProfile},
		{name: "CloudSSO", signsWith: "the temporary key of the access configuration `cloud_sso_access_config` in account `cloud_sso_account_id`, " +
			"which the CloudSSO portal of `cloud_sso_sign_in_url` hands out for the access token `access_token` of the CLI's sign-in, " +
			"until `cloud_sso_access_token_expire`",
			requires: []string{"cloud_sso_sign_in_url", "cloud_sso_account_id", "cloud_sso_access_config", "access_token"}, build: buildCloudSSOProfile},
		{name: "OAuth", signsWith: "the temporary key that the OAuth service of `oauth_site_type` (`CN` or `INTL`) hands out for the CLI's sign-in; " +
			"the provider renews `oauth_access_token` with `oauth_refresh_token` and writes both back into the profile, as the CLI does",
			requires: []string{"oauth_site_type", "oauth_refresh_token|oauth_access_token"}, build: buildOAuthProfile},
		{name: "External", signsWith: "the access key that the program `process_command` prints as JSON: `mode` (`AK` or `StsToken`), " +
			"`access_key_id`, `access_key_secret`, `sts_token` and, optionally, `expiration` (RFC 3339), shortly before which it is run again",
			requires: []string{"process_command"}, build: buildExternalProfile},
		{name: "RsaKeyPair", refusal: "is deprecated by the aliyun CLI, and its key pair signs no API request itself"},
		{name: "BearerToken", refusal: "sends a bearer token, which DBS does not take: its API takes requests signed with an access key"},
		{name: "Anonymous", refusal: "sends requests unsigned, and DBS answers only signed ones"},
	}
}

// SupportedProfileModes are the CLI profile modes the provider reads.
func SupportedProfileModes() []string {
	var names []string
	for _, m := range profileModes {
		if m.build != nil {
			names = append(names, m.name)
		}
	}
	return names
}

// inferMode is the mode of a profile written without one, as the aliyun CLI infers it
// (AutoModeRecognition in its config/profile.go), or "".
func inferMode(p *cliProfile) string {
	all := func(fields ...string) bool {
		return !slices.ContainsFunc(fields, func(f string) bool { return !p.isSet(f) })
	}
	switch {
	case all("access_key_id", "access_key_secret") && p.isSet("sts_token"):
		return "StsToken"
	case all("access_key_id", "access_key_secret") && p.isSet("ram_role_arn"):
		return "RamRoleArn"
	case all("access_key_id", "access_key_secret"):
		return "AK"
	case all("private_key", "key_pair_name"):
		return "RsaKeyPair"
	case p.isSet("ram_role_name"):
		return "EcsRamRole"
	case p.isSet("process_command"):
		return "External"
	case all("oidc_provider_arn", "oidc_token_file", "ram_role_arn"):
		return "OIDC"
	case p.isSet("cloud_sso_sign_in_url"):
		return "CloudSSO"
	case p.isSet("bearer_token"):
		return "BearerToken"
	}
	return ""
}

func findProfileMode(name string) *profileMode {
	i := slices.IndexFunc(profileModes, func(m profileMode) bool { return m.name == name })
	if i < 0 {
		return nil
	}
	return &profileModes[i]
}

// missing lists the required fields the profile leaves unset, each by its first name.
func (m *profileMode) missing(p *cliProfile, env Env) []string {
	var missing []string
	for _, req := range m.requires {
		alternatives := strings.Split(req, "|")
		if !slices.ContainsFunc(alternatives, func(a string) bool {
			if name, ok := strings.CutPrefix(a, "$"); ok {
				return strings.TrimSpace(env.get(name)) != ""
			}
			return p.isSet(a)
		}) {
			named := strings.ReplaceAll(strings.Join(alternatives, " (or "), "$", "")
			missing = append(missing, named+strings.Repeat(")", len(alternatives)-1))
		}
	}
	return missing
}

func buildAccessKeyProfile(_ *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	p, err := b.accessKey(false)
	return p, "", err
}

func buildStsTokenProfile(_ *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	p, err := b.accessKey(true)
	return p, "", err
}

func buildRAMRoleARNProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	base, err := b.accessKey(false)
	if err != nil {
		return nil, "", err
	}
	p, err := b.assumeRoleOver(r, base)
	return p, "", err
}

// buildChainableProfile assumes the role with the credentials of source_profile, whatever its mode.
func buildChainableProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	base, baseMode, err := r.buildProfile(b.conf, b.path, b.profile.SourceProfile, append(b.via, b.profile.Name))
	if err != nil {
		return nil, "", err
	}
	p, err := b.assumeRoleOver(r, base)
	return p, "ChainableRamRoleArn over " + baseMode, err
}

// buildECSRoleProfile reads ram_role_name's credentials; an empty one asks the instance for its role, as
// the CLI does.
func buildECSRoleProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	return r.ecsSource(b.profile.RAMRoleName), "", nil
}

// buildECSRoleARNProfile assumes the role with the ECS instance's role, as the CLI's deprecated
// RamRoleArnWithRoleName does.
func buildECSRoleARNProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	p, err := b.assumeRoleOver(r, r.ecsSource(b.profile.RAMRoleName))
	return p, "", err
}

// buildCredentialsURIProfile reads credentials_uri, else ALIBABA_CLOUD_CREDENTIALS_URI as the CLI does.
func buildCredentialsURIProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	if err := b.externalAllowed(r); err != nil {
		return nil, "", err
	}
	uri := strings.TrimSpace(b.profile.CredentialsURI)
	described := "CredentialsURI " + uriHost(uri)
	if uri == "" {
		uri = strings.TrimSpace(r.env.get("ALIBABA_CLOUD_CREDENTIALS_URI"))
		described = "CredentialsURI " + uriHost(uri) + " of ALIBABA_CLOUD_CREDENTIALS_URI"
	}
	return r.uriSource(uri), described, nil
}

// buildExternalProfile runs process_command (see externalSource).
func buildExternalProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	if err := b.externalAllowed(r); err != nil {
		return nil, "", err
	}
	p, err := newExternalSource(b.profile.ProcessCommand, slices.Clone(r.secrets))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", b.where, err)
	}
	return p, "", nil
}

func buildOIDCProfile(r *resolver, b *profileBuild) (providers.CredentialsProvider, string, error) {
	rs, err := b.session(r)
	if err != nil {
		return nil, "", err
	}
	p := b.profile
	return r.oidcSource(oidcSession{providerARN: p.OIDCProviderARN, roleARN: p.RAMRoleARN, sessionName: rs.sessionName,
		policy: p.Policy, token: p.OIDCToken, tokenFile: r.expandHome(p.OIDCTokenFile), duration: rs.duration, endpoint: rs.endpoint}), "", nil
}

// ProfileModesMarkdown is the table of profile modes for the provider's documentation, made from
// profileModes so that the two cannot differ (internal/docgen writes it into templates/index.md.tmpl).
func ProfileModesMarkdown() string {
	var b strings.Builder
	b.WriteString("| `mode` | Requests are signed with | The profile needs |\n|---|---|---|\n")
	for _, m := range profileModes {
		signs, needs := m.signsWith, "—"
		if m.build == nil {
			signs = "nothing: refused, as the mode " + m.refusal
		}
		if len(m.requires) > 0 {
			fields := make([]string, len(m.requires))
			for i, req := range m.requires {
				fields[i] = "`" + strings.ReplaceAll(req, "|", "` or `") + "`"
			}
			needs = strings.ReplaceAll(strings.Join(fields, ", "), "`$", "`")
		}
		b.WriteString("| `" + m.name + "` | " + signs + " | " + needs + " |\n")
	}
	return b.String()
}
