package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:0":    true,
		"127.0.0.2:8080": true,
		"[::1]:0":        true,
		"localhost:0":    true,
		":0":             false,
		"0.0.0.0:0":      false,
		"[::]:0":         false,
		"10.1.2.3:80":    false,
		"example.com:80": false,
		"127.0.0.1":      false,
	} {
		if err := checkLoopback(addr, false); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v", addr, err)
		}
	}
	if err := checkLoopback("0.0.0.0:0", true); err != nil {
		t.Errorf("allowed: %v", err)
	}
}

// Every fault the emulator can serve has a flag, and every fault flag sets a fault that exists: a fault
// added to emulator.Faults fails here until it is given a flag.
func TestFaultFlagsCoverEveryFault(t *testing.T) {
	var f emulator.Faults
	picks := f.PicksByName()
	seen := map[string]bool{}
	for _, ff := range faultFlags {
		if picks[ff.field] == nil {
			t.Errorf("the flag -%s names %s, which is not a Pick of emulator.Faults", ff.name, ff.field)
		}
		if seen[ff.field] {
			t.Errorf("%s has two flags", ff.field)
		}
		seen[ff.field] = true
	}
	for name := range picks {
		if !seen[name] {
			t.Errorf("emulator.Faults.%s has no flag in faultFlags", name)
		}
	}
	for option, fault := range faultOptions {
		if !slices.ContainsFunc(faultFlags, func(ff struct{ field, name, usage string }) bool { return ff.name == fault }) {
			t.Errorf("-%s shapes -%s, which is no fault flag", option, fault)
		}
	}
}

func TestParsePick(t *testing.T) {
	for in, want := range map[string]emulator.Pick{
		"all":                 emulator.Always,
		"every=3":             {Every: 3},
		"first=2":             {First: 2},
		"fraction=0.25":       {Fraction: 0.25},
		"fraction=1,seed=-7":  {Fraction: 1, Seed: -7},
		"every=5,first=1":     {Every: 5, First: 1},
		"seed=9,fraction=0.5": {Fraction: 0.5, Seed: 9},
	} {
		got, err := parsePick(in)
		if err != nil || got != want {
			t.Errorf("parsePick(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		// String gives back what Set takes.
		if again, err := parsePick(pickFlag{&got}.String()); err != nil || again != got {
			t.Errorf("parsePick(String(%+v)) = %+v, %v", got, again, err)
		}
	}
	for in, msg := range map[string]string{
		"":                `"" is not all`,
		"3":               `"3" is not all`,
		"every=0":         "every=0: want a whole number of at least 1",
		"first=-1":        "first=-1: want a whole number",
		"every=x":         "every=x: want a whole number",
		"fraction=0":      "fraction=0: want a number above 0 and at most 1",
		"fraction=1.5":    "fraction=1.5",
		"fraction=NaN":    "fraction=NaN",
		"every=2,every=3": "every is given twice",
		"sometimes=1":     `"sometimes=1" is not all`,
		"first=1,seed=3":  "seed= only repeats the draw of fraction=",
		"all,first=1":     `"all" is not all`, // all stands alone
	} {
		if _, err := parsePick(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("parsePick(%q) = %v, want an error containing %q", in, err, msg)
		}
	}
}

func TestRoleFlag(t *testing.T) {
	const arn = "acs:ram::1234567890123456:role/dbs-reader"
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("eyJ.token.sig\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var roles roleList
	if err := roles.Set(arn); err != nil {
		t.Fatal(err)
	}
	second := "acs:ram::1234567890123456:role/second,external-id=ext-1,max-session-duration=12h,key-lifetime=5m," +
		"oidc-provider=acs:ram::1234567890123456:oidc-provider/ci,oidc-token-file=" + tokenFile
	if err := roles.Set(second); err != nil {
		t.Fatal(err)
	}
	want := roleList{
		{arn: arn},
		{arn: "acs:ram::1234567890123456:role/second", role: emulator.Role{
			ExternalID: "ext-1", MaxSessionDuration: 12 * time.Hour, Lifetime: 5 * time.Minute,
			OIDCProviderArn: "acs:ram::1234567890123456:oidc-provider/ci", OIDCToken: "eyJ.token.sig",
		}},
	}
	if !slices.Equal(roles, want) {
		t.Errorf("roles %+v, want %+v", roles, want)
	}

	for in, msg := range map[string]string{
		"acs:ram::123:user/x":           "is not a role ARN",
		"dbs-reader":                    "is not a role ARN",
		arn:                             "given twice",
		"acs:ram::1:role/a,external-id": "is not option=value",
		"acs:ram::1:role/a,color=red":   `unknown role option "color"`,
		"acs:ram::1:role/a,max-session-duration=30m":                      "1h to 12h",
		"acs:ram::1:role/a,key-lifetime=-1s":                              "positive duration",
		"acs:ram::1:role/a,oidc-provider=acs:ram::1:oidc-provider/x":      "go together",
		"acs:ram::1:role/a,oidc-token-file=" + tokenFile:                  "go together",
		"acs:ram::1:role/a,oidc-provider=p,oidc-token-file=/no/such/file": "oidc-token-file",
		"acs:ram::1:role/a,external-id=x,external-id=y":                   "given twice",
	} {
		if err := roles.Set(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("-role %s: %v, want an error containing %q", in, err, msg)
		}
	}
}

// Command lines that cannot mean what they say are refused before anything is served, with a message
// that names the flag.
func TestParseFlagsRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-addr", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"-throttle-code", "Throttling.Api"}, "-throttle-code shapes the -throttle fault, which is not set"},
		{[]string{"-wrong-type-value", "1"}, "-wrong-type-value shapes the -wrong-type fault"},
		{[]string{"-throttle", "all", "-throttle-code", "Throttled"}, "want one of Throttling, Throttling.User, Throttling.Api"},
		{[]string{"-throttle", "all", "-throttle-status", "200"}, "-throttle-status 200"},
		{[]string{"-dbs-error", "all", "-dbs-error-status", "99"}, "-dbs-error-status 99"},
		{[]string{"-server-error", "all", "-server-error-code", "BadGateway"}, "want one of ServiceUnavailable, InternalError"},
		{[]string{"-wrong-type", "all", "-wrong-type-value", "not json"}, "not a JSON value"},
		{[]string{"-shift-list", "every=0"}, "every=0"},
		{[]string{"-credentials-uri", "a/b"}, "one URL path segment"},
		{[]string{"-tasks", "-1"}, "cannot be negative"},
		{[]string{"serve"}, "unexpected arguments"},
	} {
		var stderr bytes.Buffer
		c, err := parseFlags(tc.args, &stderr)
		if !errors.Is(err, errUsage) || c != nil || !strings.Contains(stderr.String(), tc.msg) {
			t.Errorf("%q: %v, stderr %q; want errUsage and %q", tc.args, err, stderr.String(), tc.msg)
		}
		if strings.Contains(stderr.String(), "Faults:") {
			t.Errorf("%q: an error printed the whole usage:\n%s", tc.args, stderr.String())
		}
	}
}

// -h lists every flag once, under its group, with its description.
func TestUsage(t *testing.T) {
	var stderr bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	out := stderr.String()
	groups := []string{"\nServing:\n", "\nRestore jobs:\n", "\nCredentials:\n", "\nFaults:\n"}
	at := 0
	for _, g := range groups {
		i := strings.Index(out, g)
		if i < at {
			t.Fatalf("group %q missing or out of order in:\n%s", g, out)
		}
		at = i
	}
	listed := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(out, -1) {
		listed[m[1]]++
	}
	defineFlags(&config{}).fs.VisitAll(func(f *flag.Flag) {
		if listed[f.Name] != 1 {
			t.Errorf("-%s is listed %d times", f.Name, listed[f.Name])
		}
		delete(listed, f.Name)
	})
	if len(listed) > 0 {
		t.Errorf("listed but not defined: %v", listed)
	}
	if faults := out[strings.Index(out, "\nFaults:\n"):]; !strings.Contains(faults, "  -throttle requests\n") {
		t.Errorf("-throttle is not under Faults:\n%s", faults)
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 110 {
			t.Errorf("line longer than 110 characters: %q", line)
		}
	}
}

// lockedBuffer is the stderr of a running command, written by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startCommand runs the command with args and returns the URL it printed first, its stderr, and stop,
// which ends it and returns what run returned. The test's end stops it too, failing on an error.
func startCommand(t *testing.T, args ...string) (string, *lockedBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, stderr)
		pw.CloseWithError(fmt.Errorf("the command ended: %w", err))
		done <- err
	}()
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("the command ended with %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL: %v; stderr:\n%s", err, stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return strings.TrimSpace(line), stderr, stop
}

// sdkClient is darabonba-openapi, the client the official SDKs are built on, pointed at the command's URL.
// ca is the PEM the client trusts for HTTPS.
func sdkClient(t *testing.T, base, ak, secret, token, ca string) *openapi.Client {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &openapi.Config{Endpoint: dara.String(u.Host), Protocol: dara.String(u.Scheme)}
	if ak != "" {
		cfg.AccessKeyId, cfg.AccessKeySecret = dara.String(ak), dara.String(secret)
	}
	if token != "" {
		cfg.SecurityToken = dara.String(token)
	}
	if ca != "" {
		cfg.Ca = dara.String(ca)
	}
	c, err := openapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// call sends an RPC-style action as the generated SDKs do and returns the body, or the SDK's error.
func call(c *openapi.Client, action, version string, anonymous bool, query map[string]string) (map[string]any, error) {
	params := &openapi.Params{
		Action: dara.String(action), Version: dara.String(version), Protocol: dara.String("HTTPS"), Pathname: dara.String("/"),
		Method: dara.String("POST"), AuthType: dara.String("AK"), Style: dara.String("RPC"),
		ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
	if anonymous {
		params.AuthType = dara.String("Anonymous")
	}
	q := map[string]*string{}
	for k, v := range query {
		q[k] = dara.String(v)
	}
	out, err := c.CallApi(params, &openapi.OpenApiRequest{Query: q}, &dara.RuntimeOptions{})
	if err != nil {
		return nil, err
	}
	body, _ := out["body"].(map[string]any)
	return body, nil
}

func restoreTaskIDs(body map[string]any) []string {
	items, _ := body["Items"].(map[string]any)
	list, _ := items["RestoreTaskDetail"].([]any)
	var ids []string
	for _, it := range list {
		id, _ := it.(map[string]any)["RestoreTaskId"].(string)
		ids = append(ids, id)
	}
	return ids
}

// sdkError is the Code, HTTP status and body of an SDK error. The SDK reads the gateway's Code, not DBS's
// ErrCode, which is in the body.
func sdkError(err error) (string, int, string) {
	var e *tea.SDKError
	if errors.As(err, &e) {
		return dara.StringValue(e.Code), dara.IntValue(e.StatusCode), dara.StringValue(e.Data)
	}
	return fmt.Sprint(err), 0, ""
}

// The data file is served as written, and the fault flags hit the requests they name: -throttle first=1
// refuses request 1, -dbs-error every=3 answers request 3 (then 6, ...) with its code and status.
func TestServe_dataAndFaults(t *testing.T) {
	data := filepath.Join(t.TempDir(), "jobs.json")
	jobs := `[
  {"RestoreTaskId": "r-ok", "RestoreStatus": "finished", "BackupPlanId": "dbs-plan-1"},
  {"RestoreTaskId": "r-failed", "RestoreStatus": "stop", "BackupPlanId": "dbs-plan-1", "ErrMessage": "disk full"},
  {"RestoreTaskId": "r-other", "RestoreStatus": "running", "BackupPlanId": "dbs-plan-2"}
]`
	if err := os.WriteFile(data, []byte(jobs), 0o600); err != nil {
		t.Fatal(err)
	}
	base, stderr, _ := startCommand(t, "-data", data, "-access-key", "ci-key", "-secret-key", "ci-secret", "-v",
		"-throttle", "first=1", "-throttle-retry-after", "2",
		"-dbs-error", "every=3", "-dbs-error-code", "Dbs.Busy", "-dbs-error-message", "try later", "-dbs-error-status", "503")
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("URL %q", base)
	}
	c := sdkClient(t, base, "ci-key", "ci-secret", "", "")
	list := func() (map[string]any, error) {
		return call(c, "DescribeRestoreTaskList", emulator.DBSVersion, false, map[string]string{"BackupPlanId": "dbs-plan-1", "OwnerId": "1234"})
	}

	if _, err := list(); err == nil {
		t.Fatal("request 1 was not throttled")
	} else if code, status, _ := sdkError(err); code != "Throttling.User" || status != 400 {
		t.Errorf("request 1: %s %d, want Throttling.User 400", code, status)
	}
	body, err := list()
	if err != nil {
		t.Fatalf("request 2: %v", err)
	}
	if ids := restoreTaskIDs(body); !slices.Equal(ids, []string{"r-ok", "r-failed"}) || fmt.Sprint(body["TotalElements"]) != "2" {
		t.Errorf("request 2 served %v (TotalElements %v), want the file's two jobs of dbs-plan-1", ids, body["TotalElements"])
	}
	if _, err := list(); err == nil {
		t.Fatal("request 3 did not get the DBS error")
	} else if _, status, data := sdkError(err); status != 503 || !strings.Contains(data, `"ErrCode":"Dbs.Busy"`) ||
		!strings.Contains(data, `"ErrMessage":"try later"`) || !strings.Contains(data, `"Success":false`) {
		t.Errorf("request 3: %d %s, want 503 with ErrCode Dbs.Busy and ErrMessage try later", status, data)
	}
	if log := stderr.String(); !strings.Contains(log, "DescribeRestoreTaskList") || strings.Contains(log, "ci-secret") {
		t.Errorf("-v log:\n%s", log)
	}
}

// Over HTTPS, every credential mode can be tried: the CA file verifies the server, AssumeRole (with the
// role's external id) and AssumeRoleWithOIDC issue keys that DescribeRestoreTaskList accepts, a
// credentials URI serves keys, and the ECS metadata service answers through the emulator as HTTP_PROXY.
func TestServe_tlsAndCredentials(t *testing.T) {
	dir := t.TempDir()
	caFile := filepath.Join(dir, "emulator-ca.pem")
	tokenFile := filepath.Join(dir, "oidc-token")
	if err := os.WriteFile(tokenFile, []byte("eyJ.ci-token.sig"), 0o600); err != nil {
		t.Fatal(err)
	}
	const (
		reader   = "acs:ram::1234567890123456:role/dbs-reader"
		oidcRole = "acs:ram::1234567890123456:role/ci-oidc"
		provider = "acs:ram::1234567890123456:oidc-provider/ci"
	)
	base, _, _ := startCommand(t, "-tls-ca-file", caFile, "-tasks", "12", "-access-key", "base-key", "-secret-key", "base-secret",
		"-role", reader+",external-id=ext-7", "-role", oidcRole+",oidc-provider="+provider+",oidc-token-file="+tokenFile,
		"-instance-role", "EcsDbsReader", "-credentials-uri", "ci")
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("URL %q", base)
	}
	bundle, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(bundle) {
		t.Fatal("the CA file holds no certificate")
	}
	// The emulator's certificate is the file's last.
	var last *pem.Block
	for rest := bundle; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		last = b
	}
	if cert, err := x509.ParseCertificate(last.Bytes); err != nil || !cert.IsCA || cert.Subject.CommonName != "emulator" {
		t.Fatalf("the CA file's last certificate: %v %+v", err, cert)
	}
	ca := string(bundle)

	listWith := func(ak, secret, token string) error {
		body, err := call(sdkClient(t, base, ak, secret, token, ca), "DescribeRestoreTaskList", emulator.DBSVersion, false, map[string]string{"PageSize": "5"})
		if err == nil && len(restoreTaskIDs(body)) != 5 {
			err = fmt.Errorf("page %v", body)
		}
		return err
	}
	if err := listWith("base-key", "base-secret", ""); err != nil {
		t.Fatalf("DescribeRestoreTaskList over HTTPS: %v", err)
	}
	// Without the CA a client refuses the server. (Not asked of darabonba, which keeps one HTTP client per
	// host whatever CA it is given.)
	if res, err := http.Get(base); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client without the CA: %v", err)
		if res != nil {
			res.Body.Close()
		}
	}

	issuedKey := func(body map[string]any) (string, string, string) {
		creds, _ := body["Credentials"].(map[string]any)
		ak, _ := creds["AccessKeyId"].(string)
		secret, _ := creds["AccessKeySecret"].(string)
		token, _ := creds["SecurityToken"].(string)
		return ak, secret, token
	}
	sts := sdkClient(t, base, "base-key", "base-secret", "", ca)
	if _, err := call(sts, "AssumeRole", emulator.STSVersion, false, map[string]string{"RoleArn": reader, "RoleSessionName": "ci"}); err == nil {
		t.Error("AssumeRole without the role's external id was allowed")
	} else if code, status, _ := sdkError(err); code != emulator.CodeNoPermission || status != 403 {
		t.Errorf("AssumeRole without the external id: %s %d", code, status)
	}
	body, err := call(sts, "AssumeRole", emulator.STSVersion, false, map[string]string{"RoleArn": reader, "RoleSessionName": "ci", "ExternalId": "ext-7"})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	if err := listWith(issuedKey(body)); err != nil {
		t.Errorf("DescribeRestoreTaskList with the assumed role's key: %v", err)
	}
	body, err = call(sdkClient(t, base, "", "", "", ca), "AssumeRoleWithOIDC", emulator.STSVersion, true, map[string]string{
		"RoleArn": oidcRole, "OIDCProviderArn": provider, "OIDCToken": "eyJ.ci-token.sig", "RoleSessionName": "ci",
	})
	if err != nil {
		t.Fatalf("AssumeRoleWithOIDC: %v", err)
	}
	if err := listWith(issuedKey(body)); err != nil {
		t.Errorf("DescribeRestoreTaskList with the OIDC role's key: %v", err)
	}

	tlsConfig := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	direct := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig}}
	var uriCreds struct{ Code, AccessKeyId, AccessKeySecret, SecurityToken string }
	getJSON(t, direct, http.MethodGet, base+"/credentials-uri/ci", "", nil, 200, &uriCreds)
	if uriCreds.Code != "Success" {
		t.Errorf("credentials URI: %+v", uriCreds)
	}
	if err := listWith(uriCreds.AccessKeyId, uriCreds.AccessKeySecret, uriCreds.SecurityToken); err != nil {
		t.Errorf("DescribeRestoreTaskList with the credentials URI's key: %v", err)
	}

	// The metadata service, through the emulator as the proxy, as HTTP_PROXY=<URL> makes clients do.
	proxyURL, _ := url.Parse(base)
	viaProxy := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL), TLSClientConfig: tlsConfig}}
	token := getText(t, viaProxy, http.MethodPut, "http://"+emulator.MetadataHost+"/latest/api/token", "",
		http.Header{emulator.MetadataTokenTTLHeader: {"60"}}, 200)
	withToken := http.Header{emulator.MetadataTokenHeader: {token}}
	if role := getText(t, viaProxy, http.MethodGet, "http://"+emulator.MetadataHost+"/latest/meta-data/ram/security-credentials/", "", withToken, 200); role != "EcsDbsReader" {
		t.Errorf("the instance's role: %q", role)
	}
	var ecs struct{ Code, AccessKeyId, AccessKeySecret, SecurityToken string }
	getJSON(t, viaProxy, http.MethodGet, "http://"+emulator.MetadataHost+"/latest/meta-data/ram/security-credentials/EcsDbsReader", "", withToken, 200, &ecs)
	if err := listWith(ecs.AccessKeyId, ecs.AccessKeySecret, ecs.SecurityToken); err != nil {
		t.Errorf("DescribeRestoreTaskList with the instance role's key: %v", err)
	}
	// Nothing else goes through that proxy.
	getText(t, viaProxy, http.MethodGet, "http://example.com/", "", nil, http.StatusBadGateway)
}

// getText sends body (none when "") with the headers h and returns the answer's body, failing the test
// unless the answer has the status given.
func getText(t *testing.T, c *http.Client, method, url, body string, h http.Header, status int) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(req.Header, h)
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d %s, want %d", method, url, res.StatusCode, answer, status)
	}
	return string(answer)
}

// getJSON is getText decoding the answer into v.
func getJSON(t *testing.T, c *http.Client, method, url, body string, h http.Header, status int, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(getText(t, c, method, url, body, h, status)), v); err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
}

// `go install github.com/seed-00b4a2d9/terraform-provider-alicloud/cmd/dbs-emulator@vX.Y.Z`, which the
// README and the guide tell users to run, refuses a module whose go.mod has a replace or exclude
// directive, and needs the module path the command is installed by.
func TestInstallableWithGoInstall(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if lines[0] != "module github.com/seed-00b4a2d9/terraform-provider-alicloud" {
		t.Errorf("go.mod names the module %q", lines[0])
	}
	for i, line := range lines {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == "replace" || f[0] == "exclude") {
			t.Errorf("go.mod:%d: a %s directive makes `go install …/cmd/dbs-emulator@version` fail", i+1, f[0])
		}
	}
}

func TestCloudSSOTokenFlag(t *testing.T) {
	var l cloudSSOList
	for _, v := range []string{
		"sso-token,account=5123,access-configuration=ac-reader",
		"sso-token,access-configuration=ac-admin,account=5123",
		"other-token,account=6000,access-configuration=ac-reader,key-lifetime=10m",
	} {
		if err := l.Set(v); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
	}
	want := cloudSSOList{
		{token: "sso-token", access: []emulator.CloudSSOAccess{{AccountID: "5123", AccessConfigurationID: "ac-reader"}, {AccountID: "5123", AccessConfigurationID: "ac-admin"}}},
		{token: "other-token", lifetime: 10 * time.Minute, access: []emulator.CloudSSOAccess{{AccountID: "6000", AccessConfigurationID: "ac-reader"}}},
	}
	if fmt.Sprint(l) != fmt.Sprint(want) {
		t.Errorf("tokens %+v, want %+v", l, want)
	}
	for in, msg := range map[string]string{
		"":                                  "starting with the access token",
		"account=1,access-configuration=ac": "starting with the access token",
		"tok,account=1":                     "both needed",
		"tok,access-configuration=ac":       "both needed",
		"tok,account=1,access-configuration=ac,region=cn":               `unknown option "region"`,
		"tok,account=1,account=2,access-configuration=ac":               "given twice",
		"tok,account=1,access-configuration=ac,key-lifetime=0s":         "positive duration",
		"other-token,account=1,access-configuration=ac,key-lifetime=1h": "different key-lifetimes",
	} {
		if err := l.Set(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("-cloud-sso-token %q: %v, want an error containing %q", in, err, msg)
		}
	}
	if l.String() != "" {
		t.Errorf("String() = %q shows a token", l.String())
	}
}

// The CloudSSO portal, as credentials-go's CloudSSO provider calls it, gives keys for the access the
// flag granted, which DescribeRestoreTaskList then accepts, and refuses any other access.
func TestServe_cloudSSO(t *testing.T) {
	base, _, _ := startCommand(t, "-tasks", "3", "-cloud-sso-token", "sso-token,account=5123,access-configuration=ac-reader")
	signIn := func(token, account, access string, status int) map[string]string {
		t.Helper()
		var answer struct{ CloudCredential map[string]string }
		body := fmt.Sprintf(`{"AccountId":%q,"AccessConfigurationId":%q}`, account, access)
		getJSON(t, http.DefaultClient, http.MethodPost, base+emulator.CloudSSOPath, body,
			http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}, status, &answer)
		return answer.CloudCredential
	}
	creds := signIn("sso-token", "5123", "ac-reader", 200)
	c := sdkClient(t, base, creds["AccessKeyId"], creds["AccessKeySecret"], creds["SecurityToken"], "")
	if body, err := call(c, "DescribeRestoreTaskList", emulator.DBSVersion, false, nil); err != nil || len(restoreTaskIDs(body)) != 3 {
		t.Errorf("DescribeRestoreTaskList with the CloudSSO key: %v %v", err, body)
	}
	signIn("sso-token", "5123", "ac-admin", http.StatusForbidden)
	signIn("another-token", "5123", "ac-reader", http.StatusUnauthorized)
}

// -qps refuses the DBS calls beyond the quota as the gateway does, -plans and -list-plans make and name a
// fleet of backup plans, and the command writes what it served to stderr when it stops.
func TestServe_quotaAndPlans(t *testing.T) {
	var ids bytes.Buffer
	if err := run(context.Background(), []string{"-plans", "3", "-tasks", "2", "-seed", "7", "-list-plans"}, &ids, io.Discard); err != nil {
		t.Fatal(err)
	}
	plans := strings.Fields(ids.String())
	if _, want := emulator.GeneratePlans(3, 2, 7); !slices.Equal(plans, want) {
		t.Fatalf("-list-plans printed %q, want %q", plans, want)
	}

	base, stderr, stop := startCommand(t, "-plans", "3", "-tasks", "2", "-seed", "7", "-qps", "2")
	c := sdkClient(t, base, "demo-access-key", "demo-secret-key", "", "")
	for i, want := range []string{"", "", "Throttling.User"} {
		body, err := call(c, "DescribeRestoreTaskList", emulator.DBSVersion, false, map[string]string{"BackupPlanId": plans[1]})
		switch code, status, _ := sdkError(err); {
		case want == "" && (err != nil || len(restoreTaskIDs(body)) != 2):
			t.Errorf("call %d: %v, %v", i+1, err, body)
		case want != "" && (code != want || status != 400):
			t.Errorf("call %d: %s %d, want %s 400 over a quota of 2", i+1, code, status, want)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var st emulator.Stats
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &st); err != nil || st.Requests != 3 || st.OverQuota != 1 {
		t.Errorf("stats on stderr %q: %+v, %v", stderr.String(), st, err)
	}
}
