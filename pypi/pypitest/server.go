// Package pypitest is a fake PyPI for tests: an httptest server that serves
// the simple API (PEP 503 HTML and PEP 691 JSON, negotiated like Warehouse),
// the Warehouse JSON API and real, installable distribution files generated
// in Go, with per-path request counters and fault injection.
package pypitest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/pypi"
)

// Dist is one distribution file of a project release.
type Dist struct {
	Version  string
	Uploaded time.Time // zero = 2020-01-01
	// Yanked is the yank reason; a non-empty value yanks the file. IsYanked
	// yanks it without a reason.
	Yanked         string
	IsYanked       bool
	RequiresPython string
	Kind           string   // "wheel" (default) or "sdist"
	Deps           []string // Requires-Dist lines
}

// Project is a fake PyPI project.
type Project struct {
	Name        string // display name, e.g. "Requests_Toolbelt"
	Dists       []Dist
	ProjectURLs map[string]string
	HomePage    string
	// Status is the PEP 792 status ("" = active). "quarantined" projects
	// list no files and are 404 on the JSON API, like Warehouse.
	Status       string
	StatusReason string
}

// Fault changes how the server answers one exact request path.
type Fault struct {
	Status          int           // answer with this status (body Body or a short text)
	Delay           time.Duration // wait before answering (cut short when the client leaves)
	Body            []byte        // raw body override (status Status or 200)
	ContentType     string        // Content-Type for Body (default application/octet-stream)
	ResetConnection bool          // close the TCP connection with a reset, no response
	Truncate        bool          // announce the full Content-Length, send half, then cut the connection
	// GzipBomb answers 200 with Content-Encoding: gzip whose body expands to
	// GzipBombSize bytes of zeros (default 1 GiB) from a few kilobytes.
	GzipBomb     bool
	GzipBombSize int64
	CorruptFile  bool // serve bytes that do not match the advertised sha256
}

// FileInfo describes one generated file as the fake serves it.
type FileInfo struct {
	Project        string // normalized
	Version        string
	Filename       string
	Kind           string
	Path           string // /packages/aa/bb/…/<filename>
	URL            string // absolute
	SHA256         string
	Blake2b256     string
	MetadataSHA256 string // "" for sdists (no .metadata sibling)
	Size           int64
	Uploaded       time.Time
}

type project struct {
	Project
	norm   string
	files  []*builtFile
	serial int64
}

// Server is a running fake PyPI. URL serves /simple/… and /pypi/…; files are
// served by the same server under /packages/….
type Server struct {
	URL      string // base URL, without trailing slash
	FilesURL string // base URL of the file host (same server)

	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	projects map[string]*project
	files    map[string]*builtFile // by URL path, including ".metadata" siblings
	counts   map[string]int
	total    int
	faults   map[string]Fault
	serial   int64
	bomb     func() []byte // gzip bomb chunk, built on first use
}

// NewServer starts a fake PyPI serving projects; it is closed by t.Cleanup.
func NewServer(t testing.TB, projects ...Project) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		projects: map[string]*project{},
		files:    map[string]*builtFile{},
		counts:   map[string]int{},
		faults:   map[string]Fault{},
		serial:   1000,
		bomb:     sync.OnceValue(newBombChunk),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	s.FilesURL = s.srv.URL
	for _, p := range projects {
		s.SetProject(p)
	}
	return s
}

// Close stops the server (an upstream outage); t.Cleanup also closes it.
func (s *Server) Close() { s.srv.Close() }

// FilesHost returns the host:port that serves distribution files, for
// allow-listing in the proxy.
func (s *Server) FilesHost() string {
	u, err := url.Parse(s.FilesURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// SetProject adds or replaces a project, generating its files. It fails the
// test (t.Fatalf) when a file cannot be built, so call it from the test
// goroutine.
func (s *Server) SetProject(p Project) {
	s.t.Helper()
	if !pypi.ValidName(p.Name) {
		s.t.Fatalf("pypitest: invalid project name %q", p.Name)
	}
	pr := &project{Project: p, norm: pypi.Normalize(p.Name)}
	for _, d := range p.Dists {
		bf, err := buildFile(p, d)
		if err != nil {
			s.t.Fatalf("pypitest: %v", err)
		}
		pr.files = append(pr.files, bf)
	}
	slices.SortFunc(pr.files, func(a, b *builtFile) int {
		if c := pypi.CompareVersions(a.version, b.version); c != 0 {
			return c
		}
		return strings.Compare(a.filename, b.filename)
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(pr.norm)
	s.serial++
	pr.serial = s.serial
	s.projects[pr.norm] = pr
	for _, f := range pr.files {
		s.files[f.urlPath] = f
		if f.metadata != nil {
			s.files[f.urlPath+".metadata"] = f
		}
	}
}

// RemoveProject removes a project (any name form); its files stop being served.
func (s *Server) RemoveProject(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(pypi.Normalize(name))
}

func (s *Server) removeLocked(norm string) {
	old, ok := s.projects[norm]
	if !ok {
		return
	}
	for _, f := range old.files {
		delete(s.files, f.urlPath)
		delete(s.files, f.urlPath+".metadata")
	}
	delete(s.projects, norm)
}

// Files lists the files of a project (any name form), oldest version first.
func (s *Server) Files(name string) []FileInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr, ok := s.projects[pypi.Normalize(name)]
	if !ok {
		return nil
	}
	out := make([]FileInfo, 0, len(pr.files))
	for _, f := range pr.files {
		out = append(out, FileInfo{
			Project: pr.norm, Version: f.version, Filename: f.filename, Kind: f.kind,
			Path: f.urlPath, URL: s.FilesURL + f.urlPath, SHA256: f.sha256, Blake2b256: f.blake2b,
			MetadataSHA256: f.metaSHA256, Size: int64(len(f.data)), Uploaded: f.uploaded,
		})
	}
	return out
}

// SetFault installs a fault for requests whose path is exactly path.
func (s *Server) SetFault(path string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = f
}

// ClearFault removes the fault for path.
func (s *Server) ClearFault(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, path)
}

// Requests returns how many requests were made for exactly path (no query).
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// TotalRequests returns the number of requests served so far.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ResetCounters zeroes the request counters.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.total = 0
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts[r.URL.Path]++
	s.total++
	fault, hasFault := s.faults[r.URL.Path]
	s.mu.Unlock()
	if hasFault && applyFault(w, r, fault, s.bomb) {
		return
	}
	rw := &responder{w: w, r: r, truncate: fault.Truncate, corrupt: fault.CorruptFile}
	p := r.URL.Path
	switch {
	case p == "/simple" || p == "/simple/":
		s.serveRoot(rw)
	case strings.HasPrefix(p, "/simple/"):
		s.serveSimple(rw, strings.TrimPrefix(p, "/simple/"))
	case strings.HasPrefix(p, "/pypi/"):
		s.serveJSONAPI(rw, strings.TrimPrefix(p, "/pypi/"))
	case strings.HasPrefix(p, "/packages/"):
		s.serveFile(rw, p)
	default:
		rw.text(http.StatusNotFound, "404 Not Found")
	}
}

// applyFault handles the faults that replace the response; it reports
// whether the response was fully handled.
func applyFault(w http.ResponseWriter, r *http.Request, f Fault, bomb func() []byte) bool {
	if f.Delay > 0 {
		timer := time.NewTimer(f.Delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return true
		}
	}
	switch {
	case f.ResetConnection:
		resetConnection(w)
		return true
	case f.GzipBomb:
		serveGzipBomb(w, r, f.GzipBombSize, bomb())
		return true
	case f.Body != nil:
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", fmt.Sprint(len(f.Body)))
		w.WriteHeader(status)
		_, _ = w.Write(f.Body)
		return true
	case f.Status != 0:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "%d %s (injected by pypitest)\n", f.Status, http.StatusText(f.Status))
		return true
	}
	return false
}

func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with RST
	}
	_ = conn.Close()
}

// newBombChunk returns one gzip member holding 1 MiB of zeros; gzip readers
// accept concatenated members, so repeating it yields an arbitrarily large
// bomb from a few kilobytes per mebibyte.
func newBombChunk() []byte {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // valid level: no error
	_, _ = gz.Write(make([]byte, 1<<20))                     // bytes.Buffer never fails
	_ = gz.Close()
	return buf.Bytes()
}

func serveGzipBomb(w http.ResponseWriter, r *http.Request, size int64, chunk []byte) {
	if size <= 0 {
		size = 1 << 30
	}
	ct := "application/octet-stream"
	switch {
	case strings.HasPrefix(r.URL.Path, "/simple/"):
		ct = pypi.MediaTypeJSON
	case strings.HasPrefix(r.URL.Path, "/pypi/"):
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(http.StatusOK)
	for written := int64(0); written < size; written += 1 << 20 {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// responder writes responses, applying the Truncate and CorruptFile faults.
type responder struct {
	w        http.ResponseWriter
	r        *http.Request
	truncate bool
	corrupt  bool
}

func (rw *responder) text(status int, body string) {
	rw.body(status, "text/plain; charset=utf-8", []byte(body))
}

// body writes a complete response with Content-Length and ETag handling.
func (rw *responder) body(status int, contentType string, body []byte) {
	h := rw.w.Header()
	h.Set("Content-Type", contentType)
	if status == http.StatusOK {
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:16]) + `"`
		h.Set("ETag", etag)
		if inm := rw.r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
			rw.w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	rw.w.WriteHeader(status)
	if rw.r.Method == http.MethodHead {
		return
	}
	if rw.truncate {
		rw.cut(body)
	}
	_, _ = rw.w.Write(body)
}

// cut sends the first half of body and aborts the connection.
func (rw *responder) cut(body []byte) {
	_, _ = rw.w.Write(body[:len(body)/2])
	if f, ok := rw.w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) serveFile(rw *responder, path string) {
	s.mu.Lock()
	f, ok := s.files[path]
	s.mu.Unlock()
	if !ok {
		rw.text(http.StatusNotFound, "404 Not Found")
		return
	}
	data, ct := f.data, "application/octet-stream"
	if strings.HasSuffix(path, ".metadata") {
		data, ct = f.metadata, "application/octet-stream"
	} else if rw.corrupt {
		data = f.corruptData
	}
	if rw.truncate {
		rw.w.Header().Set("Content-Type", ct)
		rw.w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		rw.w.WriteHeader(http.StatusOK)
		rw.cut(data)
		return
	}
	rw.w.Header().Set("Content-Type", ct)
	rw.w.Header().Set("ETag", `"`+f.sha256[:32]+`"`)
	http.ServeContent(rw.w, rw.r, "", f.uploaded, bytes.NewReader(data))
}

// sortedMap iterates a string map in key order.
func sortedMap(m map[string]string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}
