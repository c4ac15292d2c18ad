// Command docgen writes the parts of templates/ that are made from the provider's code, between marker
// comments, so that the documentation cannot drift from the code: today the table of the aliyun CLI's
// profile modes. `make generate` runs it (go generate, see main.go) before tfplugindocs, and its test
// fails while a template is not what it would write.
//
// Usage: go run ./internal/docgen [repository root]
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/credentials"
)

// section is a generated part of a template: everything between its BEGIN and END markers.
type section struct {
	file    string // relative to the repository root
	name    string
	source  string // what to edit instead, for the marker
	content func() string
}

var sections = []section{
	{file: "templates/index.md.tmpl", name: "profile modes", source: "internal/credentials/profile_modes.go", content: credentials.ProfileModesMarkdown},
}

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	for _, s := range sections {
		path := filepath.Join(root, s.file)
		old, err := os.ReadFile(path)
		if err != nil {
			fail(err)
		}
		updated, err := s.apply(old)
		if err != nil {
			fail(err)
		}
		if !bytes.Equal(old, updated) {
			if err := os.WriteFile(path, updated, 0o644); err != nil {
				fail(err)
			}
			fmt.Printf("docgen: wrote the %s of %s\n", s.name, s.file)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "docgen:", err)
	os.Exit(1)
}

func (s section) begin() string {
	return "<!-- BEGIN " + s.name + ": generated from " + s.source + " by `make generate`; edit it there -->\n"
}

func (s section) end() string { return "<!-- END " + s.name + " -->\n" }

// apply replaces what stands between the section's markers in text (the marker lines included, so that a
// changed marker is rewritten too) with the generated content.
func (s section) apply(text []byte) ([]byte, error) {
	t := string(text)
	beginPrefix := "<!-- BEGIN " + s.name + ":"
	i := strings.Index(t, beginPrefix)
	j := strings.Index(t, s.end())
	if i < 0 || j < i {
		return nil, fmt.Errorf("%s has no %q ... %q markers", s.file, beginPrefix, strings.TrimSpace(s.end()))
	}
	return []byte(t[:i] + s.begin() + s.content() + s.end() + t[j+len(s.end()):]), nil
}
