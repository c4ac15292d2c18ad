package credentials

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/acs"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/redact"
)

// stsEndpoint is where STS is asked: the configured endpoint; else the regional endpoint of the first
// region of stsRegion (a profile's sts_region), ALIBABA_CLOUD_STS_REGION and the provider's region, in
// the VPC (sts-vpc.<region>.aliyuncs.com) when vpc (a profile's enable_vpc) or
// ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true says so; else the global sts.aliyuncs.com, as credentials-go
// chooses. credentials-go on its own would use the global endpoint whatever the provider's region, which
// is slower from most regions and unreachable from some VPCs.
func (r *resolver) stsEndpoint(stsRegion string, vpc bool) string {
	if r.settings.STSEndpoint != "" {
		return r.settings.STSEndpoint
	}
	region := cmp.Or(stsRegion, strings.TrimSpace(r.env.get("ALIBABA_CLOUD_STS_REGION")), r.settings.Region)
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
	// namedBy says where the role's ARN was set, for Resolve's origin; "" when the origin says it already.
	namedBy string
}

// assumeRole assumes rs.roleARN with the credentials of base, through this package's STS client (see
// http.go for why not credentials-go's), and opens the session again shortly before it expires. Every
// value is passed explicitly, so that none of the ALIBABA_CLOUD_* variables credentials-go reads for
// missing values can change it.
func (r *resolver) assumeRole(base providers.CredentialsProvider, rs roleSession) (providers.CredentialsProvider, error) {
	a := &assumedRole{base: base, rs: rs, http: r.http, secrets: slices.Clone(r.secrets)}
	return &renewing{name: "ram_role_arn", fetch: a.fetch}, nil
}

// assumedRole opens a role's session with STS AssumeRole.
type assumedRole struct {
	base    providers.CredentialsProvider
	rs      roleSession
	http    *httpClient
	secrets []string
}

func (a *assumedRole) service() string {
	return fmt.Sprintf("STS AssumeRole for %s at %s", a.rs.roleARN, a.rs.endpoint)
}

func (a *assumedRole) fetch() (*providers.Credentials, time.Time, error) {
	base, err := a.base.GetCredentials()
	if err != nil {
		return nil, time.Time{}, &baseCredentialsError{err: err}
	}
	form := url.Values{
		"RoleArn":         {a.rs.roleARN},
		"RoleSessionName": {a.rs.sessionName},
		"DurationSeconds": {strconv.Itoa(a.rs.duration)},
	}
	if a.rs.policy != "" {
		form.Set("Policy", a.rs.policy)
	}
	if a.rs.externalID != "" {
		form.Set("ExternalId", a.rs.externalID)
	}
	signer := &acs.Credentials{AccessKeyID: base.AccessKeyId, AccessKeySecret: base.AccessKeySecret, SecurityToken: base.SecurityToken}
	secrets := append(slices.Clone(a.secrets), base.AccessKeyId, base.AccessKeySecret, base.SecurityToken)
	return a.http.callSTS(a.service(), a.rs.endpoint, "AssumeRole", form, signer, secrets)
}

// stsVersion is the STS API version of AssumeRole and AssumeRoleWithOIDC.
const stsVersion = "2015-04-01"

// callSTS posts an STS action to endpoint (host[:port], always HTTPS) with its parameters in a form body
// and reads the temporary credentials it answers. A signed action (AssumeRole) is signed by signer with
// ACS3-HMAC-SHA256, the gateway's current signature, through internal/acs, the signer DBS requests use:
// STS accepts it like every Alibaba Cloud API, so the provider keeps one signer. An unsigned action
// (AssumeRoleWithOIDC, whose proof is the OIDC token) names itself in the query string, as
// credentials-go sends it. secrets are removed from anything an error quotes.
func (c *httpClient) callSTS(service, endpoint, action string, form url.Values, signer *acs.Credentials, secrets []string) (*providers.Credentials, time.Time, error) {
	fail := func(format string, args ...any) (*providers.Credentials, time.Time, error) {
		return nil, time.Time{}, &requestError{service: service, detail: redact.Credentials(fmt.Sprintf(format, args...), secrets...)}
	}
	u := url.URL{Scheme: "https", Host: endpoint, Path: "/"}
	if signer == nil {
		u.RawQuery = acs.CanonicalQuery(url.Values{"Action": {action}, "Version": {stsVersion}, "Format": {"JSON"},
			"Timestamp": {time.Now().UTC().Format(acs.DateFormat)}})
	}
	// The body is percent-encoded as the signature's canonical form is (a space is %20, never +).
	body := []byte(acs.CanonicalQuery(form))
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		// Go's error would quote the whole URL; the endpoint alone says what is wrong.
		return fail("the endpoint %q is not a host[:port]", endpoint)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if signer != nil {
		req.Header.Set("x-acs-action", action)
		req.Header.Set("x-acs-version", stsVersion)
		nonce, err := acs.NewNonce()
		if err != nil {
			return fail("making a signature nonce: %v", err)
		}
		if err := acs.Sign(req, body, *signer, nonce, time.Now()); err != nil {
			return fail("signing the request: %v", err)
		}
	}
	a, err := c.exchange(service, req, secrets)
	if err != nil {
		return nil, time.Time{}, err
	}
	var ok struct {
		Credentials *sessionAnswer `json:"Credentials"`
	}
	if err := json.Unmarshal(a.body, &ok); err != nil || ok.Credentials == nil {
		return fail("answered HTTP 200 without credentials (%s)", a.kind())
	}
	return ok.Credentials.credentials(service)
}

// sessionAnswer is temporary credentials as STS, a credentials URI and the ECS metadata service answer them.
type sessionAnswer struct {
	AccessKeyID     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
	SecurityToken   string `json:"SecurityToken"`
	Expiration      string `json:"Expiration"`
}

// credentials checks that the answer is complete and reads its expiry.
func (s *sessionAnswer) credentials(service string) (*providers.Credentials, time.Time, error) {
	var missing []string
	for _, f := range []struct{ name, value string }{{"AccessKeyId", s.AccessKeyID}, {"AccessKeySecret", s.AccessKeySecret},
		{"SecurityToken", s.SecurityToken}, {"Expiration", s.Expiration}} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, time.Time{}, &requestError{service: service, detail: "answered credentials without " + strings.Join(missing, " and ")}
	}
	expires, err := time.Parse("2006-01-02T15:04:05Z", s.Expiration)
	if err != nil {
		return nil, time.Time{}, &requestError{service: service, detail: fmt.Sprintf("answered an Expiration %q that is not a time such as 2006-01-02T15:04:05Z", s.Expiration)}
	}
	return &providers.Credentials{AccessKeyId: s.AccessKeyID, AccessKeySecret: s.AccessKeySecret, SecurityToken: s.SecurityToken}, expires, nil
}

// baseCredentialsError is the failure of the credentials a role is assumed with, told apart from a
// refusal by STS.
type baseCredentialsError struct{ err error }

func (e *baseCredentialsError) Error() string {
	return "the credentials to assume the role with: " + e.err.Error()
}
func (e *baseCredentialsError) Unwrap() error { return e.err }

// oidcSession is one AssumeRoleWithOIDC session to open, with the token given or read from a file.
type oidcSession struct {
	providerARN, roleARN, sessionName, policy string
	token, tokenFile                          string
	duration                                  int
	endpoint                                  string
}

// oidcSource assumes a role with an OIDC token (STS AssumeRoleWithOIDC). A token file is read every time
// a session is opened, since Kubernetes rotates projected tokens in place; the token given in the block
// or the environment is used as is, never ALIBABA_CLOUD_OIDC_TOKEN in place of the block's file.
type oidcSource struct {
	cfg     oidcSession
	http    *httpClient
	secrets []string
}

// oidcSource builds the source of an OIDC session, opened again shortly before it expires.
func (r *resolver) oidcSource(cfg oidcSession) providers.CredentialsProvider {
	o := &oidcSource{cfg: cfg, http: r.http, secrets: slices.Clone(r.secrets)}
	return &renewing{name: "oidc_role_arn", fetch: o.fetch}
}

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

func (o *oidcSource) fetch() (*providers.Credentials, time.Time, error) {
	token, err := o.readToken()
	if err != nil {
		return nil, time.Time{}, err
	}
	form := url.Values{
		"RoleArn":         {o.cfg.roleARN},
		"OIDCProviderArn": {o.cfg.providerARN},
		"OIDCToken":       {token},
		"RoleSessionName": {o.cfg.sessionName},
		"DurationSeconds": {strconv.Itoa(o.cfg.duration)},
	}
	if o.cfg.policy != "" {
		form.Set("Policy", o.cfg.policy)
	}
	return o.http.callSTS(o.service(), o.cfg.endpoint, "AssumeRoleWithOIDC", form, nil, append(slices.Clone(o.secrets), token))
}
