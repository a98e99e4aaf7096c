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

// Case is one dev-set row.
type Case struct {
	Eco    policy.Ecosystem
	Name   string
	Label  string // "squat" or "legit"
	Family string // expected family for squats
	Target string
	Source string
}

const (
	labelSquat = "squat"
	labelLegit = "legit"
)

// Holdout cut-offs: legitimate names are taken from below them and removed
// from the index the evaluation runs against.
const (
	pypiHoldoutRank     = 12000  // PyPI ranks 12001..15000 are held out
	npmHoldoutMin       = 40_000 // npm 40k–47k downloads a month are held out
	npmHoldoutMax       = 47_000
	devTargetPyPIRank   = 5000
	devTargetNPMMonthly = 2_000_000
	perFamily           = 120 // generated squats per ecosystem and family
	devSeed             = 20261121
)

// historical lists typosquats documented in public reports. Only cases we
// are confident were real are listed; djanga, electorn and loadsh were left
// out because their reports could not be confirmed offline.
func historical() []Case {
	sk := "SK-CSIRT advisory skcsirt-sa-20170909-pypi, listed in pyupio/safety-db#2254"
	du := "dateutil/dateutil#984 and jamesturk/jellyfish#126 (2019-12-01: python3-dateutil imports the malicious jeIlyfish)"
	npmBlog := "npm blog 2017-08-02 'crossenv malware on the npm registry' (user hacktask); scottlogic.com 2018-02-27"
	return []Case{
		{policy.PyPI, "urlib3", labelSquat, names.FamilyOmission, "urllib3", sk},
		{policy.PyPI, "setup-tools", labelSquat, names.FamilySeparator, "setuptools", sk},
		{policy.PyPI, "python3-dateutil", labelSquat, names.FamilyAffix, "python-dateutil", du},
		{policy.PyPI, "jeIlyfish", labelSquat, names.FamilyHomoglyph, "jellyfish", du},
		{policy.PyPI, "colourama", labelSquat, names.FamilyInsertion, "colorama", "malicious typosquat of colorama aimed at British spellings, cited in IQT Labs, 'pypi-scan: A Tool for Scanning the Python Package Index for Typosquatters' (iqt.org/pypi-scan)"},
		{policy.NPM, "crossenv", labelSquat, names.FamilySeparator, "cross-env", npmBlog},
		{policy.NPM, "cross-env.js", labelSquat, names.FamilyAffix, "cross-env", npmBlog},
		{policy.NPM, "mongose", labelSquat, names.FamilyOmission, "mongoose", npmBlog},
		{policy.NPM, "babelcli", labelSquat, names.FamilySeparator, "babel-cli", npmBlog},
		{policy.NPM, "nodesass", labelSquat, names.FamilySeparator, "node-sass", npmBlog},
		{policy.NPM, "jquery.js", labelSquat, names.FamilyAffix, "jquery", npmBlog},
		{policy.NPM, "gruntcli", labelSquat, names.FamilySeparator, "grunt-cli", npmBlog},
		{policy.NPM, "http-proxy.js", labelSquat, names.FamilyAffix, "http-proxy", npmBlog},
		{policy.NPM, "nodemailer-js", labelSquat, names.FamilyAffix, "nodemailer", npmBlog},
		{policy.NPM, "nodemailer.js", labelSquat, names.FamilyAffix, "nodemailer", npmBlog},
		{policy.NPM, "node-sqlite", labelSquat, names.FamilyAffix, "sqlite", npmBlog},
		{policy.NPM, "mssql-node", labelSquat, names.FamilyAffix, "mssql", npmBlog},
		{policy.NPM, "mssql.js", labelSquat, names.FamilyAffix, "mssql", npmBlog},
	}
}

// Generate assembles the dev set from the corpus: held-out legitimate names,
// generated manipulations of target names for every family, and the
// historical cases.
func Generate(c *names.Corpus) []Case {
	full := map[policy.Ecosystem]map[string]bool{}
	for _, eco := range policy.Ecosystems() {
		full[eco] = map[string]bool{}
		for _, e := range c.Entries(eco) {
			full[eco][e.Name] = true
		}
	}
	var out []Case
	for _, h := range historical() {
		if !full[h.Eco][h.Name] {
			out = append(out, h)
		}
	}
	rng := rand.New(rand.NewPCG(devSeed, 1))
	for _, eco := range policy.Ecosystems() {
		// Squats of a scoped name inside its own scope cannot be published
		// by outsiders, so name families mutate unscoped targets and the
		// scope-confusion family mutates scoped ones.
		var unscoped, scoped []string
		for _, e := range c.Entries(eco) {
			if isEvalTarget(eco, e) {
				if strings.HasPrefix(e.Name, "@") {
					scoped = append(scoped, e.Name)
				} else {
					unscoped = append(unscoped, e.Name)
				}
			}
		}
		for _, fam := range names.Families() {
			targets := unscoped
			if fam == names.FamilyScopeConfusion {
				targets = scoped
			}
			if len(targets) == 0 {
				continue
			}
			seen := map[string]bool{}
			for tries := 0; len(seen) < perFamily && tries < perFamily*200; tries++ {
				t := targets[rng.IntN(len(targets))]
				v, ok := mutate(rng, eco, fam, t)
				if !ok || full[eco][v] || seen[v] || names.Normalize(eco, v) == t {
					continue
				}
				seen[v] = true
				out = append(out, Case{eco, v, labelSquat, fam, t, fmt.Sprintf("generated seed=%d", devSeed)})
			}
		}
		for _, e := range c.Entries(eco) {
			if isHeldOut(eco, e) {
				out = append(out, Case{eco, e.Name, labelLegit, "", "", fmt.Sprintf("snapshot rank %d", e.Rank)})
			}
		}
	}
	return out
}

// isHeldOut selects the dev set's legitimate names: the bottom of the
// popular snapshot (PyPI ranks 12,001–15,000; npm 40,000–47,000 downloads a
// month, the snapshot's former ranks 44,001 on).
func isHeldOut(eco policy.Ecosystem, e names.Entry) bool {
	if eco == policy.PyPI {
		return e.Rank > pypiHoldoutRank && e.Rank <= 15_000
	}
	return e.Monthly >= npmHoldoutMin && e.Monthly < npmHoldoutMax
}

// isEvalTarget selects the targets generated squats imitate: the most
// popular names (PyPI rank ≤ 5,000; npm ≥ 2M downloads a month).
func isEvalTarget(eco policy.Ecosystem, e names.Entry) bool {
	if eco == policy.PyPI {
		return e.Rank > 0 && e.Rank <= devTargetPyPIRank
	}
	return e.Monthly >= devTargetNPMMonthly
}

// WriteDevset writes cases as TSV.
func WriteDevset(w io.Writer, cases []Case) error {
	if _, err := fmt.Fprintln(w, "ecosystem\tname\tlabel\tfamily\ttarget\tsource"); err != nil {
		return err
	}
	for _, c := range cases {
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Eco, c.Name, c.Label, c.Family, c.Target, c.Source); err != nil {
			return err
		}
	}
	return nil
}

// ReadDevset parses the TSV written by WriteDevset.
func ReadDevset(r io.Reader) ([]Case, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read devset: %w", err)
	}
	var out []Case
	for i, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if i == 0 || line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("read devset: line %d: want 6 fields, got %d", i+1, len(f))
		}
		eco, err := policy.ParseEcosystem(f[0])
		if err != nil {
			return nil, fmt.Errorf("read devset: line %d: %w", i+1, err)
		}
		if f[2] != labelSquat && f[2] != labelLegit {
			return nil, fmt.Errorf("read devset: line %d: bad label %q", i+1, f[2])
		}
		out = append(out, Case{eco, f[1], f[2], f[3], f[4], f[5]})
	}
	return out, nil
}

var qwerty = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}

// neighbour returns a keyboard-adjacent letter.
func neighbour(rng *rand.Rand, c byte) byte {
	for r, row := range qwerty {
		i := strings.IndexByte(row, c)
		if i < 0 {
			continue
		}
		var opts []byte
		if i > 0 {
			opts = append(opts, row[i-1])
		}
		if i+1 < len(row) {
			opts = append(opts, row[i+1])
		}
		for _, rr := range []int{r - 1, r + 1} {
			if rr >= 0 && rr < len(qwerty) && i < len(qwerty[rr]) {
				opts = append(opts, qwerty[rr][i])
			}
		}
		return opts[rng.IntN(len(opts))]
	}
	return 'x'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

// letterPos picks a random position of a letter in the package-name part.
func letterPos(rng *rand.Rand, s string) (int, bool) {
	start := 0
	if strings.HasPrefix(s, "@") {
		start = strings.IndexByte(s, '/') + 1
	}
	var pos []int
	for i := start; i < len(s); i++ {
		if isLetter(s[i]) {
			pos = append(pos, i)
		}
	}
	if len(pos) == 0 {
		return 0, false
	}
	return pos[rng.IntN(len(pos))], true
}

func mutate(rng *rand.Rand, eco policy.Ecosystem, fam, t string) (string, bool) {
	scope, name := "", t
	if strings.HasPrefix(t, "@") {
		i := strings.IndexByte(t, '/')
		scope, name = t[:i+1], t[i+1:]
	}
	light := lightLen(t)
	switch fam {
	case names.FamilyTransposition, names.FamilySubstitution, names.FamilyInsertion,
		names.FamilyOmission, names.FamilyRepetition:
		if light < 6 {
			return "", false
		}
		v, ok := edit(rng, fam, t)
		return v, ok && names.EditDistance(t, v) == 1
	case names.FamilyDistance2:
		if light < 9 {
			return "", false
		}
		kinds := []string{names.FamilyTransposition, names.FamilySubstitution, names.FamilyInsertion, names.FamilyOmission}
		v, ok := edit(rng, kinds[rng.IntN(4)], t)
		if !ok {
			return "", false
		}
		v, ok = edit(rng, kinds[rng.IntN(4)], v)
		return v, ok && names.EditDistance(t, v) == 2
	case names.FamilyHomoglyph:
		subs := [][2]string{{"l", "1"}, {"i", "l"}, {"o", "0"}, {"m", "rn"}, {"w", "vv"}, {"l", "i"}}
		rng.Shuffle(len(subs), func(i, j int) { subs[i], subs[j] = subs[j], subs[i] })
		for _, s := range subs {
			if strings.Contains(name, s[0]) {
				return scope + strings.Replace(name, s[0], s[1], 1), true
			}
		}
		return "", false
	case names.FamilySeparator:
		if i := strings.IndexAny(name, "-_."); i > 0 {
			if eco == policy.NPM && rng.IntN(2) == 0 {
				return scope + name[:i] + "_" + name[i+1:], name[i] != '_'
			}
			return scope + name[:i] + name[i+1:], true
		}
		if len(name) < 6 {
			return "", false
		}
		i := 2 + rng.IntN(len(name)-3)
		return scope + name[:i] + "-" + name[i:], true
	case names.FamilyReorder:
		toks := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
		if len(toks) < 2 {
			return "", false
		}
		i := rng.IntN(len(toks) - 1)
		toks[i], toks[i+1] = toks[i+1], toks[i]
		return scope + strings.Join(toks, "-"), true
	case names.FamilyAffix:
		if light < 5 {
			return "", false
		}
		pre := []string{"python-", "py-", "python3-"}
		suf := []string{"-py", "-python"}
		if eco == policy.NPM {
			pre = []string{"js-", "node-"}
			suf = []string{"-js", ".js", "-node"}
		}
		if k := rng.IntN(len(pre) + len(suf)); k < len(pre) {
			return scope + pre[k] + name, true
		} else {
			return scope + name + suf[k-len(pre)], true
		}
	case names.FamilyTruncation:
		// a long name cut short inside its last word
		if light < 9 || strings.ContainsAny(t[len(t)-3:], "-_./") {
			return "", false
		}
		return t[:len(t)-2], true
	case names.FamilyVersionSuffix:
		if light < 5 || (name[len(name)-1] >= '0' && name[len(name)-1] <= '9') {
			return "", false
		}
		sfx := []string{"2", "3", "-v2", "-2", "v2"}
		return t + sfx[rng.IntN(len(sfx))], true
	case names.FamilyScopeConfusion:
		if scope == "" {
			return "", false
		}
		s := strings.Trim(scope, "@/")
		switch rng.IntN(3) {
		case 0: // unscoped copy: "babel-core" for "@babel/core"
			return s + "-" + name, true
		case 1: // repeated letter in the scope: "@typess/node"
			if len(s) < 5 {
				return "", false
			}
			i := rng.IntN(len(s))
			return "@" + s[:i+1] + s[i:] + "/" + name, true
		default: // keyboard typo in the scope
			if len(s) < 5 {
				return "", false
			}
			v, ok := edit(rng, names.FamilySubstitution, s)
			return "@" + v + "/" + name, ok
		}
	}
	return "", false
}

func lightLen(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '-' && c != '_' && c != '.' && c != '@' {
			n++
		}
	}
	return n
}

func edit(rng *rand.Rand, fam, t string) (string, bool) {
	i, ok := letterPos(rng, t)
	if !ok {
		return "", false
	}
	c := t[i]
	switch fam {
	case names.FamilyTransposition:
		if i+1 >= len(t) || !isLetter(t[i+1]) || t[i+1] == c {
			return "", false
		}
		return t[:i] + string(t[i+1]) + string(c) + t[i+2:], true
	case names.FamilySubstitution:
		return t[:i] + string(neighbour(rng, c)) + t[i+1:], true
	case names.FamilyInsertion:
		n := neighbour(rng, c)
		if n == c || (i+1 < len(t) && t[i+1] == n) {
			return "", false
		}
		return t[:i+1] + string(n) + t[i+1:], true
	case names.FamilyOmission:
		return t[:i] + t[i+1:], true
	case names.FamilyRepetition:
		return t[:i] + string(c) + t[i:], true
	}
	return "", false
}

// sortCases orders cases by ecosystem, label, family and name.
func sortCases(cs []Case) {
	slices.SortStableFunc(cs, func(a, b Case) int {
		return strings.Compare(string(a.Eco)+a.Label+a.Family+a.Name, string(b.Eco)+b.Label+b.Family+b.Name)
	})
}
