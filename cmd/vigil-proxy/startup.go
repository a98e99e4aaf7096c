package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	berrors "go.etcd.io/bbolt/errors"

	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
)

// startupError is a failure before the proxy serves anything, told the way
// an operator acts on it: what failed, which file, what to do.
type startupError struct {
	what string // "store", "metadata cache", "names.corpus_file (VIGIL_NAMES_CORPUS_FILE)"
	file string // the file involved ("" when none)
	fix  string // what to do
	err  error
}

func (e *startupError) Error() string {
	var b strings.Builder
	b.WriteString(e.what)
	if e.file != "" {
		b.WriteString(" " + e.file)
	}
	b.WriteString(": " + rootCause(e.err))
	if e.fix != "" {
		b.WriteString("; " + e.fix)
	}
	return b.String()
}

func (e *startupError) Unwrap() error { return e.err }

// rootCause is the innermost message of err, on one line: the wrapping
// layers repeat the file name that startupError already gives.
func rootCause(err error) string {
	switch {
	case errors.Is(err, boltstore.ErrLocked), errors.Is(err, berrors.ErrTimeout):
		return "the file is locked by another process"
	case errors.Is(err, boltstore.ErrCorrupt):
		return "the file is corrupt or not a vigil-proxy store"
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// asStartupError marks err as a start-up failure, keeping a more specific
// explanation when it has one.
func asStartupError(err error) error {
	var se *startupError
	if errors.As(err, &se) {
		return se
	}
	return &startupError{what: "start-up", err: err}
}

// dataDirProblem explains a data directory that cannot be created: it
// names the directory (and the part of its path that failed, when that is
// another one) and the setting to change.
func dataDirProblem(dir string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Path != dir && !errors.Is(pe.Err, fs.ErrNotExist) && !errors.Is(pe.Err, fs.ErrPermission) {
			err = fmt.Errorf("%s: %w", pe.Path, pe.Err)
		} else {
			err = pe.Err
		}
	}
	return &startupError{what: "data directory", file: dir, err: err,
		fix: "choose a directory vigil-proxy can create and write with --data-dir (VIGIL_DATA_DIR)"}
}

// storeProblem explains a failure to open store.db.
func storeProblem(path string, err error) error {
	fix := "check the file and the data directory (--data-dir, VIGIL_DATA_DIR)"
	switch {
	case errors.Is(err, boltstore.ErrLocked):
		fix = "another vigil-proxy is using this data directory: stop it, or give this one its own --data-dir (VIGIL_DATA_DIR)"
	case errors.Is(err, boltstore.ErrCorrupt):
		fix = "restore it from a backup, or move it aside to start with an empty store (it holds the audit trail, allow/deny entries and the watchlist)"
	}
	return &startupError{what: "store", file: path, fix: fix, err: err}
}

// cacheProblem explains a failure to open cache.db.
func cacheProblem(path string, err error) error {
	fix := "cache.db only holds cached copies: delete it and start again"
	if errors.Is(err, berrors.ErrTimeout) {
		fix = "another vigil-proxy is using this data directory: stop it, or give this one its own --data-dir (VIGIL_DATA_DIR)"
	}
	return &startupError{what: "metadata cache", file: path, fix: fix, err: err}
}

// corpusProblem explains a names.corpus_file that cannot be loaded.
func corpusProblem(path string, err error) error {
	return &startupError{what: key("names.corpus_file"), file: path, err: err,
		fix: "fix the path (a file written by `vigil-proxy data refresh`), or unset it to use the embedded snapshot"}
}

// preflight checks what serve needs beyond the configuration's syntax,
// without opening the data directory: `vigil-proxy config` runs it, so that
// it rejects what serve would reject.
func preflight(cfg Config) error {
	var errs []error
	if cfg.Names.CorpusFile != "" {
		if _, err := loadIndex(cfg, true, slog.New(slog.DiscardHandler)); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.Store.postgres() {
		// What serve would refuse before connecting: a TLS file the URL
		// names that cannot be read, an invalid sslmode, an unreadable
		// VIGIL_STORE_PASSWORD_FILE.
		if pw, err := cfg.Store.password(); err != nil {
			errs = append(errs, err)
		} else if _, err := pgstore.ParseConfig(cfg.Store.URL, pw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", cfg.key("store.url"), err))
		}
	}
	for path, hosts := range map[string][]string{"pypi.file_hosts": cfg.PyPI.FileHosts, "npm.tarball_hosts": cfg.NPM.TarballHosts} {
		if _, err := upstream.ParseHosts(hosts); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key(path), err))
		}
	}
	return errors.Join(errs...)
}
