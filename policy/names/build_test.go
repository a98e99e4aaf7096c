package names

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// The full lists' rows: npm names whose version is a security holding
// package (any of npm's spellings) are removed malware, whatever their
// download counts; everything else is known, and targets from the floor.
func TestBuildCorpusRolesAndRemovedMalware(t *testing.T) {
	t.Parallel()
	pypiTop := "rank\tname\n1\trequests\n"
	npmTop := "name\tdownloads_a_month\ncross-env\t90000000\nreact\t80000000\n"
	npmAll := "name\tversion\tdownloads_a_month\tsummary\n" +
		"cross-env\t7.0.3\t90000000\t\n" +
		"crossenv\t0.0.2-security\t10533\tsecurity holding package\n" +
		"jquery.js\t0.0.1-security\t956\tsecurity holding package\n" +
		"@spam/pkg\t0.0.1-security.1\t26000\tsecurity holding package\n" +
		"mid-lib\t2.1.0\t15000\t\n" +
		"small-lib\t1.0.0\t900\t\n" +
		"odd-security\t1.0.0-security\t900\t\n"
	pypiAll := "name\tversion\tmonth\trank\tsummary\n" +
		"requests\t2.32.0\t2026-10\t1\t\n" +
		"some-lib\t0.1\t2020-01\t\t\n"
	c, err := BuildCorpus(Lists{PyPITop: strings.NewReader(pypiTop), NPMTop: strings.NewReader(npmTop),
		NPMAll: strings.NewReader(npmAll), PyPIAll: strings.NewReader(pypiAll), PyPIKnown: true})
	if err != nil {
		t.Fatalf("BuildCorpus: %v", err)
	}
	want := &Corpus{
		PyPI: []Entry{{"requests", 1, 0, RoleTarget}, {"some-lib", 0, 0, RoleKnown}},
		NPM: []Entry{
			{"cross-env", 1, 90_000_000, RoleTarget}, {"react", 2, 80_000_000, RoleTarget},
			{"mid-lib", 3, 15_000, RoleTarget}, {"odd-security", 4, 900, RoleKnown}, {"small-lib", 5, 900, RoleKnown},
			{"@spam/pkg", 0, 0, RoleRemoved}, {"crossenv", 0, 0, RoleRemoved}, {"jquery.js", 0, 0, RoleRemoved},
		},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Fatalf("BuildCorpus mismatch (-want +got):\n%s", diff)
	}

	// The roles survive the corpus file, and the index (fresh and read
	// back from its file) tells removed names from known ones.
	data, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := LoadCorpus(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("LoadCorpus(Encode): %v", err)
	}
	if diff := cmp.Diff(want, back); diff != "" {
		t.Fatalf("round trip mismatch (-want +got):\n%s", diff)
	}
	fresh := NewIndex(back)
	e := fresh.eco(policy.NPM)
	e.ensureTargets()
	var buf bytes.Buffer
	key := indexFileKey("test", policy.NPM, fresh.opts, [32]byte{2})
	if err := e.writeIndexFile(&buf, key); err != nil {
		t.Fatal(err)
	}
	fromFileIx := &Index{opts: fresh.opts}
	if err := fromFileIx.npm.readIndexFile(buf.Bytes(), key, policy.NPM, fresh.opts); err != nil {
		t.Fatal(err)
	}
	fromFileIx.built[1].Do(func() {})
	for label, ix := range map[string]*Index{"fresh": fresh, "from file": fromFileIx} {
		for _, name := range []string{"crossenv", "jquery.js", "@spam/pkg"} {
			if !ix.Removed(policy.NPM, name) {
				t.Errorf("%s: Removed(%q) = false", label, name)
			}
			if _, _, ok := ix.Known(policy.NPM, name); ok {
				t.Errorf("%s: Known(%q): a removed name is not a known one", label, name)
			}
			if _, _, ok := ix.Popular(policy.NPM, name); ok {
				t.Errorf("%s: Popular(%q)", label, name)
			}
		}
		for _, name := range []string{"cross-env", "small-lib", "odd-security", "never-listed"} {
			if ix.Removed(policy.NPM, name) {
				t.Errorf("%s: Removed(%q) = true", label, name)
			}
		}
		// never exempt: the removed name is judged as an unknown one
		if m, ok := ix.Typosquat(policy.NPM, "crossenv"); !ok || m.Target != "cross-env" {
			t.Errorf("%s: Typosquat(crossenv) = %+v, %v; want a look-alike of cross-env", label, m, ok)
		}
	}
	if fresh.Removed(policy.PyPI, "crossenv") {
		t.Error("Removed answers for the other ecosystem")
	}
}

// A name an operator's corpus lists both as removed malware and as a known
// (even a target) name is removed: never exempt.
func TestRemovedWinsOverAnotherLine(t *testing.T) {
	t.Parallel()
	in := corpusHeader + "\nnpm\tcross-env\t1\t90000000\ttarget\nnpm\tcrossenv\t2\t20000000\ttarget\nnpm\tcrossenv\t0\t0\tremoved\n"
	c, err := LoadCorpus(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(c)
	if !ix.Removed(policy.NPM, "crossenv") {
		t.Error("Removed(crossenv) = false")
	}
	if _, _, ok := ix.Known(policy.NPM, "crossenv"); ok {
		t.Error("Known(crossenv) = true")
	}
	if m, ok := ix.Typosquat(policy.NPM, "crossenv"); !ok || m.Target != "cross-env" {
		t.Errorf("Typosquat(crossenv) = %+v, %v; want a look-alike of cross-env", m, ok)
	}
	e := ix.eco(policy.NPM)
	e.ensureTargets()
	if slices.Contains(e.names, "crossenv") || len(e.names) != 1 {
		t.Errorf("targets %q: a removed name is no target", e.names)
	}
}
