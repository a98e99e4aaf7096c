package auth

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// route is one endpoint candidate, extracted into plain values.
type route struct {
	framework string // fastapi, flask, django, express, nest, next, trpc
	file      string
	test      bool
	at        pos    // the handler (AUTH-002: the ownership check goes there)
	declAt    pos    // the route declaration (AUTH-001), when it differs
	method    string // upper case; "" when unknown
	path      string
	handler   string
	// routerKey identifies the router/app/blueprint the route is declared
	// on: "module:var" (Python) or "jsmodule#var" (JS).
	routerKey string
	// handlerKey names a handler defined in another function or file
	// ("jsmodule#name"), judged in Finish.
	handlerKey string
	// foreignOwner: the app/router object comes from elsewhere (a function
	// parameter), so the middleware registered before it is unknown
	foreignOwner bool
	// deps are dependency names still to classify (FastAPI Depends targets,
	// Annotated alias types).
	deps []string
	// direct evidence found in the file
	auth, role, owned, public bool
	// misplacedAuth names an auth decorator placed above the route
	// decorator, which therefore registers the function without it
	misplacedAuth string
	// targetsID: the handler takes the identifier of the resource it acts
	// on from the request (an item_id parameter, a body model named *Id),
	// so a path without a parameter does not make it self-service.
	targetsID bool
}

// mount attaches a child router to a parent (include_router, app.use).
type mount struct {
	parent, child string
	childModule   string // Python: the imported module, matched by suffix
	childVar      string
	deps          []string
	auth, role    bool
	// prefix is the path the child is mounted at ("/admin"), "" if none
	// or unknown.
	prefix string
	file   string // where the mount is declared
}

// depFunc is a project function usable as a dependency.
type depFunc struct {
	file       string
	deps       []string
	auth, role bool
}

// aliasDef is `X = Annotated[T, Depends(f)]` in one file.
type aliasDef struct {
	file string
	deps []string
}

// djangoView is a view function or class.
type djangoView struct {
	file                string
	test                bool
	at                  pos
	name                string
	methods             []string
	drf                 bool
	auth, role, owned   bool
	public              bool // AllowAny, login_not_required
	explicitPermissions bool // permission_classes set on the view
	loginNotRequired    bool
	authenticatedOrRead bool
}

// djangoRef is a URL pattern pointing at a view.
type djangoRef struct {
	view       string
	path       string
	method     string // declared with the reference (Starlette's Route, aiohttp's add_post); "" = the view's own
	auth, role bool   // wrapped in login_required(...) etc.
}

// secretValue is a literal that may reach a signing sink.
type secretValue struct {
	file     string
	test     bool
	at       pos
	name     string
	value    string
	fallback bool // an environment variable's default
}

// secretRef is a signing sink fed by a name defined elsewhere.
type secretRef struct {
	file, sink string
	test       bool
	at         pos
	module     string // Python module or JS module key holding the name ("" = any settings object)
	name       string
}

// corsFinding waits for the project's authentication facts to set its
// severity (a `*` without credentials is medium with auth, info without).
type corsFinding struct {
	f   scanner.Finding
	dep bool // severity depends on the project having authentication
}

type facts struct {
	routes []route
	mounts []mount
	// aliases and depFuncs are keyed by name; a repository of several
	// applications may define get_current_user or CurrentUser in each,
	// so every definition is kept with its file.
	aliases     map[string][]aliasDef
	depFuncs    map[string][]depFunc
	routerAuth  map[string]bool // router keys protected in their own file (router-level deps, before_request)
	routerRole  map[string]bool
	jsExports   map[string]string      // jsmodule#default → jsmodule#var
	handlers    map[string]handlerSpan // jsmodule#function → where its body is (its evidence is judged in Finish)
	djangoViews map[string][]djangoView
	djangoRefs  []djangoRef
	// project-wide facts
	mechanisms      []string // files that set up authentication
	flaskGlobalAuth bool
	// globalAuthFiles set up authentication for their whole application
	// (auth middleware, an auth `@app.middleware("http")`, a pathless
	// app.use(auth)); routes whose registration order is unknown in that
	// application count as protected.
	globalAuthFiles []string
	// nextMiddlewares authenticate the Next.js routes their matcher
	// matches in their application
	nextMiddlewares []nextMiddlewareFact
	drfDefaultSet   bool
	drfDefaultAuth  bool
	drfDefaultRole  bool
	loginMiddleware bool
	nestGlobalGuard bool
	// frameworkAuthFiles set one of the framework-wide facts above
	// (DRF defaults, LoginRequiredMiddleware, a Flask before_request
	// check, a Nest global guard): they tell whether *their* application
	// has authentication, not a neighbouring one in the same repository.
	frameworkAuthFiles []string
	constants          map[string]secretValue // "module:name" (Python) / "jsmodule#name" (JS)
	settingsFields     map[string]secretValue // BaseSettings / config class fields by name
	secretRefs         []secretRef
	cors               []corsFinding
}

func newFacts() facts {
	return facts{
		aliases: map[string][]aliasDef{}, depFuncs: map[string][]depFunc{},
		routerAuth: map[string]bool{}, routerRole: map[string]bool{}, jsExports: map[string]string{}, handlers: map[string]handlerSpan{},
		djangoViews: map[string][]djangoView{}, constants: map[string]secretValue{}, settingsFields: map[string]secretValue{},
	}
}

func (d *facts) merge(s *facts) {
	d.routes = append(d.routes, s.routes...)
	d.mounts = append(d.mounts, s.mounts...)
	for k, v := range s.aliases {
		d.aliases[k] = append(d.aliases[k], v...)
	}
	for k, v := range s.depFuncs {
		d.depFuncs[k] = append(d.depFuncs[k], v...)
	}
	for k, v := range s.routerAuth {
		d.routerAuth[k] = d.routerAuth[k] || v
	}
	for k, v := range s.routerRole {
		d.routerRole[k] = d.routerRole[k] || v
	}
	for k, v := range s.jsExports {
		d.jsExports[k] = v
	}
	for k, v := range s.handlers {
		d.handlers[k] = v
	}
	for k, v := range s.djangoViews {
		d.djangoViews[k] = append(d.djangoViews[k], v...)
	}
	d.djangoRefs = append(d.djangoRefs, s.djangoRefs...)
	d.mechanisms = append(d.mechanisms, s.mechanisms...)
	d.flaskGlobalAuth = d.flaskGlobalAuth || s.flaskGlobalAuth
	d.globalAuthFiles = append(d.globalAuthFiles, s.globalAuthFiles...)
	d.nextMiddlewares = append(d.nextMiddlewares, s.nextMiddlewares...)
	if s.drfDefaultSet {
		d.drfDefaultSet = true
		d.drfDefaultAuth = d.drfDefaultAuth || s.drfDefaultAuth
		d.drfDefaultRole = d.drfDefaultRole || s.drfDefaultRole
	}
	d.loginMiddleware = d.loginMiddleware || s.loginMiddleware
	d.nestGlobalGuard = d.nestGlobalGuard || s.nestGlobalGuard
	d.frameworkAuthFiles = append(d.frameworkAuthFiles, s.frameworkAuthFiles...)
	for k, v := range s.constants {
		d.constants[k] = v
	}
	for k, v := range s.settingsFields {
		if o, ok := d.settingsFields[k]; !ok || v.file < o.file {
			d.settingsFields[k] = v
		}
	}
	d.secretRefs = append(d.secretRefs, s.secretRefs...)
	d.cors = append(d.cors, s.cors...)
}

// Finish resolves route candidates and cross-file secret references.
func (a *Analyzer) Finish(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fx := &a.facts
	r := &resolver{fx: fx, depMemo: map[string][2]bool{}, routerMemo: map[string][2]bool{}, sc: newScoper(p)}
	hj := &handlerJudge{p: p, files: map[string]handlerFile{}}
	var out []scanner.Finding

	routes := slices.Clone(fx.routes)
	routes = append(routes, r.djangoRoutes()...)
	// The inconsistency heuristic works per application: a repository of
	// several apps (examples/, services/) judges each on its own.
	sc := newScoper(p)
	// framework-wide authentication counts for the applications whose
	// scope contains the file that set it up, or that contain it
	frameworkScopes := map[string]bool{}
	for _, f := range fx.frameworkAuthFiles {
		frameworkScopes[sc.scope(f)] = true
	}
	globalFor := func(s string) bool {
		for fs := range frameworkScopes {
			if related(fs, s) {
				return true
			}
		}
		return false
	}
	scopeAuth := map[string]bool{}
	for _, m := range fx.mechanisms {
		scopeAuth[sc.scope(m)] = true
	}
	scopeGlobal := map[string]bool{}
	for _, m := range fx.globalAuthFiles {
		scopeGlobal[sc.scope(m)] = true
		scopeAuth[sc.scope(m)] = true
	}
	type judged struct {
		rt         route
		auth, role bool
	}
	var all []judged
	for _, rt := range routes {
		if scopeGlobal[sc.scope(rt.file)] && (rt.framework == "fastapi" || rt.framework == "flask" || rt.framework == "next" || rt.foreignOwner) {
			rt.auth = true
		}
		if rt.framework == "next" && !rt.auth {
			for _, mw := range fx.nextMiddlewares {
				if sc.scope(mw.file) == sc.scope(rt.file) && mw.covers(rt.path) {
					rt.auth = true
				}
			}
		}
		if span, ok := fx.handlers[rt.handlerKey]; ok && rt.handlerKey != "" {
			ev := hj.evidence(span)
			rt.auth, rt.role, rt.owned = rt.auth || ev[0], rt.role || ev[1], rt.owned || ev[2]
		}
		au, ro := r.routeEvidence(rt)
		if au {
			scopeAuth[sc.scope(rt.file)] = true
		}
		all = append(all, judged{rt, au, ro})
	}
	hasAuth := func(file string) bool { s := sc.scope(file); return globalFor(s) || scopeAuth[s] }
	unprotected := map[string][]route{}
	var scopes []string
	for _, j := range all {
		rt := j.rt
		// judge the path the route is served at: router.get('/') mounted
		// at '/admin' is an admin page
		full := joinPath(r.mountPrefix(rt.routerKey, 0), rt.path)
		if isPublicByDesign(rt.method, full, rt.handler) {
			continue
		}
		// an explicit opt-out (AllowAny, login_not_required) makes a route
		// public on purpose, except one that updates or deletes: a public
		// sign-up or contact form creates, it never edits or removes
		openedOnPurpose := rt.public && !isUpdateOrDelete(rt.method)
		if openedOnPurpose {
			continue
		}
		if !j.auth {
			if isSensitive(rt.method, full, rt.handler) {
				s := sc.scope(rt.file)
				if len(unprotected[s]) == 0 {
					scopes = append(scopes, s)
				}
				unprotected[s] = append(unprotected[s], rt)
			}
			continue
		}
		if !j.role && !rt.owned && isDestructive(rt.method, rt.path, rt.handler) && (rt.targetsID || !selfService(rt.path, rt.handler)) {
			out = append(out, routeFinding(ruleMissingAuthz, rt, scanner.High,
				fmt.Sprintf("%s %s (%s) authenticates the caller but checks no role, permission or ownership before changing the resource", methodOr(rt.method), displayPath(rt), rt.handler)))
		}
	}
	slices.Sort(scopes)
	for _, s := range scopes {
		list := unprotected[s]
		if globalFor(s) || scopeAuth[s] {
			for _, rt := range list {
				if rt.declAt.line > 0 {
					rt.at = rt.declAt
				}
				msg := fmt.Sprintf("%s %s (%s) has no authentication, while the project authenticates other routes", methodOr(rt.method), displayPath(rt), rt.handler)
				if rt.misplacedAuth != "" {
					msg = fmt.Sprintf("%s %s (%s) has no authentication: @%s sits above the route decorator, which registers the function before it is wrapped (the route decorator must be the outermost)", methodOr(rt.method), displayPath(rt), rt.handler, rt.misplacedAuth)
				}
				if rt.public {
					msg = fmt.Sprintf("%s %s (%s) is opened to anyone (AllowAny, login_not_required or a public procedure) although it changes or deletes data, while the project authenticates other routes", methodOr(rt.method), displayPath(rt), rt.handler)
				}
				out = append(out, routeFinding(ruleMissingAuth, rt, scanner.High, msg))
			}
			continue
		}
		// the project-level finding needs an endpoint that changes state
		if !slices.ContainsFunc(list, func(rt route) bool { return strongly(rt) }) {
			continue
		}
		slices.SortFunc(list, func(x, y route) int {
			return strings.Compare(fmt.Sprintf("%s:%09d", x.file, x.at.line), fmt.Sprintf("%s:%09d", y.file, y.at.line))
		})
		var names []string
		for i, rt := range list {
			if i == 3 {
				names = append(names, fmt.Sprintf("and %d more", len(list)-3))
				break
			}
			names = append(names, fmt.Sprintf("%s %s (%s:%d)", methodOr(rt.method), displayPath(rt), rt.file, rt.at.line))
		}
		where := "the project"
		if s != "" {
			where = "the application in " + s + "/"
		}
		out = append(out, scanner.Finding{Rule: ruleMissingAuth.ID, Severity: scanner.Medium,
			Message: fmt.Sprintf("%s has no authentication mechanism at all, and %d sensitive endpoint(s) are open: %s", where, len(list), strings.Join(names, ", "))})
	}

	for _, c := range fx.cors {
		f := c.f
		if c.dep && !hasAuth(f.Path) {
			f.Severity = scanner.Info
			f.Message += " (the project has no authentication, so this is informational)"
		}
		out = append(out, f)
	}
	out = append(out, a.resolveSecretRefs()...)
	return out, ctx.Err()
}

func methodOr(m string) string {
	if m == "" {
		return "route"
	}
	return m
}

func displayPath(rt route) string {
	if rt.path == "" {
		return "(path set elsewhere)"
	}
	return rt.path
}

func routeFinding(rule scanner.RuleInfo, rt route, sev scanner.Severity, msg string) scanner.Finding {
	if rt.test {
		sev = sev.Lower()
	}
	return scanner.Finding{Rule: rule.ID, Severity: sev, Path: rt.file, Line: rt.at.line, Column: rt.at.col,
		EndLine: rt.at.line, EndColumn: rt.at.col + 1, Message: msg}
}

type resolver struct {
	fx         *facts
	depMemo    map[string][2]bool
	routerMemo map[string][2]bool
	sc         *scoper
}

// inScope keeps the definitions made in the application of scope; when
// none is, all of them (the definition may live in a shared package).
func inScope[T any](r *resolver, defs []T, file func(T) string, scope string) []T {
	var out []T
	for _, d := range defs {
		if related(r.sc.scope(file(d)), scope) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return defs
	}
	return out
}

// depClass classifies a dependency name used in the application of scope:
// (authenticates, authorizes).
func (r *resolver) depClass(name string, depth int, scope string) (bool, bool) {
	key := scope + "|" + name
	if v, ok := r.depMemo[key]; ok {
		return v[0], v[1]
	}
	if depth > 6 {
		return false, false
	}
	r.depMemo[key] = [2]bool{} // cycle guard
	au, ro := false, false
	if isRoleName(name) {
		au, ro = true, true
	} else if isAuthName(name) {
		au = true
	}
	for _, a := range inScope(r, r.fx.aliases[name], func(a aliasDef) string { return a.file }, scope) {
		for _, d := range a.deps {
			x, y := r.depClass(d, depth+1, scope)
			au, ro = au || x, ro || y
		}
	}
	for _, df := range inScope(r, r.fx.depFuncs[name], func(d depFunc) string { return d.file }, scope) {
		au, ro = au || df.auth, ro || df.role
		for _, d := range df.deps {
			x, y := r.depClass(d, depth+1, scope)
			au, ro = au || x, ro || y
		}
	}
	r.depMemo[key] = [2]bool{au, ro}
	return au, ro
}

// depsClass classifies the dependencies of a route or mount declared in
// file.
func (r *resolver) depsClass(deps []string, file string) (bool, bool) {
	au, ro := false, false
	scope := ""
	if r.sc != nil {
		scope = r.sc.scope(file)
	}
	for _, d := range deps {
		x, y := r.depClass(d, 0, scope)
		au, ro = au || x, ro || y
	}
	return au, ro
}

// routerClass: is a router protected by its own dependencies or by any
// mount of it (transitively)?
func (r *resolver) routerClass(key string, depth int) (bool, bool) {
	if key == "" || depth > 8 {
		return false, false
	}
	if v, ok := r.routerMemo[key]; ok {
		return v[0], v[1]
	}
	r.routerMemo[key] = [2]bool{}
	au, ro := r.fx.routerAuth[key], r.fx.routerRole[key]
	for _, m := range r.fx.mounts {
		if !r.mountTargets(m, key) {
			continue
		}
		x, y := r.depsClass(m.deps, m.file)
		x, y = x || m.auth, y || m.role
		px, py := r.routerClass(m.parent, depth+1)
		au, ro = au || x || px, ro || y || py
	}
	r.routerMemo[key] = [2]bool{au, ro}
	return au, ro
}

// related reports whether two application scopes are the same or one
// contains the other ("" is the repository root).
func related(a, b string) bool {
	return a == b || a == "" || b == "" || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}

// mountPrefix is the path prefix a router is served under: the prefixes
// of the first mount chain that reaches it, outermost first.
func (r *resolver) mountPrefix(key string, depth int) string {
	if key == "" || depth > 8 {
		return ""
	}
	for _, m := range r.fx.mounts {
		if r.mountTargets(m, key) {
			return joinPath(r.mountPrefix(m.parent, depth+1), m.prefix)
		}
	}
	return ""
}

// joinPath joins a mount prefix and a route path ("/admin" + "/" =
// "/admin/").
func joinPath(prefix, p string) string {
	if prefix == "" || prefix == "/" {
		return p
	}
	return strings.TrimSuffix(prefix, "/") + "/" + strings.TrimPrefix(p, "/")
}

func (r *resolver) mountTargets(m mount, key string) bool {
	if m.child == key {
		return true
	}
	if m.childModule != "" {
		mod, v, ok := strings.Cut(key, ":")
		return ok && v == m.childVar && moduleMatches(mod, m.childModule)
	}
	// JS default exports: jsmodule#default → jsmodule#var
	if exp, ok := r.fx.jsExports[m.child]; ok && exp == key {
		return true
	}
	return false
}

func (r *resolver) routeEvidence(rt route) (bool, bool) {
	au, ro := rt.auth || rt.role, rt.role // checking a role or the owner needs a caller
	x, y := r.depsClass(rt.deps, rt.file)
	au, ro = au || x, ro || y
	x, y = r.routerClass(rt.routerKey, 0)
	au, ro = au || x, ro || y
	if rt.framework == "flask" && r.fx.flaskGlobalAuth {
		au = true
	}
	if rt.framework == "nest" && r.fx.nestGlobalGuard {
		au = true
	}
	return au, ro
}

// djangoRoutes turns URL references into routes judged on their views.
func (r *resolver) djangoRoutes() []route {
	var out []route
	seen := map[string]bool{}
	for _, ref := range r.fx.djangoRefs {
		views := r.fx.djangoViews[ref.view]
		for _, v := range views {
			key := fmt.Sprintf("%s:%d", v.file, v.at.line)
			if seen[key] {
				continue
			}
			seen[key] = true
			rt := route{framework: "django", file: v.file, test: v.test, at: v.at, path: ref.path, handler: v.name,
				auth: v.auth || ref.auth, role: v.role || ref.role, owned: v.owned, public: v.public}
			if r.fx.loginMiddleware && !v.loginNotRequired {
				rt.auth = true
			}
			if v.drf && !v.explicitPermissions && r.fx.drfDefaultSet {
				rt.auth = rt.auth || r.fx.drfDefaultAuth
				rt.role = rt.role || r.fx.drfDefaultRole
			}
			rt.method = pickMethod(v.methods)
			if ref.method != "" {
				rt.method = ref.method
			}
			if v.authenticatedOrRead && isStateChanging(rt.method) {
				rt.auth = true
			}
			out = append(out, rt)
		}
	}
	return out
}

// pickMethod chooses the method a multi-method view is judged by: the most
// destructive one it accepts.
func pickMethod(ms []string) string {
	for _, want := range []string{"DELETE", "PUT", "PATCH", "POST"} {
		if slices.Contains(ms, want) {
			return want
		}
	}
	if len(ms) > 0 {
		return ms[0]
	}
	return ""
}

// scoper maps a file onto its application: the nearest directory holding a
// manifest, else the nearest holding an entry point, else the root.
type scoper struct {
	p     *scanner.Project
	cache map[string]string
}

func newScoper(p *scanner.Project) *scoper { return &scoper{p: p, cache: map[string]string{}} }

var (
	manifestFiles = []string{"package.json", "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "manage.py"}
	entryFiles    = []string{"index.js", "app.js", "server.js", "main.js", "index.ts", "app.ts", "server.ts", "main.ts", "app.py", "main.py", "wsgi.py", "asgi.py", "manage.py"}
)

func (s *scoper) scope(file string) string {
	dir := path.Dir(file)
	if v, ok := s.cache[dir]; ok {
		return v
	}
	v := s.find(dir, manifestFiles)
	if v == "" {
		v = s.find(dir, entryFiles)
	}
	s.cache[dir] = v
	return v
}

func (s *scoper) find(dir string, names []string) string {
	if s.p == nil {
		return ""
	}
	for d := dir; d != "." && d != "/" && d != ""; d = path.Dir(d) {
		for _, n := range names {
			if s.p.HasFile(d + "/" + n) {
				return d
			}
		}
	}
	return ""
}

// strongly sensitive: a DELETE/PUT/PATCH, or a POST with sensitive
// words: an app without any authentication that only serves reads (or a
// contact form) is public by design.
func strongly(rt route) bool {
	switch rt.method {
	case "DELETE", "PUT", "PATCH":
		return true
	case "POST", "":
		return isSensitive("", rt.path, rt.handler)
	case "GET":
		// a GET that deletes (/listing_delete/<id>) changes state too, and
		// any page can trigger it with an <img> tag
		ws := append(wordsOfPath(rt.path), words(rt.handler)...)
		return hasWord(ws, "delete", "remove", "destroy", "purge", "drop", "erase", "wipe")
	}
	return false
}
