package pypi

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// printable reports whether s survives an HTML or JSON round trip unchanged:
// valid UTF-8 without control characters and without surrounding spaces.
func printable(s string) bool {
	if !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

func roundTrippable(p *Project, html bool) bool {
	strs := []string{p.Name, p.Status, p.StatusReason}
	for _, f := range p.Files {
		strs = append(strs, f.Filename, f.URL, f.RequiresPython, f.YankedReason, f.Provenance)
		for k, v := range f.Hashes {
			strs = append(strs, k, v)
			if html && (strings.ContainsAny(k+v, "=#") || k == "" || v == "") {
				return false
			}
		}
		for k, v := range f.CoreMetadata {
			strs = append(strs, k, v)
			if html && (strings.ContainsAny(k+v, "=#") || k == "" || v == "") {
				return false
			}
		}
		if html && (strings.Contains(f.URL, "#") || f.Filename == "") {
			return false
		}
	}
	for _, s := range strs {
		if !printable(s) {
			return false
		}
	}
	return true
}

func addFileSeed(f *testing.F, path string) {
	body, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
}

func FuzzParseSimpleJSON(f *testing.F) {
	addFileSeed(f, "testdata/simple_sampleproject.json")
	f.Add([]byte(`{"meta":{"api-version":"1.1"},"name":"x","versions":[],"files":[]}`))
	f.Add([]byte(`{"meta":{"api-version":"1.0"},"name":"x","files":[{"filename":"x-1.tar.gz","url":"x-1.tar.gz","hashes":{},"yanked":""}]}`))
	f.Add([]byte(`null`))
	page := mustURL(f, "https://idx.example/simple/x/")
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseSimpleJSON(body, page)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := p.RenderJSON(&buf); err != nil {
			t.Fatalf("RenderJSON: %v", err)
		}
		if !roundTrippable(p, false) {
			return
		}
		again, err := ParseSimpleJSON(buf.Bytes(), page)
		if err != nil {
			t.Fatalf("re-parse of rendered JSON: %v\n%s", err, buf.Bytes())
		}
		if diff := cmp.Diff(p.Files, again.Files); diff != "" {
			t.Fatalf("JSON round trip changed files (-first +second):\n%s", diff)
		}
	})
}

func FuzzParseSimpleHTML(f *testing.F) {
	addFileSeed(f, "testdata/simple_sampleproject.html")
	f.Add([]byte(`<a href="x-1.0.tar.gz#sha256=00" data-yanked="">x-1.0.tar.gz</a>`))
	f.Add([]byte(`<base href="//other/"><a href="../a/x-1-py3-none-any.whl" data-core-metadata="true">`))
	f.Add([]byte(`<a href="&#x0;">&lt;</a><!--SERIAL 9-->`))
	page := mustURL(f, "https://idx.example/simple/x/")
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseSimpleHTML(body, page)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := p.RenderHTML(&buf); err != nil {
			t.Fatalf("RenderHTML: %v", err)
		}
		if !roundTrippable(p, true) {
			return
		}
		again, err := ParseSimpleHTML(buf.Bytes(), page)
		if err != nil {
			t.Fatalf("re-parse of rendered HTML: %v\n%s", err, buf.Bytes())
		}
		if diff := cmp.Diff(comparableFiles(p.Files, true), again.Files); diff != "" {
			t.Fatalf("HTML round trip changed files (-first +second):\n%s\n%s", diff, buf.Bytes())
		}
	})
}
