package credentials

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// externalCommand writes a shell script that appends a line to a file on every run, prints stdout and
// stderr, and exits with code; it returns the script's path and a counter of its runs.
func externalCommand(t *testing.T, stdout, stderr string, code int) (string, func() int) {
	t.Helper()
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	script := fmt.Sprintf("#!/bin/sh\necho run >> '%s'\ncat <<'EOF'\n%s\nEOF\ncat >&2 <<'EOF'\n%s\nEOF\nexit %d\n", runs, stdout, stderr, code)
	path := filepath.Join(dir, "print credentials.sh") // a space, quoted in process_command
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return path, func() int {
		b, _ := os.ReadFile(runs)
		return strings.Count(string(b), "run")
	}
}

func externalProfile(t *testing.T, command string) string {
	t.Helper()
	return profileFile(t, "ext", fmt.Sprintf(`{"name": "ext", "mode": "External", "process_command": %q, "region_id": "cn-hangzhou"}`, command))
}

// TestResolve_externalProfile: the program's credentials sign, the program runs once per configuration
// without an expiration and again shortly before one, and they are accepted by the emulator.
func TestResolve_externalProfile(t *testing.T) {
	em := startEmulator(t)
	em.AddKey("STS.external", emulator.Key{Secret: "external-secret", SecurityToken: "external-token"})
	for name, tc := range map[string]struct {
		output   string
		wantRuns int // after Resolve and three more uses
		token    bool
	}{
		"StsToken": {`{"mode": "StsToken", "access_key_id": "STS.external", "access_key_secret": "external-secret", "sts_token": "external-token"}`, 1, true},
		"AK":       {`{"mode": "AK", "access_key_id": "` + baseKey + `", "access_key_secret": "` + baseSecret + `"}`, 1, false},
		"no mode":  {`{"access_key_id": "STS.external", "access_key_secret": "external-secret", "sts_token": "external-token"}`, 1, true},
		"expiring": {`{"mode": "StsToken", "access_key_id": "STS.external", "access_key_secret": "external-secret", "sts_token": "external-token", "expiration": "` +
			time.Now().Add(100*time.Second).UTC().Format(time.RFC3339) + `"}`, 5, true},
		"lasting": {`{"mode": "StsToken", "access_key_id": "STS.external", "access_key_secret": "external-secret", "sts_token": "external-token", "expiration": "` +
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`, 1, true},
	} {
		t.Run(name, func(t *testing.T) {
			script, runs := externalCommand(t, tc.output, "", 0)
			cfg := externalProfile(t, `"`+script+`" --profile ci`)
			src, c := resolve(t, Settings{Profile: "ext", SharedCredentialsFile: cfg}, env(t))
			for range 3 {
				if _, err := src.Credentials(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if got := runs(); got != tc.wantRuns {
				t.Errorf("%d runs, want %d", got, tc.wantRuns)
			}
			if (c.SecurityToken != "") != tc.token {
				t.Errorf("token %q", c.SecurityToken)
			}
			if !strings.Contains(src.Origin, `profile "ext" (External)`) {
				t.Errorf("origin %q", src.Origin)
			}
		})
	}
}

// TestResolve_externalProfileErrors: every way a program fails is named, and neither what it printed
// on standard output nor a known secret appears in the error or on the provider's own standard output
// (which Terraform logs).
func TestResolve_externalProfileErrors(t *testing.T) {
	const leaked = "printed-secret-DO-NOT-LEAK"
	for name, tc := range map[string]struct {
		stdout, stderr string
		code           int
		env            []string
		want           string
	}{
		"not JSON":      {"Fetching...\n{\"access_key_id\": \"LTAI-x\", \"access_key_secret\": \"" + leaked + "\"}", "", 0, nil, "printed 91 bytes that are not a JSON object of credentials"},
		"half JSON":     {`{"mode": "AK", "access_key_id": "LTAI-x", "access_key_secret": "` + leaked, "", 0, nil, "not a JSON object of credentials"},
		"no secret":     {`{"mode": "AK", "access_key_id": "LTAI-x"}`, "", 0, nil, "printed AK credentials without access_key_secret"},
		"no token":      {`{"mode": "StsToken", "access_key_id": "LTAI-x", "access_key_secret": "` + leaked + `"}`, "", 0, nil, "printed StsToken credentials without sts_token"},
		"other mode":    {`{"mode": "RamRoleArn", "access_key_id": "LTAI-x", "access_key_secret": "` + leaked + `"}`, "", 0, nil, `credentials of mode "RamRoleArn"; the provider takes mode AK or StsToken`},
		"bad expiry":    {`{"mode": "AK", "access_key_id": "LTAI-x", "access_key_secret": "` + leaked + `", "expiration": "tomorrow"}`, "", 0, nil, `an expiration "tomorrow" that is not an RFC 3339 time`},
		"exit status":   {"", "error: not signed in (secret " + leaked + " refused)", 3, nil, "failed (exit status 3); its standard error: error: not signed in"},
		"disabled":      {`{}`, "", 0, []string{"ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS", "1"}, "ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS=1 forbids"},
		"exit, no text": {"", "", 1, nil, "failed (exit status 1)"},
	} {
		t.Run(name, func(t *testing.T) {
			script, _ := externalCommand(t, tc.stdout, tc.stderr, tc.code)
			cfg := profileFile(t, "ext", fmt.Sprintf(`{"name": "ext", "mode": "External", "process_command": %q, "access_key_secret": %q}`, `"`+script+`"`, leaked))
			var err error
			printed := captureStdout(t, func() {
				err = resolveErr(t, Settings{Profile: "ext", SharedCredentialsFile: cfg}, env(t, tc.env...))
			})
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			mustNotLeak(t, err.Error(), leaked, "LTAI-x")
			if printed != "" {
				t.Errorf("the provider printed %q on its standard output", printed)
			}
		})
	}

	t.Run("no such program", func(t *testing.T) {
		err := resolveErr(t, Settings{Profile: "ext", SharedCredentialsFile: externalProfile(t, "/nonexistent/credential-helper")}, env(t))
		if !strings.Contains(err.Error(), `process_command "/nonexistent/credential-helper" cannot be run`) {
			t.Errorf("error %q", err)
		}
	})
	t.Run("too slow", func(t *testing.T) {
		s, err := newExternalSource("sleep 5", nil)
		if err != nil {
			t.Fatal(err)
		}
		s.timeout = 100 * time.Millisecond
		within(t, 2*time.Second, func() {
			if _, err := s.GetCredentials(); err == nil || !strings.Contains(err.Error(), "did not finish within 100ms") {
				t.Errorf("error %v", err)
			}
		})
	})
	t.Run("unclosed quote", func(t *testing.T) {
		err := resolveErr(t, Settings{Profile: "ext", SharedCredentialsFile: externalProfile(t, `"/bin/helper --x`)}, env(t))
		if !strings.Contains(err.Error(), `process_command: a " quote is not closed`) {
			t.Errorf("error %q", err)
		}
	})
}

// captureStdout returns what f wrote to the process's standard output.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	defer func() { os.Stdout = saved }()
	f()
	w.Close()
	return <-done
}

func TestSplitCommand(t *testing.T) {
	for _, tc := range []struct {
		command string
		windows bool
		want    []string
		err     string
	}{
		{command: "helper --profile ci", want: []string{"helper", "--profile", "ci"}},
		{command: `  "/opt/my tools/helper" 'a b' "" x  `, want: []string{"/opt/my tools/helper", "a b", "", "x"}},
		{command: `helper "say \"hi\" \$HOME \\ \n" 'it''s'`, want: []string{"helper", `say "hi" $HOME \ \n`, "its"}},
		{command: `helper a\ b \'q`, want: []string{"helper", "a b", "'q"}},
		{command: "helper \\\n --flag", want: []string{"helper", "--flag"}},
		{command: `C:\tools\helper.exe "C:\Program Files\x" "q\"d"`, windows: true, want: []string{`C:\tools\helper.exe`, `C:\Program Files\x`, `q"d`}},
		{command: `helper "open`, err: `a " quote is not closed`},
		{command: `helper \`, err: "ends in a backslash"},
		{command: "   ", err: "it is empty"},
		{command: `"" x`, err: "it is empty"},
	} {
		got, err := splitCommand(tc.command, tc.windows)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("splitCommand(%q) error %v, want %q", tc.command, err, tc.err)
		case tc.err == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("splitCommand(%q) = %q, %v; want %q", tc.command, got, err, tc.want)
		}
	}
}

// TestExternal_whyOurOwn holds the reason externalSource exists: credentials-go's External provider
// prints the command's whole output to standard output (which Terraform logs) when it is not JSON. When
// this fails, credentials-go has stopped doing so and its provider can replace ours.
func TestExternal_whyOurOwn(t *testing.T) {
	const leaked = "printed-secret-DO-NOT-LEAK"
	script, _ := externalCommand(t, `Fetching... {"access_key_secret": "`+leaked+`"}`, "", 0)
	p, err := providers.NewExternalCredentialsProviderBuilder().WithProcessCommand(`"` + script + `"`).Build()
	if err != nil {
		t.Fatal(err)
	}
	printed := captureStdout(t, func() {
		if _, err := p.GetCredentials(); err == nil {
			t.Error("credentials-go accepted output that is not JSON")
		}
	})
	if !strings.Contains(printed, leaked) {
		t.Errorf("credentials-go's External provider no longer prints its output (%q): consider using it instead of externalSource", printed)
	}
}
