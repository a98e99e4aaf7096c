package rendercache

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func build(t *testing.T, c *Cache, body string) *Entry {
	t.Helper()
	b := c.NewBuilder(true)
	for chunk := range strings.SplitAfterSeq(body, "\n") { // several writes, as a filter does
		if _, err := b.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	e, err := b.Finish(h, "meta")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func serve(t *testing.T, e *Entry, header ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	for _, h := range header {
		k, v, _ := strings.Cut(h, ": ")
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	if err := e.Serve(w, r, r.Header.Get("Accept-Encoding") == "gzip"); err != nil {
		t.Fatal(err)
	}
	return w.Result()
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// Entries kept in memory and on disk serve the same bytes, a gzip copy of
// them, a distinct gzip ETag, and 304 for a matching If-None-Match.
func TestEntryServeMemoryAndDisk(t *testing.T) {
	body := strings.Repeat(`{"version":"1.0.0","readme":"some text"}`+"\n", 2000)
	for _, limit := range []int64{1 << 20, 1024} {
		dir := t.TempDir()
		c, err := Open(Options{MaxEntryMemory: limit, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		e := build(t, c, body)
		now := time.Now()
		if !c.Put("k", e, c.Generation(), now, now.Add(time.Minute)) {
			t.Fatalf("limit %d: entry not kept", limit)
		}
		got, ok := c.Get("k", now)
		if !ok {
			t.Fatalf("limit %d: Get missed", limit)
		}
		files, _ := os.ReadDir(dir)
		if onDisk := len(files) == 2; onDisk != (limit == 1024) {
			t.Errorf("limit %d: %d files in the disk tier", limit, len(files))
		}
		resp := serve(t, got)
		b, _ := io.ReadAll(resp.Body)
		if string(b) != body || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("limit %d: identity %d bytes, headers %v", limit, len(b), resp.Header)
		}
		zresp := serve(t, got, "Accept-Encoding: gzip")
		zb, _ := io.ReadAll(zresp.Body)
		if gunzip(t, zb) != body || zresp.Header.Get("Content-Encoding") != "gzip" || zresp.Header.Get("ETag") == resp.Header.Get("ETag") {
			t.Errorf("limit %d: gzip copy wrong (ETag %q vs %q)", limit, zresp.Header.Get("ETag"), resp.Header.Get("ETag"))
		}
		if r := serve(t, got, "If-None-Match: W/"+resp.Header.Get("ETag")); r.StatusCode != http.StatusNotModified {
			t.Errorf("limit %d: If-None-Match = %d, want 304", limit, r.StatusCode)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if files, _ := os.ReadDir(dir); len(files) != 0 {
			t.Errorf("limit %d: Close left %d files", limit, len(files))
		}
	}
}

// An entry is never served after its expiry or once the generation moved
// on; an entry made in an older generation is not kept at all.
func TestCacheExpiryAndGeneration(t *testing.T) {
	c, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	now := time.Now()
	gen := c.Generation()
	c.Put("k", build(t, c, "a"), gen, now, now.Add(time.Minute))
	if _, ok := c.Get("k", now.Add(59*time.Second)); !ok {
		t.Error("entry missing before its expiry")
	}
	if _, ok := c.Get("k", now.Add(time.Minute)); ok {
		t.Error("entry served at its expiry")
	}
	c.Bump()
	if _, ok := c.Get("k", now); ok {
		t.Error("entry served after a new generation started")
	}
	if c.Put("k", build(t, c, "b"), gen, now, now.Add(time.Minute)) {
		t.Error("entry judged in the old generation was kept")
	}
	if st := c.Stats(); st.Bumps != 1 || st.Hits != 1 {
		t.Errorf("stats %+v", st)
	}
}

// A spilled entry whose files disappeared answers ErrGone before writing.
func TestServeGoneFiles(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(Options{MaxEntryMemory: 16, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e := build(t, c, strings.Repeat("x", 100))
	e.Discard()
	w := httptest.NewRecorder()
	if err := e.Serve(w, httptest.NewRequest(http.MethodGet, "/", nil), false); err != ErrGone || w.Code != http.StatusOK || w.Body.Len() != 0 || len(w.Header()) != 0 {
		t.Errorf("Serve of a gone entry = %v, wrote %d %q", err, w.Code, w.Body.String())
	}
	if files, _ := os.ReadDir(filepath.Clean(dir)); len(files) != 0 {
		t.Errorf("%d files left", len(files))
	}
}

func FuzzETagMatch(f *testing.F) {
	for _, s := range []string{`"abc"`, `W/"abc", "def"`, `*`, ``, `,,`, `W/`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		ETagMatch(header, `"abc"`) // must not panic
		if !ETagMatch(header+`, "abc"`, `"abc"`) {
			t.Errorf("%q plus the ETag does not match", header)
		}
	})
}
