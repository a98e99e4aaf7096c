package proxy_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
	"github.com/vigil-proxy/vigil-proxy/store"
)

func postCheck(t *testing.T, e *env, body string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(e.srv.URL+"/api/v1/check", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// The check API is always on the registry listener (no admin surface in
// this env), keeps its JSON shapes, and audits answers as questions.
func TestCheckAPIServedOnRegistryListener(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	body := wantStatus(t, e.get("/api/v1/check/npm/mature-lib?version=1.0.0"), http.StatusOK)
	var rep policy.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	if rep.Ecosystem != policy.NPM || rep.Name != "mature-lib" || rep.Version != "1.0.0" || rep.Verdict != policy.Allow {
		t.Errorf("GET answer = %+v, want allow npm mature-lib 1.0.0", rep)
	}

	for _, p := range []string{"/api/v1/check/npm/@scope/thing", "/api/v1/check/npm/@scope%2fthing"} {
		var rep policy.Report
		if err := json.Unmarshal([]byte(wantStatus(t, e.get(p), http.StatusOK)), &rep); err != nil || rep.Name != "@scope/thing" || rep.Verdict != policy.Allow {
			t.Errorf("GET %s = %+v, %v; want allow @scope/thing", p, rep, err)
		}
	}
	for _, p := range []string{"/api/v1/check/cargo/serde", "/api/v1/check/pypi/bad%20name", "/api/v1/check/npm/"} {
		if b := wantStatus(t, e.get(p), http.StatusBadRequest); !strings.Contains(b, `"error"`) {
			t.Errorf("GET %s body %q, want a JSON error", p, b)
		}
	}
	resp, body := postCheck(t, e, `{"packages":[{"ecosystem":"npm","name":"brand-new"},{"ecosystem":"npm","name":"mature-lib"},{"ecosystem":"cargo","name":"serde"}]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST status %s: %s", resp.Status, body)
	}
	var batch struct {
		Results []policy.Report `json:"results"`
	}
	if err := json.Unmarshal([]byte(body), &batch); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	var got []string
	for _, r := range batch.Results {
		got = append(got, fmt.Sprintf("%s %s error=%t", r.Name, r.Verdict, r.Error != ""))
	}
	want := []string{"brand-new block error=false", "mature-lib allow error=false", "serde block error=true"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("POST results = %v, want %v", got, want)
	}

	e.events.mu.Lock()
	defer e.events.mu.Unlock()
	for _, ev := range e.events.evs {
		if ev.Kind != store.KindQuestion || ev.Route != "check" {
			t.Errorf("check answer audited as %q on route %q, want a question: %+v", ev.Kind, ev.Route, ev)
		}
	}
	if len(e.events.evs) != 5 {
		t.Errorf("%d audit events, want 5 questions (invalid requests are not judged)", len(e.events.evs))
	}
}

// The batch is bounded and each client has a rate of questions.
func TestCheckAPIBounded(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	var many []string
	for range 1001 {
		many = append(many, `{"ecosystem":"npm","name":"mature-lib"}`)
	}
	if resp, body := postCheck(t, e, `{"packages":[`+strings.Join(many, ",")+`]}`); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("1001 packages: %s %s, want 413", resp.Status, body)
	}
	for i := range 3 { // the burst: three full batches
		if resp, body := postCheck(t, e, `{"packages":[`+strings.Join(many[:1000], ",")+`]}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("batch %d of 1000 packages: %s %s, want 200", i+1, resp.Status, body)
		}
	}
	// The burst is spent: the next question waits.
	resp := e.get("/api/v1/check/npm/mature-lib")
	wantStatus(t, resp, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	e.clock.Advance(time.Minute)
	wantStatus(t, e.get("/api/v1/check/npm/mature-lib"), http.StatusOK)
}

// Anonymous answers leave out the watchlist's first-seen date and request
// count; the admin API (proxy.Check) keeps them.
func TestCheckAPIHidesWatchlistDetail(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	// The first request is dated now: the test may straddle midnight UTC.
	dayBefore := time.Now().UTC().Format(time.DateOnly)
	wantStatus(t, e.get("/pypi/simple/halluc-pkg/"), http.StatusNotFound)
	dayAfter := time.Now().UTC().Format(time.DateOnly)
	e.clock.Advance(time.Hour)
	fake.SetProject(pypitest.Project{Name: "halluc-pkg", ProjectURLs: repoURLs, Dists: []pypitest.Dist{{Version: "1.0", Uploaded: e.clock.Now().Add(-time.Minute)}}})
	body := wantStatus(t, e.get("/api/v1/check/pypi/halluc-pkg"), http.StatusOK)
	if !strings.Contains(body, "probable slopsquat") || strings.Contains(body, "first requested on") || strings.Contains(body, "request)") {
		t.Errorf("public answer = %s, want the slopsquat reason without date or count", body)
	}
	rep, err := e.proxy.Check(t.Context(), policy.PyPI, "halluc-pkg", "")
	dated := strings.Contains(rep.Reason, "first requested on "+dayBefore) || strings.Contains(rep.Reason, "first requested on "+dayAfter)
	if err != nil || !dated || !strings.Contains(rep.Reason, "(1 request)") {
		t.Errorf("admin answer = %+v, %v; want the date and count", rep, err)
	}
}

// A batch body that is not the expected JSON gets a 400 saying what is
// wrong in the API's own terms, never Go's type names.
func TestCheckAPIExplainsBadBodies(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	for _, tc := range []struct{ body, want string }{
		{`[]`, `request body must be a JSON object`},
		{`{"packages":{}}`, `field \"packages\" must be a JSON array`},
		{`{"packages":[{"ecosystem":1}]}`, `field \"packages.ecosystem\" must be a JSON string`},
		{`{"packages":[`, `malformed JSON: unexpected end of input`},
		{`{"packages":[],"extra":1}`, `unknown field \"extra\"`},
		{`{"packages":[]} {}`, `request body must hold a single JSON object`},
	} {
		resp, body := postCheck(t, e, tc.body)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST %s: %s %s, want 400", tc.body, resp.Status, body)
		}
		if !strings.Contains(body, tc.want) {
			t.Errorf("POST %s: body %s, want it to say %s", tc.body, body, tc.want)
		}
		for _, leak := range []string{"Go value", "Go struct", "checkRef", "proxy."} {
			if strings.Contains(body, leak) {
				t.Errorf("POST %s: body %s names Go internals (%q)", tc.body, body, leak)
			}
		}
	}
}
