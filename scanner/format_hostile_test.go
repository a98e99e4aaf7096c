package scanner

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileResult has what a scanned repository controls: file names and
// text quoted from files (package names, imports, suppression reasons)
// carrying terminal escapes, newlines and markdown syntax.
func hostileResult() *Result {
	return &Result{
		Findings: []Finding{
			{Rule: "TST-001", Severity: High, Path: "esc\x1b[2K\x1b[1Ahidden.py", Line: 1, Message: "npm package \x1b]8;;http://evil.example\x07x\x1b]8;;\x07 is bad"},
			{Rule: "TST-001", Severity: High, Path: "new\nline`<b>`.py", Line: 2, Message: "ok",
				Suppressed: &Suppression{Kind: "inline", Reason: "fine\x1b[2J"}},
		},
		Errors: []FileError{{Path: "bad\x1b[31m.py", Message: "read \u009b2J failed \xff"}},
		Notes:  []string{"note with \x1b[8m concealed"},
	}
}

func TestTextAndMarkdownNeutraliseControlCharacters(t *testing.T) {
	for _, f := range []Format{FormatText, FormatMarkdown} {
		var buf bytes.Buffer
		if err := Write(&buf, f, hostileResult(), WriteOptions{IncludeSuppressed: true}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.ContainsAny(out, "\x1b\x07\u009b") || !utf8.ValidString(out) {
			t.Errorf("%s output carries control characters from the repository:\n%q", f, out)
		}
		for _, want := range []string{`esc\x1b[2K\x1b[1Ahidden.py`, `new\nline`, `bad\x1b[31m.py`, `read \u009b2J failed \xff`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s output lacks the escaped form %s:\n%s", f, want, out)
			}
		}
	}
	var md bytes.Buffer
	if err := Write(&md, FormatMarkdown, hostileResult(), WriteOptions{IncludeSuppressed: true}); err != nil {
		t.Fatal(err)
	}
	// The backticks in the file name must not close the code span.
	if !strings.Contains(md.String(), "`` new\\nline`<b>`.py:2 ``") {
		t.Errorf("markdown code span of a name with backticks:\n%s", md.String())
	}
}
