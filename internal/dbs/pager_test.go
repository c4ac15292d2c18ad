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
	"sync/atomic"
	"testing"
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

func TestListRestoreTasksRepeatedPageIsAnError(t *testing.T) {
	fake := newFakeDBS(t, 300)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		writePage(w, page, 100, 300, 3, fake.ids[:100]) // PageNum ignored
		return true
	}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{})
	if err == nil || l != nil || !strings.Contains(err.Error(), "repeating") {
		t.Fatalf("%v", err)
	}

	// Without counts the client would otherwise read forever.
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
	_, err = c.ListRestoreTasks(context.Background(), Query{PageSize: 10})
	if err == nil || !strings.Contains(err.Error(), "page 1") {
		t.Fatalf("%v", err)
	}
}

func TestListRestoreTasksDeduplicates(t *testing.T) {
	fake := newFakeDBS(t, 20)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		// Page 1 starts with the last task of page 0, as when a task is added while paging.
		ids := append([]string{}, fake.ids[page*10:page*10+10]...)
		if page == 1 {
			ids[0] = fake.ids[9]
		}
		writePage(w, page, 10, 20, 2, ids)
		return true
	}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]string{}, fake.ids[:10]...), fake.ids[11:]...)
	if !slices.Equal(taskIDs(l.Tasks), want) {
		t.Errorf("got %v", taskIDs(l.Tasks))
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

func TestListRestoreTasksBatchesLongIDLists(t *testing.T) {
	fake := newFakeDBS(t, 400)
	var want []string
	var ids []string
	for i := 399; i >= 0; i -= 3 { // not in the API's order, with repeats
		ids = append(ids, fake.ids[i], fake.ids[i])
	}
	c, _ := newTestClient(t, fake, nil)
	l, err := c.ListRestoreTasks(context.Background(), Query{RestoreTaskIDs: ids, PageSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	// The order of the batches, then the API's order inside each batch.
	batches := batchIDs(mustClean(t, ids))
	if len(batches) != 3 {
		t.Fatalf("%d batches", len(batches))
	}
	for _, b := range batches {
		sorted := slices.Clone(b)
		slices.Sort(sorted) // the fake answers in its own (sorted) order
		want = append(want, sorted...)
	}
	if !slices.Equal(taskIDs(l.Tasks), want) || l.TotalElements != 134 {
		t.Errorf("got %d tasks, total %d", len(l.Tasks), l.TotalElements)
	}
	for _, q := range fake.queries {
		if len(q) > 2000 {
			t.Errorf("query of %d bytes", len(q))
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
