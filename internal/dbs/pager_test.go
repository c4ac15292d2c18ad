package dbs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestListRestoreTasksPageCounts(t *testing.T) {
	for _, tc := range []struct{ tasks, size, wantRequests int }{
		{0, 100, 1}, {1, 100, 1}, {100, 100, 1}, {101, 100, 2}, {250, 100, 3}, {300, 30, 10}, {7, 1, 7},
	} {
		t.Run(fmt.Sprintf("%d_by_%d", tc.tasks, tc.size), func(t *testing.T) {
			fake := newFakeDBS(t, tc.tasks)
			c, _ := newTestClient(t, fake, nil)
			l, err := c.ListRestoreTasks(context.Background(), Query{PageSize: tc.size})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(taskIDs(l.Tasks), fake.ids) {
				t.Errorf("tasks %v", taskIDs(l.Tasks))
			}
			if l.Tasks == nil {
				t.Error("nil list")
			}
			requests, _ := fake.stats()
			if l.Requests != tc.wantRequests || requests != tc.wantRequests {
				t.Errorf("requests: listing says %d, server saw %d, want %d", l.Requests, requests, tc.wantRequests)
			}
			if l.TotalElements != int64(tc.tasks) {
				t.Errorf("TotalElements %d", l.TotalElements)
			}
		})
	}
}

func TestListRestoreTasksWithoutCountsReadsToShortPage(t *testing.T) {
	fake := newFakeDBS(t, 25)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		lo, hi := min(page*10, 25), min(page*10+10, 25)
		ids := fake.ids[lo:hi]
		body := `{"Success":true,"Items":{"RestoreTaskDetail":[`
		for i, id := range ids {
			if i > 0 {
				body += ","
			}
			body += `{"RestoreTaskId":"` + id + `"}`
		}
		w.Write([]byte(body + `]}}`))
		return true
	}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(taskIDs(l.Tasks), fake.ids) || l.Requests != 3 || l.TotalElements != 25 {
		t.Errorf("%d tasks, %d requests, total %d", len(l.Tasks), l.Requests, l.TotalElements)
	}
}

// The server's counts are checked, not trusted.
func TestListRestoreTasksDistrustsCounts(t *testing.T) {
	ctx := context.Background()
	t.Run("TotalPages capped by TotalElements", func(t *testing.T) {
		fake := newFakeDBS(t, 150)
		fake.total = func(int, int) (int64, int64) { return 150, 1_000_000_000 }
		c, _ := newTestClient(t, fake, nil)
		l, err := c.ListRestoreTasks(ctx, Query{})
		if err != nil || len(l.Tasks) != 150 || l.Requests != 2 {
			t.Fatalf("%v %+v", err, l)
		}
	})
	t.Run("TotalPages below what TotalElements implies", func(t *testing.T) {
		fake := newFakeDBS(t, 250)
		fake.total = func(int, int) (int64, int64) { return 250, 1 }
		c, _ := newTestClient(t, fake, nil)
		l, err := c.ListRestoreTasks(ctx, Query{})
		if err != nil || len(l.Tasks) != 250 || l.Requests != 3 {
			t.Fatalf("%v %+v", err, l)
		}
	})
	t.Run("TotalPages alone", func(t *testing.T) {
		fake := newFakeDBS(t, 250)
		fake.total = func(int, int) (int64, int64) { return -1, 3 }
		c, _ := newTestClient(t, withoutTotalElements(fake), nil)
		l, err := c.ListRestoreTasks(ctx, Query{})
		if err != nil || len(l.Tasks) != 250 || l.Requests != 3 || l.TotalElements != 250 {
			t.Fatalf("%v %+v", err, l)
		}
	})
	for name, counts := range map[string][2]int64{
		"absurd TotalPages alone": {-2, 1_000_000_000},
		"absurd TotalElements":    {1_000_000_000_000, -2},
		"negative TotalElements":  {-5, 3},
		"absurd both":             {1 << 40, 1 << 40},
	} {
		t.Run(name, func(t *testing.T) {
			fake := newFakeDBS(t, 100)
			fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
				body := `{"Success":true,"Items":{"RestoreTaskDetail":[`
				for i := range 100 {
					if i > 0 {
						body += ","
					}
					body += fmt.Sprintf(`{"RestoreTaskId":"p%d-%d"}`, page, i)
				}
				body += `]}`
				if counts[0] != -2 {
					body += fmt.Sprintf(`,"TotalElements":%d`, counts[0])
				}
				if counts[1] != -2 {
					body += fmt.Sprintf(`,"TotalPages":%d`, counts[1])
				}
				w.Write([]byte(body + `}`))
				return true
			}
			c, _ := newTestClient(t, fake, nil)
			l, err := c.ListRestoreTasks(ctx, Query{})
			if err == nil || l != nil {
				t.Fatalf("no error: %d tasks", len(l.Tasks))
			}
			if n, _ := fake.stats(); n != 1 {
				t.Errorf("%d requests after an absurd page 0", n)
			}
			t.Log(err)
		})
	}
	t.Run("page larger than PageSize", func(t *testing.T) {
		fake := newFakeDBS(t, 30)
		fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
			writePage(w, page, 10, 30, 3, fake.ids[:11])
			return true
		}
		c, _ := newTestClient(t, fake, nil)
		_, err := c.ListRestoreTasks(ctx, Query{PageSize: 10})
		if err == nil || !strings.Contains(err.Error(), "11 restore tasks on a page of at most 10") {
			t.Fatal(err)
		}
	})
}

// Only the last page may be short: a short or empty page before it is a page caught while the list
// changed, so the list is read again, and if it never reads whole, the read fails; no partial list.
func TestListRestoreTasksShortAndEmptyPages(t *testing.T) {
	ctx := context.Background()
	t.Run("short page persists", func(t *testing.T) {
		fake := newFakeDBS(t, 150) // announced as 300: page 1 has 50, page 2 none
		fake.total = func(int, int) (int64, int64) { return 300, 3 }
		c, _ := newTestClient(t, fake, nil)
		l, err := c.ListRestoreTasks(ctx, Query{})
		if err == nil || l != nil || !strings.Contains(err.Error(), "page 1 had 50 restore tasks, fewer than 100") {
			t.Fatalf("%v", err)
		}
		if n, _ := fake.stats(); n != 4*3 {
			t.Errorf("%d requests, want 4 passes of 3 pages", n)
		}
	})
	for page, wantRequests := range map[int]int{0: 1 + 3, 1: 3 + 3} {
		t.Run(fmt.Sprintf("page %d empty once", page), func(t *testing.T) {
			fake := newFakeDBS(t, 300)
			fake.hook = func(w http.ResponseWriter, r *http.Request, p, nth int) bool {
				if p == page && nth == 1 {
					writePage(w, p, 100, 300, 3, nil)
					return true
				}
				return false
			}
			c, _ := newTestClient(t, fake, nil)
			l, err := c.ListRestoreTasks(ctx, Query{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(taskIDs(l.Tasks), fake.ids) || l.Requests != wantRequests {
				t.Errorf("%d tasks in %d requests, want 300 in %d", len(l.Tasks), l.Requests, wantRequests)
			}
		})
	}
	t.Run("last page short", func(t *testing.T) {
		fake := newFakeDBS(t, 250)
		c, _ := newTestClient(t, fake, nil)
		l, err := c.ListRestoreTasks(ctx, Query{})
		if err != nil || len(l.Tasks) != 250 || l.Requests != 3 {
			t.Fatalf("%v %+v", err, l)
		}
	})
}

// A server that repeats pages (here: ignores PageNum) is read again a bounded number of times and then
// refused, with counts or without, never paged on or returned with repeats dropped.
func TestListRestoreTasksRepeatedPageIsAnError(t *testing.T) {
	fake := newFakeDBS(t, 300)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		writePage(w, page, 100, 300, 3, fake.ids[:100]) // PageNum ignored
		return true
	}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{})
	if err == nil || l != nil || !strings.Contains(err.Error(), "restore task s00000 was listed on page 0 and again on page 1") {
		t.Fatalf("%v", err)
	}
	if n, _ := fake.stats(); n > 4*3 {
		t.Errorf("%d requests; at most 4 reads of 3 pages", n)
	}

	// Without counts the client would otherwise read forever.
	fake = newFakeDBS(t, 300)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		body := `{"Success":true,"Items":{"RestoreTaskDetail":[`
		for i, id := range fake.ids[:10] {
			if i > 0 {
				body += ","
			}
			body += `{"RestoreTaskId":"` + id + `"}`
		}
		w.Write([]byte(body + `]}}`))
		return true
	}
	c, _ = newTestClient(t, fake, nil)
	_, err = c.ListRestoreTasks(context.Background(), Query{PageSize: 10})
	if err == nil || !strings.Contains(err.Error(), "page 1") {
		t.Fatalf("%v", err)
	}
	if n, _ := fake.stats(); n != 4*2 {
		t.Errorf("%d requests, want 4 reads of pages 0 and 1", n)
	}
}

// One rule for a task the API lists twice, whatever the page size: it is never dropped (it took the
// place of a task that was then not read), the list is read again, and a repeat that persists fails the
// read naming the task. A repeat that goes away reads the whole list.
func TestListRestoreTasksRepeatedTaskIsReadAgain(t *testing.T) {
	for _, size := range []int{1, 3, 10, 100} {
		for _, persistent := range []bool{false, true} {
			t.Run(fmt.Sprintf("page size %d, persistent %v", size, persistent), func(t *testing.T) {
				fake := newFakeDBS(t, 20)
				fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
					// Page 1 starts with the last task of page 0, as when a task is added in front while
					// another is deleted: the total is unchanged.
					if page != 1 || !persistent && nth > 1 {
						return false
					}
					lo := min(page*size, 20)
					ids := slices.Clone(fake.ids[lo:min(lo+size, 20)])
					ids[0] = fake.ids[size-1]
					writePage(w, page, size, 20, int64((20+size-1)/size), ids)
					return true
				}
				if size >= 20 { // one page: the repeat is within it
					fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
						if !persistent && nth > 1 {
							return false
						}
						ids := slices.Clone(fake.ids)
						ids[5] = ids[4]
						writePage(w, page, size, 20, 1, ids)
						return true
					}
				}
				c, _ := newTestClient(t, fake, nil)
				l, err := c.ListRestoreTasks(context.Background(), Query{PageSize: size})
				if persistent {
					if err == nil || l != nil || !strings.Contains(err.Error(), "was listed on page") {
						t.Fatalf("a persistent repeat: %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(taskIDs(l.Tasks), fake.ids) || l.TotalElements != 20 {
					t.Errorf("got %v, total %d", taskIDs(l.Tasks), l.TotalElements)
				}
			})
		}
	}
}

// The pages must hold the number of tasks page 0 announced: a last page shorter (or an empty page 0 of
// a list said to have tasks) is a list caught changing or a wrong count, never a shorter list.
func TestListRestoreTasksPagesHoldTheAnnouncedCount(t *testing.T) {
	for name, tc := range map[string]struct{ tasks, announced int }{
		"last page short": {250, 260},
		"empty page 0":    {0, 5},
		"more than said":  {5, 0},
	} {
		t.Run(name, func(t *testing.T) {
			fake := newFakeDBS(t, tc.tasks)
			fake.total = func(int, int) (int64, int64) {
				return int64(tc.announced), int64((tc.announced + 99) / 100)
			}
			c, _ := newTestClient(t, fake, nil)
			l, err := c.ListRestoreTasks(context.Background(), Query{})
			if err == nil || l != nil || !strings.Contains(err.Error(), fmt.Sprintf("page 0 announced %d restore tasks", tc.announced)) {
				t.Fatalf("%v", err)
			}
		})
	}
}

func TestListRestoreTasksFailureMidListReturnsNothing(t *testing.T) {
	fake := newFakeDBS(t, 500)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		if page == 2 {
			writeError(w, 403, `{"RequestId":"FORB-2","Code":"Request.Forbidden","Message":"Have no Permissions"}`)
			return true
		}
		return false
	}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{})
	if l != nil {
		t.Fatalf("partial list of %d tasks", len(l.Tasks))
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Page != 2 || apiErr.Code != "Request.Forbidden" {
		t.Fatalf("%v", err)
	}
	if !strings.Contains(err.Error(), "page 2: HTTP 403 Request.Forbidden") || !strings.Contains(err.Error(), "FORB-2") {
		t.Errorf("error %q", err)
	}
}

func TestListRestoreTasksRereadsShiftingList(t *testing.T) {
	fake := newFakeDBS(t, 300)
	var pass0Done bool
	fake.total = func(page, nth int) (int64, int64) {
		// The first time page 1 is read, the list has grown.
		if page == 1 && nth == 1 {
			pass0Done = true
			return 301, 4
		}
		return 300, 3
	}
	c, _ := newTestClient(t, fake, func(cfg *Config) { cfg.MaxConcurrentRequests = 1 })
	l, err := c.ListRestoreTasks(context.Background(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if !pass0Done || len(l.Tasks) != 300 || l.TotalElements != 300 {
		t.Errorf("%d tasks, total %d", len(l.Tasks), l.TotalElements)
	}
	// Pass 1 stopped at page 1 (pages 0, 1); pass 2 read all three.
	if l.Requests != 5 {
		t.Errorf("%d requests, want 5", l.Requests)
	}

	always := newFakeDBS(t, 300)
	always.total = func(page, nth int) (int64, int64) {
		if page == 0 {
			return 300, 3
		}
		return 300 + int64(nth), 4
	}
	c, _ = newTestClient(t, always, nil)
	l, err = c.ListRestoreTasks(context.Background(), Query{})
	if err == nil || l != nil || !strings.Contains(err.Error(), "kept changing") {
		t.Fatalf("%v", err)
	}
	always.mu.Lock()
	defer always.mu.Unlock()
	if n := always.perPage[0]; n != 4 {
		t.Errorf("page 0 read %d times, want 4", n)
	}
}

// With ids, tasks come in the order the ids were given (first occurrence), for any number of ids: the
// batches are not concatenated in the API's order.
func TestListRestoreTasksBatchesLongIDLists(t *testing.T) {
	fake := newFakeDBS(t, 400)
	var ids []string
	for i := 399; i >= 0; i -= 3 { // not in the API's order, with repeats
		ids = append(ids, fake.ids[i], fake.ids[i])
	}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{RestoreTaskIDs: ids, PageSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	if batches := batchIDs(mustClean(t, ids)); len(batches) != 3 {
		t.Fatalf("%d batches", len(batches))
	}
	if want := mustClean(t, ids); !slices.Equal(taskIDs(l.Tasks), want) || l.TotalElements != 134 {
		t.Errorf("got %d tasks (%v...), total %d; want the order of ids", len(l.Tasks), taskIDs(l.Tasks)[:min(3, len(l.Tasks))], l.TotalElements)
	}
	for _, q := range fake.queries {
		if len(q) > 2000 {
			t.Errorf("query of %d bytes", len(q))
		}
	}
}

// The same rule with one batch, with an id the API does not know, and for a single page.
func TestListRestoreTasksInTheOrderOfIDs(t *testing.T) {
	fake := newFakeDBS(t, 30)
	ids := []string{fake.ids[20], "nosuchid", fake.ids[3], fake.ids[11], fake.ids[3]}
	want := []string{fake.ids[20], fake.ids[3], fake.ids[11]}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{RestoreTaskIDs: ids})
	if err != nil || !slices.Equal(taskIDs(l.Tasks), want) || l.TotalElements != 3 {
		t.Fatalf("%v: %v", err, l)
	}
	l, err = c.ListRestoreTasksPage(context.Background(), Query{RestoreTaskIDs: ids}, 0)
	if err != nil || !slices.Equal(taskIDs(l.Tasks), want) {
		t.Fatalf("one page: %v: %v", err, l)
	}
}

// A task that was not asked for is not an answer to the question: the read fails.
func TestListRestoreTasksRefusesTasksNotAskedFor(t *testing.T) {
	fake := newFakeDBS(t, 30)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		writePage(w, page, 100, 2, 1, []string{fake.ids[1], fake.ids[2]}) // RestoreTaskId ignored
		return true
	}
	c, _ := newTestClient(t, fake, nil)
	for name, read := range map[string]func() (*Listing, error){
		"listing": func() (*Listing, error) {
			return c.ListRestoreTasks(context.Background(), Query{RestoreTaskIDs: fake.ids[1:2]})
		},
		"page": func() (*Listing, error) {
			return c.ListRestoreTasksPage(context.Background(), Query{RestoreTaskIDs: fake.ids[1:2]}, 0)
		},
	} {
		l, err := read()
		if err == nil || l != nil || !strings.Contains(err.Error(), "restore task s00002 was not asked for") || !strings.Contains(err.Error(), "REQ-0") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func mustClean(t *testing.T, ids []string) []string {
	out, err := cleanIDs(ids)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBatchIDs(t *testing.T) {
	var ids []string
	for i := range 120 {
		ids = append(ids, fmt.Sprintf("id%03d", i))
	}
	b := batchIDs(ids)
	if len(b) != 3 || len(b[0]) != 50 || len(b[2]) != 20 || !slices.Equal(slices.Concat(b...), ids) {
		t.Errorf("by count: %d batches", len(b))
	}
	long := []string{strings.Repeat("a", 1000), strings.Repeat("b", 499), strings.Repeat("c", 500), "d"}
	b = batchIDs(long)
	if len(b) != 2 || len(b[0]) != 2 || len(b[1]) != 2 {
		t.Errorf("by length: %v", len(b))
	}
	if batchIDs(nil) != nil {
		t.Error("no ids, no batch")
	}
}

// withoutTotalElements serves h's answers with TotalElements left out.
func withoutTotalElements(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			w.WriteHeader(500)
			return
		}
		delete(body, "TotalElements")
		_ = json.NewEncoder(w).Encode(body)
	})
}

// An empty list of ids asks about no task: it is answered with none and sends nothing, for the whole
// listing and for one page alike, where sending no RestoreTaskId would list every task of the account.
func TestListRestoreTasksEmptyIDsAskForNothing(t *testing.T) {
	var requests atomic.Int64
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "no request was expected", http.StatusTeapot)
	}), nil)
	for _, ids := range [][]string{{}, {" ", ""}} {
		listing, err := c.ListRestoreTasks(context.Background(), Query{RestoreTaskIDs: ids})
		if err != nil || listing.Tasks == nil || len(listing.Tasks) != 0 || listing.TotalElements != 0 {
			t.Fatalf("ListRestoreTasks(%q) = %+v, %v; want no tasks", ids, listing, err)
		}
		page, err := c.ListRestoreTasksPage(context.Background(), Query{RestoreTaskIDs: ids}, 2)
		if err != nil || page.Tasks == nil || len(page.Tasks) != 0 {
			t.Fatalf("ListRestoreTasksPage(%q) = %+v, %v; want no tasks", ids, page, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests were sent for an empty list of ids", n)
	}
}

// The pager's pool runs every job once on at most its workers, and the first failure stops the jobs not
// started and is the one reported, not a cancellation it caused in another job.
func TestInParallel(t *testing.T) {
	var mu sync.Mutex
	running, most := 0, 0
	ran := make([]int, 50)
	err := inParallel(context.Background(), 50, 4, func(ctx context.Context, i int) error {
		mu.Lock()
		running++
		most = max(most, running)
		ran[i]++
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
		return nil
	})
	if err != nil || most > 4 || most < 2 || slices.ContainsFunc(ran, func(n int) bool { return n != 1 }) {
		t.Errorf("error %v, %d at most at once, runs %v", err, most, ran)
	}

	boom := errors.New("job 3 failed")
	var started atomic.Int64
	err = inParallel(context.Background(), 100, 4, func(ctx context.Context, i int) error {
		started.Add(1)
		switch {
		case i == 3:
			return boom
		case i < 3:
			<-ctx.Done() // stopped by job 3's failure
			return ctx.Err()
		}
		return nil
	})
	if !errors.Is(err, boom) || started.Load() > 10 {
		t.Errorf("error %v after %d of 100 jobs started", err, started.Load())
	}
}

// AskedIDs are the ids as the query sends them, which the read warnings compare the tasks with.
func TestQueryAskedIDs(t *testing.T) {
	for _, c := range []struct {
		ids, want []string
	}{
		{nil, []string{}},
		{[]string{" a ", "b", "a", "", "c"}, []string{"a", "b", "c"}},
		{[]string{"a", "b,c"}, nil},
	} {
		if got := (Query{RestoreTaskIDs: c.ids}).AskedIDs(); !slices.Equal(got, c.want) || (c.want == nil) != (got == nil) {
			t.Errorf("AskedIDs of %q = %q, want %q", c.ids, got, c.want)
		}
	}
}
