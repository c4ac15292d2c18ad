# The latest restore job of a DBS backup plan that finished successfully, as outputs other modules can
# use: a restore drill, a report, a database that should point at the freshly restored instance.
terraform {
  required_providers {
    alicloud = {
      source = "seed-00b4a2d9/alicloud"
    }
  }
}

data "alicloud_dbs_restore_tasks" "plan" {
  backup_plan_id = var.backup_plan_id
}

locals {
  successful = [
    for t in data.alicloud_dbs_restore_tasks.plan.tasks : t
    if contains(var.successful_statuses, coalesce(t.restore_status, "unknown")) && t.restore_task_create_time != null
  ]
  # "Latest" is the job created last. The API's order is not a time order, so look for the largest
  # create time; try() covers a plan without any successful job.
  latest_create_time = try(max(local.successful[*].restore_task_create_time...), null)
  latest             = try([for t in local.successful : t if t.restore_task_create_time == local.latest_create_time][0], null)
}
