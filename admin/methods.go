package admin

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// methodOrNotFound is a group's RouteNotFound handler. echo sends a request
// whose path matches a route but whose method does not here too (the
// group's catch-all wins over its own 405), so it tells the two apart: a
// path some route serves gets a 405 with an Allow header naming its methods
// (OPTIONS: a 204 with that header); any other path, notFound.
func methodOrNotFound(e *echo.Echo, notFound error) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		allowed := allowedMethods(e.Routes(), r.URL.Path)
		if len(allowed) == 0 {
			return notFound
		}
		allow := strings.Join(append(allowed, http.MethodOptions), ", ")
		c.Response().Header().Set("Allow", allow)
		if r.Method == http.MethodOptions {
			return c.NoContent(http.StatusNoContent)
		}
		return &publicError{http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s: it answers %s", r.Method, r.URL.Path, allow)}
	}
}

// allowedMethods lists, in a fixed order, the methods of the routes whose
// pattern matches path (the group catch-alls excepted).
func allowedMethods(routes []*echo.Route, path string) []string {
	seen := map[string]bool{}
	for _, rt := range routes {
		if rt.Method != echo.RouteNotFound && routeMatches(rt.Path, path) {
			seen[rt.Method] = true
		}
	}
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if seen[m] {
			out = append(out, m)
		}
	}
	return out
}

// routeMatches reports whether an echo route pattern ("/lists/:id",
// "/static/*") matches a request path: ":name" takes one non-empty
// segment, a final "*" the rest.
func routeMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	for i, p := range ps {
		if p == "*" && i == len(ps)-1 {
			return true
		}
		if i >= len(xs) {
			return false
		}
		switch {
		case strings.HasPrefix(p, ":"):
			if xs[i] == "" {
				return false
			}
		case p != xs[i]:
			return false
		}
	}
	return len(ps) == len(xs)
}
