package dbs

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

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
// with the default concurrency, and reports how much faster the latter is. Each read has a ClientToken
// of its own: the same query again would share the first read's listing.
func BenchmarkListRestoreTasks(b *testing.B) {
	fake := newFakeDBS(b, 1000)
	fake.delay = 30 * time.Millisecond
	serial, _ := newTestClient(b, fake, func(cfg *Config) { cfg.MaxConcurrentRequests = 1 })
	parallel, _ := newTestClient(b, fake, nil)
	ctx := context.Background()
	var serialTime, parallelTime time.Duration
	b.ResetTimer()
	reads := 0
	for b.Loop() {
		reads++
		q := Query{ClientToken: strconv.Itoa(reads)}
		start := time.Now()
		if _, err := serial.ListRestoreTasks(ctx, q); err != nil {
			b.Fatal(err)
		}
		serialTime += time.Since(start)
		start = time.Now()
		if _, err := parallel.ListRestoreTasks(ctx, q); err != nil {
			b.Fatal(err)
		}
		parallelTime += time.Since(start)
	}
	b.ReportMetric(float64(serialTime.Milliseconds())/float64(b.N), "serial-ms/op")
	b.ReportMetric(float64(parallelTime.Milliseconds())/float64(b.N), "concurrent-ms/op")
	b.ReportMetric(float64(serialTime)/float64(parallelTime), "speedup")
}
