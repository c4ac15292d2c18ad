package dbs

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

const (
	// maxPages bounds what a server's counts can make us read (and allocate): 10 million tasks at
	// 100 a page. A count beyond it is a broken answer, not a large account.
	maxPages = 100_000
	// maxRereads is how often a listing is read again from page 0 when it changed while being paged.
	maxRereads = 3
	// RestoreTaskId is sent comma-joined in the query string; beyond these the URL grows past what
	// gateways accept, so longer lists are read in batches.
	maxIDsPerBatch     = 50
	maxIDCharsPerBatch = 1500
)

// ListRestoreTasks reads every page of q and returns all its restore tasks, each once: in the API's
// order, or, with RestoreTaskIDs, in the order of those ids (first occurrence; an id the API does not
// know has no task). It reads page 0, learns the page count, then reads the other pages concurrently, at
// most MaxConcurrentRequests at once (fewer while the API throttles).
// It is all or nothing: if any page fails, the error names the page and no tasks are returned. If the
// pages do not fit together (TotalElements moves, a page before the last comes short, the pages hold
// another number of tasks than page 0 announced, or a task is listed twice), which is what a list that
// changes while it is paged looks like, it is read again from the start, up to 3 times, and then the
// read fails. A task that was not asked for (with RestoreTaskIDs) fails the read at once.
// A long RestoreTaskIDs list is split into batches that are read concurrently; TotalElements is then the
// sum of the batches' counts.
// Identical queries share one listing for the client's life (see sharedReads): the second makes no
// request, and its Listing holds the same Tasks, which neither caller may change.
func (c *Client) ListRestoreTasks(ctx context.Context, q Query) (*Listing, error) {
	base, size, err := q.params()
	if err != nil {
		return nil, err
	}
	ids := q.AskedIDs() // params has refused ids it cannot send
	if q.asksForNoTasks(ids) {
		return &Listing{Tasks: make([]RestoreTask, 0)}, nil
	}
	return c.shared.share(ctx, "all\x00"+base.Encode(), func(ctx context.Context) (*Listing, error) {
		return c.listRestoreTasks(ctx, base, size, ids)
	})
}

func (c *Client) listRestoreTasks(ctx context.Context, base url.Values, size int, ids []string) (*Listing, error) {
	requests := c.newListingRequests()
	if len(ids) == 0 {
		p, err := c.listAll(ctx, base, size, nil, requests)
		if err != nil {
			return nil, err
		}
		return &Listing{Tasks: p.tasks, TotalElements: p.total, Requests: int(requests.sent.Load())}, nil
	}

	batches := batchIDs(ids)
	results := make([]*pass, len(batches))
	firsts := make([]int, len(batches)) // 0-based position of each batch's first id, for errors
	for i := 1; i < len(batches); i++ {
		firsts[i] = firsts[i-1] + len(batches[i-1])
	}
	// At most as many batches at once as requests may be in flight: more would only wait on the scheduler.
	err := inParallel(ctx, len(batches), c.concurrency, func(ctx context.Context, i int) error {
		params := cloneValues(base)
		params.Set("RestoreTaskId", strings.Join(batches[i], ","))
		p, err := c.listAll(ctx, params, size, idSet(batches[i]), requests)
		if err != nil {
			if len(batches) > 1 {
				err = fmt.Errorf("restore task ids %d-%d of %d: %w", firsts[i]+1, firsts[i]+len(batches[i]), len(ids), err)
			}
			return err
		}
		results[i] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil { // cancelled between batches, with no batch failing
		return nil, fmt.Errorf("%s: %w", apiAction, ctx.Err())
	}
	listing := &Listing{Requests: int(requests.sent.Load())}
	var all []RestoreTask
	for _, r := range results {
		all = append(all, r.tasks...)
		listing.TotalElements += r.total
	}
	listing.Tasks = inIDOrder(all, ids)
	return listing, nil
}

// ListRestoreTasksPage reads the single page pageNum (0-based) of q. RestoreTaskIDs are sent as one
// list, unbatched, since a batch would change what "a page" is; the page's tasks then come in the order
// of those ids. A page that lists a task twice is read again, up to 3 times, as in ListRestoreTasks.
// Identical reads share, as in ListRestoreTasks.
func (c *Client) ListRestoreTasksPage(ctx context.Context, q Query, pageNum int) (*Listing, error) {
	if pageNum < 0 {
		return nil, fmt.Errorf("dbs: page number must be 0 or more, got %d", pageNum)
	}
	base, size, err := q.params()
	if err != nil {
		return nil, err
	}
	ids := q.AskedIDs() // params has refused ids it cannot send
	if q.asksForNoTasks(ids) {
		return &Listing{Tasks: make([]RestoreTask, 0)}, nil
	}
	key := "page\x00" + strconv.Itoa(pageNum) + "\x00" + base.Encode()
	return c.shared.share(ctx, key, func(ctx context.Context) (*Listing, error) {
		return c.listRestoreTasksPage(ctx, base, size, pageNum, ids)
	})
}

func (c *Client) listRestoreTasksPage(ctx context.Context, base url.Values, size, pageNum int, ids []string) (*Listing, error) {
	var wanted map[string]bool
	if len(ids) > 0 {
		wanted = idSet(ids)
	}
	requests := c.newListingRequests()
	p, err := settle(func() (*pass, error) {
		a, err := c.fetchPage(ctx, withPage(base, pageNum), pageNum, requests)
		if err != nil {
			return nil, err
		}
		col := newCollector(size, -1, wanted)
		if err := col.add(pageNum, a); err != nil {
			return nil, err
		}
		total := int64(len(col.tasks))
		if a.totalElements.Valid {
			total = a.totalElements.Value
		}
		return &pass{tasks: col.tasks, total: total}, nil
	})
	if err != nil {
		return nil, err
	}
	tasks := p.tasks
	if len(ids) > 0 {
		tasks = inIDOrder(tasks, ids)
	}
	return &Listing{Tasks: tasks, TotalElements: p.total, Requests: int(requests.sent.Load())}, nil
}

// unsettledError marks a read whose pages do not fit together, as when the list changes while it is paged:
// TotalElements moved, a page before the last came short, the pages held another number of tasks than
// announced, or a task was listed twice. Reading again from page 0 usually mends it.
type unsettledError struct{ reason string }

func (e *unsettledError) Error() string { return e.reason }

// pass is one complete read of a query: its tasks, each once, and its count.
type pass struct {
	tasks []RestoreTask
	total int64 // TotalElements, which a complete pass has checked against its tasks
}

// settle runs read again while its pages do not fit together, up to maxRereads times more.
func settle(read func() (*pass, error)) (*pass, error) {
	var unsettled *unsettledError
	for range maxRereads + 1 {
		p, err := read()
		if !errors.As(err, &unsettled) {
			return p, err
		}
	}
	return nil, fmt.Errorf("%s: the restore task list kept changing while it was read, or the API's pages disagree, %d times in a row (last: %w); try again when it is quieter",
		apiAction, maxRereads+1, unsettled)
}

// listAll reads one query to its end, again from the start when the list shifts under it. wanted, when
// not nil, is the set of restore task ids the query asked for.
func (c *Client) listAll(ctx context.Context, base url.Values, size int, wanted map[string]bool, requests *listingRequests) (*pass, error) {
	return settle(func() (*pass, error) { return c.readPass(ctx, base, size, wanted, requests) })
}

// readPass reads page 0, plans the rest from its counts, and reads them.
func (c *Client) readPass(ctx context.Context, base url.Values, size int, wanted map[string]bool, requests *listingRequests) (*pass, error) {
	p0, err := c.fetchPageNum(ctx, base, 0, requests)
	if err != nil {
		return nil, err
	}
	pages, known, err := plannedPages(p0, size)
	if err != nil {
		return nil, err
	}
	if !known {
		pages = -1
	}
	col := newCollector(size, pages, wanted)
	if err := col.add(0, p0); err != nil {
		return nil, err
	}
	sameList := func(k int, a *answer) error {
		if p0.totalElements.Valid && a.totalElements.Valid && a.totalElements.Value != p0.totalElements.Value {
			return &unsettledError{fmt.Sprintf("TotalElements was %d on page 0 and %d on page %d",
				p0.totalElements.Value, a.totalElements.Value, k)}
		}
		return nil
	}

	switch {
	case col.ended >= 0 || (known && pages <= 1):
	case !known:
		// No counts to plan with: read on until a short page, one page at a time.
		for k := 1; col.ended < 0; k++ {
			if k >= maxPages {
				return nil, fmt.Errorf("%s: more than %d full pages and no end in sight; the API is not paging", apiAction, maxPages)
			}
			a, err := c.fetchPageNum(ctx, base, k, requests)
			if err == nil {
				err = sameList(k, a)
			}
			if err == nil {
				err = col.add(k, a)
			}
			if err != nil {
				return nil, err
			}
		}
	default:
		rest, err := c.readPages(ctx, base, 1, pages, requests, sameList)
		if err != nil {
			return nil, err
		}
		for i, a := range rest {
			if err := col.add(i+1, a); err != nil {
				return nil, err
			}
		}
	}
	total := int64(len(col.tasks))
	if te := p0.totalElements; te.Valid && te.Value != total {
		// Only the last page may be short, but by how much only TotalElements says: a last page that
		// holds fewer (or more) tasks than it announced is a list caught changing, or a wrong count.
		return nil, &unsettledError{fmt.Sprintf("page 0 announced %d restore tasks (TotalElements) and the pages held %d", te.Value, total)}
	}
	return &pass{tasks: col.tasks, total: total}, nil
}

// plannedPages is how many pages the list has by page 0's counts, checked against maxPages. known is
// false when the API sent neither count.
//
// TotalElements decides when sent, and TotalPages only when it is not: the count of tasks is what the
// result must match, and a TotalPages above what it implies (a page count for another page size, or an
// absurd one) must not make us read empty pages. A TotalPages below it would have us stop early and
// drop tasks; reading on instead either finds them or meets a short page, which the collector refuses.
func plannedPages(p0 *answer, size int) (pages int, known bool, err error) {
	te, tp := p0.totalElements, p0.totalPages
	if te.Valid && te.Value < 0 || tp.Valid && tp.Value < 0 {
		return 0, false, fmt.Errorf("%s page 0: negative counts (TotalElements %s, TotalPages %s)%s",
			apiAction, countText(te), countText(tp), ridSuffix(p0.requestID))
	}
	var n int64
	switch {
	case te.Valid:
		n = ceilDiv(te.Value, int64(size))
	case tp.Valid:
		n = tp.Value
	default:
		return 0, false, nil
	}
	if n > maxPages {
		return 0, false, fmt.Errorf("%s page 0: the API announces %d pages (TotalElements %s, TotalPages %s), more than the %d this client reads%s",
			apiAction, n, countText(te), countText(tp), maxPages, ridSuffix(p0.requestID))
	}
	return int(n), true, nil
}

func countText(n Int) string {
	if !n.Valid {
		return "absent"
	}
	return strconv.FormatInt(n.Value, 10)
}

func ceilDiv(a, b int64) int64 { return a/b + min(a%b, 1) }

// readPages reads pages [from, to) concurrently and returns them in order. The first failure cancels
// the pages still in flight; the error reported is the lowest-numbered page's own (not a cancellation
// it caused elsewhere).
func (c *Client) readPages(ctx context.Context, base url.Values, from, to int, requests *listingRequests, check func(int, *answer) error) ([]*answer, error) {
	out := make([]*answer, to-from)
	err := inParallel(ctx, to-from, c.concurrency, func(ctx context.Context, i int) error {
		a, err := c.fetchPageNum(ctx, base, from+i, requests)
		if err == nil {
			err = check(from+i, a)
		}
		if err != nil {
			return err
		}
		out[i] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, a := range out {
		if a == nil { // only when ctx ended between pages
			return nil, fmt.Errorf("%s page %d: not read: %w", apiAction, from+i, context.Cause(ctx))
		}
	}
	return out, nil
}

// inParallel runs job(ctx, i) for every i in [0, n), in order of i, on at most workers goroutines: the
// pager's one worker pool, for the pages of a listing and for the batches of a long id list. The
// scheduler bounds the requests in flight; the pool bounds the goroutines that wait for it. The first
// failure cancels the jobs' context, so that the jobs running stop and no other starts; the error
// returned is chosen by firstError, in the jobs' order.
func inParallel(ctx context.Context, n, workers int, job func(ctx context.Context, i int) error) error {
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for jctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := job(jctx, i); err != nil {
					errs[i] = err
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstError(ctx, errs)
}

// firstError picks the error to report from per-item errors in order: the caller's own cancellation
// if that is what ended the work, else the first error that is not a cancellation caused by another.
func firstError(ctx context.Context, errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if first == nil {
			first = err
		}
		if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	if first == nil && ctx.Err() != nil {
		return fmt.Errorf("%s: %w", apiAction, ctx.Err())
	}
	return first
}

func (c *Client) fetchPageNum(ctx context.Context, base url.Values, page int, requests *listingRequests) (*answer, error) {
	return c.fetchPage(ctx, withPage(base, page), page, requests)
}

// collector assembles pages in order, and refuses answers that cannot be a list read page by page: a
// page too long, a short page before the last, a task not asked for, a task listed twice.
type collector struct {
	size   int
	pages  int             // as page 0 announced; -1 when it did not say
	wanted map[string]bool // the restore task ids asked for; nil when any may come
	tasks  []RestoreTask
	seen   map[string]int // restore task id → the page it was listed on
	ended  int            // the short page that ended the list, -1 while pages are full
}

func newCollector(size, pages int, wanted map[string]bool) *collector {
	return &collector{size: size, pages: pages, wanted: wanted, tasks: make([]RestoreTask, 0), seen: map[string]int{}, ended: -1}
}

func (c *collector) add(page int, a *answer) error {
	if len(a.tasks) > c.size {
		return oversizeError(page, len(a.tasks), c.size, a.requestID)
	}
	if c.ended >= 0 {
		if len(a.tasks) > 0 {
			return fmt.Errorf("%s page %d: %d restore tasks after page %d ended the list with fewer than %d; the API's pages are inconsistent%s",
				apiAction, page, len(a.tasks), c.ended, c.size, ridSuffix(a.requestID))
		}
		return nil
	}
	// Only the last page may be short. A short page before it is not the end of the list (taking it so
	// would silently drop the tasks after it) but a page caught while the list changed.
	if len(a.tasks) < c.size && page < c.pages-1 {
		return &unsettledError{fmt.Sprintf("page %d had %d restore tasks, fewer than %d, though page 0 announced %d pages",
			page, len(a.tasks), c.size, c.pages)}
	}
	for i := range a.tasks {
		id := a.tasks[i].RestoreTaskID.Value // interpret refused every task without one
		if c.wanted != nil && !c.wanted[id] {
			return fmt.Errorf("%s page %d: restore task %s was not asked for: the answer is not about the RestoreTaskId sent%s",
				apiAction, page, id, ridSuffix(a.requestID))
		}
		// A task listed twice took the place of another, which was then not read: with the total
		// unchanged, every repeat is a task missing. Never dropped as a duplicate, always read again.
		if first, again := c.seen[id]; again {
			return &unsettledError{fmt.Sprintf("restore task %s was listed on page %d and again on page %d", id, first, page)}
		}
		c.seen[id] = page
	}
	c.tasks = append(c.tasks, a.tasks...)
	if len(a.tasks) < c.size {
		c.ended = page
	}
	return nil
}

func oversizeError(page, got, size int, requestID string) error {
	return fmt.Errorf("%s page %d: %d restore tasks on a page of at most %d%s", apiAction, page, got, size, ridSuffix(requestID))
}

func ridSuffix(requestID string) string {
	if requestID == "" {
		return ""
	}
	return " (RequestId " + requestID + ")"
}

// inIDOrder returns tasks in the order of ids, each restore task id once. Every task's id is among ids
// (the collector refused any other) and listed once.
func inIDOrder(tasks []RestoreTask, ids []string) []RestoreTask {
	byID := make(map[string]int, len(tasks))
	for i := range tasks {
		byID[tasks[i].RestoreTaskID.Value] = i
	}
	out := make([]RestoreTask, 0, len(tasks))
	for _, id := range ids {
		if i, ok := byID[id]; ok {
			out = append(out, tasks[i])
		}
	}
	return out
}

func idSet(ids []string) map[string]bool {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set
}

// batchIDs splits ids into runs short enough for one query string, in order.
func batchIDs(ids []string) [][]string {
	var batches [][]string
	var cur []string
	chars := 0
	for _, id := range ids {
		if len(cur) > 0 && (len(cur) == maxIDsPerBatch || chars+1+len(id) > maxIDCharsPerBatch) {
			batches = append(batches, cur)
			cur, chars = nil, 0
		}
		if len(cur) > 0 {
			chars++
		}
		cur = append(cur, id)
		chars += len(id)
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
