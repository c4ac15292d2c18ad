package dbs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRetryThrottlingThenSuccess(t *testing.T) {
	for name, throttle := range map[string]func(w http.ResponseWriter){
		"gateway 400 Throttling.User": func(w http.ResponseWriter) {
			writeError(w, 400, `{"RequestId":"T1","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`)
		},
		"gateway 429 Throttling.Api": func(w http.ResponseWriter) {
			writeError(w, 429, `{"RequestId":"T1","Code":"Throttling.Api","Message":"flow control"}`)
		},
		"dbs 200 Success:false": func(w http.ResponseWriter) {
			writeError(w, 200, `{"RequestId":"T1","Success":false,"ErrCode":"Throttling.User","ErrMessage":"flow control"}`)
		},
		"503 non-JSON": func(w http.ResponseWriter) { writeError(w, 503, "<html>Service Unavailable</html>") },
		"500 InternalError": func(w http.ResponseWriter) {
			writeError(w, 500, `{"Code":"InternalError","Message":"oops"}`)
		},
		"502 empty": func(w http.ResponseWriter) { writeError(w, 502, "") },
	} {
		t.Run(name, func(t *testing.T) {
			fake := newFakeDBS(t, 5)
			fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
				if nth <= 2 {
					throttle(w)
					return true
				}
				return false
			}
			var logMu sync.Mutex
			var logs []string
			c, clock := newTestClient(t, fake, func(cfg *Config) {
				cfg.Log = func(_ context.Context, msg string, f map[string]any) {
					if msg == "DescribeRestoreTaskList rate" { // the scheduler's lines, tested apart
						return
					}
					logMu.Lock()
					defer logMu.Unlock()
					logs = append(logs, fmt.Sprintf("%s %v", msg, f))
				}
			})
			l, err := c.ListRestoreTasks(context.Background(), Query{})
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Tasks) != 5 || l.Requests != 3 {
				t.Errorf("%d tasks, %d requests", len(l.Tasks), l.Requests)
			}
			if w := clock.waits(); len(w) != 2 || w[0] > 200*time.Millisecond || w[1] > 400*time.Millisecond {
				t.Errorf("waits %v: want two, within the exponential bounds", w)
			}
			fake.mu.Lock()
			if len(fake.nonces) != 3 {
				t.Errorf("%d distinct nonces in 3 attempts", len(fake.nonces))
			}
			fake.mu.Unlock()
			if len(logs) != 3 || !strings.HasPrefix(logs[0], "DescribeRestoreTaskList retry") ||
				!strings.HasPrefix(logs[2], "DescribeRestoreTaskList page map[attempt:3 duration_ms:") {
				t.Errorf("logs:\n%s", strings.Join(logs, "\n"))
			}
		})
	}
}

func TestRetryNotForPermanentErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
	}{
		{400, "SignatureDoesNotMatch"}, {404, "InvalidAccessKeyId.NotFound"}, {403, "Request.Forbidden"},
		{403, "Forbidden.RAM"}, {400, "InvalidTimeStamp.Expired"}, {400, "MissingParameter"},
		{400, "InvalidParameter"}, {404, "InvalidApi.NotFound"}, {500, "SignatureDoesNotMatch"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			fake := newFakeDBS(t, 5)
			fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
				writeError(w, tc.status, `{"RequestId":"P1","Code":"`+tc.code+`","Message":"no"}`)
				return true
			}
			c, clock := newTestClient(t, fake, nil)
			_, err := c.ListRestoreTasks(context.Background(), Query{})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Code != tc.code {
				t.Fatalf("%v", err)
			}
			if n, _ := fake.stats(); n != 1 || len(clock.waits()) != 0 {
				t.Errorf("%d requests, waits %v", n, clock.waits())
			}
			if strings.Contains(err.Error(), "gave up") {
				t.Errorf("a first-attempt failure reads like a retry: %v", err)
			}
		})
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	fake := newFakeDBS(t, 5)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		if nth == 1 {
			w.Header().Set("Retry-After", "7")
			writeError(w, 503, `{"Code":"ServiceUnavailable","Message":"busy"}`)
			return true
		}
		return false
	}
	c, clock := newTestClient(t, fake, nil)
	if _, err := c.ListRestoreTasks(context.Background(), Query{}); err != nil {
		t.Fatal(err)
	}
	if w := clock.waits(); len(w) != 1 || w[0] != 7*time.Second {
		t.Errorf("waits %v, want [7s]", w)
	}
}

// MaxRetryTimeout is used whole: the wait that would pass it is cut to what is left, and one last
// attempt is made at its end.
func TestRetryGivesUpAfterMaxRetryTimeout(t *testing.T) {
	fake := newFakeDBS(t, 5)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		writeError(w, 503, fmt.Sprintf(`{"RequestId":"U%d","Code":"ServiceUnavailable","Message":"busy"}`, nth))
		return true
	}
	c, clock := newTestClient(t, fake, func(cfg *Config) { cfg.MaxRetryTimeout = 20 * time.Second })
	c.jitter = func(limit time.Duration) time.Duration { return limit } // the longest waits: 0.2, 0.4, ... 5, 5
	_, err := c.ListRestoreTasks(context.Background(), Query{})
	n, _ := fake.stats()
	// 0.2+0.4+0.8+1.6+3.2+5+5 = 16.2s over 8 attempts; the next wait is cut to the 3.8s left, then a 9th.
	waits := clock.waits()
	var waited time.Duration
	for _, w := range waits {
		waited += w
	}
	if n != 9 || len(waits) != 8 || waits[7] != 3800*time.Millisecond || waited != 20*time.Second {
		t.Errorf("%d attempts, waits %v (%s in all)", n, waits, waited)
	}
	if err == nil || !strings.Contains(err.Error(), "gave up after 9 attempts in 20s") ||
		!strings.Contains(err.Error(), "HTTP 503 ServiceUnavailable: busy (RequestId U9)") {
		t.Fatalf("%v", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Error("the last API error is not reachable with errors.As")
	}
}

// A Retry-After longer than what is left of MaxRetryTimeout is cut to it too.
func TestRetryAfterIsCutToTheBudget(t *testing.T) {
	fake := newFakeDBS(t, 5)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		w.Header().Set("Retry-After", "2")
		writeError(w, 400, `{"RequestId":"T","Code":"Throttling.User","Message":"flow control"}`)
		return true
	}
	c, clock := newTestClient(t, fake, func(cfg *Config) { cfg.MaxRetryTimeout = 3 * time.Second })
	_, err := c.ListRestoreTasks(context.Background(), Query{})
	if n, _ := fake.stats(); n != 3 || !slices.Equal(clock.waits(), []time.Duration{2 * time.Second, time.Second}) || err == nil {
		t.Errorf("%d attempts, waits %v: %v", n, clock.waits(), err)
	}
}

// MaxRetryTimeout 0 is no retry: every error comes from the first attempt, at once, even when the
// jitter would have waited nothing.
func TestRetryOffWithZeroMaxRetryTimeout(t *testing.T) {
	fake := newFakeDBS(t, 5)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		writeError(w, 503, `{"RequestId":"Z","Code":"ServiceUnavailable","Message":"busy"}`)
		return true
	}
	c, clock := newTestClient(t, fake, func(cfg *Config) { cfg.MaxRetryTimeout = 0 })
	c.jitter = func(time.Duration) time.Duration { return 0 }
	_, err := c.ListRestoreTasks(context.Background(), Query{})
	var apiErr *APIError
	if n, _ := fake.stats(); n != 1 || len(clock.waits()) != 0 || !errors.As(err, &apiErr) || strings.Contains(err.Error(), "gave up") {
		t.Errorf("%d attempts, waits %v: %v", n, clock.waits(), err)
	}
}

func TestRetryTransportFailures(t *testing.T) {
	t.Run("truncated body", func(t *testing.T) {
		fake := newFakeDBS(t, 5)
		fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
			if nth == 1 {
				w.Header().Set("Content-Length", "5000")
				w.Write([]byte(`{"Success":true,"Items":{"RestoreTaskDetail":[{"RestoreTaskId":"s0`))
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // drop the connection mid-body
			}
			return false
		}
		c, _ := newTestClient(t, fake, nil)
		l, err := c.ListRestoreTasks(context.Background(), Query{})
		if err != nil || len(l.Tasks) != 5 || l.Requests != 2 {
			t.Fatalf("%v %+v", err, l)
		}
	})
	t.Run("connection dropped before answering", func(t *testing.T) {
		fake := newFakeDBS(t, 5)
		fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
			if nth == 1 {
				panic(http.ErrAbortHandler)
			}
			return false
		}
		c, _ := newTestClient(t, fake, nil)
		l, err := c.ListRestoreTasks(context.Background(), Query{})
		if err != nil || len(l.Tasks) != 5 || l.Requests != 2 {
			t.Fatalf("%v %+v", err, l)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, clock := newTestClient(t, http.NotFoundHandler(), func(cfg *Config) {
			cfg.Endpoint = "http://" + addr
			cfg.MaxRetryTimeout = 3 * time.Second
		})
		_, err = c.ListRestoreTasks(context.Background(), Query{BackupPlanID: "dbs1hvb0wwwXXXXX"})
		// Nothing listening does not start listening by waiting: no retry.
		var endpointErr *EndpointError
		if !errors.As(err, &endpointErr) || endpointErr.Problem != ConnectionRefused || endpointErr.Address != addr || len(clock.waits()) != 0 {
			t.Fatalf("%v (waits %v)", err, clock.waits())
		}
		if !strings.Contains(err.Error(), "POST http://"+addr+"/:") || strings.Contains(err.Error(), "dbs1hvb0") ||
			strings.Contains(err.Error(), "PageSize") {
			t.Errorf("error must name method and host, never the query: %v", err)
		}
	})
}

func TestCancelStopsWithinASecond(t *testing.T) {
	for name, hook := range map[string]func(w http.ResponseWriter, r *http.Request, page, nth int) bool{
		"while sleeping": func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
			w.Header().Set("Retry-After", "30")
			writeError(w, 503, `{"Code":"ServiceUnavailable"}`)
			return true
		},
		"while in flight": func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
			<-r.Context().Done()
			return true
		},
	} {
		t.Run(name, func(t *testing.T) {
			fake := newFakeDBS(t, 5)
			fake.hook = hook
			c, _ := newTestClient(t, fake, nil)
			c.sleep, c.now = sleepContext, time.Now // real waiting
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := c.ListRestoreTasks(ctx, Query{})
			if d := time.Since(start); d > time.Second {
				t.Errorf("returned after %s", d)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%v", err)
			}
		})
	}
}

func TestCredentialsAskedForEveryAttempt(t *testing.T) {
	fake := newFakeDBS(t, 5)
	fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
		if nth == 1 {
			writeError(w, 503, ``)
			return true
		}
		return false
	}
	creds := &staticCreds{creds: Credentials{AccessKeyID: "a", AccessKeySecret: "b"}}
	c, _ := newTestClient(t, fake, func(cfg *Config) { cfg.Credentials = creds })
	if _, err := c.ListRestoreTasks(context.Background(), Query{}); err != nil {
		t.Fatal(err)
	}
	if creds.calls != 2 {
		t.Errorf("credentials asked %d times for 2 attempts", creds.calls)
	}
}

type failingCreds struct{}

func (failingCreds) Credentials(context.Context) (Credentials, error) {
	return Credentials{}, errors.New("no credentials configured")
}

func TestCredentialsErrorIsReturned(t *testing.T) {
	fake := newFakeDBS(t, 5)
	c, _ := newTestClient(t, fake, func(cfg *Config) { cfg.Credentials = failingCreds{} })
	_, err := c.ListRestoreTasks(context.Background(), Query{})
	if err == nil || !strings.Contains(err.Error(), "no credentials configured") {
		t.Fatal(err)
	}
	if n, _ := fake.stats(); n != 0 {
		t.Errorf("%d requests without credentials", n)
	}
}

// Whatever goes wrong, neither errors nor logs show the secret, the token, the signature or the query.
func TestErrorsNeverShowSecrets(t *testing.T) {
	var mu sync.Mutex
	var seen []string // signatures, Authorization headers and query strings the server received
	echo := func(w http.ResponseWriter, r *http.Request, status int, asJSON bool) {
		auth := r.Header.Get("Authorization")
		mu.Lock()
		seen = append(seen, auth, auth[strings.LastIndex(auth, "=")+1:], r.URL.RawQuery)
		mu.Unlock()
		leak := auth + " " + r.URL.RawQuery + " " + r.Header.Get("x-acs-security-token") + " " + testSecret
		if asJSON {
			writeError(w, status, fmt.Sprintf(`{"Code":"SignatureDoesNotMatch","Message":%q,"Recommend":%q}`, leak, leak))
		} else {
			writeError(w, status, "<html>"+leak+"</html>")
		}
	}
	handlers := map[string]http.HandlerFunc{
		"json echo": func(w http.ResponseWriter, r *http.Request) { echo(w, r, 400, true) },
		"html echo": func(w http.ResponseWriter, r *http.Request) { echo(w, r, 502, false) },
		"dropped": func(w http.ResponseWriter, r *http.Request) {
			echo(httptest.NewRecorder(), r, 200, false)
			panic(http.ErrAbortHandler)
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			var logged strings.Builder
			c, _ := newTestClient(t, h, func(cfg *Config) {
				cfg.Credentials = &staticCreds{creds: Credentials{AccessKeyID: testAccessKeyID, AccessKeySecret: testSecret, SecurityToken: testToken}}
				cfg.MaxRetryTimeout = time.Second
				cfg.Log = func(_ context.Context, msg string, f map[string]any) { fmt.Fprintf(&logged, "%s %v\n", msg, f) }
			})
			_, err := c.ListRestoreTasks(context.Background(), Query{BackupPlanID: "dbs1hvb0wwwXXXXX"})
			if err == nil {
				t.Fatal("no error")
			}
			text := err.Error() + "\n" + logged.String()
			mu.Lock()
			defer mu.Unlock()
			for _, s := range append([]string{testSecret, testToken, "PageNum=", "dbs1hvb0wwwXXXXX", "Signature="}, seen...) {
				if s != "" && strings.Contains(text, s) {
					t.Errorf("%q shown in:\n%s", s, text)
				}
			}
		})
	}
}
