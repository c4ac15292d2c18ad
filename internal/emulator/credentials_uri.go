package emulator

import (
	"net/http"
	"strings"
	"time"
)

// CredentialsURIPath is where the emulator serves credentials URIs: GET <base>/credentials-uri/<name>.
const CredentialsURIPath = "/credentials-uri/"

// AddCredentialsURI makes GET <base>/credentials-uri/<name> answer a fresh temporary key living lifetime
// (zero means one hour) in the form credentials-go reads from ALIBABA_CLOUD_CREDENTIALS_URI:
//
//	{"Code":"Success","AccessKeyId":"…","AccessKeySecret":"…","SecurityToken":"…","Expiration":"2006-01-02T15:04:05Z"}
//
// A fresh key on every call lets a test count how often a client asks. Any other name answers 404.
func (s *Server) AddCredentialsURI(name string, lifetime time.Duration) {
	if lifetime <= 0 {
		lifetime = time.Hour
	}
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	s.cred.uris[name] = lifetime
}

// RemoveCredentialsURI makes the name answer 404 again.
func (s *Server) RemoveCredentialsURI(name string) {
	s.cred.mu.Lock()
	defer s.cred.mu.Unlock()
	delete(s.cred.uris, name)
}

func (s *Server) serveCredentialsURI(w http.ResponseWriter, r *http.Request) {
	c := s.beginAction(w, r, ActionCredentialsURI)
	defer c.finish()

	if r.Method != http.MethodGet {
		c.writeURIError(http.StatusMethodNotAllowed, "MethodNotAllowed", "Use GET.")
		return
	}
	name := strings.TrimPrefix(r.URL.Path, CredentialsURIPath)
	s.cred.mu.Lock()
	lifetime, ok := s.cred.uris[name]
	s.cred.mu.Unlock()
	if !ok {
		c.writeURIError(http.StatusNotFound, "NotFound", "No credentials are served at this URI.")
		return
	}
	c.rec.Authenticated = true
	k := s.issue(Issued{By: ActionCredentialsURI, Role: name, Duration: lifetime}, c.now, lifetime)
	c.rec.Status = http.StatusOK
	c.writeJSON(http.StatusOK, rawJSON(map[string]string{
		"Code":            "Success",
		"AccessKeyId":     k.id,
		"AccessKeySecret": k.secret,
		"SecurityToken":   k.token,
		"Expiration":      k.expires.Format(expirationLayout),
	}))
}

func (c *call) writeURIError(status int, code, message string) {
	c.rec.Status, c.rec.Code, c.rec.Message = status, code, message
	c.writeJSON(status, rawJSON(map[string]string{"Code": code, "Message": message, "RequestId": c.requestID}))
}
