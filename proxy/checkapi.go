package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/jsonbody"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// Check API bounds. The API is anonymous (whoever may install may ask
// why), so every dimension is bounded: batch size and body, concurrent
// checks server-wide, and questions per client per minute.
const (
	// MaxCheckBatch is the most packages one POST /api/v1/check may ask about.
	MaxCheckBatch   = 1000
	maxCheckBody    = 512 << 10
	checkBatchJobs  = 8  // concurrent checks per batch
	checkSlots      = 16 // concurrent checks server-wide
	maxCheckNameLen = 214
	maxCheckVersion = 128
	// DefaultCheckPerMinute is each client's default rate of questions
	// (a batch costs one per package); the burst is three full batches, so
	// `scan --proxy` over a 3,000-entry lockfile never waits.
	DefaultCheckPerMinute = 3000
)

// checkRef is one package to judge, as the API takes it.
type checkRef struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
}

// checkOne answers GET /api/v1/check/{eco}/{name}[?version=] with a
// policy.Report. npm scoped names may be written @scope/name or
// @scope%2fname.
func (s *Server) checkOne(c echo.Context) error {
	r := c.Request()
	if ok, err := methodServed(c, readMethods, "GET /api/v1/check/{ecosystem}/{name}[?version=], or POST /api/v1/check with {\"packages\": [...]}"); !ok {
		return err
	}
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/api/v1/check/")
	eco, rawName, _ := strings.Cut(rest, "/")
	name, err := url.PathUnescape(rawName)
	if err != nil {
		return httpError(http.StatusBadRequest, "invalid name encoding")
	}
	if !s.checkRate.allow(clientOf(r.Context()), 1) {
		return tooManyQuestions(c)
	}
	rep, err := s.answer(r.Context(), clientName(r), checkRef{Ecosystem: eco, Name: name, Version: c.QueryParam("version")})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// checkBatch answers POST /api/v1/check {"packages": [...]} with
// {"results": [...]} in the same order. A package that cannot be judged
// gets a report with error set and a block verdict (fail closed).
func (s *Server) checkBatch(c echo.Context) error {
	r := c.Request()
	if r.Method != http.MethodPost {
		if ok, err := methodServed(c, []string{http.MethodGet, http.MethodHead, http.MethodPost}, ""); !ok {
			return err
		}
		return s.checkOne(c)
	}
	var in struct {
		Packages []checkRef `json:"packages"`
	}
	body := newClientBody(c, s.opts.RequestBodyTimeout) // a stalled upload holds a handler and its buffer
	r.Body = struct {
		io.Reader
		io.Closer
	}{body, r.Body}
	if err := decodeCheckBody(r, c.Response(), &in); err != nil {
		if ref, ok := body.refusal(s.opts.RequestBodyTimeout); ok && ref.status == http.StatusRequestTimeout {
			return httpError(http.StatusRequestTimeout, ref.reason)
		}
		return err
	}
	switch {
	case len(in.Packages) == 0:
		return httpError(http.StatusBadRequest, "packages is empty")
	case len(in.Packages) > MaxCheckBatch:
		return httpError(http.StatusRequestEntityTooLarge, fmt.Sprintf("at most %d packages per request", MaxCheckBatch))
	}
	if !s.checkRate.allow(clientOf(r.Context()), len(in.Packages)) {
		return tooManyQuestions(c)
	}
	out := make([]policy.Report, len(in.Packages))
	g, ctx := errgroup.WithContext(r.Context())
	g.SetLimit(checkBatchJobs)
	for i, ref := range in.Packages {
		g.Go(func() error {
			rep, err := s.answer(ctx, clientName(r), ref)
			if err != nil {
				_, msg := classify(err)
				eco, _ := policy.ParseEcosystem(ref.Ecosystem)
				rep = policy.Report{Ecosystem: eco, Name: strings.TrimSpace(ref.Name), Version: ref.Version,
					Verdict: policy.Block, Findings: []policy.Finding{}, Error: msg}
			}
			out[i] = rep
			return nil
		})
	}
	_ = g.Wait() // jobs never fail: errors are per-package reports
	return c.JSON(http.StatusOK, map[string]any{"results": out})
}

func tooManyQuestions(c echo.Context) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(60))
	return httpError(http.StatusTooManyRequests, "too many check requests from this client: try again in a minute")
}

// answer validates a reference and judges it as a question: audited as a
// question, never written to the watchlist, and without the watchlist's
// first-seen date and request count (the admin API keeps them).
func (s *Server) answer(ctx context.Context, client string, ref checkRef) (policy.Report, error) {
	eco, err := policy.ParseEcosystem(ref.Ecosystem)
	if err != nil {
		return policy.Report{}, httpError(http.StatusBadRequest, err.Error())
	}
	name := strings.TrimSpace(ref.Name)
	switch {
	case name == "":
		return policy.Report{}, httpError(http.StatusBadRequest, "name is required")
	case len(name) > maxCheckNameLen:
		return policy.Report{}, httpError(http.StatusBadRequest, fmt.Sprintf("name is longer than %d characters", maxCheckNameLen))
	}
	version := strings.TrimSpace(ref.Version)
	if len(version) > maxCheckVersion || strings.IndexFunc(version, unicode.IsControl) >= 0 {
		return policy.Report{}, httpError(http.StatusBadRequest, fmt.Sprintf("invalid version %.64q", version))
	}
	select {
	case s.checkSlots <- struct{}{}:
		defer func() { <-s.checkSlots }()
	case <-ctx.Done():
		return policy.Report{}, ctx.Err()
	}
	d, err := s.safeCheck(withoutWatchDetail(ctx), eco, name, version)
	if errors.Is(err, policy.ErrInvalidName) {
		return policy.Report{}, httpError(http.StatusBadRequest, "invalid package name "+name)
	}
	if err != nil {
		s.log.WarnContext(ctx, "check package", "request_id", requestID(ctx), "ecosystem", eco, "package", name, "version", version, "error", err)
		status, msg := classify(err)
		if status < 500 {
			status, msg = http.StatusBadGateway, "could not judge "+name+" right now; try again later"
		}
		return policy.Report{}, httpError(status, msg)
	}
	s.recordQuestion(ctx, client, d)
	return checkReport(d, version), nil
}

// safeCheck runs check, turning a panic into an error: batch jobs run on
// their own goroutines, where a panic would end the process.
func (s *Server) safeCheck(ctx context.Context, eco policy.Ecosystem, name, version string) (d policy.Decision, err error) {
	defer func() {
		if v := recover(); v != nil {
			s.log.ErrorContext(ctx, "panic in check", "panic", fmt.Sprint(v))
			err = errors.New("internal error")
		}
	}()
	return s.check(ctx, eco, name, version)
}

// decodeCheckBody reads a JSON request body of at most maxCheckBody bytes
// with no unknown fields.
func decodeCheckBody(r *http.Request, w http.ResponseWriter, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return httpError(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxCheckBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return httpError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", maxCheckBody))
		}
		return httpError(http.StatusBadRequest, jsonbody.Problem(err, maxCheckBody))
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return httpError(http.StatusBadRequest, "request body must hold a single JSON object")
	}
	return nil
}

// recordQuestion appends a check-API answer to the audit trail as a
// question: dashboards, block metrics and webhooks count only decisions
// on installs.
func (s *Server) recordQuestion(ctx context.Context, client string, d policy.Decision) {
	if s.opts.Events == nil {
		return
	}
	s.opts.Events.Record(store.Event{
		Time: s.timeNow(), Kind: store.KindQuestion,
		Ecosystem: d.Ref.Ecosystem, Package: d.Ref.Name, Version: d.Ref.Version,
		Verdict: d.Verdict.String(), Rules: d.Rules(), Reason: d.Reason(),
		Client: client, Route: "check",
	})
}

type noWatchDetailKey struct{}

// withoutWatchDetail marks ctx so that a watchlisted name's first-seen date
// and request count are left out of the verdict.
func withoutWatchDetail(ctx context.Context) context.Context {
	return context.WithValue(ctx, noWatchDetailKey{}, true)
}

func watchDetailHidden(ctx context.Context) bool {
	hidden, _ := ctx.Value(noWatchDetailKey{}).(bool)
	return hidden
}
