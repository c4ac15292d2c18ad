package httpclient

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestNew_redirectIsReturnedNotFollowed(t *testing.T) {
	followed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed = true
			return
		}
		http.Redirect(w, r, "/elsewhere?token=secret", http.StatusFound)
	}))
	defer srv.Close()

	res, err := New(Options{ConnectTimeout: time.Second}).Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || followed {
		t.Fatalf("status %d, followed %v: the redirect must come back unfollowed", res.StatusCode, followed)
	}
	if host, has := RedirectHost(res); host != srv.Listener.Addr().String() || !has {
		t.Errorf("RedirectHost = %q, %v; want the request's own host for a relative Location", host, has)
	}
}

func TestNew_options(t *testing.T) {
	c := New(Options{ConnectTimeout: 3 * time.Second, Timeout: 7 * time.Second, MaxIdleConnsPerHost: 32})
	tr := c.Transport.(*http.Transport)
	if c.Timeout != 7*time.Second || tr.TLSHandshakeTimeout != 3*time.Second || tr.MaxIdleConnsPerHost != 32 || tr.MaxIdleConns != 64 || tr.Proxy == nil {
		t.Errorf("client timeout %s, TLS handshake %s, idle %d per host and %d in all, proxy set %v",
			c.Timeout, tr.TLSHandshakeTimeout, tr.MaxIdleConnsPerHost, tr.MaxIdleConns, tr.Proxy != nil)
	}
	if tr := New(Options{}).Transport.(*http.Transport); tr.MaxIdleConnsPerHost != http.DefaultMaxIdleConnsPerHost || tr.MaxIdleConns != 2*http.DefaultMaxIdleConnsPerHost {
		t.Errorf("default idle connections %d per host, %d in all", tr.MaxIdleConnsPerHost, tr.MaxIdleConns)
	}
}

func TestRedirectHost(t *testing.T) {
	request, _ := http.NewRequest(http.MethodGet, "https://sts.example.com/path", nil)
	for _, tc := range []struct {
		location string
		host     string
		has      bool
	}{
		{"", "", false},
		{"https://evil.example:8443/steal?token=x", "evil.example:8443", true},
		{"/other", "sts.example.com", true},
		{"http://%zz", "", true},
	} {
		res := &http.Response{Header: http.Header{}, Request: request}
		if tc.location != "" {
			res.Header.Set("Location", tc.location)
		}
		if host, has := RedirectHost(res); host != tc.host || has != tc.has {
			t.Errorf("Location %q: RedirectHost = %q, %v; want %q, %v", tc.location, host, has, tc.host, tc.has)
		}
	}
}

// Cause drops the *url.Error of a failed request, whose text quotes the URL and so its query.
func TestCause(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there any more
	resp, err := New(Options{ConnectTimeout: time.Second}).Get(addr + "/?Signature=s3cr3t-signature")
	if err == nil {
		resp.Body.Close()
		t.Fatal("a request to a closed server succeeded")
	}
	if !strings.Contains(err.Error(), "s3cr3t-signature") {
		t.Fatalf("the test is void: http.Client's error %q does not quote the URL", err)
	}
	if got := Cause(err); got == nil || strings.Contains(got.Error(), "s3cr3t-signature") || strings.Contains(got.Error(), addr) {
		t.Errorf("Cause(err) = %v; want the failure without the URL", got)
	}
	plain := errors.New("plain")
	if got := Cause(plain); !errors.Is(got, plain) || got.Error() != "plain" {
		t.Errorf("Cause(plain) = %v; want it as it is", got)
	}
}
