// Package upstream is the one HTTP client vigil-proxy uses for every request
// to an upstream registry: metadata documents (GetDocument), artifact streams
// (Open) and request pass-through (Forward).
//
// Errors wrap the policy sentinels so callers can map them with errors.Is:
// policy.ErrNotFound for 404/410, policy.ErrTooLarge for size limits and
// policy.ErrUpstream for everything else that went wrong upstream (5xx, other
// unexpected statuses, timeouts, resets, truncated or malformed bodies,
// refused redirects). Error strings never contain URL userinfo or request
// headers.
//
// Redirects: at most MaxRedirects are followed, and only to the same scheme
// and host:port as the original request. A redirect anywhere else fails with
// policy.ErrUpstream instead of being followed silently, so an allow-listed
// upstream cannot bounce the proxy to a host nobody vetted.
package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Defaults applied by New to zero-valued Options fields.
const (
	DefaultConnectTimeout        = 5 * time.Second
	DefaultResponseHeaderTimeout = 15 * time.Second
	DefaultDocumentTimeout       = 60 * time.Second
	DefaultIdleTimeout           = 90 * time.Second
	DefaultMaxDocumentBytes      = 128 << 20
	// DefaultMaxForwardBody bounds a Forward request body when the caller
	// passes maxBody <= 0.
	DefaultMaxForwardBody = 8 << 20
	// MaxRedirects is the number of same-host redirects a request may follow.
	MaxRedirects = 5
)

// drainLimit bounds how much of an unwanted response body is read so the
// connection can be reused.
const drainLimit = 64 << 10

// Options configures a Client. Zero values select the documented defaults.
type Options struct {
	// ConnectTimeout bounds TCP connect and TLS handshake (default 5s).
	ConnectTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait from starting a request (connection
	// setup included) until its response headers arrive (default 15s). The
	// Client enforces it itself, so it also applies to a custom Transport.
	ResponseHeaderTimeout time.Duration
	// DocumentTimeout bounds a whole GetDocument call including reading the
	// body (default 60s). Open and Forward have no whole-body deadline.
	DocumentTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections (default 90s).
	IdleTimeout time.Duration
	// MaxDocumentBytes caps both the raw and the decoded size of a document
	// (default 128 MiB); exceeding it fails with policy.ErrTooLarge.
	MaxDocumentBytes int64
	// MaxInflightBytes bounds the memory all documents being read at once
	// may hold (default 2 × MaxDocumentBytes, the most one document needs);
	// past it a read fails with ErrBusy instead of growing the process.
	MaxInflightBytes int64
	// UserAgent is sent on every request, e.g.
	// "vigil-proxy/1.0 (+https://example.com/vigil)". Empty sends Go's default.
	UserAgent string
	// Transport replaces the default tuned *http.Transport (tests). The
	// default disables transparent compression so the client controls
	// encodings itself.
	Transport http.RoundTripper
	// Logger receives debug lines per request; nil discards.
	Logger *slog.Logger
}

// Client sends requests to upstream registries. It is safe for concurrent use.
type Client struct {
	opts   Options
	hc     *http.Client
	log    *slog.Logger
	budget *memoryBudget
}

// New returns a Client with defaults applied to opts.
func New(opts Options) *Client {
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.ResponseHeaderTimeout <= 0 {
		opts.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
	}
	if opts.DocumentTimeout <= 0 {
		opts.DocumentTimeout = DefaultDocumentTimeout
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxDocumentBytes <= 0 {
		opts.MaxDocumentBytes = DefaultMaxDocumentBytes
	}
	if opts.MaxInflightBytes <= 0 {
		opts.MaxInflightBytes = 2 * opts.MaxDocumentBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rt := opts.Transport
	if rt == nil {
		rt = newTransport(opts)
	}
	c := &Client{opts: opts, log: log, budget: newMemoryBudget(opts.MaxInflightBytes)}
	c.hc = &http.Client{Transport: rt, CheckRedirect: checkRedirect}
	return c
}

// newTransport builds the shared tuned transport.
func newTransport(opts Options) *http.Transport {
	d := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   opts.ConnectTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       opts.IdleTimeout,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   32,
		DisableCompression:    true,
		ForceAttemptHTTP2:     true,
	}
}

// CloseIdleConnections closes idle keep-alive connections (shutdown, tests).
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// ErrRedirectRefused: the upstream redirected to another scheme or host,
// which is never followed (the host allowlists would be bypassed).
var ErrRedirectRefused = errors.New("refused: different scheme or host")

// checkRedirect allows at most MaxRedirects redirects, each to the same
// scheme and host:port as the original request.
func checkRedirect(req *http.Request, via []*http.Request) error {
	orig := via[0].URL
	if len(via) > MaxRedirects {
		return fmt.Errorf("redirect from %s: more than %d redirects", Redact(orig), MaxRedirects)
	}
	if !sameOrigin(orig, req.URL) {
		return fmt.Errorf("redirect from %s to %s: %w", Redact(orig), Redact(req.URL), ErrRedirectRefused)
	}
	return nil
}

// sameOrigin reports whether a and b share scheme and host:port, with default
// ports made explicit.
func sameOrigin(a, b *url.URL) bool {
	if !strings.EqualFold(a.Scheme, b.Scheme) {
		return false
	}
	ha, pa := hostPort(a)
	hb, pb := hostPort(b)
	return ha == hb && pa == pb
}

// hostPort returns u's lower-case host name and its effective port.
func hostPort(u *url.URL) (string, string) {
	port := u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	return strings.ToLower(u.Hostname()), port
}

func defaultPort(scheme string) string {
	switch strings.ToLower(scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// Redact formats u without userinfo and query string (signed artifact URLs
// carry their credentials there), for logs and error messages.
func Redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" || c.ForceQuery {
		c.RawQuery, c.ForceQuery = "REDACTED", false
	}
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// parseURL parses an absolute http(s) URL. The error never echoes rawURL,
// which may carry credentials.
func parseURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("parse upstream URL: %w", err)
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return nil, fmt.Errorf("upstream URL %s: scheme must be http or https", Redact(u))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("upstream URL %s: missing host", Redact(u))
	}
	return u, nil
}

// errHeaderTimeout is the cancellation cause when response headers are late.
var errHeaderTimeout = errors.New("response header timeout")

// errDocumentTimeout is the cancellation cause when a document is too slow.
var errDocumentTimeout = errors.New("document timeout")

// do sends req with the response-header deadline armed. On success the
// returned response's Body releases the request context when closed.
func (c *Client) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(c.opts.ResponseHeaderTimeout, func() {
		cancel(fmt.Errorf("%w after %s: %w", errHeaderTimeout, c.opts.ResponseHeaderTimeout, context.DeadlineExceeded))
	})
	start := time.Now()
	resp, err := c.hc.Do(req.WithContext(ctx))
	stopped := timer.Stop()
	if err != nil {
		err = c.transportError(ctx, req.URL, err)
		cancel(nil)
		c.log.DebugContext(ctx, "upstream request failed", "method", req.Method, "url", Redact(req.URL), "error", err)
		return nil, err
	}
	if !stopped {
		// The deadline fired as the headers arrived; honour it.
		closeBody(resp.Body)
		err = c.transportError(ctx, req.URL, context.Cause(ctx))
		cancel(nil)
		return nil, err
	}
	c.log.DebugContext(ctx, "upstream response", "method", req.Method, "url", Redact(req.URL),
		"status", resp.StatusCode, "duration", time.Since(start))
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: func() { cancel(context.Canceled) }}
	return resp, nil
}

// transportError turns a client error into one wrapping policy.ErrUpstream,
// stripping *url.Error (whose text may carry the URL's username) and naming
// the deadline that fired, if any.
func (c *Client) transportError(ctx context.Context, u *url.URL, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
		err = cause
	}
	return fmt.Errorf("request %s: %w: %w", Redact(u), policy.ErrUpstream, err)
}

// cancelBody releases the request context once the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel func()
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// closeBody drains a little of rc (for connection reuse) and closes it.
func closeBody(rc io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, rc, drainLimit)
	_ = rc.Close()
}

// StatusError is an upstream answer with a status the client does not
// accept; it wraps policy.ErrNotFound (404, 410) or policy.ErrUpstream.
type StatusError struct {
	URL    string // redacted
	Status int
}

func (e *StatusError) Error() string { return fmt.Sprintf("get %s: status %d", e.URL, e.Status) }

func (e *StatusError) Unwrap() error {
	if e.Status == http.StatusNotFound || e.Status == http.StatusGone {
		return policy.ErrNotFound
	}
	return policy.ErrUpstream
}

// statusError maps a non-success status to a sentinel-wrapping error.
func statusError(u *url.URL, status int) error {
	return &StatusError{URL: Redact(u), Status: status}
}
