package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// Calibration: the legitimate sample (testdata/legit.tsv) is the figure
// the acceptance targets are measured on, so a rule must not be tuned on
// it. The calibration population is every other name in the same
// popularity band of the corpus (npm 2k–40k downloads a month, PyPI ranks
// 5,001–15,000), judged with the same leave-out protocol in folds of the
// sample's size: each fold is removed from the corpus at once and judged
// by the index built without it. A rule change is costed here first; the
// sample only confirms it.

// calibrationSeed orders the population into folds (any fixed value: the
// figures do not depend on it beyond fold effects).
const calibrationSeed = 20261207

// CalibrationPopulation returns the corpus names in the sample's
// popularity bands that are not in the sample.
func CalibrationPopulation(c *names.Corpus, sample []LegitName) []LegitName {
	inSample := map[policy.Ecosystem]map[string]bool{policy.PyPI: {}, policy.NPM: {}}
	for _, l := range sample {
		inSample[l.Eco][names.Normalize(l.Eco, l.Name)] = true
	}
	var out []LegitName
	for _, e := range c.Entries(policy.NPM) {
		if e.Monthly >= legitNPMMin && e.Monthly < legitNPMMax && !inSample[policy.NPM][e.Name] {
			out = append(out, LegitName{Eco: policy.NPM, Name: e.Name, Monthly: e.Monthly})
		}
	}
	for _, e := range c.Entries(policy.PyPI) {
		if e.Rank >= legitPyPIMin && e.Rank <= legitPyPIMax && !inSample[policy.PyPI][e.Name] {
			out = append(out, LegitName{Eco: policy.PyPI, Name: e.Name, Rank: e.Rank})
		}
	}
	return out
}

// Calibrate judges the population fold by fold (each fold left out of
// the corpus at once) and returns every outcome.
func Calibrate(c *names.Corpus, pop []LegitName) []LegitOutcome {
	pop = slices.Clone(pop)
	slices.SortFunc(pop, func(a, b LegitName) int {
		return strings.Compare(string(a.Eco)+" "+a.Name, string(b.Eco)+" "+b.Name)
	})
	rng := rand.New(rand.NewPCG(calibrationSeed, 3))
	rng.Shuffle(len(pop), func(i, j int) { pop[i], pop[j] = pop[j], pop[i] })
	var out []LegitOutcome
	for start := 0; start < len(pop); start += legitPerEco {
		fold := pop[start:min(start+legitPerEco, len(pop))]
		ix := names.NewIndex(LeaveOut(c, fold))
		for _, l := range fold {
			v, m := verdictOf(ix, l.Eco, l.Name)
			out = append(out, LegitOutcome{l, v, m})
		}
	}
	return out
}

// WriteCalibration prints false-block and false-warn rates per ecosystem
// and per reported family, and (verbose) every false block.
func WriteCalibration(w io.Writer, outs []LegitOutcome, verbose bool) {
	type agg struct{ n, block, warn int }
	byEco := map[policy.Ecosystem]*agg{}
	byFam := map[string]*agg{}
	for _, o := range outs {
		a := byEco[o.Eco]
		if a == nil {
			a = &agg{}
			byEco[o.Eco] = a
		}
		a.n++
		if o.Verdict == policy.Allow {
			continue
		}
		k := string(o.Eco) + " " + o.Match.Family
		f := byFam[k]
		if f == nil {
			f = &agg{}
			byFam[k] = f
		}
		if o.Verdict == policy.Block {
			a.block++
			f.block++
		} else {
			a.warn++
			f.warn++
		}
	}
	fmt.Fprintln(w, "| ecosystem | calibration names (left out) | false-block | false-warn |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, eco := range policy.Ecosystems() {
		if a := byEco[eco]; a != nil {
			fmt.Fprintf(w, "| %s | %d | %s (%d) | %s (%d) |\n", eco, a.n,
				pct(ratio(a.block, a.n)), a.block, pct(ratio(a.warn, a.n)), a.warn)
		}
	}
	fmt.Fprintln(w, "\n| family | false-block | false-warn |\n|---|---:|---:|")
	keys := make([]string, 0, len(byFam))
	for k := range byFam {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "| %s | %d | %d |\n", k, byFam[k].block, byFam[k].warn)
	}
	if !verbose {
		return
	}
	fmt.Fprintln(w)
	for _, o := range outs {
		if o.Verdict != policy.Allow {
			fmt.Fprintf(w, "FP %-5s %-4s %-36s → %s (%s)\n", o.Verdict, o.Eco, o.Name, o.Match.Target, o.Match.Family)
		}
	}
}
