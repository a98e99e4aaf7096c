package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestWalkDocumentMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, ` {"a":1} `, `{"a":[1,2,{"b":null}],"c":"\u00e9\n"}`, `{"a":-0.5e+10}`, `{"a":1E5}`,
		`{"a":01}`, `{"a":.5}`, `{"a":1.}`, `{"a":-}`, `{"a":1e}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"` + "\x01" + `"}`,
		`{"a":[1,]}`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":[1 2]}`, `{"a":nul}`, `{"a":1}x`, `[1]`, `"s"`,
		`{"a":"` + "\xff" + `"}`, `{"a":[]}`, `{"a":[ ]}`, `{"a":{ }}`, "{\"a\":\t\r\n1}",
	} {
		ours := walkDocument([]byte(in), nil) == nil
		want := json.Valid([]byte(in)) && strings.HasPrefix(strings.TrimSpace(in), "{")
		if ours != want {
			t.Errorf("walkDocument(%q) ok = %v, encoding/json says %v", in, ours, want)
		}
	}
}

func TestWalkDocumentDepth(t *testing.T) {
	deep := `{"a":` + strings.Repeat("[", maxDepth+5) + strings.Repeat("]", maxDepth+5) + `}`
	if err := walkDocument([]byte(deep), nil); !errors.Is(err, errDepth) {
		t.Errorf("deep document: %v, want errDepth", err)
	}
}

func FuzzWalkDocument(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,{"b":"c\u0041"}]}`, `{"a":1e5}`, `{"a":tru}`, `{"a":"\"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ours := walkDocument(b, nil) == nil
		want := json.Valid(b) && bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{"))
		if ours != want {
			t.Fatalf("walkDocument(%q) ok = %v, encoding/json says %v", b, ours, want)
		}
	})
}

// FuzzParseAndFilter checks that anything ParseIndex accepts is valid JSON,
// and that Filter's output is valid JSON that parses back with exactly the
// remaining versions.
func FuzzParseAndFilter(f *testing.F) {
	f.Add([]byte(`{"name":"x","dist-tags":{"latest":"1.0.1"},"versions":{"1.0.0":{"dist":{"tarball":"https://r/x/-/x-1.0.0.tgz"}},"1.0.1":{"deprecated":"d"}},"time":{"1.0.0":"2020-01-01T00:00:00Z"}}`), true)
	f.Add([]byte(`{"name":"@s/y","versions":{"2.0.0":{"scripts":{"install":"x"}},"1.0.0":[]},"readme":"\u0000"}`), false)
	f.Add([]byte(`{"name":"z","time":{"unpublished":{}}}`), true)
	f.Fuzz(func(t *testing.T, body []byte, abbreviated bool) {
		ix, err := ParseIndex(body)
		if err != nil {
			return
		}
		if !json.Valid(body) {
			t.Fatalf("ParseIndex accepted invalid JSON %q", body)
		}
		n := 0
		hide := func(v string) bool { n++; return n%2 == 0 }
		hidden := map[string]bool{}
		for _, v := range ix.Versions {
			if hide(v.Version) {
				hidden[v.Version] = true
			}
		}
		var out bytes.Buffer
		err = Filter(&out, body, ix, FilterOptions{
			Hide:        func(v string) bool { return hidden[v] },
			Deprecate:   func(v string) string { return "vigil: " + v },
			TarballURL:  func(name, base string) string { return fmt.Sprintf("http://p/%s/-/%s", name, base) },
			Abbreviated: abbreviated,
		})
		if errors.Is(err, ErrNoVersions) {
			if out.Len() != 0 {
				t.Fatal("wrote output before ErrNoVersions")
			}
			return
		}
		if err != nil {
			t.Fatalf("Filter: %v", err)
		}
		if !json.Valid(out.Bytes()) {
			t.Fatalf("Filter output invalid:\n%s", out.Bytes())
		}
		back, err := ParseIndex(out.Bytes())
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out.Bytes())
		}
		if got, want := len(back.Versions), len(ix.Versions)-len(hidden); got != want {
			t.Fatalf("re-parsed %d versions, want %d", got, want)
		}
		for _, v := range back.Versions {
			if hidden[v.Version] {
				t.Fatalf("hidden version %q survived", v.Version)
			}
		}
		for tag, v := range back.DistTags {
			if hidden[v] {
				t.Fatalf("dist-tag %s still names hidden %s", tag, v)
			}
		}
	})
}
