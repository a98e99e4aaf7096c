// Package npmtest is a fake npm registry for tests: an httptest server that
// answers like registry.npmjs.org (full and abbreviated packuments, ETags,
// gzip, real tarballs with correct integrity and signatures, ping, audit),
// counts requests per path and injects faults.
package npmtest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// CorgiType is the media type of abbreviated packuments.
const CorgiType = "application/vnd.npm.install-v1+json"

// Fault changes how the server answers requests to one path.
type Fault struct {
	// Status, when non-zero, replaces the status code (the body becomes
	// Body, or {"error":"<status text>"}).
	Status int
	// Delay waits before answering (abandoned if the client goes away).
	Delay time.Duration
	// Body replaces the response body.
	Body []byte
	// ResetConnection closes the TCP connection with a reset instead of
	// answering.
	ResetConnection bool
	// Truncate declares the full Content-Length but sends only half the body
	// before closing the connection.
	Truncate bool
	// GzipBomb answers 200 with Content-Encoding: gzip and a body that
	// inflates to BombSize bytes (default 1 GiB), compressed on the fly.
	GzipBomb bool
	BombSize int64
	// CorruptTarball flips one byte of a tarball so its integrity fails.
	CorruptTarball bool
	// Times limits the fault to the next Times matching requests; 0 means
	// until SetFault replaces or clears it.
	Times int
}

// Server is a running fake registry. The zero value is not usable; call
// NewServer.
type Server struct {
	// URL is the registry base URL (no trailing slash).
	URL string

	t   testing.TB
	srv *httptest.Server
	sg  *signer

	mu      sync.Mutex
	pkgs    map[string]*built
	faults  map[string]Fault
	counts  map[string]int
	total   int
	headers map[string]http.Header
	audits  [][]byte
}

// NewServer starts a fake registry serving pkgs; it is closed by t.Cleanup.
// Build errors fail the test.
func NewServer(t testing.TB, pkgs ...Package) *Server {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("npmtest: generate signing key: %v", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatalf("npmtest: marshal signing key: %v", err)
	}
	kid := sha256.Sum256(der)
	s := &Server{
		t: t,
		sg: &signer{
			key:   key,
			keyID: "SHA256:" + base64.RawStdEncoding.EncodeToString(kid[:]),
			pub:   base64.StdEncoding.EncodeToString(der),
		},
		pkgs:    map[string]*built{},
		faults:  map[string]Fault{},
		counts:  map[string]int{},
		headers: map[string]http.Header{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	for _, p := range pkgs {
		if err := s.setPackage(p); err != nil {
			t.Fatalf("npmtest: %v", err)
		}
	}
	return s
}

// Close stops the server (also done by t.Cleanup).
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// TarballHost is the server's host:port, for the proxy's allowed tarball
// hosts.
func (s *Server) TarballHost() string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return ""
	}
	return u.Host
}

// SetPackage adds or replaces a package. A package that cannot be rendered
// (only a caller-supplied Repository that JSON cannot encode can do that)
// fails the test.
func (s *Server) SetPackage(p Package) {
	if err := s.setPackage(p); err != nil {
		s.t.Errorf("npmtest: %v", err)
	}
}

func (s *Server) setPackage(p Package) error {
	b, err := build(p, s.URL, s.sg)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.pkgs[p.Name] = b
	s.mu.Unlock()
	return nil
}

// RemovePackage makes a package answer 404.
func (s *Server) RemovePackage(name string) {
	s.mu.Lock()
	delete(s.pkgs, name)
	s.mu.Unlock()
}

// SetFault installs a fault for a path in decoded form ("/@scope/name",
// "/name/-/name-1.0.0.tgz"); every spelling of a scoped path matches. The
// zero Fault clears it.
func (s *Server) SetFault(path string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Status == 0 && f.Delay == 0 && f.Body == nil && !f.ResetConnection && !f.Truncate && !f.GzipBomb && !f.CorruptTarball {
		delete(s.faults, path)
		return
	}
	s.faults[path] = f
}

// Requests counts requests to a path in decoded form ("/@scope/name" counts
// "/@scope%2fname", "/@scope%2Fname" and "/@scope/name").
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// RequestsMatching counts requests whose decoded path starts with prefix.
func (s *Server) RequestsMatching(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.counts {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// TotalRequests counts every request the server received.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// LastHeader returns a copy of the headers of the latest request to a path
// (decoded form), or nil.
func (s *Server) LastHeader(path string) http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers[path].Clone()
}

// AuditRequests returns the (gunzipped) bodies posted to the bulk advisory
// endpoint, in order.
func (s *Server) AuditRequests() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(s.audits))
	copy(out, s.audits)
	return out
}

// TarballURL is the absolute URL the server's packuments give for a tarball.
func (s *Server) TarballURL(name, version string) string { return s.URL + tarballPath(name, version) }

// Tarball returns the bytes served for name@version and their integrity and
// shasum; ok is false for an unknown version.
func (s *Server) Tarball(name, version string) (tgz []byte, integrity, shasum string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.pkgs[name]
	if b == nil {
		return nil, "", "", false
	}
	tgz, ok = b.tarballs[bareName(name)+"-"+version+".tgz"]
	sums := b.sums[version]
	return tgz, sums[0], sums[1], ok
}

// Packument returns the document the server sends for name (full or
// abbreviated), or nil.
func (s *Server) Packument(name string, abbreviated bool) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.pkgs[name]
	if b == nil {
		return nil
	}
	if abbreviated {
		return b.corgi
	}
	return b.full
}

// response is what the server would send before faults apply.
type response struct {
	status  int
	header  http.Header
	body    []byte
	tarball bool
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	s.mu.Lock()
	s.total++
	s.counts[path]++
	s.headers[path] = r.Header.Clone()
	f, faulty := s.faults[path]
	if faulty && f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			delete(s.faults, path)
		} else {
			s.faults[path] = f
		}
	}
	s.mu.Unlock()

	if faulty && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if faulty && f.ResetConnection {
		resetConnection(w)
		return
	}
	resp := s.resolve(r)
	if faulty {
		applyFault(&resp, f)
		if f.GzipBomb {
			serveBomb(r.Context(), w, f.BombSize)
			return
		}
		if f.Truncate {
			truncate(w, resp)
			return
		}
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	if resp.body != nil {
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	}
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.body)
	}
}

func applyFault(resp *response, f Fault) {
	if f.CorruptTarball && resp.tarball && len(resp.body) > 0 {
		c := bytes.Clone(resp.body)
		c[len(c)/2] ^= 0xff
		resp.body = c
	}
	if f.Status != 0 {
		resp.status = f.Status
		resp.header = http.Header{"Content-Type": {"application/json"}}
		resp.body = []byte(fmt.Sprintf(`{"error":%q}`, http.StatusText(f.Status)))
	}
	if f.Body != nil {
		resp.body = f.Body
		resp.header.Del("Content-Encoding")
		resp.header.Del("ETag")
	}
}

func jsonResponse(status int, body string) response {
	return response{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(body)}
}

func (s *Server) resolve(r *http.Request) response {
	path := r.URL.Path
	switch {
	case path == "/-/ping":
		return jsonResponse(http.StatusOK, "{}")
	case path == "/-/npm/v1/keys":
		k, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
			"expires": nil, "keyid": s.sg.keyID, "keytype": "ecdsa-sha2-nistp256",
			"scheme": "ecdsa-sha2-nistp256", "key": s.sg.pub,
		}}})
		return jsonResponse(http.StatusOK, string(k))
	case path == "/-/npm/v1/security/advisories/bulk":
		if r.Method != http.MethodPost {
			return jsonResponse(http.StatusMethodNotAllowed, `{"error":"method not allowed"}`)
		}
		return s.audit(r)
	case strings.HasPrefix(path, "/-/"):
		return jsonResponse(http.StatusNotFound, `{"error":"Not found"}`)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return jsonResponse(http.StatusMethodNotAllowed, `{"error":"method not allowed"}`)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if name, file, ok := strings.Cut(path[1:], "/-/"); ok {
		b := s.pkgs[name]
		if b == nil || b.tarballs[file] == nil {
			return jsonResponse(http.StatusNotFound, `{"error":"Not found"}`)
		}
		return response{status: http.StatusOK, tarball: true, body: b.tarballs[file],
			header: http.Header{"Content-Type": {"application/octet-stream"}}}
	}
	name := path[1:]
	if b := s.pkgs[name]; b != nil {
		return packument(r, b)
	}
	if i := strings.LastIndexByte(name, '/'); i > 0 {
		if b := s.pkgs[name[:i]]; b != nil {
			v := name[i+1:]
			if t, ok := b.tags[v]; ok {
				v = t
			}
			if m := b.manifests[v]; m != nil {
				return jsonResponse(http.StatusOK, string(m))
			}
		}
	}
	return jsonResponse(http.StatusNotFound, `{"error":"Not found"}`)
}

func packument(r *http.Request, b *built) response {
	body, ctype := b.full, "application/json"
	if strings.Contains(r.Header.Get("Accept"), CorgiType) {
		body, ctype = b.corgi, CorgiType
	}
	sum := sha256.Sum256(body)
	etag := fmt.Sprintf(`"%x"`, sum[:12])
	h := http.Header{
		"Content-Type":  {ctype},
		"Etag":          {etag},
		"Cache-Control": {"public, max-age=300"},
		"Vary":          {"Accept, Accept-Encoding"},
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == etag || inm == "W/"+etag || inm == "*") {
		return response{status: http.StatusNotModified, header: h}
	}
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		_, _ = gz.Write(body) // writes to a bytes.Buffer do not fail
		_ = gz.Close()
		body = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	return response{status: http.StatusOK, header: h, body: body}
}

func (s *Server) audit(r *http.Request) response {
	var rd io.Reader = http.MaxBytesReader(nil, r.Body, 16<<20)
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(rd)
		if err != nil {
			return jsonResponse(http.StatusBadRequest, `{"error":"bad gzip body"}`)
		}
		defer gz.Close()
		rd = io.LimitReader(gz, 16<<20)
	}
	body, err := io.ReadAll(rd)
	if err != nil {
		return jsonResponse(http.StatusBadRequest, `{"error":"bad body"}`)
	}
	s.mu.Lock()
	s.audits = append(s.audits, body)
	s.mu.Unlock()
	return jsonResponse(http.StatusOK, "{}")
}

func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// truncate writes the response head with the full Content-Length, half the
// body, and closes the connection.
func truncate(w http.ResponseWriter, resp response) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	writeHead(buf, resp.status, resp.header, len(resp.body))
	_, _ = buf.Write(resp.body[:len(resp.body)/2])
	_ = buf.Flush()
}

func writeHead(buf *bufio.ReadWriter, status int, h http.Header, length int) {
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	h = h.Clone()
	h.Set("Content-Length", strconv.Itoa(length))
	h.Set("Connection", "close")
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
}

// serveBomb streams a gzip body that inflates to size bytes of JSON-ish
// padding until done or the client stops reading.
func serveBomb(ctx context.Context, w http.ResponseWriter, size int64) {
	if size <= 0 {
		size = 1 << 30
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(http.StatusOK)
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return
	}
	chunk := bytes.Repeat([]byte{' '}, 64<<10)
	if _, err := gz.Write([]byte(`{"name":"bomb","pad":"`)); err != nil {
		return
	}
	for written := int64(0); written < size && ctx.Err() == nil; written += int64(len(chunk)) {
		if _, err := gz.Write(chunk); err != nil {
			return
		}
	}
	_ = gz.Close()
}
