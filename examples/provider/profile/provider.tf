# A profile of the aliyun CLI's configuration file, as `aliyun configure --profile ci` writes it, in any
# mode of the table below. Roles are assumed at this provider's STS endpoint.
provider "alicloud" {
  region                  = "cn-hangzhou"
  profile                 = "ci"                    # or ALICLOUD_PROFILE
  shared_credentials_file = "~/.aliyun/config.json" # the default
}
