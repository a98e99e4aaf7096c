package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// RealTotals are the per-ecosystem figures of the honest evaluation.
type RealTotals struct {
	Squats, Flagged, Blocked, RightTarget int
	Legit, FalseBlock, FalseWarn          int
}

// RealResults holds the real-set outcomes.
type RealResults struct {
	Squats []RealOutcome
	Legit  []LegitOutcome
	Totals map[policy.Ecosystem]*RealTotals
}

// RealOutcome is the verdict on one documented typosquat.
type RealOutcome struct {
	RealCase
	Verdict policy.Verdict
	Match   names.Match
}

// LegitOutcome is the verdict on one left-out legitimate name.
type LegitOutcome struct {
	LegitName
	Verdict policy.Verdict
	Match   names.Match
}

func verdictOf(ix *names.Index, eco policy.Ecosystem, name string) (policy.Verdict, names.Match) {
	m, ok := ix.Typosquat(eco, name)
	switch {
	case !ok:
		return policy.Allow, m
	case m.Confidence == names.High:
		return policy.Block, m
	}
	return policy.Warn, m
}

// RunReal judges the documented typosquats with full (the corpus in use)
// and the legitimate names with leftOut (the corpus without them).
func RunReal(full, leftOut *names.Index, squats []RealCase, legit []LegitName) RealResults {
	res := RealResults{Totals: map[policy.Ecosystem]*RealTotals{policy.PyPI: {}, policy.NPM: {}}}
	for _, c := range squats {
		v, m := verdictOf(full, c.Eco, c.Name)
		res.Squats = append(res.Squats, RealOutcome{c, v, m})
		t := res.Totals[c.Eco]
		t.Squats++
		if v != policy.Allow {
			t.Flagged++
			if names.Normalize(c.Eco, m.Target) == names.Normalize(c.Eco, c.Target) {
				t.RightTarget++
			}
		}
		if v == policy.Block {
			t.Blocked++
		}
	}
	for _, l := range legit {
		v, m := verdictOf(leftOut, l.Eco, l.Name)
		res.Legit = append(res.Legit, LegitOutcome{l, v, m})
		t := res.Totals[l.Eco]
		t.Legit++
		switch v {
		case policy.Block:
			t.FalseBlock++
		case policy.Warn:
			t.FalseWarn++
		}
	}
	return res
}

// WriteReal prints the honest evaluation: totals per ecosystem, recall per
// reported family and per target-popularity tier, and (with verbose) every
// squat's verdict and every false positive.
func (res RealResults) WriteReal(w io.Writer, full *names.Index, verbose bool) {
	fmt.Fprintln(w, "| ecosystem | real squats | flagged | blocked | right target | legit (left out) | false-block | false-warn |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, eco := range policy.Ecosystems() {
		t := res.Totals[eco]
		fmt.Fprintf(w, "| %s | %d | %s (%d) | %s (%d) | %d | %d | %s (%d) | %s (%d) |\n", eco, t.Squats,
			pct(ratio(t.Flagged, t.Squats)), t.Flagged, pct(ratio(t.Blocked, t.Squats)), t.Blocked, t.RightTarget,
			t.Legit, pct(ratio(t.FalseBlock, t.Legit)), t.FalseBlock, pct(ratio(t.FalseWarn, t.Legit)), t.FalseWarn)
	}
	type agg struct{ n, flagged, blocked int }
	byFam := map[string]*agg{}
	byTier := map[string]*agg{}
	byColl := map[string]*agg{}
	for _, o := range res.Squats {
		fam := "(missed)"
		if o.Verdict != policy.Allow {
			fam = string(o.Eco) + " " + o.Match.Family
		} else {
			fam = string(o.Eco) + " (missed)"
		}
		tier := string(o.Eco) + " " + targetTier(full, o.Eco, o.Target)
		coll := string(o.Eco) + " " + o.collection()
		for _, k := range []struct {
			m   map[string]*agg
			key string
		}{{byFam, fam}, {byTier, tier}, {byColl, coll}} {
			a := k.m[k.key]
			if a == nil {
				a = &agg{}
				k.m[k.key] = a
			}
			a.n++
			if o.Verdict != policy.Allow {
				a.flagged++
			}
			if o.Verdict == policy.Block {
				a.blocked++
			}
		}
	}
	for _, part := range []struct {
		title string
		m     map[string]*agg
	}{{"collection", byColl}, {"reported family", byFam}, {"target popularity", byTier}} {
		fmt.Fprintf(w, "\n| %s | n | flagged | blocked |\n|---|---:|---:|---:|\n", part.title)
		keys := make([]string, 0, len(part.m))
		for k := range part.m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			a := part.m[k]
			fmt.Fprintf(w, "| %s | %d | %d | %d |\n", k, a.n, a.flagged, a.blocked)
		}
	}
	if !verbose {
		return
	}
	fmt.Fprintln(w)
	for _, o := range res.Squats {
		fmt.Fprintf(w, "%-5s %-4s %-36s target %-34s got %s %s\n", o.Verdict, o.Eco, o.Name, o.Target, o.Match.Target, o.Match.Family)
	}
	for _, o := range res.Legit {
		if o.Verdict != policy.Allow {
			fmt.Fprintf(w, "FP %-5s %-4s %-36s → %s (%s)\n", o.Verdict, o.Eco, o.Name, o.Match.Target, o.Match.Family)
		}
	}
}

// targetTier buckets a target by its popularity in the corpus in use.
func targetTier(ix *names.Index, eco policy.Ecosystem, target string) string {
	rank, monthly, ok := ix.Known(eco, target)
	switch {
	case !ok:
		return "target not in corpus"
	case eco == policy.NPM && monthly < names.DefaultNPMTargetMonthly:
		return "< 10k/month (not a target)"
	case eco == policy.PyPI && rank == 0:
		return "unranked (not a target)"
	case eco == policy.PyPI && rank <= 1000:
		return "rank ≤ 1,000"
	case eco == policy.PyPI && rank <= 5000:
		return "rank 1,001–5,000"
	case eco == policy.PyPI:
		return "rank > 5,000"
	case monthly >= 10_000_000:
		return "≥ 10M/month"
	case monthly >= 2_000_000:
		return "2M–10M/month"
	case monthly >= 1_000_000:
		return "1M–2M/month"
	case monthly >= 100_000:
		return "100k–1M/month"
	}
	return "10k–100k/month"
}
