package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTemplatesGenerated fails while a template's generated section is not what docgen would write: the
// code changed and `make generate` was not run, or the section was edited by hand.
func TestTemplatesGenerated(t *testing.T) {
	for _, s := range sections {
		text, err := os.ReadFile(filepath.Join("..", "..", s.file))
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.apply(text)
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != string(text) {
			t.Errorf("the %s of %s are out of date: run `make generate`", s.name, s.file)
		}
	}
}

func TestSectionApply(t *testing.T) {
	s := section{file: "f", name: "things", source: "src.go", content: func() string { return "| a |\n" }}
	got, err := s.apply([]byte("intro\n<!-- BEGIN things: stale marker -->\nold\n<!-- END things -->\nrest\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "intro\n" + s.begin() + "| a |\n" + s.end() + "rest\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := s.apply([]byte("no markers")); err == nil || !strings.Contains(err.Error(), "no \"<!-- BEGIN things:\"") {
		t.Errorf("error %v", err)
	}
}
