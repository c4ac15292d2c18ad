package credentials

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/redact"
)

// TestResolve_oidc: the block's token or token file wins over ALIBABA_CLOUD_OIDC_TOKEN, which
// credentials-go would otherwise prefer to a token file.
func TestResolve_oidc(t *testing.T) {
	em := startEmulator(t)
	em.AddRole(roleARN, emulator.Role{OIDCProviderArn: oidcARN, OIDCToken: oidcToken})
	// In the process environment too, where credentials-go looks.
	t.Setenv("ALIBABA_CLOUD_OIDC_TOKEN", "eyJ.wrong-token-from-the-environment")
	tokenFile := writeFile(t, "token", oidcToken)
	wrongEnv := env(t, "ALIBABA_CLOUD_OIDC_TOKEN", "eyJ.wrong-token-from-the-environment",
		"ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:oidc-provider/wrong", "ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/wrong")

	for name, o := range map[string]*AssumeRoleWithOIDC{
		"token file": {OIDCProviderARN: oidcARN, RoleARN: roleARN, OIDCTokenFile: tokenFile, RoleSessionName: "pod-1", SessionExpiration: 900},
		"token":      {OIDCProviderARN: oidcARN, RoleARN: roleARN, OIDCToken: oidcToken},
	} {
		t.Run(name, func(t *testing.T) {
			before := len(em.Issued())
			src, c := resolve(t, Settings{AssumeRoleWithOIDC: o, STSEndpoint: em.host}, wrongEnv)
			issued := em.Issued()[before:]
			if len(issued) != 1 || issued[0].AccessKeyID != c.AccessKeyID || issued[0].By != "AssumeRoleWithOIDC" {
				t.Fatalf("issued %+v, signing with %s", issued, c.AccessKeyID)
			}
			if want := cmp.Or(o.RoleSessionName, DefaultSessionName); issued[0].SessionName != want {
				t.Errorf("session %q, want %q", issued[0].SessionName, want)
			}
			if !strings.Contains(src.Origin, "assume_role_with_oidc in the provider block") {
				t.Errorf("origin %q", src.Origin)
			}
		})
	}

	t.Run("environment", func(t *testing.T) {
		t.Setenv("ALIBABA_CLOUD_OIDC_TOKEN", "")
		_, c := resolve(t, Settings{STSEndpoint: em.host}, env(t, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", oidcARN,
			"ALIBABA_CLOUD_ROLE_ARN", roleARN, "ALIBABA_CLOUD_OIDC_TOKEN_FILE", tokenFile, "ALIBABA_CLOUD_ROLE_SESSION_NAME", "from-env"))
		if last := em.Issued()[len(em.Issued())-1]; last.AccessKeyID != c.AccessKeyID || last.SessionName != "from-env" {
			t.Errorf("issued %+v", last)
		}
	})

	t.Run("incomplete", func(t *testing.T) {
		err := resolveErr(t, Settings{STSEndpoint: em.host}, env(t, "ALIBABA_CLOUD_OIDC_TOKEN_FILE", tokenFile))
		if !strings.Contains(err.Error(), "oidc_provider_arn (or ALIBABA_CLOUD_OIDC_PROVIDER_ARN) and role_arn (or ALIBABA_CLOUD_ROLE_ARN)") {
			t.Errorf("error %q", err)
		}
	})

	t.Run("refused", func(t *testing.T) {
		bad := writeFile(t, "token", "eyJ.not-the-role-token-DO-NOT-LEAK")
		err := resolveErr(t, Settings{STSEndpoint: em.host, AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderARN: oidcARN, RoleARN: roleARN, OIDCTokenFile: bad}}, env(t))
		var se *ServiceError
		if !errors.As(err, &se) || se.Code != emulator.CodeInvalidOIDCToken || se.RequestID == "" {
			t.Errorf("error %v", err)
		}
		mustNotLeak(t, err.Error(), "eyJ.not-the-role-token-DO-NOT-LEAK")
	})

	t.Run("missing token file", func(t *testing.T) {
		err := resolveErr(t, Settings{STSEndpoint: em.host, AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderARN: oidcARN, RoleARN: roleARN, OIDCTokenFile: "/nonexistent/token"}}, env(t))
		if !strings.Contains(err.Error(), "/nonexistent/token") {
			t.Errorf("error %q", err)
		}
	})
}

// TestResolve_oidcRotation: when STS refuses the token a session was opened with, the token file is read
// again, as Kubernetes rotates it in place.
func TestResolve_oidcRotation(t *testing.T) {
	em := startEmulator(t)
	em.AddRole(roleARN, emulator.Role{OIDCProviderArn: oidcARN, OIDCToken: "eyJ.first", Lifetime: 100 * time.Second})
	tokenFile := writeFile(t, "token", "eyJ.first")
	src, _ := resolve(t, Settings{STSEndpoint: em.host, AssumeRoleWithOIDC: &AssumeRoleWithOIDC{OIDCProviderARN: oidcARN, RoleARN: roleARN, OIDCTokenFile: tokenFile}}, env(t))

	em.AddRole(roleARN, emulator.Role{OIDCProviderArn: oidcARN, OIDCToken: "eyJ.second", Lifetime: 100 * time.Second})
	if err := os.WriteFile(tokenFile, []byte("eyJ.second"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := src.Credentials(context.Background())
	if err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if last := em.Issued()[len(em.Issued())-1]; last.AccessKeyID != c.AccessKeyID {
		t.Errorf("signing with %s, last issued %s", c.AccessKeyID, last.AccessKeyID)
	}
}

// TestResolve_ecs: a role named in the block is read even when ALIBABA_CLOUD_ECS_METADATA_DISABLED says
// to skip metadata, with an IMDSv2 token; the chain asks the instance for its role.
func TestResolve_ecs(t *testing.T) {
	em := startEmulator(t)
	em.SetInstanceRole("EcsDbsReader")
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")

	src, c := resolve(t, Settings{ECSRoleName: "EcsDbsReader"}, env(t, "ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"))
	issued := em.Issued()
	if len(issued) != 1 || issued[0].AccessKeyID != c.AccessKeyID || c.SecurityToken == "" {
		t.Fatalf("issued %+v, signing with %s from %s", issued, c.AccessKeyID, src.Origin)
	}
	st := em.Stats()
	if st.ByAction[emulator.ActionMetadataToken] != 1 || st.ByAction[emulator.ActionMetadataCredentials] != 1 || st.ByAction[emulator.ActionMetadataRoleName] != 0 {
		t.Errorf("ByAction %v", st.ByAction)
	}
	for range 5 {
		if _, err := src.Credentials(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := em.Stats().ByAction[emulator.ActionMetadataCredentials]; n != 1 {
		t.Errorf("%d metadata reads for six uses of a six-hour key, want 1", n)
	}

	t.Run("environment", func(t *testing.T) {
		_, c := resolve(t, Settings{}, env(t, "ALICLOUD_ECS_ROLE_NAME", "EcsDbsReader"))
		if c.AccessKeyID != issued[0].AccessKeyID {
			t.Errorf("key %s", c.AccessKeyID)
		}
	})
	t.Run("chain", func(t *testing.T) {
		em.Reset()
		src, c := resolve(t, Settings{}, env(t))
		if c.AccessKeyID != issued[0].AccessKeyID || !strings.Contains(src.Origin, "default chain") {
			t.Errorf("key %s from %s", c.AccessKeyID, src.Origin)
		}
		if n := em.Stats().ByAction[emulator.ActionMetadataRoleName]; n != 1 {
			t.Errorf("%d role name reads", n)
		}
	})
	t.Run("wrong role", func(t *testing.T) {
		err := resolveErr(t, Settings{ECSRoleName: "Other"}, env(t))
		if !strings.Contains(err.Error(), `"Other"`) || !strings.Contains(err.Error(), "HTTP 404") {
			t.Errorf("error %q", err)
		}
	})
	t.Run("no role attached", func(t *testing.T) {
		em.SetInstanceRole("")
		defer em.SetInstanceRole("EcsDbsReader")
		err := resolveErr(t, Settings{}, env(t))
		if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), "attach a RAM role to the instance") {
			t.Errorf("error %q", err)
		}
	})
}

// TestResolve_ecsOffECS: off ECS the metadata address does not answer; the lookup gives up within a
// second, in the block as in the chain.
func TestResolve_ecsOffECS(t *testing.T) {
	metadataProxy.SetUnreachable(true)
	defer metadataProxy.SetUnreachable(false)
	within(t, 1500*time.Millisecond, func() {
		err := resolveErr(t, Settings{ECSRoleName: "EcsDbsReader"}, env(t))
		if !strings.Contains(err.Error(), "did not answer within 1s") {
			t.Errorf("error %q", err)
		}
	})
	within(t, 1500*time.Millisecond, func() {
		err := resolveErr(t, Settings{}, env(t))
		if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), "the ECS instance's RAM role: the ECS metadata service") {
			t.Errorf("error %q", err)
		}
	})
}

// TestResolve_credentialsURI: the block's URI wins over ALIBABA_CLOUD_CREDENTIALS_URI, which
// credentials-go would read for an empty one.
func TestResolve_credentialsURI(t *testing.T) {
	em := startEmulator(t)
	em.AddCredentialsURI("block", time.Hour)
	em.AddCredentialsURI("env", time.Hour)
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_URI", em.url+emulator.CredentialsURIPath+"env")

	src, c := resolve(t, Settings{CredentialsURI: em.url + emulator.CredentialsURIPath + "block"}, env(t, "ALIBABA_CLOUD_CREDENTIALS_URI", em.url+emulator.CredentialsURIPath+"env"))
	if issued := em.Issued(); len(issued) != 1 || issued[0].Role != "block" || issued[0].AccessKeyID != c.AccessKeyID {
		t.Errorf("issued %+v", issued)
	}
	for range 3 {
		if _, err := src.Credentials(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := em.Stats().ByAction[emulator.ActionCredentialsURI]; n != 1 {
		t.Errorf("%d URI calls, want 1", n)
	}
	if strings.Contains(src.Origin, "/credentials-uri/") {
		t.Errorf("origin %q names the URI's path", src.Origin)
	}

	_, c = resolve(t, Settings{}, env(t, "ALIBABA_CLOUD_CREDENTIALS_URI", em.url+emulator.CredentialsURIPath+"env"))
	if issued := em.Issued(); issued[len(issued)-1].Role != "env" || issued[len(issued)-1].AccessKeyID != c.AccessKeyID {
		t.Errorf("issued %+v", issued)
	}

	err := resolveErr(t, Settings{CredentialsURI: em.url + emulator.CredentialsURIPath + "gone?token=uri-secret-DO-NOT-LEAK"}, env(t))
	var se *ServiceError
	if !errors.As(err, &se) || se.Code != "NotFound" {
		t.Errorf("error %v", err)
	}
	mustNotLeak(t, err.Error(), "uri-secret-DO-NOT-LEAK")
}

// TestResolve_cliProfileDisabled: ALIBABA_CLOUD_CLI_PROFILE_DISABLED turns off the chain's reading of the
// profile file, not a profile the block names.
func TestResolve_cliProfileDisabled(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	cfg := profileFile(t, "a", akProfile("a", "AK-a", "S-a"))
	e := env(t, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true", "ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true", "ALIBABA_CLOUD_CONFIG_FILE", cfg)
	if _, c := resolve(t, Settings{Profile: "a"}, e); c.AccessKeyID != "AK-a" {
		t.Errorf("key %q", c.AccessKeyID)
	}
	err := resolveErr(t, Settings{}, e)
	if !strings.Contains(err.Error(), "skipped as ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true") {
		t.Errorf("error %q", err)
	}
}

// TestRedactCredentials feeds redact.Credentials errors that credentials-go really produces, which carry
// the signed URL (AccessKeyId, Signature, SecurityToken), credential bodies and whole profile files: the
// provider no longer calls those providers, but the redactor, which every message of this package goes
// through, must still take such texts apart.
func TestRedactCredentials(t *testing.T) {
	const ak, secret, token = "LTAI-scrub-key", "scrub-secret-value", "CAIS-scrub-token-value"
	base, err := providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(ak).WithAccessKeySecret(secret).WithSecurityToken(token).Build()
	if err != nil {
		t.Fatal(err)
	}
	role, err := providers.NewRAMRoleARNCredentialsProviderBuilder().WithCredentialsProvider(base).WithRoleArn(roleARN).
		WithRoleSessionName("s").WithStsEndpoint("127.0.0.1:1").Build()
	if err != nil {
		t.Fatal(err)
	}
	_, netErr := role.GetCredentials()

	leaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"AccessKeyId": "STS.leaked-key", "AccessKeySecret": "leaked-secret-value", "Expiration": "2030-01-01T00:00:00Z"}`))
	}))
	defer leaky.Close()
	uri, _ := providers.NewURLCredentialsProviderBuilder().WithUrl(leaky.URL + "/creds?token=uri-token-value").Build()
	_, bodyErr := uri.GetCredentials()

	broken := writeFile(t, "config.json", `{"profiles": [{"name": "a", "mode": "AK", "access_key_id": "LTAI-file-key", "access_key_secret": "file-secret-value"`)
	cli, _ := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileFile(broken).WithProfileName("a").Build()
	_, fileErr := cli.GetCredentials()

	for name, tc := range map[string]struct {
		err     error
		secrets []string
	}{
		"network error with the signed URL": {netErr, []string{ak, token, "Signature="}},
		"credentials body":                  {bodyErr, []string{"leaked-secret-value", "uri-token-value"}},
		"profile file echoed":               {fileErr, []string{"file-secret-value"}},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("credentials-go returned no error")
			}
			raw := tc.err.Error()
			for _, s := range tc.secrets {
				if !strings.Contains(raw, s) {
					t.Fatalf("credentials-go's error no longer holds %q, so this case tests nothing: %s", s, raw)
				}
			}
			redacted := redact.Credentials(raw)
			mustNotLeak(t, redacted, tc.secrets...)
			mustNotLeak(t, redacted, secret, "STS.leaked-key", "LTAI-file-key")
		})
	}

	// What is left still says what happened.
	if got := redact.Credentials(netErr.Error()); !strings.Contains(got, "https://127.0.0.1:1?<redacted>") || !strings.Contains(got, "connection refused") {
		t.Errorf("redacted network error %q", got)
	}

	// Known values go wherever they appear, URL-encoded or not; short ones are left alone.
	if got := redact.Credentials("key a+b/c= in a%2Bb%2Fc%3D, and x", "a+b/c=", "x"); got != "key <redacted> in <redacted>, and x" {
		t.Errorf("redact.Credentials = %q", got)
	}
}

// TestResolve_baseFails: when the credentials a role is assumed with fail, the error says so, rather
// than blaming STS.
func TestResolve_baseFails(t *testing.T) {
	em := startEmulator(t)
	err := resolveErr(t, Settings{ECSRoleName: "None", AssumeRole: &AssumeRole{RoleARN: roleARN}, STSEndpoint: em.host}, env(t))
	if !strings.Contains(err.Error(), "the credentials to assume the role with: GET /latest/meta-data/ram/security-credentials/None at the ECS metadata service (http://100.100.100.200) failed: answered HTTP 404 Not Found: \"404 Not Found\" (request id ") ||
		strings.Contains(err.Error(), "STS AssumeRole") {
		t.Errorf("error %q", err)
	}
	if n := em.Stats().ByAction["AssumeRole"]; n != 0 {
		t.Errorf("%d AssumeRole calls", n)
	}
}
