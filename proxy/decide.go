package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// addSignals fills pkg.Signals from the popularity source and the
// hallucination watchlist. requested is the name as the client asked for
// it: the watchlist is keyed by it (see watchName), not by pkg.Name.
func (s *Server) addSignals(ctx context.Context, pkg *policy.Package, requested string) {
	s.addSignalsFrom(ctx, pkg, requested, nil)
}

// addSignalsFrom is addSignals taking the download count from lookups
// started earlier (startSignals; nil: ask now).
func (s *Server) addSignalsFrom(ctx context.Context, pkg *policy.Package, requested string, pending *pendingSignals) {
	pkg.Signals = s.signalsFor(ctx, pkg, pending)
	if pkg.Exists {
		pkg.Signals.SameRepository = s.sameRepository(ctx, pkg)
	}
	if s.opts.Watch == nil || !pkg.Exists {
		return
	}
	wname := watchName(pkg.Ecosystem, requested)
	w, err := s.watched(ctx, pkg.Ecosystem, wname)
	if err != nil {
		return
	}
	if !pkg.Created.IsZero() && !pkg.Created.After(w.FirstSeen) {
		// The package already existed when the name was first refused, so
		// it is no hallucination that somebody registered later (an entry
		// from a release that folded names, or a mistaken 404): forget it.
		s.forgetWatched(ctx, pkg, w)
		return
	}
	pkg.Signals.Watchlisted = &policy.WatchFact{FirstSeen: w.FirstSeen, LastSeen: w.LastSeen, Count: w.Count}
	if watchDetailHidden(ctx) {
		pkg.Signals.Watchlisted = &policy.WatchFact{} // the anonymous check API: no dates, no counts
	}
	if w.Appeared.IsZero() {
		if err := s.opts.Watch.MarkAppeared(detached(ctx), pkg.Ecosystem, wname, s.timeNow()); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.watchFailed.failed(ctx, s.log, watchUpdate, "watchlist update failed", s.now(), err, "ecosystem", pkg.Ecosystem, "package", wname)
		} else {
			s.watchFailed.succeeded(ctx, s.log, watchUpdate, s.now())
		}
		s.log.WarnContext(ctx, "watchlisted name appeared upstream", "ecosystem", pkg.Ecosystem, "package", wname, "first_seen", w.FirstSeen)
	}
}

// watched looks a name up on the watchlist. A failure other than
// store.ErrNotFound is logged when it starts or changes, then every 30 s
// while it lasts, not once per request; the first answer after failures
// logs the recovery.
func (s *Server) watched(ctx context.Context, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	w, err := s.opts.Watch.Watched(ctx, eco, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.watchFailed.failed(ctx, s.log, watchLookup, "watchlist lookup failed", s.now(), err, "ecosystem", eco, "package", name)
		return w, err
	}
	s.watchFailed.succeeded(ctx, s.log, watchLookup, s.now())
	return w, err
}

// watchName is the watchlist's key for a requested name: npm names exactly
// as requested (npm names are case-sensitive and legacy mixed-case packages
// such as JSONStream exist), PyPI names in PEP 503 form (PyPI folds them
// the same way). Other indexes fold npm names to lower case; the watchlist
// must not, or a request for `LoDash` would watch `lodash`.
func watchName(eco policy.Ecosystem, requested string) string {
	if eco == policy.PyPI {
		return pypi.Normalize(requested)
	}
	return requested
}

// VerifyWatchlist is the watchlist's upgrade step, run once at start-up:
// every entry whose name now exists upstream is checked against the
// package's creation time, and entries that the current rule would not
// have written (the package existed when the name was first refused, e.g.
// written by a release that folded npm names to lower case) are cleared,
// each with an audit event. It returns how many it cleared.
func (s *Server) VerifyWatchlist(ctx context.Context) (int, error) {
	if s.opts.Watch == nil {
		return 0, nil
	}
	wl, err := s.opts.Watch.Watchlist(ctx)
	if err != nil {
		return 0, fmt.Errorf("verify watchlist: %w", err)
	}
	cleared := 0
	for _, w := range wl {
		if w.Appeared.IsZero() {
			continue // still missing upstream: nothing to disprove
		}
		var pkg *policy.Package
		switch w.Ecosystem {
		case policy.PyPI:
			if st, err := s.pypiLoad(ctx, w.Name); err == nil {
				pkg = st.pkg
			}
		case policy.NPM:
			if st, err := s.npmLoad(ctx, w.Name); err == nil {
				pkg = st.pkg
			}
		}
		if ctx.Err() != nil {
			return cleared, ctx.Err()
		}
		if pkg != nil && !pkg.Created.IsZero() && !pkg.Created.After(w.FirstSeen) {
			s.forgetWatched(ctx, pkg, w)
			cleared++
		}
	}
	return cleared, nil
}

// forgetWatched removes a watchlist entry the package's own creation time
// disproves, and records that in the audit trail: in the same transaction
// when the watchlist is a store.ChangeStore (both stores are), else through
// the audit recorder after the removal.
func (s *Server) forgetWatched(ctx context.Context, pkg *policy.Package, w store.WatchEntry) {
	before, _ := json.Marshal(w)
	ev := store.Event{Time: s.timeNow(), Kind: store.KindAdmin, Actor: "vigil-proxy", Action: "watchlist.clear",
		Target: string(w.Ecosystem) + ":" + w.Name, Before: before,
		Reason: fmt.Sprintf("%s was created upstream on %s, before it was first refused on %s: not a hallucination",
			w.Name, pkg.Created.UTC().Format(time.DateOnly), w.FirstSeen.UTC().Format(time.DateOnly))}
	wctx := detached(ctx)
	var err error
	if cs, ok := s.opts.Watch.(store.ChangeStore); ok {
		err = cs.Update(wctx, func(tx store.Tx) error {
			if _, err := tx.ForgetWatched(wctx, w.Ecosystem, w.Name); err != nil {
				return err
			}
			return tx.RecordEvents(wctx, ev)
		})
	} else if _, err = s.opts.Watch.ForgetWatched(wctx, w.Ecosystem, w.Name); err == nil && s.opts.Events != nil {
		s.opts.Events.Record(ev)
	}
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.watchFailed.failed(ctx, s.log, watchUpdate, "watchlist update failed", s.now(), err, "ecosystem", w.Ecosystem, "package", w.Name)
		}
		return
	}
	s.watchFailed.succeeded(ctx, s.log, watchUpdate, s.now())
	s.InvalidateRendered() // judgements that used the entry are void
	s.log.InfoContext(ctx, "watchlist entry cleared: the package predates the first refusal", "ecosystem", w.Ecosystem, "package", w.Name,
		"created", pkg.Created, "first_seen", w.FirstSeen)
}

// missingPackage is the Package for a name upstream does not know, judged
// so that the refusal can explain itself. With remember (install routes,
// never the check API) the name is put on the watchlist: exactly as
// requested, at a bounded rate of new names per client.
func (s *Server) missingPackage(ctx context.Context, eco policy.Ecosystem, requested string, remember bool) *policy.Package {
	pkg := &policy.Package{Ecosystem: eco, Name: watchName(eco, requested)}
	s.addSignals(ctx, pkg, requested)
	if remember && s.opts.Watch != nil {
		s.rememberMissing(ctx, eco, watchName(eco, requested))
	}
	return pkg
}

// rememberMissing records a refused name on the watchlist. A name not yet
// on it costs the client one token of its new-entry rate; past that rate the
// refusal still happens but the name is not remembered.
func (s *Server) rememberMissing(ctx context.Context, eco policy.Ecosystem, name string) {
	if _, err := s.watched(ctx, eco, name); errors.Is(err, store.ErrNotFound) {
		if !s.newWatch.allow(clientOf(ctx), 1) {
			s.log.DebugContext(ctx, "watchlist: client over its rate of new names, not recorded", "ecosystem", eco, "package", name, "client", clientOf(ctx))
			return
		}
	}
	if _, err := s.opts.Watch.RecordMissing(detached(ctx), eco, name, s.timeNow()); err != nil {
		s.watchFailed.failed(ctx, s.log, watchRecord, "watchlist record failed", s.now(), err, "ecosystem", eco, "package", name)
		return
	}
	s.watchFailed.succeeded(ctx, s.log, watchRecord, s.now())
}

// record appends the decision on a request to the audit trail.
func (s *Server) record(r *http.Request, d policy.Decision, route string, extra ...policy.Finding) {
	s.recordCtx(r.Context(), clientName(r), d, route, extra...)
}

// recordCtx appends a decision to the audit trail and counts it.
func (s *Server) recordCtx(ctx context.Context, client string, d policy.Decision, route string, extra ...policy.Finding) {
	s.opts.Metrics.observeDecision(d)
	findings := append(append([]policy.Finding(nil), d.Findings...), extra...)
	ev := store.Event{
		Time:      s.timeNow(),
		Kind:      store.KindDecision,
		Ecosystem: d.Ref.Ecosystem,
		Package:   d.Ref.Name,
		Version:   d.Ref.Version,
		File:      d.Ref.File,
		Verdict:   d.Verdict.String(),
		Rules:     d.Rules(),
		Reason:    d.Reason(),
		Findings:  findings,
		Client:    client,
		Route:     route,
	}
	if d.List != nil && d.Verdict == policy.Allow {
		ev.Reason = "allowlisted (" + d.List.Source + "): " + d.List.Reason
	}
	s.audit.record(ev) // repeated allows are counted, not stored one by one
	if d.Verdict == policy.Block {
		s.log.InfoContext(ctx, "blocked", "request_id", requestID(ctx),
			"ecosystem", d.Ref.Ecosystem, "package", d.Ref.Name, "version", d.Ref.Version,
			"rule", strings.Join(d.Rules(), ","), "reason", d.Reason())
		if s.opts.OnBlock != nil {
			s.opts.OnBlock(ev)
		}
	}
}

// hiddenSummary condenses per-release findings into a few audit findings.
func hiddenSummary(hidden map[string][]policy.Finding) []policy.Finding {
	if len(hidden) == 0 {
		return nil
	}
	versions := make([]string, 0, len(hidden))
	for v := range hidden {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	seen := map[string]bool{}
	var out []policy.Finding
	for _, v := range versions {
		for _, f := range hidden[v] {
			if f.Verdict != policy.Block || seen[f.Rule+f.Reason] || len(out) >= 10 {
				continue
			}
			seen[f.Rule+f.Reason] = true
			out = append(out, policy.Finding{Rule: f.Rule, Verdict: policy.Warn, Reason: "hidden: " + f.Reason})
		}
	}
	return out
}

// npmRefusal builds the refusal npm, pnpm and yarn print best: JSON body
// with "error", npm-notice header and a custom reason phrase.
func npmRefusal(status int, reason, detail string) refusal {
	reason = plainQuotes(reason)
	msg := "vigil-proxy: " + reason
	if detail != "" {
		msg += " [" + detail + "]"
	}
	body, _ := json.Marshal(map[string]string{"error": msg})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("npm-notice", sanitizePhrase(msg, 1024))
	return refusal{status: status, reason: reason, body: body, header: h}
}

// pypiRefusal builds a text refusal; pip shows the reason phrase on file
// downloads and nothing for index pages, so the body is for curl and logs.
func pypiRefusal(status int, reason, detail string) refusal {
	reason = plainQuotes(reason)
	msg := "vigil-proxy: " + reason
	if detail != "" {
		msg += " [" + detail + "]"
	}
	h := http.Header{}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	return refusal{status: status, reason: reason, body: []byte(msg + "\n"), header: h}
}

// decisionDetail names the rules of a decision for the body of a refusal.
func decisionDetail(d policy.Decision) string {
	rules := d.Rules()
	if len(rules) == 0 {
		return ""
	}
	return "rule " + strings.Join(rules, ", ")
}

// plainQuotes writes quotes and dashes the way the status line shows them
// ('name', -), so every channel of one refusal (body, npm-notice, reason
// phrase) reads the same.
func plainQuotes(s string) string { return phrasePunctuation.Replace(s) }

// phrasePunctuation maps the punctuation reasons use to the ASCII a status
// line can carry.
var phrasePunctuation = strings.NewReplacer("`", "'", "‘", "'", "’", "'", "“", "'", "”", "'", "—", "-", "–", "-")

// sameRepository returns the popular package pkg resembles when both declare
// the same source repository (a sibling from the same project, not a
// squat). Only runs when the name resembles a popular one, which is rare;
// the look-alike's document comes through the cache.
func (s *Server) sameRepository(ctx context.Context, pkg *policy.Package) []string {
	if s.opts.Lookalike == nil || len(pkg.Repositories) == 0 {
		return nil
	}
	target, ok := s.opts.Lookalike(pkg.Ecosystem, pkg.Name)
	if !ok {
		return nil
	}
	var targetRepos []string
	switch pkg.Ecosystem {
	case policy.PyPI:
		if st, err := s.pypiLoad(ctx, target); err == nil {
			targetRepos = st.pkg.Repositories
		}
	case policy.NPM:
		if st, err := s.npmLoad(ctx, target); err == nil {
			targetRepos = st.pkg.Repositories
		}
	}
	theirs := map[string]bool{}
	for _, r := range targetRepos {
		if host, repo, ok := policy.RepositoryHost(r); ok {
			theirs[host+"/"+strings.ToLower(repo)] = true
		}
	}
	for _, r := range pkg.Repositories {
		if host, repo, ok := policy.RepositoryHost(r); ok && theirs[host+"/"+strings.ToLower(repo)] {
			return []string{target}
		}
	}
	return nil
}

// unpublishedDecision turns the package decision d for npm's stub of a fully
// unpublished package into an explained DEP-001 block: nothing is left to
// install.
func unpublishedDecision(pkg *policy.Package, d policy.Decision) policy.Decision {
	reason := fmt.Sprintf("every version of `%s` was unpublished from %s; nothing can be installed", pkg.Name, pkg.Ecosystem)
	return policy.Decision{Ref: d.Ref, Verdict: policy.Block, Findings: append(append([]policy.Finding(nil), d.Findings...),
		policy.Finding{Rule: policy.RuleNonexistent, Verdict: policy.Block, Reason: reason})}
}

// everyVersionHidden turns the package decision d into a block when policy
// hides every version (first is one of the hiding decisions).
func everyVersionHidden(d policy.Decision, name string, first policy.Decision) policy.Decision {
	return policy.Decision{Ref: d.Ref, Verdict: policy.Block, Findings: append(append([]policy.Finding(nil), d.Findings...), policy.Finding{
		Rule: firstRule(first), Verdict: policy.Block,
		Reason: fmt.Sprintf("every version of %s is hidden by policy (%s)", name, first.Reason()),
	})}
}
