package npm

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

func TestSplitPath(t *testing.T) {
	tests := []struct {
		in   string
		want Route
	}{
		{"lodash", Route{Name: "lodash", Kind: KindPackument}},
		{"/lodash", Route{Name: "lodash", Kind: KindPackument}},
		{"JSONStream", Route{Name: "JSONStream", Kind: KindPackument}},
		{"@types%2fnode", Route{Name: "@types/node", Kind: KindPackument}},
		{"@types%2Fnode", Route{Name: "@types/node", Kind: KindPackument}},
		{"@types/node", Route{Name: "@types/node", Kind: KindPackument}},
		{"%40types%2fnode", Route{Name: "@types/node", Kind: KindPackument}},
		{"%40types/node", Route{Name: "@types/node", Kind: KindPackument}},
		{"lodash/-/lodash-4.17.21.tgz", Route{Name: "lodash", Kind: KindTarball, File: "lodash-4.17.21.tgz"}},
		{"@types/node/-/node-20.1.0.tgz", Route{Name: "@types/node", Kind: KindTarball, File: "node-20.1.0.tgz"}},
		{"@types%2fnode/-/node-20.1.0.tgz", Route{Name: "@types/node", Kind: KindTarball, File: "node-20.1.0.tgz"}},
		{"@types%2Fnode/-/node-20.1.0.tgz", Route{Name: "@types/node", Kind: KindTarball, File: "node-20.1.0.tgz"}},
		{"lodash/4.17.21", Route{Name: "lodash", Kind: KindVersion, Version: "4.17.21"}},
		{"lodash/latest", Route{Name: "lodash", Kind: KindVersion, Version: "latest"}},
		{"@types/node/20.1.0", Route{Name: "@types/node", Kind: KindVersion, Version: "20.1.0"}},
		{"@types%2fnode/latest", Route{Name: "@types/node", Kind: KindVersion, Version: "latest"}},
		{"left-pad/-/left-pad-1.3.0%2Bbuild.tgz", Route{Name: "left-pad", Kind: KindTarball, File: "left-pad-1.3.0+build.tgz"}},
	}
	for _, tc := range tests {
		got, err := SplitPath(tc.in)
		if err != nil {
			t.Errorf("SplitPath(%q) error: %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("SplitPath(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestSplitPathRejects(t *testing.T) {
	for _, in := range []string{
		"", "/", "..", "../etc/passwd", "a/../b", "%2e%2e", "%2e%2e/-/x.tgz",
		"@scope", "@scope/", "@scope%2f", "@%2fname", "@scope/name/extra/more",
		"@scope%2fname%2fextra", "a%2fb", "a//b", "lodash/", "lodash/-/", "lodash/-",
		"lodash/-/file.zip", "lodash/-/.tgz", "lodash/-/..%2fx.tgz", "lodash/-/a%2fb.tgz",
		"lodash/%2e%2e", "lo%00dash", "lo%0adash", "lodash/1.0%0a", "-/ping", "-/v1/search",
		".hidden", "_private", "node_modules", "a%zz", "@scope/../x", "@../x",
		"@scope/.x", "has space", strings.Repeat("a", 215),
		"lodash/4.17.21/extra", "lodash/-/x.tgz/more",
	} {
		if r, err := SplitPath(in); !errors.Is(err, policy.ErrInvalidName) {
			t.Errorf("SplitPath(%q) = %+v, %v; want ErrInvalidName", in, r, err)
		}
	}
}

func TestValidName(t *testing.T) {
	valid := []string{"a", "lodash", "JSONStream", "@types/node", "@Scope/Name", "left-pad", "a.b", "a_b",
		"x!", "~tilde", "@a/b.c", strings.Repeat("a", 214), "@s/_under"}
	for _, n := range valid {
		if err := ValidName(n); err != nil {
			t.Errorf("ValidName(%q) = %v, want nil", n, err)
		}
	}
	invalid := []string{"", ".a", "_a", " a", "a ", "a b", "a/b", "@a", "@a/", "@/b", "@a/b/c", "a..b",
		"node_modules", "FAVICON.ICO", "a%b", "a:b", "@a/.b", "@.a/b", "é", strings.Repeat("a", 215), "a\nb"}
	for _, n := range invalid {
		if err := ValidName(n); !errors.Is(err, policy.ErrInvalidName) {
			t.Errorf("ValidName(%q) = %v, want ErrInvalidName", n, err)
		}
	}
}

func TestValidNewName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"lodash", true}, {"@types/node", true}, {"JSONStream", false}, {"@Scope/x", false},
		{"x!", false}, {"a(b)", false}, {"a*", false}, {"a'b", false}, {".a", false},
	}
	for _, tc := range tests {
		err := ValidNewName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("ValidNewName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestNameHelpers(t *testing.T) {
	tests := []struct {
		name, canonical, escaped, tarball, scope, bare string
	}{
		{"lodash", "lodash", "lodash", "lodash/-/f.tgz", "", "lodash"},
		{"JSONStream", "jsonstream", "JSONStream", "JSONStream/-/f.tgz", "", "JSONStream"},
		{"@Types/Node", "@types/node", "@Types%2fNode", "@Types/Node/-/f.tgz", "Types", "Node"},
	}
	for _, tc := range tests {
		if got := Canonical(tc.name); got != tc.canonical {
			t.Errorf("Canonical(%q) = %q, want %q", tc.name, got, tc.canonical)
		}
		if got := EscapePath(tc.name); got != tc.escaped {
			t.Errorf("EscapePath(%q) = %q, want %q", tc.name, got, tc.escaped)
		}
		if got := TarballPath(tc.name, "f.tgz"); got != tc.tarball {
			t.Errorf("TarballPath(%q) = %q, want %q", tc.name, got, tc.tarball)
		}
		if s, b := SplitScope(tc.name); s != tc.scope || b != tc.bare {
			t.Errorf("SplitScope(%q) = %q, %q, want %q, %q", tc.name, s, b, tc.scope, tc.bare)
		}
		// Round trip: the escaped path routes back to the same name.
		r, err := SplitPath(EscapePath(tc.name))
		if err != nil || r.Name != tc.name {
			t.Errorf("SplitPath(EscapePath(%q)) = %+v, %v", tc.name, r, err)
		}
		r, err = SplitPath(TarballPath(tc.name, "f.tgz"))
		if err != nil || r.Name != tc.name || r.File != "f.tgz" || r.Kind != KindTarball {
			t.Errorf("SplitPath(TarballPath(%q)) = %+v, %v", tc.name, r, err)
		}
	}
}

func FuzzSplitPath(f *testing.F) {
	for _, s := range []string{"lodash", "@types%2fnode", "@types%2Fnode/-/node-1.0.0.tgz", "@s/n/1.0.0",
		"%40s%2fn", "a/../b", "%2e%2e", "@s%2f..%2fx", "x/-/%2e%2e%2fy.tgz", "@%40/x", "a%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := SplitPath(in)
		if err != nil {
			if !errors.Is(err, policy.ErrInvalidName) {
				t.Fatalf("SplitPath(%q) error %v does not wrap ErrInvalidName", in, err)
			}
			return
		}
		if strings.Contains(r.Name, "..") || hasControl(r.Name) {
			t.Fatalf("SplitPath(%q) name %q has .. or control characters", in, r.Name)
		}
		slashes := strings.Count(r.Name, "/")
		if slashes > 1 || (slashes == 1 && !strings.HasPrefix(r.Name, "@")) {
			t.Fatalf("SplitPath(%q) name %q has a stray slash", in, r.Name)
		}
		if err := ValidName(r.Name); err != nil {
			t.Fatalf("SplitPath(%q) returned invalid name %q: %v", in, r.Name, err)
		}
		for _, s := range []string{r.File, r.Version} {
			if strings.Contains(s, "/") || s == ".." || hasControl(s) {
				t.Fatalf("SplitPath(%q) = %+v: unsafe file or version", in, r)
			}
		}
		switch r.Kind {
		case KindPackument:
			if r.File != "" || r.Version != "" {
				t.Fatalf("SplitPath(%q) = %+v", in, r)
			}
		case KindTarball:
			if !strings.HasSuffix(r.File, ".tgz") {
				t.Fatalf("SplitPath(%q) tarball %q", in, r.File)
			}
		case KindVersion:
			if r.Version == "" {
				t.Fatalf("SplitPath(%q) empty version", in)
			}
		default:
			t.Fatalf("SplitPath(%q) kind %v", in, r.Kind)
		}
		// Re-escaping routes back to the same name.
		r2, err := SplitPath(EscapePath(r.Name))
		if err != nil || r2.Name != r.Name {
			t.Fatalf("SplitPath(EscapePath(%q)) = %+v, %v", r.Name, r2, err)
		}
	})
}

func FuzzValidName(f *testing.F) {
	for _, s := range []string{"lodash", "@types/node", "JSONStream", ".x", "@a/b/c", "a..b", "@s/.x", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidName(name)
		if err != nil {
			if !errors.Is(err, policy.ErrInvalidName) {
				t.Fatalf("ValidName(%q) = %v, not ErrInvalidName", name, err)
			}
			if ValidNewName(name) == nil {
				t.Fatalf("ValidNewName(%q) accepts what ValidName rejects", name)
			}
			return
		}
		if len(name) > MaxNameLength || strings.Contains(name, "..") || hasControl(name) {
			t.Fatalf("ValidName accepted %q", name)
		}
		if n := strings.Count(name, "/"); n > 1 || (n == 1 && !strings.HasPrefix(name, "@")) {
			t.Fatalf("ValidName accepted %q with a stray slash", name)
		}
		if ValidNewName(name) == nil && Canonical(name) != name {
			t.Fatalf("ValidNewName accepted non-canonical %q", name)
		}
		r, err := SplitPath(EscapePath(name))
		if err != nil || r.Name != name || r.Kind != KindPackument {
			t.Fatalf("SplitPath(EscapePath(%q)) = %+v, %v", name, r, err)
		}
	})
}
