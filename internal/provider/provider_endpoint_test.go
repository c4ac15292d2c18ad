package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

func TestProvider_dbsEndpoint(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		region   string
		protocol string
		block    string
		env      map[string]string
		want     string
		wantErr  string
		wantWarn string
		wantFrom string // where the endpoint came from, as read errors say; checked when set
	}{
		{name: "central region", region: "cn-shanghai", want: "https://dbs-api.cn-hangzhou.aliyuncs.com",
			wantFrom: "the region cn-shanghai (from region in the provider block), as endpoints.dbs is not set; protocol chose https"},
		{name: "region with its own host", region: "ap-southeast-1", want: "https://dbs-api.ap-southeast-1.aliyuncs.com"},
		{name: "region from ALICLOUD_REGION first", env: map[string]string{"ALICLOUD_REGION": "eu-central-1", "ALIBABA_CLOUD_REGION": "cn-chengdu"}, want: "https://dbs-api.eu-central-1.aliyuncs.com"},
		{name: "region from ALIBABA_CLOUD_REGION", env: map[string]string{"ALIBABA_CLOUD_REGION": "cn-chengdu"}, want: "https://dbs-api.cn-chengdu.aliyuncs.com"},
		{name: "block region beats the environment", region: "me-east-1", env: map[string]string{"ALICLOUD_REGION": "eu-central-1"}, want: "https://dbs-api.me-east-1.aliyuncs.com"},
		{name: "HTTP", region: "cn-hangzhou", protocol: "HTTP", want: "http://dbs-api.cn-hangzhou.aliyuncs.com"},
		{name: "override host and port", block: "dbs.example.internal:8443", want: "https://dbs.example.internal:8443"},
		{name: "override with a scheme is taken as is", block: "http://127.0.0.1:8080/", protocol: "HTTPS", want: "http://127.0.0.1:8080",
			wantFrom: "endpoints.dbs in the provider block"},
		{name: "block override beats the environment", block: "a.example", env: map[string]string{"ALIBABA_CLOUD_ENDPOINT_DBS": "b.example"}, want: "https://a.example"},
		{name: "ALIBABA_CLOUD_ENDPOINT_DBS before DBS_ENDPOINT", env: map[string]string{"ALIBABA_CLOUD_ENDPOINT_DBS": "b.example", "DBS_ENDPOINT": "c.example"}, want: "https://b.example"},
		{name: "DBS_ENDPOINT", env: map[string]string{"DBS_ENDPOINT": "c.example"}, want: "https://c.example",
			wantFrom: "the environment variable DBS_ENDPOINT, which has no scheme, so protocol chose https"},
		{name: "override beats the region", region: "cn-hangzhou", block: "a.example", want: "https://a.example"},
		{name: "no region, no override", wantErr: "no region is set"},
		{name: "malformed region", env: map[string]string{"ALICLOUD_REGION": "Hang Zhou"}, wantErr: `"Hang Zhou" (from the environment variable ALICLOUD_REGION) is not a region ID`},
		{name: "malformed region in the block", region: "CN_Hangzhou", wantErr: `"CN_Hangzhou" (from region in the provider block) is not a region ID`},
		{name: "override with a path", block: "a.example/path", wantErr: "The DBS endpoint from endpoints.dbs in the provider block is not of the form host[:port]"},
		{name: "override with a path in the environment", env: map[string]string{"DBS_ENDPOINT": "https://a.example/v1"}, wantErr: "The DBS endpoint from the environment variable DBS_ENDPOINT is not of the form"},
		{name: "user information", block: "http://admin:hunter2-secret@127.0.0.1:8080", wantErr: "must not contain user information"},
		{name: "user information without a scheme", env: map[string]string{"ALIBABA_CLOUD_ENDPOINT_DBS": "admin:hunter2-secret@dbs.example"}, wantErr: "must not contain user information"},
		{name: "unknown region", region: "xx-nowhere-9", want: "https://dbs-api.xx-nowhere-9.aliyuncs.com",
			wantWarn: `The region "xx-nowhere-9" (from region in the provider block) is not in this provider's DBS endpoint table, so DBS is asked at dbs-api.xx-nowhere-9.aliyuncs.com`},
		{name: "unknown region from the environment", env: map[string]string{"ALIBABA_CLOUD_REGION": "cn-hangzhuo"}, want: "https://dbs-api.cn-hangzhuo.aliyuncs.com",
			wantWarn: `(from the environment variable ALIBABA_CLOUD_REGION)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &alicloudProvider{getenv: func(k string) string { return c.env[k] }}
			cfg := providerModel{Region: types.StringNull(), Protocol: types.StringNull()}
			if c.region != "" {
				cfg.Region = types.StringValue(c.region)
			}
			if c.protocol != "" {
				cfg.Protocol = types.StringValue(c.protocol)
			}
			if c.block != "" {
				cfg.Endpoints = &endpointsModel{DBS: types.StringValue(c.block)}
			}
			settings, _ := p.credentialSettings(cfg)
			got, from, diags := p.dbsEndpoint(cfg, p.region(cfg, settings))
			var errs, warnings []string
			for _, d := range diags {
				if d.Severity() == diag.SeverityError {
					errs = append(errs, d.Detail())
				} else {
					warnings = append(warnings, d.Summary()+": "+d.Detail())
				}
			}
			switch {
			case c.wantErr != "" && (len(errs) != 1 || !strings.Contains(errs[0], c.wantErr)):
				t.Fatalf("errors %q, want one with %q", errs, c.wantErr)
			case c.wantErr == "" && len(errs) > 0:
				t.Fatal(errs)
			case got != c.want:
				t.Fatalf("endpoint %q, want %q", got, c.want)
			case c.wantWarn == "" && len(warnings) > 0, c.wantWarn != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], c.wantWarn)):
				t.Fatalf("warnings %q, want %q", warnings, c.wantWarn)
			case c.wantFrom != "" && from != c.wantFrom:
				t.Fatalf("from %q, want %q", from, c.wantFrom)
			}
			if strings.Contains(strings.Join(errs, " "), "hunter2") {
				t.Fatalf("an error repeats the endpoint's password: %q", errs)
			}
		})
	}
}

// An endpoint with user information is refused at plan time, before any request, on endpoints.dbs, and
// its password appears nowhere: not in the error, not in Terraform's trace log.
func TestProvider_endpointWithUserInformation(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(5, 1))
	endpoint := strings.Replace(e.url, "://", "://admin:hunter2-secret@", 1)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	diags, code := planDiagnostics(t, e.env.with("TF_LOG", "trace", "TF_LOG_PATH", logFile), providerBlockAt(endpoint, "")+`
data "alicloud_dbs_restore_tasks" "all" {}
`)
	errs := diagnosticsOf(diags, "error")
	if code == 0 || len(errs) != 1 || !strings.Contains(errs[0].Detail, "must not contain user information") ||
		errs[0].Snippet == nil || !strings.Contains(errs[0].Snippet.Code, "dbs") {
		t.Fatalf("want one error on endpoints.dbs about user information, got exit %d:\n%v", code, diags)
	}
	if n := e.Stats().Requests; n != 0 {
		t.Errorf("%d requests reached DBS, want 0", n)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		if strings.Contains(d.Detail, "hunter2") {
			t.Errorf("a diagnostic repeats the endpoint's password: %v", d)
		}
	}
	if strings.Contains(string(log), "hunter2") {
		t.Errorf("the trace log holds the endpoint's password")
	}
	if !strings.Contains(string(log), "ValidateProviderConfig") && !strings.Contains(string(log), "validate") {
		t.Errorf("the trace log does not look like a trace log (%d bytes)", len(log))
	}
}

// A region the endpoint table does not know still works (its regional host is used), with a warning at
// plan time that names the known regions and how to set endpoints.dbs.
func TestProvider_unknownRegionWarning(t *testing.T) {
	t.Parallel()
	diags, code := planDiagnostics(t, newTestEnv(t), fmt.Sprintf(`
provider "alicloud" {
  access_key = %q
  secret_key = %q
  region     = "xx-nowhere-9"
}
data "alicloud_dbs_restore_tasks" "all" {
  ids = []
}
`, testAccessKey, testSecretKey))
	warnings := diagnosticsOf(diags, "warning")
	if code != 0 || len(warnings) != 1 {
		t.Fatalf("exit %d, want 0 with one warning:\n%v", code, diags)
	}
	w := warnings[0]
	for _, want := range []string{`"xx-nowhere-9" (from region in the provider block)`, "dbs-api.xx-nowhere-9.aliyuncs.com", "set endpoints.dbs", "cn-hangzhou, cn-hangzhou-finance"} {
		if !strings.Contains(w.Detail, want) {
			t.Errorf("the warning does not say %q: %v", want, w)
		}
	}
	if w.Summary != "Unknown region" || w.Snippet == nil || !strings.Contains(w.Snippet.Code, "region") {
		t.Errorf("want the warning on region: %v", w)
	}
}

// TestProvider_dbsEndpointFromProfile: without a region in the block or the environment, the region_id
// of the aliyun CLI profile the credentials come from picks the endpoint, as it does for the CLI.
func TestProvider_dbsEndpointFromProfile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(file, []byte(`{"current": "cur", "profiles": [
		{"name": "cur", "mode": "AK", "access_key_id": "k", "access_key_secret": "s", "region_id": "cn-chengdu"},
		{"name": "dev", "mode": "AK", "access_key_id": "k", "access_key_secret": "s", "region_id": "ap-southeast-1"},
		{"name": "none", "mode": "AK", "access_key_id": "k", "access_key_secret": "s"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		profile string
		env     map[string]string
		want    string
	}{
		{name: "the block's profile", profile: "dev", want: "https://dbs-api.ap-southeast-1.aliyuncs.com"},
		{name: "ALICLOUD_PROFILE", env: map[string]string{"ALICLOUD_PROFILE": "dev"}, want: "https://dbs-api.ap-southeast-1.aliyuncs.com"},
		{name: "the current profile, read by the default chain", want: "https://dbs-api.cn-chengdu.aliyuncs.com"},
		{name: "the environment's region first", profile: "dev", env: map[string]string{"ALICLOUD_REGION": "eu-central-1"}, want: "https://dbs-api.eu-central-1.aliyuncs.com"},
		{name: "keys in the environment: no profile is read", env: map[string]string{"ALICLOUD_ACCESS_KEY": "k", "ALICLOUD_SECRET_KEY": "s"}},
		{name: "a profile without region_id", profile: "none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"ALICLOUD_SHARED_CREDENTIALS_FILE": file}
			for k, v := range c.env {
				env[k] = v
			}
			p := &alicloudProvider{getenv: func(k string) string { return env[k] }}
			cfg := providerModel{Region: types.StringNull(), Protocol: types.StringNull()}
			cfg.Profile = types.StringNull()
			if c.profile != "" {
				cfg.Profile = types.StringValue(c.profile)
			}
			settings, _ := p.credentialSettings(cfg)
			got, _, diags := p.dbsEndpoint(cfg, p.region(cfg, settings))
			if c.want == "" {
				if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "region_id in the aliyun CLI profile in use") {
					t.Fatalf("endpoint %q, diagnostics %v; want the no-region error", got, diags)
				}
				return
			}
			if diags.HasError() || got != c.want {
				t.Fatalf("endpoint %q, diagnostics %v; want %q", got, diags, c.want)
			}
		})
	}
}
