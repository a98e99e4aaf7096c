package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// actionArtifactsPurge is the audit action of a purge of one package's
// cached artifacts.
const actionArtifactsPurge = "artifacts.purge"

// ArtifactPurger removes every cached file (tarball, wheel, sdist, core
// metadata) of one package from the artifact cache and says how many it
// removed; proxy.Server satisfies it.
type ArtifactPurger interface {
	PurgeArtifacts(ctx context.Context, eco policy.Ecosystem, name string) (int, error)
}

// purgeInput names the package whose cached artifacts are purged.
type purgeInput struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

// purgeResult is what a purge did.
type purgeResult struct {
	Ecosystem policy.Ecosystem `json:"ecosystem"`
	Name      string           `json:"name"`
	Removed   int              `json:"removed"`
}

// purgeArtifacts validates in, purges and audits. The next download of a
// purged file is fetched from upstream and verified again.
func (s *Server) purgeArtifacts(ctx context.Context, p principal, in purgeInput) (purgeResult, error) {
	if s.artifacts == nil {
		return purgeResult{}, errConflict("the artifact cache is disabled (cache.artifacts_max_size is 0): nothing is cached")
	}
	eco, err := policy.ParseEcosystem(in.Ecosystem)
	if err != nil {
		return purgeResult{}, errBadRequest(err.Error())
	}
	name, err := checkName(eco, in.Name)
	if err != nil {
		return purgeResult{}, err
	}
	// The purge is recorded before it is done (auditedAction); its outcome
	// event says what it removed or why it failed.
	var n int
	var perr error
	target := string(eco) + ":" + name
	err = s.auditedAction(ctx, p, audited{actionArtifactsPurge, target, nil, purgeInput{Ecosystem: string(eco), Name: name}},
		func(ctx context.Context) any {
			n, perr = s.artifacts.PurgeArtifacts(ctx, eco, name)
			out := map[string]any{"ecosystem": eco, "name": name, "removed": n}
			if perr != nil {
				out["error"] = perr.Error()
			}
			return out
		})
	if err != nil {
		return purgeResult{}, err // its intent was not recorded, so it was not done
	}
	switch {
	case errors.Is(perr, policy.ErrInvalidName):
		return purgeResult{}, errBadRequest("invalid package name " + name)
	case errors.Is(perr, policy.ErrNotFound):
		return purgeResult{}, errNotFound(name + " does not exist upstream: no cached files to find")
	case perr != nil && n == 0:
		s.log.WarnContext(ctx, "purge artifacts", "ecosystem", eco, "package", name, "err", perr)
		return purgeResult{}, &publicError{http.StatusBadGateway, "could not purge the cached files of " + name + " right now (its metadata is needed to find them); try again later"}
	case perr != nil:
		s.log.WarnContext(ctx, "purge artifacts: some files not removed", "ecosystem", eco, "package", name, "removed", n, "err", perr)
	}
	return purgeResult{Ecosystem: eco, Name: name, Removed: n}, nil
}

// apiPurgeArtifacts answers POST /api/v1/artifacts/purge
// {"ecosystem":"npm","name":"left-pad"} with what was removed.
func (s *Server) apiPurgeArtifacts(c echo.Context) error {
	var in purgeInput
	if err := decodeJSON(c.Request(), c.Response(), maxBody, &in); err != nil {
		return err
	}
	res, err := s.purgeArtifacts(c.Request().Context(), mustPrincipal(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// uiPurgeArtifacts is the package page's "Purge cached files" button.
func (s *Server) uiPurgeArtifacts(c echo.Context) error {
	in := purgeInput{Ecosystem: ecosystemParam(c.FormValue), Name: c.FormValue("name")}
	res, err := s.purgeArtifacts(c.Request().Context(), mustPrincipal(c), in)
	if err != nil {
		return err
	}
	q := url.Values{"ecosystem": {string(res.Ecosystem)}, "name": {res.Name}, "done": {"purged"}}
	return c.Redirect(http.StatusSeeOther, "/admin/package?"+q.Encode())
}
