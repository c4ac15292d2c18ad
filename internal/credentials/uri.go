package credentials

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// uriSource reads temporary credentials from a credentials URI with a GET, as credentials-go's URL
// provider does, through this package's HTTP client (see http.go). It is built with the URI given, so
// that ALIBABA_CLOUD_CREDENTIALS_URI cannot replace it.
type uriSource struct {
	uri     string
	http    *httpClient
	secrets []string

	creds   *providers.Credentials
	expires time.Time
}

func (r *resolver) uriSource(uri string) *uriSource {
	// The URI may carry a token in its path or query: it is a secret in every message.
	return &uriSource{uri: uri, http: r.http, secrets: append(slices.Clone(r.secrets), uri)}
}

func (u *uriSource) GetProviderName() string { return "credential_uri" }

func (u *uriSource) service() string { return "the credentials URI " + uriHost(u.uri) }

func (u *uriSource) GetCredentials() (*providers.Credentials, error) {
	if u.creds != nil && time.Until(u.expires) > refreshMargin {
		c := *u.creds
		return &c, nil
	}
	fail := func(format string, args ...any) (*providers.Credentials, error) {
		return nil, &failure{service: u.service(), detail: Scrub(fmt.Sprintf(format, args...), u.secrets...)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.uri, nil)
	if err != nil {
		// Go's error quotes the URI.
		return fail("it is not a URL")
	}
	req.Header.Set("Accept", "application/json")
	res, err := u.http.do(req)
	if err != nil {
		return fail("%v", err)
	}
	body, err := readAnswer(res)
	if err != nil {
		return fail("%v", err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, refusal(u.service(), res, body, u.secrets)
	}
	var a struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
		sessionAnswer
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return fail("answered HTTP 200 with something other than credentials (%s)", answerKind(res, body))
	}
	if a.Code != "" && a.Code != "Success" {
		return nil, &ServiceError{Service: u.service(), Code: Scrub(a.Code, u.secrets...), Message: Scrub(a.Message, u.secrets...),
			RequestID: res.Header.Get("x-acs-request-id")}
	}
	c, expires, err := a.credentials(u.service())
	if err != nil {
		return nil, err
	}
	c.ProviderName = u.GetProviderName()
	u.creds, u.expires = c, expires
	out := *c
	return &out, nil
}

// uriHost names a credentials URI by its scheme and host: its path or query may hold a token.
func uriHost(uri string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return "(not a URL)"
	}
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	if at := strings.LastIndex(host, "@"); at >= 0 {
		host = host[at+1:]
	}
	return strings.ToLower(scheme) + "://" + host
}
