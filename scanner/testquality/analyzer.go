package testquality

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/prefilter"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// Options tune the analyzer.
type Options struct {
	// MinAssertions is TEST-002's bar: tests with fewer meaningful
	// assertions are reported (default 1: only tests whose every assertion
	// is trivial).
	MinAssertions int
}

// Analyzer raises the TEST rules. One value serves one scan.
type Analyzer struct {
	opts Options

	mu sync.Mutex
	// helpers are functions defined in test code (conftest, test helpers)
	// that assert: a test calling one asserts through it (one hop).
	helpers map[string]helperFacts
	tests   [][]testFacts // per file
	// bodies: test names some class defines with a real body; an empty
	// test of the same name in a subclass disables the inherited one.
	bodies map[string]bool
	// deferred are files outside tests that define helper-named functions
	// and were not parsed: Finish parses those whose helpers a test calls.
	deferred []deferredFile
}

type deferredFile struct {
	path    string
	lang    treesitter.Lang
	helpers []string
}

type helperFacts struct {
	asserts     bool
	checkStatus bool
	calls       []string // helpers may assert through other helpers
}

// testFacts is what Analyze learns about one test; findings that depend on
// helpers elsewhere are decided in Finish.
type testFacts struct {
	path, name  string
	line, col   int
	inTestFile  bool
	meaningful  int
	trivial     int
	raises      int // conditional raises (if bad: raise TypeError): checks in a test or a check_* helper
	calls       []string
	usesHTTP    bool
	statusCheck bool
	// noErrorIntent: a leading comment or docstring says the test checks
	// that the code runs without an error.
	noErrorIntent bool
	skipped       bool // unconditionally skipped: never runs
	empty         bool // the body is only pass/docstring
	override      bool // defined in a class with a base other than TestCase
}

// New returns a fresh analyzer.
func New(opts Options) *Analyzer {
	if opts.MinAssertions < 1 {
		opts.MinAssertions = 1
	}
	return &Analyzer{opts: opts, helpers: map[string]helperFacts{}, bodies: map[string]bool{}}
}

var _ scanner.Analyzer = (*Analyzer)(nil)
var _ scanner.Finisher = (*Analyzer)(nil)
var _ scanner.TreeFilter = (*Analyzer)(nil)

func (a *Analyzer) Rules() []scanner.RuleInfo { return Rules() }

// Wants every Python and JavaScript/TypeScript file: tests live in test
// files; assertion helpers (check_*, assert*) may live anywhere, for
// example in a test support package.
func (a *Analyzer) Wants(p string) bool {
	return treesitter.LangForPath(p) != treesitter.None
}

// NeedsTree: test files only. Other code may define assertion helpers
// (check_*, assert*) that tests call; Analyze notes such files and Finish
// parses the ones whose helpers some test calls (see loadHelpers).
func (a *Analyzer) NeedsTree(p string, _ []byte) bool {
	return isTestFile(p)
}

// helperDefinitions lists the names of the functions b defines ("def N",
// "function N", "function* N") that helperName accepts: every helper
// the tree walk could find, since it only records functions so named
// outside test files. It reads comments and strings too, which can only
// name more.
func helperDefinitions(lang treesitter.Lang, b []byte) []string {
	kw := []byte("def")
	if lang != treesitter.Python {
		kw = []byte("function")
	}
	var out []string
	for off := 0; ; {
		i := bytes.Index(b[off:], kw)
		if i < 0 {
			return out
		}
		i += off
		off = i + len(kw)
		if i > 0 && prefilter.IsIdentByte(b[i-1]) {
			continue
		}
		j := off
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r' || b[j] == '\\' || (lang != treesitter.Python && b[j] == '*')) {
			j++
		}
		if j == off {
			continue // "define", "defaults", "functions"
		}
		k := j
		for k < len(b) && prefilter.IsIdentByte(b[k]) {
			k++
		}
		if name := string(b[j:k]); name != "" && helperName(name) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
}

// isTestFile: test paths, and test_*.py modules anywhere (pytest collects
// them).
func isTestFile(p string) bool {
	if testInputPath(p) {
		return false
	}
	if scanner.IsTestPath(p) {
		return true
	}
	base := path.Base(p)
	return strings.HasPrefix(base, "test") && strings.HasSuffix(base, ".py")
}

// testInputPath: a file in a data or fixtures directory of a test tree
// (tests/data/grammar.py, test/fixtures/app.js) is input the tests read,
// parse or run, not a test module.
func testInputPath(p string) bool {
	segs := strings.Split(strings.ToLower(path.Dir(p)), "/")
	inTests := false
	for _, seg := range segs {
		switch seg {
		case "test", "tests", "__tests__", "spec", "specs", "testing":
			inTests = true
		case "testdata", "test_data", "__fixtures__":
			return true
		case "data", "fixtures", "fixture":
			if inTests {
				return true
			}
		}
	}
	return false
}

// helperName: in non-test code only functions named like assertion
// helpers count (an invariant assert inside production code is no test
// assertion).
func helperName(name string) bool {
	if strings.HasPrefix(name, "_test") {
		return true // a library's private self-check (enum._test_simple_enum)
	}
	n := strings.ToLower(strings.TrimLeft(name, "_"))
	for _, p := range []string{"assert", "check", "verify", "expect", "ensure", "validate"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

func (a *Analyzer) Analyze(ctx context.Context, f *scanner.File) ([]scanner.Finding, error) {
	if f.Tree == nil {
		if f.ParseErr == nil && !isTestFile(f.Path) {
			if names := helperDefinitions(f.Lang, f.Content); len(names) > 0 {
				a.mu.Lock()
				a.deferred = append(a.deferred, deferredFile{path: f.Path, lang: f.Lang, helpers: names})
				a.mu.Unlock()
			}
		}
		return nil, nil
	}
	fs, _ := a.analyzeTree(f)
	return fs, nil
}

// analyzeTree walks one parsed file and records its facts; it returns the
// file's findings and the helpers it defines.
func (a *Analyzer) analyzeTree(f *scanner.File) ([]scanner.Finding, map[string]helperFacts) {
	var v visitor
	v.file = f
	v.minAssertions = a.opts.MinAssertions
	v.testFile = isTestFile(f.Path)
	if f.Lang == treesitter.Python {
		v.python(f.Tree.Root())
		for i, t := range v.tests {
			// testSendmsg runs the server half, _testSendmsg in the same
			// file the client half on another thread (ThreadableTest).
			if h, ok := v.helpers["_"+t.name]; ok && h.asserts {
				v.tests[i].meaningful++
			}
		}
	} else {
		v.javascript(f.Tree.Root())
	}
	a.mu.Lock()
	for name, h := range v.helpers {
		old := a.helpers[name]
		a.helpers[name] = helperFacts{asserts: old.asserts || h.asserts, checkStatus: old.checkStatus || h.checkStatus, calls: append(old.calls, h.calls...)}
	}
	if len(v.tests) > 0 {
		a.tests = append(a.tests, v.tests)
	}
	for _, t := range v.tests {
		if !t.empty {
			a.bodies[t.name] = true
		}
	}
	a.mu.Unlock()
	return v.findings, v.helpers
}

// Finish decides TEST-001/002/003, which depend on assertion helpers that
// may live in other files.
func (a *Analyzer) Finish(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	out, err := a.loadHelpers(ctx, p)
	if err != nil {
		return nil, err
	}
	a.closeHelpers()
	for _, tests := range a.tests {
		for _, t := range tests {
			out = a.judge(t, out)
		}
	}
	return out, nil
}

// judge appends the findings about one test.
func (a *Analyzer) judge(t testFacts, out []scanner.Finding) []scanner.Finding {
	if t.skipped || t.empty && t.override && a.bodies[t.name] {
		// A skipped test does not run (TEST-006 judges its reason); an
		// empty override disables the test a base class defines.
		return out
	}
	meaningful, status := t.meaningful, t.statusCheck

	if aboutTruth.MatchString(t.name) {
		meaningful, t.trivial = meaningful+t.trivial, 0
	}
	for _, c := range t.calls {
		if mentionsAssert(c) {
			// judged where it is called (assertTrue(x) is trivial
			// whatever unittest's own assertTrue does)
			continue
		}
		if h, ok := a.helpers[c]; ok {
			if h.asserts {
				meaningful++
			}
			status = status || h.checkStatus
		}
	}
	at := func(r scanner.RuleInfo, msg string) scanner.Finding {
		return scanner.Finding{Rule: r.ID, Severity: r.Severity, Path: t.path, Line: t.line, Column: t.col,
			EndLine: t.line, EndColumn: t.col + len(t.name), Message: msg}
	}
	switch {
	case meaningful == 0 && t.trivial == 0 && t.statesNoErrorIntent():
		// "test_close_does_not_raise", "test_issue123_crash": the test's
		// stated intent is that the code runs without an error.
	case meaningful == 0 && t.trivial == 0:
		out = append(out, at(NoAssertions, fmt.Sprintf("test %s asserts nothing: it passes unless the code raises", t.name)))
	case meaningful == 0:
		out = append(out, at(TrivialAssertions, fmt.Sprintf("test %s has only trivial assertions (%d): none can fail on a wrong result", t.name, t.trivial)))
	case meaningful < a.opts.MinAssertions:
		out = append(out, at(TrivialAssertions, fmt.Sprintf("test %s has %d meaningful assertion(s), fewer than the %d required", t.name, meaningful, a.opts.MinAssertions)))
	}
	if t.usesHTTP && !status && meaningful+t.trivial > 0 {
		out = append(out, at(NoStatusCheck, fmt.Sprintf("test %s calls an HTTP endpoint but never checks the response status", t.name)))
	}
	return out
}

// statesNoErrorIntent: the test's comments or docstring, its name or the
// name of a helper it calls (self.do_test_no_exception(...)) say that it
// checks the code runs without an error.
func (t *testFacts) statesNoErrorIntent() bool {
	if t.noErrorIntent || doesNotRaise.MatchString(t.name) {
		return true
	}
	for _, c := range t.calls {
		if !mentionsAssert(c) && strings.Contains(c, "_") && doesNotRaise.MatchString(c) {
			return true
		}
	}
	return false
}

// closeHelpers propagates "asserts" and "checks status" through helpers
// that call other helpers (check_response → assert_status → assert).
func (a *Analyzer) closeHelpers() {
	// Propagate along reversed call edges from the helpers that assert or
	// check a status: each name is looked up once (a fixpoint loop over
	// the map looked every call up again on each pass).
	names := make([]string, 0, len(a.helpers))
	index := make(map[string]int32, len(a.helpers))
	for name := range a.helpers {
		index[name] = int32(len(names))
		names = append(names, name)
	}
	facts := make([]helperFacts, len(names))
	callers := make([][]int32, len(names))
	for i, name := range names {
		h := a.helpers[name]
		facts[i] = h
		for _, c := range h.calls {
			if j, ok := index[c]; ok && c != name {
				callers[j] = append(callers[j], int32(i))
			}
		}
	}
	var work []int32
	for i, h := range facts {
		if h.asserts || h.checkStatus {
			work = append(work, int32(i))
		}
	}
	for len(work) > 0 {
		j := work[len(work)-1]
		work = work[:len(work)-1]
		o := facts[j]
		for _, i := range callers[j] {
			h := &facts[i]
			if (o.asserts && !h.asserts) || (o.checkStatus && !h.checkStatus) {
				h.asserts = h.asserts || o.asserts
				h.checkStatus = h.checkStatus || o.checkStatus
				work = append(work, i)
			}
		}
	}
	for i, name := range names {
		if h := a.helpers[name]; h.asserts != facts[i].asserts || h.checkStatus != facts[i].checkStatus {
			a.helpers[name] = facts[i]
		}
	}
}

// mentionsAssert is strings.Contains(strings.ToLower(name), "assert")
// without the copy: only ASCII letters lower-case to the letters of
// "assert" (the two other runes that lower-case to ASCII give k and i), so
// an ASCII case fold answers the same.
func mentionsAssert(name string) bool {
	const w = "assert"
	for i := 0; i+len(w) <= len(name); i++ {
		j := 0
		for j < len(w) && prefilter.Lower(name[i+j]) == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

// doesNotRaise matches test names that state a no-error intent.
// Every match holds one of the second group's words, smoke or fuzz.
var doesNotRaise = guarded(`(?i)(no|not|never|shouldnt|doesnt|dont|wont|without|cannot)[ _]?(raise|crash|error|fail|throw|segfault|leak|hang|exception)|smoke|crash|segfault|fuzz`,
	"raise", "crash", "error", "fail", "throw", "segfault", "leak", "hang", "exception", "smoke", "fuzz")

// aboutTruth: a test of truthiness itself (test_more_bool,
// test_nonzero): its truthiness assertions are the point.
var aboutTruth = guarded(`(?i)bool|truth|nonzero`, "bool", "truth", "nonzero")

// noErrorIntent matches comments and docstrings that state the same intent
// ("used to crash", "should not raise", "no-op").
// Every match holds one of the words of the pre-test: each alternative ends
// in one of them (raising, raised and raise share "rais"; thrown holds
// "throw"; crashing "crash"; "blow up" holds "blow").
var noErrorIntent = guarded(`(?i)crash|segfault|(should|does|do|must|will|can|did) ?(n[o']t|never) (cause|raise|fail|throw|error|hang|blow up)|(won'?t|will not) (cause|raise|fail|throw|error|crash)|no (errors?|exceptions?) (is |are |was |were )?(thrown|raised)|not (cause|throw|raise) (an |any )?(errors?|exceptions?)|no-op|used to (fail|raise|crash|hang|error)|without (an |any )?(error|exception|raising|crashing)|smoke test`,
	"crash", "segfault", "cause", "rais", "fail", "throw", "error", "hang", "blow", "exception", "no-op", "smoke")

// visitor walks one file.
type visitor struct {
	file           *scanner.File
	testFile       bool
	inTest         bool // inside a JS test body
	pyModuleTests  bool // module-level test* functions are collected (pytest)
	pyUnittestOnly bool // unittest runs the module: no nested test classes
	minAssertions  int
	tests          []testFacts
	helpers        map[string]helperFacts
	findings       []scanner.Finding
}

func (v *visitor) addHelper(name string, h helperFacts) {
	if !v.testFile && !helperName(name) {
		return
	}
	if v.helpers == nil {
		v.helpers = map[string]helperFacts{}
	}
	old := v.helpers[name]
	v.helpers[name] = helperFacts{asserts: old.asserts || h.asserts, checkStatus: old.checkStatus || h.checkStatus, calls: append(old.calls, h.calls...)}
}

func (v *visitor) finding(r scanner.RuleInfo, n treesitter.Node, msg string) {
	v.findings = append(v.findings, v.file.At(r, n, msg))
}

// commentNear reports whether the line of n or the line before holds a
// comment with some words (a reason for frameworks without a reason
// argument).
func (v *visitor) commentNear(n treesitter.Node) bool {
	for _, l := range []int{n.Line(), n.Line() - 1} {
		text := v.file.Line(l)
		i := strings.Index(text, "//")
		if j := strings.Index(text, "#"); v.file.Lang == treesitter.Python && j >= 0 {
			i = j
		}
		if j := strings.Index(text, "/*"); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			continue
		}
		c := strings.Trim(text[i:], "/#* \t")
		if len(strings.Fields(c)) >= 2 && !strings.Contains(c, "vigil-ignore") {
			return true
		}
	}
	return false
}

// lastName is the final identifier of a dotted expression ("a.b.c" → "c").
func lastName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, ".>"); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// loadHelpers parses the deferred files that define a helper some test
// calls — directly, or through a helper loaded before — and records their
// facts, as if the engine had parsed them. Most files outside tests that
// define a check_* or validate_* function are library code no test reaches
// through that name; they are never parsed for the TEST rules.
func (a *Analyzer) loadHelpers(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	// needed holds the helper names the deferred files define; a name is
	// set once some test or loaded helper calls it.
	needed := map[string]bool{}
	for _, d := range a.deferred {
		for _, n := range d.helpers {
			needed[n] = false
		}
	}
	if len(needed) == 0 {
		return nil, nil
	}
	call := func(c string) {
		if _, ok := needed[c]; ok {
			needed[c] = true
		}
	}
	for _, tests := range a.tests {
		for _, t := range tests {
			for _, c := range t.calls {
				// Finish judges a test's own assert* calls where they
				// are called, whatever the callee does: only other
				// names count.
				if !mentionsAssert(c) {
					call(c)
				}
			}
		}
	}
	for _, h := range a.helpers {
		for _, c := range h.calls {
			call(c)
		}
	}
	var parser *treesitter.Parser
	defer func() {
		if parser != nil {
			parser.Close()
		}
	}()
	var out []scanner.Finding
	loaded := make([]bool, len(a.deferred))
	for changed := true; changed; {
		changed = false
		for i, d := range a.deferred {
			if loaded[i] || !slices.ContainsFunc(d.helpers, func(n string) bool { return needed[n] }) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			loaded[i], changed = true, true
			content, err := p.ReadFile(d.path)
			if err != nil {
				continue // changed or gone since the walk: its helpers are unknown, as for any unparsable file
			}
			if parser == nil {
				parser = treesitter.NewParser()
			}
			tree, err := parser.Parse(ctx, d.lang, content)
			if err != nil {
				continue
			}
			fs, helpers := a.analyzeTree(&scanner.File{Path: d.path, Content: content, Lang: d.lang, Tree: tree, Test: scanner.IsTestPath(d.path), Project: p})
			out = append(out, fs...)
			tree.Close()
			// The file's helpers may be new names or merge into known
			// ones: either way their calls are the only new ones.
			for _, h := range helpers {
				for _, c := range h.calls {
					call(c)
				}
			}
		}
	}
	return out, nil
}
