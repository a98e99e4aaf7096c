// Package auth raises the AUTH rules of `vigil-proxy scan` (AUTH-001 ..
// AUTH-007) on Python (FastAPI/Starlette, Flask, Django/DRF, Sanic, aiohttp,
// Litestar, Tornado) and JavaScript/TypeScript (Express, Koa, Fastify, NestJS,
// Hono, tRPC, Next.js) sources: missing authentication and authorization on
// routes, weak JWT lifetimes and verification, hardcoded signing secrets,
// permissive CORS, insecure auth cookies and timing-unsafe comparisons.
//
// Route rules need cross-file facts (dependency aliases defined in other
// modules, router mounts, global middleware, DRF defaults): Analyze keeps
// plain route candidates and facts, Finish resolves them once every file
// has been seen.
package auth

import (
	"bytes"
	"context"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/prefilter"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// DefaultMaxLifetime is AUTH-003's default access-token lifetime bar.
const DefaultMaxLifetime = 24 * time.Hour

// Options configure the analyzer.
type Options struct {
	// Config is the scan configuration: AUTH-003's max_lifetime option and
	// the user's known_public_secrets additions. Nil means defaults.
	Config *scanner.Config
	// KnownPublic, when set, is the shared known-public list of the secret
	// rules (scanner/secrets); the auth rules add the generic words that are
	// public only as signing keys ("secret", "dev").
	KnownPublic func(string) bool
}

// Analyzer raises AUTH-001..AUTH-007. A value serves one scan; it is safe
// for concurrent Analyze calls.
type Analyzer struct {
	maxLifetime  time.Duration
	extraPublic  map[string]bool
	sharedPublic func(string) bool

	mu    sync.Mutex
	facts facts
}

// New returns a fresh analyzer for one scan.
func New(opts Options) *Analyzer {
	a := &Analyzer{
		maxLifetime:  opts.Config.DurationOption(ruleTokenLifetime.ID, "max_lifetime", DefaultMaxLifetime),
		extraPublic:  map[string]bool{},
		sharedPublic: opts.KnownPublic,
		facts:        newFacts(),
	}
	if opts.Config != nil {
		for _, v := range opts.Config.KnownPublicSecrets {
			a.extraPublic[v] = true
		}
	}
	return a
}

// Rules lists AUTH-001..AUTH-007.
func (a *Analyzer) Rules() []scanner.RuleInfo { return Rules() }

// Wants Python and JavaScript/TypeScript sources.
func (a *Analyzer) Wants(p string) bool {
	return treesitter.LangForPath(p) != treesitter.None
}

// NeedsTree lets the engine skip parsing files that mention nothing the
// AUTH rules look at.
func (a *Analyzer) NeedsTree(p string, content []byte) bool { return relevant(p, content) }

// Analyze judges one file and records its cross-file facts.
func (a *Analyzer) Analyze(ctx context.Context, f *scanner.File) ([]scanner.Finding, error) {
	if f.Tree == nil {
		return nil, nil
	}
	if !relevant(f.Path, f.Content) {
		return nil, nil
	}
	local := newFacts()
	var out []scanner.Finding
	switch {
	case f.Lang == treesitter.Python:
		out = (&pyFile{a: a, f: f, facts: &local}).run()
	case f.Lang.IsJS():
		out = (&jsFile{a: a, f: f, facts: &local}).run()
	}
	if local.flaskGlobalAuth || local.loginMiddleware || local.nestGlobalGuard || (local.drfDefaultSet && local.drfDefaultAuth) {
		local.frameworkAuthFiles = append(local.frameworkAuthFiles, f.Path)
	}
	if f.Test {
		// Routes and CORS set-ups in tests are not the application's (each
		// finding was already built one level lower).
		local.routes, local.djangoRefs, local.cors, local.mechanisms = nil, nil, nil, nil
	}
	a.mu.Lock()
	a.facts.merge(&local)
	a.mu.Unlock()
	return out, ctx.Err()
}

// knownPublicValue reports a value on the shipped or configured
// known-public list.
func (a *Analyzer) knownPublicValue(v string) bool {
	return knownPublic(v) || a.extraPublic[v] || (a.sharedPublic != nil && a.sharedPublic(v))
}

// moduleOf converts a slash path into a dotted Python module name
// ("app/api/deps.py" → "app.api.deps", "pkg/__init__.py" → "pkg").
func moduleOf(p string) string {
	p = strings.TrimSuffix(strings.TrimSuffix(p, ".pyi"), ".py")
	p = strings.TrimSuffix(p, "/__init__")
	return strings.ReplaceAll(p, "/", ".")
}

// jsModuleKey normalises a JS file path without its extension and
// "/index" (so that "./routes/admin" matches routes/admin/index.ts).
func jsModuleKey(p string) string {
	ext := path.Ext(p)
	switch ext {
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx":
		p = strings.TrimSuffix(p, ext)
	}
	return strings.TrimSuffix(p, "/index")
}

// resolveJSSpec resolves a relative import specifier against the
// importing file ("" for packages).
func resolveJSSpec(from, spec string) string {
	if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
		return ""
	}
	return jsModuleKey(path.Clean(path.Join(path.Dir(from), spec)))
}

// moduleMatches reports whether a module named by an import (possibly
// rooted elsewhere, e.g. "app.deps" for "backend/app/deps") is the file
// module fileMod.
func moduleMatches(fileMod, imported string) bool {
	return fileMod == imported || strings.HasSuffix(fileMod, "."+imported) || strings.HasSuffix(fileMod, "/"+imported)
}

func (a *Analyzer) finding(f *scanner.File, rule scanner.RuleInfo, sev scanner.Severity, p pos, msg string) scanner.Finding {
	return scanner.Finding{
		Rule: rule.ID, Severity: sev, Path: f.Path,
		Line: p.line, Column: p.col, EndLine: p.endLine, EndColumn: p.endCol,
		Message: msg,
	}
}

// Words without which a file can hold no route, token, signing secret,
// CORS or cookie set-up, secret comparison or auth fact (matched
// case-insensitively): such files are neither parsed nor walked.
var (
	commonWords = []string{"jwt", "jose", "secret", "token", "passw", "pwd", "signature", "hmac", "api_key", "apikey", "api-key",
		"csrf", "authoriz", "cookie", "session", "cors", "access-control", "login", "oauth", "authent", "expire"}
	pythonWords = []string{"depends(", "security(", "annotated[", "urlpatterns", "fastapi", "flask", "starlette",
		"django", "rest_framework", "middleware", "itsdangerous", "@app.", ".route(", "before_request",
		"sanic", "aiohttp", "litestar", "tornado"}
	jsWords        = []string{"nestjs", "controller", "passport", ".use(", "app.", "router.", "route"}
	relevantPython = prefilter.New(append(append([]string(nil), commonWords...), pythonWords...)...)
	relevantJS     = prefilter.New(append(append([]string(nil), commonWords...), jsWords...)...)
)

// relevant: the file holds one of the words above, or one of the words
// that are also parts of unrelated words and only count in their own
// shape: "permission" but not PermissionError, "otp" not inside a word
// other than totp/hotp ("NotPrimitive"), Python's "quart" not followed by
// a letter ("quarter") and .register( with a string first (a DRF router's
// prefix, not atexit.register(f)), and in JavaScript "express" not
// followed by a letter (the package, express-session, express() — every
// use the JS rules make of the word — but not "expression") and
// .post(/.put(/.patch(/.delete( with a path string as first argument
// (a Map's or a cache's delete(key) is no route).
func relevant(p string, content []byte) bool {
	if treesitter.LangForPath(p) == treesitter.Python {
		if relevantPython.In(content) {
			return true
		}
		return shapedPython.In(content) && (wordAt(content, "permission", notAnError) || wordAt(content, "otp", otpShape) ||
			wordAt(content, "quart", notFollowedByLetter) || wordAt(content, ".register(", pyStringArgument))
	}
	if relevantJS.In(content) {
		return true
	}
	if kind, _ := nextRouteOf(p); kind != notNextRoute || isNextMiddleware(p) {
		return true // Next.js routes are files: their words can be anything
	}
	return shapedJS.In(content) && (wordAt(content, "permission", notAnError) || wordAt(content, "otp", otpShape) ||
		wordAt(content, "express", notFollowedByLetter) ||
		wordAt(content, ".post(", pathArgument) || wordAt(content, ".put(", pathArgument) ||
		wordAt(content, ".patch(", pathArgument) || wordAt(content, ".delete(", pathArgument))
}

// shapedPython and shapedJS hold the words relevant checks in their shape:
// the one-pass test first, the slower shape tests only when one is there.
var (
	shapedPython = prefilter.New("permission", "otp", "quart", ".register(")
	shapedJS     = prefilter.New("permission", "otp", "express", ".post(", ".put(", ".patch(", ".delete(")
)

// wordAt: b holds w (ignoring case) at a position ok accepts; ok gets the
// bytes before the occurrence, the occurrence and the bytes after it.
func wordAt(b []byte, w string, ok func(before, match, after []byte) bool) bool {
	for off := 0; off < len(b); {
		i := prefilter.IndexFold(b[off:], w)
		if i < 0 {
			return false
		}
		i += off
		if ok(b[:i], b[i:i+len(w)], b[i+len(w):]) {
			return true
		}
		off = i + 1
	}
	return false
}

func isLetter(c byte) bool { c = prefilter.Lower(c); return 'a' <= c && c <= 'z' }

// otpShape: "otp" is a word of its own — after a non-letter, at a camelCase
// boundary (sendOtp, verifyOTP), or ending totp/hotp — not letters inside
// another word ("isNotPrimitive" holds "otp").
func otpShape(before, match, _ []byte) bool {
	n := len(before)
	switch {
	case n == 0 || !isLetter(before[n-1]):
		return true
	case 'A' <= match[0] && match[0] <= 'Z' && 'a' <= before[n-1] && before[n-1] <= 'z':
		return true
	case (prefilter.Lower(before[n-1]) == 't' || prefilter.Lower(before[n-1]) == 'h') && (n == 1 || !isLetter(before[n-2])):
		return true
	}
	return false
}

func notAnError(_, _, after []byte) bool {
	return len(after) < 5 || !bytes.EqualFold(after[:5], []byte("error"))
}

// pyStringArgument: the call's first argument is a string literal, with
// or without a prefix (r'^users', "items").
func pyStringArgument(_, _, after []byte) bool {
	after = bytes.TrimLeft(after, " \t\r\n")
	for i := 0; i < 2 && len(after) > 0 && strings.IndexByte("rRbBuUfF", after[0]) >= 0; i++ {
		after = after[1:]
	}
	return len(after) > 0 && (after[0] == '\'' || after[0] == '"')
}

func notFollowedByLetter(_, _, after []byte) bool { return len(after) == 0 || !isLetter(after[0]) }

// pathArgument: the call's first argument is a string or template
// literal ('/users/:id', `/api/${v}`).
func pathArgument(_, _, after []byte) bool {
	after = bytes.TrimLeft(after, " \t\r\n")
	return len(after) > 0 && (after[0] == '\'' || after[0] == '"' || after[0] == '`')
}
