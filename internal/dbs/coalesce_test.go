package dbs

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// Two reads of the same query make one listing's requests, whether the second comes while the first is
// reading or after it has finished; both get every task.
func TestIdenticalReadsShareOneListing(t *testing.T) {
	fake := newFakeDBS(t, 250) // 3 pages
	fake.delay = 20 * time.Millisecond
	c, _ := newTestClient(t, fake, nil)
	q := Query{BackupPlanID: "plan-1"}
	var wg sync.WaitGroup
	listings := make([]*Listing, 3)
	for i := range 2 {
		wg.Go(func() {
			l, err := c.ListRestoreTasks(context.Background(), q)
			if err != nil {
				t.Error(err)
			}
			listings[i] = l
		})
	}
	wg.Wait()
	l, err := c.ListRestoreTasks(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	listings[2] = l
	if requests, _ := fake.stats(); requests != 3 {
		t.Errorf("%d requests for three reads of a 3-page listing, want 3", requests)
	}
	for i, l := range listings {
		if l == nil || !slices.Equal(taskIDs(l.Tasks), fake.ids) || l.TotalElements != 250 {
			t.Errorf("read %d: %v", i, l)
		}
	}

	// Another query, or the same one paged differently or read one page at a time, is a listing of its own.
	for _, read := range []func() (*Listing, error){
		func() (*Listing, error) {
			return c.ListRestoreTasks(context.Background(), Query{BackupPlanID: "plan-2"})
		},
		func() (*Listing, error) {
			return c.ListRestoreTasks(context.Background(), Query{BackupPlanID: "plan-1", PageSize: 50})
		},
		func() (*Listing, error) { return c.ListRestoreTasksPage(context.Background(), q, 1) },
	} {
		before, _ := fake.stats()
		if _, err := read(); err != nil {
			t.Fatal(err)
		}
		if after, _ := fake.stats(); after == before {
			t.Error("a different read shared a listing")
		}
	}
	before, _ := fake.stats()
	if _, err := c.ListRestoreTasksPage(context.Background(), q, 1); err != nil {
		t.Fatal(err)
	}
	if after, _ := fake.stats(); after != before {
		t.Error("the same page read twice made requests twice")
	}
}

// A read that failed is not kept: the next identical read tries again.
func TestFailedReadIsNotShared(t *testing.T) {
	fake := newFakeDBS(t, 10)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		if nth == 1 {
			writeError(w, 403, `{"Code":"Forbidden.RAM","Message":"no"}`)
			return true
		}
		return false
	}
	c, _ := newTestClient(t, fake, nil)
	if _, err := c.ListRestoreTasks(context.Background(), Query{}); err == nil {
		t.Fatal("the first read did not fail")
	}
	l, err := c.ListRestoreTasks(context.Background(), Query{})
	if err != nil || len(l.Tasks) != 10 {
		t.Fatalf("the second read: %v", err)
	}
}

// One reader giving up does not cancel the listing another is waiting for; when every reader has given
// up, the listing stops.
func TestSharedReadOutlivesOneCanceledReader(t *testing.T) {
	fake := newFakeDBS(t, 500) // 5 pages
	release := make(chan struct{})
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		<-release
		return false
	}
	c, _ := newTestClient(t, fake, nil)
	first, cancelFirst := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := c.ListRestoreTasks(first, Query{})
		firstErr <- err
	}()
	second := make(chan *Listing, 1)
	go func() {
		time.Sleep(20 * time.Millisecond) // joins the read the first started
		l, err := c.ListRestoreTasks(context.Background(), Query{})
		if err != nil {
			t.Error(err)
		}
		second <- l
	}()
	time.Sleep(50 * time.Millisecond)
	cancelFirst()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the canceled reader: %v", err)
	}
	close(release)
	if l := <-second; l == nil || len(l.Tasks) != 500 {
		t.Errorf("the reader left waiting got %v", l)
	}
	if requests, _ := fake.stats(); requests != 5 {
		t.Errorf("%d requests, want one listing's 5", requests)
	}

	// Every reader gone: the listing is canceled, and forgotten.
	block := make(chan struct{})
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		select {
		case <-block:
		case <-r.Context().Done():
		}
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.ListRestoreTasks(ctx, Query{BackupPlanID: "p"})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("%v", err)
	}
	c.shared.mu.Lock()
	_, kept := c.shared.reads["all\x00BackupPlanId=p&PageSize=100"]
	c.shared.mu.Unlock()
	if kept {
		t.Error("a listing every reader gave up on is still shared")
	}
	close(block)
}
