package scanner

import (
	"bytes"
	"regexp"
	"strings"
)

// An inline suppression: `# vigil-ignore: SEC-001[, AUTH-005] -- reason` (or
// `//`) on the finding's line or the line before. A reason is required; a
// suppression without one is not applied and is itself reported (SUP-001).
var suppressionRE = regexp.MustCompile(`(?:#|//|/\*|<!--)[^\n]*?\bvigil-ignore(?:\[|:)\s*([A-Za-z]+-\d+(?:\s*,\s*[A-Za-z]+-\d+)*)\s*\]?\s*(?:(?:--|—|:)\s*(.*?))?\s*(?:\*/|-->)?\s*$`)

type suppression struct {
	line   int
	rules  []string
	reason string
}

type fileSuppressions struct {
	byLine map[int][]suppression // keyed by the line(s) a suppression covers
	all    []suppression
}

// parseSuppressions finds the vigil-ignore comments of a file (nil when
// there are none). It is a textual scan: cheap, and it works in every file
// type the scanner reads (code, YAML, .env, requirements).
func parseSuppressions(f *File) *fileSuppressions {
	if !bytes.Contains(f.Content, []byte("vigil-ignore")) { // most files: no copy of the content
		return nil
	}
	fs := &fileSuppressions{byLine: map[int][]suppression{}}
	for i, line := range strings.Split(string(f.Content), "\n") {
		if !strings.Contains(line, "vigil-ignore") {
			continue
		}
		m := suppressionRE.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		s := suppression{line: i + 1, reason: strings.TrimSpace(m[2])}
		for _, id := range strings.Split(m[1], ",") {
			s.rules = append(s.rules, strings.ToUpper(strings.TrimSpace(id)))
		}
		fs.all = append(fs.all, s)
		fs.byLine[i+1] = append(fs.byLine[i+1], s)
		fs.byLine[i+2] = append(fs.byLine[i+2], s)
	}
	if len(fs.all) == 0 {
		return nil
	}
	return fs
}

// applySuppressions marks suppressed findings and reports reasonless
// suppressions.
func applySuppressions(fs []Finding, sup map[string]*fileSuppressions, proj *Project) []Finding {
	for i := range fs {
		s := sup[fs[i].Path]
		if s == nil || fs[i].Line == 0 {
			continue
		}
		for _, c := range s.byLine[fs[i].Line] {
			if c.reason == "" || !contains(c.rules, fs[i].Rule) {
				continue
			}
			fs[i].Suppressed = &Suppression{Kind: "inline", Reason: c.reason, Line: c.line}
			break
		}
	}
	for path, s := range sup {
		for _, c := range s.all {
			if c.reason != "" {
				continue
			}
			fs = append(fs, Finding{
				Rule: SuppressionRule.ID, Severity: SuppressionRule.Severity, Path: path, Line: c.line,
				Message: "vigil-ignore for " + strings.Join(c.rules, ", ") + " gives no reason (add `-- why`); it is not applied",
			})
		}
	}
	_ = proj
	return fs
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
