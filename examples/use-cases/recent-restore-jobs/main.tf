# Only the restore jobs created in the last `hours` hours: the time range is sent to DBS, so old jobs are
# never read. start_time and end_time take RFC 3339 timestamps, which Terraform's time functions make.
terraform {
  # plantimestamp() came in Terraform 1.5; OpenTofu has had it since its first release, 1.6.
  required_version = ">= 1.5.0"

  required_providers {
    alicloud = {
      source = "seed-00b4a2d9/alicloud"
    }
  }
}

provider "alicloud" {}

variable "backup_plan_id" {
  description = "The DBS backup plan whose recent restore jobs are read; `null` reads those of every plan."
  type        = string
  default     = null
}

variable "hours" {
  description = "How far back to look, in hours."
  type        = number
  default     = 24
}

data "alicloud_dbs_restore_tasks" "recent" {
  backup_plan_id = var.backup_plan_id
  start_time     = timeadd(plantimestamp(), "-${var.hours}h")
  end_time       = plantimestamp()
}

output "recent_restore_job_ids" {
  description = "The restore jobs created in the time range, in the API's order."
  value       = data.alicloud_dbs_restore_tasks.recent.ids
}

output "recent_restore_jobs" {
  description = "Name and status of each recent restore job."
  value = {
    for t in data.alicloud_dbs_restore_tasks.recent.tasks : t.id => {
      name   = t.restore_task_name
      status = t.restore_status
    }
  }
}
