package credentials

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// profileFile writes an aliyun CLI configuration with the given profiles (JSON objects) and current.
func profileFile(t *testing.T, current string, profiles ...string) string {
	t.Helper()
	return writeFile(t, "config.json", fmt.Sprintf(`{"current": %q, "profiles": [%s], "meta_path": ""}`, current, strings.Join(profiles, ",")))
}

func akProfile(name, ak, secret string) string {
	return fmt.Sprintf(`{"name": %q, "mode": "AK", "access_key_id": %q, "access_key_secret": %q, "region_id": "cn-hangzhou"}`, name, ak, secret)
}

// TestResolve_order holds the one rule: the block beats the environment, ALICLOUD_* beats
// ALIBABA_CLOUD_*, keys beat a profile, the environment beats the chain.
func TestResolve_order(t *testing.T) {
	cfg := profileFile(t, "cur", akProfile("cur", "AK-current", "S-current"), akProfile("dev", "AK-dev", "S-dev"), akProfile("env", "AK-env-profile", "S-env-profile"))
	allEnv := []string{
		"ALICLOUD_ACCESS_KEY", "AK-alicloud", "ALICLOUD_SECRET_KEY", "S-alicloud",
		"ALIBABA_CLOUD_ACCESS_KEY_ID", "AK-alibaba", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "S-alibaba",
		"ALICLOUD_PROFILE", "env", "ALICLOUD_SHARED_CREDENTIALS_FILE", cfg,
	}
	for _, tc := range []struct {
		name     string
		settings Settings
		env      []string
		wantKey  string
		origin   string
	}{
		{"block keys beat everything", Settings{AccessKey: "AK-block", SecretKey: "S-block"}, allEnv, "AK-block", "provider block"},
		{"block profile beats environment keys", Settings{Profile: "dev"}, allEnv, "AK-dev", `profile "dev" (AK)`},
		{"ALICLOUD_* beats ALIBABA_CLOUD_*", Settings{}, allEnv, "AK-alicloud", "ALICLOUD_ACCESS_KEY"},
		{"ALIBABA_CLOUD_* keys beat a profile", Settings{}, allEnv[4:], "AK-alibaba", "ALIBABA_CLOUD_ACCESS_KEY_ID"},
		{"environment profile beats the chain", Settings{}, allEnv[8:], "AK-env-profile", "named by ALICLOUD_PROFILE"},
		{"ALICLOUD_PROFILE beats ALIBABA_CLOUD_PROFILE", Settings{}, append([]string{"ALIBABA_CLOUD_PROFILE", "dev"}, allEnv[8:]...), "AK-env-profile", "ALICLOUD_PROFILE"},
		{"ALIBABA_CLOUD_PROFILE", Settings{}, []string{"ALIBABA_CLOUD_PROFILE", "dev", "ALIBABA_CLOUD_CONFIG_FILE", cfg}, "AK-dev", "ALIBABA_CLOUD_PROFILE"},
		{"a blank ALICLOUD_PROFILE hides nothing", Settings{}, []string{"ALICLOUD_PROFILE", " ", "ALIBABA_CLOUD_PROFILE", "dev", "ALIBABA_CLOUD_CONFIG_FILE", cfg}, "AK-dev", "ALIBABA_CLOUD_PROFILE"},
		{"the chain reads the current profile", Settings{}, []string{"ALICLOUD_SHARED_CREDENTIALS_FILE", cfg}, "AK-current", "its current profile (default chain)"},
		{"shared_credentials_file beats the variables", Settings{SharedCredentialsFile: cfg}, []string{"ALICLOUD_SHARED_CREDENTIALS_FILE", "/nonexistent"}, "AK-current", cfg},
		{"block STS keys", Settings{AccessKey: "AK-block", SecretKey: "S-block", SecurityToken: "T-block"}, allEnv, "AK-block", "provider block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, c := resolve(t, tc.settings, env(t, tc.env...))
			if c.AccessKeyID != tc.wantKey {
				t.Errorf("key %q from %s, want %q", c.AccessKeyID, src.Origin, tc.wantKey)
			}
			if !strings.Contains(src.Origin, tc.origin) {
				t.Errorf("origin %q, want it to mention %q", src.Origin, tc.origin)
			}
		})
	}
}

// TestResolve_keysTravelTogether: a key, its secret and its token come from one place or not at all.
func TestResolve_keysTravelTogether(t *testing.T) {
	for name, tc := range map[string]struct {
		settings Settings
		env      []string
		want     string
	}{
		"block key, environment secret": {Settings{AccessKey: "AK"}, []string{"ALICLOUD_SECRET_KEY", "S"}, "access key is set without a secret key"},
		"block token alone":             {Settings{SecurityToken: "T-block"}, []string{"ALICLOUD_ACCESS_KEY", "AK", "ALICLOUD_SECRET_KEY", "S"}, "security token is set without"},
		"ALICLOUD secret alone":         {Settings{}, []string{"ALICLOUD_SECRET_KEY", "S-alone", "ALIBABA_CLOUD_ACCESS_KEY_ID", "AK", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "S"}, "secret key is set without an access key"},
	} {
		t.Run(name, func(t *testing.T) {
			err := resolveErr(t, tc.settings, env(t, tc.env...))
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
	// An ALICLOUD_* token with ALIBABA_CLOUD_* keys is not mixed in: the ALICLOUD_* set is incomplete.
	_, c := resolve(t, Settings{}, env(t, "ALIBABA_CLOUD_ACCESS_KEY_ID", "AK", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "S", "ALIBABA_CLOUD_SECURITY_TOKEN", "T"))
	if c.SecurityToken != "T" {
		t.Errorf("token %q", c.SecurityToken)
	}
}

func TestResolve_conflicts(t *testing.T) {
	for name, tc := range map[string]struct {
		settings      Settings
		first, second string
	}{
		"keys and profile":       {Settings{AccessKey: "AK", SecretKey: "S", Profile: "dev"}, "access_key", "profile"},
		"secret and uri":         {Settings{SecretKey: "S", CredentialsURI: "http://x"}, "secret_key", "credentials_uri"},
		"profile and ecs":        {Settings{Profile: "dev", ECSRoleName: "r"}, "profile", "ecs_role_name"},
		"uri and oidc":           {Settings{CredentialsURI: "http://x", AssumeRoleWithOIDC: &AssumeRoleWithOIDC{}}, "credentials_uri", "assume_role_with_oidc"},
		"ecs and oidc":           {Settings{ECSRoleName: "r", AssumeRoleWithOIDC: &AssumeRoleWithOIDC{}}, "ecs_role_name", "assume_role_with_oidc"},
		"keys, profile and more": {Settings{AccessKey: "AK", Profile: "p", ECSRoleName: "r"}, "access_key", "profile"},
	} {
		t.Run(name, func(t *testing.T) {
			err := resolveErr(t, tc.settings, env(t))
			var ce *ConflictError
			if !errors.As(err, &ce) || ce.First != tc.first || ce.Second != tc.second {
				t.Fatalf("error %v, want a conflict between %s and %s", err, tc.first, tc.second)
			}
			if !strings.Contains(err.Error(), tc.first) || !strings.Contains(err.Error(), tc.second) {
				t.Errorf("message %q names neither", err)
			}
		})
	}
}

// TestResolve_nothing lists what was tried, with the profile file's path, and says how to fix it.
func TestResolve_nothing(t *testing.T) {
	e := env(t, "ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	err := resolveErr(t, Settings{}, e)
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("error %v, want ErrNoCredentials", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"the provider block: none of access_key",
		"ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN not set",
		"ALIBABA_CLOUD_ACCESS_KEY_ID",
		"ALICLOUD_PROFILE, ALIBABA_CLOUD_PROFILE not set",
		"ALIBABA_CLOUD_CREDENTIALS_URI not set",
		"ALICLOUD_ECS_ROLE_NAME not set",
		"ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
		filepath.Join(e("HOME"), ".aliyun", "config.json") + ": does not exist",
		filepath.Join(e("HOME"), ".alibabacloud", "credentials"),
		"skipped as ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
		"Set access_key and secret_key",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}

	// A current profile that is broken is named with its error, and the chain goes on.
	cfg := profileFile(t, "broken", `{"name": "broken", "mode": "AK", "access_key_id": "AK-x"}`)
	err = resolveErr(t, Settings{SharedCredentialsFile: cfg}, e)
	if !strings.Contains(err.Error(), `profile "broken", the current one of `+cfg) || !strings.Contains(err.Error(), "lacks access_key_secret") {
		t.Errorf("message:\n%v", err)
	}
}

func TestResolve_profileErrors(t *testing.T) {
	cfg := profileFile(t, "a",
		akProfile("a", "AK-a", "S-a"),
		`{"name": "sso", "mode": "CloudSSO"}`,
		`{"name": "oauth", "mode": "OAuth"}`,
		`{"name": "ext", "mode": "External", "process_command": "x"}`,
		`{"name": "weird", "mode": "Weird"}`,
		`{"name": "nomode"}`,
		`{"name": "half", "mode": "RamRoleArn", "access_key_id": "AK-h", "access_key_secret": "S-half-secret"}`,
		`{"name": "loop1", "mode": "ChainableRamRoleArn", "source_profile": "loop2", "ram_role_arn": "`+roleARN+`"}`,
		`{"name": "loop2", "mode": "ChainableRamRoleArn", "source_profile": "loop1", "ram_role_arn": "`+roleARN+`"}`,
		`{"name": "short", "mode": "RamRoleArn", "access_key_id": "AK-s", "access_key_secret": "S-s", "ram_role_arn": "`+roleARN+`", "expired_seconds": 60}`,
	)
	for profile, want := range map[string]string{
		"sso":     "lacks cloud_sso_sign_in_url and cloud_sso_account_id and cloud_sso_access_config and access_token",
		"oauth":   "lacks oauth_site_type and oauth_refresh_token (or oauth_access_token)",
		"ext":     `process_command "x" cannot be run`,
		"weird":   `unknown mode "Weird"`,
		"nomode":  "has no mode",
		"half":    "lacks ram_role_arn",
		"loop1":   "loop through source_profile: loop1 -> loop2 -> loop1",
		"short":   "expired_seconds is 60",
		"missing": `there is no profile "missing" in ` + cfg + ` (its profiles: "a", "sso"`,
	} {
		t.Run(profile, func(t *testing.T) {
			err := resolveErr(t, Settings{Profile: profile, SharedCredentialsFile: cfg}, env(t))
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q, want %q", err, want)
			}
			mustNotLeak(t, err.Error(), "S-half-secret", "S-a")
		})
	}

	t.Run("no file", func(t *testing.T) {
		e := env(t)
		err := resolveErr(t, Settings{Profile: "dev"}, e)
		want := filepath.Join(e("HOME"), ".aliyun", "config.json") + " does not exist"
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "aliyun configure --profile dev") {
			t.Errorf("error %q, want %q", err, want)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		bad := writeFile(t, "config.json", `{"profiles": [{"name": "a", "access_key_secret": "S-in-a-broken-file"`)
		err := resolveErr(t, Settings{Profile: "a", SharedCredentialsFile: bad}, env(t))
		mustNotLeak(t, err.Error(), "S-in-a-broken-file")
		if !strings.Contains(err.Error(), bad) {
			t.Errorf("error %q does not name the file", err)
		}
	})
	t.Run("home expanded", func(t *testing.T) {
		e := env(t)
		if err := os.WriteFile(filepath.Join(e("HOME"), "cli.json"), []byte(`{"profiles": [`+akProfile("h", "AK-home", "S-home")+`]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		_, c := resolve(t, Settings{Profile: "h", SharedCredentialsFile: "~/cli.json"}, e)
		if c.AccessKeyID != "AK-home" {
			t.Errorf("key %q", c.AccessKeyID)
		}
	})
}

// TestResolve_profileModes reads each supported CLI profile mode against the emulator: STS at the
// configured endpoint over TLS, the ECS metadata service through the proxy.
func TestResolve_profileModes(t *testing.T) {
	em := startEmulator(t)
	em.AddRole(roleARN, emulator.Role{OIDCProviderArn: oidcARN, OIDCToken: oidcToken})
	em.AddRole("acs:ram::1234567890123456:role/second", emulator.Role{})
	em.SetInstanceRole("EcsDbsReader")
	tokenFile := writeFile(t, "token", oidcToken+"\n")
	cfg := profileFile(t, "ak",
		akProfile("ak", baseKey, baseSecret),
		`{"name": "sts", "mode": "StsToken", "access_key_id": "STS.x", "access_key_secret": "S-sts", "sts_token": "T-sts"}`,
		`{"name": "role", "mode": "RamRoleArn", "access_key_id": "`+baseKey+`", "access_key_secret": "`+baseSecret+`", "ram_role_arn": "`+roleARN+`", "ram_session_name": "cli", "expired_seconds": 900}`,
		`{"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "role", "ram_role_arn": "acs:ram::1234567890123456:role/second"}`,
		`{"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsDbsReader"}`,
		`{"name": "ecs-any", "mode": "EcsRamRole"}`,
		`{"name": "oidc", "mode": "OIDC", "oidc_provider_arn": "`+oidcARN+`", "oidc_token_file": "`+tokenFile+`", "ram_role_arn": "`+roleARN+`"}`,
	)
	for _, tc := range []struct {
		profile string
		by      string // what issued the key; "" for a static one
		key     string
		session string
		caller  string
	}{
		{profile: "ak", key: baseKey},
		{profile: "sts", key: "STS.x"},
		{profile: "role", by: "AssumeRole", session: "cli", caller: baseKey},
		{profile: "chain", by: "AssumeRole", session: DefaultSessionName},
		{profile: "ecs", by: emulator.ActionMetadataCredentials},
		{profile: "ecs-any", by: emulator.ActionMetadataCredentials},
		{profile: "oidc", by: "AssumeRoleWithOIDC", session: DefaultSessionName},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			before := len(em.Issued())
			src, c := resolve(t, Settings{Profile: tc.profile, SharedCredentialsFile: cfg, STSEndpoint: em.host}, env(t))
			issued := em.Issued()[before:]
			if tc.by == emulator.ActionMetadataCredentials {
				issued = em.Issued() // the instance serves one key for hours, to every profile that asks
			}
			if tc.by == "" {
				if c.AccessKeyID != tc.key || len(issued) != 0 {
					t.Errorf("key %q, %d issued", c.AccessKeyID, len(issued))
				}
				return
			}
			if len(issued) == 0 {
				t.Fatalf("nothing issued; signing with %q from %s", c.AccessKeyID, src.Origin)
			}
			last := issued[len(issued)-1]
			if c.AccessKeyID != last.AccessKeyID || c.SecurityToken == "" || last.By != tc.by || last.SessionName != tc.session {
				t.Errorf("key %q from %s; issued %+v", c.AccessKeyID, src.Origin, issued)
			}
			if tc.caller != "" && last.CallerKey != tc.caller {
				t.Errorf("AssumeRole signed by %q, want %q", last.CallerKey, tc.caller)
			}
			if tc.profile == "chain" && (len(issued) != 2 || last.CallerKey != issued[0].AccessKeyID) {
				t.Errorf("the second role was not assumed with the first role's key: %+v", issued)
			}
			if !strings.Contains(src.Origin, `profile "`+tc.profile+`"`) {
				t.Errorf("origin %q", src.Origin)
			}
		})
	}
}

// TestResolve_assumeRoleOnce: a source hands out the same temporary key to many concurrent callers, with
// one STS call.
func TestResolve_assumeRoleOnce(t *testing.T) {
	em := startEmulator(t)
	em.AddRole(roleARN, emulator.Role{})
	src, first := resolve(t, Settings{AccessKey: baseKey, SecretKey: baseSecret, AssumeRole: &AssumeRole{RoleARN: roleARN}, STSEndpoint: em.host}, env(t))
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := src.Credentials(context.Background())
			if err != nil || c != first {
				t.Errorf("credentials %v, %v", c.AccessKeyID, err)
			}
		}()
	}
	wg.Wait()
	if n := em.Stats().ByAction["AssumeRole"]; n != 1 {
		t.Errorf("%d AssumeRole calls, want 1", n)
	}
	issued := em.Issued()
	if len(issued) != 1 || issued[0].SessionName != DefaultSessionName || issued[0].Duration != time.Hour || issued[0].CallerKey != baseKey {
		t.Errorf("issued %+v", issued)
	}
	if !strings.Contains(src.Origin, "role "+roleARN+" (assume_role.role_arn in the provider block) assumed with the provider block") {
		t.Errorf("origin %q", src.Origin)
	}
}

// TestResolve_assumeRoleRefresh: a key close to its expiry is replaced before it is handed out.
func TestResolve_assumeRoleRefresh(t *testing.T) {
	em := startEmulator(t)
	em.AddRole(roleARN, emulator.Role{Lifetime: 100 * time.Second}) // inside credentials-go's 180 s margin
	src, first := resolve(t, Settings{AccessKey: baseKey, SecretKey: baseSecret, AssumeRole: &AssumeRole{RoleARN: roleARN}, STSEndpoint: em.host}, env(t))
	second, err := src.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessKeyID == first.AccessKeyID {
		t.Error("a key 100 s from its expiry was handed out again")
	}
	if n := em.Stats().ByAction["AssumeRole"]; n != 3 { // Resolve's check, the first call, the second
		t.Errorf("%d AssumeRole calls, want 3", n)
	}
}

// TestResolve_assumeRoleSettings: every assume_role argument reaches STS, and its environment
// fallbacks are read when the block leaves them out.
func TestResolve_assumeRoleSettings(t *testing.T) {
	em := startEmulator(t)
	em.AddRole(roleARN, emulator.Role{ExternalID: "ext-id", MaxSessionDuration: 12 * time.Hour})
	policy := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"dbs:Describe*","Resource":"*"}]}`
	resolve(t, Settings{AccessKey: baseKey, SecretKey: baseSecret, STSEndpoint: em.host,
		AssumeRole: &AssumeRole{RoleARN: roleARN, SessionName: "ci-run", Policy: policy, SessionExpiration: 43200, ExternalID: "ext-id"}}, env(t))
	if got := em.Issued()[0]; got.SessionName != "ci-run" || got.Policy != policy || got.ExternalID != "ext-id" || got.Duration != 12*time.Hour {
		t.Errorf("issued %+v", got)
	}

	// Without the block, ALICLOUD_ASSUME_ROLE_ARN assumes the role, on top of keys from the environment.
	em.AddRole("acs:ram::1:role/from-env", emulator.Role{})
	_, c := resolve(t, Settings{STSEndpoint: em.host}, env(t, "ALICLOUD_ACCESS_KEY", baseKey, "ALICLOUD_SECRET_KEY", baseSecret,
		"ALICLOUD_ASSUME_ROLE_ARN", "acs:ram::1:role/from-env", "ALICLOUD_ASSUME_ROLE_SESSION_NAME", "env-session"))
	if got := em.Issued()[1]; got.Role != "acs:ram::1:role/from-env" || got.SessionName != "env-session" || c.AccessKeyID != got.AccessKeyID {
		t.Errorf("issued %+v, signing with %s", got, c.AccessKeyID)
	}

	for name, tc := range map[string]struct {
		ar   *AssumeRole
		env  []string
		want string
	}{
		"no role":          {&AssumeRole{}, nil, "without role_arn"},
		"too long":         {&AssumeRole{RoleARN: roleARN, SessionExpiration: 43201}, nil, "session_expiration is 43201"},
		"too short":        {&AssumeRole{RoleARN: roleARN, SessionExpiration: 899}, nil, "session_expiration is 899"},
		"block beats env":  {&AssumeRole{RoleARN: "acs:ram::1:role/none"}, []string{"ALICLOUD_ASSUME_ROLE_ARN", roleARN}, "EntityNotExist.Role"},
		"external id":      {&AssumeRole{RoleARN: roleARN}, nil, "NoPermission"},
		"refused, no leak": {&AssumeRole{RoleARN: roleARN, ExternalID: "wrong-external-id"}, nil, "NoPermission"},
	} {
		t.Run(name, func(t *testing.T) {
			err := resolveErr(t, Settings{AccessKey: baseKey, SecretKey: baseSecret, STSEndpoint: em.host, AssumeRole: tc.ar}, env(t, tc.env...))
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			mustNotLeak(t, err.Error(), baseSecret, "wrong-external-id")
		})
	}
}

// TestResolve_stsRefuses: the refusal reads with STS's code, message and request id, and none of what
// credentials-go sent (key, signature, token).
func TestResolve_stsRefuses(t *testing.T) {
	em := startEmulator(t)
	em.AddKey("STS.base", emulator.Key{Secret: "sts-base-secret", SecurityToken: "sts-base-token-DO-NOT-LEAK"})
	err := resolveErr(t, Settings{AccessKey: "STS.base", SecretKey: "sts-base-secret", SecurityToken: "sts-base-token-DO-NOT-LEAK",
		AssumeRole: &AssumeRole{RoleARN: roleARN}, STSEndpoint: em.host}, env(t))
	var se *ServiceError
	if !errors.As(err, &se) || se.Code != emulator.CodeRoleNotExist || se.RequestID == "" || !strings.Contains(se.Message, roleARN) {
		t.Fatalf("error %v, want a ServiceError with EntityNotExist.Role", err)
	}
	var refused emulator.Request
	for _, r := range em.Requests() {
		if r.Action == "AssumeRole" {
			refused = r
		}
	}
	if !strings.Contains(err.Error(), refused.RequestID) || !strings.Contains(err.Error(), "STS AssumeRole for "+roleARN+" at "+em.host) {
		t.Errorf("error %q lacks the request id %s or the endpoint", err, refused.RequestID)
	}
	mustNotLeak(t, err.Error(), "sts-base-secret", "sts-base-token-DO-NOT-LEAK", "STS.base")

	// STS unreachable: the network error names the endpoint, not the signed URL.
	err = resolveErr(t, Settings{AccessKey: "STS.base", SecretKey: "sts-base-secret", SecurityToken: "sts-base-token-DO-NOT-LEAK",
		AssumeRole: &AssumeRole{RoleARN: roleARN}, STSEndpoint: "127.0.0.1:1"}, env(t))
	if !strings.Contains(err.Error(), "STS AssumeRole for "+roleARN+" at 127.0.0.1:1 failed") {
		t.Errorf("error %q", err)
	}
	mustNotLeak(t, err.Error(), "sts-base-secret", "sts-base-token-DO-NOT-LEAK", "STS.base")
}

// TestResolve_stsEndpoint: endpoints.sts, else the region of the profile's sts_region,
// ALIBABA_CLOUD_STS_REGION or the provider, in the VPC when enable_vpc or
// ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED says so, else the global endpoint (never sts-vpc without a region).
func TestResolve_stsEndpoint(t *testing.T) {
	shanghai := Settings{Region: "cn-shanghai"}
	for _, tc := range []struct {
		s         Settings
		env       []string
		stsRegion string
		vpc       bool
		want      string
	}{
		{shanghai, nil, "", false, "sts.cn-shanghai.aliyuncs.com"},
		{shanghai, nil, "ap-southeast-1", false, "sts.ap-southeast-1.aliyuncs.com"},
		{shanghai, nil, "", true, "sts-vpc.cn-shanghai.aliyuncs.com"},
		{Settings{}, nil, "", false, "sts.aliyuncs.com"},
		{Settings{}, nil, "", true, "sts.aliyuncs.com"},
		{Settings{Region: "cn-shanghai", STSEndpoint: "sts.example:8443"}, []string{"ALIBABA_CLOUD_STS_REGION", "eu-central-1"}, "eu-west-1", true, "sts.example:8443"},
		{shanghai, []string{"ALIBABA_CLOUD_STS_REGION", "eu-central-1"}, "", false, "sts.eu-central-1.aliyuncs.com"},
		{shanghai, []string{"ALIBABA_CLOUD_STS_REGION", "eu-central-1"}, "eu-west-1", false, "sts.eu-west-1.aliyuncs.com"},
		{Settings{}, []string{"ALIBABA_CLOUD_STS_REGION", "eu-central-1", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true"}, "", false, "sts-vpc.eu-central-1.aliyuncs.com"},
		{shanghai, []string{"ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "TRUE"}, "", false, "sts-vpc.cn-shanghai.aliyuncs.com"},
		{shanghai, []string{"ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "false"}, "", false, "sts.cn-shanghai.aliyuncs.com"},
	} {
		r := &resolver{settings: tc.s, env: env(t, tc.env...)}
		if got := r.stsEndpoint(tc.stsRegion, tc.vpc); got != tc.want {
			t.Errorf("stsEndpoint(%q, %v) with %+v and %v = %q, want %q", tc.stsRegion, tc.vpc, tc.s, tc.env, got, tc.want)
		}
	}
}

// TestResolve_stsRegionReachesEveryRole: every role the provider assumes through its STS client (the block's
// assume_role, assume_role_with_oidc, the credentials file's ram_role_arn) is asked at the endpoint
// stsEndpoint picks from ALIBABA_CLOUD_STS_REGION and ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED. The host does not
// resolve here; the error says where STS was asked.
func TestResolve_stsRegionReachesEveryRole(t *testing.T) {
	stsEnv := []string{"ALIBABA_CLOUD_STS_REGION", "eu-central-1", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true"}
	const want = " at sts-vpc.eu-central-1.aliyuncs.com failed"
	ini := writeFile(t, "credentials", fmt.Sprintf("[default]\ntype = ram_role_arn\naccess_key_id = %s\naccess_key_secret = %s\nrole_arn = %s\n", baseKey, baseSecret, roleARN))
	for name, tc := range map[string]struct {
		s   Settings
		env []string
	}{
		"assume_role":           {Settings{Region: "cn-shanghai", AccessKey: baseKey, SecretKey: baseSecret, AssumeRole: &AssumeRole{RoleARN: roleARN}}, nil},
		"assume_role_with_oidc": {Settings{Region: "cn-shanghai", AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderARN: oidcARN, OIDCToken: oidcToken, RoleARN: roleARN}}, nil},
		"credentials file":      {Settings{Region: "cn-shanghai"}, []string{"ALIBABA_CLOUD_CREDENTIALS_FILE", ini, "ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"}},
	} {
		t.Run(name, func(t *testing.T) {
			err := resolveErr(t, tc.s, env(t, append(slices.Clone(stsEnv), tc.env...)...))
			if !strings.Contains(err.Error(), "for "+roleARN+want) {
				t.Errorf("error %v, want STS asked%s", err, want)
			}
			mustNotLeak(t, err.Error(), baseSecret, oidcToken)
		})
	}
}
