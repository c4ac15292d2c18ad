# In a pod with RRSA, ACK sets ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_ROLE_ARN and
# ALIBABA_CLOUD_OIDC_TOKEN_FILE, and the provider needs nothing more. To name the role yourself:
provider "alicloud" {
  region = "cn-hangzhou"

  assume_role_with_oidc {
    oidc_provider_arn = "acs:ram::123456789012:oidc-provider/ack-rrsa-c0123456789"
    oidc_token_file   = "/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token"
    role_arn          = "acs:ram::123456789012:role/dbs-reader"
  }
}
