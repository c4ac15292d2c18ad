// Package credentials turns what the user configured (provider arguments, environment variables, the
// aliyun CLI's profile file, the default chain of github.com/aliyun/credentials-go) into one source of
// Alibaba Cloud credentials, in an order users can predict: what the provider block says beats what the
// environment says, and the environment beats the default chain. An assumed role (AssumeRole) then
// applies on top of whichever base was found. It knows nothing of Terraform or DBS.
package credentials

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// Credentials sign requests. SecurityToken is set for temporary (STS) credentials.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// Settings are the provider block's credential arguments; an empty string, a zero or a nil means "not
// set", and then the environment is asked.
type Settings struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string

	// Profile names a profile of the aliyun CLI's configuration file; SharedCredentialsFile is that file
	// (default ~/.aliyun/config.json). The file alone selects nothing: it is where a profile is looked up.
	Profile               string
	SharedCredentialsFile string

	// ECSRoleName is the RAM role of the ECS instance, read from its metadata service.
	ECSRoleName string
	// CredentialsURI answers temporary credentials to a GET.
	CredentialsURI string

	// AssumeRoleWithOIDC exchanges an OIDC token (e.g. ACK's RRSA) for a role's credentials.
	AssumeRoleWithOIDC *AssumeRoleWithOIDC
	// AssumeRole is assumed with whichever base credentials were found.
	AssumeRole *AssumeRole

	// Region is the provider's region; STS is reached at sts.<Region>.aliyuncs.com unless STSEndpoint
	// ("host[:port]", always HTTPS), a profile or ALIBABA_CLOUD_STS_REGION says otherwise. Left empty, it
	// is the region_id of the profile the credentials come from (ProfileRegion); without any region, the
	// global sts.aliyuncs.com is used.
	Region      string
	STSEndpoint string

	// OAuthSignInURLs replaces the OAuth sign-in service of an oauth_site_type ("CN", "INTL"), for tests;
	// nil means Alibaba Cloud's.
	OAuthSignInURLs map[string]string

	// UserAgent is sent with every request to STS, a credentials URI, the ECS metadata service or the
	// aliyun CLI's sign-in services (CloudSSO, OAuth).
	UserAgent string
}

// AssumeRole describes a RAM role to assume with STS AssumeRole.
type AssumeRole struct {
	RoleARN     string
	SessionName string // default ALICLOUD_ASSUME_ROLE_SESSION_NAME, then DefaultSessionName
	Policy      string
	// SessionExpiration is in seconds, 900 to 43200; 0 means DefaultSessionExpiration.
	SessionExpiration int
	ExternalID        string
}

// AssumeRoleWithOIDC describes a RAM role to assume with STS AssumeRoleWithOIDC. Empty fields fall back
// to the ALIBABA_CLOUD_* variables credentials-go reads.
type AssumeRoleWithOIDC struct {
	OIDCProviderARN   string
	OIDCTokenFile     string
	OIDCToken         string
	RoleARN           string
	RoleSessionName   string
	Policy            string
	SessionExpiration int
}

const (
	// DefaultSessionName names assumed-role sessions, so that ActionTrail shows what acted.
	DefaultSessionName = "terraform"
	// DefaultSessionExpiration is the lifetime, in seconds, asked for assumed-role sessions.
	DefaultSessionExpiration = 3600
	// MinSessionExpiration and MaxSessionExpiration bound what STS accepts.
	MinSessionExpiration = 900
	MaxSessionExpiration = 43200
)

// Env looks up an environment variable; os.Getenv in production, a map in tests.
type Env func(key string) string

// Source hands out credentials. credentials-go's providers are not safe for concurrent use, and a listing
// reads pages concurrently, so every call goes through one mutex; a refresh thus happens once, while the
// other callers wait for its result instead of each calling STS.
type Source struct {
	mu       sync.Mutex
	provider providers.CredentialsProvider
	// Origin says where the credentials came from, for diagnostics, e.g. `profile "dev" (RamRoleArn) of
	// /home/me/.aliyun/config.json, named by the provider block`. It never holds a secret.
	Origin string
	// Warnings are what Resolve found suspicious in credentials that work as far as it can tell, e.g. a
	// temporary key without its token, which only the service will refuse.
	Warnings []Warning
}

// Warning is a problem worth telling the user about that does not stop the credentials from being used.
type Warning struct {
	Summary, Detail string
	// Argument is the provider block's argument to point at, or "" when the problem is elsewhere.
	Argument string
}

// temporaryKeyPrefix starts the AccessKeyId of every temporary (STS) key.
const temporaryKeyPrefix = "STS."

// checkTemporaryKey warns when c has a temporary key and no token: every request would be refused with
// InvalidSecurityToken.Missing, and saying so when the provider is configured is clearer.
func (s *Source) checkTemporaryKey(c Credentials) {
	if !strings.HasPrefix(c.AccessKeyID, temporaryKeyPrefix) || c.SecurityToken != "" {
		return
	}
	argument := ""
	if s.Origin == blockKeysOrigin {
		argument = "security_token"
	}
	s.Warnings = append(s.Warnings, Warning{
		Argument: argument,
		Summary:  "Temporary access key without a security token",
		Detail: fmt.Sprintf("The access key from %s starts with %q, as temporary (STS) keys do, but no security token is set with it; "+
			"DBS refuses such a key without its token (InvalidSecurityToken.Missing). Set the token where the key is set: "+
			"security_token in the provider block, ALICLOUD_SECURITY_TOKEN or ALIBABA_CLOUD_SECURITY_TOKEN in the environment, "+
			"or sts_token in a StsToken profile of the aliyun CLI.", s.Origin, temporaryKeyPrefix),
	})
}

// Credentials returns the credentials to sign the next request with, refreshing temporary ones that are
// close to their expiry.
func (s *Source) Credentials(ctx context.Context) (Credentials, error) {
	if err := ctx.Err(); err != nil {
		return Credentials{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.provider.GetCredentials()
	if err != nil {
		return Credentials{}, fmt.Errorf("credentials from %s: %w", s.Origin, err)
	}
	return Credentials{AccessKeyID: c.AccessKeyId, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}, nil
}

func (e Env) get(key string) string {
	if e == nil {
		return os.Getenv(key)
	}
	return e(key)
}

// first is the first of the variables names whose value is not blank, and its value as set; "" and ""
// when none is. A variable set to white space is as good as unset: it names nothing.
func (e Env) first(names ...string) (name, value string) {
	for _, name := range names {
		if v := e.get(name); strings.TrimSpace(v) != "" {
			return name, v
		}
	}
	return "", ""
}
