package scanner

import (
	"bytes"
	"context"
	"path"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// Analyzer raises findings about files. The engine owns traversal, reading,
// parsing, limits and error collection; an analyzer only says which files it
// wants (a cheap path test) and judges the files it receives.
//
// An analyzer value serves one scan: it may keep cross-file facts between
// Analyze calls (guarded by its own mutex: Analyze runs concurrently) and
// report findings that need the whole tree from Finish.
type Analyzer interface {
	// Rules lists the metadata of every rule the analyzer can raise.
	Rules() []RuleInfo
	// Wants reports whether the analyzer wants the file at this
	// slash-separated path relative to the scan root. It must be cheap.
	Wants(path string) bool
	// Analyze judges one file. An error is a per-file problem: it is
	// reported and the scan goes on.
	Analyze(ctx context.Context, f *File) ([]Finding, error)
}

// Preparer is implemented by analyzers that need project facts (other
// files, configuration) before any file is analyzed.
type Preparer interface {
	Prepare(ctx context.Context, p *Project) error
}

// Finisher is implemented by analyzers that raise findings depending on the
// whole tree (cross-file facts, project-level findings) once every file has
// been analyzed.
type Finisher interface {
	Finish(ctx context.Context, p *Project) ([]Finding, error)
}

// TreeFilter is implemented by analyzers that can tell from a file's bytes
// that they have nothing to look for in its syntax tree (no framework
// import, no test function, no secret-like word). When every analyzer that
// wants a code file declines its tree, the file is not parsed at all:
// parsing is most of the scanner's cost. Analyze is still called, with a
// nil Tree.
type TreeFilter interface {
	NeedsTree(path string, content []byte) bool
}

// Noter is implemented by analyzers with scan-wide remarks for the user
// (for example "existence not checked: offline"), asked after Finish.
type Noter interface {
	Notes() []string
}

// File is one file handed to analyzers, already read (and parsed when it is
// Python or JavaScript/TypeScript).
type File struct {
	Path    string // slash-separated, relative to the scan root
	Abs     string
	Content []byte
	Lang    treesitter.Lang
	// Tree is the syntax tree of a code file; nil for other files and for
	// code that could not be parsed (ParseErr says why). Valid only during
	// Analyze: never keep nodes after it returns.
	Tree     *treesitter.Tree
	ParseErr error
	// Test is true for test files and fixtures (test directories, test_*.py,
	// *.test.ts, conftest.py, fixtures/, testdata/ …).
	Test    bool
	Project *Project

	lineStarts []int
}

// LineCol converts a byte offset into a 1-based line and column.
func (f *File) LineCol(off int) (line, col int) {
	f.indexLines()
	lo, hi := 0, len(f.lineStarts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if f.lineStarts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - f.lineStarts[lo] + 1
}

// Line returns the text of 1-based line n without its line ending.
func (f *File) Line(n int) string {
	f.indexLines()
	if n < 1 || n > len(f.lineStarts) {
		return ""
	}
	start := f.lineStarts[n-1]
	end := len(f.Content)
	if n < len(f.lineStarts) {
		end = f.lineStarts[n] - 1
	}
	return string(bytes.TrimRight(f.Content[start:end], "\r"))
}

// LineCount is the number of lines.
func (f *File) LineCount() int {
	f.indexLines()
	return len(f.lineStarts)
}

func (f *File) indexLines() {
	if f.lineStarts != nil {
		return
	}
	starts := make([]int, 1, bytes.Count(f.Content, []byte{'\n'})+1)
	for off := 0; ; {
		i := bytes.IndexByte(f.Content[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		starts = append(starts, off)
	}
	f.lineStarts = starts
}

// At builds a finding of rule at a node's position in this file.
func (f *File) At(rule RuleInfo, n treesitter.Node, msg string) Finding {
	sev := rule.Severity
	return Finding{
		Rule: rule.ID, Severity: sev, Path: f.Path,
		Line: n.Line(), Column: n.Column(), EndLine: n.EndLine(), EndColumn: n.EndColumn(),
		Message: msg,
	}
}

// AtLine builds a finding of rule at a whole line of this file.
func (f *File) AtLine(rule RuleInfo, line int, msg string) Finding {
	fd := Finding{Rule: rule.ID, Severity: rule.Severity, Path: f.Path, Line: line, Message: msg}
	if line > 0 {
		fd.Column, fd.EndLine, fd.EndColumn = 1, line, len(f.Line(line))+1
	}
	return fd
}

// IsTestPath reports whether a slash path is a test file or fixture.
func IsTestPath(p string) bool {
	lp := strings.ToLower(p)
	dir, base := path.Split(lp)
	for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
		switch seg {
		case "test", "tests", "__tests__", "__mocks__", "spec", "specs", "testing",
			"fixtures", "fixture", "testdata", "test_data", "e2e", "cypress", "__fixtures__":
			return true
		}
	}
	switch {
	case strings.HasPrefix(base, "test_") && strings.HasSuffix(base, ".py"),
		strings.HasSuffix(base, "_test.py"), strings.HasSuffix(base, "_tests.py"),
		base == "conftest.py", base == "tests.py":
		return true
	}
	stem := strings.TrimSuffix(base, path.Ext(base))
	return strings.HasSuffix(stem, ".test") || strings.HasSuffix(stem, ".spec") ||
		strings.HasSuffix(stem, "_test") || strings.HasSuffix(stem, "-test")
}
