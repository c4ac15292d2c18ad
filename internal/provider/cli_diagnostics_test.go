package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// cliDiagnostic is one diagnostic as `terraform plan -json` prints it. Warnings are only visible this
// way: terraform-plugin-testing checks errors, not warnings.
type cliDiagnostic struct {
	Severity string `json:"severity"` // "error" or "warning"
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Snippet  *struct {
		Code string `json:"code"` // the configuration line the diagnostic points at
	} `json:"snippet"`
}

func (d cliDiagnostic) String() string {
	s := fmt.Sprintf("[%s] %s: %s", d.Severity, d.Summary, d.Detail)
	if d.Snippet != nil {
		s += " @ " + strings.TrimSpace(d.Snippet.Code)
	}
	return s
}

// planDiagnostics runs `terraform plan -json` on config with the provider built from this tree (through
// dev_overrides, as a user's pipeline would), and returns the diagnostics of the plan, Terraform's own note
// about development overrides left out, and its exit code. The command runs with env (see testEnv.environ).
func planDiagnostics(t *testing.T, env testEnv, config string) ([]cliDiagnostic, int) {
	t.Helper()
	return planDiagnosticsIn(t, env, t.TempDir(), config)
}

// planDiagnosticsIn is planDiagnostics with the configuration written to, and Terraform run in, dir.
func planDiagnosticsIn(t *testing.T, env testEnv, dir, config string) ([]cliDiagnostic, int) {
	t.Helper()
	cli := sharedCLI(t).withEnv(env)
	writeMainTF(t, dir, config)
	out, code := cli.output(t, dir, cli.binary, "plan", "-json", "-input=false", "-no-color")
	var diags []cliDiagnostic
	for _, line := range strings.Split(out, "\n") {
		var msg struct {
			Type       string         `json:"type"`
			Diagnostic *cliDiagnostic `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "diagnostic" || msg.Diagnostic == nil {
			continue
		}
		if strings.Contains(msg.Diagnostic.Summary, "development overrides") {
			continue
		}
		diags = append(diags, *msg.Diagnostic)
	}
	return diags, code
}

// writeMainTF writes config to dir/main.tf after a terraform block that names the provider by its
// address, so that the terraform binary of sharedCLI runs the provider built from this tree.
func writeMainTF(t *testing.T, dir, config string) {
	t.Helper()
	config = fmt.Sprintf("terraform {\n  required_providers {\n    alicloud = {\n      source = %q\n    }\n  }\n}\n", providerNamespace+"/alicloud") + config
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// sharedCLI is the terraform binary with the provider built from this tree (see buildCLI), built once for
// the whole test binary, in the directory TestMain made for it: building the provider for every test
// would cost more than the tests themselves. Tests run its commands with their environment (withEnv).
func sharedCLI(t *testing.T) *terraformCLI {
	t.Helper()
	sharedCLIOnce.Do(func() {
		sharedCLIValue, sharedCLIErr = buildCLI(context.Background(), sharedCLIDir)
	})
	if errors.Is(sharedCLIErr, errNoTerraform) {
		t.Skip(sharedCLIErr.Error())
	}
	if sharedCLIErr != nil {
		t.Fatal(sharedCLIErr)
	}
	return sharedCLIValue
}

var (
	sharedCLIOnce  sync.Once
	sharedCLIValue *terraformCLI
	sharedCLIErr   error
	// sharedCLIDir is set by TestMain, which removes it when the tests end.
	sharedCLIDir string
)

// diagnosticsOf keeps the diagnostics of one severity.
func diagnosticsOf(diags []cliDiagnostic, severity string) []cliDiagnostic {
	var out []cliDiagnostic
	for _, d := range diags {
		if d.Severity == severity {
			out = append(out, d)
		}
	}
	return out
}
