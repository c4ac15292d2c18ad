package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// ErrNoCredentials is wrapped by Resolve's error when no source had credentials.
var ErrNoCredentials = errors.New("no Alibaba Cloud credentials found")

// ConflictError is returned by Resolve when the provider block names two sources of credentials.
type ConflictError struct {
	First, Second string // the arguments, e.g. "access_key" and "profile"
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the provider block sets both %s and %s, which name different sources of credentials; set only one of "+
		"access_key (with secret_key), profile, credentials_uri, ecs_role_name and assume_role_with_oidc", e.First, e.Second)
}

// ServiceError is a refusal by a service that hands out credentials: STS, the ECS metadata service or a
// credentials URI. It carries what the service said and never what was sent.
type ServiceError struct {
	// Service says what was asked, e.g. "STS AssumeRole for acs:ram::123:role/reader at sts.cn-hangzhou.aliyuncs.com".
	Service   string
	Code      string
	Message   string
	RequestID string
}

func (e *ServiceError) Error() string {
	msg := fmt.Sprintf("%s refused: %s", e.Service, e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// explained wraps a credentials-go provider that talks to a service (the CLI's CloudSSO and OAuth sign-ins), so that its failures say which
// service, with the code, message and request id it answered, and never the signed URL, key, token or
// signature that credentials-go's own errors carry.
type explained struct {
	inner   providers.CredentialsProvider
	service string
	secrets []string
}

func (e *explained) GetCredentials() (*providers.Credentials, error) {
	c, err := e.inner.GetCredentials()
	if err != nil {
		return nil, explain(e.service, err, e.secrets)
	}
	return c, nil
}

func (e *explained) GetProviderName() string { return e.inner.GetProviderName() }

// explain turns a credentials-go error into a ServiceError when the service answered in its error form
// ({"RequestId","Code","Message",...} after credentials-go's prefix; CloudSSO's portal says ErrorCode and
// ErrorMessage, OAuth error and error_description), and otherwise into a scrubbed text.
// An error explained already (by a provider further down a chain) is kept as it is.
func explain(service string, err error, secrets []string) error {
	var done *ServiceError
	var failed *failure
	var base *baseFailure
	if errors.As(err, &done) || errors.As(err, &failed) || errors.As(err, &base) {
		return err
	}
	msg := err.Error()
	if i := strings.Index(msg, "{"); i >= 0 {
		var body struct {
			RequestID        string `json:"RequestId"`
			Code             string `json:"Code"`
			Message          string `json:"Message"`
			ErrorCode        string `json:"ErrorCode"`
			ErrorMessage     string `json:"ErrorMessage"`
			OAuthError       string `json:"error"`
			ErrorDescription string `json:"error_description"`
		}
		if json.Unmarshal([]byte(msg[i:]), &body) == nil {
			code := orDefault(body.Code, orDefault(body.ErrorCode, body.OAuthError))
			message := orDefault(body.Message, orDefault(body.ErrorMessage, body.ErrorDescription))
			if code != "" {
				return &ServiceError{Service: service, Code: code, Message: Scrub(message, secrets...), RequestID: body.RequestID}
			}
		}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		// Go's url.Error prints the whole request URL, which credentials-go signs in its query string.
		msg = urlErr.Op + " " + redactURL(urlErr.URL) + ": " + urlErr.Err.Error()
	}
	return &failure{service: service, detail: Scrub(msg, secrets...)}
}

// failure is a service that could not be asked, or did not answer in its error form. detail never holds
// a secret: it is scrubbed where it is made.
type failure struct {
	service string
	detail  string
}

func (f *failure) Error() string { return f.service + " failed: " + f.detail }

var (
	// urlWithQuery matches a URL with a query string; credentials-go signs STS requests in the query. The
	// query ends before white space or a quote, and punctuation ending a sentence ("...: refused") is left.
	urlWithQuery = regexp.MustCompile(`(?i)\b(https?://[^\s"'?]*)\?(?:[^\s"']*[^\s"':,;.)])?`)
	// secretPair matches name=value pairs naming keys, secrets, tokens and signatures.
	secretPair = regexp.MustCompile(`(?i)\b(AccessKeyId|AccessKeySecret|SecurityToken|Signature|OIDCToken|ExternalId|access_key_id|access_key_secret|sts_token|oidc_token)=[^&\s"',;]*`)
	// secretJSON matches "name": "value" members naming keys, secrets and tokens, as in a credentials
	// body or the CLI's profile file that credentials-go echoes on a parse error.
	secretJSON = regexp.MustCompile(`(?i)"(AccessKeyId|AccessKeySecret|SecurityToken|Signature|OIDCToken|ExternalId|access_key_id|access_key_secret|sts_token|oidc_token|oauth_access_token|oauth_refresh_token|access_token|refresh_token)"\s*:\s*"(?:[^"\\]|\\.)*"`)
)

const redacted = "<redacted>"

// Scrub removes from an error text what must never reach a diagnostic or a log: the query string of
// every URL (credentials-go puts AccessKeyId, Signature and SecurityToken there), name=value pairs and
// JSON members that name keys, secrets, tokens or signatures, and every one of secrets that appears as is.
func Scrub(text string, secrets ...string) string {
	text = urlWithQuery.ReplaceAllString(text, "$1?"+redacted)
	text = secretPair.ReplaceAllString(text, "$1="+redacted)
	text = secretJSON.ReplaceAllString(text, `"$1":"`+redacted+`"`)
	// Longest first, so that a secret containing another is removed whole.
	sorted := append([]string(nil), secrets...)
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for _, s := range sorted {
		if len(s) >= 4 { // shorter values would shred ordinary words and reveal nothing anyway
			text = strings.ReplaceAll(text, s, redacted)
			if e := url.QueryEscape(s); e != s {
				text = strings.ReplaceAll(text, e, redacted)
			}
		}
	}
	return text
}

// redactURL keeps a URL's scheme, host and path, which say where a request went, and drops its query,
// which says with what.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	if u.RawQuery != "" {
		u.RawQuery = redacted
	}
	u.User = nil
	return u.String()
}
