package dbs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/redact"
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

// hintFor says what the user can do about an error code, if anything is known. The codes about the
// key, its secret or its token name where the credentials came from (origin, "" when unknown): a wrong
// ALICLOUD_SECRET_KEY must not send the user to a secret_key their provider block does not have.
func hintFor(code, origin string) string {
	from := "these credentials"
	if origin != "" {
		from = "the credentials from " + origin
	}
	switch {
	case code == "Request.Forbidden" || code == "Forbidden.RAM" || code == "Forbidden" || code == "NoPermission":
		return "Grant the RAM action dbs:DescribeRestoreTaskList to the user or role of " + from
	case code == "SignatureDoesNotMatch":
		return "The signature made with the access key secret was refused: check the secret of " + from
	case strings.HasPrefix(code, "InvalidAccessKeyId"):
		return "The access key id is unknown or disabled: check the access key of " + from
	case code == "InvalidTimeStamp.Expired":
		return "Fix this machine's clock: requests are refused when it is more than 15 minutes off"
	case code == "InvalidSecurityToken.Missing":
		return "The access key is temporary (an STS key) and needs the security token it was issued with, which was not sent: " +
			"set the token where the key is set, " + from + " (security_token in the provider block, " +
			"ALICLOUD_SECURITY_TOKEN or ALIBABA_CLOUD_SECURITY_TOKEN in the environment, sts_token in a StsToken profile)"
	case code == "InvalidSecurityToken.Expired":
		return "The temporary (STS) credentials have expired: renew " + from
	case strings.HasPrefix(code, "InvalidSecurityToken"):
		return "The security token was refused: it does not belong to the access key, or the key is permanent and takes none; check " + from
	}
	return ""
}

// withHint sets the hint of an API error from its code and the origin of the credentials that signed
// the request; any other error (an endpoint that speaks the other scheme, say) is returned as it is.
func withHint(err error, origin string) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Hint = hintFor(apiErr.Code, origin)
	}
	return err
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

// answerError is a 2xx answer that is not a DescribeRestoreTaskList page: JSON that is malformed, cut
// short or of the wrong shape, a body without the page's own fields (a proxy's or a captive portal's
// page, `{}`), or a restore job without an id. Its text names where the answer came from and what it said
// it was, since the body itself is not shown.
type answerError struct {
	page        int
	endpoint    string // scheme://host of the client
	status      int
	contentType string // cleaned for display; "" when absent
	requestID   string
	err         error
}

func (e *answerError) Error() string {
	ct := "no Content-Type"
	if e.contentType != "" {
		ct = "Content-Type " + e.contentType
	}
	return fmt.Sprintf("%s page %d: the answer from %s (HTTP %d, %s) is not a %s page: %v%s",
		apiAction, e.page, e.endpoint, e.status, ct, apiAction, e.err, ridSuffix(e.requestID))
}

func (e *answerError) Unwrap() error { return e.err }

// EndpointError is a request that reached no DBS API at the endpoint, for a reason that waiting does not
// mend: the host does not exist, nothing listens at its port, it speaks the other scheme, or it redirects.
// It is never retried.
type EndpointError struct {
	Problem EndpointProblem
	// Endpoint is the client's scheme://host[:port].
	Endpoint string
	// Address is, for NoSuchHost, the name DNS does not know; for ConnectionRefused, the address that
	// refused; for Redirected, the host of the Location (never the whole URL, which may carry a query).
	Address string
	// Status is the HTTP status of a redirect, else 0.
	Status int
	Page   int
	err    error
}

// EndpointProblem says what is wrong with an endpoint.
type EndpointProblem int

const (
	// NoSuchHost: DNS answered that the host does not exist (NXDOMAIN), not that it could not tell.
	NoSuchHost EndpointProblem = iota + 1
	// ConnectionRefused: the address was reached and nothing accepts connections at its port.
	ConnectionRefused
	// SpeaksHTTP: the request was sent over TLS (https://) and the endpoint answered in plain HTTP.
	SpeaksHTTP
	// SpeaksHTTPS: the request was sent in plain HTTP (http://) and the endpoint expects TLS.
	SpeaksHTTPS
	// Redirected: the endpoint answered a 3xx redirect, which is not followed.
	Redirected
)

func (e *EndpointError) Error() string {
	var what string
	switch e.Problem {
	case NoSuchHost:
		what = fmt.Sprintf("the host %s does not exist (DNS: no such host)", e.Address)
	case ConnectionRefused:
		what = fmt.Sprintf("the connection was refused at %s: nothing accepts connections there", e.Address)
	case SpeaksHTTP:
		what = "the endpoint answered in plain HTTP to a request over HTTPS: it speaks http://, not https://"
	case SpeaksHTTPS:
		what = "the endpoint expects HTTPS (TLS) and was sent plain HTTP: it speaks https://, not http://"
	case Redirected:
		what = fmt.Sprintf("HTTP %d, a redirect to the host %s, which is not followed: a signed request is only sent to the endpoint it was signed for", e.Status, e.Address)
	default:
		what = "the endpoint cannot be used"
	}
	return fmt.Sprintf("%s page %d: POST %s/: %s", apiAction, e.Page, e.Endpoint, what)
}

func (e *EndpointError) Unwrap() error { return e.err }

// TimeoutError is an attempt that ran out of the connect or read timeout. Timeouts are retried: its
// text is what the last attempt met.
type TimeoutError struct {
	Phase TimeoutPhase
	Limit time.Duration
	err   error
}

// TimeoutPhase is the part of an attempt a timeout bounds.
type TimeoutPhase int

const (
	// Connect: resolving and connecting, or the TLS handshake (Config.ConnectTimeout).
	Connect TimeoutPhase = iota + 1
	// Read: the answer, from the connection being ready to its last byte (Config.ReadTimeout).
	Read
)

func (e *TimeoutError) Error() string {
	if e.Phase == Connect {
		return fmt.Sprintf("no connection within the connect timeout of %s", e.Limit)
	}
	return fmt.Sprintf("no complete answer within the read timeout of %s", e.Limit)
}

func (e *TimeoutError) Unwrap() error { return e.err }

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

// snippet is the start of a body that is not JSON, fit for an error message: secrets removed first (so
// that cutting cannot leave half of one), then control characters and runs of spaces folded, then cut.
func snippet(body []byte, secrets []string, limit int) string {
	text := redact.Values(strings.ToValidUTF8(string(body), "\uFFFD"), secrets...)
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
