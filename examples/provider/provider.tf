terraform {
  required_providers {
    alicloud = {
      source = "seed-00b4a2d9/alicloud"
    }
  }
}

# Credentials, region and endpoint come from the environment (ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY,
# ALICLOUD_REGION, ...), so the same configuration runs on a laptop, in CI and against the emulator.
provider "alicloud" {
  # Retry throttled requests for up to five minutes, and tell DBS where these requests come from.
  max_retry_timeout    = 300
  configuration_source = "example/provider"
}
