package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Terraform before 1.10 and OpenTofu before 1.8.11 validate a configuration with plantimestamp() as
// 0001-01-01T00:00:00Z (Terraform #35902, OpenTofu #2397): validation lets that, and what timeadd()
// makes of it, through, instead of failing the plan of every configuration that sets start_time or
// end_time from plantimestamp() (examples/use-cases/recent-restore-jobs failed so under Terraform 1.5.7
// and OpenTofu 1.6.3). The read refuses such a value if the user wrote it (TestDbsRestoreTasksDataSource_timeValidation).
func TestDbsRestoreTasksDataSource_validationOfPlantimestampOnOlderReleases(t *testing.T) {
	server := NewProtocol6Server("test")()
	_, objType := restoreTasksSchema()
	for name, args := range map[string]map[string]string{
		"end_time = plantimestamp()":                        {"end_time": "0001-01-01T00:00:00Z"},
		`start_time = timeadd(plantimestamp(), "-24h")`:     {"start_time": "0000-12-31T00:00:00Z", "end_time": "0001-01-01T00:00:00Z"},
		`start_time = timeadd(plantimestamp(), "-8760h")`:   {"start_time": "0000-01-02T00:00:00Z"},
		`start_time = timeadd(plantimestamp(), "-17544h")`:  {"start_time": "-0001-01-01T00:00:00Z"},
		`end_time = timeadd(plantimestamp(), "24h")`:        {"end_time": "0001-01-02T00:00:00Z"},
		"a start of the user's, end_time = plantimestamp()": {"start_time": "2026-01-02T15:04:05Z", "end_time": "0001-01-01T00:00:00Z"},
		"start_time = plantimestamp()":                      {"start_time": "0001-01-01T00:00:00Z"},
	} {
		t.Run(name, func(t *testing.T) {
			values := map[string]tftypes.Value{}
			for k, v := range args {
				values[k] = tftypes.NewValue(tftypes.String, v)
			}
			dv, err := tfprotov6.NewDynamicValue(objType, objectValue(objType, values))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := server.ValidateDataResourceConfig(context.Background(),
				&tfprotov6.ValidateDataResourceConfigRequest{TypeName: dbsRestoreTasksTypeName, Config: &dv})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Diagnostics) > 0 {
				t.Errorf("validation of %v refused what an older release passes for plantimestamp(): %s", args, diagnosticsText(resp.Diagnostics))
			}
		})
	}
}
