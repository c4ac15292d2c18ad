package emulator

import (
	"maps"
	"slices"
	"time"
)

// Stats counts what the server saw since New or the last Reset.
type Stats struct {
	Requests      int            // every HTTP request received
	Authenticated int            // requests whose key, timestamp, signature, nonce and token passed
	ByAction      map[string]int // requests by the action they named, "" for none, whether or not refused
	ByCode        map[string]int // answers by error Code (gateway) or ErrCode (DBS), faults included
	OverQuota     int            // DBS calls refused by the quota (SetQuota), also counted in ByCode
	InFlight      int            // requests being handled now
	MaxInFlight   int            // the most requests handled at once
}

// Request is one entry of the request log.
type Request struct {
	Seq       int // 1, 2, ... in the order requests finished, counted from New or the last Reset
	RequestID string
	Time      time.Time // the server clock when the request was looked at
	Method    string
	UserAgent string // the User-Agent header, so that a test can check who called
	Action    string
	Version   string
	// Signing is SigningACS3, SigningRPC, or "" when the request was refused before the scheme was known.
	Signing       string
	AccessKeyID   string // the key the request claims to be signed with
	SecurityToken bool   // whether a security token was sent
	Authenticated bool
	// Params are the action's parameters, the common signature parameters left out; nil when the request
	// was refused before they were read.
	Params   map[string]string
	PageNum  int64 // the page asked for (0 when absent or invalid)
	PageSize int64 // the page size asked for (30 when absent or invalid)
	Status   int   // the HTTP status sent (0 when the client went away first)
	// Code is the error Code or ErrCode sent, "" for a successful answer, CodeClientGone when the client
	// went away before an answer.
	Code    string
	Message string
	// Faults names the fault knobs that shaped the answer (Faults field names, e.g. "Throttle", or
	// "Quota" for a call the quota refused).
	Faults []string
	// StringToSign is the server's string to sign when the signature did not match, to debug a signer.
	StringToSign string
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByAction = maps.Clone(s.stats.ByAction)
	st.ByCode = maps.Clone(s.stats.ByCode)
	return st
}

// Requests returns the request log, oldest first (at most the last 10000 to 20000 requests).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		r.Params = maps.Clone(r.Params)
		r.Faults = slices.Clone(r.Faults)
		out[i] = r
	}
	return out
}

// Reset zeroes the counters and empties the request log. Requests in flight still count in InFlight and
// are logged when they finish. Spent nonces are remembered: a reset is no licence to replay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{
		ByAction:    map[string]int{},
		ByCode:      map[string]int{},
		InFlight:    s.stats.InFlight,
		MaxInFlight: s.stats.InFlight,
	}
	s.log = nil
	s.logged = 0
}
