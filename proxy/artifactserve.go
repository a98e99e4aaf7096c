package proxy

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
)

// staleWarning marks an answer given from cache while upstream is failing.
const staleWarning = `110 vigil-proxy "served from cache: upstream unavailable"`

// serveCachedArtifact answers from the artifact cache (Range, HEAD and
// conditional requests included) and reports whether it did. A miss, or a
// file that failed its size check, returns false: it is fetched again.
func (s *Server) serveCachedArtifact(w http.ResponseWriter, r *http.Request, a artifact) bool {
	e, err := s.opts.Artifacts.Open(r.Context(), *a.cacheKey)
	if err != nil {
		if !errors.Is(err, artifactcache.ErrNotFound) {
			s.log.WarnContext(r.Context(), "artifact cache: read failed; fetching upstream", "error", err)
		}
		return false
	}
	defer e.Close()
	h := w.Header()
	ct := a.contentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("ETag", `"`+a.cacheKey.String()+`"`)
	h.Set("X-Vigil-Cache", "hit")
	if a.stale || s.offline.Load() {
		h.Set("Warning", staleWarning)
	}
	http.ServeContent(w, r, "", e.ModTime, e.File)
	return true
}

// cacheFill stores a download in the artifact cache as it streams: every
// byte the verifier hashes is also written to the cache, and the file is
// committed when the verifier has accepted the whole stream — before its
// last bytes go to the client, so the next request finds it. Anything else
// (a mismatch, a failed read, a failed cache write) leaves nothing behind.
type cacheFill struct {
	digestVerifier
	w      artifactcache.Writer
	ctx    context.Context
	log    *slog.Logger
	failed bool
	done   bool
}

func (f *cacheFill) Write(p []byte) (int, error) {
	if !f.failed {
		if _, err := f.w.Write(p); err != nil {
			f.failed = true
		}
	}
	return f.digestVerifier.Write(p)
}

func (f *cacheFill) Verify() error {
	err := f.digestVerifier.Verify()
	if err != nil || f.failed {
		f.abort()
		return err
	}
	f.done = true
	if cerr := f.w.Commit(); cerr != nil {
		f.log.WarnContext(f.ctx, "artifact cache: file not stored", "error", cerr)
	}
	return nil
}

// abort discards the file unless it was committed; safe to call twice.
func (f *cacheFill) abort() {
	if !f.done {
		f.done = true
		f.w.Abort()
	}
}

// refuseOffline answers a request that needs upstream while
// upstream.offline is set.
func (s *Server) refuseOffline(w http.ResponseWriter, r *http.Request, eco policy.Ecosystem, what string) error {
	reason := what + " and the proxy runs offline (upstream.offline), so upstream is not asked; only cached content is served"
	s.log.InfoContext(r.Context(), "offline miss", "ecosystem", eco, "reason", what)
	if eco == policy.NPM {
		return writeRefusal(w, r, npmRefusal(http.StatusServiceUnavailable, reason, "offline"))
	}
	return writeRefusal(w, r, pypiRefusal(http.StatusServiceUnavailable, reason, "offline"))
}

// npmCacheKey is the artifact cache key from a version's dist.integrity:
// its strongest SHA-2 hash. Legacy versions with only a sha1 are not
// cached.
func npmCacheKey(integrity string) *artifactcache.Key {
	var best *artifactcache.Key
	rank := map[string]int{"sha256": 1, "sha384": 2, "sha512": 3}
	for _, tok := range strings.Fields(integrity) {
		alg, b64, ok := strings.Cut(tok, "-")
		if !ok || rank[alg] == 0 || best != nil && rank[alg] <= rank[best.Algorithm] {
			continue
		}
		b64, _, _ = strings.Cut(b64, "?")
		sum, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		if k, err := artifactcache.NewKey(alg, sum); err == nil {
			best = &k
		}
	}
	return best
}

// sha256CacheKey is the artifact cache key from a hex sha256 (PyPI).
func sha256CacheKey(hexDigest string) *artifactcache.Key {
	sum, err := hex.DecodeString(strings.ToLower(hexDigest))
	if err != nil {
		return nil
	}
	k, err := artifactcache.NewKey("sha256", sum)
	if err != nil {
		return nil
	}
	return &k
}

// offlineMiss is the error for metadata that would need upstream while
// upstream.offline is set: a 503 naming the setting (a cached copy within
// cache.ttl + cache.grace is served instead when there is one).
func offlineMiss(host string) error {
	return &publicError{status: http.StatusServiceUnavailable,
		msg: "vigil-proxy: runs offline (upstream.offline) and has no cached copy of this document from " + host + "; only cached content is served"}
}
