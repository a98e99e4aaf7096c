package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// JudgeList judges every name of a package list (the env entry's
// packages/ lists: the name is the first field) that the corpus does not
// rank as popular, and counts blocks and warnings per family. On PyPI's
// list, most of the 871k names have no rank and no popularity figure:
// what fires on them is what a proxy would do to an existing, little-used
// project (some of which are squats themselves, so the figure bounds the
// cost of a rule from above).
func JudgeList(ix *names.Index, eco policy.Ecosystem, list io.Reader, w io.Writer, verbose bool) error {
	type agg struct{ block, warn int }
	byFam := map[string]*agg{}
	n := 0
	err := eachRow(list, func(f []string) {
		if len(f) == 0 || f[0] == "" || (eco == policy.NPM && len(f) > 1 && f[1] == "0.0.1-security") {
			return
		}
		if _, _, ok := ix.Popular(eco, f[0]); ok {
			return
		}
		n++
		v, m := verdictOf(ix, eco, f[0])
		if v == policy.Allow {
			return
		}
		a := byFam[m.Family]
		if a == nil {
			a = &agg{}
			byFam[m.Family] = a
		}
		if v == policy.Block {
			a.block++
		} else {
			a.warn++
		}
		if verbose {
			fmt.Fprintf(w, "%-5s %s → %s (%s)\n", v, f[0], m.Target, m.Family)
		}
	})
	if err != nil {
		return fmt.Errorf("judge list: %w", err)
	}
	fams := make([]string, 0, len(byFam))
	tb, tw := 0, 0
	for k, a := range byFam {
		fams = append(fams, k)
		tb += a.block
		tw += a.warn
	}
	slices.Sort(fams)
	fmt.Fprintf(w, "%s list: %d names not popular; blocked %d, warned %d\n\n| family | block | warn |\n|---|---:|---:|\n", eco, n, tb, tw)
	for _, k := range fams {
		fmt.Fprintf(w, "| %s | %d | %d |\n", k, byFam[k].block, byFam[k].warn)
	}
	return nil
}
