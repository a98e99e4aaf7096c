package rendercache

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// filePrefix starts the name of every file of the disk tier.
const filePrefix = "render-"

// ErrGone is returned by Serve when a disk entry's files were removed
// (evicted) before they could be opened; nothing was written.
var ErrGone = errors.New("rendered entry evicted")

// Entry is one rendered representation: identity bytes, a gzip copy, the
// ETag, the response headers, and Meta (what the caller needs to answer a
// hit, e.g. the decision to audit). Entries are shared between requests:
// read-only once built.
type Entry struct {
	// Header is sent with every response of this entry (Content-Type,
	// Vary, Cache-Control, notices). ETag, Content-Encoding and
	// Content-Length are set by Serve.
	Header http.Header
	// Meta is the caller's; not sent.
	Meta any

	etag string // identity ETag, quoted

	body, gz         []byte // in memory, or
	bodyPath, gzPath string // on disk, in dir
	dir              string
	size, gzSize     int64
	hasGzip          bool
	keepable         bool  // may be Put (not spilled outside the cache's Dir)
	extraCost        int64 // memory held through Meta

	gen     uint64
	expires time.Time
	counted *atomic.Int64 // disk bytes counter, while in the disk tier
}

// NewMetaEntry returns an entry without a body that only carries meta (a
// package's judged facts), costing cost bytes of memory.
func NewMetaEntry(meta any, cost int64) *Entry {
	return &Entry{Meta: meta, keepable: true, extraCost: cost}
}

// ETag is the identity representation's ETag (quoted).
func (e *Entry) ETag() string { return e.etag }

// GzipETag is the gzip representation's ETag: the identity one with
// "-gzip" (the bytes sent differ, so the validator must too).
func (e *Entry) GzipETag() string { return strings.TrimSuffix(e.etag, `"`) + `-gzip"` }

// Size is the identity body's length.
func (e *Entry) Size() int64 { return e.size }

func (e *Entry) onDisk() bool { return e.bodyPath != "" }

// Discard removes the entry's files, if any. Call it for an entry that was
// not kept (Put returned false) once it has been served.
func (e *Entry) Discard() {
	for _, p := range []string{e.bodyPath, e.gzPath} {
		if p != "" {
			_ = os.Remove(p) // already gone is fine
		}
	}
}

// Serve writes the entry: 304 when If-None-Match matches the ETag of the
// representation sent, the gzip copy when gzipOK (and the entry has one),
// HEAD without a body, Content-Length always. It returns ErrGone, having
// written nothing, when the files of a disk entry are gone.
func (e *Entry) Serve(w http.ResponseWriter, r *http.Request, gzipOK bool) error {
	useGzip := gzipOK && e.hasGzip
	etag, body, path, size := e.etag, e.body, e.bodyPath, e.size
	if useGzip {
		etag, body, path, size = e.GzipETag(), e.gz, e.gzPath, e.gzSize
	}
	var f *os.File
	if path != "" && r.Method != http.MethodHead {
		var err error
		if f, err = os.Open(path); err != nil {
			return ErrGone
		}
		defer f.Close()
	}
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	h.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && ETagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if useGzip {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	var err error
	if f != nil {
		_, err = io.Copy(w, f)
	} else {
		_, err = w.Write(body)
	}
	if err != nil {
		return fmt.Errorf("write rendered response: %w", err)
	}
	return nil
}

// ETagMatch reports whether an If-None-Match header matches etag (weak
// comparison, "*" included).
func ETagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// BuilderOptions configures a Builder.
type BuilderOptions struct {
	// Gzip also builds the precompressed copy.
	Gzip bool
	// MaxMemory is the largest body kept in memory; past it the body goes
	// to a file in Dir (or the system's temporary directory when Dir is
	// empty, and then the entry cannot be kept).
	MaxMemory int64
	Dir       string
}

// Builder renders an entry: everything written to it is hashed (the ETag),
// kept and, with Gzip, compressed, in memory up to MaxMemory and in files
// past it. Finish returns the entry; Abort discards it.
type Builder struct {
	opts BuilderOptions
	h    hash.Hash
	id   sink
	gz   sink
	zw   *gzip.Writer
	err  error
}

// NewBuilder starts an entry built with the cache's limits; withGzip adds
// the precompressed copy.
func (c *Cache) NewBuilder(withGzip bool) *Builder {
	return NewBuilder(BuilderOptions{Gzip: withGzip, MaxMemory: c.opts.MaxEntryMemory, Dir: c.opts.Dir})
}

// NewBuilder starts an entry.
func NewBuilder(opts BuilderOptions) *Builder {
	if opts.MaxMemory <= 0 {
		opts.MaxMemory = DefaultMaxEntryMemory
	}
	b := &Builder{opts: opts, h: sha256.New()}
	b.id = sink{limit: opts.MaxMemory, dir: opts.Dir}
	b.gz = sink{limit: opts.MaxMemory, dir: opts.Dir}
	if opts.Gzip {
		b.zw = gzip.NewWriter(&b.gz)
	}
	return b
}

// Write hashes, keeps and compresses p.
func (b *Builder) Write(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	b.h.Write(p)
	if _, err := b.id.Write(p); err != nil {
		b.err = err
		return 0, err
	}
	if b.zw != nil {
		if _, err := b.zw.Write(p); err != nil {
			b.err = err
			return 0, err
		}
	}
	return len(p), nil
}

// Finish completes the entry with its response headers.
func (b *Builder) Finish(header http.Header, meta any) (*Entry, error) {
	if b.zw != nil && b.err == nil {
		b.err = b.zw.Close()
	}
	if b.err == nil {
		b.err = errors.Join(b.id.close(), b.gz.close())
	}
	if b.err != nil {
		b.Abort()
		return nil, fmt.Errorf("render response: %w", b.err)
	}
	sum := b.h.Sum(nil)
	e := &Entry{Header: header, Meta: meta, etag: `"` + hex.EncodeToString(sum[:16]) + `"`,
		body: b.id.buf.Bytes(), bodyPath: b.id.path, size: b.id.n, hasGzip: b.zw != nil, dir: b.opts.Dir}
	if e.hasGzip {
		e.gz, e.gzPath, e.gzSize = b.gz.buf.Bytes(), b.gz.path, b.gz.n
	}
	if (e.bodyPath == "") != (e.gzPath == "") && e.hasGzip {
		// One copy spilled and the other did not: keep both on disk so the
		// entry lives in one tier.
		if err := e.spillAll(); err != nil {
			e.Discard()
			return nil, fmt.Errorf("render response: %w", err)
		}
	}
	e.keepable = !e.onDisk() || b.opts.Dir != ""
	return e, nil
}

// spillAll writes the in-memory copy of a half-spilled entry to a file.
func (e *Entry) spillAll() error {
	if e.bodyPath == "" {
		p, err := writeFile(e.dir, e.body)
		if err != nil {
			return err
		}
		e.bodyPath, e.body = p, nil
	}
	if e.gzPath == "" {
		p, err := writeFile(e.dir, e.gz)
		if err != nil {
			return err
		}
		e.gzPath, e.gz = p, nil
	}
	return nil
}

func writeFile(dir string, b []byte) (string, error) {
	f, err := os.CreateTemp(dir, filePrefix+"*")
	if err != nil {
		return "", fmt.Errorf("spill rendered response: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("spill rendered response: %w", err)
	}
	return f.Name(), nil
}

// Abort discards what was built.
func (b *Builder) Abort() {
	b.id.abort()
	b.gz.abort()
}

// sink keeps bytes in memory up to limit, then in a file.
type sink struct {
	limit int64
	dir   string
	buf   bytes.Buffer
	f     *os.File
	path  string
	n     int64
}

func (s *sink) Write(p []byte) (int, error) {
	if s.f == nil && int64(s.buf.Len()+len(p)) > s.limit {
		f, err := os.CreateTemp(s.dir, filePrefix+"*")
		if err != nil {
			return 0, fmt.Errorf("spill rendered response: %w", err)
		}
		s.f, s.path = f, f.Name()
		if _, err := f.Write(s.buf.Bytes()); err != nil {
			return 0, fmt.Errorf("spill rendered response: %w", err)
		}
		s.buf = bytes.Buffer{}
	}
	s.n += int64(len(p))
	if s.f != nil {
		if _, err := s.f.Write(p); err != nil {
			return 0, fmt.Errorf("spill rendered response: %w", err)
		}
		return len(p), nil
	}
	return s.buf.Write(p)
}

func (s *sink) close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	if err != nil {
		return fmt.Errorf("spill rendered response: %w", err)
	}
	return nil
}

func (s *sink) abort() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	if s.path != "" {
		_ = os.Remove(s.path)
	}
	s.buf = bytes.Buffer{}
}
