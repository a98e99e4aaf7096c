package npm

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// listableDoc builds a packument whose versions each have a conventional
// tarball; deprecated names the versions upstream deprecated.
func listableDoc(versions []string, deprecated ...string) []byte {
	dep := map[string]bool{}
	for _, v := range deprecated {
		dep[v] = true
	}
	var parts []string
	for _, v := range versions {
		d := ""
		if dep[v] {
			d = `,"deprecated":"old"`
		}
		parts = append(parts, fmt.Sprintf(`%q:{"version":%q,"dist":{"tarball":"https://r/p/-/p-%s.tgz"}%s}`, v, v, v, d))
	}
	return []byte(`{"name":"p","dist-tags":{"latest":"` + versions[len(versions)-1] + `"},"versions":{` + strings.Join(parts, ",") + `}}`)
}

func TestListableHidden(t *testing.T) {
	cases := []struct {
		name       string
		versions   []string
		deprecated []string // upstream
		proxyDep   []string // deprecated by the proxy (warn findings)
		hidden     []string
		want       []string
	}{
		{name: "newest hidden above a clean version", versions: []string{"1.0.0", "1.1.0"}, hidden: []string{"1.1.0"}, want: []string{"1.1.0"}},
		{name: "only hidden versions in a major", versions: []string{"1.0.0", "2.0.0", "2.1.0"}, hidden: []string{"2.0.0", "2.1.0"}, want: []string{"2.0.0", "2.1.0"}},
		{
			name:     "deprecated allowed version right below: ^1 would pick the hidden one",
			versions: []string{"1.0.0", "1.1.0"}, deprecated: []string{"1.0.0"}, hidden: []string{"1.1.0"},
		},
		{
			name:     "a proxy deprecation counts too",
			versions: []string{"1.0.0", "1.1.0"}, proxyDep: []string{"1.0.0"}, hidden: []string{"1.1.0"},
		},
		{
			name:     "a clean stable version in between shields",
			versions: []string{"1.0.0", "1.1.0", "1.2.0"}, deprecated: []string{"1.0.0"}, hidden: []string{"1.2.0"},
			want: []string{"1.2.0"},
		},
		{
			name:     "a clean prerelease in between does not shield",
			versions: []string{"1.0.0", "1.1.0-beta.1", "1.2.0"}, deprecated: []string{"1.0.0"}, hidden: []string{"1.2.0"},
		},
		{
			name:     "a deprecated version above a hidden one does not matter",
			versions: []string{"1.0.0", "1.1.0", "1.2.0"}, deprecated: []string{"1.2.0"}, hidden: []string{"1.1.0"},
			want: []string{"1.1.0"},
		},
		{
			name:     "hidden versions do not shield each other",
			versions: []string{"1.0.0", "1.1.0", "1.2.0", "1.3.0"}, deprecated: []string{"1.0.0"}, hidden: []string{"1.1.0", "1.2.0"},
		},
		{
			name:     "an allowed clean version shields the hidden ones above it",
			versions: []string{"1.0.0", "1.1.0", "1.2.0", "1.3.0"}, deprecated: []string{"1.0.0"}, hidden: []string{"1.1.0", "1.3.0"},
			want: []string{"1.3.0"},
		},
		{
			name:     "a wholly deprecated package lists nothing",
			versions: []string{"0.9.0", "1.0.0", "2.0.0"}, deprecated: []string{"0.9.0", "1.0.0"}, hidden: []string{"2.0.0"},
		},
		{
			name:     "hidden versions below every allowed one are listed",
			versions: []string{"0.1.0", "1.0.0"}, deprecated: []string{"1.0.0"}, hidden: []string{"0.1.0"},
			want: []string{"0.1.0"},
		},
		{
			name:     "order in the document does not matter",
			versions: []string{"1.2.0", "1.0.0", "1.1.0"}, deprecated: []string{"1.0.0"}, hidden: []string{"1.2.0"},
			want: []string{"1.2.0"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ix, err := ParseIndex(listableDoc(c.versions, c.deprecated...))
			if err != nil {
				t.Fatal(err)
			}
			proxyDep := hideSet(c.proxyDep...)
			deprecated := func(v string) bool { return ix.Version(v).Deprecated != "" || proxyDep(v) }
			got := keysOf(ListableHidden(ix, hideSet(c.hidden...), deprecated))
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("ListableHidden (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListableHiddenSkipsUnroutableAndLooseVersions(t *testing.T) {
	// 1.1.0 has no tarball: Filter hides it, so it cannot shield 1.2.0
	// from the deprecated 1.0.0. "v1.3.0" is not strict semver: yarn skips
	// it, so it is never listed.
	body := []byte(`{"name":"p","dist-tags":{"latest":"1.1.0"},"versions":{` +
		`"1.0.0":{"deprecated":"old","dist":{"tarball":"https://r/p/-/p-1.0.0.tgz"}},` +
		`"1.1.0":{"dist":{}},` +
		`"1.2.0":{"dist":{"tarball":"https://r/p/-/p-1.2.0.tgz"}},` +
		`"v1.3.0":{"dist":{"tarball":"https://r/p/-/p-v1.3.0.tgz"}}}}`)
	ix, err := ParseIndex(body)
	if err != nil {
		t.Fatal(err)
	}
	got := ListableHidden(ix, hideSet("1.2.0", "v1.3.0"), func(v string) bool { return ix.Version(v).Deprecated != "" })
	if len(got) != 0 {
		t.Errorf("ListableHidden = %v, want none", keysOf(got))
	}
}

func keysOf(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestFilterUntagAndExtraDistTags(t *testing.T) {
	body := readFixture(t, "left.json")
	for _, abbreviated := range []bool{false, true} {
		t.Run(fmt.Sprint("abbreviated=", abbreviated), func(t *testing.T) {
			out := topLevel(t, runFilter(t, body, FilterOptions{
				Untag:       hideSet("1.2.0"),
				Abbreviated: abbreviated,
				ExtraDistTags: []DistTag{
					{Name: "vigil-proxy hid 1.2.0: too new [rule DEP-002]; newest allowed", Version: "1.0.0"},
					{Name: "next", Version: "1.0.0"},               // upstream's name: left out
					{Name: "points-at-untagged", Version: "1.2.0"}, // untagged: left out
					{Name: "points-nowhere", Version: "9.9.9"},     // not listed: left out
				},
			}))
			// 1.2.0 stays listed (with its time) but "latest" moves off it.
			if diff := cmp.Diff([]string{"0.9.0", "1.0.0", "1.2.0", "2.0.0-rc.1", "2.0.0-rc.2"}, objectKeys(t, out["versions"])); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
			if !strings.Contains(string(out["time"]), `"1.2.0"`) {
				t.Errorf("time lost the untagged version: %s", out["time"])
			}
			want := `{"latest":"1.0.0","next":"2.0.0-rc.2","legacy":"0.9.0","odd":7,"vigil-proxy hid 1.2.0: too new [rule DEP-002]; newest allowed":"1.0.0"}`
			if got := string(out["dist-tags"]); got != want {
				t.Errorf("dist-tags =\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestFilterExtraDistTagSkipsHiddenTarget(t *testing.T) {
	body := readFixture(t, "left.json")
	out := topLevel(t, runFilter(t, body, FilterOptions{
		Hide:          hideSet("1.2.0"),
		ExtraDistTags: []DistTag{{Name: "x", Version: "1.2.0"}, {Name: "y", Version: "0.9.0"}, {Name: "y", Version: "1.0.0"}},
	}))
	if got, want := string(out["dist-tags"]), `{"latest":"1.0.0","next":"2.0.0-rc.2","legacy":"0.9.0","odd":7,"y":"0.9.0"}`; got != want {
		t.Errorf("dist-tags = %s, want %s", got, want)
	}
}

// FuzzListableHidden checks, on any document ParseIndex accepts, that only
// hidden versions are listable, and that Filter with the listed ones kept
// but untagged and an extra tag writes a document whose every dist-tag names
// a version it lists and no listed hidden version.
func FuzzListableHidden(f *testing.F) {
	f.Add([]byte(`{"name":"p","dist-tags":{"latest":"1.1.0","next":"1.1.0"},"versions":{"1.0.0":{"dist":{"tarball":"https://r/p/-/p-1.0.0.tgz"}},"1.1.0":{"dist":{"tarball":"https://r/p/-/p-1.1.0.tgz"}}}}`), uint8(2))
	f.Add([]byte(`{"name":"p","dist-tags":{"latest":"2.0.0"},"versions":{"1.0.0":{"deprecated":"x","dist":{"tarball":"https://r/p/-/p-1.0.0.tgz"}},"1.5.0-rc.1":{"dist":{"tarball":"https://r/p/-/p-1.5.0-rc.1.tgz"}},"2.0.0":{"dist":{"tarball":"https://r/p/-/p-2.0.0.tgz"}}}}`), uint8(4))
	f.Fuzz(func(t *testing.T, body []byte, mask uint8) {
		ix, err := ParseIndex(body)
		if err != nil {
			return
		}
		hidden := map[string]bool{}
		for i, v := range ix.Versions {
			if mask&(1<<(i%8)) != 0 {
				hidden[v.Version] = true
			}
		}
		listed := ListableHidden(ix, func(v string) bool { return hidden[v] },
			func(v string) bool { return ix.Version(v).Deprecated != "" })
		for v := range listed {
			if !hidden[v] {
				t.Fatalf("listable %q is not hidden", v)
			}
		}
		var target string
		for _, v := range ix.Versions {
			if !hidden[v.Version] {
				target = v.Version
			}
		}
		var out bytes.Buffer
		err = Filter(&out, body, ix, FilterOptions{
			Hide:          func(v string) bool { return hidden[v] && !listed[v] },
			Untag:         func(v string) bool { return listed[v] },
			ExtraDistTags: []DistTag{{Name: "vigil-proxy hid: why; latest allowed", Version: target}},
			TarballURL:    func(name, base string) string { return "http://p/" + name + "/-/" + base },
		})
		if errors.Is(err, ErrNoVersions) {
			return
		}
		if err != nil {
			t.Fatalf("Filter: %v", err)
		}
		back, err := ParseIndex(out.Bytes())
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out.Bytes())
		}
		for v := range listed {
			if back.Version(v) == nil {
				t.Fatalf("listed %q missing from the output", v)
			}
		}
		for tag, v := range back.DistTags {
			if back.Version(v) == nil {
				t.Fatalf("dist-tag %q names %q, which the output does not list", tag, v)
			}
			if listed[v] {
				t.Fatalf("dist-tag %q names listed hidden %q", tag, v)
			}
		}
	})
}
