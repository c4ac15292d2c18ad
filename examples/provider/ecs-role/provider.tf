# The RAM role attached to the ECS instance Terraform runs on; its credentials come from the instance's
# metadata service and are renewed before they expire.
provider "alicloud" {
  region        = "cn-hangzhou"
  ecs_role_name = "EcsDbsReader" # or ALICLOUD_ECS_ROLE_NAME
}
