package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
	"github.com/vigil-proxy/vigil-proxy/proxy"
	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
	"github.com/vigil-proxy/vigil-proxy/proxy/malwarefeed"
	"github.com/vigil-proxy/vigil-proxy/proxy/metacache"
	"github.com/vigil-proxy/vigil-proxy/proxy/popularity"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// stack is every component of a running proxy, wired together. serve and
// check build the same stack, so the CLI judges exactly like the server.
type stack struct {
	cfg      Config
	log      *slog.Logger
	store    store.Store // nil when the state directory is not used
	lists    *store.Lists
	cache    *metacache.Cache
	client   *upstream.Client
	index    *names.Index
	engine   *policy.Engine
	malware  *malwarefeed.Feed
	signals  *popularitySignals
	recorder *store.Recorder
	proxy    *proxy.Server
	// artifacts is the verified file cache (nil when disabled or unused).
	artifacts *artifactcache.Disk
	closers   []func() error
}

// stackOptions says which parts of the stack to build.
type stackOptions struct {
	// cacheDir holds cache.db; empty uses the data directory.
	cacheDir string
	// noStore skips the durable store (check without a data directory).
	noStore bool
	// offline makes popularity come from the snapshot only.
	offline bool
	// popularityFile, when set, keeps live popularity answers in this file
	// for a day (scan's persistent cache).
	popularityFile string
	// lazyIndex indexes each ecosystem's names on its first question (a
	// one-shot command); serve indexes both up front.
	lazyIndex bool
}

func (s *stack) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	return errors.Join(errs...)
}

// buildEngine assembles the rules and lists into the policy engine.
func buildEngine(cfg Config, ix *names.Index, lists policy.Lists, feed policy.MalwareFeed) (*policy.Engine, error) {
	settings, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	settings.Malware = feed
	bindings, err := policy.CoreRules(settings, ix)
	if err != nil {
		return nil, err
	}
	bindings = append(bindings,
		policy.Binding{Rule: names.TyposquatRule(ix), Action: settings.Action(policy.RuleTyposquat)},
		policy.Binding{Rule: names.UnpopularRule(settings.MinWeeklyDownloads, settings.UnknownPopularity), Action: settings.Action(policy.RuleUnpopular)},
	)
	return policy.NewEngine(bindings, lists), nil
}

func buildStack(ctx context.Context, cfg Config, log *slog.Logger, opt stackOptions) (_ *stack, err error) {
	st := &stack{cfg: cfg, log: log}
	// Whatever was opened before a failure is closed; st itself is never
	// nil here, whatever the return statements hand back.
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	dataDir := cfg.dataDir()
	if !opt.noStore || opt.cacheDir == "" {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, dataDirProblem(dataDir, err)
		}
	}
	entries, err := cfg.listEntries()
	if err != nil {
		return nil, err
	}
	// The corpus first: a wrong path fails before any file is opened.
	st.index, err = loadIndex(cfg, opt.lazyIndex, log)
	if err != nil {
		return nil, err
	}
	if !opt.noStore {
		bs, err := openStore(ctx, cfg, dataDir, log)
		if err != nil {
			if cfg.Store.URL != "" {
				return nil, fmt.Errorf("%s: %w", cfg.key("store.url"), err)
			}
			return nil, storeProblem(filepath.Join(dataDir, "store.db"), err)
		}
		st.store = bs
		st.closers = append(st.closers, bs.Close)
	}
	var listStore store.ListStore
	if st.store != nil {
		listStore = st.store
	}
	st.lists = store.NewLists(entries, listStore, cfg.Store.listsTTL()).WithLogger(log).WithMaxStale(time.Duration(cfg.Store.MaxStale))
	// Loaded now, not on the first request: a store that becomes
	// unreachable right after start is then covered by store.max_stale
	// like any other outage (with nothing loaded, every install was
	// refused at once), and a store that cannot be read stops the start.
	if err := st.lists.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("load the allow/deny lists: %w", err)
	}

	if st.malware, err = openMalwareFeed(ctx, cfg, log, st.store); err != nil {
		return nil, err
	}
	st.engine, err = buildEngine(cfg, st.index, st.lists, st.malware)
	if err != nil {
		return nil, err
	}

	st.client = upstream.New(upstream.Options{
		ConnectTimeout:        time.Duration(cfg.Upstream.ConnectTimeout),
		ResponseHeaderTimeout: time.Duration(cfg.Upstream.HeaderTimeout),
		DocumentTimeout:       time.Duration(cfg.Upstream.DocumentTimeout),
		MaxDocumentBytes:      cfg.Cache.MaxDocumentMB << 20,
		MaxInflightBytes:      cfg.Upstream.MaxInflightMB << 20,
		UserAgent:             "vigil-proxy/" + version,
		Logger:                log,
	})
	st.closers = append(st.closers, func() error { st.client.CloseIdleConnections(); return nil })
	cacheDir := opt.cacheDir
	if cacheDir == "" {
		cacheDir = dataDir
	}
	grace := time.Duration(cfg.Cache.Grace)
	if grace == 0 { // "grace: 0" disables stale-if-error; metacache reads 0 as its default
		grace = -1
	}
	st.cache, err = metacache.Open(metacache.Options{
		Path:         filepath.Join(cacheDir, "cache.db"),
		TTL:          time.Duration(cfg.Cache.TTL),
		NegativeTTL:  time.Duration(cfg.Cache.NegativeTTL),
		Grace:        grace,
		FetchTimeout: time.Duration(cfg.Upstream.DocumentTimeout),
		MaxCost:      cfg.Cache.MaxMemoryMB << 20,
		Logger:       log,
	})
	if err != nil {
		return nil, cacheProblem(filepath.Join(cacheDir, "cache.db"), err)
	}
	st.closers = append(st.closers, st.cache.Close)

	st.signals = newObservedPopularitySignals(cfg, st.index, opt.offline || !cfg.Popularity.Online || cfg.Upstream.Offline, log,
		func(ctx context.Context, host string, err error) { st.proxy.ObserveUpstream(ctx, host, err) }, st.client)
	if opt.popularityFile != "" && !opt.offline && cfg.Popularity.Online && !cfg.Upstream.Offline {
		fp, closePop := persistPopularity(cfg, st.index, opt.popularityFile, log)
		st.signals = fp
		st.closers = append(st.closers, closePop)
	}

	if st.store != nil {
		st.recorder = store.NewRecorder(st.store, store.RecorderOptions{Logger: log})
	}

	pypiUp, _ := url.Parse(cfg.PyPI.Upstream)
	npmUp, _ := url.Parse(cfg.NPM.Upstream)
	fileHosts, err := upstream.ParseHosts(cfg.PyPI.FileHosts)
	if err != nil {
		return nil, fmt.Errorf("pypi.file_hosts: %w", err)
	}
	tarballHosts, err := upstream.ParseHosts(cfg.NPM.TarballHosts)
	if err != nil {
		return nil, fmt.Errorf("npm.tarball_hosts: %w", err)
	}
	public, err := publicURL(cfg, log)
	if err != nil {
		return nil, err
	}
	popts := proxy.Options{
		PublicURL:      public,
		TrustForwarded: cfg.TrustForwarded,
		Engine:         st.engine,
		Upstream:       st.client,
		Cache:          st.cache,
		PyPI: proxy.PyPIOptions{Upstream: pypiUp, FileHosts: fileHosts, HideMode: cfg.PyPI.HideMode,
			AllowMissingDigest: !cfg.PyPI.RequireDigest},
		NPM: proxy.NPMOptions{Upstream: npmUp, TarballHosts: tarballHosts, Private: cfg.NPM.Private,
			DeprecateWarnings: cfg.NPM.DeprecateWarnings, AllowMissingDigest: !cfg.NPM.RequireDigest,
			PnpmHiddenTags: cfg.NPM.PnpmHiddenTags, YarnHiddenDeprecated: cfg.NPM.YarnHiddenDeprecated},
		Signals: st.signals,
		Lookalike: func(eco policy.Ecosystem, name string) (string, bool) {
			m, ok := st.index.Typosquat(eco, name)
			return m.Target, ok
		},
		Logger: log,
	}
	if cfg.NPM.TokenEnv != "" {
		popts.NPM.Authorization = "Bearer " + cfg.NPM.TokenEnv
	}
	if popts.NPM.HostAuthorization, err = parseHostTokens(cfg.NPM.HostTokensEnv, cfg.NPM.TarballHosts); err != nil {
		return nil, err
	}
	if cfg.Metrics.Enabled {
		var dropped func() uint64
		if st.recorder != nil {
			dropped = st.recorder.Dropped
		}
		popts.Metrics = proxy.NewMetrics(st.cache, dropped)
	}
	if !opt.noStore {
		if st.artifacts, err = openArtifactCache(cfg, cacheDir, log); err != nil {
			return nil, err
		}
		if st.artifacts != nil {
			popts.Artifacts = st.artifacts
		}
		popts.Offline = cfg.Upstream.Offline
		closeRendered, err := wireRenderedCache(cfg, cacheDir, st.lists, st.malware, &popts, log)
		if err != nil {
			return nil, err
		}
		st.closers = append(st.closers, closeRendered)
	}
	if st.store != nil {
		popts.Watch = st.store
		popts.Events = st.recorder
		popts.Ready = st.ready
		popts.ReadyDetail = st.malware.PublicDetail
	}
	st.proxy, err = proxy.New(popts)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// popularitySignals bounds popularity lookups: a slow source means
// "unknown" (which DEP-004 handles as configured), never a slow install.
type popularitySignals struct {
	lookup  *popularity.Lookup
	sources map[policy.Ecosystem]popularity.Source // live sources, observed (nil offline)
}

func newPopularitySignals(cfg Config, ix *names.Index, offline bool, log *slog.Logger) *popularitySignals {
	return newObservedPopularitySignals(cfg, ix, offline, log, func(context.Context, string, error) {}, nil)
}

// newObservedPopularitySignals is newPopularitySignals reporting every
// request of the live sources to observe (the proxy's upstream health);
// with a budget (the upstream client's), lookups share its in-flight bound.
func newObservedPopularitySignals(cfg Config, ix *names.Index, offline bool, log *slog.Logger, observe observeFunc, budget popularity.Budget) *popularitySignals {
	opts := popularity.Options{Snapshot: ix, Logger: log}
	p := &popularitySignals{}
	if !offline {
		p.sources = map[policy.Ecosystem]popularity.Source{
			policy.PyPI: observedSource{popularity.NewPyPIStats(popularity.HTTPOptions{BaseURL: cfg.Popularity.PyPIStatsURL, Budget: budget}), hostOf(cfg.Popularity.PyPIStatsURL), observe},
			policy.NPM:  observedSource{popularity.NewNPM(popularity.HTTPOptions{BaseURL: cfg.Popularity.NPMDownloadsURL, Budget: budget}), hostOf(cfg.Popularity.NPMDownloadsURL), observe},
		}
		opts.Live = map[policy.Ecosystem]popularity.Source{}
		for eco, src := range p.sources {
			opts.Live[eco] = popularity.NewCache(src, popularity.CacheOptions{})
		}
	}
	p.lookup = popularity.New(opts)
	return p
}

// observeFunc reports the outcome of a request to an upstream host.
type observeFunc func(ctx context.Context, host string, err error)

// observedSource reports every real request of a popularity source (not
// the ones its backoff skipped) to the upstream health, so that an
// unreachable source shows on the dashboard and is logged once.
type observedSource struct {
	popularity.Source
	host    string
	observe observeFunc
}

func (o observedSource) WeeklyDownloads(ctx context.Context, eco policy.Ecosystem, names []string) (map[string]int64, error) {
	m, err := o.Source.WeeklyDownloads(ctx, eco, names)
	if !errors.Is(err, popularity.ErrBackoff) {
		o.observe(ctx, "popularity "+o.host, err)
	}
	return m, err
}

// probe asks each live popularity source about one popular name, so that
// an unreachable source is reported once at start-up rather than
// discovered package by package.
func (p *popularitySignals) probe(ctx context.Context) {
	for eco, src := range p.sources {
		name := map[policy.Ecosystem]string{policy.PyPI: "requests", policy.NPM: "lodash"}[eco]
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, _ = src.WeeklyDownloads(pctx, eco, []string{name})
		cancel()
	}
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}

// Signals answers within a short deadline.
func (p *popularitySignals) Signals(ctx context.Context, eco policy.Ecosystem, name string) policy.Signals {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return p.lookup.Signals(ctx, eco, name)
}

// publicURL is the base URL served documents point at: public_url, else
// the listen address. A wildcard listen address names no host, so then the
// request's Host header is used, with a warning: behind a shared cache that
// lets one client's Host leak into another's documents.
func publicURL(cfg Config, log *slog.Logger) (*url.URL, error) {
	raw := cfg.PublicURL
	if raw == "" {
		host, _, err := net.SplitHostPort(cfg.Listen)
		if ip := net.ParseIP(host); err != nil || host == "" || (ip != nil && ip.IsUnspecified()) {
			log.Warn("public_url is not set and the listen address is a wildcard: file URLs follow each request's Host header; set public_url (VIGIL_PUBLIC_URL) to the address clients use")
			return nil, nil
		}
		raw = "http://" + cfg.Listen
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("public_url: %w", err)
	}
	return u, nil
}
