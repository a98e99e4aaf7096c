package scanner

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// maxBaselineSize bounds a baseline file.
const maxBaselineSize = 64 << 20

// OpenRegular opens a file for reading only if it is a regular file: a
// device such as /dev/zero would be read without end, and opening a named
// pipe would wait for a writer (O_NONBLOCK lets the mode be checked first;
// regular files ignore it). Errors from the system name the path
// (*fs.PathError); the refusal does not ("not a regular file (a named
// pipe)"), so that each caller names the file its own way.
func OpenRegular(path string) (*os.File, error) {
	fh, _, err := openRegular(path)
	return fh, err
}

// openRegular is OpenRegular that also returns the file's information.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		fh.Close()
		return nil, nil, fmt.Errorf("not a regular file (%s)", fileKind(fi.Mode()))
	}
	return fh, fi, nil
}

// ReadRegularFile reads a regular file (see OpenRegular) of at most limit
// bytes in one bounded read; limitText says the limit in the refusal
// ("larger than 16 MiB"), which, like OpenRegular's, does not name the path.
func ReadRegularFile(path string, limit int64, limitText string) ([]byte, error) {
	fh, fi, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	// Read into a buffer of the size stat reports (plus one byte, to see
	// the end or a file grown past the limit) rather than growing one.
	size := int64(512)
	if fi.Size() < limit {
		size = max(size, fi.Size()+1)
	}
	b, err := readAll(io.LimitReader(fh, limit+1), make([]byte, 0, size))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errors.New("larger than " + limitText)
	}
	return b, nil
}

// readAll is io.ReadAll into b's spare capacity.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
	}
}

// readRegularFile is ReadRegularFile for files a repository may control
// (.vigil.yaml, a committed baseline, .gitignore, project files): every
// error names the path.
func readRegularFile(path string, limit int64, limitText string) ([]byte, error) {
	b, err := ReadRegularFile(path, limit, limitText)
	if _, ok := errors.AsType[*fs.PathError](err); err != nil && !ok {
		err = fmt.Errorf("%s: %w", path, err)
	}
	return b, err
}

func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeDir != 0:
		return "a directory"
	case m&os.ModeCharDevice != 0, m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}
