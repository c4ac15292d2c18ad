package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// A 2xx answer that is not a DescribeRestoreTaskList page (a proxy's, a captive portal's, `{}`) is an
// error naming the host, the status, the Content-Type and the request id when there is one, never an
// empty listing with total_count 0.
func TestDbsRestoreTasksDataSource_answerThatIsNotAPage(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(100, 3))
	host := strings.TrimPrefix(e.url, "http://")
	for name, tc := range map[string]struct {
		status      int
		contentType string
		body        string
		want        string
	}{
		"empty object":        {200, "application/json", `{}`, `HTTP 200, Content-Type application/json\) is not a DescribeRestoreTaskList page: it has neither Success nor any of Items, TotalElements and TotalPages`},
		"request id only":     {200, "application/json", `{"RequestId":"PROXY-RID-1"}`, `HTTP 200, Content-Type application/json\) is not a DescribeRestoreTaskList page: .* \(RequestId PROXY-RID-1\)`},
		"captive portal HTML": {200, "text/html; charset=UTF-8", `<html><title>Sign in to the guest Wi-Fi</title></html>`, `HTTP 200, Content-Type text/html; charset=UTF-8\) is not a DescribeRestoreTaskList page: malformed JSON`},
		"Success alone, 203":  {203, "application/json", `{"Success":true}`, `HTTP 203, Content-Type application/json\) is not a DescribeRestoreTaskList page: it has Success but none of Items`},
	} {
		t.Run(name, func(t *testing.T) {
			e.Reset()
			e.SetFaults(emulator.Faults{Foreign: emulator.Always, ForeignStatus: tc.status, ForeignContentType: tc.contentType, ForeignBody: tc.body})
			expectErrorWithin(t, e.env, readAll(e, ""),
				`Unable to read DBS restore tasks.*page 0: the answer from http://`+host+` \(`+tc.want, 10*time.Second)
			if n := e.Stats().Requests; n != 1 {
				t.Errorf("%d requests; an answer that is not a page is not retried", n)
			}
		})
	}
}

// A restore job without a RestoreTaskId fails the read, naming the page and the request id.
func TestDbsRestoreTasksDataSource_taskWithoutID(t *testing.T) {
	t.Parallel()
	tasks := emulator.Generate(100, 3)
	tasks[60] = tasks[60].Without("RestoreTaskId")
	e := startEmulator(t, tasks)
	expectErrorWithin(t, e.env, readAll(e, ""),
		`Unable to read DBS restore tasks.*page 2: .* is not a DescribeRestoreTaskList page: restore job 11 of the page \(Items.RestoreTaskDetail\[10\]\) has no RestoreTaskId \(RequestId [0-9A-F-]+\)`,
		20*time.Second)
}

// A host that cannot exist fails at once, naming it, and points at region / endpoints.dbs.
func TestDbsRestoreTasksDataSource_noSuchHost(t *testing.T) {
	t.Parallel()
	// RFC 6761: resolvers answer NXDOMAIN for .invalid. HTTPS, so that the test binary's HTTP_PROXY
	// (the ECS metadata proxy) is not asked instead.
	const host = "dbs-api.cn-hangzou.invalid"
	var dnsErr *net.DNSError
	if _, err := net.DefaultResolver.LookupHost(context.Background(), host); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Skipf("this machine's resolver does not answer NXDOMAIN for %s: %v", host, err)
	}
	expectErrorWithin(t, newTestEnv(t), listing(providerBlockAt("https://"+host, "")),
		`Unable to read DBS restore tasks.*the host `+host+` does not exist.*DNS answered that `+host+` does not exist.*came from endpoints.dbs in the provider block.*region`, 10*time.Second)
}

// An endpoint that speaks the other scheme fails within seconds, saying which scheme it speaks and
// pointing at endpoints.dbs / protocol; a refused connection too.
func TestDbsRestoreTasksDataSource_endpointSpeaksAnotherScheme(t *testing.T) {
	t.Parallel()
	plain := startEmulator(t, emulator.Generate(10, 1))
	plainHost := strings.TrimPrefix(plain.url, "http://")
	tlsEmulator := emulator.New(emulator.Options{Keys: map[string]emulator.Key{testAccessKey: {Secret: testSecretKey}}})
	tlsURL := tlsEmulator.StartTLS(credentialsCert)
	t.Cleanup(tlsEmulator.Close)
	tlsHost := strings.TrimPrefix(tlsURL, "https://")
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedHost := closed.Addr().String()
	closed.Close()

	block := func(dbs, extra string) string { return listing(providerBlockAt(dbs, extra)) }
	for name, tc := range map[string]struct{ config, want string }{
		"https:// to an HTTP endpoint": {block("https://"+plainHost, ""),
			`it speaks http://, not https://.*https://` + plainHost + ` speaks plain HTTP, not HTTPS.*endpoints.dbs.*http://HOST:PORT.*protocol = "HTTP"`},
		"protocol left at HTTPS for an HTTP endpoint": {block(plainHost, ""),
			`it speaks http://, not https://.*protocol = "HTTP".*came from endpoints.dbs in the provider block, which has no scheme, so protocol chose https`},
		"http:// to a TLS endpoint": {block("http://"+tlsHost, ""),
			`it speaks https://, not http://.*http://` + tlsHost + ` speaks HTTPS, not plain HTTP.*endpoints.dbs.*https://HOST:PORT.*protocol`},
		"protocol HTTP for a TLS endpoint": {block(tlsHost, `protocol = "HTTP"`),
			`it speaks https://, not http://.*protocol`},
		"connection refused": {block("http://"+closedHost, ""),
			`the connection was refused at ` + closedHost + `.*Nothing accepts connections at ` + closedHost + `.*endpoints.dbs`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// max_retry_timeout is left at its default of 120 s: the error must not wait for it.
			expectErrorWithin(t, plain.env, tc.config, `Unable to read DBS restore tasks.*`+tc.want, 10*time.Second)
		})
	}
}

// A 307 from a proxy or a wrong endpoint is not followed: nothing is sent to the other host (which would
// receive the signed headers and the security token), and the error names the status and the host of
// the Location, never its URL.
func TestDbsRestoreTasksDataSource_redirectNotFollowed(t *testing.T) {
	t.Parallel()
	var called atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(other.Close)
	otherHost := strings.TrimPrefix(other.URL, "http://")
	const token = "token-that-must-stay-home"
	e := startEmulator(t, emulator.Generate(10, 1))
	e.AddKey("sts-key", emulator.Key{Secret: testSecretKey, SecurityToken: token})
	e.SetFaults(emulator.Faults{Redirect: emulator.Always, RedirectTo: other.URL + "/collect?key=QUERY-NOT-SHOWN"})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.env.providers(),
		Steps: []resource.TestStep{{
			Config: listing(fmt.Sprintf(`
provider "alicloud" {
  access_key     = "sts-key"
  secret_key     = %q
  security_token = %q
  endpoints {
    dbs = %q
  }
}`, testSecretKey, token, e.url)),
			ExpectError: wrappedPattern(`Unable to read DBS restore tasks.*HTTP 307, a redirect to the host ` + otherHost +
				`, which is not followed.*did not follow the redirect to ` + otherHost + `.*endpoints.dbs`),
		}},
	})
	if n := called.Load(); n != 0 {
		t.Errorf("the host redirected to was called %d times", n)
	}
	if n := e.Stats().Requests; n != 1 {
		t.Errorf("%d requests; a redirect is not retried", n)
	}
}

// A read that times out names the setting that bounded it, with its value.
func TestDbsRestoreTasksDataSource_timeoutsNameTheirSetting(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(10, 1))
	e.SetLatency(3 * time.Second)
	// A TLS endpoint that never answers the handshake: the connect timeout bounds it.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			go func() {
				time.Sleep(3 * time.Second)
				conn.Close()
			}()
		}
	}()
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		expectErrorWithin(t, e.env, readAll(e, "max_retry_timeout = 0\n  client_read_timeout = 300"),
			`Unable to read DBS restore tasks.*no complete answer within the read timeout of 300ms.*client_read_timeout.* = 300 ms`, 10*time.Second)
	})
	t.Run("connect", func(t *testing.T) {
		t.Parallel()
		expectErrorWithin(t, e.env, listing(providerBlockAt("https://"+silent.Addr().String(), "max_retry_timeout = 0\n  client_connect_timeout = 250")),
			`Unable to read DBS restore tasks.*no connection within the connect timeout of 250ms.*client_connect_timeout.* = 250 ms`, 10*time.Second)
	})
}
