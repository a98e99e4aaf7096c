// Package admin is vigil-proxy's control plane: a JSON API under /api/v1/ and
// a server-rendered web UI under /admin/ for allow and deny entries, approval
// requests, the audit trail, the effective policy and statistics, plus the
// unauthenticated verdict API (/api/v1/check) that the registry listener
// mounts.
//
// Authentication is always required on the admin handler, except for the
// login page and the stylesheet. Callers authenticate with a bearer token
// (Authorization: Bearer …) or, in the browser, with a session cookie obtained
// from the login form. Roles are ordered: viewer (read everything) <
// requester (viewer, and may file approval requests) < admin (everything).
// Every state-changing action is recorded in the store as an event of kind
// "admin" with the actor, the action and the object before and after.
package admin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// Role is what an authenticated caller may do.
type Role string

// Roles, from least to most privileged. Each role includes the ones before it.
const (
	RoleViewer    Role = "viewer"    // read-only
	RoleRequester Role = "requester" // viewer + file approval requests
	RoleAdmin     Role = "admin"     // everything
)

// ParseRole accepts "viewer", "requester" or "admin".
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleViewer, RoleRequester, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (want viewer, requester or admin)", s)
}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleRequester:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Allows reports whether r includes the privileges of need.
func (r Role) Allows(need Role) bool { return r.rank() > 0 && r.rank() >= need.rank() }

// User is a UI login. PasswordHash is a bcrypt hash (see HashPassword).
type User struct {
	Name         string
	Role         Role
	PasswordHash string
}

// Token is an API bearer token.
type Token struct {
	Name   string
	Role   Role
	Secret string
}

// Checker judges one package, as `vigil-proxy check --json` does.
type Checker interface {
	Check(ctx context.Context, eco policy.Ecosystem, name, version string) (policy.Report, error)
}

// ListSource is the merged view of allow and deny entries from the config
// file and the store (store.NewLists). Invalidate is called after every write
// so the proxy sees the change at once.
type ListSource interface {
	All(ctx context.Context) ([]policy.ListEntry, error)
	Invalidate()
}

// RuleView describes one configured rule for the policy page and API.
type RuleView struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Remediation string            `json:"remediation"`
	Action      string            `json:"action"`
	Thresholds  map[string]string `json:"thresholds,omitempty"`
}

// PolicyView is the effective policy, read-only.
type PolicyView struct {
	Strategy string     `json:"strategy"`
	Rules    []RuleView `json:"rules"`
}

// RulesFromBindings describes an engine's rules (policy.Engine.Bindings) with
// their actions, for PolicyView.Rules.
func RulesFromBindings(bs []policy.Binding) []RuleView {
	out := make([]RuleView, 0, len(bs))
	for _, b := range bs {
		info := b.Rule.Info()
		out = append(out, RuleView{
			ID: info.ID, Title: info.Title, Description: info.Description,
			Remediation: info.Remediation, Action: string(b.Action),
		})
	}
	return out
}

// RulesFromCatalogue describes every catalogued rule (policy.Catalogue) with
// its configured action, e.g. RulesFromCatalogue(policy.Catalogue(),
// settings.Action), so rules switched off are listed too.
func RulesFromCatalogue(cat []policy.RuleInfo, action func(id string) policy.Action) []RuleView {
	out := make([]RuleView, 0, len(cat))
	for _, info := range cat {
		out = append(out, RuleView{
			ID: info.ID, Title: info.Title, Description: info.Description,
			Remediation: info.Remediation, Action: string(action(info.ID)),
		})
	}
	return out
}

// NameCount is a package name and how often it occurred.
type NameCount struct {
	Ecosystem policy.Ecosystem `json:"ecosystem"`
	Name      string           `json:"name"`
	Count     int64            `json:"count"`
}

// StatsView summarises recent traffic.
type StatsView struct {
	// Window says what the numbers cover, e.g. "last 5000 decisions".
	Window        string           `json:"window,omitempty"`
	Requests      int64            `json:"requests"`
	Blocks        int64            `json:"blocks"`
	BlocksByRule  map[string]int64 `json:"blocks_by_rule"`
	TopBlocked    []NameCount      `json:"top_blocked"`
	CacheHitRatio float64          `json:"cache_hit_ratio"`
	// Upstreams is the health of every upstream host the proxy has asked.
	Upstreams []UpstreamView `json:"upstreams"`
}

// UpstreamView is the health of one upstream host (registry, file host,
// popularity source).
type UpstreamView struct {
	Name     string    `json:"name"` // host, or what it is ("popularity pypistats.org")
	OK       bool      `json:"ok"`
	Since    time.Time `json:"since,omitzero"`
	Cause    string    `json:"cause,omitempty"`
	Failures int       `json:"failures,omitempty"`
}

// WebhookOptions configure the optional notification webhook. The body is
// JSON; the header X-Vigil-Signature carries "sha256=" and the hex HMAC-SHA256
// of the body under Secret.
type WebhookOptions struct {
	URL string
	// Secret is the HMAC key; required when URL is set.
	Secret string
	// Queue bounds the pending notifications (default 256); when full, new
	// ones are dropped and logged, so callers never block.
	Queue int
	// MaxRetries after the first attempt on network errors, 429 and 5xx
	// (default 5).
	MaxRetries int
	// Backoff is the first retry delay, doubled each time (default 1s).
	Backoff time.Duration
	// Client sends the requests (default: a client with a 10s timeout).
	Client *http.Client
}

// Options configure a Server.
type Options struct {
	Store store.Store
	// Lists is the merged config+store view; nil means store entries only.
	Lists ListSource
	// Checker judges packages for the package page and the check API.
	Checker Checker
	// Policy returns the effective policy (nil: no rules shown).
	Policy func() PolicyView
	// Stats returns traffic statistics (nil: computed from the most recent
	// decision events in the store).
	Stats func(ctx context.Context) StatsView
	// CacheHitRatio reports the metadata cache's hit ratio for the built-in
	// statistics (nil: shown as 0).
	CacheHitRatio func() float64
	// Upstreams reports upstream health for the statistics and the
	// dashboard (nil: none shown).
	Upstreams func() []UpstreamView

	Users  []User
	Tokens []Token
	// SecureCookies marks the session cookie Secure (set when served over TLS).
	SecureCookies bool
	// SessionTTL is how long a login lasts (default 12h).
	SessionTTL time.Duration
	// SessionKey signs session cookies; replicas sharing Sessions must use
	// the same key (at least 32 bytes). Empty: a random key per process.
	SessionKey []byte
	// Sessions keeps logins where every replica sees them; nil keeps them
	// in this process's memory.
	Sessions store.SessionStore
	// LoginLimits keeps the login rate-limit counters where every replica
	// sees them; nil keeps them in memory.
	LoginLimits store.LoginLimitStore
	// TrustedOrigins are extra origins (scheme://host[:port]) allowed to
	// submit forms, for a reverse proxy that rewrites Host. Browsers that
	// send Sec-Fetch-Site need none.
	TrustedOrigins []string
	// TrustProxyHeaders takes the client address for login rate limiting
	// from the last X-Forwarded-For entry when the peer is a loopback or
	// private address: exactly one reverse proxy is expected in front.
	TrustProxyHeaders bool

	Webhook WebhookOptions
	// MalwareFeed, when set, is controlled at /api/v1/malware-feed.
	MalwareFeed MalwareFeed
	// Artifacts, when set, purges one package's cached files
	// (/api/v1/artifacts/purge and the package page); nil answers that the
	// artifact cache is disabled.
	Artifacts ArtifactPurger

	Logger *slog.Logger
	Now    func() time.Time
}

// Server serves the admin UI, the admin API and the check API.
type Server struct {
	store         store.Store
	lists         ListSource
	checker       Checker
	policy        func() PolicyView
	stats         func(ctx context.Context) StatsView
	cacheHitRatio func() float64
	upstreams     func() []UpstreamView
	checkSlots    chan struct{}
	log           *slog.Logger
	now           func() time.Time
	secure        bool
	ttl           time.Duration
	origins       []string
	trustXFF      bool
	users         map[string]User
	tokens        []tokenKey
	sessions      *sessions
	limiter       *limiter
	pages         map[string]*template.Template
	hook          *webhook
	malware       MalwareFeed
	artifacts     ArtifactPurger

	// decide serialises this replica's approval decisions (the store's
	// transaction makes a request decided once across replicas).
	decide sync.Mutex

	handler http.Handler
}

// ErrNoCredentials is returned by New when no user and no token is configured.
var ErrNoCredentials = errors.New("admin surface needs credentials: set VIGIL_ADMIN_TOKEN or VIGIL_ADMIN_PASSWORD_HASH (create one with `vigil-proxy admin hash-password`)")

// New validates the options, parses the templates and builds the handlers.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("admin: Options.Store is required")
	}
	if len(opts.Users) == 0 && len(opts.Tokens) == 0 {
		return nil, ErrNoCredentials
	}
	s := &Server{
		store:         opts.Store,
		lists:         opts.Lists,
		checker:       opts.Checker,
		policy:        opts.Policy,
		stats:         opts.Stats,
		cacheHitRatio: opts.CacheHitRatio,
		upstreams:     opts.Upstreams,
		checkSlots:    make(chan struct{}, checkSlots),
		log:           opts.Logger,
		now:           opts.Now,
		secure:        opts.SecureCookies,
		ttl:           opts.SessionTTL,
		origins:       opts.TrustedOrigins,
		trustXFF:      opts.TrustProxyHeaders,
		users:         map[string]User{},
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ttl <= 0 {
		s.ttl = 12 * time.Hour
	}
	if s.lists == nil {
		s.lists = storeLists{s.store}
	}
	for i, u := range opts.Users {
		if u.Name == "" {
			return nil, fmt.Errorf("admin user %d: empty name", i)
		}
		if !u.Role.Allows(RoleViewer) {
			return nil, fmt.Errorf("admin user %q: unknown role %q", u.Name, u.Role)
		}
		if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
			return nil, fmt.Errorf("admin user %q: password hash is not a bcrypt hash (create one with `vigil-proxy admin hash-password`)", u.Name)
		}
		if _, dup := s.users[u.Name]; dup {
			return nil, fmt.Errorf("admin user %q: defined twice", u.Name)
		}
		s.users[u.Name] = u
	}
	for i, t := range opts.Tokens {
		if !t.Role.Allows(RoleViewer) {
			return nil, fmt.Errorf("admin token %d (%s): unknown role %q", i, t.Name, t.Role)
		}
		if len(t.Secret) < 16 {
			return nil, fmt.Errorf("admin token %d (%s): secret is shorter than 16 characters", i, t.Name)
		}
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("token-%d", i+1)
		}
		s.tokens = append(s.tokens, newTokenKey(name, t.Role, t.Secret))
	}
	for _, o := range opts.TrustedOrigins {
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("trusted origin %q: %w", o, err)
		}
	}
	key := opts.SessionKey
	switch {
	case len(key) == 0:
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("session key: %w", err)
		}
	case len(key) < 32:
		return nil, errors.New("session key is shorter than 32 bytes: use e.g. openssl rand -hex 32")
	}
	s.sessions = newSessions(key, s.ttl, s.now, opts.Sessions, s.log)
	s.limiter = newLimiter(5, 12*time.Second, s.now, opts.LoginLimits, s.log)
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	if opts.Webhook.URL != "" {
		u, err := url.Parse(opts.Webhook.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// The URL may hold a credential: do not repeat it.
			return nil, errors.New("webhook URL: want an absolute http or https URL")
		}
		if opts.Webhook.Secret == "" {
			return nil, errors.New("webhook needs a signing secret: set VIGIL_WEBHOOK_SECRET")
		}
		s.hook = newWebhook(opts.Webhook, s.log, s.now)
	}
	s.artifacts = opts.Artifacts
	if opts.MalwareFeed != nil {
		s.malware = opts.MalwareFeed
	}
	s.handler = s.routes()
	return s, nil
}

// Handler serves /admin/... and /api/v1/... on the admin listener.
func (s *Server) Handler() http.Handler { return s.handler }

// Run performs background work until ctx is done: webhook delivery and
// session expiry. (Audit retention is store.Prune's job.)
func (s *Server) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if s.hook != nil {
		wg.Go(func() { s.hook.run(ctx) })
	}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-tick.C:
			s.sessions.prune(ctx)
			s.limiter.prune(ctx)
		}
	}
}

// NotifyBlock queues a webhook notification for a block event. It never
// blocks; without a webhook it does nothing.
func (s *Server) NotifyBlock(ev store.Event) {
	if s.hook != nil {
		s.hook.enqueue("block", ev)
	}
}

// HashPassword returns a bcrypt hash of pw for Users[].PasswordHash.
func HashPassword(pw string) (string, error) { return hashPassword(pw, passwordCost) }

// passwordCost is bcrypt's work factor for HashPassword.
const passwordCost = 12

func hashPassword(pw string, cost int) (string, error) {
	if len(pw) < 8 {
		return "", errors.New("password is shorter than 8 characters")
	}
	if len(pw) > 72 {
		return "", errors.New("password is longer than 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// storeLists is the ListSource used when Options.Lists is nil.
type storeLists struct{ st store.ListStore }

func (l storeLists) All(ctx context.Context) ([]policy.ListEntry, error) {
	return l.st.Entries(ctx)
}

func (storeLists) Invalidate() {}
