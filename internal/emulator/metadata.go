package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MetadataHost is the fixed address of the ECS instance metadata service. Clients cannot be pointed
// elsewhere, so tests reach the emulator's metadata paths through an HTTP proxy (HTTP_PROXY) that hands
// requests for this host to the server; the paths answer whatever Host the request names.
const MetadataHost = "100.100.100.200"

// Pseudo-actions under which metadata and credentials URI requests are counted in Stats.ByAction and
// logged in Request.Action.
const (
	ActionMetadataToken       = "ECSMetadata.Token"           // PUT /latest/api/token
	ActionMetadataRoleName    = "ECSMetadata.RoleName"        // GET /latest/meta-data/ram/security-credentials/
	ActionMetadataCredentials = "ECSMetadata.RoleCredentials" // GET /latest/meta-data/ram/security-credentials/<role>
	ActionMetadataOther       = "ECSMetadata.Other"           // any other metadata path: 404
	ActionCredentialsURI      = "CredentialsURI"              // GET /credentials-uri/<name>
)

// Headers of the metadata service's session tokens (IMDSv2).
const (
	MetadataTokenHeader    = "X-aliyun-ecs-metadata-token"
	MetadataTokenTTLHeader = "X-aliyun-ecs-metadata-token-ttl-seconds"
)

const (
	metadataCredentialsPath = "/latest/meta-data/ram/security-credentials/"
	maxMetadataTokenTTL     = 21600
	// instanceKeyLifetime and instanceKeyRotation mirror ECS: a role's keys live six hours and a fresh key
	// is served from an hour before the old one expires.
	instanceKeyLifetime = 6 * time.Hour
	instanceKeyRotation = time.Hour
)

// SetInstanceRole attaches a RAM role to the emulated ECS instance ("" detaches it): its metadata then
// serves temporary keys for the role, as the real service does, to callers holding a metadata token.
// The emulator enforces IMDSv2 (as an instance in "enforced" metadata mode): a read without a valid
// X-aliyun-ecs-metadata-token is refused 403, one with an unknown or expired token 401.
func (s *Server) SetInstanceRole(name string) {
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	if name != s.cred.instanceRole {
		s.cred.instanceKey = nil
	}
	s.cred.instanceRole = name
}

// SetIMDSv1Only makes the metadata service one that hands out no session tokens (PUT /latest/api/token
// answers 404) and serves reads without one, as an instance's service did before IMDSv2; off restores the
// default, which enforces IMDSv2.
func (s *Server) SetIMDSv1Only(on bool) {
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	s.cred.imdsV1Only = on
}

// serveMetadata answers the ECS instance metadata paths under /latest/.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	action := ActionMetadataOther
	switch {
	case r.URL.Path == "/latest/api/token":
		action = ActionMetadataToken
	case r.URL.Path == metadataCredentialsPath:
		action = ActionMetadataRoleName
	case strings.HasPrefix(r.URL.Path, metadataCredentialsPath):
		action = ActionMetadataCredentials
	}
	c := s.beginAction(w, r, action)
	defer c.finish()

	s.cred.mu.Lock()
	v1Only := s.cred.imdsV1Only
	s.cred.mu.Unlock()
	// An IMDSv1-only service has no token path, like any path it does not serve.
	if action == ActionMetadataOther || action == ActionMetadataToken && v1Only {
		c.writeText(http.StatusNotFound, "404 Not Found")
		return
	}
	if action == ActionMetadataToken {
		c.metadataToken()
		return
	}
	if r.Method != http.MethodGet {
		c.writeText(http.StatusMethodNotAllowed, "405 Method Not Allowed")
		return
	}
	token := r.Header.Get(MetadataTokenHeader)
	if token == "" && !v1Only {
		c.writeText(http.StatusForbidden, "403 Forbidden: this instance requires a metadata token (IMDSv2)")
		return
	}
	s.cred.mu.Lock()
	expires, known := s.cred.metadataTokens[token]
	role := s.cred.instanceRole
	s.cred.mu.Unlock()
	if !v1Only && (!known || c.now.After(expires)) {
		c.writeText(http.StatusUnauthorized, "401 Unauthorized: the metadata token is unknown or expired")
		return
	}
	c.rec.Authenticated = true

	name := strings.TrimPrefix(r.URL.Path, metadataCredentialsPath)
	switch {
	case role == "" || action == ActionMetadataCredentials && name != role:
		c.writeText(http.StatusNotFound, "404 Not Found")
	case action == ActionMetadataRoleName:
		c.rec.Status = http.StatusOK
		c.writeText(http.StatusOK, role)
	default:
		c.instanceCredentials(role)
	}
}

// metadataToken serves PUT /latest/api/token. Like the real service it refuses a request that went
// through a forwarding proxy (X-Forwarded-For), so that a server-side request forgery cannot get a token.
func (c *call) metadataToken() {
	if c.r.Method != http.MethodPut {
		c.writeText(http.StatusMethodNotAllowed, "405 Method Not Allowed")
		return
	}
	if c.r.Header.Get("X-Forwarded-For") != "" {
		c.writeText(http.StatusForbidden, "403 Forbidden: token requests may not be forwarded")
		return
	}
	ttl, err := strconv.Atoi(c.r.Header.Get(MetadataTokenTTLHeader))
	if err != nil || ttl < 1 || ttl > maxMetadataTokenTTL {
		c.writeText(http.StatusBadRequest, fmt.Sprintf("400 Bad Request: %s must be 1 to %d seconds", MetadataTokenTTLHeader, maxMetadataTokenTTL))
		return
	}
	token := randomText(32)
	c.s.cred.mu.Lock()
	for t, exp := range c.s.cred.metadataTokens {
		if c.now.After(exp) {
			delete(c.s.cred.metadataTokens, t)
		}
	}
	c.s.cred.metadataTokens[token] = c.now.Add(time.Duration(ttl) * time.Second)
	c.s.cred.mu.Unlock()
	c.rec.Authenticated = true
	c.writeText(http.StatusOK, token)
}

// instanceCredentials serves the role's current key, issuing a fresh one when none is left or the one
// held is within instanceKeyRotation of its expiry.
func (c *call) instanceCredentials(role string) {
	st := c.s.cred
	st.mu.Lock()
	k := st.instanceKey
	st.mu.Unlock()
	if k == nil || c.now.After(k.expires.Add(-instanceKeyRotation)) {
		fresh := c.s.issue(Issued{By: ActionMetadataCredentials, Role: role, Duration: instanceKeyLifetime}, c.now, instanceKeyLifetime)
		k = &fresh
		st.mu.Lock()
		if st.instanceRole == role {
			st.instanceKey = k
		}
		st.mu.Unlock()
	}
	c.rec.Status = http.StatusOK
	c.writeJSON(http.StatusOK, rawJSON(map[string]string{
		"AccessKeyId":     k.id,
		"AccessKeySecret": k.secret,
		"SecurityToken":   k.token,
		"Expiration":      k.expires.Format(expirationLayout),
		"LastUpdated":     k.issuedAt.UTC().Format(expirationLayout),
		"Code":            "Success",
	}))
}

// writeText answers with a plain-text body, as the metadata service does.
func (c *call) writeText(status int, body string) {
	if status != http.StatusOK {
		c.rec.Code = http.StatusText(status)
	}
	c.rec.Status = status
	h := c.w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.finish()
	c.w.WriteHeader(status)
	_, _ = c.w.Write([]byte(body)) // a client gone away is the client's business
}
