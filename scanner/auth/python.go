package auth

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/prefilter"
)

// pyFile analyzes one Python file.
type pyFile struct {
	a     *Analyzer
	f     *scanner.File
	facts *facts

	mod     string
	pkg     string
	imports map[string]string // local name → qualified dotted name
	consts  map[string]node   // module-level name → value
	funcs   map[string]node   // module-level function name → definition
	web     string            // fastapi, flask, django, starlette or "" (from imports)
	// callRoutes: the framework also declares routes by call, naming a
	// module-level handler (Starlette's Route("/x", handler), aiohttp's
	// router.add_post("/x", handler)); such handlers are kept as views
	callRoutes bool
	tornado    bool // tornado imported: RequestHandler classes are routes
	aiohttp    bool // aiohttp imported: web.View classes are routes
	sanic      bool // sanic imported: HTTPMethodView classes are routes
	// classGuards: the handler classes whose prepare() (Tornado) or
	// decorators list (Flask), their own or a base class's in this file,
	// authenticates [0] or checks a role [1]
	classGuards  map[string][2]bool
	classURLs    map[string]string // handler class → the URL pattern the file maps to it
	isSettings   bool              // a Django settings module
	out          []scanner.Finding
	reportedDefs map[int]bool // AUTH-004 definitions already reported (by line)
}

func (p *pyFile) run() []scanner.Finding {
	root := p.f.Tree.Root()
	p.mod = moduleOf(p.f.Path)
	p.pkg = p.mod
	if path.Base(p.f.Path) != "__init__.py" {
		if i := strings.LastIndexByte(p.mod, '.'); i >= 0 {
			p.pkg = p.mod[:i]
		} else {
			p.pkg = ""
		}
	}
	p.imports = map[string]string{}
	p.consts = map[string]node{}
	p.funcs = map[string]node{}
	p.reportedDefs = map[int]bool{}
	p.collectImports(root)
	p.collectTopLevel(root)
	root.Walk(func(n node) bool {
		switch n.Kind() {
		case "string", "concatenated_string", "comment", "identifier", "integer", "float", "import_statement", "import_from_statement",
			"type", "parameters", "dotted_name", "true", "false", "none", "pass_statement":
			return false
		case "call":
			p.call(n)
		case "decorated_definition":
			p.decorated(n)
		case "function_definition":
			if n.Parent().Kind() != "decorated_definition" {
				p.function(n, nil)
			}
		case "class_definition":
			if n.Parent().Kind() != "decorated_definition" {
				p.class(n, nil)
			}
		case "comparison_operator":
			p.compare(n)
		case "assignment":
			p.assignment(n)
		case "type_alias_statement":
			if ts := n.NamedChildren(); len(ts) == 2 {
				p.alias(ts[0].Text(), ts[1])
			}
		}
		return true
	})
	return p.out
}

func (p *pyFile) collectImports(root node) {
	root.Walk(func(n node) bool {
		switch n.Kind() {
		case "import_statement":
			for _, c := range n.NamedChildren() {
				switch c.Kind() {
				case "dotted_name":
					first, _, _ := strings.Cut(c.Text(), ".")
					p.imports[first] = first
				case "aliased_import":
					p.imports[c.Field("alias").Text()] = c.Field("name").Text()
				}
			}
			return false
		case "import_from_statement":
			modNode := n.Field("module_name")
			mod := modNode.Text()
			if modNode.Kind() == "relative_import" {
				mod = p.resolveRelative(mod)
			}
			for i := 0; i < n.ChildCount(); i++ {
				if n.FieldNameOfChild(i) != "name" {
					continue
				}
				c := n.Child(i)
				switch c.Kind() {
				case "dotted_name":
					p.imports[c.Text()] = joinMod(mod, c.Text())
				case "aliased_import":
					p.imports[c.Field("alias").Text()] = joinMod(mod, c.Field("name").Text())
				}
			}
			p.noteFramework(mod)
			return false
		}
		// imports are statements: never descend into expressions
		k := n.Kind()
		return k == "module" || k == "block" || strings.HasSuffix(k, "_statement") || strings.HasSuffix(k, "_definition") || strings.HasSuffix(k, "_clause")
	})
	for _, q := range p.imports {
		p.noteFramework(q)
	}
}

func joinMod(mod, name string) string {
	if mod == "" {
		return name
	}
	if strings.HasSuffix(mod, ".") {
		return mod + name
	}
	return mod + "." + name
}

// resolveRelative turns ".x" / "..x" into an absolute module name.
func (p *pyFile) resolveRelative(rel string) string {
	dots := len(rel) - len(strings.TrimLeft(rel, "."))
	base := p.pkg
	for i := 1; i < dots; i++ {
		if j := strings.LastIndexByte(base, '.'); j >= 0 {
			base = base[:j]
		} else {
			base = ""
		}
	}
	rest := rel[dots:]
	switch {
	case base == "":
		return rest
	case rest == "":
		return base
	}
	return base + "." + rest
}

func (p *pyFile) noteFramework(mod string) {
	top, _, _ := strings.Cut(mod, ".")
	switch top {
	case "fastapi":
		p.web = "fastapi"
	case "starlette":
		if p.web == "" {
			p.web = "starlette"
		}
		p.callRoutes = true
	case "tornado":
		if p.web == "" || p.web == "starlette" {
			p.web = "flask" // request hooks and decorators as Flask's
		}
		p.tornado = true
	case "flask", "quart", "sanic", "aiohttp", "litestar":
		// Sanic, aiohttp's RouteTableDef and Litestar declare routes
		// with decorators read as Flask's (@bp.delete("/x/<id:int>"),
		// @routes.post("/x"), @post("/x", guards=[…]))
		if p.web == "" || p.web == "starlette" {
			p.web = "flask"
		}
		p.callRoutes = p.callRoutes || top == "aiohttp" || top == "sanic"
		p.aiohttp = p.aiohttp || top == "aiohttp"
		p.sanic = p.sanic || top == "sanic"
	case "django", "rest_framework":
		if p.web == "" {
			p.web = "django"
		}
	}
}

// qualify resolves the first segment of a dotted name through the imports;
// ok is false when it is not imported.
func (p *pyFile) qualify(d string) (string, bool) {
	first, rest, hasRest := strings.Cut(d, ".")
	q, ok := p.imports[first]
	if !ok {
		return d, false
	}
	if hasRest {
		return q + "." + rest, true
	}
	return q, true
}

func (p *pyFile) collectTopLevel(root node) {
	for _, st := range root.NamedChildren() {
		if st.Kind() == "decorated_definition" {
			st = st.Field("definition")
		}
		switch st.Kind() {
		case "function_definition":
			p.funcs[st.Field("name").Text()] = st
		case "expression_statement":
			as := st.NamedChild(0)
			if as.Kind() != "assignment" {
				continue
			}
			left := as.Field("left")
			if left.Kind() == "identifier" && !as.Field("right").IsNull() {
				name := left.Text()
				p.consts[name] = as.Field("right")
				switch name {
				case "INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE", "WSGI_APPLICATION":
					p.isSettings = true
				}
				if v, ok := p.secretValueOf(as.Field("right"), 0); ok && secretishName(name) {
					v.name = name
					p.facts.constants[p.mod+":"+name] = v
				}
			}
		}
	}
	base := path.Base(p.f.Path)
	if strings.HasPrefix(base, "settings") || strings.Contains(p.f.Path, "/settings/") {
		if _, ok := p.consts["SECRET_KEY"]; ok && p.web == "" {
			p.isSettings = true
		}
	}
}

// secretishName: names that may hold signing secrets.
func secretishName(name string) bool {
	ws := words(name)
	return hasWord(ws, "secret", "key", "jwt", "signing", "private", "token", "salt", "pass", "password", "passphrase", "hmac")
}

// secretValueOf evaluates an expression into a hardcoded secret: a literal,
// or a literal fallback of an environment lookup; depth allows one hop
// through a module constant.
func (p *pyFile) secretValueOf(n node, depth int) (secretValue, bool) {
	if s, ok := pyStr(n); ok {
		if !usableSecret(s) {
			return secretValue{}, false
		}
		return secretValue{file: p.f.Path, test: p.f.Test, at: posOf(n), value: s}, true
	}
	switch n.Kind() {
	case "call":
		callee := calleeName(n)
		last := lastName(callee)
		pos, kw := pyArgs(n)
		switch f := n.Field("function"); {
		case f.Kind() == "attribute" && f.Field("attribute").Text() == "encode" && f.Field("object").Kind() == "string":
			return p.secretValueOf(f.Field("object"), depth) // "secret".encode()
		case last == "b64decode" || last == "urlsafe_b64decode" || last == "fromhex" || last == "unhexlify":
			if len(pos) == 1 {
				return p.secretValueOf(pos[0], depth)
			}
		}
		if last == "Field" {
			if d, ok := kw["default"]; ok {
				return p.secretValueOf(d, depth)
			}
			if len(pos) >= 1 {
				return p.secretValueOf(pos[0], depth)
			}
		}
	case "identifier":
		if depth == 0 {
			if v, ok := p.consts[n.Text()]; ok {
				sv, ok := p.secretValueOf(v, 1)
				if ok {
					sv.name = n.Text()
				}
				return sv, ok
			}
		}
	}
	return secretValue{}, false
}

// secretSink reports a signing sink's key expression: a literal or one hop
// (same-file constant now, other modules and settings objects in Finish).
func (p *pyFile) secretSink(key node, sink string) {
	if key.IsNull() {
		return
	}
	if v, ok := p.secretValueOf(key, 0); ok {
		if v.name != "" {
			// reported once at the definition
			if p.reportedDefs[v.at.line] {
				return
			}
			p.reportedDefs[v.at.line] = true
			p.out = append(p.out, p.a.secretFinding(p.f.Path, p.f.Test, v.at, sink, v))
			return
		}
		p.out = append(p.out, p.a.secretFinding(p.f.Path, p.f.Test, posOf(key), sink, v))
		return
	}
	d := dotted(key)
	if d == "" {
		return
	}
	first, rest, dottedName := strings.Cut(d, ".")
	q, imported := p.qualify(d)
	ref := secretRef{file: p.f.Path, test: p.f.Test, at: posOf(key), sink: sink}
	switch {
	case !dottedName && imported:
		i := strings.LastIndexByte(q, '.')
		if i < 0 {
			return
		}
		ref.module, ref.name = q[:i], q[i+1:]
	case dottedName && strings.Contains(rest, "."):
		return
	case dottedName:
		if q == "django.conf.settings."+rest {
			return // Django's SECRET_KEY is reported in the settings module
		}
		if imported && !strings.HasSuffix(q, ".settings."+rest) && !strings.HasSuffix(q, ".config."+rest) {
			// an imported module's constant, or an imported settings object
			mod := strings.TrimSuffix(q, "."+rest)
			ref.module, ref.name = mod, rest
			if strings.Contains(strings.ToLower(first), "settings") || strings.Contains(strings.ToLower(first), "config") {
				ref.module = mod
			}
		} else {
			ref.name = rest
			if imported {
				ref.module = strings.TrimSuffix(q, "."+rest)
			}
		}
		if ref.module != "" {
			// either a module constant or a field of a settings object
			p.facts.secretRefs = append(p.facts.secretRefs, ref)
			ref.module = "*settings"
		}
	default:
		return
	}
	p.facts.secretRefs = append(p.facts.secretRefs, ref)
}

var jwtModules = []string{"jwt", "jose.jwt", "authlib.jose.jwt", "jwt.api_jwt"}

// jwtCall reports whether a callee, qualified by its imports (q), is
// PyJWT/python-jose/authlib's fn.
func jwtCall(q string, imported bool, fn string) (lib string, ok bool) {
	if !imported {
		return "", false
	}
	for _, m := range jwtModules {
		if q == m+"."+fn {
			return m, true
		}
	}
	return "", false
}

func (p *pyFile) call(n node) {
	callee := calleeName(n)
	if f := n.Field("function"); callee == "" && f.Kind() == "subscript" {
		callee = dotted(f.Field("value")) // JWTAuth[User](…)
	}
	if callee == "" {
		return
	}
	last := lastName(callee)
	pos, kw := pyArgs(n)
	arg := func(i int, name string) node {
		if v, ok := kw[name]; ok {
			return v
		}
		if i < len(pos) {
			return pos[i]
		}
		return node{}
	}
	q, imported := p.qualify(callee)
	if lib, ok := jwtCall(q, imported, "encode"); ok {
		payload, key := arg(0, "payload"), arg(1, "key")
		if lib == "authlib.jose.jwt" {
			payload, key = arg(1, "payload"), arg(2, "key")
		}
		p.secretSink(key, "jwt.encode")
		p.jwtPayload(n, payload)
		return
	}
	if _, ok := jwtCall(q, imported, "decode"); ok {
		key := arg(1, "key")
		if _, ok := pyStr(key); ok {
			// a verification key named elsewhere is the signing key,
			// reported where tokens are signed
			p.secretSink(key, "jwt.decode")
		}
		p.jwtDecode(n, key, kw)
		return
	}
	switch {
	case imported && strings.HasPrefix(q, "flask_jwt_extended.") && (last == "create_access_token"):
		if v, ok := kw["expires_delta"]; ok && v.Kind() == "false" {
			p.add(ruleTokenLifetime, scanner.Medium, v, "create_access_token(expires_delta=False) issues an access token that never expires")
		}
	case imported && strings.HasPrefix(q, "itsdangerous.") && (strings.HasSuffix(last, "Serializer") || strings.HasSuffix(last, "Signer")):
		p.secretSink(arg(0, "secret_key"), last)
	case last == "add_middleware" || last == "Middleware":
		if len(pos) > 0 {
			mw := lastName(dotted(pos[0]))
			switch mw {
			case "CORSMiddleware":
				p.starletteCORS(n, kw)
			case "SessionMiddleware":
				p.secretSink(kw["secret_key"], "SessionMiddleware")
				if v, ok := kw["https_only"]; !ok || v.Kind() == "false" {
					p.add(ruleCookie, scanner.Medium, n, "Starlette's SessionMiddleware sets the session cookie without Secure (https_only defaults to False)")
				}
			default:
				if isAuthName(mw) && !p.f.Test {
					p.facts.globalAuthFiles = append(p.facts.globalAuthFiles, p.f.Path)
				}
			}
		}
	case (last == "CORS" || last == "cross_origin") && imported && strings.HasPrefix(q, "flask_cors"):
		p.flaskCORS(n, kw)
	case last == "set_cookie" || last == "set_signed_cookie" || last == "set_secure_cookie":
		// Tornado's signed cookie is the one get_current_user reads: the
		// login, whatever it is called
		p.setCookie(n, pos, kw, p.tornado && last != "set_cookie")
	case last == "update" || last == "from_mapping":
		if strings.HasSuffix(callee, "config.update") || strings.HasSuffix(callee, "config.from_mapping") {
			for k, v := range kw {
				p.configValue(k, v)
			}
		}
	case last == "include_router":
		p.includeRouter(n, pos, kw)
	case last == "APIRouter" || last == "FastAPI":
		// handled at the assignment (needs the variable name)
	case last == "register" && len(pos) >= 2:
		v := lastName(dotted(pos[1]))
		if strings.HasSuffix(v, "ViewSet") || strings.HasSuffix(v, "View") {
			pth, _ := pyStr(pos[0])
			if strings.HasSuffix(v, "ViewSet") {
				pth = strings.TrimSuffix(pth, "/") + "/{pk}" // routers add detail routes
			}
			p.facts.djangoRefs = append(p.facts.djangoRefs, djangoRef{view: v, path: pth})
		}
	case last == "path" || last == "re_path" || last == "url":
		if p.web == "django" || p.consts["urlpatterns"].Kind() != "" {
			p.djangoURL(pos, kw)
		}
	case last == "before_request" && len(pos) == 1:
		p.beforeRequest(dotted(n.Field("function").Field("object")), dotted(pos[0]))
	case imported && strings.HasPrefix(q, "litestar") && last == "Litestar" && !p.f.Test:
		// Litestar(route_handlers=[…], guards=[requires_login]): the
		// application's guards run before every handler
		for _, g := range kw["guards"].NamedChildren() {
			if au, _ := classifyName(lastName(dotted(g))); au {
				p.mechanism(n, "litestar guards")
				p.facts.globalAuthFiles = append(p.facts.globalAuthFiles, p.f.Path)
				break
			}
		}
	case imported && strings.HasPrefix(q, "litestar") && last == "Router":
		p.litestarRouter(n, pos, kw)
	case imported && strings.HasPrefix(q, "litestar") && last == "CORSConfig":
		p.starletteCORS(n, kw)
	case imported && strings.HasPrefix(q, "litestar") && (last == "JWTAuth" || last == "JWTCookieAuth" || last == "SessionAuth" || last == "OAuth2PasswordBearerAuth"):
		// Litestar's auth backends guard every route but their exclude list
		p.mechanism(n, last)
		if !p.f.Test {
			p.facts.globalAuthFiles = append(p.facts.globalAuthFiles, p.f.Path)
		}
		p.secretSink(kw["token_secret"], last)
	case imported && strings.HasPrefix(q, "aiohttp") && last == "Application":
		// web.Application(middlewares=[auth_middleware])
		for _, m := range kw["middlewares"].NamedChildren() {
			if isAuthName(lastName(dotted(m))) && !p.f.Test {
				p.facts.globalAuthFiles = append(p.facts.globalAuthFiles, p.f.Path)
				p.mechanism(n, "aiohttp middleware")
			}
		}
	case p.callRoutes && (strings.HasPrefix(last, "add_") || last == "Route" || strings.HasSuffix(callee, "web."+last)):
		p.callRoute(last, pos, kw)
	}
	switch last {
	case "OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "HTTPBearer", "HTTPBasic", "APIKeyHeader", "APIKeyCookie", "APIKeyQuery",
		"LoginManager", "JWTManager", "HTTPBasicAuth", "HTTPTokenAuth", "MultiAuth", "FastAPIUsers", "OpenIdConnect", "Security":
		p.mechanism(n, last)
	}
}

func (p *pyFile) mechanism(n node, what string) {
	if p.f.Test {
		return
	}
	_, _ = n, what
	p.facts.mechanisms = append(p.facts.mechanisms, p.f.Path)
}

func (p *pyFile) add(rule scanner.RuleInfo, sev scanner.Severity, n node, msg string) {
	if p.f.Test {
		sev = sev.Lower()
	}
	p.out = append(p.out, p.a.finding(p.f, rule, sev, posOf(n), msg))
}

// ---- AUTH-003 ----

var pyExpRE = regexp.MustCompile(`["']exp["']|\bexp\s*=|\["exp"\]|\['exp'\]`)

func (p *pyFile) refreshContext(n node) bool {
	fn := enclosing(n, "function_definition")
	ctx := fn.Field("name").Text()
	if st := enclosing(n, "expression_statement", "return_statement"); !st.IsNull() {
		ctx += " " + st.Text()
	}
	return hasWord(words(ctx), "refresh")
}

func (p *pyFile) jwtPayload(call, payload node) {
	if payload.IsNull() || p.refreshContext(call) {
		return
	}
	fn := enclosing(call, "function_definition")
	scope := fn
	if scope.IsNull() {
		scope = p.f.Tree.Root()
	}
	var items map[string]node
	switch payload.Kind() {
	case "dictionary", "call":
		m, ok := pyDictItems(payload)
		if !ok {
			return
		}
		items = m
	case "identifier":
		// the payload variable must be built in this function from a
		// literal (or a copy), not received from the caller
		built := false
		name := payload.Text()
		scope.Walk(func(n node) bool {
			if n.Kind() == "assignment" && n.Field("left").Text() == name && n.StartByte() < call.StartByte() {
				r := n.Field("right")
				switch {
				case r.Kind() == "dictionary", r.Kind() == "call" && (calleeName(r) == "dict" || strings.HasSuffix(calleeName(r), ".copy")):
					built = true
					if m, ok := pyDictItems(r); ok {
						items = m
					}
				}
			}
			return true
		})
		if !built {
			return
		}
		if pyExpRE.MatchString(scope.Text()) {
			items = nil
			p.lifetimeIn(scope, call)
			return
		}
	default:
		return
	}
	if items != nil {
		if v, ok := items["exp"]; ok {
			if v.Kind() == "identifier" {
				v = scope
			}
			p.lifetimeIn(v, call)
			return
		}
		if payload.Kind() != "identifier" && pyExpRE.MatchString(scope.Text()) {
			return
		}
	}
	p.add(ruleTokenLifetime, scanner.Medium, call, "jwt.encode issues a token without an \"exp\" claim: it never expires")
}

// lifetimeIn finds timedelta(...) in the expiry expression (or, for a
// payload built in steps, in an assignment to an exp/expire variable).
func (p *pyFile) lifetimeIn(scope node, call node) {
	scope.Walk(func(n node) bool {
		if n.Kind() != "call" || lastName(calleeName(n)) != "timedelta" {
			return true
		}
		if scope.Kind() == "function_definition" || scope.Kind() == "module" {
			as := enclosing(n, "assignment", "pair", "keyword_argument")
			target := as.Field("left").Text() + as.Field("key").Text() + as.Field("name").Text()
			if !hasPrefixWord(words(target), "exp") {
				return false
			}
		}
		if d, ok := pyTimedelta(n); ok && d > p.a.maxLifetime {
			p.add(ruleTokenLifetime, scanner.Medium, n, fmt.Sprintf("access token lifetime %s is above the %s maximum", fmtDuration(d), fmtDuration(p.a.maxLifetime)))
		}
		return false
	})
}

func (p *pyFile) jwtDecode(call, key node, kw map[string]node) {
	sigOff := false
	if opts, ok := kw["options"]; ok {
		if m, ok := pyDictItems(p.deref(opts)); ok {
			if v, ok := m["verify_signature"]; ok && v.Kind() == "false" {
				sigOff = true
				p.add(ruleTokenLifetime, scanner.Medium, v, "jwt.decode with verify_signature False accepts forged tokens")
			}
			if v, ok := m["verify_exp"]; ok && v.Kind() == "false" {
				p.add(ruleTokenLifetime, scanner.Medium, v, "jwt.decode with verify_exp False accepts expired tokens")
			}
		}
	}
	if v, ok := kw["verify"]; ok && v.Kind() == "false" {
		sigOff = true
		p.add(ruleTokenLifetime, scanner.Medium, v, "jwt.decode(verify=False) accepts forged tokens")
	}
	if sigOff {
		return
	}
	if key.IsNull() {
		p.add(ruleTokenLifetime, scanner.Medium, call, "jwt.decode without a key does not verify the signature")
		return
	}
	algs, ok := kw["algorithms"]
	if !ok {
		p.add(ruleTokenLifetime, scanner.Medium, call, "jwt.decode without algorithms=[...] does not pin the accepted algorithms")
		return
	}
	if strings.Contains(strings.ToLower(algs.Text()), `"none"`) || strings.Contains(strings.ToLower(algs.Text()), `'none'`) {
		p.add(ruleTokenLifetime, scanner.Medium, algs, "jwt.decode accepts the \"none\" algorithm (unsigned tokens)")
	}
}

// deref follows a name to its same-file module-level value.
func (p *pyFile) deref(n node) node {
	if n.Kind() == "identifier" {
		if v, ok := p.consts[n.Text()]; ok {
			return v
		}
	}
	return n
}

// configValue judges a configuration key/value (settings module, Flask
// app.config, config classes).
func (p *pyFile) configValue(name string, v node) {
	switch name {
	case "SECRET_KEY", "JWT_SECRET_KEY":
		p.secretSink(v, name)
	case "JWT_ACCESS_TOKEN_EXPIRES":
		if v.Kind() == "false" {
			p.add(ruleTokenLifetime, scanner.Medium, v, "JWT_ACCESS_TOKEN_EXPIRES = False: access tokens never expire")
		} else if d, ok := pyDuration(p.deref(v), "seconds"); ok && d > p.a.maxLifetime {
			p.add(ruleTokenLifetime, scanner.Medium, v, fmt.Sprintf("JWT_ACCESS_TOKEN_EXPIRES is %s, above the %s maximum", fmtDuration(d), fmtDuration(p.a.maxLifetime)))
		}
	case "SIMPLE_JWT":
		if m, ok := pyDictItems(v); ok {
			if lt, ok := m["ACCESS_TOKEN_LIFETIME"]; ok {
				if d, ok := pyDuration(lt, "seconds"); ok && d > p.a.maxLifetime {
					p.add(ruleTokenLifetime, scanner.Medium, lt, fmt.Sprintf("SIMPLE_JWT ACCESS_TOKEN_LIFETIME is %s, above the %s maximum", fmtDuration(d), fmtDuration(p.a.maxLifetime)))
				}
			}
		}
	case "SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "JWT_COOKIE_SECURE":
		p.cookieSetting(name, v, "Secure")
	case "SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY":
		p.cookieSetting(name, v, "HttpOnly")
	case "SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE":
		if v.Kind() == "none" || v.Kind() == "false" {
			p.add(ruleCookie, scanner.Medium, v, name+" is off: the session cookie is sent on cross-site requests (SameSite missing)")
		}
	default:
		if unit, ok := tokenLifetimeSetting(name); ok {
			if d, ok := pyDuration(p.deref(v), unit); ok && d > p.a.maxLifetime {
				p.add(ruleTokenLifetime, scanner.Medium, v, fmt.Sprintf("%s sets an access-token lifetime of %s, above the %s maximum", name, fmtDuration(d), fmtDuration(p.a.maxLifetime)))
			}
		}
	}
}

var debugGateRE = regexp.MustCompile(`(?i)debug|\bdev\b|develop|local|testing|environment|\benv\b|production|\bprod\b|is_prod|https|scheme|is_secure`)

func (p *pyFile) cookieSetting(name string, v node, attr string) {
	switch {
	case v.Kind() == "false":
		p.add(ruleCookie, scanner.Medium, v, fmt.Sprintf("%s = False: the session cookie is set without %s", name, attr))
	case attr == "Secure" && v.Kind() != "true" && debugGateRE.MatchString(v.Text()):
		p.add(ruleCookie, scanner.Info, v, fmt.Sprintf("%s depends on a debug/environment flag: make sure production sets Secure", name))
	}
}

// ---- AUTH-005 ----

var evilOrigins = []string{"https://attacker.example", "http://evil.test", "null"}

func (p *pyFile) stringList(n node) ([]string, bool) {
	n = p.deref(n)
	if s, ok := pyStr(n); ok {
		return []string{s}, true
	}
	switch n.Kind() {
	case "list", "tuple", "set":
		var out []string
		for _, c := range n.NamedChildren() {
			if s, ok := pyStr(c); ok {
				out = append(out, s)
			}
		}
		return out, true
	}
	return nil, false
}

func (p *pyFile) starletteCORS(n node, kw map[string]node) {
	creds := kw["allow_credentials"].Kind() == "true"
	origins, _ := p.stringList(kw["allow_origins"])
	at := n
	if v, ok := kw["allow_origins"]; ok {
		at = v
	}
	p.judgeOrigins(at, "CORSMiddleware", origins, creds, true)
	if re, ok := kw["allow_origin_regex"]; ok {
		if s, ok := pyStr(p.deref(re)); ok && regexMatchesAny(s, true) {
			p.corsFinding(re, creds, "CORSMiddleware allow_origin_regex matches any origin")
		}
	}
}

// judgeOrigins applies the framework's semantics: reflectsWithCreds says
// whether "*" plus credentials echoes the Origin (Starlette, Flask-CORS).
func (p *pyFile) judgeOrigins(n node, what string, origins []string, creds, reflectsWithCreds bool) {
	for _, o := range origins {
		switch strings.TrimSpace(o) {
		case "*":
			if creds && reflectsWithCreds {
				p.corsFinding(n, true, what+" allows any origin with credentials: the caller's Origin is echoed, so any site can read authenticated responses")
			} else {
				p.corsFinding(n, false, what+" allows any origin (*)")
			}
			return
		case "null":
			p.corsFinding(n, true, what+" allows the \"null\" origin, which sandboxed frames and local files can send")
			return
		}
	}
}

// corsFinding records AUTH-005: high when exploitable with credentials,
// otherwise medium or info depending on the project having authentication.
func (p *pyFile) corsFinding(n node, high bool, msg string) {
	f := p.a.finding(p.f, ruleCORS, scanner.Medium, posOf(n), msg)
	if high {
		f.Severity = scanner.High
		if p.f.Test {
			f.Severity = f.Severity.Lower()
		}
		p.out = append(p.out, f)
		return
	}
	p.facts.cors = append(p.facts.cors, corsFinding{f: f, dep: true})
}

func (p *pyFile) flaskCORS(n node, kw map[string]node) {
	creds := kw["supports_credentials"].Kind() == "true"
	what := "Flask-CORS"
	if res, ok := kw["resources"]; ok {
		if m, ok := pyDictItems(p.deref(res)); ok {
			for _, v := range m {
				rm, ok := pyDictItems(v)
				if !ok {
					continue
				}
				c := creds || rm["supports_credentials"].Kind() == "true"
				origins := []string{"*"}
				if o, ok := rm["origins"]; ok {
					origins, _ = p.stringList(o)
				}
				p.judgeOrigins(v, what, origins, c, true)
			}
			return
		}
	}
	origins := []string{"*"} // Flask-CORS's default
	if o, ok := kw["origins"]; ok {
		origins, _ = p.stringList(o)
		n = o
	}
	for _, o := range origins {
		if o != "*" && o != "null" && strings.ContainsAny(o, "*+") && regexMatchesAny(o, false) {
			p.corsFinding(n, creds, what+" origin pattern "+fmt.Sprintf("%q", o)+" matches any origin")
			return
		}
	}
	p.judgeOrigins(n, what, origins, creds, true)
}

// regexMatchesAny reports whether an origin regex accepts an attacker's
// origin (full: the framework uses fullmatch; otherwise search).
func regexMatchesAny(pat string, full bool) bool {
	expr := pat
	if full {
		expr = `^(?:` + pat + `)$`
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return false
	}
	for _, o := range evilOrigins[:2] {
		if re.MatchString(o) {
			return true
		}
	}
	return false
}

// ---- AUTH-006 ----

// cookieNameExcluded: cookies meant to be readable or harmless (CSRF
// double-submit tokens, preferences).
func cookieNameExcluded(s string) bool {
	ls := strings.ToLower(s)
	return strings.Contains(ls, "csrf") || strings.Contains(ls, "xsrf") ||
		hasWord(words(s), "theme", "lang", "locale", "language", "consent", "tz", "timezone", "preference", "preferences", "flash", "messages", "cart")
}

func cookieNameSensitive(s string) bool {
	ws := words(s)
	if ls := strings.ToLower(s); strings.Contains(ls, "csrf") || strings.Contains(ls, "xsrf") {
		return false
	}
	if hasWord(ws, "csrf", "xsrf", "theme", "lang", "locale", "language", "consent", "tz", "timezone", "preference", "preferences", "flash", "messages", "cart") {
		return false
	}
	if hasWord(ws, "remember") && hasWord(ws, "me", "token", "user") {
		return true
	}
	return hasWord(ws, "session", "sess", "sid", "auth", "token", "jwt", "access", "refresh", "login", "credential", "credentials", "apikey", "bearer", "identity", "sessionid", "connect") ||
		(hasWord(ws, "api") && hasWord(ws, "key"))
}

func (p *pyFile) setCookie(n node, pos []node, kw map[string]node, identity bool) {
	var name, value node
	if v, ok := kw["key"]; ok {
		name = v
	} else if len(pos) > 0 {
		name = pos[0]
	}
	if v, ok := kw["value"]; ok {
		value = v
	} else if len(pos) > 1 {
		value = pos[1]
	}
	label := name.Text()
	if s, ok := pyStr(name); ok {
		label = s
	}
	if !identity && (cookieNameExcluded(label) || (!cookieNameSensitive(label) && !(value.Kind() == "identifier" && cookieNameSensitive(value.Text())))) {
		return
	}
	if len(pos) > 2 {
		return // attributes passed positionally: not judged
	}
	starlette := p.web == "fastapi" || p.web == "starlette"
	var missing []string
	if v, ok := kw["httponly"]; !ok || v.Kind() == "false" {
		missing = append(missing, "HttpOnly")
	}
	gated := false
	if v, ok := kw["secure"]; !ok || v.Kind() == "false" {
		missing = append(missing, "Secure")
	} else if v.Kind() != "true" && debugGateRE.MatchString(v.Text()) {
		gated = true
	}
	if v, ok := kw["samesite"]; (!ok && !starlette) || (ok && (v.Kind() == "none" || v.Kind() == "false")) {
		missing = append(missing, "SameSite")
	}
	framework := "Werkzeug/Django"
	if starlette {
		framework = "Starlette"
	} else if p.tornado {
		framework = "Tornado"
	}
	switch {
	case len(missing) > 0:
		p.add(ruleCookie, scanner.Medium, n, fmt.Sprintf("cookie %s is set without %s (%s set_cookie defaults)", quoteLabel(label), strings.Join(missing, ", "), framework))
	case gated:
		p.add(ruleCookie, scanner.Info, kw["secure"], fmt.Sprintf("cookie %s gets Secure only when a debug/environment flag says so", quoteLabel(label)))
	}
}

func quoteLabel(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// ---- assignments: settings, aliases, routers, headers ----

func (p *pyFile) assignment(n node) {
	left, right := n.Field("left"), n.Field("right")
	if right.IsNull() {
		return
	}
	switch left.Kind() {
	case "identifier":
		name := left.Text()
		switch scope := n.Parent().Parent(); scope.Kind() {
		case "module":
			p.moduleAssignment(name, right)
		case "block":
			if cls := scope.Parent(); cls.Kind() == "class_definition" {
				p.classField(cls, name, right)
			}
		}
		if right.Kind() == "call" {
			switch lastName(calleeName(right)) {
			case "APIRouter", "FastAPI":
				_, kw := pyArgs(right)
				if deps := p.depList(kw["dependencies"]); len(deps) > 0 {
					p.facts.mounts = append(p.facts.mounts, mount{child: p.mod + ":" + name, deps: deps, file: p.f.Path})
				}
			}
		}
	case "attribute":
		if left.Field("attribute").Text() == "secret_key" {
			p.secretSink(right, "app.secret_key")
		}
	case "subscript":
		key, _ := pyStr(left.Field("subscript"))
		obj := left.Field("value").Text()
		if strings.HasSuffix(obj, "config") {
			p.configValue(key, right)
		}
		if strings.EqualFold(key, "Access-Control-Allow-Origin") {
			p.manualACAO(n, right)
		}
	}
}

func (p *pyFile) moduleAssignment(name string, right node) {
	if right.Kind() == "subscript" && lastName(dotted(right.Field("value"))) == "Annotated" {
		p.alias(name, right)
	}
	switch name {
	case "SECRET_KEY":
		if p.isSettings || strings.Contains(strings.ToLower(path.Base(p.f.Path)), "config") || strings.Contains(strings.ToLower(path.Base(p.f.Path)), "settings") {
			p.secretSink(right, "SECRET_KEY")
		}
		return
	case "MIDDLEWARE", "MIDDLEWARE_CLASSES":
		if strings.Contains(right.Text(), "LoginRequiredMiddleware") {
			p.facts.loginMiddleware = true
		}
		return
	case "REST_FRAMEWORK":
		if m, ok := pyDictItems(right); ok {
			if v, ok := m["DEFAULT_PERMISSION_CLASSES"]; ok {
				p.facts.drfDefaultSet = true
				for _, s := range stringsIn(v) {
					cls := lastName(s)
					switch cls {
					case "AllowAny":
					case "IsAuthenticated", "IsAuthenticatedOrReadOnly":
						p.facts.drfDefaultAuth = true
					default:
						p.facts.drfDefaultAuth, p.facts.drfDefaultRole = true, true
					}
				}
			}
		}
		return
	case "CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL":
		if right.Kind() == "true" {
			creds := p.consts["CORS_ALLOW_CREDENTIALS"].Kind() == "true"
			if creds {
				p.corsFinding(right, true, name+" with CORS_ALLOW_CREDENTIALS: django-cors-headers echoes any Origin with credentials")
			} else {
				p.corsFinding(right, false, name+" allows any origin (*)")
			}
		}
		return
	case "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST":
		for _, s := range stringsIn(right) {
			if regexMatchesAny(s, false) {
				p.corsFinding(right, p.consts["CORS_ALLOW_CREDENTIALS"].Kind() == "true", name+" contains a pattern that matches any origin")
				return
			}
		}
		return
	case "CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST":
		if slices.Contains(stringsIn(right), "null") {
			p.corsFinding(right, true, name+" allows the \"null\" origin")
		}
		return
	}
	p.configValue(name, right)
}

// tokenLifetimeSetting recognises ACCESS_TOKEN_EXPIRE_MINUTES-style names
// and returns the unit their number is in.
func tokenLifetimeSetting(name string) (string, bool) {
	ws := words(name)
	if hasWord(ws, "refresh", "reset", "verification", "verify", "email", "invite", "invitation", "confirm", "confirmation", "remember", "magic", "activation", "password", "otp", "csrf", "cache", "session", "cookie", "api") {
		return "", false
	}
	if !hasWord(ws, "token", "jwt", "access") || !hasPrefixWord(ws, "expir", "lifetime", "ttl") {
		return "", false
	}
	switch {
	case hasWord(ws, "minutes", "minute", "min", "mins"):
		return "minutes", true
	case hasWord(ws, "hours", "hour", "h"):
		return "hours", true
	case hasWord(ws, "days", "day", "d"):
		return "days", true
	case hasWord(ws, "seconds", "second", "sec", "secs", "s"):
		return "seconds", true
	}
	return "seconds", true
}

func stringsIn(n node) []string {
	var out []string
	n.Walk(func(c node) bool {
		if s, ok := pyStr(c); ok && c.Kind() == "string" {
			out = append(out, s)
			return false
		}
		return true
	})
	return out
}

func (p *pyFile) classField(cls node, name string, right node) {
	clsName := cls.Field("name").Text()
	bases := cls.Field("superclasses").Text()
	settingsLike := strings.Contains(bases, "BaseSettings") || strings.Contains(clsName, "Config") || strings.Contains(clsName, "Settings")
	if !settingsLike {
		return
	}
	switch name {
	case "SECRET_KEY", "JWT_SECRET_KEY":
		p.secretSink(right, clsName+"."+name)
		return
	}
	if v, ok := p.secretValueOf(right, 1); ok && secretishName(name) {
		v.name = clsName + "." + name
		p.facts.settingsFields[name] = v
	}
	p.configValue(name, right)
}

func (p *pyFile) manualACAO(n, right node) {
	fn := enclosing(n, "function_definition")
	text := fn.Text()
	if s, ok := pyStr(right); ok {
		if s == "*" {
			p.corsFinding(n, false, "Access-Control-Allow-Origin: * lets any origin read the response")
		}
		return
	}
	if !strings.Contains(strings.ToLower(right.Text()), "origin") || allowlistRE.MatchString(text) {
		return
	}
	creds := regexp.MustCompile(`(?i)Access-Control-Allow-Credentials['"]\]?\s*[=,]\s*['"]true`).MatchString(text)
	p.corsFinding(n, creds, "Access-Control-Allow-Origin echoes the request's Origin without an allow-list check")
}

var allowlistRE = regexp.MustCompile(`(?i)allowed|whitelist|allowlist|trusted|origin\s+(?:not\s+)?in\s|\.(?:includes|indexOf|test|match|startswith|endswith)\(`)

// alias records `X = Annotated[T, Depends(f)]` (and `type X = ...`).
func (p *pyFile) alias(name string, ann node) {
	var deps []string
	ann.Walk(func(n node) bool {
		if n.Kind() == "call" {
			if d := p.depTarget(n); d != "" {
				deps = append(deps, d)
			}
			return false
		}
		return true
	})
	if len(deps) > 0 {
		p.facts.aliases[name] = append(p.facts.aliases[name], aliasDef{file: p.f.Path, deps: deps})
	}
}

// depTarget returns the name a Depends(...)/Security(...) call depends on
// ("" for other calls). Security with scopes counts as a role check.
func (p *pyFile) depTarget(call node) string {
	switch lastName(calleeName(call)) {
	case "Depends", "Security":
	default:
		return ""
	}
	pos, kw := pyArgs(call)
	var target node
	if v, ok := kw["dependency"]; ok {
		target = v
	} else if len(pos) > 0 {
		target = pos[0]
	}
	if target.IsNull() {
		return "?"
	}
	if target.Kind() == "call" {
		target = target.Field("function")
	}
	name := lastName(dotted(target))
	if s, ok := kw["scopes"]; ok && s.NamedChildCount() > 0 {
		name = "scoped_permission_" + name
	}
	return name
}

func (p *pyFile) depList(list node) []string {
	var deps []string
	for _, c := range list.NamedChildren() {
		if c.Kind() == "call" {
			if d := p.depTarget(c); d != "" && d != "?" {
				deps = append(deps, d)
			}
		}
	}
	return deps
}

func (p *pyFile) includeRouter(n node, pos []node, kw map[string]node) {
	if len(pos) == 0 {
		return
	}
	parent := dotted(n.Field("function").Field("object"))
	m := mount{parent: p.mod + ":" + parent, deps: p.depList(kw["dependencies"]), file: p.f.Path}
	if v, ok := kw["prefix"]; ok {
		m.prefix, _ = p.routePath(v, 0)
	}
	child := dotted(pos[0])
	if child == "" {
		return
	}
	if q, ok := p.qualify(child); ok {
		i := strings.LastIndexByte(q, '.')
		if i < 0 {
			return
		}
		m.childModule, m.childVar = q[:i], q[i+1:]
	} else {
		m.child = p.mod + ":" + child
	}
	p.facts.mounts = append(p.facts.mounts, m)
}

// ---- routes ----

var routeMethods = map[string]string{"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE", "head": "HEAD", "options": "OPTIONS", "route": "", "api_route": "", "websocket": "WEBSOCKET"}

func (p *pyFile) decorated(n node) {
	def := n.Field("definition")
	var decos []node
	for _, c := range n.NamedChildren() {
		if c.Kind() == "decorator" {
			decos = append(decos, c.NamedChild(0))
		}
	}
	switch def.Kind() {
	case "function_definition":
		p.function(def, decos)
	case "class_definition":
		p.class(def, decos)
	}
}

type decoInfo struct {
	name       string
	auth, role bool
}

func classifyName(name string) (bool, bool) {
	if isRoleName(name) {
		return true, true
	}
	return isAuthName(name), false
}

func (p *pyFile) function(def node, decos []node) {
	name := def.Field("name").Text()
	body := def.Field("body")
	var evidenceDone, bodyAuth, bodyRole, owned bool
	var bodyText string
	evidence := func() {
		if evidenceDone {
			return
		}
		evidenceDone = true
		bodyText = body.Text()
		bodyAuth = pyBodyAuthRE.MatchString(bodyText)
		bodyRole = pyBodyRoleCondRE.MatchString(bodyText) || pyBodyRoleRE.MatchString(bodyText) && !pyTokenCheckRE.MatchString(bodyText)
		owned = pyOwnerFieldRE.MatchString(bodyText) && pyCurrentUserRE.MatchString(bodyText)
		if !owned {
			owned = p.helperChecksOwner(body)
		}
	}
	if p.web == "" && len(decos) == 0 {
		return // neither a route, a view nor a dependency of one
	}

	// dependencies in parameters
	var deps []string
	public := false
	targetsID := false
	for _, prm := range def.Field("parameters").NamedChildren() {
		if idParameter(prm) {
			targetsID = true
		}
		typ := prm.Field("type")
		if typ.IsNull() && prm.Kind() == "typed_parameter" {
			for _, c := range prm.NamedChildren() {
				if c.Kind() == "type" {
					typ = c
				}
			}
		}
		if v := prm.Field("value"); v.Kind() == "call" {
			if d := p.depTarget(v); d == "?" {
				if t := lastName(dotted(typ.NamedChild(0))); t != "" {
					deps = append(deps, t)
				}
			} else if d != "" {
				deps = append(deps, d)
			}
		}
		if !typ.IsNull() {
			t := typ.NamedChild(0)
			switch t.Kind() {
			case "generic_type", "subscript":
				if strings.HasPrefix(t.Text(), "Annotated") {
					t.Walk(func(c node) bool {
						if c.Kind() == "call" {
							if d := p.depTarget(c); d != "" && d != "?" {
								deps = append(deps, d)
							}
							return false
						}
						return true
					})
				}
			case "identifier", "attribute":
				tn := lastName(dotted(t))
				if tn == "OAuth2PasswordRequestForm" || tn == "OAuth2PasswordRequestFormStrict" {
					public = true
				}
				deps = append(deps, "alias:"+tn)
			}
		}
	}
	if p.web == "fastapi" || p.web == "starlette" || len(deps) > 0 {
		evidence()
		if len(deps) > 0 || bodyAuth {
			p.facts.depFuncs[name] = append(p.facts.depFuncs[name], depFunc{file: p.f.Path, deps: deps, auth: bodyAuth, role: bodyRole})
		}
	}

	// route decorators and other decorators
	var other []decoInfo
	isRoute := false
	var rt route
	djangoMethods := []string(nil)
	drf := false
	loginNotRequired := false
	explicitPerms := false
	beforeRequestOn := ""
	routeAt := -1 // decorators above the (topmost) route decorator: other[:routeAt]
	for _, d := range decos {
		callee := dotted(d)
		var args []node
		var kw map[string]node
		if d.Kind() == "call" {
			callee = calleeName(d)
			args, kw = pyArgs(d)
		}
		last := lastName(callee)
		obj := strings.TrimSuffix(callee, "."+last)
		if m, ok := routeMethods[last]; ok && (obj != callee || p.litestarHandler(callee)) && (p.web == "fastapi" || p.web == "flask" || p.web == "starlette") {
			pth := ""
			if len(args) > 0 {
				pth, _ = p.routePath(args[0], 0)
			} else if v, ok := kw["path"]; ok {
				pth, _ = p.routePath(v, 0)
			} else if v, ok := kw["rule"]; ok {
				pth, _ = p.routePath(v, 0)
			}
			if pth != "" && (strings.HasPrefix(pth, "/") || pth == "") || (len(args) == 0 && last != "route") {
				isRoute = true
				if routeAt < 0 {
					routeAt = len(other)
				}
				rt = route{framework: p.web, file: p.f.Path, test: p.f.Test, at: posOf(def.Field("name")), declAt: posOf(d), method: m, path: pth, handler: name, routerKey: p.mod + ":" + obj}
				if obj == callee {
					// a bare Litestar handler is mounted by its own name
					// (Router(route_handlers=[name]))
					rt.routerKey = p.mod + ":" + name
				}
				if p.web == "starlette" {
					rt.framework = "fastapi"
				}
				if ms, ok := kw["methods"]; ok {
					var list []string
					for _, s := range stringsIn(ms) {
						list = append(list, strings.ToUpper(s))
					}
					rt.method = pickMethod(list)
				} else if m == "" {
					rt.method = "GET"
				}
				rt.deps = append(rt.deps, p.depList(kw["dependencies"])...)
				for _, g := range kw["guards"].NamedChildren() {
					au, ro := classifyName(lastName(dotted(g)))
					other = append(other, decoInfo{name: g.Text(), auth: au, role: ro})
				}
				continue
			}
		}
		switch last {
		case "before_request", "on_request":
			beforeRequestOn = obj // Flask; Sanic's blueprint and app hooks
			continue
		case "middleware":
			if len(args) > 0 && strings.Contains(args[0].Text(), "request") && obj != callee {
				beforeRequestOn = obj // Sanic's @bp.middleware("request")
				continue
			}
			if len(args) > 0 && strings.Contains(args[0].Text(), "http") {
				evidence()
				if bodyAuth && !p.f.Test {
					p.facts.globalAuthFiles = append(p.facts.globalAuthFiles, p.f.Path)
				}
			}
			continue
		case "require_POST":
			djangoMethods = append(djangoMethods, "POST")
			continue
		case "require_http_methods", "api_view":
			if len(args) > 0 {
				for _, s := range stringsIn(args[0]) {
					djangoMethods = append(djangoMethods, strings.ToUpper(s))
				}
			} else if last == "api_view" {
				djangoMethods = append(djangoMethods, "GET")
			}
			drf = drf || last == "api_view"
			continue
		case "login_not_required":
			loginNotRequired = true
			continue
		case "permission_classes":
			explicitPerms = true
			for _, a := range args {
				for _, c := range a.NamedChildren() {
					au, ro, pub := drfPermission(lastName(dotted(c)))
					other = append(other, decoInfo{name: c.Text(), auth: au, role: ro})
					public = public || pub
				}
			}
			continue
		case "requires":
			// Starlette's @requires("authenticated"), @requires(["authenticated", "admin"])
			if q, ok := p.qualify(callee); ok && strings.HasPrefix(q, "starlette") {
				ro := false
				for _, s := range stringsIn(d) {
					ro = ro || s != "authenticated"
				}
				other = append(other, decoInfo{name: callee, auth: true, role: ro})
				continue
			}
		case "method_decorator":
			if len(args) > 0 {
				au, ro := classifyName(lastName(dotted(args[0])))
				other = append(other, decoInfo{name: args[0].Text(), auth: au, role: ro})
			}
			continue
		}
		au, ro := classifyName(last)
		if !au && d.Kind() == "call" {
			// decorator factories such as requires("admin") / roles_accepted(...)
			au, ro = classifyName(callee)
		}
		other = append(other, decoInfo{name: callee, auth: au, role: ro})
	}
	decoAuth, decoRole := false, false
	misplaced := ""
	for i, o := range other {
		if i < routeAt {
			// Decorators apply bottom-up and the route decorator registers
			// the function it is given: one above it wraps what was already
			// registered (Flask: "route() is the outermost decorator")
			if o.auth && misplaced == "" {
				misplaced = o.name
			}
			continue
		}
		decoAuth, decoRole = decoAuth || o.auth, decoRole || o.role
	}
	if misplaced != "" {
		p.mechanism(def, "decorator")
	}
	if decoAuth && !isRoute && p.web == "flask" {
		// a helper decorated with login_required also counts as a mechanism
		p.mechanism(def, "decorator")
	}
	if beforeRequestOn != "" || isRoute {
		evidence()
	}
	if beforeRequestOn != "" {
		p.beforeRequestFunc(beforeRequestOn, bodyAuth || decoAuth, bodyRole || decoRole)
	}
	if isRoute {
		if cls, prefix, guards, ok := p.litestarController(def); ok {
			rt.path = joinPath(prefix, rt.path)
			rt.routerKey = p.mod + ":" + cls // mounted by its class name
			for _, g := range guards {
				au, ro := classifyName(lastName(dotted(g)))
				decoAuth, decoRole = decoAuth || au, decoRole || ro
			}
		}
		rt.misplacedAuth = misplaced
		rt.auth = decoAuth || bodyAuth
		rt.role = decoRole || bodyRole
		rt.owned = owned
		rt.public = public
		rt.targetsID = targetsID
		rt.deps = append(rt.deps, deps...)
		if !p.f.Test {
			p.facts.routes = append(p.facts.routes, rt)
		}
		return
	}
	// Django function views: module-level functions taking request
	if def.Parent().Kind() == "module" || (def.Parent().Kind() == "decorated_definition" && def.Parent().Parent().Kind() == "module") {
		params := def.Field("parameters").NamedChildren()
		if len(params) > 0 && firstParamName(params[0]) == "request" && (p.web == "django" || drf || len(djangoMethods) > 0 || p.callRoutes) {
			evidence()
			if m := requestMethodRE.FindStringSubmatch(bodyText); len(djangoMethods) == 0 && m != nil {
				djangoMethods = []string{m[1]}
			}
			v := djangoView{file: p.f.Path, test: p.f.Test, at: posOf(def.Field("name")), name: name, methods: djangoMethods, drf: drf,
				auth: decoAuth || bodyAuth, role: decoRole || bodyRole, owned: owned, public: public, explicitPermissions: explicitPerms, loginNotRequired: loginNotRequired}
			p.facts.djangoViews[name] = append(p.facts.djangoViews[name], v)
		}
	}
}

// handlerClass records the HTTP methods of a Tornado RequestHandler or an
// aiohttp web.View class as routes, served at pth or else at the URL
// pattern the file maps to the class ("" when it is mapped elsewhere),
// judged on each method's decorators (@tornado.web.authenticated) and body.
func (p *pyFile) handlerClass(cls node, name string, bases []string, pth string) {
	if p.classURLs == nil {
		p.classURLs, p.classGuards = map[string]string{}, map[string][2]bool{}
		note := func(cls, pth []byte) {
			if _, ok := p.classURLs[string(cls)]; !ok {
				p.classURLs[string(cls)] = string(pth)
			}
		}
		for _, m := range classURLRE.FindAllSubmatch(p.f.Content, -1) {
			note(m[2], m[1])
		}
		for _, m := range addResourceRE.FindAllSubmatch(p.f.Content, -1) {
			note(m[1], m[2])
		}
		for _, m := range viewFuncRE.FindAllSubmatch(p.f.Content, -1) {
			note(m[2], m[1])
		}
		for _, m := range asViewRouteRE.FindAllSubmatch(p.f.Content, -1) {
			note(m[1], m[2])
		}
	}
	if pth == "" {
		pth = p.classURLs[name]
	}
	// prepare() runs before every method: its checks guard the class and
	// the classes derived from it (in this file)
	var guard [2]bool
	for _, b := range bases {
		g := p.classGuards[b]
		guard[0], guard[1] = guard[0] || g[0], guard[1] || g[1]
	}
	type method struct {
		def   node
		decos []node
	}
	var methods []method
	for _, c := range cls.Field("body").NamedChildren() {
		def, decos := c, []node(nil)
		if c.Kind() == "decorated_definition" {
			def = c.Field("definition")
			for _, d := range c.NamedChildren() {
				if d.Kind() == "decorator" {
					decos = append(decos, d.NamedChild(0))
				}
			}
		}
		if def.Kind() == "expression_statement" && def.NamedChild(0).Kind() == "assignment" {
			// Flask's decorators = [login_required] (MethodView) and
			// method_decorators = [jwt_required()] (Resource) wrap every method
			a := def.NamedChild(0)
			if l := a.Field("left").Text(); (l == "decorators" || l == "method_decorators") && a.Field("right").Kind() == "list" {
				au, ro := methodEvidence(node{}, a.Field("right").NamedChildren())
				guard[0], guard[1] = guard[0] || au, guard[1] || ro
			}
			continue
		}
		if def.Kind() != "function_definition" {
			continue
		}
		if p.tornado && def.Field("name").Text() == "prepare" {
			au, ro := methodEvidence(def, decos)
			guard[0], guard[1] = guard[0] || au, guard[1] || ro
			continue
		}
		methods = append(methods, method{def, decos})
	}
	p.classGuards[name] = guard
	for _, m := range methods {
		def, decos := m.def, m.decos
		method := strings.ToUpper(def.Field("name").Text())
		if routeMethods[strings.ToLower(method)] == "" || method == "HEAD" || method == "OPTIONS" {
			continue
		}
		rt := route{framework: "flask", file: p.f.Path, test: p.f.Test, at: posOf(def.Field("name")), method: method, path: pth,
			handler: name + "." + def.Field("name").Text(), routerKey: p.mod + ":" + name, targetsID: strings.Contains(pth, "(")}
		au, ro := methodEvidence(def, decos)
		rt.auth, rt.role = guard[0] || au, guard[1] || ro
		body := def.Field("body").Text()
		rt.owned = pyOwnerFieldRE.MatchString(body) && pyCurrentUserRE.MatchString(body)
		if rt.auth {
			p.mechanism(def, "tornado")
		}
		if !p.f.Test {
			p.facts.routes = append(p.facts.routes, rt)
		}
	}
}

// flaskClassView: a Flask-RESTful / flask-restx Resource or a Flask
// MethodView, whose methods named after HTTP methods are endpoints.
func (p *pyFile) flaskClassView(supers node) bool {
	for _, b := range supers.NamedChildren() {
		q, ok := p.qualify(dotted(b))
		if !ok {
			continue
		}
		top, _, _ := strings.Cut(q, ".")
		switch {
		case lastName(q) == "Resource" && (top == "flask_restful" || top == "flask_restx" || top == "flask_restplus"),
			q == "flask.views.MethodView":
			return true
		}
	}
	return false
}

// baseFrom: a base class of supers is the qualified name q.
func (p *pyFile) baseFrom(supers node, q string) bool {
	for _, b := range supers.NamedChildren() {
		if bq, ok := p.qualify(dotted(b)); ok && bq == q {
			return true
		}
	}
	return false
}

// aiohttpView: a class derived from aiohttp's web.View.
func (p *pyFile) aiohttpView(supers node) bool {
	for _, b := range supers.NamedChildren() {
		if q, ok := p.qualify(dotted(b)); ok && strings.HasPrefix(q, "aiohttp") && lastName(q) == "View" {
			return true
		}
	}
	return false
}

// methodEvidence judges a handler class method on its decorators
// (@tornado.web.authenticated) and body.
func methodEvidence(def node, decos []node) (auth, role bool) {
	for _, d := range decos {
		callee := dotted(d)
		if d.Kind() == "call" {
			callee = calleeName(d)
		}
		au, ro := classifyName(lastName(callee))
		auth, role = auth || au, role || ro
	}
	body := def.Field("body").Text()
	auth = auth || pyBodyAuthRE.MatchString(body) || tornadoUserCheckRE.MatchString(body)
	role = role || pyBodyRoleRE.MatchString(body) || tornadoForbiddenRE.MatchString(body)
	return auth, role
}

var (
	addResourceRE      = regexp.MustCompile(`\badd_resource\(\s*([A-Za-z_]\w*)\s*,\s*r?["']([^"']*)["']`)
	asViewRouteRE      = regexp.MustCompile(`\badd_route\(\s*([A-Za-z_]\w*)\.as_view\([^()]*\)\s*,\s*r?["']([^"']*)["']`)
	viewFuncRE         = regexp.MustCompile(`["']([^"']*)["']\s*,\s*view_func\s*=\s*([A-Za-z_]\w*)\.as_view\b`)
	classURLRE         = regexp.MustCompile(`\(\s*r?["']([^"']*)["']\s*,\s*([A-Za-z_]\w*)\b`)
	tornadoUserCheckRE = regexp.MustCompile(`\bif\s+(?:not\s+)?self\.current_user\b|\bself\.current_user\s+is\s+None|HTTPError\(\s*401`)
	tornadoForbiddenRE = regexp.MustCompile(`HTTPError\(\s*403`)
)

// litestarHandler: a bare route decorator imported from Litestar
// (@get("/x"), @post("/x", guards=[…])).
func (p *pyFile) litestarHandler(callee string) bool {
	q, ok := p.qualify(callee)
	return ok && strings.HasPrefix(q, "litestar.")
}

// litestarController reads the Litestar Controller a route handler method
// sits in: its class name, its path prefix and the guards that run before
// every handler (class attributes `path = "/x"`, `guards = [g]`).
func (p *pyFile) litestarController(def node) (name, prefix string, guards []node, ok bool) {
	cls := def.Parent()
	if cls.Kind() == "decorated_definition" {
		cls = cls.Parent()
	}
	if cls.Kind() != "block" || cls.Parent().Kind() != "class_definition" {
		return "", "", nil, false
	}
	body, cls := cls, cls.Parent()
	for _, b := range cls.Field("superclasses").NamedChildren() {
		if q, imported := p.qualify(dotted(b)); imported && strings.HasPrefix(q, "litestar") && lastName(q) == "Controller" {
			ok = true
		}
	}
	if !ok {
		return "", "", nil, false
	}
	name = cls.Field("name").Text()
	for _, st := range body.NamedChildren() {
		if st.Kind() != "expression_statement" || st.NamedChild(0).Kind() != "assignment" {
			continue
		}
		a := st.NamedChild(0)
		switch a.Field("left").Text() {
		case "path":
			prefix, _ = pyStr(a.Field("right"))
		case "guards":
			guards = a.Field("right").NamedChildren()
		}
	}
	return name, prefix, guards, true
}

// litestarRouter reads a Litestar Router(path, route_handlers=[…],
// guards=[…]): each handler, controller or router it holds is mounted under
// its path, behind its guards. A router assigned to a name can itself be
// held by another router.
func (p *pyFile) litestarRouter(n node, pos []node, kw map[string]node) {
	parent := ""
	if a := n.Parent(); a.Kind() == "assignment" && a.Field("left").Kind() == "identifier" {
		parent = p.mod + ":" + a.Field("left").Text()
	}
	prefixNode, ok := kw["path"]
	if !ok && len(pos) > 0 {
		prefixNode = pos[0]
	}
	var auth, role bool
	for _, g := range kw["guards"].NamedChildren() {
		au, ro := classifyName(lastName(dotted(g)))
		auth, role = auth || au, role || ro
	}
	if auth && !p.f.Test {
		p.mechanism(n, "litestar router guards")
	}
	for _, h := range kw["route_handlers"].NamedChildren() {
		child := dotted(h)
		if child == "" {
			continue
		}
		m := mount{parent: parent, auth: auth, role: role, file: p.f.Path}
		if prefixNode.Kind() != "" {
			m.prefix, _ = p.routePath(prefixNode, 0)
		}
		if q, ok := p.qualify(child); ok && strings.Contains(q, ".") {
			i := strings.LastIndexByte(q, '.')
			m.childModule, m.childVar = q[:i], q[i+1:]
		} else {
			m.child = p.mod + ":" + child
		}
		p.facts.mounts = append(p.facts.mounts, m)
	}
}

// callRoute records a route declared by a call naming a module-level
// handler: aiohttp's router.add_post("/x", h), add_route("DELETE", "/x", h),
// web.delete("/x", h), Starlette's Route("/x", h, methods=["PUT"]). The
// handler is judged as a view, on its decorators and body.
func (p *pyFile) callRoute(last string, pos []node, kw map[string]node) {
	method := ""
	if last == "add_route" && len(pos) > 1 && p.sanic {
		if s, ok := pyStr(pos[1]); ok && strings.HasPrefix(s, "/") && pos[0].Kind() == "identifier" {
			// Sanic's app.add_route(handler, path, methods=[…]) (a view
			// class's add_route(View.as_view(), path) is read with the class)
			method := "GET"
			if ms, ok := kw["methods"]; ok {
				var list []string
				for _, m := range stringsIn(ms) {
					list = append(list, strings.ToUpper(m))
				}
				method = pickMethod(list)
			}
			p.facts.djangoRefs = append(p.facts.djangoRefs, djangoRef{view: pos[0].Text(), path: s, method: method})
			return
		}
	}
	if last == "add_route" && len(pos) > 0 {
		if s, ok := pyStr(pos[0]); ok && strings.HasPrefix(s, "/") {
			// Starlette's app.add_route(path, route, methods=[…]); aiohttp's
			// takes the method first
			last = "Route"
			if v, ok := kw["route"]; ok && len(pos) == 1 {
				kw["endpoint"] = v
			}
		}
	}
	switch {
	case last == "Route":
		method = "GET"
		if ms, ok := kw["methods"]; ok {
			var list []string
			for _, s := range stringsIn(ms) {
				list = append(list, strings.ToUpper(s))
			}
			method = pickMethod(list)
		}
	case last == "add_route" || last == "route":
		if len(pos) == 0 {
			return
		}
		m, _ := pyStr(pos[0])
		method, pos = strings.ToUpper(m), pos[1:]
	default:
		m, ok := routeMethods[strings.TrimPrefix(last, "add_")]
		if !ok || m == "" {
			return
		}
		method = m
	}
	if len(pos) < 2 {
		if v, ok := kw["endpoint"]; ok && len(pos) == 1 {
			pos = append(pos, v)
		} else {
			return
		}
	}
	pth, ok := pyStr(pos[0])
	view := lastName(dotted(pos[1]))
	if !ok || !strings.HasPrefix(pth, "/") || view == "" {
		return
	}
	if method == "*" {
		method = ""
	}
	p.facts.djangoRefs = append(p.facts.djangoRefs, djangoRef{view: view, path: pth, method: method})
}

// idParameter: a handler parameter that carries the identifier of the
// resource acted on (item_id, id, a body model typed ItemId), not a
// dependency.
func idParameter(prm node) bool {
	if v := prm.Field("value"); v.Kind() == "call" {
		return false // Depends(...), Query(...) defaults are judged elsewhere
	}
	name := prm.Text()
	if n := prm.Field("name"); !n.IsNull() {
		name = n.Text()
	} else if prm.NamedChildCount() > 0 {
		name = prm.NamedChild(0).Text()
	}
	if ws := words(name); len(ws) > 0 && (ws[len(ws)-1] == "id" || ws[len(ws)-1] == "ids" || ws[len(ws)-1] == "pk") {
		return true
	}
	if t := prm.Field("type"); !t.IsNull() {
		tn := lastName(dotted(t.NamedChild(0)))
		return strings.HasSuffix(tn, "Id") || strings.HasSuffix(tn, "ID") || strings.HasSuffix(tn, "Ids")
	}
	return false
}

// helperChecksOwner follows the handler's calls one hop into functions of
// the same file: a load_note(id) helper that aborts unless the note's owner
// is the current user is the handler's ownership check.
func (p *pyFile) helperChecksOwner(body node) bool {
	found := false
	body.Walk(func(n node) bool {
		if found {
			return false
		}
		if n.Kind() == "call" {
			if fn, ok := p.funcs[calleeName(n)]; ok {
				t := fn.Field("body").Text()
				if pyOwnerFieldRE.MatchString(t) && pyCurrentUserRE.MatchString(t) {
					found = true
					return false
				}
			}
		}
		return true
	})
	return found
}

// routePath evaluates a route decorator's path: a string literal, a
// module constant holding one, or a concatenation of those
// (base + "{account_id}").
func (p *pyFile) routePath(n node, depth int) (string, bool) {
	if depth > 4 {
		return "", false
	}
	switch n.Kind() {
	case "identifier":
		if v, ok := p.consts[n.Text()]; ok {
			return p.routePath(v, depth+1)
		}
	case "binary_operator":
		if n.ChildCount() == 3 && n.Child(1).Text() == "+" {
			l, lok := p.routePath(n.Field("left"), depth+1)
			r, rok := p.routePath(n.Field("right"), depth+1)
			if lok && rok {
				return l + r, true
			}
		}
	case "parenthesized_expression":
		return p.routePath(n.NamedChild(0), depth+1)
	}
	return pyStr(n)
}

func firstParamName(n node) string {
	switch n.Kind() {
	case "identifier":
		return n.Text()
	case "typed_parameter":
		return n.NamedChild(0).Text()
	case "default_parameter", "typed_default_parameter":
		return n.Field("name").Text()
	}
	return ""
}

// drfPermission classifies a DRF permission class: (auth, role, public).
func drfPermission(cls string) (bool, bool, bool) {
	switch cls {
	case "AllowAny":
		return false, false, true
	case "IsAuthenticated", "IsAuthenticatedOrReadOnly":
		return true, false, false
	case "":
		return false, false, false
	}
	return true, true, false
}

func (p *pyFile) beforeRequest(obj, fn string) {
	def, ok := p.funcs[fn]
	if !ok {
		return
	}
	text := def.Text()
	p.beforeRequestFunc(obj, pyBodyAuthRE.MatchString(text), pyBodyRoleRE.MatchString(text))
}

func (p *pyFile) beforeRequestFunc(obj string, au, ro bool) {
	if !au {
		return
	}
	if v, ok := p.consts[obj]; ok && lastName(calleeName(v)) == "Blueprint" {
		p.facts.routerAuth[p.mod+":"+obj] = true
		if ro {
			p.facts.routerRole[p.mod+":"+obj] = true
		}
		return
	}
	if !p.f.Test {
		p.facts.flaskGlobalAuth = true
	}
}

// requestMethodRE: a function view branching on the method it handles.
var requestMethodRE = regexp.MustCompile(`request\.method\s*==\s*['"](POST|PUT|PATCH|DELETE)['"]`)

var drfBaseRE = regexp.MustCompile(`APIView|ViewSet|GenericAPIView|ViewSetMixin`)
var djangoViewBaseRE = regexp.MustCompile(`View\b|ViewSet\b|APIView\b|Mixin\b`)

func (p *pyFile) class(def node, decos []node) {
	name := def.Field("name").Text()
	supers := def.Field("superclasses")
	var bases []string
	for _, b := range supers.NamedChildren() {
		if b.Kind() != "keyword_argument" {
			bases = append(bases, lastName(dotted(b)))
		}
	}
	if p.tornado && slices.ContainsFunc(bases, func(b string) bool { return strings.HasSuffix(b, "Handler") }) {
		p.handlerClass(def, name, bases, "")
		return
	}
	if p.web == "flask" && p.flaskClassView(supers) {
		// flask-restx's @ns.route("/x") above the class, or
		// api.add_resource(Cls, "/x") / add_url_rule("/x",
		// view_func=Cls.as_view(…)) in the file
		pth := ""
		for _, d := range decos {
			if d.Kind() == "call" && lastName(calleeName(d)) == "route" {
				if pos, _ := pyArgs(d); len(pos) > 0 {
					pth, _ = pyStr(pos[0])
				}
			}
		}
		p.handlerClass(def, name, bases, pth)
		return
	}
	if p.sanic && p.baseFrom(supers, "sanic.views.HTTPMethodView") {
		p.handlerClass(def, name, bases, "")
		return
	}
	if p.aiohttp && p.aiohttpView(supers) {
		// @routes.view("/x") above the class, or add_view("/x", Cls) /
		// web.view("/x", Cls) in the file
		pth := ""
		for _, d := range decos {
			if d.Kind() == "call" && lastName(calleeName(d)) == "view" {
				if pos, _ := pyArgs(d); len(pos) > 0 {
					pth, _ = pyStr(pos[0])
				}
			}
		}
		p.handlerClass(def, name, bases, pth)
		return
	}
	basesText := strings.Join(bases, " ")
	if !djangoViewBaseRE.MatchString(basesText) || p.web != "django" {
		return
	}
	v := djangoView{file: p.f.Path, test: p.f.Test, at: posOf(def.Field("name")), name: name, drf: drfBaseRE.MatchString(basesText)}
	for _, b := range bases {
		switch {
		case strings.HasPrefix(b, "Delete") || strings.HasPrefix(b, "Destroy") || strings.Contains(b, "Destroy") || b == "ModelViewSet":
			v.methods = append(v.methods, "DELETE")
		case strings.HasPrefix(b, "Update") || strings.Contains(b, "UpdateAPIView") || strings.Contains(b, "Update"):
			v.methods = append(v.methods, "PUT")
		case strings.HasPrefix(b, "Create") || strings.HasPrefix(b, "Form") || strings.Contains(b, "Create"):
			v.methods = append(v.methods, "POST")
		}
		if strings.HasSuffix(b, "Mixin") {
			au, ro := classifyName(b)
			v.auth, v.role = v.auth || au, v.role || ro
		}
	}
	for _, d := range decos {
		if d.Kind() == "call" && lastName(calleeName(d)) == "method_decorator" {
			args, _ := pyArgs(d)
			if len(args) > 0 {
				for _, dn := range decoratorNames(args[0]) {
					au, ro := classifyName(dn)
					v.auth, v.role = v.auth || au, v.role || ro
					if dn == "login_not_required" {
						v.loginNotRequired = true
					}
				}
			}
		} else {
			dn := lastName(dotted(d))
			if d.Kind() == "call" {
				dn = lastName(calleeName(d))
			}
			if dn == "login_not_required" {
				v.loginNotRequired = true
			}
			au, ro := classifyName(dn)
			v.auth, v.role = v.auth || au, v.role || ro
		}
	}
	body := def.Field("body")
	for _, st := range body.NamedChildren() {
		inner := st
		var mdecos []node
		if st.Kind() == "decorated_definition" {
			inner = st.Field("definition")
			for _, c := range st.NamedChildren() {
				if c.Kind() == "decorator" {
					mdecos = append(mdecos, c.NamedChild(0))
				}
			}
		}
		switch inner.Kind() {
		case "function_definition":
			mn := inner.Field("name").Text()
			switch mn {
			case "get", "post", "put", "patch", "delete", "destroy", "update", "partial_update", "create":
				m := map[string]string{"destroy": "DELETE", "update": "PUT", "partial_update": "PATCH", "create": "POST"}[mn]
				if m == "" {
					m = strings.ToUpper(mn)
				}
				v.methods = append(v.methods, m)
			case "get_queryset", "get_object":
				if pyCurrentUserRE.MatchString(inner.Text()) {
					v.owned = true
				}
			}
			for _, d := range mdecos {
				for _, dn := range decoratorNames(d) {
					au, ro := classifyName(dn)
					v.auth, v.role = v.auth || au, v.role || ro
				}
			}
		case "expression_statement":
			as := inner.NamedChild(0)
			if as.Kind() == "assignment" && as.Field("left").Text() == "permission_classes" {
				v.explicitPermissions = true
				for _, c := range as.Field("right").NamedChildren() {
					cls := lastName(dotted(c))
					au, ro, pub := drfPermission(cls)
					if cls == "IsAuthenticatedOrReadOnly" {
						v.authenticatedOrRead = true
						au = false
					}
					v.auth, v.role, v.public = v.auth || au, v.role || ro, v.public || (pub && len(as.Field("right").NamedChildren()) == 1)
				}
			}
			if as.Kind() == "assignment" && (as.Field("left").Text() == "permission_required" || as.Field("left").Text() == "required_permissions") {
				v.auth, v.role = true, true
			}
		}
	}
	bodyText := body.Text()
	if pyBodyAuthRE.MatchString(bodyText) {
		v.auth = true
	}
	if pyBodyRoleRE.MatchString(bodyText) {
		v.role = true
	}
	if pyOwnerFieldRE.MatchString(bodyText) && pyCurrentUserRE.MatchString(bodyText) {
		v.owned = true
	}
	p.facts.djangoViews[name] = append(p.facts.djangoViews[name], v)
}

// decoratorNames lists the decorator names in a method_decorator argument
// (a name, a call, or a list of them).
func decoratorNames(n node) []string {
	switch n.Kind() {
	case "list", "tuple":
		var out []string
		for _, c := range n.NamedChildren() {
			out = append(out, decoratorNames(c)...)
		}
		return out
	case "call":
		if lastName(calleeName(n)) == "method_decorator" {
			args, _ := pyArgs(n)
			if len(args) > 0 {
				return decoratorNames(args[0])
			}
		}
		return []string{lastName(calleeName(n))}
	}
	return []string{lastName(dotted(n))}
}

func (p *pyFile) djangoURL(pos []node, kw map[string]node) {
	if len(pos) < 2 {
		return
	}
	pth, _ := pyStr(pos[0])
	ref := djangoRef{path: pth}
	v := pos[1]
	for depth := 0; depth < 4; depth++ {
		if v.Kind() != "call" {
			break
		}
		callee := calleeName(v)
		last := lastName(callee)
		if last == "as_view" {
			v = v.Field("function").Field("object")
			break
		}
		if last == "include" {
			return
		}
		au, ro := classifyName(last)
		ref.auth, ref.role = ref.auth || au, ref.role || ro
		args, _ := pyArgs(v)
		if len(args) == 0 {
			return
		}
		v = args[0]
	}
	ref.view = lastName(dotted(v))
	if ref.view != "" {
		p.facts.djangoRefs = append(p.facts.djangoRefs, ref)
	}
	_ = kw
}

// ---- AUTH-007 ----

func (p *pyFile) compare(n node) {
	if n.NamedChildCount() != 2 || n.ChildCount() != 3 {
		return
	}
	op := n.Child(1).Text()
	if op != "==" && op != "!=" {
		return
	}
	if !enclosing(n, "assert_statement").IsNull() {
		return
	}
	if fn := enclosing(n, "function_definition"); !fn.IsNull() {
		switch fn.Field("name").Text() {
		case "__eq__", "__ne__", "__hash__", "__lt__", "__cmp__":
			return
		}
	}
	l, r := n.NamedChild(0), n.NamedChild(1)
	lo, ro := pyOperand(l), pyOperand(r)
	if !lo.origin && l.Kind() == "identifier" && (secretKind(ro.name) > 0 || ro.env) {
		lo.origin = pyLocalOrigin(l)
	}
	if !ro.origin && r.Kind() == "identifier" && (secretKind(lo.name) > 0 || lo.env) {
		ro.origin = pyLocalOrigin(r)
	}
	if msg, ok := timingUnsafe(lo, ro); ok {
		p.add(ruleTiming, scanner.Low, n, msg)
		return
	}
	if fn := enclosing(n, "function_definition"); verifierName(fn.Field("name").Text()) && plainValue(lo) && plainValue(ro) {
		p.add(ruleTiming, scanner.Low, n, fmt.Sprintf("%s compares secrets with ==/!= (timing-unsafe); use a constant-time comparison", fn.Field("name").Text()))
	}
}

// pyLocalOrigin: an identifier the enclosing function assigns from a
// credential header (key = request.headers.get("X-Api-Key")): compared
// with a secret, it is the caller's credential whatever its name.
func pyLocalOrigin(id node) bool {
	fn := enclosing(id, "function_definition")
	if fn.IsNull() {
		return false
	}
	found := false
	fn.Field("body").Walk(func(c node) bool {
		switch {
		case found || c.Kind() == "function_definition" || c.Kind() == "class_definition":
			return false
		case c.Kind() == "assignment" && c.Field("left").Kind() == "identifier" && c.Field("left").Text() == id.Text():
			v := c.Field("right")
			if v.Kind() == "await" {
				v = v.NamedChild(0)
			}
			found = !v.IsNull() && pyOperand(v).origin
			return false
		}
		return true
	})
	return found
}

// verifierName: a function whose name says it checks a credential
// (verify_api_key, checkSignature, is_valid_token).
func verifierName(name string) bool {
	ws := words(name)
	return hasWord(ws, "verify", "check", "validate", "valid", "compare", "matches", "match", "authenticate") &&
		(hasWord(ws, strongSecretWords...) || hasWord(ws, "token") || (hasWord(ws, "api") && hasWord(ws, "key")))
}

// plainValue: an operand that can carry a secret (a name, attribute or
// subscript), not a literal, call, length or constant.
func plainValue(o operand) bool {
	return !o.trivial && !o.literal && o.name != "" && !hasWord(words(o.name), nonSecretWords...)
}

// operand is what AUTH-007 knows about one side of a comparison.
type operand struct {
	text    string
	name    string // the name words are judged on
	trivial bool   // None, bool, number, empty, len(), typeof, CONSTANT_CASE
	literal bool   // a non-empty string literal
	litVal  string
	origin  bool // secret by origin: HMAC digest, auth header
	input   bool // taken from the request / user input
	env     bool // read from the environment: a configured value, whatever its name
}

var inputRE = regexp.MustCompile(`\b(?:request|req|form|body|args|params|query|json|data|payload|input|serializer|validated_data|cleaned_data)\b`)

// inputWords hold a word of every inputRE match: text without one cannot
// match.
var inputWords = prefilter.New("req", "form", "body", "args", "params", "query", "json", "data", "payload", "input", "serializer")

// pyInput is inputRE.MatchString, the regexp run only when a word is there.
func pyInput(s string) bool { return inputWords.InString(s) && inputRE.MatchString(s) }

func pyOperand(n node) operand {
	o := operand{text: n.Text()}
	o.input = pyInput(o.text)
	switch n.Kind() {
	case "none", "true", "false", "integer", "float":
		o.trivial = true
	case "string", "concatenated_string":
		s, ok := pyStr(n)
		if !ok {
			var parts []operand
			n.Walk(func(c node) bool {
				if c.Kind() == "interpolation" {
					parts = append(parts, pyOperand(c.Field("expression")))
					return false
				}
				return true
			})
			if c, ok := composedOperand(o, parts); ok {
				return c // f"Bearer {TOKEN}"
			}
		}
		o.trivial = ok && s == ""
		o.literal = !o.trivial
		o.litVal = s
	case "identifier":
		o.name = n.Text()
		o.trivial = isConstantCase(o.name) && secretKind(o.name) == 0
	case "attribute":
		o.name = n.Field("attribute").Text()
		o.trivial = isConstantCase(o.name) && secretKind(o.name) == 0
	case "subscript":
		if s, ok := pyStr(n.Field("subscript")); ok {
			o.name = s
			o.origin = headerSecret(n.Field("value").Text(), s)
			o.env = lastName(dotted(n.Field("value"))) == "environ"
		} else {
			o.name = lastName(dotted(n.Field("value")))
		}
	case "call":
		callee := calleeName(n)
		last := lastName(callee)
		if f := n.Field("function"); callee == "" && f.Kind() == "attribute" {
			last = f.Field("attribute").Text()
		}
		switch last {
		case "len", "type", "isinstance", "bool", "int", "count", "str.lower":
			o.trivial = true
		case "hexdigest", "digest":
			// an HMAC's digest is a secret; a plain hash of a file is not
			if strings.Contains(strings.ToLower(n.Text()), "hmac") {
				o.origin, o.input = true, false
				o.name = "hmac digest"
			}
		case "get", "getattr", "getenv":
			args, _ := pyArgs(n)
			if len(args) > 0 {
				if s, ok := pyStr(args[0]); ok {
					o.name = s
					o.origin = headerSecret(callee, s)
					o.env = last == "getenv" || strings.HasSuffix(callee, "environ.get")
				}
			}
		case "signature", "getfullargspec", "getargspec":
			// inspect.signature: a function's parameters, not a secret
		default:
			o.name = last
		}
	case "unary_operator", "binary_operator", "boolean_operator", "not_operator":
		o.trivial = true
		if l, r := n.Field("left"), n.Field("right"); n.Kind() == "binary_operator" && n.Field("operator").Text() == "+" &&
			(l.Kind() == "string" || r.Kind() == "string") {
			if c, ok := composedOperand(o, []operand{pyOperand(l), pyOperand(r)}); ok {
				return c // "Bearer " + token
			}
		}
	}
	return o
}

// composedOperand: a string built around a value (f"Bearer {TOKEN}",
// `Bearer ${token}`, "Bearer " + token) is compared as that value; o is
// the whole string, parts its interpolated values. ok is false when no
// part is a named value.
func composedOperand(o operand, parts []operand) (operand, bool) {
	best, bestKind := -1, -1
	for i, p := range parts {
		if p.trivial || p.literal || p.name == "" && !p.origin {
			continue
		}
		k := secretKind(p.name)
		if p.origin && k == 0 {
			k = 2
		}
		if k > bestKind {
			best, bestKind = i, k
		}
	}
	if best < 0 {
		return o, false
	}
	p := parts[best]
	o.name, o.origin, o.env = p.name, p.origin, p.env
	o.trivial, o.literal, o.litVal = false, false, ""
	return o, true
}

// headerSecret: a request header that carries a credential.
func headerSecret(obj, header string) bool {
	if !strings.Contains(strings.ToLower(obj), "header") && !strings.Contains(strings.ToLower(obj), "meta") {
		return false
	}
	ws := words(header)
	return hasWord(ws, "authorization", "token", "signature", "secret", "hmac") || (hasWord(ws, "api") && hasWord(ws, "key")) || hasWord(ws, "apikey") ||
		len(ws) > 0 && ws[len(ws)-1] == "key" && !hasWord(ws, keyHeaderNotSecret...) // X-Admin-Key, X-Service-Key
}

// keyHeaderNotSecret name headers ending in "Key" that carry no
// credential (Idempotency-Key, X-Cache-Key).
var keyHeaderNotSecret = []string{"idempotency", "cache", "public", "request", "correlation", "partition", "routing", "sort", "primary", "foreign", "dedup", "deduplication", "trace"}

var (
	strongSecretWords = []string{"secret", "secrets", "password", "passwd", "pwd", "passphrase", "signature", "hmac", "apikey", "otp", "totp"}
	tokenWords        = []string{"token", "csrf", "xsrf", "authorization"}
	nonSecretWords    = []string{"type", "types", "kind", "name", "names", "count", "len", "length", "id", "ids", "index", "idx", "url", "uri", "path", "file", "filename",
		"prefix", "suffix", "pos", "position", "start", "end", "expiry", "expires", "expiration", "exp", "at", "time", "timestamp", "format", "field", "fields",
		"header", "param", "label", "provider", "mode", "status", "source", "version", "scheme", "method", "algorithm", "alg", "policy", "required", "enabled",
		"valid", "is", "has", "changed", "list", "set", "cache", "regex", "pattern", "char", "chars", "line", "lineno", "col", "offset", "size", "min", "max",
		"num", "number", "limit", "age", "lifetime", "ttl", "db", "database", "test", "usage", "endpoint", "next", "page", "continuation", "cursor", "bearer", "tokens", "tokenizer",
		"kind", "class", "str", "string", "text", "location", "hint", "reset", "policy", "strength", "rule", "rules", "field", "input", "placeholder", "help",
		"error", "errors", "message", "encoding", "style", "attr", "attribute", "key", "keys", "old", "new", "confirm", "confirmation", "repeat", "again", "retype", "2", "verify", "doc", "tag"}
)

// secretKind classifies a name: 2 = strong secret word, 1 = token-like, 0 = not secret.
// tokenPurposeWords say what a token is for, not that it is no secret.
var tokenPurposeWords = map[string]bool{"reset": true, "verification": true, "verify": true, "confirm": true, "confirmation": true,
	"activation": true, "invite": true, "invitation": true, "magic": true}

func secretKind(name string) int {
	ws := words(name)
	if len(ws) == 0 {
		return 0
	}
	last := ws[len(ws)-1]
	// resetToken, verification_token: a token named by its purpose is
	// still a token, though "reset" alone names no secret (reset_at); any
	// other non-secret word still counts (reset_url_token is a URL marker)
	judged := ws
	if slices.Contains(tokenWords, last) {
		judged = slices.DeleteFunc(slices.Clone(ws), func(w string) bool { return tokenPurposeWords[w] })
	}
	if hasWord(judged, nonSecretWords...) && !(last == "key" && hasWord(ws, "api", "secret", "signing", "hmac", "private")) {
		return 0
	}
	switch {
	case hasWord(ws, strongSecretWords...) || (hasWord(ws, "api") && hasWord(ws, "key")) || (last == "key" && hasWord(ws, "secret", "signing", "hmac", "private")):
		return 2
	case hasWord(ws, tokenWords...):
		return 1
	}
	return 0
}

// timingUnsafe decides AUTH-007 for two operands.
func timingUnsafe(l, r operand) (string, bool) {
	check := func(a, b operand) (string, bool) {
		kind := secretKind(a.name)
		if a.origin && kind == 0 {
			kind = 2
		}
		if kind == 0 || a.trivial || b.trivial {
			return "", false
		}
		if b.literal && !(kind == 2 && credentialLiteral(b.litVal) || kind == 1 && tokenLiteral(b.litVal)) {
			return "", false
		}
		// "token" alone is a weak hint (lexer tokens, token objects): the
		// other side must look like a credential too
		if kind == 1 && !a.origin && !b.origin && !b.literal && secretKind(b.name) == 0 {
			return "", false
		}
		if a.input && b.input {
			return "", false // two user inputs (password confirmation)
		}
		// SERVICE_KEY names no secret by its words, but compared with an
		// API key and read from the environment it is the configured key
		if bk := secretKind(b.name); b.name != "" && bk == 0 && !b.origin && !(b.env && kind == 2) && hasWord(words(b.name), nonSecretWords...) {
			return "", false
		}
		return fmt.Sprintf("%s is compared with ==/!= (timing-unsafe); use a constant-time comparison", shorten(a.text)), true
	}
	if msg, ok := check(l, r); ok {
		return msg, true
	}
	return check(r, l)
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// credentialLiteral: a literal a password or API key is compared with
// that is itself the credential ("test", "LANTERN42", "s3cr3t"): four or more
// characters with a letter or digit and no spaces, not a null/boolean
// keyword or a mask such as "****".
func credentialLiteral(v string) bool {
	if len(v) < 4 || strings.ContainsAny(v, " \t\n") {
		return false
	}
	switch strings.ToLower(v) {
	case "none", "null", "nil", "undefined", "true", "false", "empty", "unset", "n/a":
		return false
	}
	return strings.IndexFunc(v, func(r rune) bool {
		return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}) >= 0
}

// tokenLiteral: a literal a token is compared with that is a hardcoded
// secret, not a token type or keyword ("bearer", "refresh"): it names a
// secret ("shared-secret-token") or is long and mixes letters and
// digits.
func tokenLiteral(v string) bool {
	if !credentialLiteral(v) {
		return false
	}
	if hasWord(words(v), strongSecretWords...) {
		return true
	}
	return len(v) >= 16 && strings.ContainsAny(v, "0123456789") && strings.IndexFunc(v, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0
}
