package admin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// principal is the authenticated caller of a request.
type principal struct {
	Name string
	Role Role
	// sess is set when the caller authenticated with the session cookie;
	// writes then need the session's CSRF token.
	sess *session
}

const principalKey = "vigil.principal"

func principalOf(c echo.Context) (principal, bool) {
	p, ok := c.Get(principalKey).(principal)
	return p, ok
}

// tokenKey is a configured bearer token, kept only as its SHA-256.
type tokenKey struct {
	name string
	role Role
	sum  [32]byte
}

func newTokenKey(name string, role Role, secret string) tokenKey {
	return tokenKey{name: name, role: role, sum: sha256.Sum256([]byte(secret))}
}

// matchToken compares the presented secret with every token in constant time.
func (s *Server) matchToken(secret string) (principal, bool) {
	sum := sha256.Sum256([]byte(secret))
	var found principal
	ok := false
	for _, t := range s.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.sum[:]) == 1 {
			found, ok = principal{Name: "token:" + t.name, Role: t.role}, true
		}
	}
	return found, ok
}

// session is a server-side login.
type session struct {
	id      string
	user    string
	role    Role
	csrf    string
	expires time.Time
}

// sessions keeps logins in memory, or in a store shared by replicas. Cookie
// values are the random session ID and its HMAC under the session key, so
// that forged IDs are rejected before any lookup. A shared store holds only
// a hash of the ID.
type sessions struct {
	mu     sync.Mutex
	key    []byte
	ttl    time.Duration
	now    func() time.Time
	m      map[string]*session
	shared store.SessionStore // nil: m
	log    *slog.Logger
}

// maxSessions bounds memory; the oldest logins are dropped beyond it.
const maxSessions = 10000

func newSessions(key []byte, ttl time.Duration, now func() time.Time, shared store.SessionStore, log *slog.Logger) *sessions {
	return &sessions{key: key, ttl: ttl, now: now, m: map[string]*session{}, shared: shared, log: log}
}

// sharedID is the key of a session in a shared store.
func sharedID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return base64.RawURLEncoding.EncodeToString(b)
}

func (ss *sessions) sign(id string) string {
	m := hmac.New(sha256.New, ss.key)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// create starts a session and returns the cookie value.
func (ss *sessions) create(ctx context.Context, user string, role Role) (string, *session, error) {
	sess := &session{
		id: randomString(32), user: user, role: role, csrf: randomString(32),
		expires: ss.now().Add(ss.ttl),
	}
	if ss.shared != nil {
		err := ss.shared.PutSession(ctx, store.Session{ID: sharedID(sess.id), User: user, Role: string(role), CSRF: sess.csrf, Expires: sess.expires})
		if err != nil {
			return "", nil, fmt.Errorf("create session: %w", err)
		}
		return sess.id + "." + ss.sign(sess.id), sess, nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.m) >= maxSessions {
		ss.pruneLocked()
		for len(ss.m) >= maxSessions {
			var oldest *session
			for _, o := range ss.m {
				if oldest == nil || o.expires.Before(oldest.expires) {
					oldest = o
				}
			}
			delete(ss.m, oldest.id)
		}
	}
	ss.m[sess.id] = sess
	return sess.id + "." + ss.sign(sess.id), sess, nil
}

// lookup returns the live session for a cookie value, or nil.
func (ss *sessions) lookup(ctx context.Context, cookie string) *session {
	id, sig, ok := strings.Cut(cookie, ".")
	if !ok || id == "" || !hmac.Equal([]byte(sig), []byte(ss.sign(id))) {
		return nil
	}
	if ss.shared != nil {
		st, err := ss.shared.GetSession(ctx, sharedID(id), ss.now())
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				ss.log.WarnContext(ctx, "session lookup failed", "error", err)
			}
			return nil
		}
		return &session{id: id, user: st.User, role: Role(st.Role), csrf: st.CSRF, expires: st.Expires}
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	sess := ss.m[id]
	if sess == nil {
		return nil
	}
	if !ss.now().Before(sess.expires) {
		delete(ss.m, id)
		return nil
	}
	return sess
}

func (ss *sessions) delete(ctx context.Context, id string) {
	if ss.shared != nil {
		if err := ss.shared.DeleteSession(ctx, sharedID(id)); err != nil {
			ss.log.WarnContext(ctx, "session delete failed", "error", err)
		}
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

func (ss *sessions) prune(ctx context.Context) {
	if ss.shared != nil {
		if _, err := ss.shared.PruneSessions(ctx, ss.now()); err != nil {
			ss.log.WarnContext(ctx, "session prune failed", "error", err)
		}
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.pruneLocked()
}

func (ss *sessions) pruneLocked() {
	now := ss.now()
	for id, sess := range ss.m {
		if !now.Before(sess.expires) {
			delete(ss.m, id)
		}
	}
}

// limiter is a per-key token bucket for login attempts, in memory or in a
// store shared by replicas.
type limiter struct {
	mu     sync.Mutex
	burst  float64
	every  time.Duration
	now    func() time.Time
	bucket map[string]*bucket
	shared store.LoginLimitStore // nil: bucket
	log    *slog.Logger
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the limiter's memory.
const maxBuckets = 10000

func newLimiter(burst int, every time.Duration, now func() time.Time, shared store.LoginLimitStore, log *slog.Logger) *limiter {
	return &limiter{burst: float64(burst), every: every, now: now, bucket: map[string]*bucket{}, shared: shared, log: log}
}

// allow takes a token for key; when none is left it returns false and how
// long until the next one. It fails only when a shared store fails.
func (l *limiter) allow(ctx context.Context, key string) (bool, time.Duration, error) {
	if l.shared != nil {
		return l.shared.TakeLoginToken(ctx, key, int(l.burst), l.every, l.now())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.bucket[key]
	if b == nil {
		if len(l.bucket) >= maxBuckets {
			l.pruneLocked()
		}
		b = &bucket{tokens: l.burst, last: now}
		l.bucket[key] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.every))
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) * float64(l.every)), nil
	}
	b.tokens--
	return true, 0, nil
}

func (l *limiter) prune(ctx context.Context) {
	if l.shared != nil {
		if _, err := l.shared.PruneLoginLimits(ctx, int(l.burst), l.every, l.now()); err != nil {
			l.log.WarnContext(ctx, "login limit prune failed", "error", err)
		}
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pruneLocked()
}

// pruneLocked drops buckets that have refilled completely; when that is not
// enough it drops them all (a flood of fresh addresses).
func (l *limiter) pruneLocked() {
	now := l.now()
	for k, b := range l.bucket {
		if b.tokens+float64(now.Sub(b.last))/float64(l.every) >= l.burst {
			delete(l.bucket, k)
		}
	}
	if len(l.bucket) >= maxBuckets {
		clear(l.bucket)
	}
}

// cookieName is the session cookie's name; the __Host- prefix makes browsers
// insist on Secure, Path=/ and no Domain.
func (s *Server) cookieName() string {
	if s.secure {
		return "__Host-vigil_session"
	}
	return "vigil_session"
}

func (s *Server) setSessionCookie(c echo.Context, value string, maxAge int) {
	c.SetCookie(&http.Cookie{
		Name: s.cookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
}

// sessionOf returns the caller's session from the cookie, or nil.
func (s *Server) sessionOf(c echo.Context) *session {
	ck, err := c.Cookie(s.cookieName())
	if err != nil || ck.Value == "" {
		return nil
	}
	return s.sessions.lookup(c.Request().Context(), ck.Value)
}

// authenticate identifies the caller. A present Authorization header must be
// a valid bearer token (there is no fall-back to the cookie).
func (s *Server) authenticate(c echo.Context, allowToken bool) (principal, bool) {
	if h := c.Request().Header.Get("Authorization"); h != "" && allowToken {
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return principal{}, false
		}
		return s.matchToken(strings.TrimSpace(secret))
	}
	if sess := s.sessionOf(c); sess != nil {
		return principal{Name: sess.user, Role: sess.role, sess: sess}, true
	}
	return principal{}, false
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfOK checks the synchronizer token of a cookie-authenticated write.
func csrfOK(p principal, presented string) bool {
	if p.sess == nil {
		return true // bearer tokens are not sent by browsers on their own
	}
	return presented != "" && subtle.ConstantTimeCompare([]byte(presented), []byte(p.sess.csrf)) == 1
}

// apiAuth authenticates API calls (bearer token or session cookie) and
// enforces the role: 401 without valid credentials, 403 when the role is too
// weak or a cookie-authenticated write lacks the X-CSRF-Token header.
func (s *Server) apiAuth(need Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, ok := s.authenticate(c, true)
			if !ok {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="vigil-proxy"`)
				return errUnauthorized
			}
			if !p.Role.Allows(need) {
				return errForbidden(string(need) + " role required")
			}
			if !isSafeMethod(c.Request().Method) && !csrfOK(p, c.Request().Header.Get("X-CSRF-Token")) {
				return errForbidden("missing or invalid X-CSRF-Token header")
			}
			c.Set(principalKey, p)
			return next(c)
		}
	}
}

// uiAuth authenticates browser pages with the session cookie. Without one the
// answer is 401 with the login form; writes need the form's csrf field.
func (s *Server) uiAuth(need Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, ok := s.authenticate(c, false)
			if !ok {
				dest := ""
				if c.Request().Method == http.MethodGet {
					dest = c.Request().URL.RequestURI()
				}
				return s.renderLogin(c, http.StatusUnauthorized, "", dest)
			}
			if !p.Role.Allows(need) {
				return errForbidden(string(need) + " role required")
			}
			if !isSafeMethod(c.Request().Method) && !csrfOK(p, c.FormValue("csrf")) {
				return errForbidden("the form has expired; reload the page and try again")
			}
			c.Set(principalKey, p)
			return next(c)
		}
	}
}

// securityHeaders sets the browser hardening headers on every response.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// crossOrigin rejects cross-origin unsafe requests (Sec-Fetch-Site, then
// Origin against Host) with 403.
func crossOrigin(trusted []string) echo.MiddlewareFunc {
	cop := http.NewCrossOriginProtection()
	for _, o := range trusted {
		_ = cop.AddTrustedOrigin(o) // validated in New
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := cop.Check(c.Request()); err != nil {
				return errForbidden("cross-origin request refused")
			}
			return next(c)
		}
	}
}

// limiterKey is the login limiter's bucket for a client address: the
// address itself for IPv4, its /64 for IPv6 (one host usually holds a whole
// /64 and could otherwise take a fresh address per attempt).
func limiterKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}
