package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/metacache"
	"github.com/vigil-proxy/vigil-proxy/pypi"
)

// pypiState is what the proxy knows about one PyPI project.
type pypiState struct {
	project *pypi.Project
	doc     *pypi.ProjectDoc
	docRaw  []byte
	pkg     *policy.Package
	stale   bool
	// fetched are when the simple page and the JSON document were last
	// fetched or revalidated.
	fetched []time.Time
}

// servePyPI routes /pypi/... (paths mirror pypi.org below the prefix).
func (s *Server) servePyPI(c echo.Context) error {
	r := c.Request()
	rest := strings.TrimPrefix(r.URL.Path, "/pypi")
	if isXMLRPC(r, rest) {
		return xmlrpcFault(c, xmlrpcUnsupported)
	}
	if ok, err := methodServed(c, readMethods, pypiWriteHint); !ok {
		return err
	}
	parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	switch {
	case rest == "/simple" || rest == "/simple/":
		return s.pypiRoot(c)
	case len(parts) >= 2 && parts[0] == "simple":
		name := parts[1]
		if len(parts) == 2 { // no trailing slash
			if err := validPyPIName(name); err != nil {
				return err
			}
			return c.Redirect(http.StatusMovedPermanently, s.pypiPath(r, "simple", pypi.Normalize(name))+"/")
		}
		if len(parts) != 3 || parts[2] != "" {
			return httpError(http.StatusNotFound, "not found")
		}
		return s.pypiSimple(c, name)
	case len(parts) >= 3 && parts[0] == "pypi" && parts[len(parts)-1] == "json" || len(parts) >= 4 && parts[0] == "pypi" && parts[len(parts)-2] == "json" && parts[len(parts)-1] == "":
		p := parts[1:]
		if p[len(p)-1] == "" {
			p = p[:len(p)-1]
		}
		switch len(p) {
		case 2:
			return s.pypiJSON(c, p[0], "")
		case 3:
			if why := opaqueProblem(p[1], maxPyPIVersion); why != "" {
				return httpError(http.StatusBadRequest, "invalid version: "+why)
			}
			return s.pypiJSON(c, p[0], p[1])
		}
		return httpError(http.StatusNotFound, "not found")
	case len(parts) == 2 && parts[1] == "" && parts[0] != "files" && parts[0] != "pypi" && validPyPIName(parts[0]) == nil:
		// An index URL set to /pypi/ instead of /pypi/simple/: pip shows
		// nothing a 404 says, so send it where the project page is.
		return c.Redirect(http.StatusMovedPermanently, s.pypiPath(r, "simple", pypi.Normalize(parts[0]))+"/")
	case len(parts) == 3 && parts[0] == "files":
		if why := opaqueProblem(parts[2], maxPyPIFileName); why != "" {
			return httpError(http.StatusBadRequest, "invalid file name: "+why)
		}
		return s.pypiFile(c, parts[1], parts[2])
	}
	return httpError(http.StatusNotFound, "vigil-proxy serves /pypi/simple/<project>/, /pypi/pypi/<project>/json and /pypi/files/ here")
}

// Bounds on what a client may name in a PyPI path: no release has a longer
// version (policy matching stops at 128 too) and no file system a longer
// file name (".metadata" included).
const (
	maxPyPIVersion  = 128
	maxPyPIFileName = 255
)

// opaqueProblem says why a version or file name from a request path cannot
// be one the index lists, without quoting it: such a request is refused
// before anything is judged, audited or echoed.
func opaqueProblem(v string, limit int) string {
	if len(v) > limit {
		return fmt.Sprintf("longer than %d characters", limit)
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f || unicode.IsSpace(r) || unicode.IsControl(r) {
			return "contains spaces or control characters"
		}
	}
	return ""
}

// pypiPath builds an absolute proxy path below /pypi.
func (s *Server) pypiPath(r *http.Request, elems ...string) string {
	base := s.baseURL(r)
	esc := make([]string, len(elems))
	for i, e := range elems {
		esc[i] = url.PathEscape(e)
	}
	return base.Path + "/pypi/" + strings.Join(esc, "/")
}

// pypiFileURL is the proxy URL of a distribution file.
func (s *Server) pypiFileURL(r *http.Request, project, filename string) string {
	u := s.baseURL(r)
	u.Path += "/pypi/files/" + project + "/" + filename
	u.RawPath = ""
	return u.String()
}

// pypiRoot answers the project list with an empty index: pip never reads it
// during installs, and mirroring PyPI's whole list is not this proxy's job.
func (s *Server) pypiRoot(c echo.Context) error {
	mt := pypi.Negotiate(c.Request().Header.Get("Accept"), c.QueryParam("format"))
	c.Response().Header().Set("Vary", "Accept")
	if strings.HasSuffix(mt, "+json") {
		return c.Blob(http.StatusOK, mt, []byte(`{"meta":{"api-version":"1.1"},"projects":[]}`))
	}
	return c.Blob(http.StatusOK, mt, []byte("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>vigil-proxy</title></head><body></body></html>\n"))
}

// validPyPIName rejects bad names before any upstream call.
func validPyPIName(name string) error {
	if why := pypi.NameProblem(name); why != "" {
		return fmt.Errorf("not a valid Python project name: %s: %w", why, policy.ErrInvalidName)
	}
	return nil
}

// pypiFacts loads (from cache or upstream) the simple page and JSON API
// document of a project and reduces them to policy facts, signals included.
func (s *Server) pypiFacts(ctx context.Context, name string) (*pypiState, error) {
	pending := s.startSignals(ctx, policy.PyPI, name) // beside the project fetch
	st, err := s.pypiLoad(ctx, name)
	if err != nil {
		return nil, err
	}
	s.addSignalsFrom(ctx, st.pkg, name, pending)
	return st, nil
}

// pypiLoad is pypiFacts without the signals.
func (s *Server) pypiLoad(ctx context.Context, name string) (*pypiState, error) {
	base := s.opts.PyPI.Upstream
	simpleURL := pypi.SimpleURL(base, name)
	// The JSON document is fetched beside the simple page, not after it.
	type docResult struct {
		e   *metacache.Entry
		err error
	}
	docCh := make(chan docResult, 1)
	go func() {
		e, err := s.opts.Cache.Get(ctx, "pypi/json/"+name, s.fetcher(pypi.ProjectJSONURL(base, name), "application/json", nil),
			func(body []byte) (any, error) { return pypi.ParseProjectDoc(body) })
		docCh <- docResult{e, err}
	}()
	page, err := s.opts.Cache.Get(ctx, "pypi/simple/"+name, s.fetcher(simpleURL, pypi.SimpleJSONAccept, nil),
		func(body []byte) (any, error) {
			u, _ := url.Parse(simpleURL)
			if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '{' {
				return pypi.ParseSimpleJSON(body, u)
			}
			return pypi.ParseSimpleHTML(body, u)
		})
	dr := <-docCh // waited for even on failure: nothing runs on after the answer
	if err != nil {
		return nil, fmt.Errorf("pypi project %s: %w", name, err)
	}
	st := &pypiState{project: page.Value.(*pypi.Project), stale: page.Stale, fetched: []time.Time{page.Fetched}}
	doc, err := dr.e, dr.err
	switch {
	case err == nil:
		st.doc, st.docRaw = doc.Value.(*pypi.ProjectDoc), doc.Body
		st.stale = st.stale || doc.Stale
		st.fetched = append(st.fetched, doc.Fetched)
	case errors.Is(err, policy.ErrNotFound):
		// A simple page without a JSON document (some mirrors): judge the
		// files alone; DEP-005 then has no project URLs to look at.
	default:
		return nil, fmt.Errorf("pypi project %s metadata: %w", name, err)
	}
	st.pkg = pypi.Facts(st.project, st.doc)
	st.pkg.Name = name
	return st, nil
}

// fetcher returns a metacache fetch function for one upstream document.
func (s *Server) fetcher(rawURL, accept string, header http.Header) metacache.FetchFunc {
	host := hostOf(rawURL)
	return func(ctx context.Context, etag string) (metacache.Fetched, error) {
		if s.offline.Load() {
			return metacache.Fetched{}, offlineMiss(host)
		}
		doc, err := s.opts.Upstream.GetDocument(ctx, upstreamRequest(rawURL, accept, etag, header))
		s.health.observe(ctx, host, err)
		if err != nil {
			if isOutage(err) {
				return metacache.Fetched{}, &upstreamFailure{host: host, err: err}
			}
			return metacache.Fetched{}, err
		}
		return metacache.Fetched{Body: doc.Body, ETag: doc.ETag, NotModified: doc.NotModified}, nil
	}
}

// pypiJudge returns the package decision, or a refusal already written.
// It returns handled=true when the response has been sent.
func (s *Server) pypiJudge(c echo.Context, name, route string) (st *pypiState, d policy.Decision, handled bool, err error) {
	r := c.Request()
	ctx := r.Context()
	s.judgements.Add(1)
	st, err = s.pypiFacts(ctx, name)
	if errors.Is(err, policy.ErrNotFound) {
		pkg := s.missingPackage(ctx, policy.PyPI, name, true)
		d, err = s.opts.Engine.EvaluatePackage(ctx, pkg, s.timeNow())
		if err != nil {
			return nil, d, false, err
		}
		s.record(r, d, route)
		if d.Verdict != policy.Block { // allowlisted, or DEP-001 switched off
			return nil, d, false, fmt.Errorf("%w: %s does not exist on the upstream index", policy.ErrNotFound, name)
		}
		return nil, d, true, s.refusePyPI(c, http.StatusNotFound, d, route)
	}
	if err != nil {
		return nil, d, false, err
	}
	d, err = s.opts.Engine.EvaluatePackage(ctx, st.pkg, s.timeNow())
	if err != nil {
		return nil, d, false, err
	}
	if d.Verdict == policy.Block {
		s.record(r, d, route)
		return st, d, true, s.refusePyPI(c, http.StatusForbidden, d, route)
	}
	return st, d, false, nil
}

// refusePyPI writes a refusal in the form the route's clients read: JSON
// for the JSON API, text elsewhere; the reason phrase always.
func (s *Server) refusePyPI(c echo.Context, status int, d policy.Decision, route string) error {
	reason := plainQuotes(d.Reason()) // as in the reason phrase and the text refusals
	if route == "json" {
		body, _ := json.Marshal(map[string]any{"message": "vigil-proxy: " + reason, "rules": d.Rules()})
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		return writeRefusal(c.Response(), c.Request(), refusal{status: status, reason: reason, body: body, header: h})
	}
	return writeRefusal(c.Response(), c.Request(), pypiRefusal(status, reason, decisionDetail(d)))
}

// hiddenFiles judges every file of the project and returns the refused ones
// (filename → decision).
func (s *Server) hiddenFiles(ctx context.Context, st *pypiState) (map[string]policy.Decision, error) {
	hidden := map[string]policy.Decision{}
	now := s.timeNow()
	for i := range st.pkg.Releases {
		rel := &st.pkg.Releases[i]
		for j := range rel.Files {
			f := &rel.Files[j]
			d, err := s.opts.Engine.EvaluateRelease(ctx, st.pkg, rel, f, now)
			if err != nil {
				return nil, err
			}
			if d.Verdict == policy.Block {
				hidden[f.Name] = d
			}
		}
	}
	return hidden, nil
}

// findingsByVersion groups the refused files' findings by version, files
// in name order: the audit summary built from it does not depend on map
// iteration order.
func findingsByVersion(hidden map[string]policy.Decision) map[string][]policy.Finding {
	out := map[string][]policy.Finding{}
	for _, file := range slices.Sorted(maps.Keys(hidden)) {
		d := hidden[file]
		out[d.Ref.Version] = append(out[d.Ref.Version], d.Findings...)
	}
	return out
}

// pypiSimple serves /pypi/simple/<project>/.
func (s *Server) pypiSimple(c echo.Context, raw string) error {
	r := c.Request()
	if err := validPyPIName(raw); err != nil {
		return err
	}
	name := pypi.Normalize(raw)
	if name != raw {
		return c.Redirect(http.StatusMovedPermanently, s.pypiPath(r, "simple", name)+"/")
	}
	mt := pypi.Negotiate(r.Header.Get("Accept"), c.QueryParam("format"))
	key := renderKey(reprPyPISimple, s.baseURL(r).String(), name, mt)
	if s.serveRendered(c, key) {
		return nil
	}
	gen := s.renderGeneration()
	st, d, handled, err := s.pypiJudge(c, name, "simple")
	if handled || err != nil {
		return err
	}
	hidden, err := s.hiddenFiles(r.Context(), st)
	if err != nil {
		return err
	}
	extra := hiddenSummary(findingsByVersion(hidden))
	s.record(r, d, "simple", extra...)
	s.keepPyPIJudged(name, st, gen)

	out := *st.project
	out.Name = name
	out.Files = nil
	remaining := map[string]bool{}
	docFiles := docFilesByName(st.doc)
	for _, f := range st.project.Files {
		f.URL = s.pypiFileURL(r, name, f.Filename)
		if df, ok := docFiles[f.Filename]; ok {
			// An HTML upstream page has no PEP 700 fields: take them
			// from the JSON API (uv's --exclude-newer needs upload-time).
			if f.Size < 0 && df.Size > 0 {
				f.Size = df.Size
			}
			if f.UploadTime.IsZero() {
				f.UploadTime = df.UploadTime
			}
		}
		if hd, ok := hidden[f.Filename]; ok {
			if s.opts.PyPI.HideMode == "remove" {
				continue
			}
			f.Yanked = true
			f.YankedReason = "vigil-proxy: " + hd.Reason()
		}
		remaining[f.Version] = true
		out.Files = append(out.Files, f)
	}
	if s.opts.PyPI.HideMode == "remove" {
		out.Versions = nil
		for _, v := range st.project.Versions {
			if remaining[v] || !hasFilesFor(st.project, v) {
				out.Versions = append(out.Versions, v)
			}
		}
	}
	expires, cacheable := s.renderExpiry(r.Context(), st.pkg, s.timeNow(), st.fetched...)
	cacheable = cacheable && !st.stale
	b := s.newRender(r, cacheable)
	if strings.HasSuffix(mt, "+json") {
		err = out.RenderJSON(b)
	} else {
		err = out.RenderHTML(b)
	}
	if err != nil {
		b.Abort()
		return fmt.Errorf("render simple page %s: %w", name, err)
	}
	h := documentHeader(mt)
	if d.Verdict == policy.Warn {
		h.Set("X-Vigil-Warning", sanitizePhrase(d.Reason(), 1024))
	}
	if st.stale {
		h.Set("Warning", staleWarning)
	}
	e, err := b.Finish(h, &renderedMeta{decision: d, route: "simple", extra: extra})
	if err != nil {
		return err
	}
	return s.serveRender(c, key, e, gen, cacheable, expires)
}

// documentHeader is the header of a filtered PyPI document: its ETag (of
// the bytes sent) makes a document that changes as files mature
// revalidate.
func documentHeader(contentType string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	h.Set("Vary", "Accept, Accept-Encoding")
	h.Set("Cache-Control", "max-age=60, must-revalidate")
	return h
}

// keepPyPIJudged keeps a servable project's facts for warm file requests.
func (s *Server) keepPyPIJudged(name string, st *pypiState, gen uint64) {
	if st.stale {
		return
	}
	kept := &pypiState{project: st.project, doc: st.doc, pkg: st.pkg, fetched: st.fetched}
	s.keepJudged(policy.PyPI, name, &judgedFacts{pypi: kept}, gen, judgedCost(len(st.project.Files)), s.metaExpiry(st.fetched...))
}

// docFilesByName indexes the JSON API document's files by filename (empty
// when there is no document).
func docFilesByName(doc *pypi.ProjectDoc) map[string]pypi.ReleaseFile {
	out := map[string]pypi.ReleaseFile{}
	if doc == nil {
		return out
	}
	for _, files := range doc.Releases {
		for _, f := range files {
			out[f.Filename] = f
		}
	}
	for _, f := range doc.URLs {
		out[f.Filename] = f
	}
	return out
}

func hasFilesFor(p *pypi.Project, version string) bool {
	for _, f := range p.Files {
		if f.Version == version {
			return true
		}
	}
	return false
}

// pypiJSON serves /pypi/pypi/<project>/json and /pypi/pypi/<project>/<version>/json.
func (s *Server) pypiJSON(c echo.Context, raw, version string) error {
	r := c.Request()
	if err := validPyPIName(raw); err != nil {
		return err
	}
	name := pypi.Normalize(raw)
	if name != raw {
		elems := []string{"pypi", name}
		if version != "" {
			elems = append(elems, version)
		}
		return c.Redirect(http.StatusMovedPermanently, s.pypiPath(r, append(elems, "json")...))
	}
	key := renderKey(reprPyPIJSON, s.baseURL(r).String(), name, version)
	if s.serveRendered(c, key) {
		return nil
	}
	gen := s.renderGeneration()
	st, d, handled, err := s.pypiJudge(c, name, "json")
	if handled || err != nil {
		return err
	}
	if st.doc == nil {
		return fmt.Errorf("%w: upstream has no JSON document for %s", policy.ErrNotFound, name)
	}
	hidden, err := s.hiddenFiles(r.Context(), st)
	if err != nil {
		return err
	}
	s.keepPyPIJudged(name, st, gen)
	fetched := st.fetched
	keep := func(_ string, filename string) bool { _, h := hidden[filename]; return !h }
	rewrite := func(fileURL string) string { return s.pypiFileURL(r, name, path.Base(fileURL)) }
	newest := newestAllowed(st, hidden)

	body := st.docRaw
	if version != "" {
		rel := st.pkg.Release(version)
		if rel == nil {
			rel = matchPEP440(st.pkg, version)
		}
		if rel == nil {
			f := policy.NonexistentVersion(st.pkg, version, newest)
			vd := policy.Decision{Ref: policy.Ref{Ecosystem: policy.PyPI, Name: name, Version: version}, Verdict: policy.Block, Findings: []policy.Finding{f}}
			s.record(r, vd, "json")
			return s.refusePyPI(c, http.StatusNotFound, vd, "json")
		}
		if allHidden(rel, hidden) {
			why := hidden[rel.Files[0].Name].Reason()
			f := policy.HiddenVersion(st.pkg, rel.Version, why, newest)
			vd := policy.Decision{Ref: policy.Ref{Ecosystem: policy.PyPI, Name: name, Version: rel.Version}, Verdict: policy.Block, Findings: []policy.Finding{f}}
			s.record(r, vd, "json")
			return s.refusePyPI(c, http.StatusNotFound, vd, "json")
		}
		vdoc, err := s.opts.Cache.Get(r.Context(), "pypi/json/"+name+"/"+rel.Version,
			s.fetcher(pypi.VersionJSONURL(s.opts.PyPI.Upstream, name, rel.Version), "application/json", nil),
			func(body []byte) (any, error) { return pypi.ParseProjectDoc(body) })
		if err != nil {
			return fmt.Errorf("pypi %s %s: %w", name, rel.Version, err)
		}
		body = vdoc.Body
		d.Ref.Version = rel.Version
		fetched = append(slices.Clip(fetched), vdoc.Fetched)
		st.stale = st.stale || vdoc.Stale
	}
	out, err := pypi.FilterProjectDoc(body, keep, rewrite)
	if err != nil {
		return fmt.Errorf("filter JSON document %s: %w", name, err)
	}
	extra := hiddenSummary(findingsByVersion(hidden))
	s.record(r, d, "json", extra...)
	expires, cacheable := s.renderExpiry(r.Context(), st.pkg, s.timeNow(), fetched...)
	cacheable = cacheable && !st.stale
	b := s.newRender(r, cacheable)
	if _, err := b.Write(out); err != nil {
		b.Abort()
		return fmt.Errorf("render JSON document %s: %w", name, err)
	}
	h := documentHeader("application/json")
	if st.stale {
		h.Set("Warning", staleWarning)
	}
	e, err := b.Finish(h, &renderedMeta{decision: d, route: "json", extra: extra})
	if err != nil {
		return err
	}
	return s.serveRender(c, key, e, gen, cacheable, expires)
}

// matchPEP440 finds a release whose version equals v under PEP 440 (1.0 ==
// 1.0.0), as PyPI's version route does.
func matchPEP440(pkg *policy.Package, v string) *policy.Release {
	for i := range pkg.Releases {
		if pypi.IsValidVersion(v) && pypi.EqualVersions(pkg.Releases[i].Version, v) {
			return &pkg.Releases[i]
		}
	}
	return nil
}

func allHidden(rel *policy.Release, hidden map[string]policy.Decision) bool {
	if len(rel.Files) == 0 {
		return false
	}
	for _, f := range rel.Files {
		if _, ok := hidden[f.Name]; !ok {
			return false
		}
	}
	return true
}

// newestAllowed is the newest final version with at least one visible file.
func newestAllowed(st *pypiState, hidden map[string]policy.Decision) string {
	var versions []string
	for _, rel := range st.pkg.Releases {
		if rel.Yanked || !anyVisible(rel, hidden) {
			continue
		}
		versions = append(versions, rel.Version)
	}
	return pypi.NewestVersion(versions, false)
}

func anyVisible(rel policy.Release, hidden map[string]policy.Decision) bool {
	for _, f := range rel.Files {
		if _, ok := hidden[f.Name]; !ok {
			return true
		}
	}
	return false
}

// pypiFile serves /pypi/files/<project>/<filename>[.metadata]: the file is
// looked up in the project's index page, judged, and streamed from the
// upstream location the page gives (never from a URL the client chose).
func (s *Server) pypiFile(c echo.Context, raw, filename string) error {
	r := c.Request()
	if err := validPyPIName(raw); err != nil {
		return err
	}
	name := pypi.Normalize(raw)
	metadata := strings.HasSuffix(filename, ".metadata")
	distName := strings.TrimSuffix(filename, ".metadata")
	var st *pypiState
	if jf, ok := s.cachedJudgement(r.Context(), policy.PyPI, name); ok && jf.pypi != nil {
		// Judged moments ago and nothing changed since: judge this one
		// file against the kept facts (EvaluateArtifact includes the
		// package-level judgement), with no metadata load or parse.
		st = jf.pypi
	} else {
		gen := s.renderGeneration()
		var handled bool
		var err error
		st, _, handled, err = s.pypiJudge(c, name, "file")
		if handled || err != nil {
			return err
		}
		s.keepPyPIJudged(name, st, gen)
	}
	var file *pypi.File
	for i := range st.project.Files {
		if st.project.Files[i].Filename == distName {
			file = &st.project.Files[i]
			break
		}
	}
	if file == nil {
		return httpError(http.StatusNotFound, fmt.Sprintf("%s is not a file of %s on the upstream index", distName, name))
	}
	if file.Version == "" {
		// Listed, but its name gives no version of this project: no
		// version rule could judge it, so it is refused (pip itself
		// ignores such files).
		f := policy.Finding{Rule: policy.RuleNonexistentVersion, Verdict: policy.Block,
			Reason: fmt.Sprintf("%s names no version of `%s`, so it cannot be judged", distName, name)}
		vd := policy.Decision{Ref: policy.Ref{Ecosystem: policy.PyPI, Name: name}, Verdict: policy.Block, Findings: []policy.Finding{f}}
		s.record(r, vd, "file")
		return s.refusePyPI(c, http.StatusForbidden, vd, "file")
	}
	rel := st.pkg.Release(file.Version)
	var pf *policy.File
	if rel != nil {
		// The first entry of that name, as file above: a page listing a
		// name twice is judged by the entry whose URL is streamed.
		for i := range rel.Files {
			if rel.Files[i].Name == distName {
				pf = &rel.Files[i]
				break
			}
		}
	} else {
		rel = &policy.Release{Version: file.Version}
	}
	d, err := s.opts.Engine.EvaluateArtifact(r.Context(), st.pkg, rel, pf, s.timeNow())
	if err != nil {
		return err
	}
	s.record(r, d, "file")
	if d.Verdict == policy.Block {
		return s.refusePyPI(c, http.StatusForbidden, d, "file")
	}
	a := artifact{ecosystem: policy.PyPI, upstreamURL: file.URL, stale: st.stale}
	if metadata {
		if file.CoreMetadata == nil {
			return httpError(http.StatusNotFound, "no core metadata file for "+distName)
		}
		a.upstreamURL += ".metadata"
		a.contentType = "text/plain; charset=utf-8"
		if h := file.CoreMetadata["sha256"]; h != "" {
			a.verifier = func() digestVerifier { return newSHA256Verifier(h) }
			a.cacheKey = sha256CacheKey(h)
		}
	} else if h := file.Hashes["sha256"]; h != "" {
		a.verifier = func() digestVerifier { return newSHA256Verifier(h) }
		a.cacheKey = sha256CacheKey(h)
	}
	if a.verifier == nil && !s.opts.PyPI.AllowMissingDigest {
		a.noDigest = fmt.Sprintf("the index gives no sha256 for %s, so it cannot be verified and was not served (pypi.require_digest)", path.Base(a.upstreamURL))
	}
	return s.streamArtifact(c.Response(), r, a)
}
