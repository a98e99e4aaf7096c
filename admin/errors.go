package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// publicError carries a status and a message that is safe to show callers.
type publicError struct {
	code int
	msg  string
}

func (e *publicError) Error() string { return e.msg }

func errBadRequest(msg string) error { return &publicError{http.StatusBadRequest, msg} }
func errForbidden(msg string) error  { return &publicError{http.StatusForbidden, msg} }
func errNotFound(msg string) error   { return &publicError{http.StatusNotFound, msg} }
func errConflict(msg string) error   { return &publicError{http.StatusConflict, msg} }

var errUnauthorized = &publicError{http.StatusUnauthorized, "authentication required"}

// msgNotSaved is what a caller is told when the store could not commit a
// change together with its audit record.
const msgNotSaved = "not saved: the store could not record this change together with its audit record, so nothing was changed; try again later (the server log has the cause)"

// msgMaybeSaved is what a caller is told when the connection to the store
// was lost while it committed a change: the change and its audit record
// were stored together or not at all, and only a reload can tell which.
const msgMaybeSaved = "may or may not have been saved: the connection to the store was lost while it was saving this change together with its audit record; reload to check before trying again (the server log has the cause)"

// msgNotDone is what a caller is told when the audit record of an action
// that is no store change (a purge, a malware feed sync) could not be
// written before it, so the action was not done.
const msgNotDone = "not done: its audit record could not be written, so nothing was done; try again later (the server log has the cause)"

// storeFailure is a failure of the store that the caller is told about in
// plain words (msg, with status code): a change the store did not commit (a
// full disk, a database that went away), or an action not done because its
// audit record could not be written. Its cause is logged, never shown.
type storeFailure struct {
	code  int
	msg   string
	cause error
}

func (e *storeFailure) Error() string { return e.msg + ": " + e.cause.Error() }
func (e *storeFailure) Unwrap() error { return e.cause }

// notSaved turns the failure of a change's transaction into the error the
// caller gets: what the caller can fix (bad input, a conflict, a missing
// object) as it is, a commit whose outcome is unknown as a 503 saying so,
// anything else as a 503 storeFailure saying that nothing was changed.
func notSaved(err error) error {
	var pe *publicError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrCommitUnknown):
		return &storeFailure{http.StatusServiceUnavailable, msgMaybeSaved, err}
	case errors.As(err, &pe), errors.Is(err, store.ErrInvalid), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
		return err
	}
	return &storeFailure{http.StatusServiceUnavailable, msgNotSaved, err}
}

// classify maps an error to a status and a message fit for callers. Only
// publicError messages, store validation messages and echo's own HTTP errors
// reach the caller; anything else is "internal error".
func classify(err error) (int, string) {
	var sf *storeFailure
	if errors.As(err, &sf) {
		return sf.code, sf.msg
	}
	var pe *publicError
	if errors.As(err, &pe) {
		return pe.code, pe.msg
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
		return he.Code, strings.ToLower(msg)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, "conflict with the stored state; reload and try again"
	case errors.Is(err, store.ErrInvalid):
		// Keep the store's explanation: drop the bare sentinel at the end
		// and, for entries, our own wrapping context before it.
		msg := strings.TrimSuffix(err.Error(), ": "+store.ErrInvalid.Error())
		if i := strings.Index(msg, "invalid entry"); i > 0 {
			msg = msg[i:]
		}
		return http.StatusBadRequest, msg
	}
	return http.StatusInternalServerError, "internal error"
}

// errorHandler renders every error: JSON {"error": …} under /api/, an HTML
// page elsewhere. 5xx causes are logged, never shown.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := classify(err)
	if code >= 500 {
		s.log.ErrorContext(c.Request().Context(), "admin request failed",
			"method", c.Request().Method, "path", c.Path(), "err", err)
	}
	var sf *storeFailure
	if code == http.StatusTooManyRequests || errors.As(err, &sf) && code == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "30")
	}
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(code)
	case strings.HasPrefix(c.Request().URL.Path, "/api/"):
		werr = c.JSON(code, map[string]string{"error": msg})
	default:
		werr = s.render(c, code, "error.html", pageData{Title: http.StatusText(code), Error: msg})
	}
	if werr != nil {
		s.log.DebugContext(c.Request().Context(), "write error response", "err", werr)
	}
}
