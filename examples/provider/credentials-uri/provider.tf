# A local service that hands out temporary credentials: it answers a GET with
# {"Code":"Success","AccessKeyId":...,"AccessKeySecret":...,"SecurityToken":...,"Expiration":...}.
provider "alicloud" {
  region          = "cn-hangzhou"
  credentials_uri = "http://127.0.0.1:8080/credentials" # or ALIBABA_CLOUD_CREDENTIALS_URI
}
