package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// Issue 12's acceptance targets on documented typosquats, per ecosystem:
// flagged (warn or block) and blocked. They are NOT met (see RESULTS.md):
// the test enforces the measured figures as floors so a change cannot make
// them worse unnoticed, and logs the gap to the targets.
const (
	targetFlagged = 0.90
	targetBlocked = 0.75
)

// Floors (measured with the shipped corpus, rounded down) and the false-
// positive limits on left-out legitimate names, which are met.
var (
	floorFlagged = map[policy.Ecosystem]float64{policy.NPM: 0.76, policy.PyPI: 0.78}
	floorBlocked = map[policy.Ecosystem]float64{policy.NPM: 0.51, policy.PyPI: 0.46}
)

const (
	maxRealFalseBlock = 0.005
	maxRealFalseWarn  = 0.05
	// set sizes the issue asks for
	minRealNPM      = 60
	minRealPyPI     = 20
	minLegitPerEco2 = 2000
)

type realData struct {
	squats        []RealCase
	legit         []LegitName
	full, leftOut *names.Index
}

var loadRealData = sync.OnceValues(func() (*realData, error) {
	rf, err := os.Open("testdata/real.tsv")
	if err != nil {
		return nil, err
	}
	defer rf.Close()
	squats, err := ReadRealSet(rf)
	if err != nil {
		return nil, err
	}
	lf, err := os.Open("testdata/legit.tsv")
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	legit, err := ReadLegit(lf)
	if err != nil {
		return nil, err
	}
	c, err := names.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	return &realData{squats, legit, names.NewIndex(c), names.NewIndex(LeaveOut(c, legit))}, nil
})

func realEval(t *testing.T) *realData {
	t.Helper()
	d, err := loadRealData()
	if err != nil {
		t.Fatalf("load the real set: %v", err)
	}
	return d
}

// TestRealSet is the honest evaluation: documented typosquats judged by
// the shipped corpus, legitimate names judged with themselves left out.
func TestRealSet(t *testing.T) {
	d := realEval(t)
	res := RunReal(d.full, d.leftOut, d.squats, d.legit)
	var table bytes.Buffer
	res.WriteReal(&table, d.full, false)
	t.Logf("\n%s", table.String())
	for _, eco := range policy.Ecosystems() {
		tot := res.Totals[eco]
		min := map[policy.Ecosystem]int{policy.NPM: minRealNPM, policy.PyPI: minRealPyPI}[eco]
		if tot.Squats < min || tot.Legit < minLegitPerEco2 {
			t.Errorf("%s: %d real squats and %d legitimate names, want ≥ %d and ≥ %d", eco, tot.Squats, tot.Legit, min, minLegitPerEco2)
		}
		flagged, blocked := ratio(tot.Flagged, tot.Squats), ratio(tot.Blocked, tot.Squats)
		if flagged < floorFlagged[eco] || blocked < floorBlocked[eco] {
			t.Errorf("%s: %.3f flagged and %.3f blocked, below the floors %.2f and %.2f", eco, flagged, blocked, floorFlagged[eco], floorBlocked[eco])
		}
		if flagged < targetFlagged || blocked < targetBlocked {
			t.Logf("%s: acceptance targets not met: %.1f %% flagged (target %.0f %%), %.1f %% blocked (target %.0f %%)",
				eco, 100*flagged, 100*targetFlagged, 100*blocked, 100*targetBlocked)
		}
		if fb := ratio(tot.FalseBlock, tot.Legit); fb > maxRealFalseBlock {
			t.Errorf("%s: false-block %.4f on left-out legitimate names, want ≤ %.3f", eco, fb, maxRealFalseBlock)
		}
		if fw := ratio(tot.FalseWarn, tot.Legit); fw > maxRealFalseWarn {
			t.Errorf("%s: false-warn %.4f on left-out legitimate names, want ≤ %.2f", eco, fw, maxRealFalseWarn)
		}
	}
}

// TestCalibrationFalsePositives holds the false-positive limits on the
// calibration population too: every other corpus name in the sample's
// popularity bands (about 89,000 npm and 7,000 PyPI names), each judged
// left out in folds. Rules are costed on it rather than on the sample,
// which only confirms; the limits must hold on both.
func TestCalibrationFalsePositives(t *testing.T) {
	d := realEval(t)
	c, err := names.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	pop := CalibrationPopulation(c, d.legit)
	inSample := map[string]bool{}
	for _, l := range d.legit {
		inSample[string(l.Eco)+":"+l.Name] = true
	}
	count := map[policy.Ecosystem]int{}
	for _, l := range pop {
		if inSample[string(l.Eco)+":"+l.Name] {
			t.Fatalf("calibration name %s %q is in the sample", l.Eco, l.Name)
		}
		count[l.Eco]++
	}
	if count[policy.NPM] < 50_000 || count[policy.PyPI] < 6_000 {
		t.Fatalf("calibration population: %d npm and %d PyPI names, want ≥ 50,000 and ≥ 6,000", count[policy.NPM], count[policy.PyPI])
	}
	outs := Calibrate(c, pop)
	if len(outs) != len(pop) {
		t.Fatalf("Calibrate judged %d names of %d", len(outs), len(pop))
	}
	var table bytes.Buffer
	WriteCalibration(&table, outs, false)
	t.Logf("\n%s", table.String())
	fb, fw := map[policy.Ecosystem]int{}, map[policy.Ecosystem]int{}
	for _, o := range outs {
		switch o.Verdict {
		case policy.Block:
			fb[o.Eco]++
		case policy.Warn:
			fw[o.Eco]++
		}
	}
	for _, eco := range policy.Ecosystems() {
		if r := ratio(fb[eco], count[eco]); r > maxRealFalseBlock {
			t.Errorf("%s: calibration false-block %.4f, want ≤ %.3f", eco, r, maxRealFalseBlock)
		}
		if r := ratio(fw[eco], count[eco]); r > maxRealFalseWarn {
			t.Errorf("%s: calibration false-warn %.4f, want ≤ %.2f", eco, r, maxRealFalseWarn)
		}
	}
}

var citation = regexp.MustCompile(`https?://|MAL-\d{4}-\d+|GHSA-|[a-z0-9_.-]+/[a-z0-9_.-]+#\d+`)

// TestRealSetIntegrity: every case is cited (a URL, an OSV MAL- or GHSA
// advisory, or an owner/repo#N thread), unique, imitates another name,
// and is not exempt by being popular; every legitimate name is in the
// corpus and out of the left-out index.
func TestRealSetIntegrity(t *testing.T) {
	d := realEval(t)
	seen := map[string]bool{}
	for _, c := range d.squats {
		key := string(c.Eco) + ":" + names.Normalize(c.Eco, c.Name)
		if seen[key] {
			t.Errorf("duplicate real case %s", key)
		}
		seen[key] = true
		if !citation.MatchString(c.Source) {
			t.Errorf("%s %q: source %q has no URL, advisory ID or issue reference", c.Eco, c.Name, c.Source)
		}
		if names.Normalize(c.Eco, c.Name) == names.Normalize(c.Eco, c.Target) {
			t.Errorf("%s %q imitates itself", c.Eco, c.Name)
		}
		if _, _, ok := d.full.Popular(c.Eco, c.Name); ok {
			t.Errorf("%s %q is popular in the corpus: it could never be flagged", c.Eco, c.Name)
		}
	}
	for _, l := range d.legit {
		if _, _, ok := d.full.Known(l.Eco, l.Name); !ok {
			t.Errorf("legitimate %s %q is not in the corpus", l.Eco, l.Name)
		}
		if _, _, ok := d.leftOut.Known(l.Eco, l.Name); ok {
			t.Fatalf("legitimate %s %q is still in the left-out index", l.Eco, l.Name)
		}
	}
}

func TestReadRealSetErrors(t *testing.T) {
	for _, in := range []string{
		"h\nnpm\tx\ty\t2022\n",
		"h\ncargo\tx\ty\t2022\tsrc\n",
		"h\nnpm\tx\ty\t2019-05\tsrc\n",
		"h\nnpm\tx\t\t2022\tsrc\n",
	} {
		if _, err := ReadRealSet(strings.NewReader(in)); err == nil {
			t.Errorf("ReadRealSet(%q): nil error", in)
		}
	}
	if _, err := ReadLegit(strings.NewReader("h\nnpm\tx\tmany\t0\n")); err == nil {
		t.Error("ReadLegit with a bad count: nil error")
	}
}
