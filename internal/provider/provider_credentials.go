package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/credentials"
)

// credentialsModel holds the provider arguments that say where credentials come from. It is embedded in
// providerModel; the order in which they are used is decided by internal/credentials.
type credentialsModel struct {
	AccessKey     types.String `tfsdk:"access_key"`
	SecretKey     types.String `tfsdk:"secret_key"`
	SecurityToken types.String `tfsdk:"security_token"`
}

func credentialAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"access_key": schema.StringAttribute{
			Optional:  true,
			Sensitive: true,
			MarkdownDescription: "Access key ID. Falls back to `ALICLOUD_ACCESS_KEY`, then `ALIBABA_CLOUD_ACCESS_KEY_ID`. " +
				"The key, its secret and its token are always taken from the same place.",
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
	}
}

func credentialBlocks() map[string]schema.Block {
	return map[string]schema.Block{}
}

// settings hands the configured arguments to internal/credentials ("" where not set).
func (m credentialsModel) settings() credentials.Settings {
	return credentials.Settings{
		AccessKey:     m.AccessKey.ValueString(),
		SecretKey:     m.SecretKey.ValueString(),
		SecurityToken: m.SecurityToken.ValueString(),
	}
}

// values lists the arguments by name, so Configure can refuse any that is unknown at plan time.
func (m credentialsModel) values() map[string]interface{ IsUnknown() bool } {
	return map[string]interface{ IsUnknown() bool }{
		"access_key": m.AccessKey, "secret_key": m.SecretKey, "security_token": m.SecurityToken,
	}
}
