package npm

import (
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseIndex(t *testing.T) {
	ix, err := ParseIndex(readFixture(t, "left.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Index{
		Name:       "left",
		DistTags:   map[string]string{"latest": "1.2.0", "next": "2.0.0-rc.2", "legacy": "0.9.0"},
		Created:    ts("2019-05-01T10:00:00Z"),
		Modified:   ts("2024-03-01T12:30:00.123Z"),
		Repository: "git+https://github.com/u/left.git",
		Homepage:   "https://github.com/u/left#readme",
		Versions: []VersionInfo{
			{Version: "0.9.0", Published: ts("2019-05-01T10:00:00Z"), Repository: "https://github.com/old/left",
				TarballURL: "https://registry.npmjs.org/left/-/left-0.9.0.tgz", Shasum: "0123456789abcdef0123456789abcdef01234567", Integrity: "sha512-AAAA"},
			{Version: "1.0.0", Published: ts("2020-01-01T00:00:00Z"), Deprecated: "old line", Repository: "git+https://github.com/u/left.git",
				TarballURL: "https://registry.npmjs.org/left/-/left-1.0.0.tgz", Shasum: "1111111111111111111111111111111111111111", Integrity: "sha512-BBBB", HasInstallScript: true},
			{Version: "1.2.0", Published: ts("2023-01-01T00:00:00Z"),
				TarballURL: "https://registry.npmjs.org/left/-/left-1.2.0.tgz?x=1", Shasum: "2222222222222222222222222222222222222222", Integrity: "sha512-CCCC sha1-DDDD", HasInstallScript: true},
			{Version: "2.0.0-rc.1", Published: ts("2024-01-01T00:00:00Z"), TarballURL: "https://registry.npmjs.org/left/-/left-2.0.0-rc.1.tgz", Integrity: "sha512-EEEE"},
			{Version: "2.0.0-rc.2", Published: ts("2024-03-01T12:30:00.123Z"), TarballURL: "https://registry.npmjs.org/left/-/left-2.0.0-rc.2.tgz", Integrity: "sha512-FFFF"},
		},
	}
	if diff := cmp.Diff(want, ix, cmpopts.IgnoreUnexported(Index{})); diff != "" {
		t.Errorf("ParseIndex (-want +got):\n%s", diff)
	}
	if v := ix.Version("1.2.0"); v == nil || v.Integrity != "sha512-CCCC sha1-DDDD" {
		t.Errorf("Version(1.2.0) = %+v", v)
	}
	if v := ix.Version("1.1.0"); v != nil {
		t.Errorf("Version(1.1.0) = %+v, want nil (only in time)", v)
	}
	tests := []struct{ file, want string }{
		{"left-1.0.0.tgz", "1.0.0"},
		{"left-1.2.0.tgz", "1.2.0"},
		{"left-2.0.0-rc.2.tgz", "2.0.0-rc.2"},
		{"left-1.1.0.tgz", ""},
		{"", ""},
	}
	for _, tc := range tests {
		got := ""
		if v := ix.VersionForTarball(tc.file); v != nil {
			got = v.Version
		}
		if got != tc.want {
			t.Errorf("VersionForTarball(%q) = %q, want %q", tc.file, got, tc.want)
		}
		// The linear fallback (Index built by hand) agrees.
		plain := &Index{Versions: ix.Versions}
		got = ""
		if v := plain.VersionForTarball(tc.file); v != nil {
			got = v.Version
		}
		if got != tc.want {
			t.Errorf("hand-built VersionForTarball(%q) = %q, want %q", tc.file, got, tc.want)
		}
	}
}

func TestVersionForTarballUsesDistNotFilename(t *testing.T) {
	body := []byte(`{"name":"@s/x","versions":{"1.0.0":{"dist":{"tarball":"https://r.example/files/abc123.tgz"}}}}`)
	ix, err := ParseIndex(body)
	if err != nil {
		t.Fatal(err)
	}
	if v := ix.VersionForTarball("abc123.tgz"); v == nil || v.Version != "1.0.0" {
		t.Errorf("VersionForTarball(abc123.tgz) = %+v", v)
	}
	if v := ix.VersionForTarball("x-1.0.0.tgz"); v != nil {
		t.Errorf("VersionForTarball(x-1.0.0.tgz) = %+v, want nil", v)
	}
}

func TestFacts(t *testing.T) {
	ix, err := ParseIndex(readFixture(t, "left.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := ix.Facts()
	file := func(n, at string) []policy.File { return []policy.File{{Name: n, Uploaded: ts(at)}} }
	want := &policy.Package{
		Ecosystem:    policy.NPM,
		Name:         "left",
		Exists:       true,
		Created:      ts("2019-05-01T10:00:00Z"),
		Repositories: []string{"git+https://github.com/u/left.git", "https://github.com/u/left#readme"},
		Signals:      policy.Signals{WeeklyDownloads: -1},
		Releases: []policy.Release{
			{Version: "0.9.0", Published: ts("2019-05-01T10:00:00Z"), Repositories: []string{"https://github.com/old/left"}, Files: file("left-0.9.0.tgz", "2019-05-01T10:00:00Z")},
			{Version: "1.0.0", Published: ts("2020-01-01T00:00:00Z"), Deprecated: "old line", Repositories: []string{"git+https://github.com/u/left.git"}, Files: file("left-1.0.0.tgz", "2020-01-01T00:00:00Z")},
			{Version: "1.2.0", Published: ts("2023-01-01T00:00:00Z"), Files: file("left-1.2.0.tgz", "2023-01-01T00:00:00Z")},
			{Version: "2.0.0-rc.1", Published: ts("2024-01-01T00:00:00Z"), Prerelease: true, Files: file("left-2.0.0-rc.1.tgz", "2024-01-01T00:00:00Z")},
			{Version: "2.0.0-rc.2", Published: ts("2024-03-01T12:30:00.123Z"), Prerelease: true, Files: file("left-2.0.0-rc.2.tgz", "2024-03-01T12:30:00.123Z")},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Facts (-want +got):\n%s", diff)
	}
}

func TestFactsSpecialStates(t *testing.T) {
	tests := []struct {
		name, body string
		want       *policy.Package
	}{
		{
			name: "unpublished stub",
			body: `{"_id":"gone","name":"gone","time":{"created":"2020-01-01T00:00:00.000Z","modified":"2021-01-01T00:00:00.000Z","unpublished":{"time":"2021-01-01T00:00:00.000Z","versions":["1.0.0"]}}}`,
			want: &policy.Package{Ecosystem: policy.NPM, Name: "gone", Exists: true, Created: ts("2020-01-01T00:00:00Z"),
				Status: policy.StatusUnpublished, StatusReason: "every version of this package was unpublished from npm", Signals: policy.Signals{WeeklyDownloads: -1}},
		},
		{
			name: "security holding",
			body: `{"name":"Evil","dist-tags":{"latest":"0.0.1-security"},"versions":{"0.0.1-security":{"dist":{"tarball":"https://r/Evil/-/Evil-0.0.1-security.tgz"}}},"time":{"0.0.1-security":"2022-02-02T00:00:00Z"},"repository":"npm/security-holder"}`,
			want: &policy.Package{Ecosystem: policy.NPM, Name: "evil", Exists: true, Created: ts("2022-02-02T00:00:00Z"),
				Repositories: []string{"https://github.com/npm/security-holder"},
				Status:       policy.StatusSecurityHolding, StatusReason: "npm replaced this package with a security holding package after removing malicious code",
				Signals: policy.Signals{WeeklyDownloads: -1},
				Releases: []policy.Release{{Version: "0.0.1-security", Published: ts("2022-02-02T00:00:00Z"), Prerelease: true,
					Files: []policy.File{{Name: "Evil-0.0.1-security.tgz", Uploaded: ts("2022-02-02T00:00:00Z")}}}}},
		},
		{
			name: "holding with suffix, no tags",
			body: `{"name":"x","versions":{"0.0.2-security.1":{}}}`,
			want: &policy.Package{Ecosystem: policy.NPM, Name: "x", Exists: true, Status: policy.StatusSecurityHolding,
				StatusReason: "npm replaced this package with a security holding package after removing malicious code",
				Signals:      policy.Signals{WeeklyDownloads: -1},
				Releases:     []policy.Release{{Version: "0.0.2-security.1", Prerelease: true}}},
		},
		{
			name: "abbreviated document",
			body: `{"name":"c","modified":"2024-01-01T00:00:00.000Z","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":"c","dist":{}}}}`,
			want: &policy.Package{Ecosystem: policy.NPM, Name: "c", Exists: true, Signals: policy.Signals{WeeklyDownloads: -1},
				Releases: []policy.Release{{Version: "1.0.0"}}},
		},
	}
	for _, tc := range tests {
		ix, err := ParseIndex([]byte(tc.body))
		if err != nil {
			t.Errorf("%s: ParseIndex: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, ix.Facts()); diff != "" {
			t.Errorf("%s: Facts (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestParseIndexRejectsMalformed(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `"x"`, `{`, `{"name":"x"`, `{"name":"x"} trailing`, `{"name":1}`, `{}`,
		`{"name":"x","versions":[]}`, `{"name":"x","time":"now"}`, `{"name":"x","dist-tags":[]}`,
		`{"name":"x","name":"y"}`, `{"name":"x","versions":{"1.0.0":{},"1.0.0":{}}}`,
		`{"name":"x","versions":{"1.0.0":{"dist":{"tarball":"a",}}}}`, `{"name":"x\u00"}`,
		`{"name":"x","a":01}`, `{"name":"x","a":1.}`, `{"name":"x","a":tru}`, "{\"name\":\"x\ty\"}",
	} {
		if _, err := ParseIndex([]byte(body)); !errors.Is(err, policy.ErrUpstream) {
			t.Errorf("ParseIndex(%q) error = %v, want ErrUpstream", body, err)
		}
	}
}

func TestParseIndexEscapedKeys(t *testing.T) {
	body := []byte(`{"n\u0061me":"esc","versions":{"1.0.0":{"d\u0069st":{"tarball":"https://r/esc/-/esc-1.0.0.tgz"}}},"time":{"1.0.0":"2020-01-01T00:00:00Z"}}`)
	ix, err := ParseIndex(body)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Name != "esc" || len(ix.Versions) != 1 || ix.Versions[0].TarballURL != "https://r/esc/-/esc-1.0.0.tgz" || ix.Versions[0].Published.IsZero() {
		t.Errorf("ParseIndex with escaped keys = %+v", ix)
	}
}

// DEP-005 judges what `latest` installs: the registry's top-level
// repository is copied from whichever version was published last (here a
// backport of an old line without one), so the latest version's own
// repository counts for the package.
func TestFactsRepositoryOfLatest(t *testing.T) {
	doc := `{"name":"pkg","dist-tags":{"latest":"2.0.0"},"versions":{` +
		`"2.0.0":{"name":"pkg","version":"2.0.0","repository":{"type":"git","url":"git+https://github.com/u/pkg.git"},"dist":{"tarball":"https://registry.npmjs.org/pkg/-/pkg-2.0.0.tgz"}},` +
		`"1.9.9":{"name":"pkg","version":"1.9.9","dist":{"tarball":"https://registry.npmjs.org/pkg/-/pkg-1.9.9.tgz"}}},` +
		`"time":{"created":"2020-01-01T00:00:00Z","2.0.0":"2024-01-01T00:00:00Z","1.9.9":"2025-01-01T00:00:00Z"}}`
	ix, err := ParseIndex([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Facts().Repositories; !slices.Equal(got, []string{"git+https://github.com/u/pkg.git"}) {
		t.Errorf("Repositories = %q, want the latest version's repository", got)
	}
}
