package internal_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/seed-00b4a2d9/terraform-provider-alicloud/"

// importRules are the rules of ARCHITECTURE.md's table of packages: what each package must not import.
// Rules are checked on the package and on every package of this module it imports, directly or not,
// unless direct says that only its own imports count (the provider's dependencies speak HTTP for it).
var importRules = []struct {
	pkg       string
	forbidden []string // import paths, or prefixes ending in "/"
	direct    bool
}{
	{pkg: "internal/dbs", forbidden: []string{"github.com/hashicorp/", module + "internal/provider", module + "internal/credentials"}},
	{pkg: "internal/credentials", forbidden: []string{"github.com/hashicorp/", module + "internal/provider", module + "internal/dbs"}},
	{pkg: "internal/acs", forbidden: []string{module}},
	{pkg: "internal/httpclient", forbidden: []string{module}},
	{pkg: "internal/redact", forbidden: []string{module}},
	{pkg: "internal/atomicfile", forbidden: []string{module}},
	{pkg: "internal/emulator", forbidden: clientPackages},
	{pkg: "cmd/dbs-emulator", forbidden: clientPackages},
	{pkg: "internal/provider", forbidden: []string{"net/http", module + "internal/acs", module + "internal/httpclient"}, direct: true},
}

// clientPackages are the client's code, which the emulator must never share: it would then agree with
// the client's mistakes instead of catching them.
var clientPackages = []string{module + "internal/dbs", module + "internal/acs", module + "internal/credentials",
	module + "internal/httpclient", module + "internal/redact", module + "internal/atomicfile", module + "internal/provider"}

// imports lists the imports of the package in dir, of every non-test Go file whatever its build tags.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range f.Imports {
			path, _ := strconv.Unquote(spec.Path.Value)
			if !slices.Contains(out, path) {
				out = append(out, path)
			}
		}
	}
	return out
}

func TestImportRules(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository root %s has no go.mod: %v", root, err)
	}
	for _, rule := range importRules {
		// seen maps every package reached to the package that imported it, to name the path to a
		// forbidden import.
		seen := map[string]string{rule.pkg: ""}
		queue := []string{rule.pkg}
		for len(queue) > 0 {
			pkg := queue[0]
			queue = queue[1:]
			for _, imp := range imports(t, filepath.Join(root, filepath.FromSlash(pkg))) {
				if slices.ContainsFunc(rule.forbidden, func(f string) bool {
					return imp == f || strings.HasSuffix(f, "/") && strings.HasPrefix(imp, f)
				}) {
					how := "directly"
					if pkg != rule.pkg {
						how = "through " + pkg
						for p := seen[pkg]; p != ""; p = seen[p] {
							how = "through " + p + " -> " + strings.TrimPrefix(how, "through ")
						}
					}
					t.Errorf("%s imports %s %s, which the table of packages in ARCHITECTURE.md forbids", rule.pkg, imp, how)
				}
				ours, isOurs := strings.CutPrefix(imp, module)
				if _, done := seen[ours]; isOurs && !done && !rule.direct {
					seen[ours] = pkg
					queue = append(queue, ours)
				}
			}
		}
	}
}
