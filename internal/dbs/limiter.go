package dbs

import (
	"context"
	"sync"
)

// limiter bounds the requests in flight for one call and adapts the bound to throttling, additive
// increase / multiplicative decrease: a throttled answer halves the limit (never below 1), and each run
// of successes as long as the current limit raises it by one, back up to the configured maximum.
type limiter struct {
	mu       sync.Mutex
	max      int
	limit    int
	inFlight int
	streak   int
	freed    chan struct{} // closed, and replaced, whenever a waiter may now proceed
}

func newLimiter(ceiling int) *limiter {
	return &limiter{max: ceiling, limit: ceiling, freed: make(chan struct{})}
}

func (l *limiter) acquire(ctx context.Context) error {
	for {
		l.mu.Lock()
		if l.inFlight < l.limit {
			l.inFlight++
			l.mu.Unlock()
			return nil
		}
		wait := l.freed
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wait:
		}
	}
}

func (l *limiter) release() {
	l.mu.Lock()
	l.inFlight--
	l.wake()
	l.mu.Unlock()
}

func (l *limiter) throttled() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.limit = max(1, l.limit/2)
	l.streak = 0
	l.mu.Unlock()
}

func (l *limiter) succeeded() {
	if l == nil {
		return
	}
	l.mu.Lock()
	if l.limit < l.max {
		l.streak++
		if l.streak >= l.limit {
			l.limit++
			l.streak = 0
			l.wake()
		}
	}
	l.mu.Unlock()
}

func (l *limiter) current() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// wake must be called with mu held.
func (l *limiter) wake() {
	close(l.freed)
	l.freed = make(chan struct{})
}
