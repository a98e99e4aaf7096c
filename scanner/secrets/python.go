package secrets

import (
	"strconv"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// sink is a function whose argument is a secret key.
type sink struct {
	arg    int    // positional index
	kw     string // keyword / option name
	minLen int    // minimum length the algorithm needs (0: default)
}

// pySinks are resolved through the file's imports, so that a local
// `encode()` or `pdf.sign()` is not mistaken for a library. The signing
// sinks of JWT and session libraries (jwt/jose encode and decode,
// itsdangerous, Starlette's SessionMiddleware) belong to AUTH-004
// (hard-coded signing secret): a literal passed there is reported once,
// by that rule.
var pySinks = map[string]sink{
	"hmac.new":                   {0, "key", 32},
	"hmac.digest":                {0, "key", 32},
	"cryptography.fernet.Fernet": {0, "key", 0},
	"stripe.StripeClient":        {0, "api_key", 0},
}

// pyAuthSinkKeywords are keyword arguments AUTH-004 judges (see pySinks).
var pyAuthSinkKeywords = map[string]string{"SessionMiddleware": "secret_key"}

// pyEnvCalls read the environment; value is the default's position.
var pyEnvCalls = map[string]int{
	"os.getenv":             1,
	"os.environ.get":        1,
	"os.environ.setdefault": 1,
	"os.getenvb":            1,
	"decouple.config":       -1, // default= only
	"environ.Env":           -1,
}

// python walks a module's syntax tree.
func (fs *fileScan) python(root treesitter.Node) {
	fs.imports = pyImports(root)
	root.Walk(func(n treesitter.Node) bool {
		switch n.Kind() {
		case "assignment":
			fs.pyAssignment(n)
		case "keyword_argument":
			if name := n.Field("name").Text(); name != "default" && !pyAuthSinkKeyword(n, name) {
				fs.pyValue(name, n.Field("value"))
			}
		case "pair":
			if k, ok := pyLiteral(n.Field("key")); ok {
				fs.pyValue(k, n.Field("value"))
			}
		case "default_parameter", "typed_default_parameter":
			fs.pyValue(n.Field("name").Text(), n.Field("value"))
		case "call":
			fs.pyCall(n)
		case "boolean_operator":
			fs.pyOrDefault(n)
		case "comparison_operator":
			fs.pyGuard(n)
		case "string":
			if isDocstring(n) {
				return false
			}
			if !fs.holdsScheme(n) {
				return false // no connection string
			}
			if v, ok := pyLiteral(n); ok {
				fs.connString(v, nodeLoc(n), n.StartByte())
			}
			return false
		}
		return true
	})
}

// pyImports maps local names to what they import ("jwt" → "jose.jwt").
func pyImports(root treesitter.Node) map[string]string {
	m := map[string]string{}
	var visit func(n treesitter.Node, depth int)
	visit = func(n treesitter.Node, depth int) {
		for _, c := range n.NamedChildren() {
			switch c.Kind() {
			case "import_statement":
				for i := 0; i < c.NamedChildCount(); i++ {
					x := c.NamedChild(i)
					if x.Kind() == "aliased_import" {
						m[x.Field("alias").Text()] = x.Field("name").Text()
					} else if x.Kind() == "dotted_name" {
						name := x.Text()
						m[strings.SplitN(name, ".", 2)[0]] = strings.SplitN(name, ".", 2)[0]
					}
				}
			case "import_from_statement":
				mod := c.Field("module_name").Text()
				for i := 0; i < c.ChildCount(); i++ {
					if c.FieldNameOfChild(i) != "name" {
						continue
					}
					x := c.Child(i)
					if x.Kind() == "aliased_import" {
						m[x.Field("alias").Text()] = mod + "." + x.Field("name").Text()
					} else {
						m[x.Text()] = mod + "." + x.Text()
					}
				}
			case "if_statement", "try_statement", "block", "else_clause", "except_clause", "finally_clause", "elif_clause":
				if depth < 4 {
					visit(c, depth+1)
				}
			}
		}
	}
	visit(root, 0)
	return m
}

// resolve turns a callee like `jwt.encode` into its imported path.
func (fs *fileScan) resolve(callee string) string {
	if callee == "" || strings.ContainsAny(callee, "()[] \n") {
		return ""
	}
	head, rest, _ := strings.Cut(callee, ".")
	if full, ok := fs.imports[head]; ok {
		if rest == "" {
			return full
		}
		return full + "." + rest
	}
	return callee
}

// pyLiteral is a string literal's source text between its quotes; false
// for f-strings with interpolations and for other nodes.
func pyLiteral(n treesitter.Node) (string, bool) {
	if n.Kind() != "string" {
		return "", false
	}
	for _, c := range n.NamedChildren() {
		if c.Kind() == "interpolation" {
			return "", false
		}
	}
	t := n.Text()
	i := 0
	for i < len(t) && strings.ContainsRune("rRbBuUfF", rune(t[i])) {
		i++
	}
	t = t[i:]
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if len(t) >= 2*len(q) && strings.HasPrefix(t, q) && strings.HasSuffix(t, q) {
			return t[len(q) : len(t)-len(q)], true
		}
	}
	return "", false
}

func isDocstring(n treesitter.Node) bool {
	p := n.Parent()
	return p.Kind() == "expression_statement" && p.NamedChildCount() == 1
}

// pyTargetName is the name an assignment target binds: x, obj.attr,
// d["KEY"].
func pyTargetName(n treesitter.Node) string {
	switch n.Kind() {
	case "identifier":
		return n.Text()
	case "attribute":
		return n.Field("attribute").Text()
	case "subscript":
		if k, ok := pyLiteral(n.Field("subscript")); ok {
			return k
		}
	}
	return ""
}

func (fs *fileScan) pyAssignment(n treesitter.Node) {
	right := n.Field("right")
	if right.IsNull() {
		return
	}
	name := pyTargetName(n.Field("left"))
	if name == "" {
		return
	}
	if fs.inSettingsClass(n) {
		// pydantic BaseSettings: a field default is both a declaration and
		// an environment fallback. Placeholders and public values are
		// SEC-001, URLs with credentials SEC-003 (judged like any literal);
		// any other secret default is the hidden fallback of SEC-004.
		if v, ok := pySettingsDefault(right); ok {
			t := strings.TrimSpace(v.text)
			switch {
			case fs.a.lists.isKnownPublic(v.text) || fs.a.lists.isKnownPublic(t) || fs.a.lists.isPlaceholder(t):
				fs.pyValue(name, v.node)
			case len(fs.a.lists.findConnStrings(t)) > 0:
				// the literal pass reports the URL's credentials
			default:
				fs.envDefault(name, "the BaseSettings field "+name, v.text, nodeLoc(v.node), v.node.StartByte())
			}
			return
		}
	}
	fs.pyValue(name, right)
}

type litNode struct {
	text string
	node treesitter.Node
}

// pySettingsDefault finds the literal default of a settings field:
// "x", SecretStr("x"), Field("x"), Field(default="x").
func pySettingsDefault(n treesitter.Node) (litNode, bool) {
	if v, ok := pyLiteral(n); ok {
		return litNode{v, n}, true
	}
	if n.Kind() != "call" {
		return litNode{}, false
	}
	fn := n.Field("function").Text()
	if !strings.HasSuffix(fn, "SecretStr") && !strings.HasSuffix(fn, "Field") && !strings.HasSuffix(fn, "SecretBytes") {
		return litNode{}, false
	}
	args := n.Field("arguments")
	for _, c := range args.NamedChildren() {
		if c.Kind() == "keyword_argument" {
			if c.Field("name").Text() == "default" {
				if v, ok := pySettingsDefault(c.Field("value")); ok {
					return v, true
				}
			}
			continue
		}
		if v, ok := pySettingsDefault(c); ok {
			return v, true
		}
		break
	}
	return litNode{}, false
}

// inSettingsClass: the assignment is a field of a class deriving from
// BaseSettings (pydantic / pydantic-settings).
func (fs *fileScan) inSettingsClass(n treesitter.Node) bool {
	st := n.Parent()
	if st.Kind() != "expression_statement" {
		return false
	}
	block := st.Parent()
	cls := block.Parent()
	if block.Kind() != "block" || cls.Kind() != "class_definition" {
		return false
	}
	sup := cls.Field("superclasses").Text()
	return strings.Contains(sup, "BaseSettings")
}

// pyValue judges the literal(s) an expression gives a name: the literal
// itself, both branches of a conditional, the fallback of `or`.
func (fs *fileScan) pyValue(name string, v treesitter.Node) {
	st := classifyName(name)
	if v.Kind() == "list" || v.Kind() == "tuple" {
		st = listElementStrength(name)
	}
	fs.pyValueAs(name, st, v)
}

// pyValueAs judges v as the value of a setting named name, of strength st.
func (fs *fileScan) pyValueAs(name string, st nameStrength, v treesitter.Node) {
	if st == notSecret || v.IsNull() {
		return
	}
	switch v.Kind() {
	case "string":
		if lit, ok := pyLiteral(v); ok {
			fs.judge(site{name: name, strength: st, value: lit, at: nodeLoc(v), start: v.StartByte(), inCall: inCallArgs(v)})
		}
	case "concatenated_string":
		// implicit concatenation: judge the whole text only when every part is literal
		var sb strings.Builder
		for _, c := range v.NamedChildren() {
			lit, ok := pyLiteral(c)
			if !ok {
				return
			}
			sb.WriteString(lit)
		}
		fs.judge(site{name: name, strength: st, value: sb.String(), at: nodeLoc(v), start: v.StartByte()})
	case "parenthesized_expression":
		fs.pyValueAs(name, st, v.NamedChild(0)) // a literal wrapped over lines
	case "list", "tuple":
		// SECRET_KEY_FALLBACKS = [...], rotated keys: each one signs or
		// verifies; a longer list is a word list (common passwords)
		if v.NamedChildCount() <= maxSecretList {
			for _, c := range v.NamedChildren() {
				fs.pyValueAs(name, st, c)
			}
		}
	case "binary_operator":
		// "sk_live_" + "…": judged when every part is a literal
		if lit, ok := pyJoined(v); ok {
			fs.judge(site{name: name, strength: st, value: lit, at: nodeLoc(v), start: v.StartByte()})
		}
	case "conditional_expression":
		for _, c := range v.NamedChildren() {
			if c.Kind() == "string" {
				fs.pyValueAs(name, st, c)
			}
		}
	case "boolean_operator":
		if !fs.isPyEnvLookup(v.Field("left")) {
			fs.pyValueAs(name, st, v.Field("right"))
		}
	case "call":
		if inner, ok := pyConverted(v); ok {
			fs.pyValueAs(name, st, inner)
			return
		}
		fn := v.Field("function").Text()
		if fn == "SecretStr" || strings.HasSuffix(fn, ".SecretStr") || fn == "str" || fn == "bytes" {
			args := v.Field("arguments").NamedChildren()
			// bytes("…", "utf-8"): the encoding is no part of the value
			if len(args) == 1 || (fn == "str" || fn == "bytes") && len(args) <= 3 && len(args) > 0 && args[0].Kind() == "string" {
				fs.pyValueAs(name, st, args[0])
			}
		}
	}
}

// isPyEnvLookup: os.getenv("K"), os.environ.get("K"), os.environ["K"].
func (fs *fileScan) isPyEnvLookup(n treesitter.Node) bool {
	_, ok := fs.pyEnvKey(n)
	return ok
}

func (fs *fileScan) pyEnvKey(n treesitter.Node) (string, bool) {
	switch n.Kind() {
	case "call":
		if _, ok := pyEnvCalls[fs.resolve(n.Field("function").Text())]; ok {
			args := n.Field("arguments").NamedChildren()
			if len(args) > 0 {
				if k, ok := pyLiteral(args[0]); ok {
					return k, true
				}
			}
		}
	case "subscript":
		if fs.resolve(n.Field("value").Text()) == "os.environ" {
			if k, ok := pyLiteral(n.Field("subscript")); ok {
				return k, true
			}
		}
	}
	return "", false
}

func (fs *fileScan) pyCall(n treesitter.Node) {
	fn := n.Field("function")
	if fn.Kind() == "attribute" && fn.Field("attribute").Text() == "startswith" {
		for _, e := range n.Field("arguments").NamedChildren() {
			if v, ok := pyLiteral(e); ok {
				fs.addGuard(v, true)
			}
		}
		return
	}
	callee := fn.Text()
	full := fs.resolve(callee)
	args := n.Field("arguments")
	if args.Kind() != "argument_list" {
		return
	}
	_, isEnv := pyEnvCalls[full]
	_, isSink := pySinks[full]
	if !isEnv && !isSink && callee != "env" && callee != "config" && !strings.HasPrefix(callee, "env.") {
		return // neither an environment lookup nor a secret sink: most calls
	}
	var positional []treesitter.Node
	kw := map[string]treesitter.Node{}
	for _, c := range args.NamedChildren() {
		if c.Kind() == "keyword_argument" {
			kw[c.Field("name").Text()] = c.Field("value")
		} else {
			positional = append(positional, c)
		}
	}
	// environment lookups with a literal default (SEC-004)
	if pos, ok := pyEnvCalls[full]; ok || callee == "env" || callee == "config" || strings.HasPrefix(callee, "env.") {
		if !ok {
			pos = -1
		}
		if len(positional) > 0 {
			if key, ok := pyLiteral(positional[0]); ok {
				def, has := kw["default"]
				if !has && pos > 0 && len(positional) > pos {
					def, has = positional[pos], true
				}
				if has {
					if v, ok := pyLiteral(def); ok {
						fs.envDefault(key, callee+"("+strconvQuote(key)+")", v, nodeLoc(def), def.StartByte())
					}
				}
			}
		}
		return
	}
	if s, ok := pySinks[full]; ok {
		var arg treesitter.Node
		if s.kw != "" {
			arg = kw[s.kw]
		}
		if arg.IsNull() && s.arg >= 0 && s.arg < len(positional) {
			arg = positional[s.arg]
		}
		if v, ok := pyLiteral(arg); ok {
			fs.judge(site{sink: full, value: v, minLen: s.minLen, at: nodeLoc(arg), start: arg.StartByte()})
		}
	}
}

// pyOrDefault: os.getenv("K") or "fallback".
func (fs *fileScan) pyOrDefault(n treesitter.Node) {
	if !strings.Contains(n.Text(), " or ") {
		return
	}
	key, ok := fs.pyEnvKey(n.Field("left"))
	if !ok {
		return
	}
	right := n.Field("right")
	if v, ok := pyLiteral(right); ok {
		fs.envDefault(key, n.Field("left").Text()+" or …", v, nodeLoc(right), right.StartByte())
	}
}

// pyGuard records string literals compared with ==, !=, in, not in and
// the prefixes checked with startswith.
func (fs *fileScan) pyGuard(n treesitter.Node) {
	for _, c := range n.NamedChildren() {
		switch c.Kind() {
		case "string":
			if v, ok := pyLiteral(c); ok {
				fs.addGuard(v, false)
			}
		case "tuple", "list", "set":
			for _, e := range c.NamedChildren() {
				if v, ok := pyLiteral(e); ok {
					fs.addGuard(v, false)
				}
			}
		case "call":
			fn := c.Field("function")
			if fn.Kind() == "attribute" && fn.Field("attribute").Text() == "startswith" {
				for _, e := range c.Field("arguments").NamedChildren() {
					if v, ok := pyLiteral(e); ok {
						fs.addGuard(v, true)
					}
				}
			}
		}
	}
}

func strconvQuote(s string) string { return strconv.Quote(s) }

// pyJoined is the text of a + concatenation whose parts are all string
// literals.
func pyJoined(v treesitter.Node) (string, bool) {
	switch v.Kind() {
	case "string":
		return pyLiteral(v)
	case "parenthesized_expression":
		return pyJoined(v.NamedChild(0))
	case "binary_operator":
		if v.Field("operator").Text() != "+" {
			return "", false
		}
		l, ok := pyJoined(v.Field("left"))
		if !ok {
			return "", false
		}
		r, ok := pyJoined(v.Field("right"))
		return l + r, ok
	}
	return "", false
}

// pyConverted is the literal inside a conversion that leaves a secret what
// it was: "x".encode(), base64.b64decode("…"), base64.urlsafe_b64decode(b"…"),
// bytes.fromhex("…"), binascii.unhexlify("…").
func pyConverted(call treesitter.Node) (treesitter.Node, bool) {
	f := call.Field("function")
	if f.Kind() == "attribute" && f.Field("attribute").Text() == "encode" && f.Field("object").Kind() == "string" {
		return f.Field("object"), true
	}
	name := f.Text()
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	switch name {
	case "b64decode", "urlsafe_b64decode", "standard_b64decode", "b32decode", "fromhex", "unhexlify", "a2b_hex":
		if args := call.Field("arguments").NamedChildren(); len(args) == 1 && args[0].Kind() == "string" {
			return args[0], true
		}
	}
	return treesitter.Node{}, false
}

// inCallArgs: the node sits (within a few levels) in a call's arguments.
func inCallArgs(n treesitter.Node) bool {
	for i := 0; i < 4; i++ {
		n = n.Parent()
		switch n.Kind() {
		case "arguments", "argument_list":
			return true
		case "", "module", "program", "block", "statement_block", "expression_statement":
			return false
		}
	}
	return false
}

// pyAuthSinkKeyword: the keyword argument is the secret of a call that
// AUTH-004 judges (SessionMiddleware(secret_key=…), also through
// app.add_middleware(SessionMiddleware, secret_key=…)).
func pyAuthSinkKeyword(kw treesitter.Node, name string) bool {
	args := kw.Parent()
	call := args.Parent()
	if args.Kind() != "argument_list" || call.Kind() != "call" {
		return false
	}
	fn := call.Field("function").Text()
	last := fn[strings.LastIndex(fn, ".")+1:]
	if want, ok := pyAuthSinkKeywords[last]; ok && want == name {
		return true
	}
	if last == "add_middleware" || last == "Middleware" {
		first := args.NamedChild(0)
		t := first.Text()
		if want, ok := pyAuthSinkKeywords[t[strings.LastIndex(t, ".")+1:]]; ok && want == name {
			return true
		}
	}
	return false
}
