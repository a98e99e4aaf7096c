package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Users have the registry URL their clients use (http://vigil:8080/npm/):
// given to --proxy it used to end in "answered 405: vigil-proxy is a
// read-only registry", which explains nothing.
func TestProxyFlagRegistryPathIsExplained(t *testing.T) {
	for _, raw := range []string{"http://vigil:8080/npm/", "http://vigil:8080/pypi/simple/", "http://vigil:8080/pypi"} {
		code, out, errOut := runCLI(t, map[string]string{}, "", "check", "--proxy", raw, "npm", "lodash")
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d", raw, code, exitUsage)
		}
		if want := "give the proxy's base URL (http://vigil:8080), not a registry path"; !strings.Contains(out+errOut, want) {
			t.Errorf("%s: output lacks %q:\n%s%s", raw, want, out, errOut)
		}
	}
}

// A --proxy that is not a vigil-proxy registry listener (the admin
// listener, another web server) is named as such, not by its HTML body.
func TestProxyFlagNotAVigilProxyIsExplained(t *testing.T) {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotImplemented)
		w.Write([]byte("<!DOCTYPE HTML>\n<html><body><h1>Error response</h1></body></html>"))
	}))
	defer html.Close()
	code, out, errOut := runCLI(t, map[string]string{}, "", "check", "--proxy", html.URL, "npm", "lodash")
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if strings.Contains(out+errOut, "<html>") || !strings.Contains(out, "answered 501 (text/html), not a vigil-proxy check API: is --proxy the registry listener's base URL?") {
		t.Errorf("output:\n%s%s", out, errOut)
	}
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"authentication required"}`))
	}))
	defer admin.Close()
	_, out, errOut = runCLI(t, map[string]string{}, "", "check", "--proxy", admin.URL, "npm", "lodash")
	if !strings.Contains(out, "answered 401: authentication required (the check API is on the registry listener, not the admin listener)") {
		t.Errorf("output:\n%s%s", out, errOut)
	}
}
