package proxy_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// An index page that lists one filename twice (a mirror or private index
// merging two uploads): the file the proxy judges must be the file it
// serves. Judging the old entry and streaming the new one would let a
// too-new file through under an old file's upload time.
func TestPyPIDuplicateFilenameJudgesTheFileServed(t *testing.T) {
	oldBytes, newBytes := []byte("PK old wheel"), []byte("PK new wheel, uploaded an hour ago")
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	const name = "dup_pkg-1.0.0-py3-none-any.whl"
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/simple/dup-pkg/":
			file := func(path string, b []byte, uploaded time.Time) map[string]any {
				return map[string]any{"filename": name, "url": srv.URL + path, "hashes": map[string]string{"sha256": sum(b)},
					"size": len(b), "upload-time": uploaded.UTC().Format("2006-01-02T15:04:05.000000Z")}
			}
			w.Header().Set("Content-Type", "application/vnd.pypi.simple.v1+json")
			_ = json.NewEncoder(w).Encode(map[string]any{"meta": map[string]string{"api-version": "1.1"}, "name": "dup-pkg",
				"versions": []string{"1.0.0"}, "files": []any{
					file("/new/"+name, newBytes, time.Now().Add(-time.Hour)),
					file("/old/"+name, oldBytes, time.Now().Add(-400*day)),
				}})
		case "/new/" + name:
			_, _ = w.Write(newBytes)
		case "/old/" + name:
			_, _ = w.Write(oldBytes)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, envOptions{pypiUpstream: srv.URL, pypiFiles: []string{strings.TrimPrefix(srv.URL, "http://")}})
	resp := e.get("/pypi/files/dup-pkg/" + name)
	b := body(t, resp)
	if b == string(newBytes) {
		t.Fatalf("served the file uploaded an hour ago (%s), judged as the old one", resp.Status)
	}
	if resp.StatusCode == http.StatusOK && b != string(oldBytes) {
		t.Errorf("served %q, want the old file or a refusal", b)
	}
}
