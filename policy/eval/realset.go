package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// RealCase is one documented typosquat from testdata/real.tsv: a name that
// was published as an attack from 2021 on, the package it imitated, and
// the public report (advisory ID or vendor write-up) that documents it.
type RealCase struct {
	Eco      policy.Ecosystem
	Name     string
	Target   string
	Reported string // year or year-month of the report
	Source   string
	Row      int // 1-based data row in real.tsv (collections are told apart by row)
}

// firstCollectionRows is the number of rows of the first collection of
// real.tsv (frozen before any tuning); later rows come from the second
// collection, whose rule RESULTS.md states. Figures are reported for each.
const firstCollectionRows = 85

// collection names the collection a case belongs to, and for the second
// one whether its source named the imitated project or the name rule did.
func (c RealCase) collection() string {
	switch {
	case c.Row <= firstCollectionRows:
		return "first collection"
	case strings.Contains(c.Source, "target not named"):
		return "second, target by the name rule"
	}
	return "second, target named by the source"
}

// ReadRealSet parses testdata/real.tsv (header "ecosystem name target
// reported source").
func ReadRealSet(r io.Reader) ([]RealCase, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	var out []RealCase
	line, row := 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 || text == "" {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("read real set: line %d: want 5 fields, got %d", line, len(f))
		}
		eco, err := policy.ParseEcosystem(f[0])
		if err != nil {
			return nil, fmt.Errorf("read real set: line %d: %w", line, err)
		}
		if f[1] == "" || f[2] == "" || f[4] == "" {
			return nil, fmt.Errorf("read real set: line %d: name, target and source are required", line)
		}
		if y, err := strconv.Atoi(f[3][:min(4, len(f[3]))]); err != nil || y < 2021 {
			return nil, fmt.Errorf("read real set: line %d: reported %q is not 2021 or later", line, f[3])
		}
		row++
		out = append(out, RealCase{eco, f[1], f[2], f[3], f[4], row})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read real set: %w", err)
	}
	return out, nil
}

// LegitName is a legitimate package sampled for the false-positive
// measurement, with the popularity it had in the package lists.
type LegitName struct {
	Eco     policy.Ecosystem
	Name    string
	Monthly int64 // npm downloads a month (0 for PyPI)
	Rank    int   // PyPI rank among the top 15,000 (0 for npm)
}

// Legit sample bounds: "mid-popularity" names, the band where a brand-new
// legitimate package lives once it is adopted.
const (
	legitNPMMin     = 2_000
	legitNPMMax     = 40_000
	legitPyPIMin    = 5_001
	legitPyPIMax    = 15_000
	legitPerEco     = 3_000
	legitSampleSeed = 20261206
)

// SampleLegit draws legitimate names from the package lists
// (/work/.library/env/packages/{npm,pypi}.tsv: npm "name version
// downloads_a_month summary", PyPI "name version month rank summary").
// npm: 2k–40k downloads a month; PyPI: ranks 5,001–15,000. npm security
// placeholders (0.0.1-security) are removed malware and never legitimate.
func SampleLegit(npmTSV, pypiTSV io.Reader) ([]LegitName, error) {
	var npm, pypi []LegitName
	err := eachRow(npmTSV, func(f []string) {
		if len(f) < 3 || f[1] == "0.0.1-security" {
			return
		}
		n, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || n < legitNPMMin || n >= legitNPMMax {
			return
		}
		npm = append(npm, LegitName{Eco: policy.NPM, Name: names.Normalize(policy.NPM, f[0]), Monthly: n})
	})
	if err != nil {
		return nil, fmt.Errorf("sample npm: %w", err)
	}
	err = eachRow(pypiTSV, func(f []string) {
		if len(f) < 4 || f[3] == "" {
			return
		}
		r, err := strconv.Atoi(f[3])
		if err != nil || r < legitPyPIMin || r > legitPyPIMax {
			return
		}
		pypi = append(pypi, LegitName{Eco: policy.PyPI, Name: names.Normalize(policy.PyPI, f[0]), Rank: r})
	})
	if err != nil {
		return nil, fmt.Errorf("sample pypi: %w", err)
	}
	rng := rand.New(rand.NewPCG(legitSampleSeed, 2))
	pick := func(all []LegitName) []LegitName {
		slices.SortFunc(all, func(a, b LegitName) int { return strings.Compare(a.Name, b.Name) })
		all = slices.CompactFunc(all, func(a, b LegitName) bool { return a.Name == b.Name })
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		all = all[:min(legitPerEco, len(all))]
		slices.SortFunc(all, func(a, b LegitName) int { return strings.Compare(a.Name, b.Name) })
		return all
	}
	return append(pick(pypi), pick(npm)...), nil
}

func eachRow(r io.Reader, fn func(f []string)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		fn(strings.Split(sc.Text(), "\t"))
	}
	return sc.Err()
}

// WriteLegit writes the sample as TSV "ecosystem name monthly rank".
func WriteLegit(w io.Writer, ls []LegitName) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "ecosystem\tname\tmonthly\trank")
	for _, l := range ls {
		fmt.Fprintf(bw, "%s\t%s\t%d\t%d\n", l.Eco, l.Name, l.Monthly, l.Rank)
	}
	return bw.Flush()
}

// ReadLegit parses the file WriteLegit writes.
func ReadLegit(r io.Reader) ([]LegitName, error) {
	var out []LegitName
	var bad error
	line := 1
	err := eachRow(r, func(f []string) {
		line++
		if bad != nil {
			return
		}
		if len(f) != 4 {
			bad = fmt.Errorf("read legit: line %d: want 4 fields", line)
			return
		}
		eco, err := policy.ParseEcosystem(f[0])
		m, err2 := strconv.ParseInt(f[2], 10, 64)
		rk, err3 := strconv.Atoi(f[3])
		if err != nil || err2 != nil || err3 != nil || f[1] == "" {
			bad = fmt.Errorf("read legit: line %d: bad row", line)
			return
		}
		out = append(out, LegitName{eco, f[1], m, rk})
	})
	if err != nil {
		return nil, fmt.Errorf("read legit: %w", err)
	}
	return out, bad
}

// LeaveOut returns the corpus without every legitimate name of the sample,
// so each is judged as a brand-new package would be: a name in the corpus
// is exempt by construction, which would make the false-positive rate
// meaningless. Removing the whole sample at once is equivalent to removing
// each name alone except that sample names cannot vouch for each other,
// which only makes the measurement stricter.
func LeaveOut(c *names.Corpus, legit []LegitName) *names.Corpus {
	drop := map[policy.Ecosystem]map[string]bool{policy.PyPI: {}, policy.NPM: {}}
	for _, l := range legit {
		drop[l.Eco][names.Normalize(l.Eco, l.Name)] = true
	}
	return c.Without(func(eco policy.Ecosystem, name string) bool { return drop[eco][name] })
}
