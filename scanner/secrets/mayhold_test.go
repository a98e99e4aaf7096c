package secrets

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// fixtureTrees are the repository's code fixture trees: the scanner's
// planted sample (with SEC findings), the other rules' fixtures (their code
// holds secrets too) and the sample applications. The SEC rules' own cases
// are compared the same way by scanTree.
var fixtureTrees = []string{"../auth/testdata", "../testquality/testdata", "../testdata", "../../testdata/sampleapps"}

// The tree filter is an optimisation only: scanning with it and with every
// code file parsed gives the same findings.
func TestTreeFilterChangesNoFinding(t *testing.T) {
	for _, dir := range fixtureTrees {
		t.Run(dir, func(t *testing.T) {
			scan := func(ignore bool) []scanner.Finding {
				a, err := New(Options{})
				if err != nil {
					t.Fatal(err)
				}
				res, err := scanner.Scan(context.Background(), scanner.Options{Root: dir, Analyzers: []scanner.Analyzer{a}, IgnoreTreeFilters: ignore})
				if err != nil {
					t.Fatal(err)
				}
				return secFindings(res)
			}
			all, filtered := scan(true), scan(false)
			if len(all) == 0 && dir == "../testdata" {
				t.Fatal("no SEC finding in the SEC fixtures: the comparison proves nothing")
			}
			if diff := cmp.Diff(all, filtered); diff != "" {
				t.Errorf("findings differ with the tree filter (-parse all +filtered):\n%s", diff)
			}
		})
	}
}

func TestMayHoldSecret(t *testing.T) {
	py, js := treesitter.Python, treesitter.JavaScript
	for _, c := range []struct {
		lang treesitter.Lang
		src  string
		want bool
	}{
		{py, "def f():\n    pass\n", false},
		{py, "for key in d:\n    print(key)\n", false},
		{py, "class A:\n    def f(self): pass  # nothing\n", false},
		{py, "x = {'pass': 'hunter2'}\n", true},
		{py, "DB_PASS = 'x'\n", true},
		{py, "SECRET_KEY = 'changeme'\n", true},
		{py, "apiKey = get()\n", true},
		{py, "api_key = get()\n", true},
		{py, "X = 'postgres://app:pw@db.example.io/app'\n", true},
		{py, "X = 'https://example.io/a@b'\n", false},
		{py, "h = hmac.new(k, m, 'sha256')\n", true},
		{py, "tok = lexer.token()\n", true},
		{js, "const pass = 'x'\n", true},
		{js, "const monkey = 1\n", false},
		{js, "const APIKey = 1\n", true},
		{js, "map.set(key, value)\n", false},
		{js, "const K\u212aey = 1\n", true},
	} {
		if got := mayHoldSecret(c.lang, []byte(c.src)); got != c.want {
			t.Errorf("mayHoldSecret(%v, %q) = %v, want %v", c.lang, c.src, got, c.want)
		}
	}
}

// FuzzMayHoldSecret: a file the filter declines raises no finding when it
// is parsed and walked anyway.
func FuzzMayHoldSecret(f *testing.F) {
	for _, dir := range fixtureTrees {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && treesitter.LangForPath(p) != treesitter.None {
				if b, err := os.ReadFile(p); err == nil && len(b) < 4096 {
					f.Add(b)
				}
			}
			return nil
		})
	}
	f.Add([]byte("password = 'hunter2'\n"))
	a, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	parser := treesitter.NewParser()
	f.Cleanup(parser.Close)
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, c := range []struct {
			lang treesitter.Lang
			path string
		}{{treesitter.Python, "app.py"}, {treesitter.JavaScript, "app.js"}} {
			if mayHoldSecret(c.lang, src) {
				continue
			}
			tree, err := parser.Parse(context.Background(), c.lang, src)
			if err != nil {
				continue
			}
			fs, err := a.Analyze(context.Background(), &scanner.File{Path: c.path, Content: src, Lang: c.lang, Tree: tree})
			tree.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) > 0 {
				t.Fatalf("%s: the filter declined a file with findings: %s", c.path, describe(fs))
			}
		}
	})
}

// A guard in a file the filter declines (it names no secret) still
// downgrades the placeholder it checks for; scanTree also requires the
// same findings as with every file parsed.
func TestGuardInDeclinedFileStillDowngrades(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"equality": {
			"app/settings.py":   "SECRET_KEY = 'changeme'\n",
			"app/validators.py": "def refuse_default(value):\n    if value == 'changeme':\n        raise ValueError('set it')\n",
		},
		"prefix": {
			"app/settings.py": "SECRET_KEY = 'changeme-in-production'\n",
			"app/checks.py":   "def refuse_default(value):\n    if value.startswith('changeme'):\n        raise ValueError('set it')\n",
		},
		"javascript": {
			"src/config.js": "const config = { jwtSecret: 'changeme' }\nmodule.exports = config\n",
			"src/boot.js":   "function refuse(v) { if (v === 'changeme') throw new Error('set it') }\nmodule.exports = refuse\n",
		},
	} {
		t.Run(name, func(t *testing.T) {
			for p, body := range files {
				if strings.HasPrefix(body, "def refuse") || strings.HasPrefix(body, "function refuse") {
					if mayHoldSecret(treesitter.LangForPath(p), []byte(body)) {
						t.Fatalf("%s: the filter should decline it, or this test proves nothing", p)
					}
				}
			}
			fs := secFindings(scanTree(t, files, Options{}, false))
			if len(fs) != 1 || !strings.Contains(fs[0].Message, "downgraded: the code checks for this value") {
				t.Fatalf("want one downgraded SEC finding, got %s", describe(fs))
			}
		})
	}
}

// referenceWords is eachWord as first written: the kind of the byte before
// is looked up again at every byte.
func referenceWords(b []byte) [][2]int {
	var out [][2]int
	start := -1
	for i := 0; i <= len(b); i++ {
		k := kindOther
		if i < len(b) {
			k = byteKind(b[i])
		}
		if start >= 0 {
			split := k == kindOther
			if !split {
				last := byteKind(b[i-1])
				switch {
				case (k == kindDigit) != (last == kindDigit):
					split = true
				case k == kindUpper && last == kindLower:
					split = true
				case k == kindUpper && last == kindUpper && i+1 < len(b) && byteKind(b[i+1]) == kindLower:
					split = true
				}
			}
			if split {
				out = append(out, [2]int{start, i})
				start = -1
			}
		}
		if start < 0 && k != kindOther {
			start = i
		}
	}
	return out
}

func eachWordBounds(b []byte) [][2]int {
	var out [][2]int
	eachWord(b, func(start, end int) bool {
		out = append(out, [2]int{start, end})
		return true
	})
	return out
}

func TestEachWordSplitsAsNamesSplit(t *testing.T) {
	for _, s := range []string{"", "a", "APIKey", "api_key2", "x9Y", "HTTPServer", "db_PASS", "ABC", "aB1c", "ü-key", "A"} {
		want := referenceWords([]byte(s))
		if diff := cmp.Diff(want, eachWordBounds([]byte(s))); diff != "" {
			t.Errorf("eachWord(%q) (-want +got):\n%s", s, diff)
		}
	}
	var words []string
	eachWord([]byte("getAPIKey2_secret"), func(start, end int) bool {
		words = append(words, "getAPIKey2_secret"[start:end])
		return true
	})
	if diff := cmp.Diff([]string{"get", "API", "Key", "2", "secret"}, words); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
}

func FuzzEachWord(f *testing.F) {
	f.Add([]byte("getAPIKey2_secret"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if diff := cmp.Diff(referenceWords(b), eachWordBounds(b)); diff != "" {
			t.Fatalf("eachWord(%q) (-reference +got):\n%s", b, diff)
		}
	})
}

func TestNameWordsOfASCIIAsOfAnyText(t *testing.T) {
	for _, s := range []string{"", "APIKey", "api_key2", "DB_PASS", "x9Y", "HTTPServer", "getAPIKey2_secret", "a.b-c d", "__init__", "9lives"} {
		if diff := cmp.Diff(unicodeNameWords(s), nameWords(s)); diff != "" {
			t.Errorf("nameWords(%q) (-any text +ASCII):\n%s", s, diff)
		}
	}
	if diff := cmp.Diff([]string{"api", "key", "2", "secret"}, nameWords("APIKey2_secret")); diff != "" {
		t.Errorf("nameWords (-want +got):\n%s", diff)
	}
}

func FuzzNameWords(f *testing.F) {
	f.Add("getAPIKey2_secret")
	f.Add("Ünïcode_KEY")
	f.Fuzz(func(t *testing.T, s string) {
		if diff := cmp.Diff(unicodeNameWords(s), nameWords(s)); diff != "" {
			t.Fatalf("nameWords(%q) (-any text +fast):\n%s", s, diff)
		}
	})
}
