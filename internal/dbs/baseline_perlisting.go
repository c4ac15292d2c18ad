//go:build perlisting

package dbs

import (
	"context"
	"sync"
	"time"
)

// A `-tags perlisting` build reads each listing as the client did before it had a scheduler: each
// listing on its own, up to MaxConcurrentRequests requests in flight, a limit that a throttled answer
// halves and a run of successes as long as the limit raises by one, with no rate and no knowledge of
// the other listings. It is never released; make bench builds it to measure a fleet against the same
// provider with the scheduler.

func (c *Client) newListingRequests() *listingRequests {
	return &listingRequests{gate: newListingLimiter(c.concurrency)}
}

// listingLimiter is the listing's own limit on its requests in flight, additive increase and
// multiplicative decrease.
type listingLimiter struct {
	mu       sync.Mutex
	max      int
	limit    int
	inFlight int
	streak   int
	freed    chan struct{} // closed, and replaced, whenever a waiter may now proceed
}

func newListingLimiter(ceiling int) *listingLimiter {
	return &listingLimiter{max: ceiling, limit: ceiling, freed: make(chan struct{})}
}

func (l *listingLimiter) acquire(ctx context.Context, _ *flow) (ticket, error) {
	for {
		l.mu.Lock()
		if l.inFlight < l.limit {
			l.inFlight++
			l.mu.Unlock()
			return ticket{}, nil
		}
		wait := l.freed
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return ticket{}, ctx.Err()
		case <-wait:
		}
	}
}

func (l *listingLimiter) release(_ context.Context, _ ticket, err error, _ time.Duration) {
	_, throttled := classify(err)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	switch {
	case throttled:
		l.limit = max(1, l.limit/2)
		l.streak = 0
	case err == nil && l.limit < l.max:
		l.streak++
		if l.streak >= l.limit {
			l.limit++
			l.streak = 0
		}
	}
	close(l.freed)
	l.freed = make(chan struct{})
}
