package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new" {
		t.Fatalf("read %q, %v; want the new contents", b, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", info.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory; the temporary file was left behind", len(entries))
	}

	// A path that is a directory cannot be replaced: the rename fails, and nothing is left behind.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	var linkErr *os.LinkError
	if err := Write(sub, []byte("x"), 0o600); !errors.As(err, &linkErr) {
		t.Errorf("Write over a directory: %v; want an *os.LinkError", err)
	}
	// A directory that does not exist fails before anything is written.
	var pathErr *fs.PathError
	if err := Write(filepath.Join(dir, "missing", "f"), []byte("x"), 0o600); !errors.As(err, &pathErr) {
		t.Errorf("Write in a missing directory: %v; want an *fs.PathError", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d entries in the directory, want out.json and sub", len(entries))
	}
}
