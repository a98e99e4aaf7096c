package pypi

import "testing"

func TestResolveSpecifier(t *testing.T) {
	versions := []string{"1.0", "1.4.2", "2.0.0", "2.31.0", "3.0.0b1", "2.32.0"}
	yanked := func(v string) bool { return v == "2.32.0" }
	tests := []struct {
		spec, want string
		ok         bool
	}{
		{">=2,<3", "2.31.0", true},      // 2.32.0 is yanked: skipped for a range
		{"==2.32.0", "2.32.0", true},    // …but taken when pinned
		{"~=1.4", "1.4.2", true},        // compatible release
		{">=3.0.0b1", "3.0.0b1", true},  // the specifier names a prerelease
		{">=2.31", "2.31.0", true},      // a plain range skips 3.0.0b1
		{">2.31.0,<4", "3.0.0b1", true}, // only a prerelease matches: taken
		{"==1.*", "1.4.2", true},        // prefix match
		{"!=2.31.0,>=2", "2.0.0", true}, // exclusion; 2.32.0 yanked, 3.0.0b1 a prerelease
		{">=9", "", false},
		{"not a specifier", "", false},
	}
	for _, tc := range tests {
		got, ok := ResolveSpecifier(tc.spec, versions, yanked)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ResolveSpecifier(%q) = %q, %v; want %q, %v", tc.spec, got, ok, tc.want, tc.ok)
		}
	}
	for spec, want := range map[string]bool{">=2": true, "~=1.4": true, "==1.0": true, "1.0": false, "": false} {
		if got := IsSpecifier(spec); got != want {
			t.Errorf("IsSpecifier(%q) = %v, want %v", spec, got, want)
		}
	}
}
