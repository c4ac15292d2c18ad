package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// A fleet of backup plans read in one plan, for_each over the plans as a gate over every plan of an
// account does, by the terraform binary with the provider built from this tree, against the gateway's
// quota at 30 ms a request, starting cold: every plan is read complete and exact, and at most a tenth of
// the requests are refused. make test runs 30 plans of 5 pages at 40 calls a second; TEST_SIZE=full
// (make test-fleet) runs 60 plans of 5 pages of 100 at 20 and at 5 calls a second, and also holds the
// wall time to 1.15 times the floor: the successful calls at the quota's pace, plus the same fleet's
// wall time without a quota.
func TestDbsRestoreTasksDataSource_fleetOverQuota(t *testing.T) {
	t.Parallel()
	plans, pageSize, quotas := 30, 10, []float64{40}
	full := fullSize()
	if full {
		plans, pageSize, quotas = 60, 100, []float64{20, 5}
	}
	cli := sharedCLI(t)
	tasks, ids := emulator.GeneratePlans(plans, 5*pageSize, 1)

	// apply reads the fleet once, in the plan of `terraform apply`, and checks every plan's state.
	apply := func(t *testing.T, quota float64) (time.Duration, emulator.Stats) {
		e := startEmulator(t, tasks)
		e.SetLatency(30 * time.Millisecond)
		e.SetQuota(emulator.Quota{PerSecond: quota})
		dir := t.TempDir()
		writeMainTF(t, dir, providerBlock(e, "")+fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "plan" {
  for_each       = toset(["%s"])
  backup_plan_id = each.value
  page_size      = %d
}
`, strings.Join(ids, `", "`), pageSize))
		start := time.Now()
		tf := cli.withEnv(e.env)
		tf.run(t, dir, 0, "apply", "-auto-approve", "-input=false", "-no-color")
		wall := time.Since(start)
		st := e.Stats()

		var state tfjson.State
		state.UseJSONNumber(true) // as terraform-plugin-testing reads it, so that big ids stay exact
		if err := json.Unmarshal([]byte(tf.run(t, dir, 0, "show", "-json")), &state); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			var resp statecheck.CheckStateResponse
			address := fmt.Sprintf("data.alicloud_dbs_restore_tasks.plan[%q]", id)
			want := tasksWhere(tasks, func(task emulator.Task) bool { plan, _ := task.String("BackupPlanId"); return plan == id })
			expectTasks(address, want).CheckState(context.Background(), statecheck.CheckStateRequest{State: &state}, &resp)
			if resp.Error != nil {
				t.Error(resp.Error)
			}
		}
		return wall, st
	}

	var free time.Duration
	if full {
		var st emulator.Stats
		free, st = apply(t, 0)
		t.Logf("no quota: %v, %d requests", free.Round(time.Millisecond), st.Requests)
	}
	for _, quota := range quotas {
		t.Run(fmt.Sprintf("%v calls a second", quota), func(t *testing.T) {
			wall, st := apply(t, quota)
			share := float64(st.OverQuota) / float64(st.Requests)
			t.Logf("wall %v, %d requests, %d refused over the quota (%.1f%%)", wall.Round(time.Millisecond),
				st.Requests, st.OverQuota, 100*share)
			if successful := st.Requests - st.OverQuota; successful != 5*plans {
				t.Errorf("%d successful requests for %d pages", successful, 5*plans)
			}
			if share > 0.10 {
				t.Errorf("%.1f%% of the requests refused over the quota, more than 10%%", 100*share)
			}
			if full {
				floor := time.Duration(float64(5*plans)/quota*float64(time.Second)) + free
				t.Logf("floor %v: wall/floor %.2f", floor.Round(time.Millisecond), float64(wall)/float64(floor))
				if float64(wall) > 1.15*float64(floor) {
					t.Errorf("wall %v, more than 1.15 times the floor %v", wall, floor)
				}
			}
		})
	}
}
