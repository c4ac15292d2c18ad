package provider

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// The tests of this file read a listing of 120 restore tasks, 25 a page (5 pages), through Terraform with
// every way of holding credentials, and check in the emulator's log which key signed each DBS request:
// the static key configured, or the temporary key that STS, the ECS metadata service or the credentials
// URI issued. The emulator serves DBS, STS and credentials URIs over TLS, and the ECS metadata service
// through HTTP_PROXY, both set in TestMain since Go reads them once per process.

const (
	baseKey     = "LTAI-base-key"
	baseSecret  = "base-secret-DO-NOT-LEAK"
	roleARN     = "acs:ram::1234567890123456:role/dbs-reader"
	oidcARN     = "acs:ram::1234567890123456:oidc-provider/ack-rrsa"
	oidcToken   = "eyJhbGciOiJSUzI1NiJ9.oidc-token-DO-NOT-LEAK.sig"
	listPages   = 5 // 120 tasks at 25 a page
	listingData = `
data "alicloud_dbs_restore_tasks" "all" {
  page_size = 25
}
`
)

// credentialsEmulator is a TLS emulator with the base key, a role, an OIDC provider, an instance role
// and a credentials URI.
type credentialsEmulator struct {
	*emulator.Server
	url   string // https://127.0.0.1:port: DBS and credentials URIs
	host  string // 127.0.0.1:port, as endpoints.sts takes it
	tasks []emulator.Task
	env   testEnv // the environment of the test's provider
}

func startCredentialsEmulator(t *testing.T) *credentialsEmulator {
	t.Helper()
	tasks := emulator.Generate(120, 11)
	s := emulator.New(emulator.Options{Keys: map[string]emulator.Key{baseKey: {Secret: baseSecret}}, Tasks: tasks})
	url := s.StartTLS(credentialsCert)
	t.Cleanup(s.Close)
	s.AddRole(roleARN, emulator.Role{OIDCProviderArn: oidcARN, OIDCToken: oidcToken})
	s.SetInstanceRole("EcsDbsReader")
	s.AddCredentialsURI("ci", time.Hour)
	return &credentialsEmulator{Server: s, url: url, host: strings.TrimPrefix(url, "https://"), tasks: tasks, env: newTestEnv(t)}
}

// serveMetadata makes e the ECS metadata service of the process until the test ends, taking its turn
// (see useMetadataService): for a test whose credentials come from the instance's role.
func (e *credentialsEmulator) serveMetadata(t *testing.T) {
	t.Helper()
	useMetadataService(t, e.Server)
}

// config is a provider block with the emulator's endpoints and the given credential arguments, and the
// listing.
func (e *credentialsEmulator) config(args string) string {
	return fmt.Sprintf(`
provider "alicloud" {
  endpoints {
    dbs = %q
    sts = %q
  }
%s
}
`, e.url, e.host, args) + listingData
}

// countingServer is the production server (testProviderFactories) counting ConfigureProvider calls:
// each is one provider configuration, which may fetch temporary credentials once.
type countingServer struct {
	tfprotov6.ProviderServer
	configures *atomic.Int32
}

func (s countingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	s.configures.Add(1)
	return s.ProviderServer.ConfigureProvider(ctx, req)
}

// readListing reads the listing through Terraform with the given credential arguments, checks the
// state against the emulator's tasks, and returns how many provider configurations there were.
func (e *credentialsEmulator) readListing(t *testing.T, args string) int {
	t.Helper()
	return e.readListingWith(t, e.config(args))
}

// readListingWith is readListing with a whole configuration, which must hold the listing.
func (e *credentialsEmulator) readListingWith(t *testing.T, config string) int {
	t.Helper()
	var configures atomic.Int32
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"alicloud": func() (tfprotov6.ProviderServer, error) {
				// The production server, with the OAuth sign-in services of both sites at the emulator.
				p := e.env.provider()
				p.oauthSignInURLs = map[string]string{"CN": e.url, "INTL": e.url}
				s := newProtocol6Server(p)
				return countingServer{ProviderServer: s, configures: &configures}, nil
			},
		},
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: []statecheck.StateCheck{expectTasks(allTasks, e.tasks)},
		}},
	})
	if configures.Load() == 0 {
		t.Fatal("the provider was never configured")
	}
	return int(configures.Load())
}

// signing says what must have signed the listing's requests.
type signing struct {
	key      string // a static key, or "" for temporary keys issued by `issuer`
	token    bool   // whether requests carried a security token
	issuer   string // emulator.Issued.By of the temporary keys
	perFetch int    // issuer calls per provider configuration (2 for a role assumed with an assumed role's key)
	fetches  string // the Stats.ByAction key that counts the calls to the issuer
}

// expectSigned checks the emulator's log: every DBS request authenticated with the expected key; each
// temporary key used for whole listings (all 5 pages, never a new key in the middle of one); and the
// issuer called once per provider configuration, not once per page.
func (e *credentialsEmulator) expectSigned(t *testing.T, configures int, want signing) {
	t.Helper()
	issued := map[string]bool{}
	for _, i := range e.Issued() {
		if i.By == want.issuer {
			issued[i.AccessKeyID] = true
		}
	}
	pagesByKey := map[string]map[int64]int{}
	reads := 0
	for _, r := range e.Requests() {
		if r.Action != "DescribeRestoreTaskList" {
			continue
		}
		reads++
		switch {
		case !r.Authenticated:
			t.Errorf("request %d refused: %s %s", r.Seq, r.Code, r.Message)
		case r.SecurityToken != want.token:
			t.Errorf("request %d signed with token=%v, want %v", r.Seq, r.SecurityToken, want.token)
		case want.key != "" && r.AccessKeyID != want.key:
			t.Errorf("request %d signed with %q, want %q", r.Seq, r.AccessKeyID, want.key)
		case want.key == "" && !issued[r.AccessKeyID]:
			t.Errorf("request %d signed with %q, which %s did not issue (issued: %v)", r.Seq, r.AccessKeyID, want.issuer, issued)
		}
		if pagesByKey[r.AccessKeyID] == nil {
			pagesByKey[r.AccessKeyID] = map[int64]int{}
		}
		pagesByKey[r.AccessKeyID][r.PageNum]++
	}
	if reads == 0 || reads%listPages != 0 {
		t.Errorf("%d DBS requests, want whole listings of %d pages", reads, listPages)
	}
	for key, pages := range pagesByKey {
		for p := int64(0); p < listPages; p++ {
			if pages[p] != pages[0] || len(pages) != listPages {
				t.Errorf("key %s signed pages %v: a listing was not read with one key", key, pages)
				break
			}
		}
	}
	if want.fetches != "" {
		if got := e.Stats().ByAction[want.fetches]; got != configures*want.perFetch {
			t.Errorf("%d %s calls for %d provider configurations, want %d: temporary credentials must be fetched once per configuration",
				got, want.fetches, configures, configures*want.perFetch)
		}
	}
}

func staticKey(key string, token bool) signing { return signing{key: key, token: token} }

var (
	byAssumeRole     = signing{token: true, issuer: "AssumeRole", perFetch: 1, fetches: "AssumeRole"}
	byOIDC           = signing{token: true, issuer: "AssumeRoleWithOIDC", perFetch: 1, fetches: "AssumeRoleWithOIDC"}
	byInstance       = signing{token: true, issuer: emulator.ActionMetadataCredentials, perFetch: 1, fetches: emulator.ActionMetadataCredentials}
	byCredentialsURI = signing{token: true, issuer: emulator.ActionCredentialsURI, perFetch: 1, fetches: emulator.ActionCredentialsURI}
)

// writeProfiles writes an aliyun CLI configuration file holding a profile of every mode that signs.
// Its current profile is "other", a plain key, which only the default chain reads.
func writeProfiles(t *testing.T, e *credentialsEmulator, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(oidcToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.AddKey("STS.profile-key", emulator.Key{Secret: "profile-sts-secret", SecurityToken: "profile-sts-token"})
	e.AddKey("LTAI-other", emulator.Key{Secret: "other-secret"})
	e.AddRole("acs:ram::1234567890123456:role/second", emulator.Role{})
	e.AddKey("STS.external", emulator.Key{Secret: "external-secret", SecurityToken: "external-token"})
	e.AddCloudSSOToken("sso-access-token", time.Hour, emulator.CloudSSOAccess{AccountID: "5123", AccessConfigurationID: "ac-dbs-reader"})
	// The CLI's client of the CN site; the access token has expired, so the first sign-in refreshes it.
	e.AddOAuthSignIn(emulator.OAuthSignIn{ClientID: "4038181954557748008", AccessToken: "at-expired", AccessTokenExpires: time.Now().Add(-time.Hour),
		RefreshToken: "rt-first"})
	content := fmt.Sprintf(`{
  "current": "other",
  "profiles": [
    {"name": "ak", "mode": "AK", "access_key_id": %q, "access_key_secret": %q, "region_id": "cn-hangzhou"},
    {"name": "other", "mode": "AK", "access_key_id": "LTAI-other", "access_key_secret": "other-secret"},
    {"name": "sts", "mode": "StsToken", "access_key_id": "STS.profile-key", "access_key_secret": "profile-sts-secret", "sts_token": "profile-sts-token"},
    {"name": "role", "mode": "RamRoleArn", "access_key_id": %q, "access_key_secret": %q, "ram_role_arn": %q, "ram_session_name": "cli", "expired_seconds": 900},
    {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "role", "ram_role_arn": "acs:ram::1234567890123456:role/second"},
    {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsDbsReader"},
    {"name": "oidc", "mode": "OIDC", "oidc_provider_arn": %q, "oidc_token_file": %q, "ram_role_arn": %q},
    {"name": "ecs-role", "mode": "RamRoleArnWithRoleName", "ram_role_name": "EcsDbsReader", "ram_role_arn": %q},
    {"name": "uri", "mode": "CredentialsURI", "credentials_uri": %q},
    {"name": "ext", "mode": "External", "process_command": %q},
    {"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": %q, "cloud_sso_account_id": "5123",
     "cloud_sso_access_config": "ac-dbs-reader", "access_token": "sso-access-token", "cloud_sso_access_token_expire": %d},
    {"name": "oauth", "mode": "OAuth", "oauth_site_type": "CN", "oauth_access_token": "at-expired", "oauth_access_token_expire": %d,
     "oauth_refresh_token": "rt-first", "oauth_refresh_token_expire": %d, "language": "en", "output_format": "json"}
  ],
  "meta_path": ""
}`, baseKey, baseSecret, baseKey, baseSecret, roleARN, oidcARN, tokenFile, roleARN, roleARN, e.url+emulator.CredentialsURIPath+"ci", credentialHelper(t, filepath.Dir(path)),
		e.url+"/login", time.Now().Add(time.Hour).Unix(), time.Now().Add(-time.Hour).Unix(), time.Now().Add(90*24*time.Hour).Unix())
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// credentialHelper writes, into dir, a program for process_command that prints a temporary key the
// emulator knows and counts its runs in dir/helper-runs; it returns the command line.
func credentialHelper(t *testing.T, dir string) string {
	t.Helper()
	script := filepath.Join(dir, "credential helper.sh")
	body := "#!/bin/sh\necho run >> \"$(dirname \"$0\")/helper-runs\"\n" +
		`echo '{"mode": "StsToken", "access_key_id": "STS.external", "access_key_secret": "external-secret", "sts_token": "external-token"}'` + "\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%q --profile ci", script)
}

// writeFile writes content to path, mode 0600, making its directory (mode 0700) when it is missing.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCredentials_staticKeys(t *testing.T) {
	t.Parallel()
	t.Run("block", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.AddKey("LTAI-env", emulator.Key{Secret: "env-secret"})
		e.env["ALICLOUD_ACCESS_KEY"] = "LTAI-env"
		e.env["ALICLOUD_SECRET_KEY"] = "env-secret"
		n := e.readListing(t, fmt.Sprintf("access_key = %q\nsecret_key = %q", baseKey, baseSecret))
		e.expectSigned(t, n, staticKey(baseKey, false))
	})
	t.Run("block with security token", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.AddKey("STS.block", emulator.Key{Secret: "block-secret", SecurityToken: "block-token"})
		n := e.readListing(t, `access_key = "STS.block"
secret_key = "block-secret"
security_token = "block-token"`)
		e.expectSigned(t, n, staticKey("STS.block", true))
	})
	t.Run("ALICLOUD_* beats ALIBABA_CLOUD_*", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.AddKey("STS.alicloud", emulator.Key{Secret: "alicloud-secret", SecurityToken: "alicloud-token"})
		e.AddKey("LTAI-alibaba", emulator.Key{Secret: "alibaba-secret"})
		for k, v := range map[string]string{
			"ALICLOUD_ACCESS_KEY": "STS.alicloud", "ALICLOUD_SECRET_KEY": "alicloud-secret", "ALICLOUD_SECURITY_TOKEN": "alicloud-token",
			"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-alibaba", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "alibaba-secret",
		} {
			e.env[k] = v
		}
		n := e.readListing(t, "")
		e.expectSigned(t, n, staticKey("STS.alicloud", true))
	})
	t.Run("ALIBABA_CLOUD_*", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = baseKey
		e.env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = baseSecret
		n := e.readListing(t, "")
		e.expectSigned(t, n, staticKey(baseKey, false))
	})
}

// TestCredentials_profile reads the listing with a profile of each supported mode of the aliyun CLI.
func TestCredentials_profile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile string
		want    signing
	}{
		{"ak", staticKey(baseKey, false)},
		{"sts", staticKey("STS.profile-key", true)},
		{"role", byAssumeRole},
		{"chain", signing{token: true, issuer: "AssumeRole", perFetch: 2, fetches: "AssumeRole"}},
		{"ecs", byInstance},
		{"oidc", byOIDC},
		{"ecs-role", byAssumeRole},
		{"uri", byCredentialsURI},
		{"ext", staticKey("STS.external", true)},
		{"sso", signing{token: true, issuer: emulator.ActionCloudSSO, perFetch: 1, fetches: emulator.ActionCloudSSO}},
		// One OAuth sign-in serves every provider configuration of the process, so no count per configuration.
		{"oauth", signing{token: true, issuer: emulator.ActionOAuthExchange}},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			t.Parallel()
			e := startCredentialsEmulator(t)
			if tc.profile == "ecs" || tc.profile == "ecs-role" { // the instance's role, from the metadata service
				e.serveMetadata(t)
			}
			cfg := writeProfiles(t, e, filepath.Join(t.TempDir(), "config.json"))
			before, err := os.ReadFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// The variables credentials-go would read cannot undo what the block says.
			e.env["ALIBABA_CLOUD_CLI_PROFILE_DISABLED"] = "true"
			e.env["ALIBABA_CLOUD_PROFILE"] = "other"
			n := e.readListing(t, fmt.Sprintf("profile = %q\nshared_credentials_file = %q", tc.profile, cfg))
			e.expectSigned(t, n, tc.want)
			issued := e.Issued()
			switch tc.profile {
			case "chain":
				if len(issued) < 2 || issued[1].CallerKey != issued[0].AccessKeyID || issued[0].CallerKey != baseKey {
					t.Errorf("the second role was not assumed with the first role's key: %+v", issued)
				}
			case "oauth":
				if st := e.Stats(); st.ByAction[emulator.ActionOAuthToken] != 1 || st.ByAction[emulator.ActionOAuthExchange] != 1 {
					t.Errorf("%d refreshes and %d exchanges for %d configurations, want one each", st.ByAction[emulator.ActionOAuthToken],
						st.ByAction[emulator.ActionOAuthExchange], n)
				}
				expectOAuthWrittenBack(t, e, cfg, before)
			case "ext":
				runs, _ := os.ReadFile(filepath.Join(filepath.Dir(cfg), "helper-runs"))
				if got := strings.Count(string(runs), "run"); got != n {
					t.Errorf("process_command ran %d times for %d provider configurations", got, n)
				}
			case "ecs-role":
				if len(issued) < 2 || issued[0].By != emulator.ActionMetadataCredentials || issued[1].CallerKey != issued[0].AccessKeyID {
					t.Errorf("the role was not assumed with the instance's key: %+v", issued)
				}
			}
		})
	}
	t.Run("ALICLOUD_PROFILE and the default file", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		writeProfiles(t, e, filepath.Join(e.env["HOME"], ".aliyun", "config.json"))
		e.env["ALICLOUD_PROFILE"] = "role"
		e.env["ALIBABA_CLOUD_PROFILE"] = "other"
		n := e.readListing(t, "")
		e.expectSigned(t, n, byAssumeRole)
		if i := e.Issued(); len(i) == 0 || i[0].SessionName != "cli" || i[0].Duration != 15*time.Minute {
			t.Errorf("issued %+v", i)
		}
	})
	t.Run("ALIBABA_CLOUD_PROFILE and ALIBABA_CLOUD_CONFIG_FILE", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.env["ALIBABA_CLOUD_CONFIG_FILE"] = writeProfiles(t, e, filepath.Join(t.TempDir(), "cli.json"))
		e.env["ALIBABA_CLOUD_PROFILE"] = "sts"
		n := e.readListing(t, "")
		e.expectSigned(t, n, staticKey("STS.profile-key", true))
	})
}

// expectOAuthWrittenBack checks the profile file after an OAuth refresh: it still parses, the other
// profiles and members the CLI wrote are there, and it holds the tokens that are now live.
func expectOAuthWrittenBack(t *testing.T, e *credentialsEmulator, cfg string, before []byte) {
	t.Helper()
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	type cliFile struct {
		Current  string           `json:"current"`
		MetaPath *string          `json:"meta_path"`
		Profiles []map[string]any `json:"profiles"`
	}
	var file, was cliFile
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatalf("the profile file does not parse after the refresh: %v\n%s", err, b)
	}
	if err := json.Unmarshal(before, &was); err != nil {
		t.Fatal(err)
	}
	if file.Current != was.Current || file.MetaPath == nil || len(file.Profiles) != len(was.Profiles) {
		t.Errorf("the file lost members: current %q, meta_path %v, %d profiles of %d", file.Current, file.MetaPath, len(file.Profiles), len(was.Profiles))
	}
	for _, p := range file.Profiles {
		if p["name"] != "oauth" {
			continue
		}
		access, _ := p["oauth_access_token"].(string)
		refresh, _ := p["oauth_refresh_token"].(string)
		if accessLive, refreshLive := e.OAuthTokens(access, refresh); !accessLive || !refreshLive || refresh == "rt-first" {
			t.Errorf("the file holds tokens that are not live: access %v, refresh %v", accessLive, refreshLive)
		}
		if p["language"] != "en" || p["output_format"] != "json" || p["oauth_refresh_token_expire"] == nil {
			t.Errorf("the profile lost the CLI's members: %v", p)
		}
	}
}

func TestCredentials_assumeRole(t *testing.T) {
	t.Parallel()
	t.Run("block, on top of keys in the block", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.AddRole(roleARN, emulator.Role{ExternalID: "ext-id-DO-NOT-LEAK", MaxSessionDuration: 2 * time.Hour})
		n := e.readListing(t, fmt.Sprintf(`access_key = %q
secret_key = %q
assume_role {
  role_arn           = %q
  session_name       = "plan-42"
  policy             = jsonencode({ Version = "1", Statement = [{ Effect = "Allow", Action = "dbs:Describe*", Resource = "*" }] })
  session_expiration = 7200
  external_id        = "ext-id-DO-NOT-LEAK"
}`, baseKey, baseSecret, roleARN))
		e.expectSigned(t, n, byAssumeRole)
		i := e.Issued()[0]
		if i.CallerKey != baseKey || i.SessionName != "plan-42" || i.Duration != 2*time.Hour || !strings.Contains(i.Policy, "dbs:Describe*") {
			t.Errorf("issued %+v", i)
		}
	})
	t.Run("environment, on top of a profile", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		cfg := writeProfiles(t, e, filepath.Join(t.TempDir(), "config.json"))
		e.env["ALICLOUD_ASSUME_ROLE_ARN"] = roleARN
		e.env["ALICLOUD_ASSUME_ROLE_SESSION_NAME"] = "from-env"
		n := e.readListing(t, fmt.Sprintf("profile = \"ak\"\nshared_credentials_file = %q", cfg))
		e.expectSigned(t, n, byAssumeRole)
		if i := e.Issued()[0]; i.SessionName != "from-env" || i.CallerKey != baseKey || i.Duration != time.Hour {
			t.Errorf("issued %+v", i)
		}
	})
	t.Run("on top of the ECS role", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.serveMetadata(t)
		n := e.readListing(t, fmt.Sprintf("ecs_role_name = \"EcsDbsReader\"\nassume_role {\n  role_arn = %q\n}", roleARN))
		e.expectSigned(t, n, byAssumeRole)
		issued := e.Issued()
		if issued[0].By != emulator.ActionMetadataCredentials || issued[1].CallerKey != issued[0].AccessKeyID {
			t.Errorf("the role was not assumed with the instance's key: %+v", issued)
		}
	})
}

func TestCredentials_assumeRoleWithOIDC(t *testing.T) {
	t.Parallel()
	t.Run("block", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		tokenFile := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(tokenFile, []byte(oidcToken), 0o600); err != nil {
			t.Fatal(err)
		}
		// credentials-go would send this token instead of the file's; the block's file must win.
		e.env["ALIBABA_CLOUD_OIDC_TOKEN"] = "eyJ.from-the-environment"
		n := e.readListing(t, fmt.Sprintf(`assume_role_with_oidc {
  oidc_provider_arn  = %q
  oidc_token_file    = %q
  role_arn           = %q
  role_session_name  = "pod-7"
  session_expiration = 900
}`, oidcARN, tokenFile, roleARN))
		e.expectSigned(t, n, byOIDC)
		if i := e.Issued()[0]; i.SessionName != "pod-7" || i.Duration != 15*time.Minute {
			t.Errorf("issued %+v", i)
		}
	})
	t.Run("environment, as ACK's RRSA sets it", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		tokenFile := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(tokenFile, []byte(oidcToken), 0o600); err != nil {
			t.Fatal(err)
		}
		e.env["ALIBABA_CLOUD_ROLE_ARN"] = roleARN
		e.env["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"] = oidcARN
		e.env["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = tokenFile
		n := e.readListing(t, "")
		e.expectSigned(t, n, byOIDC)
	})
}

func TestCredentials_ecsRoleName(t *testing.T) {
	t.Parallel()
	t.Run("block, with metadata disabled for the chain", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t) // its environment sets ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
		e.serveMetadata(t)
		n := e.readListing(t, `ecs_role_name = "EcsDbsReader"`)
		e.expectSigned(t, n, byInstance)
		if st := e.Stats(); st.ByAction[emulator.ActionMetadataToken] != n {
			t.Errorf("%d metadata tokens for %d configurations: every lookup is IMDSv2", st.ByAction[emulator.ActionMetadataToken], n)
		}
	})
	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.serveMetadata(t)
		e.env["ALICLOUD_ECS_ROLE_NAME"] = "EcsDbsReader"
		n := e.readListing(t, "")
		e.expectSigned(t, n, byInstance)
	})
	t.Run("default chain", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.serveMetadata(t)
		e.env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = ""
		n := e.readListing(t, "")
		e.expectSigned(t, n, byInstance)
	})
	// As the documentation says: a service that hands out no session token is read without one (IMDSv1),
	// unless ALIBABA_CLOUD_IMDSV1_DISABLED=true.
	t.Run("IMDSv1 fallback", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.serveMetadata(t)
		e.SetIMDSv1Only(true)
		n := e.readListing(t, `ecs_role_name = "EcsDbsReader"`)
		e.expectSigned(t, n, byInstance)
		if st := e.Stats(); st.ByAction[emulator.ActionMetadataToken] != n {
			t.Errorf("%d token requests for %d configurations: IMDSv2 is asked for first", st.ByAction[emulator.ActionMetadataToken], n)
		}
	})
	t.Run("IMDSv1 disabled", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.serveMetadata(t)
		e.SetIMDSv1Only(true)
		e.env["ALIBABA_CLOUD_IMDSV1_DISABLED"] = "true"
		expectErrorWithout(t, e.env, e.config(`ecs_role_name = "EcsDbsReader"`), `PUT /latest/api/token \(a metadata token, IMDSv2\) at the ECS metadata service `+
			`\(http://100\.100\.100\.200\) failed: answered HTTP 404 Not Found.*\(ALIBABA_CLOUD_IMDSV1_DISABLED=true forbids reading without one\)`)
		if n := e.Stats().ByAction[emulator.ActionMetadataCredentials]; n != 0 {
			t.Errorf("the credentials were read %d times without a token", n)
		}
	})
}

func TestCredentials_credentialsURI(t *testing.T) {
	t.Parallel()
	t.Run("block beats the environment", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.AddCredentialsURI("env", time.Hour)
		e.env["ALIBABA_CLOUD_CREDENTIALS_URI"] = e.url + emulator.CredentialsURIPath + "env"
		n := e.readListing(t, fmt.Sprintf("credentials_uri = %q", e.url+emulator.CredentialsURIPath+"ci"))
		e.expectSigned(t, n, byCredentialsURI)
		for _, i := range e.Issued() {
			if i.Role != "ci" {
				t.Errorf("the URI of the environment was asked: %+v", i)
			}
		}
	})
	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.env["ALIBABA_CLOUD_CREDENTIALS_URI"] = e.url + emulator.CredentialsURIPath + "ci"
		n := e.readListing(t, "")
		e.expectSigned(t, n, byCredentialsURI)
	})
}

// TestCredentials_order: the block beats the environment, and the environment beats the default chain.
func TestCredentials_order(t *testing.T) {
	t.Parallel()
	t.Run("block profile beats environment keys", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		cfg := writeProfiles(t, e, filepath.Join(t.TempDir(), "config.json"))
		e.env["ALICLOUD_ACCESS_KEY"] = "LTAI-other"
		e.env["ALICLOUD_SECRET_KEY"] = "other-secret"
		n := e.readListing(t, fmt.Sprintf("profile = \"ak\"\nshared_credentials_file = %q", cfg))
		e.expectSigned(t, n, staticKey(baseKey, false))
	})
	t.Run("environment keys beat the current profile", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		writeProfiles(t, e, filepath.Join(e.env["HOME"], ".aliyun", "config.json"))
		e.env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = baseKey
		e.env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = baseSecret
		n := e.readListing(t, "")
		e.expectSigned(t, n, staticKey(baseKey, false))
	})
	t.Run("the chain reads the current profile", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		writeProfiles(t, e, filepath.Join(e.env["HOME"], ".aliyun", "config.json"))
		n := e.readListing(t, "")
		e.expectSigned(t, n, staticKey("LTAI-other", false))
	})
}

// TestCredentials_errors: conflicts and invalid arguments fail the plan naming the arguments; a missing
// source lists what was tried; a refusal shows the service's code, message and request id.
func TestCredentials_errors(t *testing.T) {
	t.Parallel()
	e := startCredentialsEmulator(t)
	e.serveMetadata(t) // the cases of ecs_role_name read it
	home := e.env["HOME"]
	bearer := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(bearer, []byte(`{"profiles": [{"name": "api", "mode": "BearerToken", "bearer_token": "bt"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, args, pattern string
	}{
		{"keys and profile", `access_key = "k"
secret_key = "s"
profile = "dev"`, `Conflicting credential sources.*both access_key and profile`},
		{"profile and ecs_role_name", `profile = "dev"
ecs_role_name = "r"`, `Conflicting credential sources.*both profile and ecs_role_name`},
		{"uri and oidc", `credentials_uri = "https://example.com/c"
assume_role_with_oidc {
  oidc_token = "t"
}`, `Conflicting credential sources.*both credentials_uri and assume_role_with_oidc`},
		{"session too short", `access_key = "k"
secret_key = "s"
assume_role {
  role_arn = "` + roleARN + `"
  session_expiration = 600
}`, `session_expiration.*between 900 and 43200`},
		{"bad role ARN", `access_key = "k"
secret_key = "s"
assume_role {
  role_arn = "dbs-reader"
}`, `Invalid role ARN.*assume_role.role_arn = "dbs-reader" is not of the form acs:ram::<account id>:role/<role name>`},
		{"policy not JSON", `access_key = "k"
secret_key = "s"
assume_role {
  role_arn = "` + roleARN + `"
  policy = "{"
}`, `Invalid policy`},
		{"token and token file", `assume_role_with_oidc {
  oidc_token = "t"
  oidc_token_file = "/f"
}`, `oidc_token.*oidc_token_file|oidc_token_file.*oidc_token`},
		{"nothing", ``, `Unable to find Alibaba Cloud credentials.*Tried, in order.*ALICLOUD_ACCESS_KEY.*` +
			regexp.QuoteMeta(filepath.Join(home, ".aliyun", "config.json")) + `.*does not exist.*ALIBABA_CLOUD_ECS_METADATA_DISABLED.*Set access_key.*see "Authentication" in the provider documentation`},
		{"unknown profile", `profile = "dev"`, `Unable to get Alibaba Cloud credentials.*profile "dev".*does not exist.*aliyun configure --profile dev.*` +
			`see "Authentication" in the provider documentation`},
		{"STS refuses", fmt.Sprintf(`access_key = %q
secret_key = %q
assume_role {
  role_arn = "acs:ram::1234567890123456:role/missing"
}`, baseKey, baseSecret), `Unable to get Alibaba Cloud credentials.*STS AssumeRole for acs:ram::1234567890123456:role/missing at ` +
			regexp.QuoteMeta(e.host) + ` refused: EntityNotExist.Role: The role not exists.*request id [0-9A-F]{8}-`},
		{"OIDC refused", `assume_role_with_oidc {
  oidc_provider_arn = "` + oidcARN + `"
  oidc_token        = "eyJ.wrong"
  role_arn          = "` + roleARN + `"
}`, `AssumeRoleWithOIDC.*refused: AuthenticationFail.OIDCToken.Invalid.*request id`},
		{"a profile that cannot sign", fmt.Sprintf("profile = \"api\"\nshared_credentials_file = %q", bearer),
			`mode BearerToken cannot sign a DBS request.*The modes that can are AK, StsToken, RamRoleArn.*CloudSSO, OAuth`},
		{"ECS role missing", `ecs_role_name = "Other"`, `RAM role "Other".*GET /latest/meta-data/ram/security-credentials/Other at the ECS metadata service ` +
			`\(http://100\.100\.100\.200\) failed: answered HTTP 404 Not Found: "404 Not Found" \(request id [0-9A-F]{8}-`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.env.providers(),
				Steps:                    []resource.TestStep{{Config: e.config(tc.args), ExpectError: wrappedPattern(tc.pattern)}},
			})
		})
	}
	for _, r := range e.Requests() {
		if r.Action == "DescribeRestoreTaskList" {
			t.Errorf("DBS was called although credentials failed: %+v", r)
		}
	}
}

// TestCredentials_refusalLeaksNothing configures the provider directly, to read the whole diagnostic: an
// STS refusal and an unreachable STS say what happened and hold no key, secret, token or signature.
func TestCredentials_refusalLeaksNothing(t *testing.T) {
	t.Parallel()
	e := startCredentialsEmulator(t)
	e.AddKey("STS.caller", emulator.Key{Secret: "caller-secret-DO-NOT-LEAK", SecurityToken: "caller-token-DO-NOT-LEAK"})
	for name, sts := range map[string]string{"refused": e.host, "unreachable": "127.0.0.1:1"} {
		t.Run(name, func(t *testing.T) {
			diags := configureDirectly(t, e.env, e.url, sts, map[string]tftypes.Value{
				"access_key":     tftypes.NewValue(tftypes.String, "STS.caller"),
				"secret_key":     tftypes.NewValue(tftypes.String, "caller-secret-DO-NOT-LEAK"),
				"security_token": tftypes.NewValue(tftypes.String, "caller-token-DO-NOT-LEAK"),
			}, &credentialsAssumeRole{roleARN: "acs:ram::1234567890123456:role/missing", externalID: "ext-DO-NOT-LEAK"})
			if !diags.HasError() {
				t.Fatal("no error")
			}
			var text strings.Builder
			for _, d := range diags {
				text.WriteString(d.Summary() + "\n" + d.Detail() + "\n")
			}
			for _, leak := range []string{"STS.caller", "caller-secret-DO-NOT-LEAK", "caller-token-DO-NOT-LEAK", "ext-DO-NOT-LEAK", "Signature", "SignatureNonce"} {
				if strings.Contains(text.String(), leak) {
					t.Errorf("the diagnostic holds %q:\n%s", leak, text.String())
				}
			}
			want := "refused: EntityNotExist.Role"
			if name == "unreachable" {
				want = "at 127.0.0.1:1 failed: dial tcp 127.0.0.1:1"
			}
			if !strings.Contains(text.String(), want) {
				t.Errorf("the diagnostic lacks %q:\n%s", want, text.String())
			}
		})
	}
}

// TestCredentials_stsEndpoint: STS is asked at endpoints.sts, else ALIBABA_CLOUD_ENDPOINT_STS, else the
// region's endpoint, never at credentials-go's global default when a region is known.
func TestCredentials_stsEndpoint(t *testing.T) {
	t.Parallel()
	e := startCredentialsEmulator(t)
	keys := map[string]tftypes.Value{
		"access_key": tftypes.NewValue(tftypes.String, baseKey),
		"secret_key": tftypes.NewValue(tftypes.String, baseSecret),
		"region":     tftypes.NewValue(tftypes.String, "cn-shanghai"),
	}
	role := &credentialsAssumeRole{roleARN: roleARN}

	t.Run("ALIBABA_CLOUD_ENDPOINT_STS", func(t *testing.T) {
		env := e.env.with("ALIBABA_CLOUD_ENDPOINT_STS", e.host)
		if diags := configureDirectly(t, env, e.url, "", keys, role); diags.HasError() {
			t.Fatalf("configure: %v", diags)
		}
		if n := e.Stats().ByAction["AssumeRole"]; n != 1 {
			t.Errorf("%d AssumeRole calls at the emulator", n)
		}
	})
	t.Run("endpoints.sts beats the variable", func(t *testing.T) {
		env := e.env.with("ALIBABA_CLOUD_ENDPOINT_STS", "127.0.0.1:1")
		if diags := configureDirectly(t, env, e.url, e.host, keys, role); diags.HasError() {
			t.Fatalf("configure: %v", diags)
		}
	})
	t.Run("the region's endpoint", func(t *testing.T) {
		// Never reached here: without a network the name does not resolve, and with one the test's
		// SSL_CERT_FILE trusts only the emulator. The error says where STS was asked.
		diags := configureDirectly(t, e.env, e.url, "", keys, role)
		if !diags.HasError() || !strings.Contains(diags[0].Detail(), "STS AssumeRole for "+roleARN+" at sts.cn-shanghai.aliyuncs.com failed") {
			t.Errorf("diagnostics %v", diags)
		}
	})
	t.Run("a variable with a scheme", func(t *testing.T) {
		env := e.env.with("ALIBABA_CLOUD_ENDPOINT_STS", "http://"+e.host)
		diags := configureDirectly(t, env, e.url, "", keys, role)
		if !diags.HasError() || diags[0].Summary() != "Invalid STS endpoint" {
			t.Errorf("diagnostics %v", diags)
		}
	})
}

type credentialsAssumeRole struct{ roleARN, externalID string }

// configureDirectly runs the provider's Configure, reading env, with the given top-level arguments, the
// emulator's endpoints (no endpoints.sts when sts is "") and an assume_role block, and returns its
// diagnostics whole.
func configureDirectly(t *testing.T, env testEnv, dbs, sts string, args map[string]tftypes.Value, ar *credentialsAssumeRole) diag.Diagnostics {
	t.Helper()
	set := map[string]tftypes.Value{"endpoints.dbs": tftypes.NewValue(tftypes.String, dbs)}
	maps.Copy(set, args)
	if sts != "" {
		set["endpoints.sts"] = tftypes.NewValue(tftypes.String, sts)
	}
	if ar != nil {
		set["assume_role.role_arn"] = tftypes.NewValue(tftypes.String, ar.roleARN)
		if ar.externalID != "" {
			set["assume_role.external_id"] = tftypes.NewValue(tftypes.String, ar.externalID)
		}
	}
	return configureWith(t, env, func(tftypes.Object) map[string]tftypes.Value { return set })
}

// expectErrorWithout applies config through Terraform, the provider reading env, and checks the error it
// fails with: it matches pattern (see wrappedPattern) and holds none of absent. ExpectError cannot say
// what an error must not hold, so the TestCase's ErrorCheck reads it instead, and a step that does not
// fail fails the test in its Check.
func expectErrorWithout(t *testing.T, env testEnv, config, pattern string, absent ...string) {
	t.Helper()
	re := wrappedPattern(pattern)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.providers(),
		ErrorCheck: func(err error) error {
			text := err.Error()
			var problems []string
			if !re.MatchString(text) {
				problems = append(problems, fmt.Sprintf("no match for %q", pattern))
			}
			for _, a := range absent {
				if a != "" && strings.Contains(text, a) {
					problems = append(problems, fmt.Sprintf("it holds %q", a))
				}
			}
			if len(problems) > 0 {
				return fmt.Errorf("%s in the error:\n%s", strings.Join(problems, "; "), text)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				return fmt.Errorf("the configuration applied; want an error matching %q", pattern)
			},
		}},
	})
}

// redirectServer answers every request with a 307 to a second server that counts what reaches it: a
// client following it would hand a signed STS request, an OIDC token, a credentials URI's token or a
// metadata token to a host nobody configured.
type redirectServer struct {
	url, host  string
	targetHost string
	location   string
	followed   atomic.Int32
}

// redirectSecret is in the Location's path and query: an error may name its host, never the rest.
const redirectSecret = "location-token-DO-NOT-LEAK"

func startRedirectServer(t *testing.T) *redirectServer {
	t.Helper()
	rd := &redirectServer{}
	serve := func(h http.HandlerFunc) *httptest.Server {
		s := httptest.NewUnstartedServer(h)
		s.Config.ErrorLog = log.New(io.Discard, "", 0)
		s.TLS = &tls.Config{Certificates: []tls.Certificate{credentialsCert.TLS}, MinVersion: tls.VersionTLS12}
		s.StartTLS()
		t.Cleanup(s.Close)
		return s
	}
	target := serve(func(w http.ResponseWriter, _ *http.Request) {
		rd.followed.Add(1)
		_, _ = io.WriteString(w, `{"Code":"Success","AccessKeyId":"STS.followed","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2999-01-01T00:00:00Z"}`)
	})
	rd.targetHost = strings.TrimPrefix(target.URL, "https://")
	rd.location = target.URL + "/" + redirectSecret + "?token=" + redirectSecret
	from := serve(rd.ServeHTTP)
	rd.url, rd.host = from.URL, strings.TrimPrefix(from.URL, "https://")
	return rd
}

func (rd *redirectServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Location", rd.location)
	w.WriteHeader(http.StatusTemporaryRedirect)
}

// TestCredentials_redirectsRefused: STS (AssumeRole, AssumeRoleWithOIDC), a credentials URI, the ECS
// metadata service and a CloudSSO portal answering 307 fail the plan with the status and the Location's
// host, and nothing reaches the host the redirect names. (OAuth's service is fixed per site; its
// redirects are refused in the credentials package's tests.)
func TestCredentials_redirectsRefused(t *testing.T) {
	t.Parallel()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(oidcToken), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, service string
		args          func(rd *redirectServer) string
		metadata      bool
	}{
		{"STS AssumeRole", "STS AssumeRole for " + roleARN, func(*redirectServer) string {
			return fmt.Sprintf("access_key = %q\nsecret_key = %q\nassume_role {\n  role_arn = %q\n}", baseKey, baseSecret, roleARN)
		}, false},
		{"STS AssumeRoleWithOIDC", "STS AssumeRoleWithOIDC for " + roleARN, func(*redirectServer) string {
			return fmt.Sprintf("assume_role_with_oidc {\n  oidc_provider_arn = %q\n  oidc_token_file = %q\n  role_arn = %q\n}", oidcARN, tokenFile, roleARN)
		}, false},
		{"credentials URI", "the credentials URI https://", func(rd *redirectServer) string {
			return fmt.Sprintf("credentials_uri = %q", rd.url+"/credentials?token=uri-token-DO-NOT-LEAK")
		}, false},
		{"ECS metadata", "at the ECS metadata service", func(*redirectServer) string { return `ecs_role_name = "EcsDbsReader"` }, true},
		{"CloudSSO profile", "CloudSSO at https://", func(rd *redirectServer) string {
			cfg := filepath.Join(t.TempDir(), "config.json")
			profiles := fmt.Sprintf(`{"current": "sso", "profiles": [{"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": %q,
  "cloud_sso_account_id": "5123", "cloud_sso_access_config": "ac-dbs-reader", "access_token": "sso-token-DO-NOT-LEAK",
  "cloud_sso_access_token_expire": %d}]}`, rd.url+"/login", time.Now().Add(time.Hour).Unix())
			if err := os.WriteFile(cfg, []byte(profiles), 0o600); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("profile = \"sso\"\nshared_credentials_file = %q", cfg)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startCredentialsEmulator(t)
			rd := startRedirectServer(t)
			if tc.metadata {
				useMetadataService(t, rd)
			}
			config := fmt.Sprintf(`
provider "alicloud" {
  endpoints {
    dbs = %q
    sts = %q
  }
%s
}
`, e.url, rd.host, tc.args(rd)) + listingData
			expectErrorWithout(t, e.env, config, regexp.QuoteMeta(tc.service)+`.*HTTP 307 Temporary Redirect, a redirect to `+regexp.QuoteMeta(rd.targetHost)+`, which is not followed`,
				redirectSecret, "uri-token-DO-NOT-LEAK", oidcToken, baseSecret, "sso-token-DO-NOT-LEAK")
			if n := rd.followed.Load(); n != 0 {
				t.Errorf("the redirect was followed: %d requests reached %s", n, rd.targetHost)
			}
			if n := e.Stats().ByAction["DescribeRestoreTaskList"]; n != 0 {
				t.Errorf("DBS was called %d times although credentials failed", n)
			}
		})
	}
}

// TestCredentials_credentialsFile: the default chain's credentials file (~/.alibabacloud/credentials, or
// ALIBABA_CLOUD_CREDENTIALS_FILE) signs with its keys, and its ram_role_arn profile assumes the role at
// endpoints.sts like every other role the provider assumes.
func TestCredentials_credentialsFile(t *testing.T) {
	t.Parallel()
	t.Run("access_key, in the home directory", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		writeFile(t, filepath.Join(e.env["HOME"], ".alibabacloud", "credentials"),
			fmt.Sprintf("[default]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n", baseKey, baseSecret))
		n := e.readListing(t, "")
		e.expectSigned(t, n, staticKey(baseKey, false))
	})
	t.Run("ram_role_arn, at endpoints.sts", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		file := filepath.Join(t.TempDir(), "credentials.ini")
		writeFile(t, file, fmt.Sprintf("[default]\ntype = ram_role_arn\naccess_key_id = %s\naccess_key_secret = %s\nrole_arn = %s\nrole_session_name = from-ini\n",
			baseKey, baseSecret, roleARN))
		e.env["ALIBABA_CLOUD_CREDENTIALS_FILE"] = file
		n := e.readListing(t, "")
		e.expectSigned(t, n, byAssumeRole)
		if i := e.Issued()[0]; i.SessionName != "from-ini" || i.CallerKey != baseKey {
			t.Errorf("issued %+v", i)
		}
	})
	t.Run("ecs_ram_role", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.serveMetadata(t)
		writeFile(t, filepath.Join(e.env["HOME"], ".alibabacloud", "credentials"), "[default]\ntype = ecs_ram_role\nrole_name = EcsDbsReader\n")
		n := e.readListing(t, "")
		e.expectSigned(t, n, byInstance)
	})
}

// TestCredentials_userAgent: configuration_source is in the User-Agent of every request the provider
// makes, to STS, a credentials URI, the ECS metadata service and the aliyun CLI's sign-in services
// (CloudSSO, OAuth) as to DBS.
func TestCredentials_userAgent(t *testing.T) {
	t.Parallel()
	profile := func(name string) func(*credentialsEmulator) string {
		return func(e *credentialsEmulator) string {
			return fmt.Sprintf("profile = %q\nshared_credentials_file = %q", name, writeProfiles(t, e, filepath.Join(t.TempDir(), "config.json")))
		}
	}
	for name, tc := range map[string]struct {
		args  func(*credentialsEmulator) string
		asked []string // the emulator's actions the credentials must have caused
	}{
		"STS": {func(*credentialsEmulator) string {
			return fmt.Sprintf("access_key = %q\nsecret_key = %q\nassume_role {\n  role_arn = %q\n}", baseKey, baseSecret, roleARN)
		}, []string{"AssumeRole"}},
		"credentials URI": {func(e *credentialsEmulator) string {
			return fmt.Sprintf("credentials_uri = \"%s/credentials-uri/ci\"", e.url)
		},
			[]string{emulator.ActionCredentialsURI}},
		"ECS metadata": {func(*credentialsEmulator) string { return `ecs_role_name = "EcsDbsReader"` },
			[]string{emulator.ActionMetadataToken, emulator.ActionMetadataCredentials}},
		"CloudSSO": {profile("sso"), []string{emulator.ActionCloudSSO}},
		// The OAuth profile's access token has expired: the token service and the exchange are both asked.
		"OAuth": {profile("oauth"), []string{emulator.ActionOAuthToken, emulator.ActionOAuthExchange}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := startCredentialsEmulator(t)
			if slices.Contains(tc.asked, emulator.ActionMetadataCredentials) {
				e.serveMetadata(t)
			}
			e.readListing(t, tc.args(e)+"\nconfiguration_source = \"example/infra//dbs\"")
			actions := map[string]int{}
			for _, r := range e.Requests() {
				actions[r.Action]++
				if !strings.HasPrefix(r.UserAgent, "terraform-provider-alicloud/test") || !strings.HasSuffix(r.UserAgent, " configuration_source/example/infra//dbs") {
					t.Errorf("request %d (%s) has User-Agent %q", r.Seq, r.Action, r.UserAgent)
				}
			}
			for _, a := range append(tc.asked, "DescribeRestoreTaskList") {
				if actions[a] == 0 {
					t.Errorf("the emulator saw no %s, only %v", a, actions)
				}
			}
		})
	}
}

// TestCredentials_credentialsURIValue: a credentials_uri that is not an http(s) URL is refused at plan
// time, on the argument, without quoting it (it may carry a token); its scheme is read in any case.
func TestCredentials_credentialsURIValue(t *testing.T) {
	t.Parallel()
	t.Run("refused, not quoted", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		// From a sensitive variable, as users pass it: Terraform then shows no value of its own either.
		expectErrorWithout(t, e.env, `
variable "uri" {
  type      = string
  sensitive = true
  default   = "ftp://ci:uri-token-DO-NOT-LEAK@example.com/c"
}
`+e.config("credentials_uri = var.uri"), `Invalid credentials URI.*credentials_uri.*not an http:// or https:// URL`, "uri-token-DO-NOT-LEAK")
		if n := len(e.Requests()); n != 0 {
			t.Errorf("%d requests reached the emulator", n)
		}
	})
	t.Run("HTTPS in capitals", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		n := e.readListing(t, fmt.Sprintf("credentials_uri = %q", "HTTPS://"+e.host+emulator.CredentialsURIPath+"ci"))
		e.expectSigned(t, n, byCredentialsURI)
	})
}

// TestCredentials_sameWordsForTheSameProblem: a malformed STS endpoint is reported in the same words,
// on endpoints.sts, whether the block or ALIBABA_CLOUD_ENDPOINT_STS set it.
func TestCredentials_sameWordsForTheSameProblem(t *testing.T) {
	t.Parallel()
	e := startCredentialsEmulator(t)
	block := func(sts string) string {
		return fmt.Sprintf("provider \"alicloud\" {\n  access_key = %q\n  secret_key = %q\n  endpoints {\n    dbs = %q\n%s  }\n}\n", baseKey, baseSecret, e.url, sts) + listingData
	}
	want := `Invalid STS endpoint.*%s = "https://sts.example" is not of the form host\[:port\]; it must be host\[:port\], without a scheme`
	t.Run("block", func(t *testing.T) {
		expectErrorWithout(t, e.env, block("    sts = \"https://sts.example\"\n"), fmt.Sprintf(want, `endpoints.sts`))
	})
	t.Run("environment", func(t *testing.T) {
		expectErrorWithout(t, e.env.with("ALIBABA_CLOUD_ENDPOINT_STS", "https://sts.example"), block(""), fmt.Sprintf(want, "ALIBABA_CLOUD_ENDPOINT_STS"))
	})
}

// TestCredentials_temporaryKeyWithoutToken: a temporary (STS.) key without its token draws a warning
// when the provider is configured, and DBS's InvalidSecurityToken.Missing says to set the token where
// the key is set, not that a token "was refused". terraform-plugin-testing shows no warnings, so the plan
// runs through the CLI, whose output tells a warning from an error.
func TestCredentials_temporaryKeyWithoutToken(t *testing.T) {
	t.Parallel()
	const key, secret = "STS.caller-key", "caller-secret-DO-NOT-LEAK"
	tf := sharedCLI(t)
	plan := func(t *testing.T, e *credentialsEmulator, args string) string {
		t.Helper()
		dir := t.TempDir()
		writeMainTF(t, dir, e.config(args))
		out := tf.withEnv(e.env).run(t, dir, 1, "plan", "-input=false", "-no-color")
		if strings.Contains(out, secret) || strings.Contains(out, "was refused") {
			t.Errorf("the output holds the secret or says the token was refused:\n%s", out)
		}
		return out
	}
	expect := func(t *testing.T, out, origin string) {
		t.Helper()
		for _, want := range []string{
			`Warning: Temporary access key without a security token ` + `.*The access key from ` + regexp.QuoteMeta(origin) + ` starts with "STS\."`,
			`Error: Unable to read DBS restore tasks .*InvalidSecurityToken\.Missing.*needs the security token it was issued with, which was not sent: ` +
				`set the token where the key is set, the credentials from ` + regexp.QuoteMeta(origin) + ` \(security_token in the provider block`,
		} {
			if !wrappedPattern(want).MatchString(out) {
				t.Errorf("the plan's output does not match %s:\n%s", want, out)
			}
		}
	}
	t.Run("block", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.AddKey(key, emulator.Key{Secret: secret, SecurityToken: "caller-token"})
		expect(t, plan(t, e, fmt.Sprintf("access_key = %q\nsecret_key = %q", key, secret)), "the provider block (access_key, secret_key, security_token)")
	})
	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.AddKey(key, emulator.Key{Secret: secret, SecurityToken: "caller-token"})
		e.env["ALICLOUD_ACCESS_KEY"] = key
		e.env["ALICLOUD_SECRET_KEY"] = secret
		expect(t, plan(t, e, ""), "the environment (ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN)")
	})
	t.Run("a warning, on security_token, and nothing else", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		diags := configureDirectly(t, e.env, e.url, e.host, map[string]tftypes.Value{
			"access_key": tftypes.NewValue(tftypes.String, key),
			"secret_key": tftypes.NewValue(tftypes.String, secret),
		}, nil)
		if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning || diags[0].Summary() != "Temporary access key without a security token" {
			t.Fatalf("diagnostics %v, want one warning", diags)
		}
		if d, ok := diags[0].(diag.DiagnosticWithPath); !ok || !d.Path().Equal(path.Root("security_token")) {
			t.Errorf("the warning is not on security_token: %v", diags[0])
		}
		// A key with its token draws no warning.
		diags = configureDirectly(t, e.env, e.url, e.host, map[string]tftypes.Value{
			"access_key":     tftypes.NewValue(tftypes.String, key),
			"secret_key":     tftypes.NewValue(tftypes.String, secret),
			"security_token": tftypes.NewValue(tftypes.String, "caller-token"),
		}, nil)
		if len(diags) != 0 {
			t.Errorf("diagnostics %v for a key with its token", diags)
		}
	})
}

// TestCredentials_errorsNameTheOrigin: when DBS refuses the key or its secret, the error says where the
// credentials came from (the environment's variables, a profile and its file), never an argument the
// provider block does not have.
func TestCredentials_errorsNameTheOrigin(t *testing.T) {
	t.Parallel()
	t.Run("ALICLOUD_SECRET_KEY", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.env["ALICLOUD_ACCESS_KEY"] = baseKey
		e.env["ALICLOUD_SECRET_KEY"] = "wrong-secret-DO-NOT-LEAK"
		expectErrorWithout(t, e.env, e.config(""), `SignatureDoesNotMatch.*check the secret of the credentials from the environment \(ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN\)`,
			"wrong-secret-DO-NOT-LEAK", "(secret_key)", "check secret_key")
	})
	t.Run("ALIBABA_CLOUD_ACCESS_KEY_ID", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAI-unknown"
		e.env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "some-secret"
		expectErrorWithout(t, e.env, e.config(""), `InvalidAccessKeyId\.NotFound.*check the access key of the credentials from the environment \(ALIBABA_CLOUD_ACCESS_KEY_ID,`,
			"(access_key)", "check access_key")
	})
	t.Run("ALICLOUD_ASSUME_ROLE_ARN", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		e.env["ALICLOUD_ASSUME_ROLE_ARN"] = "acs:ram::1234567890123456:role/missing"
		expectErrorWithout(t, e.env, e.config(fmt.Sprintf("access_key = %q\nsecret_key = %q", baseKey, baseSecret)),
			`role acs:ram::1234567890123456:role/missing \(ALICLOUD_ASSUME_ROLE_ARN\) assumed with the provider block.*refused: EntityNotExist\.Role`)
	})
	t.Run("a profile", func(t *testing.T) {
		t.Parallel()
		e := startCredentialsEmulator(t)
		cfg := filepath.Join(t.TempDir(), "config.json")
		if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`{"profiles": [{"name": "ci", "mode": "AK", "access_key_id": %q, "access_key_secret": "wrong-secret-DO-NOT-LEAK"}]}`, baseKey)), 0o600); err != nil {
			t.Fatal(err)
		}
		expectErrorWithout(t, e.env, e.config(fmt.Sprintf("profile = \"ci\"\nshared_credentials_file = %q", cfg)),
			`SignatureDoesNotMatch.*check the secret of the credentials from profile "ci" \(AK\) of `+regexp.QuoteMeta(cfg), "wrong-secret-DO-NOT-LEAK")
	})
}
