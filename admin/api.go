package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/jsonbody"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// maxBody bounds API request bodies.
const maxBody = 64 << 10

// decodeJSON reads exactly one JSON value from a request body of at most
// limit bytes into v, refusing unknown fields and other content types. Its
// errors are 400s (415 for the content type) with a message for the caller.
func decodeJSON(r *http.Request, w http.ResponseWriter, limit int64, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &publicError{http.StatusUnsupportedMediaType, "Content-Type must be application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadRequest(jsonbody.Problem(err, limit))
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBadRequest(jsonbody.Problem(err, limit))
		}
		return errBadRequest("request body must hold a single JSON object")
	}
	return nil
}

// idParam returns the :id path parameter, bounded.
func idParam(c echo.Context) (string, error) {
	id := c.Param("id")
	if id == "" || len(id) > 128 {
		return "", errBadRequest("invalid id")
	}
	return id, nil
}

func mustPrincipal(c echo.Context) principal {
	p, _ := principalOf(c)
	return p
}

func parseTimeParam(name, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errBadRequest(fmt.Sprintf("%s: invalid time %.40q (want RFC 3339 or YYYY-MM-DD)", name, v))
}

// parseEventQuery reads audit filters from query parameters.
func parseEventQuery(v url.Values) (store.EventQuery, error) {
	q := store.EventQuery{
		Kind: v.Get("kind"), Package: strings.TrimSpace(v.Get("package")), Rule: strings.TrimSpace(v.Get("rule")),
		Client: strings.TrimSpace(v.Get("client")), Cursor: v.Get("cursor"),
	}
	for _, f := range []struct{ name, val string }{
		{"kind", q.Kind}, {"package", q.Package}, {"rule", q.Rule}, {"client", q.Client}, {"cursor", q.Cursor},
	} {
		if len(f.val) > 256 {
			return q, errBadRequest(f.name + " is too long")
		}
	}
	if q.Cursor != "" {
		if _, err := store.ParseEventID(q.Cursor); err != nil {
			return q, errBadRequest("cursor: not the next value of a previous page")
		}
	}
	if q.Kind != "" && q.Kind != store.KindDecision && q.Kind != store.KindAdmin && q.Kind != store.KindQuestion {
		return q, errBadRequest(fmt.Sprintf("kind must be %q, %q or %q", store.KindDecision, store.KindAdmin, store.KindQuestion))
	}
	if e := v.Get("ecosystem"); e != "" {
		eco, err := policy.ParseEcosystem(e)
		if err != nil {
			return q, errBadRequest(err.Error())
		}
		q.Ecosystem = eco
		if q.Package != "" {
			if q.Package, err = checkName(eco, q.Package); err != nil {
				return q, err
			}
		}
	}
	if vd := v.Get("verdict"); vd != "" {
		p, err := policy.ParseVerdict(vd)
		if err != nil {
			return q, errBadRequest(err.Error())
		}
		q.Verdict = p.String()
	}
	var err error
	if q.Since, err = parseTimeParam("since", v.Get("since")); err != nil {
		return q, err
	}
	if q.Until, err = parseTimeParam("until", v.Get("until")); err != nil {
		return q, err
	}
	if u := strings.TrimSpace(v.Get("until")); len(u) == len("2006-01-02") {
		q.Until = q.Until.AddDate(0, 0, 1) // a date means the whole day; the store's Until is exclusive
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && q.Since.After(q.Until) {
		return q, errBadRequest("since is after until")
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return q, errBadRequest("limit must be between 1 and 500")
		}
		q.Limit = n
	}
	return q, nil
}

func (s *Server) apiWhoami(c echo.Context) error {
	p := mustPrincipal(c)
	return c.JSON(http.StatusOK, map[string]string{"name": p.Name, "role": string(p.Role)})
}

func parseKind(k string) (policy.ListKind, error) {
	switch policy.ListKind(k) {
	case "", policy.Allowlist, policy.Deny:
		return policy.ListKind(k), nil
	}
	return "", errBadRequest(fmt.Sprintf("kind must be %q or %q", policy.Allowlist, policy.Deny))
}

func (s *Server) apiListEntries(c echo.Context) error {
	kind, err := parseKind(c.QueryParam("kind"))
	if err != nil {
		return err
	}
	entries, err := s.listEntries(c.Request().Context(), kind)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": entries})
}

func (s *Server) apiGetEntry(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	entries, err := s.listEntries(c.Request().Context(), "")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.ID == id {
			return c.JSON(http.StatusOK, e)
		}
	}
	return errNotFound("no list entry " + id)
}

func (s *Server) apiCreateEntry(c echo.Context) error {
	var in entryInput
	if err := decodeJSON(c.Request(), c.Response(), maxBody, &in); err != nil {
		return err
	}
	e, err := s.createEntry(c.Request().Context(), mustPrincipal(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, entryView{ListEntry: e, Expired: e.Expired(s.now())})
}

func (s *Server) apiUpdateEntry(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in entryInput
	if err := decodeJSON(c.Request(), c.Response(), maxBody, &in); err != nil {
		return err
	}
	e, err := s.updateEntry(c.Request().Context(), mustPrincipal(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, entryView{ListEntry: e, Expired: e.Expired(s.now())})
}

func (s *Server) apiExpireEntry(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	e, err := s.expireEntry(c.Request().Context(), mustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, entryView{ListEntry: e, Expired: e.Expired(s.now())})
}

func (s *Server) apiDeleteEntry(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.deleteEntry(c.Request().Context(), mustPrincipal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiEvents(c echo.Context) error {
	q, err := parseEventQuery(withEcosystemAlias(c.QueryParams()))
	if err != nil {
		return err
	}
	evs, next, err := s.store.Events(c.Request().Context(), q)
	if err != nil {
		return fmt.Errorf("query events: %w", err)
	}
	if evs == nil {
		evs = []store.Event{}
	}
	return c.JSON(http.StatusOK, map[string]any{"events": evs, "next": next})
}

func parseStatus(st string) (string, error) {
	switch st {
	case "", store.RequestPending, store.RequestApproved, store.RequestDenied:
		return st, nil
	}
	return "", errBadRequest("status must be pending, approved or denied")
}

func (s *Server) apiRequests(c echo.Context) error {
	st, err := parseStatus(c.QueryParam("status"))
	if err != nil {
		return err
	}
	rs, err := s.store.Requests(c.Request().Context(), st)
	if err != nil {
		return fmt.Errorf("list requests: %w", err)
	}
	if rs == nil {
		rs = []store.Request{}
	}
	return c.JSON(http.StatusOK, map[string]any{"requests": rs})
}

func (s *Server) apiGetRequest(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := s.store.GetRequest(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("no request " + id)
	}
	if err != nil {
		return fmt.Errorf("get request %s: %w", id, err)
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) apiCreateRequest(c echo.Context) error {
	var in requestInput
	if err := decodeJSON(c.Request(), c.Response(), maxBody, &in); err != nil {
		return err
	}
	r, err := s.createRequest(c.Request().Context(), mustPrincipal(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *Server) apiDecide(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in decisionInput
		if err := decodeJSON(c.Request(), c.Response(), maxBody, &in); err != nil {
			return err
		}
		var r store.Request
		if approve {
			r, err = s.approveRequest(c.Request().Context(), mustPrincipal(c), id, in)
		} else {
			r, err = s.denyRequest(c.Request().Context(), mustPrincipal(c), id, in)
		}
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

func (s *Server) apiPolicy(c echo.Context) error {
	return c.JSON(http.StatusOK, s.currentPolicy())
}

func (s *Server) apiStats(c echo.Context) error {
	st, err := s.currentStats(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) watchlist(c echo.Context) ([]store.WatchEntry, error) {
	wl, err := s.store.Watchlist(c.Request().Context())
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	if wl == nil {
		wl = []store.WatchEntry{}
	}
	return wl, nil
}

func (s *Server) apiWatchlist(c echo.Context) error {
	wl, err := s.watchlist(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"watchlist": wl})
}

// apiWatchlistExport downloads the watchlist as a JSON file, e.g. to seed
// another instance or a blocklist.
func (s *Server) apiWatchlistExport(c echo.Context) error {
	wl, err := s.watchlist(c)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(map[string]any{
		"exported": s.now().UTC(), "watchlist": wl,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode watchlist: %w", err)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="vigil-watchlist.json"`)
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

func (s *Server) apiOpenAPI(c echo.Context) error {
	b, err := uiFS.ReadFile("ui/openapi.json")
	if err != nil {
		return fmt.Errorf("read openapi: %w", err)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}
