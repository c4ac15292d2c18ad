package provider

import (
	"fmt"
	"os"
	"testing"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

var (
	// credentialsCert is the certificate of every TLS emulator of these tests, trusted through SSL_CERT_FILE.
	credentialsCert emulator.Certificate
	// metadataProxy is HTTP_PROXY: it hands requests for 100.100.100.200 to the running test's emulator.
	metadataProxy = &emulator.MetadataProxy{}
)

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
	var err error
	if credentialsCert, err = emulator.NewCertificate(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cleanup, err := emulator.InstallTestTrust(credentialsCert, metadataProxy)
	if err != nil {
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
