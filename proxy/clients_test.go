package proxy_test

// Real clients (npm 11, pnpm 10, yarn 4, pip) driven against the in-process
// proxy in front of the fake registries: what a user actually sees. A
// missing client fails the test; .ci/run installs them.

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// clientDirs makes a project directory with package.json and a private
// HOME, npm config and caches, so nothing from the machine leaks in.
type clientDirs struct {
	project, home, cache string
	env                  []string
}

func newClientDirs(t *testing.T) clientDirs {
	t.Helper()
	root := t.TempDir()
	d := clientDirs{project: filepath.Join(root, "proj"), home: filepath.Join(root, "home"), cache: filepath.Join(root, "cache")}
	for _, p := range []string{d.project, d.home, d.cache} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(d.project, "package.json"), []byte(`{"name":"proj","version":"1.0.0","private":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(root, "npmrc")
	if err := os.WriteFile(rc, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "npm_config_") || strings.HasPrefix(lk, "pip_") || strings.HasPrefix(lk, "yarn_") || k == "HOME" {
			continue
		}
		d.env = append(d.env, kv)
	}
	d.env = append(d.env, "HOME="+d.home, "npm_config_userconfig="+rc, "npm_config_update_notifier=false",
		"npm_config_audit=false", "npm_config_fund=false", "PIP_CONFIG_FILE="+os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1",
		"YARN_ENABLE_TELEMETRY=0", "COREPACK_ENABLE_DOWNLOAD_PROMPT=0", "NO_COLOR=1", "FORCE_COLOR=0")
	return d
}

// run runs a client in the project directory and returns what it printed
// (stdout and stderr) and its exit code.
func (d clientDirs) run(t *testing.T, name string, args ...string) (string, int) {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required for this test (bash .ci/run installs it): %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = d.project
	cmd.Env = d.env
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		code = ee.ExitCode()
	}
	return string(out), code
}

// yarnrc configures yarn 4 for the proxy as the README says, plus test-local
// settings.
func (d clientDirs) yarnrc(t *testing.T, registry string) {
	t.Helper()
	rc := "npmRegistryServer: \"" + registry + "\"\nunsafeHttpWhitelist: [\"127.0.0.1\"]\nnodeLinker: node-modules\n" +
		"enableTelemetry: false\nenableGlobalCache: false\ncacheFolder: \"" + d.cache + "/yarn\"\n"
	if err := os.WriteFile(filepath.Join(d.project, ".yarnrc.yml"), []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.project, "yarn.lock"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// nonASCIIReason is an admin's denylist reason in German: npm, pnpm and yarn
// decode the reason phrase and headers as Latin-1, so UTF-8 there showed
// as "gefÃ¤hrlich"; '?' for every such letter was no better.
const nonASCIIReason = "gefährlich — siehe Ticket… (Straße)"

// asciiReason is how the reason phrase and headers carry it.
const asciiReason = "gefahrlich - siehe Ticket... (Strasse)"

func TestClientsPrintNonASCIIReasonsReadably(t *testing.T) {
	deny := []policy.ListEntry{
		{ID: "d1", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "mature-lib", Reason: nonASCIIReason, Source: "config"},
		{ID: "d2", Kind: policy.Deny, Ecosystem: policy.PyPI, Pattern: "mature-pkg", Versions: ">=1.1", Reason: nonASCIIReason, Source: "config"},
	}
	npmE, _ := newNPMEnv(t, envOptions{lists: deny})
	registry := npmE.srv.URL + "/npm/"
	mojibake := func(t *testing.T, client, out string) {
		t.Helper()
		if strings.Contains(out, "Ã") || strings.Contains(out, "â") || strings.Contains(out, "gef?hrlich") {
			t.Errorf("%s printed the reason garbled:\n%s", client, out)
		}
	}

	t.Run("npm", func(t *testing.T) {
		d := newClientDirs(t)
		out, code := d.run(t, "npm", "install", "mature-lib", "--registry", registry, "--cache", d.cache, "--loglevel", "warn")
		if code == 0 || !strings.Contains(out, "403 Blocked by vigil-proxy: denylisted") || !strings.Contains(out, asciiReason) {
			t.Errorf("npm install (exit %d) should print the reason phrase in ASCII %q:\n%s", code, asciiReason, out)
		}
		// The JSON body keeps the exact text (punctuation made plain).
		if !strings.Contains(out, "gefährlich - siehe Ticket… (Straße)") {
			t.Errorf("npm should print the body's UTF-8 reason:\n%s", out)
		}
		mojibake(t, "npm", out)
	})
	t.Run("pnpm", func(t *testing.T) {
		d := newClientDirs(t)
		out, code := d.run(t, "pnpm", "add", "mature-lib", "--registry", registry, "--store-dir", filepath.Join(d.cache, "store"),
			"--cache-dir", filepath.Join(d.cache, "pnpm"), "--reporter", "append-only")
		if code == 0 || !strings.Contains(out, "ERR_PNPM_FETCH_403") || !strings.Contains(out, asciiReason) {
			t.Errorf("pnpm add (exit %d) should print the reason phrase %q:\n%s", code, asciiReason, out)
		}
		mojibake(t, "pnpm", out)
	})
	t.Run("yarn", func(t *testing.T) {
		d := newClientDirs(t)
		d.yarnrc(t, registry)
		out, code := d.run(t, "yarn", "add", "mature-lib")
		if code == 0 || !strings.Contains(out, "Response Code: 403 (Blocked by vigil-proxy: denylisted") || !strings.Contains(out, asciiReason) {
			t.Errorf("yarn add (exit %d) should print the reason phrase %q:\n%s", code, asciiReason, out)
		}
		mojibake(t, "yarn", out)
	})
	t.Run("pip", func(t *testing.T) {
		pypiE, _ := newPyPIEnv(t, envOptions{lists: deny})
		d := newClientDirs(t)
		out, code := d.run(t, "python3", "-m", "pip", "download", "--no-deps", "--no-cache-dir", "-d", d.cache,
			"--index-url", pypiE.srv.URL+"/pypi/simple/", "mature-pkg==1.1.0")
		// The yanked reason comes from the page (UTF-8), the refusal of
		// the pinned file from the reason phrase.
		if code == 0 || !strings.Contains(out, "403 Client Error: Blocked by vigil-proxy: ") || !strings.Contains(out, asciiReason) {
			t.Errorf("pip download (exit %d) should print the file's reason phrase %q:\n%s", code, asciiReason, out)
		}
		mojibake(t, "pip", out)
	})
}

// pip search POSTs an XML-RPC call to --index. pypi.org answers it with a
// fault, which pip prints; to any HTTP error pip 23 answers with a
// traceback (AssertionError). The proxy answers with a fault saying what
// to do instead.
func TestPipSearchGetsAFaultNotATraceback(t *testing.T) {
	e, _ := newPyPIEnv(t, envOptions{})
	for _, index := range []string{e.srv.URL + "/pypi/pypi", e.srv.URL + "/pypi/"} {
		d := newClientDirs(t)
		out, code := d.run(t, "python3", "-m", "pip", "search", "--index", index, "requests")
		if code == 0 || strings.Contains(out, "Traceback") || !strings.Contains(out, "XMLRPC request failed [code: -32500]") ||
			!strings.Contains(out, "vigil-proxy does not serve PyPI's XML-RPC API (pip search)") {
			t.Errorf("pip search --index %s (exit %d) should print the proxy's fault, no traceback:\n%s", index, code, out)
		}
	}
	// Anything else POSTed there is still a write, refused with 405.
	resp := e.do(http.MethodPost, "/pypi/pypi")
	if b := body(t, resp); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /pypi/pypi without an XML body = %s %s, want 405", resp.Status, b)
	}
}

// An index URL of /pypi/ instead of /pypi/simple/ (the prefix the README
// names for both PyPI APIs) made every install fail as "from versions:
// none", since pip prints nothing a 404 says. The project page redirects
// there instead, and what it serves is judged as usual.
func TestPipWithThePrefixAsIndexURL(t *testing.T) {
	e, _ := newPyPIEnv(t, envOptions{})
	d := newClientDirs(t)
	index := e.srv.URL + "/pypi/"
	out, code := d.run(t, "python3", "-m", "pip", "download", "--no-deps", "--no-cache-dir", "-d", d.cache, "--index-url", index, "Mature_Pkg")
	if code != 0 || !strings.Contains(out, "Saved ") || !strings.Contains(out, "mature_pkg-1.1.0-py3-none-any.whl") {
		t.Errorf("pip download --index-url %s Mature_Pkg (exit %d):\n%s", index, code, out)
	}
	out, code = d.run(t, "python3", "-m", "pip", "download", "--no-deps", "--no-cache-dir", "-d", d.cache, "-vv", "--index-url", index, "young-project")
	if code == 0 || !strings.Contains(out, "403 Client Error: Blocked by vigil-proxy: 'young-project' was first published 5 days ago") {
		t.Errorf("pip download young-project through /pypi/ (exit %d) should still be refused with the reason:\n%.3000s", code, out)
	}
	resp := e.get("/pypi/Mature_Pkg/")
	if b := body(t, resp); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/pypi/simple/mature-pkg/" {
		t.Errorf("GET /pypi/Mature_Pkg/ = %s Location %q %s, want 301 to /pypi/simple/mature-pkg/", resp.Status, resp.Header.Get("Location"), b)
	}
	for _, p := range []string{"/pypi/files/", "/pypi/pypi/", "/pypi/bad%20name/"} {
		if resp := e.get(p); resp.StatusCode == http.StatusMovedPermanently {
			t.Errorf("GET %s redirected to %q, want no project redirect", p, resp.Header.Get("Location"))
		}
	}
}

// A client pointed at the proxy's root got a bare "404 Not Found", which npm
// explains as a package that is not in the registry. Every path outside the
// registry routes now says where the registries are, in the body npm prints
// and in the reason phrase pnpm and yarn print.
func TestClientsPointedAtTheRootAreToldWhereTheRegistriesAre(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	const where = "vigil-proxy serves npm below /npm/ and PyPI below /pypi/simple/"
	d := newClientDirs(t)
	out, code := d.run(t, "npm", "install", "mature-lib", "--registry", e.srv.URL+"/", "--cache", d.cache)
	if code == 0 || !strings.Contains(out, "404 Not Found: "+where) {
		t.Errorf("npm install with the root as registry (exit %d) should say where the registry is:\n%s", code, out)
	}
	out, code = d.run(t, "pnpm", "add", "mature-lib", "--registry", e.srv.URL+"/", "--store-dir", filepath.Join(d.cache, "store"),
		"--cache-dir", filepath.Join(d.cache, "pnpm"), "--reporter", "append-only")
	if code == 0 || !strings.Contains(out, where) {
		t.Errorf("pnpm add with the root as registry (exit %d) should say where the registry is:\n%s", code, out)
	}
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		resp := e.do(m, "/simple/mature-pkg/")
		b := body(t, resp)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Header.Get("X-Vigil-Reason"), where) || (m != http.MethodHead && !strings.Contains(b, where)) {
			t.Errorf("%s /simple/mature-pkg/ = %s %q, want 404 saying where the registries are", m, resp.Status, b)
		}
	}
}

// npm publish first asks for the packument of the name it is about to
// create. That request put the new name on the hallucination watchlist, so
// once published (upstream, directly) the package was blocked for everyone
// as a probable slopsquat. Names asked for by npm's own-package commands are
// refused as nonexistent but not remembered; an install still is.
func TestNPMPublishDoesNotWatchlistTheNewName(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	reg := e.srv.URL + "/npm/"
	d := newClientDirs(t)
	if err := os.WriteFile(filepath.Join(d.project, "package.json"), []byte(`{"name":"my-new-pkg","version":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(d.home, "publish.npmrc")
	if err := os.WriteFile(rc, []byte(strings.TrimPrefix(reg, "http:")+":_authToken=test-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := d.run(t, "npm", "publish", "--registry", reg, "--cache", d.cache, "--userconfig", rc)
	if code == 0 || !strings.Contains(out, "405 Method Not Allowed: vigil-proxy is a read-only registry proxy") ||
		!strings.Contains(out, "PUT "+reg+"my-new-pkg") || !strings.Contains(out, "go to your upstream registry directly") {
		t.Errorf("npm publish (exit %d) should be refused as a write to a read-only registry:\n%s", code, out)
	}
	if _, err := e.store.Watched(t.Context(), policy.NPM, "my-new-pkg"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("npm publish put my-new-pkg on the watchlist (err %v)", err)
	}
	// Published upstream directly an hour later; teammates install it once
	// it is past the package age policy.
	published := time.Now().Add(time.Hour)
	fake.SetPackage(npmtest.Package{Name: "my-new-pkg", Repository: ghRepo, Created: published,
		Versions: []npmtest.Version{{Version: "1.0.0", Published: published}}})
	e.clock.Advance(40 * day)
	if b := wantStatus(t, e.get("/npm/my-new-pkg", "Accept: application/json"), http.StatusOK); strings.Contains(b, "slopsquat") {
		t.Errorf("my-new-pkg refused as a slopsquat: %s", b)
	}

	// An install of a name that does not exist is remembered as before.
	wantStatus(t, e.get("/npm/not-published-yet", "npm-command: install"), http.StatusNotFound)
	if _, err := e.store.Watched(t.Context(), policy.NPM, "not-published-yet"); err != nil {
		t.Errorf("an install's nonexistent name is not on the watchlist: %v", err)
	}
}

// pnpm and yarn print only the reason phrase: an endpoint the proxy does
// not serve, a write or a malformed path said just "404 (Not Found)". The
// phrase now carries the explanation the body has.
func TestYarnPrintsWhyAnEndpointIsNotServed(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	d := newClientDirs(t)
	d.yarnrc(t, e.srv.URL+"/npm/")
	rc, err := os.ReadFile(filepath.Join(d.project, ".yarnrc.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.project, ".yarnrc.yml"), append(rc, "npmAuthToken: test-token\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := d.run(t, "yarn", "npm", "whoami")
	if code == 0 || !strings.Contains(out, "Response Code: 404 (Not Found: vigil-proxy does not serve /npm/-/whoami: it has no accounts") {
		t.Errorf("yarn npm whoami (exit %d) should print why the proxy does not answer it:\n%s", code, out)
	}
	for _, tc := range []struct{ method, path, phrase string }{
		{http.MethodPut, "/npm/mature-lib", "405 Method Not Allowed: vigil-proxy is a read-only registry proxy"},
		{http.MethodGet, "/npm/mature-lib/-/passwd", "400 Bad Request: invalid package path: bad tarball name"},
		{http.MethodGet, "/pypi/pypi/x", "404 Not Found: vigil-proxy serves /pypi/simple/<project>/"},
	} {
		resp := e.do(tc.method, tc.path)
		b := body(t, resp)
		if !strings.HasPrefix(resp.Status, tc.phrase) || !strings.Contains(b, strings.SplitN(tc.phrase, ": ", 2)[1]) {
			t.Errorf("%s %s = %q (body %q), want the reason phrase %q and the body saying it too", tc.method, tc.path, resp.Status, b, tc.phrase)
		}
	}
	// A message that only repeats the status text is not said twice.
	if resp := e.get("/pypi/simple/mature-pkg/extra"); resp.Status != "404 Not Found" {
		t.Errorf("GET /pypi/simple/mature-pkg/extra = %q, want a plain 404 Not Found", resp.Status)
	}
}
