package secrets

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseDotenv(t *testing.T) {
	in := "# comment\nexport SECRET_KEY='single # not a comment'\nAPI_KEY=\"double \\\" quote\"\nPLAIN=value # trailing comment\nMULTI=\"line one\nline two\"\nnot an assignment\n=novalue\nEMPTY=\nBAD KEY=x\n"
	got := parseDotenv([]byte(in))
	want := []entry{
		{Key: "SECRET_KEY", Path: "SECRET_KEY", Value: "single # not a comment", Line: 2},
		{Key: "API_KEY", Path: "API_KEY", Value: `double \" quote`, Line: 3},
		{Key: "PLAIN", Path: "PLAIN", Value: "value", Line: 4},
		{Key: "MULTI", Path: "MULTI", Value: "line one\nline two", Line: 5},
		{Key: "EMPTY", Path: "EMPTY", Value: "", Line: 9},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseDotenv (-want +got):\n%s", diff)
	}
}

func TestParseDotenvBOMAndCRLF(t *testing.T) {
	got := parseDotenv([]byte("\ufeffSECRET_KEY=abc\r\nB=2\r\n"))
	want := []entry{{Key: "SECRET_KEY", Path: "SECRET_KEY", Value: "abc", Line: 1}, {Key: "B", Path: "B", Value: "2", Line: 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseDotenv (-want +got):\n%s", diff)
	}
}

func TestParseINI(t *testing.T) {
	in := "; comment\n[distutils]\nindex-servers = pypi\n[pypi]\nusername: __token__\npassword = \"pypi-AgEIcHlwaS5vcmc\" ; inline\n  continued\n"
	got := parseINI([]byte(in))
	want := []entry{
		{Key: "index-servers", Path: "distutils.index-servers", Value: "pypi", Line: 3},
		{Key: "username", Path: "pypi.username", Value: "__token__", Line: 5},
		{Key: "password", Path: "pypi.password", Value: "pypi-AgEIcHlwaS5vcmc\ncontinued", Line: 6},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseINI (-want +got):\n%s", diff)
	}
}

func TestParseYAMLAndJSONAndTOML(t *testing.T) {
	y, err := parseYAML([]byte("a:\n  password: x1\n  list:\n    - K=v\n---\nb: {token: t2}\nn: null\n"))
	if err != nil {
		t.Fatal(err)
	}
	wantY := []entry{
		{Key: "password", Path: "a.password", Value: "x1", Line: 2},
		{Key: "K", Path: "a.list.K", Value: "v", Line: 4},
		{Key: "token", Path: "b.token", Value: "t2", Line: 6},
	}
	if diff := cmp.Diff(wantY, y); diff != "" {
		t.Errorf("parseYAML (-want +got):\n%s", diff)
	}
	j, err := parseJSON([]byte("{\n \"db\": {\n  \"password\": \"p\",\n  \"port\": 5432,\n  \"hosts\": [\"a\", \"b\"]\n },\n \"secret\": \"s\"\n}"))
	if err != nil {
		t.Fatal(err)
	}
	wantJ := []entry{
		{Key: "password", Path: "db.password", Value: "p", Line: 3},
		{Key: "port", Path: "db.port", Value: "5432", Line: 4},
		{Key: "secret", Path: "secret", Value: "s", Line: 7},
	}
	if diff := cmp.Diff(wantJ, j); diff != "" {
		t.Errorf("parseJSON (-want +got):\n%s", diff)
	}
	tm, err := parseTOML([]byte("[db]\nhost = \"h\"\npassword = \"pw1\"\n[[users]]\ntoken = \"t\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	wantT := []entry{
		{Key: "host", Path: "db.host", Value: "h", Line: 0}, // not judged: no line looked up
		{Key: "password", Path: "db.password", Value: "pw1", Line: 3},
		{Key: "token", Path: "users.token", Value: "t", Line: 5},
	}
	if diff := cmp.Diff(wantT, tm); diff != "" {
		t.Errorf("parseTOML (-want +got):\n%s", diff)
	}
	for name, in := range map[string]string{"yaml": "a: [", "json": "{\"a\": ", "toml": "a = "} {
		var err error
		switch name {
		case "yaml":
			_, err = parseYAML([]byte(in))
		case "json":
			_, err = parseJSON([]byte(in))
		case "toml":
			_, err = parseTOML([]byte(in))
		}
		if err == nil || !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s: bad input must give a %s: error, got %v", name, name, err)
		}
	}
}

// checkEntries: every entry has a key and a line inside the input.
func checkEntries(t *testing.T, in []byte, es []entry, lineKnown bool) {
	t.Helper()
	lines := strings.Count(string(in), "\n") + 1
	if len(es) > maxEntries {
		t.Fatalf("%d entries over the bound", len(es))
	}
	for _, e := range es {
		if lineKnown && (e.Line < 1 || e.Line > lines) {
			t.Fatalf("entry %+v: line outside 1..%d", e, lines)
		}
		if !lineKnown && (e.Line < 0 || e.Line > lines) {
			t.Fatalf("entry %+v: line outside 0..%d", e, lines)
		}
	}
}

func FuzzParseDotenv(f *testing.F) {
	f.Add([]byte("A=1\nexport B='x'\nC=\"multi\nline\"\n"))
	f.Add([]byte("SECRET_KEY=changeme # c\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es := parseDotenv(b)
		checkEntries(t, b, es, true)
		for _, e := range es {
			if !validEnvKey(e.Key) {
				t.Fatalf("invalid key %q", e.Key)
			}
		}
	})
}

func FuzzParseINI(f *testing.F) {
	f.Add([]byte("[s]\nk = v\n  cont\n"))
	f.Add([]byte("[pypi]\npassword: x ; c\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkEntries(t, b, parseINI(b), true)
	})
}

func FuzzParseYAML(f *testing.F) {
	f.Add([]byte("a:\n  b: c\n  l: [K=v]\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, _ := parseYAML(b)
		checkEntries(t, b, es, true)
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"a": {"password": "x", "n": 1, "l": [1, {"k": "v"}]}}`))
	f.Add([]byte(`[[[{"a":`))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, _ := parseJSON(b)
		checkEntries(t, b, es, true)
	})
}

func FuzzParseTOML(f *testing.F) {
	f.Add([]byte("[db]\npassword = \"x\"\n[[t]]\nk = 1\n"))
	f.Add([]byte("a = { b = [\"c\"] }"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, _ := parseTOML(b)
		checkEntries(t, b, es, false)
	})
}

// FuzzRedactLine: a redacted line never holds the whole secret (when the
// secret is long enough to be one).
func FuzzRedactLine(f *testing.F) {
	f.Add(`password = "pass"`, "pass", 13)
	f.Add(`x = "abcabc" + "abcabc"`, "abcabc", 5)
	f.Fuzz(func(t *testing.T, line, secret string, col int) {
		if len(secret) < 4 || !utf8.ValidString(secret) || strings.TrimSpace(secret) != secret || len(line) > 300 {
			return
		}
		out := redactLine(line, secret, col)
		if strings.Contains(line, secret) && strings.Contains(out, secret) && !strings.Contains(redact(secret), secret) {
			// an occurrence inside a longer word may stay; the one at col and
			// standalone ones may not
			if i := strings.Index(out, secret); i >= 0 {
				end := i + len(secret)
				if (i == 0 || !isWordByte(out[i-1])) && (end == len(out) || !isWordByte(out[end])) {
					t.Fatalf("standalone secret left in %q", out)
				}
			}
		}
	})
}
