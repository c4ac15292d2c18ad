package dbs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testAccessKeyID = "LTAItestAccessKeyID"
	testSecret      = "SuperSecretValue-9f8e7d6c"
	testToken       = "STS.TokenValue-0a1b2c3d4e5f"
)

type staticCreds struct {
	creds Credentials
	mu    sync.Mutex
	calls int
}

func (s *staticCreds) Credentials(context.Context) (Credentials, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	return s.creds, nil
}

// fakeClock makes retry waits instant and lets the retry budget be spent without waiting.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	f.t = f.t.Add(d)
	f.mu.Unlock()
	return ctx.Err()
}

// advance is the scheduler's wait for a token: the clock moves on, and it is not a retry wait.
func (f *fakeClock) advance(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeClock) waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// testConfig is a Config for endpoint with the test key.
func testConfig(endpoint string) Config {
	return Config{
		Endpoint:    endpoint,
		Credentials: &staticCreds{creds: Credentials{AccessKeyID: testAccessKeyID, AccessKeySecret: testSecret}},
		UserAgent:   "dbs-test/1.0",
		// Config's zero is no retry; the provider passes its own default, as tests do here.
		MaxRetryTimeout: 2 * time.Minute,
	}
}

// newTestClient starts h on a loopback httptest server and returns a client for it whose sleeps are
// instant and which retries for up to 2 minutes (the provider's default). mod may adjust the config
// before the client is made.
func newTestClient(t testing.TB, h http.Handler, mod func(*Config)) (*Client, *fakeClock) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := testConfig(srv.URL)
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Now()}
	c.sleep, c.pace, c.now = clock.sleep, clock.advance, clock.now
	return c, clock
}

// fakeDBS answers DescribeRestoreTaskList from a list of restore task ids, 0-based pages, and records
// what it was asked. hook may answer a request itself (returning true); it sees the page asked for and
// how many times that page has been asked, counting this time.
type fakeDBS struct {
	t     testing.TB
	ids   []string
	delay time.Duration
	hook  func(w http.ResponseWriter, r *http.Request, page, nth int) bool
	// total, when set, replaces the true TotalElements in answers (to simulate a lying or moving API).
	total func(page, nth int) (elements int64, pages int64)

	mu          sync.Mutex
	requests    int
	perPage     map[int]int
	nonces      map[string]int
	queries     []string
	inFlight    int
	maxInFlight int
}

func newFakeDBS(t testing.TB, n int) *fakeDBS {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("s%05d", i)
	}
	return &fakeDBS{t: t, ids: ids}
}

func (f *fakeDBS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("PageNum"))
	size, _ := strconv.Atoi(q.Get("PageSize"))

	f.mu.Lock()
	f.requests++
	if f.perPage == nil {
		f.perPage, f.nonces = map[int]int{}, map[string]int{}
	}
	f.perPage[page]++
	nth := f.perPage[page]
	f.nonces[r.Header.Get("x-acs-signature-nonce")]++
	f.queries = append(f.queries, r.URL.RawQuery)
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()

	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" ||
		r.Header.Get("x-acs-action") != "DescribeRestoreTaskList" || r.Header.Get("x-acs-version") != "2019-03-06" ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256 Credential=") {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"Code":"MissingParameter","Message":"bad request shape"}`)
		return
	}
	if f.hook != nil && f.hook(w, r, page, nth) {
		return
	}
	ids := f.ids
	if want := q.Get("RestoreTaskId"); want != "" {
		wanted := map[string]bool{}
		for _, id := range strings.Split(want, ",") {
			wanted[id] = true
		}
		ids = nil
		for _, id := range f.ids {
			if wanted[id] {
				ids = append(ids, id)
			}
		}
	}
	te := int64(len(ids))
	tp := (te + int64(size) - 1) / int64(size)
	if f.total != nil {
		te, tp = f.total(page, nth)
	}
	var onPage []string
	if lo := page * size; lo < len(ids) {
		onPage = ids[lo:min(lo+size, len(ids))]
	}
	writePage(w, page, size, te, tp, onPage)
}

func writePage(w http.ResponseWriter, page, size int, te, tp int64, ids []string) {
	tasks := make([]map[string]any, len(ids))
	for i, id := range ids {
		tasks[i] = map[string]any{"RestoreTaskId": id, "RestoreTaskName": "task " + id, "RestoreStatus": "running", "BackupGatewayId": 324234332}
	}
	body := map[string]any{
		"RequestId": fmt.Sprintf("REQ-%d", page), "Success": true, "HttpStatusCode": 200,
		"PageNum": page, "PageSize": size, "TotalElements": te, "TotalPages": tp,
		"Items": map[string]any{"RestoreTaskDetail": tasks},
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-acs-request-id", fmt.Sprintf("REQ-%d", page))
	_ = json.NewEncoder(w).Encode(body)
}

func writeError(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-acs-request-id", "HDR-REQ")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

func (f *fakeDBS) stats() (requests, maxInFlight int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, f.maxInFlight
}

func taskIDs(tasks []RestoreTask) []string {
	out := make([]string, len(tasks))
	for i, t := range tasks {
		out[i] = t.RestoreTaskID.Value
	}
	return out
}
