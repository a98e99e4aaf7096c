package popularity

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is a fake npm downloads API and pypistats.org in one server. It
// records every request path and can be told to fail.
type fakeAPI struct {
	mu         sync.Mutex
	paths      []string
	npm        map[string]int64 // names not listed answer null (bulk) or 404
	pypi       map[string]int64
	status     int    // non-zero: answer every request with this status
	retryAfter string // Retry-After header for failures
	delay      time.Duration
}

func newFake(t *testing.T, f *fakeAPI) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeAPI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

func (f *fakeAPI) setStatus(s int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = s
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.Path)
	status, retry, delay := f.status, f.retryAfter, f.delay
	f.mu.Unlock()
	time.Sleep(delay)
	if status != 0 {
		if retry != "" {
			w.Header().Set("Retry-After", retry)
		}
		http.Error(w, `{"error":"slow down"}`, status)
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/downloads/point/last-week/"):
		list := strings.TrimPrefix(r.URL.Path, "/downloads/point/last-week/")
		if !strings.Contains(list, ",") {
			c, ok := f.npm[list]
			if !ok {
				http.Error(w, `{"error":"package `+list+` not found"}`, http.StatusNotFound)
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"downloads": c, "start": "2026-11-14", "end": "2026-11-20", "package": list})
			return
		}
		out := map[string]any{}
		for _, n := range strings.Split(list, ",") {
			if strings.HasPrefix(n, "@") {
				http.Error(w, `{"error":"scoped packages are not supported in bulk queries"}`, http.StatusBadRequest)
				return
			}
			if c, ok := f.npm[n]; ok {
				out[n] = map[string]any{"downloads": c, "package": n}
			} else {
				out[n] = nil
			}
		}
		json.NewEncoder(w).Encode(out)
	case strings.HasPrefix(r.URL.Path, "/api/packages/") && strings.HasSuffix(r.URL.Path, "/recent"):
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/packages/"), "/recent")
		c, ok := f.pypi[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"data":    map[string]int64{"last_day": c / 7, "last_week": c, "last_month": c * 4},
			"package": name, "type": "recent_downloads",
		})
	default:
		http.NotFound(w, r)
	}
}

// fakeClock is a manually advanced clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
