package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// forwardSlots bounds the npm audit and signing-key forwards in progress at
// once, server-wide: each may buffer a request body of up to maxAuditBody,
// so without a bound a client opening many uploads holds that much memory
// per upload.
const forwardSlots = 8

// defaultRequestBodyTimeout is how long a client may take to send a request
// body (Options.RequestBodyTimeout).
const defaultRequestBodyTimeout = 30 * time.Second

// forwardBusyRetry is the Retry-After of a forward refused for want of a
// slot, in seconds.
const forwardBusyRetry = 5

// takeForwardSlot takes a forward slot and returns its release, or writes
// the refusal (503 with Retry-After: npm reports a failed audit and goes on
// installing) and returns nil.
func (s *Server) takeForwardSlot(c echo.Context) (release func(), err error) {
	select {
	case s.forwardSlots <- struct{}{}:
		return func() { <-s.forwardSlots }, nil
	default:
	}
	ref := npmRefusal(http.StatusServiceUnavailable,
		fmt.Sprintf("too many npm audit or signing-key requests are in progress at once (%d); try again shortly", forwardSlots), "busy")
	ref.phrase = "Service Unavailable: " + ref.reason
	ref.header.Set("Retry-After", strconv.Itoa(forwardBusyRetry))
	return nil, writeRefusal(c.Response(), c.Request(), ref)
}

// clientBody reads a request body under a deadline: the connection's read
// deadline is set when it is made and cleared once the body has been read
// (a deadline left in place would cut the connection while the handler
// still waits for upstream). It remembers the client's own read failure, so
// that it is not taken for an upstream one.
type clientBody struct {
	r     io.Reader
	clear func()
	once  sync.Once
	err   error
}

// newClientBody sets the read deadline of c's connection timeout from now.
// Deadlines are wall-clock, never the server's (test) clock.
func newClientBody(c echo.Context, timeout time.Duration) *clientBody {
	rc := http.NewResponseController(c.Response())
	_ = rc.SetReadDeadline(time.Now().Add(timeout)) // HTTP/2 or a test recorder: no deadline, nothing to clear
	return &clientBody{r: c.Request().Body, clear: func() { _ = rc.SetReadDeadline(time.Time{}) }}
}

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			b.err = err
		}
		b.once.Do(b.clear)
	}
	return n, err
}

// refusal explains a body the client failed to send: too slow (408) or cut
// off (400); ok is false when the body was read and err is somebody else's
// failure.
func (b *clientBody) refusal(timeout time.Duration) (refusal, bool) {
	var ref refusal
	switch {
	case b.err == nil:
		return refusal{}, false
	case errors.Is(b.err, os.ErrDeadlineExceeded):
		ref = npmRefusal(http.StatusRequestTimeout, fmt.Sprintf("the request body did not arrive within %s", timeout), "request body")
	default:
		ref = npmRefusal(http.StatusBadRequest, "the request body could not be read whole", "request body")
	}
	ref.phrase = http.StatusText(ref.status) + ": " + ref.reason // the client's doing, not a block
	return ref, true
}

// bodyTooLarge answers a request body over maxAuditBody with a 413 through
// the server's own writer, not a hijacked connection: the client may still
// be sending, and the server's lingering close lets it read the answer
// instead of meeting a reset.
func bodyTooLarge(c echo.Context) error {
	ref := npmRefusal(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", maxAuditBody), "request body")
	h := c.Response().Header()
	for k, vs := range ref.header {
		h[k] = vs
	}
	h.Set("X-Vigil-Reason", sanitizePhrase(ref.reason, 1024))
	h.Set("Cache-Control", "no-store")
	h.Set("Connection", "close")
	return c.JSONBlob(ref.status, ref.body)
}
