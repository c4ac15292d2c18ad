package dbs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"
)

func TestLimiterAIMD(t *testing.T) {
	l := newLimiter(8)
	for _, want := range []int{4, 2, 1, 1} {
		l.throttled()
		if got := l.current(); got != want {
			t.Fatalf("after a throttle: %d, want %d", got, want)
		}
	}
	// One more per run of successes as long as the limit: 1 → 2 after 1, → 3 after 2 more, ...
	for _, want := range []int{2, 2, 3, 3, 3, 4} {
		l.succeeded()
		if got := l.current(); got != want {
			t.Fatalf("after a success: %d, want %d", got, want)
		}
	}
	for range 100 {
		l.succeeded()
	}
	if got := l.current(); got != 8 {
		t.Errorf("grew to %d, past or short of the maximum 8", got)
	}
}

func TestLimiterBlocksAtLimit(t *testing.T) {
	l := newLimiter(4)
	ctx := context.Background()
	for range 4 {
		if err := l.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	l.throttled() // limit 2 with 4 in flight: two must finish before a fifth starts
	got := make(chan struct{})
	go func() {
		if l.acquire(ctx) == nil {
			close(got)
		}
	}()
	l.release()
	l.release()
	select {
	case <-got:
		t.Fatal("acquired with 2 in flight at a limit of 2")
	case <-time.After(50 * time.Millisecond):
	}
	l.release()
	select {
	case <-got:
	case <-time.After(time.Second):
		t.Fatal("not acquired with 1 in flight at a limit of 2")
	}

	cctx, cancel := context.WithCancel(ctx)
	// 2 in flight now, at a limit of 2
	cancel()
	if err := l.acquire(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("acquire after cancel: %v", err)
	}
}

func TestConcurrentPagesStayWithinLimit(t *testing.T) {
	for _, limit := range []int{1, 3, 8} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			fake := newFakeDBS(t, 1000) // 10 pages of 100
			fake.delay = 30 * time.Millisecond
			c, _ := newTestClient(t, fake, func(cfg *Config) { cfg.MaxConcurrentRequests = limit })
			l, err := c.ListRestoreTasks(context.Background(), Query{})
			if err != nil {
				t.Fatal(err)
			}
			requests, maxInFlight := fake.stats()
			if requests != 10 || l.Requests != 10 || !slices.Equal(taskIDs(l.Tasks), fake.ids) {
				t.Errorf("%d requests, %d tasks", requests, len(l.Tasks))
			}
			if maxInFlight > limit {
				t.Errorf("%d requests in flight with a limit of %d", maxInFlight, limit)
			}
			if limit > 1 && maxInFlight < 2 {
				t.Errorf("pages were read one at a time with a limit of %d", limit)
			}
		})
	}
}

// Pages answered out of order are still returned in the API's order.
func TestConcurrentPagesKeepOrder(t *testing.T) {
	fake := newFakeDBS(t, 1000)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		time.Sleep(time.Duration(10-page) * 5 * time.Millisecond) // later pages answer first
		return false
	}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{})
	if err != nil || !slices.Equal(taskIDs(l.Tasks), fake.ids) {
		t.Fatalf("%v: order %v...", err, taskIDs(l.Tasks)[:3])
	}
}

// Batches of restore task ids share one limit.
func TestBatchesShareTheLimit(t *testing.T) {
	fake := newFakeDBS(t, 600)
	fake.delay = 10 * time.Millisecond
	c, _ := newTestClient(t, fake, func(cfg *Config) { cfg.MaxConcurrentRequests = 4 })
	l, err := c.ListRestoreTasks(context.Background(), Query{RestoreTaskIDs: fake.ids[:200], PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	requests, maxInFlight := fake.stats()
	if len(l.Tasks) != 200 || requests != 20 || maxInFlight > 4 {
		t.Errorf("%d tasks, %d requests, %d in flight", len(l.Tasks), requests, maxInFlight)
	}
}

// Throttling lowers the limit for every request of the listing, retries included: with all first
// attempts throttled, the retries run far fewer at once than the 8 the first attempts did.
func TestThrottlingLowersConcurrency(t *testing.T) {
	fake := newFakeDBS(t, 1600) // 16 pages
	var mu sync.Mutex
	retrying, maxRetrying := 0, 0
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		if page > 0 && nth == 1 {
			time.Sleep(20 * time.Millisecond)
			writeError(w, 400, `{"Code":"Throttling.User","Message":"flow control"}`)
			return true
		}
		mu.Lock()
		retrying++
		maxRetrying = max(maxRetrying, retrying)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		retrying--
		mu.Unlock()
		return false
	}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Tasks) != 1600 || l.Requests != 1+2*15 {
		t.Errorf("%d tasks, %d requests", len(l.Tasks), l.Requests)
	}
	_, maxInFlight := fake.stats()
	if maxInFlight < 4 || maxRetrying > 4 {
		t.Errorf("in flight: %d at most overall, %d at most after throttling", maxInFlight, maxRetrying)
	}
	t.Logf("in flight: %d at most overall, %d at most after throttling", maxInFlight, maxRetrying)
}

func TestOnePageLinePerPageAndOneLinePerRetry(t *testing.T) {
	fake := newFakeDBS(t, 250)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		if page == 1 && nth == 1 {
			writeError(w, 503, `{"RequestId":"RETRY-ME","Code":"ServiceUnavailable"}`)
			return true
		}
		return false
	}
	var mu sync.Mutex
	var lines []map[string]any
	var msgs []string
	c, _ := newTestClient(t, fake, func(cfg *Config) {
		cfg.Log = func(_ context.Context, msg string, f map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			msgs = append(msgs, msg)
			lines = append(lines, f)
		}
	})
	if _, err := c.ListRestoreTasks(context.Background(), Query{}); err != nil {
		t.Fatal(err)
	}
	var pages []int
	retries := 0
	for i, msg := range msgs {
		f := lines[i]
		switch msg {
		case "DescribeRestoreTaskList page":
			keys := make([]string, 0, len(f))
			for k := range f {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !slices.Equal(keys, []string{"attempt", "duration_ms", "items", "page", "request_id"}) {
				t.Errorf("fields %v", keys)
			}
			pages = append(pages, f["page"].(int))
			if f["page"] == 1 && f["attempt"] != 2 {
				t.Errorf("page 1 line: %v", f)
			}
			if f["request_id"] != fmt.Sprintf("REQ-%d", f["page"]) {
				t.Errorf("request id %v", f)
			}
		case "DescribeRestoreTaskList retry":
			retries++
			if f["error_code"] != "ServiceUnavailable" || f["request_id"] != "RETRY-ME" || f["page"] != 1 {
				t.Errorf("retry line %v", f)
			}
			if _, ok := f["wait_ms"]; !ok {
				t.Errorf("retry line without the wait: %v", f)
			}
		default:
			t.Errorf("unexpected line %q", msg)
		}
	}
	sort.Ints(pages)
	if !slices.Equal(pages, []int{0, 1, 2}) || retries != 1 {
		t.Errorf("page lines %v, retry lines %d", pages, retries)
	}
}

// BenchmarkListRestoreTasks reads 10 pages from a server answering in 30ms, one page at a time and then
// with the default concurrency, and reports how much faster the latter is.
func BenchmarkListRestoreTasks(b *testing.B) {
	fake := newFakeDBS(b, 1000)
	fake.delay = 30 * time.Millisecond
	serial, _ := newTestClient(b, fake, func(cfg *Config) { cfg.MaxConcurrentRequests = 1 })
	parallel, _ := newTestClient(b, fake, nil)
	ctx := context.Background()
	var serialTime, parallelTime time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := serial.ListRestoreTasks(ctx, Query{}); err != nil {
			b.Fatal(err)
		}
		serialTime += time.Since(start)
		start = time.Now()
		if _, err := parallel.ListRestoreTasks(ctx, Query{}); err != nil {
			b.Fatal(err)
		}
		parallelTime += time.Since(start)
	}
	b.ReportMetric(float64(serialTime.Milliseconds())/float64(b.N), "serial-ms/op")
	b.ReportMetric(float64(parallelTime.Milliseconds())/float64(b.N), "concurrent-ms/op")
	b.ReportMetric(float64(serialTime)/float64(parallelTime), "speedup")
}
