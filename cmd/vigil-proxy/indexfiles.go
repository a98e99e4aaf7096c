package main

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy/names"
	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// maxCorpusFile bounds names.corpus_file (the full npm and PyPI lists are
// tens of MB).
const maxCorpusFile = 1 << 30

// loadIndex builds the typosquat/popularity index from the configured
// corpus file or the embedded snapshot; lazy defers each ecosystem's
// indexing to its first question (names.OpenIndex), otherwise both are
// indexed now. With names.index_files (the default) and a build that
// knows its identity, built indexes are kept in data_dir/index and read
// back by later runs (see indexBuildID).
func loadIndex(cfg Config, lazy bool, log *slog.Logger) (*names.Index, error) {
	return loadIndexOf(cfg, lazy, log, indexBuildID(version))
}

// loadIndexOf is loadIndex for the given build identity ("" keeps no
// index files).
func loadIndexOf(cfg Config, lazy bool, log *slog.Logger, buildID string) (*names.Index, error) {
	var files names.IndexFiles
	if cfg.indexFiles() {
		dir := filepath.Join(cfg.dataDir(), "index")
		files = names.IndexFiles{
			Store:   indexFileStore{dir: dir, log: log},
			BuildID: buildID,
			Problem: func(err error) { log.Debug("name index file not used", "dir", dir, "err", err) },
		}
	}
	var ix *names.Index
	if cfg.Names.CorpusFile != "" {
		data, err := scanner.ReadRegularFile(cfg.Names.CorpusFile, maxCorpusFile, "larger than 1 GiB")
		if err == nil {
			ix, err = names.OpenIndex(data, names.IndexOptions{}, files)
		}
		if err != nil {
			return nil, corpusProblem(cfg.Names.CorpusFile, err)
		}
	} else {
		var err error
		if ix, err = names.OpenEmbeddedIndex(names.IndexOptions{}, files); err != nil {
			return nil, fmt.Errorf("load popular-name corpus: %w", err)
		}
	}
	if !lazy {
		ix.Prepare()
	}
	return ix, nil
}

// indexBuildID names the code that builds name indexes, which an index
// file's key includes: the Go build ID of the running executable (a hash
// of its content, which the linker writes into every binary it builds),
// else the VCS revision of a build from an unmodified checkout, the module
// version of `go install …@version`, or the release version set at link
// time. A test binary, or a build none of these name, gets "" and keeps no
// index files.
func indexBuildID(release string) string {
	if testing.Testing() {
		return ""
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	platform := " " + bi.GoVersion + " " + runtime.GOOS + "/" + runtime.GOARCH
	if id := executableBuildID(); id != "" {
		return "go build ID " + id + platform
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	switch {
	case rev != "" && modified == "false":
		return "vcs " + rev + platform
	case bi.Main.Version != "" && bi.Main.Version != "(devel)":
		return "module " + bi.Main.Version + " " + bi.Main.Sum + platform
	case release != "" && release != "dev":
		return "release " + release + platform
	}
	return ""
}

// executableBuildID reads the Go build ID note of the running executable
// (ELF only; "" elsewhere or when it was linked with an empty -buildid).
func executableBuildID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := elf.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil || sec.Size > 4096 {
		return ""
	}
	note, err := sec.Data()
	if err != nil {
		return ""
	}
	return goBuildIDNote(note, f.ByteOrder)
}

// goBuildIDNote is the build ID in a ".note.go.buildid" section: one ELF
// note, owner "Go", type 4.
func goBuildIDNote(note []byte, order binary.ByteOrder) string {
	const goBuildIDType = 4
	if len(note) < 16 {
		return ""
	}
	namesz, descsz, typ := order.Uint32(note), order.Uint32(note[4:]), order.Uint32(note[8:])
	if namesz != 4 || typ != goBuildIDType || string(note[12:15]) != "Go\x00" {
		return ""
	}
	desc := note[16:]
	if uint64(descsz) > uint64(len(desc)) {
		return ""
	}
	return string(desc[:descsz])
}

// indexFileStore keeps index files in one directory: written to a
// temporary file and renamed into place (readers never see half a file),
// and at most keepIndexFiles per ecosystem, the newest. Each file it
// removes (an older build's or layout's, a dead process's temporary file)
// is logged at info level to log (nil: not logged).
type indexFileStore struct {
	dir string
	log *slog.Logger
}

const (
	keepIndexFiles = 2
	maxIndexFile   = 1 << 30
	// a temporary file older than this was left by a process that died
	staleIndexTemp = time.Hour
)

func (s indexFileStore) path(name string) string { return filepath.Join(s.dir, name) }

func (s indexFileStore) Has(name string) bool {
	fi, err := os.Stat(s.path(name))
	return err == nil && fi.Mode().IsRegular()
}

// Load returns a whole index file (mapped read-only where the platform
// allows, see mapIndexFile: the index is used until the process exits).
func (s indexFileStore) Load(name string) ([]byte, error) {
	f, err := scanner.OpenRegular(s.path(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxIndexFile {
		return nil, fmt.Errorf("%s: larger than 1 GiB", name)
	}
	if b, ok := mapIndexFile(f, fi.Size()); ok {
		return b, nil
	}
	b := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

func (s indexFileStore) Save(name string, write func(io.Writer) error) error {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, ".tmp-"+name+"-*")
	if err != nil {
		return err
	}
	err = write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path(name))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	s.prune(name)
	return nil
}

// prune removes the older files of name's ecosystem ("names-npm-…") beyond
// keepIndexFiles, and temporary files that a dead process left.
func (s indexFileStore) prune(name string) {
	family := name[:strings.LastIndexByte(name, '-')+1]
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	type file struct {
		name string
		mod  time.Time
	}
	var same []file
	for _, de := range entries {
		fi, err := de.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		switch {
		case strings.HasPrefix(de.Name(), family) && strings.HasSuffix(de.Name(), ".idx"):
			same = append(same, file{de.Name(), fi.ModTime()})
		case strings.HasPrefix(de.Name(), ".tmp-names-") && time.Since(fi.ModTime()) > staleIndexTemp:
			if os.Remove(s.path(de.Name())) == nil {
				s.removed(de.Name(), "an unfinished write left by a process that stopped")
			}
		}
	}
	slices.SortFunc(same, func(a, b file) int { return b.mod.Compare(a.mod) })
	kept := 1 // name itself
	for _, f := range same {
		if f.name == name {
			continue
		}
		if kept < keepIndexFiles {
			kept++
			continue
		}
		if err := os.Remove(s.path(f.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return
		}
		s.removed(f.name, fmt.Sprintf("older than the %d newest of its ecosystem (another build, corpus or file layout)", keepIndexFiles))
	}
}

func (s indexFileStore) removed(name, why string) {
	if s.log != nil {
		s.log.Info("removed a name index file", "file", s.path(name), "why", why)
	}
}
