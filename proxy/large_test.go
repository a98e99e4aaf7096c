package proxy_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// largePackument builds a realistic full packument of about size bytes:
// many versions with per-version metadata and a large readme.
func largePackument(name string, size int) []byte {
	var b bytes.Buffer
	old := time.Now().Add(-400 * day).UTC()
	versions := 3000
	fmt.Fprintf(&b, `{"_id":%q,"_rev":"1-abc","name":%q,"description":"a large package","dist-tags":{"latest":"1.0.%d"},"versions":{`, name, name, versions-1)
	for i := range versions {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"1.0.%d":{"name":%q,"version":"1.0.%d","description":"release %d","main":"index.js","scripts":{"test":"node test.js"},"dependencies":{"dep-a":"^1.0.0","dep-b":"~2.3.4"},"repository":{"type":"git","url":"git+https://github.com/example/large.git"},"_id":"%s@1.0.%d","_npmUser":{"name":"someone","email":"someone@example.com"},"dist":{"tarball":"https://registry.npmjs.org/%s/-/%s-1.0.%d.tgz","shasum":"0123456789abcdef0123456789abcdef01234567","integrity":"sha512-AAAA","fileCount":3,"unpackedSize":1234},"readme":%q}`,
			i, name, i, i, name, i, name, name, i, strings.Repeat("per-version notes. ", 20))
	}
	b.WriteString(`},"time":{"created":"` + old.Format(time.RFC3339) + `","modified":"` + old.Format(time.RFC3339) + `"`)
	for i := range versions {
		fmt.Fprintf(&b, `,"1.0.%d":%q`, i, old.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
	}
	b.WriteString(`},"repository":{"type":"git","url":"git+https://github.com/example/large.git"},"readme":"`)
	line := "This readme line is long enough to make the document realistically heavy. "
	for b.Len() < size-100 {
		b.WriteString(line)
	}
	b.WriteString(`","license":"MIT"}`)
	return b.Bytes()
}

// TestLargePackumentBoundedHeap serves a 60 MB packument through the proxy
// and bounds the heap the whole request path needs at 3× the document
// size: the body the cache keeps (L1), the transient buffer of a chunked
// upstream read, and streamed output. Large bodies go to blob files rather
// than bbolt values (which bbolt would copy twice), and the filter never
// builds a tree of the document (see npm.Filter). Under the race detector,
// which allocates for its own bookkeeping, the bound is 4×. Documented in
// the README.
func TestLargePackumentBoundedHeap(t *testing.T) {
	const size = 60 << 20
	doc := largePackument("large-pkg", size)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	}))
	defer up.Close()
	e := newEnv(t, envOptions{npmUpstream: up.URL, npmTarballs: []string{"registry.npmjs.org"}, maxDocument: 128 << 20, timeout: 30 * time.Second})

	// Measure what the request path keeps alive, not the collector's
	// slack: collect eagerly during the test.
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	// Each representation twice: rendered cold, then served warm from the
	// rendered cache (the full document from its disk tier).
	for _, accept := range []string{"application/json", "application/vnd.npm.install-v1+json", "application/json", "application/vnd.npm.install-v1+json"} {
		resp := e.get("/npm/large-pkg", "Accept: "+accept)
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || n < 100<<10 {
			t.Fatalf("Accept %s: status %s, %d bytes, %v", accept, resp.Status, n, err)
		}
	}
	close(stop)
	<-done
	growth := int64(peak.Load()) - int64(base.HeapInuse)
	bound := int64(size) * 3
	if raceEnabled {
		bound = int64(size) * 4 // the race detector's own bookkeeping
	}
	t.Logf("document %d MB, peak heap growth %d MB, bound %d MB", size>>20, growth>>20, bound>>20)
	if growth > bound {
		t.Errorf("peak heap grew by %d MB serving a %d MB packument, bound %d MB", growth>>20, size>>20, bound>>20)
	}
	runtime.KeepAlive(doc)
}
