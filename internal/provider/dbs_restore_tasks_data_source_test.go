package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

const allTasks = "data.alicloud_dbs_restore_tasks.all"

// A listing of several pages comes back complete, in order, every field exact, absent fields null.
func TestDbsRestoreTasksDataSource_pagination(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(321, 42)
	e := startEmulator(t, tasks)
	ids := make([]knownvalue.Check, len(tasks))
	for i, task := range tasks {
		ids[i] = knownvalue.StringExact(task.ID())
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: providerBlock(e, "") + `
data "alicloud_dbs_restore_tasks" "all" {
  page_size = 50
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				expectTasks(allTasks, tasks),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(321)),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("ids"), knownvalue.ListExact(ids)),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("names"), knownvalue.ListSizeExact(321)),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("tasks").AtSliceIndex(6).AtMapKey("physical_backup_recover_progress"), knownvalue.Null()),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("tasks").AtSliceIndex(5).AtMapKey("backup_gateway_id"), knownvalue.Int64Exact(9007199254740993+10)),
			},
			Check: func(*terraform.State) error {
				// 321 tasks at 50 a page are 7 pages: every read asks for each page once.
				pages := map[int64]int{}
				for _, r := range e.Requests() {
					pages[r.PageNum]++
				}
				reads := pages[0]
				for p := int64(0); p < 7; p++ {
					if pages[p] != reads || reads == 0 {
						return fmt.Errorf("page %d was asked for %d times in %d reads: %v", p, pages[p], reads, pages)
					}
				}
				if len(pages) != 7 {
					return fmt.Errorf("pages asked for: %v, want 0-6", pages)
				}
				return nil
			},
		}},
	})
}

// The plain framework provider and the production server (protocol-level read) give the same state.
func TestDbsRestoreTasksDataSource_frameworkPath(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(120, 7)
	e := startEmulator(t, tasks)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.frameworkOnlyProviders(),
		Steps: []resource.TestStep{{
			Config: providerBlock(e, "") + `
data "alicloud_dbs_restore_tasks" "all" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				expectTasks(allTasks, tasks),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(120)),
			},
		}},
	})
}

// Every argument reaches the API as the reference names it, and the client-side filters apply.
func TestDbsRestoreTasksDataSource_arguments(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(200, 3)
	e := startEmulator(t, tasks)
	plan := emulator.PlanIDs(3)[1]
	start := intField(tasks[20], "RestoreTaskCreateTime")
	end := intField(tasks[150], "RestoreTaskCreateTime")
	inPlanAndRange := tasksWhere(tasks, func(task emulator.Task) bool {
		p, _ := task.String("BackupPlanId")
		c := intField(task, "RestoreTaskCreateTime")
		return p == plan && c >= start && c <= end
	})
	running := tasksWhere(inPlanAndRange, func(task emulator.Task) bool {
		s, _ := task.String("RestoreStatus")
		return s == "running"
	})
	if len(running) == 0 || len(running) == len(inPlanAndRange) {
		t.Fatalf("the data set does not exercise the status filter (%d of %d)", len(running), len(inPlanAndRange))
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: providerBlock(e, "") + fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  backup_plan_id  = %q
  start_timestamp = %d
  end_timestamp   = %d
  client_token    = "token-123"
  page_size       = 7
  status          = "running"
}`, plan, start, end),
			ConfigStateChecks: []statecheck.StateCheck{
				expectTasks(allTasks, running),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(int64(len(inPlanAndRange)))),
			},
			Check: func(*terraform.State) error {
				for _, r := range e.Requests() {
					want := map[string]string{
						"BackupPlanId": plan, "StartTimestamp": fmt.Sprint(start), "EndTimestamp": fmt.Sprint(end),
						"ClientToken": "token-123", "PageSize": "7",
					}
					for k, v := range want {
						if r.Params[k] != v {
							return fmt.Errorf("request %d sent %s=%q, want %q (params %v)", r.Seq, k, r.Params[k], v, r.Params)
						}
					}
					if _, ok := r.Params["RestoreTaskId"]; ok {
						return fmt.Errorf("request %d sent RestoreTaskId although ids was not set", r.Seq)
					}
				}
				return nil
			},
		}},
	})
}

// ids are sent as one comma-separated RestoreTaskId; afterwards ids holds the tasks returned, in the
// order of ids.
func TestDbsRestoreTasksDataSource_ids(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(60, 5)
	e := startEmulator(t, tasks)
	asked := []string{tasks[40].ID(), tasks[3].ID(), "rdoesnotexist"}
	want := []emulator.Task{tasks[40], tasks[3]} // the order of ids, not the API's
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: providerBlock(e, "") + fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  ids = [%q, %q, %q]
}`, asked[0], asked[1], asked[2]),
			ConfigStateChecks: []statecheck.StateCheck{
				expectTasks(allTasks, want),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact(tasks[40].ID()), knownvalue.StringExact(tasks[3].ID()),
				})),
			},
			Check: func(*terraform.State) error {
				for _, r := range e.Requests() {
					if r.Params["RestoreTaskId"] != strings.Join(asked, ",") {
						return fmt.Errorf("RestoreTaskId=%q, want %q", r.Params["RestoreTaskId"], strings.Join(asked, ","))
					}
				}
				return nil
			},
		}},
	})
}

// page_number reads that page only (pages count from 0), and name_regex still filters it.
func TestDbsRestoreTasksDataSource_pageNumber(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(95, 9)
	e := startEmulator(t, tasks)
	page := tasks[30:60]
	withDigit := tasksWhere(page, func(task emulator.Task) bool {
		n, ok := task.String("RestoreTaskName")
		return ok && regexp.MustCompile(`[0-9]$`).MatchString(n)
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{
			{
				Config: providerBlock(e, "") + `
data "alicloud_dbs_restore_tasks" "all" {
  page_size   = 30
  page_number = 1
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					expectTasks(allTasks, page),
					statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(95)),
				},
				Check: func(*terraform.State) error {
					for _, r := range e.Requests() {
						if r.PageNum != 1 {
							return fmt.Errorf("asked for page %d; only page 1 was to be read", r.PageNum)
						}
					}
					return nil
				},
			},
			{
				Config: providerBlock(e, "") + `
data "alicloud_dbs_restore_tasks" "all" {
  page_size   = 30
  page_number = 1
  name_regex  = "[0-9]$"
}`,
				ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, withDigit)},
			},
		},
	})
}

// RFC 3339 bounds are sent in UNIX milliseconds.
func TestDbsRestoreTasksDataSource_rfc3339Times(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(40, 11)
	e := startEmulator(t, tasks)
	start := time.UnixMilli(intField(tasks[10], "RestoreTaskCreateTime")).UTC()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: providerBlock(e, "") + fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  start_time = %q
  end_time   = "2999-01-01T00:00:00+08:00"
}`, start.Format(time.RFC3339Nano)),
			ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, tasks[10:])},
			Check: func(*terraform.State) error {
				for _, r := range e.Requests() {
					if r.Params["StartTimestamp"] != fmt.Sprint(start.UnixMilli()) || r.Params["EndTimestamp"] != "32472115200000" {
						return fmt.Errorf("sent StartTimestamp=%s EndTimestamp=%s", r.Params["StartTimestamp"], r.Params["EndTimestamp"])
					}
				}
				return nil
			},
		}},
	})
}

// No match is an empty list, never null.
func TestDbsRestoreTasksDataSource_noMatch(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(30, 1))
	empty := knownvalue.ListExact([]knownvalue.Check{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: providerBlock(e, "") + `
data "alicloud_dbs_restore_tasks" "all" {
  backup_plan_id = "dbs-no-such-plan"
}
output "count" {
  value = length(data.alicloud_dbs_restore_tasks.all.tasks)
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("tasks"), empty),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("ids"), empty),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("names"), empty),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownOutputValue("count", knownvalue.Int64Exact(0)),
			},
		}},
	})
}

// output_file holds the tasks as a JSON array with the same keys, null for absent fields, mode 0600.
func TestDbsRestoreTasksDataSource_outputFile(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(14, 2)
	e := startEmulator(t, tasks)
	out := filepath.Join(t.TempDir(), "tasks.json")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{
			{
				Config: providerBlock(e, "") + fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  output_file = %q
}`, out),
				Check: func(*terraform.State) error {
					info, err := os.Stat(out)
					if err != nil {
						return err
					}
					if info.Mode().Perm() != 0o600 {
						return fmt.Errorf("output_file has mode %v, want 0600", info.Mode().Perm())
					}
					data, err := os.ReadFile(out)
					if err != nil {
						return err
					}
					dec := json.NewDecoder(strings.NewReader(string(data)))
					dec.UseNumber()
					var got []map[string]any
					if err := dec.Decode(&got); err != nil {
						return fmt.Errorf("output_file is not a JSON array of objects: %w", err)
					}
					if len(got) != len(tasks) {
						return fmt.Errorf("output_file has %d tasks, want %d", len(got), len(tasks))
					}
					for i, obj := range got {
						if len(obj) != len(restoreTaskAttributes)+1 {
							return fmt.Errorf("task %d has %d keys, want %d", i, len(obj), len(restoreTaskAttributes)+1)
						}
						for _, a := range restoreTaskAttributes {
							v, ok := obj[a.name]
							if !ok {
								return fmt.Errorf("task %d lacks the key %s", i, a.name)
							}
							if msg := compareField(v, tasks[i], a.field.Name); msg != "" {
								return fmt.Errorf("task %d %s: %s", i, a.name, msg)
							}
						}
					}
					matches, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*tmp*"))
					if len(matches) > 0 {
						return fmt.Errorf("temporary files left behind: %v", matches)
					}
					return nil
				},
			},
			{
				Config: providerBlock(e, "") + fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  output_file = %q
}`, filepath.Join(t.TempDir(), "missing", "tasks.json")),
				// Terraform quotes the attribute's line only when the diagnostic carries its path, which
				// the protocol-level read path must keep.
				ExpectError: wrappedPattern(`Unable to write output_file.*in data "alicloud_dbs_restore_tasks" "all":\s+\d+: output_file = ".*directory.*does not exist`),
			},
		},
	})
}

// A relative output_file is resolved against the directory Terraform runs in, and written by
// `terraform plan` already, since data sources are read during the plan.
func TestDbsRestoreTasksDataSource_outputFileRelative(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(12, 6)
	e := startEmulator(t, tasks)
	dir := t.TempDir()
	diags, code := planDiagnosticsIn(t, e.env, dir, providerBlock(e, "")+`
data "alicloud_dbs_restore_tasks" "all" {
  output_file = "out/tasks.json"
}`)
	if code == 0 {
		t.Fatalf("plan passed although out/ does not exist: %v", diags)
	}
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o700); err != nil {
		t.Fatal(err)
	}
	if diags, code = planDiagnosticsIn(t, e.env, dir, providerBlock(e, "")+`
data "alicloud_dbs_restore_tasks" "all" {
  output_file = "out/tasks.json"
}`); code != 0 || len(diags) != 0 {
		t.Fatalf("exit %d: %v", code, diags)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out", "tasks.json"))
	if err != nil {
		t.Fatalf("terraform plan did not write output_file in its working directory: %v", err)
	}
	var got []map[string]any
	if err := json.Unmarshal(data, &got); err != nil || len(got) != len(tasks) {
		t.Fatalf("output_file holds %d tasks (%v), want %d", len(got), err, len(tasks))
	}
}

// output_file's errors name the path the user gave (or its directory) and what to do, never the temporary
// file the provider writes first.
func TestDbsRestoreTasksDataSource_outputFileErrors(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(3, 2))
	dir := t.TempDir()
	cases := map[string]struct{ path, error string }{
		"a directory": {dir, fmt.Sprintf(`%q is a directory; give a file path`, dir)},
	}
	if denied := unwritableDirectory(t); denied != "" {
		cases["a directory it cannot write in"] = struct{ path, error string }{
			filepath.Join(denied, "tasks.json"), fmt.Sprintf(`cannot write in %q: permission denied`, denied)}
	} else {
		t.Log("no unwritable directory on this machine: the permission case is not run")
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			diags, code := planDiagnostics(t, e.env, providerBlock(e, "")+fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  output_file = %q
}`, c.path))
			errs := diagnosticsOf(diags, "error")
			if code == 0 || len(errs) != 1 || !strings.Contains(errs[0].Detail, c.error) || strings.Contains(errs[0].Detail, ".tmp-") {
				t.Fatalf("want one error saying %s and not naming a temporary file, got exit %d:\n%v", c.error, code, diags)
			}
		})
	}
}

// unwritableDirectory is a directory this process cannot create files in: one made read-only, or, for
// root, who may write anywhere a mode forbids, /sys (sysfs refuses new files to everyone). "" if none.
func unwritableDirectory(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "read-only")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	for _, candidate := range []string{dir, "/sys/kernel"} {
		f, err := os.CreateTemp(candidate, "probe-*")
		if err == nil {
			f.Close()
			os.Remove(f.Name())
			continue
		}
		if errors.Is(err, fs.ErrPermission) {
			return candidate
		}
	}
	return ""
}

// Bad input is refused at plan time, with the attribute's path, before any request is made.
func TestDbsRestoreTasksDataSource_planTimeErrors(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(5, 1))
	cases := []struct {
		name, config, error string
	}{
		{"page_size too small", `page_size = 0`, `Attribute page_size value must be between 1 and 100`},
		{"page_size too large", `page_size = 101`, `Attribute page_size value must be between 1 and 100`},
		{"negative page_number", `page_number = -1`, `Attribute page_number value must be between 0 and 2147483647`},
		{"page_number past 32 bits", `page_number = 2147483648`, `Attribute page_number value must be between 0 and 2147483647`},
		{"invalid regex", `name_regex = "(unclosed"`, `Invalid regular expression.*name_regex`},
		{"ids with backup_plan_id", `
  ids            = ["r1"]
  backup_plan_id = "dbs1"`, `Invalid Attribute Combination.*backup_plan_id.*ids|Invalid Attribute Combination.*ids.*backup_plan_id`},
		{"empty id", `ids = ["r1", ""]`, `ids\[1\].*string length must be at least 1`},
		{"id with a comma", `ids = ["r1,r2"]`, `ids\[0\].*must not contain commas`},
		{"null id", `ids = ["r1", null]`, `null`},
		{"bad start_time", `start_time = "yesterday"`, `start_time`},
		{"both start bounds", `
  start_time      = "2026-01-01T00:00:00Z"
  start_timestamp = 1`, `Invalid Attribute Combination`},
		{"range backwards", `
  start_timestamp = 2000
  end_timestamp   = 1000`, `Invalid time range.*end_timestamp|end_timestamp.*Invalid time range`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectPlanError(t, e, providerBlock(e, "")+"\ndata \"alicloud_dbs_restore_tasks\" \"all\" {\n"+c.config+"\n}\n", c.error)
		})
	}
}

// Provider configuration errors are diagnostics at plan time that say what to do.
func TestProvider_configurationErrors(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(5, 1))
	cases := []struct {
		name, provider, error string
	}{
		{"unknown protocol", fmt.Sprintf(`provider "alicloud" {
  access_key = "k"
  secret_key = "s"
  protocol   = "FTP"
  endpoints {
    dbs = %q
  }
}`, e.url), `protocol.*value must be one of`},
		{"no region and no endpoint", `provider "alicloud" {
  access_key = "k"
  secret_key = "s"
}`, `no region is set`},
		{"no credentials", fmt.Sprintf(`provider "alicloud" {
  endpoints {
    dbs = %q
  }
}`, e.url), `Unable to find Alibaba Cloud credentials.*Tried, in order`},
		{"key without secret", fmt.Sprintf(`provider "alicloud" {
  access_key = "k"
  endpoints {
    dbs = %q
  }
}`, e.url), `access key is set without a secret key`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectPlanError(t, e, c.provider+"\ndata \"alicloud_dbs_restore_tasks\" \"all\" {}\n", c.error)
		})
	}
}

// An API error reaches the user with the API's code, message and request id, and no secret.
func TestDbsRestoreTasksDataSource_apiError(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(250, 1))
	e.SetFaults(emulator.Faults{Forbidden: emulator.Always})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config:      providerBlock(e, "") + `data "alicloud_dbs_restore_tasks" "all" {}`,
			ExpectError: wrappedPattern(`Unable to read DBS restore tasks.*Request.Forbidden.*Have no Permissions.*RequestId.*dbs:DescribeRestoreTaskList`),
		}},
	})
	reqs := e.Requests()
	if len(reqs) == 0 || reqs[0].Code != "Request.Forbidden" {
		t.Fatalf("the emulator did not refuse: %+v", reqs)
	}
}

// A DBS error with HTTP 200 and Success:false is an error, read from ErrCode.
func TestDbsRestoreTasksDataSource_successFalse(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(250, 1))
	e.SetFaults(emulator.Faults{DBSError: emulator.Pick{Every: 2}, ErrCode: "Param.NotFound", ErrMessage: "The specified parameter BackupPlanId value is not valid."})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config:      providerBlock(e, "") + `data "alicloud_dbs_restore_tasks" "all" {}`,
			ExpectError: wrappedPattern(`page \d.*Param.NotFound.*BackupPlanId value is not valid.*RequestId`),
		}},
	})
}

// expectPlanError applies config and expects an error matching pattern (see wrappedPattern) for input
// refused at plan time: no request reaches the emulator.
func expectPlanError(t *testing.T, e *testEmulator, config, pattern string) {
	t.Helper()
	expectErrorAfterRequests(t, e, config, pattern, 0)
}

// expectAPIError applies config and expects an error matching pattern for an answer of DBS that is not
// worth retrying: exactly one request reaches the emulator.
func expectAPIError(t *testing.T, e *testEmulator, config, pattern string) {
	t.Helper()
	expectErrorAfterRequests(t, e, config, pattern, 1)
}

// expectErrorAfterRequests applies config, expects an error matching pattern, and checks that exactly
// requests requests reached the emulator.
func expectErrorAfterRequests(t *testing.T, e *testEmulator, config, pattern string, requests int) {
	t.Helper()
	e.Reset()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps:                    []resource.TestStep{{Config: config, ExpectError: wrappedPattern(pattern)}},
	})
	if n := e.Stats().Requests; n != requests {
		t.Errorf("%d requests reached DBS, want %d", n, requests)
	}
}

// A long ids list is read in batches that keep each URL short, merged in a stable order, every task once.
func TestDbsRestoreTasksDataSource_manyIDs(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(400, 21)
	e := startEmulator(t, tasks)
	var ids []string
	var want []emulator.Task
	for i := 0; i < len(tasks); i += 3 { // 134 ids, more than one batch
		ids = append(ids, tasks[i].ID())
		want = append(want, tasks[i])
	}
	ids = append(ids, tasks[0].ID()) // asked twice, listed once
	quoted, _ := json.Marshal(ids)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: providerBlock(e, "") + fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  ids = %s
}`, quoted),
			ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, want)},
			Check: func(*terraform.State) error {
				batches := 0
				for _, r := range e.Requests() {
					sent := r.Params["RestoreTaskId"]
					if len(sent) > 2000 {
						return fmt.Errorf("a request sent %d characters of ids", len(sent))
					}
					if r.PageNum == 0 {
						batches++
					}
				}
				if batches < 2 {
					return fmt.Errorf("%d batches for %d ids", batches, len(ids))
				}
				return nil
			},
		}},
	})
}

// An empty ids list, written or from an empty variable, asks about no restore job: the lists are empty,
// total_count is 0, and nothing is sent (an empty RestoreTaskId would list every job of the account).
func TestDbsRestoreTasksDataSource_emptyIDs(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(40, 4))
	empty := knownvalue.ListExact([]knownvalue.Check{})
	for name, config := range map[string]string{
		"literal": `
data "alicloud_dbs_restore_tasks" "all" {
  ids = []
}`,
		"empty variable": `
variable "ids" {
  type    = list(string)
  default = []
}
data "alicloud_dbs_restore_tasks" "all" {
  ids = var.ids
}`,
		"one page": `
data "alicloud_dbs_restore_tasks" "all" {
  ids         = []
  page_number = 0
}`,
	} {
		t.Run(name, func(t *testing.T) {
			e.Reset()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.env.providers(),
				Steps: []resource.TestStep{{
					Config: providerBlock(e, "") + config,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("tasks"), empty),
						statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("ids"), empty),
						statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("names"), empty),
						statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(0)),
					},
				}},
			})
			if n := e.Stats().Requests; n != 0 {
				t.Errorf("%d requests reached DBS for an empty ids list, want 0", n)
			}
		})
	}
}

// A malformed or pre-1970 time is refused at plan time in exactly one diagnostic on its attribute, in
// words rather than Go's layout, and nothing is sent.
func TestDbsRestoreTasksDataSource_timeValidation(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(5, 1))
	cases := []struct{ argument, value, detail string }{
		{"start_time", "yesterday", `"yesterday" is not an RFC 3339 time`},
		{"end_time", "2026-13-01T00:00:00Z", `is not an RFC 3339 time`},
		{"start_time", "1969-12-31T23:59:59Z", `is before 1970-01-01T00:00:00Z`},
		{"end_time", "1900-01-01T00:00:00+08:00", `is before 1970-01-01T00:00:00Z`},
		// What older releases pass for plantimestamp() while validating: validation lets them through
		// (TestDbsRestoreTasksDataSource_validationOfPlantimestampOnOlderReleases), the read refuses them.
		{"end_time", "0001-01-01T00:00:00Z", `is before 1970-01-01T00:00:00Z`},
		{"start_time", "-0001-01-01T00:00:00Z", `"-0001-01-01T00:00:00Z" is not an RFC 3339 time`},
	}
	for _, c := range cases {
		t.Run(c.argument+"="+c.value, func(t *testing.T) {
			e.Reset()
			diags, code := planDiagnostics(t, e.env, providerBlock(e, "")+fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  %s = %q
}`, c.argument, c.value))
			errs := diagnosticsOf(diags, "error")
			if code == 0 || len(errs) != 1 {
				t.Fatalf("exit %d, %d errors, want one error:\n%v", code, len(errs), diags)
			}
			d := errs[0]
			if !strings.Contains(d.Detail, c.detail) || strings.Contains(d.Detail, "2006-01-02") || d.Snippet == nil || !strings.Contains(d.Snippet.Code, c.argument) {
				t.Errorf("the error does not say %q on %s in the user's words: %v", c.detail, c.argument, d)
			}
			if n := e.Stats().Requests; n != 0 {
				t.Errorf("%d requests reached DBS, want 0", n)
			}
		})
	}
}

// A read that checks nothing says so: each of these configurations reads restore jobs that exist and keeps
// none (or misses some), which a policy check would take for "no job failed". Each is a warning, shown
// once, on the argument to blame; a read that keeps what it asked for warns about nothing.
func TestDbsRestoreTasksDataSource_readWarnings(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(250, 8)
	e := startEmulator(t, tasks)
	cases := []struct {
		name, args, summary, at string
		details                 []string
	}{
		{"status in the wrong case", `status = "STOP"`, "No restore job has this status", "status",
			[]string{`status = "STOP" kept none of the 250 restore jobs read`, `"stop" (`, `"running" (`, `Did you mean "stop"?`}},
		{"status not used by the API", `status = "Failed"`, "No restore job has this status", "status",
			[]string{`kept none of the 250 restore jobs read`, `compared exactly`}},
		{"name_regex matching nothing", `name_regex = "^nightly-"`, "No restore job name matches name_regex", "name_regex",
			[]string{`name_regex = "^nightly-" matched the name of none of the 250 restore jobs read`, `case-sensitively`}},
		{"name_regex after status", "status = \"running\"\n  name_regex = \"^nightly-\"", "No restore job name matches name_regex", "name_regex",
			[]string{`restore jobs read with status "running"`}},
		{"ids not found", fmt.Sprintf(`ids = [%q, "rnosuchjob1", "rnosuchjob2"]`, tasks[4].ID()), "Restore jobs not found", "ids",
			[]string{`these ids (2) of the 3 ids in ids: "rnosuchjob1", "rnosuchjob2"`}},
		{"page past the last", "page_size = 100\n  page_number = 7", "Page past the last page", "page_number",
			[]string{`page_number = 7 is past the last page`, `250 restore jobs`, `3 pages, numbered 0 to 2`}},
		{"timestamp in seconds", "start_timestamp = 1714608000\n  end_timestamp = 32503680000000", "Timestamp looks like seconds", "start_timestamp",
			[]string{"start_timestamp is 1714608000", "1970-01-20T20:16:48Z", "2024-05-02T00:00:00Z", "write 1714608000000"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			diags, code := planDiagnostics(t, e.env, providerBlock(e, "")+"\ndata \"alicloud_dbs_restore_tasks\" \"all\" {\n  "+c.args+"\n}\n")
			warnings := diagnosticsOf(diags, "warning")
			if code != 0 || len(warnings) != 1 {
				t.Fatalf("exit %d, want 0 with exactly one warning:\n%v", code, diags)
			}
			w := warnings[0]
			if w.Summary != c.summary || w.Snippet == nil || !strings.Contains(w.Snippet.Code, c.at) {
				t.Errorf("want the warning %q on %s, got %v", c.summary, c.at, w)
			}
			for _, want := range c.details {
				if !strings.Contains(w.Detail, want) {
					t.Errorf("the warning does not say %q: %s", want, w.Detail)
				}
			}
		})
	}
	t.Run("no warning when the read keeps what it asked for", func(t *testing.T) {
		t.Parallel()
		diags, code := planDiagnostics(t, e.env, providerBlock(e, "")+fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  ids        = [%q, %q]
  status     = %q
  name_regex = "."
}`, tasks[1].ID(), tasks[2].ID(), mustString(t, tasks[1], "RestoreStatus")))
		if code != 0 || len(diags) != 0 {
			t.Fatalf("exit %d, want 0 without diagnostics:\n%v", code, diags)
		}
	})
}

func mustString(t *testing.T, task emulator.Task, field string) string {
	t.Helper()
	s, ok := task.String(field)
	if !ok {
		t.Fatalf("task %s has no %s", task.ID(), field)
	}
	return s
}

// With ids, tasks come in the order the ids are written (first occurrence) for any number of ids: more
// than one batch of 50 is not read back as the batches concatenated in the API's order.
func TestDbsRestoreTasksDataSource_idsOrder(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(400, 23)
	e := startEmulator(t, tasks)
	var ids []string
	var want []emulator.Task
	for i := len(tasks) - 1; i >= 0; i -= 7 { // 58 ids, from the end of the API's order to its start
		ids = append(ids, tasks[i].ID())
		want = append(want, tasks[i])
	}
	for i := 1; i < len(tasks); i += 11 { // more, in the API's order, between those above
		if i%7 != (len(tasks)-1)%7 {
			ids = append(ids, tasks[i].ID())
			want = append(want, tasks[i])
		}
	}
	ids = append(ids, ids[3]) // asked twice, listed once, at its first place
	quoted, _ := json.Marshal(ids)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: providerBlock(e, "") + fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  ids       = %s
  page_size = 20
}`, quoted),
			ConfigStateChecks: []statecheck.StateCheck{
				expectTasks(allTasks, want),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(int64(len(want)))),
			},
		}},
	})
}

// One rule for a restore job the API lists twice, whatever page_size: it is never dropped (it took the
// place of a job that was then not read); the list is read again, and a repeat that persists fails the
// read, naming the job. total_count is then always the number of jobs in tasks.
func TestDbsRestoreTasksDataSource_taskListedTwice(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(40, 29)
	for _, size := range []int{1, 10} {
		t.Run(fmt.Sprintf("page_size %d, once", size), func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, tasks)
			// Request 1 is page 0, which the fault leaves alone; request 2 is a later page.
			e.SetFaults(emulator.Faults{RepeatTask: emulator.Pick{First: 2}})
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.env.providers(),
				Steps: []resource.TestStep{{
					Config: providerBlock(e, "") + fmt.Sprintf("\ndata \"alicloud_dbs_restore_tasks\" \"all\" {\n  page_size = %d\n}\n", size),
					ConfigStateChecks: []statecheck.StateCheck{
						expectTasks(allTasks, tasks),
						statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(40)),
					},
					Check: func(*terraform.State) error {
						if faultsServed(e) != 1 {
							return fmt.Errorf("%d faults served, want 1", faultsServed(e))
						}
						return nil
					},
				}},
			})
		})
		t.Run(fmt.Sprintf("page_size %d, always", size), func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, tasks)
			e.SetFaults(emulator.Faults{RepeatTask: emulator.Always})
			expectErrorWithin(t, e.env, providerBlock(e, "")+fmt.Sprintf("\ndata \"alicloud_dbs_restore_tasks\" \"all\" {\n  page_size = %d\n}\n", size),
				`Unable to read DBS restore tasks.*4 times in a row \(last: restore task r\S+ was listed on page \d+ and again on page \d+\)`, 30*time.Second)
		})
	}
}

// Two data sources with the same query in one plan (the same backup plan read by two modules) make one
// listing's requests; each still applies its own filters and writes its own output_file.
func TestDbsRestoreTasksDataSource_identicalReadsShare(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(250, 3)
	plan := emulator.PlanIDs(3)[0]
	ofPlan := tasksWhere(tasks, func(task emulator.Task) bool { p, _ := task.String("BackupPlanId"); return p == plan })
	running := tasksWhere(ofPlan, func(task emulator.Task) bool { return restoreStatus(task) == "running" })
	pages := (len(ofPlan) + 9) / 10
	if pages < 3 || len(running) == 0 || len(running) == len(ofPlan) {
		t.Fatalf("the data set does not make the point: %d pages, %d of %d running", pages, len(running), len(ofPlan))
	}
	e := startEmulator(t, tasks)
	dir := t.TempDir()
	var reads [][]byte
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"alicloud": func() (tfprotov6.ProviderServer, error) {
			return &recordingServer{ProviderServer: newProtocol6Server(e.env.provider()), states: &reads}, nil
		},
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: providerBlock(e, "") + fmt.Sprintf(`
data "alicloud_dbs_restore_tasks" "all" {
  backup_plan_id = %[1]q
  page_size      = 10
  output_file    = %[2]q
}
data "alicloud_dbs_restore_tasks" "running" {
  backup_plan_id = %[1]q
  page_size      = 10
  status         = "running"
  output_file    = %[3]q
}`, plan, filepath.Join(dir, "all.json"), filepath.Join(dir, "running.json")),
			ConfigStateChecks: []statecheck.StateCheck{
				expectTasks("data.alicloud_dbs_restore_tasks.all", ofPlan),
				expectTasks("data.alicloud_dbs_restore_tasks.running", running),
			},
			Check: func(*terraform.State) error {
				// Terraform reads both data sources in each command of the step, each command with a
				// provider of its own: one listing per command.
				commands := len(reads) / 2
				if n := e.Stats().Requests; commands == 0 || n != pages*commands {
					return fmt.Errorf("%d requests for %d commands reading both data sources, want %d pages each", n, commands, pages)
				}
				for file, want := range map[string][]emulator.Task{"all.json": ofPlan, "running.json": running} {
					data, err := os.ReadFile(filepath.Join(dir, file))
					if err != nil {
						return err
					}
					var got []map[string]any
					if err := json.Unmarshal(data, &got); err != nil {
						return fmt.Errorf("%s: %w", file, err)
					}
					if ids := restoreTaskIDs(want); len(got) != len(ids) {
						return fmt.Errorf("%s has %d tasks, want %d", file, len(got), len(ids))
					} else {
						for i := range got {
							if got[i]["id"] != ids[i] {
								return fmt.Errorf("%s task %d is %v, want %s", file, i, got[i]["id"], ids[i])
							}
						}
					}
				}
				return nil
			},
		}},
	})
}
