package proxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
)

// artifact is a file the proxy may stream to a client: where it lives
// upstream and what its bytes must hash to.
type artifact struct {
	ecosystem   policy.Ecosystem
	upstreamURL string
	// verifier checks the bytes of a complete (non-range) download; nil
	// when the document gave no digest.
	verifier func() digestVerifier
	// noDigest, when verifier is nil, refuses the download with this
	// reason; empty serves it unverified (AllowMissingDigest).
	noDigest    string
	contentType string
	header      http.Header // extra upstream request headers (auth for chained registries)
	// cacheKey names the file in the artifact cache by its declared
	// digest; nil when it has none strong enough (then it is not cached).
	cacheKey *artifactcache.Key
	// stale says the package's metadata was served from cache because
	// upstream failed: a cached file is answered with a Warning.
	stale bool
}

// digestVerifier hashes streamed bytes and says whether they match.
type digestVerifier interface {
	io.Writer
	Verify() error
}

// sha256Verifier checks a hex SHA-256 digest (PyPI).
type sha256Verifier struct {
	h    hash.Hash
	want string
}

func newSHA256Verifier(hexDigest string) digestVerifier {
	return &sha256Verifier{h: sha256.New(), want: strings.ToLower(hexDigest)}
}

func (v *sha256Verifier) Write(p []byte) (int, error) { return v.h.Write(p) }

func (v *sha256Verifier) Verify() error {
	got := hex.EncodeToString(v.h.Sum(nil))
	if got != v.want {
		return fmt.Errorf("sha256 mismatch: upstream sent %s, index says %s", got, v.want)
	}
	return nil
}

// holdBack is how many bytes are kept from the client until the digest has
// been checked: a mismatch is detected before the last bytes leave, so the
// client receives a truncated body and rejects it.
const holdBack = 64 << 10

// streamArtifact proxies one file from upstream to the client, unchanged:
// never recompressed, HEAD and Range passed through, the digest verified on
// complete downloads. It returns an error only before anything was written.
func (s *Server) streamArtifact(w http.ResponseWriter, r *http.Request, a artifact) error {
	u, err := url.Parse(a.upstreamURL)
	if err != nil {
		return fmt.Errorf("%w: file URL in upstream document: %v", policy.ErrUpstream, err)
	}
	if !s.artifactHostAllowed(a.ecosystem, u) {
		s.log.WarnContext(r.Context(), "refused artifact on a host that is not allowed",
			"ecosystem", a.ecosystem, "host", u.Host)
		where := u.Host
		if u.Scheme != "http" && u.Scheme != "https" {
			where = fmt.Sprintf("a %s:// URL, and only http and https files are fetched", u.Scheme)
		}
		return fmt.Errorf("%w: %s; allowed file hosts are configured with %s", policy.ErrForbiddenHost, where, hostsSetting(a.ecosystem))
	}
	if a.verifier == nil && a.noDigest != "" && r.Method != http.MethodHead {
		return s.refuseArtifact(w, r, a.ecosystem, a.noDigest, "no digest")
	}
	cacheable := s.opts.Artifacts != nil && a.cacheKey != nil && a.verifier != nil
	if cacheable && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		if served := s.serveCachedArtifact(w, r, a); served {
			return nil
		}
	}
	if s.offline.Load() {
		return s.refuseOffline(w, r, a.ecosystem, "the file is not in the artifact cache")
	}
	clientRange := r.Header.Get("Range") != ""
	hdr := http.Header{}
	for _, k := range []string{"Range", "If-Range", "If-None-Match", "If-Modified-Since"} {
		if v := r.Header.Get(k); v != "" {
			hdr.Set(k, v)
		}
	}
	for k, vs := range a.header {
		hdr[k] = vs
	}
	method := r.Method
	resp, err := s.opts.Upstream.Open(r.Context(), u.String(), hdr)
	s.health.observe(r.Context(), u.Host, err)
	if err != nil && r.Context().Err() != nil {
		s.log.DebugContext(r.Context(), "artifact request cancelled by the client", "ecosystem", a.ecosystem, "url", redactURL(u))
		return fmt.Errorf("artifact request: %w", context.Canceled)
	}
	if err != nil {
		if isOutage(err) {
			return &upstreamFailure{host: u.Host, err: err}
		}
		return err
	}
	defer resp.Body.Close()

	out := w.Header()
	for _, k := range []string{"Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified", "Content-Encoding"} {
		if v := resp.Header.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	ct := a.contentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	out.Set("Content-Type", ct)
	if out.Get("Accept-Ranges") == "" {
		out.Set("Accept-Ranges", "bytes")
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 && resp.StatusCode != http.StatusOK && !clientRange {
		// Only a complete 200 body can be verified: a partial answer to a
		// plain GET (206) would otherwise be served unchecked.
		for _, k := range []string{"Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified", "Content-Encoding", "Content-Type"} {
			out.Del(k)
		}
		return s.refuseArtifact(w, r, a.ecosystem, fmt.Sprintf("the upstream file host answered with %d instead of the whole file, which cannot be verified; nothing was served", resp.StatusCode), "partial upstream response")
	}
	if method == http.MethodHead || resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		w.WriteHeader(resp.StatusCode)
		return nil
	}
	var v digestVerifier
	var fill *cacheFill
	if resp.StatusCode == http.StatusOK && a.verifier != nil {
		v = a.verifier()
		if cacheable {
			if cw, err := s.opts.Artifacts.Create(r.Context(), *a.cacheKey); err != nil {
				s.log.WarnContext(r.Context(), "artifact cache: cannot store file", "error", err)
			} else {
				fill = &cacheFill{digestVerifier: v, w: cw, ctx: r.Context(), log: s.log}
				v = fill
			}
		}
	}
	if resp.StatusCode == http.StatusPartialContent {
		// The client's own Range request: a byte range cannot be checked
		// against a whole-file digest. Passed through when the file is not
		// in the artifact cache (a cached file's ranges come from the
		// verified copy).
		s.log.WarnContext(r.Context(), "byte range served unverified (client Range request)", "ecosystem", a.ecosystem,
			"url", redactURL(u), "range", r.Header.Get("Range"))
	}
	lw := &lazyHeader{w: w, status: resp.StatusCode}
	err = copyVerified(lw, resp.Body, v)
	if fill != nil {
		fill.abort() // a download that never reached Verify (read error)
	}
	if err != nil && r.Context().Err() != nil {
		// The client went away: a cancelled request, not an upstream
		// failure, and there is no one left to answer.
		s.log.DebugContext(r.Context(), "artifact download cancelled by the client",
			"ecosystem", a.ecosystem, "url", redactURL(u), "error", err)
		if !lw.wrote {
			return fmt.Errorf("artifact download: %w", context.Canceled)
		}
		return nil
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "artifact download aborted",
			"ecosystem", a.ecosystem, "url", redactURL(u), "error", err)
		if !lw.wrote {
			// Nothing left yet (small file, held back whole): refuse
			// with a reason instead of a cut connection.
			for _, k := range []string{"Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified", "Content-Encoding", "Content-Type"} {
				out.Del(k)
			}
			if !errors.Is(err, errDigestMismatch) {
				reason := "the upstream connection closed before the file was complete; nothing was served, try again"
				if a.ecosystem == policy.NPM {
					return writeRefusal(w, r, npmRefusal(http.StatusBadGateway, reason, "upstream truncated"))
				}
				return writeRefusal(w, r, pypiRefusal(http.StatusBadGateway, reason, "upstream truncated"))
			}
			reason := "the upstream file failed its integrity check and was not served"
			if a.ecosystem == policy.NPM {
				return writeRefusal(w, r, npmRefusal(http.StatusBadGateway, reason, "dist.integrity mismatch"))
			}
			return writeRefusal(w, r, pypiRefusal(http.StatusBadGateway, reason, "sha256 mismatch"))
		}
		abortResponse(w)
		return nil
	}
	if !lw.wrote { // an empty body
		w.WriteHeader(resp.StatusCode)
	}
	return nil
}

// refuseArtifact writes an explained 502 for a file that cannot be served
// verified.
func (s *Server) refuseArtifact(w http.ResponseWriter, r *http.Request, eco policy.Ecosystem, reason, detail string) error {
	s.log.WarnContext(r.Context(), "artifact refused", "ecosystem", eco, "reason", reason)
	if eco == policy.NPM {
		return writeRefusal(w, r, npmRefusal(http.StatusBadGateway, reason, detail))
	}
	return writeRefusal(w, r, pypiRefusal(http.StatusBadGateway, reason, detail))
}

// lazyHeader sends the status line with the first body byte, so a failure
// found before then can still become a proper error response.
type lazyHeader struct {
	w      http.ResponseWriter
	status int
	wrote  bool
}

func (l *lazyHeader) Write(p []byte) (int, error) {
	if !l.wrote {
		l.wrote = true
		l.w.WriteHeader(l.status)
	}
	return l.w.Write(p)
}

// errDigestMismatch marks a download whose bytes do not match the digest
// from the index (as opposed to one that failed to arrive).
var errDigestMismatch = errors.New("digest mismatch")

// copyVerified copies src to w, holding back the last bytes until v (if
// any) has verified the whole stream.
func copyVerified(w io.Writer, src io.Reader, v digestVerifier) error {
	if v == nil {
		_, err := io.Copy(w, src)
		return err
	}
	buf := make([]byte, 32<<10)
	var pending []byte
	for {
		n, err := src.Read(buf)
		if n > 0 {
			v.Write(buf[:n])
			pending = append(pending, buf[:n]...)
			if len(pending) > holdBack {
				cut := len(pending) - holdBack
				if _, werr := w.Write(pending[:cut]); werr != nil {
					return werr
				}
				pending = append(pending[:0], pending[cut:]...)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read upstream: %w", err)
		}
	}
	if err := v.Verify(); err != nil {
		return fmt.Errorf("%w: %w", errDigestMismatch, err)
	}
	_, err := w.Write(pending)
	return err
}

// abortResponse cuts the connection mid-body so the client sees a
// truncated download instead of bad bytes.
func abortResponse(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	return c.String()
}

func hostsSetting(eco policy.Ecosystem) string {
	if eco == policy.NPM {
		return "VIGIL_NPM_TARBALL_HOSTS"
	}
	return "VIGIL_PYPI_FILE_HOSTS"
}

// detached returns a context for work that must finish even when the client
// hangs up (cache fills, audit writes).
func detached(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
