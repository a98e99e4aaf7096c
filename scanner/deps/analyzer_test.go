package deps

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// nothingExists is a judge for which no package exists: every name it is
// asked about gets DEP-001, so the findings show which names reached it.
type nothingExists struct{}

func (nothingExists) Judge(_ context.Context, qs []Query) ([]Answer, error) {
	out := make([]Answer, len(qs))
	for i, q := range qs {
		out[i] = Answer{Query: q, Name: q.Name, Verdict: Block, Findings: []Finding{{Rule: RuleNonexistent, Verdict: Block, Reason: q.Name + " does not exist"}}}
	}
	return out, nil
}

func scanDeps(t *testing.T, files map[string]string) []string {
	t.Helper()
	root := writeTree(t, files)
	res, err := scanner.Scan(context.Background(), scanner.Options{Root: root, Analyzers: []scanner.Analyzer{New(Options{Judge: nothingExists{}})}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Path+":"+strconv.Itoa(f.Line)+" "+f.Rule)
	}
	slices.Sort(got)
	return got
}

func TestWorkspaceMembersAreNotJudged(t *testing.T) {
	got := scanDeps(t, map[string]string{
		"package.json":             `{"name": "root", "private": true, "workspaces": ["packages/*"]}`,
		"packages/ui/package.json": `{"name": "@acme/ui", "version": "1.0.0"}`,
		"packages/app/package.json": "{\n  \"name\": \"@acme/app\",\n  \"dependencies\": {\n    \"@acme/ui\": \"*\",\n" +
			"    \"@acme/uii\": \"*\"\n  }\n}\n",
		"libs/common/pyproject.toml":   "[project]\nname = \"Acme_Common\"\n",
		"services/api/pyproject.toml":  "[project]\nname = \"api\"\ndependencies = [\n  \"acme-common\",\n  \"acme-commons\",\n]\n",
		"services/api/requirements.in": "",
	})
	// Only the names no project of the repository has reach the judge.
	want := []string{"packages/app/package.json:5 DEP-001", "services/api/pyproject.toml:5 DEP-001"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestPipfilePublicSourceIsNotABypass(t *testing.T) {
	pipfile := func(url string) string {
		return "[[source]]\nurl = \"" + url + "\"\nverify_ssl = true\nname = \"x\"\n\n[packages]\n"
	}
	if got := scanDeps(t, map[string]string{"Pipfile": pipfile("https://pypi.org/simple")}); len(got) != 0 {
		t.Errorf("pypi.org source reported: %v", got)
	}
	got := scanDeps(t, map[string]string{"Pipfile": pipfile("https://pypi.internal.example/simple")})
	if diff := cmp.Diff([]string{"Pipfile:2 DEP-008"}, got); diff != "" {
		t.Errorf("other index (-want +got):\n%s", diff)
	}
}

// writeTree writes files (slash-separated paths under the root) into a new
// temporary directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
