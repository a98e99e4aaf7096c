package scanner

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// maxBaselineSize bounds a baseline file.
const maxBaselineSize = 64 << 20

// readRegularFile reads a file a repository may control (.vigil.yaml, a
// committed baseline): a link to a device or pipe would be read without
// end, so only a regular file of at most limit bytes is accepted.
func readRegularFile(path string, limit int64, limitText string) ([]byte, error) {
	// O_NONBLOCK: opening a named pipe would otherwise wait for a writer
	// before the mode could be checked; regular files ignore it.
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileKind(fi.Mode()))
	}
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %s", path, limitText)
	}
	return b, nil
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
