package npm

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
)

// miniProxy is the smallest registry front that uses this package the way
// the proxy does: route on the escaped path, parse, filter with tarball
// rewriting, map tarball requests back through the index and verify
// integrity while copying.
func miniProxy(t *testing.T, upstream *npmtest.Server, hide func(string) bool, deprecate func(string) string) *httptest.Server {
	t.Helper()
	var front *httptest.Server
	fetch := func(ctx context.Context, u string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := upstream.Client().Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.EscapedPath(), "/-/") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, "{}")
			return
		}
		route, err := SplitPath(r.URL.EscapedPath())
		if err != nil {
			http.Error(w, `{"error":"bad name"}`, http.StatusBadRequest)
			return
		}
		raw, err := fetch(r.Context(), upstream.URL+"/"+EscapePath(route.Name))
		if err != nil {
			http.Error(w, `{"error":"upstream"}`, http.StatusBadGateway)
			return
		}
		ix, err := ParseIndex(raw)
		if err != nil {
			http.Error(w, `{"error":"Not found"}`, http.StatusNotFound)
			return
		}
		switch route.Kind {
		case KindPackument:
			abbrev := WantsAbbreviated(r.Header.Get("Accept"))
			var buf bytes.Buffer
			err := Filter(&buf, raw, ix, FilterOptions{
				Hide:        hide,
				Deprecate:   deprecate,
				TarballURL:  func(name, base string) string { return front.URL + "/" + TarballPath(name, base) },
				Abbreviated: abbrev,
			})
			if err != nil {
				http.Error(w, `{"error":"blocked"}`, http.StatusForbidden)
				return
			}
			ct := MediaTypeFull
			if abbrev {
				ct = MediaTypeAbbreviated
			}
			w.Header().Set("Content-Type", ct)
			_, _ = w.Write(buf.Bytes())
		case KindTarball:
			vi := ix.VersionForTarball(route.File)
			if vi == nil || hide(vi.Version) {
				http.Error(w, `{"error":"blocked"}`, http.StatusForbidden)
				return
			}
			tgz, err := fetch(r.Context(), vi.TarballURL)
			if err != nil {
				http.Error(w, `{"error":"upstream"}`, http.StatusBadGateway)
				return
			}
			v, err := NewIntegrityVerifier(vi.Integrity, vi.Shasum)
			if err == nil {
				_, _ = v.Write(tgz)
				err = v.Verify()
			}
			if err != nil {
				http.Error(w, `{"error":"integrity"}`, http.StatusBadGateway)
				return
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(tgz)
		default:
			http.Error(w, `{"error":"Not found"}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(front.Close)
	return front
}

// TestRealNPMThroughFilter runs npm 11 against filtered documents: the
// newest version is hidden, so "@latest" must resolve to the re-pointed tag,
// the deprecation warning must be printed, and every tarball must come
// through the rewritten URLs.
func TestRealNPMThroughFilter(t *testing.T) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("npm is required for this test: %v", err)
	}
	upstream := npmtest.NewServer(t,
		npmtest.Package{Name: "@vigil/tool", Versions: []npmtest.Version{
			{Version: "1.0.0"},
			{Version: "1.1.0", Deps: map[string]string{"dep-x": "*"}},
			{Version: "2.0.0"},
		}},
		npmtest.Package{Name: "dep-x", Versions: []npmtest.Version{{Version: "0.1.0"}, {Version: "0.2.0"}}},
	)
	hidden := map[string]bool{"2.0.0": true, "0.2.0": true}
	front := miniProxy(t, upstream,
		func(v string) bool { return hidden[v] },
		func(v string) string {
			if v == "1.1.0" {
				return "vigil: test warning for 1.1.0"
			}
			return ""
		})

	dir := t.TempDir()
	proj := filepath.Join(dir, "proj")
	home := filepath.Join(dir, "home")
	for _, d := range []string{proj, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(proj, "package.json"), []byte(`{"name":"proj","version":"1.0.0","private":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "npmrc")
	if err := os.WriteFile(rc, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(strings.ToLower(k), "npm_config_") && k != "HOME" {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home, "npm_config_userconfig="+rc, "npm_config_update_notifier=false")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "@vigil/tool@latest",
		"--registry", front.URL+"/", "--cache", filepath.Join(dir, "cache"), "--no-audit", "--no-fund")
	cmd.Dir = proj
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm install: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "vigil: test warning for 1.1.0") {
		t.Errorf("npm output lacks the deprecation warning:\n%s", out)
	}
	for dirName, want := range map[string]string{"@vigil/tool": "1.1.0", "dep-x": "0.1.0"} {
		b, err := os.ReadFile(filepath.Join(proj, "node_modules", filepath.FromSlash(dirName), "package.json"))
		if err != nil {
			t.Fatalf("%s not installed: %v\n%s", dirName, err, out)
		}
		var m struct{ Version string }
		if err := json.Unmarshal(b, &m); err != nil || m.Version != want {
			t.Errorf("installed %s = %q (%v), want %s", dirName, m.Version, err, want)
		}
	}
	if n := upstream.Requests("/@vigil/tool/-/tool-2.0.0.tgz"); n != 0 {
		t.Errorf("hidden tarball fetched upstream %d times", n)
	}
	if n := upstream.Requests("/@vigil/tool/-/tool-1.1.0.tgz"); n != 1 {
		t.Errorf("tarball 1.1.0 fetched upstream %d times, want 1 (through the proxy)", n)
	}
}
