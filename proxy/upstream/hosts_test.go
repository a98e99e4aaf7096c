package upstream

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseHostsErrors(t *testing.T) {
	t.Parallel()
	bad := []string{
		"", "   ", "https://pypi.org", "pypi.org/simple", "user@pypi.org", "pypi.org:", "pypi.org:0",
		"pypi.org:65536", "pypi.org:http", "pypi.org:08", "::1", "[::1", "[zz::1]:80", ":443", "a b", "pypi.org?x",
		"|", "pypi..org", "pypi.org.", "[1.2.3.4]", "pÿpi.org", "[::1]:",
	}
	for _, entry := range bad {
		if _, err := ParseHosts([]string{"registry.npmjs.org", entry}); err == nil {
			t.Errorf("ParseHosts(%q) succeeded, want error", entry)
		}
	}
}

func TestParseHostsList(t *testing.T) {
	t.Parallel()
	h, err := ParseHosts([]string{"PyPI.org", " files.pythonhosted.org ", "localhost:8080", "[::1]:9000", "[fe80::1]"})
	if err != nil {
		t.Fatalf("ParseHosts: %v", err)
	}
	want := []string{"[::1]:9000", "[fe80::1]", "files.pythonhosted.org", "localhost:8080", "pypi.org"}
	if diff := cmp.Diff(want, h.List()); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
}

func TestHostsAllows(t *testing.T) {
	t.Parallel()
	h, err := ParseHosts([]string{"pypi.org", "registry.npmjs.org:443", "localhost:8080", "[::1]:9000"})
	if err != nil {
		t.Fatalf("ParseHosts: %v", err)
	}
	tests := []struct {
		url  string
		want bool
	}{
		{"https://pypi.org/simple/", true},
		{"https://PYPI.org/simple/", true},
		{"https://pypi.org:443/simple/", true},
		{"http://pypi.org/simple/", true},
		{"https://pypi.org:8443/simple/", false},
		{"http://pypi.org:443/", false},
		{"https://evil.pypi.org/", false},
		{"https://pypi.org.evil.com/", false},
		{"https://registry.npmjs.org/react", true},
		{"https://registry.npmjs.org:443/react", true},
		{"http://registry.npmjs.org/react", false},
		{"http://localhost:8080/x", true},
		{"http://localhost/x", false},
		{"http://[::1]:9000/x", true},
		{"ftp://pypi.org/x", false},
		{"file:///etc/passwd", false},
		{"/relative/path", false},
		{"https://user:pw@pypi.org/x", true},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Allows(u); got != tc.want {
			t.Errorf("Allows(%s) = %v, want %v", tc.url, got, tc.want)
		}
	}
	var zero Hosts
	if zero.Allows(&url.URL{Scheme: "https", Host: "pypi.org"}) || h.Allows(nil) {
		t.Errorf("zero Hosts or nil URL allowed, want denied")
	}
}

func FuzzParseHosts(f *testing.F) {
	for _, s := range []string{"pypi.org", "localhost:8080", "[::1]:443", "https://x", "a:b:c", "[", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		h, err := ParseHosts([]string{entry})
		if err != nil {
			return
		}
		list := h.List()
		h2, err := ParseHosts(list)
		if err != nil {
			t.Fatalf("ParseHosts(List()) = %v for entry %q (list %q)", err, entry, list)
		}
		if diff := cmp.Diff(list, h2.List()); diff != "" {
			t.Errorf("List not canonical for %q (-first +second):\n%s", entry, diff)
		}
	})
}
