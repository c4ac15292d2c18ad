# A restore policy as a plan gate: `terraform plan` fails when a restore job of the backup plan stopped
# (failed), or when the plan has no finished restore job at all, since then no restore has been proven to
# work. The guide "Test your restore policy offline" runs it against the DBS emulator with
# restore-jobs-failing.json (the plan must fail) and restore-jobs-passing.json (it must pass), through
# test-policy.sh.
terraform {
  # postconditions came in Terraform 1.2; OpenTofu has had them since its first release, 1.6.
  required_version = ">= 1.2.0"

  required_providers {
    alicloud = {
      source = "seed-00b4a2d9/alicloud"
    }
  }
}

# Credentials and the endpoint come from the environment: the real ones in the pipeline's gate, the
# emulator's in the offline test.
provider "alicloud" {}

variable "backup_plan_id" {
  description = "The DBS backup plan whose restore jobs are checked."
  type        = string
}

data "alicloud_dbs_restore_tasks" "plan" {
  backup_plan_id = var.backup_plan_id

  lifecycle {
    postcondition {
      condition = length([for t in self.tasks : t.id if t.restore_status == "stop"]) == 0
      error_message = format("Restore policy: restore jobs of backup plan %s stopped: %s.", var.backup_plan_id, join("; ", [
        for t in self.tasks : format("%s (%s)", t.id, coalesce(t.err_message, "no error message")) if t.restore_status == "stop"
      ]))
    }

    postcondition {
      condition     = anytrue([for t in self.tasks : t.restore_status == "finished"])
      error_message = format("Restore policy: backup plan %s has no finished restore job, so no restore has been proven to work.", var.backup_plan_id)
    }
  }
}

output "restore_jobs_checked" {
  description = "How many restore jobs of the backup plan passed the policy."
  value       = length(data.alicloud_dbs_restore_tasks.plan.tasks)
}
