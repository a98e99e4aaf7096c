package npm

import (
	"bytes"
	"encoding/json"
	"io"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"
)

// genPackument builds a full packument of at least size bytes shaped like a
// big real one (many versions with dependencies, maintainers, scripts, dist
// with signatures, per-version readmes on some, a large top-level readme and
// users map). It appends directly into one buffer, so 60 MB takes well under
// a second.
func genPackument(size int) []byte {
	b := make([]byte, 0, size+size/8)
	b = append(b, `{"_id":"big-pkg","_rev":"9999-0123456789abcdef","name":"big-pkg","description":"a very large package","dist-tags":{"latest":"`...)
	// Versions are generated until the document is big enough; the tag is
	// patched in afterwards, so reserve room for it.
	tagAt := len(b)
	b = append(b, `XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX","next":"`...)
	nextAt := len(b)
	b = append(b, `XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},"versions":{`...)
	readme := bytes.Repeat([]byte("Lorem ipsum dolor sit amet, \\\"consectetur\\\" adipiscing elit.\\n"), 2<<20/64)
	perVersionReadme := readme[:4000]
	var versions []string
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; len(b)+len(readme) < size; i++ {
		v := strconv.Itoa(i/100) + "." + strconv.Itoa(i/10%10) + "." + strconv.Itoa(i%10)
		if i%7 == 3 {
			v += "-beta." + strconv.Itoa(i)
		}
		if i > 0 {
			b = append(b, ',')
		}
		versions = append(versions, v)
		b = append(b, `"`+v+`":{"name":"big-pkg","version":"`+v+`","description":"a very large package, release `+v+`","keywords":["a","b","c","d","e","f","g","h","i","j"],"author":{"name":"Some One","email":"one@example.com","url":"https://example.com"},"license":"MIT","main":"lib/index.js","types":"lib/index.d.ts","bin":{"big":"bin/big.js"},"scripts":{"build":"tsc -p .","test":"jest --coverage","lint":"eslint ."`...)
		if i%11 == 0 {
			b = append(b, `,"postinstall":"node scripts/postinstall.js"`...)
		}
		b = append(b, `},"dependencies":{`...)
		for d := 0; d < 30; d++ {
			if d > 0 {
				b = append(b, ',')
			}
			b = append(b, `"dependency-number-`+strconv.Itoa(d)+`":"^`+strconv.Itoa(d)+`.2.3"`...)
		}
		b = append(b, `},"devDependencies":{`...)
		for d := 0; d < 50; d++ {
			if d > 0 {
				b = append(b, ',')
			}
			b = append(b, `"@types/dev-dependency-`+strconv.Itoa(d)+`":"~`+strconv.Itoa(d)+`.0.0"`...)
		}
		b = append(b, `},"engines":{"node":">=18"},"repository":{"type":"git","url":"git+https://github.com/big/pkg.git"},"bugs":{"url":"https://github.com/big/pkg/issues"},"homepage":"https://github.com/big/pkg#readme","gitHead":"0123456789abcdef0123456789abcdef01234567","_id":"big-pkg@`+v+`","_nodeVersion":"20.11.0","_npmVersion":"10.2.4","_npmUser":{"name":"releaser","email":"r@example.com"},"maintainers":[{"name":"a","email":"a@example.com"},{"name":"b","email":"b@example.com"},{"name":"c","email":"c@example.com"}],"directories":{},"dist":{"integrity":"sha512-`...)
		b = append(b, bytes.Repeat([]byte("Ab0+"), 22)...)
		b = append(b, `==","shasum":"0123456789abcdef0123456789abcdef01234567","tarball":"https://registry.npmjs.org/big-pkg/-/big-pkg-`+v+`.tgz","fileCount":42,"unpackedSize":123456,"signatures":[{"keyid":"SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA","sig":"MEUCIQDx`+v+`AiEA"}]},"_npmOperationalInternal":{"host":"s3://npm-registry-packages","tmp":"tmp/big-pkg_`+v+`"}`...)
		if i%5 == 0 {
			b = append(b, `,"readme":"`...)
			b = append(b, perVersionReadme...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, `},"time":{"created":"2015-01-01T00:00:00.000Z","modified":"`+base.Add(time.Duration(len(versions))*time.Hour).Format("2006-01-02T15:04:05.000Z")+`"`...)
	for i, v := range versions {
		b = append(b, `,"`+v+`":"`+base.Add(time.Duration(i)*time.Hour).Format("2006-01-02T15:04:05.000Z")+`"`...)
	}
	b = append(b, `},"maintainers":[{"name":"a","email":"a@example.com"}],"repository":{"type":"git","url":"git+https://github.com/big/pkg.git"},"readme":"`...)
	b = append(b, readme...)
	b = append(b, `","readmeFilename":"README.md","users":{`...)
	for u := 0; u < 2000; u++ {
		if u > 0 {
			b = append(b, ',')
		}
		b = append(b, `"user`+strconv.Itoa(u)+`":true`...)
	}
	b = append(b, `},"license":"MIT"}`...)

	latest, next := versions[len(versions)-1], versions[len(versions)-1]
	for i := len(versions) - 1; i >= 0; i-- {
		if !isPrerelease(versions[i]) {
			latest = versions[i]
			break
		}
	}
	for i := len(versions) - 1; i >= 0; i-- {
		if isPrerelease(versions[i]) {
			next = versions[i]
			break
		}
	}
	patchTag(b[tagAt:], latest)
	patchTag(b[nextAt:], next)
	return b
}

// patchTag overwrites a reserved run of 30 'X' with v and pads the rest of
// the string with spaces outside the quotes: `"1.2.3"` + spaces, keeping JSON
// valid and the length fixed.
func patchTag(b []byte, v string) {
	n := copy(b, v)
	b[n] = '"'
	for i := n + 1; i <= 30; i++ {
		b[i] = ' '
	}
}

// largeSize is the size of the generated document in tests: 60 MB, or
// 16 MB under -short and under the race detector (which slows this
// single-goroutine byte crunching tenfold without adding coverage).
func largeSize() int {
	if testing.Short() || raceEnabled {
		return 16 << 20
	}
	return 60 << 20
}

func TestGenPackument(t *testing.T) {
	size := largeSize()
	start := time.Now()
	body := genPackument(size)
	d := time.Since(start) // logged, not asserted: wall time depends on the machine's load
	if len(body) < size {
		t.Errorf("generated %d bytes, want ≥ %d", len(body), size)
	}
	start = time.Now()
	if !json.Valid(body) {
		t.Fatal("generated packument is not valid JSON")
	}
	t.Logf("generated %d bytes in %v; json.Valid took %v", len(body), d, time.Since(start))
	start = time.Now()
	ix, err := ParseIndex(body)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ParseIndex took %v", time.Since(start))
	if len(ix.Versions) < 1000 || ix.DistTags["latest"] == "" || isPrerelease(ix.DistTags["latest"]) || !isPrerelease(ix.DistTags["next"]) {
		t.Errorf("generated index: %d versions, tags %v", len(ix.Versions), ix.DistTags)
	}
}

// largeFilterOptions hides every third version (including, usually, latest),
// deprecates every fifth and rewrites every tarball URL.
func largeFilterOptions(abbreviated bool) FilterOptions {
	return FilterOptions{
		Hide: func(v string) bool { return len(v)%3 == 0 || v[len(v)-1] == '9' },
		Deprecate: func(v string) string {
			if v[len(v)-1] == '5' {
				return "vigil: too new"
			}
			return ""
		},
		TarballURL:  func(name, base string) string { return "https://proxy.example/npm/" + name + "/-/" + base },
		Abbreviated: abbreviated,
	}
}

// peakHeap runs fn while sampling HeapAlloc and returns the highest value
// seen above the heap size before fn, and the bytes fn allocated in total.
func peakHeap(fn func()) (peak, total uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var mu sync.Mutex
	high := before.HeapAlloc
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				mu.Lock()
				high = max(high, ms.HeapAlloc)
				mu.Unlock()
			}
		}
	}()
	fn()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	high = max(high, after.HeapAlloc)
	return high - before.HeapAlloc, after.TotalAlloc - before.TotalAlloc
}

// TestFilterLargeMemory filters a generated 60 MB packument held in memory
// and checks the documented bound: with the collector kept tight (GOGC=10,
// so garbage cannot hide retained memory), parsing the index and filtering
// in full and abbreviated mode raises the peak heap by less than a quarter
// of the document plus 16 MiB, and allocates in total less than half the
// document (twice the document under the race detector, which disables
// non-allocating string conversions). An implementation that decoded the
// document into maps, or copied it, would need more than the document's size
// again. See largeSize for the document size.
func TestFilterLargeMemory(t *testing.T) {
	body := genPackument(largeSize())
	old := debug.SetGCPercent(10)
	defer debug.SetGCPercent(old)

	var outFull, outCorgi int64
	peak, total := peakHeap(func() {
		ix, err := ParseIndex(body)
		if err != nil {
			t.Error(err)
			return
		}
		cw := &countWriter{}
		if err := Filter(cw, body, ix, largeFilterOptions(false)); err != nil {
			t.Error(err)
		}
		outFull = cw.n
		cw = &countWriter{}
		if err := Filter(cw, body, ix, largeFilterOptions(true)); err != nil {
			t.Error(err)
		}
		outCorgi = cw.n
		runtime.KeepAlive(ix)
	})
	docSize := uint64(len(body))
	t.Logf("document %d MiB: peak heap growth %d MiB, total allocated %d MiB, full output %d MiB, corgi output %d MiB",
		docSize>>20, peak>>20, total>>20, outFull>>20, outCorgi>>20)
	if bound := docSize/4 + 16<<20; peak > bound {
		t.Errorf("peak heap growth %d bytes exceeds bound %d (document %d)", peak, bound, docSize)
	}
	allocBound := docSize / 2
	if raceEnabled {
		allocBound = 2 * docSize
	}
	if total > allocBound {
		t.Errorf("total allocation %d bytes exceeds bound %d (document %d)", total, allocBound, docSize)
	}
	if outFull == 0 || outCorgi == 0 || outCorgi >= outFull {
		t.Errorf("output sizes: full %d, corgi %d", outFull, outCorgi)
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func BenchmarkParseIndexLarge(b *testing.B) {
	body := genPackument(60 << 20)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseIndex(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilterLarge(b *testing.B) {
	body := genPackument(60 << 20)
	ix, err := ParseIndex(body)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name        string
		abbreviated bool
	}{{"full", false}, {"abbreviated", true}} {
		b.Run(mode.name, func(b *testing.B) {
			opts := largeFilterOptions(mode.abbreviated)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := Filter(io.Discard, body, ix, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFilterLargeNaive is the baseline BenchmarkFilterLarge/full is
// quoted against: decode the whole packument into map[string]any, delete
// the hidden versions from versions and time, re-encode.
func BenchmarkFilterLargeNaive(b *testing.B) {
	body := genPackument(60 << 20)
	hide := largeFilterOptions(false).Hide
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			b.Fatal(err)
		}
		versions, _ := doc["versions"].(map[string]any)
		times, _ := doc["time"].(map[string]any)
		for v := range versions {
			if hide(v) {
				delete(versions, v)
				delete(times, v)
			}
		}
		if err := json.NewEncoder(io.Discard).Encode(doc); err != nil {
			b.Fatal(err)
		}
	}
}
