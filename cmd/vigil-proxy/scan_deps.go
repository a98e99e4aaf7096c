package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/deps"
	"github.com/vigil-proxy/vigil-proxy/scanner/imports"
)

// newDepAnalyzers builds the dependency analyzers of one scan — DEP-000..008
// and MAL-001 over manifests and lockfiles, and DEP-006 over imports — with
// the judge
// its mode calls for: --proxy asks a running proxy (batched), --offline
// uses the name-only rules, otherwise the proxy's own resolver, metadata
// cache (persistent, 24 h, under the user cache directory) and policy run
// in-process (the repository's strategy, applied by runScan, included). The judge is built on first use, so a scan without manifests
// opens nothing. Both analyzers share it (one cache, one batch per
// analyzer). The returned close function releases it.
func newDepAnalyzers(ctx context.Context, s scanSetup) ([]scanner.Analyzer, func(), error) {
	cfg := s.cfg
	var build func() (*verdictJudge, error)
	switch {
	case s.proxyURL != "":
		if _, err := newRemoteJudge(s.proxyURL); err != nil {
			return nil, nil, err
		}
		lockDepVerdicts(s.scanCfg, s.stderr)
		build = func() (*verdictJudge, error) { return newRemoteJudge(s.proxyURL) }
	case s.offline:
		build = func() (*verdictJudge, error) { return newOfflineJudge(cfg, s.log) }
	default:
		dir, err := scanCacheDir(s.getenv)
		if err != nil {
			return nil, nil, err
		}
		build = func() (*verdictJudge, error) {
			return newDirectJudge(context.WithoutCancel(ctx), cfg, s.log, directOptions{cacheDir: dir, ttl: scanCacheTTL})
		}
	}
	lj := &lazyJudge{build: build}
	a := deps.New(deps.Options{Judge: lj, AllowUnverified: s.allowUnverified, ProxyHosts: proxyHosts(s)})
	undeclared := imports.New(imports.Options{
		Declared:   deps.ForImports,
		Judge:      judgeForImports(lj, s.allowUnverified),
		JudgeRules: deps.Rules,
	})
	return []scanner.Analyzer{a, undeclared}, lj.close, nil
}

// judgeForImports asks the scan's judge about undeclared imports, so that a
// hallucinated import is raised with the proxy's DEP-001/DEP-003 reason.
func judgeForImports(j deps.Judge, allowUnverified bool) func(ctx context.Context, eco string, names []string) (map[string][]scanner.Finding, error) {
	return func(ctx context.Context, eco string, names []string) (map[string][]scanner.Finding, error) {
		qs := make([]deps.Query, len(names))
		for i, n := range names {
			qs[i] = deps.Query{Ecosystem: deps.Ecosystem(eco), Name: n}
		}
		answers, err := j.Judge(ctx, qs)
		if err != nil {
			return nil, err
		}
		out := map[string][]scanner.Finding{}
		for i, a := range answers {
			if fs := deps.AnswerFindings(a, allowUnverified); len(fs) > 0 {
				out[names[i]] = fs
			}
		}
		return out, nil
	}
}

// lockDepVerdicts drops what a repository's .vigil.yaml says to relax the
// dependency rules when a proxy judges them: the proxy's policy wins, so a
// pull request cannot weaken its own gate. Raising a severity stays.
func lockDepVerdicts(c *scanner.Config, stderr interface{ Write([]byte) (int, error) }) {
	if c == nil {
		return
	}
	for _, r := range deps.Rules {
		if r.ID == deps.RuleBypass {
			continue // DEP-008 is the scanner's own judgement, not the proxy's
		}
		rc, ok := c.Rules[r.ID]
		if !ok {
			continue
		}
		relaxed := false
		if rc.Enabled != nil && !*rc.Enabled {
			rc.Enabled, relaxed = nil, true
		}
		if sev, err := scanner.ParseSeverity(rc.Severity); err == nil && rc.Severity != "" && sev < r.Severity {
			rc.Severity, relaxed = "", true
		}
		if relaxed {
			c.Rules[r.ID] = rc
			if stderr != nil {
				fmt.Fprintf(stderr, "vigil-proxy scan: %s: rules.%s relaxes a verdict of the --proxy; ignored (the proxy's policy wins)\n", c.Path, r.ID)
			}
		}
	}
}

// proxyHosts are the hosts where the configured proxy answers: registry
// settings pointing there are the firewall, not a way around it.
func proxyHosts(s scanSetup) []string {
	var out []string
	for _, raw := range []string{s.proxyURL, s.cfg.PublicURL} {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			out = append(out, u.Host)
		}
	}
	if host, _, err := net.SplitHostPort(s.cfg.Listen); err == nil {
		if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
			out = append(out, s.cfg.Listen)
		}
	}
	if v, ok := s.getenv("VIGIL_SCAN_PROXY_HOSTS"); ok {
		out = append(out, strings.Split(v, ",")...)
	}
	return out
}

// lazyJudge builds its judge on the first question, or earlier when the
// scan says it will have questions (Warm), so that loading the corpus
// overlaps the walk instead of following it.
type lazyJudge struct {
	build   func() (*verdictJudge, error)
	started atomic.Bool
	once    sync.Once
	j       *verdictJudge
	err     error
}

func (l *lazyJudge) get() (*verdictJudge, error) {
	l.started.Store(true)
	l.once.Do(func() { l.j, l.err = l.build() })
	return l.j, l.err
}

// Warm starts building the judge in the background.
func (l *lazyJudge) Warm() {
	l.started.Store(true)
	go func() { _, _ = l.get() }()
}

func (l *lazyJudge) Judge(ctx context.Context, qs []deps.Query) ([]deps.Answer, error) {
	j, err := l.get()
	if err != nil {
		return nil, err
	}
	return j.Judge(ctx, qs)
}

func (l *lazyJudge) Notes() []string {
	if !l.started.Load() {
		return nil
	}
	if j, _ := l.get(); j != nil {
		return j.Notes()
	}
	return nil
}

func (l *lazyJudge) close() {
	if !l.started.Load() {
		return
	}
	if j, _ := l.get(); j != nil {
		j.Close()
	}
}
