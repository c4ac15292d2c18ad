package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
)

// Pick chooses the requests a fault hits. A request is hit when any of the set rules says so; the zero
// Pick hits none. Requests are counted 1, 2, ... from the SetFaults call, over the authenticated requests
// that reach a DBS action, whatever happens to them next.
type Pick struct {
	Every    int     // hit requests Every, 2*Every, ... (1 hits all)
	First    int     // hit requests 1..First
	Fraction float64 // hit each request with this probability (1 hits all)
	Seed     int64   // seeds Fraction's generator, so that a run can be repeated
}

// Always hits every request.
var Always = Pick{Every: 1}

// Faults are misbehaviours to serve. Set them with SetFaults; the zero Faults serves correctly.
// Answers from in front of the gateway and refusals are tried in the order Foreign, Redirect, Forbidden,
// Throttle, ServerError, DBSError, and the first hit answers the request. The transport faults break
// whatever answer is sent; the page faults change a successful page and may combine.
type Faults struct {
	// Foreign answers in DBS's place, as a proxy, a captive portal or a server that is not DBS would:
	// ForeignStatus (default 200) with ForeignBody and the Content-Type ForeignContentType (none when
	// empty), without the gateway's x-acs-request-id header.
	Foreign            Pick
	ForeignStatus      int
	ForeignContentType string
	ForeignBody        string

	// Redirect answers RedirectStatus (default 307) with the Location RedirectTo and no body, as a proxy
	// or a wrong endpoint might, without the gateway's x-acs-request-id header.
	Redirect       Pick
	RedirectStatus int
	RedirectTo     string

	// Forbidden answers 403 Request.Forbidden "Have no Permissions", as a RAM denial does.
	Forbidden Pick

	// Throttle answers in the gateway's form with ThrottleCode (Throttling, Throttling.User (default) or
	// Throttling.Api) under ThrottleStatus (default 400) and, when RetryAfter is set, a Retry-After header.
	Throttle       Pick
	ThrottleCode   string
	ThrottleStatus int
	RetryAfter     string

	// ServerError answers ServerErrorCode: ServiceUnavailable (503, the default) or InternalError (500).
	ServerError     Pick
	ServerErrorCode string

	// DBSError answers the DBS way: Success:false with ErrCode (default "InternalError") and ErrMessage,
	// under DBSErrStatus (default 200, the status that fools a client that only reads the status).
	DBSError     Pick
	ErrCode      string
	ErrMessage   string
	DBSErrStatus int

	// TruncateBody sends a complete HTTP response whose body is the first half of the JSON.
	TruncateBody Pick
	// DropConnection sends the headers (with the full Content-Length) and half the body, then closes the
	// connection (resets the stream under HTTP/2).
	DropConnection Pick

	// ShiftList inserts a new task at the front of the data set after a page is served, as when a restore
	// job is created while a client pages: later pages repeat an item and TotalElements grows. The new task
	// copies the query's first task, with a new RestoreTaskId ("rshift1", ...) and the query's BackupPlanId.
	ShiftList Pick
	// AbsurdTotals claims TotalPages AbsurdTotalPages and TotalElements AbsurdTotalElements.
	AbsurdTotals Pick
	// OversizePage serves PageSize+1 items (from the next page, else the query's first items again).
	OversizePage Pick
	// RepeatPrevious serves page n-1's items as page n (for a page n > 0 within the totals).
	RepeatPrevious Pick
	// EmptyPage serves no items on a page before the last, the totals unchanged.
	EmptyPage Pick
	// RepeatTask serves a page n > 0 within the totals with its first item replaced by the last item of
	// page n-1, the totals unchanged: as when a restore job is created at the front of the list while
	// another is deleted, one job is listed twice and another not at all.
	RepeatTask Pick
	// WrongType replaces WrongTypeField (default RestoreTaskCreateTime) with WrongTypeValue. A name of the
	// envelope (TotalElements, PageNum, Items, ...) changes the envelope, any other name the page's first
	// item. The default value is an array for a field holding a string, else the string "wrong type".
	WrongType      Pick
	WrongTypeField string
	WrongTypeValue json.RawMessage

	// OmitEmptyItems leaves Items out of a page with no items, which the API reference allows.
	OmitEmptyItems bool
}

// The totals the AbsurdTotals fault claims: more pages than any client should be willing to walk, and more
// elements than 32 bits hold.
const (
	AbsurdTotalPages    = 1_000_000_000
	AbsurdTotalElements = 1_000_000_000_000
)

// faultState holds the faults set and what deciding them needs: the request count and a generator per
// Pick, so that each Pick's Fraction is reproducible whatever the others do.
type faultState struct {
	f    Faults
	seq  int
	rngs []*rand.Rand
}

// picks names each Pick of f, in a fixed order that gives each its own generator stream.
func (f *Faults) picks() []namedPick {
	return []namedPick{
		{"Forbidden", &f.Forbidden}, {"Throttle", &f.Throttle}, {"ServerError", &f.ServerError},
		{"DBSError", &f.DBSError}, {"TruncateBody", &f.TruncateBody}, {"DropConnection", &f.DropConnection},
		{"ShiftList", &f.ShiftList}, {"AbsurdTotals", &f.AbsurdTotals}, {"OversizePage", &f.OversizePage},
		{"RepeatPrevious", &f.RepeatPrevious}, {"EmptyPage", &f.EmptyPage}, {"WrongType", &f.WrongType},
		// New picks go last, so that the generators of the others keep their streams.
		{"Foreign", &f.Foreign}, {"Redirect", &f.Redirect}, {"RepeatTask", &f.RepeatTask},
	}
}

type namedPick struct {
	name string
	p    *Pick
}

// PicksByName returns every Pick of f by its field name ("Throttle", "ShiftList", ...), so that faults
// can be set by name (the command's flags are) and a new fault is not forgotten there.
func (f *Faults) PicksByName() map[string]*Pick {
	m := map[string]*Pick{}
	for _, np := range f.picks() {
		m[np.name] = np.p
	}
	return m
}

// SetFaults replaces the faults and restarts their request count and generators.
func (s *Server) SetFaults(f Faults) {
	f.WrongTypeValue = append(json.RawMessage(nil), f.WrongTypeValue...)
	st := faultState{f: f}
	for i, np := range f.picks() {
		st.rngs = append(st.rngs, rand.New(rand.NewPCG(uint64(np.p.Seed), uint64(i))))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = st
}

// Faults returns the faults in effect.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.f
}

// drawFaults counts one more request and decides every Pick for it. Every generator draws for every
// request, so that whether one fault hits never shifts another's sequence.
func (s *Server) drawFaults() (Faults, map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.faults
	st.seq++
	hit := map[string]bool{}
	for i, np := range st.f.picks() {
		p := np.p
		h := p.Every > 0 && st.seq%p.Every == 0 || p.First > 0 && st.seq <= p.First
		if p.Fraction > 0 && st.rngs[i].Float64() < p.Fraction {
			h = true
		}
		if h {
			hit[np.name] = true
		}
	}
	return st.f, hit
}

// refusal answers a request hit by a gateway or DBS refusal fault and reports whether one hit.
func (c *call) refusal(f Faults, hit map[string]bool) bool {
	switch {
	case hit["Foreign"]:
		c.fault("Foreign")
		c.writeForeign(cmp.Or(f.ForeignStatus, 200), f.ForeignContentType, []byte(f.ForeignBody))
	case hit["Redirect"]:
		c.fault("Redirect")
		c.w.Header().Set("Location", f.RedirectTo)
		c.writeForeign(cmp.Or(f.RedirectStatus, 307), "", nil)
	case hit["Forbidden"]:
		c.fault("Forbidden")
		c.writeGatewayError(gatewayError(403, CodeForbidden, "Have no Permissions"))
	case hit["Throttle"]:
		c.fault("Throttle")
		code := cmp.Or(f.ThrottleCode, CodeThrottlingUser)
		msg := map[string]string{
			"Throttling":      "Request was denied due to flow control.",
			"Throttling.User": "Request was denied due to user flow control.",
			"Throttling.Api":  "Request was denied due to api flow control.",
		}[code]
		if msg == "" {
			msg = "Request was denied due to flow control."
		}
		if f.RetryAfter != "" {
			c.w.Header().Set("Retry-After", f.RetryAfter)
		}
		c.writeGatewayError(gatewayError(cmp.Or(f.ThrottleStatus, 400), code, "%s", msg))
	case hit["ServerError"]:
		c.fault("ServerError")
		if f.ServerErrorCode == CodeInternalError {
			c.writeGatewayError(gatewayError(500, CodeInternalError, "The request processing has failed due to some unknown error, exception or failure."))
		} else {
			c.writeGatewayError(gatewayError(503, cmp.Or(f.ServerErrorCode, CodeServiceUnavailable), "The request has failed due to a temporary failure of the server."))
		}
	case hit["DBSError"]:
		c.fault("DBSError")
		c.writeDBSError(cmp.Or(f.DBSErrStatus, 200), cmp.Or(f.ErrCode, "InternalError"),
			cmp.Or(f.ErrMessage, "The request processing has failed due to some unknown error."))
	default:
		return false
	}
	return true
}

func (c *call) fault(name string) { c.rec.Faults = append(c.rec.Faults, name) }

// writeForeign answers as something in front of the gateway would: the status, content type and body
// given, without the gateway's request id.
func (c *call) writeForeign(status int, contentType string, body []byte) {
	c.rec.Status = status
	h := c.w.Header()
	h.Del("x-acs-request-id")
	h["Content-Type"] = nil // no sniffed type when none is given
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	c.finish()
	c.w.WriteHeader(status)
	c.w.Write(body)
}

// writeBroken sends body the way the transport fault in c.transport breaks it.
func (c *call) writeBroken(status int, body []byte) {
	c.finish()
	half := body[:len(body)/2]
	h := c.w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	if c.transport == "TruncateBody" {
		h.Set("Content-Length", fmt.Sprint(len(half)))
		c.w.WriteHeader(status)
		c.w.Write(half)
		return
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if hj, ok := c.w.(http.Hijacker); ok {
		header := h.Clone()
		if conn, buf, err := hj.Hijack(); err == nil {
			defer conn.Close()
			// The connection is dropped on purpose right after, so write errors change nothing.
			_, _ = fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
			_ = header.Write(buf)
			_, _ = buf.WriteString("\r\n")
			_, _ = buf.Write(half)
			_ = buf.Flush()
			return
		}
	}
	// HTTP/2 cannot be hijacked; aborting the handler resets the stream, which the client sees alike.
	c.w.WriteHeader(status)
	c.w.Write(half)
	if f, ok := c.w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}
