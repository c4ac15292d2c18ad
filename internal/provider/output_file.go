package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/atomicfile"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// writeOutputFile writes tasks as a JSON array of objects keyed like `tasks`, absent fields null. The file
// is written whole or not at all (atomicfile), so a reader never sees half a file; it is created 0600
// because restore jobs name hosts, accounts and databases. Its errors name the user's path or its
// directory, never the temporary file, and say what to do.
func writeOutputFile(name string, tasks []dbs.RestoreTask) error {
	dir := filepath.Dir(name)
	if info, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the directory %q does not exist; create it first", dir)
		}
		return fmt.Errorf("cannot reach the directory %q: %w", dir, cause(err))
	} else if !info.IsDir() {
		return fmt.Errorf("%q is not a directory", dir)
	}
	if info, err := os.Stat(name); err == nil && info.IsDir() {
		return fmt.Errorf("%q is a directory; give a file path", name)
	}

	if err := atomicfile.Write(name, tasksJSON(tasks), 0o600); err != nil {
		var linkErr *os.LinkError
		if errors.As(err, &linkErr) {
			return fmt.Errorf("cannot replace %q: %w", name, linkErr.Err)
		}
		return fmt.Errorf("cannot write in %q: %w", dir, cause(err))
	}
	return nil
}

// cause strips the path from a file system error: the path would be the temporary file's, which the
// user never named.
func cause(err error) error {
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	switch {
	case errors.As(err, &pathErr):
		return pathErr.Err
	case errors.As(err, &linkErr):
		return linkErr.Err
	}
	return err
}

// tasksJSON encodes tasks with the keys in schema order ("id" first), so the file diffs cleanly.
func tasksJSON(tasks []dbs.RestoreTask) []byte {
	var b bytes.Buffer
	b.WriteString("[")
	for i := range tasks {
		t := &tasks[i]
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {\"id\": ")
		writeJSONString(&b, t.RestoreTaskID)
		for _, a := range restoreTaskAttributes {
			b.WriteString(", ")
			writeJSONKey(&b, a.name)
			if a.field.Kind == dbs.KindInteger {
				if n := a.field.IntOf(t); n.Valid {
					fmt.Fprintf(&b, "%d", n.Value)
				} else {
					b.WriteString("null")
				}
			} else {
				writeJSONString(&b, a.field.StringOf(t))
			}
		}
		b.WriteString("}")
	}
	if len(tasks) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return b.Bytes()
}

func writeJSONKey(b *bytes.Buffer, key string) {
	k, _ := json.Marshal(key)
	b.Write(k)
	b.WriteString(": ")
}

func writeJSONString(b *bytes.Buffer, s dbs.String) {
	if !s.Valid {
		b.WriteString("null")
		return
	}
	v, _ := json.Marshal(s.Value) // marshalling a string cannot fail
	b.Write(v)
}
