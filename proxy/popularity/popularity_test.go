package popularity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

func TestNPMBatchesAndScopedSingly(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{npm: map[string]int64{"@scope/known": 77}}
	var names []string
	want := map[string]int64{"@scope/known": 77}
	for i := range 300 {
		n := fmt.Sprintf("pkg-%d", i)
		names = append(names, n)
		if i%3 != 0 { // every third name answers null
			f.npm[n] = int64(i)
			want[n] = int64(i)
		}
	}
	names = append(names, "@scope/known", "@scope/unknown", "Bad Name!")
	srv := newFake(t, f)
	src := NewNPM(HTTPOptions{BaseURL: srv.URL, Client: srv.Client()})
	got, err := src.WeeklyDownloads(t.Context(), policy.NPM, names)
	if err != nil {
		t.Fatalf("WeeklyDownloads: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts mismatch (-want +got):\n%s", diff)
	}
	var bulk, single []string
	for _, p := range f.requests() {
		list := strings.TrimPrefix(p, "/downloads/point/last-week/")
		if strings.Contains(list, ",") {
			bulk = append(bulk, list)
			if n := len(strings.Split(list, ",")); n > NPMBulkMax {
				t.Errorf("bulk query with %d names, want ≤ %d", n, NPMBulkMax)
			}
		} else {
			single = append(single, list)
		}
	}
	if len(bulk) != 3 {
		t.Errorf("%d bulk queries, want 3 (300 names / 128)", len(bulk))
	}
	if diff := cmp.Diff([]string{"@scope/known", "@scope/unknown"}, single); diff != "" {
		t.Errorf("single queries mismatch (-want +got):\n%s", diff)
	}
	if got, _ := src.WeeklyDownloads(t.Context(), policy.PyPI, []string{"pkg-1"}); len(got) != 0 {
		t.Errorf("npm source answered a PyPI query: %v", got)
	}
}

func TestPyPIStats(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{pypi: map[string]int64{"zope-interface": 1234}}
	srv := newFake(t, f)
	src := NewPyPIStats(HTTPOptions{BaseURL: srv.URL, Client: srv.Client()})
	got, err := src.WeeklyDownloads(t.Context(), policy.PyPI, []string{"Zope.Interface", "no-such-project"})
	if err != nil {
		t.Fatalf("WeeklyDownloads: %v", err)
	}
	if diff := cmp.Diff(map[string]int64{"zope-interface": 1234}, got); diff != "" {
		t.Errorf("counts mismatch (-want +got):\n%s", diff)
	}
	want := []string{"/api/packages/zope-interface/recent", "/api/packages/no-such-project/recent"}
	if diff := cmp.Diff(want, f.requests()); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

func TestCacheSecondLookupMakesNoRequest(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{npm: map[string]int64{"left-pad": 5000}}
	srv := newFake(t, f)
	c := NewCache(NewNPM(HTTPOptions{BaseURL: srv.URL, Client: srv.Client()}), CacheOptions{})
	for i := range 2 {
		got, err := c.WeeklyDownloads(t.Context(), policy.NPM, []string{"left-pad", "no-such-pkg"})
		if err != nil {
			t.Fatalf("lookup %d: %v", i, err)
		}
		if diff := cmp.Diff(map[string]int64{"left-pad": 5000}, got); diff != "" {
			t.Errorf("lookup %d mismatch (-want +got):\n%s", i, diff)
		}
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests for two lookups, want 1 (bulk, then cache)", n)
	}
	// a new name still goes upstream, alone
	if _, err := c.WeeklyDownloads(t.Context(), policy.NPM, []string{"left-pad", "other"}); err != nil {
		t.Fatal(err)
	}
	if got := f.requests(); len(got) != 2 || got[1] != "/downloads/point/last-week/other" {
		t.Errorf("requests = %v, want a second request for only %q", got, "other")
	}
}

func TestCacheSharesConcurrentLookups(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{npm: map[string]int64{"left-pad": 5000}, delay: 200 * time.Millisecond}
	srv := newFake(t, f)
	c := NewCache(NewNPM(HTTPOptions{BaseURL: srv.URL, Client: srv.Client()}), CacheOptions{})
	var wg sync.WaitGroup
	results := make([]int64, 8)
	for i := range results {
		wg.Go(func() {
			got, _ := c.WeeklyDownloads(t.Context(), policy.NPM, []string{"left-pad"})
			results[i] = got["left-pad"]
		})
	}
	wg.Wait()
	for i, r := range results {
		if r != 5000 {
			t.Errorf("lookup %d = %d, want 5000", i, r)
		}
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests for 8 concurrent lookups, want 1", n)
	}
}

func TestCacheDoesNotCacheFailures(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{npm: map[string]int64{"left-pad": 5000}, status: http.StatusBadGateway}
	srv := newFake(t, f)
	clock := newClock()
	c := NewCache(NewNPM(HTTPOptions{BaseURL: srv.URL, Client: srv.Client(),
		Backoff: BackoffOptions{Now: clock.Now}}), CacheOptions{})
	if _, err := c.WeeklyDownloads(t.Context(), policy.NPM, []string{"left-pad"}); err == nil {
		t.Fatal("lookup against a 502: nil error")
	}
	f.setStatus(0)
	clock.Advance(time.Hour)
	got, err := c.WeeklyDownloads(t.Context(), policy.NPM, []string{"left-pad"})
	if err != nil || got["left-pad"] != 5000 {
		t.Errorf("lookup after recovery = %v, %v; want 5000", got, err)
	}
}

func TestBackoff429RetryAfter(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{pypi: map[string]int64{"requests": 10}, status: http.StatusTooManyRequests, retryAfter: "120"}
	srv := newFake(t, f)
	clock := newClock()
	src := NewPyPIStats(HTTPOptions{BaseURL: srv.URL, Client: srv.Client(),
		Backoff: BackoffOptions{Initial: 10 * time.Second, Now: clock.Now}})

	_, err := src.WeeklyDownloads(t.Context(), policy.PyPI, []string{"requests", "flask"})
	var se *statusError
	if !errors.As(err, &se) || se.status != http.StatusTooManyRequests {
		t.Fatalf("first lookup error = %v, want status 429", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (the second name waits for the backoff)", n)
	}
	f.setStatus(0)
	clock.Advance(119 * time.Second) // Retry-After (120 s) beats Initial (10 s)
	got, err := src.WeeklyDownloads(t.Context(), policy.PyPI, []string{"requests"})
	if !errors.Is(err, ErrBackoff) || len(got) != 0 {
		t.Errorf("lookup during backoff = %v, %v; want unknown and ErrBackoff", got, err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests during backoff, want still 1", n)
	}
	clock.Advance(2 * time.Second)
	got, err = src.WeeklyDownloads(t.Context(), policy.PyPI, []string{"requests"})
	if err != nil || got["requests"] != 10 {
		t.Errorf("lookup after backoff = %v, %v; want 10", got, err)
	}
}

func TestBackoff5xxExponential(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{npm: map[string]int64{"@a/b": 1}, status: http.StatusServiceUnavailable}
	srv := newFake(t, f)
	clock := newClock()
	src := NewNPM(HTTPOptions{BaseURL: srv.URL, Client: srv.Client(),
		Backoff: BackoffOptions{Initial: 30 * time.Second, Max: time.Hour, Now: clock.Now}})
	lookup := func() error {
		_, err := src.WeeklyDownloads(t.Context(), policy.NPM, []string{"@a/b"})
		return err
	}
	steps := []struct {
		advance  time.Duration
		requests int // total after this step
		backoff  bool
	}{
		{0, 1, false},                // 503: pause 30 s
		{29 * time.Second, 1, true},  // still paused
		{2 * time.Second, 2, false},  // 503 again: pause 60 s
		{59 * time.Second, 2, true},  // still paused
		{2 * time.Second, 3, false},  // 503 again: pause 120 s
		{119 * time.Second, 3, true}, // still paused
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		err := lookup()
		if err == nil || errors.Is(err, ErrBackoff) != s.backoff {
			t.Errorf("step %d: error %v, want backoff=%v", i, err, s.backoff)
		}
		if n := len(f.requests()); n != s.requests {
			t.Errorf("step %d: %d requests, want %d", i, n, s.requests)
		}
	}
	f.setStatus(0)
	clock.Advance(2 * time.Second)
	if err := lookup(); err != nil {
		t.Errorf("after recovery: %v", err)
	}
	f.setStatus(http.StatusServiceUnavailable)
	_ = lookup() // success reset the count: the pause is back to 30 s
	clock.Advance(31 * time.Second)
	_ = lookup()
	if n := len(f.requests()); n != 6 {
		t.Errorf("%d requests, want 6 (backoff reset after a success)", n)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", 0},
		{"90", 90 * time.Second},
		{now.Add(5 * time.Minute).Format(http.TimeFormat), 5 * time.Minute},
		{"soon", 0},
		{"-4", 0},
	}
	for _, tc := range tests {
		if got := retryAfter(tc.h, now); got != tc.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tc.h, got, tc.want)
		}
	}
}

// fakeSnapshot is a corpus with fixed entries: "eco:name" keys are
// popular, "known:eco:name" keys known below the snapshot.
type fakeSnapshot map[string]int64

func (s fakeSnapshot) Popular(eco policy.Ecosystem, name string) (int, int64, bool) {
	m, ok := s[string(eco)+":"+name]
	return 1, m, ok
}

func (s fakeSnapshot) Known(eco policy.Ecosystem, name string) (int, int64, bool) {
	if _, m, ok := s.Popular(eco, name); ok {
		return 1, m, true
	}
	m, ok := s["known:"+string(eco)+":"+name]
	return 0, m, ok
}

func TestLookup(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{npm: map[string]int64{"tiny": 12}, pypi: map[string]int64{"my-lib": 3}}
	srv := newFake(t, f)
	clock := newClock()
	opts := HTTPOptions{BaseURL: srv.URL, Client: srv.Client(), Backoff: BackoffOptions{Now: clock.Now}}
	l := New(Options{
		Snapshot: fakeSnapshot{"npm:lodash": 430_000_000, "pypi:boto3": 0,
			"known:npm:mid-pkg": 4300, "known:npm:tiny": 430_000, "known:pypi:unranked": 0},
		Live: map[policy.Ecosystem]Source{
			policy.NPM:  NewCache(NewNPM(opts), CacheOptions{}),
			policy.PyPI: NewCache(NewPyPIStats(opts), CacheOptions{}),
		},
	})
	type result struct {
		Weekly  int64
		Source  string
		Popular bool
	}
	tests := []struct {
		eco  policy.Ecosystem
		name string
		want result
	}{
		{policy.NPM, "lodash", result{100_000_000, SourceSnapshot, true}},
		{policy.PyPI, "boto3", result{SnapshotFloorMonthly * 10 / 43, SourceSnapshot, true}},
		{policy.NPM, "tiny", result{12, SourceNPM, false}},
		{policy.PyPI, "My_Lib", result{3, SourcePyPIStats, false}},
		{policy.NPM, "unknown-pkg", result{-1, "", false}},
		{policy.Ecosystem("cargo"), "serde", result{-1, "", false}},
		// a live answer wins over the corpus's (stale) count; without one,
		// a known name's count is used, and a known name without a count
		// stays unknown
		{policy.NPM, "mid-pkg", result{1000, SourceCorpus, false}},
		{policy.PyPI, "unranked", result{-1, "", false}},
	}
	for _, tc := range tests {
		w, src, pop := l.Lookup(t.Context(), tc.eco, tc.name)
		if got := (result{w, src, pop}); got != tc.want {
			t.Errorf("Lookup(%s, %q) = %+v, want %+v", tc.eco, tc.name, got, tc.want)
		}
	}
	for _, p := range f.requests() {
		if strings.Contains(p, "lodash") || strings.Contains(p, "boto3") {
			t.Errorf("snapshot name reached a live source: %s", p)
		}
	}
	sig := l.Signals(t.Context(), policy.NPM, "tiny")
	if diff := cmp.Diff(policy.Signals{WeeklyDownloads: 12, DownloadsSource: SourceNPM}, sig); diff != "" {
		t.Errorf("Signals(npm, tiny) mismatch (-want +got):\n%s", diff)
	}
}

func TestLookupUnknownDuringBackoff(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{status: http.StatusTooManyRequests}
	srv := newFake(t, f)
	clock := newClock()
	l := New(Options{
		Snapshot: fakeSnapshot{"known:npm:listed-pkg": 43_000},
		Live: map[policy.Ecosystem]Source{policy.NPM: NewCache(NewNPM(HTTPOptions{BaseURL: srv.URL,
			Client: srv.Client(), Backoff: BackoffOptions{Now: clock.Now}}), CacheOptions{})},
	})
	for i := range 3 {
		if w, src, pop := l.Lookup(t.Context(), policy.NPM, fmt.Sprintf("pkg-%d", i)); w != -1 || src != "" || pop {
			t.Errorf("lookup %d = %d, %q, %v; want unknown", i, w, src, pop)
		}
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (then backing off)", n)
	}
	// while the live source backs off, a known name's corpus count answers
	if w, src, pop := l.Lookup(t.Context(), policy.NPM, "listed-pkg"); w != 10_000 || src != SourceCorpus || pop {
		t.Errorf("lookup listed-pkg = %d, %q, %v; want 10000 from the corpus", w, src, pop)
	}
}

// A slow source must not hold a caller past its own deadline: the shared
// fetch keeps running (and fills the cache) but the caller gets unknown.
func TestCacheHonoursCallerDeadline(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{pypi: map[string]int64{"slow-pkg": 42}, delay: 4 * time.Second}
	srv := newFake(t, f)
	c := NewCache(NewPyPIStats(HTTPOptions{BaseURL: srv.URL, Client: srv.Client()}), CacheOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	got, err := c.WeeklyDownloads(ctx, policy.PyPI, []string{"slow-pkg"})
	// A caller held by the fetch would take the fake's 4 s; the bound
	// leaves a loaded machine room past the 100 ms deadline (it was 700 ms).
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("WeeklyDownloads took %v past a 100ms deadline", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) || len(got) != 0 {
		t.Errorf("WeeklyDownloads = %v, %v; want no counts and a deadline error", got, err)
	}
	// The detached fetch completes and later callers get the cached answer.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if w, ok := c.lru.Get(cacheKey(policy.PyPI, "slow-pkg")); ok {
			if w != 42 {
				t.Errorf("cached count = %d, want 42", w)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("detached fetch never filled the cache")
}
