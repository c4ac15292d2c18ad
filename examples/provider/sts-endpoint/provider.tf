# Roles (assume_role, OIDC, RamRoleArn profiles) are assumed at STS; inside a VPC without internet
# access, use STS's VPC endpoint. STS is always reached over HTTPS.
provider "alicloud" {
  region  = "cn-hangzhou"
  profile = "ci"

  endpoints {
    sts = "sts-vpc.cn-hangzhou.aliyuncs.com" # or ALIBABA_CLOUD_ENDPOINT_STS
  }
}
