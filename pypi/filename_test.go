package pypi

import (
	"strings"
	"testing"
)

func TestFileVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		project, filename string
		want              string
		ok                bool
	}{
		{"requests", "requests-2.31.0-py3-none-any.whl", "2.31.0", true},
		{"Requests_Toolbelt", "requests_toolbelt-1.0.0-py2.py3-none-any.whl", "1.0.0", true},
		{"numpy", "numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "1.26.4", true},
		{"foo", "foo-1.0-1build-py3-none-any.whl", "1.0", true},
		{"foo", "Foo-1.0-py3-none-any.WHL", "1.0", true},
		{"foo", "bar-1.0-py3-none-any.whl", "", false},
		{"foo", "foo-1.0-py3-any.whl", "", false},
		{"foo-bar", "foo_bar-1.0.tar.gz", "1.0", true},
		{"foo-bar", "foo-bar-1.0.tar.gz", "1.0", true},
		{"foo-bar", "Foo.Bar-2.0rc1.zip", "2.0rc1", true},
		{"foo", "foo-1.0.tar.bz2", "1.0", true},
		{"foo", "foo-1.0.tgz", "1.0", true},
		{"foo", "foo-1.0-beta.tar.gz", "1.0-beta", true},
		{"foo", "foo-bar-1.0.tar.gz", "bar-1.0", true},
		{"foo", "foo-1.0.exe", "", false},
		{"foo", "foo.tar.gz", "", false},
		{"foo", "foo-.tar.gz", "", false},
		{"setuptools", "setuptools-0.6c11-py2.7.egg", "0.6c11", true},
		{"foo-bar", "foo_bar-1.0-py3.8-linux-x86_64.egg", "1.0", true},
		{"foo", "dir/foo-1.0.tar.gz", "", false},
		{"", "foo-1.0.tar.gz", "", false},
	}
	for _, tt := range tests {
		got, ok := FileVersion(tt.project, tt.filename)
		if got != tt.want || ok != tt.ok {
			t.Errorf("FileVersion(%q, %q) = %q, %v, want %q, %v", tt.project, tt.filename, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzFileVersion(f *testing.F) {
	f.Add("foo", "foo-1.0-py3-none-any.whl")
	f.Add("foo-bar", "foo_bar-1.0.tar.gz")
	f.Add("a", "a--.zip")
	f.Add("x", "x-1-2-3-4-5-6.whl")
	f.Add("x", "x-1.0-py2.7.egg")
	f.Fuzz(func(t *testing.T, project, filename string) {
		v, ok := FileVersion(project, filename)
		if ok != (v != "") {
			t.Fatalf("FileVersion(%q, %q) = %q, %v: ok must mean a non-empty version", project, filename, v, ok)
		}
		if ok && !strings.Contains(filename, v) {
			t.Fatalf("FileVersion(%q, %q) = %q, not a part of the filename", project, filename, v)
		}
		if ok && strings.ContainsAny(v, "/\\") {
			t.Fatalf("FileVersion(%q, %q) = %q contains a path separator", project, filename, v)
		}
	})
}
