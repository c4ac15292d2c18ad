variable "backup_plan_id" {
  description = "The DBS backup plan whose restore jobs are read, e.g. `dbs1hvb0wwwXXXXX`."
  type        = string
}

# Every restore job of one backup plan, all pages read.
data "alicloud_dbs_restore_tasks" "plan" {
  backup_plan_id = var.backup_plan_id
}

# Only the jobs that stopped (failed), filtered by the provider.
data "alicloud_dbs_restore_tasks" "stopped" {
  backup_plan_id = var.backup_plan_id
  status         = "stop"
}

output "restore_job_ids" {
  value = data.alicloud_dbs_restore_tasks.plan.ids
}

output "stopped_jobs" {
  value = { for t in data.alicloud_dbs_restore_tasks.stopped.tasks : t.id => t.err_message }
}
