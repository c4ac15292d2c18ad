# A caller of ./modules/latest-successful-restore: it records which restore job a restore drill is to
# use, and reports it. terraform_data stands for any resource that takes the module's outputs.
terraform {
  # terraform_data came in Terraform 1.4 (preconditions in 1.2); OpenTofu has had both since its first
  # release, 1.6.
  required_version = ">= 1.4.0"

  required_providers {
    alicloud = {
      source = "seed-00b4a2d9/alicloud"
    }
  }
}

provider "alicloud" {}

variable "backup_plan_id" {
  description = "The DBS backup plan whose latest successful restore is used."
  type        = string
}

module "latest_restore" {
  source = "./modules/latest-successful-restore"

  backup_plan_id = var.backup_plan_id
}

resource "terraform_data" "restore_drill" {
  input = {
    restore_task_id = module.latest_restore.restore_task_id
    instance_id     = module.latest_restore.destination_instance_id
    database        = module.latest_restore.destination_database
  }

  lifecycle {
    precondition {
      condition     = module.latest_restore.found
      error_message = "Backup plan ${var.backup_plan_id} has no successful restore job to drill against."
    }
  }
}

output "restore_drill_target" {
  description = "Where the restore drill points."
  value = module.latest_restore.found ? format("%s/%s (restore job %s)",
    module.latest_restore.destination_instance_id, module.latest_restore.destination_database,
  module.latest_restore.restore_task_id) : "none"
}

output "latest_restore_job" {
  description = "The module's view of the latest successful restore job."
  value = {
    id          = module.latest_restore.restore_task_id
    name        = module.latest_restore.restore_task_name
    finished_at = module.latest_restore.finished_at
  }
}
