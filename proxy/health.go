package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
)

// UpstreamStatus is the health of one upstream host as the proxy saw it on
// its latest requests.
type UpstreamStatus struct {
	Host string `json:"host"`
	OK   bool   `json:"ok"`
	// Since is when the current state began (the first failure of an
	// outage, or the recovery); zero before any request.
	Since time.Time `json:"since,omitzero"`
	// Cause says how it fails ("unreachable (DNS)", "answered 503", …).
	Cause string `json:"cause,omitempty"`
	// Failures counts failed requests in the current outage.
	Failures int `json:"failures,omitempty"`
}

// upstreamHealth follows each upstream host from request outcomes: one WARN
// when an outage starts, one INFO when it ends, never one per request.
type upstreamHealth struct {
	log *slog.Logger
	now func() time.Time

	mu    sync.Mutex
	hosts map[string]*UpstreamStatus
}

func newUpstreamHealth(log *slog.Logger, now func() time.Time) *upstreamHealth {
	return &upstreamHealth{log: log, now: now, hosts: map[string]*UpstreamStatus{}}
}

// observe records the outcome of one request to host. Answers that show
// the host working (404, an oversize document) count as success.
func (h *upstreamHealth) observe(ctx context.Context, host string, err error) {
	if err != nil && !isOutage(err) {
		err = nil
	}
	h.record(ctx, host, err)
}

// record notes a success (err nil) or a failure of host.
func (h *upstreamHealth) record(ctx context.Context, host string, err error) {
	failed := err != nil
	h.mu.Lock()
	defer h.mu.Unlock()
	st, ok := h.hosts[host]
	if !ok {
		st = &UpstreamStatus{Host: host, OK: true}
		h.hosts[host] = st
	}
	switch {
	case failed && st.OK:
		*st = UpstreamStatus{Host: host, OK: false, Since: h.now(), Cause: upstreamCause(err), Failures: 1}
		h.log.WarnContext(ctx, "upstream failing: requests that have no cached copy fail until it recovers",
			"upstream", host, "cause", st.Cause, "error", err)
	case failed:
		st.Failures++
		st.Cause = upstreamCause(err)
	case !st.OK:
		h.log.InfoContext(ctx, "upstream recovered", "upstream", host, "failed_requests", st.Failures,
			"outage", h.now().Sub(st.Since).Round(time.Second))
		*st = UpstreamStatus{Host: host, OK: true, Since: h.now()}
	case st.Since.IsZero():
		st.Since = h.now()
	}
}

// ObserveUpstream records the outcome of a request the proxy made to host
// outside its own upstream client (popularity sources): any error counts
// as a failure, except a cancelled request.
func (s *Server) ObserveUpstream(ctx context.Context, host string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.health.record(ctx, host, err)
}

// snapshot returns every host seen, sorted by host.
func (h *upstreamHealth) snapshot() []UpstreamStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]UpstreamStatus, 0, len(h.hosts))
	for _, st := range h.hosts {
		out = append(out, *st)
	}
	slices.SortFunc(out, func(a, b UpstreamStatus) int { return strings.Compare(a.Host, b.Host) })
	return out
}

// UpstreamHealth reports every upstream host the proxy has asked, for the
// admin API, the dashboard and /readyz's detail.
func (s *Server) UpstreamHealth() []UpstreamStatus { return s.health.snapshot() }

// isOutage reports whether err means the upstream is not serving (as
// opposed to answering "not found" or "too large").
func isOutage(err error) bool {
	if errors.Is(err, policy.ErrNotFound) || errors.Is(err, policy.ErrTooLarge) || errors.Is(err, context.Canceled) {
		return false
	}
	return errors.Is(err, policy.ErrUpstream) || errors.Is(err, context.DeadlineExceeded)
}

// upstreamCause says in a few words why an upstream request failed.
func upstreamCause(err error) string {
	var dnsErr *net.DNSError
	var status *upstream.StatusError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var netErr net.Error
	switch {
	case errors.As(err, &status):
		return fmt.Sprintf("answered %d", status.Status)
	case errors.Is(err, upstream.ErrRedirectRefused):
		return "redirected to another host (not followed)"
	case errors.As(err, &dnsErr):
		return "unreachable (DNS)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "unreachable (connection refused)"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "unreachable (no route)"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset the connection"
	case errors.As(err, &certErr), errors.As(err, &unknownAuth):
		return "TLS certificate rejected"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	}
	return "failed"
}

// hostOf is the host[:port] of a URL, "" when it does not parse.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// upstreamFailure is an upstream error with the host it concerns, so the
// response can name both.
type upstreamFailure struct {
	host string
	err  error
}

func (e *upstreamFailure) Error() string { return "upstream " + e.host + ": " + e.err.Error() }
func (e *upstreamFailure) Unwrap() error { return e.err }

// message is the client-facing explanation.
func (e *upstreamFailure) message() string {
	return "vigil-proxy: upstream " + e.host + " " + upstreamCause(e.err) + " and no cached copy"
}
