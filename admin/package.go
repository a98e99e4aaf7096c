package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// checkRef is one package to judge: the admin API's and UI's package
// lookup. (The anonymous check API is the proxy's, on the registry listener.)
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

// safeCheck calls the Checker, turning a panic into an error. At most
// checkSlots checks run at once across all admin users: each may fetch
// upstream documents.
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

// apiPackage is the authenticated verdict lookup for the admin API.
func (s *Server) apiPackage(c echo.Context) error {
	rep, err := s.judge(c.Request().Context(), checkRef{
		Ecosystem: ecosystemParam(c.QueryParam), Name: c.QueryParam("name"), Version: c.QueryParam("version"),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}
