package auth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// knownPublicValues are secrets printed by documentation and tutorials
// (scanner-rules.md §4), as far as they matter as signing keys: generic
// words ("secret", "dev") are public when they sign tokens. The cited,
// versioned list of scanner/secrets is consulted too (Options.KnownPublic).
var knownPublicValues = []string{
	"09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7", // FastAPI OAuth2/JWT tutorial
	"shhhhh",              // jsonwebtoken README
	"shhhhhared-secret",   // express-jwt README
	"keyboard cat",        // express-session README
	"your-256-bit-secret", // jwt.io default
	"your-secret-key",     // countless tutorials
	"secret",              //
	"changeme",            //
	"change-me",           //
	"supersecret",         //
	"mysecret",            //
	"secretkey",           //
	"secret-key",          //
	"secret_key",          //
	"dev",                 // Flask tutorial (flaskr)
	"development key",     // Flask's old examples
	"super-secret",        // flask_jwt_extended docs
	"super secret key",    //
	"SECRET_KEY",          //
	"jwt-secret",          //
	"jwt_secret",          //
	"jwtsecret",           //
	"dev-secret-change-in-production",
	"your-secret-key-change-in-production",
	"your_jwt_secret",
	"my-secret",
	"secret123",
	"you-will-never-guess", // Flask Mega-Tutorial
	"hard to guess string", // Flask Web Development
	"hard-to-guess-string", //
	"super-secret-key",     //
	"mysecretkey",          //
	"my_secret_key",        //
	"my-secret-key",        //
	"thisisasecretkey",     //
	"secret-key-goes-here", //
	"shhhh, very secret",   // express auth example
	"your_secret_key",      //
	"your-secret-key-here", //
	"jwt-secret-key",       //
	"supersecretkey",       //
}

// knownPublicBytes are Flask docs' example byte keys, compared after
// unescaping is not attempted: the literal text as written.
var knownPublicLiterals = []string{
	`_5#y2L"F4Q8z\n\xec]/`, // Flask quickstart
	`\xd1\x9e\x8c\x1b\xcb\x0c\x0cC\x9d\x12\x9d\x13T\xe9\x1e\xbb`,
}

// knownPublic reports a value that documentation or tutorials print.
func knownPublic(v string) bool {
	lv := strings.ToLower(strings.TrimSpace(v))
	for _, k := range knownPublicValues {
		if lv == strings.ToLower(k) {
			return true
		}
	}
	return slices.Contains(knownPublicLiterals, v)
}

// usableSecret filters values that are not secrets: empty, templated,
// environment references, public keys and certificates.
func usableSecret(v string) bool {
	t := strings.TrimSpace(v)
	if len(t) < 3 && !knownPublic(t) {
		return false
	}
	switch {
	case strings.HasPrefix(t, "${"), strings.HasPrefix(t, "{{"), strings.HasPrefix(t, "$"), strings.HasPrefix(t, "%("),
		strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">"):
		return false
	case strings.Contains(t, "PUBLIC KEY-----"), strings.Contains(t, "CERTIFICATE-----"):
		return false
	}
	return true
}

// secretFinding builds AUTH-004 for a hardcoded value; the value itself is
// never printed.
func (a *Analyzer) secretFinding(path string, test bool, at pos, sink string, v secretValue) scanner.Finding {
	sev := scanner.High
	what := "a hardcoded secret"
	if v.fallback {
		sev = scanner.Medium
		what = "a hardcoded fallback for an environment variable"
	}
	if strings.Contains(v.value, "PRIVATE KEY-----") {
		what = "an inline private key"
	}
	if a.knownPublicValue(v.value) {
		sev = scanner.Critical
		what = "a publicly known secret (printed by documentation or tutorials)"
	} else if strings.HasPrefix(v.value, "django-insecure-") {
		what = "Django's generated development key (django-insecure-…)"
	}
	if test {
		sev = sev.Lower()
	}
	msg := fmt.Sprintf("%s signs with %s", sink, what)
	if v.name != "" {
		msg = fmt.Sprintf("%s signs with %s (%s, %d characters)", sink, what, v.name, len(v.value))
	}
	if path != v.file && v.file != "" {
		msg += fmt.Sprintf(" defined at %s:%d", v.file, v.at.line)
	}
	return scanner.Finding{Rule: ruleHardcodedSecret.ID, Severity: sev, Path: path, Line: at.line, Column: at.col,
		EndLine: at.endLine, EndColumn: at.endCol, Message: msg}
}

// resolveSecretRefs follows sinks fed by names defined in other modules or
// settings objects (one hop).
func (a *Analyzer) resolveSecretRefs() []scanner.Finding {
	fx := &a.facts
	var out []scanner.Finding
	seen := map[string]bool{}
	for _, ref := range fx.secretRefs {
		v, ok := a.lookupSecret(ref)
		if !ok {
			continue
		}
		key := fmt.Sprintf("%s:%d:%s", ref.file, ref.at.line, ref.name)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, a.secretFinding(ref.file, ref.test || v.test, ref.at, ref.sink, v))
	}
	return out
}

func (a *Analyzer) lookupSecret(ref secretRef) (secretValue, bool) {
	fx := &a.facts
	if ref.module != "" {
		if v, ok := fx.constants[ref.module+":"+ref.name]; ok {
			return v, true
		}
		if v, ok := fx.constants[ref.module+"#"+ref.name]; ok {
			return v, true
		}
		// Python modules imported under another root ("app.core.config"
		// for "backend/app/core/config.py").
		var keys []string
		for k := range fx.constants {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			mod, name, ok := strings.Cut(k, ":")
			if ok && name == ref.name && moduleMatches(mod, ref.module) {
				return fx.constants[k], true
			}
		}
		if v, ok := fx.settingsFields[ref.name]; ok && ref.module == "*settings" {
			return v, true
		}
		return secretValue{}, false
	}
	v, ok := fx.settingsFields[ref.name]
	return v, ok
}
