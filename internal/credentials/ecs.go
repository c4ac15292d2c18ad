package credentials

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"
)

const (
	// metadataBase is the ECS instance metadata service, at a fixed link-local-like address. Requests go
	// through http.ProxyFromEnvironment, as credentials-go's do, so NO_PROXY must list it behind a proxy.
	metadataBase = "http://100.100.100.200"
	// metadataService names it in errors.
	metadataService = "the ECS metadata service (" + metadataBase + ")"
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
// ALIBABA_CLOUD_ECS_METADATA_DISABLED=true, which must not override an ecs_role_name the user wrote,
// because its lookups are not bounded as a whole, and because its HTTP client follows redirects (see
// http.go).
type ecsSource struct {
	roleName    string // "" asks the metadata service for the instance's role
	allowIMDSv1 bool   // fall back to unauthenticated reads when the token endpoint refuses
	timeout     time.Duration
	http        *httpClient
}

// ecsSource builds the source of the instance's role roleName ("" for the role the instance has); it
// falls back to IMDSv1 unless ALIBABA_CLOUD_IMDSV1_DISABLED=true.
func (r *resolver) ecsSource(roleName string) providers.CredentialsProvider {
	e := &ecsSource{roleName: roleName, allowIMDSv1: r.allowIMDSv1(), timeout: ecsLookupTimeout, http: r.http}
	return &renewing{name: "ecs_ram_role", fetch: e.lookup}
}

// lookup reads the credentials within e.timeout.
func (e *ecsSource) lookup() (*providers.Credentials, time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
	defer cancel()
	c, expires, err := e.fetch(ctx)
	if err != nil && ctx.Err() != nil {
		return nil, time.Time{}, fmt.Errorf("the ECS metadata service (%s) did not answer within %s: this machine is not an ECS instance, "+
			"or its metadata service is unreachable (%v)", metadataBase, e.timeout, err)
	}
	return c, expires, err
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
		Code    string `json:"Code"`
		Message string `json:"Message"`
		sessionAnswer
	}
	service := fmt.Sprintf("the credentials of role %q at %s", role, metadataService)
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, time.Time{}, &requestError{service: service, detail: "answered credentials that are not JSON"}
	}
	if r.Code != "Success" {
		return nil, time.Time{}, &ServiceError{Service: service, Code: cmp.Or(r.Code, "(none)"),
			Message: cmp.Or(r.Message, "the answer's Code is not Success")}
	}
	return r.credentials(service)
}

// token gets an IMDSv2 session token. A service that refuses the token request (an old one) is read
// without a token when allowIMDSv1; one that does not answer at all is no metadata service.
func (e *ecsSource) token(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, metadataBase+"/latest/api/token", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-aliyun-ecs-metadata-token-ttl-seconds", metadataTokenTTL)
	a, err := e.http.exchange("PUT /latest/api/token (a metadata token, IMDSv2) at "+metadataService, req, nil)
	switch {
	case err != nil && a != nil && e.allowIMDSv1:
		return "", nil
	case err != nil && a != nil:
		return "", fmt.Errorf("%w (ALIBABA_CLOUD_IMDSV1_DISABLED=true forbids reading without one)", err)
	case err != nil:
		return "", err
	}
	return strings.TrimSpace(string(a.body)), nil
}

func (e *ecsSource) get(ctx context.Context, path, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metadataBase+path, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("X-aliyun-ecs-metadata-token", token)
	}
	a, err := e.http.exchange("GET "+path+" at "+metadataService, req, nil)
	if err != nil {
		return nil, err
	}
	return a.body, nil
}
