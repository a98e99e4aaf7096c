package scanner_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/auth"
	"github.com/vigil-proxy/vigil-proxy/scanner/secrets"
	"github.com/vigil-proxy/vigil-proxy/scanner/testquality"
)

// thirdPartyDir holds reduced files of public third-party repositories,
// labelled by hand (testdata/thirdparty/README.md).
const thirdPartyDir = "testdata/thirdparty"

// corpusLabel is one line of testdata/thirdparty/LABELS.
type corpusLabel struct {
	path    string // "" for a project-level finding
	project string // the application directory a project-level finding names
	line    int    // 0 for a trap ("none")
	rule    string
	miss    string // documented known miss: why the scan does not report it
	lineNo  int    // line in LABELS, for messages
}

func readCorpusLabels(t *testing.T) []corpusLabel {
	t.Helper()
	fh, err := os.Open(filepath.Join(thirdPartyDir, "LABELS"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []corpusLabel
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) < 3 {
			t.Fatalf("LABELS:%d: want <location>\\t<rule>\\t<reason>[\\tmiss: <cause>], got %q", n, text)
		}
		l := corpusLabel{rule: cols[1], lineNo: n}
		if len(cols) > 3 {
			cause, ok := strings.CutPrefix(cols[3], "miss:")
			if !ok || strings.TrimSpace(cause) == "" {
				t.Fatalf("LABELS:%d: the fourth column must be \"miss: <cause>\", got %q", n, cols[3])
			}
			l.miss = strings.TrimSpace(cause)
		}
		loc := cols[0]
		if p, ok := strings.CutPrefix(loc, "project:"); ok {
			l.project = p
		} else {
			file, line, ok := strings.Cut(loc, ":")
			if !ok {
				t.Fatalf("LABELS:%d: location %q has no line", n, loc)
			}
			l.path = file
			if line != "none" {
				if l.line, err = strconv.Atoi(line); err != nil || l.line <= 0 {
					t.Fatalf("LABELS:%d: bad line %q", n, line)
				}
			}
			if _, err := os.Stat(filepath.Join(thirdPartyDir, filepath.FromSlash(file))); err != nil {
				t.Fatalf("LABELS:%d: %v", n, err)
			}
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestThirdPartyCorpus runs the AUTH and TEST rules, wired as the CLI wires
// them, over the labelled third-party corpus: every finding must be
// labelled, every labelled finding reported (unless LABELS documents it as
// a known miss), and no trap may fire. The per-rule precision and recall
// are logged (go test -v -run ThirdPartyCorpus).
func TestThirdPartyCorpus(t *testing.T) {
	labels := readCorpusLabels(t)
	cfg := &scanner.Config{}
	sec, err := secrets.New(secrets.OptionsFromConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	analyzers := []scanner.Analyzer{
		testquality.New(testquality.Options{MinAssertions: 1}),
		sec,
		auth.New(auth.Options{Config: cfg, KnownPublic: sec.KnownPublic}),
	}
	res, err := scanner.Scan(context.Background(), scanner.Options{Root: thirdPartyDir, Config: cfg, Analyzers: analyzers, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		if !strings.Contains(e.Message, "skipped") {
			t.Errorf("file error %s: %s", e.Path, e.Message)
		}
	}
	var got []scanner.Finding
	for _, f := range res.Active() {
		if strings.HasPrefix(f.Rule, "AUTH-") || strings.HasPrefix(f.Rule, "TEST-") {
			got = append(got, f)
		}
	}

	type tally struct{ tp, fp, fn, known int }
	perRule := map[string]*tally{}
	count := func(rule string) *tally {
		if perRule[rule] == nil {
			perRule[rule] = &tally{}
		}
		return perRule[rule]
	}
	matched := make([]bool, len(got))
	for _, l := range labels {
		if l.path != "" && l.line == 0 {
			continue // traps are judged once the labelled findings are matched
		}
		found := -1
		for i, f := range got {
			if f.Rule != l.rule || matched[i] {
				continue
			}
			if l.project != "" && f.Path == "" && strings.Contains(f.Message, "in "+l.project+"/") ||
				l.path != "" && f.Path == l.path && f.Line == l.line {
				found = i
				break
			}
		}
		c := count(l.rule)
		switch {
		case found >= 0 && l.miss != "":
			matched[found] = true
			c.tp++
			t.Errorf("LABELS:%d: %s at %s is now reported; drop its \"miss:\" note", l.lineNo, l.rule, labelLocation(l))
		case found >= 0:
			matched[found] = true
			c.tp++
		case l.miss != "":
			c.fn++
			c.known++
		default:
			c.fn++
			t.Errorf("LABELS:%d: %s at %s not reported", l.lineNo, l.rule, labelLocation(l))
		}
	}
	for _, l := range labels {
		if l.path == "" || l.line != 0 {
			continue
		}
		// a trap: the rule must stay silent in this file (but for the
		// findings labelled at other lines of it)
		for i, f := range got {
			if !matched[i] && f.Path == l.path && f.Rule == l.rule {
				t.Errorf("LABELS:%d trap: %s fired at %s:%d: %s", l.lineNo, f.Rule, f.Path, f.Line, f.Message)
			}
		}
	}
	for i, f := range got {
		if !matched[i] {
			count(f.Rule).fp++
			t.Errorf("unlabelled finding %s at %s:%d: %s", f.Rule, f.Path, f.Line, f.Message)
		}
	}

	rules := make([]string, 0, len(perRule))
	for r := range perRule {
		rules = append(rules, r)
	}
	slices.Sort(rules)
	var b strings.Builder
	fmt.Fprintf(&b, "rule      TP  FP  FN (known)  precision  recall\n")
	for _, r := range rules {
		c := perRule[r]
		fmt.Fprintf(&b, "%-8s %3d %3d %3d (%d)      %s      %s\n", r, c.tp, c.fp, c.fn, c.known, ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn))
	}
	t.Logf("third-party corpus, %d labels:\n%s", len(labels), b.String())
}

func labelLocation(l corpusLabel) string {
	if l.project != "" {
		return "project " + l.project + "/"
	}
	return fmt.Sprintf("%s:%d", l.path, l.line)
}

func ratio(a, b int) string {
	if b == 0 {
		return "  -  "
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}
