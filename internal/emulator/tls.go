package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"time"
)

// Certificate is a self-signed TLS certificate for the emulator, with its PEM form to hand to clients.
//
// STS is reached over HTTPS only, and credentials-go builds its own HTTP client from the system roots, so
// a test trusts the emulator the way production trusts Alibaba Cloud: it writes PEM to a file and points
// SSL_CERT_FILE at it before the process first uses TLS (Go reads the system roots once per process).
type Certificate struct {
	TLS tls.Certificate
	PEM []byte
}

// NewCertificate makes a certificate valid for a day for the loopback addresses, "localhost" and the
// given extra host names (e.g. "sts.cn-hangzhou.aliyuncs.com"). It is its own CA, so the PEM alone is a
// root a client can trust.
func NewCertificate(hosts ...string) (Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "emulator", Organization: []string{"DBS emulator"}},
		NotBefore:             now.Add(-time.Hour), // a client clock a little behind still accepts it
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              append([]string{"localhost"}, hosts...),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return Certificate{}, fmt.Errorf("create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return Certificate{}, err
	}
	return Certificate{
		TLS: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}, nil
}

// StartTLS is Start over HTTPS with cert: it serves on a fresh loopback port and returns the base URL,
// e.g. "https://127.0.0.1:34567". Everything the server answers (DBS, STS, the credentials URI) is then
// reached over TLS; the ECS metadata paths are reached through a plain HTTP proxy (see metadata.go).
func (s *Server) StartTLS(cert Certificate) string {
	ts := httptest.NewUnstartedServer(s)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}
	// A client that does not trust the certificate is a test's business, not a line on stderr.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	s.mu.Lock()
	s.httptest = ts
	s.mu.Unlock()
	return ts.URL
}
