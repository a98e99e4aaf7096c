package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/npm"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Content types of npm packuments.
const (
	npmFullType  = "application/json"
	npmCorgiType = "application/vnd.npm.install-v1+json"
)

// maxAuditBody bounds forwarded audit request bodies.
const maxAuditBody = 16 << 20

// npmState is what the proxy knows about one npm package.
type npmState struct {
	raw   []byte
	index *npm.Index
	pkg   *policy.Package
	stale bool
	// fetched is when the packument was last fetched or revalidated.
	fetched time.Time
}

// serveNPM routes /npm/... (paths mirror registry.npmjs.org below the prefix).
func (s *Server) serveNPM(c echo.Context) error {
	r := c.Request()
	rest := strings.TrimPrefix(strings.TrimPrefix(r.URL.EscapedPath(), "/npm"), "/")
	if rest == "" {
		if ok, err := methodServed(c, readMethods, npmWriteHint); !ok {
			return err
		}
		return c.JSON(http.StatusOK, map[string]string{"db_name": "registry", "vigil": "npm registry firewall"})
	}
	if strings.HasPrefix(rest, "-/") {
		return s.npmSpecial(c, rest)
	}
	if ok, err := methodServed(c, readMethods, npmWriteHint); !ok {
		return err
	}
	route, err := npm.SplitPath(rest)
	if err != nil {
		return err
	}
	if pattern, private := s.npmPrivate(route.Name); private {
		return s.refusePrivate(c, route.Name, pattern, "packument")
	}
	switch route.Kind {
	case npm.KindPackument:
		return s.npmPackument(c, route.Name)
	case npm.KindTarball:
		return s.npmTarball(c, route.Name, route.File)
	case npm.KindVersion:
		return s.npmVersion(c, route.Name, route.Version)
	}
	return httpError(http.StatusNotFound, "not found")
}

// refusePrivate refuses a name an npm.private pattern matches, without
// asking upstream about it.
func (s *Server) refusePrivate(c echo.Context, name, pattern, route string) error {
	r := c.Request()
	ref := policy.Ref{Ecosystem: policy.NPM, Name: npm.Canonical(name)}
	d := policy.Decision{Ref: ref, Verdict: policy.Block, Findings: []policy.Finding{{Rule: "PRIVATE", Verdict: policy.Block,
		Reason: fmt.Sprintf("%s is a private name (npm.private pattern %q) and is never resolved upstream; publish it to your private registry", name, pattern)}}}
	s.record(r, d, route)
	return writeRefusal(c.Response(), r, npmRefusal(http.StatusNotFound, d.Reason(), "setting npm.private"))
}

// npmPrivate reports whether name matches a private pattern.
func (s *Server) npmPrivate(name string) (string, bool) {
	return npm.MatchPrivate(s.opts.NPM.Private, name)
}

// npmSpecial serves the registry's "/-/" endpoints.
func (s *Server) npmSpecial(c echo.Context, rest string) error {
	r := c.Request()
	switch {
	case rest == "-/ping" || strings.HasPrefix(rest, "-/ping?"):
		if ok, err := methodServed(c, readMethods, ""); !ok {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{})
	case rest == auditBulkPath || rest == "-/npm/v1/security/audits" || rest == "-/npm/v1/security/audits/quick":
		if ok, err := methodServed(c, []string{http.MethodPost}, ""); !ok {
			return err
		}
		return s.npmForward(c, rest, http.MethodPost, r.Body)
	case rest == "-/npm/v1/keys":
		// The registry's signing keys, for npm audit signatures: the
		// proxy serves upstream's signatures and tarballs unchanged, so
		// upstream's keys verify them.
		if ok, err := methodServed(c, readMethods, ""); !ok {
			return err
		}
		return s.npmForward(c, rest, http.MethodGet, nil)
	case strings.HasPrefix(rest, "-/package/") && strings.HasSuffix(rest, "/dist-tags") && r.Method != http.MethodGet && r.Method != http.MethodHead:
		_, err := methodServed(c, readMethods, npmWriteHint)
		return err
	case strings.HasPrefix(rest, "-/package/") && r.Method != http.MethodGet && r.Method != http.MethodHead:
		return npmUnsupported(r.Method, strings.SplitN(rest, "?", 2)[0])
	case strings.HasPrefix(rest, "-/package/") && strings.HasSuffix(rest, "/dist-tags"):
		name := strings.TrimSuffix(strings.TrimPrefix(rest, "-/package/"), "/dist-tags")
		route, err := npm.SplitPath(name)
		if err != nil || route.Kind != npm.KindPackument {
			return fmt.Errorf("%w: %q", policy.ErrInvalidName, name)
		}
		if pattern, private := s.npmPrivate(route.Name); private {
			return s.refusePrivate(c, route.Name, pattern, "dist-tags")
		}
		st, d, hidden, handled, err := s.npmJudge(c, route.Name, "dist-tags")
		if handled || err != nil {
			return err
		}
		s.record(r, d, "dist-tags")
		tags := npm.RetaggedDistTags(st.index, func(v string) bool { _, h := hidden[v]; return h })
		return c.JSON(http.StatusOK, tags)
	}
	return npmUnsupported(r.Method, strings.SplitN(rest, "?", 2)[0])
}

// npmUnsupported explains a registry endpoint the proxy does not serve:
// 405 for writes (publish, login, dist-tag changes go to the upstream
// registry), 404 for any other method (reads such as search and whoami,
// OPTIONS, TRACE): the proxy has no such resource. Both are the
// client's business, not a server error.
func npmUnsupported(method, path string) error {
	what := "only package documents, tarballs, dist-tags, ping, audit and signing keys are proxied"
	switch {
	case path == "-/whoami":
		what = "it has no accounts: run npm whoami against your upstream registry"
	case strings.HasPrefix(path, "-/v1/search"):
		what = "search is not proxied: search on npmjs.com or your upstream registry"
	case strings.HasPrefix(path, "-/user/") || strings.HasPrefix(path, "-/v1/login"):
		what = "it has no accounts: log in to your upstream registry"
	case strings.HasPrefix(path, "-/npm/v1/tokens") || strings.HasPrefix(path, "-/npm/v1/user") ||
		strings.HasPrefix(path, "-/org/") || strings.HasPrefix(path, "-/team/"):
		what = "it has no accounts, tokens, organisations or teams: run this command against your upstream registry"
	}
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return httpError(http.StatusMethodNotAllowed, "vigil-proxy is a read-only registry and does not accept "+method+" /npm/"+path+": "+what)
	}
	return httpError(http.StatusNotFound, "vigil-proxy does not serve /npm/"+path+": "+what)
}

// npmForward passes an audit request (gzip body included) or a signing-key
// lookup to upstream unchanged and returns upstream's answer.
func (s *Server) npmForward(c echo.Context, rest, method string, body io.Reader) error {
	r := c.Request()
	if s.offline.Load() {
		return httpError(http.StatusServiceUnavailable, "vigil-proxy: runs offline (upstream.offline), and npm audit and the registry signing keys come from the upstream registry")
	}
	release, err := s.takeForwardSlot(c)
	if release == nil {
		return err
	}
	defer release()
	var cb *clientBody
	if body != nil {
		if r.ContentLength > maxAuditBody {
			return bodyTooLarge(c)
		}
		cb = newClientBody(c, s.opts.RequestBodyTimeout)
		body = cb
		if len(s.opts.NPM.Private) > 0 {
			body = &privateAuditBody{s: s, src: cb, encoding: r.Header.Get("Content-Encoding"), legacy: rest != auditBulkPath}
		}
	}
	target := strings.TrimSuffix(s.opts.NPM.Upstream.String(), "/") + "/" + rest
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Content-Encoding", "Accept", "npm-command", "User-Agent"} {
		if v := r.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	if s.opts.NPM.Authorization != "" {
		h.Set("Authorization", s.opts.NPM.Authorization)
	}
	resp, err := s.opts.Upstream.Forward(r.Context(), method, target, h, body, maxAuditBody)
	if err != nil {
		if errors.Is(err, policy.ErrTooLarge) {
			return bodyTooLarge(c)
		}
		if errors.Is(err, errAuditBody) {
			return writeRefusal(c.Response(), r, npmRefusal(http.StatusBadRequest,
				"the audit request body is not a gzip or plain JSON object, so the private names (npm.private) could not be taken out; nothing was forwarded", "request body"))
		}
		if cb != nil {
			if ref, ok := cb.refusal(s.opts.RequestBodyTimeout); ok {
				return writeRefusal(c.Response(), r, ref)
			}
		}
		return err
	}
	defer resp.Body.Close()
	for _, k := range []string{"Content-Type", "Content-Encoding"} {
		if v := resp.Header.Get(k); v != "" {
			c.Response().Header().Set(k, v)
		}
	}
	c.Response().WriteHeader(resp.StatusCode)
	_, err = io.Copy(c.Response(), io.LimitReader(resp.Body, maxAuditBody))
	if err != nil {
		s.log.WarnContext(r.Context(), "audit response copy failed", "error", err)
	}
	return nil
}

func (s *Server) npmHeader() http.Header {
	if s.opts.NPM.Authorization == "" {
		return nil
	}
	h := http.Header{}
	h.Set("Authorization", s.opts.NPM.Authorization)
	return h
}

// npmTarballHeader is npmHeader for a tarball URL: the upstream token goes
// only to the upstream registry's own scheme, host and port, as npm scopes
// a token to its registry, never to the other npm.tarball_hosts; those get
// their own credentials when configured (HostAuthorization), else none.
func (s *Server) npmTarballHeader(rawURL string) http.Header {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	up := s.opts.NPM.Upstream
	if strings.EqualFold(u.Scheme, up.Scheme) && strings.EqualFold(u.Host, up.Host) {
		return s.npmHeader()
	}
	for _, ha := range s.opts.NPM.HostAuthorization {
		if ha.Host.Allows(u) {
			h := http.Header{}
			h.Set("Authorization", ha.Value)
			return h
		}
	}
	return nil
}

// npmFacts loads the full packument (cached) and reduces it to facts,
// signals included.
func (s *Server) npmFacts(ctx context.Context, name string) (*npmState, error) {
	var pending *pendingSignals
	if npm.ValidName(name) == nil {
		pending = s.startSignals(ctx, policy.NPM, npm.Canonical(name)) // beside the packument fetch
	}
	st, err := s.npmLoad(ctx, name)
	if err != nil {
		return nil, err
	}
	s.addSignalsFrom(ctx, st.pkg, name, pending)
	return st, nil
}

// npmLoad is npmFacts without the signals.
func (s *Server) npmLoad(ctx context.Context, name string) (*npmState, error) {
	if err := npm.ValidName(name); err != nil {
		return nil, err
	}
	docURL := strings.TrimSuffix(s.opts.NPM.Upstream.String(), "/") + "/" + npm.EscapePath(name)
	e, err := s.opts.Cache.Get(ctx, "npm/"+name, s.fetcher(docURL, npmFullType, s.npmHeader()),
		func(body []byte) (any, error) { return npm.ParseIndex(body) })
	if err != nil {
		return nil, fmt.Errorf("npm package %s: %w", name, err)
	}
	st := &npmState{raw: e.Body, index: e.Value.(*npm.Index), stale: e.Stale, fetched: e.Fetched}
	st.pkg = st.index.Facts()
	st.pkg.Name = npm.Canonical(name)
	return st, nil
}

// npmJudge loads and judges a package: the package decision, then every
// version. Refusals are written here (handled=true).
func (s *Server) npmJudge(c echo.Context, name, route string) (st *npmState, d policy.Decision, hidden map[string]policy.Decision, handled bool, err error) {
	r := c.Request()
	ctx := r.Context()
	s.judgements.Add(1)
	st, err = s.npmFacts(ctx, name)
	if errors.Is(err, policy.ErrNotFound) {
		pkg := s.missingPackage(ctx, policy.NPM, name, !ownPackageCommand(r))
		d, err = s.opts.Engine.EvaluatePackage(ctx, pkg, s.timeNow())
		if err != nil {
			return nil, d, nil, false, err
		}
		s.record(r, d, route)
		if d.Verdict != policy.Block {
			return nil, d, nil, false, fmt.Errorf("%w: %s does not exist upstream", policy.ErrNotFound, name)
		}
		return nil, d, nil, true, writeRefusal(c.Response(), r, npmRefusal(http.StatusNotFound, d.Reason(), decisionDetail(d)))
	}
	if err != nil {
		return nil, d, nil, false, err
	}
	now := s.timeNow()
	d, err = s.opts.Engine.EvaluatePackage(ctx, st.pkg, now)
	if err != nil {
		return nil, d, nil, false, err
	}
	if d.Verdict == policy.Block {
		s.record(r, d, route)
		return st, d, nil, true, writeRefusal(c.Response(), r, npmRefusal(http.StatusForbidden, d.Reason(), decisionDetail(d)))
	}
	if st.pkg.Status == policy.StatusUnpublished {
		// npm's stub of a fully unpublished package: nothing to serve, and
		// an empty document would only print ENOVERSIONS.
		d = unpublishedDecision(st.pkg, d)
		s.record(r, d, route)
		return st, d, nil, true, writeRefusal(c.Response(), r, npmRefusal(http.StatusNotFound, d.Reason(), decisionDetail(d)))
	}
	hidden, err = s.judgeReleases(ctx, st.pkg, now)
	if err != nil {
		return nil, d, nil, false, err
	}
	if npm.Remaining(st.index, blockedIn(hidden)) == 0 && len(st.index.Versions) > 0 {
		d = everyVersionHidden(d, name, firstBlock(hidden))
		s.record(r, d, route)
		return st, d, nil, true, writeRefusal(c.Response(), r, npmRefusal(http.StatusForbidden, d.Reason(), decisionDetail(d)))
	}
	return st, d, hidden, false, nil
}

// judgeReleases judges every release as a whole and returns the decisions
// that are not a plain allow, by version.
func (s *Server) judgeReleases(ctx context.Context, pkg *policy.Package, now time.Time) (map[string]policy.Decision, error) {
	out := map[string]policy.Decision{}
	for i := range pkg.Releases {
		rel := &pkg.Releases[i]
		d, err := s.opts.Engine.EvaluateRelease(ctx, pkg, rel, nil, now)
		if err != nil {
			return nil, err
		}
		if d.Verdict != policy.Allow {
			out[rel.Version] = d
		}
	}
	return out, nil
}

// blockedIn returns the hide function for versions judged Block.
func blockedIn(decisions map[string]policy.Decision) func(string) bool {
	return func(v string) bool {
		d, ok := decisions[v]
		return ok && d.Verdict == policy.Block
	}
}

func firstBlock(decisions map[string]policy.Decision) policy.Decision {
	var best policy.Decision
	for _, d := range decisions {
		if d.Verdict == policy.Block && (best.Ref.Version == "" || d.Ref.Version > best.Ref.Version) {
			best = d
		}
	}
	return best
}

func firstRule(d policy.Decision) string {
	if rules := d.Rules(); len(rules) > 0 {
		return rules[0]
	}
	return policy.RuleTooNew
}

// npmPackument serves a filtered packument: from the rendered cache when
// a valid entry exists, else judged, rendered once (bytes, ETag, gzip copy)
// and kept.
func (s *Server) npmPackument(c echo.Context, name string) error {
	r := c.Request()
	base := s.baseURL(r)
	abbreviated := npm.WantsAbbreviated(r.Header.Get("Accept"))
	repr := reprNPMFull
	if abbreviated {
		repr = reprNPMCorgi
	}
	variant := s.npmVariantOf(r)
	key := renderKey(repr, base.String(), name, string(variant))
	if s.serveRendered(c, key) {
		return nil
	}
	gen := s.renderGeneration()
	st, d, hidden, handled, err := s.npmJudge(c, name, "packument")
	if handled || err != nil {
		return err
	}
	extra := hiddenSummary(findingsOf(hidden, policy.Block))
	s.record(r, d, "packument", extra...)
	opts := npm.FilterOptions{
		Hide:        blockedIn(hidden),
		Abbreviated: abbreviated,
		TarballURL: func(pkgName, basename string) string {
			return base.String() + "/npm/" + pkgName + "/-/" + basename
		},
	}
	if s.opts.NPM.DeprecateWarnings {
		// Only warnings about one version become deprecation messages:
		// npm and pnpm print them, and prefer versions without one. A
		// package-level warning concerns every version and goes out as an
		// npm-notice instead, so it cannot steer version choice.
		opts.Deprecate = func(v string) string {
			vd, ok := hidden[v]
			if !ok || vd.Verdict != policy.Warn {
				return ""
			}
			msg := "vigil-proxy: " + plainQuotes(vd.Reason())
			if up := st.index.Version(v); up != nil && up.Deprecated != "" {
				msg = up.Deprecated + " (" + msg + ")"
			}
			return msg
		}
	}
	explainHidden(&opts, variant, st.index, hidden)
	contentType := npmFullType
	if opts.Abbreviated {
		contentType = npmCorgiType
	}
	now := s.timeNow()
	expires, cacheable := s.renderExpiry(r.Context(), st.pkg, now, st.fetched)
	cacheable = cacheable && !st.stale
	b := s.newRender(r, cacheable)
	if err := npm.Filter(b, st.raw, st.index, opts); errors.Is(err, npm.ErrNoVersions) {
		b.Abort()
		// Every remaining version has a tarball the proxy cannot route (no
		// basename, or one shared with another version): an unusable
		// upstream document, not a policy decision.
		return httpError(http.StatusBadGateway, fmt.Sprintf("vigil-proxy: no version of %s has a tarball it can serve (the upstream document lists missing or duplicate tarball names)", name))
	} else if err != nil {
		b.Abort()
		return fmt.Errorf("filter packument %s: %w", name, err)
	}
	// Serve sets the ETag of the representation sent: the filtered bytes
	// (full or corgi) and the content coding ("-gzip"), which changes them.
	h := http.Header{}
	h.Set("Content-Type", contentType)
	h.Set("Vary", "Accept, Accept-Encoding")
	if (s.opts.NPM.PnpmHiddenTags || s.opts.NPM.YarnHiddenDeprecated) && len(findingsOf(hidden, policy.Block)) > 0 {
		// npmVariantOf: only a document hiding versions differs per client
		// (a Vary on User-Agent costs shared caches one copy per string).
		h.Set("Vary", "Accept, Accept-Encoding, User-Agent")
	}
	h.Set("Cache-Control", "public, max-age=60")
	if notice := npmNotice(d, hidden); notice != "" {
		// npm prints npm-notice only on responses it may not cache.
		h.Set("npm-notice", sanitizePhrase(notice, 1024))
		h.Set("Cache-Control", "no-store")
	}
	if st.stale {
		h.Set("Warning", staleWarning)
	}
	e, err := b.Finish(h, &renderedMeta{decision: d, route: "packument", extra: extra})
	if err != nil {
		return err
	}
	if !st.stale {
		s.keepJudged(policy.NPM, name, &judgedFacts{npm: &npmState{index: st.index, pkg: st.pkg, fetched: st.fetched}},
			gen, judgedCost(len(st.index.Versions)), s.metaExpiry(st.fetched))
	}
	return s.serveRender(c, key, e, gen, cacheable, expires)
}

// judgedCost estimates the memory a package's judged facts hold.
func judgedCost(versions int) int64 { return 1024 + 400*int64(versions) }

func findingsOf(decisions map[string]policy.Decision, v policy.Verdict) map[string][]policy.Finding {
	out := map[string][]policy.Finding{}
	for ver, d := range decisions {
		if d.Verdict == v {
			out[ver] = d.Findings
		}
	}
	return out
}

func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		if !strings.EqualFold(strings.TrimSpace(fields[0]), "gzip") {
			continue
		}
		q := 1.0
		for _, p := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}

// npmTarball serves /npm/<name>/-/<file>.tgz: judged like the version it
// belongs to, so lockfile installs (which never fetch the packument) are
// held to the same policy.
func (s *Server) npmTarball(c echo.Context, name, file string) error {
	r := c.Request()
	var st *npmState
	if jf, ok := s.cachedJudgement(r.Context(), policy.NPM, name); ok && jf.npm != nil {
		// Judged moments ago and nothing changed since: judge this one
		// tarball against the kept facts (EvaluateArtifact includes the
		// package-level judgement), with no metadata load or parse.
		st = jf.npm
	} else {
		gen := s.renderGeneration()
		var handled bool
		var err error
		st, _, _, handled, err = s.npmJudge(c, name, "tarball")
		if handled || err != nil {
			return err
		}
		if !st.stale {
			s.keepJudged(policy.NPM, name, &judgedFacts{npm: &npmState{index: st.index, pkg: st.pkg, fetched: st.fetched}},
				gen, judgedCost(len(st.index.Versions)), s.metaExpiry(st.fetched))
		}
	}
	vi := st.index.VersionForTarball(file)
	if vi == nil {
		return writeRefusal(c.Response(), r, npmRefusal(http.StatusNotFound,
			fmt.Sprintf("%s is not a tarball of any version of %s upstream", file, name), policy.RuleNonexistentVersion))
	}
	rel := st.pkg.Release(vi.Version)
	if rel == nil {
		rel = &policy.Release{Version: vi.Version}
	}
	var pf *policy.File
	if len(rel.Files) > 0 {
		pf = &rel.Files[0]
	}
	d, err := s.opts.Engine.EvaluateArtifact(r.Context(), st.pkg, rel, pf, s.timeNow())
	if err != nil {
		return err
	}
	s.record(r, d, "tarball")
	if d.Verdict == policy.Block {
		rf := npmRefusal(http.StatusForbidden, d.Reason(), decisionDetail(d))
		if isYarnBerry(r) && decisionDetail(d) != "" {
			// yarn prints only the reason phrase: give it the rule too
			rf.reason += " [" + decisionDetail(d) + "]"
		}
		return writeRefusal(c.Response(), r, rf)
	}
	a := artifact{ecosystem: policy.NPM, upstreamURL: vi.TarballURL, header: s.npmTarballHeader(vi.TarballURL),
		cacheKey: npmCacheKey(vi.Integrity), stale: st.stale}
	a.verifier, a.noDigest = s.npmDigest(vi.Integrity, vi.Shasum, name, vi.Version)
	return s.streamArtifact(c.Response(), r, a)
}

// npmDigest returns the verifier for a tarball from its version's
// dist.integrity (the strongest SRI hash) or, for legacy versions with only
// a sha1 dist.shasum, that; or the reason the tarball is refused: an
// integrity that gives nothing usable (unknown algorithm, bad base64, wrong
// length) fails closed rather than falling back to serving it unchecked.
func (s *Server) npmDigest(integrity, shasum, name, version string) (func() digestVerifier, string) {
	if strings.TrimSpace(integrity) != "" {
		if _, err := npm.NewIntegrityVerifier(integrity, ""); err != nil {
			return nil, fmt.Sprintf("the registry's dist.integrity for %s@%s is malformed or uses no supported algorithm (sha512, sha384, sha256, sha1); the tarball was not served", name, version)
		}
	} else if strings.TrimSpace(shasum) == "" {
		if s.opts.NPM.AllowMissingDigest {
			return nil, ""
		}
		return nil, fmt.Sprintf("the registry gives no dist.integrity or dist.shasum for %s@%s, so the tarball cannot be verified and was not served (npm.require_digest)", name, version)
	}
	if _, err := npm.NewIntegrityVerifier(integrity, shasum); err != nil {
		return nil, fmt.Sprintf("the registry's dist.shasum for %s@%s is malformed; the tarball was not served", name, version)
	}
	return func() digestVerifier {
		v, _ := npm.NewIntegrityVerifier(integrity, shasum)
		return v
	}, ""
}

// npmVersion serves the legacy single-version manifest /npm/<name>/<version|tag>,
// explaining versions that do not exist or are hidden (DEP-007).
func (s *Server) npmVersion(c echo.Context, name, spec string) error {
	r := c.Request()
	st, pd, hidden, handled, err := s.npmJudge(c, name, "version")
	if handled || err != nil {
		return err
	}
	hide := blockedIn(hidden)
	newest := npm.NewestAllowed(st.index, hide)
	version := spec
	if tags := npm.RetaggedDistTags(st.index, hide); tags[spec] != "" {
		version = tags[spec]
	} else if st.index.Version(spec) == nil && npm.IsRange(spec) && npm.ValidRange(spec) {
		// registry.npmjs.org answers a range here with the highest version
		// that satisfies it: only versions policy lets through are chosen.
		// When only hidden ones match, the highest of them is refused below
		// with its reason.
		var allowed, all []string
		for _, v := range st.index.Versions {
			all = append(all, v.Version)
			if !hide(v.Version) {
				allowed = append(allowed, v.Version)
			}
		}
		if v, ok := npm.MaxSatisfying(spec, allowed); ok {
			version = v
		} else if v, ok := npm.MaxSatisfying(spec, all); ok {
			version = v
		} else {
			ref := policy.Ref{Ecosystem: policy.NPM, Name: npm.Canonical(name), Version: spec}
			d := policy.Decision{Ref: ref, Verdict: policy.Block, Findings: []policy.Finding{policy.NoMatchingVersion(st.pkg, spec, newest)}}
			s.record(r, d, "version")
			return writeRefusal(c.Response(), r, npmRefusal(http.StatusNotFound, d.Reason(), decisionDetail(d)))
		}
	}
	ref := policy.Ref{Ecosystem: policy.NPM, Name: npm.Canonical(name), Version: version}
	if st.index.Version(version) == nil {
		d := policy.Decision{Ref: ref, Verdict: policy.Block, Findings: []policy.Finding{policy.NonexistentVersion(st.pkg, version, newest)}}
		s.record(r, d, "version")
		return writeRefusal(c.Response(), r, npmRefusal(http.StatusNotFound, d.Reason(), decisionDetail(d)))
	}
	if hide(version) {
		d := policy.Decision{Ref: ref, Verdict: policy.Block, Findings: []policy.Finding{policy.HiddenVersion(st.pkg, version, hidden[version].Reason(), newest)}}
		s.record(r, d, "version")
		return writeRefusal(c.Response(), r, npmRefusal(http.StatusForbidden, d.Reason(), decisionDetail(d)))
	}
	pd.Ref.Version = version
	s.record(r, pd, "version")
	var buf strings.Builder
	base := s.baseURL(r)
	err = npm.Filter(&buf, st.raw, st.index, npm.FilterOptions{
		Hide:        func(v string) bool { return v != version },
		Abbreviated: true,
		TarballURL:  func(pkgName, basename string) string { return base.String() + "/npm/" + pkgName + "/-/" + basename },
	})
	if errors.Is(err, npm.ErrNoVersions) {
		return unroutableVersion(name, version)
	}
	if err != nil {
		return fmt.Errorf("filter packument %s: %w", name, err)
	}
	var doc struct {
		Versions map[string]json.RawMessage `json:"versions"`
	}
	if err := json.Unmarshal([]byte(buf.String()), &doc); err != nil {
		return fmt.Errorf("decode filtered packument %s: %w", name, err)
	}
	return c.JSONBlob(http.StatusOK, doc.Versions[version])
}

// npmNotice tells npm users what the policy did to a package they can
// install: package-level warnings, and which versions are hidden and why
// (so that a pinned hidden version's ETARGET has an explanation).
func npmNotice(d policy.Decision, hidden map[string]policy.Decision) string {
	var parts []string
	if d.Verdict == policy.Warn {
		parts = append(parts, plainQuotes(d.Reason()))
	}
	var versions []string
	for v, vd := range hidden {
		if vd.Verdict == policy.Block {
			versions = append(versions, v)
		}
	}
	if len(versions) > 0 {
		sort.Strings(versions)
		first := hidden[versions[0]]
		shown := versions
		if len(shown) > 5 {
			shown = append(shown[:5:5], fmt.Sprintf("and %d more", len(versions)-5))
		}
		why := plainQuotes(first.Reason())
		if detail := decisionDetail(first); detail != "" {
			why += " [" + detail + "]"
		}
		parts = append(parts, fmt.Sprintf("hidden by policy: %s (%s)", strings.Join(shown, ", "), why))
	}
	if len(parts) == 0 {
		return ""
	}
	return "vigil-proxy: " + strings.Join(parts, "; ")
}

// ownPackageCommand reports whether the request comes from an npm command
// that works on the user's own package (npm sends the command in the
// npm-command header): npm publish asks for the packument of a name it is
// about to create. Such a name is refused as nonexistent like any other,
// but not remembered as a hallucination, or the package would be blocked as
// a probable slopsquat once published. The header only ever spares a name
// from the watchlist; it never lets anything through.
func ownPackageCommand(r *http.Request) bool {
	switch r.Header.Get("npm-command") {
	case "publish", "unpublish", "deprecate", "undeprecate", "dist-tag", "owner", "access", "trust":
		return true
	}
	return false
}
