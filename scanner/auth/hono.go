package auth

import (
	"fmt"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// Hono (hono/jwt, hono/cookie, hono/cors): its helpers are plain functions
// imported from sub-paths, so they are recognised by import, as
// jsonwebtoken's are. Routes and app.use middleware read as Express's.

// honoCall judges a call of a Hono helper; it reports whether q is one.
func (j *jsFile) honoCall(n node, q string, args []node) bool {
	switch q {
	case "hono/jwt.sign", "hono/utils/jwt/jwt.sign", "hono/jwt.Jwt.sign":
		if len(args) >= 2 {
			j.secretSink(args[1], "hono/jwt sign")
			j.honoSign(n, args[0])
		}
	case "hono/jwt.jwt", "hono/jwt.verify", "hono/jwt.Jwt.verify":
		j.mechanism(n, "hono/jwt")
		if q == "hono/jwt.jwt" && len(args) > 0 {
			j.secretSink(jsProps(j.deref(args[0]))["secret"], "hono/jwt middleware")
		} else if len(args) >= 2 {
			if _, ok := jsStr(args[1]); ok {
				j.secretSink(args[1], "hono/jwt verify")
			}
		}
	case "hono/cookie.setCookie", "hono/cookie.setSignedCookie":
		j.honoCookie(n, q == "hono/cookie.setSignedCookie", args)
	case "hono/cors.cors":
		opts := node{}
		if len(args) > 0 {
			opts = j.deref(args[0])
		}
		j.expressCORS(n, opts, "hono cors()")
	default:
		return false
	}
	return true
}

// honoSign: sign(payload, secret) from hono/jwt sets no expiry of its own;
// the payload's exp claim is the only one.
func (j *jsFile) honoSign(call, payload node) {
	if j.refreshContext(call) {
		return
	}
	payload = j.deref(payload)
	if payload.Kind() == "identifier" {
		payload = localObject(call, payload.Text())
	}
	if payload.Kind() != "object" {
		return // built elsewhere: it may carry exp
	}
	for _, p := range payload.NamedChildren() {
		if p.Kind() == "spread_element" {
			return
		}
	}
	if _, ok := jsProps(payload)["exp"]; ok {
		return
	}
	j.add(ruleTokenLifetime, scanner.Medium, call, "hono/jwt sign() with a payload without an exp claim issues a token that never expires")
}

// honoCookie: setCookie(c, name, value, options) and setSignedCookie(c,
// name, value, secret, options) set no attribute by default.
func (j *jsFile) honoCookie(n node, signed bool, args []node) {
	if len(args) < 3 {
		return
	}
	label := args[1].Text()
	if s, ok := jsStr(args[1]); ok {
		label = s
	}
	if cookieNameExcluded(label) || (!cookieNameSensitive(label) && !(args[2].Kind() == "identifier" && cookieNameSensitive(args[2].Text()))) {
		return
	}
	at := 3
	if signed {
		at = 4
	}
	var props map[string]node
	if len(args) > at {
		o := j.deref(args[at])
		if o.Kind() == "identifier" {
			o = localObject(n, o.Text())
		}
		if o.Kind() != "object" {
			return
		}
		for _, p := range o.NamedChildren() {
			if p.Kind() == "spread_element" {
				return // options merged from elsewhere
			}
		}
		props = jsProps(o)
	}
	j.cookieAttrs(n, props, fmt.Sprintf("cookie %s", quoteLabel(label)), "Hono setCookie defaults", false)
}

// honoReflectsOrigin: Hono's cors origin callback returns the origin to
// allow, so `(origin) => origin` allows every one.
func honoReflectsOrigin(fn node) bool {
	p := firstParam(fn)
	body := fn.Field("body")
	for body.Kind() == "statement_block" && body.NamedChildCount() == 1 && body.NamedChild(0).Kind() == "return_statement" {
		body = body.NamedChild(0).NamedChild(0)
	}
	return p != "" && strings.TrimSpace(body.Text()) == p
}
