package provider

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// TestAccDbsRestoreTasksDataSource_realCloud reads restore jobs from Alibaba Cloud itself (make testacc).
// resource.Test skips it without TF_ACC=1, and PreCheck skips it without credentials: nothing is faked.
// It takes credentials and the region from the environment, as a user's pipeline would.
func TestAccDbsRestoreTasksDataSource_realCloud(t *testing.T) {
	t.Parallel()
	resource.Test(t, resource.TestCase{
		PreCheck: func() {
			if os.Getenv("ALICLOUD_ACCESS_KEY") == "" && os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID") == "" &&
				os.Getenv("ALICLOUD_PROFILE") == "" && os.Getenv("ALIBABA_CLOUD_PROFILE") == "" {
				t.Skip("no Alibaba Cloud credentials in the environment (ALICLOUD_ACCESS_KEY, ALIBABA_CLOUD_ACCESS_KEY_ID or a profile)")
			}
			if os.Getenv("ALICLOUD_REGION") == "" && os.Getenv("ALIBABA_CLOUD_REGION") == "" {
				t.Skip("no region in the environment (ALICLOUD_REGION or ALIBABA_CLOUD_REGION)")
			}
		},
		// The production server as providerserver.Serve runs it, reading the process's environment.
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"alicloud": func() (tfprotov6.ProviderServer, error) { return NewProtocol6Server("test")(), nil },
		},
		Steps: []resource.TestStep{{
			Config: `
provider "alicloud" {}

data "alicloud_dbs_restore_tasks" "all" {
  page_size = 20
}`,
			ConfigStateChecks: []statecheck.StateCheck{consistentListing{address: allTasks}},
		}},
	})
}

// consistentListing checks what can be known of a real account's listing: ids, names and tasks agree
// one for one, each task's id is its restore_task_id, and no task is listed twice.
type consistentListing struct{ address string }

func (c consistentListing) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	res := findResource(req.State, c.address)
	if res == nil {
		resp.Error = fmt.Errorf("%s not in the state", c.address)
		return
	}
	tasks, _ := res.AttributeValues["tasks"].([]any)
	ids, _ := res.AttributeValues["ids"].([]any)
	names, _ := res.AttributeValues["names"].([]any)
	if tasks == nil || len(ids) != len(tasks) || len(names) != len(tasks) {
		resp.Error = fmt.Errorf("%d tasks, %d ids, %d names", len(tasks), len(ids), len(names))
		return
	}
	seen := map[any]bool{}
	for i, raw := range tasks {
		task := raw.(map[string]any)
		if task["id"] != ids[i] || task["restore_task_id"] != ids[i] || task["restore_task_name"] != names[i] {
			resp.Error = fmt.Errorf("tasks[%d] disagrees with ids[%d]/names[%d]", i, i, i)
			return
		}
		if seen[ids[i]] {
			resp.Error = fmt.Errorf("task %v listed twice", ids[i])
			return
		}
		seen[ids[i]] = true
	}
}
