package auth

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// words splits an identifier, path or header name into lower-case words:
// snake_case, camelCase, kebab-case and dotted names alike
// ("getCurrentUser" → get current user, "X-Api-Key" → x api key).
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if len(cur) > 0 && unicode.IsDigit(r) != unicode.IsDigit(rs[i-1]) && unicode.IsDigit(r) {
				flush() // password2 → password, 2
			}
			if unicode.IsUpper(r) && len(cur) > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					flush()
				}
			}
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

func hasWord(ws []string, set ...string) bool {
	for _, w := range ws {
		if slices.Contains(set, w) {
			return true
		}
	}
	return false
}

func hasPrefixWord(ws []string, prefixes ...string) bool {
	for _, w := range ws {
		for _, p := range prefixes {
			if strings.HasPrefix(w, p) {
				return true
			}
		}
	}
	return false
}

// lastName is the last dotted segment of a callee ("deps.get_user" → get_user).
func lastName(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// isAuthName reports whether a dependency, decorator, middleware or guard
// name says that it authenticates the caller.
func isAuthName(name string) bool {
	ws := words(name)
	if len(ws) == 0 {
		return false
	}
	if hasWord(ws, "initialize", "init", "cors", "helmet", "logger", "logging", "csrf", "limiter", "ratelimit", "throttle", "cache", "compression") && !hasPrefixWord(ws, "auth") {
		return false
	}
	if hasPrefixWord(ws, "auth", "oauth", "login", "logged", "jwt", "bearer", "credential", "principal", "permission", "superuser", "privilege", "signed") {
		return true
	}
	if hasWord(ws, "token", "tokens", "identity", "verify", "verified", "guard", "guards", "protect", "protected", "security", "secure", "role", "roles", "admin", "staff", "scope", "scopes", "claims", "acl", "apikey", "passport", "session", "sessions", "ensure", "authenticated", "passwordless", "rbac", "perm", "perms", "owner") {
		// a database session is not authentication
		if hasWord(ws, "session", "sessions") && !hasWord(ws, "user", "auth", "login", "valid", "require", "required", "verify", "check", "ensure") {
			return false
		}
		if hasWord(ws, "ensure") && !hasWord(ws, "user", "logged", "login", "auth", "authenticated", "admin", "role", "permission", "owner") {
			return false
		}
		return true
	}
	if hasWord(ws, "current") && hasWord(ws, "user", "account", "member", "active", "admin", "principal", "identity") {
		return true
	}
	if hasWord(ws, "api") && hasWord(ws, "key", "keys") {
		return true
	}
	if hasWord(ws, "require", "requires", "required", "must", "is", "check", "valid", "validate") && hasWord(ws, "user", "login", "logged", "member", "account", "signin", "key") {
		return true
	}
	return false
}

// isRoleName reports whether a name says that it checks a role, a
// permission or ownership (authorization, not just authentication).
func isRoleName(name string) bool {
	ws := words(name)
	if hasPrefixWord(ws, "admin", "superuser", "permission", "privilege", "authoriz", "authoris", "restrict") {
		return true
	}
	if hasWord(ws, "staff", "role", "roles", "perm", "perms", "scope", "scopes", "owner", "owns", "ownership", "acl", "rbac", "policy", "policies", "can", "allowed", "allow", "group", "groups", "moderator", "manager", "superadmin", "elevated", "self") {
		return !hasWord(ws, "any", "allowany")
	}
	return false
}

// publicWords are path or handler words that make an endpoint public by
// design (scanner-rules.md AUTH-001) wherever they appear: nobody is signed
// in yet (login, register, OAuth), or the endpoint serves machines and
// browsers before any session (health, docs, static).
var publicWords = []string{
	"login", "signin", "logon", "logout", "signout", "logoff", "register", "registration", "signup",
	"oauth", "oauth2", "sso", "saml", "oidc", "csrf", "captcha",
}

// servedPublicWords are public by design for reads and for writes that
// target no resource (POST /theme, /setlang): a health probe, docs, assets,
// a public API. An update or deletion, or a write to a resource the path
// names (PUT /users/:id/public-key, DELETE /live-streams/:id, POST
// /users/:id/theme), is judged as any other.
var servedPublicWords = []string{
	"health", "healthz", "healthcheck", "ready", "readyz", "readiness",
	"live", "livez", "liveness", "ping", "metrics", "docs", "openapi", "swagger", "redoc", "static", "assets",
	"favicon", "robots", "lang", "language", "locale", "setlang", "i18n", "theme", "public",
}

// flowPublicWords are the public steps of account and integration flows
// (password reset requests, e-mail confirmation, token refresh, incoming
// webhooks). They are public only outside administrative paths: a user's
// /account/reset-password is public, /admin/users/{id}/reset or
// /admin/webhooks (managing the webhooks) is not.
var flowPublicWords = []string{
	"forgot", "reset", "recover", "recovery", "join", "callback", "callbacks", "webhook", "webhooks", "hook", "hooks",
	"activate", "activation", "confirm", "confirmation", "verify", "verification", "unsubscribe",
	"redirect", "refresh", "obtain", "authorize", "authorization", "authenticate", "session", "sessions",
}

// adminWords mark an administrative path or handler.
var adminWords = []string{"admin", "administration", "internal", "debug", "superuser", "staff", "manage", "management", "backoffice"}

// weakPublicWords are public forms and endpoints whose authorization lives
// elsewhere (GraphQL resolvers), unless sensitive words say otherwise
// (/admin/users/search).
var weakPublicWords = []string{"contact", "feedback", "newsletter", "subscribe", "waitlist", "search", "graphql", "otp", "magic", "guest", "csp", "beacon", "telemetry"}

// sensitiveWords make a path or handler sensitive even for reads.
var sensitiveWords = []string{
	"admin", "users", "account", "accounts", "delete", "remove", "destroy", "update", "edit", "settings",
	"billing", "payment", "payments", "password", "token", "tokens", "key", "keys", "apikey", "export", "upload",
	"uploads", "internal", "debug", "config", "configuration", "role", "roles", "permission", "permissions",
	"secret", "secrets", "credential", "credentials", "invoice", "invoices", "profile", "me", "superuser", "staff",
	"wallet", "transfer", "withdraw",
}

var destructiveWords = []string{"delete", "remove", "destroy", "update", "edit", "admin", "purge", "drop", "ban", "deactivate", "modify", "change", "patch", "put", "erase", "wipe", "revoke", "reset", "promote", "grant"}

// isPublicByDesign reports a login/health/docs/... endpoint.
func isPublicByDesign(method, path, handler string) bool {
	ws := append(words(path), words(handler)...)
	if hasWord(ws, publicWords...) {
		return true
	}
	if hasWord(ws, servedPublicWords...) && !(isUpdateOrDelete(method) || isStateChanging(method) && hasPathParam(path)) {
		return true
	}
	if hasWord(ws, flowPublicWords...) && !hasPrefixWord(ws, adminWords...) {
		return true
	}
	if hasWord(ws, weakPublicWords...) && !hasWord(ws, sensitiveWords...) {
		return true
	}
	// OAuth2 password flow token endpoints (/token, /auth/token, /login/access-token, /api/token/).
	segs := pathSegments(path)
	if len(segs) > 0 && (segs[len(segs)-1] == "token" || segs[len(segs)-1] == "access-token" || segs[len(segs)-1] == "access_token") {
		return true
	}
	return false
}

func pathSegments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, ":") && !strings.HasPrefix(s, "<") && !strings.HasPrefix(s, "(") {
			out = append(out, strings.ToLower(s))
		}
	}
	return out
}

func isStateChanging(method string) bool {
	switch strings.ToUpper(method) {
	case "POST", "PUT", "PATCH", "DELETE":
		return true
	}
	return false
}

// isSensitive: a state-changing verb, or sensitive words in the path or
// handler name.
func isSensitive(method, path, handler string) bool {
	if isStateChanging(method) {
		return true
	}
	ws := append(wordsOfPath(path), words(handler)...)
	return hasWord(ws, sensitiveWords...)
}

// wordsOfPath splits a URL path into words, ignoring parameters.
func wordsOfPath(p string) []string {
	var out []string
	for _, s := range pathSegments(p) {
		out = append(out, words(s)...)
	}
	return out
}

// methodFromName is the method an endpoint declared as a function (a tRPC
// mutation, a server action) acts as by its name's first word: DELETE for
// deleteUser, PATCH for updateRole, "" otherwise.
func methodFromName(name string) string {
	ws := words(name)
	switch {
	case len(ws) == 0:
		return ""
	case hasWord(ws[:1], "delete", "remove", "destroy", "purge", "erase", "wipe"):
		return "DELETE"
	case hasWord(ws[:1], "update", "edit", "modify", "change", "rename", "patch", "ban", "promote", "grant", "revoke", "deactivate"):
		return "PATCH"
	}
	return ""
}

// isUpdateOrDelete: the method edits or removes an existing resource.
func isUpdateOrDelete(method string) bool {
	switch strings.ToUpper(method) {
	case "DELETE", "PUT", "PATCH":
		return true
	}
	return false
}

// isDestructive: DELETE/PUT/PATCH, or delete/update/admin handler or path
// words on another state-changing (or unknown) method.
func isDestructive(method, path, handler string) bool {
	switch strings.ToUpper(method) {
	case "DELETE", "PUT", "PATCH":
		return true
	case "GET", "HEAD", "OPTIONS":
		return false // reads change nothing, whatever the handler is called
	}
	ws := append(words(handler), wordsOfPath(path)...)
	return hasWord(ws, destructiveWords...)
}

// Handler-body evidence, checked on the handler's source text.
var (
	pyBodyAuthRE = regexp.MustCompile(`is_authenticated|verify_jwt_in_request|get_jwt_identity|current_identity|abort\(\s*40[13]|HTTP_40[13]|status_code\s*=\s*40[13]|raise\s+(?:\w+\.)*(?:PermissionDenied|NotAuthenticated|Unauthorized|Forbidden|AuthenticationFailed|HTTPUnauthorized|HTTPForbidden|Unauthenticated)\b|\bcheck_auth\w*\(|\brequire_(?:auth|login|user)\w*\(|\bauthenticate\(|\bjwt\.decode\(|\bverify_\w*token\w*\(|\bcheck_\w*token\w*\(|\bstatus\s*=\s*401\b|\bcheck_authorized\(|\bcheck_permission\(|\bdecode_\w*token\w*\(|\bget_current_\w+\(|login_required|\.has_perm|\bauth\.\w+\(`)
	pyBodyRoleRE = regexp.MustCompile(`\b(?:if|elif|and|or|not|assert)\b[^\n]*(?:is_superuser|is_admin|is_staff|\.roles?\b|\bscopes?\b|permission)|has_perms?\(|has_permission\(|has_role\(|check_permission|check_role|PermissionDenied|HTTP_403|abort\(\s*403|status_code\s*=\s*403|Forbidden|permission_required|\bcan_\w+\(`)
	// pyBodyRoleCondRE: the role evidence that names what is checked; a
	// bare 403 (HTTP_403, Forbidden, abort(403)) is role evidence only in a
	// function that does not itself validate a token, where it is the
	// answer to bad credentials (FastAPI's HTTPBearer answers 403 too).
	pyBodyRoleCondRE = regexp.MustCompile(`\b(?:if|elif|and|or|not|assert)\b[^\n]*(?:is_superuser|is_admin|is_staff|\.roles?\b|\bscopes?\b|permission)|has_perms?\(|has_permission\(|has_role\(|check_permission|check_role|permission_required|\bcan_\w+\(`)
	pyTokenCheckRE   = regexp.MustCompile(`\bjwt\.decode\(|\bdecode_\w*token\w*\(|\bverify_\w*token\w*\(|InvalidTokenError|JWTError|ExpiredSignatureError|credentials_exception|Could not validate credentials`)
	pyCurrentUserRE  = regexp.MustCompile(`current_user|request\.user|g\.user|self\.request\.user|request\.auth|\buser\.id\b|\buser_id\b|get_jwt_identity\(|\bauth_user|\bme\b|\bprincipal|\bcheck_authorized\(|\bauthorized_userid\(`)
	// pyOwnerFieldRE: an owner field compared, or passed as a keyword
	// filter (filter_by(owner_id=…), get_object_or_404(…, author=…)); a
	// statement such as `user = db.get(User, user_id)` checks nothing, nor
	// does `user is None`.
	pyOwnerFieldRE = regexp.MustCompile(`\b(?:owner|owner_id|user_id|author|author_id|created_by|created_by_id|creator|creator_id|user)\s*(?:==|!=|is\s+(?:not\s+)?(?:[a-zA-MO-Z_]|N[^o])|in\b)|[(,]\s*(?:owner|owner_id|user_id|author|author_id|created_by|created_by_id|creator|creator_id|user)\s*=[^=]|(?:==|!=)\s*\w+\.(?:owner|owner_id|user_id|author|author_id|created_by|creator)\b|\.(?:owner|owner_id|user_id|author|author_id|created_by|creator)(?:_id)?\s*(?:==|!=)|\[\s*['"](?:owner|owner_id|user_id|author|author_id|created_by|creator|creator_id)['"]\s*\]\s*(?:==|!=)`)

	// jsLoadsUserRE: the file sets req.user itself (app.param('user'),
	// a loader middleware), so req.user is not evidence of authentication.
	jsLoadsUserRE      = regexp.MustCompile(`\breq\.user\s*=[^=]|\.param\(\s*['"]user`)
	jsBodyAuthNoUserRE = regexp.MustCompile(`isAuthenticated\(\)|\.status\(\s*40[13]\s*\)|sendStatus\(\s*40[13]\s*\)|\bjwt\.verify\(|\bverify\w*Token\(|req\.session\.(?:user|userId|uid)|getServerSession\(|\bauth\(\)|getSession\(|\bctx\.state\.user\b|\bctx\.throw\(\s*40[13]\b|\.code\(\s*40[13]\s*\)|\bHTTPException\(\s*40[13]\b|\b[cC]\.(?:json|text|body)\([^\n]*,\s*40[13]\s*[,)]`)
	jsBodyAuthRE       = regexp.MustCompile(`\breq\.(?:user|auth)\b|\brequest\.(?:user|auth)\b|isAuthenticated\(\)|\.status\(\s*40[13]\s*\)|sendStatus\(\s*40[13]\s*\)|\bjwt\.verify\(|\bverify\w*Token\(|req\.session\.(?:user|userId|uid)|getServerSession\(|\bauth\(\)|getSession\(|\bctx\.state\.user\b|\bctx\.throw\(\s*40[13]\b|\.code\(\s*40[13]\s*\)|\bHTTPException\(\s*40[13]\b|\b[cC]\.(?:json|text|body)\([^\n]*,\s*40[13]\s*[,)]`)
	jsBodyRoleRE       = regexp.MustCompile(`\.(?:role|roles|isAdmin|is_admin|admin|permissions|scopes?)\b|\bhasRole\(|\bcheckRole\(|\bisAdmin\(|\bcan\(|\bauthorize\(|\bhasPermission\(|\.status\(\s*403\s*\)|sendStatus\(\s*403\s*\)|Forbidden|\bHTTPException\(\s*403\b|\b[cC]\.(?:json|text|body)\([^\n]*,\s*403\s*[,)]`)
	jsCurrentUserRE    = regexp.MustCompile(`\b(?:req|request|ctx|context)\.(?:user|auth|session\.user\w*|state\.user)\b|currentUser|session\.user|\bc\.get\(\s*['"](?:jwtPayload|user|currentUser|session|auth)['"]\s*\)|\bc\.var\.(?:jwtPayload|user|currentUser|session|auth)\b`)
	// jsScopedCallRE: a data call handed both the resource's id from the
	// path and the caller's id (todos.remove(req.params.id, req.user.id)):
	// the query is filtered by the caller
	jsScopedCallRE = regexp.MustCompile(`\w\([^()]*\breq\.params\.\w+\s*,\s*req\.user\.(?:id|_id|sub|userId)\b|\w\([^()]*\breq\.user\.(?:id|_id|sub|userId)\s*,\s*req\.params\.\w+`)
	jsOwnerFieldRE = regexp.MustCompile(`\b(?:owner|ownerId|owner_id|userId|user_id|author|authorId|author_id|createdBy|creator|creatorId|user)\b(?:\.(?:_id|id))?(?:\.toString\(\))?\s*(?:[:=]|!==|===|!=|==)|(?:!==|===|!=|==)\s*[\w.]*\.(?:user|owner|userId|ownerId|author|authorId|createdBy)\b|\.equals\(\s*req\.user`)
)

// hasPathParam reports whether a route path names a resource (an id):
// {id}, :id, <int:pk>, (?P<pk>…), Next.js's [id].
func hasPathParam(p string) bool {
	return strings.ContainsAny(p, "{<([") || strings.Contains(p, "/:") || strings.HasPrefix(p, ":")
}

// adminishWords: operations on global state that need a role even without
// a resource id.
var adminishWords = []string{"admin", "config", "configuration", "settings", "system", "internal", "debug", "users", "all", "purge", "reindex", "maintenance", "roles", "permissions"}

// selfService reports a destructive route that can only act on the
// caller's own data or nothing in particular: no resource id in a known
// path and no admin-ish words.
func selfService(path, handler string) bool {
	if path == "" || hasPathParam(path) {
		return false
	}
	// a handler that says it acts on the caller (updateSelf,
	// update_own_profile, deleteMe) does, whatever collection it is under
	if hw := words(handler); hasWord(hw, "self", "own", "me", "my", "mine", "current") && !hasWord(hw, "admin", "all") {
		return true
	}
	return !hasWord(append(wordsOfPath(path), words(handler)...), adminishWords...)
}

// jsInputObjects hold what the caller sent: a role read from them is the
// value being written (an endpoint that sets a user's role), not the
// caller's role being checked.
var jsInputObjects = map[string]bool{"body": true, "dto": true, "input": true, "data": true, "payload": true, "params": true,
	"query": true, "args": true, "values": true, "form": true, "update": true, "updates": true, "changes": true, "patch": true, "fields": true}

// jsRoleEvidence: the text checks the caller's role or permission. A
// property such as .role or .isAdmin counts when it is read in a condition
// (if, a comparison, includes(), a logical operator, a ternary) from
// something other than the request's input: `body.role` or
// `user.role = dto.role` check nothing.
func jsRoleEvidence(text string) bool {
	for _, m := range jsBodyRoleRE.FindAllStringIndex(text, -1) {
		if text[m[0]] != '.' {
			return true // hasRole(), a 403, Forbidden
		}
		i := m[0]
		for i > 0 && (isWordByte(text[i-1]) || text[i-1] == '$') {
			i--
		}
		obj := text[i:m[0]]
		if jsInputObjects[obj] || i > 0 && text[i-1] == '.' && strings.HasSuffix(text[:i-1], ".body") {
			continue
		}
		start := strings.LastIndexByte(text[:m[0]], '\n') + 1
		end := strings.IndexByte(text[m[1]:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += m[1]
		}
		if jsConditionRE.MatchString(text[start:end]) {
			return true
		}
	}
	return false
}

// jsConditionRE: a line that tests something.
var jsConditionRE = regexp.MustCompile(`\bif\s*\(|[=!]==?|\.(?:includes|some|every|indexOf|has)\(|&&|\|\||\?|\bcase\b|\breturn\s+!`)
