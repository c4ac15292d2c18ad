package emulator

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// STSVersion is the API version STS actions answer to.
const STSVersion = "2015-04-01"

// STS error codes the emulator sends, with their HTTP status.
const (
	CodeMissingRoleArn       = "MissingRoleArn"                       // 400
	CodeInvalidRoleArn       = "InvalidParameter.RoleArn"             // 400
	CodeRoleNotExist         = "EntityNotExist.Role"                  // 404
	CodeMissingSessionName   = "MissingRoleSessionName"               // 400
	CodeInvalidSessionName   = "InvalidParameter.RoleSessionName"     // 400
	CodeInvalidDuration      = "InvalidParameter.DurationSeconds"     // 400
	CodeInvalidPolicy        = "InvalidParameter.PolicyGrammar"       // 400
	CodeNoPermission         = "NoPermission"                         // 403: e.g. the role's ExternalId not given
	CodeOIDCProviderNotExist = "EntityNotExist.OIDCProvider"          // 404
	CodeInvalidOIDCToken     = "AuthenticationFail.OIDCToken.Invalid" // 400
	CodeMissingOIDCParameter = "MissingParameter"                     // 400: OIDCProviderArn or OIDCToken absent
)

const (
	defaultMaxSessionDuration = time.Hour
	longestSessionDuration    = 12 * time.Hour
	shortestSessionDuration   = 15 * time.Minute
	expirationLayout          = "2006-01-02T15:04:05Z"
	assumeRoleWithOIDCAction  = "AssumeRoleWithOIDC"
	redactedInLog             = "<redacted>"
)

// Role is a RAM role the emulated STS lets callers assume, by AssumeRole with any AccessKey the server
// knows (permanent or temporary) or by AssumeRoleWithOIDC with the role's identity provider and token.
type Role struct {
	// MaxSessionDuration bounds DurationSeconds; zero means one hour, as for a new RAM role. It may be
	// raised to 12 hours.
	MaxSessionDuration time.Duration
	// ExternalID, when set, must be sent as ExternalId (the role's trust policy names it).
	ExternalID string
	// OIDCProviderArn and OIDCToken, when both are set, let AssumeRoleWithOIDC assume the role with
	// exactly that token from that identity provider.
	OIDCProviderArn string
	OIDCToken       string
	// Lifetime, when set, is how long the keys issued for this role live, whatever DurationSeconds asked
	// (which is still checked), so that a test can make a client refresh.
	Lifetime time.Duration
}

// Issued is a temporary AccessKey the emulator handed out; the key is then known to the server, with its
// security token and expiry, until RemoveKey.
type Issued struct {
	AccessKeyID string
	// By is what issued it: "AssumeRole", "AssumeRoleWithOIDC", ActionMetadataCredentials,
	// ActionCredentialsURI, ActionCloudSSO or ActionOAuthExchange.
	By string
	// Role is the role ARN (STS), the instance's role name (metadata), the URI's name, the CloudSSO
	// "<account>/<access configuration>" or the OAuth client.
	Role        string
	SessionName string
	// CallerKey is the AccessKey that signed the AssumeRole request; empty for the other issuers.
	CallerKey string
	// Policy and ExternalID are what AssumeRole was sent.
	Policy     string
	ExternalID string
	Duration   time.Duration // the session duration asked for (STS) or served
	Expires    time.Time
}

// credentialState is what the emulated STS, ECS metadata service and credentials URI know. It has its own
// lock, taken after (never around) Server.mu.
type credentialState struct {
	mu             sync.Mutex
	roles          map[string]Role
	issued         []Issued
	instanceRole   string
	imdsV1Only     bool
	instanceKey    *issuedKey
	metadataTokens map[string]time.Time
	uris           map[string]time.Duration
	signIn         signInState
}

func newCredentialState() *credentialState {
	return &credentialState{roles: map[string]Role{}, metadataTokens: map[string]time.Time{}, uris: map[string]time.Duration{}, signIn: newSignInState()}
}

// issuedKey is a temporary key with its secrets, as a response carries it.
type issuedKey struct {
	id, secret, token string
	expires, issuedAt time.Time
}

// AddRole registers a RAM role by its ARN (acs:ram::<account>:role/<name>), or replaces it.
func (s *Server) AddRole(arn string, r Role) {
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	s.cred.roles[arn] = r
}

// ValidRoleARN reports whether arn has the form STS accepts in RoleArn, acs:ram::<account>:role/<name>; a
// role added under any other ARN can never be assumed.
func ValidRoleARN(arn string) bool { return roleArnPattern.MatchString(arn) }

// RemoveRole forgets a role; assuming it then answers EntityNotExist.Role.
func (s *Server) RemoveRole(arn string) {
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	delete(s.cred.roles, arn)
}

// Issued returns the temporary keys handed out since New, oldest first.
func (s *Server) Issued() []Issued {
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	return slices.Clone(s.cred.issued)
}

// issue makes a temporary key, teaches it to the server and records it.
func (s *Server) issue(rec Issued, now time.Time, lifetime time.Duration) issuedKey {
	k := issuedKey{
		id:       "STS.NT" + randomText(12),
		secret:   randomText(20),
		token:    "CAIS" + randomText(60),
		issuedAt: now,
		// Whole seconds, as the response's Expiration says: the key must not outlive what the client read.
		expires: now.Add(lifetime).UTC().Truncate(time.Second),
	}
	s.AddKey(k.id, Key{Secret: k.secret, SecurityToken: k.token, Expires: k.expires})
	rec.AccessKeyID, rec.Expires = k.id, k.expires
	s.cred.mu.Lock()
	s.cred.issued = append(s.cred.issued, rec)
	s.cred.mu.Unlock()
	return k
}

// randomText returns n random bytes as URL-safe base64 without padding.
func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.NewReplacer("-", "x", "_", "y").Replace(base64.RawURLEncoding.EncodeToString(b))
}

// serveRoot sends AssumeRoleWithOIDC, which is not signed (the OIDC token is the proof), past the
// signature checks that every other API action goes through.
func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request) {
	if requestAction(r) == assumeRoleWithOIDCAction {
		s.serveAssumeRoleWithOIDC(w, r)
		return
	}
	s.serveAPI(w, r)
}

// requestAction peeks at the action a request names: the Action parameter in the query or a form body
// (RPC), else the x-acs-action header (ACS3, which SDKs send unsigned too). It leaves the body readable.
func requestAction(r *http.Request) string {
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	if a := r.Header.Get("x-acs-action"); a != "" {
		return a
	}
	if r.Method != http.MethodPost || r.Body == nil {
		return ""
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if err != nil {
		return ""
	}
	form, perr := url.ParseQuery(string(body))
	if perr != nil {
		return ""
	}
	return form.Get("Action")
}

// stsParams are the parameters of the STS actions, besides the common ones.
var (
	assumeRoleParams = []string{"RoleArn", "RoleSessionName", "DurationSeconds", "Policy", "ExternalId"}
	oidcParams       = []string{"RoleArn", "RoleSessionName", "DurationSeconds", "Policy", "OIDCProviderArn", "OIDCToken"}
	roleArnPattern   = regexp.MustCompile(`^acs:ram::\d+:role/[A-Za-z0-9.@_-]{1,64}$`)
	sessionPattern   = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)
)

// writeSTSError answers an STS refusal in the gateway's form.
func (c *call) writeSTSError(e *apiError) { c.writeAPIError(e, productSTS) }

// assumeRole serves STS AssumeRole, registered in Server.actions: the request's signature, nonce and
// token were checked like any other; here the role and the session are.
func (c *call) assumeRole() {
	for _, k := range slices.Sorted(maps.Keys(c.params)) {
		if !slices.Contains(assumeRoleParams, k) {
			c.writeSTSError(gatewayError(400, CodeInvalidParameter, "The parameter %s is not a parameter of AssumeRole.", k))
			return
		}
	}
	role, arn, duration, e := c.s.checkSession(c.params)
	if e == nil && role.ExternalID != "" && !hmac.Equal([]byte(role.ExternalID), []byte(c.params["ExternalId"])) {
		e = gatewayError(403, CodeNoPermission, "You are not authorized to do this action: the role's trust policy requires its ExternalId.")
	}
	if e != nil {
		c.writeSTSError(e)
		return
	}
	c.answerCredentials(role, Issued{
		By: "AssumeRole", Role: arn, SessionName: c.params["RoleSessionName"], CallerKey: c.rec.AccessKeyID,
		Policy: c.params["Policy"], ExternalID: c.params["ExternalId"], Duration: duration,
	})
}

// checkSession checks what both STS actions share: the role, the session name, the duration, the policy.
func (s *Server) checkSession(p map[string]string) (Role, string, time.Duration, *apiError) {
	arn := p["RoleArn"]
	switch {
	case arn == "":
		return Role{}, "", 0, gatewayError(400, CodeMissingRoleArn, "RoleArn is mandatory for this action.")
	case !roleArnPattern.MatchString(arn):
		return Role{}, "", 0, gatewayError(400, CodeInvalidRoleArn, "The parameter RoleArn is not valid: %q is not of the form acs:ram::<account>:role/<name>.", arn)
	}
	s.cred.mu.Lock()
	role, ok := s.cred.roles[arn]
	s.cred.mu.Unlock()
	if !ok {
		return Role{}, "", 0, gatewayError(404, CodeRoleNotExist, "The role not exists: %s.", arn)
	}
	switch name := p["RoleSessionName"]; {
	case name == "":
		return Role{}, "", 0, gatewayError(400, CodeMissingSessionName, "RoleSessionName is mandatory for this action.")
	case !sessionPattern.MatchString(name):
		return Role{}, "", 0, gatewayError(400, CodeInvalidSessionName, "The parameter RoleSessionName is not valid: 2 to 64 letters, digits and . @ - _.")
	}
	maxDuration := role.MaxSessionDuration
	if maxDuration == 0 {
		maxDuration = defaultMaxSessionDuration
	}
	duration := time.Hour
	if v := p["DurationSeconds"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || time.Duration(n)*time.Second < shortestSessionDuration || time.Duration(n)*time.Second > min(maxDuration, longestSessionDuration) {
			return Role{}, "", 0, gatewayError(400, CodeInvalidDuration, "The Min/Max value of DurationSeconds is %d/%d seconds, not %q.",
				int(shortestSessionDuration.Seconds()), int(min(maxDuration, longestSessionDuration).Seconds()), v)
		}
		duration = time.Duration(n) * time.Second
	} else if maxDuration < duration {
		duration = maxDuration
	}
	if policy := p["Policy"]; policy != "" && !json.Valid([]byte(policy)) {
		return Role{}, "", 0, gatewayError(400, CodeInvalidPolicy, "The policy has a grammar error: it is not JSON.")
	}
	return role, arn, duration, nil
}

// answerCredentials issues a key for the session and answers as STS does.
func (c *call) answerCredentials(role Role, rec Issued) {
	lifetime := rec.Duration
	if role.Lifetime > 0 {
		lifetime = role.Lifetime
	}
	k := c.s.issue(rec, c.now, lifetime)
	account, roleName := "", rec.Role
	if parts := strings.SplitN(strings.TrimPrefix(rec.Role, "acs:ram::"), ":role/", 2); len(parts) == 2 {
		account, roleName = parts[0], parts[1]
	}
	roleID := hex.EncodeToString([]byte(roleName))
	if len(roleID) > 19 {
		roleID = roleID[:19]
	}
	c.rec.Status = 200
	c.writeJSON(200, rawJSON(map[string]any{
		"RequestId": c.requestID,
		"AssumedRoleUser": map[string]string{
			"AssumedRoleId": roleID + ":" + rec.SessionName,
			"Arn":           fmt.Sprintf("acs:ram::%s:role/%s/%s", account, strings.ToLower(roleName), rec.SessionName),
		},
		"Credentials": map[string]string{
			"AccessKeyId":     k.id,
			"AccessKeySecret": k.secret,
			"SecurityToken":   k.token,
			"Expiration":      k.expires.Format(expirationLayout),
		},
	}))
}

// serveAssumeRoleWithOIDC serves STS AssumeRoleWithOIDC. The request is not signed: STS checks the
// OIDC token against the role's identity provider instead, as the emulator does with Role.OIDCToken.
func (s *Server) serveAssumeRoleWithOIDC(w http.ResponseWriter, r *http.Request) {
	c := s.beginAction(w, r, assumeRoleWithOIDCAction)
	defer c.finish()

	body, ok := c.readBody(productSTS)
	if !ok {
		return
	}
	all, perr := parseParams(r.URL.RawQuery)
	if perr == nil && r.Method == http.MethodPost && len(body) > 0 {
		var form []param
		form, perr = parseParams(string(body))
		all = append(all, form...)
	}
	if perr != nil {
		c.writeSTSError(perr)
		return
	}
	p := map[string]string{}
	for _, kv := range all {
		if _, dup := p[kv.key]; dup {
			c.writeSTSError(gatewayError(400, CodeInvalidParameter, "The parameter %s is given more than once.", kv.key))
			return
		}
		p[kv.key] = kv.value
	}
	// Named as RPC names them, in parameters, or as ACS3 does, in x-acs-* headers.
	c.rec.Version = cmp.Or(p["Version"], r.Header.Get("x-acs-version"))
	if c.rec.Version != STSVersion {
		c.writeSTSError(gatewayError(400, CodeInvalidVersion, "Specified parameter Version is not valid: %s answers to %s, not %q.", assumeRoleWithOIDCAction, STSVersion, c.rec.Version))
		return
	}
	if f := p["Format"]; f != "" && !strings.EqualFold(f, "JSON") {
		c.writeSTSError(gatewayError(400, CodeInvalidParameter, "This emulator answers only Format=JSON, not %q.", f))
		return
	}
	if ts := cmp.Or(p["Timestamp"], r.Header.Get("x-acs-date")); ts != "" {
		if _, err := time.Parse(timestampLayout, ts); err != nil {
			c.writeSTSError(gatewayError(400, CodeTimestampFormat, "The timestamp %q is not in the format %s.", ts, timestampLayout))
			return
		}
	}
	c.params = map[string]string{}
	for k, v := range p {
		if commonParams[k] {
			continue
		}
		if !slices.Contains(oidcParams, k) {
			c.writeSTSError(gatewayError(400, CodeInvalidParameter, "The parameter %s is not a parameter of %s.", k, assumeRoleWithOIDCAction))
			return
		}
		c.params[k] = v
	}
	c.rec.Params = maps.Clone(c.params)
	if _, ok := c.rec.Params["OIDCToken"]; ok {
		c.rec.Params["OIDCToken"] = redactedInLog // the token is a credential
	}

	for _, k := range []string{"OIDCProviderArn", "OIDCToken"} {
		if c.params[k] == "" {
			c.writeSTSError(gatewayError(400, CodeMissingOIDCParameter, "%s is mandatory for this action.", k))
			return
		}
	}
	role, arn, duration, e := s.checkSession(c.params)
	if e == nil && (role.OIDCProviderArn == "" || role.OIDCProviderArn != c.params["OIDCProviderArn"]) {
		e = gatewayError(404, CodeOIDCProviderNotExist, "The OIDC provider %s does not exist or is not trusted by the role.", c.params["OIDCProviderArn"])
	}
	if e == nil && (role.OIDCToken == "" || !hmac.Equal([]byte(role.OIDCToken), []byte(c.params["OIDCToken"]))) {
		e = gatewayError(400, CodeInvalidOIDCToken, "The OIDC token is invalid or expired.")
	}
	if e != nil {
		c.writeSTSError(e)
		return
	}
	c.rec.Authenticated = true
	c.answerCredentials(role, Issued{
		By: assumeRoleWithOIDCAction, Role: arn, SessionName: c.params["RoleSessionName"],
		Policy: c.params["Policy"], Duration: duration,
	})
}
