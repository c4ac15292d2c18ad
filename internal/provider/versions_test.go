package provider

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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

// moduleFile is a .tf file of a module, parsed.
type moduleFile struct {
	name string
	body *hclsyntax.Body
}

// parseModule parses the .tf files of the module in dir, in the order of their names.
func parseModule(t *testing.T, dir string) []moduleFile {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	var files []moduleFile
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		file, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", name, diags.Error())
		}
		files = append(files, moduleFile{name: name, body: file.Body.(*hclsyntax.Body)})
	}
	return files
}

// languageNeeds is what a module (the .tf files of one directory) uses that Terraform 1.0 did not have:
// each construct with the release that introduced it.
func languageNeeds(t *testing.T, dir string) map[string]*version.Version {
	t.Helper()
	needs := map[string]*version.Version{}
	need := func(what, since string) { needs[what] = version.Must(version.NewVersion(since)) }
	for _, f := range parseModule(t, dir) {
		diags := hclsyntax.VisitAll(f.body, func(node hclsyntax.Node) hcl.Diagnostics {
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
			t.Fatalf("%s: %s", f.name, diags.Error())
		}
	}
	return needs
}

// requiredVersion is the terraform block's required_version of the module in dir, or "" without one.
func requiredVersion(t *testing.T, dir string) string {
	t.Helper()
	for _, f := range parseModule(t, dir) {
		for _, block := range f.body.Blocks {
			if attr, ok := block.Body.Attributes["required_version"]; ok && block.Type == "terraform" {
				v, diags := attr.Expr.Value(nil)
				if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
					t.Fatalf("%s: required_version is not a literal string", f.name)
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
	t.Parallel()
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

// compatibilityRow is a row of the compatibility table: `| Terraform | 1.13.3, ... | what ran | result |`.
var compatibilityRow = regexp.MustCompile(`(?m)^\| (Terraform|OpenTofu) \| (\d+\.\d+\.\d+)\b[^|]*\| ([^|]+) \| ([^|]+) \|$`)

// The compatibility tables of the README and of the provider's page name exactly the releases the make
// targets test: OpenTofu $(TOFU_VERSION) under make test and every release of $(MATRIX) under make
// test-matrix. Changing a version in GNUmakefile without the tables (or the reverse) fails here.
func TestDocs_compatibilityTable(t *testing.T) {
	t.Parallel()
	makefile, err := os.ReadFile(filepath.Join("..", "..", "GNUmakefile"))
	if err != nil {
		t.Fatal(err)
	}
	variable := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + ` \?= (.+)$`).FindSubmatch(makefile)
		if m == nil {
			t.Fatalf("GNUmakefile sets no %s", name)
		}
		return strings.TrimSpace(string(m[1]))
	}
	products := map[string]string{"terraform": "Terraform", "tofu": "OpenTofu"}
	want := map[string]string{"OpenTofu " + variable("TOFU_VERSION"): "`make test`"}
	for _, entry := range strings.Fields(variable("MATRIX")) {
		product, release, ok := strings.Cut(entry, "@")
		if !ok || products[product] == "" {
			t.Fatalf("GNUmakefile: MATRIX entry %q is not terraform@X.Y.Z or tofu@X.Y.Z", entry)
		}
		want[products[product]+" "+release] = "`make test-matrix`"
	}
	for _, doc := range []string{"README.md", filepath.Join("templates", "index.md.tmpl")} {
		data, err := os.ReadFile(filepath.Join("..", "..", doc))
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]string{}
		for _, m := range compatibilityRow.FindAllStringSubmatch(string(data), -1) {
			rows[m[1]+" "+m[2]] = m[3]
			if target := "`make test-matrix`"; strings.Contains(m[3], target) && want[m[1]+" "+m[2]] != target {
				t.Errorf("%s: the compatibility table says %s %s ran under %s, which does not test it", doc, m[1], m[2], target)
			}
		}
		for release, target := range want {
			if ran, ok := rows[release]; !ok {
				t.Errorf("%s: the compatibility table has no row for %s, which %s tests", doc, release, target)
			} else if !strings.Contains(ran, target) {
				t.Errorf("%s: the compatibility table's row for %s does not say it ran under %s: %q", doc, release, target, ran)
			}
		}
	}
}
