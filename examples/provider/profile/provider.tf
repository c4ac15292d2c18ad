# A profile of the aliyun CLI's configuration file, as `aliyun configure --profile ci` writes it: any of
# the modes AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole or OIDC. Roles are assumed at this
# provider's STS endpoint.
provider "alicloud" {
  region                  = "cn-hangzhou"
  profile                 = "ci"                    # or ALICLOUD_PROFILE
  shared_credentials_file = "~/.aliyun/config.json" # the default
}
