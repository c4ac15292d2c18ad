package dbs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/acs"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/httpclient"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/redact"
)

const (
	backoffBase = 200 * time.Millisecond
	backoffCap  = 5 * time.Second
)

// listingRequests is what the requests of one listing share: how many were sent (Listing.Requests), and
// the gate every attempt passes with the listing's flow (shared by every page, batch and retry of it).
type listingRequests struct {
	sent atomic.Int64
	gate requestGate
	flow *flow
}

// requestGate is what an attempt waits for before it is sent, and hands its outcome back to: the client's
// scheduler (newListingRequests), or in a `-tags perlisting` build the limiter each listing had for itself before
// there was one (baseline_perlisting.go, for make bench to measure against).
type requestGate interface {
	acquire(ctx context.Context, f *flow) (ticket, error)
	release(ctx context.Context, t ticket, err error, retryAfter time.Duration)
}

// fetchPage reads one page under the retry policy: transient failures (throttling, 5xx, timeouts, dropped
// connections) are retried with exponential backoff and full jitter, honouring Retry-After, for as long
// as MaxRetryTimeout allows (the last wait is cut to what is left of it, so that the whole budget is
// used); everything else is returned at once.
func (c *Client) fetchPage(ctx context.Context, params url.Values, page int, requests *listingRequests) (*answer, error) {
	start := c.now()
	var first time.Time // when the first attempt was sent, after its wait in the scheduler's queue
	var last error
	for attempt := 1; ; attempt++ {
		// Every attempt passes the scheduler, retries included, so that a rate lowered by throttling
		// also holds back the retries of pages already started; no slot is held across the backoff wait.
		t, err := requests.gate.acquire(ctx, requests.flow)
		if err != nil {
			err = canceledError(ctx, page, attempt-1, last)
			c.logPage(ctx, page, 0, start, "", attempt-1, err)
			return nil, err
		}
		if attempt == 1 {
			first = c.now()
		}
		a, retryAfter, err := c.attempt(ctx, params, page, requests)
		requests.gate.release(ctx, t, err, retryAfter)
		if err == nil {
			c.logPage(ctx, page, len(a.tasks), start, a.requestID, attempt, nil)
			return a, nil
		}
		if ctx.Err() != nil {
			err = canceledError(ctx, page, attempt, last)
			c.logPage(ctx, page, 0, start, "", attempt, err)
			return nil, err
		}
		last = err
		retry, _ := classify(err)
		if !retry {
			return nil, c.giveUp(ctx, page, start, attempt, err)
		}
		wait := c.jitter(min(backoffCap, backoffBase<<min(attempt-1, 16)))
		if retryAfter > 0 {
			wait = retryAfter
		}
		left := c.maxRetry - c.now().Sub(first)
		if left <= 0 {
			return nil, c.giveUp(ctx, page, start, attempt, err)
		}
		wait = min(wait, left)
		c.logRetry(ctx, page, attempt, err, wait)
		if serr := c.sleep(ctx, wait); serr != nil {
			err = canceledError(ctx, page, attempt, last)
			c.logPage(ctx, page, 0, start, "", attempt, err)
			return nil, err
		}
	}
}

func (c *Client) giveUp(ctx context.Context, page int, start time.Time, attempts int, err error) error {
	c.logPage(ctx, page, 0, start, requestIDOf(err), attempts, err)
	if attempts == 1 {
		return err
	}
	return &retriedError{err: err, attempts: attempts, elapsed: c.now().Sub(start)}
}

func canceledError(ctx context.Context, page, attempts int, last error) error {
	if last == nil || attempts == 0 {
		return fmt.Errorf("%s page %d: %w", apiAction, page, ctx.Err())
	}
	return fmt.Errorf("%s page %d: %w after %s; the last failed with: %w", apiAction, page, ctx.Err(), plural(attempts, "attempt"), last)
}

// classify says whether err is worth another attempt and whether it asks us to slow down.
func classify(err error) (retry, throttled bool) {
	var apiErr *APIError
	var tErr *transportError
	var readErr *bodyReadError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.retryable(), apiErr.Throttled()
	case errors.As(err, &tErr):
		return tErr.retryable(), false
	case errors.As(err, &readErr):
		return true, false
	}
	return false, false
}

// attempt sends one signed request and reads its answer. retryAfter is what the server asked us to wait,
// if it said.
func (c *Client) attempt(ctx context.Context, params url.Values, page int, requests *listingRequests) (a *answer, retryAfter time.Duration, err error) {
	creds, err := c.creds.Credentials(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("%s page %d: getting credentials: %w", apiAction, page, err)
	}
	nonce, err := acs.NewNonce()
	if err != nil {
		return nil, 0, fmt.Errorf("%s page %d: making a signature nonce: %w", apiAction, page, err)
	}
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := &readTimer{limit: c.read, cancel: cancel}
	defer timer.stop()
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{GotConn: timer.start})

	u := *c.base
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, u.String(), nil)
	if err != nil {
		// The error would quote the URL; the URL is ours and was checked, so this cannot really happen.
		return nil, 0, fmt.Errorf("%s page %d: building the request failed", apiAction, page)
	}
	req.Header.Set("x-acs-action", apiAction)
	req.Header.Set("x-acs-version", apiVersion)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	signing := acs.Credentials{AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.AccessKeySecret, SecurityToken: creds.SecurityToken}
	if err := acs.Sign(req, nil, signing, nonce, c.now()); err != nil {
		return nil, 0, fmt.Errorf("%s page %d: signing the request: %w", apiAction, page, err)
	}
	// secrets are what no error of this attempt may quote.
	secrets := []string{creds.AccessKeySecret, creds.SecurityToken, req.URL.RawQuery, signatureOf(req), req.Header.Get("Authorization")}

	requests.sent.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, c.failure(ctx, actx, timer, page, err, secrets)
	}
	defer func() {
		// Drain a little so the connection can be reused; a body left unread closes it.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		resp.Body.Close()
	}()
	headerRID := resp.Header.Get("x-acs-request-id")
	retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())

	switch {
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		return nil, 0, c.redirectError(resp, page, secrets)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, retryAfter, withHint(c.errorResponse(resp, page, headerRID, secrets), creds.Origin)
	}
	notAPage := func(requestID string, err error) error {
		return &answerError{page: page, endpoint: c.endpoint(), status: resp.StatusCode,
			contentType: snippet([]byte(resp.Header.Get("Content-Type")), secrets, 100), requestID: requestID, err: err}
	}
	body, err := decodePage(resp.Body, maxBodyBytes)
	if err != nil {
		var readErr *bodyReadError
		if errors.As(err, &readErr) {
			return nil, retryAfter, c.failure(ctx, actx, timer, page, readErr, secrets)
		}
		return nil, retryAfter, notAPage(headerRID, err)
	}
	a, err = interpret(body, resp.StatusCode, page, headerRID, secrets)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr):
		return nil, retryAfter, withHint(err, creds.Origin)
	case err != nil:
		return nil, retryAfter, notAPage(cmp.Or(body.RequestID.Value, headerRID), err)
	}
	return a, retryAfter, nil
}

func (c *Client) endpoint() string { return c.base.Scheme + "://" + c.base.Host }

// errReadTimeout is the cause an attempt is cancelled with when its read timeout passes.
var errReadTimeout = errors.New("read timeout")

// readTimer bounds the reading of one answer, body included, which no setting of an http.Transport
// does: it starts when the transport hands the request its connection, and cancels the attempt with
// errReadTimeout when the read timeout passes before stop.
type readTimer struct {
	limit  time.Duration
	cancel context.CancelCauseFunc

	mu        sync.Mutex
	t         *time.Timer
	connected bool
	stopped   bool
}

func (r *readTimer) start(httptrace.GotConnInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.connected = true
	if r.t != nil {
		r.t.Stop()
	}
	r.t = time.AfterFunc(r.limit, func() { r.cancel(errReadTimeout) })
}

func (r *readTimer) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.t != nil {
		r.t.Stop()
	}
}

func (r *readTimer) wasConnected() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.connected
}

// failure turns a request or body read that failed into the error to report: a timeout naming the
// setting's bound, an endpoint that cannot work, or another transport failure (retried).
func (c *Client) failure(ctx, actx context.Context, timer *readTimer, page int, err error, secrets []string) error {
	err = httpclient.Cause(err)
	target := http.MethodPost + " " + c.base.String()
	var nerr net.Error
	switch {
	case ctx.Err() != nil:
		// The caller's own cancellation, which fetchPage reports.
	case errors.Is(context.Cause(actx), errReadTimeout):
		te := &TimeoutError{Phase: Read, Limit: c.read, err: err}
		return &transportError{page: page, target: target, msg: te.Error(), err: te}
	case errors.As(err, &nerr) && nerr.Timeout() && !timer.wasConnected():
		te := &TimeoutError{Phase: Connect, Limit: c.connect, err: err}
		return &transportError{page: page, target: target, msg: te.Error(), err: te}
	}
	if e := c.endpointProblem(err, page); e != nil {
		return e
	}
	msg := redact.Values(err.Error(), secrets...)
	var readErr *bodyReadError
	if !errors.As(err, &readErr) && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
		msg = "the server closed the connection without answering (" + msg + ")"
	}
	return &transportError{page: page, target: target, msg: msg, err: err}
}

// endpointProblem recognises the transport failures that say the endpoint cannot work, whatever the
// wait: DNS's answer that the host does not exist (not a failure to ask), a refused connection, and an
// answer in plain HTTP to TLS or in TLS to plain HTTP.
func (c *Client) endpointProblem(err error, page int) *EndpointError {
	e := &EndpointError{Endpoint: c.endpoint(), Page: page, err: err}
	var dnsErr *net.DNSError
	var errno syscall.Errno
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound && !dnsErr.IsTemporary && !dnsErr.IsTimeout:
		e.Problem, e.Address = NoSuchHost, dnsErr.Name
	case errors.As(err, &errno) && (errno == syscall.ECONNREFUSED || runtime.GOOS == "windows" && errno == wsaeConnRefused):
		e.Problem, e.Address = ConnectionRefused, c.base.Host
		if errors.As(err, &opErr) && opErr.Addr != nil {
			e.Address = opErr.Addr.String() // the address dialed: a proxy's, when one is used
		}
	case c.base.Scheme == "https" && errors.Is(err, http.ErrSchemeMismatch):
		e.Problem = SpeaksHTTP
	case c.base.Scheme == "http" && strings.Contains(err.Error(), `malformed HTTP response "\x15\x03`):
		// A TLS alert record (0x15 0x03 ...) where an HTTP status line was expected.
		e.Problem = SpeaksHTTPS
	default:
		return nil
	}
	return e
}

// wsaeConnRefused is Windows' WSAECONNREFUSED, which syscall.ECONNREFUSED does not match there.
const wsaeConnRefused = 10061

// tlsPortAnswers are what common servers answer a plain HTTP request on a TLS port with (Go, nginx,
// Apache), lower-cased.
var tlsPortAnswers = []string{"http request to an https server", "plain http request was sent to https port", "speaking plain http to an ssl-enabled server"}

// redirectError refuses a 3xx: a redirect would resend the signed headers and the security token to
// another host. Only the Location's host is named, never its URL, which may carry a query.
func (c *Client) redirectError(resp *http.Response, page int, secrets []string) error {
	where := "nowhere (no Location header)"
	if host, _ := httpclient.RedirectHost(resp); host != "" {
		where = snippet([]byte(host), secrets, 100)
	}
	return &EndpointError{Problem: Redirected, Endpoint: c.endpoint(), Address: where, Status: resp.StatusCode, Page: page}
}

// errorResponse turns a non-2xx answer into an *APIError, from its JSON body when it has one.
func (c *Client) errorResponse(resp *http.Response, page int, headerRID string, secrets []string) error {
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	if body, err := decodePage(strings.NewReader(string(raw)), maxErrorBodyBytes); err == nil {
		rid := body.RequestID.Value
		if rid == "" {
			rid = headerRID
		}
		e := errorFromBody(body, resp.StatusCode, page, rid, secrets)
		if e.Code == "" && e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		return e
	}
	if c.base.Scheme == "http" && resp.StatusCode == http.StatusBadRequest {
		lower := strings.ToLower(string(raw))
		for _, a := range tlsPortAnswers {
			if strings.Contains(lower, a) {
				return &EndpointError{Problem: SpeaksHTTPS, Endpoint: c.endpoint(), Page: page}
			}
		}
	}
	msg := snippet(raw, secrets, 200)
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
		if readErr != nil {
			msg += " (body unreadable)"
		}
	}
	return &APIError{HTTPStatus: resp.StatusCode, Message: msg, RequestID: headerRID, Page: page}
}

func signatureOf(req *http.Request) string {
	auth := req.Header.Get("Authorization")
	if i := strings.LastIndex(auth, "Signature="); i >= 0 {
		return auth[i+len("Signature="):]
	}
	return ""
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date; 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, 3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), time.Hour)
	}
	return 0
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func requestIDOf(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.RequestID
	}
	var aErr *answerError
	if errors.As(err, &aErr) {
		return aErr.requestID
	}
	return ""
}

func codeOf(err error) string {
	var apiErr *APIError
	var tErr *transportError
	var aErr *answerError
	var eErr *EndpointError
	switch {
	case errors.As(err, &apiErr):
		if apiErr.Code != "" {
			return apiErr.Code
		}
		return "HTTP " + strconv.Itoa(apiErr.HTTPStatus)
	case errors.As(err, &tErr):
		return "transport"
	case errors.As(err, &aErr):
		return "not a page"
	case errors.As(err, &eErr):
		return "endpoint"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "error"
}

// logPage writes the one line each page read ends with.
func (c *Client) logPage(ctx context.Context, page, items int, start time.Time, requestID string, attempt int, err error) {
	if c.log == nil {
		return
	}
	fields := map[string]any{
		"page":        page,
		"items":       items,
		"duration_ms": c.now().Sub(start).Milliseconds(),
		"request_id":  requestID,
		"attempt":     attempt,
	}
	if err != nil {
		fields["error_code"] = codeOf(err)
	}
	c.log(ctx, apiAction+" page", fields)
}

func (c *Client) logRetry(ctx context.Context, page, attempt int, err error, wait time.Duration) {
	if c.log == nil {
		return
	}
	c.log(ctx, apiAction+" retry", map[string]any{
		"page":       page,
		"attempt":    attempt,
		"error_code": codeOf(err),
		"request_id": requestIDOf(err),
		"wait_ms":    wait.Milliseconds(),
	})
}
