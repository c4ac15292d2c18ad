package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the repository's top directory, from this package's directory.
var repoRoot = filepath.Join("..", "..")

// stringConstant is a string the provider's code holds, whole: a literal, or literals joined with +.
type stringConstant struct {
	value string
	at    string // file:line
}

// providerStrings returns every string constant of the provider's non-test Go code (main.go and
// internal/, the emulator and the benchmarks left out: they are not the provider).
func providerStrings(t *testing.T) []stringConstant {
	t.Helper()
	var out []stringConstant
	fset := token.NewFileSet()
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		if d.IsDir() {
			switch rel {
			case ".git", "tools", "examples", "docs", "templates", "cmd", filepath.Join("internal", "emulator"), filepath.Join("internal", "bench"):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			e, ok := n.(ast.Expr)
			if !ok {
				return true
			}
			if v, ok := constantString(e); ok {
				pos := fset.Position(e.Pos())
				out = append(out, stringConstant{value: v, at: rel + ":" + strconv.Itoa(pos.Line)})
				return false
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no string found in the provider's code: the walk is broken")
	}
	return out
}

// constantString folds a string literal, or literals joined with +, into its value.
func constantString(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		v, err := strconv.Unquote(x.Value)
		return v, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		l, ok1 := constantString(x.X)
		r, ok2 := constantString(x.Y)
		return l + r, ok1 && ok2
	case *ast.ParenExpr:
		return constantString(x.X)
	}
	return "", false
}

// docHeadings are the section titles of a generated documentation page.
func docHeadings(t *testing.T, rel string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`).FindAllStringSubmatch(string(data), -1) {
		headings[m[1]] = true
	}
	return headings
}

// TestDocs_sectionsNamedByErrorsExist: every message of the provider that sends the user to a section of
// the documentation (`see "Authentication" in the provider documentation`) names a section that
// docs/index.md has. Any other way of pointing at the documentation fails too, so that no pointer escapes
// the check.
func TestDocs_sectionsNamedByErrorsExist(t *testing.T) {
	headings := docHeadings(t, "docs/index.md")
	pointer := regexp.MustCompile(`"([^"]+)" in the provider documentation`)
	named := 0
	for _, s := range providerStrings(t) {
		if !strings.Contains(s.value, "documentation") {
			continue
		}
		matches := pointer.FindAllStringSubmatch(s.value, -1)
		if len(matches) != strings.Count(s.value, "documentation") {
			t.Errorf("%s points at the documentation otherwise than as `\"<section>\" in the provider documentation`: %q", s.at, s.value)
		}
		for _, m := range matches {
			named++
			if !headings[m[1]] {
				t.Errorf("%s sends the user to the section %q, which docs/index.md does not have", s.at, m[1])
			}
		}
	}
	if named == 0 {
		t.Error("no message names a section of the documentation: the search is broken")
	}
}
