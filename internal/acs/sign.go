// Package acs signs Alibaba Cloud API requests with ACS3-HMAC-SHA256, the gateway's current signature.
// It knows no product: callers set x-acs-action, x-acs-version and their parameters; Sign adds the rest.
package acs

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Algorithm names the signature in the Authorization header.
const Algorithm = "ACS3-HMAC-SHA256"

// DateFormat is the layout of x-acs-date: always UTC, second precision.
const DateFormat = "2006-01-02T15:04:05Z"

// Credentials sign one request. SecurityToken is set only for temporary (STS) credentials.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// The headers Sign sets, lower-case as they are signed.
const (
	HeaderDate          = "x-acs-date"
	HeaderNonce         = "x-acs-signature-nonce"
	HeaderContentSHA256 = "x-acs-content-sha256"
	HeaderSecurityToken = "x-acs-security-token"
)

// Sign signs req, whose body is body (nil for none), as of now with nonce. It sets x-acs-date,
// x-acs-signature-nonce, x-acs-content-sha256, x-acs-security-token (removed when creds has no token) and
// Authorization, and rewrites the query string into its canonical form so that the bytes sent are the
// bytes signed.
//
// The gateway rejects a nonce it has seen and a date more than 15 minutes off, so a retry must be signed
// again with a fresh nonce (see NewNonce) and the current time.
func Sign(req *http.Request, body []byte, creds Credentials, nonce string, now time.Time) error {
	if req == nil || req.URL == nil {
		return errors.New("acs: no request to sign")
	}
	if creds.AccessKeyID == "" || creds.AccessKeySecret == "" {
		return errors.New("acs: the access key id and secret must both be set")
	}
	if nonce == "" {
		return errors.New("acs: empty signature nonce")
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if host == "" {
		return errors.New("acs: request has no host")
	}
	// Go sends req.Host when set, else URL.Host: pin it so the signed host is the one on the wire.
	req.Host = host

	payloadHash := sha256Hex(body)
	req.Header.Set(HeaderDate, now.UTC().Format(DateFormat))
	req.Header.Set(HeaderNonce, nonce)
	req.Header.Set(HeaderContentSHA256, payloadHash)
	if creds.SecurityToken != "" {
		req.Header.Set(HeaderSecurityToken, creds.SecurityToken)
	} else {
		req.Header.Del(HeaderSecurityToken)
	}

	query, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return errors.New("acs: the request's query string is malformed")
	}
	canonicalQuery := CanonicalQuery(query)
	req.URL.RawQuery = canonicalQuery

	canonicalHeaders, signedHeaders := canonicalHeaders(req.Header, host)
	canonicalRequest := strings.Join([]string{
		req.Method,
		canonicalURI(req.URL),
		canonicalQuery,
		canonicalHeaders,
		signedHeaders,
		payloadHash,
	}, "\n")
	stringToSign := Algorithm + "\n" + sha256Hex([]byte(canonicalRequest))

	mac := hmac.New(sha256.New, []byte(creds.AccessKeySecret))
	mac.Write([]byte(stringToSign))
	signature := hex.EncodeToString(mac.Sum(nil))

	req.Header.Set("Authorization", Algorithm+" Credential="+creds.AccessKeyID+
		",SignedHeaders="+signedHeaders+",Signature="+signature)
	return nil
}

// NewNonce returns 16 random bytes in hex, from crypto/rand so that nonces never repeat across processes.
func NewNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// CanonicalQuery is the query string as the signature sees it: keys sorted, then values sorted, each
// percent-encoded with PercentEncode and written key=value, joined by '&'.
func CanonicalQuery(query url.Values) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		values := append([]string(nil), query[k]...)
		sort.Strings(values)
		for _, v := range values {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(PercentEncode(k))
			b.WriteByte('=')
			b.WriteString(PercentEncode(v))
		}
	}
	return b.String()
}

// PercentEncode encodes s per RFC 3986: every byte but A–Z a–z 0–9 - _ . ~ becomes %XX (upper-case hex),
// so a space is %20 (never '+') and '*' is %2A.
func PercentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func canonicalURI(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// canonicalHeaders returns the block of "name:value\n" lines and the signed-header list for host,
// content-type and every x-acs-* header; Go keeps Host apart from Header, so it is passed in.
func canonicalHeaders(h http.Header, host string) (block, signed string) {
	values := map[string]string{"host": strings.TrimSpace(host)}
	for name, vs := range h {
		lower := strings.ToLower(name)
		if lower != "content-type" && !strings.HasPrefix(lower, "x-acs-") {
			continue
		}
		trimmed := make([]string, len(vs))
		for i, v := range vs {
			trimmed[i] = strings.TrimSpace(v)
		}
		values[lower] = strings.Join(trimmed, ",")
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(values[name])
		b.WriteByte('\n')
	}
	return b.String(), strings.Join(names, ";")
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
