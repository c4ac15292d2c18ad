# Keys given to the provider block, here through variables so that they never sit in the configuration.
# Set them with TF_VAR_access_key / TF_VAR_secret_key, or a *.tfvars file kept out of version control.
variable "access_key" {
  type      = string
  sensitive = true
}

variable "secret_key" {
  type      = string
  sensitive = true
}

variable "security_token" {
  description = "Only for temporary (STS) credentials."
  type        = string
  sensitive   = true
  default     = null
}

provider "alicloud" {
  access_key     = var.access_key
  secret_key     = var.secret_key
  security_token = var.security_token
  region         = "cn-hangzhou"
}
