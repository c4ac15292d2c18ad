# The configuration `make demo` applies against the bundled DBS emulator. The provider takes its keys
# and endpoint from the environment the demo script sets.
terraform {
  required_providers {
    alicloud = {
      source = "seed-00b4a2d9/alicloud"
    }
  }
}

provider "alicloud" {}

data "alicloud_dbs_restore_tasks" "all" {}

locals {
  tasks    = data.alicloud_dbs_restore_tasks.all.tasks
  statuses = distinct([for t in local.tasks : coalesce(t.restore_status, "(none)")])
  failed = [for t in local.tasks : {
    id      = t.id
    name    = t.restore_task_name
    plan    = t.backup_plan_id
    message = t.err_message
  } if t.restore_status == "stop"]
}

output "restore_jobs" {
  description = "How many restore jobs the API reports."
  value       = data.alicloud_dbs_restore_tasks.all.total_count
}

output "count_by_status" {
  description = "Restore jobs by status."
  value       = { for s in local.statuses : s => length([for t in local.tasks : t if coalesce(t.restore_status, "(none)") == s]) }
}

output "failed_count" {
  description = "How many restore jobs stopped (failed)."
  value       = length(local.failed)
}

output "failed_first_five" {
  description = "The first five restore jobs that stopped (failed), with their error message."
  value       = slice(local.failed, 0, min(5, length(local.failed)))
}
