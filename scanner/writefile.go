package scanner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WriteFileAtomic writes data to path through a new temporary file in the
// same directory, renamed into place. The temporary file is created
// exclusively under a random name, so a symbolic link planted in a scanned
// repository (vigil.sarif.tmp → ~/.bashrc) is never written through, and a
// link at path itself is replaced, not followed.
//
// A stream is written in place, never replaced: a named pipe or character
// device at path, and any path under /dev or /proc (/dev/null, /dev/stdout,
// /proc/self/fd/1, also when it leads to a regular file: a redirected
// stdout, appended to), where the system, not a repository, puts links. Renaming
// over those replaced /dev/null with a regular file when run as root. A
// block device or a directory is refused.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	if stream, err := isStream(path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	} else if stream {
		return writeStream(path, data)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// isStream reports whether path names a stream to write in place (see
// WriteFileAtomic). A path that does not exist is no stream.
func isStream(path string) (bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		abs, err := filepath.Abs(path)
		if err != nil {
			return false, err
		}
		if !strings.HasPrefix(abs, "/dev/") && !strings.HasPrefix(abs, "/proc/") {
			return false, nil // a link elsewhere is replaced, not followed
		}
		if fi, err = os.Stat(path); err != nil {
			return false, err
		}
		if fi.Mode().IsRegular() {
			// /dev/stdout redirected to a file: written there, after
			// what the process already wrote (writeStream appends)
			return true, nil
		}
	}
	m := fi.Mode()
	switch {
	case m.IsDir():
		return false, errors.New("is a directory")
	case m&os.ModeNamedPipe != 0, m&os.ModeCharDevice != 0, m&os.ModeSocket != 0:
		return true, nil
	case m&os.ModeDevice != 0:
		return false, errors.New("is a block device, not a file")
	}
	return false, nil
}

// writeStream writes data to the stream at path. It appends: reopening a
// file descriptor's link (/dev/stdout, /proc/self/fd/1) to a regular file
// starts at its beginning, over what the process already wrote there.
func writeStream(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
