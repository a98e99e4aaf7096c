package names

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeSources serves a hugovk-style PyPI list and an npm downloads API.
type fakeSources struct {
	mu       sync.Mutex
	batches  [][]string
	npmCount map[string]int64
	status   int
}

func (f *fakeSources) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.status != 0 {
		http.Error(w, "busy", f.status)
		return
	}
	switch {
	case r.URL.Path == "/top-pypi-packages.min.json":
		fmt.Fprint(w, `{"last_update":"2026-11-01 00:00:00","rows":[
			{"download_count":50,"project":"Zope.Interface"},
			{"download_count":900,"project":"boto3"},
			{"download_count":70,"project":"requests"}]}`)
	case strings.HasPrefix(r.URL.Path, "/downloads/point/last-month/"):
		list := strings.Split(strings.TrimPrefix(r.URL.Path, "/downloads/point/last-month/"), ",")
		f.mu.Lock()
		f.batches = append(f.batches, list)
		f.mu.Unlock()
		if len(list) == 1 {
			json.NewEncoder(w).Encode(map[string]any{"downloads": f.npmCount[list[0]], "package": list[0]})
			return
		}
		out := map[string]any{}
		for _, n := range list {
			if c, ok := f.npmCount[n]; ok {
				out[n] = map[string]any{"downloads": c, "package": n, "start": "2026-10-01", "end": "2026-10-31"}
			} else {
				out[n] = nil
			}
		}
		json.NewEncoder(w).Encode(out)
	default:
		http.NotFound(w, r)
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	prev := &Corpus{NPM: []Entry{{Name: "@babel/core", Rank: 1, Monthly: 800_000}, {Name: "gone", Rank: 2, Monthly: 700_000},
		{Name: "crossenv", Role: RoleRemoved}}}
	counts := map[string]int64{}
	var extra []string
	for i := range 300 {
		n := fmt.Sprintf("pkg-%03d", i)
		extra = append(extra, n)
		counts[n] = int64(100_000 + i)
	}
	counts["gone"] = 10         // fell below the floor
	counts["crossenv"] = 10_533 // removed malware still fetched by old lockfiles
	fake := &fakeSources{npmCount: counts}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	data, err := Refresh(t.Context(), srv.Client(), RefreshOptions{
		PyPITopURL:      srv.URL + "/top-pypi-packages.min.json",
		NPMDownloadsURL: srv.URL + "/downloads/point/last-month",
		Previous:        prev,
		NPMNames:        append(extra, "never-heard-of"),
	})
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	c, err := LoadCorpus(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("LoadCorpus(refreshed): %v", err)
	}
	wantPyPI := []Entry{{"boto3", 1, 900, RoleTarget}, {"requests", 2, 70, RoleTarget}, {"zope-interface", 3, 50, RoleTarget}}
	if diff := cmp.Diff(wantPyPI, c.PyPI); diff != "" {
		t.Errorf("PyPI mismatch (-want +got):\n%s", diff)
	}
	// every previous name stays (never silently shrinks): "gone" is kept
	// as a known name with its new count, and removed malware stays
	// removed without being queried
	if len(c.NPM) != 303 || c.NPM[0] != (Entry{"@babel/core", 1, 800_000, RoleTarget}) || c.NPM[1] != (Entry{"pkg-299", 2, 100_299, RoleTarget}) {
		t.Errorf("npm: %d entries, first %+v", len(c.NPM), c.NPM[:2])
	}
	if last := c.NPM[len(c.NPM)-2:]; last[0] != (Entry{"gone", 302, 10, RoleKnown}) || last[1] != (Entry{"crossenv", 0, 0, RoleRemoved}) {
		t.Errorf("npm: last entries %+v, want gone kept as a known name and crossenv removed", last)
	}
	total := 0
	for _, b := range fake.batches {
		if len(b) > NPMBulkMax {
			t.Errorf("bulk query of %d names, want ≤ %d", len(b), NPMBulkMax)
		}
		for _, n := range b {
			if strings.HasPrefix(n, "@") {
				t.Errorf("scoped name %q in a bulk query", n)
			}
		}
		total += len(b)
	}
	if total != 302 || len(fake.batches) != 3 {
		t.Errorf("queried %d names in %d batches, want 302 in 3", total, len(fake.batches))
	}
}

func TestRefreshUpstreamError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&fakeSources{status: http.StatusTooManyRequests})
	defer srv.Close()
	_, err := Refresh(t.Context(), srv.Client(), RefreshOptions{
		PyPITopURL: srv.URL + "/top-pypi-packages.min.json", NPMDownloadsURL: srv.URL + "/downloads/point/last-month/",
		Previous: &Corpus{},
	})
	if err == nil || !strings.Contains(err.Error(), "status 429") {
		t.Errorf("Refresh against a 429 source: error %v, want status 429", err)
	}
	if _, err := Refresh(t.Context(), nil, RefreshOptions{}); err == nil {
		t.Error("Refresh with a nil client: nil error")
	}
}

func TestParseNPMPointsSingle(t *testing.T) {
	t.Parallel()
	raw := map[string]json.RawMessage{"downloads": json.RawMessage("42"), "package": json.RawMessage(`"left-pad"`)}
	got, err := parseNPMPoints(raw, []string{"left-pad"})
	if err != nil || !cmp.Equal(got, map[string]int64{"left-pad": 42}) {
		t.Errorf("parseNPMPoints(single) = %v, %v", got, err)
	}
}
