package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

const (
	testAccessKey = "test-access-key"
	testSecretKey = "test-secret-key-do-not-log"
)

// wrappedPattern compiles a pattern of text as Terraform prints it, for an expected error, warning or
// message: a long line is wrapped at any space, the next line may start with the diagnostic's "│"
// border, so each space of pattern matches any run of both; and . matches line breaks. Text that must
// appear as it is goes in through regexp.QuoteMeta.
func wrappedPattern(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `[\s│]+`))
}

// testEnv is the environment a test's provider reads instead of the process's: nothing of the developer's
// (no credentials, profiles or settings), a home directory of the test's own, and the default chain's ECS
// metadata lookup off, unless the test sets otherwise. Tests run at once, so a test sets its variables
// here, never in the process's environment, and before the provider reads them.
type testEnv map[string]string

func newTestEnv(t *testing.T) testEnv {
	t.Helper()
	return testEnv{"HOME": t.TempDir(), "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true", "CHECKPOINT_DISABLE": "1"}
}

func (env testEnv) getenv(key string) string { return env[key] }

// with is a copy of env with the given names set to the values that follow them, for a subtest that
// shares its parent's emulator and sets what its siblings must not see.
func (env testEnv) with(nameValues ...string) testEnv {
	out := maps.Clone(env)
	for i := 0; i+1 < len(nameValues); i += 2 {
		out[nameValues[i]] = nameValues[i+1]
	}
	return out
}

// provider is the provider as New builds it, reading env.
func (env testEnv) provider() *alicloudProvider {
	return &alicloudProvider{version: "test", getenv: env.getenv}
}

// providers serve the provider as Terraform sees it in production, reading env: the framework with the
// protocol-level read of alicloud_dbs_restore_tasks.
func (env testEnv) providers() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"alicloud": func() (tfprotov6.ProviderServer, error) { return newProtocol6Server(env.provider()), nil },
	}
}

// frameworkOnlyProviders serve the plain framework provider, reading env: the reference the fast path
// must match.
func (env testEnv) frameworkOnlyProviders() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"alicloud": providerserver.NewProtocol6WithError(env.provider()),
	}
}

// environ is the environment of a command a test runs (terraform, a script of an example), whose provider
// reads the process's environment: the test binary's, without any variable through which the developer's
// credentials or settings could reach the provider, and env on top.
func (env testEnv) environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if _, set := env[name]; !set && !slices.Contains(credentialVariables, name) {
			out = append(out, kv)
		}
	}
	for name, value := range env {
		out = append(out, name+"="+value)
	}
	return out
}

// credentialVariables are every variable through which credentials-go or this provider could pick up the
// developer's own credentials or settings; the commands tests run do not inherit them.
var credentialVariables = []string{
	"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_REGION",
	"ALICLOUD_PROFILE", "ALICLOUD_SHARED_CREDENTIALS_FILE", "ALICLOUD_ECS_ROLE_NAME", "ALICLOUD_ASSUME_ROLE_ARN",
	"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
	"ALIBABA_CLOUD_REGION", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE",
	"ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
	"ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_OIDC_TOKEN", "ALIBABA_CLOUD_ROLE_SESSION_NAME",
	"ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "ALIBABA_CLOUD_ENDPOINT_DBS", "DBS_ENDPOINT",
	"MAX_RETRY_TIMEOUT", "ALICLOUD_MAX_REQUESTS_PER_SECOND", "ALIBABA_CLOUD_MAX_REQUESTS_PER_SECOND", "ALIBABA_CLOUD_STS_REGION", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED",
	"ALICLOUD_ASSUME_ROLE_SESSION_NAME", "ALIBABA_CLOUD_IMDSV1_DISABLED", "ALIBABA_CLOUD_ENDPOINT_STS", "STS_ENDPOINT",
	"ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS",
}

// testEmulator is a running DBS emulator, its base URL, and the environment of the test's provider.
type testEmulator struct {
	*emulator.Server
	url string
	env testEnv
}

// startEmulator starts a DBS emulator that knows the test key and serves tasks, with a fresh environment
// for the test's provider.
func startEmulator(t *testing.T, tasks []emulator.Task) *testEmulator {
	t.Helper()
	srv := emulator.New(emulator.Options{
		Keys:  map[string]emulator.Key{testAccessKey: {Secret: testSecretKey}},
		Tasks: tasks,
	})
	url := srv.Start()
	t.Cleanup(srv.Close)
	return &testEmulator{Server: srv, url: url, env: newTestEnv(t)}
}

// providerBlock points the provider at the emulator with the test key, plus any extra arguments.
func providerBlock(e *testEmulator, extra string) string {
	return providerBlockAt(e.url, extra)
}

// providerBlockAt is providerBlock with endpoints.dbs set to dbs.
func providerBlockAt(dbs, extra string) string {
	return fmt.Sprintf(`
provider "alicloud" {
  access_key = %q
  secret_key = %q
  endpoints {
    dbs = %q
  }
  %s
}
`, testAccessKey, testSecretKey, dbs, extra)
}

// expectTasks checks `tasks` of a data source field by field against the tasks the emulator serves:
// the same tasks in the same order, every field present with the API's value (numbers to the digit) and
// every absent field null.
func expectTasks(address string, want []emulator.Task) statecheck.StateCheck { //nolint:unparam // each call names what it checks

	return tasksCheck{address: address, want: func() []emulator.Task { return want }}
}

// expectTasksFrom is expectTasks for a data set that changes during the test: want is asked when the
// state is checked.
func expectTasksFrom(address string, want func() []emulator.Task) statecheck.StateCheck {
	return tasksCheck{address: address, want: want}
}

type tasksCheck struct {
	address string
	want    func() []emulator.Task
}

func (c tasksCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	wantTasks := c.want()
	res := findResource(req.State, c.address)
	if res == nil {
		resp.Error = fmt.Errorf("%s not in the state", c.address)
		return
	}
	tasks, ok := res.AttributeValues["tasks"].([]any)
	if !ok {
		resp.Error = fmt.Errorf("%s.tasks is %T, not a list", c.address, res.AttributeValues["tasks"])
		return
	}
	if len(tasks) != len(wantTasks) {
		resp.Error = fmt.Errorf("%s.tasks has %d tasks, want %d", c.address, len(tasks), len(wantTasks))
		return
	}
	var problems []string
	for i, got := range tasks {
		obj := got.(map[string]any)
		want := wantTasks[i]
		if obj["id"] != nilIfAbsent(want, "RestoreTaskId") {
			problems = append(problems, fmt.Sprintf("tasks[%d].id = %v, want %v", i, obj["id"], nilIfAbsent(want, "RestoreTaskId")))
		}
		for _, a := range restoreTaskAttributes {
			if msg := compareField(obj[a.name], want, a.field.Name); msg != "" {
				problems = append(problems, fmt.Sprintf("tasks[%d].%s: %s", i, a.name, msg))
			}
		}
		if len(problems) > 10 {
			break
		}
	}
	if len(problems) > 0 {
		resp.Error = fmt.Errorf("%s.tasks differs from the API's data:\n%s", c.address, strings.Join(problems, "\n"))
	}
}

// compareField compares a state value with the API's raw JSON value of a field.
func compareField(got any, task emulator.Task, field string) string {
	raw, present := task.Get(field)
	if !present || string(raw) == "null" {
		if got != nil {
			return fmt.Sprintf("got %v, want null (the API did not send it)", got)
		}
		return ""
	}
	if got == nil {
		return fmt.Sprintf("got null, want %s", raw)
	}
	switch g := got.(type) {
	case json.Number:
		want := strings.Trim(string(raw), `"`) // a number sent as a numeric string counts as the number
		if g.String() != want {
			return fmt.Sprintf("got %s, want %s", g, raw)
		}
	case string:
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			want = string(raw) // a number sent for a string field is kept as its text
		}
		if g != want {
			return fmt.Sprintf("got %q, want %q", g, want)
		}
	default:
		return fmt.Sprintf("got %T %v, want %s", got, got, raw)
	}
	return ""
}

func nilIfAbsent(task emulator.Task, field string) any {
	if s, ok := task.String(field); ok {
		return s
	}
	return nil
}

func findResource(state *tfjson.State, address string) *tfjson.StateResource {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r
		}
	}
	return nil
}

// tasksWhere returns the emulator's tasks for which keep is true, in order.
func tasksWhere(tasks []emulator.Task, keep func(emulator.Task) bool) []emulator.Task {
	out := []emulator.Task{}
	for _, t := range tasks {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// intField reads a number field as the emulator serves it, 0 when it is absent.
func intField(t emulator.Task, name string) int64 {
	n, _ := t.Int(name)
	return n
}
