# assume_role works on top of any other source: here a profile's keys assume a narrower RAM role.
variable "external_id" {
  description = "The external ID the role's trust policy requires, if it requires one."
  type        = string
  default     = null
}

provider "alicloud" {
  region  = "cn-hangzhou"
  profile = "ci"

  assume_role {
    role_arn           = "acs:ram::123456789012:role/dbs-reader" # or ALICLOUD_ASSUME_ROLE_ARN
    session_name       = "terraform-ci"                          # default "terraform"
    session_expiration = 3600                                    # 900 to 43200
    external_id        = var.external_id
  }
}
