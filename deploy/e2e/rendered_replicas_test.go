package e2e

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// getStatus GETs url and returns the status and body (0 when unreachable).
func getStatus(url string, header ...string) (int, string) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, ""
	}
	for _, h := range header {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric reads one counter from a replica's /metrics.
func metric(t *testing.T, p *Proxy, name string) float64 {
	t.Helper()
	code, body := getStatus(p.URL + "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET %s/metrics = %d", p.URL, code)
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s = %q", name, v)
			}
			return f
		}
	}
	t.Fatalf("%s/metrics lacks %s", p.URL, name)
	return 0
}

// TestReplicasRenderedCacheFollowsDenyOnOtherReplica: replica B answers a
// packument, a simple page and their files from its rendered cache (no
// judgement); a deny entry written through A's admin API refuses them all
// on B within the propagation bound (the store's change notification
// starts a new generation of B's cache; B's lists reread the store at
// least every second as well).
func TestReplicasRenderedCacheFollowsDenyOnOtherReplica(t *testing.T) {
	reps := startReplicasEnv(t, 2, map[string]string{"VIGIL_METRICS_ENABLED": "true"})
	a, b := reps[0], reps[1]
	paths := []string{"/npm/vigil-npm-mature", "/npm/vigil-npm-mature/-/vigil-npm-mature-1.2.0.tgz"}
	for _, p := range paths {
		if code, body := getStatus(b.URL + p); code != http.StatusOK {
			t.Fatalf("cold GET %s on B = %d %.200s", p, code, body)
		}
	}
	judged := metric(t, b, "vigil_package_judgements_total")
	hits := metric(t, b, "vigil_rendered_cache_hits_total")
	for _, p := range paths {
		if code, _ := getStatus(b.URL + p); code != http.StatusOK {
			t.Fatalf("warm GET %s on B = %d", p, code)
		}
	}
	if n := metric(t, b, "vigil_package_judgements_total") - judged; n != 0 {
		t.Errorf("warm requests on B made %v full judgements, want 0", n)
	}
	if n := metric(t, b, "vigil_rendered_cache_hits_total") - hits; n < 2 {
		t.Errorf("warm requests on B made %v rendered-cache hits, want 2", n)
	}

	code, body := adminWrite(a, http.MethodPost, "/api/v1/lists",
		map[string]any{"kind": "deny", "ecosystem": policy.NPM, "pattern": "vigil-npm-mature", "reason": "denied on replica A"})
	if code != http.StatusCreated {
		t.Fatalf("deny on A = %d %v", code, body)
	}
	for _, p := range paths {
		took, ok := waitStatus(propagationBound, http.StatusForbidden, func() int { c, _ := getStatus(b.URL + p); return c })
		if !ok {
			t.Fatalf("deny on A not in effect for %s on B after %s", p, took)
		}
		t.Logf("deny on A in effect for %s on B after %s", p, took)
	}
}
