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
	"strings"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
	"github.com/vigil-proxy/vigil-proxy/pypi"
	"github.com/vigil-proxy/vigil-proxy/scanner/deps"
	"github.com/vigil-proxy/vigil-proxy/store"
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
		// name==1.0 (a version) or name>=2,<3 / name~=1.4 / name!=2 (a PEP
		// 440 specifier set, resolved as pip would).
		if i := strings.IndexAny(spec, "<>=!~"); i >= 0 {
			t.name, t.version = strings.TrimSpace(spec[:i]), strings.Join(strings.Fields(spec[i:]), "")
			if exact, ok := strings.CutPrefix(t.version, "=="); ok && !strings.ContainsAny(exact, ",*") {
				t.version = strings.TrimPrefix(exact, "=")
				if t.version == "" {
					return t, fmt.Errorf("%q: empty version after ==", spec)
				}
			} else if strings.TrimLeft(t.version, "<>=!~") == "" {
				return t, fmt.Errorf("%q: empty version after %s", spec, t.version)
			}
			if err := checkPEP440(spec, t.version); err != nil {
				return t, err
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

// checkPEP440 refuses what pip would refuse as a requirement: a version
// (from name==V) or specifier set that is not PEP 440. Arbitrary equality
// (name===V) takes any string.
func checkPEP440(spec, version string) error {
	if strings.Contains(spec, "===") {
		return nil
	}
	if !strings.ContainsAny(version, "<>=!~") { // name==V, V kept alone
		if !pypi.IsValidVersion(version) {
			return fmt.Errorf("%q: %q is not a PEP 440 version", spec, version)
		}
		return nil
	}
	if err := policy.ValidateConstraint(policy.PyPI, version); err != nil {
		return fmt.Errorf("%q: %q is not a PEP 440 specifier set such as >=2,<3", spec, version)
	}
	return nil
}

func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var common commonFlags
	common.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per name (JSON Lines)")
	proxyURL := fs.String("proxy", "", "ask a running vigil-proxy at this base URL (e.g. http://127.0.0.1:8080)")
	offline := fs.Bool("offline", false, "judge names only (typosquat, corpus popularity and removed malware, lists, watchlist) without any network")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: vigil-proxy check [flags] ECOSYSTEM NAME[==VERSION|SPECIFIER|@VERSION|@RANGE|@TAG]... 
       vigil-proxy check [flags] ECOSYSTEM -      (names on stdin, one per line)

Exit status: 0 every name allowed (or warned), 1 at least one blocked, 2 error.

flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return parseFailed(err)
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
	if *offline && *proxyURL != "" {
		fmt.Fprintln(stderr, "vigil-proxy check: --offline and --proxy exclude each other")
		return exitUsage
	}
	log := newLogger(stderr, "warn", "text")
	var j *verdictJudge
	switch {
	case *proxyURL != "":
		j, err = newRemoteJudge(*proxyURL)
	case *offline:
		j, err = newOfflineJudge(cfg, log)
	default:
		j, err = newDirectJudge(ctx, cfg, log, directOptions{})
	}
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy check:", err)
		return exitUsage
	}
	defer j.Close()
	return checkAll(ctx, j, targets, *asJSON, stdout, stderr)
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

// checkAll judges every target with one call to the judge (the same
// interface scan uses), prints each result and returns the exit code: 2 if
// any could not be judged, else 1 if any was blocked, else 0.
func checkAll(ctx context.Context, j deps.Judge, targets []checkTarget, asJSON bool, stdout, stderr io.Writer) int {
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	var qs []deps.Query
	for _, t := range targets {
		if t.err == nil {
			qs = append(qs, deps.Query{Ecosystem: deps.Ecosystem(t.eco), Name: t.name, Spec: t.version})
		}
	}
	var answers []deps.Answer
	if len(qs) > 0 {
		var err error
		answers, err = j.Judge(ctx, qs)
		if err != nil {
			answers = make([]deps.Answer, len(qs))
			for i, q := range qs {
				answers[i] = deps.Answer{Query: q, Unverified: err.Error()}
			}
		}
	}
	var notes []string
	if n, ok := j.(deps.Noter); ok {
		notes = n.Notes()
	}
	enc := json.NewEncoder(w)
	code := exitOK
	next := 0
	for _, t := range targets {
		var rep policy.Report
		errMsg := ""
		if t.err != nil {
			errMsg = t.err.Error()
		} else {
			ans := answers[next]
			next++
			if r, ok := ans.Detail.(policy.Report); ok {
				rep = r
			}
			errMsg = ans.Unverified
		}
		if errMsg != "" {
			code = exitUsage
			rep = policy.Report{Ecosystem: t.eco, Name: t.name, Version: t.version, Verdict: policy.Block,
				Findings: []policy.Finding{}, Error: errMsg, Notes: rep.Notes}
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
	if !asJSON {
		for _, n := range notes {
			fmt.Fprintf(w, "note: %s\n", n)
		}
	}
	return code
}

func printReport(w io.Writer, rep policy.Report) {
	subject := string(rep.Ecosystem) + " " + rep.Name
	if rep.Version != "" {
		subject += " " + rep.Version
	}
	if rep.Requested != "" {
		subject += " (" + rep.Requested + " resolves to " + rep.Version + ")"
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

// offlineChecker evaluates the name-only rules with no network at all.
type offlineChecker struct {
	engine *policy.Engine
	names  *names.Index
	signal *popularitySignals
	watch  store.WatchStore
	legacy *npm.LegacyNames // npm names with capitals that exist
	// private: npm.private, names never resolved upstream
	private []string
	close   func() error
}

// newOfflineChecker builds the name-only rules; locked reports that the
// data directory's store exists but could not be opened (a running serve
// holds it), so its lists and watchlist are not consulted.
func newOfflineChecker(cfg Config, log *slog.Logger) (oc *offlineChecker, locked bool, err error) {
	ix, err := loadIndex(cfg, true, log)
	if err != nil {
		return nil, false, err
	}
	entries, err := cfg.listEntries()
	if err != nil {
		return nil, false, err
	}
	settings, err := cfg.settings()
	if err != nil {
		return nil, false, err
	}
	oc = &offlineChecker{names: ix, signal: newPopularitySignals(cfg, ix, true, log), legacy: npm.LoadLegacyNames(),
		private: cfg.NPM.Private, close: func() error { return nil }}
	var lists policy.Lists = policy.StaticLists(entries)
	bs, storeLists, status := openStoreLists(cfg, entries, log)
	if status == storeFree {
		oc.watch, oc.close, lists = bs, bs.Close, storeLists
	}
	locked = status == storeLocked
	if settings.Malware, err = openMalwareFeed(context.Background(), cfg, log, nil); err != nil {
		oc.close()
		return nil, false, err
	}
	core, err := policy.CoreRules(settings, ix)
	if err != nil {
		return nil, false, err
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
	return oc, locked, nil
}

func (oc *offlineChecker) check(ctx context.Context, t checkTarget) (policy.Report, error) {
	name, err := canonicalName(t.eco, t.name)
	if err != nil {
		return policy.Report{}, err
	}
	if t.eco == policy.NPM {
		// a private name is never resolved upstream: refused as online
		if pattern, private := npm.MatchPrivate(oc.private, t.name); private {
			return npm.PrivateDecision(t.name, t.version, pattern).Report(), nil
		}
	}
	pkg := &policy.Package{Ecosystem: t.eco, Name: name, Exists: true}
	watchKey := name
	caseOnly := false
	if t.eco == policy.NPM {
		// The watchlist keeps npm names exactly as they were refused.
		watchKey = t.name
		// npm names are case-sensitive and new ones must be lower-case, so
		// a spelling with capitals exists only as a legacy package. Online
		// the registry answers for the exact spelling (LODASH: does not
		// exist); offline the known legacy names stand in for it, rather
		// than judging the lower-case name (lodash) in its place.
		if npm.HasCapitals(t.name) && !oc.legacy.Known(t.name) {
			pkg.Name, pkg.Exists, caseOnly = t.name, false, true
		}
	}
	if !caseOnly && oc.names.Removed(t.eco, name) {
		// the corpus lists it as taken down as malware (npm's security
		// holding package): MAL-001, as online
		pkg.Status = policy.StatusSecurityHolding
	}
	pkg.Signals = oc.signal.Signals(ctx, t.eco, pkg.Name)
	if oc.watch != nil {
		if w, err := oc.watch.Watched(ctx, t.eco, watchKey); err == nil {
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
	if caseOnly && !pkg.Exists {
		for i, f := range d.Findings {
			if f.Rule == policy.RuleNonexistent {
				d.Findings[i].Reason += fmt.Sprintf(" (judged offline: npm names are case-sensitive and new ones must be lower-case, "+
					"and `%s` is none of the %d legacy mixed-case names known)", t.name, oc.legacy.Len())
			}
		}
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
