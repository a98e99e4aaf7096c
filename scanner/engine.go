// Package scanner is the engine of `vigil-proxy scan`: it walks a tree
// (honouring .gitignore and skipping vendored and generated code), hands
// each file once read and parsed to the analyzers that want it, applies the
// configuration, inline suppressions and the baseline, and returns the
// findings for the writers (text, JSON, SARIF, markdown).
package scanner

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// defaultMaxFileSize bounds the files the scanner reads (1 MiB, as
// scanner-rules.md §6 advises): larger sources are reported and skipped.
const defaultMaxFileSize = 1 << 20

// Options configure one scan.
type Options struct {
	// Root is the directory scanned; cross-file facts always come from the
	// whole root.
	Root string
	// Only limits the *reported* findings to these slash paths (files or
	// directories relative to Root): pre-commit file arguments,
	// --changed-only. Nil reports everything.
	Only []string
	// Analyzers are the analyzers of this scan (fresh values: they keep
	// per-scan state).
	Analyzers []Analyzer
	// Config is the scan configuration (.vigil.yaml merged with flags).
	Config *Config
	// Categories and Rules restrict the rules run (-C, --rule); empty means
	// every enabled rule.
	Categories []Category
	Rules      []string
	// Exclude are extra globs (--exclude).
	Exclude []string
	// MaxFileSize bounds each file read (default 1 MiB).
	MaxFileSize int64
	// IncludeVendored keeps node_modules, virtualenvs, dist/build output and
	// minified bundles (benchmarks).
	IncludeVendored bool
	// Workers is the number of parallel workers (default GOMAXPROCS).
	Workers int
	// Baseline hides findings already accepted.
	Baseline *Baseline
	// Locked lists rule IDs (or prefixes ending in "-", e.g. "DEP-") whose
	// findings neither inline suppressions, the baseline nor the
	// configuration's exclude globs may hide: with --proxy the proxy's
	// policy decides the dependency verdicts, not the repository under
	// review.
	Locked []string
	// Progress, when set, is told of every file done (for a progress bar).
	Progress func(files int64, bytes int64)
	// Logger receives debug details; nil discards.
	Logger *slog.Logger
	// IgnoreTreeFilters parses every code file, whatever the analyzers'
	// TreeFilters say (tests check that the filters change no finding).
	IgnoreTreeFilters bool

	excludes []string
	// softExcludes are the configuration's exclude globs when rules are
	// locked: their files are still scanned, and only findings of the
	// locked rules are kept there.
	softExcludes []string
}

// FileError is a per-file problem (unreadable, too large, binary,
// unparsable, an analyzer's error); never fatal.
type FileError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Stats summarise a scan.
type Stats struct {
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// ParsedFiles and ParsedBytes count the code files the engine parsed
	// (the others no analyzer needed a syntax tree of).
	ParsedFiles int           `json:"parsed_files"`
	ParsedBytes int64         `json:"parsed_bytes"`
	Duration    time.Duration `json:"-"`
	Millis      int64         `json:"duration_ms"`
}

// Result is the outcome of a scan.
type Result struct {
	Root string
	// Findings are the reported findings (suppressed ones included, marked),
	// sorted by path and line.
	Findings []Finding
	Errors   []FileError
	// Notes are scan-wide remarks shown to the user (e.g. "existence not
	// checked: offline").
	Notes []string
	// Rules is the metadata of every rule that ran.
	Rules Catalogue
	Stats Stats
}

// Active returns the findings that are not suppressed.
func (r *Result) Active() []Finding {
	out := make([]Finding, 0, len(r.Findings))
	for _, f := range r.Findings {
		if f.Suppressed == nil {
			out = append(out, f)
		}
	}
	return out
}

// Counts returns the number of active findings per severity.
func (r *Result) Counts() map[Severity]int {
	c := map[Severity]int{}
	for _, f := range r.Findings {
		if f.Suppressed == nil {
			c[f.Severity]++
		}
	}
	return c
}

// Failed reports whether any active finding is at or above the bar.
func (r *Result) Failed(bar FailOn) bool {
	for _, f := range r.Findings {
		if f.Suppressed == nil && bar.Fails(f.Severity) {
			return true
		}
	}
	return false
}

// Scan runs the analyzers over the tree.
func Scan(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("scan root: %w", err)
	}
	if fi, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("scan root: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("scan root %s: not a directory", root)
	}
	if opts.Config == nil {
		opts.Config = &Config{}
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = defaultMaxFileSize
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, g := range opts.Exclude {
		if err := validateGlob(g); err != nil {
			return nil, err
		}
	}
	opts.excludes = append(slices.Clone(opts.Config.Exclude), opts.Exclude...)
	if len(opts.Locked) > 0 {
		opts.excludes, opts.softExcludes = slices.Clone(opts.Exclude), opts.Config.Exclude
	}

	sel := newSelection(opts)
	var analyzers []Analyzer
	var catalogue Catalogue
	enabled := map[string]RuleInfo{SuppressionRule.ID: SuppressionRule}
	defaults := map[string]Severity{}
	for _, a := range opts.Analyzers {
		on := false
		for _, r := range a.Rules() {
			defaults[r.ID] = r.Severity
			if sel.enabled(r) {
				on = true
				eff := sel.effective(r)
				enabled[r.ID] = eff
				catalogue = append(catalogue, eff)
			}
		}
		if on {
			analyzers = append(analyzers, a)
		}
	}
	catalogue = append(catalogue, SuppressionRule)
	configNotes, err := checkRuleIDs(opts, defaults)
	if err != nil {
		return nil, err
	}

	ign := newIgnoreSet(root)
	entries, err := walk(ctx, root, &opts, ign)
	if err != nil {
		return nil, err
	}
	proj := &Project{Root: root, Config: opts.Config, ignore: ign, maxRead: opts.MaxFileSize}
	proj.Files = make([]string, len(entries))
	for i, e := range entries {
		proj.Files[i] = e.rel
	}
	res := &Result{Root: root}
	for _, a := range analyzers {
		if p, ok := a.(Preparer); ok {
			if err := p.Prepare(ctx, proj); err != nil {
				return nil, fmt.Errorf("prepare: %w", err)
			}
		}
	}

	var (
		mu       sync.Mutex
		findings []Finding
		errs     []FileError
		nFiles   atomic.Int64
		nBytes   atomic.Int64
		nParsed  atomic.Int64
		bParsed  atomic.Int64
		sup      = map[string]*fileSuppressions{}
	)
	jobs := make(chan walkEntry)
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parser := treesitter.NewParser()
			defer parser.Close()
			for e := range jobs {
				fs, fe, s, size, parsed := analyzeFile(ctx, parser, proj, analyzers, e, &opts)
				if parsed {
					nParsed.Add(1)
					bParsed.Add(size)
				}
				if size > 0 || len(fe) > 0 {
					files, total := nFiles.Add(1), nBytes.Add(size)
					if opts.Progress != nil {
						opts.Progress(files, total)
					}
				}
				if len(fs) == 0 && len(fe) == 0 && s == nil {
					continue
				}
				mu.Lock()
				findings = append(findings, fs...)
				errs = append(errs, fe...)
				if s != nil {
					sup[e.rel] = s
				}
				mu.Unlock()
			}
		}()
	}
	// Largest files first: a big file picked up last would leave the other
	// workers idle while it parses.
	queue := slices.Clone(entries)
	slices.SortStableFunc(queue, func(a, b walkEntry) int { return cmp.Compare(b.size, a.size) })
feed:
	for _, e := range queue {
		select {
		case jobs <- e:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, a := range analyzers {
		if f, ok := a.(Finisher); ok {
			fs, err := f.Finish(ctx, proj)
			if err != nil {
				errs = append(errs, FileError{Message: fmt.Sprintf("%T: %v", a, err)})
			}
			findings = append(findings, fs...)
		}
	}

	res.Notes = append(res.Notes, configNotes...)
	for _, a := range analyzers {
		if n, ok := a.(Noter); ok {
			res.Notes = append(res.Notes, n.Notes()...)
		}
	}
	findings = sel.apply(findings, enabled, defaults)
	findings = dropSuperseded(findings, enabled)
	findings = applySuppressions(findings, sup, proj)
	findings = limitTo(findings, opts.Only)
	assignFingerprints(findings, proj)
	if opts.Baseline != nil {
		opts.Baseline.apply(findings)
	}
	var keptLocked int
	findings, errs, keptLocked = applySoftExcludes(findings, errs, &opts)
	if keptLocked > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d finding(s) of locked rules in paths %s excludes are reported: the proxy's policy decides them (--proxy)", keptLocked, opts.Config.Path))
	}
	if n := unlock(findings, opts.Locked); n > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d suppression(s) of dependency verdicts ignored: the proxy's policy decides them (--proxy)", n))
	}
	slices.SortFunc(findings, compareFindings)
	slices.SortFunc(errs, func(a, b FileError) int { return strings.Compare(a.Path, b.Path) })
	res.Findings = findings
	res.Errors = errs
	res.Rules = catalogue.Sorted()
	res.Stats = Stats{Files: int(nFiles.Load()), Bytes: nBytes.Load(), ParsedFiles: int(nParsed.Load()), ParsedBytes: bParsed.Load(), Duration: time.Since(start)}
	res.Stats.Millis = res.Stats.Duration.Milliseconds()
	log.Debug("scan done", "files", res.Stats.Files, "bytes", res.Stats.Bytes, "parsed_files", res.Stats.ParsedFiles, "parsed_bytes", res.Stats.ParsedBytes, "findings", len(findings))
	return res, nil
}

// analyzeFile reads, parses and analyzes one file. It never panics into the
// caller: an analyzer's panic becomes that file's error.
func analyzeFile(ctx context.Context, parser *treesitter.Parser, proj *Project, analyzers []Analyzer, e walkEntry, opts *Options) (findings []Finding, errs []FileError, sup *fileSuppressions, size int64, parsed bool) {
	var wanting []Analyzer
	for _, a := range analyzers {
		if a.Wants(e.rel) {
			wanting = append(wanting, a)
		}
	}
	if len(wanting) == 0 {
		return nil, nil, nil, 0, false
	}
	if e.size > opts.MaxFileSize {
		return nil, []FileError{{Path: e.rel, Message: fmt.Sprintf("skipped: %d bytes is over the %d-byte limit", e.size, opts.MaxFileSize)}}, nil, 0, false
	}
	content, err := os.ReadFile(e.abs)
	if err != nil {
		return nil, []FileError{{Path: e.rel, Message: "unreadable: " + pathlessError(err)}}, nil, 0, false
	}
	size = int64(len(content))
	if bytes.IndexByte(content[:min(len(content), 8000)], 0) >= 0 {
		return nil, []FileError{{Path: e.rel, Message: "skipped: binary file"}}, nil, size, false
	}
	f := &File{Path: e.rel, Abs: e.abs, Content: content, Lang: treesitter.LangForPath(e.rel), Test: IsTestPath(e.rel), Project: proj}
	if f.Lang.IsJS() && !opts.IncludeVendored && looksMinified(content) {
		return nil, []FileError{{Path: e.rel, Message: "skipped: minified bundle"}}, nil, size, false
	}
	if f.Lang != treesitter.None && (opts.IgnoreTreeFilters || needsTree(wanting, e.rel, content)) {
		parsed = true
		tree, err := parser.Parse(ctx, f.Lang, content)
		if err != nil {
			f.ParseErr = err
			errs = append(errs, FileError{Path: e.rel, Message: "not parsed: " + err.Error()})
		} else {
			f.Tree = tree
			defer tree.Close()
		}
	}
	for _, a := range wanting {
		fs, err := safeAnalyze(ctx, a, f)
		if err != nil {
			errs = append(errs, FileError{Path: e.rel, Message: err.Error()})
		}
		findings = append(findings, fs...)
	}
	sup = parseSuppressions(f)
	return findings, errs, sup, size, parsed
}

// unlock clears the suppression of findings of locked rules and counts them.
func unlock(fs []Finding, locked []string) int {
	n := 0
	for i := range fs {
		if fs[i].Suppressed == nil {
			continue
		}
		if isLocked(fs[i].Rule, locked) {
			fs[i].Suppressed = nil
			n++
		}
	}
	return n
}

// applySoftExcludes drops the findings and file errors of paths the
// configuration excludes, except findings of locked rules, which it counts.
func applySoftExcludes(fs []Finding, errs []FileError, opts *Options) ([]Finding, []FileError, int) {
	if len(opts.softExcludes) == 0 {
		return fs, errs, 0
	}
	soft := Options{excludes: opts.softExcludes}
	excluded := func(p string) bool {
		if p == "" {
			return false
		}
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			if soft.excluded(d) {
				return true
			}
		}
		return soft.excluded(p)
	}
	kept, n := fs[:0], 0
	for _, f := range fs {
		if excluded(f.Path) {
			if !isLocked(f.Rule, opts.Locked) {
				continue
			}
			n++
		}
		kept = append(kept, f)
	}
	keptErrs := errs[:0]
	for _, e := range errs {
		if !excluded(e.Path) {
			keptErrs = append(keptErrs, e)
		}
	}
	return kept, keptErrs, n
}

func isLocked(rule string, locked []string) bool {
	for _, l := range locked {
		if rule == l || (strings.HasSuffix(l, "-") && strings.HasPrefix(rule, l)) {
			return true
		}
	}
	return false
}

// dropSuperseded removes findings that a more precise rule's finding on the
// same line already reports.
func dropSuperseded(fs []Finding, rules map[string]RuleInfo) []Finding {
	type key struct {
		path string
		line int
		rule string
	}
	present := map[key]bool{}
	for _, f := range fs {
		present[key{f.Path, f.Line, f.Rule}] = true
	}
	out := fs[:0]
	for _, f := range fs {
		superseded := false
		for id, r := range rules {
			if present[key{f.Path, f.Line, id}] && slices.Contains(r.Supersedes, f.Rule) {
				superseded = true
				break
			}
		}
		if !superseded {
			out = append(out, f)
		}
	}
	return out
}

// needsTree: some analyzer wants the file's syntax tree.
func needsTree(analyzers []Analyzer, path string, content []byte) bool {
	for _, a := range analyzers {
		tf, ok := a.(TreeFilter)
		if !ok || tf.NeedsTree(path, content) {
			return true
		}
	}
	return false
}

func safeAnalyze(ctx context.Context, a Analyzer, f *File) (fs []Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			fs, err = nil, fmt.Errorf("internal error in %T: %v", a, r)
		}
	}()
	return a.Analyze(ctx, f)
}

// pathlessError drops the *PathError's path (the finding already names it).
func pathlessError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// limitTo keeps findings under the given paths; project-level findings
// (no path) are dropped when a limit is set.
func limitTo(fs []Finding, only []string) []Finding {
	if only == nil {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		for _, o := range only {
			o = strings.TrimSuffix(o, "/")
			if f.Path != "" && (o == "." || o == "" || f.Path == o || strings.HasPrefix(f.Path, o+"/")) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// assignFingerprints gives each finding its line-shift-proof fingerprint.
func assignFingerprints(fs []Finding, proj *Project) {
	slices.SortFunc(fs, compareFindings)
	occurrences := map[string]int{}
	lines := lineReader{read: proj.ReadFile}
	for i := range fs {
		f := &fs[i]
		text := ""
		if f.Path != "" && f.Line > 0 {
			text = lines.text(f.Path, f.Line)
		}
		key := f.Rule + "\x00" + f.Path + "\x00" + strings.Join(strings.Fields(text), "")
		if text == "" {
			key += "\x00" + f.Message
		}
		occurrences[key]++
		f.Fingerprint = fingerprint(*f, text, occurrences[key])
	}
}

// lineReader hands out the lines of files as strings.Split(content, "\n")
// holds them ("" past the end and for unreadable files), reading each file
// once as long as the lines of one file are asked together and in order
// (as sorted findings ask them).
type lineReader struct {
	read    func(path string) ([]byte, error)
	path    string
	content []byte // nil when unreadable
	line    int    // content[off:] starts line number line
	off     int
}

func (r *lineReader) text(path string, n int) string {
	if path != r.path || r.line == 0 {
		r.path, r.content, r.line, r.off = path, nil, 1, 0
		if b, err := r.read(path); err == nil {
			r.content = b
		}
	}
	if n < r.line {
		r.line, r.off = 1, 0
	}
	for r.line < n {
		i := bytes.IndexByte(r.content[r.off:], '\n')
		if i < 0 {
			return "" // past the last line
		}
		r.off += i + 1
		r.line++
	}
	end := bytes.IndexByte(r.content[r.off:], '\n')
	if end < 0 {
		end = len(r.content) - r.off
	}
	return string(r.content[r.off : r.off+end])
}
