package dbs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// APIError is an answer of the API that is not a page: an HTTP error status, or Success:false.
type APIError struct {
	HTTPStatus int    // 0 when unknown
	Code       string // the gateway's Code, or DBS's ErrCode
	Message    string // Message or ErrMessage; for a body that is not JSON, its start, cleaned
	RequestID  string // from the body, else the x-acs-request-id header
	Recommend  string // the gateway's diagnosis link, when sent
	Page       int    // the 0-based page asked for; -1 when unknown
	Hint       string // what the user can do, for the codes that have a known remedy
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(apiAction)
	if e.Page >= 0 {
		fmt.Fprintf(&b, " page %d", e.Page)
	}
	b.WriteString(":")
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " HTTP %d", e.HTTPStatus)
	}
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (RequestId %s)", e.RequestID)
	}
	if e.Hint != "" {
		b.WriteString(". " + e.Hint)
	}
	if e.Recommend != "" {
		b.WriteString(". Diagnosis: " + e.Recommend)
	}
	return b.String()
}

// Throttled reports whether the API asked the caller to slow down.
func (e *APIError) Throttled() bool {
	return e.HTTPStatus == 429 || strings.Contains(e.Code, "Throttling")
}

// Codes that no retry can fix: the request is refused for who sent it or how it was signed.
var permanentCodes = map[string]bool{
	"SignatureDoesNotMatch":        true,
	"InvalidAccessKeyId.NotFound":  true,
	"InvalidAccessKeyId.Inactive":  true,
	"Request.Forbidden":            true,
	"Forbidden.RAM":                true,
	"InvalidTimeStamp.Expired":     true,
	"InvalidSecurityToken.Expired": true,
}

// Codes that mean "try again later", whatever HTTP status they come with.
var transientCodes = map[string]bool{
	"Throttling":         true,
	"Throttling.User":    true,
	"Throttling.Api":     true,
	"ServiceUnavailable": true,
	"InternalError":      true,
}

func (e *APIError) retryable() bool {
	switch {
	case permanentCodes[e.Code]:
		return false
	case transientCodes[e.Code] || e.Throttled():
		return true
	default:
		return e.HTTPStatus >= 500
	}
}

func hintFor(code string) string {
	switch {
	case code == "Request.Forbidden" || code == "Forbidden.RAM" || code == "Forbidden" || code == "NoPermission":
		return "Grant the RAM action dbs:DescribeRestoreTaskList to the user or role of these credentials"
	case code == "SignatureDoesNotMatch":
		return "Check the access key secret (secret_key): the signature made with it was refused"
	case strings.HasPrefix(code, "InvalidAccessKeyId"):
		return "Check the access key id (access_key): it is unknown or disabled"
	case code == "InvalidTimeStamp.Expired":
		return "Fix this machine's clock: requests are refused when it is more than 15 minutes off"
	case strings.HasPrefix(code, "InvalidSecurityToken"):
		return "Refresh the temporary (STS) credentials: the security token was refused"
	}
	return ""
}

// transportError is a request that got no usable answer: no connection, a timeout, a body cut short.
// Its text names the method and host only, never the query string or the headers.
type transportError struct {
	page   int
	target string // e.g. "POST https://dbs-api.cn-hangzhou.aliyuncs.com/"
	msg    string // the cause's text, with anything secret removed
	err    error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("%s page %d: %s: %s", apiAction, e.page, e.target, e.msg)
}

func (e *transportError) Unwrap() error { return e.err }

func (e *transportError) retryable() bool {
	// A certificate that does not verify will not verify next time either.
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verification     *tls.CertificateVerificationError
	)
	return !errors.As(e.err, &unknownAuthority) && !errors.As(e.err, &hostname) &&
		!errors.As(e.err, &invalid) && !errors.As(e.err, &verification)
}

// decodeError is a 2xx answer whose body is not a DescribeRestoreTaskList page.
type decodeError struct {
	page      int
	requestID string
	err       error
}

func (e *decodeError) Error() string {
	rid := ""
	if e.requestID != "" {
		rid = " (RequestId " + e.requestID + ")"
	}
	return fmt.Sprintf("%s page %d: unreadable response%s: %v", apiAction, e.page, rid, e.err)
}

func (e *decodeError) Unwrap() error { return e.err }

// retriedError is the last error of a request that was tried more than once.
type retriedError struct {
	err      error
	attempts int
	elapsed  time.Duration
}

func (e *retriedError) Error() string {
	return fmt.Sprintf("%v (gave up after %d attempts in %s)", e.err, e.attempts, e.elapsed.Round(time.Millisecond))
}

func (e *retriedError) Unwrap() error { return e.err }

// redactor removes from text every value that must never be shown: the secret, the token, the
// signature and the query string of the request that failed.
type redactor []string

func (r redactor) clean(s string) string {
	// Longest first, so that a value containing another (the Authorization header contains the
	// signature) is removed whole.
	sorted := slices.Clone(r)
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, secret := range sorted {
		if len(secret) >= 4 { // shorter values would blank out ordinary words
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// snippet is the start of a body that is not JSON, fit for an error message: secrets removed first (so
// that cutting cannot leave half of one), then control characters and runs of spaces folded, then cut.
func snippet(body []byte, r redactor, limit int) string {
	text := r.clean(strings.ToValidUTF8(string(body), "\uFFFD"))
	var b strings.Builder
	space := false
	for _, c := range text {
		if unicode.IsSpace(c) || !unicode.IsPrint(c) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(c)
		if b.Len() >= limit {
			break
		}
	}
	out := b.String()
	for len(out) > limit {
		_, size := utf8.DecodeLastRuneInString(out)
		out = out[:len(out)-size]
	}
	return out
}
