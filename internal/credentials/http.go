package credentials

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/httpclient"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/redact"
)

const (
	// connectTimeout and requestTimeout bound one request to STS, a credentials URI or a sign-in service,
	// as credentials-go did (5 s to connect, 10 s more to answer). An ECS metadata lookup is bounded
	// tighter by its context.
	connectTimeout = 5 * time.Second
	requestTimeout = 15 * time.Second
	// maxAnswerBytes bounds what is read of an answer: credentials are a few KiB.
	maxAnswerBytes = 1 << 20
	// defaultUserAgent is sent when Settings.UserAgent is empty.
	defaultUserAgent = "terraform-provider-alicloud"
)

// httpClient is the one HTTP client of the credentials sources: STS, credentials URIs, the ECS metadata
// service and the aliyun CLI's sign-in services (CloudSSO, OAuth) all go through it, so that every
// request carries the provider's User-Agent and no request follows a redirect. credentials-go's providers
// build a client per request, with its own User-Agent and Go's default of following up to ten redirects,
// and offer no hook to change either; the sources of this package are therefore its own (see sts.go,
// uri.go, ecs.go, signin.go).
type httpClient struct {
	client    *http.Client
	userAgent string
}

func newHTTPClient(userAgent string) *httpClient {
	if userAgent == "" {
		userAgent = defaultUserAgent
	}
	// Redirects are refused (do turns a 3xx into a *RedirectError): one would carry a signed request, an
	// OIDC token or a metadata token to a host that was not configured.
	return &httpClient{
		client:    httpclient.New(httpclient.Options{ConnectTimeout: connectTimeout, Timeout: requestTimeout, MaxIdleConnsPerHost: 2}),
		userAgent: userAgent,
	}
}

// RedirectError is a 3xx answer, which the credentials sources never follow.
type RedirectError struct {
	Status int
	// Location is the host the redirect pointed to ("" when the answer named none); never its path or
	// query, which may carry a token.
	Location string
}

func (e *RedirectError) Error() string {
	to := "without a Location"
	if e.Location != "" {
		to = "to " + e.Location
	}
	return fmt.Sprintf("answered HTTP %d %s, a redirect %s, which is not followed: credentials are only sent to the host configured",
		e.Status, http.StatusText(e.Status), to)
}

// do sends req with the provider's User-Agent. A 3xx answer is a *RedirectError, its body closed; a
// failure to send is returned without the *url.Error wrapper, whose text quotes the whole URL.
func (c *httpClient) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("User-Agent", c.userAgent)
	res, err := c.client.Do(req)
	if err != nil {
		return nil, httpclient.Cause(err)
	}
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		res.Body.Close()
		host, hasLocation := httpclient.RedirectHost(res)
		if hasLocation && host == "" {
			host = "an unreadable Location"
		}
		return nil, &RedirectError{Status: res.StatusCode, Location: host}
	}
	return res, nil
}

// answer is what a service answered, its body read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// kind describes an answer that is not what was expected, without quoting it: it may hold a secret.
func (a *answer) kind() string {
	ct := a.header.Get("Content-Type")
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("%d bytes of %s", len(a.body), ct)
}

// exchange sends req, on behalf of service, and reads the answer. A failure to send, a redirect or an
// answer that cannot be read is a *requestError, with no answer; an answer of another status than 200 is a
// refusal (see refusal), returned with the answer, whose status the caller may want. secrets are removed
// from anything an error quotes.
func (c *httpClient) exchange(service string, req *http.Request, secrets []string) (*answer, error) {
	res, err := c.do(req)
	if err != nil {
		return nil, &requestError{service: service, detail: redact.Credentials(err.Error(), secrets...)}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxAnswerBytes+1))
	switch {
	case err != nil:
		return nil, &requestError{service: service, detail: redact.Credentials("reading the answer: "+err.Error(), secrets...)}
	case len(body) > maxAnswerBytes:
		return nil, &requestError{service: service, detail: fmt.Sprintf("the answer is larger than %d bytes", maxAnswerBytes)}
	}
	a := &answer{status: res.StatusCode, header: res.Header, body: body}
	if a.status != http.StatusOK {
		return a, refusal(service, a, secrets)
	}
	return a, nil
}

// renewing hands out temporary credentials, fetching new ones when none are held or those held are
// within refreshMargin of their expiry. Every source that talks to a service (STS, a credentials URI,
// the ECS metadata service, the CLI's CloudSSO and OAuth sign-ins) is one; Source's mutex (for OAuth,
// which every provider configuration of the process shares, oauthSource's) keeps fetches from running
// at once.
type renewing struct {
	name  string // the provider name credentials-go would give, e.g. "ram_role_arn"
	fetch func() (*providers.Credentials, time.Time, error)

	creds   *providers.Credentials
	expires time.Time
}

func (r *renewing) GetProviderName() string { return r.name }

func (r *renewing) GetCredentials() (*providers.Credentials, error) {
	if r.creds == nil || time.Until(r.expires) <= refreshMargin {
		c, expires, err := r.fetch()
		if err != nil {
			return nil, err
		}
		c.ProviderName = r.name
		r.creds, r.expires = c, expires
	}
	c := *r.creds
	return &c, nil
}

// refusal turns an answer that is not a success into an error: a *ServiceError when the body is a
// service's error form ({"RequestId","Code","Message"}; the CloudSSO portal's {"ErrorCode","ErrorMessage"};
// OAuth's {"error","error_description","requestId"}), else a *requestError naming the HTTP status and the text
// the service answered. secrets are removed from whatever is quoted.
func refusal(service string, a *answer, secrets []string) error {
	var e struct {
		RequestID        string `json:"RequestId"` // json matches requestId too, as OAuth writes it
		Code             string `json:"Code"`
		Message          string `json:"Message"`
		ErrorCode        string `json:"ErrorCode"`
		ErrorMessage     string `json:"ErrorMessage"`
		OAuthError       string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	rid := a.header.Get("x-acs-request-id")
	if json.Unmarshal(a.body, &e) == nil {
		code := cmp.Or(e.Code, e.ErrorCode, e.OAuthError)
		message := cmp.Or(e.Message, e.ErrorMessage, e.ErrorDescription)
		if code != "" {
			return &ServiceError{Service: service, Code: redact.Credentials(code, secrets...), Message: redact.Credentials(message, secrets...),
				RequestID: cmp.Or(e.RequestID, rid)}
		}
	}
	detail := fmt.Sprintf("answered HTTP %d %s", a.status, http.StatusText(a.status))
	if text := answerText(a.body); text != "" {
		detail += fmt.Sprintf(": %q", redact.Credentials(text, secrets...))
	}
	if rid != "" {
		detail += " (request id " + rid + ")"
	}
	return &requestError{service: service, detail: detail}
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// answerText is what a plain-text or HTML answer says, on one line: an HTML page's title, else its text
// without tags; at most 200 bytes.
func answerText(body []byte) string {
	s := strings.ToValidUTF8(string(body), "\uFFFD")
	if m := htmlTitle.FindStringSubmatch(s); m != nil {
		s = m[1]
	} else if strings.Contains(s, "<") {
		s = htmlTag.ReplaceAllString(s, " ")
	}
	s = strings.Join(strings.Fields(html.UnescapeString(s)), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
