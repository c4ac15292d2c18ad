package dbs

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// quotaGateway answers DescribeRestoreTaskList for backup plans "plan-0", "plan-1", ... of perPlan tasks
// each, after latency, behind a quota: a token bucket of perSecond tokens a second holding at most burst,
// full at the start, as the API gateway's flow control; a request beyond it is refused with HTTP 400
// Throttling.User. It runs on whatever clock time.Now is (synctest's in a bubble).
type quotaGateway struct {
	perPlan   int
	latency   time.Duration
	perSecond float64 // 0: no quota
	burst     float64

	mu       sync.Mutex
	tokens   float64
	filled   time.Time
	requests int
	refused  int
}

func (g *quotaGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(g.latency)
	g.mu.Lock()
	g.requests++
	if g.perSecond > 0 {
		now := time.Now()
		if g.filled.IsZero() {
			g.tokens = g.burst
		} else {
			g.tokens = min(g.burst, g.tokens+now.Sub(g.filled).Seconds()*g.perSecond)
		}
		g.filled = now
		if g.tokens < 1 {
			g.refused++
			g.mu.Unlock()
			writeError(w, 400, `{"RequestId":"Q","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`)
			return
		}
		g.tokens--
	}
	g.mu.Unlock()
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("PageNum"))
	size, _ := strconv.Atoi(q.Get("PageSize"))
	plan := q.Get("BackupPlanId")
	var ids []string
	for i := page * size; i < min((page+1)*size, g.perPlan); i++ {
		ids = append(ids, fmt.Sprintf("%s-%d", plan, i))
	}
	writePage(w, page, size, int64(g.perPlan), int64((g.perPlan+size-1)/size), ids)
}

// inProcess serves requests by calling the handler, so that a synctest bubble holds the whole exchange.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// newInProcessClient is a client whose requests h answers in process, on the clock of whatever runs it
// (a synctest bubble's); mod may adjust the config before the client is made.
func newInProcessClient(t testing.TB, h http.Handler, mod func(*Config)) *Client {
	t.Helper()
	cfg := testConfig("http://dbs.test")
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.http = &http.Client{Transport: inProcess{h}}
	return c
}

type fleetResult struct {
	wall              time.Duration
	requests, refused int
	failed            int
}

// runFleet reads plans listings of g at most parallel at a time (Terraform reads 10 data sources at
// once), through one client, and reports the virtual wall time and the gateway's counts.
func runFleet(t *testing.T, g *quotaGateway, plans, parallel int, mod func(*Config)) fleetResult {
	var res fleetResult
	synctest.Test(t, func(t *testing.T) {
		c := newInProcessClient(t, g, mod)
		start := time.Now()
		var next, failed atomic.Int64
		var wg sync.WaitGroup
		for range parallel {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= plans {
						return
					}
					l, err := c.ListRestoreTasks(context.Background(), Query{BackupPlanID: "plan-" + strconv.Itoa(i)})
					if err != nil || len(l.Tasks) != g.perPlan {
						t.Errorf("plan %d: %v", i, err)
						failed.Add(1)
					}
				}
			})
		}
		wg.Wait()
		res.wall = time.Since(start)
		res.failed = int(failed.Load())
	})
	res.requests, res.refused = g.requests, g.refused
	return res
}
