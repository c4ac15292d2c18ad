package credentials

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

var (
	// testCert is the emulator's certificate, trusted by the process through SSL_CERT_FILE.
	testCert emulator.Certificate
	// metadataProxy is where HTTP_PROXY points: it hands 100.100.100.200 to the test's emulator.
	metadataProxy = &emulator.MetadataProxy{}
)

// TestMain sets what Go reads once per process before any test makes a connection: the roots that
// verify TLS and the proxy through which the fixed ECS metadata address reaches the emulator (see
// emulator.InstallTestTrust).
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	var cleanup func()
	var err error
	if testCert, cleanup, err = emulator.InstallTestTrust(metadataProxy); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	// These tests reach nothing but emulators: no HTTPS proxy of the developer's stands in the way.
	for _, k := range []string{"HTTPS_PROXY", "https_proxy"} {
		os.Setenv(k, "")
	}
	return m.Run()
}

// testEmulator is an emulator served over TLS, answering DBS, STS, credentials URIs and, through the
// proxy, the ECS metadata service.
type testEmulator struct {
	*emulator.Server
	url  string // https://127.0.0.1:port
	host string // 127.0.0.1:port, as endpoints.sts takes it
}

const (
	baseKey    = "LTAI-base-key"
	baseSecret = "base-secret-DO-NOT-LEAK"
	roleARN    = "acs:ram::1234567890123456:role/dbs-reader"
	oidcARN    = "acs:ram::1234567890123456:oidc-provider/ack-rrsa"
	oidcToken  = "eyJhbGciOiJSUzI1NiJ9.oidc-token-DO-NOT-LEAK.sig"
)

func startEmulator(t *testing.T) *testEmulator {
	t.Helper()
	s := emulator.New(emulator.Options{Keys: map[string]emulator.Key{baseKey: {Secret: baseSecret}}, Tasks: emulator.Generate(3, 1)})
	url := s.StartTLS(testCert)
	t.Cleanup(s.Close)
	metadataProxy.SetTarget(s)
	t.Cleanup(func() { metadataProxy.SetTarget(nil) })
	return &testEmulator{Server: s, url: url, host: strings.TrimPrefix(url, "https://")}
}

// env is an environment for Resolve: the given pairs and a HOME of its own, nothing of the developer's.
func env(t *testing.T, kv ...string) Env {
	t.Helper()
	m := map[string]string{"HOME": t.TempDir()}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func resolve(t *testing.T, s Settings, e Env) (*Source, Credentials) {
	t.Helper()
	src, err := Resolve(context.Background(), s, e)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	c, err := src.Credentials(context.Background())
	if err != nil {
		t.Fatalf("Credentials: %v", err)
	}
	return src, c
}

func resolveErr(t *testing.T, s Settings, e Env) error {
	t.Helper()
	src, err := Resolve(context.Background(), s, e)
	if err == nil {
		t.Fatalf("Resolve succeeded with %s, want an error", src.Origin)
	}
	return err
}

// writeFile writes content to name in a fresh directory and returns the path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustNotLeak fails when text holds any of the secrets.
func mustNotLeak(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("the message leaks %q:\n%s", s, text)
		}
	}
	for _, marker := range []string{"Signature=", "SecurityToken=C", "AccessKeyId=L", "AccessKeyId=S"} {
		if strings.Contains(text, marker) {
			t.Errorf("the message holds %s:\n%s", marker, text)
		}
	}
}

// within fails when f takes longer than d.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if took := time.Since(start); took > d {
		t.Errorf("took %s, want at most %s", took, d)
	}
}
