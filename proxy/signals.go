package proxy

import (
	"context"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// pendingSignals is the network part of a package's signals (the download
// count, and the look-alike's document for the same-repository check),
// started as soon as the package name is known so that it runs beside the
// packument fetch instead of after it: on a cold miss the two waits overlap.
type pendingSignals struct {
	name string // the name the download count was asked for
	done chan struct{}
	sig  policy.Signals // valid once done is closed
}

// startSignals starts the network lookups for name's signals and returns
// at once; nil when there is nothing to look up. The look-alike's document
// is loaded only to warm the cache (sameRepository reads it from there, or
// joins the fetch still running); both go through the same upstream client
// and popularity sources as any other request, so they share their budgets.
func (s *Server) startSignals(ctx context.Context, eco policy.Ecosystem, name string) *pendingSignals {
	if s.opts.Lookalike != nil {
		if target, ok := s.opts.Lookalike(eco, name); ok && target != name {
			go s.prefetchDocument(ctx, eco, target)
		}
	}
	if s.opts.Signals == nil {
		return nil
	}
	p := &pendingSignals{name: name, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.sig = s.opts.Signals.Signals(ctx, eco, name)
	}()
	return p
}

// prefetchDocument loads a package's registry document into the metadata
// cache and forgets the result (errors included: the caller that needs the
// document meets them again).
func (s *Server) prefetchDocument(ctx context.Context, eco policy.Ecosystem, name string) {
	switch eco {
	case policy.PyPI:
		_, _ = s.pypiLoad(ctx, name)
	case policy.NPM:
		_, _ = s.npmLoad(ctx, name)
	}
}

// signalsFor returns the download signals for pkg: from p when it looked up
// the same name (waiting for it as long as ctx allows), else asked now.
// A request that ends first gets "unknown", as a slow source would.
func (s *Server) signalsFor(ctx context.Context, pkg *policy.Package, p *pendingSignals) policy.Signals {
	if p == nil || p.name != pkg.Name {
		if s.opts.Signals == nil {
			return policy.Signals{WeeklyDownloads: -1}
		}
		return s.opts.Signals.Signals(ctx, pkg.Ecosystem, pkg.Name)
	}
	select {
	case <-p.done:
		return p.sig
	case <-ctx.Done():
		return policy.Signals{WeeklyDownloads: -1}
	}
}
