package provider

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// The examples under examples/ are applied here as committed, against the emulator: each test reads the
// example's files from disk, and the provider takes its endpoint and keys from the environment, as the
// examples tell users to do. A change to an example that breaks it, or that changes what it reports,
// fails here. Steps that use ConfigDirectory carry the provider factories themselves:
// terraform-plugin-testing takes the example's own provider block as the step naming its providers, and
// refuses factories on the test case then.

// providerNamespace is the namespace of the provider's address. The examples name it in
// required_providers, so the test provider must be attached under it instead of the "hashicorp" that
// configurations without required_providers resolve to.
const providerNamespace = "seed-00b4a2d9"

// exampleDir is the absolute path of a directory under examples/.
func exampleDir(t *testing.T, rel string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("example %s: %v", rel, err)
	}
	return dir
}

// readExample is the text of one example file.
func readExample(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(exampleDir(t, filepath.Dir(rel)), filepath.Base(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// useEmulatorFromEnvironment points the provider at the emulator through the environment variables the
// examples rely on.
func useEmulatorFromEnvironment(e *testEmulator) {
	e.env["ALIBABA_CLOUD_ENDPOINT_DBS"] = e.url
	e.env["ALICLOUD_ACCESS_KEY"] = testAccessKey
	e.env["ALICLOUD_SECRET_KEY"] = testSecretKey
}

// startExample starts an emulator serving tasks and prepares the environment for an example that names
// the provider by its address; it returns the example's directory. terraform-plugin-testing reads that
// address's namespace from the process's environment (TF_ACC_PROVIDER_NAMESPACE) for every test running,
// and the other tests' configurations resolve to the default one, so a test that calls it is not
// parallel: it runs before the parallel tests start, and its namespace is gone when they do.
func startExample(t *testing.T, rel string, tasks []emulator.Task) (*testEmulator, string) {
	t.Helper()
	dir := exampleDir(t, rel)
	e := startEmulator(t, tasks)
	useEmulatorFromEnvironment(e)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", providerNamespace)
	return e, dir
}

// exampleStep returns step set to apply the example in dir with vars, the provider reading env. It
// carries the provider factories itself (see above: the test case may not), and the directory and
// variables every step of an example repeats.
func exampleStep(env testEnv, dir string, vars config.Variables, step resource.TestStep) resource.TestStep {
	step.ProtoV6ProviderFactories = env.providers()
	step.ConfigDirectory = config.StaticDirectory(dir)
	step.ConfigVariables = vars
	return step
}

// planVariables are the variables of an example that reads the restore jobs of one backup plan.
func planVariables(plan string) config.Variables {
	return config.Variables{"backup_plan_id": config.StringVariable(plan)}
}

// planTasks is a generated data set in which each task is changed by edit; it returns the plan all the
// tasks belong to.
func planTasks(n int, seed int64, edit func(i int, task emulator.Task) emulator.Task) (string, []emulator.Task) {
	plan := emulator.PlanIDs(seed)[0]
	tasks := emulator.Generate(n, seed)
	for i := range tasks {
		tasks[i] = edit(i, tasks[i].With("BackupPlanId", plan))
	}
	return plan, tasks
}

func withRestoreStatus(task emulator.Task, status string) emulator.Task {
	return task.With("RestoreStatus", status)
}

// createdAgo sets a task's create time to d before now, in UNIX milliseconds as the API sends it.
func createdAgo(task emulator.Task, d time.Duration) emulator.Task {
	return task.With("RestoreTaskCreateTime", time.Now().Add(-d).UnixMilli())
}

func restoreStatus(task emulator.Task) string {
	s, _ := task.String("RestoreStatus")
	return s
}

func stringListExact(values []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

func restoreTaskIDs(tasks []emulator.Task) []string {
	ids := make([]string, len(tasks))
	for i, task := range tasks {
		ids[i] = task.ID()
	}
	return ids
}

// examples/provider/provider.tf configures the provider from the environment; a data source read through
// it reaches the emulator.
func TestExample_provider(t *testing.T) {
	// Not parallel: startExample sets TF_ACC_PROVIDER_NAMESPACE for the process (see there).
	tasks := emulator.Generate(12, 21)
	e, _ := startExample(t, "provider", tasks)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: readExample(t, "provider/provider.tf") + `
data "alicloud_dbs_restore_tasks" "all" {}`,
			ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, tasks)},
			Check: func(*terraform.State) error {
				if len(e.Requests()) == 0 {
					return fmt.Errorf("the emulator saw no request")
				}
				return nil
			},
		}},
	})
}

// examples/provider/static-credentials: keys from variables in the provider block, with nothing in the
// environment; the region it sets is overridden by the endpoint variable.
func TestExample_providerStaticCredentials(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(5, 22)
	e := startEmulator(t, tasks)
	e.env["ALIBABA_CLOUD_ENDPOINT_DBS"] = e.url
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: readExample(t, "provider/static-credentials/provider.tf") + `
data "alicloud_dbs_restore_tasks" "all" {}`,
			ConfigVariables: config.Variables{
				"access_key": config.StringVariable(testAccessKey),
				"secret_key": config.StringVariable(testSecretKey),
			},
			ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, tasks)},
		}},
	})
}

// examples/provider/profile: a profile of the aliyun CLI's file in the home directory, with the test key.
func TestExample_providerProfile(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(5, 30)
	e := startEmulator(t, tasks) // HOME is now a directory of the test's own
	e.env["ALIBABA_CLOUD_ENDPOINT_DBS"] = e.url
	cfg := fmt.Sprintf(`{"current": "other", "profiles": [
  {"name": "ci", "mode": "AK", "access_key_id": %q, "access_key_secret": %q},
  {"name": "other", "mode": "AK", "access_key_id": "not-this-key", "access_key_secret": "x"}
]}`, testAccessKey, testSecretKey)
	writeFile(t, filepath.Join(e.env["HOME"], ".aliyun", "config.json"), cfg)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: readExample(t, "provider/profile/provider.tf") + `
data "alicloud_dbs_restore_tasks" "all" {}`,
			ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, tasks)},
			Check: func(*terraform.State) error {
				for _, r := range e.Requests() {
					if r.AccessKeyID != testAccessKey {
						return fmt.Errorf("request %d was signed with %q, not the profile's key", r.Seq, r.AccessKeyID)
					}
				}
				return nil
			},
		}},
	})
}

// The provider blocks of examples/provider/<mode>, each applied with a listing against the TLS emulator of
// credentials_test.go, which serves DBS, STS, credentials URIs and (through the test proxy) the ECS
// metadata service. The examples take DBS's endpoint and keys from the environment like the rest, the
// emulator knows the role ARNs, OIDC provider and instance role they name, and the ARNs' profile "ci"
// is written to the test's home directory. What only a real machine has is replaced in the example's
// text, and the replaced value must be there as written: the OIDC token file's path (a pod's), the
// credentials URI's address and port (a local service's), the STS VPC endpoint and the settings'
// DBS host (Alibaba Cloud's).
func TestExample_providerCredentialModes(t *testing.T) {
	t.Parallel()
	const (
		exampleRole         = "acs:ram::123456789012:role/dbs-reader"
		exampleOIDCProvider = "acs:ram::123456789012:oidc-provider/ack-rrsa-c0123456789"
	)
	for _, tc := range []struct {
		dir string
		// profile is the mode of the profile "ci" written to ~/.aliyun/config.json ("" for none).
		profile string
		// replace maps a literal of the example to the test's value ("%s" is the emulator's host:port).
		replace map[string]string
		want    signing
		check   func(t *testing.T, e *credentialsEmulator)
	}{
		{dir: "assume-role", profile: "AK", want: byAssumeRole, check: func(t *testing.T, e *credentialsEmulator) {
			if i := e.Issued()[0]; i.Role != exampleRole || i.SessionName != "terraform-ci" || i.Duration != time.Hour || i.CallerKey != baseKey {
				t.Errorf("issued %+v", i)
			}
		}},
		{dir: "assume-role-with-oidc", replace: map[string]string{"/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token": "TOKEN_FILE"}, want: byOIDC},
		{dir: "credentials-uri", replace: map[string]string{"http://127.0.0.1:8080/credentials": "https://%s" + emulator.CredentialsURIPath + "ci"}, want: byCredentialsURI},
		{dir: "ecs-role", want: byInstance},
		{dir: "sts-endpoint", profile: "RamRoleArn", replace: map[string]string{"sts-vpc.cn-hangzhou.aliyuncs.com": "%s"}, want: byAssumeRole},
		{dir: "settings", replace: map[string]string{"dbs-api.cn-hangzhou.aliyuncs.com": "%s"}, want: staticKey(baseKey, false),
			check: func(t *testing.T, e *credentialsEmulator) {
				for _, r := range e.Requests() {
					if !strings.HasSuffix(r.UserAgent, " configuration_source/github.com/example/infrastructure//dbs") {
						t.Errorf("request %d has User-Agent %q", r.Seq, r.UserAgent)
					}
				}
				if st := e.Stats(); st.MaxInFlight > 4 {
					t.Errorf("%d requests at once, the example allows 4", st.MaxInFlight)
				}
			}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			e := startCredentialsEmulator(t)
			if tc.want == byInstance {
				e.serveMetadata(t)
			}
			e.env["ALIBABA_CLOUD_ENDPOINT_DBS"] = e.url
			e.env["ALIBABA_CLOUD_ENDPOINT_STS"] = e.host
			if _, ok := tc.replace["sts-vpc.cn-hangzhou.aliyuncs.com"]; ok {
				e.env["ALIBABA_CLOUD_ENDPOINT_STS"] = "127.0.0.1:1" // the example's endpoints.sts must win
			}
			e.AddRole(exampleRole, emulator.Role{OIDCProviderArn: exampleOIDCProvider, OIDCToken: oidcToken})
			if tc.dir == "settings" {
				// Its endpoint beats the variable; the keys still come from the environment.
				e.env["ALICLOUD_ACCESS_KEY"] = baseKey
				e.env["ALICLOUD_SECRET_KEY"] = baseSecret
			}
			if tc.profile != "" {
				writeExampleProfile(t, e.env["HOME"], tc.profile, exampleRole)
			}
			tokenFile := filepath.Join(t.TempDir(), "token")
			if err := os.WriteFile(tokenFile, []byte(oidcToken), 0o600); err != nil {
				t.Fatal(err)
			}
			config := readExample(t, "provider/"+tc.dir+"/provider.tf")
			for from, to := range tc.replace {
				if !strings.Contains(config, from) {
					t.Fatalf("the example no longer holds %q: update this test", from)
				}
				to = strings.ReplaceAll(strings.ReplaceAll(to, "%s", e.host), "TOKEN_FILE", tokenFile)
				config = strings.ReplaceAll(config, from, to)
			}
			n := e.readListingWith(t, config+listingData)
			e.expectSigned(t, n, tc.want)
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

// writeExampleProfile writes the profile "ci" that the examples name to ~/.aliyun/config.json of home:
// the base key in mode AK, or the base key assuming role in mode RamRoleArn.
func writeExampleProfile(t *testing.T, home, mode, role string) {
	t.Helper()
	profile := fmt.Sprintf(`{"name": "ci", "mode": %q, "access_key_id": %q, "access_key_secret": %q, "ram_role_arn": %q}`, mode, baseKey, baseSecret, role)
	writeFile(t, filepath.Join(home, ".aliyun", "config.json"), `{"current": "ci", "profiles": [`+profile+`]}`)
}

// examples/data-sources/alicloud_dbs_restore_tasks, the example on the data source's page.
func TestExample_dataSource(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(80, 23)
	plan := emulator.PlanIDs(23)[2]
	inPlan := tasksWhere(tasks, func(task emulator.Task) bool { p, _ := task.String("BackupPlanId"); return p == plan })
	stopped := map[string]knownvalue.Check{}
	for _, task := range inPlan {
		if restoreStatus(task) == "stop" {
			msg, ok := task.String("ErrMessage")
			if ok {
				stopped[task.ID()] = knownvalue.StringExact(msg)
			} else {
				stopped[task.ID()] = knownvalue.Null()
			}
		}
	}
	if len(stopped) == 0 || len(stopped) == len(inPlan) {
		t.Fatalf("the data set does not exercise the example (%d stopped of %d)", len(stopped), len(inPlan))
	}
	e := startEmulator(t, tasks)
	useEmulatorFromEnvironment(e)
	resource.UnitTest(t, resource.TestCase{
		// The snippet has no required_providers block: like the docs' other data source examples it
		// resolves to the default namespace, which is where the test provider is attached by default.
		Steps: []resource.TestStep{exampleStep(e.env, exampleDir(t, "data-sources/alicloud_dbs_restore_tasks"), planVariables(plan), resource.TestStep{
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("restore_job_ids", stringListExact(restoreTaskIDs(inPlan))),
				statecheck.ExpectKnownOutputValue("stopped_jobs", knownvalue.MapExact(stopped)),
			},
		})},
	})
}

// examples/use-cases/backup-plan-restore-jobs: the restore jobs of a plan as outputs.
func TestExample_backupPlanRestoreJobs(t *testing.T) {
	// Not parallel: startExample sets TF_ACC_PROVIDER_NAMESPACE for the process (see there).
	tasks := emulator.Generate(150, 24)
	plan := emulator.PlanIDs(24)[1]
	inPlan := tasksWhere(tasks, func(task emulator.Task) bool { p, _ := task.String("BackupPlanId"); return p == plan })
	byStatus := map[string][]string{}
	failed := map[string]knownvalue.Check{}
	for _, task := range inPlan {
		byStatus[restoreStatus(task)] = append(byStatus[restoreStatus(task)], task.ID())
		if restoreStatus(task) == "stop" {
			name, _ := task.String("RestoreTaskName")
			msg, hasMsg := task.String("ErrMessage")
			instance, _ := task.String("DestinationEndpointInstanceID")
			var msgCheck knownvalue.Check = knownvalue.Null()
			if hasMsg {
				msgCheck = knownvalue.StringExact(msg)
			}
			failed[task.ID()] = knownvalue.ObjectExact(map[string]knownvalue.Check{
				"name": knownvalue.StringExact(name), "error": msgCheck, "destination": knownvalue.StringExact(instance),
			})
		}
	}
	byStatusCheck := map[string]knownvalue.Check{}
	for s, ids := range byStatus {
		byStatusCheck[s] = stringListExact(ids)
	}
	if len(byStatus) < 3 || len(failed) == 0 {
		t.Fatalf("the data set does not exercise the example: %d statuses, %d failed", len(byStatus), len(failed))
	}

	e, dir := startExample(t, "use-cases/backup-plan-restore-jobs", tasks)
	resource.UnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{exampleStep(e.env, dir, planVariables(plan), resource.TestStep{
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("restore_job_count", knownvalue.Int64Exact(int64(len(inPlan)))),
				statecheck.ExpectKnownOutputValue("restore_job_ids", stringListExact(restoreTaskIDs(inPlan))),
				statecheck.ExpectKnownOutputValue("restore_jobs_by_status", knownvalue.ObjectExact(byStatusCheck)),
				statecheck.ExpectKnownOutputValue("failed_restore_jobs", knownvalue.ObjectExact(failed)),
			},
			Check: func(*terraform.State) error {
				for _, r := range e.Requests() {
					if r.Params["BackupPlanId"] != plan {
						return fmt.Errorf("request %d sent BackupPlanId=%q, want %q", r.Seq, r.Params["BackupPlanId"], plan)
					}
				}
				return nil
			},
		})},
	})
}

// healthyTasks are jobs of one plan that pass the restore policy: nothing stopped, and the running ones
// started an hour ago, well within the examples' six hours.
func healthyTasks(n int, seed int64) (string, []emulator.Task) {
	return planTasks(n, seed, func(i int, task emulator.Task) emulator.Task {
		switch restoreStatus(task) {
		case "stop":
			return withRestoreStatus(task, "finished")
		case "running":
			return createdAgo(task, time.Hour)
		}
		return task
	})
}

// examples/use-cases/restore-policy-postcondition: the plan fails on a stopped job and on a job running
// for too long, with the postcondition's message, and passes when neither is there.
func TestExample_restorePolicyPostcondition(t *testing.T) {
	// Not parallel: startExample sets TF_ACC_PROVIDER_NAMESPACE for the process (see there).
	plan, healthy := healthyTasks(40, 25)
	stoppedAt, stuckAt := 7, 12
	withStopped := slices.Clone(healthy)
	withStopped[stoppedAt] = withRestoreStatus(healthy[stoppedAt], "stop").With("ErrMessage", "restore failed: table `t7` exists")
	withStuck := slices.Clone(healthy)
	withStuck[stuckAt] = createdAgo(withRestoreStatus(healthy[stuckAt], "running"), 7*time.Hour)
	withRecentRunning := slices.Clone(healthy)
	withRecentRunning[stuckAt] = createdAgo(withRestoreStatus(healthy[stuckAt], "running"), 5*time.Hour)

	e, dir := startExample(t, "use-cases/restore-policy-postcondition", healthy)
	vars := planVariables(plan)
	fourHourLimit := planVariables(plan)
	fourHourLimit["max_running_hours"] = config.IntegerVariable(4)
	resource.UnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			exampleStep(e.env, dir, vars, resource.TestStep{
				PreConfig: func() { e.SetTasks(withStopped) },
				ExpectError: wrappedPattern(regexp.QuoteMeta(fmt.Sprintf("Restore jobs of backup plan %s stopped: %s (restore failed: table `t7` exists).",
					plan, healthy[stoppedAt].ID()))),
			}),
			exampleStep(e.env, dir, vars, resource.TestStep{
				PreConfig: func() { e.SetTasks(withStuck) },
				ExpectError: wrappedPattern(regexp.QuoteMeta(fmt.Sprintf("Restore jobs of backup plan %s have been running for more than 6 hours: %s.",
					plan, healthy[stuckAt].ID()))),
			}),
			exampleStep(e.env, dir, vars, resource.TestStep{
				PreConfig: func() { e.SetTasks(withRecentRunning) },
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("restore_jobs_checked", knownvalue.Int64Exact(int64(len(healthy)))),
				},
			}),
			// The limit is a variable: the same five-hour-old job is stuck under a four-hour limit.
			exampleStep(e.env, dir, fourHourLimit, resource.TestStep{
				ExpectError: wrappedPattern(regexp.QuoteMeta("have been running for more than 4 hours: " + healthy[stuckAt].ID())),
			}),
		},
	})
}

// examples/use-cases/restore-policy-check: a failing check only warns, so apply succeeds and the outputs
// name the offending jobs.
func TestExample_restorePolicyCheck(t *testing.T) {
	// Not parallel: startExample sets TF_ACC_PROVIDER_NAMESPACE for the process (see there).
	plan, healthy := healthyTasks(40, 26)
	tasks := slices.Clone(healthy)
	tasks[3] = withRestoreStatus(tasks[3], "stop")
	tasks[9] = createdAgo(withRestoreStatus(tasks[9], "running"), 30*time.Hour)

	e, dir := startExample(t, "use-cases/restore-policy-check", tasks)
	resource.UnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{exampleStep(e.env, dir, planVariables(plan), resource.TestStep{
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("stopped_restore_jobs", stringListExact([]string{tasks[3].ID()})),
				statecheck.ExpectKnownOutputValue("stuck_restore_jobs", stringListExact([]string{tasks[9].ID()})),
			},
		})},
	})
}

// The pipeline step of examples/use-cases/restore-policy-check: `plan -out` warns, check-plan.sh reads
// the saved plan and exits 1 with the check's message; with healthy jobs it exits 0. This runs the
// Terraform binary the acceptance tests use (TF_ACC_TERRAFORM_PATH, else terraform on PATH) with the
// provider built from this tree, as a pipeline would.
func TestExample_restorePolicyCheckScript(t *testing.T) {
	t.Parallel()
	plan, healthy := healthyTasks(30, 27)
	failing := slices.Clone(healthy)
	failing[5] = withRestoreStatus(failing[5], "stop").With("ErrMessage", "restore failed: disk full")

	e := startEmulator(t, failing)
	useEmulatorFromEnvironment(e)
	e.env["JQ"] = jqBinary(t)
	tf := sharedCLI(t).withEnv(e.env)
	dir := exampleDir(t, "use-cases/restore-policy-check")

	work := t.TempDir()
	for _, name := range []string{"main.tf", "check-plan.sh"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), data, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	e.env["TF_VAR_backup_plan_id"] = plan

	message := fmt.Sprintf("Restore jobs of backup plan %s stopped: %s (restore failed: disk full).", plan, failing[5].ID())
	out := tf.run(t, work, 0, "plan", "-input=false", "-no-color", "-out=tfplan")
	if !wrappedPattern(regexp.QuoteMeta(message)).MatchString(out) {
		t.Errorf("plan did not warn with the check's message %q:\n%s", message, out)
	}
	out = tf.script(t, work, 1, "./check-plan.sh", "tfplan")
	if !strings.Contains(out, "check.restore_jobs_healthy: fail") || !strings.Contains(out, message) {
		t.Errorf("check-plan.sh did not report the failed check and its message %q:\n%s", message, out)
	}

	e.SetTasks(healthy)
	tf.run(t, work, 0, "plan", "-input=false", "-no-color", "-out=tfplan")
	out = tf.script(t, work, 0, "./check-plan.sh", "tfplan")
	if !strings.Contains(out, "No check failed.") {
		t.Errorf("check-plan.sh on a healthy plan:\n%s", out)
	}
}

// examples/use-cases/latest-successful-restore: the module finds the latest finished job of the plan,
// and the caller passes its outputs on to a resource. terraform-plugin-testing refuses a state with child
// modules ("Modules are not supported"), so this example runs through the CLI, as a user would run it.
func TestExample_latestSuccessfulRestore(t *testing.T) {
	t.Parallel()
	plan, tasks := planTasks(60, 28, func(i int, task emulator.Task) emulator.Task { return task })
	// The job created last is not the last in the API's order, which the module must not rely on.
	var finished []int
	for i, task := range tasks {
		if restoreStatus(task) == "finished" {
			finished = append(finished, i)
		}
	}
	if len(finished) < 3 {
		t.Fatalf("the data set has %d finished jobs, want at least 3", len(finished))
	}
	latest := finished[1]
	tasks[latest] = tasks[latest].With("RestoreTaskCreateTime", intField(tasks[len(tasks)-1], "RestoreTaskCreateTime")+1)
	want := tasks[latest]
	instance, _ := want.String("DestinationEndpointInstanceID")
	database, _ := want.String("DestinationEndpointDatabaseName")
	name, _ := want.String("RestoreTaskName")

	e := startEmulator(t, tasks)
	useEmulatorFromEnvironment(e)
	tf := sharedCLI(t).withEnv(e.env)
	e.env["TF_VAR_backup_plan_id"] = plan
	work := filepath.Join(t.TempDir(), "example")
	if err := os.CopyFS(work, os.DirFS(exampleDir(t, "use-cases/latest-successful-restore"))); err != nil {
		t.Fatal(err)
	}

	// get installs the local module only; the provider comes from dev_overrides, so init is not needed.
	tf.run(t, work, 0, "get", "-no-color")
	tf.run(t, work, 0, "apply", "-auto-approve", "-input=false", "-no-color")
	var outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(tf.run(t, work, 0, "output", "-json")), &outputs); err != nil {
		t.Fatal(err)
	}
	wantOutputs := map[string]any{
		"restore_drill_target": fmt.Sprintf("%s/%s (restore job %s)", instance, database, want.ID()),
		"latest_restore_job":   map[string]any{"id": want.ID(), "name": name, "finished_at": json.Number(fmt.Sprint(intField(want, "RestoreTaskFinishTime")))},
	}
	for key, w := range wantOutputs {
		got := decodeOutputJSON(t, outputs[key].Value)
		if !reflect.DeepEqual(got, w) {
			t.Errorf("output %s = %#v, want %#v", key, got, w)
		}
	}
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string                     `json:"address"`
					Values  map[string]json.RawMessage `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(tf.run(t, work, 0, "show", "-json")), &state); err != nil {
		t.Fatal(err)
	}
	var drill any
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == "terraform_data.restore_drill" {
			drill = decodeOutputJSON(t, r.Values["input"])
		}
	}
	if w := map[string]any{"restore_task_id": want.ID(), "instance_id": instance, "database": database}; !reflect.DeepEqual(drill, w) {
		t.Errorf("terraform_data.restore_drill input = %#v, want %#v", drill, w)
	}

	// Without a successful job the caller's precondition stops the plan.
	e.SetTasks(tasksWhere(tasks, func(task emulator.Task) bool { return restoreStatus(task) != "finished" }))
	out := tf.run(t, work, 1, "plan", "-input=false", "-no-color")
	if msg := fmt.Sprintf("Backup plan %s has no successful restore job to drill against.", plan); !wrappedPattern(regexp.QuoteMeta(msg)).MatchString(out) {
		t.Errorf("plan did not fail with %q:\n%s", msg, out)
	}
}

func decodeOutputJSON(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// examples/use-cases/recent-restore-jobs: only the jobs of the last 24 hours, the range sent to DBS.
func TestExample_recentRestoreJobs(t *testing.T) {
	// Not parallel: startExample sets TF_ACC_PROVIDER_NAMESPACE for the process (see there).
	ages := []time.Duration{72 * time.Hour, 30 * time.Hour, 23 * time.Hour, 5 * time.Hour, time.Hour}
	tasks := emulator.Generate(len(ages), 29)
	for i, age := range ages {
		tasks[i] = createdAgo(tasks[i], age)
	}
	recent := tasks[2:]
	jobs := map[string]knownvalue.Check{}
	for _, task := range recent {
		name, _ := task.String("RestoreTaskName")
		jobs[task.ID()] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name": knownvalue.StringExact(name), "status": knownvalue.StringExact(restoreStatus(task)),
		})
	}

	e, dir := startExample(t, "use-cases/recent-restore-jobs", tasks)
	before := time.Now()
	resource.UnitTest(t, resource.TestCase{
		Steps: []resource.TestStep{exampleStep(e.env, dir, nil, resource.TestStep{
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("recent_restore_job_ids", stringListExact(restoreTaskIDs(recent))),
				statecheck.ExpectKnownOutputValue("recent_restore_jobs", knownvalue.ObjectExact(jobs)),
			},
			Check: func(*terraform.State) error {
				// plantimestamp() has whole seconds; the range is [now-24h, now] of the plan.
				low, high := before.Add(-24*time.Hour-time.Second).UnixMilli(), time.Now().Add(-24*time.Hour).UnixMilli()
				for _, r := range e.Requests() {
					var start, end int64
					if _, err := fmt.Sscan(r.Params["StartTimestamp"], &start); err != nil || start < low || start > high {
						return fmt.Errorf("request %d sent StartTimestamp=%q, want between %d and %d", r.Seq, r.Params["StartTimestamp"], low, high)
					}
					if _, err := fmt.Sscan(r.Params["EndTimestamp"], &end); err != nil || end-start != 24*time.Hour.Milliseconds() {
						return fmt.Errorf("request %d sent EndTimestamp=%q, want StartTimestamp + 24h", r.Seq, r.Params["EndTimestamp"])
					}
					if _, ok := r.Params["BackupPlanId"]; ok {
						return fmt.Errorf("request %d sent BackupPlanId although the example leaves it null", r.Seq)
					}
				}
				return nil
			},
		})},
	})
}

// The guide "Test your restore policy offline" (examples/guides/restore-policy-offline): test-policy.sh
// starts the emulator command with each data file and runs terraform plan against it, as the guide's CI
// job does; here with the emulator and the provider built from this tree. The plan fails with the
// policy's message on restore-jobs-failing.json and passes on restore-jobs-passing.json. When the
// "passing" jobs break the policy (a stopped job, or no finished one), the script fails: its verdict is
// no formality.
func TestGuide_restorePolicyOffline(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env["DBS_EMULATOR"] = buildEmulator(t)
	tf := sharedCLI(t).withEnv(env)
	dir := exampleDir(t, "guides/restore-policy-offline")
	const plan = "dbs1hvb0wwwtest1" // the script's default BACKUP_PLAN_ID, which the data files use
	failing, err := emulator.LoadTasksFile(filepath.Join(dir, "restore-jobs-failing.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stopped []string
	for _, task := range failing {
		if p, _ := task.String("BackupPlanId"); p == plan && restoreStatus(task) == "stop" {
			msg, _ := task.String("ErrMessage")
			stopped = append(stopped, fmt.Sprintf("%s (%s)", task.ID(), msg))
		}
	}
	if len(stopped) == 0 {
		t.Fatalf("restore-jobs-failing.json has no stopped job of %s", plan)
	}

	work := filepath.Join(t.TempDir(), "guide")
	if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	out := tf.script(t, work, 0, "./test-policy.sh")
	if msg := fmt.Sprintf("Restore policy: restore jobs of backup plan %s stopped: %s.", plan, strings.Join(stopped, "; ")); !wrappedPattern(regexp.QuoteMeta(msg)).MatchString(out) {
		t.Errorf("the plan on restore-jobs-failing.json did not fail with %q:\n%s", msg, out)
	}
	if !strings.Contains(out, "ok: terraform plan passes on restore-jobs-passing.json") {
		t.Errorf("the plan on restore-jobs-passing.json did not pass:\n%s", out)
	}

	writePassing := func(tasks []emulator.Task) {
		t.Helper()
		data, err := json.Marshal(tasks)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, "restore-jobs-passing.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writePassing(failing)
	out = tf.script(t, work, 1, "./test-policy.sh")
	if !strings.Contains(out, "FAIL: terraform plan failed on restore-jobs-passing.json") || !strings.Contains(out, stopped[0]) {
		t.Errorf("with a stopped job in restore-jobs-passing.json the script did not fail on it:\n%s", out)
	}
	notFinished := make([]emulator.Task, len(failing))
	for i, task := range failing {
		notFinished[i] = withRestoreStatus(task, "running")
	}
	writePassing(notFinished)
	out = tf.script(t, work, 1, "./test-policy.sh")
	if msg := fmt.Sprintf("Restore policy: backup plan %s has no finished restore job, so no restore has been proven to work.", plan); !wrappedPattern(regexp.QuoteMeta(msg)).MatchString(out) {
		t.Errorf("with no finished job in restore-jobs-passing.json the script did not fail with %q:\n%s", msg, out)
	}
}

// The table of the guide's "Beyond the data file": the emulator command with a fault flag, the policy on
// the passing jobs, and what the plan does.
func TestGuide_restorePolicyOfflineFaults(t *testing.T) {
	t.Parallel()
	cli := sharedCLI(t)
	bin := buildEmulator(t)
	dir := exampleDir(t, "guides/restore-policy-offline")
	env := newTestEnv(t)
	env["TF_VAR_backup_plan_id"] = "dbs1hvb0wwwtest1"
	env["ALICLOUD_ACCESS_KEY"] = "demo-access-key"
	env["ALICLOUD_SECRET_KEY"] = "demo-secret-key"
	for _, tc := range []struct {
		flags []string
		fails string // "" when the plan passes
	}{
		{[]string{"-throttle", "first=2"}, ""},
		{[]string{"-server-error", "first=2"}, ""},
		{[]string{"-drop-connection", "first=1"}, ""},
		{[]string{"-wrong-type", "all"}, "Items.RestoreTaskDetail[0].RestoreTaskCreateTime: expected an integer"},
		{[]string{"-truncate-body", "all"}, "Unable to read DBS restore tasks"},
		{[]string{"-absurd-totals", "all"}, "Unable to read DBS restore tasks"},
		{[]string{"-oversize-page", "all"}, "Unable to read DBS restore tasks"},
		{[]string{"-forbidden", "all"}, "Request.Forbidden: Have no Permissions"},
	} {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			t.Parallel()
			url := runEmulatorCommand(t, bin, append([]string{"-data", filepath.Join(dir, "restore-jobs-passing.json")}, tc.flags...)...)
			tf := cli.withEnv(env.with("ALIBABA_CLOUD_ENDPOINT_DBS", url))
			// A copy of its own: plans that run at once in one directory would wait for each other's
			// state lock, and none writes into the work tree.
			work := filepath.Join(t.TempDir(), "guide")
			if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			want := 0
			if tc.fails != "" {
				want = 1
			}
			out := tf.run(t, work, want, "plan", "-input=false", "-no-color")
			if tc.fails != "" && !wrappedPattern(regexp.QuoteMeta(tc.fails)).MatchString(out) {
				t.Errorf("the plan did not fail with %q:\n%s", tc.fails, out)
			}
			if tc.fails == "" && strings.Contains(out, "Restore policy:") {
				t.Errorf("the policy failed:\n%s", out)
			}
		})
	}
}

// runEmulatorCommand runs the emulator binary with args until the test ends, and returns the URL it
// prints first.
func runEmulatorCommand(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait() // it ends as it was asked to; its exit status says nothing more
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("%s printed no URL: %v\n%s", bin, err, stderr.String())
	}
	return strings.TrimSpace(line)
}

// buildEmulator builds cmd/dbs-emulator, as `go install` would, and returns the binary's path.
func buildEmulator(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dbs-emulator")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./cmd/dbs-emulator")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/dbs-emulator: %v\n%s", err, out)
	}
	return bin
}

// terraformCLI runs the Terraform (or OpenTofu) binary of the acceptance tests with the provider built
// from this tree, installed through dev_overrides, as a user's pipeline would run it.
type terraformCLI struct {
	binary string
	// settings point the binary at the provider (TF_CLI_CONFIG_FILE) and at itself (TERRAFORM, for the
	// examples' scripts); they are added to every command's environment.
	settings []string
	// env is the test's environment, which its commands run with (see testEnv.environ).
	env testEnv
}

// withEnv is c, its commands run with env.
func (c *terraformCLI) withEnv(env testEnv) *terraformCLI {
	with := *c
	with.env = env
	return &with
}

// errNoTerraform is buildCLI's error on a machine without a terraform binary; tests skip on it.
var errNoTerraform = errors.New("no terraform binary: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")

// buildCLI builds the provider into dir and writes there a CLI configuration whose dev_overrides point
// both registries' addresses of the provider at it.
func buildCLI(ctx context.Context, dir string) (*terraformCLI, error) {
	binary := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if binary == "" {
		var err error
		if binary, err = exec.LookPath("terraform"); err != nil {
			return nil, errNoTerraform
		}
	}
	bin := filepath.Join(dir, "bin")
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "terraform-provider-alicloud"), ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %w\n%s", err, out)
	}
	rc := filepath.Join(dir, "cli.tfrc")
	var overrides strings.Builder
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		fmt.Fprintf(&overrides, "    %q = %q\n", host+"/"+providerNamespace+"/alicloud", bin)
	}
	cli := fmt.Sprintf("provider_installation {\n  dev_overrides {\n%s  }\n  direct {}\n}\n", overrides.String())
	if err := os.WriteFile(rc, []byte(cli), 0o600); err != nil {
		return nil, err
	}
	return &terraformCLI{binary: binary, settings: []string{"TF_CLI_CONFIG_FILE=" + rc, "TERRAFORM=" + binary, "TF_IN_AUTOMATION=1"}}, nil
}

// jqBinary is the jq on PATH, which is what a pipeline runs, or else gojq built from tools/go.mod, so
// that the script is tested on a machine without jq too.
func jqBinary(t *testing.T) string {
	t.Helper()
	if jq, err := exec.LookPath("jq"); err == nil {
		return jq
	}
	gojq := filepath.Join(t.TempDir(), "gojq")
	build := exec.CommandContext(t.Context(), "go", "build", "-modfile=tools/go.mod", "-o", gojq, "github.com/itchyny/gojq/cmd/gojq")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build gojq: %v\n%s", err, out)
	}
	return gojq
}

// run runs the binary with args in dir and fails the test unless it exits with want.
func (c *terraformCLI) run(t *testing.T, dir string, want int, args ...string) string {
	t.Helper()
	return c.exec(t, dir, want, c.binary, args...)
}

// script runs a script of an example the same way.
func (c *terraformCLI) script(t *testing.T, dir string, want int, name string, args ...string) string {
	t.Helper()
	return c.exec(t, dir, want, name, args...)
}

func (c *terraformCLI) exec(t *testing.T, dir string, want int, name string, args ...string) string {
	t.Helper()
	out, code := c.output(t, dir, name, args...)
	if code != want {
		t.Fatalf("%s %s exited %d, want %d:\n%s", name, strings.Join(args, " "), code, want, out)
	}
	return out
}

// output runs name with args in dir, with the test's environment and c's settings, and returns what it
// printed (standard output and error together) and its exit code.
func (c *terraformCLI) output(t *testing.T, dir, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Dir = dir
	cmd.Env = append(c.env.environ(), c.settings...)
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), code
}

// Every credential argument of the provider block is described, with an example, in the provider's
// documentation page (templates/index.md.tmpl, "Authentication"): the schema's own descriptions list the
// arguments, but not how a credential mode is meant to be used. Adding an argument without documenting
// it fails here.
func TestDocs_credentialArgumentsDocumented(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "templates", "index.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	start := strings.Index(page, "## Authentication")
	end := strings.Index(page, "## Endpoints and protocol")
	if start < 0 || end < start {
		t.Fatal(`templates/index.md.tmpl has no "## Authentication" section before "## Endpoints and protocol"`)
	}
	auth := page[start:end]
	var names []string
	for name := range credentialAttributes() {
		names = append(names, name)
	}
	for name := range credentialBlocks() {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !strings.Contains(auth, "`"+name+"`") && !strings.Contains(auth, name+" = ") && !strings.Contains(auth, name+" {") {
			t.Errorf("the credential argument %s is not described in the Authentication section of templates/index.md.tmpl", name)
		}
	}
}
