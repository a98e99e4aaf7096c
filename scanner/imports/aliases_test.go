package imports

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPathAliases(t *testing.T) {
	got, err := PathAliases([]byte("{\n  /* shared */\n  \"extends\": \"./base.json\",\n  \"compilerOptions\": {\n    \"baseUrl\": \".\", // here\n" +
		"    \"paths\": {\"@/*\": [\"src/*\"], \"@app/core\": [\"src/core\"], \"*\": [\"types/*\"],},\n  },\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if diff := cmp.Diff([]string{"@/*", "@app/core"}, got); diff != "" {
		t.Errorf("aliases (-want +got):\n%s", diff)
	}
	if _, err := PathAliases([]byte(`{"compilerOptions": {"paths": [`)); err == nil || !strings.Contains(err.Error(), "tsconfig") {
		t.Errorf("truncated file: error %v, want a tsconfig error", err)
	}
}

func TestAliased(t *testing.T) {
	aliases := []string{"@components/*", "@app/core", "utils/*", "~*"}
	for name, want := range map[string]bool{
		"@components/Button": true, "@app/core": true, "utils": true, "~lib": true,
		"@app/other": false, "utilsx": false, "@componentsx/a": false, "react": false,
		// a key without * is matched exactly, as TypeScript does: it
		// covers no other package that merely starts with it
		"@app/core-utils": false,
	} {
		if got := aliased(name, aliases); got != want {
			t.Errorf("aliased(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestExactAliasIsExact: tsconfig keys without a * name one specifier;
// "@" (a common alias of src/) must not make every scoped package, nor
// "config" every package whose name starts with config, the project's own.
func TestExactAliasIsExact(t *testing.T) {
	as, err := PathAliases([]byte(`{"compilerOptions": {"paths": {"@": ["src"], "config": ["src/config.ts"], "@/*": ["src/*"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"@": true, "config": true,
		"@types/node": false, "@acme/hallucinated-sdk": false, "configstore": false, "config-x": false,
	} {
		if got := aliased(name, as); got != want {
			t.Errorf("aliased(%q) with aliases %q = %v, want %v", name, as, got, want)
		}
	}
}

// FuzzPathAliases: any bytes give aliases or an error, never a panic, and
// never an empty alias (which would cover every import).
func FuzzPathAliases(f *testing.F) {
	f.Add([]byte(`{"compilerOptions": {"paths": {"@/*": ["src/*"]}}}`))
	f.Add([]byte("{\n// c\n\"compilerOptions\": {\"paths\": {\"*\": [\"x\"], \"a\": [],},},}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		as, err := PathAliases(b)
		if err != nil && len(as) > 0 {
			t.Fatalf("aliases with an error: %v", as)
		}
		for _, a := range as {
			if a == "" {
				t.Fatal("empty alias")
			}
		}
	})
}
