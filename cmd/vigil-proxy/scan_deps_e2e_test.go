package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/deps"
)

// e2eProject declares, in each of requirements.txt, pyproject.toml,
// package.json and package-lock.json, a fine package, a nonexistent one, a
// too-new one, a typosquat and a pinned version that does not exist. Its
// .vigil.yaml tries to relax the DEP verdicts.
var e2eProject = map[string]string{
	"requirements.txt": "requests==2.31.0\nghost-pkg-alpha==1.0\nfresh-alpha==0.1.0\nreqeusts==2.31.0\nflask==9.9.9\n",
	"pyproject.toml":   "[project]\nname = \"demo\"\ndependencies = [\n  \"httpx>=2.30\",\n  \"ghost-pkg-beta\",\n  \"fresh-beta\",\n  \"djnago\",\n  \"click==9.9.9\",\n]\n",
	"package.json":     "{\n  \"name\": \"demo\",\n  \"dependencies\": {\n    \"express\": \"^4.1.0\",\n    \"ghost-npm-alpha\": \"^1.0.0\",\n    \"fresh-npm-alpha\": \"0.1.0\",\n    \"expresss\": \"^4.0.0\",\n    \"chalk\": \"9.9.9\"\n  }\n}\n",
	"package-lock.json": "{\n  \"name\": \"demo\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\"name\": \"demo\"},\n" +
		"    \"node_modules/express\": {\"version\": \"4.1.2\"},\n    \"node_modules/ghost-npm-alpha\": {\"version\": \"1.0.0\"},\n" +
		"    \"node_modules/fresh-npm-alpha\": {\"version\": \"0.1.0\"},\n    \"node_modules/expresss\": {\"version\": \"4.0.0\"},\n" +
		"    \"node_modules/lodash\": {\"version\": \"9.9.9\"}\n  }\n}\n",
	".vigil.yaml": "rules:\n  DEP-001: {enabled: false}\n  DEP-002: {severity: low}\n",
}

// e2eWant are the findings every online mode must report (file:line rule).
var e2eWant = []string{
	"package-lock.json:7 DEP-001", "package-lock.json:8 DEP-002", "package-lock.json:9 DEP-003", "package-lock.json:10 DEP-007",
	"package.json:5 DEP-001", "package.json:6 DEP-002", "package.json:7 DEP-003", "package.json:8 DEP-007",
	"pyproject.toml:5 DEP-001", "pyproject.toml:6 DEP-002", "pyproject.toml:7 DEP-003", "pyproject.toml:8 DEP-007",
	"requirements.txt:2 DEP-001", "requirements.txt:3 DEP-002", "requirements.txt:4 DEP-003", "requirements.txt:5 DEP-007",
}

// e2eFine are the lines of the fine packages: no finding at all there.
var e2eFine = []string{"requirements.txt:1", "pyproject.toml:4", "package.json:4", "package-lock.json:6"}

func writeDepProject(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// checkE2EFindings asserts the wanted findings are there, nothing is
// reported on the fine lines, and the severities follow the verdicts.
func checkE2EFindings(t *testing.T, mode string, rep scanReport, want []string) {
	t.Helper()
	got := map[string]scanner.Finding{}
	var all []string
	for _, f := range rep.Findings {
		k := fmt.Sprintf("%s:%d %s", f.Path, f.Line, f.Rule)
		got[k] = f
		all = append(all, k+" "+f.Severity.String()+" "+f.Message)
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("%s: missing %s; got:\n  %s", mode, w, strings.Join(all, "\n  "))
		}
	}
	for _, fine := range e2eFine {
		for k := range got {
			if strings.HasPrefix(k, fine+" ") {
				t.Errorf("%s: finding on a fine package's line: %s", mode, k)
			}
		}
	}
	for k, f := range got {
		wantSev := map[string]scanner.Severity{"DEP-001": scanner.Critical, "DEP-003": scanner.Critical, "DEP-002": scanner.High, "DEP-007": scanner.High}[f.Rule]
		if wantSev != 0 && f.Severity != wantSev {
			t.Errorf("%s: %s has severity %s, want %s", mode, k, f.Severity, wantSev)
		}
	}
}

// TestScanDepsEndToEnd is issue #8's acceptance: scan --proxy against a
// running serve with fake upstreams, the same project with the in-process
// judge (twice: the second run asks the upstreams nothing) and --offline.
func TestScanDepsEndToEnd(t *testing.T) {
	up := newDepUpstreams(t)
	root := writeDepProject(t, e2eProject)

	t.Run("proxy", func(t *testing.T) {
		environ := up.env(t)
		environ["VIGIL_ADMIN_TOKEN"] = "test-admin-token-0123456789"
		addr := freeAddr(t)
		environ["VIGIL_LISTEN"] = addr
		environ["VIGIL_ADMIN_LISTEN"] = freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int)
		var serveErr bytes.Buffer
		go func() {
			done <- run(ctx, []string{"serve"}, strings.NewReader(""), &bytes.Buffer{}, &serveErr, envMap(environ))
		}()
		defer func() {
			cancel()
			if code := <-done; code != exitOK {
				t.Errorf("serve exited %d: %s", code, serveErr.String())
			}
		}()
		waitHealthy(t, "http://"+addr)
		// The repository's .vigil.yaml is read (no --no-repo-config) but
		// cannot relax the proxy's verdicts.
		code, out, errOut := runCLI(t, map[string]string{"VIGIL_DATA_DIR": t.TempDir()}, "", "scan", "-f", "json", "--proxy", "http://"+addr, root)
		var rep scanReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("not JSON (exit %d): %v\n%s\n%s", code, err, out, errOut)
		}
		if code != exitBlocked {
			t.Errorf("exit %d, want %d; stderr %s", code, exitBlocked, errOut)
		}
		checkE2EFindings(t, "--proxy", rep, e2eWant)
		if !strings.Contains(errOut, "rules.DEP-001 relaxes a verdict of the --proxy; ignored") {
			t.Errorf("stderr does not say the relaxing rule was ignored: %q", errOut)
		}
	})

	t.Run("direct", func(t *testing.T) {
		environ := up.env(t)
		// Live popularity too: the download services are upstreams, and
		// the second scan asks them nothing either.
		var popRequests atomic.Int64
		pop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			popRequests.Add(1)
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		}))
		defer pop.Close()
		environ["VIGIL_POPULARITY_ONLINE"] = "true"
		environ["VIGIL_POPULARITY_PYPISTATS_URL"] = pop.URL
		environ["VIGIL_POPULARITY_NPM_DOWNLOADS_URL"] = pop.URL
		before := up.pypi.TotalRequests() + up.npm.TotalRequests()
		code, rep, errOut := scanJSON(t, environ, root)
		if code != exitBlocked {
			t.Errorf("exit %d, want %d; stderr %s", code, exitBlocked, errOut)
		}
		checkE2EFindings(t, "direct", rep, e2eWant)
		first := up.pypi.TotalRequests() + up.npm.TotalRequests() - before
		if first == 0 {
			t.Fatalf("the first direct scan made no upstream request")
		}
		popFirst := popRequests.Load()
		if popFirst == 0 {
			t.Errorf("the first direct scan asked the download services nothing")
		}
		mid := up.pypi.TotalRequests() + up.npm.TotalRequests()
		code2, rep2, _ := scanJSON(t, environ, root)
		second := up.pypi.TotalRequests() + up.npm.TotalRequests() - mid
		if second != 0 {
			t.Errorf("second scan made %d upstream requests, want 0 (persistent cache)", second)
		}
		if n := popRequests.Load() - popFirst; n != 0 {
			t.Errorf("second scan made %d popularity requests, want 0", n)
		}
		if code2 != code || !cmp.Equal(keys(rep.Findings), keys(rep2.Findings)) {
			t.Errorf("second scan differs: exit %d vs %d\n%s", code2, code, cmp.Diff(keys(rep.Findings), keys(rep2.Findings)))
		}
		t.Logf("first scan: %d registry and %d popularity requests; second: %d and %d", first, popFirst, second, popRequests.Load()-popFirst)
	})

	t.Run("offline", func(t *testing.T) {
		environ := up.env(t)
		before := up.pypi.TotalRequests() + up.npm.TotalRequests()
		code, rep, errOut := scanJSON(t, environ, "--offline", root)
		if n := up.pypi.TotalRequests() + up.npm.TotalRequests() - before; n != 0 {
			t.Errorf("--offline made %d upstream requests", n)
		}
		if code != exitBlocked {
			t.Errorf("exit %d, want %d; stderr %s", code, exitBlocked, errOut)
		}
		var typos []string
		for _, f := range rep.Findings {
			switch f.Rule {
			case "DEP-001", "DEP-002", "DEP-007", "DEP-000":
				t.Errorf("offline raised %s: %s:%d %s", f.Rule, f.Path, f.Line, f.Message)
			case "DEP-003":
				typos = append(typos, fmt.Sprintf("%s:%d %s", f.Path, f.Line, f.Rule))
			}
		}
		slices.Sort(typos)
		wantTypos := []string{"package-lock.json:9 DEP-003", "package.json:7 DEP-003", "pyproject.toml:7 DEP-003", "requirements.txt:4 DEP-003"}
		if diff := cmp.Diff(wantTypos, typos); diff != "" {
			t.Errorf("offline typosquats (-want +got):\n%s", diff)
		}
		if !slices.ContainsFunc(rep.Notes, func(n string) bool {
			return strings.Contains(n, "existence, versions, release age and repositories were not checked")
		}) {
			t.Errorf("notes do not say existence was not checked: %q", rep.Notes)
		}
	})
}

func keys(fs []scanner.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s:%d %s %s", f.Path, f.Line, f.Rule, f.Severity))
	}
	slices.Sort(out)
	return out
}

// An unreachable registry is "could not verify" at high severity (the scan
// fails closed), low with --allow-unverified, and never DEP-001.
func TestScanDepsUnreachableRegistry(t *testing.T) {
	root := writeDepProject(t, map[string]string{"requirements.txt": "requests==2.31.0\nghost-pkg-alpha\n", "package.json": "{\"dependencies\": {\"express\": \"^4\"}}\n"})
	environ := map[string]string{
		"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_SCAN_CACHE_DIR": t.TempDir(),
		"VIGIL_PYPI_UPSTREAM": refusedURL(t), "VIGIL_NPM_UPSTREAM": refusedURL(t),
		"VIGIL_POPULARITY_ONLINE": "false", "VIGIL_CACHE_GRACE": "0s",
	}
	for _, tc := range []struct {
		args []string
		sev  scanner.Severity
		code int
	}{{nil, scanner.High, exitBlocked}, {[]string{"--allow-unverified"}, scanner.Low, exitOK}} {
		code, rep, errOut := scanJSON(t, environ, append(tc.args, root)...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d; stderr %s", tc.args, code, tc.code, errOut)
		}
		var got []string
		for _, f := range rep.Findings {
			if f.Rule == "DEP-001" {
				t.Errorf("%v: invented DEP-001: %s", tc.args, f.Message)
			}
			if f.Rule == "DEP-000" {
				if f.Severity != tc.sev || !strings.Contains(f.Message, "could not verify") {
					t.Errorf("%v: %s %s %q", tc.args, f.Rule, f.Severity, f.Message)
				}
				got = append(got, fmt.Sprintf("%s:%d", f.Path, f.Line))
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff([]string{"package.json:1", "requirements.txt:1", "requirements.txt:2"}, got); diff != "" {
			t.Errorf("%v: DEP-000 locations (-want +got):\n%s", tc.args, diff)
		}
	}
}

// A 2,000-entry lockfile is judged in a few batch requests, never one per
// package: the remote judge's requests are counted at the endpoint.
func TestRemoteJudgeBatches(t *testing.T) {
	var posts, packages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/check" {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		posts.Add(1)
		var in struct {
			Packages []checkRef `json:"packages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Packages) > 1000 {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		packages.Add(int64(len(in.Packages)))
		out := make([]policy.Report, len(in.Packages))
		for i, p := range in.Packages {
			out[i] = policy.Report{Ecosystem: policy.Ecosystem(p.Ecosystem), Name: p.Name, Version: p.Version, Verdict: policy.Allow, Findings: []policy.Finding{}}
		}
		json.NewEncoder(w).Encode(map[string]any{"results": out})
	}))
	defer srv.Close()
	j, err := newRemoteJudge(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	qs := make([]deps.Query, 2000)
	for i := range qs {
		qs[i] = deps.Query{Ecosystem: deps.NPM, Name: fmt.Sprintf("pkg-%d", i), Spec: "1.0.0"}
	}
	answers, err := j.Judge(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 2000 || answers[1999].Name != "pkg-1999" || answers[0].Verdict != deps.Allow {
		t.Fatalf("answers out of order or missing: %d, last %+v", len(answers), answers[len(answers)-1])
	}
	if posts.Load() != 4 || packages.Load() != 2000 {
		t.Errorf("%d requests carrying %d packages, want 4 carrying 2000", posts.Load(), packages.Load())
	}
}
