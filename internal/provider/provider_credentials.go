package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/credentials"
)

var _ provider.ProviderWithConfigValidators = (*alicloudProvider)(nil)

// credentialsModel holds the provider arguments that say where credentials come from. It is embedded in
// providerModel; the order in which they are used is decided by internal/credentials.
type credentialsModel struct {
	AccessKey             types.String             `tfsdk:"access_key"`
	SecretKey             types.String             `tfsdk:"secret_key"`
	SecurityToken         types.String             `tfsdk:"security_token"`
	Profile               types.String             `tfsdk:"profile"`
	SharedCredentialsFile types.String             `tfsdk:"shared_credentials_file"`
	ECSRoleName           types.String             `tfsdk:"ecs_role_name"`
	CredentialsURI        types.String             `tfsdk:"credentials_uri"`
	AssumeRole            *assumeRoleModel         `tfsdk:"assume_role"`
	AssumeRoleWithOIDC    *assumeRoleWithOIDCModel `tfsdk:"assume_role_with_oidc"`
}

type assumeRoleModel struct {
	RoleARN           types.String `tfsdk:"role_arn"`
	SessionName       types.String `tfsdk:"session_name"`
	Policy            types.String `tfsdk:"policy"`
	SessionExpiration types.Int64  `tfsdk:"session_expiration"`
	ExternalID        types.String `tfsdk:"external_id"`
}

type assumeRoleWithOIDCModel struct {
	OIDCProviderARN   types.String `tfsdk:"oidc_provider_arn"`
	OIDCTokenFile     types.String `tfsdk:"oidc_token_file"`
	OIDCToken         types.String `tfsdk:"oidc_token"`
	RoleARN           types.String `tfsdk:"role_arn"`
	RoleSessionName   types.String `tfsdk:"role_session_name"`
	Policy            types.String `tfsdk:"policy"`
	SessionExpiration types.Int64  `tfsdk:"session_expiration"`
}

var (
	roleARNPattern         = regexp.MustCompile(`^acs:ram::\d+:role/\S+$`)
	oidcProviderARNPattern = regexp.MustCompile(`^acs:ram::\d+:oidc-provider/\S+$`)
	sessionNamePattern     = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)
	// hostPortPattern is host[:port] without a scheme: STS is always reached over HTTPS.
	hostPortPattern = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$`)
)

// The kinds of credential values checked at plan time, in the provider block and, for the STS endpoint,
// in the environment.
var (
	stsEndpointCheck = valueCheck{kind: "STS endpoint", want: "host[:port], without a scheme, as STS is always reached over HTTPS",
		problem: matching(hostPortPattern, "is not of the form host[:port]")}
	credentialsURICheck = valueCheck{kind: "credentials URI", want: "an http:// or https:// URL with a host (the scheme in any case)", sensitive: true,
		problem: func(v string) string {
			// url.Parse reads the scheme in any case; its error would quote the value.
			if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return "is not an http:// or https:// URL"
			}
			return ""
		}}
	roleARNCheck = valueCheck{kind: "role ARN", want: "a RAM role ARN such as acs:ram::123456789012:role/dbs-reader",
		problem: matching(roleARNPattern, "is not of the form acs:ram::<account id>:role/<role name>")}
	oidcProviderARNCheck = valueCheck{kind: "OIDC provider ARN", want: "an OIDC provider ARN such as acs:ram::123456789012:oidc-provider/ack-rrsa",
		problem: matching(oidcProviderARNPattern, "is not of the form acs:ram::<account id>:oidc-provider/<name>")}
	sessionNameCheck = valueCheck{kind: "session name", want: "2 to 64 letters, digits and . @ - _",
		problem: matching(sessionNamePattern, "is not a valid session name")}
)

func credentialAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"access_key": schema.StringAttribute{
			Optional:  true,
			Sensitive: true,
			MarkdownDescription: "Access key ID. Falls back to `ALICLOUD_ACCESS_KEY`, then `ALIBABA_CLOUD_ACCESS_KEY_ID`. " +
				"The key, its secret and its token are always taken from the same place. Conflicts with `profile`, `credentials_uri`, " +
				"`ecs_role_name` and `assume_role_with_oidc`.",
		},
		"secret_key": schema.StringAttribute{
			Optional:            true,
			Sensitive:           true,
			MarkdownDescription: "Access key secret. Falls back to `ALICLOUD_SECRET_KEY`, then `ALIBABA_CLOUD_ACCESS_KEY_SECRET`.",
		},
		"security_token": schema.StringAttribute{
			Optional:            true,
			Sensitive:           true,
			MarkdownDescription: "STS security token, for temporary credentials. Falls back to `ALICLOUD_SECURITY_TOKEN`, then `ALIBABA_CLOUD_SECURITY_TOKEN`.",
		},
		"profile": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Name of a profile of the aliyun CLI's configuration file (see `shared_credentials_file`), as `aliyun configure --profile` writes it. " +
				"Its mode may be " + markdownList(credentials.SupportedProfileModes()) + " (see \"A profile of the aliyun CLI\" in the provider documentation for what each needs); " +
				"roles are assumed at this provider's STS endpoint. " +
				"Falls back to `ALICLOUD_PROFILE`, then `ALIBABA_CLOUD_PROFILE`, after the access key variables.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"shared_credentials_file": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Path of the aliyun CLI's configuration file, in which `profile` is looked up; `~` is the home directory. " +
				"Falls back to `ALICLOUD_SHARED_CREDENTIALS_FILE`, then `ALIBABA_CLOUD_CONFIG_FILE`; default `~/.aliyun/config.json`. " +
				"Without `profile` (or `ALICLOUD_PROFILE`) the file is only read by the default chain, which uses its `current` profile.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"ecs_role_name": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "RAM role attached to the ECS instance Terraform runs on; its temporary credentials are read from the instance's metadata service " +
				"with a session token (IMDSv2), or without one (IMDSv1) when the service refuses a token, unless `ALIBABA_CLOUD_IMDSV1_DISABLED` is `true`. " +
				"Read even when `ALIBABA_CLOUD_ECS_METADATA_DISABLED` is set. Falls back to `ALICLOUD_ECS_ROLE_NAME`.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"credentials_uri": schema.StringAttribute{
			Optional:  true,
			Sensitive: true,
			MarkdownDescription: "An `http://` or `https://` URL (the scheme in any case) that answers temporary credentials to a `GET`, as " +
				"`{\"Code\":\"Success\",\"AccessKeyId\",\"AccessKeySecret\",\"SecurityToken\",\"Expiration\"}`. " +
				"A value that is not such a URL is refused at plan time without being quoted, as it may hold a token. Falls back to `ALIBABA_CLOUD_CREDENTIALS_URI`.",
			Validators: []validator.String{credentialsURICheck},
		},
	}
}

func credentialBlocks() map[string]schema.Block {
	policy := func(what string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "RAM policy, as JSON, that further restricts what the " + what + " session may do. " +
				"It has no environment variable.",
			Validators: []validator.String{jsonValidator{}},
		}
	}
	expiration := schema.Int64Attribute{
		Optional: true,
		MarkdownDescription: fmt.Sprintf("Lifetime of the session's credentials, in seconds, `%d` to `%d` (at most the role's own maximum session duration). "+
			"Default `%d`. It has no environment variable; the provider renews the credentials shortly before they expire.",
			credentials.MinSessionExpiration, credentials.MaxSessionExpiration, credentials.DefaultSessionExpiration),
		Validators: []validator.Int64{int64validator.Between(credentials.MinSessionExpiration, credentials.MaxSessionExpiration)},
	}
	roleARN := func(fallback string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "ARN of the RAM role to assume, e.g. `acs:ram::123456789012:role/dbs-reader`. Falls back to `" + fallback + "`; " +
				"one of the two is required.",
			Validators: []validator.String{roleARNCheck},
		}
	}
	sessionName := func(fallback string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Name of the role session, as ActionTrail shows it: `2` to `64` letters, digits and `.@-_`. "+
				"Falls back to `%s`; default `%s`.", fallback, credentials.DefaultSessionName),
			Validators: []validator.String{sessionNameCheck},
		}
	}
	return map[string]schema.Block{
		"assume_role": schema.SingleNestedBlock{
			MarkdownDescription: "Assume a RAM role (STS `AssumeRole`) with the credentials found otherwise (keys, profile, ECS role, ...), " +
				"and sign requests with the role's temporary credentials. Without this block, `ALICLOUD_ASSUME_ROLE_ARN` assumes a role the same way.",
			Attributes: map[string]schema.Attribute{
				"role_arn":           roleARN("ALICLOUD_ASSUME_ROLE_ARN"),
				"session_name":       sessionName("ALICLOUD_ASSUME_ROLE_SESSION_NAME"),
				"policy":             policy("assumed-role"),
				"session_expiration": expiration,
				"external_id": schema.StringAttribute{
					Optional:            true,
					Sensitive:           true,
					MarkdownDescription: "External ID the role's trust policy requires, to guard against a confused deputy. It has no environment variable.",
					Validators:          []validator.String{stringvalidator.LengthBetween(2, 1224)},
				},
			},
		},
		"assume_role_with_oidc": schema.SingleNestedBlock{
			MarkdownDescription: "Assume a RAM role with an OIDC token (STS `AssumeRoleWithOIDC`), as pods do in ACK with RRSA. " +
				"Attributes left out are read from the variables ACK sets. Conflicts with the other credential sources of the provider block.",
			Attributes: map[string]schema.Attribute{
				"oidc_provider_arn": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "ARN of the OIDC identity provider, e.g. `acs:ram::123456789012:oidc-provider/ack-rrsa-c123`. " +
						"Falls back to `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`.",
					Validators: []validator.String{oidcProviderARNCheck},
				},
				"oidc_token_file": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "Path of the file holding the OIDC token; it is read again each time a session is opened or renewed, as Kubernetes rotates it in place. " +
						"Falls back to `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (after `ALIBABA_CLOUD_OIDC_TOKEN`). Conflicts with `oidc_token`.",
					Validators: []validator.String{
						stringvalidator.LengthAtLeast(1),
						stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("oidc_token")),
					},
				},
				"oidc_token": schema.StringAttribute{
					Optional:            true,
					Sensitive:           true,
					MarkdownDescription: "The OIDC token itself. Falls back to `ALIBABA_CLOUD_OIDC_TOKEN`.",
					Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				},
				"role_arn":           roleARN("ALIBABA_CLOUD_ROLE_ARN"),
				"role_session_name":  sessionName("ALIBABA_CLOUD_ROLE_SESSION_NAME"),
				"policy":             policy("OIDC"),
				"session_expiration": expiration,
			},
		},
	}
}

// credentialSettings hands the configured arguments to internal/credentials ("" where not set), with the
// STS endpoint resolved as for DBS: block, then environment. Configure sets the region, whose last
// fallback is the profile these settings name.
func (p *alicloudProvider) credentialSettings(cfg providerModel) (credentials.Settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := cfg.credentialsModel
	s := credentials.Settings{
		AccessKey:             m.AccessKey.ValueString(),
		SecretKey:             m.SecretKey.ValueString(),
		SecurityToken:         m.SecurityToken.ValueString(),
		Profile:               m.Profile.ValueString(),
		SharedCredentialsFile: m.SharedCredentialsFile.ValueString(),
		ECSRoleName:           m.ECSRoleName.ValueString(),
		CredentialsURI:        m.CredentialsURI.ValueString(),
		OAuthSignInURLs:       p.oauthSignInURLs,
	}

	if a := m.AssumeRole; a != nil {
		s.AssumeRole = &credentials.AssumeRole{RoleARN: a.RoleARN.ValueString(), SessionName: a.SessionName.ValueString(),
			Policy: a.Policy.ValueString(), SessionExpiration: int(a.SessionExpiration.ValueInt64()), ExternalID: a.ExternalID.ValueString()}
	}
	if o := m.AssumeRoleWithOIDC; o != nil {
		s.AssumeRoleWithOIDC = &credentials.AssumeRoleWithOIDC{OIDCProviderARN: o.OIDCProviderARN.ValueString(),
			OIDCTokenFile: o.OIDCTokenFile.ValueString(), OIDCToken: o.OIDCToken.ValueString(), RoleARN: o.RoleARN.ValueString(),
			RoleSessionName: o.RoleSessionName.ValueString(), Policy: o.Policy.ValueString(),
			SessionExpiration: int(o.SessionExpiration.ValueInt64())}
	}

	var stsBlock types.String
	if cfg.Endpoints != nil {
		stsBlock = cfg.Endpoints.STS
	}
	sts := p.firstSetting(stsBlock, path.Root("endpoints").AtName("sts"), "ALIBABA_CLOUD_ENDPOINT_STS", "STS_ENDPOINT")
	// The schema checks the block's value; the environment's is checked here, in the same words.
	if problem := stsEndpointCheck.problem(sts.value); sts.variable != "" && problem != "" {
		diags.AddAttributeError(path.Root("endpoints").AtName("sts"), stsEndpointCheck.summary(), stsEndpointCheck.detail(sts.variable, sts.value, problem))
	}
	s.STSEndpoint = sts.value
	return s, diags
}

// credentialsDiagnostic reports Resolve's error: a conflict on the argument that caused it, the rest
// with a summary that says whether nothing was found or something was found and failed.
func credentialsDiagnostic(err error) diag.Diagnostic {
	var conflict *credentials.ConflictError
	switch {
	case errors.As(err, &conflict):
		return diag.NewAttributeErrorDiagnostic(path.Root(conflict.Second), "Conflicting credential sources", err.Error())
	case errors.Is(err, credentials.ErrNoCredentials):
		return diag.NewErrorDiagnostic("Unable to find Alibaba Cloud credentials", err.Error())
	default:
		return diag.NewErrorDiagnostic("Unable to get Alibaba Cloud credentials", err.Error()+
			"\n\nFix the source named above or configure another; see \"Authentication\" in the provider documentation for the order in which sources are used.")
	}
}

// ConfigValidators refuses, at plan time, a provider block that names two sources of credentials.
func (p *alicloudProvider) ConfigValidators(context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{credentialSourcesValidator{}}
}

// credentialSourcesValidator allows at most one credential source in the provider block. The access
// key, secret and token count as one source, so the message names the two sources, not three keys.
type credentialSourcesValidator struct{}

func (credentialSourcesValidator) Description(context.Context) string {
	return "at most one of access_key (with secret_key and security_token), profile, credentials_uri, ecs_role_name and assume_role_with_oidc"
}

func (v credentialSourcesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (credentialSourcesValidator) ValidateProvider(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var set []string
	for _, group := range [][]string{{"access_key", "secret_key", "security_token"}, {"profile"}, {"credentials_uri"}, {"ecs_role_name"}, {"assume_role_with_oidc"}} {
		for _, name := range group {
			var v attr.Value
			if name == "assume_role_with_oidc" {
				var o types.Object
				resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &o)...)
				v = o
			} else {
				var s types.String
				resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &s)...)
				v = s
			}
			if !v.IsNull() && !v.IsUnknown() {
				set = append(set, name)
				break
			}
		}
	}
	if resp.Diagnostics.HasError() || len(set) < 2 {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root(set[1]), "Conflicting credential sources",
		fmt.Sprintf("The provider block sets both %s and %s, which name different sources of credentials. Set only one of "+
			"access_key (with secret_key), profile, credentials_uri, ecs_role_name and assume_role_with_oidc; "+
			"assume_role may be added to any of them.", set[0], set[1]))
}

// jsonValidator refuses a RAM policy that is not JSON, at plan time rather than as an STS error.
type jsonValidator struct{}

func (jsonValidator) Description(context.Context) string { return "value must be a JSON document" }
func (v jsonValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (jsonValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !json.Valid([]byte(req.ConfigValue.ValueString())) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid policy",
			"The policy is not a JSON document. Write it with jsonencode() or a heredoc holding a RAM policy.")
	}
}

// markdownList writes names as "`a`, `b` or `c`".
func markdownList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}
