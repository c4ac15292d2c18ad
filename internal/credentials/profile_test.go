package credentials

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestResolve_ecsRoleARNProfile: RamRoleArnWithRoleName assumes ram_role_arn with the ECS instance's
// role, named or asked for.
func TestResolve_ecsRoleARNProfile(t *testing.T) {
	em := startEmulator(t)
	em.AddRole(roleARN, emulator.Role{})
	em.SetInstanceRole("EcsDbsReader")
	cfg := profileFile(t, "a",
		`{"name": "named", "mode": "RamRoleArnWithRoleName", "ram_role_name": "EcsDbsReader", "ram_role_arn": "`+roleARN+`", "ram_session_name": "ecs-cli"}`,
		`{"name": "asked", "mode": "RamRoleArnWithRoleName", "ram_role_arn": "`+roleARN+`"}`,
		`{"name": "no-role", "mode": "RamRoleArnWithRoleName", "ram_role_name": "EcsDbsReader"}`)
	for _, name := range []string{"named", "asked"} {
		t.Run(name, func(t *testing.T) {
			em.Reset()
			before := len(em.Issued())
			src, c := resolve(t, Settings{Profile: name, SharedCredentialsFile: cfg, STSEndpoint: em.host}, env(t))
			issued := em.Issued()[before:]
			instanceKey := ""
			for _, i := range em.Issued() {
				if i.By == emulator.ActionMetadataCredentials {
					instanceKey = i.AccessKeyID
				}
			}
			last := issued[len(issued)-1]
			if last.By != "AssumeRole" || last.CallerKey != instanceKey || instanceKey == "" || c.AccessKeyID != last.AccessKeyID {
				t.Errorf("the role was not assumed with the instance's key %q: %+v", instanceKey, issued)
			}
			if want := map[string]string{"named": "ecs-cli", "asked": DefaultSessionName}[name]; last.SessionName != want {
				t.Errorf("session %q, want %q", last.SessionName, want)
			}
			if n := em.Stats().ByAction[emulator.ActionMetadataRoleName]; (n == 1) != (name == "asked") {
				t.Errorf("%d role name lookups", n)
			}
			if !strings.Contains(src.Origin, `profile "`+name+`" (RamRoleArnWithRoleName)`) {
				t.Errorf("origin %q", src.Origin)
			}
		})
	}
	err := resolveErr(t, Settings{Profile: "no-role", SharedCredentialsFile: cfg, STSEndpoint: em.host}, env(t))
	if !strings.Contains(err.Error(), "(mode RamRoleArnWithRoleName) of "+cfg+" lacks ram_role_arn") {
		t.Errorf("error %v", err)
	}
}

// TestResolve_credentialsURIProfile: CredentialsURI reads credentials_uri, else
// ALIBABA_CLOUD_CREDENTIALS_URI, and never names the URI's path, which may hold a token; the CLI's
// ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS forbids it.
func TestResolve_credentialsURIProfile(t *testing.T) {
	em := startEmulator(t)
	em.AddCredentialsURI("profile", time.Hour)
	em.AddCredentialsURI("env", time.Hour)
	cfg := profileFile(t, "a",
		`{"name": "uri", "mode": "CredentialsURI", "credentials_uri": "`+em.url+emulator.CredentialsURIPath+`profile"}`,
		`{"name": "uri-env", "mode": "CredentialsURI"}`)
	envURI := []string{"ALIBABA_CLOUD_CREDENTIALS_URI", em.url + emulator.CredentialsURIPath + "env"}

	for name, want := range map[string]string{"uri": "profile", "uri-env": "env"} {
		src, c := resolve(t, Settings{Profile: name, SharedCredentialsFile: cfg}, env(t, envURI...))
		last := em.Issued()[len(em.Issued())-1]
		if last.Role != want || last.AccessKeyID != c.AccessKeyID || c.SecurityToken == "" {
			t.Errorf("profile %s: signing with %s; issued %+v", name, c.AccessKeyID, last)
		}
		if strings.Contains(src.Origin, emulator.CredentialsURIPath) || !strings.Contains(src.Origin, "(CredentialsURI "+em.url) {
			t.Errorf("origin %q", src.Origin)
		}
	}

	err := resolveErr(t, Settings{Profile: "uri-env", SharedCredentialsFile: cfg}, env(t))
	if !strings.Contains(err.Error(), "lacks credentials_uri (or ALIBABA_CLOUD_CREDENTIALS_URI)") {
		t.Errorf("error %v", err)
	}
	err = resolveErr(t, Settings{Profile: "uri", SharedCredentialsFile: cfg}, env(t, "ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS", "true"))
	if !strings.Contains(err.Error(), "ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS=true forbids") {
		t.Errorf("error %v", err)
	}
	em.RemoveCredentialsURI("profile")
	err = resolveErr(t, Settings{Profile: "uri", SharedCredentialsFile: cfg}, env(t))
	var se *ServiceError
	if !errors.As(err, &se) || se.Code != "NotFound" {
		t.Errorf("error %v", err)
	}
	mustNotLeak(t, err.Error(), emulator.CredentialsURIPath+"profile")
}

// TestResolve_profilesThatCannotSign: RsaKeyPair, BearerToken and Anonymous are refused with why and the
// modes that work; a profile without a mode is read as the CLI infers it.
func TestResolve_profilesThatCannotSign(t *testing.T) {
	cfg := profileFile(t, "a",
		`{"name": "rsa", "mode": "RsaKeyPair", "private_key": "-----BEGIN PRIVATE KEY-----rsa-DO-NOT-LEAK", "key_pair_name": "kp"}`,
		`{"name": "bearer", "mode": "BearerToken", "bearer_token": "bearer-DO-NOT-LEAK"}`,
		`{"name": "anonymous", "mode": "Anonymous"}`,
		`{"name": "inferred-bearer", "bearer_token": "bearer-DO-NOT-LEAK"}`,
		`{"name": "inferred-rsa", "private_key": "k", "key_pair_name": "kp"}`,
		`{"name": "inferred-sts", "access_key_id": "STS.inferred", "access_key_secret": "S-inferred", "sts_token": "T-inferred"}`,
		`{"name": "inferred-ak", "access_key_id": "LTAI-inferred", "access_key_secret": "S-inferred"}`)
	supported := strings.Join(SupportedProfileModes(), ", ")
	for name, want := range map[string]string{
		"rsa":             "mode RsaKeyPair cannot sign a DBS request: it is deprecated by the aliyun CLI",
		"bearer":          "mode BearerToken cannot sign a DBS request: it sends a bearer token, which DBS does not take",
		"anonymous":       "mode Anonymous cannot sign a DBS request: it sends requests unsigned",
		"inferred-bearer": "(mode BearerToken) of " + cfg + ": mode BearerToken cannot sign",
		"inferred-rsa":    "mode RsaKeyPair cannot sign",
	} {
		t.Run(name, func(t *testing.T) {
			err := resolveErr(t, Settings{Profile: name, SharedCredentialsFile: cfg}, env(t))
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "The modes that can are "+supported) ||
				!strings.Contains(err.Error(), "aliyun configure --profile "+name+" --mode <mode>") {
				t.Errorf("error %q, want %q and the modes that can sign", err, want)
			}
			mustNotLeak(t, err.Error(), "rsa-DO-NOT-LEAK", "bearer-DO-NOT-LEAK")
		})
	}
	for name, want := range map[string]Credentials{
		"inferred-sts": {AccessKeyID: "STS.inferred", AccessKeySecret: "S-inferred", SecurityToken: "T-inferred"},
		"inferred-ak":  {AccessKeyID: "LTAI-inferred", AccessKeySecret: "S-inferred"},
	} {
		if _, c := resolve(t, Settings{Profile: name, SharedCredentialsFile: cfg}, env(t)); c != want {
			t.Errorf("profile %s signs with %+v, want %+v", name, c, want)
		}
	}
}

// TestProfileModes holds the table to the CLI's profile format: every field a mode requires is one the
// profile is read with, and every mode of aliyun-cli's config/profile.go is in the table.
func TestProfileModes(t *testing.T) {
	var fields []string
	typ := reflect.TypeFor[cliProfile]()
	for i := range typ.NumField() {
		fields = append(fields, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
	}
	var names []string
	for _, m := range profileModes {
		names = append(names, m.name)
		if (m.build == nil) == (m.refusal == "") || (m.build != nil) == (m.signsWith == "") {
			t.Errorf("mode %s: a mode either builds and says what signs, or is refused and says why", m.name)
		}
		for _, req := range m.requires {
			for _, f := range strings.Split(req, "|") {
				if !strings.HasPrefix(f, "$") && !slices.Contains(fields, f) {
					t.Errorf("mode %s requires %q, which cliProfile does not read", m.name, f)
				}
			}
		}
	}
	cli := []string{"AK", "StsToken", "RamRoleArn", "EcsRamRole", "RsaKeyPair", "RamRoleArnWithRoleName", "ChainableRamRoleArn",
		"External", "CredentialsURI", "OIDC", "CloudSSO", "OAuth", "BearerToken", "Anonymous"} // knownModes of aliyun-cli 3.4
	for _, m := range cli {
		if !slices.Contains(names, m) {
			t.Errorf("the CLI's mode %s is not in the table", m)
		}
	}
	if len(names) != len(cli) {
		t.Errorf("the table has %d modes, the CLI %d", len(names), len(cli))
	}
}
