package dbs

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A 2xx answer without the page's own fields is no listing: an error naming the host, the HTTP status,
// the Content-Type and the request id when there is one, at once, never an empty list.
func TestAnswersThatAreNotAPage(t *testing.T) {
	for name, tc := range map[string]struct {
		status      int
		contentType string
		body        string
		want        []string
	}{
		"empty object":            {200, "application/json", `{}`, []string{"neither Success nor any of Items, TotalElements and TotalPages"}},
		"request id only":         {200, "application/json", `{"RequestId":"RID-ONLY"}`, []string{"(RequestId RID-ONLY)", "neither Success"}},
		"success only":            {200, "application/json", `{"Success":true,"RequestId":"RID-S"}`, []string{"has Success but none of Items", "(RequestId RID-S)"}},
		"success and echoes only": {200, "application/json", `{"Success":true,"PageNum":0,"PageSize":30}`, []string{"has Success but none of Items"}},
		"counts without Success":  {200, "application/json", `{"TotalElements":0,"TotalPages":0,"Items":{}}`, []string{"it has no Success"}},
		"a proxy's JSON":          {200, "application/json; charset=utf-8", `{"status":"ok","login":"https://portal.example/"}`, []string{"neither Success"}},
		"captive portal HTML":     {200, "text/html; charset=UTF-8", "<html><title>Sign in to the Wi-Fi</title></html>", []string{"Content-Type text/html; charset=UTF-8", "malformed JSON"}},
		"no content type":         {202, "", `{}`, []string{"HTTP 202, no Content-Type"}},
		"empty 200":               {200, "text/plain", ``, []string{"empty body"}},
	} {
		t.Run(name, func(t *testing.T) {
			var requests atomic.Int32
			srv := func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				w.Header()["Content-Type"] = nil // no sniffing
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}
			c, _ := newTestClient(t, http.HandlerFunc(srv), nil)
			host := c.base.Host
			for _, read := range []func() (*Listing, error){
				func() (*Listing, error) { return c.ListRestoreTasks(context.Background(), Query{}) },
				func() (*Listing, error) { return c.ListRestoreTasksPage(context.Background(), Query{}, 3) },
			} {
				requests.Store(0)
				l, err := read()
				if l != nil || err == nil {
					t.Fatalf("a listing: %+v", l)
				}
				want := append([]string{"the answer from http://" + host + " (HTTP " + strconv.Itoa(tc.status), "is not a DescribeRestoreTaskList page"}, tc.want...)
				if tc.contentType != "" {
					want = append(want, "Content-Type "+tc.contentType)
				}
				for _, w := range want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if n := requests.Load(); n != 1 {
					t.Errorf("%d requests: an answer that is not a page is not retried", n)
				}
			}
		})
	}
}

// A restore job without a RestoreTaskId (absent, null, empty) fails the read naming the page and the
// request id: it cannot be told apart from another, so neither order nor repeats could be checked.
func TestTaskWithoutIDIsAnError(t *testing.T) {
	for name, job := range map[string]string{
		"absent": `{"RestoreTaskName":"x"}`,
		"null":   `{"RestoreTaskId":null}`,
		"empty":  `{"RestoreTaskId":""}`,
	} {
		t.Run(name, func(t *testing.T) {
			fake := newFakeDBS(t, 300)
			fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
				if page != 2 {
					return false
				}
				w.Header().Set("x-acs-request-id", "HDR-2")
				w.Write([]byte(`{"Success":true,"RequestId":"BODY-2","TotalElements":300,"Items":{"RestoreTaskDetail":[{"RestoreTaskId":"s00200"},` + job + `]}}`))
				return true
			}
			c, _ := newTestClient(t, fake, nil)
			l, err := c.ListRestoreTasks(context.Background(), Query{})
			if l != nil || err == nil {
				t.Fatal("a listing")
			}
			for _, w := range []string{"page 2", "restore job 2 of the page (Items.RestoreTaskDetail[1]) has no RestoreTaskId", "(RequestId BODY-2)"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}

	// A server that pages id-less jobs without counts is stopped at its first page, not after 100,000.
	fake := newFakeDBS(t, 0)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		w.Write([]byte(`{"Success":true,"Items":{"RestoreTaskDetail":[{},{}]}}`))
		return true
	}
	c, _ := newTestClient(t, fake, nil)
	if _, err := c.ListRestoreTasks(context.Background(), Query{PageSize: 2}); err == nil {
		t.Fatal("no error")
	}
	if n, _ := fake.stats(); n != 1 {
		t.Errorf("%d requests", n)
	}
}

// A redirect is never followed: nothing is sent to the other host, and the error names the status and
// the Location's host only, never its URL (which may carry a query).
func TestRedirectIsNotFollowed(t *testing.T) {
	var followed atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	defer other.Close()
	for _, status := range []int{301, 302, 307, 308} {
		c, clock := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/collect?token=LEAKED-QUERY", status)
		}), nil)
		_, err := c.ListRestoreTasks(context.Background(), Query{})
		var endpointErr *EndpointError
		if !errors.As(err, &endpointErr) || endpointErr.Problem != Redirected || endpointErr.Status != status ||
			endpointErr.Address != strings.TrimPrefix(other.URL, "http://") {
			t.Fatalf("%d: %v", status, err)
		}
		if !strings.Contains(err.Error(), "HTTP "+strconv.Itoa(status)) || strings.Contains(err.Error(), "LEAKED") || strings.Contains(err.Error(), "/collect") {
			t.Errorf("%d: %v", status, err)
		}
		if len(clock.waits()) != 0 {
			t.Errorf("%d: retried", status)
		}
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the other host was called %d times", n)
	}
}

// A host DNS says does not exist fails at once, naming it; a DNS failure that is not that answer is
// retried as before.
func TestNoSuchHostIsNotRetried(t *testing.T) {
	dnsAnswer := func(dnsErr *net.DNSError) func(*Client) {
		return func(c *Client) {
			c.http.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: network, Err: dnsErr}
			}
		}
	}
	t.Run("NXDOMAIN", func(t *testing.T) {
		c, clock := newTestClient(t, http.NotFoundHandler(), func(cfg *Config) { cfg.Endpoint = "https://dbs-api.cn-hangzou.aliyuncs.com" })
		dnsAnswer(&net.DNSError{Err: "no such host", Name: "dbs-api.cn-hangzou.aliyuncs.com", IsNotFound: true})(c)
		_, err := c.ListRestoreTasks(context.Background(), Query{})
		var endpointErr *EndpointError
		if !errors.As(err, &endpointErr) || endpointErr.Problem != NoSuchHost || len(clock.waits()) != 0 ||
			!strings.Contains(err.Error(), "the host dbs-api.cn-hangzou.aliyuncs.com does not exist") {
			t.Fatalf("%v (waits %v)", err, clock.waits())
		}
	})
	t.Run("DNS server unreachable", func(t *testing.T) {
		c, clock := newTestClient(t, http.NotFoundHandler(), func(cfg *Config) {
			cfg.Endpoint = "https://dbs-api.cn-hangzhou.aliyuncs.com"
			cfg.MaxRetryTimeout = time.Second
		})
		dnsAnswer(&net.DNSError{Err: "i/o timeout", Name: "dbs-api.cn-hangzhou.aliyuncs.com", IsTimeout: true, IsTemporary: true})(c)
		_, err := c.ListRestoreTasks(context.Background(), Query{})
		var endpointErr *EndpointError
		if errors.As(err, &endpointErr) || len(clock.waits()) == 0 {
			t.Fatalf("a DNS timeout must be retried: %v (waits %v)", err, clock.waits())
		}
	})
	t.Run("the resolver, for a name under .invalid", func(t *testing.T) {
		const host = "dbs-api.no-such-region.invalid" // RFC 6761: resolvers answer NXDOMAIN
		var dnsErr *net.DNSError
		if _, err := net.DefaultResolver.LookupHost(context.Background(), host); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
			t.Skipf("this machine's resolver does not answer NXDOMAIN for %s: %v", host, err)
		}
		c, clock := newTestClient(t, http.NotFoundHandler(), func(cfg *Config) { cfg.Endpoint = "https://" + host })
		_, err := c.ListRestoreTasks(context.Background(), Query{})
		var endpointErr *EndpointError
		if !errors.As(err, &endpointErr) || endpointErr.Problem != NoSuchHost || endpointErr.Address != host || len(clock.waits()) != 0 {
			t.Fatalf("%v (waits %v)", err, clock.waits())
		}
	})
}

// An endpoint that speaks the other scheme fails at once, saying which one it speaks.
func TestSchemeMismatchIsNotRetried(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake errors are the point
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	// A TLS server that answers plain HTTP with a TLS alert record, as many do.
	alert := tcpServer(t, func(conn net.Conn) {
		buf := make([]byte, 1024)
		_, _ = conn.Read(buf)
		_, _ = conn.Write([]byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x50})
	})
	// nginx's answer to plain HTTP on its TLS port.
	nginx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(400)
		w.Write([]byte("<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>"))
	}))
	defer nginx.Close()
	for name, tc := range map[string]struct {
		endpoint string
		want     EndpointProblem
		text     string
	}{
		"https to a plain HTTP server":          {"https://" + plain.Listener.Addr().String(), SpeaksHTTP, "it speaks http://, not https://"},
		"http to a Go TLS server":               {"http://" + tlsSrv.Listener.Addr().String(), SpeaksHTTPS, "it speaks https://, not http://"},
		"http to a TLS server sending an alert": {"http://" + alert, SpeaksHTTPS, "it speaks https://, not http://"},
		"http to nginx's TLS port":              {"http://" + nginx.Listener.Addr().String(), SpeaksHTTPS, "it speaks https://, not http://"},
	} {
		t.Run(name, func(t *testing.T) {
			c, clock := newTestClient(t, http.NotFoundHandler(), func(cfg *Config) { cfg.Endpoint = tc.endpoint })
			_, err := c.ListRestoreTasks(context.Background(), Query{})
			var endpointErr *EndpointError
			if !errors.As(err, &endpointErr) || endpointErr.Problem != tc.want || len(clock.waits()) != 0 || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("%v (waits %v)", err, clock.waits())
			}
		})
	}
}

// tcpServer accepts loopback connections and hands each to serve, which the connection is closed after.
func tcpServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				serve(conn)
			}()
		}
	}()
	return ln.Addr().String()
}

// Each timeout is reported with the bound that ran out: the connect timeout while connecting (here the
// TLS handshake), the read timeout for an answer whose headers or body do not come.
func TestTimeoutsNameTheirBound(t *testing.T) {
	silent := tcpServer(t, func(conn net.Conn) { time.Sleep(2 * time.Second) })
	for name, tc := range map[string]struct {
		endpoint string
		handler  http.HandlerFunc
		phase    TimeoutPhase
		limit    time.Duration
		text     string
	}{
		"TLS handshake never answered": {endpoint: "https://" + silent, phase: Connect, limit: 150 * time.Millisecond,
			text: "no connection within the connect timeout of 150ms"},
		"headers never sent": {handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}, phase: Read, limit: 200 * time.Millisecond, text: "no complete answer within the read timeout of 200ms"},
		"body stalls": {handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			w.Write([]byte(`{"Success":true,"Items":{"RestoreTaskDetail":[`))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}, phase: Read, limit: 200 * time.Millisecond, text: "no complete answer within the read timeout of 200ms"},
	} {
		t.Run(name, func(t *testing.T) {
			h := tc.handler
			if h == nil {
				h = func(http.ResponseWriter, *http.Request) {}
			}
			c, _ := newTestClient(t, h, func(cfg *Config) {
				if tc.endpoint != "" {
					cfg.Endpoint = tc.endpoint
				}
				cfg.MaxRetryTimeout = 0
				cfg.ConnectTimeout, cfg.ReadTimeout = tc.limit, tc.limit
			})
			start := time.Now()
			_, err := c.ListRestoreTasks(context.Background(), Query{})
			took := time.Since(start)
			var timeout *TimeoutError
			if !errors.As(err, &timeout) || timeout.Phase != tc.phase || timeout.Limit != tc.limit || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("%v", err)
			}
			if took > tc.limit+time.Second {
				t.Errorf("took %s for a bound of %s", took, tc.limit)
			}
		})
	}
}
