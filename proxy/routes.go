package proxy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// routes builds the registry listener's router.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Logger.SetOutput(io.Discard)
	e.HTTPErrorHandler = s.handleError
	e.Use(s.recoverMiddleware, s.logMiddleware)

	e.Match(readMethods, "/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.Match(readMethods, "/readyz", s.readyz)
	for path, h := range map[string]echo.HandlerFunc{
		"/pypi/*": s.servePyPI, "/pypi": s.servePyPI,
		"/npm/*": s.serveNPM, "/npm": s.serveNPM,
		"/api/v1/check": s.checkBatch, "/api/v1/check/*": s.checkOne,
	} {
		e.Any(path, h)
		// Any covers only the router's own method list; a method outside
		// it (FOO, MKCOL) reaches the handler too, which answers the
		// route's own 405 instead of the router's list of every method.
		e.RouteNotFound(path, h)
	}
	if s.opts.Metrics != nil {
		e.Match(readMethods, "/metrics", echo.WrapHandler(s.opts.Metrics.Handler()))
	}
	e.Match(readMethods, "/", s.index)
	return e
}

func (s *Server) index(c echo.Context) error {
	base := s.baseURL(c.Request()).String()
	return c.String(http.StatusOK, "vigil-proxy: a registry firewall for PyPI and npm.\n\n"+
		"pip:  pip config set global.index-url "+base+"/pypi/simple/\n"+
		"npm:  npm config set registry "+base+"/npm/\n")
}

func (s *Server) readyz(c echo.Context) error {
	if s.opts.Ready != nil {
		if err := s.opts.Ready(c.Request().Context()); err != nil {
			// The endpoint is unauthenticated: the cause goes to the log
			// only, when it changes or every 30 s (load balancers probe
			// every few seconds).
			if s.notReady.due(err.Error(), s.now()) {
				s.log.WarnContext(c.Request().Context(), "not ready", "request_id", requestID(c.Request().Context()), "error", err)
			}
			msg := "not ready (the cause is in the proxy log)\n"
			if s.opts.ReadyDetail != nil {
				msg += s.opts.ReadyDetail() + "\n"
			}
			return c.String(http.StatusServiceUnavailable, msg)
		}
	}
	// Upstream health is detail, not a readiness condition: cached copies
	// are still served while an upstream fails.
	var b strings.Builder
	b.WriteString("ready\n")
	for _, h := range s.UpstreamHealth() {
		if h.OK {
			fmt.Fprintf(&b, "upstream %s: ok\n", h.Host)
		} else {
			fmt.Fprintf(&b, "upstream %s: failing since %s (%s)\n", h.Host, h.Since.UTC().Format(time.RFC3339), h.Cause)
		}
	}
	if s.opts.ReadyDetail != nil {
		if d := s.opts.ReadyDetail(); d != "" {
			b.WriteString(d + "\n")
		}
	}
	return c.String(http.StatusOK, b.String())
}

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// logMiddleware assigns a request ID and logs one line per request.
func (s *Server) logMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := s.now()
		r := c.Request()
		id := newRequestID()
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey{}, id), clientKey{}, s.clientAddr(r))
		c.SetRequest(r.WithContext(ctx))
		c.Response().Header().Set("X-Request-Id", id)
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		eco, route := routeLabels(r.URL.EscapedPath())
		s.opts.Metrics.observeRequest(eco, route, status)
		level := slog.LevelInfo
		if status >= 500 && status != http.StatusBadGateway && status != http.StatusGatewayTimeout {
			level = slog.LevelError // upstream outages are reported once, by upstreamHealth
		}
		s.log.Log(r.Context(), level, "request",
			"request_id", id,
			"method", r.Method,
			"path", r.URL.EscapedPath(),
			"status", status,
			"bytes", c.Response().Size,
			"duration_ms", s.now().Sub(start).Milliseconds(),
			"client", clientName(r),
			"remote", s.clientAddr(r),
		)
		return nil
	}
}

// recoverMiddleware turns a panic into a 500 without a stack trace in the
// response; http.ErrAbortHandler (a deliberate abort) passes through.
func (s *Server) recoverMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(c.Request().Context(), "panic in handler", "panic", fmt.Sprint(v), "path", c.Request().URL.EscapedPath())
				err = errors.New("internal error")
			}
		}()
		return next(c)
	}
}

// publicError is an error whose message is safe to show to clients.
type publicError struct {
	status int
	msg    string
	err    error
}

func (e *publicError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}
func (e *publicError) Unwrap() error { return e.err }

func httpError(status int, msg string) error { return &publicError{status: status, msg: msg} }

// classify maps an error to a status and a message fit for clients.
func classify(err error) (int, string) {
	var pe *publicError
	var he *echo.HTTPError
	var uf *upstreamFailure
	switch {
	case errors.As(err, &uf) && errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, uf.message()
	case errors.As(err, &uf):
		return http.StatusBadGateway, uf.message()
	case errors.As(err, &pe):
		return pe.status, pe.msg
	case errors.As(err, &he):
		return he.Code, fmt.Sprint(he.Message)
	case errors.Is(err, policy.ErrInvalidName):
		what := "invalid package name"
		if strings.HasPrefix(err.Error(), "package path ") { // npm.SplitPath: the path around the name
			what = "invalid package path"
		}
		if why := invalidNameReason(err); why != "" {
			return http.StatusBadRequest, what + ": " + why
		}
		return http.StatusBadRequest, what
	case errors.Is(err, policy.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, policy.ErrForbiddenHost):
		return http.StatusBadGateway, "vigil-proxy refused: the upstream document points at a file host that is not allowed: " + hostHint(err)
	case errors.Is(err, upstream.ErrBusy):
		return http.StatusServiceUnavailable, "vigil-proxy: too many large upstream documents are being read at once (memory budget upstream.max_inflight_mb); try again shortly"
	case errors.Is(err, policy.ErrTooLarge):
		return http.StatusBadGateway, "vigil-proxy refused: the upstream document exceeds the configured size limit"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "vigil-proxy: upstream timed out and no cached copy is available"
	case errors.Is(err, policy.ErrUpstream):
		return http.StatusBadGateway, "vigil-proxy: upstream failed and no cached copy is available (fail closed)"
	case errors.Is(err, context.Canceled):
		return 499, "client closed request"
	case errors.Is(err, store.ErrListsUnavailable):
		return http.StatusServiceUnavailable, "vigil-proxy: the allow/deny lists cannot be read (policy store unreachable for longer than store.max_stale), so nothing can be judged (fail closed); try again shortly"
	}
	return http.StatusInternalServerError, "vigil-proxy: internal error"
}

// invalidNameReason is what the name validators said was wrong ("longer
// than 214 characters", "encoded slash"): the last part of the error before
// policy.ErrInvalidName, kept only when it does not quote the name itself.
func invalidNameReason(err error) string {
	msg, ok := strings.CutSuffix(err.Error(), ": "+policy.ErrInvalidName.Error())
	if !ok {
		return ""
	}
	i := strings.LastIndex(msg, ": ")
	if i < 0 {
		return ""
	}
	why := msg[i+2:]
	if why == "" || len(why) > 80 || strings.ContainsAny(why, "\"'`<>") {
		return ""
	}
	return why
}

func hostHint(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, policy.ErrForbiddenHost.Error()+": "); i >= 0 {
		return msg[i+len(policy.ErrForbiddenHost.Error())+2:]
	}
	return "see the proxy log"
}

// handleError is the single place errors become responses.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	r := c.Request()
	if errors.Is(err, echo.ErrNotFound) { // the router's: no route for the path
		_ = s.notFound(c)
		return
	}
	status, msg := classify(err)
	var uf *upstreamFailure
	if errors.As(err, &uf) {
		// The outage itself was logged once (upstreamHealth); the reason
		// goes into the reason phrase, which pip -vv, pnpm and yarn print.
		s.log.DebugContext(r.Context(), "request failed upstream", "request_id", requestID(r.Context()), "error", err)
		if strings.HasPrefix(r.URL.Path, "/npm") || strings.HasPrefix(r.URL.Path, "/pypi") {
			reason, detail := strings.TrimPrefix(msg, "vigil-proxy: "), "request "+requestID(r.Context())
			ref := pypiRefusal(status, reason, detail)
			if strings.HasPrefix(r.URL.Path, "/npm") {
				ref = npmRefusal(status, reason, detail)
			}
			ref.phrase = msg
			_ = writeRefusal(c.Response(), r, ref)
			return
		}
		msg += " [request " + requestID(r.Context()) + "]"
	} else if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", requestID(r.Context()), "path", r.URL.EscapedPath(), "error", err)
		msg += " [request " + requestID(r.Context()) + "]"
	} else {
		s.log.DebugContext(r.Context(), "request refused", "request_id", requestID(r.Context()), "status", status, "error", err)
	}
	if status == 499 {
		return
	}
	if status >= 400 && status < 500 && (strings.HasPrefix(r.URL.Path, "/npm") || strings.HasPrefix(r.URL.Path, "/pypi")) {
		// The client's own mistake or an endpoint the proxy does not
		// serve: pnpm and yarn print only the reason phrase, so it says
		// why ("405 Method Not Allowed: vigil-proxy is a read-only …").
		phrase := http.StatusText(status)
		if !strings.EqualFold(msg, phrase) {
			phrase += ": " + msg
		}
		ref := refusal{status: status, reason: msg, phrase: phrase,
			body: []byte(msg + "\n"), header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}
		if strings.HasPrefix(r.URL.Path, "/npm") {
			ref.body, _ = json.Marshal(map[string]string{"error": msg})
			ref.header.Set("Content-Type", "application/json")
		}
		_ = writeRefusal(c.Response(), r, ref)
		return
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(r.URL.Path, "/npm") || strings.HasPrefix(r.URL.Path, "/api/") {
		body, _ := json.Marshal(map[string]string{"error": msg})
		_ = c.JSONBlob(status, body)
		return
	}
	_ = c.String(status, msg+"\n")
}

// timeNow is the server clock, UTC.
func (s *Server) timeNow() time.Time { return s.now().UTC() }

// routeLabels classifies a request path for metrics, with bounded values.
func routeLabels(p string) (eco, route string) {
	switch {
	case strings.HasPrefix(p, "/pypi/"):
		seg, _, _ := strings.Cut(strings.TrimPrefix(p, "/pypi/"), "/")
		switch seg {
		case "simple", "pypi", "files":
			return "pypi", seg
		}
		return "pypi", "other"
	case strings.HasPrefix(p, "/npm/"):
		rest := strings.TrimPrefix(p, "/npm/")
		switch {
		case strings.HasPrefix(rest, "-/"):
			return "npm", "registry-api"
		case strings.Contains(rest, "/-/"):
			return "npm", "tarball"
		}
		return "npm", "packument"
	case strings.HasPrefix(p, "/api/"):
		return "", "check"
	}
	return "", "other"
}
