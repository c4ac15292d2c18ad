package credentials

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// stsEndpoint is where STS is asked: the configured endpoint; else the regional endpoint of the first
// region of stsRegion (a profile's sts_region), ALIBABA_CLOUD_STS_REGION and the provider's region, in
// the VPC (sts-vpc.<region>.aliyuncs.com) when vpc (a profile's enable_vpc) or
// ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true says so; else the global sts.aliyuncs.com, as credentials-go
// chooses. credentials-go on its own would use the global endpoint whatever the provider's region, which
// is slower from most regions and unreachable from some VPCs.
func (r *resolver) stsEndpoint(stsRegion string, vpc bool) string {
	if r.s.STSEndpoint != "" {
		return r.s.STSEndpoint
	}
	region := stsRegion
	for _, fallback := range []string{strings.TrimSpace(r.env.get("ALIBABA_CLOUD_STS_REGION")), r.s.Region} {
		if region == "" {
			region = fallback
		}
	}
	if region == "" {
		return "sts.aliyuncs.com"
	}
	if vpc || strings.EqualFold(r.env.get("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"), "true") {
		return "sts-vpc." + region + ".aliyuncs.com"
	}
	return "sts." + region + ".aliyuncs.com"
}

// roleSession is one AssumeRole session to open.
type roleSession struct {
	roleARN, sessionName, policy, externalID string
	duration                                 int
	endpoint                                 string
}

// assumeRole wraps base in credentials-go's AssumeRole provider. Every value is passed explicitly, so that
// none of the ALIBABA_CLOUD_* variables credentials-go reads for missing values can change it.
func (r *resolver) assumeRole(base providers.CredentialsProvider, rs roleSession) (providers.CredentialsProvider, error) {
	p, err := providers.NewRAMRoleARNCredentialsProviderBuilder().
		WithCredentialsProvider(baseOf{base}).
		WithRoleArn(rs.roleARN).
		WithRoleSessionName(rs.sessionName).
		WithDurationSeconds(rs.duration).
		WithPolicy(rs.policy).
		WithExternalId(rs.externalID).
		WithStsEndpoint(rs.endpoint).
		Build()
	if err != nil {
		return nil, fmt.Errorf("assuming role %s: %w", rs.roleARN, err)
	}
	return &explained{inner: p, service: fmt.Sprintf("STS AssumeRole for %s at %s", rs.roleARN, rs.endpoint), secrets: r.secrets}, nil
}

// baseOf marks the failures of the credentials a role is assumed with: credentials-go hands them up
// unchanged, and they must not read as failures of STS.
type baseOf struct{ inner providers.CredentialsProvider }

func (b baseOf) GetProviderName() string { return b.inner.GetProviderName() }

func (b baseOf) GetCredentials() (*providers.Credentials, error) {
	c, err := b.inner.GetCredentials()
	if err != nil {
		return nil, &baseFailure{err: err}
	}
	return c, nil
}

// baseFailure is the failure of the credentials a role is assumed with.
type baseFailure struct{ err error }

func (f *baseFailure) Error() string {
	return "the credentials to assume the role with: " + f.err.Error()
}
func (f *baseFailure) Unwrap() error { return f.err }

// oidcSession is one AssumeRoleWithOIDC session to open, with the token given or read from a file.
type oidcSession struct {
	providerARN, roleARN, sessionName, policy string
	token, tokenFile                          string
	duration                                  int
	endpoint                                  string
}

// oidcSource assumes a role with an OIDC token through credentials-go's OIDC provider, to which it hands
// the token itself: given a token file, credentials-go would prefer ALIBABA_CLOUD_OIDC_TOKEN from the
// environment over it, and the provider block must win. A token file is read when the provider is built
// and read again when STS refuses, since Kubernetes rotates projected tokens in place.
type oidcSource struct {
	cfg     oidcSession
	secrets []string

	inner      providers.CredentialsProvider
	innerToken string
}

func (o *oidcSource) GetProviderName() string { return "oidc_role_arn" }

func (o *oidcSource) service() string {
	return fmt.Sprintf("STS AssumeRoleWithOIDC for %s at %s", o.cfg.roleARN, o.cfg.endpoint)
}

func (o *oidcSource) readToken() (string, error) {
	if o.cfg.token != "" {
		return o.cfg.token, nil
	}
	b, err := os.ReadFile(o.cfg.tokenFile)
	if err != nil {
		return "", fmt.Errorf("reading the OIDC token file: %w", err)
	}
	// A token written with echo ends in a newline, which is no part of the JWT.
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("the OIDC token file %s is empty", o.cfg.tokenFile)
	}
	return token, nil
}

func (o *oidcSource) build(token string) error {
	p, err := providers.NewOIDCCredentialsProviderBuilder().
		WithOIDCProviderARN(o.cfg.providerARN).
		WithOIDCToken(token).
		WithRoleArn(o.cfg.roleARN).
		WithRoleSessionName(o.cfg.sessionName).
		WithPolicy(o.cfg.policy).
		WithDurationSeconds(o.cfg.duration).
		WithSTSEndpoint(o.cfg.endpoint).
		Build()
	if err != nil {
		return fmt.Errorf("assuming role %s with OIDC: %w", o.cfg.roleARN, err)
	}
	o.inner, o.innerToken = p, token
	return nil
}

func (o *oidcSource) GetCredentials() (*providers.Credentials, error) {
	if o.inner == nil {
		token, err := o.readToken()
		if err != nil {
			return nil, err
		}
		if err := o.build(token); err != nil {
			return nil, err
		}
	}
	c, err := o.inner.GetCredentials()
	if err == nil {
		return c, nil
	}
	// The token may have expired and been rotated in the file since it was read: try once with the new one.
	if o.cfg.token == "" {
		if token, rerr := o.readToken(); rerr == nil && token != o.innerToken && o.build(token) == nil {
			if c, err = o.inner.GetCredentials(); err == nil {
				return c, nil
			}
		}
	}
	return nil, explain(o.service(), err, append(slices.Clone(o.secrets), o.innerToken))
}

// uriSource builds credentials-go's credentials URI provider with the URI given, so that
// ALIBABA_CLOUD_CREDENTIALS_URI cannot replace it.
func (r *resolver) uriSource(uri string) (providers.CredentialsProvider, error) {
	p, err := providers.NewURLCredentialsProviderBuilder().WithUrl(uri).Build()
	if err != nil {
		return nil, err
	}
	return &explained{inner: p, service: "the credentials URI " + uriHost(uri), secrets: append(slices.Clone(r.secrets), uri)}, nil
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
	return scheme + "://" + host
}
