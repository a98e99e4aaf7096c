package admin

import (
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/labstack/echo/v4"
)

// publicRoutes are the admin handler's routes that need no credentials: the
// login form and the stylesheet it uses. Everything else answers 401 without
// them. Tests enumerate the routes against this list.
var publicRoutes = map[string]bool{
	"GET /":               true, // a redirect to /admin/
	"GET /admin/login":    true,
	"POST /admin/login":   true,
	"GET /admin/static/*": true,
}

// viewerWrites are the state-changing routes open to every role: signing
// out ends only the caller's own session.
var viewerWrites = map[string]bool{
	"POST /admin/logout": true,
}

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Logger.SetOutput(io.Discard)
	e.IPExtractor = echo.ExtractIPDirect()
	if s.trustXFF {
		e.IPExtractor = proxiedIP
	}
	e.HTTPErrorHandler = s.errorHandler
	e.Use(securityHeaders, recoverPanics)
	return e
}

// proxiedIP is the client address for login rate limiting behind one
// reverse proxy: when the direct peer is a loopback, private or link-local
// address, the last X-Forwarded-For entry (the one that proxy appended);
// otherwise the peer. Earlier entries are written by the client and never
// trusted (echo's ExtractIPFromXFFHeader walks past every private address,
// so a client on a private network could pick its own address).
func proxiedIP(r *http.Request) string {
	direct := echo.ExtractIPDirect()(r)
	peer := net.ParseIP(direct)
	if peer == nil || !(peer.IsLoopback() || peer.IsPrivate() || peer.IsLinkLocalUnicast()) {
		return direct
	}
	xff := r.Header.Values(echo.HeaderXForwardedFor)
	if len(xff) == 0 {
		return direct
	}
	last := xff[len(xff)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	last = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(last), "["), "]")
	if ip := net.ParseIP(last); ip != nil {
		return ip.String()
	}
	return direct
}

// recoverPanics turns a panic into an error for errorHandler: a logged 500
// "internal error" instead of a dropped connection and a stack trace on
// stderr. http.ErrAbortHandler keeps its meaning.
func recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		return next(c)
	}
}

// limitBody caps every request body (forms included) at n bytes.
func limitBody(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if r := c.Request(); r.Body != nil && r.URL.Path != malwareFeedPath {
				r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			}
			return next(c)
		}
	}
}

// routes installs every admin route.
func (s *Server) routes() http.Handler {
	e := s.newEcho()
	e.Use(crossOrigin(s.origins), limitBody(maxBody))
	e.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/admin/") })

	api := e.Group("/api/v1")
	view, request, admin := s.apiAuth(RoleViewer), s.apiAuth(RoleRequester), s.apiAuth(RoleAdmin)
	api.GET("/whoami", s.apiWhoami, view)
	api.GET("/openapi.json", s.apiOpenAPI, view)
	api.GET("/lists", s.apiListEntries, view)
	api.POST("/lists", s.apiCreateEntry, admin)
	api.GET("/lists/:id", s.apiGetEntry, view)
	api.PUT("/lists/:id", s.apiUpdateEntry, admin)
	api.DELETE("/lists/:id", s.apiDeleteEntry, admin)
	api.POST("/lists/:id/expire", s.apiExpireEntry, admin)
	api.GET("/events", s.apiEvents, view)
	api.GET("/requests", s.apiRequests, view)
	api.POST("/requests", s.apiCreateRequest, request)
	api.GET("/requests/:id", s.apiGetRequest, view)
	api.POST("/requests/:id/approve", s.apiDecide(true), admin)
	api.POST("/requests/:id/deny", s.apiDecide(false), admin)
	api.GET("/policy", s.apiPolicy, view)
	api.GET("/stats", s.apiStats, view)
	api.GET("/watchlist", s.apiWatchlist, view)
	api.GET("/watchlist/export", s.apiWatchlistExport, view)
	api.GET("/package", s.apiPackage, view)
	api.GET("/malware-feed", s.apiMalwareFeedStatus, view)
	api.POST("/malware-feed", s.apiMalwareFeed, admin)
	api.POST("/artifacts/purge", s.apiPurgeArtifacts, admin)
	api.RouteNotFound("/*", methodOrNotFound(e, errNotFound("no such API route")), view)

	static, _ := fs.Sub(uiFS, "ui/static") // the directory is embedded: Sub cannot fail
	e.GET("/admin/static/*", echo.WrapHandler(http.StripPrefix("/admin/static/", http.FileServerFS(static))))
	e.GET("/admin/login", s.uiLoginForm)
	e.POST("/admin/login", s.uiLogin)

	ui := e.Group("/admin")
	uview, urequest, uadmin := s.uiAuth(RoleViewer), s.uiAuth(RoleRequester), s.uiAuth(RoleAdmin)
	e.GET("/admin", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/admin/") }, uview)
	ui.POST("/logout", s.uiLogout, uview)
	ui.GET("/", s.uiDashboard, uview)
	ui.GET("/audit", s.uiAudit, uview)
	ui.GET("/lists", s.uiLists, uview)
	ui.POST("/lists", s.uiCreateEntry, uadmin)
	ui.POST("/lists/:id/expire", s.uiExpireEntry, uadmin)
	ui.POST("/lists/:id/delete", s.uiDeleteEntry, uadmin)
	ui.GET("/requests", s.uiRequests, uview)
	ui.POST("/requests", s.uiCreateRequest, urequest)
	ui.POST("/requests/:id/approve", s.uiDecide(true), uadmin)
	ui.POST("/requests/:id/deny", s.uiDecide(false), uadmin)
	ui.GET("/rules", s.uiRules, uview)
	ui.GET("/package", s.uiPackage, uview)
	ui.POST("/package/purge", s.uiPurgeArtifacts, uadmin)
	ui.RouteNotFound("/*", methodOrNotFound(e, errNotFound("no such page")), uview)
	return e
}
