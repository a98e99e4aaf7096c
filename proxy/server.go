// Package proxy is vigil-proxy's data plane: the HTTP server that PyPI and
// npm clients talk to. It routes requests, gathers facts from upstream
// through the metadata cache, asks the policy engine, and serves filtered
// documents and verified artifacts — or refuses with a reason.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
	"github.com/vigil-proxy/vigil-proxy/proxy/metacache"
	"github.com/vigil-proxy/vigil-proxy/proxy/rendercache"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// EventSink receives audit events; store.Recorder satisfies it.
type EventSink interface {
	Record(ev store.Event)
}

// SignalSource supplies facts from outside the registry document
// (popularity); it must answer quickly and never fail: unknown is -1.
type SignalSource interface {
	Signals(ctx context.Context, eco policy.Ecosystem, name string) policy.Signals
}

// PyPIOptions configures the PyPI side.
type PyPIOptions struct {
	// Upstream serves /simple/ and /pypi/<p>/json (default https://pypi.org).
	Upstream *url.URL
	// FileHosts are the only hosts files are fetched from.
	FileHosts upstream.Hosts
	// HideMode says how files hidden by policy appear on simple pages:
	// "yank" keeps them listed as yanked with the reason (pinned installs
	// print it), "remove" drops them.
	HideMode string
	// AllowMissingDigest serves files the index gives no sha256 for,
	// unverified (a private index that omits hashes). By default they are
	// refused.
	AllowMissingDigest bool
}

// NPMOptions configures the npm side.
type NPMOptions struct {
	// Upstream is the registry base URL (default https://registry.npmjs.org).
	Upstream *url.URL
	// TarballHosts are the only hosts tarballs are fetched from.
	TarballHosts upstream.Hosts
	// Authorization is sent upstream (chained registries); never logged.
	Authorization string
	// HostAuthorization holds the credentials of other tarball hosts (a
	// second registry or CDN with its own token), one host each. The
	// upstream's Authorization never leaves the upstream's own host.
	HostAuthorization []HostAuthorization
	// Private are name patterns (globs such as "@myorg/*") that are never
	// resolved upstream.
	Private []string
	// DeprecateWarnings marks versions with warn findings as deprecated with
	// the reason, which npm and pnpm print.
	DeprecateWarnings bool
	// PnpmHiddenTags adds, for pnpm, dist-tags naming the hidden versions
	// and why (pnpm prints them when no version matches); see npmhints.go.
	PnpmHiddenTags bool
	// YarnHiddenDeprecated keeps hidden versions listed for yarn berry,
	// deprecated with the reason, where that cannot change what resolves
	// (npm.ListableHidden); their tarballs stay refused.
	YarnHiddenDeprecated bool
	// AllowMissingDigest serves tarballs whose version gives neither
	// dist.integrity nor dist.shasum, unverified. By default they are
	// refused.
	AllowMissingDigest bool
}

// HostAuthorization is the Authorization header value sent to one tarball
// host (scheme default port unless the host names one); never logged.
type HostAuthorization struct {
	Host  upstream.Hosts
	Value string
}

// Options configures a Server. Engine, Upstream and Cache are required.
type Options struct {
	// PublicURL is the base URL clients reach the proxy at; rewritten file
	// URLs are built from it. When nil, the request's Host is used.
	PublicURL *url.URL
	// TrustForwarded honours X-Forwarded-Proto and X-Forwarded-Host (only
	// behind a reverse proxy that sets them).
	TrustForwarded bool

	Engine   *policy.Engine
	Upstream *upstream.Client
	Cache    *metacache.Cache
	PyPI     PyPIOptions
	NPM      NPMOptions

	Events EventSink        // audit trail; nil discards
	Watch  store.WatchStore // hallucination watchlist; nil disables it
	// NewWatchPerMinute bounds how many names not yet on the watchlist one
	// client address may add per minute (default 30, burst twice that).
	NewWatchPerMinute int
	Signals           SignalSource // popularity; nil = unknown
	// Lookalike names the popular package a name resembles (the typosquat
	// index), so the proxy can compare their declared repositories: the same
	// repository exempts a sibling package from DEP-003. Nil disables it.
	Lookalike func(eco policy.Ecosystem, name string) (target string, ok bool)
	// OnBlock is called (without blocking) for every block event, e.g. to
	// send a webhook.
	OnBlock func(store.Event)
	// CheckPerMinute is each client's rate of check-API questions
	// (default DefaultCheckPerMinute; a batch costs one per package).
	CheckPerMinute int
	// Ready reports whether the server can take traffic (/readyz).
	Ready func(ctx context.Context) error
	// ReadyDetail, when set, adds a line to /readyz (e.g. the malware
	// feed's age).
	ReadyDetail func() string
	// Metrics, when set, are updated and served at /metrics.
	Metrics *Metrics
	// Artifacts, when set, keeps verified tarballs and wheels so a warm
	// download never goes upstream (artifactcache.Disk).
	Artifacts artifactcache.Store
	// Offline serves only cached content: metadata and files that are not
	// cached get an explained 503 instead of an upstream request.
	Offline bool
	// Rendered, when set, keeps the final filtered metadata responses and
	// each servable package's judged facts (rendercache), so a warm request
	// is a lookup and a write. Its generation must be bumped on every change
	// judgement depends on (lists, approvals, malware feed); nil renders
	// every response afresh.
	Rendered *rendercache.Cache
	// RenderedFreshen, when set, is called before a rendered entry is used:
	// it brings change sources that are not pushed up to date (e.g.
	// store.Lists.Refresh rereads entries older than their TTL and bumps
	// the generation when they changed). An error skips the cache.
	RenderedFreshen func(ctx context.Context) error

	// RequestBodyTimeout bounds how long a client may take to send a
	// request body the proxy reads (npm audit; default 30 s).
	RequestBodyTimeout time.Duration

	Logger *slog.Logger
	Now    func() time.Time
}

// Server is the registry-facing HTTP server.
type Server struct {
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	echo     *echo.Echo
	newWatch *clientRate // new watchlist names per client

	checkRate  *clientRate   // check-API questions per client
	checkSlots chan struct{} // concurrent checks server-wide
	// forwardSlots bounds npm audit and signing-key forwards server-wide.
	forwardSlots chan struct{}

	health *upstreamHealth
	audit  *auditAggregator
	// offline starts as Options.Offline; SetOffline changes it.
	offline atomic.Bool
	// judgements counts full package judgements (Judgements).
	judgements atomic.Uint64
	// notReady spaces the log lines of a failing /readyz (load balancers
	// probe it every few seconds).
	notReady notReadyReports
	// watchFailed spaces the log lines of failing watchlist reads and
	// writes (one request after another while the store is down).
	watchFailed watchFailures
}

// New validates opts and builds the server.
func New(opts Options) (*Server, error) {
	var errs []error
	if opts.Engine == nil {
		errs = append(errs, errors.New("proxy: Engine is required"))
	}
	if opts.Upstream == nil {
		errs = append(errs, errors.New("proxy: Upstream is required"))
	}
	if opts.Cache == nil {
		errs = append(errs, errors.New("proxy: Cache is required"))
	}
	if opts.PyPI.Upstream == nil {
		errs = append(errs, errors.New("proxy: PyPI.Upstream is required"))
	}
	if opts.NPM.Upstream == nil {
		errs = append(errs, errors.New("proxy: NPM.Upstream is required"))
	}
	switch opts.PyPI.HideMode {
	case "":
		opts.PyPI.HideMode = "yank"
	case "yank", "remove":
	default:
		errs = append(errs, fmt.Errorf("proxy: PyPI.HideMode %q must be yank or remove", opts.PyPI.HideMode))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewWatchPerMinute <= 0 {
		opts.NewWatchPerMinute = 30
	}
	s := &Server{opts: opts, log: opts.Logger, now: opts.Now,
		newWatch: newClientRate(opts.NewWatchPerMinute, 2*opts.NewWatchPerMinute, opts.Now)}
	if opts.CheckPerMinute <= 0 {
		opts.CheckPerMinute = DefaultCheckPerMinute
	}
	s.checkRate = newClientRate(opts.CheckPerMinute, max(opts.CheckPerMinute, 3*MaxCheckBatch), opts.Now)
	s.checkSlots = make(chan struct{}, checkSlots)
	s.forwardSlots = make(chan struct{}, forwardSlots)
	if s.opts.RequestBodyTimeout <= 0 {
		s.opts.RequestBodyTimeout = defaultRequestBodyTimeout
	}
	s.health = newUpstreamHealth(opts.Logger, opts.Now)
	s.audit = newAuditAggregator(opts.Events, opts.Now)
	s.offline.Store(opts.Offline)
	if st, ok := opts.Artifacts.(artifactStats); ok && opts.Metrics != nil {
		opts.Metrics.registerArtifactCache(st.Stats)
	}
	if opts.Metrics != nil {
		var stats func() rendercache.Stats
		if opts.Rendered != nil {
			stats = opts.Rendered.Stats
		} else {
			stats = func() rendercache.Stats { return rendercache.Stats{} }
		}
		opts.Metrics.registerRenderedCache(stats, s.Judgements)
	}
	s.echo = s.routes()
	return s, nil
}

// Handler returns the HTTP handler for the registry listener.
func (s *Server) Handler() http.Handler { return s.echo }

// baseURL is the external base URL of this proxy for the request.
func (s *Server) baseURL(r *http.Request) *url.URL {
	if s.opts.TrustForwarded {
		host := firstValue(r.Header.Get("X-Forwarded-Host"))
		proto := firstValue(r.Header.Get("X-Forwarded-Proto"))
		if host != "" {
			if proto != "https" {
				proto = "http"
			}
			u := &url.URL{Scheme: proto, Host: host}
			if s.opts.PublicURL != nil {
				u.Path = strings.TrimSuffix(s.opts.PublicURL.Path, "/")
			}
			return u
		}
	}
	if s.opts.PublicURL != nil {
		u := *s.opts.PublicURL
		u.Path = strings.TrimSuffix(u.Path, "/")
		return &u
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: r.Host}
}

func firstValue(s string) string {
	s, _, _ = strings.Cut(s, ",")
	return strings.TrimSpace(s)
}

// artifactHostAllowed reports whether files of eco may be fetched from u.
func (s *Server) artifactHostAllowed(eco policy.Ecosystem, u *url.URL) bool {
	if eco == policy.NPM {
		return s.opts.NPM.TarballHosts.Allows(u)
	}
	return s.opts.PyPI.FileHosts.Allows(u)
}

// maxClientName bounds the User-Agent in events (webhooks get them before
// the store's recorder cuts fields to 512 bytes) and in the request log:
// registry clients send short ones.
const maxClientName = 200

// clientName is the request's User-Agent, cut to maxClientName bytes (on
// a character boundary, marked with an ellipsis).
func clientName(r *http.Request) string {
	ua := r.UserAgent()
	if len(ua) <= maxClientName {
		return ua
	}
	cut := maxClientName
	for cut > 0 && !utf8.RuneStart(ua[cut]) {
		cut--
	}
	return ua[:cut] + "…"
}

// clientIP is the peer address (Server.clientAddr reads a trusted
// X-Forwarded-For first).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// upstreamRequest builds a document request for the shared client.
func upstreamRequest(rawURL, accept, etag string, header http.Header) upstream.DocumentRequest {
	return upstream.DocumentRequest{URL: rawURL, Accept: accept, ETag: etag, Header: header}
}

// SetOnBlock sets the block hook (webhooks). Call it before serving.
func (s *Server) SetOnBlock(f func(store.Event)) { s.opts.OnBlock = f }

// SetOffline switches offline mode (see Options.Offline) at run time.
func (s *Server) SetOffline(offline bool) { s.offline.Store(offline) }
