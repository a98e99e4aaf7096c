package scanner

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
)

var severityColor = map[Severity]string{
	Critical: "\x1b[1;31m", High: "\x1b[31m", Medium: "\x1b[33m", Low: "\x1b[36m", Info: "\x1b[2m",
}

func writeText(w io.Writer, res *Result, o WriteOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	fs := listed(res, o)
	cur := "\x00"
	for _, f := range fs {
		if f.Path != cur {
			if cur != "\x00" {
				fmt.Fprintln(bw)
			}
			cur = f.Path
			name := printable(f.Path)
			if name == "" {
				name = "(project)"
			}
			fmt.Fprintln(bw, paint(ansiBold, name))
		}
		pos := "-"
		if f.Line > 0 {
			pos = fmt.Sprintf("%d", f.Line)
			if f.Column > 0 {
				pos += fmt.Sprintf(":%d", f.Column)
			}
		}
		sev := fmt.Sprintf("%-8s", f.Severity)
		fmt.Fprintf(bw, "  %-7s %s %-8s %s", pos, paint(severityColor[f.Severity], sev), f.Rule, printable(f.Message))
		if f.Suppressed != nil {
			fmt.Fprint(bw, paint(ansiDim, fmt.Sprintf(" [suppressed: %s]", printable(suppressionText(f.Suppressed)))))
		}
		fmt.Fprintln(bw)
	}
	if o.Quiet {
		return bw.Flush()
	}
	if len(fs) > 0 {
		fmt.Fprintln(bw)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(bw, paint(ansiDim, "note: "+printable(n)))
	}
	if len(res.Errors) > 0 {
		fmt.Fprintf(bw, "%s\n", paint(ansiDim, fmt.Sprintf("%s not fully scanned:", plural(len(res.Errors), "file", "files"))))
		for i, e := range res.Errors {
			if i == 20 {
				fmt.Fprintf(bw, "  … and %d more (use -f json for the full list)\n", len(res.Errors)-20)
				break
			}
			p := e.Path
			if p == "" {
				p = "(scan)"
			}
			fmt.Fprintf(bw, "  %s: %s\n", printable(p), printable(e.Message))
		}
	}
	fmt.Fprintln(bw, summaryLine(res, o))
	return bw.Flush()
}

// summaryLine: "3 findings (1 critical, 2 high) in 42 files (1.2 MB), 0.35s; fail-on high: failed".
func summaryLine(res *Result, o WriteOptions) string {
	active := res.Active()
	s := plural(len(active), "finding", "findings")
	if c := countsLine(res.Counts()); c != "" {
		s += " (" + c + ")"
	}
	if n := suppressedCount(res); n > 0 {
		s += fmt.Sprintf(", %d suppressed", n)
	}
	s += fmt.Sprintf(" in %s (%s), %s", plural(res.Stats.Files, "file", "files"), humanBytes(res.Stats.Bytes), res.Stats.Duration.Round(time.Millisecond))
	verdict := "passed"
	if res.Failed(o.FailOn) {
		verdict = "failed"
	}
	return s + fmt.Sprintf("; fail-on %s: %s", o.FailOn, verdict)
}

func suppressionText(s *Suppression) string {
	if s.Kind == "baseline" {
		return "baseline"
	}
	return s.Reason
}
