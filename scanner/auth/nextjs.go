package auth

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// Next.js API routes are files, not calls: pages/api/**/x.ts default-exports
// one handler for every method (it branches on req.method), and
// app/**/route.ts exports one function per method (GET, POST, …). A
// middleware.ts (proxy.ts since Next.js 16) that authenticates protects the
// routes its config.matcher matches (nextmatcher.go), all of them when it
// has none or it cannot be read.

// nextRouteKind tells how a file serves Next.js API routes.
type nextRouteKind int

const (
	notNextRoute nextRouteKind = iota
	nextPagesAPI
	nextAppRoute
)

var nextExtensions = map[string]bool{".js": true, ".jsx": true, ".ts": true, ".tsx": true, ".mjs": true}

// nextRouteOf returns the kind of Next.js route file p (a slash path) is and
// the URL path it serves: pages/api/users/[id].ts → /api/users/[id],
// app/(shop)/api/cart/route.ts → /api/cart.
func nextRouteOf(p string) (nextRouteKind, string) {
	ext := path.Ext(p)
	if !nextExtensions[ext] || strings.HasSuffix(p, ".d.ts") {
		return notNextRoute, ""
	}
	segs := strings.Split(strings.TrimSuffix(p, ext), "/")
	for i := len(segs) - 2; i >= 0; i-- {
		if segs[i] == "pages" && segs[i+1] == "api" {
			rest := segs[i+1:]
			if rest[len(rest)-1] == "index" {
				rest = rest[:len(rest)-1]
			}
			for _, s := range rest {
				if strings.HasPrefix(s, "_") {
					return notNextRoute, "" // _middleware, _utils: not routes
				}
			}
			return nextPagesAPI, "/" + strings.Join(rest, "/")
		}
	}
	if segs[len(segs)-1] != "route" {
		return notNextRoute, ""
	}
	i := slices.Index(segs, "app")
	if i < 0 {
		return notNextRoute, ""
	}
	for k := i + 1; k < len(segs)-1; k++ {
		if segs[k] == "app" && segs[k-1] == "src" {
			i = k // app/src/app/…: a project directory named app
			break
		}
	}
	var url []string
	for _, s := range segs[i+1 : len(segs)-1] {
		if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") || strings.HasPrefix(s, "@") || strings.HasPrefix(s, "_") {
			continue // route groups, parallel-route slots, private folders
		}
		url = append(url, s)
	}
	return nextAppRoute, "/" + strings.Join(url, "/")
}

// isNextMiddleware: middleware.ts (or Next.js 16's proxy.ts) at an
// application's root or in src/.
func isNextMiddleware(p string) bool {
	ext := path.Ext(p)
	if base := path.Base(strings.TrimSuffix(p, ext)); !nextExtensions[ext] || base != "middleware" && base != "proxy" {
		return false
	}
	dir := path.Dir(p)
	return !strings.Contains("/"+dir+"/", "/node_modules/") && !strings.Contains("/"+dir+"/", "/pages/") && !strings.Contains("/"+dir+"/", "/app/")
}

var (
	// nextAuthRE: what a Next.js handler or middleware calls to know its
	// caller (next-auth, Auth.js, Clerk, Supabase, iron-session, a project
	// helper named require*/ensure*/verify*User|Session|Auth…), or the 401
	// it answers without one.
	nextAuthRE       = regexp.MustCompile(`getServerSession\(|getSession\(|\bauth\(\)|getToken\(|getAuth\(|currentUser\(|\.auth\.get(?:User|Session)\(|getIronSession\(|withAuth\b|withApiAuthRequired|clerkMiddleware|authMiddleware|next-auth/middleware|\b(?:require|ensure|assert|verify|check|validate)\w*(?:User|Auth|Session|Login|Admin|Token)\w*\(|\bget(?:Current|Session|Auth|Logged)\w*\(|\.status\(\s*40[13]\s*\)|status:\s*40[13]\b|\bverify\w*Token\(|\bjwtVerify\(|\bjwt\.verify\(`)
	nextMiddlewareRE = regexp.MustCompile(`['"](?:next/server|next-auth[^'"]*|@clerk/nextjs[^'"]*|@auth/[^'"]*|@supabase/ssr)['"]|\bmatcher\s*:`)
	nextMethodRE     = regexp.MustCompile(`\bmethod\s*(?:===?|!==?)\s*['"](GET|POST|PUT|PATCH|DELETE)['"]|\bcase\s+['"](GET|POST|PUT|PATCH|DELETE)['"]`)
	nextWrapRE       = regexp.MustCompile(`export\s+default\s+([\w.]+)\s*\(`)
	nextMethods      = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true}
)

// nextRoutes records the routes a Next.js route file serves.
func (j *jsFile) nextRoutes(root node, kind nextRouteKind, url string) {
	switch kind {
	case nextPagesAPI:
		j.nextPagesRoute(root, url)
	case nextAppRoute:
		for _, st := range root.NamedChildren() {
			if st.Kind() != "export_statement" {
				continue
			}
			decl := st.Field("declaration")
			switch decl.Kind() {
			case "function_declaration":
				if name := decl.Field("name"); nextMethods[name.Text()] {
					j.nextRoute(decl, name, name.Text(), url, decl.Text())
				}
			case "lexical_declaration":
				for _, d := range decl.NamedChildren() {
					if name := d.Field("name"); d.Kind() == "variable_declarator" && nextMethods[name.Text()] {
						j.nextRoute(d, name, name.Text(), url, d.Text())
					}
				}
			}
		}
	}
}

// isUseServer: the module starts with the 'use server' directive.
func isUseServer(root node) bool {
	for i := 0; i < 64; i++ { // the directive comes first (after comments): no slice of every statement
		st := root.NamedChild(i)
		switch st.Kind() {
		case "comment":
		case "expression_statement":
			s, ok := jsStr(st.NamedChild(0))
			return ok && s == "use server"
		default:
			return false
		}
	}
	return false
}

// actionIDParamRE: a server action parameter naming the resource acted on.
var actionIDParamRE = regexp.MustCompile(`\b(?:id|\w+Id|\w+_id|\w+ID)\b`)

// nextServerActions records the exports of a 'use server' module: each is
// an endpoint any client can POST to (Next.js gives it an ID, whatever page
// imports it), judged on its own body as a route handler is. Its name
// says whether it updates or deletes; a parameter named like an id, that
// it acts on a resource the caller names.
func (j *jsFile) nextServerActions(root node) {
	action := func(at, name, fn node) {
		method := "POST"
		if m := methodFromName(name.Text()); m != "" {
			method = m
		} else if ws := words(name.Text()); len(ws) > 0 && hasWord(ws[:1], "get", "fetch", "list", "search", "find", "load", "read", "count") {
			method = "GET" // getPosts: a read, sensitive only by its words
		}
		params := fn.Field("parameters").Text() + fn.Field("parameter").Text()
		rt := j.nextRoute(at, name, method, "/"+name.Text(), at.Text())
		rt.handler = name.Text() + ", server action"
		rt.targetsID = actionIDParamRE.MatchString(params)
	}
	for _, st := range root.NamedChildren() {
		if st.Kind() != "export_statement" {
			continue
		}
		switch decl := st.Field("declaration"); decl.Kind() {
		case "function_declaration":
			action(decl, decl.Field("name"), decl)
		case "lexical_declaration":
			for _, d := range decl.NamedChildren() {
				if v := d.Field("value"); d.Kind() == "variable_declarator" && isJSFunc(v.Kind()) {
					action(d, d.Field("name"), v)
				}
			}
		}
	}
}

// nextPagesRoute: the default export handles every method; the methods it
// branches on tell which, and the whole file is its evidence (one endpoint
// per file).
func (j *jsFile) nextPagesRoute(root node, url string) {
	var at node
	for _, st := range root.NamedChildren() {
		if st.Kind() == "export_statement" && strings.HasPrefix(st.Text(), "export default") {
			at = st
		}
	}
	if at.IsNull() {
		return
	}
	name := at.Field("declaration").Field("name")
	if name.IsNull() {
		name = at
	}
	text := string(j.f.Content)
	var methods []string
	for _, m := range nextMethodRE.FindAllStringSubmatch(text, -1) {
		methods = append(methods, m[1]+m[2])
	}
	method := pickMethod(methods)
	rt := j.nextRoute(at, name, method, url, text)
	if m := nextWrapRE.FindStringSubmatch(at.Text()); m != nil {
		// export default withAuth(handler)
		if au, ro := classifyName(lastName(m[1])); au || ro {
			rt.auth, rt.role = true, rt.role || ro
		}
	}
}

// nextRoute records one route judged on body (the handler's text).
func (j *jsFile) nextRoute(at, name node, method, url, body string) *route {
	rt := route{framework: "next", file: j.f.Path, at: posOf(name), declAt: posOf(at), method: method, path: url,
		routerKey: j.mod + "#next", targetsID: strings.Contains(url, "[")}
	rt.handler = name.Text()
	if name.Kind() == "export_statement" {
		rt.handler = "default handler"
		rt.at = pos{at.Line(), at.Column(), at.Line(), at.Column() + len("export default")}
	}
	if method == "" {
		rt.handler += " (every method)"
	}
	rt.auth = nextAuthRE.MatchString(body) || j.bodyAuthRE().MatchString(body)
	rt.role = jsRoleEvidence(body)
	rt.owned = jsOwnerFieldRE.MatchString(body) && jsCurrentUserRE.MatchString(body)
	j.facts.routes = append(j.facts.routes, rt)
	if rt.auth {
		j.mechanism(at, "next.js handler")
	}
	return &j.facts.routes[len(j.facts.routes)-1]
}

// nextMiddleware: a middleware.ts that authenticates protects the
// application's routes its matcher matches.
func (j *jsFile) nextMiddleware(root node) {
	// an Express project's src/middleware.js is no Next.js middleware
	if !nextMiddlewareRE.Match(j.f.Content) || !nextAuthRE.Match(j.f.Content) {
		return
	}
	j.facts.nextMiddlewares = append(j.facts.nextMiddlewares, nextMiddlewareFact{file: j.f.Path, matcher: j.readNextMatcher(root),
		clerk: clerkGuardOf(string(j.f.Content))})
	j.facts.mechanisms = append(j.facts.mechanisms, j.f.Path)
}

// nextMiddlewareFact is an authenticating Next.js middleware.
type nextMiddlewareFact struct {
	file    string
	matcher *nextMatcher // nil: every path
	clerk   *clerkGuard  // clerkMiddleware's own opt-in protection; nil: not Clerk
}

// covers reports whether the middleware authenticates a route's URL path.
func (m nextMiddlewareFact) covers(url string) bool {
	return m.matcher.covers(url) && m.clerk.covers(url)
}
