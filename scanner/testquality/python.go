package testquality

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

var httpVerbs = map[string]bool{"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true, "options": true, "request": true, "fetch": true}

// trivialPyAssertCalls are unittest/pytest assertion methods that almost
// any result satisfies.
var trivialPyAssertCalls = map[string]bool{"assertIsNotNone": true, "assert_": true}

// python walks a module: module-level test functions, Test* classes and
// unittest.TestCase subclasses; other functions in test files are
// candidate assertion helpers.
func (v *visitor) python(root treesitter.Node) {
	v.pyUnittestOnly = pyUnittestOnly(v.file, root)
	v.pyModuleTests = pyCollectsFunctions(v.file) && !v.pyUnittestOnly
	for _, st := range root.NamedChildren() {
		v.pyStatement(st, pyClass{module: true})
	}
}

// pyClass is where a definition sits: the module, or a class body.
type pyClass struct {
	module bool // a module-level statement
	// test: the class's methods named test* are collected (a Test* class or
	// a TestCase subclass at module level, or nested in a pytest-style
	// Test class).
	test     bool
	testCase bool // derives from a *TestCase (unittest collects no nested classes)
	// inherits: a base other than TestCase/object, so a test method may
	// override an inherited one.
	inherits bool
	skipped  bool // the class carries an unconditional skip
}

// pyCollectsFunctions: pytest collects module-level test functions from
// test_*.py/*_test.py (and tests.py) modules only.
func pyCollectsFunctions(f *scanner.File) bool {
	base := path.Base(f.Path)
	return strings.HasPrefix(base, "test") || strings.HasSuffix(base, "_test.py")
}

// pyUnittestOnly: a module of unittest.TestCase classes that never
// mentions pytest is run by unittest, which collects neither module-level
// functions (there: traced targets, pickling helpers, …) nor nested
// classes.
func pyUnittestOnly(f *scanner.File, root treesitter.Node) bool {
	if bytes.Contains(f.Content, []byte("pytest")) {
		return false
	}
	for _, st := range root.NamedChildren() {
		if st.Kind() == "decorated_definition" {
			st = st.Field("definition")
		}
		if st.Kind() == "class_definition" && strings.Contains(st.Field("superclasses").Text(), "TestCase") {
			return true
		}
	}
	return false
}

// pyStatement visits a module-level statement or a statement of a class
// body; it reports whether a function it defines asserts (a helper class
// whose methods assert is an assertion helper itself).
func (v *visitor) pyStatement(st treesitter.Node, cls pyClass) bool {
	var decorators []treesitter.Node
	def := st
	if st.Kind() == "decorated_definition" {
		for _, c := range st.NamedChildren() {
			if c.Kind() == "decorator" {
				decorators = append(decorators, c)
			}
		}
		def = st.Field("definition")
	}
	for _, d := range decorators {
		v.pySkipDecorator(d)
	}
	switch def.Kind() {
	case "class_definition":
		name := def.Field("name").Text()
		sup := def.Field("superclasses").Text()
		inner := pyClass{testCase: strings.Contains(sup, "TestCase"), skipped: cls.skipped}
		for _, d := range decorators {
			inner.skipped = inner.skipped || pyUnconditionalSkip(d)
		}
		inner.test = strings.HasPrefix(name, "Test") || inner.testCase || strings.Contains(sup, "Test")
		if !cls.module {
			// unittest collects module-level classes only; pytest also
			// collects classes nested in a (non-TestCase) Test class.
			inner.test = inner.test && cls.test && !cls.testCase && !v.pyUnittestOnly
		}
		for _, b := range def.Field("superclasses").NamedChildren() {
			if t := lastName(b.Text()); b.Kind() != "keyword_argument" && t != "TestCase" && t != "object" {
				inner.inherits = true
			}
		}
		asserts := false
		for _, c := range def.Field("body").NamedChildren() {
			asserts = v.pyStatement(c, inner) || asserts
		}
		if asserts && v.testFile && !inner.test {
			// with TracerRun(self) as t: a helper class whose methods
			// assert through the test case it is given checks the test.
			v.addHelper(name+"(self)", helperFacts{asserts: true})
		}
		return false
	case "function_definition":
		name := def.Field("name").Text()
		isFixture, skipped := false, cls.skipped
		for _, d := range decorators {
			if t := d.Text(); strings.Contains(t, "fixture") || strings.Contains(t, "contextmanager") {
				isFixture = true // a fixture or a context manager named test_*
			}
			if pyUnconditionalSkip(d) {
				skipped = true
			}
		}
		isTest := v.testFile && strings.HasPrefix(name, "test") && name != "test" && !isFixture &&
			(cls.test || cls.module && v.pyModuleTests && !pyFirstParamSelf(def)) && !pyReturnsValue(def)
		// A fuzz or crash test ("test_fuzz", "test_crasher_on_windows")
		// swallows the errors it provokes on purpose: only a crash fails it.
		facts, patches := v.pyBody(def, decorators, isTest && !doesNotRaise.MatchString(name))
		for _, d := range decorators {
			if assertingDecorator(d.Text()) {
				facts.meaningful++ // e.g. @jump_test(...), @check_events: the decorator runs the checks
			}
		}
		// A test that asserts is also a helper: tests call other tests
		// (self.test_move_file()) with different arguments.
		asserts := facts.meaningful+facts.trivial > 0 || facts.raises > 0 && helperName(name)
		if isTest {
			facts.meaningful += facts.raises
		}
		v.addHelper(name, helperFacts{asserts: asserts, checkStatus: facts.statusCheck, calls: facts.calls})
		if isTest {
			n := def.Field("name")
			if facts.meaningful+facts.trivial == 0 {
				// The stated intent only matters to a test without
				// assertions of its own: Finish adds the helpers'
				// assertions, it never takes any away.
				facts.noErrorIntent = noErrorIntent.MatchString(leadingText(v.file, def)) || pyCommentsState(def)
			}
			facts.path, facts.name, facts.line, facts.col = v.file.Path, name, n.Line(), n.Column()
			facts.skipped = skipped
			facts.empty = pyEmptyBody(def)
			facts.override = cls.inherits
			v.tests = append(v.tests, facts)
			v.pyCircular(def, patches)
		}
		return asserts
	}
	return false
}

// pyUnconditionalSkip: @unittest.skip(...), @pytest.mark.skip(...): the
// test never runs, so it asserts nothing by design (TEST-006 judges the
// reason).
func pyUnconditionalSkip(d treesitter.Node) bool {
	expr := d.NamedChild(0)
	if expr.Kind() == "call" {
		expr = expr.Field("function")
	}
	t := expr.Text()
	return t == "skip" || strings.HasSuffix(t, "unittest.skip") || strings.HasSuffix(t, "mark.skip")
}

// pyFirstParamSelf: a module-level function taking self is a method
// attached to a class later, not a test function.
func pyFirstParamSelf(def treesitter.Node) bool {
	p := def.Field("parameters").NamedChild(0)
	return p.Kind() == "identifier" && p.Text() == "self"
}

// pyReturnsValue: the function itself (not a nested one) returns a value.
// Test runners ignore or warn about tests that return values (pytest's
// PytestReturnNotNoneWarning, unittest's DeprecationWarning): a test*
// function that returns one is a factory or helper.
func pyReturnsValue(def treesitter.Node) bool {
	found := false
	def.Field("body").Walk(func(n treesitter.Node) bool {
		switch n.Kind() {
		case "function_definition", "class_definition", "lambda":
			return false
		case "return_statement":
			if r := n.NamedChild(0); !r.IsNull() && r.Kind() != "none" {
				found = true
			}
		}
		return !found
	})
	return found
}

// pyEmptyBody: only pass, ..., docstrings and comments.
func pyEmptyBody(def treesitter.Node) bool {
	for _, st := range def.Field("body").NamedChildren() {
		switch st.Kind() {
		case "pass_statement", "comment":
			continue
		case "expression_statement":
			if k := st.NamedChild(0).Kind(); k == "string" || k == "ellipsis" {
				continue
			}
		}
		return false
	}
	return true
}

// leadingText is the docstring and comments at the top of a function (and
// the comment lines right above it).
func leadingText(f *scanner.File, def treesitter.Node) string {
	var b strings.Builder
	for l := def.Line() - 1; l > 0 && l >= def.Line()-3; l-- {
		if t := strings.TrimSpace(f.Line(l)); strings.HasPrefix(t, "#") {
			b.WriteString(t + "\n")
		} else if !strings.HasPrefix(t, "@") {
			break
		}
	}
	start := def.Field("parameters").EndLine() + 1
	for i := start; i <= start+6 && i <= f.LineCount(); i++ {
		t := strings.TrimSpace(f.Line(i))
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, `"""`) || strings.HasPrefix(t, `'''`) || !strings.ContainsAny(t, "=()") {
			b.WriteString(t + "\n")
			continue
		}
		break
	}
	return b.String()
}

// pySkipDecorator raises TEST-006 for @pytest.mark.skip / skipif without a
// reason and @unittest.skip without one.
func (v *visitor) pySkipDecorator(d treesitter.Node) {
	expr := d.NamedChild(0)
	fn, args := expr, treesitter.Node{}
	if expr.Kind() == "call" {
		fn, args = expr.Field("function"), expr.Field("arguments")
	}
	name := fn.Text()
	last := lastName(name)
	switch {
	case strings.HasSuffix(name, "mark.skip") || strings.HasSuffix(name, "mark.skipif"):
	case (last == "skip" || last == "skipIf" || last == "skipUnless") && strings.Contains(name, "unittest"):
	default:
		return
	}
	if hasReason(args, last, strings.Contains(name, "unittest")) {
		return
	}
	v.finding(UnexplainedSkip, d, fmt.Sprintf("@%s without a reason", name))
}

// hasReason: a reason= keyword, or a string argument (skip's first, a
// skipif's second).
func hasReason(args treesitter.Node, last string, unittest bool) bool {
	if args.IsNull() {
		return false
	}
	pos := 0
	for _, a := range args.NamedChildren() {
		switch a.Kind() {
		case "keyword_argument":
			if a.Field("name").Text() == "reason" && strings.Trim(a.Field("value").Text(), `"' `) != "" {
				return true
			}
		case "comment":
		default:
			pos++
			isString := a.Kind() == "string" || a.Kind() == "concatenated_string"
			reasonArg := last == "skip" || pos >= 2
			if isString && strings.Trim(a.Text(), `"'frbu `) != "" && reasonArg {
				return true
			}
			// unittest's reason is any expression: a message variable, a
			// formatted string ("$TERM=%r" % term), a call.
			if unittest && !isString && reasonArg {
				return true
			}
		}
	}
	return false
}

// pySkipReasonVariable: pytest.skip(msg) or pytest.skip(reason=msg) with
// a message built elsewhere (a name, a call, an f-string): a reason.
func pySkipReasonVariable(args treesitter.Node) bool {
	for _, a := range args.NamedChildren() {
		if a.Kind() == "keyword_argument" {
			if a.Field("name").Text() != "reason" && a.Field("name").Text() != "msg" {
				continue
			}
			a = a.Field("value")
		}
		switch a.Kind() {
		case "string", "concatenated_string", "comment", "true", "false", "none", "integer":
		default:
			return true
		}
	}
	return false
}

type pyPatch struct {
	target string // last component of the patched name
	ret    string // return_value text, "" when unknown
}

// pyBody gathers a function's assertion facts and reports TEST-004 and
// pytest.skip() without a reason.
func (v *visitor) pyBody(def treesitter.Node, decorators []treesitter.Node, isTest bool) (testFacts, []pyPatch) {
	var f testFacts
	f.inTestFile = v.file.Test
	clients := map[string]bool{}
	body := def.Field("body")
	var patches []pyPatch
	for _, d := range decorators {
		if p, ok := pyPatchCall(d.NamedChild(0)); ok {
			patches = append(patches, p)
		}
	}
	// A docstring with doctest examples asserts through doctest.
	if first := body.NamedChild(0); first.Kind() == "expression_statement" && first.NamedChild(0).Kind() == "string" && strings.Contains(first.Text(), ">>>") {
		f.meaningful++
	}
	aliases := map[string]bool{} // eq = self.assertEqual
	// Truthiness of a flag the test itself sets (hit = False … hit = True,
	// calls = [] … calls.append(x), ok = is_valid(x)) can fail: it is no
	// trivial assertion.
	var truthy []string
	flags := map[string]bool{}
	body.Walk(func(n treesitter.Node) bool {
		switch n.Kind() {
		case "assert_statement":
			if e := n.NamedChild(0); pyTrivialAssert(e) {
				f.trivial++
				if e.Kind() == "identifier" {
					truthy = append(truthy, e.Text())
				}
			} else {
				f.meaningful++
			}
			return true
		case "raise_statement":
			if t := n.Text(); strings.Contains(t, "AssertionError") {
				f.meaningful++
			} else if pyConditionalRaise(n, def) && !strings.Contains(t, "Skip") && !strings.Contains(t, "skip") {
				// if failed: raise TypeError(…) checks as an assert does
				// (in the test itself or a helper named as a check; not in
				// the stubs and fakes a test file also defines)
				f.raises++
			}
		case "call":
			fn := n.Field("function")
			text := fn.Text()
			last := lastName(text)
			switch {
			case mentionsAssert(last):
				if trivialPyAssertCalls[last] || (last == "assertTrue" && pyBareArg(n)) || pyConstantAssertCall(n, last) {
					f.trivial++
					if a := n.Field("arguments").NamedChild(0); last == "assertTrue" && a.Kind() == "identifier" && n.Field("arguments").NamedChildCount() <= 2 {
						truthy = append(truthy, a.Text())
					}
				} else {
					f.meaningful++
				}
				if strings.Contains(strings.ToLower(last), "status") || last == "assertContains" || last == "assertNotContains" || last == "assertRedirects" {
					f.statusCheck = true
				}
			case text == "pytest.raises" || text == "pytest.warns" || text == "pytest.fail" || text == "self.fail" || text == "pytest.deprecated_call":
				f.meaningful++
			case last == "fail" && fn.Kind() == "attribute" && testCaseName(fn.Field("object").Text()):
				f.meaningful++ // self.test_case.fail(msg) in a helper given the test case
			case text == "pytest.skip" && !hasReason(n.Field("arguments"), "skip", false) && !pySkipReasonVariable(n.Field("arguments")):
				v.finding(UnexplainedSkip, n, "pytest.skip() without a reason")
			case last == "raise_for_status":
				f.statusCheck = true
			}
			if aliases[text] {
				f.meaningful++
			}
			f.calls = append(f.calls, last)
			for arg := n.Field("arguments").NamedChild(0); !arg.IsNull(); arg = arg.NextNamedSibling() {
				if arg.Kind() == "identifier" && arg.Text() == "self" {
					f.calls = append(f.calls, last+"(self)") // the test case handed to a helper class
				}
			}
			if fn.Kind() == "attribute" && httpVerbs[fn.Field("attribute").Text()] {
				obj := lastName(fn.Field("object").Text())
				lo := strings.ToLower(obj)
				if lo == "requests" || lo == "httpx" ||
					(strings.HasSuffix(lo, "client") || clients[obj] || lo == "ac") && pyURLArg(n) {
					f.usesHTTP = true // an FTP/SMTP/cache client's get/delete is no HTTP call
				}
			}
			if p, ok := pyPatchCall(n); ok && strings.Contains(text, "patch") {
				patches = append(patches, p)
			}
		case "identifier":
			// yes = self.assertTrue … TestInfo('if x:', yes): the alias is
			// handed to the code that asserts with it
			if len(aliases) == 0 {
				return true
			}
			if p := n.Parent(); aliases[n.Text()] && p.Kind() != "assignment" && (p.Kind() != "call" || !p.Field("function").Equal(n)) {
				f.meaningful++
			}
		case "attribute":
			if m := n.Field("attribute").Text(); (m == "fail" || strings.HasPrefix(m, "assert")) && pyAssertionValue(n) {
				// exec(src, {'fail': self.fail}), check(self.assertIs, x):
				// the assertion method is handed to code that calls it
				f.meaningful++
			}
			switch n.Field("attribute").Text() {
			case "status_code", "status", "status_int", "ok", "is_success", "is_error":
				f.statusCheck = true
			}
		case "assignment", "augmented_assignment":
			right := n.Field("right")
			if left := n.Field("left"); left.Kind() == "identifier" {
				name := left.Text()
				isFlag, seen := flags[name]
				flags[name] = (isFlag || !seen) && (n.Kind() == "augmented_assignment" || pyFlagValue(right))
			}
			if right.Kind() == "attribute" && mentionsAssert(lastName(right.Text())) {
				aliases[n.Field("left").Text()] = true
			}
			if right.Kind() == "call" {
				fn := lastName(right.Field("function").Text())
				if strings.HasSuffix(fn, "Client") || fn == "test_client" {
					clients[n.Field("left").Text()] = true
				}
			}
		case "with_item", "as_pattern":
			t := n.Text()
			if i := strings.LastIndex(t, " as "); i > 0 && (strings.Contains(t[:i], "Client(") || strings.Contains(t[:i], "test_client(")) {
				clients[strings.TrimSpace(t[i+4:])] = true
			}
		case "except_clause":
			if isTest && !insideNestedDef(n, def) {
				// an except in a function the test defines is the code
				// under test (a generator, a traced function), not the
				// test's own flow
				v.pyExcept(n)
			}
		}
		return true
	})
	for _, name := range truthy {
		if flags[name] && f.trivial > 0 {
			f.trivial--
			f.meaningful++
		}
	}
	return f, patches
}

// pyFlagValue: a literal (True, 0, [], None) or a predicate call
// (is_shareable(x), os.path.exists(p)).
func pyFlagValue(e treesitter.Node) bool {
	switch e.Kind() {
	case "true", "false", "none", "integer", "float":
		return true
	case "list", "dictionary", "set", "tuple":
		return e.NamedChildCount() == 0
	case "call":
		fn := strings.TrimLeft(lastName(e.Field("function").Text()), "_")
		for _, p := range []string{"is", "has", "can"} {
			if rest, ok := strings.CutPrefix(fn, p); ok && rest != "" && (rest[0] == '_' || rest[0] >= 'A' && rest[0] <= 'Z') {
				return true
			}
		}
		switch fn {
		case "exists", "isfile", "isdir", "islink", "startswith", "endswith", "callable", "isinstance", "issubclass", "hasattr":
			return true
		}
	}
	return false
}

// pyTrivialAssert: `assert x`, `assert True`, `assert x is not None`,
// `assert isinstance(…)` — satisfied by almost any result.
func pyTrivialAssert(e treesitter.Node) bool {
	switch e.Kind() {
	case "true", "integer", "string":
		return true
	case "identifier":
		// Truthiness of a result variable. An attribute (s.closed,
		// user.is_active) is a predicate the code under test sets.
		return true
	case "parenthesized_expression":
		return pyTrivialAssert(e.NamedChild(0))
	case "comparison_operator":
		t := strings.Join(strings.Fields(e.Text()), " ")
		if strings.HasSuffix(t, "is not None") || strings.HasSuffix(t, "!= None") {
			return true
		}
		// assert 6 * 7 == 42: literals only, no code under test
		for _, c := range e.NamedChildren() {
			if !pyConstant(c) {
				return false
			}
		}
		return true
	case "call":
		switch e.Field("function").Text() {
		case "bool":
			return true
		}
	case "boolean_operator":
		if strings.Contains(e.Text(), " and ") {
			return pyTrivialAssert(e.Field("left")) && pyTrivialAssert(e.Field("right"))
		}
		// assert result or True: a truthy literal on either side of `or`
		// makes the assertion pass whatever the code returns
		if e.NamedChildCount() == 2 && pyBoolOp(e) == "or" {
			return pyTruthyLiteral(e.Field("left")) || pyTruthyLiteral(e.Field("right"))
		}
	}
	return false
}

// pyConstantAssertCall: a unittest assertion that is a tautology whatever
// the code does: assertTrue(True), assertFalse(0), assertEqual(1, 1) (the
// same literal on both sides). Literals of different spelling are left
// alone: assertEqual(0x10, 16) or assertEqual("%d" % True, "1") test the
// language itself, as an interpreter's own suite does.
func pyConstantAssertCall(call treesitter.Node, method string) bool {
	var pos []treesitter.Node
	for _, a := range call.Field("arguments").NamedChildren() {
		if a.Kind() != "keyword_argument" && a.Kind() != "comment" {
			pos = append(pos, a)
		}
	}
	switch method {
	case "assertTrue", "assertFalse":
		if len(pos) == 0 {
			return false
		}
		switch pos[0].Kind() {
		case "true", "false", "none", "integer", "float":
			return true
		}
	case "assertEqual", "assertEquals", "assertIs", "assertIn", "assertGreaterEqual", "assertLessEqual", "assertAlmostEqual",
		"assertCountEqual", "assertListEqual", "assertDictEqual", "assertTupleEqual", "assertSetEqual", "assertSequenceEqual":
		return len(pos) >= 2 && pyConstant(pos[0]) && pyConstant(pos[1]) &&
			strings.Join(strings.Fields(pos[0].Text()), "") == strings.Join(strings.Fields(pos[1].Text()), "")
	}
	return false
}

// pyBoolOp is the operator of a boolean_operator node ("and" or "or").
func pyBoolOp(e treesitter.Node) string {
	for i := 0; i < e.ChildCount(); i++ {
		if c := e.Child(i); !c.IsNamed() {
			return c.Text()
		}
	}
	return ""
}

// pyTruthyLiteral: True, a non-zero number or a non-empty string literal.
func pyTruthyLiteral(e treesitter.Node) bool {
	switch e.Kind() {
	case "true":
		return true
	case "integer", "float":
		return strings.Trim(e.Text(), "0._") != ""
	case "string":
		return len(strings.Trim(e.Text(), `"'bfruBFRU`)) > 0
	case "parenthesized_expression":
		return pyTruthyLiteral(e.NamedChild(0))
	}
	return false
}

// pyConstant: an expression of literals only (6 * 7, "a" * 2, (1, 2)).
func pyConstant(e treesitter.Node) bool {
	switch e.Kind() {
	case "integer", "float", "true", "false", "none":
		return true
	case "string":
		for _, c := range e.NamedChildren() {
			if c.Kind() == "interpolation" {
				return false // f"{x}" reads a name
			}
		}
		return true
	case "binary_operator", "unary_operator", "parenthesized_expression", "tuple", "list":
		if e.NamedChildCount() == 0 {
			return e.Kind() == "tuple" || e.Kind() == "list"
		}
		for _, c := range e.NamedChildren() {
			if !pyConstant(c) {
				return false
			}
		}
		return true
	}
	return false
}

// pyBareArg: assertTrue(x) with a bare name or attribute (truthiness).
func pyBareArg(call treesitter.Node) bool {
	args := call.Field("arguments").NamedChildren()
	if len(args) == 0 {
		return true
	}
	// assertTrue(actual, expected): the second argument is only the failure
	// message, so this passes for any truthy actual (meant assertEqual).
	// A comparison or predicate as the first argument is a real check with
	// a computed message: assertTrue(0.3 < k/n < 0.37, (k/n)).
	k0 := args[0].Kind()
	if len(args) == 2 && (k0 == "identifier" || k0 == "attribute" || k0 == "subscript") && args[1].Kind() != "string" && args[1].Kind() != "keyword_argument" && args[1].Kind() != "identifier" &&
		args[1].Kind() != "binary_operator" && args[1].Kind() != "call" && args[1].Kind() != "concatenated_string" {
		return true
	}
	k := args[0].Kind()
	return k == "identifier" || k == "true"
}

// pyExcept: a bare or broad except whose body does nothing.
func (v *visitor) pyExcept(n treesitter.Node) {
	var typ treesitter.Node
	var block treesitter.Node
	for _, c := range n.NamedChildren() {
		if c.Kind() == "block" {
			block = c
		} else if typ.IsNull() {
			typ = c
		}
	}
	broad := typ.IsNull()
	if !broad {
		t := typ.Text()
		if typ.Kind() == "as_pattern" {
			t = typ.NamedChild(0).Text()
		}
		t = strings.Trim(t, "() ")
		for _, part := range strings.Split(t, ",") {
			switch strings.TrimSpace(part) {
			case "Exception", "BaseException":
				broad = true
			}
		}
	}
	if !broad || block.IsNull() || deliberateBlock(n.Parent().Field("body")) || explained(n, nil) || explained(n.Parent().Field("body"), expectedError) {
		return
	}
	for _, st := range block.NamedChildren() {
		switch st.Kind() {
		case "pass_statement", "continue_statement", "comment":
			continue
		case "expression_statement":
			t := st.Text()
			if t == "..." || strings.HasPrefix(t, "print(") || strings.HasPrefix(t, "logging.") || strings.HasPrefix(t, "logger.") || strings.HasPrefix(t, "log.") {
				continue
			}
		}
		return
	}
	what := "bare except"
	if !typ.IsNull() {
		what = "except " + typ.Text()
	}
	v.finding(SwallowedException, n, what+" swallows every error in the test")
}

// pyPatchCall recognises patch("a.b.c", return_value=V),
// patch.object(obj, "c", return_value=V) and mocker.patch(...).
func pyPatchCall(e treesitter.Node) (pyPatch, bool) {
	if e.Kind() != "call" {
		return pyPatch{}, false
	}
	fn := e.Field("function").Text()
	if !strings.HasSuffix(fn, "patch") && !strings.HasSuffix(fn, "patch.object") {
		return pyPatch{}, false
	}
	var p pyPatch
	var strs []string
	for _, a := range e.Field("arguments").NamedChildren() {
		switch a.Kind() {
		case "string":
			strs = append(strs, strings.Trim(a.Text(), `"'`))
		case "keyword_argument":
			if a.Field("name").Text() == "return_value" {
				p.ret = a.Field("value").Text()
			}
		}
	}
	if len(strs) == 0 {
		return pyPatch{}, false
	}
	p.target = lastName(strs[len(strs)-1])
	if strings.HasSuffix(fn, "patch.object") {
		p.target = strs[0]
	}
	return p, true
}

// pyCircular raises TEST-005 when the test asserts that calling the
// patched name returns the value it was patched to return.
func (v *visitor) pyCircular(def treesitter.Node, patches []pyPatch) {
	// Map mock parameters to decorator patches: the bottom decorator feeds
	// the first parameter after self.
	var params []string
	for _, p := range def.Field("parameters").NamedChildren() {
		name := p.Text()
		if name == "self" || name == "cls" {
			continue
		}
		if p.Kind() == "identifier" {
			params = append(params, name)
		}
	}
	byVar := map[string]int{}
	for i := range patches {
		j := len(patches) - 1 - i
		if i < len(params) && j >= 0 {
			byVar[params[i]] = j
		}
	}
	rets := map[string]string{} // target or mock variable → return value text
	for _, p := range patches {
		if p.ret != "" {
			rets[p.target] = p.ret
		}
	}
	body := def.Field("body")
	bodyText := v.file.Content[body.StartByte():body.EndByte()]
	if len(rets) == 0 && !bytes.Contains(bodyText, []byte(".return_value")) && !bytes.Contains(bodyText, []byte(".setattr(")) {
		return // no return value is set: nothing can be circular
	}
	resultOf := map[string]string{} // user = service.get_user(1): user → service.get_user
	body.Walk(func(n treesitter.Node) bool {
		if n.Kind() == "call" {
			// monkeypatch.setattr(mod, "fn", lambda *a: V) or
			// monkeypatch.setattr("pkg.mod.fn", lambda *a: V): fn returns V
			if strings.HasSuffix(n.Field("function").Text(), "monkeypatch.setattr") {
				if args := n.Field("arguments").NamedChildren(); len(args) >= 2 && args[len(args)-1].Kind() == "lambda" {
					if name := args[len(args)-2]; name.Kind() == "string" {
						rets[lastName(strings.Trim(name.Text(), `"'`))] = args[len(args)-1].Field("body").Text()
					}
				}
			}
		}
		if n.Kind() == "assignment" {
			left := n.Field("left").Text()
			if right := n.Field("right"); n.Field("left").Kind() == "identifier" {
				if right.Kind() == "await" {
					right = right.NamedChild(0)
				}
				if right.Kind() == "call" {
					resultOf[left] = right.Field("function").Text()
				}
			}
			if m, ok := strings.CutSuffix(left, ".return_value"); ok {
				val := n.Field("right").Text()
				rets[m] = val
				if i, ok := byVar[m]; ok {
					rets[patches[i].target] = val
				}
			}
		}
		return true
	})
	if len(rets) == 0 {
		return
	}
	found := false // one finding per test
	body.Walk(func(n treesitter.Node) bool {
		if found {
			return false
		}
		var a, b treesitter.Node
		switch n.Kind() {
		case "assert_statement":
			cmp := n.NamedChild(0)
			if cmp.Kind() != "comparison_operator" || cmp.NamedChildCount() != 2 {
				return true
			}
			a, b = cmp.NamedChild(0), cmp.NamedChild(1)
			// == compares values; `is` compares them only for the
			// singletons True, False and None
			if !strings.Contains(cmp.Text(), "==") && !(pyIsOperator(cmp) && (pySingleton(a) || pySingleton(b))) {
				return true
			}
		case "call":
			if last := lastName(n.Field("function").Text()); last == "assertEqual" || last == "assertEquals" {
				args := n.Field("arguments").NamedChildren()
				if len(args) >= 2 {
					a, b = args[0], args[1]
				}
			}
		}
		if a.IsNull() {
			return true
		}
		for _, pair := range [][2]treesitter.Node{{a, b}, {b, a}} {
			fn, key := mockedResult(pair[0], resultOf)
			if fn == "" {
				continue
			}
			ret, ok := rets[fn]
			name := fn
			if !ok {
				name = lastName(fn)
				ret, ok = rets[name]
			}
			if !ok {
				continue
			}
			if key != "" {
				ret = dictLiteralValue(ret, key)
			}
			if ret != "" && ret == pair[1].Text() {
				v.finding(CircularMock, n, fmt.Sprintf("asserts that the mocked %s returns %s, the value the test gave the mock", lastName(name), ret))
				found = true
				return false
			}
		}
		return true
	})
}

// pyIsOperator: the comparison is `a is b` (not `is not`).
func pyIsOperator(cmp treesitter.Node) bool {
	for i := 0; i < cmp.ChildCount(); i++ {
		if c := cmp.Child(i); !c.IsNamed() {
			return c.Text() == "is" && cmp.ChildCount() == 3
		}
	}
	return false
}

func pySingleton(n treesitter.Node) bool {
	switch n.Kind() {
	case "true", "false", "none":
		return true
	}
	return false
}

// mockedResult names the call whose result an assertion operand is: the
// call itself, a variable assigned from it (one hop), or a string-keyed
// subscript of either (user["id"]); key is that subscript's key.
func mockedResult(e treesitter.Node, resultOf map[string]string) (fn, key string) {
	if e.Kind() == "subscript" {
		k := e.Field("subscript")
		if k.Kind() != "string" {
			return "", ""
		}
		key = strings.Trim(k.Text(), `"'`)
		e = e.Field("value")
	}
	if e.Kind() == "await" {
		e = e.NamedChild(0)
	}
	switch e.Kind() {
	case "call":
		return e.Field("function").Text(), key
	case "identifier":
		if f, ok := resultOf[e.Text()]; ok {
			return f, key
		}
	}
	return "", ""
}

// dictLiteralValue returns the text of key's value in a dict literal's
// text ({"id": 1, "name": "x"} → 1 for "id"), "" when absent.
func dictLiteralValue(dict, key string) string {
	re := regexp.MustCompile(`["']` + regexp.QuoteMeta(key) + `["']\s*:\s*("[^"]*"|'[^']*'|[^,}]+)`)
	if m := re.FindStringSubmatch(dict); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

// assertingDecorator: a decorator named like a checker (jump_test,
// check_events, expect_warning) runs assertions around the test.
func assertingDecorator(text string) bool {
	name := strings.ToLower(strings.TrimPrefix(text, "@"))
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	name = lastName(name)
	if strings.HasPrefix(name, "skip") || strings.HasPrefix(name, "requires") || name == "fixture" {
		return false
	}
	for _, w := range []string{"test", "check", "assert", "expect", "verify"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// deliberateBlock: the try body only raises (the test provokes and
// catches on purpose: raise, 1/0, a with block that raises), does nothing
// (a syntax test's try: pass) or only cleans up (close, remove, unlink,
// kill, …).
func deliberateBlock(body treesitter.Node) bool {
	if body.IsNull() {
		return false
	}
	for _, st := range body.NamedChildren() {
		switch st.Kind() {
		case "raise_statement", "comment", "pass_statement":
			continue
		case "with_statement":
			if deliberateBlock(st.Field("body")) {
				continue
			}
		case "expression_statement", "assignment":
			t := strings.Join(strings.Fields(st.Text()), "")
			if strings.Contains(t, "1/0") {
				continue
			}
			last := strings.ToLower(lastName(strings.SplitN(st.Text(), "(", 2)[0]))
			switch last {
			case "close", "remove", "unlink", "rmtree", "rmdir", "kill", "terminate", "cancel", "shutdown", "join", "stop", "cleanup", "disconnect", "wait":
				continue
			}
		}
		return false
	}
	return true
}

// explained: a block holding a comment of a few words (# failure is
// expected, # will raise OSError): the author says why the error is
// ignored. In the try body (where comments describe the code) only a
// comment matching why counts.
func explained(block treesitter.Node, why *guardedRE) bool {
	if block.IsNull() {
		return false
	}
	found := false
	block.Walk(func(n treesitter.Node) bool {
		t := n.Text()
		if n.Kind() == "comment" && len(strings.Fields(strings.TrimLeft(t, "# "))) >= 2 && !strings.Contains(t, "vigil-ignore") && (why == nil || why.MatchString(t)) {
			found = true
		}
		return !found && n.Kind() != "function_definition"
	})
	return found
}

// expectedError: a comment saying the error is expected or irrelevant.
var expectedError = guarded(`(?i)fail|rais|error|exception|throw|care|ignor|expect|optional|not supported|unsupported|may not|might not`,
	"fail", "rais", "error", "exception", "throw", "care", "ignor", "expect", "optional", "not supported", "unsupported", "may not", "might not")

// insideNestedDef: n lies in a function, class or lambda defined inside
// def.
func insideNestedDef(n, def treesitter.Node) bool {
	for p := n.Parent(); !p.IsNull() && !p.Equal(def); p = p.Parent() {
		switch p.Kind() {
		case "function_definition", "class_definition", "lambda":
			return true
		}
	}
	return false
}

// testCaseName: an expression naming a test case handed to a helper
// (self.test_case, testcase, tc).
func testCaseName(obj string) bool {
	n := strings.ToLower(lastName(obj))
	return n == "tc" || strings.Contains(n, "testcase") || strings.Contains(n, "test_case")
}

// pyURLArg: the call's path argument (the first, or the second for
// request("GET", path)) looks like a URL: "/users", "http://…", an
// f-string, a name like url/path/endpoint, reverse()/url_for(), or a
// concatenation starting with one of these.
func pyURLArg(call treesitter.Node) bool {
	args := call.Field("arguments").NamedChildren()
	if lastName(call.Field("function").Text()) == "request" && len(args) >= 2 {
		args = args[1:]
	}
	if len(args) == 0 {
		return false
	}
	return pyURLish(args[0])
}

func pyURLish(a treesitter.Node) bool {
	switch a.Kind() {
	case "string", "concatenated_string":
		t := strings.TrimLeft(a.Text(), "frbuFRBU")
		t = strings.TrimLeft(t, `"'`)
		return strings.HasPrefix(t, "/") || strings.HasPrefix(t, "http") || strings.HasPrefix(t, "{")
	case "identifier", "attribute":
		n := strings.ToLower(lastName(a.Text()))
		for _, w := range []string{"url", "uri", "path", "endpoint", "route", "link", "location"} {
			if strings.Contains(n, w) {
				return true
			}
		}
	case "call":
		switch lastName(a.Field("function").Text()) {
		case "reverse", "reverse_lazy", "url_for", "url_path_for", "resolve_url", "build_absolute_uri", "urljoin", "get_absolute_url":
			return true
		}
		if f := a.Field("function"); f.Kind() == "attribute" && f.Field("attribute").Text() == "format" {
			return pyURLish(f.Field("object"))
		}
	case "binary_operator":
		return pyURLish(a.Field("left"))
	}
	return false
}

// pyAssertionValue: an attribute self.fail/self.assert*/tc.assert* that
// is referenced, not called nor assigned to an alias.
func pyAssertionValue(n treesitter.Node) bool {
	p := n.Parent()
	if p.Kind() == "assignment" || p.Kind() == "call" && p.Field("function").Equal(n) {
		return false
	}
	obj := n.Field("object")
	return obj.Kind() == "identifier" && (obj.Text() == "self" || testCaseName(obj.Text()))
}

// pyConditionalRaise: a raise under an if of def's own body (not in an
// except handler, where it re-raises, nor in a nested function).
func pyConditionalRaise(n, def treesitter.Node) bool {
	cond := false
	for p := n.Parent(); !p.IsNull() && !p.Equal(def); p = p.Parent() {
		switch p.Kind() {
		case "function_definition", "class_definition", "lambda", "except_clause":
			return false
		case "if_statement", "elif_clause", "else_clause":
			cond = true
		}
	}
	return cond
}

// pyCommentsState: a comment anywhere in the test states the no-error
// intent ("# Check that compilation doesn't crash", "# should not raise
// exception").
func pyCommentsState(def treesitter.Node) bool {
	found := false
	def.Field("body").Walk(func(n treesitter.Node) bool {
		if n.Kind() == "comment" && noErrorIntent.MatchString(n.Text()) {
			found = true
		}
		return !found
	})
	return found
}
