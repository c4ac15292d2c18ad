package credentials

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/redact"
)

// uriSource reads temporary credentials from a credentials URI with a GET, as credentials-go's URL
// provider does, through this package's HTTP client (see http.go). It is built with the URI given, so
// that ALIBABA_CLOUD_CREDENTIALS_URI cannot replace it.
type uriSource struct {
	uri     string
	http    *httpClient
	secrets []string
}

func (r *resolver) uriSource(uri string) providers.CredentialsProvider {
	// The URI may carry a token in its path or query: it is a secret in every message.
	u := &uriSource{uri: uri, http: r.http, secrets: append(slices.Clone(r.secrets), uri)}
	return &renewing{name: "credential_uri", fetch: u.fetch}
}

func (u *uriSource) service() string { return "the credentials URI " + uriHost(u.uri) }

func (u *uriSource) fetch() (*providers.Credentials, time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.uri, nil)
	if err != nil {
		// Go's error quotes the URI.
		return nil, time.Time{}, &requestError{service: u.service(), detail: "it is not a URL"}
	}
	req.Header.Set("Accept", "application/json")
	ans, err := u.http.exchange(u.service(), req, u.secrets)
	if err != nil {
		return nil, time.Time{}, err
	}
	var a struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
		sessionAnswer
	}
	if err := json.Unmarshal(ans.body, &a); err != nil {
		return nil, time.Time{}, &requestError{service: u.service(), detail: "answered HTTP 200 with something other than credentials (" + ans.kind() + ")"}
	}
	if a.Code != "" && a.Code != "Success" {
		return nil, time.Time{}, &ServiceError{Service: u.service(), Code: redact.Credentials(a.Code, u.secrets...), Message: redact.Credentials(a.Message, u.secrets...),
			RequestID: ans.header.Get("x-acs-request-id")}
	}
	return a.credentials(u.service())
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
