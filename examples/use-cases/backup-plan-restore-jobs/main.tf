# Reads every restore job of one DBS backup plan and reports them as outputs: a summary for people,
# and maps other tooling can read with `terraform output -json`.
terraform {
  required_providers {
    alicloud = {
      source = "seed-00b4a2d9/alicloud"
    }
  }
}

# Credentials and region (or endpoint) from the environment: ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY,
# ALICLOUD_REGION.
provider "alicloud" {}

variable "backup_plan_id" {
  description = "The DBS backup plan whose restore jobs are read, e.g. `dbs1hvb0wwwXXXXX`."
  type        = string
}

data "alicloud_dbs_restore_tasks" "plan" {
  backup_plan_id = var.backup_plan_id
}

locals {
  tasks = data.alicloud_dbs_restore_tasks.plan.tasks
  # A job the API sends without a status is counted as "unknown" rather than dropped.
  statuses = distinct([for t in local.tasks : coalesce(t.restore_status, "unknown")])
}

output "restore_job_count" {
  description = "How many restore jobs the backup plan has."
  value       = length(local.tasks)
}

output "restore_job_ids" {
  description = "The IDs of the plan's restore jobs, in the API's order."
  value       = data.alicloud_dbs_restore_tasks.plan.ids
}

output "restore_jobs_by_status" {
  description = "The IDs of the plan's restore jobs, by status (`finished`, `running`, `stop`, ...)."
  value = {
    for s in local.statuses : s => [for t in local.tasks : t.id if coalesce(t.restore_status, "unknown") == s]
  }
}

output "failed_restore_jobs" {
  description = "The jobs that stopped (failed), with what DBS says went wrong."
  value = {
    for t in local.tasks : t.id => {
      name        = t.restore_task_name
      error       = t.err_message
      destination = t.destination_endpoint_instance_id
    } if t.restore_status == "stop"
  }
}
