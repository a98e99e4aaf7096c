package pypi

import (
	"regexp"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"requests", "requests"},
		{"Requests_Toolbelt", "requests-toolbelt"},
		{"zope.interface", "zope-interface"},
		{"A-_.B", "a-b"},
		{"a__b--c..d", "a-b-c-d"},
		{"Django", "django"},
		{"", ""},
		{"-x-", "-x-"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"requests", true},
		{"a", true},
		{"A1", true},
		{"zope.interface", true},
		{"Requests_Toolbelt", true},
		{"", false},
		{"-a", false},
		{"a-", false},
		{"_a", false},
		{"a.", false},
		{"a b", false},
		{"a/b", false},
		{"../etc", false},
		{"naïve", false},
		{"a%2fb", false},
		{strings.Repeat("a", MaxNameLength), true},
		{strings.Repeat("a", MaxNameLength+1), false},
	}
	for _, tt := range tests {
		if got := ValidName(tt.in); got != tt.want {
			t.Errorf("ValidName(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

var (
	// PEP 508 names are ASCII: no (?i), which would let Unicode case folding
	// accept the Kelvin sign (U+212A) as "k".
	validNameRE  = regexp.MustCompile(`^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$`)
	normalizedRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"requests", "Requests_Toolbelt", "a..b", "-", "Ⅻ", "a-_.-b", "İ", "x\x00y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n := Normalize(name)
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", name, n, again)
		}
		valid := ValidName(name)
		if valid != (validNameRE.MatchString(name) && len(name) <= MaxNameLength) {
			t.Fatalf("ValidName(%q) = %v disagrees with the PEP 508 regexp", name, valid)
		}
		if valid && !normalizedRE.MatchString(n) {
			t.Fatalf("Normalize(%q) = %q, not of the canonical form", name, n)
		}
	})
}
