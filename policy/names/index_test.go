package names

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

func TestTyposquat(t *testing.T) {
	t.Parallel()
	_, ix := loadIndex(t)
	tests := []struct {
		eco        policy.Ecosystem
		name       string
		target     string
		family     string
		confidence Confidence
	}{
		{policy.PyPI, "reqeusts", "requests", FamilyTransposition, High},
		{policy.PyPI, "requestz", "requests", FamilySubstitution, High},
		{policy.PyPI, "requessts", "requests", FamilyRepetition, High},
		{policy.PyPI, "reqquests", "requests", FamilyRepetition, High},
		{policy.PyPI, "requets", "requests", FamilyOmission, High},
		{policy.PyPI, "rrequests", "requests", FamilyRepetition, High},
		{policy.PyPI, "reqxuests", "requests", FamilyInsertion, High}, // no slip, but inside a word of a long name: blocks on the top 1,000
		{policy.PyPI, "jeIlyfish", "jellyfish", FamilyHomoglyph, Low}, // jellyfish is warn-tier
		{policy.PyPI, "nunpy", "numpy", FamilySubstitution, High},
		{policy.PyPI, "b0to3", "boto3", FamilyHomoglyph, High},
		{policy.PyPI, "c1ick", "click", FamilyHomoglyph, High},
		{policy.PyPI, "pythondateutil", "python-dateutil", FamilySeparator, High},
		{policy.PyPI, "setup-tools", "setuptools", FamilySeparator, High},
		{policy.PyPI, "dateutil-python", "python-dateutil", FamilyReorder, Low}, // reorders are mostly sibling projects
		{policy.PyPI, "python-requests", "requests", FamilyAffix, High},
		{policy.PyPI, "requests-py", "requests", FamilyAffix, High},
		{policy.PyPI, "requests2", "requests", FamilyVersionSuffix, Low},
		{policy.PyPI, "requests-v2", "requests", FamilyVersionSuffix, Low},
		{policy.PyPI, "urlib3", "urllib3", FamilyOmission, High},
		{policy.PyPI, "djangorestframwrk", "djangorestframework", FamilyDistance2, High},
		{policy.NPM, "loadsh", "lodash", FamilyTransposition, High},
		{policy.NPM, "crossenv", "cross-env", FamilySeparator, Low}, // npm no longer accepts such names: legacy ones
		{policy.NPM, "mongose", "mongoose", FamilyOmission, High},
		{policy.NPM, "electorn", "electron", FamilyTransposition, High}, // middle tier, unknown candidate
		{policy.NPM, "jquery.js", "jquery", FamilyAffix, High},
		{policy.NPM, "@typess/node", "@types/node", FamilyScopeConfusion, High},
		{policy.NPM, "@types-node/x", "@types/node", FamilyScopeConfusion, High},
		{policy.NPM, "typesnode", "@types/node", FamilyScopeConfusion, Low}, // often the pre-scope name
		{policy.NPM, "expresss", "express", FamilyRepetition, High},
	}
	for _, tc := range tests {
		m, ok := ix.Typosquat(tc.eco, tc.name)
		got := [3]string{m.Target, m.Family, m.Confidence.String()}
		want := [3]string{tc.target, tc.family, tc.confidence.String()}
		if !ok || got != want {
			t.Errorf("Typosquat(%s, %q) = %v, %v; want %v", tc.eco, tc.name, got, ok, want)
		}
	}
}

func TestTyposquatNoMatch(t *testing.T) {
	t.Parallel()
	_, ix := loadIndex(t)
	tests := []struct {
		eco  policy.Ecosystem
		name string
	}{
		{policy.PyPI, "requests"},         // popular itself
		{policy.PyPI, "Requests"},         // popular after normalisation
		{policy.PyPI, "python_dateutil"},  // PEP 503 equal to a popular name
		{policy.NPM, "lodash.pick"},       // popular sibling of lodash
		{policy.NPM, "@babel/croe"},       // same scope as @babel/core: exempt
		{policy.NPM, "@types/nodee"},      // same scope as @types/node: exempt
		{policy.PyPI, "six1"},             // short: no distance checks
		{policy.PyPI, "attr"},             // short and not a fold of a target
		{policy.PyPI, "my-internal-tool"}, // far from everything
		{policy.NPM, "@acme/widgets"},     // private-looking scope
		{policy.PyPI, ""},                 // empty
		{policy.PyPI, "bad name!"},        // invalid
		{policy.Ecosystem("cargo"), "serde"},
	}
	for _, tc := range tests {
		if m, ok := ix.Typosquat(tc.eco, tc.name); ok {
			t.Errorf("Typosquat(%s, %q) = %+v, want no match", tc.eco, tc.name, m)
		}
	}
}

func TestTyposquatAllocs(t *testing.T) {
	_, ix := loadIndex(t)
	// the benchmark's names, and names that take the compound, scramble,
	// truncation and scoped-name-part paths
	all := append([]struct {
		eco  policy.Ecosystem
		name string
	}{
		{policy.NPM, "loadash-lint"}, {policy.NPM, "eslint-utils"}, {policy.NPM, "plain-crypto-js"},
		{policy.NPM, "typescri"}, {policy.NPM, "golbb"}, {policy.NPM, "preset-evn"}, {policy.NPM, "axois.js"},
		{policy.PyPI, "requests-lint"},
	}, benchNames...)
	for _, n := range all {
		allocs := testing.AllocsPerRun(20, func() { ix.Typosquat(n.eco, n.name) })
		if allocs != 0 {
			t.Errorf("Typosquat(%s, %q) allocates %.0f times, want 0", n.eco, n.name, allocs)
		}
	}
}

func TestPopular(t *testing.T) {
	t.Parallel()
	_, ix := loadIndex(t)
	rank, _, ok := ix.Popular(policy.PyPI, "Boto3")
	if !ok || rank != 1 {
		t.Errorf("Popular(pypi, Boto3) = %d, %v; want rank 1", rank, ok)
	}
	rank, monthly, ok := ix.Popular(policy.NPM, "semver")
	if !ok || rank != 1 || monthly != 2399072936 {
		t.Errorf("Popular(npm, semver) = %d, %d, %v; want 1, 2399072936", rank, monthly, ok)
	}
	if _, _, ok := ix.Popular(policy.NPM, "definitely-not-a-popular-name-xyz"); ok {
		t.Error("Popular(npm, unknown) = true")
	}
}

func TestExistsElsewhere(t *testing.T) {
	t.Parallel()
	_, ix := loadIndex(t)
	if eco, ok := ix.ExistsElsewhere(policy.PyPI, "lodash"); !ok || eco != policy.NPM {
		t.Errorf("ExistsElsewhere(pypi, lodash) = %q, %v; want npm", eco, ok)
	}
	if eco, ok := ix.ExistsElsewhere(policy.NPM, "boto3"); !ok || eco != policy.PyPI {
		t.Errorf("ExistsElsewhere(npm, boto3) = %q, %v; want pypi", eco, ok)
	}
	if _, ok := ix.ExistsElsewhere(policy.PyPI, "@types/node"); ok {
		t.Error("ExistsElsewhere(pypi, @types/node) = true, want false (not a PyPI name)")
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	_, ix := loadIndex(t)
	tests := []struct {
		eco  policy.Ecosystem
		name string
		max  int
		want []string
	}{
		{policy.PyPI, "reqeusts", 1, []string{"requests"}},
		{policy.NPM, "loadsh", 2, []string{"lodash", "loadash"}},
		{policy.PyPI, "huggingface-hubb", 1, []string{"huggingface-hub"}},
		{policy.PyPI, "zzzzqqqq-nothing-near", 3, []string{}},
		{policy.PyPI, "huggingface-cli", 1, []string{"huggingface-hub"}},
		{policy.NPM, "@babel/core-utils-extra", 1, []string{"@babel/core"}},
		{policy.PyPI, "reqeusts", 0, nil},
		// Similarity before popularity among relatives.
		{policy.NPM, "react-native-ai-toolkit-pro", 1, []string{"react-native"}},
		// A case variant of an npm name (npm names are case-sensitive)
		// suggests the real spelling first.
		{policy.NPM, "LoDash", 1, []string{"lodash"}},
	}
	for _, tc := range tests {
		got := ix.Suggest(tc.eco, tc.name, tc.max)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Suggest(%s, %q, %d) mismatch (-want +got):\n%s", tc.eco, tc.name, tc.max, diff)
		}
	}
}

func TestSuggesterShape(t *testing.T) {
	var s policy.Suggester = NewIndex(&Corpus{PyPI: []Entry{{Name: "requests", Rank: 1}}})
	if got := s.Suggest(policy.PyPI, "reqests", 3); !cmp.Equal(got, []string{"requests"}) {
		t.Errorf("Suggest on a one-name corpus = %v, want [requests]", got)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		eco      policy.Ecosystem
		in, want string
	}{
		{policy.PyPI, "Zope.Interface", "zope-interface"},
		{policy.PyPI, "a__b--c", "a-b-c"},
		{policy.NPM, "@Babel/Core", "@babel/core"},
		{policy.NPM, "lodash.pick", "lodash.pick"},
	}
	for _, tc := range tests {
		if got := Normalize(tc.eco, tc.in); got != tc.want {
			t.Errorf("Normalize(%s, %q) = %q, want %q", tc.eco, tc.in, got, tc.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"requests", "reqeusts", 1},
		{"requests", "requests", 0},
		{"electron", "electorn", 1},
		{"requests", "rqeusts", 2},
		{"requests", "flask", 3},
	}
	for _, tc := range tests {
		if got := EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func FuzzTyposquat(f *testing.F) {
	_, ix := loadIndex(f)
	for _, s := range []string{"reqeusts", "@typess/node", "", "@", "@/", "a-b.c_d", strings.Repeat("x", 300), "rnrnvvvv", "python-py-js",
		"confgiparser", "pydantics", "ryptography", "sstormcloud", "windmil-x",
		"reqest", "colorona", "facelock", "cookie-parse", "vue.js", "python-six", "lodash-node",
		strings.Repeat("a-", 40) + "z", "@x-y-z-w/" + strings.Repeat("q.", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, eco := range policy.Ecosystems() {
			m, ok := ix.Typosquat(eco, name)
			if _, _, popular := ix.Popular(eco, name); popular && ok {
				t.Fatalf("Typosquat(%s, %q) = %+v for a popular name", eco, name, m)
			}
			if ok && (m.Target == "" || m.Family == "" || (m.Confidence != High && m.Confidence != Low)) {
				t.Fatalf("Typosquat(%s, %q) = incomplete %+v", eco, name, m)
			}
			n := Normalize(eco, name)
			if again := Normalize(eco, n); again != n {
				t.Fatalf("Normalize not idempotent: %q → %q → %q", name, n, again)
			}
			ix.Suggest(eco, name, 3)
		}
	})
}
