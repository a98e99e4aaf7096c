package testquality

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// Helpers outside test files are parsed only in Finish, and only when a
// test reaches them; the verdicts are those of a scan that parses all.
func TestHelpersOutsideTestsAreLoadedWhenCalled(t *testing.T) {
	check(t, []tcase{
		{
			name: "python helper in the package, one hop",
			files: map[string]string{
				"shop/checks.py":      "def check_total(order):\n    assert order.total == sum(order.lines)\n",
				"tests/test_order.py": "from shop.checks import check_total\n\ndef test_total():\n    check_total(make_order())\n",
			},
		},
		{
			name: "python helper chain across two library files",
			files: map[string]string{
				"shop/a.py":           "from shop.b import verify_lines\n\ndef check_order(o):\n    verify_lines(o)\n",
				"shop/b.py":           "def verify_lines(o):\n    if not o.lines:\n        raise AssertionError('empty')\n    assert all(l.qty > 0 for l in o.lines)\n",
				"tests/test_order.py": "from shop.a import check_order\n\ndef test_order():\n    check_order(make_order())\n",
			},
		},
		{
			// check_order is known from the test file before shop/a.py is
			// loaded: the calls its second definition makes still count.
			name: "a loaded helper that merges into a known one",
			files: map[string]string{
				"shop/a.py":           "from shop.b import verify_lines\n\ndef check_order(o):\n    verify_lines(o)\n",
				"shop/b.py":           "def verify_lines(o):\n    assert all(l.qty > 0 for l in o.lines)\n",
				"tests/conftest.py":   "def check_order(o):\n    print(o)\n",
				"tests/test_order.py": "from shop.a import check_order\n\ndef test_order():\n    check_order(make_order())\n",
			},
		},
		{
			name: "javascript helper in src",
			files: map[string]string{
				"src/expectations.js": "function expectValidUser(u) { expect(u.id).toBe(7) }\nmodule.exports = { expectValidUser }\n",
				"test/user.test.js":   "const { expectValidUser } = require('../src/expectations')\ntest('user', () => { expectValidUser(load()) })\n",
			},
		},
		{
			name: "a helper that does not assert does not help",
			files: map[string]string{
				"shop/checks.py":      "def check_total(order):\n    return order.total\n",
				"tests/test_order.py": "from shop.checks import check_total\n\ndef test_total():\n    check_total(make_order())\n",
			},
			want: []string{"tests/test_order.py:3 TEST-001"},
		},
	}, Options{})
}

func TestHelperDefinitions(t *testing.T) {
	src := "def check_a(x): pass\nasync def  verify_b():\n    pass\ndef\\\n  assert_c(): pass\ndef helper(): pass\ndefine = 1\n# def validate_d in a comment\n"
	want := []string{"check_a", "verify_b", "assert_c", "validate_d"}
	if diff := cmp.Diff(want, helperDefinitions(treesitter.Python, []byte(src))); diff != "" {
		t.Errorf("Python (-want +got):\n%s", diff)
	}
	js := "function expectOk(r) {}\nexport function* checkAll() {}\nconst functions = 1\nfunction  ensureReady () {}\n"
	if diff := cmp.Diff([]string{"expectOk", "checkAll", "ensureReady"}, helperDefinitions(treesitter.JavaScript, []byte(js))); diff != "" {
		t.Errorf("JavaScript (-want +got):\n%s", diff)
	}
}

// On every fixture tree of the repository, deferring helper files changes
// no TEST finding compared with parsing every code file.
func TestDeferredHelpersChangeNoFinding(t *testing.T) {
	for _, dir := range []string{"testdata", "../testdata", "../auth/testdata", "../../testdata/sampleapps"} {
		if _, err := os.Stat(dir); err != nil {
			t.Fatal(err)
		}
		scan := func(parseAll bool) []scanner.Finding {
			res, err := scanner.Scan(context.Background(), scanner.Options{Root: filepath.Clean(dir), Analyzers: []scanner.Analyzer{New(Options{})}, IgnoreTreeFilters: parseAll})
			if err != nil {
				t.Fatal(err)
			}
			return res.Findings
		}
		if diff := cmp.Diff(scan(true), scan(false)); diff != "" {
			t.Errorf("%s: findings differ (-parse all +deferred):\n%s", dir, diff)
		}
	}
}
