package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
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

// providerFiles parses every non-test Go file of the provider (main.go and internal/, the emulator and
// the benchmarks left out: they are not the provider) and hands each to visit with its path.
func providerFiles(t *testing.T, visit func(fset *token.FileSet, rel string, f *ast.File)) {
	t.Helper()
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
		visit(fset, rel, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// providerStrings returns every string constant of the provider's non-test Go code.
func providerStrings(t *testing.T) []stringConstant {
	t.Helper()
	var out []stringConstant
	providerFiles(t, func(fset *token.FileSet, rel string, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			e, ok := n.(ast.Expr)
			if !ok {
				return true
			}
			if v, ok := constantString(e); ok {
				out = append(out, stringConstant{value: v, at: rel + ":" + strconv.Itoa(fset.Position(e.Pos()).Line)})
				return false
			}
			return true
		})
	})
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
	t.Parallel()
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

// envReaders are the functions through which the provider reads its environment: os.Getenv and
// os.LookupEnv, the provider's getenv and the credentials package's Env.get.
var envReaders = map[string]bool{"Getenv": true, "LookupEnv": true, "getenv": true, "get": true}

// dollarName is a "$NAME" that stands for an environment variable in a profile mode's requirement.
var dollarName = regexp.MustCompile(`^\$[A-Z][A-Z0-9_]*$`)

// variablesRead finds, in the provider's non-test code, every environment variable it reads: a call of
// an envReaders function whose argument is a string literal, or the variable of a range over a literal
// list of strings. A function that reads the variables named by its variadic parameter (for _, name :=
// range names { getenv(name) }) forwards: the literals its callers pass there are read. A name cut from a
// "$" prefix (name, ok := strings.CutPrefix(req, "$"); get(name)) is the notation of the profile modes'
// requirements, where "$NAME" stands for a variable: every "$NAME" in the file's strings is read. A read
// whose name is none of these is reported in unknown, so that no read escapes.
func variablesRead(t *testing.T) (vars map[string][]string, unknown []string, usesProxy bool) {
	t.Helper()
	type file struct {
		fset *token.FileSet
		rel  string
		f    *ast.File
	}
	var files []file
	providerFiles(t, func(fset *token.FileSet, rel string, f *ast.File) { files = append(files, file{fset, rel, f}) })

	// forwarders maps a function's name to the position of its parameter of variable names.
	forwarders := map[string]int{}
	for _, fl := range files {
		for _, d := range fl.f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			params := map[string]int{}
			i := 0
			for _, field := range fn.Type.Params.List {
				for _, n := range field.Names {
					params[n.Name] = i
					i++
				}
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				r, ok := n.(*ast.RangeStmt)
				if !ok {
					return true
				}
				over, ok1 := r.X.(*ast.Ident)
				v, ok2 := r.Value.(*ast.Ident)
				if !ok1 || !ok2 {
					return true
				}
				if pos, isParam := params[over.Name]; isParam && readsVariable(r.Body, v.Name) {
					forwarders[fn.Name.Name] = pos
				}
				return true
			})
		}
	}

	vars = map[string][]string{}
	for _, fl := range files {
		// ranges are the `for _, v := range []string{...}` loops and the forwarders' loops over their
		// parameter, by the span of their body.
		type rangeLoop struct {
			name       string
			values     []string // nil for a forwarder's loop: its callers' values count
			start, end token.Pos
		}
		var ranges []rangeLoop
		rangeOf := func(id *ast.Ident) *rangeLoop {
			for i := len(ranges) - 1; i >= 0; i-- {
				if r := ranges[i]; r.name == id.Name && r.start <= id.Pos() && id.Pos() < r.end {
					return &ranges[i]
				}
			}
			return nil
		}
		// dollarVars are the "$NAME" alternatives of the file's strings ("credentials_uri|$NAME"), and
		// dollarCuts the variables that hold a name cut from such a "$", by the span of their function.
		type dollarVar struct{ name, at string }
		var dollarVars []dollarVar
		ast.Inspect(fl.f, func(n ast.Node) bool {
			e, ok := n.(ast.Expr)
			if !ok {
				return true
			}
			v, ok := constantString(e)
			if !ok {
				return true
			}
			for _, alt := range strings.Split(v, "|") {
				if dollarName.MatchString(alt) {
					dollarVars = append(dollarVars, dollarVar{alt[1:], fl.rel + ":" + strconv.Itoa(fl.fset.Position(e.Pos()).Line)})
				}
			}
			return false
		})
		type cutVar struct {
			name       string
			start, end token.Pos
		}
		var dollarCuts []cutVar
		var fnEnd token.Pos
		var inForwarder bool
		ast.Inspect(fl.f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.AssignStmt:
				if len(x.Lhs) == 0 || len(x.Rhs) != 1 {
					return true
				}
				call, isCall := x.Rhs[0].(*ast.CallExpr)
				id, isIdent := x.Lhs[0].(*ast.Ident)
				if isCall && isIdent && calledName(call) == "CutPrefix" && len(call.Args) == 2 {
					if p, ok := constantString(call.Args[1]); ok && p == "$" {
						dollarCuts = append(dollarCuts, cutVar{name: id.Name, start: x.Pos(), end: fnEnd})
					}
				}
			case *ast.FuncLit:
				if x.Body.End() > fnEnd {
					fnEnd = x.Body.End()
				}
			case *ast.FuncDecl:
				if x.Body != nil {
					fnEnd = x.Body.End()
				}
				// Env.get is the reader itself (os.Getenv of its argument), not a read of a variable.
				if x.Recv != nil && x.Name.Name == "get" && len(x.Recv.List) == 1 {
					if id, ok := x.Recv.List[0].Type.(*ast.Ident); ok && id.Name == "Env" {
						return false
					}
				}
				_, inForwarder = forwarders[x.Name.Name]
			case *ast.RangeStmt:
				v, isIdent := x.Value.(*ast.Ident)
				if !isIdent {
					return true
				}
				switch over := x.X.(type) {
				case *ast.CompositeLit:
					var values []string
					for _, el := range over.Elts {
						if s, ok := constantString(el); ok {
							values = append(values, s)
						}
					}
					if len(values) == len(over.Elts) {
						ranges = append(ranges, rangeLoop{name: v.Name, values: values, start: x.Body.Pos(), end: x.Body.End()})
					}
				case *ast.Ident:
					if inForwarder {
						ranges = append(ranges, rangeLoop{name: v.Name, start: x.Body.Pos(), end: x.Body.End()})
					}
				}
			case *ast.SelectorExpr:
				if x.Sel.Name == "ProxyFromEnvironment" {
					usesProxy = true
				}
			case *ast.CallExpr:
				name := calledName(x)
				at := fl.rel + ":" + strconv.Itoa(fl.fset.Position(x.Pos()).Line)
				if pos, ok := forwarders[name]; ok {
					for _, arg := range x.Args[min(pos, len(x.Args)):] {
						if s, ok := constantString(arg); ok {
							vars[s] = append(vars[s], at)
						} else {
							unknown = append(unknown, at)
						}
					}
					return true
				}
				if !envReaders[name] || len(x.Args) != 1 {
					return true
				}
				if s, ok := constantString(x.Args[0]); ok {
					vars[s] = append(vars[s], at)
					return true
				}
				if id, ok := x.Args[0].(*ast.Ident); ok {
					if r := rangeOf(id); r != nil {
						for _, s := range r.values {
							vars[s] = append(vars[s], at)
						}
						return true
					}
					if i := slices.IndexFunc(dollarCuts, func(c cutVar) bool { return c.name == id.Name && c.start <= id.Pos() && id.Pos() < c.end }); i >= 0 &&
						len(dollarVars) > 0 {
						for _, d := range dollarVars {
							vars[d.name] = append(vars[d.name], d.at+" (read at "+at+")")
						}
						return true
					}
				}
				if name != "get" || isEnvGet(x) { // a get of something other than Env is no read of the environment
					unknown = append(unknown, at)
				}
			}
			return true
		})
	}
	return vars, unknown, usesProxy
}

// calledName is the name of the function a call calls: f(...) or x.f(...).
func calledName(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		return fn.Sel.Name
	}
	return ""
}

// readsVariable reports whether body calls an environment reader with the variable name as argument.
func readsVariable(body ast.Node, name string) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && envReaders[calledName(call)] && len(call.Args) == 1 {
			if id, ok := call.Args[0].(*ast.Ident); ok && id.Name == name {
				found = true
			}
		}
		return !found
	})
	return found
}

// isEnvGet reports whether a call .get(...) is on an Env (the credentials package's env or r.env).
func isEnvGet(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	switch recv := sel.X.(type) {
	case *ast.Ident:
		return recv.Name == "env" || recv.Name == "e"
	case *ast.SelectorExpr:
		return recv.Sel.Name == "env"
	}
	return false
}

// TestDocs_environmentVariablesListed: the table of environment variables in docs/index.md lists every
// variable the provider's code reads, and nothing it does not read (the proxy variables are read by Go's
// HTTP client, which the provider's clients use).
func TestDocs_environmentVariablesListed(t *testing.T) {
	t.Parallel()
	vars, unknown, usesProxy := variablesRead(t)
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	t.Logf("read: %s (proxy variables: %v)", strings.Join(names, ", "), usesProxy)

	data, err := os.ReadFile(filepath.Join(repoRoot, "docs", "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	start := strings.Index(page, "\n## Environment variables\n")
	if start < 0 {
		t.Fatal(`docs/index.md has no "## Environment variables" section`)
	}
	section := page[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.SplitN(line, "|", 3)[1]
		for _, m := range regexp.MustCompile("`([A-Za-z_][A-Za-z0-9_]*)`").FindAllStringSubmatch(first, -1) {
			listed[m[1]] = true
		}
	}
	if len(listed) == 0 {
		t.Fatal("the Environment variables section has no table rows of the form | `NAME` | ...")
	}

	for _, at := range unknown {
		t.Errorf("%s reads an environment variable whose name this test cannot tell: read it by a literal name, or a range over a literal list", at)
	}
	if len(vars) < 10 {
		t.Fatalf("only %d variables found in the code: the search is broken", len(vars))
	}
	read := map[string]bool{}
	for name, at := range vars {
		read[name] = true
		if !listed[name] {
			t.Errorf("%s reads %s, which the table of environment variables in docs/index.md does not list", strings.Join(at, ", "), name)
		}
	}
	if usesProxy {
		for _, name := range []string{"HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"} {
			read[name] = true
			if !listed[name] {
				t.Errorf("the provider's clients take their proxy from the environment, but the table does not list %s", name)
			}
		}
	}
	for name := range listed {
		if !read[name] && !goReads[name] {
			t.Errorf("the table lists %s, which nothing in the provider reads", name)
		}
	}
}

// goReads are variables read by the libraries the provider is built with, which the table may list.
var goReads = map[string]bool{"SSL_CERT_FILE": true, "SSL_CERT_DIR": true, "TF_LOG": true, "TF_LOG_PROVIDER": true}
