package admin

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A route asked with a method it does not take answers 405 with an Allow
// header naming the ones it does (OPTIONS: 204 with that header), not 404
// "no such route"; a path that matches no route still gets 404. Credentials
// come first: without them every answer is 401 and nothing is listed.
func TestAdminRoutesAnswerUnservedMethods(t *testing.T) {
	e := newEnv(t, nil)
	call := func(method, path, token string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, e.ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, tc := range []struct {
		method, path string
		status       int
		allow, text  string
	}{
		{http.MethodOptions, "/api/v1/lists", http.StatusNoContent, "GET, POST, OPTIONS", ""},
		{http.MethodTrace, "/api/v1/lists", http.StatusMethodNotAllowed, "GET, POST, OPTIONS", "TRACE is not allowed on /api/v1/lists"},
		{http.MethodPatch, "/api/v1/lists/7", http.StatusMethodNotAllowed, "GET, PUT, DELETE, OPTIONS", "PATCH is not allowed"},
		{http.MethodDelete, "/api/v1/whoami", http.StatusMethodNotAllowed, "GET, OPTIONS", "DELETE is not allowed"},
		{http.MethodGet, "/api/v1/requests/3/approve", http.StatusMethodNotAllowed, "POST, OPTIONS", "GET is not allowed"},
		{http.MethodTrace, "/api/v1/no-such-thing", http.StatusNotFound, "", "no such API route"},
	} {
		resp, body := call(tc.method, tc.path, e.viewerToken)
		if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow || !strings.Contains(body, tc.text) {
			t.Errorf("%s %s: %d Allow %q body %q; want %d Allow %q saying %q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"), body, tc.status, tc.allow, tc.text)
		}
		if resp, _ := call(tc.method, tc.path, ""); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Allow") != "" {
			t.Errorf("%s %s without credentials: %d Allow %q; want 401 and no Allow", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}

	viewer := e.newBrowser()
	viewer.login("victor", e.password)
	csrf := viewer.csrf("/admin/")
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodPut, "/admin/lists", http.StatusMethodNotAllowed, "GET, POST, OPTIONS"},
		{http.MethodOptions, "/admin/audit", http.StatusNoContent, "GET, OPTIONS"},
		{http.MethodPut, "/admin/no-such-page", http.StatusNotFound, ""},
	} {
		resp, body := viewer.request(tc.method, tc.path, url.Values{"csrf": {csrf}}, e.ts.URL, "same-origin")
		if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow {
			t.Errorf("UI %s %s: %d Allow %q (%.200s); want %d Allow %q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"), body, tc.status, tc.allow)
		}
	}
}
