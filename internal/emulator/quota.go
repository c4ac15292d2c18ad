package emulator

import (
	"math"
	"time"
)

// Quota is the gateway's flow control for DBS: a token bucket of PerSecond calls a second that holds at
// most Burst calls (0 means one second's worth, and never less than one), full when set. A DBS call that
// finds it empty is refused as the gateway refuses one, HTTP 400 Throttling.User "Request was denied due
// to user flow control.", after authentication and before the action or any fault. The zero Quota
// refuses nothing.
type Quota struct {
	PerSecond float64
	Burst     float64
}

// quotaState is the bucket of the quota in effect.
type quotaState struct {
	q      Quota
	tokens float64
	filled time.Time
}

// SetQuota replaces the quota, its bucket full.
func (s *Server) SetQuota(q Quota) {
	if q.PerSecond > 0 && q.Burst <= 0 {
		q.Burst = math.Max(1, q.PerSecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota = quotaState{q: q, tokens: q.Burst, filled: s.clock()}
}

// Quota returns the quota in effect.
func (s *Server) Quota() Quota {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quota.q
}

// overQuota spends a token of the quota for a call at now, and reports whether there was none to spend.
func (s *Server) overQuota(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.quota
	if st.q.PerSecond <= 0 {
		return false
	}
	if elapsed := now.Sub(st.filled).Seconds(); elapsed > 0 {
		st.tokens = math.Min(st.q.Burst, st.tokens+elapsed*st.q.PerSecond)
		st.filled = now
	}
	if st.tokens < 1 {
		s.stats.OverQuota++
		return true
	}
	st.tokens--
	return false
}
