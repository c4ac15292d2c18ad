// Package redact removes secrets from text that may reach a user or a log: an error, a diagnostic, a
// log line. It is the provider's one redactor, shared by the DBS client and the credential sources, so
// that a removed value reads the same, Marker, wherever it was removed. It imports nothing of the
// provider's.
package redact

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Marker stands where a secret was removed.
const Marker = "<redacted>"

// minLength is the shortest value Values removes: shorter ones would shred ordinary words, and reveal
// nothing anyway.
const minLength = 4

// Values returns text with every one of values removed wherever it appears, as is or query-escaped (as
// it stands in a URL or a form). Longer values go first, so that a value that contains another (an
// Authorization header contains its signature) is removed whole.
func Values(text string, values ...string) string {
	sorted := slices.Clone(values)
	slices.SortStableFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, v := range sorted {
		if len(v) < minLength {
			continue
		}
		text = strings.ReplaceAll(text, v, Marker)
		if escaped := url.QueryEscape(v); escaped != v {
			text = strings.ReplaceAll(text, escaped, Marker)
		}
	}
	return text
}

var (
	// urlWithQuery matches a URL with a query string, where credentials-go and the STS APIs put
	// AccessKeyId, Signature and SecurityToken. The query ends before white space or a quote, and
	// punctuation ending a sentence ("...: refused") is left.
	urlWithQuery = regexp.MustCompile(`(?i)\b(https?://[^\s"'?]*)\?(?:[^\s"']*[^\s"':,;.)])?`)
	// secretPair matches name=value pairs naming keys, secrets, tokens and signatures.
	secretPair = regexp.MustCompile(`(?i)\b(AccessKeyId|AccessKeySecret|SecurityToken|Signature|OIDCToken|ExternalId|access_key_id|access_key_secret|sts_token|oidc_token)=[^&\s"',;]*`)
	// secretJSON matches "name": "value" members naming keys, secrets and tokens, as in a credentials
	// answer or the aliyun CLI's profile file.
	secretJSON = regexp.MustCompile(`(?i)"(AccessKeyId|AccessKeySecret|SecurityToken|Signature|OIDCToken|ExternalId|access_key_id|access_key_secret|sts_token|oidc_token|oauth_access_token|oauth_refresh_token|access_token|refresh_token)"\s*:\s*"(?:[^"\\]|\\.)*"`)
)

// Credentials returns text with values removed (see Values), and with whatever looks like a credential
// whose value is not known: the query string of every URL, and the name=value pairs and JSON members
// that name keys, secrets, tokens or signatures. It is for text of unknown shape, such as the error of a
// library or the standard error of a program; text whose URLs must stay whole (an API's link to its
// diagnosis) takes Values.
func Credentials(text string, values ...string) string {
	text = urlWithQuery.ReplaceAllString(text, "$1?"+Marker)
	text = secretPair.ReplaceAllString(text, "$1="+Marker)
	text = secretJSON.ReplaceAllString(text, `"$1":"`+Marker+`"`)
	return Values(text, values...)
}
