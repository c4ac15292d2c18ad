// Package provider is the Terraform face of the provider: its schema, its configuration and the
// alicloud_dbs_restore_tasks data source. Everything that talks to Alibaba Cloud lives in other packages.
package provider

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/credentials"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// providerTypeName prefixes the type names of the provider's data sources.
const providerTypeName = "alicloud"

// Address is where Terraform finds this provider.
const Address = "registry.terraform.io/seed-00b4a2d9/alicloud"

const (
	defaultMaxRetryTimeout       = 120 * time.Second
	defaultConnectTimeout        = dbs.DefaultConnectTimeout
	defaultReadTimeout           = dbs.DefaultReadTimeout
	defaultMaxConcurrentRequests = 8
	minRequestsPerSecond         = 0.1
	maxRequestsPerSecond         = 1000.0
)

var _ provider.Provider = (*alicloudProvider)(nil)

type alicloudProvider struct {
	version string
	// getenv is os.Getenv; tests hand in their own environment.
	getenv func(string) string
	// oauthSignInURLs replaces Alibaba Cloud's OAuth sign-in services, for tests (see credentials.Settings).
	oauthSignInURLs map[string]string
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
	MaxRequestsPerSecond  types.Float64   `tfsdk:"max_requests_per_second"`
	ConfigurationSource   types.String    `tfsdk:"configuration_source"`
}

type endpointsModel struct {
	DBS types.String `tfsdk:"dbs"`
	STS types.String `tfsdk:"sts"`
}

func (p *alicloudProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = providerTypeName
	resp.Version = p.version
}

func (p *alicloudProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"region": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Region, e.g. `cn-hangzhou`. Falls back to `ALICLOUD_REGION`, then `ALIBABA_CLOUD_REGION`, then the `region_id` " +
				"of the aliyun CLI profile the credentials come from (see `profile`). " +
				"Picks the DBS endpoint from the official endpoint table; required unless `endpoints.dbs` is set. " +
				"A region the table does not know is reached at `dbs-api.<region>.aliyuncs.com`, with a warning.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"protocol": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Scheme used to reach DBS: `HTTPS` (default) or `HTTP`. Ignored for an endpoint given with its scheme. " +
				"When the endpoint speaks the other scheme, the read fails at once, without retrying, saying which scheme it speaks.",
			Validators: []validator.String{stringvalidator.OneOf("HTTPS", "HTTP")},
		},
		"max_retry_timeout": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Longest time, in seconds, that one request is retried when it fails in a way worth retrying "+
				"(throttling, `5xx`, timeouts, dropped connections): no retry starts later than this after the request's first attempt, "+
				"and the last wait is cut to what is left of it. Falls back to `MAX_RETRY_TIMEOUT`; default `%d`. "+
				"`0` turns retries off: an error is reported from the first attempt. "+
				"Never retried: a host that DNS says does not exist, a refused connection, an endpoint that speaks the other scheme, "+
				"a redirect, and an answer that is not a `DescribeRestoreTaskList` page.", int(defaultMaxRetryTimeout.Seconds())),
			Validators: []validator.Int64{int64validator.Between(0, 3600)},
		},
		"client_connect_timeout": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Timeout, in milliseconds, for opening a connection to DBS: resolving the host and connecting, "+
				"then the TLS handshake, get this long each. Default `%d`. A connection that times out is retried within `max_retry_timeout`, "+
				"and the error names this setting.", defaultConnectTimeout.Milliseconds()),
			Validators: []validator.Int64{int64validator.Between(1, 600_000)},
		},
		"client_read_timeout": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Timeout, in milliseconds, for reading one answer from DBS, from the moment its connection is ready "+
				"to the answer's last byte. Default `%d`. An answer that times out is retried within `max_retry_timeout`, "+
				"and the error names this setting.", defaultReadTimeout.Milliseconds()),
			Validators: []validator.Int64{int64validator.Between(1, 600_000)},
		},
		"max_concurrent_requests": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Most requests in flight at once for this provider configuration, every data source together, `1`–`32`. Default `%d`. "+
				"When DBS throttles, the provider also lowers its request rate by itself, for every data source of the configuration.", defaultMaxConcurrentRequests),
			Validators: []validator.Int64{int64validator.Between(1, 32)},
		},
		"max_requests_per_second": schema.Float64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Most requests a second for this provider configuration, every data source together, "+
				"`%g`–`%g`: the account's DBS quota, or the share of it this configuration may use. "+
				"Falls back to `ALICLOUD_MAX_REQUESTS_PER_SECOND`, then `ALIBABA_CLOUD_MAX_REQUESTS_PER_SECOND`. "+
				"Unset, the rate is learned: unlimited until DBS refuses a request for throttling, then held below what DBS accepted. "+
				"Set, requests are paced at this rate from the first, so that DBS refuses none for the quota; "+
				"if DBS throttles all the same (another tool shares the quota), the rate is lowered below it for a while.", minRequestsPerSecond, maxRequestsPerSecond),
			Validators: []validator.Float64{float64validator.Between(minRequestsPerSecond, maxRequestsPerSecond)},
		},
		"configuration_source": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Free text added to the User-Agent of every request the provider makes (to DBS, STS, a credentials URI, the ECS metadata service " +
				"and the aliyun CLI's CloudSSO and OAuth sign-in services), " +
				"e.g. the repository the configuration lives in.",
			Validators: []validator.String{stringvalidator.LengthAtMost(64)},
		},
	}
	blocks := map[string]schema.Block{
		"endpoints": schema.SingleNestedBlock{
			MarkdownDescription: "Overrides of service endpoints.",
			Attributes: map[string]schema.Attribute{
				"dbs": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "DBS endpoint as `host[:port]` (reached with `protocol`), or a URL with its scheme, e.g. `http://127.0.0.1:8080`, taken as is. " +
						"No user information, path or query. Falls back to `ALIBABA_CLOUD_ENDPOINT_DBS`, then `DBS_ENDPOINT`. " +
						"A redirect from it is never followed: a `3xx` answer is an error naming its status and the host it points to, and nothing is sent there. " +
						"The read fails at once, without retrying, when DNS says its host does not exist, when nothing accepts connections at it, " +
						"or when it speaks the other scheme (the error says which).",
					Validators: []validator.String{stringvalidator.LengthAtLeast(1), dbsEndpointValidator{}},
				},
				"sts": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "STS endpoint as `host[:port]`, always reached over HTTPS, for `assume_role`, `assume_role_with_oidc` and profiles that assume roles. " +
						"Falls back to `ALIBABA_CLOUD_ENDPOINT_STS`, then `STS_ENDPOINT`, then a profile's `sts_endpoint`; default `sts.<region>.aliyuncs.com` " +
						"for the first region of a profile's `sts_region`, `ALIBABA_CLOUD_STS_REGION` and the provider's region (`sts-vpc.<region>.aliyuncs.com` " +
						"with a profile's `enable_vpc` or `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`), or `sts.aliyuncs.com` without a region.",
					Validators: []validator.String{stsEndpointCheck},
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
	// endpointFrom says where the client's endpoint came from, for errors that blame the endpoint.
	endpointFrom string
}

func (p *alicloudProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	if !refuseUnknown(req.Config.Raw, &resp.Diagnostics) {
		return
	}
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// The credential settings come first, as the region's last fallback is the profile they name; their
	// diagnostics are reported after the endpoint's.
	settings, settingsDiags := p.credentialSettings(cfg)
	region := p.region(cfg, settings)
	endpoint, endpointFrom, diags := p.dbsEndpoint(cfg, region)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	userAgent := p.userAgent(req.TerraformVersion, cfg.ConfigurationSource.ValueString())
	resp.Diagnostics.Append(settingsDiags...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings.Region, settings.UserAgent = region.value, userAgent
	src, err := credentials.Resolve(ctx, settings, p.getenv)
	if err != nil {
		resp.Diagnostics.Append(credentialsDiagnostic(err))
		return
	}
	tflog.Debug(ctx, "credentials resolved", map[string]any{"origin": src.Origin, "dbs_endpoint": endpoint})
	for _, w := range src.Warnings {
		if w.Argument != "" {
			resp.Diagnostics.AddAttributeWarning(path.Root(w.Argument), w.Summary, w.Detail)
		} else {
			resp.Diagnostics.AddWarning(w.Summary, w.Detail)
		}
	}

	retry, err := p.maxRetryTimeout(cfg)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("max_retry_timeout"), "Invalid MAX_RETRY_TIMEOUT", err.Error())
		return
	}

	perSecond, err := p.maxRequestsPerSecond(cfg)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("max_requests_per_second"), "Invalid max_requests_per_second", err.Error())
		return
	}

	client, err := dbs.NewClient(dbs.Config{
		Endpoint:              endpoint,
		Credentials:           credentialsSource{src},
		UserAgent:             userAgent,
		MaxRetryTimeout:       retry,
		ConnectTimeout:        millis(cfg.ClientConnectTimeout, defaultConnectTimeout),
		ReadTimeout:           millis(cfg.ClientReadTimeout, defaultReadTimeout),
		MaxConcurrentRequests: int(int64Or(cfg.MaxConcurrentRequests, defaultMaxConcurrentRequests)),
		MaxRequestsPerSecond:  perSecond,
		Log: func(ctx context.Context, msg string, fields map[string]any) {
			tflog.Debug(ctx, msg, fields)
		},
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to create the DBS client", err.Error())
		return
	}
	data := &providerData{client: client, endpointFrom: endpointFrom}
	p.configured.Store(data)
	resp.DataSourceData = data
	resp.ResourceData = data
}

// refuseUnknown reports every provider argument whose value is known only after apply, on its path and
// in the order of the paths, and says whether there was none. A data source is read during plan, and
// guessing an endpoint or a key would send requests to the wrong place. It walks the configuration as
// Terraform sent it, not the model, so that an argument added to the schema is covered without a word
// here, and a block made unknown as a whole (a dynamic block) is named too.
func refuseUnknown(config tftypes.Value, diags *diag.Diagnostics) bool {
	unknown := unknownPaths(config, path.Empty())
	for _, at := range unknown {
		diags.AddAttributeError(at, "Unknown provider argument",
			"The provider argument "+at.String()+" depends on a value known only after apply. Set it to a value known at plan time.")
	}
	return len(unknown) == 0
}

// unknownPaths lists, in the order of attribute names, the paths of the unknown values in v, whose own
// path is at. A collection that holds an unknown value is named itself: the provider has none, and a
// set's elements have no path of their own.
func unknownPaths(v tftypes.Value, at path.Path) []path.Path {
	switch {
	case !v.IsKnown():
		return []path.Path{at}
	case v.IsNull() || v.IsFullyKnown():
		return nil
	case !v.Type().Is(tftypes.Object{}):
		return []path.Path{at}
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return []path.Path{at} // cannot happen for a known object; refusing is the safe answer
	}
	var unknown []path.Path
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		unknown = append(unknown, unknownPaths(attrs[name], at.AtName(name))...)
	}
	return unknown
}

// setting is a configured value and where it came from, so that a message about the value says where
// to change it: an argument of the provider block (at is its path) or an environment variable.
type setting struct {
	value    string
	source   string    // e.g. "region in the provider block", "the environment variable ALICLOUD_REGION"
	at       path.Path // the argument's path when the value came from the provider block
	variable string    // the environment variable's name when the value came from the environment
}

func (s setting) fromBlock() bool { return len(s.at.Steps()) > 0 }

// firstSetting is the block's value when set, else the first environment variable of names that is.
func (p *alicloudProvider) firstSetting(block types.String, at path.Path, names ...string) setting {
	if v := block.ValueString(); v != "" {
		return setting{value: v, source: at.String() + " in the provider block", at: at}
	}
	for _, name := range names {
		if v := strings.TrimSpace(p.getenv(name)); v != "" {
			return setting{value: v, source: "the environment variable " + name, variable: name}
		}
	}
	return setting{}
}

// region is the provider's region: the block's, else ALICLOUD_REGION, else ALIBABA_CLOUD_REGION, else
// the region_id of the aliyun CLI profile the credential settings come from (see
// credentials.ProfileRegion), as CLI users expect.
func (p *alicloudProvider) region(cfg providerModel, settings credentials.Settings) setting {
	if s := p.firstSetting(cfg.Region, path.Root("region"), "ALICLOUD_REGION", "ALIBABA_CLOUD_REGION"); s.value != "" {
		return s
	}
	if region, origin := credentials.ProfileRegion(settings, p.getenv); region != "" {
		return setting{value: region, source: origin}
	}
	return setting{}
}

// about puts d on the setting's argument when the value came from the provider block; from the
// environment or a profile it stays a plain diagnostic, whose text names where the value came from.
func (s setting) about(d diag.Diagnostic) diag.Diagnostic {
	if s.fromBlock() {
		return diag.WithPath(s.at, d)
	}
	return d
}

// dbsEndpoint chooses the base URL: an override (block, then environment) or the region's host, and says
// where it came from. A region the endpoint table does not know gets its regional host and a warning that
// says how to override it.
func (p *alicloudProvider) dbsEndpoint(cfg providerModel, region setting) (endpoint, from string, diags diag.Diagnostics) {
	scheme := "https"
	if strings.EqualFold(cfg.Protocol.ValueString(), "HTTP") {
		scheme = "http"
	}
	var block types.String
	if cfg.Endpoints != nil {
		block = cfg.Endpoints.DBS
	}
	if override := p.firstSetting(block, path.Root("endpoints").AtName("dbs"), "ALIBABA_CLOUD_ENDPOINT_DBS", "DBS_ENDPOINT"); override.value != "" {
		endpoint, err := dbsEndpointURL(override.value, scheme)
		if err != nil {
			diags.Append(override.about(diag.NewErrorDiagnostic("Invalid DBS endpoint", fmt.Sprintf("The DBS endpoint from %s %s.", override.source, err))))
		}
		from = override.source
		if !strings.Contains(override.value, "://") {
			from += ", which has no scheme, so protocol chose " + scheme
		}
		return endpoint, from, diags
	}

	if region.value == "" {
		diags.AddAttributeError(path.Root("region"), "Unable to choose the DBS endpoint", "no region is set, so the DBS endpoint cannot be chosen. "+
			"Set region in the provider block (or ALICLOUD_REGION / ALIBABA_CLOUD_REGION, or region_id in the aliyun CLI profile in use), or set endpoints.dbs.")
		return "", "", diags
	}
	host, known := dbs.EndpointForRegion(region.value)
	switch {
	case host == "":
		diags.Append(region.about(diag.NewErrorDiagnostic("Invalid region", fmt.Sprintf("%q (from %s) is not a region ID such as cn-hangzhou: "+
			"lower-case letters, digits and hyphens.", region.value, region.source))))
		return "", "", diags
	case !known:
		detail := fmt.Sprintf("The region %q (from %s) is not in this provider's DBS endpoint table, so DBS is asked at %s, "+
			"the pattern of regional hosts. If DBS has another endpoint in that region, set endpoints.dbs (or ALIBABA_CLOUD_ENDPOINT_DBS) "+
			"to its host; if the region is misspelled, correct it. Known regions: %s.",
			region.value, region.source, host, strings.Join(dbs.KnownRegions(), ", "))
		diags.Append(region.about(diag.NewWarningDiagnostic("Unknown region", detail)))
	}
	from = fmt.Sprintf("the region %s (from %s), as endpoints.dbs is not set; protocol chose %s", region.value, region.source, scheme)
	return scheme + "://" + host, from, diags
}

// dbsEndpointURL turns endpoints.dbs into a base URL: "host[:port]" is reached with scheme, a URL with its
// own scheme is taken as is. The error never repeats the value, which may hold a password, and reads after
// "The DBS endpoint from <where>".
func dbsEndpointURL(value, scheme string) (string, error) {
	u := strings.TrimRight(value, "/")
	if !strings.Contains(value, "://") {
		u = scheme + "://" + u
	}
	if err := dbs.CheckEndpoint(u); err != nil {
		return "", fmt.Errorf("is not of the form host[:port] or scheme://host[:port]: %s", strings.TrimPrefix(err.Error(), "dbs: "))
	}
	return u, nil
}

// dbsEndpointValidator refuses, at plan time, an endpoints.dbs that is no endpoint, without repeating it.
type dbsEndpointValidator struct{}

func (dbsEndpointValidator) Description(context.Context) string {
	return "value must be host[:port] or scheme://host[:port], without user information, path or query"
}
func (v dbsEndpointValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (dbsEndpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := dbsEndpointURL(req.ConfigValue.ValueString(), "https"); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid DBS endpoint", "The DBS endpoint "+err.Error()+".")
	}
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

// maxRequestsPerSecond is the argument, else the first of its environment variables that is set, else 0
// (learn the rate). The environment's value is checked as the schema checks the argument's.
func (p *alicloudProvider) maxRequestsPerSecond(cfg providerModel) (float64, error) {
	if !cfg.MaxRequestsPerSecond.IsNull() {
		return cfg.MaxRequestsPerSecond.ValueFloat64(), nil
	}
	// The argument is a number, so it is not firstSetting's block value: only the variables are asked.
	env := p.firstSetting(types.StringNull(), path.Empty(), "ALICLOUD_MAX_REQUESTS_PER_SECOND", "ALIBABA_CLOUD_MAX_REQUESTS_PER_SECOND")
	if env.value == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(env.value, 64)
	if err != nil || math.IsNaN(f) || f < minRequestsPerSecond || f > maxRequestsPerSecond {
		return 0, fmt.Errorf("%s=%q is not a number of requests a second between %g and %g", env.variable, env.value, minRequestsPerSecond, maxRequestsPerSecond)
	}
	return f, nil
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
	return dbs.Credentials{AccessKeyID: cr.AccessKeyID, AccessKeySecret: cr.AccessKeySecret, SecurityToken: cr.SecurityToken,
		Origin: c.src.Origin}, err
}

func (p *alicloudProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newDbsRestoreTasksDataSource}
}

func (p *alicloudProvider) Resources(_ context.Context) []func() resource.Resource {
	return nil
}
