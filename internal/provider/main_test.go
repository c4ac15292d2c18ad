package provider

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

var (
	// credentialsCert is the certificate of every TLS emulator of these tests, trusted through SSL_CERT_FILE.
	credentialsCert emulator.Certificate
	// metadataProxy is HTTP_PROXY: it hands requests for 100.100.100.200 to the emulator of the test that
	// holds metadataTurn.
	metadataProxy = &emulator.MetadataProxy{}
	// metadataTurn is held by the one test that metadataProxy answers for (useMetadataService). Go reads
	// HTTP_PROXY once per process, so the tests that read the ECS metadata service take turns, while
	// every other test runs alongside them.
	metadataTurn sync.Mutex
)

// useMetadataService makes h answer the ECS metadata requests of the process until t ends, once no other
// test does. Only a test that reads the metadata service takes it, and never a test whose subtests do.
func useMetadataService(t *testing.T, h http.Handler) {
	t.Helper()
	metadataTurn.Lock()
	metadataProxy.SetHandler(h)
	t.Cleanup(func() {
		metadataProxy.SetHandler(nil)
		metadataTurn.Unlock()
	})
}

// TestMain sets what Go and the test harness read once per process, for every test of the package;
// everything a test can be given on its own (its environment, its home directory) is given to it on its
// own instead.
func TestMain(m *testing.M) {
	dropMissingCLIConfig()
	os.Exit(runWithTestTrust(m))
}

// runWithTestTrust sets, before any test makes a connection, the roots that verify TLS and the proxy
// that reaches the fixed ECS metadata address (see emulator.InstallTestTrust). The system's roots stay
// trusted, so that the real-cloud acceptance tests (make testacc) still reach Alibaba Cloud from the
// same test binary, and loopback addresses never go through the proxy, so the other tests' emulators
// are reached as before.
func runWithTestTrust(m *testing.M) int {
	var cleanup func()
	var err error
	if credentialsCert, cleanup, err = emulator.InstallTestTrust(metadataProxy); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	if sharedCLIDir, err = os.MkdirTemp("", "provider-tests-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(sharedCLIDir)
	return m.Run()
}

// fullSize reports whether the long scenarios (the fleet, the soak) run at full size: TEST_SIZE=full, as
// make test-fleet and make test-soak set it. make test runs their short forms.
func fullSize() bool {
	return os.Getenv("TEST_SIZE") == "full"
}
