package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Check API limits.
const (
	maxBatch     = 1000
	maxBatchBody = 512 << 10
	batchWorkers = 8
)

// checkRoutes serves the verdict API for the registry listener.
func (s *Server) checkRoutes() http.Handler {
	e := s.newEcho()
	e.GET("/api/v1/check/:eco/*", s.checkOne)
	e.POST("/api/v1/check", s.checkBatch)
	return e
}

// checkRef is one package to judge.
type checkRef struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
}

// judge validates a reference and asks the Checker. Invalid input is a 400;
// a failure to judge is a 502 whose cause is logged, not shown.
func (s *Server) judge(ctx context.Context, ref checkRef) (policy.Report, error) {
	if s.checker == nil {
		return policy.Report{}, &publicError{http.StatusServiceUnavailable, "package checks are not configured"}
	}
	eco, err := policy.ParseEcosystem(ref.Ecosystem)
	if err != nil {
		return policy.Report{}, errBadRequest(err.Error())
	}
	name, err := checkName(eco, ref.Name)
	if err != nil {
		return policy.Report{}, err
	}
	ver, err := checkSpec(ref.Version)
	if err != nil {
		return policy.Report{}, err
	}
	rep, err := s.safeCheck(ctx, eco, name, ver)
	if errors.Is(err, policy.ErrInvalidName) {
		return policy.Report{}, errBadRequest("invalid package name " + name)
	}
	if err != nil {
		s.log.WarnContext(ctx, "check package", "ecosystem", eco, "package", name, "version", ver, "err", err)
		return policy.Report{}, &publicError{http.StatusBadGateway, "could not judge " + name + " right now; try again later"}
	}
	if rep.Findings == nil {
		rep.Findings = []policy.Finding{}
	}
	return rep, nil
}

// safeCheck calls the Checker, turning a panic into an error: batch checks
// run it on their own goroutines, where a panic would end the process.
// At most checkSlots checks run at once across all callers of the
// unauthenticated check API: each may fetch upstream documents, and a batch
// must not turn into a flood of upstream requests.
func (s *Server) safeCheck(ctx context.Context, eco policy.Ecosystem, name, ver string) (rep policy.Report, err error) {
	select {
	case s.checkSlots <- struct{}{}:
		defer func() { <-s.checkSlots }()
	case <-ctx.Done():
		return policy.Report{}, ctx.Err()
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("checker panic: %v\n%s", r, debug.Stack())
		}
	}()
	return s.checker.Check(ctx, eco, name, ver)
}

// specRE accepts exact versions, npm ranges and dist-tags and PEP 440
// specifier sets (">=2,<3", "^4 || ^5", "~=1.4", "latest").
var specRE = regexp.MustCompile(`^[A-Za-z0-9^~<>=!*][A-Za-z0-9^~<>=!*.+_, |-]*$`)

// checkSpec validates the version, range or dist-tag of a check question.
func checkSpec(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v != "" && (len(v) > 128 || !specRE.MatchString(v)) {
		return "", errBadRequest(fmt.Sprintf("invalid version or range %.64q", v))
	}
	return v, nil
}

// checkSlots bounds concurrent checks server-wide (see safeCheck).
const checkSlots = 16

// checkOne answers GET /api/v1/check/{eco}/{name}[?version=]. npm scoped
// names may be written as @scope/name or @scope%2fname.
func (s *Server) checkOne(c echo.Context) error {
	raw := c.Param("*")
	name, err := url.PathUnescape(raw)
	if err != nil {
		return errBadRequest("invalid name encoding")
	}
	rep, err := s.judge(c.Request().Context(), checkRef{Ecosystem: c.Param("eco"), Name: name, Version: c.QueryParam("version")})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// checkBatch answers POST /api/v1/check {"packages": [...]} with
// {"results": [...]} in the same order. A package that cannot be judged gets
// a report with Error set and a block verdict (fail closed).
func (s *Server) checkBatch(c echo.Context) error {
	var in struct {
		Packages []checkRef `json:"packages"`
	}
	if err := decodeJSON(c.Request(), c.Response(), maxBatchBody, &in); err != nil {
		return err
	}
	if len(in.Packages) == 0 {
		return errBadRequest("packages is empty")
	}
	if len(in.Packages) > maxBatch {
		return errBadRequest("at most 1000 packages per request")
	}
	out := make([]policy.Report, len(in.Packages))
	g, ctx := errgroup.WithContext(c.Request().Context())
	g.SetLimit(batchWorkers)
	for i, ref := range in.Packages {
		g.Go(func() error {
			rep, err := s.judge(ctx, ref)
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
	_ = g.Wait() // workers never fail: errors are per-package reports
	return c.JSON(http.StatusOK, map[string]any{"results": out})
}

// apiPackage is the authenticated verdict lookup for the admin API.
func (s *Server) apiPackage(c echo.Context) error {
	rep, err := s.judge(c.Request().Context(), checkRef{
		Ecosystem: c.QueryParam("ecosystem"), Name: c.QueryParam("name"), Version: c.QueryParam("version"),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}
