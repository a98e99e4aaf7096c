package scanner

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format is an output format of the scan.
type Format string

const (
	FormatText     Format = "text"
	FormatJSON     Format = "json"
	FormatSARIF    Format = "sarif"
	FormatMarkdown Format = "markdown"
)

// ParseFormat accepts text, json, sarif or markdown (md).
func ParseFormat(v string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "text", "":
		return FormatText, nil
	case "json":
		return FormatJSON, nil
	case "sarif":
		return FormatSARIF, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	}
	return "", fmt.Errorf("unknown format %q (want text, json, sarif or markdown)", v)
}

// WriteOptions tune the writers.
type WriteOptions struct {
	ToolVersion string
	FailOn      FailOn
	// Color enables ANSI colours (text on a terminal).
	Color bool
	// Quiet prints findings only (text): no summary, notes or file errors.
	Quiet bool
	// IncludeSuppressed keeps suppressed findings (marked) in the output;
	// by default they are counted but not listed.
	IncludeSuppressed bool
	// OmitRootURI leaves the scan root's file:// URI out of SARIF, so local
	// paths do not leak into uploaded reports.
	OmitRootURI bool
}

// Write renders a result in the given format.
func Write(w io.Writer, f Format, res *Result, o WriteOptions) error {
	switch f {
	case FormatText:
		return writeText(w, res, o)
	case FormatJSON:
		return writeJSON(w, res, o)
	case FormatSARIF:
		return writeSARIF(w, res, o)
	case FormatMarkdown:
		return writeMarkdown(w, res, o)
	}
	return fmt.Errorf("unknown format %q", f)
}

// listed returns the findings a writer shows.
func listed(res *Result, o WriteOptions) []Finding {
	if o.IncludeSuppressed {
		return res.Findings
	}
	return res.Active()
}

func suppressedCount(res *Result) int {
	n := 0
	for _, f := range res.Findings {
		if f.Suppressed != nil {
			n++
		}
	}
	return n
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// countsLine is "2 critical, 1 high" (severities with findings, most severe
// first), or "" when there are none.
func countsLine(c map[Severity]int) string {
	var parts []string
	for s := Critical; s >= Info; s-- {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

func location(f Finding) string {
	switch {
	case f.Path == "":
		return "(project)"
	case f.Line == 0:
		return f.Path
	}
	return fmt.Sprintf("%s:%d", f.Path, f.Line)
}

// printable escapes what a scanned repository could use to rewrite a
// terminal or a rendered report: control characters (ANSI and OSC
// sequences, newlines in file names) and invalid UTF-8 are shown as Go
// escapes (\x1b, \n, \u009b, \xff), everything else is kept as it is.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// codeSpan is a markdown code span holding s verbatim: its backtick fence is
// longer than any run of backticks inside s.
func codeSpan(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if longest == 0 {
		return "`" + s + "`"
	}
	fence := strings.Repeat("`", longest+1)
	return fence + " " + s + " " + fence
}
