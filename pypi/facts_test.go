package pypi

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

func TestFacts(t *testing.T) {
	t.Parallel()
	t1 := time.Date(2023, 1, 1, 10, 0, 0, 0, time.UTC)
	t2 := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)
	p := &Project{
		Name: "demo-pkg", Status: "archived", StatusReason: "unmaintained",
		Versions: []string{"0.9", "1.0.0", "1.5.0", "2.0.0rc1"},
		Files: []File{
			{Filename: "demo_pkg-1.0.0-py3-none-any.whl", Size: 100, UploadTime: t2, Version: "1.0.0"},
			// No upload time and size on the page: both come from the doc.
			{Filename: "demo_pkg-1.0.0.tar.gz", Size: -1, Version: "1.0.0"},
			{Filename: "demo_pkg-1.5.0-py3-none-any.whl", Size: 110, UploadTime: t2, Yanked: true, YankedReason: "bad", Version: "1.5.0"},
			{Filename: "demo_pkg-2.0.0rc1.tar.gz", Size: 5, UploadTime: t2.Add(time.Hour), Version: "2.0.0rc1"},
			{Filename: "weird-file.exe", Size: 1, UploadTime: t2},
		},
	}
	doc := &ProjectDoc{
		Name: "Demo_Pkg", HomePage: "https://demo.example", DownloadURL: "https://github.com/acme/demo",
		ProjectURLs: map[string]string{"Source": "https://github.com/acme/demo", "Changelog": "https://demo.example/changes"},
		Releases: map[string][]ReleaseFile{
			"1.0.0": {{Filename: "demo_pkg-1.0.0.tar.gz", UploadTime: t1, Size: 90}},
		},
	}
	got := Facts(p, doc)
	want := &policy.Package{
		Ecosystem: policy.PyPI, Name: "demo-pkg", Exists: true, Created: t1,
		Repositories: []string{"https://demo.example/changes", "https://github.com/acme/demo", "https://demo.example"},
		Status:       "archived", StatusReason: "unmaintained",
		Releases: []policy.Release{
			{Version: "0.9"},
			{Version: "1.0.0", Published: t1, Files: []policy.File{
				{Name: "demo_pkg-1.0.0-py3-none-any.whl", Uploaded: t2, Size: 100},
				{Name: "demo_pkg-1.0.0.tar.gz", Uploaded: t1, Size: 90},
			}},
			{Version: "1.5.0", Published: t2, Yanked: true, YankReason: "bad", Files: []policy.File{
				{Name: "demo_pkg-1.5.0-py3-none-any.whl", Uploaded: t2, Size: 110},
			}},
			{Version: "2.0.0rc1", Published: t2.Add(time.Hour), Prerelease: true, Files: []policy.File{
				{Name: "demo_pkg-2.0.0rc1.tar.gz", Uploaded: t2.Add(time.Hour), Size: 5},
			}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Facts mismatch (-want +got):\n%s", diff)
	}
}

func TestFactsDocOnlyAndActive(t *testing.T) {
	t.Parallel()
	t1 := time.Date(2022, 5, 5, 0, 0, 0, 0, time.UTC)
	doc := &ProjectDoc{Name: "Solo", Releases: map[string][]ReleaseFile{
		"1.0": {{Filename: "solo-1.0.tar.gz", UploadTime: t1, Size: 3, SHA256: "ab"}},
		"0.1": {},
	}}
	got := Facts(nil, doc)
	if got.Name != "solo" || !got.Created.Equal(t1) || len(got.Releases) != 2 || got.Releases[1].Version != "1.0" || got.Releases[1].Files[0].Size != 3 {
		t.Errorf("Facts(nil, doc) = %+v", got)
	}
	if got := Facts(&Project{Name: "x", Status: "active"}, nil); got.Status != policy.StatusActive || got.Repositories != nil || !got.Exists {
		t.Errorf("active project facts = %+v", got)
	}
}

func TestVersionHelpers(t *testing.T) {
	t.Parallel()
	vs := []string{"1.10", "1.2", "junk", "1.2rc1", "2.0.dev1", "1!0.1", "1.2.post1"}
	SortVersions(vs)
	if diff := cmp.Diff([]string{"junk", "1.2rc1", "1.2", "1.2.post1", "1.10", "2.0.dev1", "1!0.1"}, vs); diff != "" {
		t.Errorf("SortVersions (-want +got):\n%s", diff)
	}
	tests := []struct {
		in   []string
		pre  bool
		want string
	}{
		{[]string{"1.0", "2.0b1", "1.5"}, false, "1.5"},
		{[]string{"1.0", "2.0b1", "1.5"}, true, "2.0b1"},
		{[]string{"2.0.dev3"}, false, ""},
		{[]string{"bogus"}, true, ""},
		{nil, true, ""},
	}
	for _, tt := range tests {
		if got := NewestVersion(tt.in, tt.pre); got != tt.want {
			t.Errorf("NewestVersion(%q, %v) = %q, want %q", tt.in, tt.pre, got, tt.want)
		}
	}
	if !EqualVersions("1.0", "1.0.0") || EqualVersions("1.0", "1.0.1") || !EqualVersions("x", "x") || EqualVersions("x", "y") {
		t.Errorf("EqualVersions wrong")
	}
	if !IsValidVersion("1!2.0.post3.dev4+local.7") || IsValidVersion("not a version") {
		t.Errorf("IsValidVersion wrong")
	}
	if !IsPrerelease("1.0a1") || IsPrerelease("1.0") || IsPrerelease("1.0.post1") || IsPrerelease("x") {
		t.Errorf("IsPrerelease wrong")
	}
}
