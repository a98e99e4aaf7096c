package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigil-proxy/vigil-proxy/admin"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// shutdownGrace bounds how long in-flight requests (downloads) may take to
// finish after SIGTERM.
const shutdownGrace = 30 * time.Second

// commonFlags are the flags every subcommand that loads config accepts.
type commonFlags struct {
	config  string
	dataDir string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "YAML config file (env VIGIL_CONFIG)")
	fs.StringVar(&c.dataDir, "data-dir", "", "state directory (env VIGIL_DATA_DIR)")
}

// load reads the config and applies the common flags.
func (c *commonFlags) load(getenv env) (Config, error) {
	cfg, err := loadConfig(c.config, getenv)
	if err != nil {
		return cfg, err
	}
	if c.dataDir != "" {
		cfg.DataDir = c.dataDir
	}
	return cfg, nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var common commonFlags
	common.register(fs)
	listen := fs.String("listen", "", "registry listen address (env VIGIL_LISTEN, default 127.0.0.1:8080)")
	adminListen := fs.String("admin-listen", "", "admin listen address (env VIGIL_ADMIN_LISTEN, default 127.0.0.1:8081)")
	logLevel := fs.String("log-level", "", "debug | info | warn | error (env VIGIL_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	if strayArgument("serve", fs.Args(), stderr) {
		return exitUsage
	}
	cfg, err := common.load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy:", err)
		return exitUsage
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	if *adminListen != "" {
		cfg.Admin.Listen = *adminListen
	}
	if *logLevel != "" {
		cfg.Log.Level = *logLevel
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(stderr, "vigil-proxy: invalid configuration:\n%v\n", err)
		return exitUsage
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	for _, u := range unknownVariables(os.Environ()) {
		log.Warn("environment variable ignored: not a vigil-proxy setting", "variable", u.Name, "hint", u.Hint)
	}
	if err := serve(ctx, cfg, log, getenv); err != nil {
		var se *startupError
		if errors.As(err, &se) {
			// Nothing was served: one line that says what to do.
			fmt.Fprintln(stderr, "vigil-proxy: cannot start:", se)
			return exitUsage
		}
		log.Error("vigil-proxy stopped", "error", err)
		return exitUsage
	}
	return exitOK
}

// serve runs the proxy until ctx is cancelled, then shuts down gracefully.
func serve(ctx context.Context, cfg Config, log *slog.Logger, getenv env) error {
	return serveWithGrace(ctx, cfg, log, getenv, shutdownGrace)
}

// serveWithGrace is serve with the time in-flight requests get after ctx
// is cancelled; requests still running then are cut.
func serveWithGrace(ctx context.Context, cfg Config, log *slog.Logger, getenv env, grace time.Duration) error {
	st, err := buildStack(ctx, cfg, log, stackOptions{})
	if err != nil {
		return asStartupError(err)
	}
	defer st.Close()

	// Everything that can fail is done before any goroutine starts, so a
	// failure (a busy port) leaves nothing running behind.
	var adminSrv *admin.Server
	if cfg.Admin.Listen != "" {
		adminSrv, err = buildAdmin(cfg, st, log, getenv)
		if errors.Is(err, errNoAdminCredentials) {
			log.Warn("admin surface disabled: no credentials configured; set VIGIL_ADMIN_TOKEN (or VIGIL_ADMIN_TOKEN_FILE) or VIGIL_ADMIN_PASSWORD_HASH (create one with: vigil-proxy admin hash-password)")
		} else if err != nil {
			return asStartupError(err)
		}
	}
	registry := requireMalware(st.malware, st.proxy.Handler())
	var notifyMalware func(store.Event)
	if adminSrv != nil {
		st.proxy.SetOnBlock(adminSrv.NotifyBlock)
		notifyMalware = func(ev store.Event) { adminSrv.NotifyMalwareAlert(ev) }
	}
	if err := wireMalwareAlerts(cfg, st, notifyMalware, log); err != nil {
		return err
	}
	// inflight counts running handlers, hijacked ones included (which
	// Shutdown does not track), so audit events they record are flushed.
	var inflight atomic.Int64
	servers := []*http.Server{newHTTPServer(cfg.Listen, tracked(&inflight, registry), log)}
	if adminSrv != nil {
		servers = append(servers, newHTTPServer(cfg.Admin.Listen, tracked(&inflight, adminSrv.Handler()), log))
	}
	listeners := make([]net.Listener, 0, len(servers))
	for _, srv := range servers {
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return &startupError{what: "listen " + srv.Addr, err: err,
				fix: "stop what uses the address, or choose another with --listen / --admin-listen (VIGIL_LISTEN, VIGIL_ADMIN_LISTEN)"}
		}
		listeners = append(listeners, ln)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return st.recorder.Run(gctx) })
	g.Go(func() error { return st.cache.Run(gctx) })
	g.Go(func() error { return st.watchChanges(gctx) })
	if cfg.Malware.FeedURL != "" || st.malware.Shared() {
		g.Go(func() error { return st.malware.Run(gctx) })
	}
	g.Go(func() error { return runArtifactScrub(gctx, st.artifacts) })
	g.Go(func() error { st.signals.probe(gctx); return nil })
	g.Go(func() error {
		if n, err := st.proxy.VerifyWatchlist(gctx); err != nil && gctx.Err() == nil {
			log.Warn("watchlist verification failed; entries are still checked when consulted", "error", err)
		} else if n > 0 {
			log.Info("watchlist verified: cleared entries for packages that predate their first refusal", "cleared", n)
		}
		return nil
	})
	if cfg.Audit.RetentionDays > 0 || cfg.Audit.MaxMB > 0 {
		opts := store.RetentionOptions{Retention: time.Duration(cfg.Audit.RetentionDays) * 24 * time.Hour,
			MaxBytes: cfg.Audit.MaxMB << 20, Logger: log, OnPruned: st.proxy.AuditPruned}
		g.Go(func() error { return store.RunRetention(gctx, st.store, opts) })
	}
	if adminSrv != nil {
		g.Go(func() error { return adminSrv.Run(gctx) })
	}
	for i, srv := range servers {
		ln := listeners[i]
		name := "registry"
		if i == 1 {
			name = "admin"
		}
		log.Info("listening", "listener", name, "addr", ln.Addr().String(), "config", cfg)
		g.Go(func() error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("%s listener: %w", name, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down: finishing in-flight requests", "grace", grace)
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), grace)
		defer cancel()
		var errs []error
		for _, srv := range servers {
			errs = append(errs, srv.Shutdown(sctx))
		}
		if err := errors.Join(errs...); err != nil {
			// Past the grace: cut what is left (cancelling its context)
			// and give its handlers a moment to return and record.
			log.Warn("shutdown grace exceeded: closing remaining connections", "error", err)
			for _, srv := range servers {
				srv.Close()
			}
			waitIdle(&inflight, 5*time.Second)
			return fmt.Errorf("shutdown: %w", err)
		}
		return nil
	})
	err = g.Wait()
	waitIdle(&inflight, 5*time.Second)
	// Decisions made while in-flight requests finished are still buffered,
	// and so are the counts of aggregated allows.
	st.proxy.FlushAudit()
	if ferr := st.recorder.Flush(context.WithoutCancel(ctx)); ferr != nil {
		log.Error("audit flush failed", "error", ferr)
	}
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		log.Info("stopped")
		return nil
	}
	return err
}

// tracked counts h's running handlers in n.
func tracked(n *atomic.Int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		defer n.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// waitIdle waits until no handler counted by n runs, at most d.
func waitIdle(n *atomic.Int64, d time.Duration) {
	for deadline := time.Now().Add(d); n.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}

func newHTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Registry clients send small headers; every request's User-Agent
		// reaches the audit trail.
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// HTTP/2 is not offered in clear text; over HTTP/1.1 the custom
		// reason phrases that pip, pnpm and yarn print are available.
		TLSNextProto: nil,
	}
}

var errNoAdminCredentials = errors.New("no admin credentials")

// secret reads NAME or the file named by NAME_FILE; both set is an error
// (which one would win is not something to guess about a credential).
func secret(getenv env, name string) (string, error) {
	v, _ := getenv(name)
	path, _ := getenv(name + "_FILE")
	switch {
	case v != "" && path != "":
		return "", fmt.Errorf("%s and %s_FILE are both set: use one", name, name)
	case v != "":
		return strings.TrimSpace(v), nil
	case path != "":
		return readSecretFile(name+"_FILE", path)
	}
	return "", nil
}
