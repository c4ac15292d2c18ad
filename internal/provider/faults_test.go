package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// readAll is a configuration that reads every task of the emulator (see listing).
func readAll(e *testEmulator, providerExtra string) string {
	return listing(providerBlock(e, providerExtra))
}

// Transient failures are retried until the listing is complete and exact. Throttling comes as a gateway
// sends it: refusals of what goes beyond the quota ("over quota"), or a run of them ("throttled api").
// Each refusal slows every request of the provider down (see TestDbsRestoreTasksDataSource_fleetOverQuota),
// so a refusal of every third request forever, whatever the rate, would only measure how slowly the
// provider then reads.
func TestDbsRestoreTasksDataSource_transientFaults(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(230, 17)
	cases := map[string]emulator.Faults{
		"over quota":              {}, // SetQuota below
		"throttled api":           {Throttle: emulator.Pick{First: 4}, ThrottleCode: "Throttling.Api", RetryAfter: "0"},
		"throttled success false": {DBSError: emulator.Pick{Every: 4}, ErrCode: "Throttling", ErrMessage: "Request was denied due to request throttling."},
		"service unavailable":     {ServerError: emulator.Pick{Every: 4}},
		"internal error":          {ServerError: emulator.Pick{Fraction: 0.3, Seed: 2}, ServerErrorCode: "InternalError"},
		"dropped connection":      {DropConnection: emulator.Pick{Every: 4}},
	}
	for name, faults := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, tasks)
			e.SetFaults(faults)
			if name == "over quota" {
				e.SetQuota(emulator.Quota{PerSecond: 5})
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.env.providers(),
				Steps: []resource.TestStep{{
					Config: readAll(e, ""),
					ConfigStateChecks: []statecheck.StateCheck{
						expectTasks(allTasks, tasks),
						statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(230)),
					},
					Check: func(*terraform.State) error {
						if hit := faultsServed(e); hit == 0 {
							return fmt.Errorf("no fault was served: the test proves nothing (%d requests, stats %+v)", len(e.Requests()), e.Stats())
						}
						return nil
					},
				}},
			})
		})
	}
}

func faultsServed(e *testEmulator) int {
	n := 0
	for _, r := range e.Requests() {
		if len(r.Faults) > 0 {
			n++
		}
	}
	return n
}

// Errors that cannot succeed are not retried, and come with a hint.
func TestDbsRestoreTasksDataSource_notRetried(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(10, 1))
	cases := []struct {
		name, provider, error string
	}{
		{"wrong secret", fmt.Sprintf(`provider "alicloud" {
  access_key = %q
  secret_key = "not-the-secret"
  endpoints {
    dbs = %q
  }
}`, testAccessKey, e.url), `SignatureDoesNotMatch.*RequestId.*secret`},
		{"unknown key", fmt.Sprintf(`provider "alicloud" {
  access_key = "no-such-key"
  secret_key = "whatever"
  endpoints {
    dbs = %q
  }
}`, e.url), `InvalidAccessKeyId.NotFound.*RequestId.*access key`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectAPIError(t, e, c.provider+"\ndata \"alicloud_dbs_restore_tasks\" \"all\" {}\n", c.error)
		})
	}
}

// max_retry_timeout bounds how long a throttled listing is retried.
func TestDbsRestoreTasksDataSource_maxRetryTimeout(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(10, 1))
	e.SetFaults(emulator.Faults{Throttle: emulator.Always, ThrottleCode: "Throttling.User"})
	started := time.Now()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config:      readAll(e, "max_retry_timeout = 2"),
			ExpectError: wrappedPattern(`Throttling.User.*RequestId`),
		}},
	})
	if took := time.Since(started); took > 20*time.Second {
		t.Errorf("gave up after %v; max_retry_timeout is 2 s", took)
	}
	if n := e.Stats().Requests; n < 2 {
		t.Errorf("%d requests: a throttled request must be retried", n)
	}
}

// max_retry_timeout = 0 (or MAX_RETRY_TIMEOUT=0) turns retries off: no page is asked for twice and the
// error comes at once.
func TestDbsRestoreTasksDataSource_retriesOff(t *testing.T) {
	t.Parallel()
	for name, setting := range map[string]struct{ argument, env string }{
		"argument":    {argument: "max_retry_timeout = 0"},
		"environment": {env: "0"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, emulator.Generate(100, 3))
			if setting.env != "" {
				e.env["MAX_RETRY_TIMEOUT"] = setting.env
			}
			// Page 0 is answered; of the three pages read after it, at once, the first and third asked
			// are answered 503.
			e.SetFaults(emulator.Faults{ServerError: emulator.Pick{Every: 2}})
			expectErrorWithin(t, e.env, readAll(e, setting.argument),
				`Unable to read DBS restore tasks.*page \d: HTTP 503 ServiceUnavailable`, 10*time.Second)
			asked := map[int64]int{}
			for _, r := range e.Requests() {
				asked[r.PageNum]++
				if asked[r.PageNum] > 1 {
					t.Errorf("page %d was asked for twice with retries off", r.PageNum)
				}
			}
			if faultsServed(e) == 0 {
				t.Error("no fault was served: the test proves nothing")
			}
		})
	}
}

// Retries use the whole of max_retry_timeout: the last wait is cut to what is left of it, and a last
// attempt is made at its end, rather than giving up when the next wait would pass it.
func TestDbsRestoreTasksDataSource_retriesUseTheWholeBudget(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(10, 1))
	// Every answer throttled with Retry-After 2: attempts at 0 s and 2 s, then 1 s is left of 3.
	e.SetFaults(emulator.Faults{Throttle: emulator.Always, RetryAfter: "2"})
	expectErrorWithin(t, e.env, readAll(e, "max_retry_timeout = 3"), `Throttling.User.*gave up after 3 attempts`, 20*time.Second)
	requests := e.Requests()
	if len(requests) < 2 {
		t.Fatalf("%d requests", len(requests))
	}
	if span := requests[len(requests)-1].Time.Sub(requests[0].Time); span < 2900*time.Millisecond {
		t.Errorf("the last attempt came %s after the first: %s of the 3 s budget left unused", span.Round(time.Millisecond), (3*time.Second - span).Round(time.Millisecond))
	}
}

// max_requests_per_second (or its environment variables) at the quota: the provider paces its requests
// from the first one, and the gateway refuses none; without it, the same read starts faster than the
// quota and is refused until it has learned the rate.
func TestProvider_maxRequestsPerSecond(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(300, 4) // 30 pages of 10: more than the quota lets through at once
	config := func(e *testEmulator, extra string) string {
		return providerBlock(e, extra) + `
data "alicloud_dbs_restore_tasks" "all" {
  page_size = 10
}`
	}
	cases := []struct {
		name, extra string
		env         map[string]string
		refused     bool
	}{
		{name: "learned", refused: true},
		// The argument wins over the environment.
		{name: "argument", extra: "max_requests_per_second = 20", env: map[string]string{"ALICLOUD_MAX_REQUESTS_PER_SECOND": "1000"}},
		{name: "ALICLOUD_MAX_REQUESTS_PER_SECOND", env: map[string]string{"ALICLOUD_MAX_REQUESTS_PER_SECOND": "20"}},
		{name: "ALIBABA_CLOUD_MAX_REQUESTS_PER_SECOND", env: map[string]string{"ALIBABA_CLOUD_MAX_REQUESTS_PER_SECOND": "20"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, tasks)
			e.SetLatency(30 * time.Millisecond)
			e.SetQuota(emulator.Quota{PerSecond: 20})
			for k, v := range c.env {
				e.env[k] = v
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.env.providers(),
				Steps: []resource.TestStep{{
					Config:            config(e, c.extra),
					ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, tasks)},
				}},
			})
			st := e.Stats()
			if c.refused != (st.OverQuota > 0) {
				t.Errorf("%d of %d requests refused over the quota", st.OverQuota, st.Requests)
			}
		})
	}

	e := startEmulator(t, tasks)
	t.Run("out of range", func(t *testing.T) {
		expectPlanError(t, e, config(e, "max_requests_per_second = 0"), `max_requests_per_second.*value must be between 0.1`)
	})
	t.Run("environment not a number", func(t *testing.T) {
		t.Parallel()
		e := startEmulator(t, tasks) // an environment of its own
		e.env["ALICLOUD_MAX_REQUESTS_PER_SECOND"] = "fast"
		expectPlanError(t, e, config(e, ""), `Invalid max_requests_per_second.*ALICLOUD_MAX_REQUESTS_PER_SECOND="fast" is not a number`)
	})
}

// A list that changes while it is paged is read again, never returned with a task missing or twice.
func TestDbsRestoreTasksDataSource_listShiftsWhilePaged(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(120, 4))
	e.SetFaults(emulator.Faults{ShiftList: emulator.Pick{First: 1}})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: readAll(e, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				// The list as it stands after the shift: one more task, at the front.
				expectTasksFrom(allTasks, e.Tasks),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(121)),
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("ids").AtSliceIndex(0), knownvalue.StringExact("rshift1")),
			},
		}},
	})
}

// A list that never settles ends in a clear error, not a list that may miss or repeat a task.
func TestDbsRestoreTasksDataSource_listNeverSettles(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(120, 4))
	e.SetFaults(emulator.Faults{ShiftList: emulator.Always})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config:      readAll(e, ""),
			ExpectError: wrappedPattern(`Unable to read DBS restore tasks.*chang`),
		}},
	})
}

// Server numbers are never trusted for loops or allocation: broken pages end in a clear error naming
// the page, or in a correct result.
func TestDbsRestoreTasksDataSource_brokenPages(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(100, 8)
	cases := []struct {
		name   string
		faults emulator.Faults
		error  string
	}{
		{"truncated body", emulator.Faults{TruncateBody: emulator.Pick{Every: 3}}, `Unable to read DBS restore tasks.*page \d: the answer from http://127.0.0.1:\d+ \(HTTP 200, Content-Type application/json;charset=utf-8\) is not a DescribeRestoreTaskList page: truncated JSON \(RequestId [0-9A-F-]+\)`},
		{"absurd totals", emulator.Faults{AbsurdTotals: emulator.Always}, `Unable to read DBS restore tasks.*page 0.*pages`},
		{"page larger than page_size", emulator.Faults{OversizePage: emulator.Pick{Every: 2}}, `Unable to read DBS restore tasks.*page \d: 26 restore tasks on a page of at most 25 \(RequestId`},
		{"page repeats the previous one", emulator.Faults{RepeatPrevious: emulator.Always}, `Unable to read DBS restore tasks.*page \d`},
		{"wrong type", emulator.Faults{WrongType: emulator.Always}, `Unable to read DBS restore tasks.*page 0.*RestoreTaskDetail\[0\]\.RestoreTaskCreateTime: expected an integer.*RequestId [0-9A-F-]+`},
		{"wrong type in the envelope", emulator.Faults{WrongType: emulator.Always, WrongTypeField: "TotalElements"}, `Unable to read DBS restore tasks.*page 0.*TotalElements.*RequestId [0-9A-F-]+`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, tasks)
			e.SetFaults(c.faults)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.env.providers(),
				Steps: []resource.TestStep{{
					Config:      readAll(e, ""),
					ExpectError: wrappedPattern(c.error),
				}},
			})
			if n := e.Stats().Requests; n > 40 {
				t.Errorf("%d requests for a 4-page listing", n)
			}
		})
	}
}

// The soak test: 1,000 tasks read again and again with about 20% of requests failing transiently; the
// exact list every time. make test runs 3 steps (at least 9 reads); TEST_SIZE=full (make test-soak) runs
// 7 steps, at least 20 reads. The retries' backoff and the scheduler slowing down for the throttling make
// this the longest test, so its short form keeps make test short.
func TestDbsRestoreTasksDataSource_soak(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("soak test")
	}
	steps, minReads := 3, 9
	if fullSize() {
		steps, minReads = 7, 20
	}
	tasks := emulator.Generate(1000, 99)
	e := startEmulator(t, tasks)
	e.SetFaults(emulator.Faults{
		Throttle:       emulator.Pick{Fraction: 0.08, Seed: 11},
		ServerError:    emulator.Pick{Fraction: 0.05, Seed: 12},
		DropConnection: emulator.Pick{Fraction: 0.04, Seed: 13},
		DBSError:       emulator.Pick{Fraction: 0.04, Seed: 14},
		ErrCode:        "Throttling.User",
	})
	// Each step makes Terraform read the data source several times (plan, apply, refresh, the plan after
	// apply). Every read's state is recorded at the protocol level and must be byte for byte the same:
	// the exact list every time, not only after the reads the test harness looks at.
	var reads [][]byte
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"alicloud": func() (tfprotov6.ProviderServer, error) {
			return &recordingServer{ProviderServer: newProtocol6Server(e.env.provider()), states: &reads}, nil
		},
	}
	step := resource.TestStep{
		Config:            providerBlock(e, "") + "\ndata \"alicloud_dbs_restore_tasks\" \"all\" {}\n",
		ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, tasks)},
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: slices.Repeat([]resource.TestStep{step}, steps)})
	if len(reads) < minReads {
		t.Fatalf("%d reads; the soak test wants at least %d", len(reads), minReads)
	}
	for i, r := range reads {
		if !bytes.Equal(r, reads[0]) {
			t.Fatalf("read %d of %d returned a different state", i+1, len(reads))
		}
	}
	served, failed := 0, 0
	for _, r := range e.Requests() {
		served++
		if len(r.Faults) > 0 {
			failed++
		}
	}
	if ratio := float64(failed) / float64(served); ratio < 0.12 {
		t.Errorf("only %d of %d requests failed (%.0f%%): the soak test is too gentle", failed, served, 100*ratio)
	}
	t.Logf("%d reads, %d requests, %d failed transiently", len(reads), served, failed)
}

// recordingServer keeps the state of every successful read of the restore tasks.
type recordingServer struct {
	tfprotov6.ProviderServer
	mu     sync.Mutex
	states *[][]byte
}

func (s *recordingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	resp, err := s.ProviderServer.ReadDataSource(ctx, req)
	if err == nil && resp.State != nil {
		s.mu.Lock()
		*s.states = append(*s.states, resp.State.MsgPack)
		s.mu.Unlock()
	}
	return resp, err
}

// TF_LOG=trace shows one line per page and never a secret, token, signature or Authorization header.
func TestDbsRestoreTasksDataSource_traceLogHasNoSecrets(t *testing.T) {
	// Not parallel: TF_LOG and TF_ACC_LOG_PATH are read from the process's environment, by the framework's
	// logging and terraform-plugin-testing, for every test running.
	const token = "test-security-token-do-not-log"
	e := startEmulator(t, emulator.Generate(60, 3))
	e.AddKey("sts-key", emulator.Key{Secret: testSecretKey, SecurityToken: token})
	e.SetFaults(emulator.Faults{Throttle: emulator.Pick{Every: 3}, Forbidden: emulator.Pick{}})
	logFile := filepath.Join(t.TempDir(), "provider.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "alicloud" {
  access_key     = "sts-key"
  secret_key     = %q
  security_token = %q
  endpoints {
    dbs = %q
  }
}
data "alicloud_dbs_restore_tasks" "all" {
  page_size = 20
}`, testSecretKey, token, e.url),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(allTasks, tfjsonpath.New("total_count"), knownvalue.Int64Exact(60)),
			},
		}},
	})
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	// The test harness logs each step's configuration (keys included) under sdk.helper_resource; that is
	// the test's own logging, not the provider's, so its entries are left out.
	log := withoutLogger(string(data), "sdk.helper_resource")
	if !strings.Contains(log, "DescribeRestoreTaskList page") || !strings.Contains(log, "request_id") {
		t.Fatalf("the trace log has no page lines; the test cannot see what it checks:\n%.2000s", log)
	}
	for _, secret := range []string{testSecretKey, token, "Signature=", "Authorization", "x-acs-security-token"} {
		if strings.Contains(log, secret) {
			i := strings.Index(log, secret)
			t.Errorf("the trace log holds %q: ...%s...", secret, log[max(0, i-200):min(len(log), i+100)])
		}
	}
}

// withoutLogger drops the entries of one logger from an hclog text log; an entry starts with a
// timestamp and may continue over indented lines.
func withoutLogger(log, logger string) string {
	var b strings.Builder
	skip := false
	for _, line := range strings.SplitAfter(log, "\n") {
		if len(line) > 4 && line[0] >= '0' && line[0] <= '9' && line[4] == '-' {
			skip = strings.Contains(line, "] "+logger+":")
		}
		if !skip {
			b.WriteString(line)
		}
	}
	return b.String()
}

// An empty page before the end is not taken as the end of the list.
func TestDbsRestoreTasksDataSource_emptyPageBeforeTheEnd(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(100, 8)
	e := startEmulator(t, tasks)
	e.SetFaults(emulator.Faults{EmptyPage: emulator.Pick{First: 1}})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config:            readAll(e, ""),
			ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, tasks)},
		}},
	})
}

// Terraform's cancel (Ctrl-C cancels the ReadDataSource call's context) stops requests in flight at once.
func TestDbsRestoreTasksDataSource_cancelStopsInFlightRequests(t *testing.T) {
	// Not parallel: it holds the read to a second after the cancel, which it measures without the load of
	// the tests that would run alongside.
	e := startEmulator(t, emulator.Generate(500, 1))
	e.SetLatency(30 * time.Second)
	server := newProtocol6Server(e.env.provider())
	configuredServer(t, server, e.url)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	started := time.Now()
	resp, err := server.ReadDataSource(ctx, readRequest(t))
	took := time.Since(started)
	if err != nil {
		t.Fatal(err)
	}
	if took > 1300*time.Millisecond {
		t.Errorf("the read took %v after a cancel at 300ms; it must stop within a second", took)
	}
	if len(resp.Diagnostics) == 0 || !strings.Contains(diagnosticsText(resp.Diagnostics), "context canceled") {
		t.Errorf("want a cancellation error, got %s", diagnosticsText(resp.Diagnostics))
	}
	// Like the framework's, a failed read answers the configuration as its state: no task may be in it.
	if resp.State != nil {
		_, objType := restoreTasksSchema()
		state, err := resp.State.Unmarshal(objType)
		if err != nil {
			t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		if err := state.As(&attrs); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"tasks", "ids", "names", "total_count"} {
			if !attrs[name].IsNull() {
				t.Errorf("a cancelled read returned a state with %s: %v", name, attrs[name])
			}
		}
	}
}

// expectErrorWithin applies config, the provider reading env, expects an error matching pattern, and
// checks that it came within limit: for failures that waiting cannot mend, or with retries off.
func expectErrorWithin(t *testing.T, env testEnv, config, pattern string, limit time.Duration) {
	t.Helper()
	started := time.Now()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.providers(),
		Steps:                    []resource.TestStep{{Config: config, ExpectError: wrappedPattern(pattern)}},
	})
	if took := time.Since(started); took > limit {
		t.Errorf("the error came after %s; it must come within %s", took.Round(time.Millisecond), limit)
	}
}

// listing reads every task, a page of 25 at a time, through the provider block given.
func listing(provider string) string {
	return provider + listingData
}
