package proxy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/popularity"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// coldLatency is every fake upstream's answer time in the cold-path tests:
// 50 ms, as measured in the README; under the race detector the proxy's own
// work is several times slower, so the latency is longer there to keep the
// ratio about the overlap rather than about instrumented CPU time.
var coldLatency = func() time.Duration {
	if raceEnabled {
		return 250 * time.Millisecond
	}
	return 50 * time.Millisecond
}()

// coldRounds is how many cold misses each cold-path test measures.
const coldRounds = 9

// coldBound is the most the fastest cold miss through the proxy may take
// relative to the fastest direct fetch of the same document. Sequential lookups (document, then
// download count) take at least 2× (PyPI's simple page, JSON document and
// download count one after the other: 3×); overlapping them takes about 1×
// plus the proxy's own work. The bound leaves room for a loaded machine.
const coldBound = 1.5

// slowDownloads is a fake of both download-count services (npm's
// downloads API and pypistats.org) answering after coldLatency, counting
// requests per name.
type slowDownloads struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string]int
}

func newSlowDownloads(t *testing.T) *slowDownloads {
	t.Helper()
	d := &slowDownloads{got: map[string]int{}}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(coldLatency):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/downloads/point/last-week/"):
			name := strings.TrimPrefix(r.URL.Path, "/downloads/point/last-week/")
			d.count(name)
			fmt.Fprintf(w, `{"downloads":123456,"package":%q}`, name)
		case strings.HasPrefix(r.URL.Path, "/api/packages/") && strings.HasSuffix(r.URL.Path, "/recent"):
			name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/packages/"), "/recent")
			d.count(name)
			fmt.Fprint(w, `{"data":{"last_day":1,"last_week":123456,"last_month":500000},"package":"x","type":"recent_downloads"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *slowDownloads) count(name string) {
	d.mu.Lock()
	d.got[name]++
	d.mu.Unlock()
}

func (d *slowDownloads) requests(name string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.got[name]
}

// onlinePopularity is the proxy's popularity source with both live
// services pointed at d, cached as in production.
func onlinePopularity(t *testing.T, d *slowDownloads) *popularity.Lookup {
	t.Helper()
	return popularity.New(popularity.Options{Snapshot: embeddedIndex(t), Live: map[policy.Ecosystem]popularity.Source{
		policy.NPM:  popularity.NewCache(popularity.NewNPM(popularity.HTTPOptions{BaseURL: d.srv.URL}), popularity.CacheOptions{}),
		policy.PyPI: popularity.NewCache(popularity.NewPyPIStats(popularity.HTTPOptions{BaseURL: d.srv.URL}), popularity.CacheOptions{}),
	}})
}

// timedGet fetches url and returns how long the whole response took.
func timedGet(t *testing.T, client *http.Client, url string, headers ...string) time.Duration {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, err %v; body: %.300s", url, resp.StatusCode, err, b)
	}
	return elapsed
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// assertOverlap compares the fastest cold miss through the proxy with the
// fastest direct fetch of the same rounds. A loaded machine only adds time,
// so the fastest round shows the structure: lookups run one after the other
// can never answer in less than twice the latency, overlapped ones can in
// about one latency. Medians are logged too.
func assertOverlap(t *testing.T, direct, proxied []time.Duration) {
	t.Helper()
	d, p := slices.Min(direct), slices.Min(proxied)
	ratio := float64(p) / float64(d)
	t.Logf("cold miss, %v latency on every upstream, %d rounds: fastest direct %v, through the proxy %v: %.2f× (medians %v and %v: %.2f×)",
		coldLatency, len(direct), d, p, ratio, median(direct), median(proxied), float64(median(proxied))/float64(median(direct)))
	if d < coldLatency {
		t.Fatalf("direct fetch took %v, less than the injected %v: the latency fault is not applied", d, coldLatency)
	}
	if ratio >= coldBound {
		t.Errorf("cold miss through the proxy is at best %.2f× the direct fetch (%v vs %v), want < %.2f×: network lookups are not overlapped",
			ratio, p, d, coldBound)
	}
}

func TestColdNPMPackumentOverlapsDownloadCount(t *testing.T) {
	old := time.Now().Add(-400 * day)
	var pkgs []npmtest.Package
	for i := range coldRounds {
		pkgs = append(pkgs, npmtest.Package{Name: fmt.Sprintf("coldpath-widget-%d", i), Repository: ghRepo, Created: old,
			Versions: []npmtest.Version{{Version: "1.0.0", Published: old}, {Version: "1.1.0", Published: old.Add(day)}}})
	}
	fake := npmtest.NewServer(t, pkgs...)
	for _, p := range pkgs {
		fake.SetFault("/"+p.Name, npmtest.Fault{Delay: coldLatency})
	}
	downloads := newSlowDownloads(t)
	e := newEnv(t, envOptions{npmUpstream: fake.URL, npmTarballs: []string{fake.TarballHost()}, signals: onlinePopularity(t, downloads)})
	client := &http.Client{}
	defer client.CloseIdleConnections()

	var direct, proxied []time.Duration
	for i, p := range pkgs {
		// Alternate the order so neither side always runs first.
		d := func() { direct = append(direct, timedGet(t, client, fake.URL+"/"+p.Name, "Accept: application/json")) }
		x := func() {
			proxied = append(proxied, timedGet(t, client, e.srv.URL+"/npm/"+p.Name, "Accept: application/json"))
		}
		if i%2 == 0 {
			d()
			x()
		} else {
			x()
			d()
		}
		if n := fake.Requests("/" + p.Name); n != 2 {
			t.Fatalf("%s: upstream saw %d packument requests, want 2 (one direct, one cold miss through the proxy)", p.Name, n)
		}
		if n := downloads.requests(p.Name); n != 1 {
			t.Fatalf("%s: download-count service saw %d requests, want 1 (online popularity consulted on the cold miss)", p.Name, n)
		}
	}
	assertOverlap(t, direct, proxied)
}

func TestColdPyPIProjectOverlapsDocumentsAndDownloadCount(t *testing.T) {
	var projects []pypitest.Project
	for i := range coldRounds {
		projects = append(projects, pypitest.Project{Name: fmt.Sprintf("coldpath-gadget-%d", i),
			ProjectURLs: map[string]string{"Source": "https://github.com/example/gadget"},
			Dists:       []pypitest.Dist{{Version: "1.0.0"}, {Version: "1.1.0"}}})
	}
	fake := pypitest.NewServer(t, projects...)
	for _, p := range projects {
		fake.SetFault("/simple/"+p.Name+"/", pypitest.Fault{Delay: coldLatency})
		fake.SetFault("/pypi/"+p.Name+"/json", pypitest.Fault{Delay: coldLatency})
	}
	downloads := newSlowDownloads(t)
	e := newEnv(t, envOptions{pypiUpstream: fake.URL, pypiFiles: []string{fake.FilesHost()}, signals: onlinePopularity(t, downloads)})
	client := &http.Client{}
	defer client.CloseIdleConnections()

	var direct, proxied []time.Duration
	for i, p := range projects {
		d := func() { direct = append(direct, timedGet(t, client, fake.URL+"/simple/"+p.Name+"/")) }
		x := func() { proxied = append(proxied, timedGet(t, client, e.srv.URL+"/pypi/simple/"+p.Name+"/")) }
		if i%2 == 0 {
			d()
			x()
		} else {
			x()
			d()
		}
		if n := fake.Requests("/simple/" + p.Name + "/"); n != 2 {
			t.Fatalf("%s: upstream saw %d simple-page requests, want 2 (one direct, one cold miss through the proxy)", p.Name, n)
		}
		if n := fake.Requests("/pypi/" + p.Name + "/json"); n != 1 {
			t.Fatalf("%s: upstream saw %d JSON requests, want 1 (the proxy's cold miss)", p.Name, n)
		}
		if n := downloads.requests(p.Name); n != 1 {
			t.Fatalf("%s: download-count service saw %d requests, want 1 (online popularity consulted on the cold miss)", p.Name, n)
		}
	}
	assertOverlap(t, direct, proxied)
}

// A name resembling a popular project needs the popular project's document
// too (the same-repository exemption): it is fetched beside the requested
// one, as soon as the name is known, not after it.
func TestColdLookalikeDocumentFetchedBeside(t *testing.T) {
	old := time.Now().Add(-400 * day)
	psf := map[string]string{"Source": "https://github.com/psf/requests"}
	fake := pypitest.NewServer(t,
		pypitest.Project{Name: "requests", ProjectURLs: psf, Dists: []pypitest.Dist{{Version: "2.31.0", Uploaded: old}}},
		pypitest.Project{Name: "requestss", ProjectURLs: map[string]string{"Homepage": "https://github.com/PSF/requests.git"}, Dists: []pypitest.Dist{{Version: "1.0", Uploaded: old}}},
	)
	for _, name := range []string{"requests", "requestss"} {
		fake.SetFault("/simple/"+name+"/", pypitest.Fault{Delay: coldLatency})
		fake.SetFault("/pypi/"+name+"/json", pypitest.Fault{Delay: coldLatency})
	}
	e := newEnv(t, envOptions{pypiUpstream: fake.URL, pypiFiles: []string{fake.FilesHost()}, names: true})
	client := &http.Client{}
	defer client.CloseIdleConnections()
	var direct, proxied []time.Duration
	for round := 1; round <= coldRounds; round++ {
		for _, key := range []string{"pypi/simple/requests", "pypi/json/requests", "pypi/simple/requestss", "pypi/json/requestss"} {
			if err := e.cache.Invalidate(context.Background(), key); err != nil { // cold again
				t.Fatal(err)
			}
		}
		e.proxy.InvalidateRendered() // and no rendered answer either
		direct = append(direct, timedGet(t, client, fake.URL+"/simple/requestss/"))
		proxied = append(proxied, timedGet(t, client, e.srv.URL+"/pypi/simple/requestss/"))
		if n := fake.Requests("/pypi/requests/json"); n != round {
			t.Fatalf("round %d: the look-alike's JSON document was fetched %d times in all, want %d (its repository decides the exemption)", round, n, round)
		}
	}
	assertOverlap(t, direct, proxied)
}
