package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
)

// BenchmarkWarmPackument serves a warm ~1 MB packument (300 versions with
// dependencies, a time map, a large readme) over HTTP, without the
// rendered cache (every request judges every release, filters and, for
// gzip, compresses) and with it (a lookup and a write), identity and gzip,
// in the same run:
//
//	go test ./proxy -run '^$' -bench WarmPackument -benchtime 2s
func BenchmarkWarmPackument(b *testing.B) {
	old := time.Now().Add(-400 * day)
	var versions []npmtest.Version
	for i := range 300 {
		versions = append(versions, npmtest.Version{Version: fmt.Sprintf("1.%d.%d", i/10, i%10), Published: old.Add(time.Duration(i) * time.Hour),
			Deps: map[string]string{"dep-a": "^1.0.0", "dep-b": "~2.3.4", "dep-c": "^3.1.0"}})
	}
	pkg := npmtest.Package{Name: "big-doc", Repository: ghRepo, Created: old, Versions: versions,
		Readme: strings.Repeat("A realistic readme line, long enough to weigh something. ", 12000)}
	fake := npmtest.NewServer(b, pkg)
	for _, cached := range []bool{false, true} {
		for _, enc := range []string{"identity", "gzip"} {
			name := "uncached"
			if cached {
				name = "cached"
			}
			b.Run(name+"/"+enc, func(b *testing.B) {
				e := newEnv(b, envOptions{npmUpstream: fake.URL, npmTarballs: []string{fake.TarballHost()}, noRendered: !cached})
				url := e.srv.URL + "/npm/big-doc"
				client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
				get := func() int64 {
					req, _ := http.NewRequest(http.MethodGet, url, nil)
					req.Header.Set("Accept-Encoding", enc)
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || (enc == "gzip") != (resp.Header.Get("Content-Encoding") == "gzip") {
						b.Fatalf("status %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
					}
					return n
				}
				get() // warm the metadata (and the rendered cache)
				before := e.proxy.Judgements()
				b.SetBytes(get())
				b.ResetTimer()
				for b.Loop() {
					get()
				}
				b.StopTimer()
				b.ReportMetric(float64(e.proxy.Judgements()-before)/float64(b.N), "judgements/op")
			})
		}
	}
}
