package secrets

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-proxy/vigil-proxy/scanner/prefilter"
)

// nameStrength says how much a name tells about its value.
type nameStrength int

const (
	notSecret nameStrength = iota
	// weakName: "token", "key" alone, "salt", "credentials" — secret-ish
	// but also common for non-secrets (lexer tokens, cache keys): only
	// placeholders and known-public values are reported.
	weakName
	// strongName: secret, password, api_key, secret_key, auth_token… —
	// weak values are reported too (SEC-002).
	strongName
)

// nameWords splits an identifier, header or config key into lowercase
// words: camelCase, snake_case, kebab-case, dotted and digits.
func nameWords(name string) []string {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return unicodeNameWords(name)
		}
	}
	// ASCII (almost every name): eachWord splits bytes as
	// unicodeNameWords splits ASCII runes, and no copy of the name is made.
	var words []string
	eachWord([]byte(name), func(start, end int) bool {
		words = append(words, strings.ToLower(name[start:end]))
		return true
	})
	return words
}

// unicodeNameWords is nameWords for any text.
func unicodeNameWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r):
			if len(cur) > 0 {
				prev := cur[len(cur)-1]
				if unicode.IsDigit(prev) {
					flush()
				} else if unicode.IsUpper(r) && unicode.IsLower(prev) {
					flush() // fooBar
				} else if unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) {
					flush() // APIKey -> API Key
				}
			}
			cur = append(cur, r)
		case unicode.IsDigit(r):
			if len(cur) > 0 && !unicode.IsDigit(cur[len(cur)-1]) {
				flush()
			}
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return words
}

var (
	strongWords = set("secret", "password", "passwd", "passphrase", "pwd", "apikey", "privatekey",
		"clientsecret", "secretkey", "authtoken", "accesstoken", "apitoken", "passcode", "pass")
	weakWords  = set("token", "salt", "credential", "credentials", "creds", "pin")
	keyQualify = set("api", "secret", "private", "signing", "sign", "encryption", "encrypt", "access",
		"auth", "jwt", "session", "master", "app", "client", "hmac", "cipher", "aes", "crypto",
		"decryption", "decrypt", "license", "subscription", "service", "or", "webhook", "cookie", "django", "flask")
	tokenQualify = set("auth", "access", "api", "bearer", "refresh", "jwt", "session", "github", "gh",
		"npm", "slack", "bot", "personal", "service", "admin", "secret", "oauth", "pypi", "gitlab",
		"discord", "telegram", "webhook", "app", "client", "master", "root", "id", "security")
	// trailing words that do not change what a name holds
	neutralTail = set("value", "val", "str", "string", "raw", "b64", "base64", "hex", "bytes", "prod",
		"production", "dev", "development", "test", "staging", "local", "default", "fallback", "base",
		"old", "new", "current", "plain", "plaintext", "env", "override")
	// leading words of booleans, counters and switches
	flagHead = set("is", "has", "use", "uses", "enable", "enabled", "disable", "require", "requires",
		"required", "allow", "allowed", "show", "hide", "no", "num", "n", "max", "min", "should",
		"can", "must", "need", "needs", "with", "without", "include", "skip", "validate", "check",
		"get", "set", "on", "handle", "parse", "make", "create", "generate", "gen", "build", "new",
		"reset", "forgot", "forgotten", "incorrect", "hashed", "hash", "salted", "encrypted", "other", "another", "previous", "prev", "last", "masked", "redacted", "hidden", "verify", "confirm", "update", "change", "read", "load",
		"save", "store", "fetch", "refresh", "revoke", "invalid", "expired", "bad", "wrong", "missing", "empty")
)

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// classifyName decides whether a name (variable, attribute, keyword, key)
// holds a secret. Only the last meaningful word counts: "password_hash",
// "token_type", "NextTokenURL", "secret_name" are metadata about a secret,
// not one.
func classifyName(name string) nameStrength {
	if strings.ContainsAny(name, ": /\\") || len(name) > 100 {
		return notSecret // "AWS::IAM::AccessKey", "API Key", a path: a label or type, not a setting
	}
	ws := nameWords(name)
	for len(ws) > 0 && (neutralTail[ws[len(ws)-1]] || isDigits(ws[len(ws)-1])) {
		ws = ws[:len(ws)-1]
	}
	if len(ws) == 0 || flagHead[ws[0]] && len(ws) > 1 {
		return notSecret
	}
	last := ws[len(ws)-1]
	prev := ""
	if len(ws) > 1 {
		prev = ws[len(ws)-2]
	}
	switch {
	case strongWords[last]:
		if last == "pass" && len(ws) > 1 && prev != "db" && prev != "user" && prev != "admin" && prev != "smtp" && prev != "mail" && prev != "root" {
			return notSecret // "bypass", "first_pass"
		}
		return strongName
	case last == "key":
		if keyQualify[prev] {
			return strongName
		}
		return notSecret
	case last == "token":
		if tokenQualify[prev] {
			return strongName
		}
		return weakName
	case weakWords[last]:
		return weakName
	}
	return notSecret
}

// maxSecretList: a list of more values than this under a secret's name is
// a word list, not keys in rotation.
const maxSecretList = 3

// wordListWords qualify a list of values that are refused or looked up,
// not used.
var wordListWords = set("common", "weak", "banned", "blocked", "blocklist", "blacklist", "forbidden", "disallowed",
	"known", "leaked", "breached", "pwned", "popular", "top", "bad", "invalid", "rejected", "excluded", "example", "examples", "sample", "samples", "test",
	"redact", "redacted", "mask", "masked", "hidden", "scrub", "scrubbed", "filter", "filtered", "sensitive")

// secretListNames hold a word of every name classifyName does not call
// notSecret, and of every name listElementStrength can call strong.
var secretListNames = prefilter.New("secret", "pass", "pwd", "key", "token", "cred", "salt", "pin")

// listElementStrength classifies the name of a list of secrets as the
// name of one element (SECRET_KEY_FALLBACKS, SESSION_SECRETS, apiKeys),
// and only when that is a strong secret name: stop_tokens is no list of
// credentials.
func listElementStrength(name string) nameStrength {
	if !secretListNames.InString(name) {
		return notSecret // most arrays hold no secret: no word is read
	}
	ws := slices.Clone(nameWords(name))
	if slices.ContainsFunc(ws, func(w string) bool { return wordListWords[w] }) {
		return notSecret // COMMON_PASSWORDS, banned_passwords: values to refuse
	}
	if st := classifyName(name); st != notSecret {
		return st
	}
	n := len(ws)
	switch {
	case n > 1 && ws[n-1] == "fallbacks":
		ws = ws[:n-1]
	case n > 0 && len(ws[n-1]) > 1 && strings.HasSuffix(ws[n-1], "s"):
		ws[n-1] = strings.TrimSuffix(ws[n-1], "s")
	default:
		return notSecret
	}
	if classifyName(strings.Join(ws, "_")) == strongName {
		return strongName
	}
	return notSecret
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var (
	templateRE   = regexp.MustCompile(`\$\{[^}]*\}|\{\{.*\}\}|%\([A-Za-z_]\w*\)[sdr]|%[sdrvq]|\{\d*\}|\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]*)?\}|^\$[A-Za-z_]\w*$|^%[A-Za-z_]\w*%$|^@[A-Za-z_]\w*@$|<%=?|#\{[^}]*\}|^\{\{|\$\(`)
	camelWordsRE = regexp.MustCompile(`^[A-Za-z][a-z0-9]+(?:[A-Z][a-z0-9]+)+$`)
	constCaseRE  = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`)
	identPathRE  = regexp.MustCompile(`^[A-Za-z_][\w]*(?:[.:][A-Za-z_][\w]*)+$`)
	identRE      = regexp.MustCompile(`^[a-z][a-z0-9]*(?:[_\-][a-z0-9]+)+$`)
	fileExtRE    = regexp.MustCompile(`(?i)\.(?:pem|key|crt|cer|der|p12|pfx|jks|json|ya?ml|toml|ini|cfg|conf|txt|env|pub|gpg|asc|db|sqlite3?|log|html?|js|py|ts|sh)$`)
	hashRE       = regexp.MustCompile(`^(?:\$2[abxy]?\$\d\d\$|\$argon2|\$pbkdf2|\$scrypt|pbkdf2_sha\d+\$|argon2\$|bcrypt\$|sha\d+\$|md5\$|\$[156]\$|\{SSHA\}|\{SHA\})`)
)

// tokenTypeWords are values of "type"-like settings, never secrets.
var tokenTypeWords = set("bearer", "basic", "digest", "mac", "jwt", "access", "refresh", "session",
	"csrf", "xsrf", "cookie", "header", "headers", "query", "body", "form", "authorization", "oauth",
	"oauth2", "hs256", "hs384", "hs512", "rs256", "es256", "none", "plain", "text", "hidden", "required",
	"optional", "auto", "env", "environment", "file", "vault", "keyring", "keychain", "memory", "redis",
	"true", "false", "null", "nil", "undefined", "yes", "no", "on", "off", "id", "code", "string", "str", "bytes",
	"int", "bool", "object", "number", "any", "unknown", "secretstr", "secret_str", "sha256", "sha1", "md5")

// notASecretValue filters the values that a secret-ish name or sink still
// does not make a secret (scanner-rules.md §7.2): templates, URLs, paths,
// identifiers (NextToken, CONSTANT_CASE, snake/kebab names of fields),
// token-type words, cache keys, messages, hashes.
func notASecretValue(v, name string) bool {
	t := strings.TrimSpace(v)
	if t == "" {
		return true
	}
	if !hasAlnum(t) {
		return true
	}
	lt := strings.ToLower(t)
	if tokenTypeWords[lt] {
		return true
	}
	if templateRE.MatchString(t) {
		return true
	}
	if strings.Contains(t, "://") || strings.HasPrefix(t, "/") || strings.HasPrefix(t, "./") ||
		strings.HasPrefix(t, "../") || strings.HasPrefix(t, "~/") || strings.Contains(t, "\\\\") ||
		len(t) > 2 && t[1] == ':' && (t[2] == '\\' || t[2] == '/') {
		return true // URL, path
	}
	if fileExtRE.MatchString(t) {
		return true
	}
	if strings.ContainsAny(t, " \t\n") {
		return true // prose, error messages, help text
	}
	if hashRE.MatchString(t) {
		return true // a password hash is not a password
	}
	if len(t) < 3 {
		return true // a one- or two-character code, not a configured secret
	}
	if camelWordsRE.MatchString(t) || constCaseRE.MatchString(t) || identPathRE.MatchString(t) || camelIdentifier(t) {
		return true // NextToken, API_TOKEN, auth.token, cache:key
	}
	if strings.Contains(t, ":") && !strings.Contains(t, "://") {
		return true // cache keys ("user:token:"), key:value specs
	}
	if last := t[len(t)-1]; last == ':' || last == '_' || last == '-' || last == '.' || last == '/' || last == '=' {
		return true // prefixes
	}
	if first := t[0]; first == '_' || first == '-' || first == '.' || first == '=' {
		return true // suffixes, CLI flags
	}
	if identRE.MatchString(t) && hasSecretWord(t) {
		return true // "access_token", "client-secret": names of fields
	}
	if normalizeIdent(t) == normalizeIdent(name) {
		return true // PASSWORD = "password": a field name constant
	}
	if strings.HasPrefix(t, "eyJ") {
		return true // a JWT is a token, not a weak secret; other tools verify those
	}
	if labelRE.MatchString(t) || hasNonASCIILetter(t) {
		return true // a UI label or translation: "Password", "Passwort", "Contraseña"
	}
	return false
}

var labelRE = regexp.MustCompile(`^[A-Z][a-z]+$`)

// camelIdentifier: an alphanumeric CamelCase identifier with acronyms
// ("AWSAccessKeyId", "getAPIToken"): at least two words, all letters.
func camelIdentifier(t string) bool {
	upper, lower := false, false
	for _, r := range t {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		default:
			return false
		}
	}
	if !upper || !lower {
		return false
	}
	ws := nameWords(t)
	if len(ws) < 2 {
		return false
	}
	for _, w := range ws {
		if len(w) < 2 {
			return false
		}
	}
	return true
}

func hasNonASCIILetter(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// notASecretArgument filters what is passed straight to a secret sink:
// only templates, URLs, paths and prose are not keys there.
func notASecretArgument(t string) bool {
	return t == "" || templateRE.MatchString(t) || strings.Contains(t, "://") ||
		strings.HasPrefix(t, "/") || fileExtRE.MatchString(t) || strings.HasPrefix(t, "eyJ")
}

func safeSlice(s string, from int) string {
	if from < 0 || from > len(s) {
		return ""
	}
	return s[from:]
}

// isMask: a value made of x, X, * or • only — a redaction mask in logs,
// a placeholder in configuration.
func isMask(t string) bool {
	return len(t) >= 3 && strings.Trim(t, "xX*•") == ""
}

func hasSecretWord(v string) bool {
	for _, w := range nameWords(v) {
		if strongWords[w] || weakWords[w] || w == "key" || w == "token" {
			return true
		}
	}
	return false
}

func normalizeIdent(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasAlnum(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// weakness explains why a value is too weak for a secret ("" when it is
// not): length, distinct characters, dictionary words and a charset-relative
// entropy floor (scanner-rules.md SEC-002), never Shannon entropy alone.
func (l *lists) weakness(v string, password bool, minLen int) string {
	n := len([]rune(v))
	distinct := map[rune]bool{}
	for _, r := range v {
		distinct[r] = true
	}
	if password && minLen == 16 {
		minLen = 12 // passwords are typed; 12 characters is the usual floor
	}
	minDistinct := 10
	if charsetSize(v) == 16 {
		minDistinct = 6 // a random 16-character hex string has about 10
	}
	switch {
	case n < minLen:
		return "only " + itoa(n) + " characters"
	case len(distinct) < minDistinct:
		return "only " + itoa(len(distinct)) + " distinct characters"
	}
	if cov := l.dictionaryCoverage(v); cov >= 0.6 {
		return "made of dictionary words"
	}
	h := shannon(v)
	size := charsetSize(v)
	floor := 0.75 * math.Log2(math.Min(float64(n), float64(size)))
	if h < floor {
		return "low entropy for its alphabet"
	}
	return ""
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func shannon(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	h := 0.0
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}

func charsetSize(s string) int {
	var lower, upper, digit, other bool
	hex := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
			if r > 'f' {
				hex = false
			}
		case r >= 'A' && r <= 'Z':
			upper = true
			if r > 'F' {
				hex = false
			}
		case r >= '0' && r <= '9':
			digit = true
		default:
			other = true
			hex = false
		}
	}
	if hex {
		return 16
	}
	size := 0
	if lower {
		size += 26
	}
	if upper {
		size += 26
	}
	if digit {
		size += 10
	}
	if other {
		size += 32
	}
	return max(size, 2)
}

// redact keeps a value's first characters (a quarter, at most four) so a
// reader recognises it, and never prints the whole secret.
func redact(v string) string {
	rs := []rune(v)
	keep := min(4, len(rs)/4)
	return string(rs[:keep]) + "…" + "[" + itoa(len(rs)) + " chars]"
}

// redactLine replaces the secret in a source line: the occurrence at or
// after col (1-based; the literal's column), then every other occurrence
// that stands alone (not inside a longer word, so "pass" does not eat
// "password"). When the line does not hold the secret verbatim (escapes,
// multi-line strings) every word of the secret is masked.
func redactLine(line, secret string, col int) string {
	if secret == "" {
		return line
	}
	found := false
	if i := strings.Index(safeSlice(line, col-1), secret); col > 0 && i >= 0 {
		at := col - 1 + i
		line = line[:at] + redact(secret) + line[at+len(secret):]
		found = true
	}
	var b strings.Builder
	rest := line
	for {
		i := strings.Index(rest, secret)
		if i < 0 {
			b.WriteString(rest)
			break
		}
		end := i + len(secret)
		standalone := (i == 0 || !isWordByte(rest[i-1])) && (end == len(rest) || !isWordByte(rest[end]))
		b.WriteString(rest[:i])
		if standalone || !found {
			b.WriteString(redact(secret))
			found = true
		} else {
			b.WriteString(secret)
		}
		rest = rest[end:]
	}
	line = b.String()
	if !found {
		for _, part := range strings.Fields(secret) {
			if len(part) >= 3 {
				line = strings.ReplaceAll(line, part, "…")
			}
		}
	}
	if len(line) > 300 {
		line = line[:300] + "…"
	}
	return line
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
