package auth

import "strings"

// Fastify plugins are encapsulated: a hook a plugin adds with
// instance.addHook('onRequest', auth) runs for the routes of that plugin
// (and of the plugins it registers), not for its parent's or its siblings'.
// Wrapping the plugin with fastify-plugin (fp(...)) breaks the
// encapsulation: its hooks are added to the instance that registers it.
//
// An instance is named by the variable holding it and the function binding
// that variable: the module (a `const app = Fastify()`, scope -1) or a
// plugin function whose first parameter it is (scope = the function's
// start byte). Sibling plugins conventionally all call their parameter
// `fastify` or `instance`, so the name alone cannot tell them apart.

// fastifyPlugins is what a file says about its plugin functions, gathered
// before the walk (a hook is met before the register call naming its
// function): names passed to .register(), names wrapped with
// fastify-plugin, and names the module exports.
type fastifyPlugins struct {
	registered, wrapped, exported map[string]bool
}

// instanceRef is one Fastify instance a call is made on, and the line
// before which what was added to it applies.
type instanceRef struct {
	obj   string
	scope int
	line  int
}

// firstParam is the name of a function's first parameter ("" if it is a
// pattern or there is none).
func firstParam(fn node) string {
	if p := fn.Field("parameter"); !p.IsNull() {
		return p.Text() // x => …
	}
	ps := fn.Field("parameters")
	if ps.IsNull() || ps.NamedChildCount() == 0 {
		return ""
	}
	p := ps.NamedChild(0)
	switch p.Kind() {
	case "required_parameter", "optional_parameter": // TypeScript
		p = p.Field("pattern")
	}
	if p.Kind() != "identifier" {
		return ""
	}
	return p.Text()
}

func isJSFunc(kind string) bool {
	switch kind {
	case "function_declaration", "function_expression", "arrow_function", "function", "generator_function_declaration":
		return true
	}
	return false
}

// bindingFunc is the nearest function enclosing n whose first parameter
// is the root of obj ("fastify" for fastify.get), or null.
func bindingFunc(n node, obj string) node {
	root, _, _ := strings.Cut(obj, ".")
	for p := n.Parent(); !p.IsNull(); p = p.Parent() {
		if isJSFunc(p.Kind()) && firstParam(p) == root {
			return p
		}
	}
	return node{}
}

// scopeOf is the scope of the instance obj names at n: the start byte of
// the function binding it, -1 at module level.
func scopeOf(n node, obj string) int {
	if fn := bindingFunc(n, obj); !fn.IsNull() {
		return fn.StartByte()
	}
	return -1
}

// fastifyWrapper reports whether call is fastify-plugin's fp(…).
func (j *jsFile) fastifyWrapper(call node) bool {
	if call.Kind() != "call_expression" {
		return false
	}
	q, ok := j.resolve(calleeName(call))
	return ok && strings.TrimSuffix(q, ".default") == "fastify-plugin"
}

// pluginRole tells what a function binding an instance is: a plugin (it is
// registered, or exported for a loader such as @fastify/autoload to
// register), whether fastify-plugin wraps it, and the register call that
// registers it in this file (null when another file does).
func (j *jsFile) pluginRole(fn node) (plugin, wrapped bool, registrar node) {
	at := fn
	if p := at.Parent(); p.Kind() == "arguments" && j.fastifyWrapper(p.Parent()) {
		wrapped = true
		at = p.Parent()
	}
	if p := at.Parent(); p.Kind() == "arguments" {
		if c := p.Parent(); c.Kind() == "call_expression" && strings.HasSuffix(calleeName(c), ".register") {
			return true, wrapped, c
		}
	}
	if wrapped {
		return true, true, node{}
	}
	switch p := at.Parent(); p.Kind() {
	case "export_statement": // export default async function (fastify) {…}
		return true, false, node{}
	case "assignment_expression": // module.exports = async function (fastify) {…}
		if l := dotted(p.Field("left")); l == "module.exports" || strings.HasPrefix(l, "exports.") || strings.HasPrefix(l, "module.exports.") {
			return true, false, node{}
		}
	}
	name := funcName(fn)
	if name == "" || j.fastify.registered == nil {
		return false, false, node{}
	}
	if j.fastify.wrapped[name] {
		return true, true, node{}
	}
	return j.fastify.registered[name] || j.fastify.exported[name], false, node{}
}

// collectFastifyPlugins fills j.fastify for files that add hooks.
func (j *jsFile) collectFastifyPlugins(root node) {
	j.fastify = fastifyPlugins{registered: map[string]bool{}, wrapped: map[string]bool{}, exported: map[string]bool{}}
	root.Walk(func(n node) bool {
		switch n.Kind() {
		case "call_expression":
			args := jsArgs(n)
			if len(args) == 0 || args[0].Kind() != "identifier" {
				return true
			}
			if strings.HasSuffix(calleeName(n), ".register") {
				j.fastify.registered[args[0].Text()] = true
			} else if j.fastifyWrapper(n) {
				j.fastify.wrapped[args[0].Text()] = true
			}
		case "export_statement":
			if v := n.Field("value"); v.Kind() == "identifier" {
				j.fastify.exported[v.Text()] = true
			}
		case "assignment_expression":
			if l := dotted(n.Field("left")); l == "module.exports" && n.Field("right").Kind() == "identifier" {
				j.fastify.exported[n.Field("right").Text()] = true
			}
		}
		return true
	})
}

// hookTarget is the instance an addHook call on obj adds its hook to, and
// whether that stays inside an encapsulated plugin. ok is false when the
// hook's reach is not known from this file (a module-level instance, a
// function called directly, an fp-wrapped plugin another file registers):
// the caller keeps treating those as guarding the whole application.
func (j *jsFile) hookTarget(n node, obj string) (ref instanceRef, encapsulated, ok bool) {
	fn := bindingFunc(n, obj)
	if fn.IsNull() {
		return instanceRef{}, false, false
	}
	plugin, wrapped, registrar := j.pluginRole(fn)
	switch {
	case !plugin:
		return instanceRef{}, false, false
	case !wrapped:
		return instanceRef{obj: obj, scope: fn.StartByte(), line: n.Line()}, true, true
	case registrar.IsNull():
		return instanceRef{}, false, false
	}
	// fp(plugin) registered here: the hook lands on the registering
	// instance, for its routes declared after the register call
	parent := strings.TrimSuffix(calleeName(registrar), ".register")
	if outer, enc, ok := j.hookTarget(registrar, parent); ok {
		outer.line = registrar.Line()
		return outer, enc, true
	}
	return instanceRef{obj: parent, scope: scopeOf(registrar, parent), line: registrar.Line()}, false, true
}

// ancestry lists the instances a route declared on obj at n belongs to:
// its own, then, for a plugin registered inline (parent.register(async
// (child) => …)), the registering instance up to the register call, and so
// on outwards. Hooks on any of them run for the route.
func (j *jsFile) ancestry(n node, obj string) []instanceRef {
	out := []instanceRef{{obj: obj, scope: scopeOf(n, obj), line: n.Line()}}
	for depth := 0; depth < 8; depth++ {
		fn := bindingFunc(n, obj)
		if fn.IsNull() {
			break
		}
		_, _, registrar := j.pluginRole(fn)
		if registrar.IsNull() {
			break
		}
		obj = strings.TrimSuffix(calleeName(registrar), ".register")
		n = registrar
		out = append(out, instanceRef{obj: obj, scope: scopeOf(n, obj), line: n.Line()})
	}
	return out
}
