package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The version route of a version whose tarball the proxy cannot route (no
// dist.tarball, or a basename an earlier version already has) explains
// the upstream document, as the packument route does, instead of a 500
// 'internal error' logged as a proxy failure.
func TestNPMVersionRouteUnroutableTarball(t *testing.T) {
	old := time.Now().Add(-400 * day).UTC().Format(time.RFC3339)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/shared" {
			http.NotFound(w, r)
			return
		}
		ver := func(v, file string) map[string]any {
			d := map[string]string{"integrity": "sha512-" + strings.Repeat("A", 86) + "=="}
			if file != "" {
				d["tarball"] = srv.URL + "/shared/-/" + file
			}
			return map[string]any{"name": "shared", "version": v, "dist": d}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"name": "shared", "dist-tags": map[string]string{"latest": "1.0.0"},
			"repository": map[string]string{"type": "git", "url": ghRepo},
			"versions":   map[string]any{"1.0.0": ver("1.0.0", "shared-1.0.0.tgz"), "1.1.0": ver("1.1.0", "shared-1.0.0.tgz"), "1.2.0": ver("1.2.0", "")},
			"time":       map[string]string{"created": old, "modified": old, "1.0.0": old, "1.1.0": old, "1.2.0": old},
		})
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, envOptions{npmUpstream: srv.URL, npmTarballs: []string{strings.TrimPrefix(srv.URL, "http://")}})
	wantStatus(t, e.get("/npm/shared/1.0.0"), http.StatusOK)
	for _, v := range []string{"1.1.0", "1.2.0"} {
		resp := e.get("/npm/shared/" + v)
		b := wantStatus(t, resp, http.StatusBadGateway)
		if !strings.Contains(b, "tarball") || strings.Contains(b, "internal error") {
			t.Errorf("version %s: %s %s, want an explanation of the upstream document", v, resp.Status, b)
		}
	}
}
