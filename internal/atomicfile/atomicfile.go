// Package atomicfile writes a file whole or not at all, for the files the provider writes that a user or
// another program reads: a data source's output_file, and the aliyun CLI's config.json when an OAuth
// sign-in is renewed. It imports nothing of the provider's.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes data to path through a temporary file beside it, created with perm, written and synced,
// then renamed over path: a reader sees the old file or the new one, never half of one, and the temporary
// file never outlives the call. A failure before the rename leaves path as it was and is that step's error
// (an *fs.PathError naming the temporary file); a failure of the rename is its *os.LinkError.
func Write(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	written := func() error {
		// CreateTemp made it 0600; Chmod, unlike the mode of a create, is not cut by the umask.
		if err := tmp.Chmod(perm); err != nil {
			return err
		}
		if _, err := tmp.Write(data); err != nil {
			return err
		}
		return tmp.Sync()
	}()
	if cerr := tmp.Close(); written == nil {
		written = cerr
	}
	if written != nil {
		return written
	}
	return os.Rename(tmp.Name(), path)
}
