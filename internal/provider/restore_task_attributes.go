package provider

import (
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// taskAttribute is one attribute of an object in `tasks`: its Terraform name, its documentation, and the
// API field it carries. The schema, the state, the fast read path and output_file are all built from
// restoreTaskAttributes, so they cannot disagree on names, order or types.
type taskAttribute struct {
	name        string
	description string
	field       dbs.Field
}

// progressDescription documents the many progress fields alike.
func progressDescription(what string) string {
	return "Progress of " + what + ", as a percentage (`0`–`100`)."
}

// restoreTaskAttributes lists every RestoreTaskDetail field under its snake_case name, in the API
// reference's order. `id` (the restore task id again) comes first and is not in this table.
var restoreTaskAttributes = func() []taskAttribute {
	docs := []struct{ name, description string }{
		{"restore_status", "Status of the restore job as the API reports it, e.g. `init`, `running`, `stop` (failed), `pause`, `check_pass`. The set is open: compare against the values you expect."},
		{"full_stru_after_restore_progress", progressDescription("the structure restoration done after the data is restored")},
		{"cross_role_name", "Name of the RAM role used for a cross-account backup."},
		{"restore_dir", "Restore path."},
		{"cross_aliyun_id", "UID of the Alibaba Cloud account used for a cross-account backup."},
		{"restore_objects", "The objects restored, as the JSON text the API sends (decode it with `jsondecode`)."},
		{"backup_plan_id", "ID of the backup plan the restore job belongs to."},
		{"destination_endpoint_region", "Region of the destination database."},
		{"restore_task_create_time", "When the restore job was created, UNIX time in milliseconds."},
		{"destination_endpoint_user_name", "Account used on the destination database."},
		{"restore_task_finish_time", "When the restore job finished, UNIX time in milliseconds."},
		{"destination_endpoint_ip_port", "Endpoint (`ip:port`) of the destination database."},
		{"destination_endpoint_database_name", "Name of the destination database."},
		{"destination_endpoint_instance_type", "Where the destination database runs: `RDS`, `ECS`, `Express`, `Agent`, `DDS` or `Other`."},
		{"destination_endpoint_oracle_sid", "Oracle SID of the destination database."},
		{"full_strufore_restore_progress", progressDescription("the structure restoration done before the data is restored") + " The API spells the field `FullStruforeRestoreProgress`."},
		{"err_message", "Error message of the restore job (the API may send the text `NULL` when there is none)."},
		{"restore_task_id", "ID of the restore job."},
		{"full_data_restore_progress", progressDescription("the full data restoration")},
		{"continuous_restore_progress", progressDescription("the incremental log restoration")},
		{"destination_endpoint_instance_id", "ID of the destination database instance."},
		{"backup_set_id", "ID of the full backup set restored from."},
		{"backup_gateway_id", "ID of the backup gateway (may exceed 32 bits)."},
		{"restore_task_name", "Name of the restore job."},
		{"restore_time", "The point in time restored to, UNIX time in milliseconds."},
		{"destination_endpoint_host", "Host of the destination database."},
		{"destination_endpoint_port", "Port of the destination database, as the string the API sends."},
		{"destination_endpoint_enable_ssl", "Whether SSL is used to reach the destination database, as the string the API sends (e.g. `true`)."},
		{"backup_gateway_identifier", "Identifier of the backup gateway."},
		{"backup_source_oss_region", "Region of the OSS bucket that holds the backup."},
		{"restore_destination_mode", "How the destination is restored to, e.g. `EXIST_INSTANCE`."},
		{"physical_full_backup_recover_progress", progressDescription("the recovery of a physical full backup")},
		{"physical_full_and_increment_backup_recover_progress", progressDescription("the recovery of a physical full backup and its increments")},
		{"physical_increment_backup_recover_progress", progressDescription("the recovery of physical incremental backups")},
		{"physical_database_online_progress", progressDescription("bringing the physically restored database online")},
		{"physical_backup_recover_progress", progressDescription("the recovery of a physical backup")},
	}
	if len(docs) != len(dbs.Fields) {
		panic("restoreTaskAttributes: the table does not cover every API field")
	}
	attrs := make([]taskAttribute, len(docs))
	for i, d := range docs {
		attrs[i] = taskAttribute{name: d.name, description: d.description, field: dbs.Fields[i]}
	}
	return attrs
}()
