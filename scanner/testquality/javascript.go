package testquality

import (
	"fmt"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// trivialMatchers pass for almost any value.
var trivialMatchers = map[string]bool{
	"toBeDefined": true, "toBeTruthy": true, "exist": true, "ok": true,
}

// trivialNegated pass for almost any value when negated.
var trivialNegated = map[string]bool{"toBeNull": true, "toBeUndefined": true, "toBeFalsy": true}

var jsTestFuncs = map[string]bool{"it": true, "test": true, "specify": true}

// javascript walks a test file: it()/test() calls (any nesting in
// describe blocks) are tests; other function declarations are candidate
// assertion helpers.
func (v *visitor) javascript(root treesitter.Node) {
	if !v.testFile {
		v.jsHelpersOnly(root)
		return
	}
	root.Walk(func(n treesitter.Node) bool {
		switch n.Kind() {
		case "call_expression":
			return v.jsCall(n)
		case "function_declaration":
			name := n.Field("name").Text()
			f := v.jsBody(n.Field("body"))
			v.addHelper(name, helperFacts{asserts: f.meaningful+f.trivial > 0, checkStatus: f.statusCheck, calls: f.calls})
			return false
		case "variable_declarator":
			val := n.Field("value")
			if val.Kind() == "arrow_function" || val.Kind() == "function_expression" || val.Kind() == "function" {
				f := v.jsBody(val.Field("body"))
				v.addHelper(n.Field("name").Text(), helperFacts{asserts: f.meaningful+f.trivial > 0, checkStatus: f.statusCheck, calls: f.calls})
				return false
			}
		}
		return true
	})
}

// jsCall handles describe/it/test calls; it returns whether to descend.
func (v *visitor) jsCall(n treesitter.Node) bool {
	fn := n.Field("function")
	text := fn.Text()
	base, mod, _ := strings.Cut(text, ".")
	skipped := false
	switch {
	case text == "xit" || text == "xtest" || text == "xdescribe" || text == "xcontext":
		v.jsSkip(n, text)
		skipped = true
	case (jsTestFuncs[base] || base == "describe" || base == "context" || base == "suite") && (mod == "skip" || strings.HasPrefix(mod, "skip.")):
		v.jsSkip(n, text)
		skipped = true
	}
	if !jsTestFuncs[strings.TrimPrefix(text, "x")] && !(jsTestFuncs[base] && (mod == "only" || mod == "concurrent" || mod == "skip" || mod == "serial")) {
		return true
	}
	args := n.Field("arguments").NamedChildren()
	var body treesitter.Node
	var name string
	for _, a := range args {
		switch a.Kind() {
		case "string", "template_string":
			if name == "" {
				name = strings.Trim(a.Text(), "'\"`")
			}
		case "object":
			if strings.Contains(a.Text(), "skip") && strings.Contains(a.Text(), "true") {
				v.jsSkip(n, text+" with { skip: true }")
				skipped = true
			}
		case "arrow_function", "function_expression", "function":
			body = a.Field("body")
		}
	}
	if body.IsNull() {
		return true // it.todo / pending tests
	}
	if skipped {
		// A skipped test never runs, so it asserts nothing by design:
		// TEST-006 asks for the reason, and its body is not judged.
		return false
	}
	v.inTest = true
	f := v.jsBody(body)
	v.inTest = false
	if name == "" {
		name = "(unnamed)"
	}
	f.path, f.name, f.line, f.col = v.file.Path, fmt.Sprintf("%q", name), n.Line(), n.Column()
	f.inTestFile = true
	v.tests = append(v.tests, f)
	v.jsCircular(body)
	return false
}

func (v *visitor) jsSkip(n treesitter.Node, what string) {
	if v.commentNear(n) || jsBodyOpensWithComment(n) {
		return
	}
	// node:test's { skip: 'reason' } carries its own reason.
	for _, a := range n.Field("arguments").NamedChildren() {
		if a.Kind() == "object" {
			for _, p := range a.NamedChildren() {
				if p.Kind() == "pair" && p.Field("key").Text() == "skip" && p.Field("value").Kind() == "string" {
					return
				}
			}
		}
	}
	v.finding(UnexplainedSkip, n, what+" without a reason (add a comment saying why)")
}

// jsBodyOpensWithComment: the skipped test's callback starts with a
// comment of two words or more, the other place people write why
// (it.skip('x', () => { // needs the staging DB …).
func jsBodyOpensWithComment(call treesitter.Node) bool {
	args := call.Field("arguments").NamedChildren()
	if len(args) == 0 {
		return false
	}
	fn := args[len(args)-1]
	switch fn.Kind() {
	case "arrow_function", "function_expression", "function":
	default:
		return false
	}
	body := fn.Field("body")
	if body.Kind() != "statement_block" || body.NamedChildCount() == 0 {
		return false
	}
	first := body.NamedChild(0)
	if first.Kind() != "comment" {
		return false
	}
	c := strings.Trim(first.Text(), "/* \t\n")
	return len(strings.Fields(c)) >= 2 && !strings.Contains(c, "vigil-ignore")
}

// jsBody gathers the assertion facts of a test or helper body.
func (v *visitor) jsBody(body treesitter.Node) testFacts {
	var f testFacts
	body.Walk(func(n treesitter.Node) bool {
		switch n.Kind() {
		case "call_expression":
			fn := n.Field("function")
			text := fn.Text()
			last := lastName(text)
			switch {
			case strings.HasPrefix(text, "expect(") || strings.HasPrefix(text, "expect.") || strings.HasPrefix(text, "chai.expect("):
				if fn.Kind() == "member_expression" && n.Parent().Kind() != "member_expression" {
					if jsTrivialMatcher(text) || jsConstantExpect(n) {
						f.trivial++
					} else {
						f.meaningful++
					}
				}
			case text == "assert" || text == "assert.ok" || text == "t.truthy" || text == "t.assert" || text == "t.ok":
				if jsBareArgs(n) {
					f.trivial++
				} else {
					f.meaningful++
				}
			case strings.HasPrefix(text, "assert.") || strings.HasPrefix(text, "t.assert.") || strings.HasPrefix(text, "sinon.assert.") ||
				strings.HasPrefix(text, "t.") && tapAssertions[last]:
				f.meaningful++
			case strings.HasPrefix(last, "assert") || strings.HasPrefix(last, "expect") && last != "expect":
				f.meaningful++
			case last == "expect" && fn.Kind() == "member_expression":
				// supertest: request(app).get('/x').expect(200)
				f.meaningful++
				if a := n.Field("arguments").NamedChild(0); a.Kind() == "number" || strings.Contains(a.Text(), "status") {
					f.statusCheck = true
				}
			case last == "should" || strings.Contains(text, ".should."):
				f.meaningful++
			case last == "t.pass" || text == "t.pass":
				f.trivial++
			}
			f.calls = append(f.calls, last)
			if fn.Kind() == "identifier" {
				if text == "fetch" || text == "supertest" || text == "request" {
					f.usesHTTP = true
				}
			}
			if fn.Kind() == "member_expression" {
				obj := fn.Field("object").Text()
				prop := fn.Field("property").Text()
				if httpVerbs[prop] && (strings.HasPrefix(obj, "request(") || strings.HasPrefix(obj, "supertest(") || strings.HasPrefix(obj, "chai.request(") ||
					obj == "axios" || obj == "api" || strings.HasSuffix(strings.ToLower(obj), "client") || obj == "agent") {
					f.usesHTTP = true
				}
				if prop == "catch" {
					if h := n.Field("arguments").NamedChild(0); v.inTest && (h.Kind() == "arrow_function" || h.Kind() == "function_expression") && emptyJSBlock(h.Field("body")) {
						v.finding(SwallowedException, n, ".catch() with an empty handler swallows every error in the test")
					}
				}
			}
		case "member_expression":
			switch n.Field("property").Text() {
			case "status", "statusCode", "ok", "statusText":
				f.statusCheck = true
			}
			// chai's property assertions are statements with no call:
			// expect(x).to.be.true, expect(res).to.exist, x.should.be.empty
			if p := n.Parent(); p.Kind() == "expression_statement" {
				if text := n.Text(); strings.HasPrefix(text, "expect(") || strings.HasPrefix(text, "chai.expect(") || strings.Contains(text, ".should.") {
					if jsTrivialMatcher(text) {
						f.trivial++
					} else {
						f.meaningful++
					}
				}
			}
		case "catch_clause":
			if v.inTest && emptyJSBlock(n.Field("body")) {
				v.finding(SwallowedException, n, "catch block swallows every error in the test")
			}
		}
		return true
	})
	return f
}

var tapAssertions = map[string]bool{
	"is": true, "not": true, "deepEqual": true, "notDeepEqual": true, "equal": true, "equals": true, "same": true,
	"strictEqual": true, "throws": true, "throwsAsync": true, "notThrows": true, "regex": true, "match": true,
	"snapshot": true, "like": true, "fail": true, "rejects": true, "resolves": true, "false": true, "true": true,
	"falsy": true, "error": true, "ifError": true, "plan": true, "matchSnapshot": true,
}

// jsTrivialMatcher: expect(x).toBeDefined(), .toBeTruthy(),
// .not.toBeNull(), .not.toBeUndefined(), chai's .to.exist / .to.be.ok.
func jsTrivialMatcher(chain string) bool {
	last := lastName(chain)
	if trivialMatchers[last] {
		return true
	}
	return trivialNegated[last] && strings.Contains(chain, ".not.")
}

// jsConstantExpect: expect(1 + 1).toBe(2), an assertion on literals that
// no code under test can make fail.
func jsConstantExpect(call treesitter.Node) bool {
	var subject treesitter.Node
	for c := call.Field("function"); c.Kind() == "member_expression"; c = c.Field("object") {
		if o := c.Field("object"); o.Kind() == "call_expression" && o.Field("function").Text() == "expect" {
			subject = o.Field("arguments").NamedChild(0)
			break
		}
	}
	if subject.IsNull() || !jsConstant(subject) {
		return false
	}
	for _, a := range call.Field("arguments").NamedChildren() {
		if !jsConstant(a) {
			return false
		}
	}
	return true
}

// jsConstant: literals and operators over literals.
func jsConstant(e treesitter.Node) bool {
	switch e.Kind() {
	case "number", "string", "true", "false", "null":
		return true
	case "binary_expression", "unary_expression", "parenthesized_expression":
		for _, c := range e.NamedChildren() {
			if !jsConstant(c) {
				return false
			}
		}
		return e.NamedChildCount() > 0
	}
	return false
}

func jsBareArgs(call treesitter.Node) bool {
	args := call.Field("arguments").NamedChildren()
	if len(args) == 0 {
		return true
	}
	k := args[0].Kind()
	return k == "identifier" || k == "true"
}

// emptyJSBlock: nothing but comments and console.* calls.
func emptyJSBlock(b treesitter.Node) bool {
	if b.Kind() != "statement_block" {
		return false
	}
	for _, st := range b.NamedChildren() {
		if st.Kind() == "comment" || st.Kind() == "empty_statement" {
			continue
		}
		if st.Kind() == "expression_statement" && strings.HasPrefix(st.Text(), "console.") {
			continue
		}
		return false
	}
	return true
}

// jsCircular raises TEST-005 for jest.spyOn(obj, 'f').mockReturnValue(V)
// (or f.mockReturnValue / mockResolvedValue) followed by
// expect(obj.f(...)).toBe(V) or toEqual(V).
func (v *visitor) jsCircular(body treesitter.Node) {
	rets := map[string]string{}
	resultOf := map[string]string{} // const n = await svc.count(1): n → count
	body.Walk(func(n treesitter.Node) bool {
		if n.Kind() == "variable_declarator" && n.Field("name").Kind() == "identifier" {
			if val := jsUnwrap(n.Field("value")); val.Kind() == "call_expression" {
				// const price = jest.fn().mockReturnValue(5): calling
				// price returns 5
				if fn := val.Field("function"); fn.Kind() == "member_expression" && jsMockReturns[fn.Field("property").Text()] &&
					strings.HasSuffix(fn.Field("object").Field("function").Text(), ".fn") {
					rets[n.Field("name").Text()] = jsUnwrap(val.Field("arguments").NamedChild(0)).Text()
					return false
				}
				resultOf[n.Field("name").Text()] = lastName(val.Field("function").Text())
			}
			return true
		}
		if n.Kind() != "call_expression" {
			return true
		}
		fn := n.Field("function")
		if fn.Kind() != "member_expression" {
			return true
		}
		if !jsMockReturns[fn.Field("property").Text()] {
			return true
		}
		val := jsUnwrap(n.Field("arguments").NamedChild(0)).Text()
		obj := fn.Field("object")
		target := lastName(obj.Text())
		if obj.Kind() == "call_expression" && strings.HasSuffix(obj.Field("function").Text(), "spyOn") {
			if a := obj.Field("arguments").NamedChildren(); len(a) >= 2 {
				target = strings.Trim(a[1].Text(), "'\"`")
			}
		}
		rets[target] = val
		return true
	})
	if len(rets) == 0 {
		return
	}
	body.Walk(func(n treesitter.Node) bool {
		if n.Kind() != "call_expression" {
			return true
		}
		fn := n.Field("function")
		if fn.Kind() != "member_expression" {
			return true
		}
		switch fn.Field("property").Text() {
		case "toBe", "toEqual", "toStrictEqual":
		default:
			return true
		}
		expected := jsUnwrap(n.Field("arguments").NamedChild(0)).Text()
		// Find expect(<call>) at the root of the chain.
		root := fn.Field("object")
		for root.Kind() == "member_expression" {
			root = root.Field("object")
		}
		if root.Kind() != "call_expression" || root.Field("function").Text() != "expect" {
			return true
		}
		actual := jsUnwrap(root.Field("arguments").NamedChild(0))
		var name string
		switch actual.Kind() {
		case "call_expression":
			name = lastName(actual.Field("function").Text())
		case "identifier":
			name = resultOf[actual.Text()] // one hop: the result held in a variable
		}
		if name == "" {
			return true
		}
		if ret, ok := rets[name]; ok && ret == expected {
			v.finding(CircularMock, n, fmt.Sprintf("asserts that the mocked %s returns %s, the value the test gave the mock", name, ret))
		}
		return true
	})
}

var jsMockReturns = map[string]bool{"mockReturnValue": true, "mockReturnValueOnce": true, "mockResolvedValue": true, "mockResolvedValueOnce": true}

// jsUnwrap strips what does not change a value: await, parentheses and
// TypeScript's `as T`, `satisfies T` and non-null `!`.
func jsUnwrap(n treesitter.Node) treesitter.Node {
	for {
		switch n.Kind() {
		case "await_expression", "parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression":
			if n.NamedChildCount() == 0 {
				return n
			}
			n = n.NamedChild(0)
		default:
			return n
		}
	}
}

// jsHelpersOnly collects assertion helpers from non-test code.
func (v *visitor) jsHelpersOnly(root treesitter.Node) {
	for _, st := range root.NamedChildren() {
		if st.Kind() == "export_statement" {
			st = st.Field("declaration")
		}
		if st.Kind() == "function_declaration" && helperName(st.Field("name").Text()) {
			f := v.jsBody(st.Field("body"))
			v.addHelper(st.Field("name").Text(), helperFacts{asserts: f.meaningful+f.trivial > 0, checkStatus: f.statusCheck, calls: f.calls})
		}
	}
}
