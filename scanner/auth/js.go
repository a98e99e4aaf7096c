package auth

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/prefilter"
)

// jsImport is what a local name was imported as.
type jsImport struct {
	spec   string // package name ("jsonwebtoken"); "" for relative modules
	rel    string // module key of a relative import
	member string // imported export ("" for default / namespace / whole module)
	raw    string // the specifier as written ("../middlewares/auth")
}

// useEntry is an app.use/router.use registration.
type useEntry struct {
	obj        string
	prefix     string
	line       int
	auth, role bool
	// scoped: a Fastify hook whose instance is known (fastify.go); it
	// counts only for routes on that instance (obj bound in scope) or on
	// the plugins it registers
	scoped bool
	scope  int
}

// jsFile analyzes one JavaScript/TypeScript file.
type jsFile struct {
	a     *Analyzer
	f     *scanner.File
	facts *facts

	mod          string
	imports      map[string]jsImport
	consts       map[string]node
	express      bool
	uses         []useEntry
	out          []scanner.Finding
	reportedDefs map[int]bool
	// loadsUser caches whether the file assigns req.user itself (asked per
	// handler; the answer is the file's): 0 unknown, 1 no, 2 yes.
	loadsUser int8
	// fastifyJWTNoExpiry: the file registers @fastify/jwt without
	// sign.expiresIn; fastifySigns are its X.jwt.sign / reply.jwtSign calls,
	// judged once the whole file is read.
	fastifyJWTNoExpiry bool
	fastifySigns       []node
	// fastify: the file's plugin functions, collected when it adds hooks
	fastify fastifyPlugins
}

var jsRouteMethods = map[string]string{"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE", "del": "DELETE", "all": "ALL"}

func (j *jsFile) run() []scanner.Finding {
	root := j.f.Tree.Root()
	j.mod = jsModuleKey(j.f.Path)
	j.imports = map[string]jsImport{}
	j.consts = map[string]node{}
	j.reportedDefs = map[int]bool{}
	j.collect(root)
	if prefilter.IndexFold(j.f.Content, "addhook") >= 0 {
		j.collectFastifyPlugins(root)
	}
	root.Walk(func(n node) bool {
		switch n.Kind() {
		case "string", "template_string", "comment", "regex", "number", "identifier", "property_identifier", "jsx_text", "import_statement",
			"type_annotation", "type_identifier", "predefined_type", "shorthand_property_identifier", "this", "true", "false", "null", "undefined",
			"interface_declaration", "type_alias_declaration":
			return false
		case "call_expression":
			j.call(n)
		case "new_expression":
			j.newExpr(n)
		case "binary_expression":
			j.compare(n)
		case "class_declaration", "class":
			j.nestController(n)
		case "assignment_expression":
			j.assign(n)
		case "export_statement":
			j.export(n)
		}
		return true
	})
	if !j.f.Test {
		if kind, url := nextRouteOf(j.f.Path); kind != notNextRoute {
			j.nextRoutes(root, kind, url)
		} else if isNextMiddleware(j.f.Path) {
			j.nextMiddleware(root)
		} else if isUseServer(root) {
			j.nextServerActions(root)
		}
	}
	if j.fastifyJWTNoExpiry {
		for _, c := range j.fastifySigns {
			j.fastifySign(c)
		}
	}
	return j.out
}

// collect records imports, requires and top-level constants.
func (j *jsFile) collect(root node) {
	addImport := func(local, spec, member string) {
		im := jsImport{member: member, raw: spec}
		if rel := resolveJSSpec(j.f.Path, spec); rel != "" {
			im.rel = rel
		} else {
			im.spec = spec
		}
		j.imports[local] = im
		switch spec {
		case "express", "fastify", "koa", "@koa/router", "koa-router", "hono":
			j.express = true
		default:
			if strings.HasPrefix(spec, "@nestjs/") {
				j.express = true
			}
		}
	}
	// Imports, requires and constants live at the top level (statements
	// and declarations, not expressions): no descent into function bodies.
	root.Walk(func(n node) bool {
		switch n.Kind() {
		case "program", "export_statement", "lexical_declaration", "variable_declaration", "expression_statement":
			return true
		case "function_declaration", "generator_function_declaration":
			j.handlerEvidence(n.Field("name").Text(), n)
			return false
		case "class_declaration":
			body := n.Field("body")
			for _, m := range body.NamedChildren() {
				if m.Kind() == "method_definition" {
					j.handlerEvidence(m.Field("name").Text(), m)
				}
			}
			return false
		case "assignment_expression":
			if l := dotted(n.Field("left")); strings.HasPrefix(l, "exports.") || strings.HasPrefix(l, "module.exports.") {
				j.handlerEvidence(lastName(l), n.Field("right"))
			}
			return false
		case "import_statement":
			spec, _ := jsStr(n.Field("source"))
			for _, c := range n.NamedChildren() {
				if c.Kind() != "import_clause" {
					continue
				}
				for _, ic := range c.NamedChildren() {
					switch ic.Kind() {
					case "identifier":
						addImport(ic.Text(), spec, "")
					case "namespace_import":
						addImport(ic.NamedChild(0).Text(), spec, "")
					case "named_imports":
						for _, s := range ic.NamedChildren() {
							if s.Kind() != "import_specifier" {
								continue
							}
							name := s.Field("name").Text()
							local := name
							if al := s.Field("alias"); !al.IsNull() {
								local = al.Text()
							}
							addImport(local, spec, name)
						}
					}
				}
			}
			return false
		case "variable_declarator":
			name, val := n.Field("name"), n.Field("value")
			spec, member, ok := requireOf(val)
			if ok {
				switch name.Kind() {
				case "identifier":
					addImport(name.Text(), spec, member)
				case "object_pattern":
					for _, c := range name.NamedChildren() {
						switch c.Kind() {
						case "shorthand_property_identifier_pattern":
							addImport(c.Text(), spec, c.Text())
						case "pair_pattern":
							addImport(c.Field("value").Text(), spec, c.Field("key").Text())
						}
					}
				}
				return false
			}
			if name.Kind() == "identifier" && !val.IsNull() {
				switch val.Kind() {
				case "arrow_function", "function_expression", "function", "call_expression":
					j.handlerEvidence(name.Text(), val)
				}
				decl := n.Parent()
				top := decl.Parent().Kind() == "program" || (decl.Parent().Kind() == "export_statement" && decl.Parent().Parent().Kind() == "program")
				if top {
					j.consts[name.Text()] = val
					if val.Kind() == "object" && decl.Parent().Kind() == "export_statement" {
						// export const jwtConstants = { secret: '…' }
						j.exportObject(val, name.Text())
					}
					if v, ok := j.secretValueOf(val, 1); ok && secretishName(name.Text()) {
						v.name = name.Text()
						j.facts.constants[j.mod+"#"+name.Text()] = v
					}
				}
				if c := calleeName(val); c == "express" || strings.HasSuffix(c, "Router") {
					j.express = true
				}
			}
		}
		return false
	})
}

// requireOf recognises require('x') and require('x').member.
func requireOf(n node) (spec, member string, ok bool) {
	switch n.Kind() {
	case "call_expression":
		if calleeName(n) == "require" || n.Field("function").Kind() == "import" {
			args := jsArgs(n)
			if len(args) == 1 {
				s, ok := jsStr(args[0])
				return s, "", ok
			}
		}
	case "member_expression":
		s, _, ok := requireOf(n.Field("object"))
		if ok {
			return s, n.Field("property").Text(), true
		}
	case "await_expression":
		return requireOf(n.NamedChild(0))
	}
	return "", "", false
}

// resolve qualifies a dotted callee through the imports: "jwt.sign" →
// "jsonwebtoken.sign", "sign" → "jsonwebtoken.sign". ok is false when the
// first segment is not an imported package.
func (j *jsFile) resolve(d string) (string, bool) {
	first, rest, has := strings.Cut(d, ".")
	im, ok := j.imports[first]
	if !ok || im.spec == "" {
		return d, false
	}
	q := im.spec
	if im.member != "" && im.member != "default" {
		q += "." + im.member
	}
	if has {
		q += "." + rest
	}
	return q, true
}

func (j *jsFile) add(rule scanner.RuleInfo, sev scanner.Severity, n node, msg string) {
	if j.f.Test {
		sev = sev.Lower()
	}
	j.out = append(j.out, j.a.finding(j.f, rule, sev, posOf(n), msg))
}

func (j *jsFile) deref(n node) node {
	if n.Kind() == "identifier" {
		if v, ok := j.consts[n.Text()]; ok {
			return v
		}
	}
	return n
}

// ---- AUTH-004 ----

func (j *jsFile) secretValueOf(n node, depth int) (secretValue, bool) {
	if s, ok := jsStr(n); ok {
		if !usableSecret(s) {
			return secretValue{}, false
		}
		return secretValue{file: j.f.Path, test: j.f.Test, at: posOf(n), value: s}, true
	}
	switch n.Kind() {
	case "identifier":
		if depth == 0 {
			if v, ok := j.consts[n.Text()]; ok {
				sv, ok := j.secretValueOf(v, 1)
				if ok {
					sv.name = n.Text()
				}
				return sv, ok
			}
		}
	case "call_expression":
		// new TextEncoder().encode('secret'), Buffer.from('secret')
		c := lastName(calleeName(n))
		if c == "" {
			if f := n.Field("function"); f.Kind() == "member_expression" {
				c = f.Field("property").Text()
			}
		}
		if c == "encode" || c == "from" || c == "createSecretKey" {
			if args := jsArgs(n); len(args) > 0 {
				return j.secretValueOf(args[0], depth)
			}
		}
	case "parenthesized_expression", "as_expression", "non_null_expression":
		return j.secretValueOf(n.NamedChild(0), depth)
	}
	return secretValue{}, false
}

func (j *jsFile) secretSink(key node, sink string) {
	if key.IsNull() {
		return
	}
	if v, ok := j.secretValueOf(key, 0); ok {
		if v.name != "" {
			if j.reportedDefs[v.at.line] {
				return
			}
			j.reportedDefs[v.at.line] = true
		}
		at := posOf(key)
		if v.name != "" {
			at = v.at
		}
		j.out = append(j.out, j.a.secretFinding(j.f.Path, j.f.Test, at, sink, v))
		return
	}
	d := dotted(key)
	first, rest, has := strings.Cut(d, ".")
	im, ok := j.imports[first]
	if !ok || im.rel == "" {
		return
	}
	ref := secretRef{file: j.f.Path, test: j.f.Test, at: posOf(key), sink: sink, module: im.rel}
	switch {
	case has && im.member == "":
		ref.name = rest
	case !has && im.member != "":
		ref.name = im.member
	case has:
		ref.name = im.member + "." + rest
	default:
		return
	}
	j.facts.secretRefs = append(j.facts.secretRefs, ref)
}

// exportObject records module.exports / export default object literals.
func (j *jsFile) exportObject(obj node, prefix string) {
	for k, v := range jsProps(obj) {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		if v.Kind() == "object" {
			j.exportObject(v, name)
			continue
		}
		if !secretishName(k) {
			continue
		}
		val := v
		if v.Kind() == "shorthand_property_identifier" {
			if c, ok := j.consts[v.Text()]; ok {
				val = c
			}
		}
		if sv, ok := j.secretValueOf(val, 0); ok {
			sv.name = name
			j.facts.constants[j.mod+"#"+name] = sv
		}
	}
}

func (j *jsFile) assign(n node) {
	left, right := n.Field("left"), n.Field("right")
	l := dotted(left)
	switch {
	case l == "module.exports" || l == "exports":
		if right.Kind() == "identifier" {
			j.facts.jsExports[j.mod+"#default"] = j.mod + "#" + right.Text()
		}
		j.exportPlugin(right)
		if right.Kind() == "object" {
			j.exportObject(right, "")
		}
	case strings.HasPrefix(l, "module.exports.") || strings.HasPrefix(l, "exports."):
		name := lastName(l)
		if sv, ok := j.secretValueOf(right, 0); ok && secretishName(name) {
			sv.name = name
			j.facts.constants[j.mod+"#"+name] = sv
		}
	}
}

// exportPlugin: a default export that is a function of an instance
// (module.exports = async function (fastify) {…}, export default
// fp(async (app) => …)) declares its routes on that parameter, which is
// what the module's importer mounts.
func (j *jsFile) exportPlugin(fn node) {
	if j.fastifyWrapper(fn) {
		if a := jsArgs(fn); len(a) > 0 {
			fn = a[0]
		}
	}
	if !isJSFunc(fn.Kind()) {
		return
	}
	if p := firstParam(fn); p != "" {
		j.facts.jsExports[j.mod+"#default"] = j.mod + "#" + p
	}
}

func (j *jsFile) export(n node) {
	if d := n.Field("declaration"); isJSFunc(d.Kind()) && strings.HasPrefix(n.Text(), "export default") {
		j.exportPlugin(d) // export default async function (fastify) {…}
	}
	if v := n.Field("value"); !v.IsNull() && strings.HasPrefix(n.Text(), "export default") {
		j.exportPlugin(v)
		switch v.Kind() {
		case "identifier":
			j.facts.jsExports[j.mod+"#default"] = j.mod + "#" + v.Text()
		case "object":
			j.exportObject(v, "")
		}
	}
}

// ---- calls ----

func (j *jsFile) call(n node) {
	fn := n.Field("function")
	callee := dotted(fn)
	method := ""
	if fn.Kind() == "member_expression" {
		method = fn.Field("property").Text()
	}
	args := jsArgs(n)
	q, imported := j.resolve(callee)
	if imported && strings.HasPrefix(q, "hono/") && j.honoCall(n, q, args) {
		return
	}
	switch {
	case imported && q == "jsonwebtoken.sign":
		if len(args) >= 2 {
			j.secretSink(args[1], "jwt.sign")
			j.jwtSign(n, args)
		}
		return
	case imported && q == "jsonwebtoken.verify":
		if len(args) >= 2 {
			if _, ok := jsStr(args[1]); ok {
				j.secretSink(args[1], "jwt.verify") // named keys are judged where tokens are signed
			}
			j.jwtVerify(args)
		}
		return
	case imported && (q == "express-session" || q == "express-session.default"):
		if len(args) > 0 {
			j.expressSession(args[0])
		}
		return
	case imported && q == "cookie-parser":
		if len(args) > 0 {
			j.secretSink(args[0], "cookie-parser")
		}
		return
	case imported && (q == "cookie-session"):
		if len(args) > 0 {
			props := jsProps(j.deref(args[0]))
			j.secretSink(props["secret"], "cookie-session")
			if ks := props["keys"]; ks.Kind() == "array" {
				// keys[0] signs, every key verifies
				for _, k := range ks.NamedChildren() {
					j.secretSink(k, "cookie-session")
				}
			}
		}
		return
	case imported && (q == "express-jwt" || q == "express-jwt.expressjwt" || q == "express-jwt.expressJwt"):
		j.mechanism(n, "express-jwt")
		if len(args) > 0 {
			props := jsProps(j.deref(args[0]))
			j.secretSink(props["secret"], "express-jwt")
		}
		return
	case imported && (q == "koa-jwt" || q == "koa-jwt.default"):
		j.mechanism(n, "koa-jwt")
		if len(args) > 0 {
			j.secretSink(jsProps(j.deref(args[0]))["secret"], "koa-jwt")
		}
		return
	case imported && (q == "@koa/cors" || q == "@koa/cors.default" || q == "koa-cors" || q == "koa2-cors"):
		opts := node{}
		if len(args) > 0 {
			opts = j.deref(args[0])
		}
		j.expressCORS(n, opts, "koa cors()")
		return
	case imported && (q == "cors" || q == "cors.default"):
		opts := node{}
		if len(args) > 0 {
			opts = j.deref(args[0])
		}
		j.expressCORS(n, opts, "cors()")
		return
	case imported && q == "jose.jwtVerify":
		if len(args) >= 2 {
			j.secretSink(args[1], "jose.jwtVerify")
		}
		return
	}
	switch method {
	case "sign":
		if strings.HasSuffix(callee, ".jwt.sign") {
			j.fastifySigns = append(j.fastifySigns, n)
			return
		}
		j.joseSign(n, args)
	case "jwtSign":
		j.fastifySigns = append(j.fastifySigns, n)
	case "register", "registerAsync":
		if lastName(strings.TrimSuffix(callee, "."+method)) == "JwtModule" && len(args) > 0 {
			props := jsProps(j.deref(args[0]))
			j.secretSink(props["secret"], "JwtModule")
			j.secretSink(props["privateKey"], "JwtModule")
			if so, ok := props["signOptions"]; ok {
				if v, ok := jsProps(so)["expiresIn"]; ok {
					j.expiresIn(v, "JwtModule signOptions.expiresIn")
				}
			} else if method == "register" {
				j.add(ruleTokenLifetime, scanner.Medium, n, "JwtModule.register without signOptions.expiresIn issues tokens that never expire")
			}
			j.mechanism(n, "JwtModule")
		} else if method == "register" && len(args) >= 1 {
			if len(args) >= 2 {
				j.fastifyPlugin(n, args) // fastify.register(plugin, options)
			}
			j.fastifyMount(n, strings.TrimSuffix(callee, ".register"), args)
		}
	case "enableCors":
		opts := node{}
		if len(args) > 0 {
			opts = j.deref(args[0])
		}
		j.expressCORS(n, opts, "enableCors()")
	case "create":
		if lastName(strings.TrimSuffix(callee, ".create")) == "NestFactory" && len(args) > 1 {
			if c, ok := jsProps(args[1])["cors"]; ok {
				if c.Kind() == "true" {
					j.expressCORS(c, node{}, "NestFactory cors: true")
				} else if c.Kind() == "object" {
					j.expressCORS(c, c, "NestFactory cors")
				}
			}
		}
	case "cookie":
		if callee == "" {
			callee = responseChain(fn) // res.status(200).cookie(...)
		}
		j.resCookie(n, callee, args)
	case "setHeader", "header", "set", "append":
		if len(args) == 2 {
			if h, ok := jsStr(args[0]); ok && strings.EqualFold(h, "Access-Control-Allow-Origin") {
				j.manualACAO(n, args[1])
			}
		}
	case "use":
		j.use(n, strings.TrimSuffix(callee, ".use"), args)
	case "addHook":
		j.fastifyHook(n, strings.TrimSuffix(callee, ".addHook"), args)
	case "route":
		if fn.Kind() == "member_expression" && len(args) == 1 && args[0].Kind() == "object" {
			j.fastifyRoute(n, fn, args[0])
		}
		if prefix, ok := jsStr(args0(args)); ok && len(args) == 2 {
			// Hono's app.route('/admin', admin) mounts a sub-application
			// (Express's route() takes the path alone)
			j.mountSubApp(n, strings.TrimSuffix(callee, ".route"), prefix, args[1])
		}
	case "mutation", "query":
		if fn.Kind() == "member_expression" && len(args) > 0 {
			j.trpcProcedure(n, method)
		}
	case "useGlobalGuards":
		for _, a := range args {
			if au, _ := classifyName(guardName(a)); au {
				j.facts.nestGlobalGuard = true
			}
		}
	case "authenticate":
		if callee == "passport.authenticate" {
			j.mechanism(n, "passport")
		}
	}
	if m, ok := jsRouteMethods[method]; ok && fn.Kind() == "member_expression" {
		j.route(n, fn, m, args)
	}
}

func (j *jsFile) newExpr(n node) {
	ctor := dotted(n.Field("constructor"))
	q, imported := j.resolve(ctor)
	if !imported {
		return
	}
	switch {
	case q == "passport-jwt.Strategy" || strings.HasPrefix(q, "passport-jwt"):
		j.mechanism(n, "passport-jwt")
		if args := jsArgs(n); len(args) > 0 {
			j.secretSink(jsProps(j.deref(args[0]))["secretOrKey"], "passport-jwt secretOrKey")
		}
	case strings.HasPrefix(q, "passport-"):
		j.mechanism(n, q)
	}
}

func (j *jsFile) mechanism(n node, what string) {
	if j.f.Test {
		return
	}
	_, _ = n, what
	j.facts.mechanisms = append(j.facts.mechanisms, j.f.Path)
}

// ---- AUTH-003 ----

var jsExpRE = regexp.MustCompile(`\bexp\s*:|\.exp\s*=|\[['"]exp['"]\]`)

func (j *jsFile) refreshContext(n node) bool {
	ctx := ""
	if fn := enclosing(n, jsFuncKinds...); !fn.IsNull() {
		ctx = funcName(fn)
	}
	if st := enclosing(n, "variable_declarator", "return_statement", "assignment_expression", "pair"); !st.IsNull() {
		t := st.Text()
		if len(t) > 200 {
			t = t[:200]
		}
		ctx += " " + t
	}
	return hasWord(words(ctx), "refresh")
}

func (j *jsFile) jwtSign(call node, args []node) {
	if j.refreshContext(call) {
		return
	}
	var opts map[string]node
	if len(args) >= 3 {
		o := j.deref(args[2])
		if o.Kind() != "object" {
			return // options built elsewhere
		}
		opts = jsProps(o)
	}
	if v, ok := opts["expiresIn"]; ok {
		j.expiresIn(v, "jwt.sign expiresIn")
		return
	}
	payload := j.deref(args[0])
	if payload.Kind() == "object" {
		if _, ok := jsProps(payload)["exp"]; ok {
			return
		}
	} else {
		scope := enclosing(call, jsFuncKinds...)
		if scope.IsNull() || jsExpRE.MatchString(scope.Text()) {
			return
		}
		if payload.Kind() != "identifier" && payload.Kind() != "string" {
			return
		}
		if payload.Kind() == "identifier" {
			// a payload received from the caller may carry exp
			for _, prm := range scope.Field("parameters").NamedChildren() {
				if strings.Contains(prm.Text(), payload.Text()) {
					return
				}
			}
		}
	}
	j.add(ruleTokenLifetime, scanner.Medium, call, "jwt.sign without expiresIn (or an exp claim) issues a token that never expires")
}

func (j *jsFile) expiresIn(v node, what string) {
	v = j.deref(v)
	if s, ok := jsStr(v); ok {
		if dur, ok := msDuration(s); ok && dur > j.a.maxLifetime {
			j.add(ruleTokenLifetime, scanner.Medium, v, fmt.Sprintf("%s is %s, above the %s maximum for access tokens", what, fmtDuration(dur), fmtDuration(j.a.maxLifetime)))
		}
		return
	}
	if n, ok := pyNumber(v); ok {
		dur, _ := msDuration(fmt.Sprintf("%f", n))
		if dur > j.a.maxLifetime {
			j.add(ruleTokenLifetime, scanner.Medium, v, fmt.Sprintf("%s is %s, above the %s maximum for access tokens", what, fmtDuration(dur), fmtDuration(j.a.maxLifetime)))
		}
	}
}

func (j *jsFile) jwtVerify(args []node) {
	if len(args) < 3 {
		return
	}
	opts := j.deref(args[2])
	props := jsProps(opts)
	if v, ok := props["ignoreExpiration"]; ok && v.Kind() == "true" {
		j.add(ruleTokenLifetime, scanner.Medium, v, "jwt.verify with ignoreExpiration: true accepts expired tokens")
	}
	if v, ok := props["algorithms"]; ok && strings.Contains(strings.ToLower(v.Text()), "'none'") || strings.Contains(strings.ToLower(props["algorithms"].Text()), `"none"`) {
		j.add(ruleTokenLifetime, scanner.Medium, props["algorithms"], "jwt.verify accepts the \"none\" algorithm (unsigned tokens)")
	}
}

// joseSign judges `new SignJWT(...)...sign(key)` chains.
func (j *jsFile) joseSign(n node, args []node) {
	var expArg node
	cur := n.Field("function").Field("object")
	for depth := 0; depth < 20; depth++ {
		switch cur.Kind() {
		case "call_expression":
			f := cur.Field("function")
			if f.Kind() != "member_expression" {
				return
			}
			if f.Field("property").Text() == "setExpirationTime" {
				if a := jsArgs(cur); len(a) > 0 {
					expArg = a[0]
				}
			}
			cur = f.Field("object")
			continue
		case "new_expression":
			q, ok := j.resolve(dotted(cur.Field("constructor")))
			if !ok || (q != "jose.SignJWT" && q != "jose.EncryptJWT") {
				return
			}
			if len(args) > 0 {
				j.secretSink(args[0], "jose SignJWT.sign")
			}
			if j.refreshContext(n) {
				return
			}
			if expArg.IsNull() {
				j.add(ruleTokenLifetime, scanner.Medium, cur, "jose SignJWT without setExpirationTime issues a token that never expires")
				return
			}
			j.expiresIn(expArg, "setExpirationTime")
			return
		case "parenthesized_expression", "await_expression":
			cur = cur.NamedChild(0)
			continue
		}
		return
	}
}

// ---- AUTH-005 ----

func (j *jsFile) corsFinding(n node, high bool, msg string) {
	f := j.a.finding(j.f, ruleCORS, scanner.Medium, posOf(n), msg)
	if high {
		f.Severity = scanner.High
		if j.f.Test {
			f.Severity = f.Severity.Lower()
		}
		j.out = append(j.out, f)
		return
	}
	j.facts.cors = append(j.facts.cors, corsFinding{f: f, dep: true})
}

// expressCORS applies the cors package's semantics: default origin "*"
// without credentials; origin true or an always-accepting callback
// reflects the request's Origin.
func (j *jsFile) expressCORS(n, opts node, what string) {
	props := jsProps(opts)
	creds := props["credentials"].Kind() == "true"
	origin, has := props["origin"]
	if !has {
		if opts.IsNull() || opts.Kind() == "object" {
			j.corsFinding(n, false, what+" with the default origin allows any origin (*)")
		}
		return
	}
	origin = j.deref(origin)
	switch origin.Kind() {
	case "true":
		j.corsFinding(origin, creds, what+" origin: true reflects any Origin"+credsNote(creds))
	case "string", "template_string":
		s, _ := jsStr(origin)
		switch s {
		case "*":
			// cors sends a literal * (browsers refuse it with credentials)
			j.corsFinding(origin, false, what+" allows any origin (*)")
		case "null":
			j.corsFinding(origin, true, what+" allows the \"null\" origin")
		}
	case "regex":
		pat := origin.Field("pattern").Text()
		if jsRegexLoose(pat) {
			j.corsFinding(origin, creds, what+" origin regex /"+pat+"/ matches attacker-controlled origins"+credsNote(creds))
		}
	case "array":
		for _, c := range origin.NamedChildren() {
			if s, ok := jsStr(c); ok && s == "null" {
				j.corsFinding(c, true, what+" allows the \"null\" origin")
			}
			if s, ok := jsStr(c); ok && s == "*" {
				j.corsFinding(c, false, what+" allows any origin (*)")
			}
			if c.Kind() == "regex" && jsRegexLoose(c.Field("pattern").Text()) {
				j.corsFinding(c, creds, what+" origin regex /"+c.Field("pattern").Text()+"/ matches attacker-controlled origins"+credsNote(creds))
			}
		}
	case "arrow_function", "function_expression", "function", "method_definition":
		body := origin.Field("body").Text()
		if honoReflectsOrigin(origin) {
			j.corsFinding(origin, creds, what+" origin callback returns every Origin it is given"+credsNote(creds))
		} else if !jsCondRE.MatchString(body) &&
			jsReflectCallbackRE.MatchString(body) {
			j.corsFinding(origin, creds, what+" origin callback accepts every Origin"+credsNote(creds))
		} else if !jsCondRE.MatchString(body) && jsRequestOriginRE.MatchString(body) {
			// @koa/cors: origin(ctx) returns the origin to allow
			j.corsFinding(origin, creds, what+" origin function returns the request's own Origin"+credsNote(creds))
		}
	}
}

func credsNote(creds bool) string {
	if creds {
		return " with credentials: any site can read authenticated responses"
	}
	return ""
}

// jsRegexLoose: an unanchored or everything-matching origin regex.
func jsRegexLoose(pat string) bool {
	re, err := regexp.Compile(pat)
	if err != nil {
		return false
	}
	for _, o := range evilOrigins[:2] {
		if re.MatchString(o) {
			return true
		}
	}
	// unanchored: the allowed host followed by an attacker's suffix
	host := jsRegexEscapeRE.ReplaceAllString(strings.Trim(pat, "^$"), "$1")
	host = strings.NewReplacer("(", "", ")", "", "?", "", "*", "", "+", "", "[", "", "]", "", "|", "", "^", "", "$", "").Replace(host)
	host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
	if host == "" {
		return false
	}
	return re.MatchString("https://"+host+".attacker.example") || re.MatchString("https://attacker"+host)
}

func (j *jsFile) manualACAO(n, v node) {
	if s, ok := jsStr(v); ok {
		if s == "*" {
			j.corsFinding(n, false, "Access-Control-Allow-Origin: * lets any origin read the response")
		} else if s == "null" {
			j.corsFinding(n, true, "Access-Control-Allow-Origin: null trusts sandboxed frames and local files")
		}
		return
	}
	if !strings.Contains(strings.ToLower(v.Text()), "origin") {
		return
	}
	fn := enclosing(n, jsFuncKinds...)
	if allowlistRE.MatchString(fn.Text()) {
		return
	}
	creds := jsAllowCredsRE.MatchString(fn.Text())
	j.corsFinding(n, creds, "Access-Control-Allow-Origin echoes the request's Origin without an allow-list check"+credsNote(creds))
}

// ---- AUTH-006 ----

// Regular expressions compiled once (they run on every route and call).
var (
	jsCondRE            = regexp.MustCompile(`\b(?:if|includes|indexOf|test|match|some|find|has|startsWith|endsWith|===|==|\?)\b|===|!==|\?`)
	jsReflectCallbackRE = regexp.MustCompile(`\(\s*null\s*,\s*(?:true|origin)\s*\)`)
	jsRegexEscapeRE     = regexp.MustCompile(`\\(.)`)
	jsAllowCredsRE      = regexp.MustCompile(`(?i)Access-Control-Allow-Credentials['"]\s*,\s*(?:true|['"]true)`)
	jsRequestOriginRE   = regexp.MustCompile(`(?i)\.get\(\s*['"]origin['"]\s*\)|\.headers?\.origin\b|\.headers?\[\s*['"]origin['"]\s*\]|\brequest\.origin\b`)
	jsAppNameRE         = regexp.MustCompile(`(?i)^(?:app|router|api|server|routes?|\w*router|admin|fastify)$`)
	nestUserParamRE     = regexp.MustCompile(`@(?:CurrentUser|User|GetUser|AuthUser|Req)\b`)
	nestOwnerRE         = regexp.MustCompile(`(?i)user\.?id|userId|ownerId`)
)

var resObjRE = regexp.MustCompile(`^(?:res|response|resp|reply|ctx\.res|this\.res)$`)

func (j *jsFile) resCookie(n node, callee string, args []node) {
	obj := strings.TrimSuffix(callee, ".cookie")
	if !resObjRE.MatchString(obj) || len(args) < 2 {
		return
	}
	label := args[0].Text()
	if s, ok := jsStr(args[0]); ok {
		label = s
	}
	if cookieNameExcluded(label) || (!cookieNameSensitive(label) && !(args[1].Kind() == "identifier" && cookieNameSensitive(args[1].Text()))) {
		return
	}
	var props map[string]node
	if len(args) >= 3 {
		o := j.deref(args[2])
		if o.Kind() == "identifier" {
			o = localObject(n, o.Text())
		}
		if o.Kind() != "object" {
			return
		}
		props = jsProps(o)
		for _, p := range o.NamedChildren() {
			if p.Kind() == "spread_element" {
				return // options merged from elsewhere
			}
		}
	}
	j.cookieAttrs(n, props, fmt.Sprintf("cookie %s", quoteLabel(label)), "Express res.cookie defaults", false)
}

// responseChain names the receiver of a call on a chain of response
// methods ("res" for res.status(200).cookie), "" for anything else.
func responseChain(fn node) string {
	if fn.Kind() != "member_expression" {
		return ""
	}
	o := fn.Field("object")
	for o.Kind() == "call_expression" {
		f := o.Field("function")
		if f.Kind() != "member_expression" {
			return ""
		}
		switch f.Field("property").Text() {
		case "status", "set", "header", "type", "append", "cookie", "clearCookie", "location", "vary":
		default:
			return ""
		}
		o = f.Field("object")
	}
	if base := dotted(o); base != "" {
		return base + "." + fn.Field("property").Text()
	}
	return ""
}

// localObject resolves a name to the object literal it is declared with in
// the enclosing function (const options = {httpOnly: true}), or returns a
// null node when it is declared otherwise or changed after its declaration
// (options.secure = true).
func localObject(at node, name string) node {
	fn := at
	for !fn.IsNull() {
		switch fn.Kind() {
		case "function_declaration", "function_expression", "arrow_function", "method_definition", "function":
			var found node
			count := 0
			fn.Walk(func(c node) bool {
				if c.Kind() == "variable_declarator" && c.Field("name").Text() == name {
					found = c.Field("value")
					count++
				}
				return true
			})
			if count != 1 || found.Kind() != "object" {
				return node{}
			}
			if regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `(?:\.\w+|\[[^\]]*\])\s*=[^=]|Object\.assign\(\s*` + regexp.QuoteMeta(name) + `\b`).MatchString(fn.Text()) {
				return node{}
			}
			return found
		}
		fn = fn.Parent()
	}
	return node{}
}

// cookieAttrs names the missing attributes; httpOnlyDefault is the
// framework's HttpOnly default.
func (j *jsFile) cookieAttrs(n node, props map[string]node, what, framework string, httpOnlyDefault bool) {
	var missing []string
	if v, ok := props["httpOnly"]; (!ok && !httpOnlyDefault) || (ok && v.Kind() == "false") {
		missing = append(missing, "HttpOnly")
	}
	gated := false
	if v, ok := props["secure"]; !ok || v.Kind() == "false" {
		missing = append(missing, "Secure")
	} else if v.Kind() != "true" && debugGateRE.MatchString(v.Text()) {
		gated = true
	}
	if v, ok := props["sameSite"]; !ok || v.Kind() == "false" {
		missing = append(missing, "SameSite")
	}
	switch {
	case len(missing) > 0:
		j.add(ruleCookie, scanner.Medium, n, fmt.Sprintf("%s is set without %s (%s)", what, strings.Join(missing, ", "), framework))
	case gated:
		j.add(ruleCookie, scanner.Info, props["secure"], what+" gets Secure only when an environment flag says so")
	}
}

func (j *jsFile) expressSession(opts node) {
	opts = j.deref(opts)
	props := jsProps(opts)
	j.secretSink(props["secret"], "express-session secret")
	if s := props["secret"]; s.Kind() == "array" {
		// the first secret signs, every one verifies
		for _, e := range s.NamedChildren() {
			j.secretSink(e, "express-session secret")
		}
	}
	if opts.Kind() != "object" {
		return
	}
	cookie := j.deref(props["cookie"])
	if !cookie.IsNull() && cookie.Kind() != "object" {
		return
	}
	at := opts
	if !cookie.IsNull() {
		at = cookie
	}
	j.cookieAttrs(at, jsProps(cookie), "the express-session cookie", "express-session defaults: HttpOnly only", true)
}

// ---- routes (Express) ----

func middlewareClass(n node) (bool, bool) {
	switch n.Kind() {
	case "object":
		// Fastify route options: { onRequest: [fastify.authenticate] }
		au, ro := false, false
		for k, v := range jsProps(n) {
			if fastifyHooks[k] || k == "beforeHandler" {
				x, y := middlewareClass(v)
				au, ro = au || x, ro || y
			}
		}
		return au, ro
	case "array":
		au, ro := false, false
		for _, c := range n.NamedChildren() {
			x, y := middlewareClass(c)
			au, ro = au || x, ro || y
		}
		return au, ro
	case "call_expression":
		callee := calleeName(n)
		au, ro := classifyName(callee)
		if !au {
			au, ro = classifyName(lastName(callee))
		}
		if au && !ro {
			for _, a := range jsArgs(n) {
				if s, ok := jsStr(a); ok && isRoleName(s) {
					ro = true
				}
				// combinators: fastify.auth([ownerPolicy(fastify)]),
				// requireAuth(checkRole('admin'))
				if _, y := middlewareClass(a); y {
					ro = true
				}
			}
		}
		return au, ro
	case "identifier", "member_expression":
		d := dotted(n)
		au, ro := classifyName(lastName(d))
		return au, ro
	}
	return false, false
}

// mountSubApp records app.route(prefix, sub): sub's routes are served
// under prefix, behind the middleware app registered for it before.
func (j *jsFile) mountSubApp(n node, obj, prefix string, sub node) {
	if key := j.routerKey(sub); key != "" && obj != "" {
		au, ro := j.globalAt(n, obj, prefix)
		j.facts.mounts = append(j.facts.mounts, mount{parent: j.mod + "#" + obj, child: key, auth: au, role: ro, prefix: prefix, file: j.f.Path})
	}
}

// args0 is the first argument, null when there is none.
func args0(args []node) node {
	if len(args) == 0 {
		return node{}
	}
	return args[0]
}

func (j *jsFile) use(n node, obj string, args []node) {
	if obj == "" || len(args) == 0 {
		return
	}
	prefix := ""
	if s, ok := jsStr(args[0]); ok {
		// '/api/*' (Hono, Express 5's '/api/*splat') covers what '/api' does
		prefix = s
		if i := strings.IndexByte(prefix, '*'); i >= 0 {
			prefix = strings.TrimSuffix(prefix[:i], "/")
		}
		args = args[1:]
	}
	au, ro := false, false
	for _, a := range args {
		routerLike := hasWord(words(a.Text()), "router", "routes", "route", "routers", "controller", "api", "app") || j.importedRouter(a)
		x, y := middlewareClass(a)
		if !x && isJSFunc(a.Kind()) {
			x, y = inlineMiddleware(a)
		}
		if x && !routerLike {
			au, ro = true, ro || y
			continue
		}
		// mounted routers
		if key := j.routerKey(a); key != "" {
			ga, gr := j.globalAt(n, obj, prefix)
			j.facts.mounts = append(j.facts.mounts, mount{parent: j.mod + "#" + obj, child: key, auth: au || ga, role: ro || gr, prefix: prefix, file: j.f.Path})
		}
	}
	if au {
		j.uses = append(j.uses, useEntry{obj: obj, prefix: prefix, line: n.Line(), auth: au, role: ro})
		if (prefix == "" || prefix == "/" || prefix == "*") && !j.f.Test {
			j.facts.globalAuthFiles = append(j.facts.globalAuthFiles, j.f.Path)
		}
		j.mechanism(n, "app.use auth")
	}
}

// inlineMiddleware classifies a function passed to use(): it verifies the
// caller itself (jwt.verify, a 401) or calls an authenticating middleware
// it builds ((c, next) => jwt({ secret: c.env.JWT_SECRET })(c, next)).
func inlineMiddleware(fn node) (bool, bool) {
	body := fn.Field("body")
	text := body.Text()
	au, ro := jsHookAuthRE.MatchString(text), jsRoleEvidence(text)
	body.Walk(func(c node) bool {
		if au {
			return false
		}
		if c.Kind() == "call_expression" {
			if x, y := middlewareClass(c); x && c.Field("function").Kind() != "member_expression" {
				au, ro = true, ro || y
			}
		}
		return true
	})
	return au, ro
}

// importedRouter: a use() argument imported from a project module whose
// path says it holds routes (require('./admin.route'), './routes/auth'),
// so a name such as admin or auth is a mounted router, not middleware.
func (j *jsFile) importedRouter(a node) bool {
	spec := ""
	if s, _, ok := requireOf(a); ok {
		spec = s
	} else if a.Kind() == "identifier" {
		if im, ok := j.imports[a.Text()]; ok && im.rel != "" {
			spec = im.raw
		}
	}
	if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
		return false
	}
	// the specifier as written, not the resolved path: a file's own
	// src/api/ ancestors say nothing about what it imports
	var ws []string
	for _, seg := range strings.Split(spec, "/") {
		ws = append(ws, words(seg)...)
	}
	if hasWord(ws, "middleware", "middlewares", "guard", "guards", "auth", "authentication", "passport") && !hasWord(ws, "router", "routers", "route", "routes") {
		return false
	}
	if hasWord(ws, "router", "routers", "route", "routes", "controller", "controllers", "api", "endpoints", "views") {
		return true
	}
	// app.use('/admin', admin) with admin = require('./admin'): a module
	// named by a plain noun is a router; middleware is named by what it
	// does (requireAdmin, isAdmin, adminOnly, ensureLoggedIn)
	base := words(path.Base(spec))
	return len(base) > 0 && a.Kind() == "identifier" && !hasWord(base, middlewareVerbs...) && !hasWord(words(a.Text()), middlewareVerbs...)
}

// middlewareVerbs name what a guard does; a module or variable without one
// is named after a resource.
var middlewareVerbs = []string{"require", "requires", "ensure", "verify", "check", "is", "has", "only", "guard", "protect", "protected",
	"authenticate", "authenticated", "authorize", "authorized", "auth", "must", "restrict", "allow", "deny", "can", "validate",
	"need", "needs", "login", "logged", "jwt", "token", "session", "passport", "acl", "rbac", "permission", "permissions", "policy", "middleware"}

// routerKey identifies a router passed to use(): a required/imported
// module or a local router variable.
func (j *jsFile) routerKey(a node) string {
	if spec, _, ok := requireOf(a); ok {
		if rel := resolveJSSpec(j.f.Path, spec); rel != "" {
			return rel + "#default"
		}
		return ""
	}
	if a.Kind() != "identifier" {
		return ""
	}
	if im, ok := j.imports[a.Text()]; ok && im.rel != "" {
		if im.member != "" {
			return im.rel + "#" + im.member
		}
		return im.rel + "#default"
	}
	if v, ok := j.consts[a.Text()]; ok {
		if c := calleeName(v); strings.HasSuffix(c, "Router") || c == "express" || v.Kind() == "new_expression" && v.Field("constructor").Text() == "Hono" {
			return j.mod + "#" + a.Text()
		}
	}
	return ""
}

// globalAt: auth middleware registered on obj before n, covering path —
// in a file with Fastify plugins, also on the instances that registered
// obj's plugin before registering it.
func (j *jsFile) globalAt(n node, obj, path string) (bool, bool) {
	refs := []instanceRef{{obj: obj, scope: -1, line: n.Line()}}
	if j.fastify.registered != nil {
		refs = j.ancestry(n, obj)
	}
	au, ro := false, false
	for _, u := range j.uses {
		for _, r := range refs {
			if u.obj != r.obj || u.line >= r.line || (u.scoped && u.scope != r.scope) {
				continue
			}
			if u.prefix == "" || u.prefix == "/" || u.prefix == "*" || strings.HasPrefix(path, strings.TrimSuffix(u.prefix, "/")) {
				au, ro = au || u.auth, ro || u.role
			}
		}
	}
	return au, ro
}

// routeChain follows a chain of method calls down to the router.route(path)
// call it starts from; chainMW are the middleware its .all() links add.
func routeChain(obj node) (rc node, chainMW []node, ok bool) {
	for depth := 0; depth < 16 && obj.Kind() == "call_expression"; depth++ {
		f := obj.Field("function")
		if f.Kind() != "member_expression" {
			return node{}, nil, false
		}
		switch f.Field("property").Text() {
		case "route":
			return obj, chainMW, true
		case "all":
			chainMW = append(jsArgs(obj), chainMW...)
		case "get", "post", "put", "patch", "delete", "options", "head":
		default:
			return node{}, nil, false
		}
		obj = f.Field("object")
	}
	return node{}, nil, false
}

var nonAppObjects = regexp.MustCompile(`^(?:axios|http|https|fetch|request|client|agent|supertest|\$|jQuery|cy|superagent|got|ky|api\.client|this\.http|httpClient|map|cache|store|redis|db|knex|model|params|headers|searchParams|url|storage|localStorage|sessionStorage|formData|collection|Object|Reflect|window|document|process|console)$`)

func (j *jsFile) route(n, fn node, method string, args []node) {
	if len(args) == 0 {
		return
	}
	obj := fn.Field("object")
	var pth string
	var objName string
	if rc, chainMW, ok := routeChain(obj); ok {
		// router.route('/x').all(protect).get(h).put(h2): each link is a
		// route of the path, behind the .all() middleware before it;
		// placed at its method name (a chain spans several lines)
		ra := jsArgs(rc)
		if len(ra) == 0 {
			return
		}
		pth, _ = jsStr(ra[0])
		objName = dotted(rc.Field("function").Field("object"))
		args = append(chainMW, args...)
		n = fn.Field("property")
	} else {
		if len(args) < 2 {
			return
		}
		s, ok := jsStr(args[0])
		if !ok {
			return
		}
		pth = s
		args = args[1:]
		objName = dotted(obj)
	}
	if objName == "" || nonAppObjects.MatchString(objName) || (!strings.HasPrefix(pth, "/") && pth != "*") {
		return
	}
	if !j.express && !jsAppNameRE.MatchString(objName) {
		return
	}
	last := args[len(args)-1]
	switch last.Kind() {
	case "arrow_function", "function_expression", "function", "identifier", "member_expression", "call_expression":
	default:
		return
	}
	// app.all('/api/*', requireAuth): middleware for every later route
	if method == "ALL" && last.Kind() != "arrow_function" && last.Kind() != "function_expression" {
		if au, ro := middlewareClass(last); au {
			prefix := strings.TrimSuffix(strings.TrimSuffix(pth, "*"), "/")
			j.uses = append(j.uses, useEntry{obj: objName, prefix: prefix, line: n.Line(), auth: au, role: ro})
			return
		}
	}
	j.addRoute(n, objName, method, pth, args[:len(args)-1], last)
}

// addRoute records a route declared at n on objName, with its middleware
// (or route options) and its handler.
func (j *jsFile) addRoute(n node, objName, method, pth string, mws []node, last node) {
	rt := route{framework: "express", file: j.f.Path, test: j.f.Test, at: posOf(n), method: method, path: pth, routerKey: j.mod + "#" + objName}
	root, _, _ := strings.Cut(objName, ".")
	_, local := j.consts[root]
	_, imported := j.imports[root]
	rt.foreignOwner = !local && !imported
	if method == "ALL" {
		rt.method = ""
	}
	for _, mw := range mws {
		x, y := middlewareClass(mw)
		rt.auth, rt.role = rt.auth || x, rt.role || y
	}
	ga, gr := j.globalAt(n, objName, pth)
	rt.auth, rt.role = rt.auth || ga, rt.role || gr
	switch last.Kind() {
	case "arrow_function", "function_expression", "function", "method_definition":
		rt.handler = funcName(last)
		body := last.Field("body").Text()
		authRE := j.bodyAuthRE()
		rt.auth = rt.auth || authRE.MatchString(body)
		rt.role = rt.role || jsRoleEvidence(body)
		rt.owned = jsOwnerFieldRE.MatchString(body) && jsCurrentUserRE.MatchString(body) || jsScopedCallRE.MatchString(body)
	default:
		rt.handler = dotted(last)
		if last.Kind() == "call_expression" {
			rt.handler = calleeName(last)
		}
		rt.handlerKey = j.handlerKey(rt.handler)
	}
	if rt.handler == "" {
		rt.handler = strings.ToLower(method) + " handler"
	}
	if !j.f.Test {
		j.facts.routes = append(j.facts.routes, rt)
	}
}

// ---- Fastify ----

// fastifyRoute: fastify.route({ method, url, onRequest/preHandler, handler }),
// the full declaration form.
func (j *jsFile) fastifyRoute(n, fn node, opts node) {
	props := jsProps(opts)
	pth, ok := jsStr(props["url"])
	if !ok {
		pth, ok = jsStr(props["path"])
	}
	last := props["handler"]
	objName := dotted(fn.Field("object"))
	if !ok || !strings.HasPrefix(pth, "/") || last.IsNull() || objName == "" || nonAppObjects.MatchString(objName) || (!j.express && !jsAppNameRE.MatchString(objName)) {
		return
	}
	var methods []string
	m := props["method"]
	for _, c := range append([]node{m}, m.NamedChildren()...) {
		if s, ok := jsStr(c); ok {
			methods = append(methods, strings.ToUpper(s))
		}
	}
	method := pickMethod(methods)
	if method == "" {
		return
	}
	switch last.Kind() {
	case "arrow_function", "function_expression", "function", "method_definition", "identifier", "member_expression", "call_expression":
		j.addRoute(n, objName, method, pth, []node{opts}, last)
	}
}

// fastifyHooks are the request hooks that run before a route's handler,
// where Fastify applications authenticate.
var fastifyHooks = map[string]bool{"onRequest": true, "preParsing": true, "preValidation": true, "preHandler": true}

// fastifyPlugin judges fastify.register(plugin, options) for the plugins
// that carry a secret or a CORS policy.
func (j *jsFile) fastifyPlugin(n node, args []node) {
	q, ok := j.resolve(dotted(args[0]))
	if spec, member, isReq := requireOf(args[0]); isReq && member == "" {
		q, ok = spec, true // fastify.register(require('@fastify/jwt'), …)
	}
	if !ok {
		return
	}
	opts := j.deref(args[1])
	switch strings.TrimSuffix(q, ".default") {
	case "@fastify/jwt", "fastify-jwt":
		j.mechanism(n, "@fastify/jwt")
		props := jsProps(opts)
		j.secretSink(props["secret"], "@fastify/jwt")
		if so, ok := props["sign"]; ok {
			if v, ok := jsProps(so)["expiresIn"]; ok {
				j.expiresIn(v, "@fastify/jwt sign.expiresIn")
				return
			}
		}
		j.fastifyJWTNoExpiry = true
	case "@fastify/cors", "fastify-cors":
		j.expressCORS(n, opts, "@fastify/cors")
	}
}

// fastifyMount records fastify.register(require('./routes/x'), { prefix }):
// the route module's routes are served under prefix, behind the hooks of
// the registering instance (and of the plugins around it) added before.
func (j *jsFile) fastifyMount(n node, obj string, args []node) {
	key := j.routerKey(args[0])
	if key == "" || obj == "" {
		return
	}
	prefix := ""
	if len(args) > 1 {
		prefix, _ = jsStr(jsProps(j.deref(args[1]))["prefix"])
	}
	au, ro := j.globalAt(n, obj, prefix)
	j.facts.mounts = append(j.facts.mounts, mount{parent: j.mod + "#" + obj, child: key, auth: au, role: ro, prefix: prefix, file: j.f.Path})
}

// fastifySign judges fastify.jwt.sign(payload, options) and
// reply.jwtSign(payload, options) in a file whose @fastify/jwt
// registration sets no sign.expiresIn.
func (j *jsFile) fastifySign(call node) {
	if j.refreshContext(call) {
		return
	}
	args := jsArgs(call)
	if len(args) == 0 {
		return
	}
	if len(args) >= 2 {
		o := j.deref(args[1])
		if o.Kind() != "object" {
			return // options built elsewhere
		}
		if v, ok := jsProps(o)["expiresIn"]; ok {
			j.expiresIn(v, "jwt.sign expiresIn")
			return
		}
	}
	payload := j.deref(args[0])
	if payload.Kind() != "object" {
		return // a payload built elsewhere may carry exp
	}
	if _, ok := jsProps(payload)["exp"]; ok {
		return
	}
	j.add(ruleTokenLifetime, scanner.Medium, call, "@fastify/jwt is registered without sign.expiresIn and this sign() sets none: the token never expires")
}

// fastifyHook: fastify.addHook('onRequest', fastify.authenticate) (or an
// inline hook that verifies the token) authenticates every route the
// instance declares after it.
func (j *jsFile) fastifyHook(n node, obj string, args []node) {
	if obj == "" || len(args) < 2 {
		return
	}
	if h, ok := jsStr(args[0]); !ok || !fastifyHooks[h] {
		return
	}
	au, ro := middlewareClass(args[1])
	switch args[1].Kind() {
	case "arrow_function", "function_expression", "function":
		body := args[1].Field("body").Text()
		au, ro = au || jsHookAuthRE.MatchString(body), ro || jsRoleEvidence(body)
	}
	if !au {
		return
	}
	j.mechanism(n, "fastify hook")
	if ref, encapsulated, ok := j.hookTarget(n, obj); ok {
		j.uses = append(j.uses, useEntry{obj: ref.obj, line: ref.line, auth: au, role: ro, scoped: true, scope: ref.scope})
		if !encapsulated && ref.scope == -1 && !j.f.Test {
			// fp(plugin) registered on the module's instance: the whole
			// application, as a module-level hook
			j.facts.globalAuthFiles = append(j.facts.globalAuthFiles, j.f.Path)
		}
		return
	}
	// a module-level instance, or a plugin whose registration is not in
	// this file: its hook guards the routes declared after it on obj, and
	// route modules the application registers
	j.uses = append(j.uses, useEntry{obj: obj, prefix: "", line: n.Line(), auth: au, role: ro})
	if !j.f.Test {
		j.facts.globalAuthFiles = append(j.facts.globalAuthFiles, j.f.Path)
	}
}

// jsHookAuthRE: a request hook that verifies the caller.
var jsHookAuthRE = regexp.MustCompile(`\.jwtVerify\(|\bjwt\.verify\(|\bverify\w*Token\(|\.code\(\s*40[13]\s*\)|\.status\(\s*40[13]\s*\)|\bauthenticate\(|\bHTTPException\(\s*40[13]\b|\b[cC]\.(?:json|text|body)\([^\n]*,\s*40[13]\s*[,)]`)

// ---- NestJS ----

func guardName(n node) string {
	if n.Kind() == "call_expression" {
		name := calleeName(n)
		for _, a := range jsArgs(n) {
			if s, ok := jsStr(a); ok {
				name += " " + s
			}
		}
		return name
	}
	if n.Kind() == "new_expression" {
		return dotted(n.Field("constructor"))
	}
	return dotted(n)
}

type nestDecos struct {
	route, path      string
	isRoute          bool
	auth, role, open bool
}

func nestDecorators(decos []node) nestDecos {
	var d nestDecos
	for _, deco := range decos {
		c := deco.NamedChild(0)
		name := dotted(c)
		var args []node
		if c.Kind() == "call_expression" {
			name = calleeName(c)
			args = jsArgs(c)
		}
		switch name {
		case "Get", "Post", "Put", "Patch", "Delete", "All":
			d.isRoute = true
			d.route = strings.ToUpper(name)
			if d.route == "ALL" {
				d.route = ""
			}
			if len(args) > 0 {
				d.path, _ = jsStr(args[0])
			}
		case "UseGuards":
			for _, a := range args {
				au, ro := classifyName(guardName(a))
				if strings.Contains(guardName(a), "Throttler") {
					au, ro = false, false
				}
				d.auth, d.role = d.auth || au, d.role || ro
			}
		case "Roles", "Permissions", "RequirePermissions", "RequireRoles", "Policies", "CheckPolicies":
			d.role = true
		case "Public", "SkipAuth", "AllowAnonymous", "NoAuth", "IsPublic":
			d.open = true
		case "Auth", "Authenticated", "ApiBearerAuth":
			if name != "ApiBearerAuth" {
				d.auth = true
			}
		}
	}
	return d
}

func (j *jsFile) nestController(cls node) {
	var classDecos []node
	isController := false
	holders := []node{cls}
	if p := cls.Parent(); p.Kind() == "export_statement" {
		holders = append(holders, p)
	}
	for _, h := range holders {
		for i := 0; i < h.ChildCount(); i++ {
			c := h.Child(i)
			if c.Kind() == "decorator" {
				classDecos = append(classDecos, c)
				if strings.HasPrefix(c.NamedChild(0).Text(), "Controller") {
					isController = true
				}
			}
		}
	}
	if !isController {
		return
	}
	cd := nestDecorators(classDecos)
	base := ""
	for _, d := range classDecos {
		c := d.NamedChild(0)
		if c.Kind() == "call_expression" && calleeName(c) == "Controller" {
			if a := jsArgs(c); len(a) > 0 {
				base, _ = jsStr(a[0])
			}
		}
	}
	body := cls.Field("body")
	var pending []node
	for i := 0; i < body.ChildCount(); i++ {
		c := body.Child(i)
		switch c.Kind() {
		case "decorator":
			pending = append(pending, c)
		case "method_definition":
			md := nestDecorators(pending)
			pending = nil
			if !md.isRoute {
				continue
			}
			mbody := c.Field("body").Text()
			rt := route{framework: "nest", file: j.f.Path, test: j.f.Test, at: posOf(c.Field("name")), method: md.route,
				path: "/" + strings.Trim(strings.Trim(base, "/")+"/"+strings.Trim(md.path, "/"), "/"), handler: c.Field("name").Text(),
				auth: cd.auth || md.auth || jsBodyAuthRE.MatchString(mbody), role: cd.role || md.role || jsRoleEvidence(mbody),
				public: cd.open || md.open}
			rt.owned = jsOwnerFieldRE.MatchString(mbody) && jsCurrentUserRE.MatchString(mbody) ||
				nestUserParamRE.MatchString(c.Text()) && nestOwnerRE.MatchString(mbody)
			if !j.f.Test {
				j.facts.routes = append(j.facts.routes, rt)
			}
		default:
			pending = nil
		}
	}
}

// ---- AUTH-007 ----

func (j *jsFile) compare(n node) {
	op := n.Field("operator").Text()
	switch op {
	case "===", "!==", "==", "!=":
	default:
		return
	}
	if fn := enclosing(n, jsFuncKinds...); !fn.IsNull() {
		switch funcName(fn) {
		case "equals", "isEqual", "eq":
			return
		}
	}
	l, r := n.Field("left"), n.Field("right")
	lo, ro := jsOperand(l), jsOperand(r)
	if !lo.origin && l.Kind() == "identifier" && secretKind(ro.name) > 0 {
		lo.origin = jsLocalOrigin(l)
	}
	if !ro.origin && r.Kind() == "identifier" && secretKind(lo.name) > 0 {
		ro.origin = jsLocalOrigin(r)
	}
	if msg, ok := timingUnsafe(lo, ro); ok {
		j.add(ruleTiming, scanner.Low, n, strings.Replace(msg, "==/!=", op, 1))
		return
	}
	if fn := enclosing(n, jsFuncKinds...); verifierName(funcName(fn)) && plainValue(lo) && plainValue(ro) {
		j.add(ruleTiming, scanner.Low, n, fmt.Sprintf("%s compares secrets with %s (timing-unsafe); use a constant-time comparison", funcName(fn), op))
	}
}

// jsLocalOrigin: an identifier the enclosing function declares from a
// credential header (const key = c.req.header('x-api-key')): compared with
// a secret, it is the caller's credential whatever its name.
func jsLocalOrigin(id node) bool {
	fn := enclosing(id, jsFuncKinds...)
	if fn.IsNull() {
		return false
	}
	found := false
	fn.Field("body").Walk(func(c node) bool {
		switch {
		case found || c.Kind() != "variable_declarator" && isJSFunc(c.Kind()):
			return false
		case c.Kind() == "variable_declarator" && c.Field("name").Text() == id.Text():
			v := c.Field("value")
			if v.Kind() == "await_expression" {
				v = v.NamedChild(0)
			}
			found = !v.IsNull() && jsOperand(v).origin
			return false
		}
		return true
	})
	return found
}

var jsInputRE = regexp.MustCompile(`\b(?:req|request|body|query|params|form|input|args|data|payload|values|ctx\.request)\b`)

// jsInputWords hold a word of every jsInputRE match: text without one
// cannot match.
var jsInputWords = prefilter.New("req", "body", "query", "params", "form", "input", "args", "data", "payload", "values")

// jsInput is jsInputRE.MatchString, the regexp run only when a word is
// there.
func jsInput(s string) bool { return jsInputWords.InString(s) && jsInputRE.MatchString(s) }

func jsOperand(n node) operand {
	o := operand{text: n.Text()}
	o.input = jsInput(o.text)
	switch n.Kind() {
	case "null", "undefined", "true", "false", "number":
		o.trivial = true
	case "string", "template_string":
		s, ok := jsStr(n)
		if !ok && n.Kind() == "template_string" {
			var parts []operand
			for _, c := range n.NamedChildren() {
				if c.Kind() == "template_substitution" {
					parts = append(parts, jsOperand(c.NamedChild(0)))
				}
			}
			if c, ok := composedOperand(o, parts); ok {
				return c // `Bearer ${token}`
			}
		}
		o.trivial = ok && s == ""
		o.literal = !o.trivial
		o.litVal = s
	case "identifier":
		o.name = n.Text()
		o.trivial = n.Text() == "undefined" || (isConstantCase(o.name) && secretKind(o.name) == 0)
	case "member_expression":
		o.name = n.Field("property").Text()
		o.trivial = isConstantCase(o.name) && secretKind(o.name) == 0
	case "subscript_expression":
		if s, ok := jsStr(n.Field("index")); ok {
			o.name = s
			o.origin = headerSecret(n.Field("object").Text(), s)
		}
	case "call_expression":
		callee := calleeName(n)
		last := lastName(callee)
		if callee == "" {
			if f := n.Field("function"); f.Kind() == "member_expression" {
				last = f.Field("property").Text()
			}
		}
		switch last {
		case "digest":
			if strings.Contains(strings.ToLower(n.Text()), "hmac") {
				o.origin, o.name, o.input = true, "hmac digest", false
			}
		case "get", "header", "getHeader":
			if a := jsArgs(n); len(a) > 0 {
				if s, ok := jsStr(a[0]); ok {
					o.name = s
					o.origin = headerSecret(callee+" header", s)
				}
			}
		case "String", "Number", "Boolean", "parseInt", "toString":
			o.trivial = last != "toString"
			o.name = last
		default:
			o.name = last
		}
	case "unary_expression", "binary_expression", "await_expression", "ternary_expression":
		o.trivial = strings.HasPrefix(n.Text(), "typeof") || n.Kind() != "await_expression"
		if l, r := n.Field("left"), n.Field("right"); n.Kind() == "binary_expression" && n.Field("operator").Text() == "+" &&
			(l.Kind() == "string" || l.Kind() == "template_string" || r.Kind() == "string" || r.Kind() == "template_string") {
			if c, ok := composedOperand(o, []operand{jsOperand(l), jsOperand(r)}); ok {
				return c // 'Bearer ' + token
			}
		}
	}
	return o
}

// handlerEvidence records what a top-level function (a controller that
// routes in other files may use) shows about authentication, roles and
// ownership.
func (j *jsFile) handlerEvidence(name string, fn node) {
	if name == "" || j.f.Test {
		return
	}
	text := fn.Text()
	if !strings.Contains(text, "req") && !strings.Contains(text, "ctx") {
		return
	}
	j.facts.handlers[j.mod+"#"+name] = handlerSpan{file: j.f.Path, start: fn.StartByte(), end: fn.EndByte()}
}

// handlerSpan locates a function that routes may name as their handler.
// Its auth, role and ownership evidence is judged in Finish, and only for
// the functions a route names: most functions are never a handler, and
// matching four regexps over every function body of a tree costs more than
// reading the few handlers' files again.
type handlerSpan struct {
	file       string
	start, end int
}

// handlerJudge judges handler bodies in Finish, reading each file once.
type handlerJudge struct {
	p     *scanner.Project
	files map[string]handlerFile
}

type handlerFile struct {
	content   []byte
	loadsUser bool
}

// evidence is a handler body's auth, role and ownership evidence; nothing
// when its file cannot be read again.
func (h *handlerJudge) evidence(s handlerSpan) [3]bool {
	hf, ok := h.files[s.file]
	if !ok {
		b, err := h.p.ReadFile(s.file)
		if err == nil {
			hf = handlerFile{content: b, loadsUser: jsLoadsUserRE.Match(b)}
		}
		h.files[s.file] = hf
	}
	if s.end > len(hf.content) || s.start > s.end {
		return [3]bool{}
	}
	text := string(hf.content[s.start:s.end])
	authRE := jsBodyAuthRE
	if hf.loadsUser {
		authRE = jsBodyAuthNoUserRE
	}
	return [3]bool{authRE.MatchString(text), jsRoleEvidence(text),
		jsOwnerFieldRE.MatchString(text) && jsCurrentUserRE.MatchString(text) || jsScopedCallRE.MatchString(text)}
}

// bodyAuthRE is the regexp that finds authentication in a handler body:
// when the file loads req.user itself, req.user alone proves nothing. The
// whole-file match is made once per file, not once per handler.
func (j *jsFile) bodyAuthRE() *regexp.Regexp {
	if j.loadsUser == 0 {
		j.loadsUser = 1
		if jsLoadsUserRE.Match(j.f.Content) {
			j.loadsUser = 2
		}
	}
	if j.loadsUser == 2 {
		return jsBodyAuthNoUserRE
	}
	return jsBodyAuthRE
}

// handlerKey names a route handler defined elsewhere: "ctrl.remove" with
// ctrl required from ./controllers/x → "controllers/x#remove".
func (j *jsFile) handlerKey(d string) string {
	first, rest, has := strings.Cut(d, ".")
	im, ok := j.imports[first]
	switch {
	case !ok:
		if !has {
			return j.mod + "#" + d
		}
		return ""
	case im.rel == "":
		return ""
	case has && !strings.Contains(rest, "."):
		return im.rel + "#" + rest
	case !has && im.member != "":
		return im.rel + "#" + im.member
	}
	return ""
}
