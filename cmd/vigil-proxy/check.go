package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
	"github.com/vigil-proxy/vigil-proxy/pypi"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// checkTarget is one name (and optional version) to judge.
type checkTarget struct {
	eco     policy.Ecosystem
	name    string
	version string
	// err is a problem with this line of input: reported as this name's
	// result without stopping the others.
	err error
}

// maxStdinLine bounds one line of names on stdin; a longer line is an error
// for that line only.
const maxStdinLine = 64 << 10

// parseTarget splits "name==1.0" (PyPI) or "name@1.0" / "@scope/name@1.0"
// (npm).
func parseTarget(eco policy.Ecosystem, spec string) (checkTarget, error) {
	spec = strings.TrimSpace(spec)
	t := checkTarget{eco: eco, name: spec}
	if spec == "" {
		return t, errors.New("empty package name")
	}
	switch eco {
	case policy.PyPI:
		if name, ver, ok := strings.Cut(spec, "=="); ok {
			t.name, t.version = strings.TrimSpace(name), strings.TrimSpace(strings.TrimPrefix(ver, "="))
			if t.version == "" {
				return t, fmt.Errorf("%q: empty version after ==", spec)
			}
		}
	case policy.NPM:
		if i := strings.LastIndex(spec, "@"); i > 0 {
			t.name, t.version = spec[:i], spec[i+1:]
			if t.version == "" {
				return t, fmt.Errorf("%q: empty version after @", spec)
			}
		}
	}
	return t, nil
}

// checker judges one target.
type checker interface {
	check(ctx context.Context, t checkTarget) (policy.Report, error)
}

func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per name (JSON Lines)")
	proxyURL := fs.String("proxy", "", "ask a running vigil-proxy at this base URL (e.g. http://127.0.0.1:8080)")
	offline := fs.Bool("offline", false, "judge names only (typosquat, snapshot popularity, watchlist) without any network")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: vigil-proxy check [flags] ECOSYSTEM NAME[==VERSION|@VERSION]... 
       vigil-proxy check [flags] ECOSYSTEM -      (names on stdin, one per line)

Exit status: 0 every name allowed (or warned), 1 at least one blocked, 2 error.

flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) < 2 {
		fs.Usage()
		return exitUsage
	}
	eco, err := policy.ParseEcosystem(rest[0])
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy check:", err)
		return exitUsage
	}
	targets, err := readTargets(eco, rest[1:], stdin)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy check:", err)
		return exitUsage
	}
	cfg, err := common.load(getenv)
	if err == nil {
		err = cfg.validate()
	}
	if err != nil {
		fmt.Fprintf(stderr, "vigil-proxy check: invalid configuration:\n%v\n", err)
		return exitUsage
	}
	log := newLogger(stderr, "warn", "text")
	var ch checker
	switch {
	case *proxyURL != "":
		ch, err = newRemoteChecker(*proxyURL)
	case *offline:
		ch, err = newOfflineChecker(cfg, log)
	default:
		ch, err = newDirectChecker(ctx, cfg, log)
	}
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy check:", err)
		return exitUsage
	}
	if c, ok := ch.(io.Closer); ok {
		defer c.Close()
	}
	return checkAll(ctx, ch, targets, *asJSON, stdout, stderr)
}

// reorderFlags lets flags follow positional arguments
// ("check pypi requests --json").
func reorderFlags(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-" || !strings.HasPrefix(a, "-") {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		if !strings.Contains(a, "=") && (a == "--proxy" || a == "-proxy" || a == "--config" || a == "-config" || a == "--data-dir" || a == "-data-dir") && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}

func readTargets(eco policy.Ecosystem, specs []string, stdin io.Reader) ([]checkTarget, error) {
	var out []checkTarget
	for _, s := range specs {
		if s != "-" {
			t, err := parseTarget(eco, s)
			t.err = err
			out = append(out, t)
			continue
		}
		br := bufio.NewReader(stdin)
		for line := 1; ; line++ {
			raw, tooLong, err := readLine(br, maxStdinLine)
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("read stdin: %w", err)
			}
			text := strings.TrimSpace(raw)
			switch {
			case tooLong:
				out = append(out, checkTarget{eco: eco, name: text[:min(len(text), 64)] + "...",
					err: fmt.Errorf("stdin line %d: longer than %d bytes", line, maxStdinLine)})
			case text == "" || strings.HasPrefix(text, "#"):
			default:
				t, perr := parseTarget(eco, text)
				if perr != nil {
					t.err = fmt.Errorf("stdin line %d: %w", line, perr)
				}
				out = append(out, t)
			}
			if err != nil { // io.EOF
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no package names given")
	}
	return out, nil
}

// readLine reads one line (without its newline) of at most limit bytes; a
// longer line is consumed whole and reported with tooLong. err is io.EOF
// with the last line.
func readLine(br *bufio.Reader, limit int) (line string, tooLong bool, err error) {
	var b []byte
	overflow := false
	for {
		chunk, err := br.ReadSlice('\n')
		if room := limit + 2 - len(b); len(chunk) > room { // +2: CRLF
			chunk, overflow = chunk[:max(0, room)], true
		}
		b = append(b, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = strings.TrimRight(string(b), "\r\n")
		if overflow || len(line) > limit {
			return line[:min(len(line), limit)], true, err
		}
		return line, false, err
	}
}

// checkAll judges every target, prints each result and returns the exit
// code: 2 if any failed, else 1 if any was blocked, else 0.
func checkAll(ctx context.Context, ch checker, targets []checkTarget, asJSON bool, stdout, stderr io.Writer) int {
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	code := exitOK
	for _, t := range targets {
		rep, err := policy.Report{}, t.err
		if err == nil {
			rep, err = ch.check(ctx, t)
		}
		if err != nil {
			code = exitUsage
			rep = policy.Report{Ecosystem: t.eco, Name: t.name, Version: t.version, Verdict: policy.Block, Findings: []policy.Finding{}, Error: err.Error()}
		} else if rep.Verdict == policy.Block && code == exitOK {
			code = exitBlocked
		}
		if asJSON {
			if err := enc.Encode(rep); err != nil {
				fmt.Fprintln(stderr, "vigil-proxy check:", err)
				return exitUsage
			}
			continue
		}
		printReport(w, rep)
	}
	return code
}

func printReport(w io.Writer, rep policy.Report) {
	subject := string(rep.Ecosystem) + " " + rep.Name
	if rep.Version != "" {
		subject += " " + rep.Version
	}
	if rep.Error != "" {
		fmt.Fprintf(w, "ERROR %s: %s\n", subject, rep.Error)
		return
	}
	fmt.Fprintf(w, "%s %s\n", strings.ToUpper(rep.Verdict.String()), subject)
	if rep.List != nil {
		fmt.Fprintf(w, "  %slisted (%s): %s\n", rep.List.Kind, rep.List.Source, rep.List.Reason)
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(w, "  %s %-5s %s\n", f.Rule, f.Verdict, f.Reason)
	}
}

// remoteChecker asks a running proxy's /api/v1/check endpoint.
type remoteChecker struct {
	base   *url.URL
	client *http.Client
}

func newRemoteChecker(raw string) (*remoteChecker, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--proxy %q: want a base URL such as http://127.0.0.1:8080", raw)
	}
	return &remoteChecker{base: u, client: &http.Client{Timeout: 60 * time.Second}}, nil
}

func (rc *remoteChecker) check(ctx context.Context, t checkTarget) (policy.Report, error) {
	u := *rc.base
	u.Path += "/api/v1/check/" + string(t.eco) + "/" + t.name
	u.RawPath = rc.base.Path + "/api/v1/check/" + string(t.eco) + "/" + url.PathEscape(t.name)
	if t.version != "" {
		u.RawQuery = url.Values{"version": {t.version}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return policy.Report{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := rc.client.Do(req)
	if err != nil {
		return policy.Report{}, fmt.Errorf("ask %s: %w", rc.base.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return policy.Report{}, fmt.Errorf("read answer from %s: %w", rc.base.Redacted(), err)
	}
	var rep policy.Report
	if err := json.Unmarshal(body, &rep); err != nil || rep.Name == "" {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		if e.Error == "" {
			e.Error = strings.TrimSpace(string(body))
		}
		return policy.Report{}, fmt.Errorf("%s answered %d: %s", rc.base.Redacted(), resp.StatusCode, e.Error)
	}
	if rep.Error != "" {
		return rep, errors.New(rep.Error)
	}
	return rep, nil
}

// directChecker builds the proxy stack in-process and judges against
// upstream directly.
type directChecker struct {
	st *stack
	// stop ends the audit recorder's Run and waits for it (nil without a
	// store).
	stop func() error
}

func newDirectChecker(ctx context.Context, cfg Config, log *slog.Logger) (*directChecker, error) {
	cacheDir, err := os.MkdirTemp("", "vigil-check-")
	if err != nil {
		return nil, fmt.Errorf("create cache directory: %w", err)
	}
	opts := stackOptions{cacheDir: cacheDir, noStore: !storeAvailable(cfg)}
	st, err := buildStack(ctx, cfg, log, opts)
	if err != nil {
		os.RemoveAll(cacheDir)
		return nil, err
	}
	st.closers = append([]func() error{func() error { return os.RemoveAll(cacheDir) }}, st.closers...)
	d := &directChecker{st: st}
	if st.recorder != nil {
		// A bulk check records more events than the recorder buffers: write
		// them as they come, as serve does.
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan error, 1)
		go func() { done <- st.recorder.Run(rctx) }()
		d.stop = func() error {
			cancel()
			return <-done
		}
	}
	return d, nil
}

func (d *directChecker) check(ctx context.Context, t checkTarget) (policy.Report, error) {
	return d.st.proxy.Check(ctx, t.eco, t.name, t.version)
}

func (d *directChecker) Close() error {
	var err error
	if d.stop != nil {
		err = d.stop() // Run writes what is still queued before returning
	}
	return errors.Join(err, d.st.Close())
}

// storeAvailable reports whether the data directory's store exists and is
// not locked by a running server (check then shares its watchlist).
func storeAvailable(cfg Config) bool {
	path := filepath.Join(cfg.dataDir(), "store.db")
	if _, err := os.Stat(path); err != nil {
		return false
	}
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		return false
	}
	st.Close()
	return true
}

// offlineChecker evaluates the name-only rules with no network at all.
type offlineChecker struct {
	engine *policy.Engine
	signal *popularitySignals
	watch  store.WatchStore
	close  func() error
}

func newOfflineChecker(cfg Config, log *slog.Logger) (*offlineChecker, error) {
	ix, err := loadIndex(cfg)
	if err != nil {
		return nil, err
	}
	entries, err := cfg.listEntries()
	if err != nil {
		return nil, err
	}
	settings, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	oc := &offlineChecker{signal: newPopularitySignals(cfg, ix, true, log), close: func() error { return nil }}
	var lists policy.Lists = policy.StaticLists(entries)
	if storeAvailable(cfg) {
		bs, err := boltstore.Open(filepath.Join(cfg.dataDir(), "store.db"), boltstore.Options{Logger: log})
		if err == nil {
			oc.watch, oc.close = bs, bs.Close
			lists = store.NewLists(entries, bs, time.Minute)
		}
	}
	if settings.Malware, err = openMalwareFeed(context.Background(), cfg, log); err != nil {
		return nil, err
	}
	core, err := policy.CoreRules(settings, ix)
	if err != nil {
		return nil, err
	}
	var bindings []policy.Binding
	for _, b := range core {
		// DEP-001: only its watchlist half applies (the name is assumed to
		// exist); MAL-001: the last synced malware index.
		if id := b.Rule.Info().ID; id == policy.RuleNonexistent || id == policy.RuleMalicious {
			bindings = append(bindings, b)
		}
	}
	bindings = append(bindings,
		policy.Binding{Rule: names.TyposquatRule(ix), Action: settings.Action(policy.RuleTyposquat)},
		policy.Binding{Rule: names.UnpopularRule(settings.MinWeeklyDownloads, settings.UnknownPopularity), Action: settings.Action(policy.RuleUnpopular)},
	)
	oc.engine = policy.NewEngine(bindings, lists)
	return oc, nil
}

func (oc *offlineChecker) check(ctx context.Context, t checkTarget) (policy.Report, error) {
	name, err := canonicalName(t.eco, t.name)
	if err != nil {
		return policy.Report{}, err
	}
	pkg := &policy.Package{Ecosystem: t.eco, Name: name, Exists: true}
	pkg.Signals = oc.signal.Signals(ctx, t.eco, name)
	if oc.watch != nil {
		if w, err := oc.watch.Watched(ctx, t.eco, name); err == nil {
			pkg.Signals.Watchlisted = &policy.WatchFact{FirstSeen: w.FirstSeen, LastSeen: w.LastSeen, Count: w.Count}
			// The watchlist is the only offline knowledge of existence: a
			// name that has not appeared upstream since did not exist at
			// the last look.
			pkg.Exists = !w.Appeared.IsZero()
		}
	}
	d, err := oc.engine.EvaluatePackage(ctx, pkg, time.Now())
	if err == nil && t.version != "" && !d.Blocked() {
		rel := policy.Release{Version: t.version}
		pkg.Releases = []policy.Release{rel}
		d, err = oc.engine.EvaluateArtifact(ctx, pkg, &pkg.Releases[0], nil, time.Now())
	}
	if err != nil {
		return policy.Report{}, err
	}
	d.Ref.Version = t.version
	return d.Report(), nil
}

func (oc *offlineChecker) Close() error { return oc.close() }

// canonicalName validates and canonicalises a name for its ecosystem.
func canonicalName(eco policy.Ecosystem, name string) (string, error) {
	switch eco {
	case policy.PyPI:
		if !pypi.ValidName(name) {
			return "", fmt.Errorf("%w: %q is not a valid Python project name", policy.ErrInvalidName, name)
		}
		return pypi.Normalize(name), nil
	case policy.NPM:
		if err := npm.ValidName(name); err != nil {
			return "", err
		}
		return npm.Canonical(name), nil
	}
	return "", fmt.Errorf("unknown ecosystem %q", eco)
}
