package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// listFlag is a repeatable flag; each use may also carry a comma-separated
// list ("-C auth,secrets").
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// scanFlags are the flags of scan (and of its shorthands deps and tests).
type scanFlags struct {
	common          commonFlags
	changedOnly     bool
	base            string
	categories      listFlag
	rules           listFlag
	excludes        listFlag
	scanConfig      string
	noRepoConfig    bool
	failOn          string
	format          string
	output          string
	quiet           bool
	offline         bool
	proxy           string
	allowUnverified bool
	baseline        string
	writeBaseline   string
	inclSuppressed  bool
	minAssertions   int
	includeVendored bool
	omitRootURI     bool
	workers         int
	cpuProfile      string
}

func (f *scanFlags) register(fs *flag.FlagSet) {
	f.common.register(fs)
	fs.BoolVar(&f.changedOnly, "changed-only", false, "report only files changed against --base (plus untracked files)")
	fs.StringVar(&f.base, "base", "", "git base for --changed-only (default: merge-base with the remote's default branch, else HEAD)")
	fs.Var(&f.categories, "C", "category to run: dep, auth, secrets, tests (repeatable)")
	fs.Var(&f.categories, "category", "same as -C")
	fs.Var(&f.rules, "rule", "run only this rule ID (repeatable)")
	fs.Var(&f.excludes, "exclude", "glob of paths not to scan (repeatable)")
	fs.StringVar(&f.scanConfig, "scan-config", "", "scan configuration file (default: .vigil.yaml found upward from the scan root)")
	fs.BoolVar(&f.noRepoConfig, "no-repo-config", false, "ignore the repository's .vigil.yaml (CI gates)")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 1 on findings at or above: critical, high, medium, low, none (default high)")
	fs.StringVar(&f.format, "f", "text", "output format: text, json, sarif, markdown")
	fs.StringVar(&f.format, "format", "text", "same as -f")
	fs.StringVar(&f.output, "o", "", "write the report to this file instead of standard output")
	fs.StringVar(&f.output, "output", "", "same as -o")
	fs.BoolVar(&f.quiet, "quiet", false, "findings only: no progress, summary or notes")
	fs.BoolVar(&f.quiet, "q", false, "same as --quiet")
	fs.BoolVar(&f.offline, "offline", false, "no network at all: name-only dependency rules")
	fs.StringVar(&f.proxy, "proxy", "", "judge dependencies by asking a running vigil-proxy at this base URL")
	fs.BoolVar(&f.allowUnverified, "allow-unverified", false, "do not fail when a registry cannot be reached to verify a dependency")
	fs.StringVar(&f.baseline, "baseline", "", "do not report findings recorded in this baseline file")
	fs.StringVar(&f.writeBaseline, "write-baseline", "", "record every current finding in this baseline file")
	fs.BoolVar(&f.inclSuppressed, "include-suppressed", false, "list suppressed findings too (SARIF: with suppressions)")
	fs.IntVar(&f.minAssertions, "min-assertions", 0, "TEST-002: minimum meaningful assertions per test")
	fs.BoolVar(&f.includeVendored, "include-vendored", false, "also scan node_modules, virtualenvs, build output and minified bundles")
	fs.BoolVar(&f.omitRootURI, "omit-root-uri", false, "SARIF: leave the scan root's absolute path out")
	fs.IntVar(&f.workers, "workers", 0, "parallel workers (default: number of CPUs)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the scan to this file (go tool pprof)")
}

const scanUsage = `usage: vigil-proxy scan [flags] [PATH...]
       vigil-proxy deps  [flags] [PATH...]    (scan -C dep)
       vigil-proxy tests [flags] [PATH...]    (scan -C tests)

Checks a repository for what AI assistants get wrong: hallucinated and
risky dependencies (the proxy's own verdicts), open authentication,
placeholder secrets and tests that assert nothing.

PATH defaults to ".". One directory is the scan root. Files (for example from
pre-commit) or several paths limit the reported findings; facts that span
files always come from the whole tree.

Exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 error.

flags:
`

// runScan is `vigil-proxy scan`; preset categories serve `deps` and `tests`.
func runScan(ctx context.Context, name string, preset []string, args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f scanFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, scanUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(interleavedFlags(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	f.categories = append(f.categories, preset...)
	fail := func(err error) int {
		fmt.Fprintf(stderr, "vigil-proxy %s: %v\n", name, err)
		return exitUsage
	}
	if err := checkWorkers(f.workers); err != nil {
		return fail(err)
	}
	stopProfile, err := startCPUProfile(f.cpuProfile)
	if err != nil {
		return fail(err)
	}
	defer stopProfile()
	defer tuneGCForScan(getenv)()

	root, only, err := scanTargets(fs.Args())
	if err != nil {
		return fail(err)
	}
	var cats []scanner.Category
	for _, c := range f.categories {
		cat, ok := scanner.ParseCategory(c)
		if !ok {
			return fail(fmt.Errorf("unknown category %q (want dep, auth, secrets or tests)", c))
		}
		cats = append(cats, cat)
	}
	format, err := scanner.ParseFormat(f.format)
	if err != nil {
		return fail(err)
	}
	if f.offline && f.proxy != "" {
		return fail(errors.New("--offline and --proxy exclude each other"))
	}
	if f.minAssertions < 0 {
		return fail(errors.New("--min-assertions must be 0 or more"))
	}

	scanCfg := &scanner.Config{}
	switch {
	case f.scanConfig != "":
		if scanCfg, err = scanner.LoadConfig(f.scanConfig); err != nil {
			return fail(err)
		}
	case !f.noRepoConfig:
		if p, ok := scanner.FindConfig(root); ok {
			if scanCfg, err = scanner.LoadConfig(p); err != nil {
				return fail(err)
			}
		}
	}
	if !f.quiet {
		for _, w := range scanCfg.Warnings {
			fmt.Fprintln(stderr, "vigil-proxy scan: warning:", w)
		}
	}
	failOnText := f.failOn
	if failOnText == "" {
		failOnText = scanCfg.FailOn
	}
	if failOnText == "" {
		failOnText = "high"
	}
	failOn, err := scanner.ParseFailOn(failOnText)
	if err != nil {
		return fail(err)
	}

	cfg, err := f.common.load(getenv)
	if err != nil {
		return fail(err)
	}
	if scanCfg.Strategy != "" && f.proxy == "" {
		// The repository's strategy applies to direct and offline judgement;
		// a running proxy's policy always wins (a pull request cannot weaken
		// its own gate).
		cfg.Strategy = scanCfg.Strategy
	}
	log := newLogger(stderr, "warn", "text")

	var baseline *scanner.Baseline
	if f.baseline != "" {
		if baseline, err = scanner.LoadBaseline(f.baseline); err != nil {
			return fail(err)
		}
	}
	var notes []string
	if f.changedOnly {
		changed, warning, err := scanner.ChangedFiles(ctx, root, f.base)
		if err != nil {
			return fail(err)
		}
		if warning != "" {
			notes = append(notes, warning)
			if !f.quiet {
				fmt.Fprintln(stderr, "vigil-proxy scan: warning:", warning)
			}
		} else {
			only = intersectPaths(only, changed)
		}
	}

	analyzers, closeAll, err := buildAnalyzers(ctx, scanSetup{
		cfg: cfg, scanCfg: scanCfg, offline: f.offline, proxyURL: f.proxy,
		allowUnverified: f.allowUnverified, minAssertions: f.minAssertions,
		log: log, stderr: stderr, getenv: getenv,
	})
	if err != nil {
		return fail(err)
	}
	defer closeAll()

	opts := scanner.Options{
		Root: root, Only: only, Analyzers: analyzers, Config: scanCfg,
		Categories: cats, Rules: f.rules, Exclude: f.excludes,
		IncludeVendored: f.includeVendored, Workers: f.workers, Baseline: baseline, Logger: log,
	}
	if f.proxy != "" {
		opts.Locked = []string{"DEP-", "MAL-001"}
	}
	var bar *progressbar.ProgressBar
	if showProgress(stderr, f.quiet, getenv) {
		bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("scanning"),
			progressbar.OptionShowCount(), progressbar.OptionShowBytes(false), progressbar.OptionSpinnerType(14),
			progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100_000_000))
		opts.Progress = func(files, bytes int64) {
			bar.Describe(fmt.Sprintf("scanning: %d files, %s", files, humanSize(bytes)))
			_ = bar.Add(1)
		}
	}
	res, err := scanner.Scan(ctx, opts)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		fmt.Fprintf(stderr, "vigil-proxy %s: %v\n", name, err)
		return exitUsage
	}
	res.Notes = append(notes, res.Notes...)

	if f.writeBaseline != "" {
		if err := scanner.NewBaseline(res.Findings).WriteFile(f.writeBaseline); err != nil {
			return fail(err)
		}
	}
	wo := scanner.WriteOptions{
		ToolVersion: version, FailOn: failOn, Quiet: f.quiet,
		IncludeSuppressed: f.inclSuppressed, OmitRootURI: f.omitRootURI,
	}
	if err := writeReport(stdout, stderr, f.output, format, res, wo); err != nil {
		return fail(err)
	}
	if res.Failed(failOn) {
		return exitBlocked
	}
	return exitOK
}

// writeReport writes to -o (atomically) or standard output; with -o, a
// one-line summary still goes to standard error unless --quiet.
func writeReport(stdout, stderr io.Writer, output string, format scanner.Format, res *scanner.Result, wo scanner.WriteOptions) error {
	if output == "" || output == "-" {
		wo.Color = format == scanner.FormatText && writerIsTerminal(stdout)
		return scanner.Write(stdout, format, res, wo)
	}
	var buf bytes.Buffer
	if err := scanner.Write(&buf, format, res, wo); err != nil {
		return err
	}
	if err := scanner.WriteFileAtomic(output, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if !wo.Quiet {
		fmt.Fprintf(stderr, "vigil-proxy scan: %s report written to %s (%s)\n", format, output, countOf(len(res.Active()), "finding"))
	}
	return nil
}

// scanTargets turns PATH arguments into the scan root and the reported
// subset: one directory is the root; otherwise the root is the git work
// tree enclosing the current directory when every path lies in it (the
// pre-commit case), else the work tree enclosing the paths' common
// directory (or that directory), and the paths limit what is reported.
func scanTargets(args []string) (root string, only []string, err error) {
	if len(args) == 0 {
		args = []string{"."}
	}
	if len(args) == 1 {
		fi, err := os.Stat(args[0])
		if err != nil {
			return "", nil, fmt.Errorf("scan %s: %w", args[0], pathErr(err))
		}
		if fi.IsDir() {
			abs, err := filepath.Abs(args[0])
			return abs, nil, err
		}
	}
	abs := make([]string, len(args))
	for i, a := range args {
		if _, err := os.Stat(a); err != nil {
			return "", nil, fmt.Errorf("scan %s: %w", a, pathErr(err))
		}
		if abs[i], err = filepath.Abs(a); err != nil {
			return "", nil, err
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return "", nil, err
	}
	root = gitTopLevel(cwd)
	if !allUnder(root, abs) {
		common := filepath.Dir(abs[0])
		for _, a := range abs[1:] {
			for !isUnder(common, a) {
				common = filepath.Dir(common)
			}
		}
		root = gitTopLevel(common)
	}
	for _, a := range abs {
		rel, err := filepath.Rel(root, a)
		if err != nil {
			return "", nil, err
		}
		only = append(only, filepath.ToSlash(rel))
	}
	return root, only, nil
}

// isUnder reports whether path is dir or inside it.
func isUnder(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func allUnder(dir string, paths []string) bool {
	for _, p := range paths {
		if !isUnder(dir, p) {
			return false
		}
	}
	return true
}

func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func gitTopLevel(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// intersectPaths limits the reported set to changed files: with no
// explicit paths the changed files are the set; otherwise changed files
// under the given paths.
func intersectPaths(only, changed []string) []string {
	if changed == nil {
		changed = []string{}
	}
	if only == nil {
		return changed
	}
	out := []string{}
	for _, c := range changed {
		for _, o := range only {
			if o == "." || c == o || strings.HasPrefix(c, strings.TrimSuffix(o, "/")+"/") {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// interleavedFlags lets flags follow positional arguments
// ("scan src/ -C secrets"), using the flag set to know which flags take a
// value.
func interleavedFlags(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if fl := fs.Lookup(name); fl != nil && !isBoolFlag(fl) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// showProgress: a progress bar only on an interactive terminal, never in CI
// or when piped or quiet.
func showProgress(stderr io.Writer, quiet bool, getenv env) bool {
	if quiet {
		return false
	}
	if v, ok := getenv("CI"); ok && v != "" && v != "0" && !strings.EqualFold(v, "false") {
		return false
	}
	return writerIsTerminal(stderr)
}

func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func humanSize(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	}
	return strconv.FormatInt(n>>10, 10) + " KB"
}
