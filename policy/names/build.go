package names

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// DefaultNPMTargetMonthly is the smallest monthly download count of an npm
// target in a corpus built from the package lists. Real attacks copy
// packages with thousands of downloads a month (wallet and crypto
// libraries, CLI tools, database drivers), far below the 40,000 floor of
// the popular snapshot; below about a thousand a month a name is rarely
// worth imitating and look-alikes of it are mostly coincidences.
const DefaultNPMTargetMonthly = 10_000

// Lists are the sources BuildCorpus reads; the two snapshot lists are
// required, the full package lists optional.
type Lists struct {
	// PyPITop is the snapshot "rank<TAB>name" (shared data
	// pypi-top15000.tsv), with a header line.
	PyPITop io.Reader
	// NPMTop is the snapshot "name<TAB>downloads_a_month" (shared data
	// npm-top.tsv), with a header line.
	NPMTop io.Reader
	// NPMAll is the full npm list "name<TAB>version<TAB>downloads_a_month
	// <TAB>summary" with a header line. Names whose version is npm's
	// security placeholder (policy.IsNPMSecurityHolding) are removed
	// malware: they enter the corpus as RoleRemoved (never exempt, never a
	// target, and refused offline as MAL-001).
	NPMAll io.Reader
	// PyPIAll is the full PyPI list "name<TAB>version<TAB>month<TAB>rank
	// <TAB>summary" with a header line; ranked names are targets, the
	// others are added as known names without a rank ("known, low") when
	// PyPIKnown is set.
	PyPIAll   io.Reader
	PyPIKnown bool
	// NPMTargetMonthly: npm names with at least this many downloads a
	// month are targets (default DefaultNPMTargetMonthly).
	NPMTargetMonthly int64
}

// BuildCorpus builds a v2 corpus (targets and known names) from the lists.
func BuildCorpus(l Lists) (*Corpus, error) {
	if l.NPMTargetMonthly <= 0 {
		l.NPMTargetMonthly = DefaultNPMTargetMonthly
	}
	base, err := BuildFromTSV(l.PyPITop, l.NPMTop)
	if err != nil {
		return nil, err
	}
	c := &Corpus{PyPI: base.PyPI}
	pypiSeen := make(map[string]bool, len(c.PyPI))
	for _, e := range c.PyPI {
		pypiSeen[e.Name] = true
	}
	if l.PyPIAll != nil {
		err := eachListRow(l.PyPIAll, func(line int, f []string) error {
			if len(f) < 4 {
				return fmt.Errorf("pypi list line %d: want ≥ 4 fields", line)
			}
			name := Normalize(policy.PyPI, f[0])
			if pypiSeen[name] || !validName(policy.PyPI, name) {
				return nil
			}
			pypiSeen[name] = true
			if f[3] != "" {
				rank, err := strconv.Atoi(f[3])
				if err != nil || rank < 1 {
					return fmt.Errorf("pypi list line %d: bad rank %q", line, f[3])
				}
				c.PyPI = append(c.PyPI, Entry{Name: name, Rank: rank})
			} else if l.PyPIKnown {
				c.PyPI = append(c.PyPI, Entry{Name: name, Role: RoleKnown})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sortEntries(c.PyPI)

	monthly := make(map[string]int64, len(base.NPM))
	for _, e := range base.NPM {
		monthly[e.Name] = e.Monthly
	}
	placeholder := map[string]bool{}
	if l.NPMAll != nil {
		err := eachListRow(l.NPMAll, func(line int, f []string) error {
			if len(f) < 3 {
				return fmt.Errorf("npm list line %d: want ≥ 3 fields", line)
			}
			name := Normalize(policy.NPM, f[0])
			if !validName(policy.NPM, name) {
				return nil
			}
			if policy.IsNPMSecurityHolding(f[1]) {
				placeholder[name] = true
				return nil
			}
			if f[2] == "" { // listed without a count: known, popularity unknown
				monthly[name] = max(monthly[name], 0)
				return nil
			}
			n, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("npm list line %d: bad count %q", line, f[2])
			}
			monthly[name] = max(monthly[name], n)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	c.NPM = make([]Entry, 0, len(monthly))
	for name, n := range monthly {
		if placeholder[name] {
			continue
		}
		role := RoleTarget
		if n < l.NPMTargetMonthly {
			role = RoleKnown
		}
		c.NPM = append(c.NPM, Entry{Name: name, Monthly: n, Role: role})
	}
	slices.SortFunc(c.NPM, func(a, b Entry) int {
		if a.Monthly != b.Monthly {
			if a.Monthly > b.Monthly {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	for i := range c.NPM {
		c.NPM[i].Rank = i + 1
	}
	removed := slices.Sorted(maps.Keys(placeholder))
	for _, name := range removed {
		c.NPM = append(c.NPM, Entry{Name: name, Role: RoleRemoved})
	}
	return c, nil
}

// eachListRow calls fn for every data row of a package list (header
// skipped); rows may have more fields than fn needs.
func eachListRow(r io.Reader, fn func(line int, f []string) error) error {
	return eachTSV(r, fn)
}
