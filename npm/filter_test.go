package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func hideSet(vs ...string) func(string) bool {
	m := map[string]bool{}
	for _, v := range vs {
		m[v] = true
	}
	return func(v string) bool { return m[v] }
}

func topLevel(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, b)
	}
	return m
}

func objectKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not an object: %v: %s", err, raw)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func runFilter(t *testing.T, body []byte, opts FilterOptions) []byte {
	t.Helper()
	ix, err := ParseIndex(body)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Filter(&out, body, ix, opts); err != nil {
		t.Fatalf("Filter: %v", err)
	}
	if !json.Valid(out.Bytes()) {
		t.Fatalf("Filter output is not valid JSON:\n%s", out.Bytes())
	}
	return out.Bytes()
}

func TestFilterFullKeepsEverythingElse(t *testing.T) {
	body := readFixture(t, "left.json")
	in := topLevel(t, body)
	out := topLevel(t, runFilter(t, body, FilterOptions{Hide: hideSet("1.2.0", "2.0.0-rc.2")}))

	// Untouched members are byte-identical.
	for k, v := range in {
		switch k {
		case "versions", "time", "dist-tags":
			continue
		}
		if !bytes.Equal(out[k], v) {
			t.Errorf("member %q changed:\nwant %s\ngot  %s", k, v, out[k])
		}
	}
	if len(out) != len(in) {
		t.Errorf("output has %d members, input %d", len(out), len(in))
	}
	if diff := cmp.Diff([]string{"0.9.0", "1.0.0", "2.0.0-rc.1"}, objectKeys(t, out["versions"])); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"0.9.0", "1.0.0", "1.1.0", "2.0.0-rc.1", "created", "modified"}, objectKeys(t, out["time"])); diff != "" {
		t.Errorf("time (-want +got):\n%s", diff)
	}
	var tags map[string]any
	if err := json.Unmarshal(out["dist-tags"], &tags); err != nil {
		t.Fatal(err)
	}
	wantTags := map[string]any{"latest": "1.0.0", "next": "2.0.0-rc.1", "legacy": "0.9.0", "odd": float64(7)}
	if diff := cmp.Diff(wantTags, tags); diff != "" {
		t.Errorf("dist-tags (-want +got):\n%s", diff)
	}
	// Remaining version objects are byte-identical without other options.
	var inV, outV map[string]json.RawMessage
	_ = json.Unmarshal(in["versions"], &inV)
	_ = json.Unmarshal(out["versions"], &outV)
	for v, raw := range outV {
		if !bytes.Equal(raw, inV[v]) {
			t.Errorf("version %s changed", v)
		}
	}
}

func TestFilterRewritesTarballsAndDeprecates(t *testing.T) {
	body := readFixture(t, "left.json")
	opts := FilterOptions{
		Hide: hideSet("0.9.0"),
		Deprecate: func(v string) string {
			if v == "1.2.0" || v == "1.0.0" {
				return "vigil: published 3 days ago"
			}
			return ""
		},
		TarballURL: func(name, base string) string { return "https://proxy.example/npm/" + name + "/-/" + base },
	}
	out := topLevel(t, runFilter(t, body, opts))
	var inV, outV map[string]map[string]json.RawMessage
	if err := json.Unmarshal(topLevel(t, body)["versions"], &inV); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out["versions"], &outV); err != nil {
		t.Fatal(err)
	}
	if _, ok := outV["0.9.0"]; ok {
		t.Error("hidden 0.9.0 still present")
	}
	for v, fields := range outV {
		var dist, inDist map[string]json.RawMessage
		_ = json.Unmarshal(fields["dist"], &dist)
		_ = json.Unmarshal(inV[v]["dist"], &inDist)
		var tarball string
		_ = json.Unmarshal(dist["tarball"], &tarball)
		wantBase := TarballBasename(mustString(t, inDist["tarball"]))
		if want := "https://proxy.example/npm/left/-/" + wantBase; tarball != want {
			t.Errorf("%s tarball = %q, want %q", v, tarball, want)
		}
		for _, k := range []string{"integrity", "shasum", "signatures", "fileCount"} {
			if !bytes.Equal(dist[k], inDist[k]) {
				t.Errorf("%s dist.%s changed: %s → %s", v, k, inDist[k], dist[k])
			}
		}
		for k, raw := range inV[v] {
			if k == "dist" || k == "deprecated" {
				continue
			}
			if !bytes.Equal(fields[k], raw) {
				t.Errorf("%s.%s changed: %s → %s", v, k, raw, fields[k])
			}
		}
	}
	for v, want := range map[string]string{"1.0.0": "vigil: published 3 days ago", "1.2.0": "vigil: published 3 days ago"} {
		if got := mustString(t, outV[v]["deprecated"]); got != want {
			t.Errorf("%s deprecated = %q, want %q", v, got, want)
		}
	}
	if got := string(outV["2.0.0-rc.1"]["deprecated"]); got != "false" {
		t.Errorf("2.0.0-rc.1 deprecated = %s, want upstream's false kept", got)
	}
}

func mustString(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("not a string: %s", raw)
	}
	return s
}

func TestFilterAbbreviated(t *testing.T) {
	body := readFixture(t, "left.json")
	raw := runFilter(t, body, FilterOptions{
		Abbreviated: true,
		Hide:        hideSet("2.0.0-rc.2"),
		TarballURL:  func(name, base string) string { return "http://p/" + name + "/-/" + base },
	})
	out := topLevel(t, raw)
	if diff := cmp.Diff([]string{"dist-tags", "modified", "name", "time", "versions"}, objectKeys(t, raw)); diff != "" {
		t.Errorf("corgi top-level keys (-want +got):\n%s", diff)
	}
	if got := mustString(t, out["modified"]); got != "2024-03-01T12:30:00.123Z" {
		t.Errorf("modified = %q", got)
	}
	if diff := cmp.Diff([]string{"0.9.0", "1.0.0", "1.1.0", "1.2.0", "2.0.0-rc.1", "created", "modified"}, objectKeys(t, out["time"])); diff != "" {
		t.Errorf("time (-want +got):\n%s", diff)
	}
	var vs map[string]json.RawMessage
	_ = json.Unmarshal(out["versions"], &vs)
	wantFields := map[string][]string{
		"0.9.0":      {"dist", "name", "version"},
		"1.0.0":      {"dependencies", "deprecated", "dist", "hasInstallScript", "name", "version"},
		"1.2.0":      {"_hasShrinkwrap", "bin", "cpu", "dist", "engines", "funding", "hasInstallScript", "name", "os", "version"},
		"2.0.0-rc.1": {"deprecated", "dist", "name", "version"},
	}
	if diff := cmp.Diff(sortedKeys(wantFields), objectKeys(t, out["versions"])); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	for v, want := range wantFields {
		if diff := cmp.Diff(want, objectKeys(t, vs[v])); diff != "" {
			t.Errorf("corgi fields of %s (-want +got):\n%s", v, diff)
		}
	}
	var tags map[string]any
	_ = json.Unmarshal(out["dist-tags"], &tags)
	if tags["next"] != "2.0.0-rc.1" || tags["latest"] != "1.2.0" {
		t.Errorf("dist-tags = %v", tags)
	}
}

func sortedKeys(m map[string][]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestFilterAbbreviatedFromCorgiAndNoTime(t *testing.T) {
	body := []byte(`{"name":"c","modified":"2024-01-01T00:00:00.000Z","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":"c","version":"1.0.0","dist":{"tarball":"https://r/c/-/c-1.0.0.tgz"}}}}`)
	got := runFilter(t, body, FilterOptions{Abbreviated: true})
	if !bytes.Equal(got, body) {
		t.Errorf("corgi → corgi changed the document:\n%s", got)
	}
	full := []byte(`{"name":"d","time":{"modified":"2024-02-02T01:02:03.000Z"},"versions":{"1.0.0":{"readme":"big","version":"1.0.0"}}}`)
	want := `{"name":"d","modified":"2024-02-02T01:02:03.000Z","versions":{"1.0.0":{"version":"1.0.0"}},"time":{"modified":"2024-02-02T01:02:03.000Z"}}`
	if got := runFilter(t, full, FilterOptions{Abbreviated: true}); string(got) != want {
		t.Errorf("abbreviated =\n%s\nwant\n%s", got, want)
	}
}

func TestFilterNoVersions(t *testing.T) {
	body := readFixture(t, "left.json")
	ix, err := ParseIndex(body)
	if err != nil {
		t.Fatal(err)
	}
	all := func(string) bool { return true }
	if n := Remaining(ix, all); n != 0 {
		t.Errorf("Remaining(all hidden) = %d", n)
	}
	var out bytes.Buffer
	if err := Filter(&out, body, ix, FilterOptions{Hide: all}); !errors.Is(err, ErrNoVersions) {
		t.Errorf("Filter(all hidden) = %v, want ErrNoVersions", err)
	}
	if out.Len() != 0 {
		t.Errorf("Filter wrote %d bytes before refusing", out.Len())
	}
	stub := []byte(`{"name":"gone","time":{"unpublished":{"time":"2021-01-01T00:00:00.000Z"}}}`)
	if err := Filter(&out, stub, nil, FilterOptions{}); !errors.Is(err, ErrNoVersions) {
		t.Errorf("Filter(unpublished stub) = %v, want ErrNoVersions", err)
	}
	if n := Remaining(ix, nil); n != 5 {
		t.Errorf("Remaining(nil) = %d, want 5", n)
	}
	if n := Remaining(ix, hideSet("1.0.0", "9.9.9")); n != 4 {
		t.Errorf("Remaining(hide 1.0.0) = %d, want 4", n)
	}
}

func TestRetag(t *testing.T) {
	versions := []string{"0.9.0", "1.0.0", "1.1.0-beta.1", "1.1.0", "1.2.0", "2.0.0-rc.1", "2.0.0-rc.2", "3.0.0"}
	tests := []struct {
		name   string
		tags   map[string]string
		hidden []string
		want   map[string]string
	}{
		{"nothing hidden", map[string]string{"latest": "1.2.0"}, nil, map[string]string{"latest": "1.2.0"}},
		{"latest hidden → highest stable below", map[string]string{"latest": "1.2.0"}, []string{"1.2.0"}, map[string]string{"latest": "1.1.0"}},
		{"latest skips prereleases", map[string]string{"latest": "1.1.0"}, []string{"1.1.0"}, map[string]string{"latest": "1.0.0"}},
		{"never moves up", map[string]string{"latest": "1.2.0"}, []string{"0.9.0", "1.0.0", "1.1.0", "1.2.0"}, map[string]string{}},
		{"next may use prereleases", map[string]string{"next": "2.0.0-rc.2"}, []string{"2.0.0-rc.2"}, map[string]string{"next": "2.0.0-rc.1"}},
		{"prerelease latest falls back", map[string]string{"latest": "2.0.0-rc.2"}, []string{"2.0.0-rc.2", "1.2.0", "1.1.0", "1.0.0", "0.9.0"}, map[string]string{"latest": "2.0.0-rc.1"}},
		{"prerelease latest prefers stable", map[string]string{"latest": "2.0.0-rc.2"}, []string{"2.0.0-rc.2"}, map[string]string{"latest": "1.2.0"}},
		{"others untouched", map[string]string{"latest": "3.0.0", "legacy": "0.9.0"}, []string{"3.0.0"}, map[string]string{"latest": "1.2.0", "legacy": "0.9.0"}},
		// A tag naming a version absent from "versions" (unpublished, or a
		// broken upstream) makes pkg@latest fail with ETARGET: repair it.
		{"dangling tag repaired", map[string]string{"latest": "9.9.9"}, []string{"3.0.0"}, map[string]string{"latest": "1.2.0"}},
		{"dangling tag repaired without hiding", map[string]string{"latest": "3.5.0", "beta": "3.1.0-beta.1"}, nil, map[string]string{"latest": "3.0.0", "beta": "3.0.0"}},
		{"dangling tag with nothing below dropped", map[string]string{"old": "0.1.0"}, nil, map[string]string{}},
	}
	for _, tc := range tests {
		ix := &Index{Name: "x", DistTags: tc.tags}
		for _, v := range versions {
			ix.Versions = append(ix.Versions, VersionInfo{Version: v})
		}
		hidden := map[string]bool{}
		for _, v := range tc.hidden {
			hidden[v] = true
		}
		if diff := cmp.Diff(tc.want, retag(ix, hidden)); diff != "" {
			t.Errorf("%s: retag (-want +got):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(tc.want, RetaggedDistTags(ix, hideSet(tc.hidden...))); diff != "" {
			t.Errorf("%s: RetaggedDistTags (-want +got):\n%s", tc.name, diff)
		}
		if got, want := NewestAllowed(ix, hideSet(tc.hidden...)), tc.want["latest"]; got != want {
			t.Errorf("%s: NewestAllowed = %q, want %q", tc.name, got, want)
		}
	}
}

func TestFilterHideCalledOncePerVersion(t *testing.T) {
	body := readFixture(t, "left.json")
	calls := map[string]int{}
	runFilter(t, body, FilterOptions{Hide: func(v string) bool { calls[v]++; return v == "1.0.0" }})
	for v, n := range calls {
		if n != 1 {
			t.Errorf("Hide(%q) called %d times", v, n)
		}
	}
	if len(calls) != 5 {
		t.Errorf("Hide called for %d versions, want 5", len(calls))
	}
}

func TestFilterWriteError(t *testing.T) {
	body := readFixture(t, "left.json")
	err := Filter(failWriter{}, body, nil, FilterOptions{})
	if err == nil || !strings.Contains(err.Error(), "write") {
		t.Errorf("Filter to a failing writer = %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFilterHidesUnroutableTarballs(t *testing.T) {
	body := []byte(`{"name":"u","dist-tags":{"latest":"1.2.0"},"versions":{` +
		`"1.0.0":{"dist":{"tarball":"https://r/a/u.tgz"}},` +
		`"1.1.0":{"dist":{"tarball":"https://r/b/u.tgz"}},` +
		`"1.2.0":{"dist":{}}}}`)
	got := runFilter(t, body, FilterOptions{TarballURL: func(n, b string) string { return "http://p/" + n + "/-/" + b }})
	want := `{"name":"u","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"dist":{"tarball":"http://p/u/-/u.tgz"}}}}`
	if string(got) != want {
		t.Errorf("Filter =\n%s\nwant\n%s", got, want)
	}
	// Without rewriting nothing is unroutable.
	if got := runFilter(t, body, FilterOptions{}); !bytes.Equal(got, body) {
		t.Errorf("Filter without options changed the document:\n%s", got)
	}
}
