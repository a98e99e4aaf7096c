package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// Outcome is what the index said about one case.
type Outcome struct {
	Case
	Verdict policy.Verdict
	Match   names.Match
}

// Row aggregates outcomes for one ecosystem and family (or "legit").
type Row struct {
	Eco          policy.Ecosystem
	Group        string
	N            int
	Flagged      int // warn or block
	Blocked      int
	FamilyAgrees int
}

// Results holds every outcome and the aggregated table.
type Results struct {
	Outcomes []Outcome
	Rows     []Row
	Totals   map[policy.Ecosystem]*Totals
}

// Totals are the per-ecosystem figures the acceptance gate checks.
type Totals struct {
	Squats, Detected, SquatBlocked int
	// TierSquats and TierBlocked count squats of block-tier targets.
	TierSquats, TierBlocked      int
	Legit, FalseBlock, FalseWarn int
}

// Recall is the share of squats warned or blocked.
func (t Totals) Recall() float64 { return ratio(t.Detected, t.Squats) }

// FalseBlockRate is the share of legitimate names blocked.
func (t Totals) FalseBlockRate() float64 { return ratio(t.FalseBlock, t.Legit) }

// FalseWarnRate is the share of legitimate names warned about.
func (t Totals) FalseWarnRate() float64 { return ratio(t.FalseWarn, t.Legit) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// HoldoutCorpus removes every legitimate dev-set name from the corpus, so
// they are judged as names outside the popular set.
func HoldoutCorpus(c *names.Corpus, cases []Case) *names.Corpus {
	legit := map[policy.Ecosystem]map[string]bool{policy.PyPI: {}, policy.NPM: {}}
	for _, cs := range cases {
		if cs.Label == labelLegit {
			legit[cs.Eco][names.Normalize(cs.Eco, cs.Name)] = true
		}
	}
	keep := func(eco policy.Ecosystem) []names.Entry {
		var out []names.Entry
		for _, e := range c.Entries(eco) {
			if !legit[eco][e.Name] {
				out = append(out, e)
			}
		}
		return out
	}
	return &names.Corpus{PyPI: keep(policy.PyPI), NPM: keep(policy.NPM)}
}

func group(cs Case) string {
	if cs.Label == labelLegit {
		return "legit"
	}
	if !strings.HasPrefix(cs.Source, "generated") {
		return "historical"
	}
	return cs.Family
}

// Run judges every case with the index.
func Run(ix *names.Index, cases []Case) Results {
	res := Results{Totals: map[policy.Ecosystem]*Totals{policy.PyPI: {}, policy.NPM: {}}}
	rows := map[string]*Row{}
	for _, cs := range cases {
		m, ok := ix.Typosquat(cs.Eco, cs.Name)
		v := policy.Allow
		if ok {
			v = policy.Warn
			if m.Confidence == names.High {
				v = policy.Block
			}
		}
		res.Outcomes = append(res.Outcomes, Outcome{cs, v, m})
		g := group(cs)
		key := string(cs.Eco) + "/" + g
		r := rows[key]
		if r == nil {
			r = &Row{Eco: cs.Eco, Group: g}
			rows[key] = r
		}
		r.N++
		if v != policy.Allow {
			r.Flagged++
		}
		if v == policy.Block {
			r.Blocked++
		}
		if ok && m.Family == cs.Family {
			r.FamilyAgrees++
		}
		t := res.Totals[cs.Eco]
		if cs.Label == labelSquat {
			t.Squats++
			if v != policy.Allow {
				t.Detected++
			}
			if v == policy.Block {
				t.SquatBlocked++
			}
			if blockTier(ix, cs.Eco, cs.Target) {
				t.TierSquats++
				if v == policy.Block {
					t.TierBlocked++
				}
			}
		} else {
			t.Legit++
			switch v {
			case policy.Block:
				t.FalseBlock++
			case policy.Warn:
				t.FalseWarn++
			}
		}
	}
	order := append(names.Families(), "historical", "legit")
	for _, r := range rows {
		res.Rows = append(res.Rows, *r)
	}
	slices.SortFunc(res.Rows, func(a, b Row) int {
		if a.Eco != b.Eco {
			return strings.Compare(string(a.Eco), string(b.Eco))
		}
		return slices.Index(order, a.Group) - slices.Index(order, b.Group)
	})
	return res
}

// blockTier reports whether target is in the default block tier.
func blockTier(ix *names.Index, eco policy.Ecosystem, target string) bool {
	rank, monthly, ok := ix.Popular(eco, target)
	if !ok {
		return false
	}
	if eco == policy.PyPI {
		return rank <= names.DefaultPyPIBlockMaxRank
	}
	return monthly >= names.DefaultNPMBlockMinMonthly
}

func pct(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }

// WriteTable prints the results as a Markdown table.
func (res Results) WriteTable(w io.Writer) {
	fmt.Fprintln(w, "| ecosystem | group | n | recall (warn+block) | blocked | family agrees | false-block | false-warn |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range res.Rows {
		if r.Group == "legit" {
			fmt.Fprintf(w, "| %s | legit (held out) | %d | | | | %s | %s |\n", r.Eco, r.N,
				pct(ratio(r.Blocked, r.N)), pct(ratio(r.Flagged-r.Blocked, r.N)))
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | | |\n", r.Eco, r.Group, r.N,
			pct(ratio(r.Flagged, r.N)), pct(ratio(r.Blocked, r.N)), pct(ratio(r.FamilyAgrees, r.N)))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| ecosystem | squats | recall | squats blocked | blocked, block-tier targets | legit | false-block | false-warn |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, eco := range policy.Ecosystems() {
		t := res.Totals[eco]
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s (%d) | %d | %s (%d) | %s (%d) |\n", eco, t.Squats, pct(t.Recall()),
			pct(ratio(t.SquatBlocked, t.Squats)), pct(ratio(t.TierBlocked, t.TierSquats)), t.TierSquats,
			t.Legit, pct(t.FalseBlockRate()), t.FalseBlock, pct(t.FalseWarnRate()), t.FalseWarn)
	}
	fmt.Fprintln(w)
	res.writeFalsePositives(w)
}

// writeFalsePositives breaks the legitimate names that were flagged down by
// the family the index reported.
func (res Results) writeFalsePositives(w io.Writer) {
	type key struct {
		eco policy.Ecosystem
		fam string
	}
	counts := map[key][2]int{} // block, warn
	legit := map[policy.Ecosystem]int{}
	for _, o := range res.Outcomes {
		if o.Label != labelLegit {
			continue
		}
		legit[o.Eco]++
		if o.Verdict == policy.Allow {
			continue
		}
		k := key{o.Eco, o.Match.Family}
		c := counts[k]
		if o.Verdict == policy.Block {
			c[0]++
		} else {
			c[1]++
		}
		counts[k] = c
	}
	fmt.Fprintln(w, "| ecosystem | reported family | false-block | false-warn |")
	fmt.Fprintln(w, "|---|---|---:|---:|")
	for _, eco := range policy.Ecosystems() {
		for _, fam := range names.Families() {
			c, ok := counts[key{eco, fam}]
			if !ok {
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %s (%d) | %s (%d) |\n", eco, fam,
				pct(ratio(c[0], legit[eco])), c[0], pct(ratio(c[1], legit[eco])), c[1])
		}
	}
}

// WriteMisses lists missed squats and flagged legitimate names.
func (res Results) WriteMisses(w io.Writer, limit int) {
	n := 0
	for _, o := range res.Outcomes {
		miss := o.Label == labelSquat && o.Verdict == policy.Allow
		fp := o.Label == labelLegit && o.Verdict != policy.Allow
		if !miss && !fp || n >= limit {
			continue
		}
		n++
		if miss {
			fmt.Fprintf(w, "MISS %s %s (%s of %s)\n", o.Eco, o.Name, o.Family, o.Target)
		} else {
			fmt.Fprintf(w, "FP   %s %s → %s %s (%s)\n", o.Eco, o.Name, o.Verdict, o.Match.Target, o.Match.Family)
		}
	}
}
