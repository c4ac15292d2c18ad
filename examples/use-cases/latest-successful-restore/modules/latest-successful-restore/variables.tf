variable "backup_plan_id" {
  description = "The DBS backup plan whose restore jobs are read."
  type        = string
}

variable "successful_statuses" {
  description = "The `restore_status` values of a restore job that succeeded. DBS's reference lists `init`, `running`, `stop` (failed), `pause` and `check_pass`; the default takes `finished` as success: check what your completed jobs report."
  type        = list(string)
  default     = ["finished"]
}
