# A policy check for a plan pipeline: `terraform plan` fails when a restore job of the backup plan has
# stopped (failed) or has been running for longer than `max_running_hours`. The postconditions run while
# the data source is read, which is during plan, so a pipeline that runs `terraform plan` goes red.
terraform {
  # plantimestamp() came in Terraform 1.5 (postconditions in 1.2, timecmp() in 1.3); OpenTofu has had
  # them all since its first release, 1.6.
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

locals {
  # Jobs created before this instant and still running are stuck. plantimestamp() is the same for the
  # whole plan, so every condition compares against one instant.
  running_cutoff = timeadd(plantimestamp(), "-${var.max_running_hours}h")
}

data "alicloud_dbs_restore_tasks" "plan" {
  backup_plan_id = var.backup_plan_id

  lifecycle {
    postcondition {
      condition = length([for t in self.tasks : t.id if t.restore_status == "stop"]) == 0
      error_message = format("Restore jobs of backup plan %s stopped: %s.", var.backup_plan_id, join("; ", [
        for t in self.tasks : format("%s (%s)", t.id, coalesce(t.err_message, "no error message")) if t.restore_status == "stop"
      ]))
    }

    postcondition {
      # restore_task_create_time is in UNIX milliseconds: Terraform has no function that turns it into a
      # timestamp, but timeadd() from the epoch does. A running job without a create time counts as stuck.
      condition = length([
        for t in self.tasks : t.id if t.restore_status == "running" &&
        timecmp(timeadd("1970-01-01T00:00:00Z", "${coalesce(t.restore_task_create_time, 0)}ms"), local.running_cutoff) < 0
      ]) == 0
      error_message = format("Restore jobs of backup plan %s have been running for more than %v hours: %s.", var.backup_plan_id, var.max_running_hours, join(", ", [
        for t in self.tasks : t.id if t.restore_status == "running" &&
        timecmp(timeadd("1970-01-01T00:00:00Z", "${coalesce(t.restore_task_create_time, 0)}ms"), local.running_cutoff) < 0
      ]))
    }
  }
}

output "restore_jobs_checked" {
  description = "How many restore jobs passed the policy."
  value       = length(data.alicloud_dbs_restore_tasks.plan.tasks)
}
