package secrets

import (
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// jsSinks are resolved through the file's imports and requires. The
// signing sinks of JWT and session libraries (jsonwebtoken sign/verify,
// express-session, cookie-session, cookie-parser, express-jwt,
// passport-jwt, @nestjs/jwt) belong to AUTH-004 (hard-coded signing
// secret): a literal passed there is reported once, by that rule.
var jsSinks = map[string]sink{
	"crypto.createHmac": {1, "", 32},
	// the Stripe SDK takes its secret key first: require('stripe')(key),
	// new Stripe(key) (Stripe's own quick-start shapes)
	"stripe":            {0, "", 0},
	"stripe.default":    {0, "", 0},
	"stripe.Stripe":     {0, "", 0},
	"jwt-simple.encode": {1, "", 32},
	"jwt-simple.decode": {1, "", 32},
}

// jsAuthSinkOptions are the options objects whose secret AUTH-004 judges,
// by resolved callee.
var jsAuthSinkOptions = map[string]string{
	"express-session":                "secret",
	"express-session.default":        "secret",
	"cookie-session":                 "secret",
	"express-jwt":                    "secret",
	"express-jwt.expressjwt":         "secret",
	"express-jwt.expressJwt":         "secret",
	"passport-jwt.Strategy":          "secretOrKey",
	"@nestjs/jwt.JwtModule.register": "secret",
	"@nestjs/jwt.JwtModule":          "secret",
	"jsonwebtoken.sign":              "",
	"jsonwebtoken.verify":            "",
	"cookie-parser":                  "",
}

// javascript walks a JavaScript or TypeScript program.
func (fs *fileScan) javascript(root treesitter.Node) {
	fs.imports = jsImports(root)
	root.Walk(func(n treesitter.Node) bool {
		switch n.Kind() {
		case "variable_declarator":
			name := n.Field("name")
			value := n.Field("value")
			if name.Kind() == "object_pattern" && isJSEnvObject(value) {
				fs.jsDestructuredDefaults(name)
			} else if name.Kind() == "identifier" {
				fs.jsValue(name.Text(), value)
			}
		case "assignment_expression":
			fs.jsValue(jsTargetName(n.Field("left")), n.Field("right"))
		case "assignment_pattern":
			fs.jsValue(jsTargetName(n.Field("left")), n.Field("right"))
		case "pair":
			if key := jsKeyName(n.Field("key")); !fs.jsAuthSinkOption(n, key) {
				fs.jsValue(key, n.Field("value"))
			}
		case "field_definition":
			fs.jsValue(jsKeyName(n.Field("property")), n.Field("value"))
		case "public_field_definition":
			fs.jsValue(jsKeyName(n.Field("name")), n.Field("value"))
		case "call_expression", "new_expression":
			fs.jsCall(n)
		case "binary_expression":
			fs.jsBinary(n)
		case "string", "template_string":
			if !fs.holdsScheme(n) {
				return false // no connection string
			}
			if v, ok := jsLiteral(n); ok {
				fs.connString(v, nodeLoc(n), n.StartByte())
			}
			return false
		}
		return true
	})
}

// jsRequireSpec: n is require('m'); m without a node: prefix.
func jsRequireSpec(n treesitter.Node) (string, bool) {
	if n.Kind() != "call_expression" || n.Field("function").Text() != "require" {
		return "", false
	}
	args := n.Field("arguments").NamedChildren()
	if len(args) != 1 {
		return "", false
	}
	spec, ok := jsLiteral(args[0])
	return strings.TrimPrefix(spec, "node:"), ok
}

// jsImports maps local names to modules: import x from 'm', import * as x,
// import { a as b }, const x = require('m'), const { a } = require('m').
func jsImports(root treesitter.Node) map[string]string {
	m := map[string]string{}
	norm := func(s string) string { return strings.TrimPrefix(s, "node:") }
	for _, st := range root.NamedChildren() {
		switch st.Kind() {
		case "import_statement":
			src, ok := jsLiteral(st.Field("source"))
			if !ok {
				continue
			}
			src = norm(src)
			for _, c := range st.NamedChildren() {
				if c.Kind() != "import_clause" {
					continue
				}
				for _, x := range c.NamedChildren() {
					switch x.Kind() {
					case "identifier":
						m[x.Text()] = src
					case "namespace_import":
						for _, id := range x.NamedChildren() {
							m[id.Text()] = src
						}
					case "named_imports":
						for _, sp := range x.NamedChildren() {
							name := sp.Field("name").Text()
							local := name
							if al := sp.Field("alias"); !al.IsNull() {
								local = al.Text()
							}
							m[local] = src + "." + name
						}
					}
				}
			}
		case "lexical_declaration", "variable_declaration":
			for _, d := range st.NamedChildren() {
				if d.Kind() != "variable_declarator" {
					continue
				}
				v := d.Field("value")
				if v.Kind() != "call_expression" || v.Field("function").Text() != "require" {
					continue
				}
				args := v.Field("arguments").NamedChildren()
				if len(args) != 1 {
					continue
				}
				src, ok := jsLiteral(args[0])
				if !ok {
					continue
				}
				src = norm(src)
				name := d.Field("name")
				switch name.Kind() {
				case "identifier":
					m[name.Text()] = src
				case "object_pattern":
					for _, p := range name.NamedChildren() {
						switch p.Kind() {
						case "shorthand_property_identifier_pattern":
							m[p.Text()] = src + "." + p.Text()
						case "pair_pattern":
							m[p.Field("value").Text()] = src + "." + jsKeyName(p.Field("key"))
						}
					}
				}
			}
		}
	}
	return m
}

// jsLiteral is a string literal's text between its quotes (a template
// literal without substitutions counts).
func jsLiteral(n treesitter.Node) (string, bool) {
	switch n.Kind() {
	case "string":
	case "template_string":
		for _, c := range n.NamedChildren() {
			if c.Kind() == "template_substitution" {
				return "", false
			}
		}
	default:
		return "", false
	}
	t := n.Text()
	if len(t) < 2 {
		return "", false
	}
	return t[1 : len(t)-1], true
}

func jsKeyName(n treesitter.Node) string {
	switch n.Kind() {
	case "property_identifier", "identifier", "private_property_identifier", "shorthand_property_identifier":
		return strings.TrimPrefix(n.Text(), "#")
	case "string":
		v, _ := jsLiteral(n)
		return v
	}
	return ""
}

func jsTargetName(n treesitter.Node) string {
	switch n.Kind() {
	case "identifier", "shorthand_property_identifier_pattern":
		return n.Text()
	case "member_expression":
		return jsKeyName(n.Field("property"))
	case "subscript_expression":
		if v, ok := jsLiteral(n.Field("index")); ok {
			return v
		}
	}
	return ""
}

// jsEnvKey recognises process.env.K, process.env["K"], import.meta.env.K,
// Bun.env.K and Deno.env.get("K").
func jsEnvKey(n treesitter.Node) (string, bool) {
	for n.Kind() == "parenthesized_expression" || n.Kind() == "as_expression" || n.Kind() == "non_null_expression" {
		n = n.NamedChild(0)
	}
	switch n.Kind() {
	case "member_expression":
		if isJSEnvObject(n.Field("object")) {
			return n.Field("property").Text(), true
		}
	case "subscript_expression":
		if isJSEnvObject(n.Field("object")) {
			if v, ok := jsLiteral(n.Field("index")); ok {
				return v, true
			}
		}
	case "call_expression":
		if strings.ReplaceAll(n.Field("function").Text(), "?.", ".") == "Deno.env.get" {
			args := n.Field("arguments").NamedChildren()
			if len(args) == 1 {
				if v, ok := jsLiteral(args[0]); ok {
					return v, true
				}
			}
		}
	}
	return "", false
}

func isJSEnvObject(n treesitter.Node) bool {
	t := strings.ReplaceAll(n.Text(), "?.", ".")
	return t == "process.env" || t == "import.meta.env" || t == "Bun.env"
}

// jsValue judges what an expression gives a name: a literal, both
// branches of a ternary, the fallback of || and ??.
func (fs *fileScan) jsValue(name string, v treesitter.Node) {
	if name == "" || v.IsNull() {
		return
	}
	st := classifyName(name)
	if v.Kind() == "array" {
		st = listElementStrength(name)
	}
	fs.jsValueAs(name, st, v)
}

// jsValueAs judges v as the value of a setting named name, of strength st.
func (fs *fileScan) jsValueAs(name string, st nameStrength, v treesitter.Node) {
	switch v.Kind() {
	case "string", "template_string":
		if st == notSecret {
			return
		}
		if lit, ok := jsLiteral(v); ok {
			fs.judge(site{name: name, strength: st, value: lit, at: nodeLoc(v), start: v.StartByte(), inCall: inCallArgs(v)})
		}
	case "ternary_expression":
		cons, alt := v.Field("consequence"), v.Field("alternative")
		// isProd ? process.env.SECRET : "dev-secret"
		if key, ok := jsEnvKey(cons); ok {
			if lit, ok := jsLiteral(alt); ok {
				fs.envDefault(key, cons.Text()+" (in a conditional)", lit, nodeLoc(alt), alt.StartByte())
				return
			}
		}
		if key, ok := jsEnvKey(alt); ok {
			if lit, ok := jsLiteral(cons); ok {
				fs.envDefault(key, alt.Text()+" (in a conditional)", lit, nodeLoc(cons), cons.StartByte())
				return
			}
		}
		fs.jsValueAs(name, st, cons)
		fs.jsValueAs(name, st, alt)
	case "binary_expression":
		op := v.Field("operator").Text()
		if op == "||" || op == "??" {
			if _, ok := jsEnvKey(v.Field("left")); !ok {
				fs.jsValueAs(name, st, v.Field("right"))
			}
		}
	case "parenthesized_expression", "as_expression", "satisfies_expression":
		fs.jsValueAs(name, st, v.NamedChild(0))
	case "call_expression":
		if inner, ok := jsConverted(v); ok {
			fs.jsValueAs(name, st, inner) // Buffer.from('…'), new TextEncoder().encode('…')
		}
	case "array":
		// secret: ['new', 'old'] (express-session, cookie-session keys):
		// each one signs or verifies; a longer list is a word list
		if st != notSecret && v.NamedChildCount() <= maxSecretList {
			for _, c := range v.NamedChildren() {
				fs.jsValueAs(name, st, c)
			}
		}
	}
}

// jsConverted is the string literal inside a conversion that leaves a
// secret what it was: Buffer.from('…') (as text) and new
// TextEncoder().encode('…'), as jose keys are built.
func jsConverted(call treesitter.Node) (treesitter.Node, bool) {
	f := call.Field("function")
	if f.Kind() != "member_expression" {
		return treesitter.Node{}, false
	}
	args := call.Field("arguments").NamedChildren()
	if len(args) == 0 || args[0].Kind() != "string" && args[0].Kind() != "template_string" {
		return treesitter.Node{}, false
	}
	obj, prop := f.Field("object"), f.Field("property").Text()
	switch {
	case prop == "from" && obj.Text() == "Buffer":
		if len(args) == 1 {
			return args[0], true
		}
		if enc, ok := jsLiteral(args[1]); ok && len(args) == 2 && (strings.EqualFold(enc, "utf8") || strings.EqualFold(enc, "utf-8")) {
			return args[0], true
		}
	case prop == "encode" && len(args) == 1 && obj.Kind() == "new_expression" && obj.Field("constructor").Text() == "TextEncoder":
		return args[0], true
	}
	return treesitter.Node{}, false
}

// jsDestructuredDefaults: const { JWT_SECRET = "dev" } = process.env.
func (fs *fileScan) jsDestructuredDefaults(pat treesitter.Node) {
	for _, p := range pat.NamedChildren() {
		if p.Kind() != "object_assignment_pattern" {
			continue
		}
		left, right := p.Field("left"), p.Field("right")
		key := left.Text()
		if left.Kind() == "pair_pattern" {
			key = jsKeyName(left.Field("key"))
		}
		if v, ok := jsLiteral(right); ok {
			fs.envDefault(key, "process.env."+key+" (destructuring default)", v, nodeLoc(right), right.StartByte())
		}
	}
}

func (fs *fileScan) jsBinary(n treesitter.Node) {
	op := n.Field("operator").Text()
	left, right := n.Field("left"), n.Field("right")
	switch op {
	case "||", "??":
		if key, ok := jsEnvKey(left); ok {
			if v, ok := jsLiteral(right); ok {
				fs.envDefault(key, left.Text()+" "+op+" …", v, nodeLoc(right), right.StartByte())
			}
		}
	case "==", "===", "!=", "!==":
		for _, c := range []treesitter.Node{left, right} {
			if v, ok := jsLiteral(c); ok {
				fs.addGuard(v, false)
			}
		}
	}
}

func (fs *fileScan) jsCall(n treesitter.Node) {
	fn := n.Field("function")
	args := n.Field("arguments")
	if fn.Kind() == "member_expression" {
		switch fn.Field("property").Text() {
		case "startsWith":
			for _, a := range args.NamedChildren() {
				if v, ok := jsLiteral(a); ok {
					fs.addGuard(v, true)
				}
			}
		case "includes":
			if obj := fn.Field("object"); obj.Kind() == "array" {
				for _, e := range obj.NamedChildren() {
					if v, ok := jsLiteral(e); ok {
						fs.addGuard(v, false)
					}
				}
			}
		}
	}
	if n.Kind() == "new_expression" {
		fn = n.Field("constructor")
	}
	full := fs.resolve(strings.ReplaceAll(fn.Text(), "?.", "."))
	if spec, ok := jsRequireSpec(fn); ok {
		full = spec // require('stripe')(key)
	}
	s, ok := jsSinks[full]
	if !ok {
		return
	}
	list := args.NamedChildren()
	if s.arg < 0 || s.arg >= len(list) {
		return
	}
	arg := list[s.arg]
	if v, ok := jsLiteral(arg); ok {
		fs.judge(site{sink: full, value: v, minLen: s.minLen, at: nodeLoc(arg), start: arg.StartByte()})
	}
}

// jsAuthSinkOption: the pair is the secret option of a call AUTH-004
// judges: session({ secret: … }), new JwtStrategy({ secretOrKey: … }).
func (fs *fileScan) jsAuthSinkOption(pair treesitter.Node, key string) bool {
	obj := pair.Parent()
	args := obj.Parent()
	call := args.Parent()
	if obj.Kind() != "object" || args.Kind() != "arguments" || call.Kind() != "call_expression" && call.Kind() != "new_expression" {
		return false
	}
	fn := call.Field("function")
	if call.Kind() == "new_expression" {
		fn = call.Field("constructor")
	}
	want, ok := jsAuthSinkOptions[fs.resolve(strings.ReplaceAll(fn.Text(), "?.", "."))]
	return ok && want == key
}
