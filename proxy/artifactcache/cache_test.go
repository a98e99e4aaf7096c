package artifactcache_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
)

func keyOf(t *testing.T, b []byte) artifactcache.Key {
	t.Helper()
	sum := sha256.Sum256(b)
	k, err := artifactcache.NewKey("sha256", sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func open(t *testing.T, dir string, max int64) *artifactcache.Disk {
	t.Helper()
	d, err := artifactcache.Open(artifactcache.Options{Dir: dir, MaxBytes: max})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func put(t *testing.T, d *artifactcache.Disk, b []byte) error {
	t.Helper()
	w, err := d.Create(context.Background(), keyOf(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		w.Abort()
		return err
	}
	return w.Commit()
}

func read(t *testing.T, d *artifactcache.Disk, k artifactcache.Key) (string, error) {
	t.Helper()
	e, err := d.Open(context.Background(), k)
	if err != nil {
		return "", err
	}
	defer e.Close()
	b, err := io.ReadAll(e.File)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), nil
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}

func TestStoreAndRead(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, 1<<20)
	body := []byte("tarball bytes")
	if _, err := read(t, d, keyOf(t, body)); !errors.Is(err, artifactcache.ErrNotFound) {
		t.Fatalf("cold read: %v, want ErrNotFound", err)
	}
	if err := put(t, d, body); err != nil {
		t.Fatal(err)
	}
	got, err := read(t, d, keyOf(t, body))
	if err != nil || got != string(body) {
		t.Fatalf("warm read = %q, %v", got, err)
	}
	if diff := cmp.Diff([]string{keyOf(t, body).String()}, files(t, dir)); diff != "" {
		t.Errorf("files on disk (-want +got):\n%s", diff)
	}
	s := d.Stats()
	if s.Hits != 1 || s.Misses != 1 || s.Bytes != int64(len(body)) || s.Files != 1 {
		t.Errorf("stats %+v", s)
	}
	// A reopened cache finds the file again.
	got, err = read(t, open(t, dir, 1<<20), keyOf(t, body))
	if err != nil || got != string(body) {
		t.Fatalf("after reopen = %q, %v", got, err)
	}
}

// Bytes that do not hash to the key are never stored, and nothing is left
// on disk (not even the temporary file).
func TestMismatchIsNeverStored(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, 1<<20)
	w, err := d.Create(context.Background(), keyOf(t, []byte("the real file")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("a tampered file")); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err == nil {
		t.Fatal("Commit of mismatching bytes succeeded")
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files left on disk: %v", got)
	}
	if _, err := read(t, d, keyOf(t, []byte("the real file"))); !errors.Is(err, artifactcache.ErrNotFound) {
		t.Errorf("read after failed commit: %v, want ErrNotFound", err)
	}
}

// Until Commit, the file is invisible: an aborted download leaves nothing.
func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, 1<<20)
	body := []byte("half a download")
	w, err := d.Create(context.Background(), keyOf(t, body))
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body[:4])
	if _, err := read(t, d, keyOf(t, body)); !errors.Is(err, artifactcache.ErrNotFound) {
		t.Errorf("read before commit: %v, want ErrNotFound", err)
	}
	w.Abort()
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files left on disk: %v", got)
	}
}

func TestLeastRecentlyUsedEviction(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, 30)
	a, b, c := []byte("aaaaaaaaaa"), []byte("bbbbbbbbbb"), []byte("cccccccccc")
	for _, x := range [][]byte{a, b, c} {
		if err := put(t, d, x); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := read(t, d, keyOf(t, a)); err != nil { // a is now the most recent
		t.Fatal(err)
	}
	if err := put(t, d, []byte("dddddddddd")); err != nil {
		t.Fatal(err)
	}
	if _, err := read(t, d, keyOf(t, b)); !errors.Is(err, artifactcache.ErrNotFound) {
		t.Errorf("least recently used file still cached: %v", err)
	}
	for _, x := range [][]byte{a, c} {
		if _, err := read(t, d, keyOf(t, x)); err != nil {
			t.Errorf("%s evicted: %v", x, err)
		}
	}
	s := d.Stats()
	if s.Evictions != 1 || s.Bytes != 30 || len(files(t, dir)) != 3 {
		t.Errorf("stats %+v, files %v", s, files(t, dir))
	}
	// A file larger than the whole budget is not stored.
	if err := put(t, d, make([]byte, 31)); err == nil {
		t.Error("a file over budget was stored")
	}
}

// A file whose size changed on disk is discarded on read, never served.
func TestSizeCheckOnRead(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, 1<<20)
	body := []byte("original contents")
	if err := put(t, d, body); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, keyOf(t, body).String())
	if err := os.WriteFile(p, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := read(t, d, keyOf(t, body)); !errors.Is(err, artifactcache.ErrNotFound) {
		t.Fatalf("corrupted file read as %q, %v", got, err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("corrupted file still on disk: %v", err)
	}
	if s := d.Stats(); s.Discarded != 1 || s.Files != 0 || s.Bytes != 0 {
		t.Errorf("stats %+v", s)
	}
}

// Scrub finds a same-size corruption the read path cannot see.
func TestScrubDiscardsMismatches(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, 1<<20)
	good, bad := []byte("good file"), []byte("bad  file")
	for _, x := range [][]byte{good, bad} {
		if err := put(t, d, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, keyOf(t, bad).String()), []byte("bad! file"), 0o600); err != nil {
		t.Fatal(err)
	}
	checked, discarded, err := d.Scrub(context.Background())
	if err != nil || checked != 2 || discarded != 1 {
		t.Fatalf("Scrub = %d checked, %d discarded, %v; want 2, 1", checked, discarded, err)
	}
	if _, err := read(t, d, keyOf(t, bad)); !errors.Is(err, artifactcache.ErrNotFound) {
		t.Errorf("corrupted file still served: %v", err)
	}
	if got, err := read(t, d, keyOf(t, good)); err != nil || got != string(good) {
		t.Errorf("good file = %q, %v", got, err)
	}
}

func TestOpenRemovesLeftoverTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".tmp-123"), []byte("crash"), 0o600); err != nil {
		t.Fatal(err)
	}
	open(t, dir, 10)
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files after Open: %v", got)
	}
}

func TestNewKeyRejectsWeakOrMalformed(t *testing.T) {
	for _, tc := range []struct {
		alg string
		n   int
	}{{"sha1", 20}, {"md5", 16}, {"sha256", 31}, {"sha512", 32}} {
		if _, err := artifactcache.NewKey(tc.alg, make([]byte, tc.n)); err == nil {
			t.Errorf("NewKey(%s, %d bytes) accepted", tc.alg, tc.n)
		}
	}
}

func TestRemove(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, 1<<20)
	body := []byte("purge me")
	if err := put(t, d, body); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.Remove(context.Background(), keyOf(t, body)); !ok || err != nil {
		t.Fatalf("Remove = %v, %v; want true", ok, err)
	}
	if ok, err := d.Remove(context.Background(), keyOf(t, body)); ok || err != nil {
		t.Errorf("second Remove = %v, %v; want false", ok, err)
	}
	if got := files(t, dir); len(got) != 0 || d.Stats().Bytes != 0 {
		t.Errorf("after Remove: files %v, stats %+v", got, d.Stats())
	}
}
