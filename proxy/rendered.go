package proxy

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/rendercache"
)

// renderedMeta is what a rendered entry needs to answer a hit besides its
// bytes: the decision to audit, as a cold request records it.
type renderedMeta struct {
	decision policy.Decision
	route    string
	extra    []policy.Finding
}

// judgedFacts are a package's facts (metadata reduced, signals included)
// after a full judgement found it servable: warm tarball and file requests
// judge their one artifact against them instead of loading and judging the
// whole package again.
type judgedFacts struct {
	npm  *npmState
	pypi *pypiState
}

// Representations of a package the rendered cache keeps apart.
const (
	reprNPMFull    = "npm-full"
	reprNPMCorgi   = "npm-corgi"
	reprPyPISimple = "pypi-simple"
	reprPyPIJSON   = "pypi-json"
	reprJudged     = "judged"
)

// renderKey names one rendered representation: what it is, the base URL
// its file links point at, the package, and a detail (negotiated media
// type, version).
func renderKey(repr, base, name, detail string) string {
	return repr + "\x00" + base + "\x00" + name + "\x00" + detail
}

// judgedKey names a package's judged facts.
func judgedKey(eco policy.Ecosystem, name string) string {
	return renderKey(reprJudged, "", string(eco)+":"+name, "")
}

// renderGeneration is the rendered cache's generation, read before a
// judgement starts: an entry is kept only if no change arrived meanwhile.
func (s *Server) renderGeneration() uint64 {
	if s.opts.Rendered == nil {
		return 0
	}
	return s.opts.Rendered.Generation()
}

// renderedFresh brings the change sources up to date (Options.RenderedFreshen)
// and reports whether rendered entries may be used now.
func (s *Server) renderedFresh(ctx context.Context) bool {
	if s.opts.Rendered == nil {
		return false
	}
	if s.opts.RenderedFreshen != nil {
		if err := s.opts.RenderedFreshen(ctx); err != nil {
			s.log.DebugContext(ctx, "rendered cache: change sources unreadable; judging afresh", "error", err)
			return false
		}
	}
	return true
}

// serveRendered answers a metadata request from the rendered cache and
// reports whether it did: no document is parsed and nothing is judged, the
// decision the entry was made with is audited again.
func (s *Server) serveRendered(c echo.Context, key string) bool {
	r := c.Request()
	if !s.renderedFresh(r.Context()) {
		return false
	}
	e, ok := s.opts.Rendered.Get(key, s.timeNow())
	if !ok {
		return false
	}
	m, _ := e.Meta.(*renderedMeta)
	if m == nil {
		return false
	}
	err := e.Serve(c.Response(), r, acceptsGzip(r.Header.Get("Accept-Encoding")))
	if errors.Is(err, rendercache.ErrGone) {
		s.opts.Rendered.Delete(key)
		return false
	}
	s.record(r, m.decision, m.route, m.extra...)
	if err != nil {
		s.log.DebugContext(r.Context(), "rendered response not completed", "error", err)
	}
	return true
}

// newRender starts rendering a response; cacheable says the result may be
// kept (then the gzip copy is always built, else only when the client
// takes gzip).
func (s *Server) newRender(r *http.Request, cacheable bool) *rendercache.Builder {
	withGzip := cacheable || acceptsGzip(r.Header.Get("Accept-Encoding"))
	if s.opts.Rendered != nil {
		return s.opts.Rendered.NewBuilder(withGzip)
	}
	return rendercache.NewBuilder(rendercache.BuilderOptions{Gzip: withGzip})
}

// serveRender serves a freshly rendered entry, then keeps it when it may be
// (cacheable, made in generation gen, valid until expires) or discards it.
func (s *Server) serveRender(c echo.Context, key string, e *rendercache.Entry, gen uint64, cacheable bool, expires time.Time) error {
	r := c.Request()
	err := e.Serve(c.Response(), r, acceptsGzip(r.Header.Get("Accept-Encoding")))
	if err != nil {
		s.log.DebugContext(r.Context(), "rendered response not completed", "error", err)
	}
	if !cacheable || s.opts.Rendered == nil || !s.opts.Rendered.Put(key, e, gen, s.timeNow(), expires) {
		e.Discard()
	}
	if errors.Is(err, rendercache.ErrGone) {
		return err
	}
	return nil
}

// renderExpiry is when a rendered entry made at now from metadata fetched
// at the given instants stops being valid: the first metadata expiry, or
// the first instant a decision on pkg changes by itself (a cooldown ends,
// a list entry expires), whichever comes first. ok is false when the entry
// must not be kept.
func (s *Server) renderExpiry(ctx context.Context, pkg *policy.Package, now time.Time, fetched ...time.Time) (time.Time, bool) {
	if s.opts.Rendered == nil {
		return time.Time{}, false
	}
	var exp time.Time
	for _, f := range fetched {
		if t := f.Add(s.opts.Cache.TTL()); exp.IsZero() || t.Before(exp) {
			exp = t
		}
	}
	next, err := s.opts.Engine.NextChange(ctx, pkg, now)
	if err != nil {
		s.log.DebugContext(ctx, "rendered cache: next decision change unknown; not kept", "error", err)
		return time.Time{}, false
	}
	if !next.IsZero() && next.Before(exp) {
		exp = next
	}
	return exp, exp.After(now)
}

// metaExpiry is when judged facts from metadata fetched at the given
// instants stop being valid: the first metadata expiry (warm artifacts
// are judged against them at request time, so the clock needs no care).
func (s *Server) metaExpiry(fetched ...time.Time) time.Time {
	var exp time.Time
	for _, f := range fetched {
		if t := f.Add(s.opts.Cache.TTL()); exp.IsZero() || t.Before(exp) {
			exp = t
		}
	}
	return exp
}

// keepJudged keeps a package's judged facts for warm artifact requests.
func (s *Server) keepJudged(eco policy.Ecosystem, name string, jf *judgedFacts, gen uint64, cost int64, expires time.Time) {
	if s.opts.Rendered == nil {
		return
	}
	s.opts.Rendered.Put(judgedKey(eco, name), rendercache.NewMetaEntry(jf, cost), gen, s.timeNow(), expires)
}

// cachedJudgement returns a package's judged facts when a valid entry
// exists.
func (s *Server) cachedJudgement(ctx context.Context, eco policy.Ecosystem, name string) (*judgedFacts, bool) {
	if !s.renderedFresh(ctx) {
		return nil, false
	}
	e, ok := s.opts.Rendered.Get(judgedKey(eco, name), s.timeNow())
	if !ok {
		return nil, false
	}
	jf, ok := e.Meta.(*judgedFacts)
	return jf, ok && jf != nil
}

// InvalidateRendered starts a new generation of the rendered cache: every
// rendered response and judged package is judged afresh on its next
// request. Call it when something judgement depends on changed outside the
// sources wired to the cache.
func (s *Server) InvalidateRendered() {
	if s.opts.Rendered != nil {
		s.opts.Rendered.Bump()
	}
}

// Judgements is how many full package judgements (the package and every
// release or file) the server has made: warm hits of the rendered cache
// make none.
func (s *Server) Judgements() uint64 { return s.judgements.Load() }
