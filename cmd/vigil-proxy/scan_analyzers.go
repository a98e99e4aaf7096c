package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/auth"
	"github.com/vigil-proxy/vigil-proxy/scanner/secrets"
	"github.com/vigil-proxy/vigil-proxy/scanner/testquality"
)

// scanSetup is what analyzer constructors may use: the proxy configuration
// (strategy, lists, upstreams, data directory), the repository's scan
// configuration and the mode flags.
type scanSetup struct {
	cfg             Config          // the proxy's configuration (--config, VIGIL_*)
	scanCfg         *scanner.Config // .vigil.yaml (empty with --no-repo-config)
	offline         bool            // --offline: no network at all
	proxyURL        string          // --proxy: ask a running vigil-proxy
	allowUnverified bool            // --allow-unverified
	minAssertions   int             // --min-assertions (TEST-002), 0 = rule default
	log             *slog.Logger
	stderr          io.Writer
	getenv          env
}

// buildAnalyzers returns fresh analyzers for one scan. Each family is built
// by its own constructor; a constructor error is a configuration error
// (exit 2). The returned close function releases what they hold.
func buildAnalyzers(ctx context.Context, s scanSetup) (analyzers []scanner.Analyzer, closeAll func(), err error) {
	var closers []func()
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	minAssertions := s.scanCfg.IntOption(testquality.TrivialAssertions.ID, "min_assertions", 1)
	if s.minAssertions > 0 {
		minAssertions = s.minAssertions
	}
	analyzers = append(analyzers, testquality.New(testquality.Options{MinAssertions: minAssertions}))

	// SEC-001..006: secret rules (lists extended by .vigil.yaml)
	sec, err := secrets.New(secrets.OptionsFromConfig(s.scanCfg))
	if err != nil {
		return nil, closeAll, fmt.Errorf("secret rules: %w", err)
	}
	analyzers = append(analyzers, sec)

	// AUTH-001..007: routes, JWT, signing secrets, CORS, cookies, timing;
	// AUTH-004 shares the secret rules' known-public list.
	analyzers = append(analyzers, auth.New(auth.Options{Config: s.scanCfg, KnownPublic: sec.KnownPublic}))

	// Dependency rules (DEP-000..005, DEP-007, DEP-008, MAL-001: scanner/deps)
	// and DEP-006 (scanner/imports) over the same declarations and verdicts.
	depAnalyzers, closeDeps, err := newDepAnalyzers(ctx, s)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	closers = append(closers, closeDeps)
	analyzers = append(analyzers, depAnalyzers...)

	return analyzers, closeAll, nil
}
