// Package httpclient builds the provider's HTTP clients: the DBS client's and the credential sources'.
// Each refuses redirects, takes its proxy from the environment (HTTPS_PROXY, NO_PROXY) and bounds
// connecting. It imports nothing of the provider's.
package httpclient

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Options are what the clients of the provider differ in.
type Options struct {
	// ConnectTimeout bounds resolving and connecting, and then the TLS handshake, each.
	ConnectTimeout time.Duration
	// Timeout bounds a whole request, its answer read; 0 leaves it to the caller.
	Timeout time.Duration
	// MaxIdleConnsPerHost is how many idle connections are kept for one host (0: Go's default of 2), and
	// twice as many in all.
	MaxIdleConnsPerHost int
}

// New returns a client that never follows a redirect: a 3xx answer is returned as it is, for the caller
// to refuse with an error of its own (RedirectHost says where it pointed). A redirect would carry a
// signed request, a security token, an OIDC token or a metadata token to a host nobody configured.
func New(o Options) *http.Client {
	var t *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone() // HTTP/2, and Go's other defaults
	} else {
		t = &http.Transport{ForceAttemptHTTP2: true}
	}
	// As credentials-go and every Alibaba Cloud SDK do: behind a proxy, HTTPS_PROXY reaches the service,
	// and NO_PROXY must list 100.100.100.200 for the ECS metadata service.
	t.Proxy = http.ProxyFromEnvironment
	t.DialContext = (&net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = o.ConnectTimeout
	perHost := o.MaxIdleConnsPerHost
	if perHost == 0 {
		perHost = http.DefaultMaxIdleConnsPerHost
	}
	t.MaxIdleConnsPerHost = perHost
	t.MaxIdleConns = 2 * perHost
	t.IdleConnTimeout = 90 * time.Second
	return &http.Client{
		Transport:     t,
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// RedirectHost is the host the Location of a redirect points to, resolved against the request's URL,
// never its path or query, which may carry a token; hasLocation says whether the answer had a Location
// at all ("" with true: one that names no host or cannot be read).
func RedirectHost(resp *http.Response) (host string, hasLocation bool) {
	if resp.Header.Get("Location") == "" {
		return "", false
	}
	u, err := resp.Location()
	if err != nil {
		return "", true
	}
	return u.Host, true
}

// Cause is err, a failure of http.Client.Do, without the *url.Error around it, whose text quotes the
// whole URL: its query may carry a signature or a token, and the caller names the service already.
func Cause(err error) error {
	var u *url.Error
	if errors.As(err, &u) {
		return u.Err
	}
	return err
}
