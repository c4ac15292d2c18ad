package emulator

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The aliyun CLI's sign-in services, as credentials-go's CloudSSO and OAuth providers call them. The
// emulator serves them on its own base URL: a CloudSSO profile's cloud_sso_sign_in_url may name it, and
// an OAuth client is pointed at it instead of https://oauth.aliyun.com.
const (
	// CloudSSOPath is CloudSSO's portal: POST with "Authorization: Bearer <access token>" and
	// {"AccountId","AccessConfigurationId"} answers {"CloudCredential":{"AccessKeyId","AccessKeySecret",
	// "SecurityToken","Expiration"},"RequestId"}.
	CloudSSOPath = "/cloud-credentials"
	// OAuthTokenPath refreshes an OAuth sign-in: a form POST of grant_type=refresh_token, refresh_token and
	// client_id answers {"access_token","refresh_token","expires_in","token_type"}. The refresh token
	// given is spent: a new one replaces it, as refresh tokens rotate.
	OAuthTokenPath = "/v1/token"
	// OAuthExchangePath exchanges an OAuth access token for a temporary key: POST with "Authorization:
	// Bearer <access token>" answers {"accessKeyId","accessKeySecret","securityToken","expiration","requestId"}.
	OAuthExchangePath = "/v1/exchange"
)

// Pseudo-actions of the sign-in services, for Stats.ByAction, Request.Action and Issued.By.
const (
	ActionCloudSSO      = "CloudSSO.CreateCloudCredential"
	ActionOAuthToken    = "OAuth.RefreshToken"
	ActionOAuthExchange = "OAuth.Exchange"
)

// CloudSSOAccess is an account and access configuration a CloudSSO user may sign in to.
type CloudSSOAccess struct {
	AccountID             string
	AccessConfigurationID string
}

// cloudSSOUser is what a CloudSSO access token allows.
type cloudSSOUser struct {
	access   []CloudSSOAccess
	lifetime time.Duration
}

// AddCloudSSOToken lets accessToken (what `aliyun configure --mode CloudSSO` stores as access_token) get
// temporary keys living lifetime (zero means one hour) for each of access. An unknown token answers 401
// {"ErrorCode":"InvalidAccessToken",...}; an account or access configuration not in access answers 403
// {"ErrorCode":"NoPermission.AccessConfiguration",...}.
func (s *Server) AddCloudSSOToken(accessToken string, lifetime time.Duration, access ...CloudSSOAccess) {
	if lifetime <= 0 {
		lifetime = time.Hour
	}
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	s.cred.signIn.sso[accessToken] = cloudSSOUser{access: access, lifetime: lifetime}
}

// OAuthSignIn is a user's OAuth sign-in, as `aliyun configure --mode OAuth` leaves it.
type OAuthSignIn struct {
	// ClientID is the application the tokens belong to; a refresh from another client is refused.
	ClientID string
	// AccessToken, valid until AccessTokenExpires, and RefreshToken are the tokens to begin with; either
	// may be empty.
	AccessToken        string
	AccessTokenExpires time.Time
	RefreshToken       string
	// AccessTokenLifetime is how long refreshed access tokens live (zero means one hour); KeyLifetime how
	// long the exchanged keys live (zero means one hour).
	AccessTokenLifetime time.Duration
	KeyLifetime         time.Duration
}

// signInState is what the CloudSSO and OAuth services know; it lives in credentialState, under its lock.
type signInState struct {
	sso map[string]cloudSSOUser
	// oauth maps each live access and refresh token to its sign-in; access tokens carry their expiry.
	oauthAccess  map[string]oauthAccessToken
	oauthRefresh map[string]*OAuthSignIn
}

type oauthAccessToken struct {
	signIn  *OAuthSignIn
	expires time.Time
}

func newSignInState() signInState {
	return signInState{sso: map[string]cloudSSOUser{}, oauthAccess: map[string]oauthAccessToken{}, oauthRefresh: map[string]*OAuthSignIn{}}
}

// AddOAuthSignIn registers a sign-in's tokens.
func (s *Server) AddOAuthSignIn(o OAuthSignIn) {
	if o.AccessTokenLifetime <= 0 {
		o.AccessTokenLifetime = time.Hour
	}
	if o.KeyLifetime <= 0 {
		o.KeyLifetime = time.Hour
	}
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	si := &o
	if o.AccessToken != "" {
		s.cred.signIn.oauthAccess[o.AccessToken] = oauthAccessToken{signIn: si, expires: o.AccessTokenExpires}
	}
	if o.RefreshToken != "" {
		s.cred.signIn.oauthRefresh[o.RefreshToken] = si
	}
}

// OAuthTokens reports whether accessToken and refreshToken are live: what a client that refreshed
// must have kept (and written back) to sign in again.
func (s *Server) OAuthTokens(accessToken, refreshToken string) (accessLive, refreshLive bool) {
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	a, ok := s.cred.signIn.oauthAccess[accessToken]
	_, refreshLive = s.cred.signIn.oauthRefresh[refreshToken]
	return ok && s.clock().Before(a.expires), refreshLive
}

// bearer is the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) string {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func (s *Server) serveCloudSSO(w http.ResponseWriter, r *http.Request) {
	c := s.beginAction(w, r, ActionCloudSSO)
	defer c.finish()
	if r.Method != http.MethodPost {
		c.writeSignInError(http.StatusMethodNotAllowed, "MethodNotAllowed", "Use POST.")
		return
	}
	st := s.cred
	st.mu.Lock()
	user, ok := st.signIn.sso[bearer(r)]
	st.mu.Unlock()
	if !ok {
		c.writeSignInError(http.StatusUnauthorized, "InvalidAccessToken", "The access token is invalid or expired; sign in again.")
		return
	}
	c.rec.Authenticated = true
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	var req struct {
		AccountID             string `json:"AccountId"`
		AccessConfigurationID string `json:"AccessConfigurationId"`
	}
	if err != nil || json.Unmarshal(body, &req) != nil {
		c.writeSignInError(http.StatusBadRequest, "InvalidParameter", "The body is not a JSON object with AccountId and AccessConfigurationId.")
		return
	}
	want := CloudSSOAccess{AccountID: req.AccountID, AccessConfigurationID: req.AccessConfigurationID}
	if !slices.Contains(user.access, want) {
		c.writeSignInError(http.StatusForbidden, "NoPermission.AccessConfiguration",
			"The user may not use access configuration "+want.AccessConfigurationID+" in account "+want.AccountID+".")
		return
	}
	k := s.issue(Issued{By: ActionCloudSSO, Role: want.AccountID + "/" + want.AccessConfigurationID, Duration: user.lifetime}, c.now, user.lifetime)
	c.rec.Status = http.StatusOK
	c.writeJSON(http.StatusOK, rawJSON(map[string]any{
		"RequestId": c.requestID,
		"CloudCredential": map[string]string{
			"AccessKeyId": k.id, "AccessKeySecret": k.secret, "SecurityToken": k.token, "Expiration": k.expires.Format(expirationLayout),
		},
	}))
}

func (s *Server) serveOAuthToken(w http.ResponseWriter, r *http.Request) {
	c := s.beginAction(w, r, ActionOAuthToken)
	defer c.finish()
	if r.Method != http.MethodPost {
		c.writeOAuthError(http.StatusMethodNotAllowed, "invalid_request", "Use POST.")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		c.writeOAuthError(http.StatusBadRequest, "invalid_request", "The body must be a form.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	form, perr := url.ParseQuery(string(body))
	if err != nil || perr != nil || form.Get("grant_type") != "refresh_token" || form.Get("refresh_token") == "" {
		c.writeOAuthError(http.StatusBadRequest, "invalid_request", "grant_type=refresh_token and refresh_token are required.")
		return
	}
	access, refresh := "oauth-at-"+randomText(24), "oauth-rt-"+randomText(24)
	st := s.cred
	st.mu.Lock()
	si, ok := st.signIn.oauthRefresh[form.Get("refresh_token")]
	granted := ok && (si.ClientID == "" || form.Get("client_id") == si.ClientID)
	if granted {
		delete(st.signIn.oauthRefresh, form.Get("refresh_token"))
		st.signIn.oauthAccess[access] = oauthAccessToken{signIn: si, expires: c.now.Add(si.AccessTokenLifetime)}
		st.signIn.oauthRefresh[refresh] = si
	}
	st.mu.Unlock() // before answering: the log takes Server.mu, which is never taken inside this lock
	switch {
	case !ok:
		c.writeOAuthError(http.StatusBadRequest, "invalid_grant", "The refresh token is invalid, expired or already used.")
		return
	case !granted:
		c.writeOAuthError(http.StatusBadRequest, "invalid_client", "The refresh token was not issued to this client.")
		return
	}
	c.rec.Authenticated = true
	c.rec.Status = http.StatusOK
	c.writeJSON(http.StatusOK, rawJSON(map[string]any{
		"access_token": access, "refresh_token": refresh, "expires_in": int64(si.AccessTokenLifetime.Seconds()), "token_type": "Bearer",
	}))
}

func (s *Server) serveOAuthExchange(w http.ResponseWriter, r *http.Request) {
	c := s.beginAction(w, r, ActionOAuthExchange)
	defer c.finish()
	if r.Method != http.MethodPost {
		c.writeOAuthError(http.StatusMethodNotAllowed, "invalid_request", "Use POST.")
		return
	}
	st := s.cred
	st.mu.Lock()
	a, ok := st.signIn.oauthAccess[bearer(r)]
	st.mu.Unlock()
	switch {
	case !ok:
		c.writeOAuthError(http.StatusUnauthorized, "invalid_token", "The access token is invalid.")
		return
	case !c.now.Before(a.expires):
		c.writeOAuthError(http.StatusUnauthorized, "expired_token", "The access token is expired.")
		return
	}
	c.rec.Authenticated = true
	k := s.issue(Issued{By: ActionOAuthExchange, Role: a.signIn.ClientID, Duration: a.signIn.KeyLifetime}, c.now, a.signIn.KeyLifetime)
	c.rec.Status = http.StatusOK
	c.writeJSON(http.StatusOK, rawJSON(map[string]string{
		"requestId": c.requestID, "accessKeyId": k.id, "accessKeySecret": k.secret, "securityToken": k.token,
		"expiration": k.expires.Format(expirationLayout),
	}))
}

// writeSignInError answers a CloudSSO refusal in the portal's form, {"ErrorCode","ErrorMessage","RequestId"}.
func (c *call) writeSignInError(status int, code, message string) {
	c.rec.Status, c.rec.Code, c.rec.Message = status, code, message
	c.writeJSON(status, rawJSON(map[string]string{"ErrorCode": code, "ErrorMessage": message, "RequestId": c.requestID}))
}

// writeOAuthError answers an OAuth refusal in OAuth's form, {"error","error_description","requestId"}.
func (c *call) writeOAuthError(status int, code, message string) {
	c.rec.Status, c.rec.Code, c.rec.Message = status, code, message
	c.writeJSON(status, rawJSON(map[string]string{"error": code, "error_description": message, "requestId": c.requestID}))
}
