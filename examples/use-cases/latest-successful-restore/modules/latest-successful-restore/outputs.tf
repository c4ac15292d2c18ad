output "found" {
  description = "Whether the backup plan has a restore job that finished successfully."
  value       = local.latest != null
}

output "restore_task_id" {
  description = "ID of the latest successful restore job; `null` when there is none."
  value       = try(local.latest.id, null)
}

output "restore_task_name" {
  description = "Name of the latest successful restore job."
  value       = try(local.latest.restore_task_name, null)
}

output "finished_at" {
  description = "When the latest successful restore job finished, in UNIX milliseconds."
  value       = try(local.latest.restore_task_finish_time, null)
}

output "restore_time" {
  description = "The point in time the data was restored to, in UNIX milliseconds."
  value       = try(local.latest.restore_time, null)
}

output "destination_instance_id" {
  description = "The instance the data was restored into."
  value       = try(local.latest.destination_endpoint_instance_id, null)
}

output "destination_database" {
  description = "The database the data was restored into."
  value       = try(local.latest.destination_endpoint_database_name, null)
}

output "task" {
  description = "Every field of the latest successful restore job, as `alicloud_dbs_restore_tasks` gives it."
  value       = local.latest
}
