package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// TestDataExportEmbedded: the export of the embedded corpus loads back as
// the same corpus, plain to stdout and gzip'd to a .gz file.
func TestDataExportEmbedded(t *testing.T) {
	want, err := names.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, nil, "", "data", "export")
	if code != exitOK {
		t.Fatalf("data export = %d, stderr %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "# vigil-names corpus v2\n") {
		t.Fatalf("data export stdout starts %q, want the v2 header", stdout[:min(40, len(stdout))])
	}
	got, err := names.LoadCorpus(strings.NewReader(stdout))
	if err != nil {
		t.Fatalf("LoadCorpus(export): %v", err)
	}
	if len(got.PyPI) != len(want.PyPI) || len(got.NPM) != len(want.NPM) {
		t.Errorf("export has %d PyPI + %d npm names, embedded %d + %d", len(got.PyPI), len(got.NPM), len(want.PyPI), len(want.NPM))
	}
	gz := filepath.Join(t.TempDir(), "corpus.tsv.gz")
	if code, _, stderr := runCLI(t, nil, "", "data", "export", "-o", gz); code != exitOK || !strings.Contains(stderr, "wrote "+gz) {
		t.Fatalf("data export -o %s = %d, stderr %s", gz, code, stderr)
	}
	f, err := os.Open(gz)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := names.LoadCorpus(f)
	if err != nil {
		t.Fatalf("LoadCorpus(%s): %v", gz, err)
	}
	if diff := cmp.Diff(got, back); diff != "" {
		t.Errorf("gzip export differs from the plain one (-plain +gzip):\n%s", diff)
	}
}

// TestDataExportCorpusFile: with names.corpus_file set, the export is that
// file's corpus (a v1 file comes out as v2, every name a target).
func TestDataExportCorpusFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corpus.tsv")
	v1 := "# vigil-names corpus v1\npypi\tRequests\t1\t0\nnpm\tleft-pad\t1\t10\n"
	if err := os.WriteFile(path, []byte(v1), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, map[string]string{"VIGIL_NAMES_CORPUS_FILE": path}, "", "data", "export")
	if code != exitOK {
		t.Fatalf("data export = %d, stderr %s", code, stderr)
	}
	want := "# vigil-names corpus v2\npypi\trequests\t1\t0\ttarget\nnpm\tleft-pad\t1\t10\ttarget\n"
	if stdout != want {
		t.Errorf("data export stdout = %q, want %q", stdout, want)
	}
	// a broken corpus file is an error that names the file, not a panic
	if err := os.WriteFile(path, []byte("junk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, map[string]string{"VIGIL_NAMES_CORPUS_FILE": path}, "", "data", "export")
	if code != exitUsage || !strings.Contains(stderr, path) || !strings.Contains(stderr, "header") {
		t.Errorf("data export of a broken file = %d, stderr %q", code, stderr)
	}
	// An operand (say, the output file without -o) is named, not met with
	// a bare usage line.
	code, _, stderr = runCLI(t, nil, "", "data", "export", "corpus.tsv")
	if want := "vigil-proxy data export: unexpected argument \"corpus.tsv\" (it takes only flags; 'vigil-proxy data export -h' lists them)\n"; code != exitUsage || stderr != want {
		t.Errorf("data export with an argument = %d, stderr %q; want %d, %q", code, stderr, exitUsage, want)
	}
}
