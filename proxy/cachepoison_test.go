package proxy_test

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
)

// twoPackageRegistry serves two single-version npm packages, victim and
// evil, each with its own tarball; integrity gives each version's
// dist.integrity from both tarballs' SRI strings.
func twoPackageRegistry(t *testing.T, victimTgz, evilTgz []byte, integrity func(victimSRI, evilSRI string) (victim, evil string)) *httptest.Server {
	t.Helper()
	sri := func(b []byte) string {
		sum := sha512.Sum512(b)
		return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	}
	victimInt, evilInt := integrity(sri(victimTgz), sri(evilTgz))
	old := time.Now().Add(-400 * day).UTC().Format(time.RFC3339)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc := func(name, integrity string) {
			v := map[string]any{"name": name, "version": "1.0.0", "repository": map[string]string{"type": "git", "url": ghRepo},
				"dist": map[string]string{"tarball": srv.URL + "/" + name + "/-/" + name + "-1.0.0.tgz", "integrity": integrity}}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{
				"name": name, "dist-tags": map[string]string{"latest": "1.0.0"},
				"repository": map[string]string{"type": "git", "url": ghRepo},
				"versions":   map[string]any{"1.0.0": v},
				"time":       map[string]string{"created": old, "modified": old, "1.0.0": old},
			})
		}
		switch r.URL.Path {
		case "/victim":
			doc("victim", victimInt)
		case "/evil":
			doc("evil", evilInt)
		case "/victim/-/victim-1.0.0.tgz":
			_, _ = w.Write(victimTgz)
		case "/evil/-/evil-1.0.0.tgz":
			_, _ = w.Write(evilTgz)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A packument may list several digests of the strongest algorithm (SRI:
// any one may match). A publisher who lists a popular tarball's sha512
// beside the one of their own tarball must not get their bytes stored in
// the artifact cache under the popular tarball's digest, where every
// later download of the popular package would be answered with them.
func TestNPMIntegrityWithSeveralDigestsCannotPoisonTheCache(t *testing.T) {
	victimTgz, err := npmtest.BuildTarball("victim", "1.0.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	evilTgz, err := npmtest.BuildTarball("evil", "1.0.0", map[string]string{"payload": "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	srv := twoPackageRegistry(t, victimTgz, evilTgz, func(victimSRI, evilSRI string) (string, string) {
		return victimSRI, victimSRI + " " + evilSRI
	})
	e := newEnv(t, envOptions{npmUpstream: srv.URL, npmTarballs: []string{strings.TrimPrefix(srv.URL, "http://")}, artifactBytes: 1 << 30})

	// The evil tarball matches one of its listed digests: served (SRI).
	if b := wantStatus(t, e.get("/npm/evil/-/evil-1.0.0.tgz"), http.StatusOK); !bytes.Equal([]byte(b), evilTgz) {
		t.Fatalf("evil tarball: served %d bytes, want its own %d", len(b), len(evilTgz))
	}
	for i := range 2 { // cold, then warm: neither may answer with the evil bytes
		resp := e.get("/npm/victim/-/victim-1.0.0.tgz")
		b := wantStatus(t, resp, http.StatusOK)
		if !bytes.Equal([]byte(b), victimTgz) {
			t.Fatalf("request %d for victim's tarball: served %d bytes (X-Vigil-Cache %q), want victim's own %d-byte tarball (evil's is %d bytes)",
				i+1, len(b), resp.Header.Get("X-Vigil-Cache"), len(victimTgz), len(evilTgz))
		}
	}
}
