package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const (
	// SigningACS3 and SigningRPC name the two signature schemes in Request.Signing.
	SigningACS3 = "ACS3-HMAC-SHA256"
	SigningRPC  = "HMAC-SHA1"

	timestampLayout = "2006-01-02T15:04:05Z"
	// maxClockSkew is the gateway's window: a request signed further from the server's clock is refused.
	maxClockSkew = 15 * time.Minute
	maxBodyBytes = 1 << 20
)

// commonParams are not an action's parameters, and every action accepts them: the RPC signature's own
// parameters, RegionId (alibaba-cloud-sdk-go adds it to every call), and the caller parameters the gateway
// reads for every product, which the official SDKs' request models carry (DBS's DescribeRestoreTaskList
// model has OwnerId) and send when a user sets them.
var commonParams = map[string]bool{
	"AccessKeyId": true, "Action": true, "Format": true, "SignatureMethod": true, "SignatureNonce": true,
	"SignatureVersion": true, "SignatureType": true, "Timestamp": true, "Version": true, "SecurityToken": true,
	"Signature": true, "RegionId": true,
	"OwnerId": true, "OwnerAccount": true, "ResourceOwnerId": true, "ResourceOwnerAccount": true,
}

// param is one decoded request parameter.
type param struct{ key, value string }

// signedRequest is what a request claims about itself, before any claim is checked.
type signedRequest struct {
	scheme      string
	accessKeyID string
	token       string
	nonce       string
	timestamp   string
	action      string
	version     string
	signature   string
	// stringToSign is the server's side of the signature; sign computes the signature from it.
	stringToSign string
	sign         func(secret, stringToSign string) string
	// params holds every parameter from the query and a form body, common ones included.
	params []param
}

// parseSignedRequest reads the signature scheme, its claims and the parameters. It rejects what is
// malformed; checking the claims against the key store is authenticate's work.
func parseSignedRequest(r *http.Request, body []byte) (*signedRequest, *apiError) {
	query, err := parseParams(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	all := query
	if r.Method == http.MethodPost && len(body) > 0 {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
			form, err := parseParams(string(body))
			if err != nil {
				return nil, err
			}
			all = append(append([]param(nil), query...), form...)
		}
	}
	seen := map[string]bool{}
	for _, p := range all {
		if seen[p.key] {
			// Which copy a server would take is a guess; a client that sends two has a bug worth seeing.
			return nil, gatewayError(400, CodeInvalidParameter, "The parameter %s is given more than once.", p.key)
		}
		seen[p.key] = true
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseACS3(r, body, query, all, auth)
	}
	return parseRPC(r, all)
}

func parseACS3(r *http.Request, body []byte, query, all []param, auth string) (*signedRequest, *apiError) {
	scheme, rest, _ := strings.Cut(auth, " ")
	if scheme != SigningACS3 {
		return nil, gatewayError(400, CodeIncompleteSignature, "The Authorization scheme is not supported; use %s.", SigningACS3)
	}
	parts := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		parts[k] = v
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if parts[k] == "" {
			return nil, gatewayError(400, CodeIncompleteSignature, "The Authorization header lacks %s.", k)
		}
	}
	sr := &signedRequest{
		scheme:      SigningACS3,
		accessKeyID: parts["Credential"],
		token:       r.Header.Get("x-acs-security-token"),
		nonce:       r.Header.Get("x-acs-signature-nonce"),
		timestamp:   r.Header.Get("x-acs-date"),
		action:      r.Header.Get("x-acs-action"),
		version:     r.Header.Get("x-acs-version"),
		signature:   parts["Signature"],
		sign:        acs3Signature,
		params:      all,
	}

	signed := strings.Split(parts["SignedHeaders"], ";")
	isSigned := map[string]bool{}
	for _, h := range signed {
		isSigned[strings.ToLower(h)] = true
	}
	if !isSigned["host"] {
		return nil, gatewayError(400, CodeIncompleteSignature, "SignedHeaders must include host.")
	}
	for name := range r.Header {
		if l := strings.ToLower(name); strings.HasPrefix(l, "x-acs-") && !isSigned[l] {
			return nil, gatewayError(400, CodeIncompleteSignature, "The header %s is sent but not in SignedHeaders.", l)
		}
	}
	payloadHash := r.Header.Get("x-acs-content-sha256")
	if payloadHash == "" {
		return nil, gatewayError(400, CodeIncompleteSignature, "The x-acs-content-sha256 header is required.")
	}
	if sum := sha256.Sum256(body); !strings.EqualFold(payloadHash, hex.EncodeToString(sum[:])) {
		return nil, gatewayError(400, CodeSignatureDoesNotMatch, "The x-acs-content-sha256 header is not the SHA-256 of the request body.")
	}
	header := func(name string) string {
		if name == "host" {
			return r.Host
		}
		return strings.Join(r.Header.Values(name), ",")
	}
	canonical := acs3CanonicalRequest(r.Method, r.URL.EscapedPath(), query, header, signed, payloadHash)
	sr.stringToSign = acs3StringToSign(canonical)
	return sr, nil
}

// acs3CanonicalRequest builds METHOD\nURI\nCanonicalQuery\nCanonicalHeaders\nSignedHeaders\nPayloadHash.
// header returns a header's value by its lower-case name.
func acs3CanonicalRequest(method, path string, query []param, header func(string) string, signedHeaders []string, payloadHash string) string {
	if path == "" {
		path = "/"
	}
	names := make([]string, len(signedHeaders))
	for i, h := range signedHeaders {
		names[i] = strings.ToLower(strings.TrimSpace(h))
	}
	sort.Strings(names)
	var headers strings.Builder
	for _, h := range names {
		headers.WriteString(h + ":" + strings.TrimSpace(header(h)) + "\n")
	}
	return strings.Join([]string{method, path, canonicalQuery(query), headers.String(),
		strings.Join(names, ";"), payloadHash}, "\n")
}

func acs3StringToSign(canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return SigningACS3 + "\n" + hex.EncodeToString(sum[:])
}

func acs3Signature(secret, stringToSign string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return hex.EncodeToString(mac.Sum(nil))
}

func parseRPC(r *http.Request, all []param) (*signedRequest, *apiError) {
	get := func(k string) string {
		for _, p := range all {
			if p.key == k {
				return p.value
			}
		}
		return ""
	}
	sr := &signedRequest{
		scheme:      SigningRPC,
		accessKeyID: get("AccessKeyId"),
		token:       get("SecurityToken"),
		nonce:       get("SignatureNonce"),
		timestamp:   get("Timestamp"),
		action:      get("Action"),
		version:     get("Version"),
		signature:   get("Signature"),
		sign:        rpcSignature,
		params:      all,
	}
	if sr.accessKeyID == "" {
		sr.scheme = ""
		return sr, gatewayError(404, CodeInvalidAccessKeyID, "The request names no AccessKeyId (neither an Authorization header nor an AccessKeyId parameter).")
	}
	if sr.signature == "" {
		return sr, gatewayError(400, CodeIncompleteSignature, "The Signature parameter is required.")
	}
	if m := get("SignatureMethod"); m != "HMAC-SHA1" {
		return sr, gatewayError(400, CodeInvalidSignatureMethod, "SignatureMethod must be HMAC-SHA1, not %q.", m)
	}
	if v := get("SignatureVersion"); v != "1.0" {
		return sr, gatewayError(400, CodeInvalidSignatureMethod, "SignatureVersion must be 1.0, not %q.", v)
	}
	if f := get("Format"); f != "" && !strings.EqualFold(f, "JSON") {
		return sr, gatewayError(400, CodeInvalidParameter, "This emulator answers only Format=JSON, not %q.", f)
	}
	sr.stringToSign = rpcStringToSign(r.Method, all)
	return sr, nil
}

// rpcStringToSign is METHOD&%2F&percent-encode(the sorted, encoded k=v pairs but Signature, joined by &).
func rpcStringToSign(method string, params []param) string {
	unsigned := make([]param, 0, len(params))
	for _, p := range params {
		if p.key != "Signature" {
			unsigned = append(unsigned, p)
		}
	}
	return method + "&" + percentEncode("/") + "&" + percentEncode(canonicalQuery(unsigned))
}

func rpcSignature(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// canonicalQuery sorts the parameters by key (then value) and joins them percent-encoded.
func canonicalQuery(params []param) string {
	sorted := append([]param(nil), params...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].key != sorted[j].key {
			return sorted[i].key < sorted[j].key
		}
		return sorted[i].value < sorted[j].value
	})
	parts := make([]string, len(sorted))
	for i, p := range sorted {
		parts[i] = percentEncode(p.key) + "=" + percentEncode(p.value)
	}
	return strings.Join(parts, "&")
}

// percentEncode is RFC 3986 encoding: every byte but A-Z a-z 0-9 - _ . ~ becomes %XX, so a space is %20
// and * is %2A, which url.QueryEscape gets wrong for signing.
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// parseParams decodes a query string or form body, keeping every pair in order.
func parseParams(raw string) ([]param, *apiError) {
	var out []param
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, gatewayError(400, CodeInvalidParameter, "The query string or form body is not validly percent-encoded.")
		}
		out = append(out, param{key, value})
	}
	return out, nil
}

// authenticate checks a request's claims the way the gateway does: the key, the clock, the signature, the
// nonce and the security token. A nonce is spent only by a request whose signature is right, so that a
// forger cannot burn a client's nonces.
func (s *Server) authenticate(sr *signedRequest, now time.Time, rec *Request) *apiError {
	s.mu.Lock()
	key, ok := s.keys[sr.accessKeyID]
	s.mu.Unlock()
	if !ok {
		return gatewayError(404, CodeInvalidAccessKeyID, "Specified access key is not found.")
	}
	if !key.Expires.IsZero() && now.After(key.Expires) {
		return gatewayError(400, CodeTokenExpired, "The specified SecurityToken is expired.")
	}
	if sr.timestamp == "" {
		return gatewayError(400, CodeTimestampFormat, "The request carries no timestamp (x-acs-date or Timestamp).")
	}
	ts, err := time.Parse(timestampLayout, sr.timestamp)
	if err != nil {
		return gatewayError(400, CodeTimestampFormat, "The timestamp %q is not in the format %s.", sr.timestamp, timestampLayout)
	}
	if skew := now.Sub(ts); skew > maxClockSkew || skew < -maxClockSkew {
		return gatewayError(400, CodeTimestampExpired, "Specified time stamp or date value is expired: %s is more than %s from the server's %s.",
			sr.timestamp, maxClockSkew, now.UTC().Format(timestampLayout))
	}
	if sr.nonce == "" {
		return gatewayError(400, CodeMissingSignatureNonce, "The request carries no signature nonce.")
	}
	if !hmac.Equal([]byte(sr.sign(key.Secret, sr.stringToSign)), []byte(sr.signature)) {
		rec.StringToSign = sr.stringToSign
		// The server's string to sign would help, but it can hold the security token; the gateway's own
		// echo of it is what ends up in clients' logs.
		return gatewayError(400, CodeSignatureDoesNotMatch, "Specified signature is not matched with our calculation (%s).", sr.scheme)
	}
	if !s.spendNonce(sr.accessKeyID, sr.nonce, now) {
		return gatewayError(400, CodeSignatureNonceUsed, "Specified signature nonce was used already.")
	}
	switch {
	case key.SecurityToken == "" && sr.token != "":
		return gatewayError(400, CodeTokenMismatch, "The AccessKey is permanent and takes no security token.")
	case key.SecurityToken != "" && sr.token == "":
		return gatewayError(400, CodeTokenMissing, "The AccessKey is temporary; the request must carry its security token.")
	case !hmac.Equal([]byte(key.SecurityToken), []byte(sr.token)):
		return gatewayError(400, CodeTokenMismatch, "The security token does not belong to the AccessKey.")
	}
	return nil
}

// spendNonce records a nonce and reports whether it was fresh. Nonces seen more than twice the clock
// window ago are forgotten: a replay that old fails the timestamp check anyway.
func (s *Server) spendNonce(accessKeyID, nonce string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.noncesPruned) > time.Minute {
		for ak, seen := range s.nonces {
			for n, at := range seen {
				if now.Sub(at) > 2*maxClockSkew {
					delete(seen, n)
				}
			}
			if len(seen) == 0 {
				delete(s.nonces, ak)
			}
		}
		s.noncesPruned = now
	}
	seen := s.nonces[accessKeyID]
	if seen == nil {
		seen = map[string]time.Time{}
		s.nonces[accessKeyID] = seen
	}
	if _, used := seen[nonce]; used {
		return false
	}
	seen[nonce] = now
	return true
}
