package dbs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// newBubbleScheduler is a scheduler on the bubble's clock, its lines sent to lines when not nil.
func newBubbleScheduler(maxInFlight int, ceiling float64, lines *[]map[string]any) *scheduler {
	var mu sync.Mutex
	var log LogFunc
	if lines != nil {
		log = func(_ context.Context, msg string, f map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			f["msg"] = msg
			*lines = append(*lines, f)
		}
	}
	return newScheduler(maxInFlight, ceiling, time.Minute, time.Now, sleepContext, log)
}

// order records the names of requests as the scheduler grants them, each holding its slot until let go.
type order struct {
	s       *scheduler
	mu      sync.Mutex
	granted []string
	tickets map[string]ticket
}

func (o *order) request(f *flow, name string) {
	go func() {
		t, err := o.s.acquire(context.Background(), f)
		if err != nil {
			return
		}
		o.mu.Lock()
		o.granted = append(o.granted, name)
		o.tickets[name] = t
		o.mu.Unlock()
	}()
	synctest.Wait() // queued (or granted) before the next request is made
}

func (o *order) done(name string) {
	o.mu.Lock()
	t := o.tickets[name]
	o.mu.Unlock()
	o.s.release(context.Background(), t, nil, 0)
	synctest.Wait()
}

func (o *order) got() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.granted)
}

// A request of a listing already started goes before the first request of a new listing, even one that
// asked first: started listings finish before new ones start.
func TestSchedulerStartedListingsFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &order{s: newBubbleScheduler(1, 0, nil), tickets: map[string]ticket{}}
		a, b := o.s.newFlow(), o.s.newFlow()
		o.request(a, "a0")
		o.request(b, "b0") // waits: the one slot is a0's
		o.request(a, "a1")
		o.request(a, "a2")
		o.done("a0")
		o.done("a1")
		o.done("a2")
		if got := o.got(); !slices.Equal(got, []string{"a0", "a1", "a2", "b0"}) {
			t.Errorf("granted %v, want a's pages before b's first", got)
		}
	})
}

// Listings in flight take turns: the least recently served goes first, whatever the order of asking.
func TestSchedulerTurnsAmongStartedListings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &order{s: newBubbleScheduler(2, 0, nil), tickets: map[string]ticket{}}
		a, b := o.s.newFlow(), o.s.newFlow()
		o.request(a, "a0")
		o.request(b, "b0")
		o.request(a, "a1")
		o.request(a, "a2")
		o.request(a, "a3")
		o.request(b, "b1")
		o.done("a0") // a was served longer ago than b: a1
		o.done("b0") // now b was: b1
		o.done("b1") // b has no more waiting: a2
		o.done("a1")
		if got := o.got(); !slices.Equal(got, []string{"a0", "b0", "a1", "b1", "a2", "a3"}) {
			t.Errorf("granted %v, want a and b in turn", got)
		}
	})
}

// New listings start in the order they were opened, not the order their requests arrive.
func TestSchedulerNewListingsInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := &order{s: newBubbleScheduler(1, 0, nil), tickets: map[string]ticket{}}
		first := o.s.newFlow()
		a, b, c := o.s.newFlow(), o.s.newFlow(), o.s.newFlow()
		o.request(first, "x")
		o.request(c, "c0")
		o.request(b, "b0")
		o.request(a, "a0")
		o.done("x")
		o.done("a0")
		o.done("b0")
		if got := o.got(); !slices.Equal(got, []string{"x", "a0", "b0", "c0"}) {
			t.Errorf("granted %v", got)
		}
	})
}

// A request given up while it waits leaves the queue, and the one behind it takes its turn.
func TestSchedulerCanceledWaiterLeaves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newBubbleScheduler(1, 0, nil)
		f := s.newFlow()
		held, err := s.acquire(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		gaveUp := make(chan error, 1)
		go func() {
			_, err := s.acquire(ctx, f)
			gaveUp <- err
		}()
		granted := make(chan struct{})
		go func() {
			if _, err := s.acquire(context.Background(), f); err == nil {
				close(granted)
			}
		}()
		synctest.Wait()
		cancel()
		if err := <-gaveUp; !errors.Is(err, context.Canceled) {
			t.Errorf("canceled acquire: %v", err)
		}
		s.release(context.Background(), held, nil, 0)
		synctest.Wait()
		select {
		case <-granted:
		default:
			t.Error("the request behind the canceled one was not granted")
		}
		if len(s.queue) != 0 || s.inFlight != 1 {
			t.Errorf("queue %d, in flight %d", len(s.queue), s.inFlight)
		}
	})
}

var errThrottled = &APIError{HTTPStatus: 400, Code: "Throttling.User", RequestID: "THROTTLED-1", Page: 3}

// A Retry-After holds back every request of the client, not only the page that got it, and the pause is
// logged with its cause.
func TestSchedulerRetryAfterPausesEveryListing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var lines []map[string]any
		s := newBubbleScheduler(8, 100, &lines) // a ceiling: the rate alone would not wait 3 s
		a, b := s.newFlow(), s.newFlow()
		tk, _ := s.acquire(context.Background(), a)
		s.release(context.Background(), tk, errThrottled, 3*time.Second)
		start := time.Now()
		if _, err := s.acquire(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < 3*time.Second || waited > 3*time.Second+100*time.Millisecond {
			t.Errorf("another listing's request waited %v after a Retry-After of 3s", waited)
		}
		var paused bool
		for _, l := range lines {
			if l["reason"] == "Retry-After" && l["pause_ms"] == int64(3000) && l["request_id"] == "THROTTLED-1" {
				paused = true
			}
		}
		if !paused {
			t.Errorf("no pause line: %v", lines)
		}
	})
}

// Throttling lowers the rate of every request of the client, retries included, and says so once per cut
// at debug level; a listing read alone and never throttled is not held back at all.
func TestSchedulerRateFromThrottling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var lines []map[string]any
		s := newBubbleScheduler(32, 0, &lines)
		f := s.newFlow()
		send := func(err error) {
			tk, aerr := s.acquire(context.Background(), f)
			if aerr != nil {
				t.Fatal(aerr)
			}
			s.release(context.Background(), tk, err, 0)
		}
		start := time.Now()
		for range 20 {
			send(nil)
		}
		if time.Since(start) != 0 {
			t.Fatalf("20 requests before any throttling waited %v", time.Since(start))
		}
		send(errThrottled)
		if len(lines) != 1 || lines[0]["reason"] != "throttled" || lines[0]["error_code"] != "Throttling.User" ||
			lines[0]["request_id"] != "THROTTLED-1" || lines[0]["accepted_per_second"] != 20.0 || lines[0]["requests_per_second"] != 14.0 {
			t.Fatalf("lines after a throttle: %v", lines)
		}
		// 14 a second now, recovering towards 20: 14 more requests take most of a second.
		start = time.Now()
		for range 14 {
			send(nil)
		}
		if took := time.Since(start); took < 14*time.Second/20 || took > time.Second {
			t.Errorf("14 requests at 14 a second, recovering towards 20, took %v", took)
		}
		for _, l := range lines[1:] {
			if l["reason"] != "recovering after throttling" {
				t.Errorf("unexpected line %v", l)
			}
		}
	})
}

// max_requests_per_second holds the client to its rate from the first request.
func TestSchedulerCeiling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newBubbleScheduler(8, 5, nil)
		f := s.newFlow()
		start := time.Now()
		for range 11 {
			tk, _ := s.acquire(context.Background(), f)
			s.release(context.Background(), tk, nil, 0)
		}
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("11 requests at 5 a second took %v, want 2s", took)
		}
	})
}

// The client's requests share one bound, however many listings are read at once.
func TestSchedulerBoundsEveryListingTogether(t *testing.T) {
	fake := newFakeDBS(t, 1000) // 10 pages
	fake.delay = 20 * time.Millisecond
	c, _ := newTestClient(t, fake, func(cfg *Config) { cfg.MaxConcurrentRequests = 3 })
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			q := Query{PageSize: 50, ClientToken: fmt.Sprint(i)} // four queries, not one read four times
			if l, err := c.ListRestoreTasks(context.Background(), q); err != nil || len(l.Tasks) != 1000 {
				t.Errorf("%v", err)
			}
		})
	}
	wg.Wait()
	if requests, maxInFlight := fake.stats(); requests != 80 || maxInFlight != 3 {
		t.Errorf("%d requests, %d at most in flight for 4 listings with a bound of 3", requests, maxInFlight)
	}
}

// Pages throttled together lower the rate once, and their retries go out at the learned rate, spaced,
// rather than all at once again.
func TestThrottlingLowersTheRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFakeDBS(t, 1600) // 16 pages
		var mu sync.Mutex
		var retries []time.Time
		fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
			time.Sleep(20 * time.Millisecond)
			if page > 0 && page <= 8 && nth == 1 { // the first 8 pages, sent together

				writeError(w, 400, `{"Code":"Throttling.User","Message":"flow control"}`)
				return true
			}
			if page > 0 && page <= 8 {
				mu.Lock()
				retries = append(retries, time.Now())
				mu.Unlock()
			}
			return false
		}
		var lines []map[string]any
		var logMu sync.Mutex
		c := newInProcessClient(t, fake, func(cfg *Config) {
			cfg.Log = func(_ context.Context, msg string, f map[string]any) {
				if msg == "DescribeRestoreTaskList rate" {
					logMu.Lock()
					lines = append(lines, f)
					logMu.Unlock()
				}
			}
		})
		l, err := c.ListRestoreTasks(context.Background(), Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Tasks) != 1600 || l.Requests != 16+8 {
			t.Errorf("%d tasks, %d requests", len(l.Tasks), l.Requests)
		}
		cuts, fastest := 0, 0.0
		for _, l := range lines {
			if l["reason"] == "throttled" {
				cuts++
			}
			fastest = max(fastest, l["requests_per_second"].(float64))
		}
		if cuts != 1 {
			t.Errorf("%d cuts for one burst of refusals: %v", cuts, lines)
		}
		for i := 1; i < len(retries); i++ {
			if gap := retries[i].Sub(retries[i-1]); gap < time.Duration(float64(time.Second)/fastest) {
				t.Errorf("retries %d and %d %v apart, closer than the fastest rate logged, %v a second", i-1, i, gap, fastest)
			}
		}
	})
}

func TestAdaptiveRate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	// traffic sends and has accepted n requests a second over the second before s.
	traffic := func(a *adaptiveRate, s float64, n int) {
		for i := n; i > 0; i-- {
			when := at(s - float64(i)/float64(n))
			a.sent = append(a.sent, when)
			a.accepted = append(a.accepted, when)
		}
	}
	a := newAdaptiveRate(0, t0)
	for i := range 40 { // 40 accepted in the last second, as fast as concurrency allows
		now := at(0.5 + float64(i)*0.01)
		if a.wait(now) != 0 {
			t.Fatal("held back before any throttling")
		}
		a.take(now)
		a.answered(now, now, false)
	}
	if got := a.answered(at(1), at(0.99), true); got != rateLowered || a.rate != 0.7*40 {
		t.Fatalf("after a refusal: %v, rate %v, want 28", got, a.rate)
	}
	if got := a.answered(at(1.01), at(0.99), true); got != rateKept || a.rate != 28 {
		t.Errorf("a refusal sent before the cut lowered the rate again: %v, %v", got, a.rate)
	}
	if w := a.wait(at(1)); math.Abs(w.Seconds()-1.0/28) > 1e-6 {
		t.Errorf("first token after the cut in %v, want 1/28 s", w)
	}
	// The curve is back at the peak after the window, and above it later, demand allowing.
	back := 1 + a.window
	traffic(a, back, 80)
	a.answered(at(back), at(back), false)
	if math.Abs(a.rate-40) > 0.01 {
		t.Errorf("%.2fs after the cut: rate %v, want back at 40", a.window, a.rate)
	}
	traffic(a, back+2, 80)
	a.answered(at(back+2), at(back+2), false)
	if a.rate <= 40 {
		t.Errorf("2s after the window: rate %v, not probing above 40", a.rate)
	}
	// Without demand it does not climb further: twice what was sent in the last second is enough.
	rate := a.rate
	a.answered(at(back+3), at(back+3), false)
	if a.rate != rate {
		t.Errorf("rate %v without demand, was %v", a.rate, rate)
	}
	// A refusal at the same peak again probes more slowly next time.
	window := a.window
	traffic(a, 20, 40)
	a.answered(at(20), at(20), true)
	if math.Abs(a.peak-40) > 1 || a.window <= window {
		t.Errorf("peak %v, window %v after a refusal at the same peak, was %v", a.peak, a.window, window)
	}
	// Nothing sent or accepted at all: the floor, never zero.
	b := newAdaptiveRate(0, t0)
	b.answered(t0, t0, true)
	if b.rate != rateMinimum {
		t.Errorf("rate %v with nothing sent or accepted", b.rate)
	}
	// A ceiling holds from the start, and caps recovery.
	c := newAdaptiveRate(10, t0)
	if c.current() != 10 {
		t.Errorf("rate %v with a ceiling of 10", c.current())
	}
	traffic(c, 1, 10)
	c.answered(at(1), at(1), true)
	traffic(c, 60, 80)
	c.answered(at(60), at(60), false)
	if c.rate != 10 {
		t.Errorf("rate %v a minute after a refusal, want the ceiling 10", c.rate)
	}
	// A ceiling below the minimum rate is kept under throttling too.
	d := newAdaptiveRate(0.2, t0)
	d.answered(at(1), at(1), true)
	if d.rate != 0.2 {
		t.Errorf("rate %v after a refusal with a ceiling of 0.2", d.rate)
	}
}

// A fleet of listings read at once against a gateway's quota (60 backup plans of 5 pages, Terraform's 10
// reads at a time, 30 ms a request, starting cold): nothing fails, at most a tenth of the requests are
// refused, and the wall time is within 1.15 times the floor (the successful calls at the quota's pace,
// plus the same fleet's time without a quota). Run in a synctest bubble, so a minute of quota takes a
// second.
func TestSchedulerFleetAgainstAQuota(t *testing.T) {
	free := runFleet(t, &quotaGateway{perPlan: 500, latency: 30 * time.Millisecond}, 60, 10, nil)
	for _, q := range []float64{20, 5} {
		t.Run(fmt.Sprintf("quota %v", q), func(t *testing.T) {
			g := &quotaGateway{perPlan: 500, latency: 30 * time.Millisecond, perSecond: q, burst: q}
			r := runFleet(t, g, 60, 10, nil)
			floor := time.Duration(float64(r.requests-r.refused)/q*float64(time.Second)) + free.wall
			share := float64(r.refused) / float64(r.requests)
			t.Logf("wall %v, floor %v (%.2fx), %d requests, %d refused (%.1f%%)", r.wall.Round(time.Millisecond),
				floor.Round(time.Millisecond), float64(r.wall)/float64(floor), r.requests, r.refused, 100*share)
			if r.failed > 0 || r.requests-r.refused != 300 {
				t.Errorf("%d listings failed, %d successful requests for 300 pages", r.failed, r.requests-r.refused)
			}
			if share > 0.10 {
				t.Errorf("%.1f%% of requests refused, more than 10%%", 100*share)
			}
			if float64(r.wall) > 1.15*float64(floor) {
				t.Errorf("wall %v, more than 1.15 times the floor %v", r.wall, floor)
			}
		})
	}
}
