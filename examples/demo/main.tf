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
}

output "restore_jobs" {
  description = "How many restore jobs the API reports."
  value       = data.alicloud_dbs_restore_tasks.all.total_count
}

output "count_by_status" {
  description = "Restore jobs by status."
  value       = { for s in local.statuses : s => length([for t in local.tasks : t if coalesce(t.restore_status, "(none)") == s]) }
}

output "failed" {
  description = "The restore jobs that stopped (failed), with their error message."
  value = [for t in local.tasks : {
    id      = t.id
    name    = t.restore_task_name
    plan    = t.backup_plan_id
    message = t.err_message
  } if t.restore_status == "stop"]
}
