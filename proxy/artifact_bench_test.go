package proxy_test

import (
	"crypto/rand"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
)

// BenchmarkTarball downloads one 1 MiB tarball through the proxy, from
// upstream every time (no artifact cache: today's behaviour before this
// cache) and from the warm artifact cache, in the same run:
//
//	go test ./proxy -run '^$' -bench Tarball -benchtime 2s
func BenchmarkTarball(b *testing.B) {
	tgz := make([]byte, 1<<20)
	if _, err := rand.Read(tgz); err != nil {
		b.Fatal(err)
	}
	old := time.Now().Add(-400 * day)
	pkg := npmtest.Package{Name: "big-lib", Repository: ghRepo, Created: old,
		Versions: []npmtest.Version{{Version: "1.0.0", Published: old, Tarball: tgz}}}
	for _, tc := range []struct {
		name  string
		bytes int64
	}{{"upstream", 0}, {"cached", 1 << 30}} {
		b.Run(tc.name, func(b *testing.B) {
			fake := npmtest.NewServer(b, pkg)
			e := newEnv(b, envOptions{npmUpstream: fake.URL, npmTarballs: []string{fake.TarballHost()}, artifactBytes: tc.bytes})
			url := e.srv.URL + "/npm/big-lib/-/big-lib-1.0.0.tgz"
			client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
			get := func() {
				resp, err := client.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || n != int64(len(tgz)) {
					b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
				}
			}
			get() // warm the metadata (and the artifact cache)
			before := fake.TotalRequests()
			b.SetBytes(int64(len(tgz)))
			b.ResetTimer()
			for b.Loop() {
				get()
			}
			b.StopTimer()
			b.ReportMetric(float64(fake.TotalRequests()-before)/float64(b.N), "upstream-req/op")
		})
	}
}
