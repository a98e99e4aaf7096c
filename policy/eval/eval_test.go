package main

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// Acceptance gates per ecosystem.
const (
	minRecall        = 0.90
	maxFalseBlock    = 0.01
	minLegitPerEco   = 1000
	minSquatsPerEco  = 1000
	minHistoricalHit = 0.80
)

func loadDevset(t *testing.T) []Case {
	t.Helper()
	f, err := os.Open("testdata/devset.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadDevset(f)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// evalIndex builds the embedded corpus and the hold-out index once per test
// binary; both are immutable.
var evalIndex = sync.OnceValues(func() (*names.Corpus, *names.Index) {
	f, err := os.Open("testdata/devset.tsv")
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	cases, err := ReadDevset(f)
	c, err2 := names.LoadEmbedded()
	if err != nil || err2 != nil {
		return nil, nil
	}
	return c, names.NewIndex(HoldoutCorpus(c, cases))
})

func loadEval(t *testing.T) ([]Case, *names.Corpus, *names.Index) {
	t.Helper()
	c, ix := evalIndex()
	if c == nil {
		t.Fatal("loading the corpus or dev set failed")
	}
	return loadDevset(t), c, ix
}

func TestHarness(t *testing.T) {
	cases, _, ix := loadEval(t)
	res := Run(ix, cases)
	var table bytes.Buffer
	res.WriteTable(&table)
	t.Logf("\n%s", table.String())
	for _, eco := range policy.Ecosystems() {
		tot := res.Totals[eco]
		if tot.Squats < minSquatsPerEco || tot.Legit < minLegitPerEco {
			t.Errorf("%s: dev set has %d squats and %d legitimate names, want ≥ %d and ≥ %d",
				eco, tot.Squats, tot.Legit, minSquatsPerEco, minLegitPerEco)
		}
		if r := tot.Recall(); r < minRecall {
			t.Errorf("%s: recall %.3f, want ≥ %.2f", eco, r, minRecall)
		}
		if fb := tot.FalseBlockRate(); fb > maxFalseBlock {
			t.Errorf("%s: false-block rate %.4f, want ≤ %.2f", eco, fb, maxFalseBlock)
		}
	}
	hist, hit := 0, 0
	for _, o := range res.Outcomes {
		if o.Label == labelSquat && !strings.HasPrefix(o.Source, "generated") {
			hist++
			if o.Verdict != policy.Allow {
				hit++
			}
		}
	}
	if hist == 0 || float64(hit)/float64(hist) < minHistoricalHit {
		t.Errorf("historical cases: %d of %d detected, want ≥ %.0f %%", hit, hist, 100*minHistoricalHit)
	}
}

// TestHoldout checks that legitimate dev-set names are really outside the
// evaluation index (otherwise the false-positive rate would be trivially 0).
func TestHoldout(t *testing.T) {
	cases, c, ix := loadEval(t)
	inSnapshot := map[string]bool{}
	for _, eco := range policy.Ecosystems() {
		for _, e := range c.Entries(eco) {
			inSnapshot[string(eco)+":"+e.Name] = true
		}
	}
	for _, cs := range cases {
		if cs.Label != labelLegit {
			continue
		}
		if _, _, ok := ix.Popular(cs.Eco, cs.Name); ok {
			t.Fatalf("held-out %s %q is in the evaluation index", cs.Eco, cs.Name)
		}
		if !inSnapshot[string(cs.Eco)+":"+cs.Name] {
			t.Fatalf("legitimate %s %q is not in the snapshot", cs.Eco, cs.Name)
		}
	}
}

// TestDevsetReproducible regenerates the dev set and compares it with the
// committed file.
func TestDevsetReproducible(t *testing.T) {
	_, c, _ := loadEval(t)
	cases := Generate(c)
	sortCases(cases)
	var buf bytes.Buffer
	if err := WriteDevset(&buf, cases); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("testdata/devset.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), committed) {
		t.Error("testdata/devset.tsv differs from Generate's output; run `go run ./policy/eval -gen` from the repo root")
	}
}

func TestReadDevsetErrors(t *testing.T) {
	for _, in := range []string{
		"h\npypi\tx\tsquat\n",
		"h\ncargo\tx\tsquat\tf\tt\ts\n",
		"h\npypi\tx\tmaybe\tf\tt\ts\n",
	} {
		if _, err := ReadDevset(strings.NewReader(in)); err == nil {
			t.Errorf("ReadDevset(%q): nil error", in)
		}
	}
}

func TestRunCLI(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-devset", "testdata/devset.tsv", "-misses", "3"}, &out, &errb); code != 0 {
		t.Fatalf("run = %d, stderr %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "| pypi | transposition |") || !strings.Contains(out.String(), "false-block") {
		t.Errorf("run output lacks the table:\n%s", out.String())
	}
	if code := run([]string{"-devset", "testdata/missing.tsv"}, &out, &errb); code != 3 {
		t.Errorf("run with a missing dev set = %d, want 3", code)
	}
}
