// Package provider is the Terraform face of the provider: its schema, its configuration and the
// alicloud_dbs_restore_tasks data source. Everything that talks to Alibaba Cloud lives in other packages.
package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/credentials"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// Address is where Terraform finds this provider.
const Address = "registry.terraform.io/seed-00b4a2d9/alicloud"

const (
	defaultMaxRetryTimeout       = 120 * time.Second
	defaultConnectTimeout        = 10 * time.Second
	defaultReadTimeout           = 30 * time.Second
	defaultMaxConcurrentRequests = 8
)

var _ provider.Provider = (*alicloudProvider)(nil)

type alicloudProvider struct {
	version string
	// getenv is os.Getenv; tests hand in their own environment.
	getenv func(string) string
	// configured is what Configure built, for the protocol-level read path (see fast_read.go).
	configured atomic.Pointer[providerData]
}

// New returns a function that builds the provider, as providerserver.Serve expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &alicloudProvider{version: version, getenv: os.Getenv} }
}

type providerModel struct {
	credentialsModel
	Region                types.String    `tfsdk:"region"`
	Protocol              types.String    `tfsdk:"protocol"`
	Endpoints             *endpointsModel `tfsdk:"endpoints"`
	MaxRetryTimeout       types.Int64     `tfsdk:"max_retry_timeout"`
	ClientConnectTimeout  types.Int64     `tfsdk:"client_connect_timeout"`
	ClientReadTimeout     types.Int64     `tfsdk:"client_read_timeout"`
	MaxConcurrentRequests types.Int64     `tfsdk:"max_concurrent_requests"`
	ConfigurationSource   types.String    `tfsdk:"configuration_source"`
}

type endpointsModel struct {
	DBS types.String `tfsdk:"dbs"`
	STS types.String `tfsdk:"sts"`
}

func (p *alicloudProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "alicloud"
	resp.Version = p.version
}

func (p *alicloudProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"region": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Region, e.g. `cn-hangzhou`. Falls back to `ALICLOUD_REGION`, then `ALIBABA_CLOUD_REGION`. " +
				"Picks the DBS endpoint from the official endpoint table; required unless `endpoints.dbs` is set.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"protocol": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Scheme used to reach DBS: `HTTPS` (default) or `HTTP`. Ignored for an endpoint given with its scheme.",
			Validators:          []validator.String{stringvalidator.OneOf("HTTPS", "HTTP")},
		},
		"max_retry_timeout": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Longest time, in seconds, spent retrying one request that failed in a way worth retrying (throttling, `5xx`, network errors). "+
				"Falls back to `MAX_RETRY_TIMEOUT`; default `%d`. `0` turns retries off.", int(defaultMaxRetryTimeout.Seconds())),
			Validators: []validator.Int64{int64validator.Between(0, 3600)},
		},
		"client_connect_timeout": schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: fmt.Sprintf("Timeout, in milliseconds, for opening a connection to DBS. Default `%d`.", defaultConnectTimeout.Milliseconds()),
			Validators:          []validator.Int64{int64validator.Between(1, 600_000)},
		},
		"client_read_timeout": schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: fmt.Sprintf("Timeout, in milliseconds, for reading one response from DBS. Default `%d`.", defaultReadTimeout.Milliseconds()),
			Validators:          []validator.Int64{int64validator.Between(1, 600_000)},
		},
		"max_concurrent_requests": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Most requests in flight at once while reading the pages of one listing, `1`–`32`. Default `%d`. "+
				"Under throttling the provider lowers it by itself.", defaultMaxConcurrentRequests),
			Validators: []validator.Int64{int64validator.Between(1, 32)},
		},
		"configuration_source": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Free text added to the User-Agent of every request, e.g. the repository the configuration lives in.",
			Validators:          []validator.String{stringvalidator.LengthAtMost(64)},
		},
	}
	blocks := map[string]schema.Block{
		"endpoints": schema.SingleNestedBlock{
			MarkdownDescription: "Overrides of service endpoints.",
			Attributes: map[string]schema.Attribute{
				"dbs": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "DBS endpoint as `host[:port]` (reached with `protocol`), or a URL with its scheme, e.g. `http://127.0.0.1:8080`, taken as is. " +
						"Falls back to `ALIBABA_CLOUD_ENDPOINT_DBS`, then `DBS_ENDPOINT`.",
					Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				},
				"sts": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "STS endpoint as `host[:port]`, always reached over HTTPS, for `assume_role`, `assume_role_with_oidc` and profiles that assume roles. " +
						"Falls back to `ALIBABA_CLOUD_ENDPOINT_STS`, then `STS_ENDPOINT`; default `sts.<region>.aliyuncs.com`, or `sts.aliyuncs.com` without a region.",
					Validators: []validator.String{stringvalidator.RegexMatches(hostPortPattern, "must be host[:port], without a scheme: STS is always reached over HTTPS")},
				},
			},
		},
	}
	for name, a := range credentialAttributes() {
		attrs[name] = a
	}
	for name, b := range credentialBlocks() {
		blocks[name] = b
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The provider reads Alibaba Cloud Database Backup Service (DBS) data. " +
			"Configure credentials, a region or an endpoint; every argument can also come from the environment.",
		Attributes: attrs,
		Blocks:     blocks,
	}
}

// providerData is what Configure hands to data sources: one client per provider configuration.
type providerData struct {
	client *dbs.Client
}

func (p *alicloudProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !allKnown(resp, cfg) {
		return
	}

	endpoint, where, err := p.dbsEndpoint(cfg)
	if err != nil {
		resp.Diagnostics.AddAttributeError(where, "Unable to choose the DBS endpoint", err.Error())
		return
	}

	settings, diags := p.credentialSettings(cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	src, err := credentials.Resolve(ctx, settings, p.getenv)
	if err != nil {
		resp.Diagnostics.Append(credentialsDiagnostic(err))
		return
	}
	tflog.Debug(ctx, "credentials resolved", map[string]any{"origin": src.Origin, "dbs_endpoint": endpoint})

	retry, err := p.maxRetryTimeout(cfg)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("max_retry_timeout"), "Invalid MAX_RETRY_TIMEOUT", err.Error())
		return
	}

	client, err := dbs.NewClient(dbs.Config{
		Endpoint:              endpoint,
		Credentials:           credentialsSource{src},
		HTTPClient:            newHTTPClient(millis(cfg.ClientConnectTimeout, defaultConnectTimeout), millis(cfg.ClientReadTimeout, defaultReadTimeout)),
		UserAgent:             p.userAgent(req.TerraformVersion, cfg.ConfigurationSource.ValueString()),
		MaxRetryTimeout:       retry,
		MaxConcurrentRequests: int(int64Or(cfg.MaxConcurrentRequests, defaultMaxConcurrentRequests)),
		Log: func(ctx context.Context, msg string, fields map[string]any) {
			tflog.Debug(ctx, msg, fields)
		},
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(where, "Unable to create the DBS client", err.Error())
		return
	}
	data := &providerData{client: client}
	p.configured.Store(data)
	resp.DataSourceData = data
	resp.ResourceData = data
}

// allKnown refuses a provider configuration with values not known until apply: a data source is read
// during plan, and guessing an endpoint or a key would send requests to the wrong place.
func allKnown(resp *provider.ConfigureResponse, cfg providerModel) bool {
	values := map[string]interface{ IsUnknown() bool }{
		"region": cfg.Region, "protocol": cfg.Protocol, "max_retry_timeout": cfg.MaxRetryTimeout,
		"client_connect_timeout": cfg.ClientConnectTimeout, "client_read_timeout": cfg.ClientReadTimeout,
		"max_concurrent_requests": cfg.MaxConcurrentRequests, "configuration_source": cfg.ConfigurationSource,
	}
	for name, v := range cfg.values() {
		values[name] = v
	}
	ok := true
	for _, name := range sortedKeys(values) { // a stable order of diagnostics from run to run
		if v := values[name]; v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown provider argument",
				"The provider argument "+name+" depends on a value known only after apply. Set it to a value known at plan time.")
			ok = false
		}
	}
	if cfg.Endpoints != nil && cfg.Endpoints.DBS.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("endpoints").AtName("dbs"), "Unknown provider argument",
			"endpoints.dbs depends on a value known only after apply. Set it to a value known at plan time.")
		ok = false
	}
	return ok
}

// dbsEndpoint chooses the base URL: an override (block, then environment) or the region's host. It
// returns the attribute path to blame when the choice fails.
func (p *alicloudProvider) dbsEndpoint(cfg providerModel) (string, path.Path, error) {
	scheme := "https"
	if strings.EqualFold(cfg.Protocol.ValueString(), "HTTP") {
		scheme = "http"
	}
	override, where := "", path.Root("endpoints").AtName("dbs")
	if cfg.Endpoints != nil {
		override = cfg.Endpoints.DBS.ValueString()
	}
	for _, name := range []string{"ALIBABA_CLOUD_ENDPOINT_DBS", "DBS_ENDPOINT"} {
		if override == "" {
			override = strings.TrimSpace(p.getenv(name))
		}
	}
	if override != "" {
		return endpointURL(override, scheme, where)
	}

	region := cfg.Region.ValueString()
	for _, name := range []string{"ALICLOUD_REGION", "ALIBABA_CLOUD_REGION"} {
		if region == "" {
			region = strings.TrimSpace(p.getenv(name))
		}
	}
	if region == "" {
		return "", path.Root("region"), fmt.Errorf("no region is set, so the DBS endpoint cannot be chosen. " +
			"Set region in the provider block (or ALICLOUD_REGION / ALIBABA_CLOUD_REGION), or set endpoints.dbs")
	}
	host, _ := dbs.EndpointForRegion(region)
	if host == "" {
		return "", path.Root("region"), fmt.Errorf("%q is not a region ID such as cn-hangzhou", region)
	}
	return scheme + "://" + host, path.Root("region"), nil
}

// endpointURL takes "host[:port]" with the protocol's scheme, or a URL with its own scheme as is.
func endpointURL(value, scheme string, where path.Path) (string, path.Path, error) {
	if strings.Contains(value, "://") {
		return strings.TrimRight(value, "/"), where, nil
	}
	if strings.ContainsAny(value, "/?#@ ") {
		return "", where, fmt.Errorf("the DBS endpoint %q is not of the form host[:port] or scheme://host[:port]", value)
	}
	return scheme + "://" + value, where, nil
}

func (p *alicloudProvider) maxRetryTimeout(cfg providerModel) (time.Duration, error) {
	if !cfg.MaxRetryTimeout.IsNull() {
		return time.Duration(cfg.MaxRetryTimeout.ValueInt64()) * time.Second, nil
	}
	if v := strings.TrimSpace(p.getenv("MAX_RETRY_TIMEOUT")); v != "" {
		var secs int64
		if _, err := fmt.Sscan(v, &secs); err != nil || secs < 0 || secs > 3600 || fmt.Sprint(secs) != v {
			return 0, fmt.Errorf("MAX_RETRY_TIMEOUT=%q is not a number of seconds between 0 and 3600", v)
		}
		return time.Duration(secs) * time.Second, nil
	}
	return defaultMaxRetryTimeout, nil
}

func (p *alicloudProvider) userAgent(terraformVersion, source string) string {
	ua := "terraform-provider-alicloud/" + p.version
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	if source != "" {
		ua += " configuration_source/" + strings.Map(func(r rune) rune {
			if r < 0x21 || r > 0x7e { // keep the header one printable token
				return '_'
			}
			return r
		}, source)
	}
	return ua
}

// newHTTPClient builds the one HTTP client of a provider configuration: connections are kept alive and
// enough of them stay idle for every concurrent page request.
func newHTTPClient(connect, read time.Duration) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext
	transport.TLSHandshakeTimeout = connect
	transport.ResponseHeaderTimeout = read
	transport.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: transport, Timeout: connect + read}
}

func millis(v types.Int64, def time.Duration) time.Duration {
	if v.IsNull() {
		return def
	}
	return time.Duration(v.ValueInt64()) * time.Millisecond
}

func int64Or(v types.Int64, def int64) int64 {
	if v.IsNull() {
		return def
	}
	return v.ValueInt64()
}

// credentialsSource lets the DBS client ask our credential source without either package knowing the other.
type credentialsSource struct{ src *credentials.Source }

func (c credentialsSource) Credentials(ctx context.Context) (dbs.Credentials, error) {
	cr, err := c.src.Credentials(ctx)
	return dbs.Credentials{AccessKeyID: cr.AccessKeyID, AccessKeySecret: cr.AccessKeySecret, SecurityToken: cr.SecurityToken}, err
}

func (p *alicloudProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newDbsRestoreTasksDataSource}
}

func (p *alicloudProvider) Resources(_ context.Context) []func() resource.Resource {
	return nil
}
