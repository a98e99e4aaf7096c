package auth

import "github.com/vigil-proxy/vigil-proxy/scanner"

// Rule metadata: it feeds SARIF, `vigil-proxy rules` and the admin UI.
var (
	ruleMissingAuth = scanner.RuleInfo{
		ID: "AUTH-001", Name: "MissingAuthentication", Title: "Sensitive endpoint without authentication",
		Category: scanner.CategoryAuth, Severity: scanner.High, Security: true, CWE: []int{306, 862}, Precision: "medium",
		Description: "A route that changes state or exposes users, accounts, settings, tokens or admin functions has no authentication: no auth dependency, decorator, guard or middleware applies to it, neither on the route nor on its router, mount or app, while other routes of the project are protected. AI assistants often generate such routes when asked for \"an endpoint that deletes X\". When the project has no authentication mechanism at all, one project-level finding is raised instead of one per route.",
		Impact:      "Anyone who can reach the service can call the endpoint.",
		Fix:         "Require authentication on the route (a dependency, decorator, guard or middleware) or on the router that mounts it; mark intentionally public endpoints with an inline suppression giving the reason.",
		Bad:         "@router.delete(\"/users/{id}\")\nasync def delete_user(id: int): ...",
		Good:        "@router.delete(\"/users/{id}\")\nasync def delete_user(id: int, user: User = Depends(get_current_user)): ...",
		Tags:        []string{"security", "auth", "external/cwe/cwe-306"},
	}
	ruleMissingAuthz = scanner.RuleInfo{
		ID: "AUTH-002", Name: "MissingAuthorization", Title: "Destructive endpoint without a role, permission or ownership check",
		Category: scanner.CategoryAuth, Severity: scanner.High, Security: true, CWE: []int{862, 285}, Precision: "medium",
		Description: "A DELETE/PUT/PATCH (or delete/update/admin) endpoint authenticates the caller but never checks that this caller may act on the resource: no role or permission dependency, no admin guard, no comparison of the resource's owner with the current user and no query filtered by the current user. Any logged-in user can then modify or delete other users' data (IDOR).",
		Impact:      "Any authenticated user can modify or delete resources that belong to others.",
		Fix:         "Check a role or permission, or compare the resource's owner with the current user (or filter the query by the current user) before changing it.",
		Bad:         "@app.delete(\"/posts/{id}\")\ndef delete_post(id: int, user=Depends(get_current_user)):\n    db.delete(db.get(Post, id))",
		Good:        "post = db.get(Post, id)\nif post.owner_id != user.id:\n    raise HTTPException(403)\ndb.delete(post)",
		Tags:        []string{"security", "auth", "external/cwe/cwe-862"},
	}
	ruleTokenLifetime = scanner.RuleInfo{
		ID: "AUTH-003", Name: "WeakTokenLifetimeOrVerification", Title: "Token without expiry, with a very long lifetime, or verified without expiry/signature/algorithm checks",
		Category: scanner.CategoryAuth, Severity: scanner.Medium, Security: true, CWE: []int{613, 347}, Precision: "high",
		Description: "A JWT is issued without an exp claim (jsonwebtoken emits none when expiresIn is absent), with an access-token lifetime above the configured maximum (default 24h; `rules: {AUTH-003: {max_lifetime: 24h}}`; refresh tokens are exempt), or verified with expiry or signature checks turned off, without a key, or without pinning the algorithms (or accepting `none`). A stolen token then works forever or can be forged. Calls are recognised only after import resolution confirms the JWT library.",
		Impact:      "A leaked or forged token grants access indefinitely.",
		Fix:         "Set a short expiry (exp / expiresIn / setExpirationTime), keep expiry and signature verification on, and pin the accepted algorithms.",
		Bad:         "token = jwt.encode({\"sub\": user.id}, key, algorithm=\"HS256\")",
		Good:        "token = jwt.encode({\"sub\": user.id, \"exp\": now + timedelta(minutes=30)}, key, algorithm=\"HS256\")",
		Tags:        []string{"security", "auth", "jwt", "external/cwe/cwe-613"},
	}
	ruleHardcodedSecret = scanner.RuleInfo{
		ID: "AUTH-004", Name: "HardcodedSigningSecret", Title: "Hardcoded JWT or session signing secret",
		Category: scanner.CategoryAuth, Severity: scanner.High, Security: true, CWE: []int{798, 321}, Precision: "high",
		Description: "A literal secret reaches a signing sink (jwt.encode/decode, jsonwebtoken sign/verify, jose, passport-jwt secretOrKey, express-jwt, express-session, cookie-parser, Flask or Django SECRET_KEY), directly or one hop away through a module constant, a settings object, an environment fallback or a pydantic BaseSettings default. Anyone with the source can forge tokens and sessions. Values that tutorials and documentation print (the FastAPI example key, 'shhhhh', 'keyboard cat', 'your-256-bit-secret', ...) are public and raised as critical.",
		Impact:      "Anyone who has read the source or the tutorial can forge tokens and session cookies.",
		Fix:         "Load the secret from the environment or a secret manager and fail at start-up when it is missing; rotate the leaked value.",
		Bad:         "SECRET_KEY = \"09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7\"",
		Good:        "SECRET_KEY = os.environ[\"SECRET_KEY\"]",
		Tags:        []string{"security", "auth", "secrets", "external/cwe/cwe-798"},
		// the same literal judged by the secret rules without knowing the sink
		Supersedes: []string{"SEC-001", "SEC-002"},
	}
	ruleCORS = scanner.RuleInfo{
		ID: "AUTH-005", Name: "PermissiveCORS", Title: "Permissive CORS policy",
		Category: scanner.CategoryAuth, Severity: scanner.High, Security: true, CWE: []int{942, 346}, Precision: "high",
		Description: "The CORS configuration lets any origin read responses. With credentials allowed and the origin reflected (Starlette and Flask-CORS echo the Origin when `*` is combined with credentials; Express cors with `origin: true` or an always-accepting callback) any web site can act as the logged-in user: high. A plain `*` without credentials is medium on a project with authentication and info on a public API. Regex origins that match every origin and the `null` origin (sent by sandboxed frames) are raised too.",
		Impact:      "Any web site can read authenticated responses on behalf of a logged-in visitor.",
		Fix:         "List the trusted origins explicitly; allow credentials only for those; anchor origin regexes; never allow `null`.",
		Bad:         "app.add_middleware(CORSMiddleware, allow_origins=[\"*\"], allow_credentials=True)",
		Good:        "app.add_middleware(CORSMiddleware, allow_origins=[\"https://app.example.com\"], allow_credentials=True)",
		Tags:        []string{"security", "auth", "cors", "external/cwe/cwe-942"},
	}
	ruleCookie = scanner.RuleInfo{
		ID: "AUTH-006", Name: "InsecureAuthCookie", Title: "Session or auth cookie without HttpOnly, Secure or SameSite",
		Category: scanner.CategoryAuth, Severity: scanner.Medium, Security: true, CWE: []int{614, 1004, 1275}, Precision: "medium",
		Description: "A cookie that carries a session, token or JWT is set without HttpOnly (readable by injected scripts), Secure (sent over plain HTTP) or SameSite (sent on cross-site requests), given each framework's real defaults (Werkzeug/Flask and Django set_cookie: none of them; Starlette: SameSite=lax only; Express res.cookie: none; express-session: HttpOnly only). Each missing attribute is named. A Secure flag tied to a debug or environment flag is reported as info.",
		Impact:      "The session token can be stolen by a script, sniffed on HTTP, or ridden by cross-site requests.",
		Fix:         "Set httponly/httpOnly, secure and samesite (lax or strict) on session and token cookies.",
		Bad:         "resp.set_cookie(\"session_token\", token)",
		Good:        "resp.set_cookie(\"session_token\", token, httponly=True, secure=True, samesite=\"Lax\")",
		Tags:        []string{"security", "auth", "cookies", "external/cwe/cwe-614"},
	}
	ruleTiming = scanner.RuleInfo{
		ID: "AUTH-007", Name: "TimingUnsafeComparison", Title: "Timing-unsafe comparison of a secret",
		Category: scanner.CategoryAuth, Severity: scanner.Low, Security: true, CWE: []int{208}, Precision: "medium",
		Description: "A token, signature, HMAC digest, API key or password is compared with ==/!=/===/!==, which stops at the first differing byte: the response time leaks how much of a guess is right. Comparisons with None/null/undefined/empty strings, booleans, numbers, lengths, typeof, enum or CONSTANT_CASE values, and comparisons of two user inputs (password confirmation) are not raised.",
		Impact:      "An attacker can recover the secret byte by byte from response times.",
		Fix:         "Use hmac.compare_digest / secrets.compare_digest in Python and crypto.timingSafeEqual in Node (compare equal-length buffers, e.g. of hashes).",
		Bad:         "if request.headers[\"X-Api-Key\"] == settings.API_KEY:",
		Good:        "if hmac.compare_digest(request.headers[\"X-Api-Key\"], settings.API_KEY):",
		Tags:        []string{"security", "auth", "external/cwe/cwe-208"},
	}
)

// allRules lists the rules in ID order.
var allRules = []scanner.RuleInfo{ruleMissingAuth, ruleMissingAuthz, ruleTokenLifetime, ruleHardcodedSecret, ruleCORS, ruleCookie, ruleTiming}

// Rules returns the metadata of AUTH-001..AUTH-007 (for `vigil-proxy rules`
// and the admin UI's catalogue).
func Rules() []scanner.RuleInfo { return append([]scanner.RuleInfo(nil), allRules...) }
