package credentials

import (
	"strings"
	"testing"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// TestProfileRegion: the region_id of the profile Resolve reads, in Resolve's order, and none when the
// credentials come from elsewhere.
func TestProfileRegion(t *testing.T) {
	cfg := profileFile(t, "cur",
		`{"name": "cur", "mode": "AK", "access_key_id": "AK-c", "access_key_secret": "S-c", "region_id": "cn-chengdu"}`,
		`{"name": "dev", "mode": "AK", "access_key_id": "AK-d", "access_key_secret": "S-d", "region_id": " ap-southeast-1 "}`,
		`{"name": "bare", "mode": "AK", "access_key_id": "AK-b", "access_key_secret": "S-b"}`)
	file := []string{"ALICLOUD_SHARED_CREDENTIALS_FILE", cfg}
	for _, tc := range []struct {
		name     string
		settings Settings
		env      []string
		want     string
	}{
		{"block profile", Settings{Profile: "dev"}, file, "ap-southeast-1"},
		{"block profile beats environment keys", Settings{Profile: "dev"}, append([]string{"ALICLOUD_ACCESS_KEY", "k", "ALICLOUD_SECRET_KEY", "s"}, file...), "ap-southeast-1"},
		{"ALIBABA_CLOUD_PROFILE", Settings{}, append([]string{"ALIBABA_CLOUD_PROFILE", "dev"}, file...), "ap-southeast-1"},
		{"current profile of the default chain", Settings{}, file, "cn-chengdu"},
		{"block keys", Settings{AccessKey: "k", SecretKey: "s"}, file, ""},
		{"environment keys before the profile variable", Settings{}, append([]string{"ALICLOUD_ACCESS_KEY", "k", "ALICLOUD_SECRET_KEY", "s", "ALICLOUD_PROFILE", "dev"}, file...), ""},
		{"conflicting block", Settings{Profile: "dev", ECSRoleName: "r"}, file, ""},
		{"chain without the CLI profile", Settings{}, append([]string{"ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"}, file...), ""},
		{"no region_id", Settings{Profile: "bare"}, file, ""},
		{"no such profile", Settings{Profile: "gone"}, file, ""},
		{"no file", Settings{Profile: "dev"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			region, origin := ProfileRegion(tc.settings, env(t, tc.env...))
			if region != tc.want {
				t.Fatalf("region %q (%s), want %q", region, origin, tc.want)
			}
			if region != "" && (!strings.Contains(origin, "region_id of profile") || !strings.Contains(origin, cfg)) {
				t.Errorf("origin %q", origin)
			}
		})
	}
}

// TestResolve_profileSTSEndpoint: a profile's role is assumed at endpoints.sts, else its sts_endpoint
// (a URL's scheme dropped, as the CLI does), else the endpoint of its region_id when the provider names
// no region.
func TestResolve_profileSTSEndpoint(t *testing.T) {
	em := startEmulator(t)
	em.AddRole(roleARN, emulator.Role{})
	role := `"mode": "RamRoleArn", "access_key_id": "` + baseKey + `", "access_key_secret": "` + baseSecret + `", "ram_role_arn": "` + roleARN + `"`
	cfg := profileFile(t, "a",
		`{"name": "own", `+role+`, "sts_endpoint": "https://`+em.host+`/"}`,
		`{"name": "regional", `+role+`, "region_id": "cn-shanghai"}`,
		`{"name": "sts-region", `+role+`, "region_id": "cn-shanghai", "sts_region": "eu-central-1", "enable_vpc": true}`)

	_, c := resolve(t, Settings{Profile: "own", SharedCredentialsFile: cfg}, env(t))
	if last := em.Issued()[len(em.Issued())-1]; last.AccessKeyID != c.AccessKeyID {
		t.Errorf("signing with %s, issued %+v", c.AccessKeyID, last)
	}
	err := resolveErr(t, Settings{Profile: "own", SharedCredentialsFile: cfg, STSEndpoint: "127.0.0.1:1"}, env(t))
	if !strings.Contains(err.Error(), "at 127.0.0.1:1 failed") {
		t.Errorf("endpoints.sts does not win over sts_endpoint: %v", err)
	}
	for name, want := range map[string]string{"regional": "sts.cn-shanghai.aliyuncs.com", "sts-region": "sts-vpc.eu-central-1.aliyuncs.com"} {
		// Never reached: without a network the name does not resolve. The error says where STS was asked.
		err := resolveErr(t, Settings{Profile: name, SharedCredentialsFile: cfg}, env(t))
		if !strings.Contains(err.Error(), "STS AssumeRole for "+roleARN+" at "+want+" failed") {
			t.Errorf("profile %s: error %v, want STS asked at %s", name, err, want)
		}
	}
}
