package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestProvider_dbsEndpoint(t *testing.T) {
	cases := []struct {
		name     string
		region   string
		protocol string
		block    string
		env      map[string]string
		want     string
		wantErr  string
	}{
		{name: "central region", region: "cn-shanghai", want: "https://dbs-api.cn-hangzhou.aliyuncs.com"},
		{name: "region with its own host", region: "ap-southeast-1", want: "https://dbs-api.ap-southeast-1.aliyuncs.com"},
		{name: "region from ALICLOUD_REGION first", env: map[string]string{"ALICLOUD_REGION": "eu-central-1", "ALIBABA_CLOUD_REGION": "cn-chengdu"}, want: "https://dbs-api.eu-central-1.aliyuncs.com"},
		{name: "region from ALIBABA_CLOUD_REGION", env: map[string]string{"ALIBABA_CLOUD_REGION": "cn-chengdu"}, want: "https://dbs-api.cn-chengdu.aliyuncs.com"},
		{name: "block region beats the environment", region: "me-east-1", env: map[string]string{"ALICLOUD_REGION": "eu-central-1"}, want: "https://dbs-api.me-east-1.aliyuncs.com"},
		{name: "HTTP", region: "cn-hangzhou", protocol: "HTTP", want: "http://dbs-api.cn-hangzhou.aliyuncs.com"},
		{name: "override host and port", block: "dbs.example.internal:8443", want: "https://dbs.example.internal:8443"},
		{name: "override with a scheme is taken as is", block: "http://127.0.0.1:8080/", protocol: "HTTPS", want: "http://127.0.0.1:8080"},
		{name: "block override beats the environment", block: "a.example", env: map[string]string{"ALIBABA_CLOUD_ENDPOINT_DBS": "b.example"}, want: "https://a.example"},
		{name: "ALIBABA_CLOUD_ENDPOINT_DBS before DBS_ENDPOINT", env: map[string]string{"ALIBABA_CLOUD_ENDPOINT_DBS": "b.example", "DBS_ENDPOINT": "c.example"}, want: "https://b.example"},
		{name: "DBS_ENDPOINT", env: map[string]string{"DBS_ENDPOINT": "c.example"}, want: "https://c.example"},
		{name: "override beats the region", region: "cn-hangzhou", block: "a.example", want: "https://a.example"},
		{name: "no region, no override", wantErr: "no region is set"},
		{name: "malformed region", env: map[string]string{"ALICLOUD_REGION": "Hang Zhou"}, wantErr: `"Hang Zhou" is not a region ID`},
		{name: "override with a path", block: "a.example/path", wantErr: "not of the form host[:port]"},
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
			got, _, err := p.dbsEndpoint(cfg)
			switch {
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("error %v, want one with %q", err, c.wantErr)
			case c.wantErr == "" && err != nil:
				t.Fatal(err)
			case got != c.want:
				t.Fatalf("endpoint %q, want %q", got, c.want)
			}
		})
	}
}
