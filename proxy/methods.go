package proxy

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// readMethods are what a read-only registry route answers.
var readMethods = []string{http.MethodGet, http.MethodHead}

// Hints for writes, which only the upstream registry takes.
const (
	npmWriteHint  = "publishing, unpublishing and dist-tag changes go to your upstream registry directly"
	pypiWriteHint = "uploads go to your upstream index directly"
)

// methodServed reports whether the request's method is one of allowed.
// When it is not, it answers instead: OPTIONS gets a 204 whose Allow header
// lists the methods, anything else a 405 with that header and a message
// naming them; a write (POST, PUT, PATCH, DELETE) also hears writeHint.
// Callers return the error (nil after an OPTIONS answer) when ok is false.
func methodServed(c echo.Context, allowed []string, writeHint string) (ok bool, err error) {
	r := c.Request()
	for _, m := range allowed {
		if r.Method == m {
			return true, nil
		}
	}
	allow := strings.Join(append(append([]string(nil), allowed...), http.MethodOptions), ", ")
	c.Response().Header().Set("Allow", allow)
	if r.Method == http.MethodOptions {
		return false, c.NoContent(http.StatusNoContent)
	}
	msg := "vigil-proxy is a read-only registry proxy: " + r.URL.EscapedPath() + " answers " + allow + ", not " + r.Method
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		if writeHint != "" {
			msg += ": " + writeHint
		}
	}
	return false, httpError(http.StatusMethodNotAllowed, msg)
}
