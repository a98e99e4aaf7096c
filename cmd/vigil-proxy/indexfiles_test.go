package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

func indexFileNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A run keeps the ecosystems it indexed in data_dir/index; a later run of
// the same build reads them (the files are not rewritten) and answers the
// same; a damaged file is logged at debug level and rebuilt; another build
// writes its own; names.index_files: false keeps none.
func TestLoadIndexKeepsIndexFiles(t *testing.T) {
	cfg := defaultConfig()
	cfg.DataDir = t.TempDir()
	dir := filepath.Join(cfg.DataDir, "index")
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	type answer struct {
		m  names.Match
		ok bool
	}
	ask := func(ix *names.Index) []answer {
		var out []answer
		for _, q := range []struct {
			eco  policy.Ecosystem
			name string
		}{{policy.NPM, "expresss"}, {policy.NPM, "lodahs"}, {policy.NPM, "react"}, {policy.PyPI, "reqeusts"}, {policy.PyPI, "numpy"}} {
			m, ok := ix.Typosquat(q.eco, q.name)
			out = append(out, answer{m, ok})
		}
		return out
	}

	first, err := loadIndexOf(cfg, true, log, "build-1")
	if err != nil {
		t.Fatal(err)
	}
	want := ask(first)
	if !want[0].ok || want[0].m.Target != "express" || want[2].ok || !want[3].ok {
		t.Fatalf("unexpected answers %+v", want)
	}
	files := indexFileNames(t, dir)
	if len(files) != 2 || !strings.HasPrefix(files[0], "names-npm-") || !strings.HasPrefix(files[1], "names-pypi-") {
		t.Fatalf("index files %v; want one per ecosystem", files)
	}
	npmFile := filepath.Join(dir, files[0])
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(npmFile, old, old); err != nil {
		t.Fatal(err)
	}

	second, err := loadIndexOf(cfg, false, log, "build-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := ask(second); !slices.Equal(got, want) {
		t.Fatalf("from the files: %+v; want %+v", got, want)
	}
	if fi, err := os.Stat(npmFile); err != nil || !fi.ModTime().Equal(old) {
		t.Fatalf("the npm file was rewritten (or lost: %v) instead of read", err)
	}

	b, err := os.ReadFile(npmFile)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(npmFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	third, err := loadIndexOf(cfg, true, log, "build-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := ask(third); !slices.Equal(got, want) {
		t.Fatalf("after damage: %+v; want %+v", got, want)
	}
	if !strings.Contains(logs.String(), "name index file not used") || !strings.Contains(logs.String(), "checksum") {
		t.Fatalf("the damaged file was not logged:\n%s", logs.String())
	}

	if _, err := loadIndexOf(cfg, false, log, "build-2"); err != nil {
		t.Fatal(err)
	}
	if files := indexFileNames(t, dir); len(files) != 4 {
		t.Fatalf("another build's files: %v; want its own beside build-1's", files)
	}

	off := false
	cfg.Names.IndexFiles = &off
	cfg.DataDir = t.TempDir()
	ix, err := loadIndexOf(cfg, false, log, "build-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := ask(ix); !slices.Equal(got, want) {
		t.Fatalf("without files: %+v; want %+v", got, want)
	}
	if files := indexFileNames(t, filepath.Join(cfg.DataDir, "index")); len(files) != 0 {
		t.Fatalf("names.index_files: false wrote %v", files)
	}
}

// A bad corpus_file is refused even when index files exist for the
// embedded corpus.
func TestLoadIndexRefusesBadCorpusFile(t *testing.T) {
	cfg := defaultConfig()
	cfg.DataDir = t.TempDir()
	if _, err := loadIndexOf(cfg, false, slog.New(slog.DiscardHandler), "build-1"); err != nil {
		t.Fatal(err)
	}
	cfg.Names.CorpusFile = filepath.Join(t.TempDir(), "corpus.tsv")
	if err := os.WriteFile(cfg.Names.CorpusFile, []byte("not a corpus\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := loadIndexOf(cfg, true, slog.New(slog.DiscardHandler), "build-1")
	if err == nil || !strings.Contains(err.Error(), "names.corpus_file") {
		t.Fatalf("got %v; want a names.corpus_file error", err)
	}
}

// Save replaces files atomically and keeps the newest two per ecosystem;
// temporary files left by a dead process go once stale.
func TestIndexFileStoreSavesAndPrunes(t *testing.T) {
	var logs bytes.Buffer
	s := indexFileStore{dir: filepath.Join(t.TempDir(), "index"), log: slog.New(slog.NewTextHandler(&logs, nil))}
	write := func(body string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, body); return err }
	}
	base := time.Now().Add(-10 * time.Hour)
	for i, name := range []string{"names-npm-a.idx", "names-npm-b.idx", "names-pypi-a.idx"} {
		if err := s.Save(name, write(name)); err != nil {
			t.Fatal(err)
		}
		at := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(s.path(name), at, at); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(s.dir, ".tmp-names-npm-x.idx-123")
	if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(stale, base, base); err != nil {
		t.Fatal(err)
	}
	if err := s.Save("names-npm-c.idx", write("c")); err != nil {
		t.Fatal(err)
	}
	if got, want := indexFileNames(t, s.dir), []string{"names-npm-b.idx", "names-npm-c.idx", "names-pypi-a.idx"}; !slices.Equal(got, want) {
		t.Fatalf("after pruning: %v; want %v", got, want)
	}
	for _, removed := range []string{"names-npm-a.idx", ".tmp-names-npm-x.idx-123"} {
		if !strings.Contains(logs.String(), `msg="removed a name index file" file=`+filepath.Join(s.dir, removed)) {
			t.Errorf("removal of %s not logged:\n%s", removed, logs.String())
		}
	}
	if strings.Contains(logs.String(), "names-npm-b.idx") || strings.Contains(logs.String(), "names-pypi-a.idx") {
		t.Errorf("a kept file was logged as removed:\n%s", logs.String())
	}
	if b, err := s.Load("names-npm-c.idx"); err != nil || string(b) != "c" {
		t.Fatalf("Load: %q, %v", b, err)
	}
	if !s.Has("names-pypi-a.idx") || s.Has("names-npm-a.idx") {
		t.Fatal("Has disagrees with the directory")
	}
	if _, err := s.Load("names-npm-a.idx"); !os.IsNotExist(err) {
		t.Fatalf("Load of a pruned file: %v; want not exist", err)
	}
	failing := func(w io.Writer) error { _, _ = io.WriteString(w, "partial"); return io.ErrShortWrite }
	if err := s.Save("names-npm-d.idx", failing); err == nil || s.Has("names-npm-d.idx") {
		t.Fatal("a failed write left a file (or no error)")
	}
	if got := indexFileNames(t, s.dir); len(got) != 3 {
		t.Fatalf("a failed write left %v", got)
	}
}

// The running executable's Go build ID is read from its ELF note, and
// malformed notes give none.
func TestExecutableBuildID(t *testing.T) {
	id := executableBuildID()
	if parts := strings.Split(id, "/"); len(parts) < 2 || len(id) < 40 {
		t.Fatalf("build ID %q is not the linker's action/content hash", id)
	}
	if indexBuildID("v1.2.3") != "" {
		t.Fatal("a test binary has a build identity for index files")
	}
	note := func(owner string, typ uint32, desc string) []byte {
		b := binary.LittleEndian.AppendUint32(nil, uint32(len(owner)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(desc)))
		b = binary.LittleEndian.AppendUint32(b, typ)
		return append(append(b, owner...), desc...)
	}
	for _, c := range []struct {
		note []byte
		want string
	}{
		{note("Go\x00\x00", 4, "abc/def"), "abc/def"},
		{note("Gx\x00\x00", 4, "abc/def"), ""},
		{note("Go\x00\x00", 3, "abc/def"), ""},
		{note("Go\x00\x00", 4, "abc/def")[:18], ""},
		{[]byte{1, 2}, ""},
	} {
		if got := goBuildIDNote(c.note, binary.LittleEndian); got != c.want {
			t.Errorf("note % x: got %q, want %q", c.note, got, c.want)
		}
	}
}

// `vigil-proxy config` shows names.index_files as it applies: true unless
// set to false.
func TestEffectiveConfigShowsIndexFiles(t *testing.T) {
	c := defaultConfig()
	e, err := c.effective()
	if err != nil {
		t.Fatal(err)
	}
	if e.Names.IndexFiles == nil || !*e.Names.IndexFiles {
		t.Fatalf("default names.index_files shown as %v; want true", e.Names.IndexFiles)
	}
	off := false
	c.Names.IndexFiles = &off
	if e, err = c.effective(); err != nil || e.Names.IndexFiles == nil || *e.Names.IndexFiles {
		t.Fatalf("names.index_files: false shown as %v (%v)", e.Names.IndexFiles, err)
	}
}
