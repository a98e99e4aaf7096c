package policy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCanonicalName(t *testing.T) {
	tests := []struct {
		eco        Ecosystem
		name, want string
	}{
		{PyPI, "Django", "django"},
		{PyPI, "python_dateutil", "python-dateutil"},
		{PyPI, "zope.interface", "zope-interface"},
		{PyPI, "a-_.-b", "a-b"},
		{PyPI, "Foo__*", "foo-*"},
		{NPM, "JSONStream", "jsonstream"},
		{NPM, "@MyOrg/Pkg_x.y", "@myorg/pkg_x.y"},
		{NPM, " lodash ", "lodash"},
	}
	for _, tt := range tests {
		if got := CanonicalName(tt.eco, tt.name); got != tt.want {
			t.Errorf("CanonicalName(%s, %q) = %q, want %q", tt.eco, tt.name, got, tt.want)
		}
	}
}

func TestVersionSatisfies(t *testing.T) {
	tests := []struct {
		eco                 Ecosystem
		version, constraint string
		want                bool
	}{
		{PyPI, "2.31.0", ">=2,<3", true},
		{PyPI, "3.0", ">=2,<3", false},
		{PyPI, "1.4.5", "~=1.4", true},
		{PyPI, "2.0", "~=1.4", false},
		{PyPI, "1.2.3", "==1.*", true},
		{PyPI, "2.0.0rc1", ">=1", true}, // the parser does not exclude pre-releases
		{PyPI, "not a version", ">=1", false},
		{PyPI, "1.0", ">>1", false},
		{NPM, "1.2.3", "^1.2.0", true},
		{NPM, "2.0.0", "^1.2.0", false},
		{NPM, "v1.2.3", "1.x", true},
		{NPM, "3.1.0", ">=1 <2 || 3.x", true},
		{NPM, "1.2", "^1.2.0", false}, // npm versions are full semver
		{NPM, "banana", "*", false},
		{NPM, "1.0.0", "^^1", false},
		{"cargo", "1.0.0", "1.0.0", false},
		{PyPI, "1.0", strings.Repeat(">=1,", 64) + ">=0", false}, // over the length limit
		{NPM, "1." + strings.Repeat("0", 130) + ".0", "*", false},
		{PyPI, "1.0", strings.Repeat(">=1,", 63) + ">=0", true},
	}
	for _, tt := range tests {
		if got := VersionSatisfies(tt.eco, tt.version, tt.constraint); got != tt.want {
			t.Errorf("VersionSatisfies(%s, %q, %q) = %v, want %v", tt.eco, tt.version, tt.constraint, got, tt.want)
		}
	}
}

func entry(id string, kind ListKind, eco Ecosystem, pattern, versions string) ListEntry {
	return ListEntry{ID: id, Kind: kind, Ecosystem: eco, Pattern: pattern, Versions: versions, Created: now.Add(-day)}
}

func TestMatchEntries(t *testing.T) {
	expired := entry("expired", Allowlist, PyPI, "requests", "")
	expired.Expires = now
	notYet := entry("live", Allowlist, PyPI, "requests", "")
	notYet.Expires = now.Add(time.Second)
	tests := []struct {
		name    string
		entries []ListEntry
		ref     Ref
		want    string // ID of the deciding entry, "" = nil
	}{
		{"no entries", nil, Ref{Ecosystem: PyPI, Name: "requests"}, ""},
		{"exact, canonical forms", []ListEntry{entry("a", Allowlist, PyPI, "Python_DateUtil", "")},
			Ref{Ecosystem: PyPI, Name: "python.dateutil"}, "a"},
		{"other ecosystem", []ListEntry{entry("a", Allowlist, NPM, "requests", "")},
			Ref{Ecosystem: PyPI, Name: "requests"}, ""},
		{"unknown kind never matches", []ListEntry{entry("a", "maybe", PyPI, "requests", "")},
			Ref{Ecosystem: PyPI, Name: "requests"}, ""},
		{"expired at now", []ListEntry{expired}, Ref{Ecosystem: PyPI, Name: "requests"}, ""},
		{"expires after now", []ListEntry{notYet}, Ref{Ecosystem: PyPI, Name: "requests"}, "live"},
		{"glob", []ListEntry{entry("g", Deny, PyPI, "evil-*", "")}, Ref{Ecosystem: PyPI, Name: "Evil_Pkg"}, "g"},
		{"glob ?", []ListEntry{entry("g", Deny, PyPI, "re?uests", "")}, Ref{Ecosystem: PyPI, Name: "reXuests"}, "g"},
		{"npm scope glob", []ListEntry{entry("s", Allowlist, NPM, "@myorg/*", "")}, Ref{Ecosystem: NPM, Name: "@MyOrg/ui"}, "s"},
		{"npm scope glob, other scope", []ListEntry{entry("s", Allowlist, NPM, "@myorg/*", "")}, Ref{Ecosystem: NPM, Name: "@other/ui"}, ""},
		{"npm scope glob, unscoped name", []ListEntry{entry("s", Allowlist, NPM, "@myorg/*", "")}, Ref{Ecosystem: NPM, Name: "myorg-ui"}, ""},
		{"npm * does not cross /", []ListEntry{entry("s", Allowlist, NPM, "*", "")}, Ref{Ecosystem: NPM, Name: "@myorg/ui"}, ""},
		{"npm * matches unscoped", []ListEntry{entry("s", Allowlist, NPM, "*", "")}, Ref{Ecosystem: NPM, Name: "lodash"}, "s"},
		{"npm @*/* matches scoped", []ListEntry{entry("s", Allowlist, NPM, "@*/*", "")}, Ref{Ecosystem: NPM, Name: "@a/b"}, "s"},
		{"bad glob never matches", []ListEntry{entry("b", Deny, PyPI, "[", "")}, Ref{Ecosystem: PyPI, Name: "["}, ""},
		{"empty pattern never matches", []ListEntry{entry("b", Deny, PyPI, " ", "")}, Ref{Ecosystem: PyPI, Name: ""}, ""},
		{"deny beats allow", []ListEntry{entry("a", Allowlist, PyPI, "x", ""), entry("d", Deny, PyPI, "x*", "")},
			Ref{Ecosystem: PyPI, Name: "x"}, "d"},
		{"exact beats glob (deny)", []ListEntry{entry("1", Deny, PyPI, "x*", ""), entry("2", Deny, PyPI, "x", "")},
			Ref{Ecosystem: PyPI, Name: "x"}, "2"},
		{"exact beats glob (allow)", []ListEntry{entry("1", Allowlist, PyPI, "*", ""), entry("2", Allowlist, PyPI, "x", "")},
			Ref{Ecosystem: PyPI, Name: "x"}, "2"},
		{"ID breaks ties", []ListEntry{entry("b", Allowlist, PyPI, "x", ""), entry("a", Allowlist, PyPI, "X", "")},
			Ref{Ecosystem: PyPI, Name: "x"}, "a"},
		// version constraints
		{"package level: constrained entry applies", []ListEntry{entry("c", Allowlist, PyPI, "x", ">=2")},
			Ref{Ecosystem: PyPI, Name: "x"}, "c"},
		{"release level: satisfied", []ListEntry{entry("c", Allowlist, PyPI, "x", ">=2")},
			Ref{Ecosystem: PyPI, Name: "x", Version: "2.1"}, "c"},
		{"release level: not satisfied", []ListEntry{entry("c", Allowlist, PyPI, "x", ">=2")},
			Ref{Ecosystem: PyPI, Name: "x", Version: "1.9"}, ""},
		{"release level: unparsable version", []ListEntry{entry("c", Allowlist, NPM, "x", "^1")},
			Ref{Ecosystem: NPM, Name: "x", Version: "latest"}, ""},
		{"release level: unparsable constraint", []ListEntry{entry("c", Allowlist, NPM, "x", "^^")},
			Ref{Ecosystem: NPM, Name: "x", Version: "1.0.0"}, ""},
		{"release level: unconstrained applies", []ListEntry{entry("u", Allowlist, NPM, "x", "")},
			Ref{Ecosystem: NPM, Name: "x", Version: "1.0.0"}, "u"},
		{"release level: constrained deny beats unconstrained allow",
			[]ListEntry{entry("u", Allowlist, NPM, "x", ""), entry("d", Deny, NPM, "x", ">=3.0.0")},
			Ref{Ecosystem: NPM, Name: "x", Version: "3.1.0"}, "d"},
		{"release level: constrained beats unconstrained of the same kind",
			[]ListEntry{entry("a", Allowlist, NPM, "x", ""), entry("b", Allowlist, NPM, "x", "^1.0.0")},
			Ref{Ecosystem: NPM, Name: "x", Version: "1.0.0"}, "b"},
		{"package level: unconstrained allow beats constrained deny",
			[]ListEntry{entry("d", Deny, NPM, "x", ">=3.0.0"), entry("u", Allowlist, NPM, "x", "")},
			Ref{Ecosystem: NPM, Name: "x"}, "u"},
		{"package level: unconstrained deny beats everything",
			[]ListEntry{entry("a", Allowlist, NPM, "x", ""), entry("c", Allowlist, NPM, "x", "^1.0.0"), entry("d", Deny, NPM, "x*", "")},
			Ref{Ecosystem: NPM, Name: "x"}, "d"},
		// A deny range covers pre-releases too: npm's rule that a range
		// names no pre-release unless it mentions one is for choosing what
		// to install, and would let `x@2.0.0-beta.1` past `x@>=1.0.0`.
		{"release level: deny range covers a pre-release",
			[]ListEntry{entry("d", Deny, NPM, "x", ">=1.0.0")},
			Ref{Ecosystem: NPM, Name: "x", Version: "2.0.0-beta.1"}, "d"},
		{"release level: deny * covers a pre-release",
			[]ListEntry{entry("d", Deny, NPM, "x", "*")},
			Ref{Ecosystem: NPM, Name: "x", Version: "1.2.3-x"}, "d"},
		{"release level: deny range still ends where it ends",
			[]ListEntry{entry("d", Deny, NPM, "x", "<2.0.0")},
			Ref{Ecosystem: NPM, Name: "x", Version: "2.0.1-rc.1"}, ""},
		{"release level: allow range keeps npm's pre-release rule",
			[]ListEntry{entry("a", Allowlist, NPM, "x", "^1.0.0")},
			Ref{Ecosystem: NPM, Name: "x", Version: "1.5.0-rc.1"}, ""},
		// A legacy PyPI version that is not PEP 440 cannot be compared, so
		// a deny range cannot show it is outside: it is covered (fail
		// closed). An allow range still does not take it.
		{"release level: deny range covers a legacy PyPI version",
			[]ListEntry{entry("d", Deny, PyPI, "x", ">=1.0")},
			Ref{Ecosystem: PyPI, Name: "x", Version: "2.0-custom-build"}, "d"},
		{"release level: allow range does not take a legacy PyPI version",
			[]ListEntry{entry("a", Allowlist, PyPI, "x", ">=1.0")},
			Ref{Ecosystem: PyPI, Name: "x", Version: "2.0-custom-build"}, ""},
		{"release level: a deny that does not parse covers nothing",
			[]ListEntry{entry("d", Deny, PyPI, "x", ">>1")},
			Ref{Ecosystem: PyPI, Name: "x", Version: "2.0-custom-build"}, ""},
		{"package level: constrained allow beats constrained deny",
			[]ListEntry{entry("d", Deny, PyPI, "x", ">=3"), entry("c", Allowlist, PyPI, "x", "<2")},
			Ref{Ecosystem: PyPI, Name: "x"}, "c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MatchEntries(tt.entries, tt.ref, now)
			gotID := ""
			if got != nil {
				gotID = got.ID
			}
			if gotID != tt.want {
				t.Fatalf("MatchEntries = %q, want %q", gotID, tt.want)
			}
			// Order must not matter.
			rev := make([]ListEntry, len(tt.entries))
			for i, e := range tt.entries {
				rev[len(rev)-1-i] = e
			}
			if r := MatchEntries(rev, tt.ref, now); (r == nil) != (got == nil) || (r != nil && r.ID != gotID) {
				t.Errorf("reversed order decided %+v", r)
			}
		})
	}
}

func TestMatchEntriesReturnsCopy(t *testing.T) {
	entries := []ListEntry{entry("a", Allowlist, PyPI, "x", "")}
	got := MatchEntries(entries, Ref{Ecosystem: PyPI, Name: "x"}, now)
	got.Reason = "changed"
	if entries[0].Reason != "" {
		t.Error("MatchEntries returned a pointer into the caller's slice")
	}
}

func TestStaticLists(t *testing.T) {
	l := StaticLists{entry("d", Deny, NPM, "@evil/*", "")}
	got, err := l.Match(context.Background(), Ref{Ecosystem: NPM, Name: "@evil/x"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&l[0], got); diff != "" {
		t.Errorf("Match (-want +got):\n%s", diff)
	}
	if got, _ := l.Match(context.Background(), Ref{Ecosystem: NPM, Name: "good"}, now); got != nil {
		t.Errorf("Match(good) = %+v, want nil", got)
	}
}

func TestValidateEntry(t *testing.T) {
	tests := []struct {
		name string
		e    ListEntry
		want []string // substrings; nil = valid
	}{
		{"pypi exact", entry("", Allowlist, PyPI, "Python_DateUtil", ""), nil},
		{"pypi glob with specifiers", entry("", Deny, PyPI, "evil-*", ">=1,<2"), nil},
		{"npm scope glob", entry("", Allowlist, NPM, "@myorg/*", "^1.2.0 || 2.x"), nil},
		{"npm legacy name", entry("", Allowlist, NPM, "JSONStream", ""), nil},
		{"bad kind", entry("", "permit", PyPI, "x", ""), []string{`kind "permit"`}},
		{"bad ecosystem", entry("", Allowlist, "cargo", "x", ">=1"), []string{`ecosystem "cargo"`}},
		{"empty pattern", entry("", Allowlist, PyPI, "", ""), []string{"pattern is empty"}},
		{"spaces", entry("", Allowlist, PyPI, " x", ""), []string{"leading or trailing spaces"}},
		{"bad glob", entry("", Deny, PyPI, "x[", ""), []string{"bad glob"}},
		{"class glob not a name char", entry("", Deny, PyPI, "x[ab]", ""), []string{`character '['`}},
		{"slash in PyPI", entry("", Deny, PyPI, "a/b", ""), []string{`character '/' is not allowed in PyPI names`}},
		{"npm bad scope", entry("", Deny, NPM, "myorg/x", ""), []string{"@scope/name"}},
		{"npm empty scope", entry("", Deny, NPM, "@/x", ""), []string{"@scope/name"}},
		{"npm two slashes", entry("", Deny, NPM, "@a/b/c", ""), []string{"@scope/name"}},
		{"npm stray @", entry("", Deny, NPM, "a@b", ""), []string{`"@" only starts a scope`}},
		{"too long", entry("", Deny, NPM, strings.Repeat("a", 215), ""), []string{"longer than 214"}},
		{"pep440 rejects semver range", entry("", Allowlist, PyPI, "x", "^1.2"), []string{"not a PEP 440 specifier"}},
		{"semver rejects garbage", entry("", Allowlist, NPM, "x", ">>=1"), []string{"not a semver range"}},
		{"constraint too long", entry("", Allowlist, PyPI, "x", strings.Repeat(">=1,", 65)), []string{"longer than 256"}},
		{"expiry before creation", ListEntry{Kind: Allowlist, Ecosystem: PyPI, Pattern: "x", Created: now, Expires: now.Add(-time.Hour)},
			[]string{"not after created"}},
		{"everything wrong", ListEntry{Kind: "", Ecosystem: "", Pattern: ""}, []string{`kind ""`, `ecosystem ""`, "pattern is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateEntry(tt.e)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ValidateEntry = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateEntry = nil, want %q", tt.want)
			}
			if n := len(strings.Split(err.Error(), "\n")); n != len(tt.want) {
				t.Errorf("got %d problems, want %d: %v", n, len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func FuzzMatchEntries(f *testing.F) {
	f.Add("@myorg/*", "^1.2.0", "@myorg/ui", "1.2.3", true)
	f.Add("re?uests", ">=2,<3", "Requests", "2.31.0", false)
	f.Add("[", "~=", "x", "", false)
	f.Add("*", "||", "a", "1.0.0-rc.1+build", true)
	f.Add("a\\", "==1.*", "a\\", "1!2.0.post1.dev3", false)
	f.Fuzz(func(t *testing.T, pattern, versions, name, version string, npm bool) {
		eco := PyPI
		if npm {
			eco = NPM
		}
		entries := []ListEntry{
			{ID: "a", Kind: Allowlist, Ecosystem: eco, Pattern: pattern, Versions: versions},
			{ID: "d", Kind: Deny, Ecosystem: eco, Pattern: pattern, Versions: versions},
		}
		got := MatchEntries(entries, Ref{Ecosystem: eco, Name: name, Version: version}, now)
		// Deny beats an identical allow, except for package-level questions
		// about constrained entries (see MatchEntries).
		packageLevelConstrained := version == "" && strings.TrimSpace(versions) != ""
		if got != nil && (got.Kind == Allowlist) != packageLevelConstrained {
			t.Fatalf("%s %+v won over an identical entry", got.Kind, got)
		}
		_ = ValidateEntry(entries[0])
	})
}

func FuzzValidateEntry(f *testing.F) {
	f.Add("allow", "pypi", "requests", ">=2")
	f.Add("deny", "npm", "@a/*", "^1 || 2.x")
	f.Add("deny", "npm", "[]", "x")
	f.Fuzz(func(t *testing.T, kind, eco, pattern, versions string) {
		e := ListEntry{Kind: ListKind(kind), Ecosystem: Ecosystem(eco), Pattern: pattern, Versions: versions}
		if err := ValidateEntry(e); err == nil {
			// A valid entry matches its own pattern when it is an exact name.
			if !isGlob(pattern) && versions == "" {
				if MatchEntries([]ListEntry{e}, Ref{Ecosystem: e.Ecosystem, Name: pattern}, now) == nil {
					t.Fatalf("valid entry %+v does not match its own name", e)
				}
			}
		}
	})
}
