package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/scanner/deps"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// The three ways to get verdicts — a running proxy, the proxy's own stack
// in-process, the name-only rules offline — are each a deps.Judge: `check`
// and `scan` are handed the same thing and cannot drift apart.

// reportSource answers queries with the proxy's machine-readable reports
// (one per query, in order; a report with Error set could not be judged).
type reportSource interface {
	reports(ctx context.Context, qs []deps.Query) ([]policy.Report, error)
}

// verdictJudge adapts a reportSource to deps.Judge, with the remarks the
// mode needs to show and what to release afterwards.
type verdictJudge struct {
	src   reportSource
	notes []string
	close func() error
}

func (j *verdictJudge) Judge(ctx context.Context, qs []deps.Query) ([]deps.Answer, error) {
	reps, err := j.src.reports(ctx, qs)
	if err != nil {
		return nil, err
	}
	if len(reps) != len(qs) {
		return nil, fmt.Errorf("got %d verdicts for %d packages", len(reps), len(qs))
	}
	out := make([]deps.Answer, len(qs))
	for i, rep := range reps {
		if len(j.notes) > 0 {
			rep.Notes = append(rep.Notes, j.notes...)
		}
		out[i] = answerFromReport(qs[i], rep)
	}
	return out, nil
}

func (j *verdictJudge) Notes() []string { return j.notes }

func (j *verdictJudge) Close() error {
	if j.close == nil {
		return nil
	}
	return j.close()
}

// answerFromReport converts the proxy's report into the scanner's answer.
func answerFromReport(q deps.Query, rep policy.Report) deps.Answer {
	a := deps.Answer{Query: q, Name: rep.Name, Version: rep.Version, Verdict: deps.Verdict(rep.Verdict), Detail: rep}
	if a.Name == "" {
		a.Name = q.Name
	}
	if rep.Requested == "" && rep.Version == q.Spec && (q.Ecosystem == deps.PyPI && strings.ContainsAny(q.Spec, "<>=!~")) {
		a.Version = "" // an unresolved specifier is not a version
	}
	if rep.Error != "" {
		a.Unverified = rep.Error
		return a
	}
	for _, f := range rep.Findings {
		a.Findings = append(a.Findings, deps.Finding{Rule: f.Rule, Verdict: deps.Verdict(f.Verdict), Reason: f.Reason, Suggestions: f.Suggestions})
	}
	if rep.List != nil {
		a.ListReason = rep.Reason
	}
	return a
}

// remoteBatch is how many packages go into one POST /api/v1/check: a
// 2,000-entry lockfile is four requests.
const remoteBatch = 500

// remoteSource asks a running proxy's batch check endpoint.
type remoteSource struct {
	base   *url.URL
	client *http.Client
}

func newRemoteJudge(raw string) (*verdictJudge, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--proxy %q: want a base URL such as http://127.0.0.1:8080", raw)
	}
	for _, reg := range []string{"/npm", "/pypi/simple", "/pypi"} {
		if base, ok := strings.CutSuffix(u.Path, reg); ok {
			b := *u
			b.Path = base
			return nil, fmt.Errorf("--proxy %q: give the proxy's base URL (%s), not a registry path", raw, b.Redacted())
		}
	}
	return &verdictJudge{src: &remoteSource{base: u, client: &http.Client{Timeout: 120 * time.Second}}}, nil
}

func (rs *remoteSource) reports(ctx context.Context, qs []deps.Query) ([]policy.Report, error) {
	out := make([]policy.Report, 0, len(qs))
	for start := 0; start < len(qs); start += remoteBatch {
		chunk := qs[start:min(start+remoteBatch, len(qs))]
		reps, err := rs.batch(ctx, chunk)
		if err != nil {
			return nil, err
		}
		out = append(out, reps...)
	}
	return out, nil
}

type checkRef struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version,omitempty"`
}

// batch posts one chunk, waiting out the per-client rate limit (429 with
// Retry-After) a few times.
func (rs *remoteSource) batch(ctx context.Context, qs []deps.Query) ([]policy.Report, error) {
	refs := make([]checkRef, len(qs))
	for i, q := range qs {
		refs[i] = checkRef{Ecosystem: string(q.Ecosystem), Name: q.Name, Version: q.Spec}
	}
	body, err := json.Marshal(map[string]any{"packages": refs})
	if err != nil {
		return nil, err
	}
	u := *rs.base
	u.Path += "/api/v1/check"
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err := rs.client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("ask %s: %w", rs.base.Redacted(), redactErr(err, rs.base))
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read answer from %s: %w", rs.base.Redacted(), err)
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < 8 {
			// The proxy's per-client question rate (600 a minute, bursts of
			// 1,000 by default): a large lockfile waits for its turn.
			wait := time.Second
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 && s <= 120 {
				wait = time.Duration(s) * time.Second
			}
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		var out struct {
			Results []policy.Report `json:"results"`
			Error   string          `json:"error"`
		}
		if err := json.Unmarshal(data, &out); err != nil || resp.StatusCode != http.StatusOK {
			return nil, remoteAnswerError(rs.base, resp, out.Error, err)
		}
		if len(out.Results) != len(qs) {
			return nil, fmt.Errorf("%s answered %d results for %d packages", rs.base.Redacted(), len(out.Results), len(qs))
		}
		return out.Results, nil
	}
}

// redactErr removes the password of base from an error's text.
func redactErr(err error, base *url.URL) error {
	if p, ok := base.User.Password(); ok && p != "" {
		return errors.New(strings.ReplaceAll(err.Error(), p, "xxxxx"))
	}
	return err
}

// directOptions say where the in-process judge keeps its metadata cache.
type directOptions struct {
	// cacheDir holds cache.db; empty uses a temporary directory removed on
	// Close (check: fresh answers every time).
	cacheDir string
	// ttl, when set, overrides the freshness of cached documents and
	// not-found answers (scan: 24 h, so a second scan asks nothing).
	ttl time.Duration
}

// directSource judges in-process with the proxy's resolver, metadata cache
// and policy engine.
type directSource struct{ st *stack }

func newDirectJudge(ctx context.Context, cfg Config, log *slog.Logger, o directOptions) (*verdictJudge, error) {
	j := &verdictJudge{}
	cacheDir := o.cacheDir
	var cleanup func() error
	if cacheDir == "" {
		d, err := os.MkdirTemp("", "vigil-check-")
		if err != nil {
			return nil, fmt.Errorf("create cache directory: %w", err)
		}
		cacheDir, cleanup = d, func() error { return os.RemoveAll(d) }
	} else if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("create cache directory: %w", err)
	}
	if o.ttl > 0 {
		cfg.Cache.TTL, cfg.Cache.NegativeTTL = Duration(o.ttl), Duration(o.ttl)
	}
	state := storeState(cfg)
	if state == storeLocked {
		j.notes = append(j.notes, lockedStoreNote(cfg))
	}
	popFile := ""
	if o.cacheDir != "" {
		popFile = filepath.Join(cacheDir, "popularity.json")
	}
	st, err := buildStack(ctx, cfg, log, stackOptions{cacheDir: cacheDir, noStore: state != storeFree, popularityFile: popFile, lazyIndex: true})
	if err != nil && o.cacheDir != "" {
		// Another scan holds the persistent cache: use a private one.
		d, derr := os.MkdirTemp("", "vigil-scan-")
		if derr != nil {
			return nil, errors.Join(err, derr)
		}
		cleanup = func() error { return os.RemoveAll(d) }
		st, err = buildStack(ctx, cfg, log, stackOptions{cacheDir: d, noStore: state != storeFree, lazyIndex: true})
		if err == nil {
			j.notes = append(j.notes, "the metadata cache "+filepath.Join(cacheDir, "cache.db")+" is in use by another scan: this one fetched its own copies")
		}
	}
	if err != nil {
		if cleanup != nil {
			cleanup()
		}
		return nil, err
	}
	if cleanup != nil {
		st.closers = append([]func() error{cleanup}, st.closers...)
	}
	stop := func() error { return nil }
	if st.recorder != nil {
		// Many checks record more events than the recorder buffers: write
		// them as they come, as serve does.
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan error, 1)
		go func() { done <- st.recorder.Run(rctx) }()
		stop = func() error {
			cancel()
			return <-done
		}
	}
	j.src = &directSource{st: st}
	j.close = func() error { return errors.Join(stop(), st.Close()) }
	return j, nil
}

// directWorkers bounds concurrent upstream lookups of one judge.
const directWorkers = 8

func (d *directSource) reports(ctx context.Context, qs []deps.Query) ([]policy.Report, error) {
	out := make([]policy.Report, len(qs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(directWorkers)
	for i, q := range qs {
		g.Go(func() error {
			rep, err := d.st.proxy.Check(gctx, policy.Ecosystem(q.Ecosystem), q.Name, q.Spec)
			if err != nil {
				rep = policy.Report{Ecosystem: policy.Ecosystem(q.Ecosystem), Name: q.Name, Version: q.Spec,
					Verdict: policy.Block, Findings: []policy.Finding{}, Error: checkError(err)}
			}
			out[i] = rep
			return nil
		})
	}
	_ = g.Wait() // per-package errors are reports
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// checkError says why a package could not be judged, in plain words.
func checkError(err error) string {
	if errors.Is(err, policy.ErrInvalidName) {
		return err.Error()
	}
	return "registry could not be reached: " + err.Error()
}

// offlineSource evaluates the name-only rules with no network at all.
type offlineSource struct{ oc *offlineChecker }

func newOfflineJudge(cfg Config, log *slog.Logger) (*verdictJudge, error) {
	oc, locked, err := newOfflineChecker(cfg, log)
	if err != nil {
		return nil, err
	}
	j := &verdictJudge{src: &offlineSource{oc: oc}, close: oc.Close,
		notes: []string{"offline: existence, versions, release age and repositories were not checked; only name rules (typosquats, corpus popularity and removed malware, lists, watchlist) applied"}}
	if locked {
		j.notes = append(j.notes, lockedStoreNote(cfg))
	}
	return j, nil
}

func (o *offlineSource) reports(ctx context.Context, qs []deps.Query) ([]policy.Report, error) {
	out := make([]policy.Report, len(qs))
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rep, err := o.oc.check(ctx, checkTarget{eco: policy.Ecosystem(q.Ecosystem), name: q.Name, version: q.Spec})
		if err != nil {
			rep = policy.Report{Ecosystem: policy.Ecosystem(q.Ecosystem), Name: q.Name, Version: q.Spec,
				Verdict: policy.Block, Findings: []policy.Finding{}, Error: err.Error()}
		}
		out[i] = rep
	}
	return out, nil
}

// storeStatus says whether the data directory's store can be used.
type storeStatus int

const (
	storeAbsent storeStatus = iota // no store.db yet
	storeFree                      // exists and can be opened
	storeLocked                    // exists but cannot be opened (a running serve holds it)
)

func storeState(cfg Config) storeStatus {
	path := filepath.Join(cfg.dataDir(), "store.db")
	if _, err := os.Stat(path); err != nil {
		return storeAbsent
	}
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		return storeLocked
	}
	st.Close()
	return storeFree
}

func lockedStoreNote(cfg Config) string {
	return "the store " + filepath.Join(cfg.dataDir(), "store.db") + " is locked (a running `vigil-proxy serve`?): its allow/deny list entries and the hallucination watchlist were NOT consulted; ask the running proxy instead with --proxy URL"
}

// openStoreLists opens the store for the offline judge when it is free;
// status says why not otherwise.
func openStoreLists(cfg Config, entries []policy.ListEntry, log *slog.Logger) (*boltstore.Store, policy.Lists, storeStatus) {
	path := filepath.Join(cfg.dataDir(), "store.db")
	if _, err := os.Stat(path); err != nil {
		return nil, nil, storeAbsent
	}
	bs, err := boltstore.Open(path, boltstore.Options{Logger: log})
	if err != nil {
		return nil, nil, storeLocked
	}
	return bs, store.NewLists(entries, bs, time.Minute), storeFree
}

// scanCacheDir is where scan's in-process judge keeps its own metadata
// cache: VIGIL_SCAN_CACHE_DIR, else <user cache dir>/vigil-proxy/scan
// (XDG_CACHE_HOME honoured), separate from any serve's data directory.
func scanCacheDir(getenv env) (string, error) {
	if d, ok := getenv("VIGIL_SCAN_CACHE_DIR"); ok && d != "" {
		return d, nil
	}
	if d, ok := getenv("XDG_CACHE_HOME"); ok && filepath.IsAbs(d) {
		return filepath.Join(d, "vigil-proxy", "scan"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a cache directory for scan (set VIGIL_SCAN_CACHE_DIR): %w", err)
	}
	return filepath.Join(d, "vigil-proxy", "scan"), nil
}

// scanCacheTTL is how long scan trusts cached registry metadata.
const scanCacheTTL = 24 * time.Hour

// remoteAnswerError explains an answer that is not a check result: a JSON
// error from a vigil-proxy, or something else at that address (the admin
// listener, another server), named by its status and content type rather
// than by its body.
func remoteAnswerError(base *url.URL, resp *http.Response, msg string, decodeErr error) error {
	if decodeErr != nil || msg == "" {
		ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
		if ct == "" {
			ct = "no content type"
		}
		return fmt.Errorf("%s answered %d (%s), not a vigil-proxy check API: is --proxy the registry listener's base URL?", base.Redacted(), resp.StatusCode, strings.TrimSpace(ct))
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		msg += " (the check API is on the registry listener, not the admin listener)"
	}
	return fmt.Errorf("%s answered %d: %s", base.Redacted(), resp.StatusCode, msg)
}
