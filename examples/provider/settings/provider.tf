provider "alicloud" {
  region = "cn-hangzhou"

  # Reach DBS through another endpoint than the region's, e.g. a VPC endpoint or a proxy. A value with
  # a scheme (http://127.0.0.1:8080) is used as it is; without one, `protocol` picks the scheme.
  endpoints {
    dbs = "dbs-api.cn-hangzhou.aliyuncs.com"
  }
  protocol = "HTTPS"

  # Keep retrying throttled requests and 5xx answers for up to 10 minutes (default 120 s, 0 = never).
  max_retry_timeout = 600

  # Give slow networks more time (milliseconds).
  client_connect_timeout = 20000
  client_read_timeout    = 60000

  # At most 4 requests at once for every data source of this provider together (default 8); when DBS
  # throttles, the provider also slows down by itself.
  max_concurrent_requests = 4

  # The account's DBS quota is 20 calls a second, shared with another tool: use at most half of it. Without
  # this, the provider learns the rate from DBS's throttling answers.
  max_requests_per_second = 10

  # Added to the User-Agent, so that DBS's request logs show which configuration called.
  configuration_source = "github.com/example/infrastructure//dbs"
}
