# The same restore-job policy as ../restore-policy-postcondition, as a `check` block. A failing check
# only warns: plan and apply go on, which suits a policy that must never block an unrelated change. The
# pipeline turns the warning into a red build with check-plan.sh, which reads the saved plan:
#
#   terraform plan -out=tfplan
#   ./check-plan.sh tfplan
terraform {
  # check blocks and plantimestamp() came in Terraform 1.5 (timecmp() in 1.3); OpenTofu has had them all
  # since its first release, 1.6.
  required_version = ">= 1.5.0"

  required_providers {
    alicloud = {
      source = "seed-00b4a2d9/alicloud"
    }
  }
}

provider "alicloud" {}

variable "backup_plan_id" {
  description = "The DBS backup plan whose restore jobs are checked."
  type        = string
}

variable "max_running_hours" {
  description = "A restore job still `running` this many hours after it was created counts as stuck."
  type        = number
  default     = 6
}

data "alicloud_dbs_restore_tasks" "plan" {
  backup_plan_id = var.backup_plan_id
}

locals {
  running_cutoff = timeadd(plantimestamp(), "-${var.max_running_hours}h")
  stopped        = [for t in data.alicloud_dbs_restore_tasks.plan.tasks : t if t.restore_status == "stop"]
  # restore_task_create_time is in UNIX milliseconds; timeadd() from the epoch turns it into a timestamp.
  # A running job without a create time counts as stuck.
  stuck = [
    for t in data.alicloud_dbs_restore_tasks.plan.tasks : t if t.restore_status == "running" &&
    timecmp(timeadd("1970-01-01T00:00:00Z", "${coalesce(t.restore_task_create_time, 0)}ms"), local.running_cutoff) < 0
  ]
}

check "restore_jobs_healthy" {
  assert {
    condition = length(local.stopped) == 0
    error_message = format("Restore jobs of backup plan %s stopped: %s.", var.backup_plan_id, join("; ", [
      for t in local.stopped : format("%s (%s)", t.id, coalesce(t.err_message, "no error message"))
    ]))
  }

  assert {
    condition = length(local.stuck) == 0
    error_message = format("Restore jobs of backup plan %s have been running for more than %v hours: %s.",
    var.backup_plan_id, var.max_running_hours, join(", ", local.stuck[*].id))
  }
}

output "stopped_restore_jobs" {
  description = "The IDs of the jobs that stopped (failed)."
  value       = local.stopped[*].id
}

output "stuck_restore_jobs" {
  description = "The IDs of the jobs running for longer than `max_running_hours`."
  value       = local.stuck[*].id
}
