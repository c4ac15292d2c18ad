package provider

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// dropMissingCLIConfig unsets TF_CLI_CONFIG_FILE when it names a file that does not exist. Terraform and
// OpenTofu then read no CLI configuration either way, but they warn about the missing file, and OpenTofu
// 1.12 writes that warning to stdout, ahead of the output of `tofu version` and `tofu show -json`, which
// terraform-plugin-testing cannot parse then: every acceptance test would fail.
func dropMissingCLIConfig() {
	if file := os.Getenv("TF_CLI_CONFIG_FILE"); file != "" {
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			_ = os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
}

// languageSince maps constructs of the Terraform language that came after Terraform 1.0 (the first
// release that speaks plugin protocol 6, the provider's floor) to the release that introduced them, from
// Terraform's changelog. Blocks are matched by type wherever they appear, functions by name (a type
// constraint's optional() is parsed as a call too), resources by type. OpenTofu forked from Terraform
// 1.5 and has all of the constructs up to there in 1.6.0, its first release.
var languageSince = struct {
	blocks, functions, resources, variableArguments, lifecycleArguments map[string]string
}{
	blocks: map[string]string{
		"moved": "1.1.0", "precondition": "1.2.0", "postcondition": "1.2.0", "check": "1.5.0", "import": "1.5.0",
		"removed": "1.7.0", "ephemeral": "1.10.0",
	},
	functions: map[string]string{
		"optional": "1.3.0", "startswith": "1.3.0", "endswith": "1.3.0", "timecmp": "1.3.0",
		"plantimestamp": "1.5.0", "strcontains": "1.5.0", "templatestring": "1.9.0", "ephemeralasnull": "1.10.0",
	},
	resources:          map[string]string{"terraform_data": "1.4.0"},
	variableArguments:  map[string]string{"nullable": "1.1.0"},
	lifecycleArguments: map[string]string{"replace_triggered_by": "1.2.0"},
}

// providerFunctionsSince is when provider::NAME::FUNCTION() calls came (Terraform 1.8).
const providerFunctionsSince = "1.8.0"

// languageNeeds is what a module (the .tf files of one directory) uses that Terraform 1.0 did not have:
// each construct with the release that introduced it.
func languageNeeds(t *testing.T, dir string) map[string]*version.Version {
	t.Helper()
	needs := map[string]*version.Version{}
	need := func(what, since string) { needs[what] = version.Must(version.NewVersion(since)) }
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		file, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", name, diags.Error())
		}
		diags = hclsyntax.VisitAll(file.Body.(*hclsyntax.Body), func(node hclsyntax.Node) hcl.Diagnostics {
			switch n := node.(type) {
			case *hclsyntax.Block:
				if since, ok := languageSince.blocks[n.Type]; ok {
					need(n.Type+" block", since)
				}
				if n.Type == "resource" && len(n.Labels) > 0 {
					if since, ok := languageSince.resources[n.Labels[0]]; ok {
						need(n.Labels[0]+" resource", since)
					}
				}
				arguments := map[string]map[string]string{
					"variable": languageSince.variableArguments, "lifecycle": languageSince.lifecycleArguments,
				}[n.Type]
				for name := range n.Body.Attributes {
					if since, ok := arguments[name]; ok {
						need(n.Type+"."+name, since)
					}
				}
			case *hclsyntax.FunctionCallExpr:
				if strings.HasPrefix(n.Name, "provider::") {
					need(n.Name+"()", providerFunctionsSince)
				} else if since, ok := languageSince.functions[n.Name]; ok {
					need(n.Name+"()", since)
				}
			}
			return nil
		})
		if diags.HasErrors() {
			t.Fatalf("%s: %s", name, diags.Error())
		}
	}
	return needs
}

// requiredVersion is the terraform block's required_version of the module in dir, or "" without one.
func requiredVersion(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		file, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", name, diags.Error())
		}
		for _, block := range file.Body.(*hclsyntax.Body).Blocks {
			if attr, ok := block.Body.Attributes["required_version"]; ok && block.Type == "terraform" {
				v, diags := attr.Expr.Value(nil)
				if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
					t.Fatalf("%s: required_version is not a literal string", name)
				}
				return v.AsString()
			}
		}
	}
	return ""
}

// justBefore is the last version before v's minor release: 1.4.999 for 1.5.0.
func justBefore(v *version.Version) *version.Version {
	s := v.Segments()
	return version.Must(version.NewVersion(fmt.Sprintf("%d.%d.999", s[0], s[1]-1)))
}

// Every example that uses a construct newer than Terraform 1.0 says so in required_version, so that an
// older Terraform stops with "Unsupported Terraform Core version" instead of an error about the
// construct; and the constraint admits the release that introduced the newest of them, so it keeps no
// one out who could run it.
func TestExamples_requiredVersion(t *testing.T) {
	root := exampleDir(t, ".")
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(path) == ".tf" && !slices.Contains(dirs, filepath.Dir(path)) {
			dirs = append(dirs, filepath.Dir(path))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		needs := languageNeeds(t, dir)
		if len(needs) == 0 {
			continue
		}
		checked++
		var newest *version.Version
		var uses []string
		for what, since := range needs {
			uses = append(uses, fmt.Sprintf("%s (Terraform %s)", what, since))
			if newest == nil || since.GreaterThan(newest) {
				newest = since
			}
		}
		slices.Sort(uses)
		required := requiredVersion(t, dir)
		if required == "" {
			t.Errorf("examples/%s uses %s but has no required_version: want one like \">= %s\"", rel, strings.Join(uses, ", "), newest)
			continue
		}
		constraint, err := version.NewConstraint(required)
		if err != nil {
			t.Errorf("examples/%s: required_version %q: %v", rel, required, err)
			continue
		}
		if constraint.Check(justBefore(newest)) || !constraint.Check(newest) {
			t.Errorf("examples/%s: required_version %q, want one that refuses Terraform %s and admits %s: it uses %s",
				rel, required, justBefore(newest), newest, strings.Join(uses, ", "))
		}
	}
	if checked == 0 {
		t.Fatal("no example uses a construct newer than Terraform 1.0: the walk over examples/ found nothing")
	}
}
