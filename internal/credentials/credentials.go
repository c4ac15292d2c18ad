// Package credentials turns what the user configured (provider arguments, environment variables, the
// default chain of github.com/aliyun/credentials-go) into one source of Alibaba Cloud credentials, in an
// order users can predict: what the provider block says beats what the environment says, and the
// environment beats the default chain. It knows nothing of Terraform or DBS.
package credentials

import (
	"context"
	"errors"
	"fmt"
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

// Settings are the provider block's credential arguments; an empty string means "not set".
type Settings struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
}

// Env looks up an environment variable; os.Getenv in production, a map in tests.
type Env func(key string) string

// Source hands out credentials. credentials-go's providers are not safe for concurrent use, and a listing
// reads pages concurrently, so every call goes through one mutex.
type Source struct {
	mu       sync.Mutex
	provider providers.CredentialsProvider
	// Origin says where the credentials came from, for diagnostics ("provider block", "ALICLOUD_* variables").
	Origin string
}

// Credentials returns the credentials to sign the next request with.
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

// keySet is an access key, its secret and its token, always taken together from one place: mixing a key
// from the block with a secret from the environment would sign with a pair that was never issued.
type keySet struct {
	origin                   string
	accessKey, secret, token string
}

func (k keySet) empty() bool { return k.accessKey == "" && k.secret == "" && k.token == "" }

func (k keySet) check() error {
	switch {
	case k.accessKey == "" && k.secret != "":
		return fmt.Errorf("%s: a secret key is set without an access key", k.origin)
	case k.accessKey != "" && k.secret == "":
		return fmt.Errorf("%s: an access key is set without a secret key", k.origin)
	case k.accessKey == "" && k.token != "":
		return fmt.Errorf("%s: a security token is set without an access key and secret key", k.origin)
	}
	return nil
}

// ErrNoCredentials is wrapped by Resolve's error when no source had credentials.
var ErrNoCredentials = errors.New("no Alibaba Cloud credentials found")

// Resolve picks the credential source: the provider block's keys, else the ALICLOUD_* variables, else the
// ALIBABA_CLOUD_* variables, else credentials-go's default chain. It fetches credentials once, so that a
// missing or broken source is reported when the provider is configured, not halfway through a read.
func Resolve(ctx context.Context, s Settings, env Env) (*Source, error) {
	candidates := []keySet{
		{"the provider block (access_key, secret_key, security_token)", s.AccessKey, s.SecretKey, s.SecurityToken},
		{"the environment (ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN)",
			env("ALICLOUD_ACCESS_KEY"), env("ALICLOUD_SECRET_KEY"), env("ALICLOUD_SECURITY_TOKEN")},
		{"the environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN)",
			env("ALIBABA_CLOUD_ACCESS_KEY_ID"), env("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), env("ALIBABA_CLOUD_SECURITY_TOKEN")},
	}
	tried := make([]string, 0, len(candidates)+1)
	for _, k := range candidates {
		if k.empty() {
			tried = append(tried, k.origin)
			continue
		}
		if err := k.check(); err != nil {
			return nil, err
		}
		p, err := staticProvider(k)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.origin, err)
		}
		return verified(ctx, &Source{provider: p, Origin: k.origin})
	}

	tried = append(tried, "the default credential chain of credentials-go (OIDC variables, ~/.aliyun/config.json, ~/.alibabacloud/credentials, ECS instance metadata, ALIBABA_CLOUD_CREDENTIALS_URI)")
	src, err := verified(ctx, &Source{provider: providers.NewDefaultCredentialsProvider(), Origin: "the default credential chain"})
	if err != nil {
		return nil, fmt.Errorf("%w. Tried, in order:\n- %s\nSet access_key and secret_key in the provider block, or the ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY environment variables. (%v)",
			ErrNoCredentials, strings.Join(tried, "\n- "), err)
	}
	return src, nil
}

func staticProvider(k keySet) (providers.CredentialsProvider, error) {
	if k.token != "" {
		return providers.NewStaticSTSCredentialsProviderBuilder().
			WithAccessKeyId(k.accessKey).WithAccessKeySecret(k.secret).WithSecurityToken(k.token).Build()
	}
	return providers.NewStaticAKCredentialsProviderBuilder().
		WithAccessKeyId(k.accessKey).WithAccessKeySecret(k.secret).Build()
}

func verified(ctx context.Context, src *Source) (*Source, error) {
	if _, err := src.Credentials(ctx); err != nil {
		return nil, err
	}
	return src, nil
}
