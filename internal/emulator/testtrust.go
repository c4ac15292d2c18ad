package emulator

import (
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
)

// InstallTestTrust prepares a test binary, from its TestMain and before any test makes a connection, to
// reach emulators the way clients reach Alibaba Cloud, and returns the certificate its TLS emulators
// serve (Server.StartTLS). Go reads both settings once per process:
//
//   - TLS: it makes the certificate, writes its TrustBundle to a file in a fresh directory and points
//     SSL_CERT_FILE and SSL_CERT_DIR at them. STS is HTTPS only and credentials-go builds its client from
//     the system roots; keeping those roots lets real-cloud tests run from the same binary.
//   - The ECS metadata service: it serves proxy on a loopback port and points HTTP_PROXY at it, with
//     NO_PROXY empty, so that requests for MetadataHost reach whichever emulator proxy targets. Loopback
//     addresses never go through the proxy (Go's ProxyFromEnvironment), so emulators are reached directly.
//
// cleanup stops the proxy and removes the directory; the environment is left as set.
func InstallTestTrust(proxy *MetadataProxy) (cert Certificate, cleanup func(), err error) {
	if cert, err = NewCertificate(); err != nil {
		return Certificate{}, nil, err
	}
	dir, err := os.MkdirTemp("", "emulator-test-trust")
	if err != nil {
		return Certificate{}, nil, err
	}
	certFile := filepath.Join(dir, "emulator.pem")
	if err := os.WriteFile(certFile, cert.TrustBundle(), 0o600); err != nil {
		return Certificate{}, nil, errors.Join(err, os.RemoveAll(dir))
	}
	ps := httptest.NewServer(proxy)
	for k, v := range map[string]string{
		"SSL_CERT_FILE": certFile, "SSL_CERT_DIR": dir,
		"HTTP_PROXY": ps.URL, "http_proxy": ps.URL, "NO_PROXY": "", "no_proxy": "",
	} {
		if err := os.Setenv(k, v); err != nil {
			ps.Close()
			return Certificate{}, nil, errors.Join(err, os.RemoveAll(dir))
		}
	}
	return cert, func() {
		ps.Close()
		_ = os.RemoveAll(dir) // a temporary directory left behind is no test's failure
	}, nil
}

// TrustBundle is the PEM bundle of the roots the system trusts followed by the certificate: a file that
// SSL_CERT_FILE can name to trust the emulator without distrusting anything else (a pipeline that reaches
// the emulator also reaches the Terraform Registry).
func (c Certificate) TrustBundle() []byte { return append(systemRoots(), c.PEM...) }

// systemRoots returns the PEM bundle the system trusts (the one SSL_CERT_FILE named, else Debian's,
// else Red Hat's), or nothing when there is none.
func systemRoots() []byte {
	for _, f := range []string{os.Getenv("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"} {
		if f == "" {
			continue
		}
		if pem, err := os.ReadFile(f); err == nil {
			return append(pem, '\n')
		}
	}
	return nil
}
