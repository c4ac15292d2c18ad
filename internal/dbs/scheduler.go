package dbs

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

// scheduler is the one gate every request of a Client passes, whatever listing it belongs to. It owns
// the provider configuration's concurrency (at most maxInFlight requests at once) and its rate (an
// adaptiveRate learned from throttling, and the pauses a server asks for with Retry-After), so that a
// fleet of listings read at once shares one quota instead of each knocking on it alone.
//
// Requests wait in one queue and are served in this order: requests of listings already started, the
// least recently served listing first, so that the listings in flight share the budget and finish; then
// the first requests of new listings, oldest first. A started listing is never held back for a new one:
// less is held in memory, and less is lost when a plan is cancelled.
type scheduler struct {
	now         func() time.Time
	sleep       func(ctx context.Context, d time.Duration) error
	log         LogFunc
	maxInFlight int
	maxPause    time.Duration // the longest Retry-After that holds back every request

	mu       sync.Mutex
	inFlight int
	rate     *adaptiveRate
	logged   float64   // the rate the last rate line reported
	paused   time.Time // no request is sent before this, as a Retry-After asked
	queue    []*waiter
	grants   uint64
	waiters  uint64
	flows    uint64
}

// flow is one listing's place in the scheduler: every page and retry of the listing is one flow.
type flow struct {
	id      uint64
	started bool   // whether any of its requests has been sent
	served  uint64 // the number of the grant its last request got
}

type waiter struct {
	flow *flow
	seq  uint64
	wake chan struct{} // signalled when it may have become the head, or the head's state changed
	// cancel ends the head's wait for a token early (nil when it is not waiting for one).
	cancel context.CancelFunc
}

// ticket is a granted request, handed back with its answer.
type ticket struct{ sent time.Time }

func newScheduler(maxInFlight int, ceiling float64, maxPause time.Duration, now func() time.Time,
	sleep func(context.Context, time.Duration) error, log LogFunc) *scheduler {
	return &scheduler{
		now: now, sleep: sleep, log: log, maxInFlight: maxInFlight, maxPause: maxPause,
		rate: newAdaptiveRate(ceiling, now()), logged: ceiling,
	}
}

// newFlow opens a listing's place in the queue, behind the listings opened before it.
func (s *scheduler) newFlow() *flow {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flows++
	return &flow{id: s.flows}
}

// before reports whether a is served before b.
func (a *waiter) before(b *waiter) bool {
	switch {
	case a.flow.started != b.flow.started:
		return a.flow.started
	case a.flow != b.flow && a.flow.started:
		return a.flow.served < b.flow.served
	case a.flow != b.flow:
		return a.flow.id < b.flow.id
	}
	return a.seq < b.seq
}

// head is the waiter served next; mu held.
func (s *scheduler) head() *waiter {
	var h *waiter
	for _, w := range s.queue {
		if h == nil || w.before(h) {
			h = w
		}
	}
	return h
}

// signalHead tells the head to look again: a slot, a token or its place may have changed. mu held.
func (s *scheduler) signalHead() {
	h := s.head()
	if h == nil {
		return
	}
	select {
	case h.wake <- struct{}{}:
	default:
	}
	if h.cancel != nil {
		h.cancel()
		h.cancel = nil
	}
}

func (s *scheduler) remove(w *waiter) {
	for i, q := range s.queue {
		if q == w {
			s.queue = append(s.queue[:i], s.queue[i+1:]...)
			return
		}
	}
}

// acquire waits until f's request is the head of the queue, a request slot is free and the rate allows
// one more, and takes them. Only the head waits for time to pass; the others wait to become the head.
func (s *scheduler) acquire(ctx context.Context, f *flow) (ticket, error) {
	w := &waiter{flow: f, wake: make(chan struct{}, 1)}
	s.mu.Lock()
	s.waiters++
	w.seq = s.waiters
	s.queue = append(s.queue, w)
	for {
		if err := ctx.Err(); err != nil {
			s.remove(w)
			s.signalHead()
			s.mu.Unlock()
			return ticket{}, err
		}
		if s.head() != w || s.inFlight >= s.maxInFlight {
			s.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-w.wake:
			}
			s.mu.Lock()
			continue
		}
		now := s.now()
		wait := max(s.paused.Sub(now), s.rate.wait(now))
		if wait <= 0 {
			s.rate.take(now)
			s.inFlight++
			s.grants++
			f.started, f.served = true, s.grants
			s.remove(w)
			s.signalHead() // the next may go at once when neither slots nor tokens are short
			s.mu.Unlock()
			return ticket{sent: now}, nil
		}
		wctx, cancel := context.WithCancel(ctx)
		w.cancel = cancel
		s.mu.Unlock()
		_ = s.sleep(wctx, wait) // ended early by signalHead or ctx; both are looked at above
		cancel()
		s.mu.Lock()
		w.cancel = nil
	}
}

// release hands back a granted request's slot with what came of it: err is the attempt's error (nil for
// a page), retryAfter what the server asked to wait. Answers teach the rate; a Retry-After holds back
// every request of the client, up to maxPause.
func (s *scheduler) release(ctx context.Context, t ticket, err error, retryAfter time.Duration) {
	var apiErr *APIError
	var notAPage *answerError
	answered, throttled := false, false
	switch {
	case err == nil, errors.As(err, &notAPage):
		answered = true
	case errors.As(err, &apiErr):
		answered, throttled = true, apiErr.Throttled()
	}

	s.mu.Lock()
	s.inFlight--
	now := s.now()
	change := rateKept
	if answered {
		change = s.rate.answered(now, t.sent, throttled)
	}
	pause := min(retryAfter, s.maxPause)
	paused := pause > 0 && now.Add(pause).After(s.paused)
	if paused {
		s.paused = now.Add(pause)
	}
	rate := s.rate.current()
	// Every fall is a line; a rise only once it is a tenth above the last line, or back at the ceiling,
	// so that recovering (a little on every answer) does not flood the log.
	line := change == rateLowered ||
		change == rateRaised && (rate >= s.logged*1.1 || rate == s.rate.ceiling && s.logged != rate)
	if line {
		s.logged = rate
	}
	peak, peakSent := s.rate.peak, s.rate.peakSent
	s.signalHead()
	s.mu.Unlock()

	if s.log == nil {
		return
	}
	if line {
		fields := map[string]any{"requests_per_second": round2(rate)}
		if change == rateLowered {
			fields["reason"] = "throttled"
			fields["error_code"] = apiErr.Code
			fields["request_id"] = apiErr.RequestID
			if peakSent {
				fields["sent_per_second"] = round2(peak)
			} else {
				fields["accepted_per_second"] = round2(peak)
			}
		} else {
			fields["reason"] = "recovering after throttling"
		}
		s.log(ctx, apiAction+" rate", fields)
	}
	if paused {
		fields := map[string]any{"reason": "Retry-After", "pause_ms": pause.Milliseconds()}
		if apiErr != nil {
			fields["error_code"], fields["request_id"] = apiErr.Code, apiErr.RequestID
		}
		s.log(ctx, apiAction+" rate", fields)
	}
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
