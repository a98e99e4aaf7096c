package proxy_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// hostileSimplePage replaces mature-pkg's simple page with links a hostile
// or broken index could list: a file whose name names no version of the
// project, a file:// URL and a relative path climbing out of the index.
func hostileSimplePage(t *testing.T, e *env, fake *pypitest.Server) {
	t.Helper()
	f := fake.Files("mature-pkg")[0]
	file := func(name, url string) string {
		return fmt.Sprintf(`{"filename":%q,"url":%q,"hashes":{"sha256":%q},"upload-time":"2020-01-01T00:00:00Z"}`, name, url, f.SHA256)
	}
	page := `{"meta":{"api-version":"1.1"},"name":"mature-pkg","versions":["1.0.0"],"files":[` + strings.Join([]string{
		file(f.Filename, f.URL),
		file("other-1.0-py3-none-any.whl", fake.FilesURL+"/files/other-1.0-py3-none-any.whl"),
		file("mature_pkg-9.0.0.tar.gz", "file:///etc/mature_pkg-9.0.0.tar.gz"),
	}, ",") + `]}`
	fake.SetFault("/simple/mature-pkg/", pypitest.Fault{Status: http.StatusOK, Body: []byte(page), ContentType: "application/vnd.pypi.simple.v1+json"})
	fake.SetFault("/pypi/mature-pkg/json", pypitest.Fault{Status: http.StatusNotFound})
}

// A listed file whose name gives no version of the project used to be
// refused as "version  has no known publish time" (an empty version).
func TestPyPIFileWithoutVersionIsExplained(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	hostileSimplePage(t, e, fake)
	resp := e.get("/pypi/files/mature-pkg/other-1.0-py3-none-any.whl")
	b := wantStatus(t, resp, http.StatusForbidden)
	if strings.Contains(b, "version  ") || !strings.Contains(b, "other-1.0-py3-none-any.whl names no version of 'mature-pkg'") {
		t.Errorf("body %q: want the unversioned file name explained", b)
	}
	if evs := e.events.find("mature-pkg", "block"); len(evs) == 0 {
		t.Error("the refusal was not audited")
	}
}

// A file:// link is refused without a request, and the message says why
// instead of naming an empty host.
func TestPyPIFileSchemeLinkIsRefusedClearly(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	hostileSimplePage(t, e, fake)
	resp := e.get("/pypi/files/mature-pkg/mature_pkg-9.0.0.tar.gz")
	b := wantStatus(t, resp, http.StatusBadGateway)
	if strings.Contains(b, "( (") || strings.Contains(b, "((") {
		t.Errorf("body %q: an empty host in the message", b)
	}
	if !strings.Contains(b, "file:// URL") || !strings.Contains(b, "VIGIL_PYPI_FILE_HOSTS") {
		t.Errorf("body %q: want the file:// scheme and the setting named", b)
	}
}

// An upstream whose tarball answers with a redirect to another host (an
// Artifactory sending clients to cloud storage, or a hostile registry
// pointing at an internal address) is never followed; the client is told
// so instead of "upstream … failed".
func TestNPMTarballRedirectToAnotherHostIsExplained(t *testing.T) {
	var base string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redir":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"name":"redir","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":"redir","version":"1.0.0",`+
				`"dist":{"tarball":"%s/redir/-/redir-1.0.0.tgz","integrity":"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="}}},`+
				`"time":{"created":"2020-01-01T00:00:00Z","1.0.0":"2020-01-01T00:00:00Z"}}`, base)
		case "/redir/-/redir-1.0.0.tgz":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/x.tgz", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer up.Close()
	base = up.URL
	e := newEnv(t, envOptions{npmUpstream: up.URL, npmTarballs: []string{strings.TrimPrefix(up.URL, "http://")}})
	wantStatus(t, e.get("/npm/redir"), http.StatusOK)
	resp := e.get("/npm/redir/-/redir-1.0.0.tgz")
	b := wantStatus(t, resp, http.StatusBadGateway)
	if !strings.Contains(b, "redirected to another host (not followed)") {
		t.Errorf("body %q: want the refused redirect named", b)
	}
}

// A refused name says what is wrong with it (without echoing the name).
func TestInvalidNameSaysWhy(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	for path, want := range map[string]string{
		"/npm/xss%3Cscript%3E":                           "invalid package name: contains characters that are not URL-safe",
		"/npm/" + strings.Repeat("a", 215):               "invalid package name: longer than 214 characters",
		"/npm/goodpkg/-/..%2f..%2fx.tgz":                 "invalid package path: encoded slash",
		"/npm/filepkg/-/passwd":                          "invalid package path: bad tarball name",
		"/npm/goodpkg/1.0.0%00":                          "invalid package path: empty or dot segment, or a control character",
		"/npm/goodpkg/" + strings.Repeat("1", 257):       "invalid package path: version longer than 256 characters",
		"/pypi/simple/%ff%fe/":                           "invalid package name: contains characters other than ASCII letters, digits, dot, hyphen and underscore",
		"/pypi/simple/" + strings.Repeat("a", 201) + "/": "invalid package name: longer than 200 characters",
		"/pypi/simple/-bad-/":                            "invalid package name: starts or ends with a separator",
		"/pypi/files/a%20b/a.whl":                        "invalid package name: contains characters other than ASCII letters",
	} {
		b := wantStatus(t, e.get(path), http.StatusBadRequest)
		if !strings.Contains(b, want) || strings.Contains(b, "<script>") || strings.Contains(b, "aaaaaaaaaa") {
			t.Errorf("%s: body %q, want %q", path[:min(len(path), 40)], b, want)
		}
	}
}
