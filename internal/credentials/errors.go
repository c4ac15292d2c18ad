package credentials

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
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
