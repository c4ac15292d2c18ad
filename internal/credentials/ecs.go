package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"
)

const (
	// metadataBase is the ECS instance metadata service, at a fixed link-local-like address. Requests go
	// through http.ProxyFromEnvironment, as credentials-go's do, so NO_PROXY must list it behind a proxy.
	metadataBase = "http://100.100.100.200"
	// ecsLookupTimeout bounds one whole lookup (token, role name, credentials). Off ECS the address does
	// not answer, and a plan must not wait on it: credentials-go's own provider allows a second per
	// request and makes up to four.
	ecsLookupTimeout = time.Second
	// metadataTokenTTL is how long, in seconds, an IMDSv2 token is asked to live: one lookup's worth.
	metadataTokenTTL = "60"
	// refreshMargin is how long before expiry temporary credentials are replaced, as credentials-go does.
	refreshMargin = 180 * time.Second
)

// ecsSource reads an ECS instance's RAM role credentials from the metadata service. It is this
// package's own rather than credentials-go's because credentials-go's refuses to be built at all when
// ALIBABA_CLOUD_ECS_METADATA_DISABLED=true, which must not override an ecs_role_name the user wrote, and
// because its lookups are not bounded as a whole.
type ecsSource struct {
	roleName    string // "" asks the metadata service for the instance's role
	allowIMDSv1 bool   // fall back to unauthenticated reads when the token endpoint refuses
	timeout     time.Duration
	client      *http.Client

	creds   *providers.Credentials
	expires time.Time
}

func newECSSource(roleName string, allowIMDSv1 bool) *ecsSource {
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		// The lookup's context bounds connecting and waiting alike; a deadline per step would let the
		// steps add up.
		DialContext:  (&net.Dialer{}).DialContext,
		MaxIdleConns: 1,
	}
	return &ecsSource{roleName: roleName, allowIMDSv1: allowIMDSv1, timeout: ecsLookupTimeout, client: &http.Client{Transport: transport}}
}

func (e *ecsSource) GetProviderName() string { return "ecs_ram_role" }

func (e *ecsSource) GetCredentials() (*providers.Credentials, error) {
	if e.creds != nil && time.Until(e.expires) > refreshMargin {
		c := *e.creds
		return &c, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
	defer cancel()
	c, expires, err := e.fetch(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("the ECS metadata service (%s) did not answer within %s: this machine is not an ECS instance, "+
				"or its metadata service is unreachable (%v)", metadataBase, e.timeout, err)
		}
		return nil, err
	}
	e.creds, e.expires = c, expires
	out := *c
	return &out, nil
}

func (e *ecsSource) fetch(ctx context.Context) (*providers.Credentials, time.Time, error) {
	token, err := e.token(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	role := e.roleName
	if role == "" {
		body, err := e.get(ctx, "/latest/meta-data/ram/security-credentials/", token)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("%w; attach a RAM role to the instance, or name it with ecs_role_name", err)
		}
		role = strings.TrimSpace(strings.SplitN(string(body), "\n", 2)[0])
		if role == "" {
			return nil, time.Time{}, fmt.Errorf("the ECS instance has no RAM role attached (%s answered no role name)", metadataBase)
		}
	}
	body, err := e.get(ctx, "/latest/meta-data/ram/security-credentials/"+role, token)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w; check that the RAM role %q is attached to this instance", err, role)
	}
	var r struct {
		Code            string `json:"Code"`
		AccessKeyID     string `json:"AccessKeyId"`
		AccessKeySecret string `json:"AccessKeySecret"`
		SecurityToken   string `json:"SecurityToken"`
		Expiration      string `json:"Expiration"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, time.Time{}, fmt.Errorf("the ECS metadata service answered credentials of role %q that are not JSON", role)
	}
	if r.Code != "Success" || r.AccessKeyID == "" || r.AccessKeySecret == "" || r.SecurityToken == "" {
		return nil, time.Time{}, &ServiceError{Service: "the ECS metadata service, for role " + fmt.Sprintf("%q", role),
			Code: orDefault(r.Code, "Incomplete"), Message: "the answer lacks Code Success or a key, secret or token"}
	}
	expires, err := time.Parse("2006-01-02T15:04:05Z", r.Expiration)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("the ECS metadata service answered an Expiration %q that is not a time", r.Expiration)
	}
	return &providers.Credentials{AccessKeyId: r.AccessKeyID, AccessKeySecret: r.AccessKeySecret, SecurityToken: r.SecurityToken,
		ProviderName: e.GetProviderName()}, expires, nil
}

// token gets an IMDSv2 session token. A service that refuses the token request (an old one) is read
// without a token when allowIMDSv1; one that does not answer at all is no metadata service.
func (e *ecsSource) token(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, metadataBase+"/latest/api/token", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-aliyun-ecs-metadata-token-ttl-seconds", metadataTokenTTL)
	res, err := e.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("the ECS metadata service (%s) is unreachable: %w", metadataBase, unwrapURL(err))
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		if e.allowIMDSv1 {
			return "", nil
		}
		return "", fmt.Errorf("the ECS metadata service refused a metadata token: HTTP %d %s (ALIBABA_CLOUD_IMDSV1_DISABLED=true forbids reading without one)",
			res.StatusCode, firstLine(body))
	}
	return strings.TrimSpace(string(body)), nil
}

func (e *ecsSource) get(ctx context.Context, path, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metadataBase+path, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("X-aliyun-ecs-metadata-token", token)
	}
	res, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the ECS metadata service (%s) is unreachable: %w", metadataBase, unwrapURL(err))
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("reading %s from the ECS metadata service: %w", path, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the ECS metadata service answered HTTP %d to GET %s", res.StatusCode, path)
	}
	return body, nil
}

// unwrapURL drops the url.Error wrapper, whose text repeats the method and URL the caller names already.
func unwrapURL(err error) error {
	var u *url.Error
	if errors.As(err, &u) {
		return u.Err
	}
	return err
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
