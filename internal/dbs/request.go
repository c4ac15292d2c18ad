package dbs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/acs"
)

const (
	backoffBase = 200 * time.Millisecond
	backoffCap  = 5 * time.Second
)

// session is what the requests of one call share: the request count it reports and the concurrency
// limit that throttling lowers (shared by every page and batch of a listing).
type session struct {
	requests atomic.Int64
	limit    *limiter
}

// fetchPage reads one page under the retry policy: transient failures (throttling, 5xx, timeouts, dropped
// connections) are retried with exponential backoff and full jitter, honouring Retry-After, for as long
// as MaxRetryTimeout allows (the last wait is cut to what is left of it, so that the whole budget is
// used); everything else is returned at once.
func (c *Client) fetchPage(ctx context.Context, params url.Values, page int, s *session) (*answer, error) {
	start := c.now()
	var last error
	for attempt := 1; ; attempt++ {
		// A slot is held per attempt, not across the backoff wait, so that a limit lowered by
		// throttling also holds back the retries of pages already started.
		if err := s.limit.acquire(ctx); err != nil {
			err = canceledError(ctx, page, attempt-1, last)
			c.logPage(ctx, page, 0, start, "", attempt-1, err)
			return nil, err
		}
		a, retryAfter, err := c.attempt(ctx, params, page, s)
		s.limit.release()
		if err == nil {
			s.limit.succeeded()
			c.logPage(ctx, page, len(a.tasks), start, a.requestID, attempt, nil)
			return a, nil
		}
		if ctx.Err() != nil {
			err = canceledError(ctx, page, attempt, last)
			c.logPage(ctx, page, 0, start, "", attempt, err)
			return nil, err
		}
		last = err
		retry, throttled := classify(err)
		if throttled {
			s.limit.throttled()
		}
		if !retry {
			return nil, c.giveUp(ctx, page, start, attempt, err)
		}
		wait := c.jitter(min(backoffCap, backoffBase<<min(attempt-1, 16)))
		if retryAfter > 0 {
			wait = retryAfter
		}
		left := c.maxRetry - c.now().Sub(start)
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
func (c *Client) attempt(ctx context.Context, params url.Values, page int, s *session) (a *answer, retryAfter time.Duration, err error) {
	creds, err := c.creds.Credentials(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("%s page %d: getting credentials: %w", apiAction, page, err)
	}
	nonce, err := acs.NewNonce()
	if err != nil {
		return nil, 0, fmt.Errorf("%s page %d: making a signature nonce: %w", apiAction, page, err)
	}
	u := *c.base
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
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
	red := redactor{creds.AccessKeySecret, creds.SecurityToken, req.URL.RawQuery, signatureOf(req), req.Header.Get("Authorization")}
	target := http.MethodPost + " " + c.base.String()

	s.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error quotes the full URL; keep only its cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		msg := red.clean(err.Error())
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			msg = "the server closed the connection without answering (" + msg + ")"
		}
		return nil, 0, &transportError{page: page, target: target, msg: msg, err: err}
	}
	defer func() {
		// Drain a little so the connection can be reused; a body left unread closes it.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		resp.Body.Close()
	}()
	headerRID := resp.Header.Get("x-acs-request-id")
	retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, retryAfter, c.errorResponse(resp, page, headerRID, red)
	}
	body, err := decodePage(resp.Body, maxBodyBytes)
	if err != nil {
		var readErr *bodyReadError
		if errors.As(err, &readErr) {
			return nil, retryAfter, &transportError{page: page, target: target,
				msg: red.clean(readErr.Error()), err: readErr}
		}
		return nil, retryAfter, &decodeError{page: page, requestID: headerRID, err: err}
	}
	a, apiErr := interpret(body, resp.StatusCode, page, headerRID, red)
	if apiErr != nil {
		return nil, retryAfter, apiErr
	}
	return a, retryAfter, nil
}

// errorResponse turns a non-2xx answer into an *APIError, from its JSON body when it has one.
func (c *Client) errorResponse(resp *http.Response, page int, headerRID string, red redactor) error {
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	if body, err := decodePage(strings.NewReader(string(raw)), maxErrorBodyBytes); err == nil {
		rid := body.RequestID.Value
		if rid == "" {
			rid = headerRID
		}
		e := errorFromBody(body, resp.StatusCode, page, rid, red)
		if e.Code == "" && e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		return e
	}
	msg := snippet(raw, red, 200)
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
	var dErr *decodeError
	if errors.As(err, &dErr) {
		return dErr.requestID
	}
	return ""
}

func codeOf(err error) string {
	var apiErr *APIError
	var tErr *transportError
	var dErr *decodeError
	switch {
	case errors.As(err, &apiErr):
		if apiErr.Code != "" {
			return apiErr.Code
		}
		return "HTTP " + strconv.Itoa(apiErr.HTTPStatus)
	case errors.As(err, &tErr):
		return "transport"
	case errors.As(err, &dErr):
		return "decode"
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
