package admin

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// uiFS holds the templates, the stylesheet and the OpenAPI document.
//
//go:embed ui/templates/*.html ui/static ui/openapi.json
var uiFS embed.FS

// pageNames are the templates, each rendered inside layout.html.
var pageNames = []string{
	"login.html", "error.html", "dashboard.html", "audit.html", "lists.html",
	"requests.html", "rules.html", "package.html",
}

const timeLayout = "2006-01-02 15:04 UTC"

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"fmtTime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(timeLayout)
		},
		"join":   strings.Join,
		"reason": reasonHTML,
		"client": shortClient,
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(uiFS, "ui/templates/layout.html", "ui/templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// pageData is what every template receives.
type pageData struct {
	Title      string
	Nav        string
	User       string
	Role       Role
	CSRF       string
	CanAdmin   bool
	CanRequest bool
	Notice     string
	Error      string
	Data       any
}

// render executes a page into a buffer and writes it with the given status.
func (s *Server) render(c echo.Context, code int, page string, d pageData) error {
	if p, ok := principalOf(c); ok {
		d.User, d.Role = p.Name, p.Role
		d.CanAdmin, d.CanRequest = p.Role.Allows(RoleAdmin), p.Role.Allows(RoleRequester)
		if p.sess != nil {
			d.CSRF = p.sess.csrf
		}
	}
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("no template %s", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	return c.HTMLBlob(code, buf.Bytes())
}

// notices are the messages a redirect after a write may show (?done=…).
var notices = map[string]string{
	"created":   "Entry added.",
	"expired":   "Entry expired: it no longer applies.",
	"deleted":   "Entry deleted.",
	"requested": "Request filed. An admin will review it.",
	"approved":  "Request approved: an allow entry was created.",
	"denied":    "Request denied.",
	"purged":    "Cached files of the package removed: the next download is fetched from upstream and verified again.",
}

type loginData struct{ Next string }

func (s *Server) renderLogin(c echo.Context, code int, msg, next string) error {
	return s.render(c, code, "login.html", pageData{Title: "Sign in", Error: msg, Data: loginData{Next: safeNext(next)}})
}

// safeNext keeps post-login redirects on the admin UI.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "/admin/login") ||
		strings.ContainsAny(next, "\\\r\n") || strings.Contains(next, "//") {
		return "/admin/"
	}
	return next
}

func (s *Server) uiLoginForm(c echo.Context) error {
	if s.sessionOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/admin/")
	}
	return s.renderLogin(c, http.StatusOK, "", c.QueryParam("next"))
}

func (s *Server) uiLogin(c echo.Context) error {
	next := c.FormValue("next")
	ok, wait, err := s.limiter.allow(c.Request().Context(), limiterKey(c.RealIP()))
	if err != nil {
		s.log.ErrorContext(c.Request().Context(), "login rate limit unavailable", "error", err)
		return s.renderLogin(c, http.StatusServiceUnavailable, "Sign-in is unavailable right now. Try again shortly.", next)
	}
	if !ok {
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		return s.renderLogin(c, http.StatusTooManyRequests, "Too many sign-in attempts. Wait a minute and try again.", next)
	}
	name, pw := c.FormValue("username"), c.FormValue("password")
	u, known := s.users[name]
	hash := u.PasswordHash
	if !known {
		for _, other := range s.users { // spend the same time on unknown names
			hash = other.PasswordHash
			break
		}
	}
	err = bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
	if !known || err != nil || len(pw) > 72 {
		who := "unknown user" // an unknown name may be a mistyped password: never log it
		if known {
			who = name
		}
		s.log.InfoContext(c.Request().Context(), "admin login refused", "user", who, "remote", c.RealIP())
		return s.renderLogin(c, http.StatusUnauthorized, "Wrong username or password.", next)
	}
	if old := s.sessionOf(c); old != nil {
		s.sessions.delete(c.Request().Context(), old.id) // one browser, one login
	}
	value, _, err := s.sessions.create(c.Request().Context(), u.Name, u.Role)
	if err != nil {
		s.log.ErrorContext(c.Request().Context(), "admin login failed", "user", u.Name, "error", err)
		return s.renderLogin(c, http.StatusServiceUnavailable, "Sign-in is unavailable right now. Try again shortly.", next)
	}
	s.setSessionCookie(c, value, int(s.ttl.Seconds()))
	s.log.InfoContext(c.Request().Context(), "admin login", "user", u.Name, "remote", c.RealIP())
	return c.Redirect(http.StatusSeeOther, safeNext(next))
}

func (s *Server) uiLogout(c echo.Context) error {
	if p, ok := principalOf(c); ok && p.sess != nil {
		s.sessions.delete(c.Request().Context(), p.sess.id)
	}
	s.setSessionCookie(c, "", -1)
	return c.Redirect(http.StatusSeeOther, "/admin/login")
}

type dashboardData struct {
	Blocks    []store.Event
	Stats     StatsView
	Rules     []NameCount
	Watchlist []store.WatchEntry
	Pending   int
	// MalwareFeed is the malware feed's state, empty without a feed.
	MalwareFeed string
}

func (s *Server) uiDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	blocks, _, err := s.store.Events(ctx, store.EventQuery{Kind: store.KindDecision, Verdict: "block", Limit: 15})
	if err != nil {
		return fmt.Errorf("recent blocks: %w", err)
	}
	st, err := s.currentStats(ctx)
	if err != nil {
		return err
	}
	var rules []NameCount
	for r, n := range st.BlocksByRule {
		rules = append(rules, NameCount{Name: r, Count: n})
	}
	sortCounts(rules)
	wl, err := s.watchlist(c)
	if err != nil {
		return err
	}
	if len(wl) > 15 {
		wl = wl[:15]
	}
	pending, err := s.store.Requests(ctx, store.RequestPending)
	if err != nil {
		return fmt.Errorf("pending requests: %w", err)
	}
	return s.render(c, http.StatusOK, "dashboard.html", pageData{Title: "Dashboard", Nav: "dashboard",
		Data: dashboardData{Blocks: blocks, Stats: st, Rules: rules, Watchlist: wl, Pending: len(pending), MalwareFeed: s.malwareDetail()}})
}

type auditData struct {
	Filter url.Values
	Events []store.Event
	Next   string
}

func (s *Server) uiAudit(c echo.Context) error {
	params := withEcosystemAlias(c.QueryParams())
	d := auditData{Filter: params}
	pd := pageData{Title: "Audit log", Nav: "audit", Data: &d}
	q, err := parseEventQuery(params)
	if err != nil {
		_, pd.Error = classify(err)
		return s.render(c, http.StatusBadRequest, "audit.html", pd)
	}
	evs, next, err := s.store.Events(c.Request().Context(), q)
	if err != nil {
		return fmt.Errorf("query events: %w", err)
	}
	d.Events = evs
	if next != "" {
		nv := url.Values{}
		for k, v := range params {
			if k != "cursor" && len(v) > 0 && v[0] != "" {
				nv.Set(k, v[0])
			}
		}
		nv.Set("cursor", next)
		d.Next = "/admin/audit?" + nv.Encode()
	}
	return s.render(c, http.StatusOK, "audit.html", pd)
}

type listsData struct {
	Entries    []entryView
	Ecosystems []policy.Ecosystem
}

func (s *Server) uiLists(c echo.Context) error {
	entries, err := s.listEntries(c.Request().Context(), "")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "lists.html", pageData{Title: "Allow and deny lists", Nav: "lists",
		Notice: notices[c.QueryParam("done")], Data: listsData{Entries: entries, Ecosystems: policy.Ecosystems()}})
}

// formExpiry reads an optional datetime-local field, taken as UTC.
func formExpiry(c echo.Context, field string) (*time.Time, error) {
	v := strings.TrimSpace(c.FormValue(field))
	if v == "" {
		return nil, nil
	}
	t, err := parseTimeParam("expires", v)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (s *Server) uiCreateEntry(c echo.Context) error {
	exp, err := formExpiry(c, "expires")
	if err != nil {
		return err
	}
	_, err = s.createEntry(c.Request().Context(), mustPrincipal(c), entryInput{
		Kind: policy.ListKind(c.FormValue("kind")), Ecosystem: c.FormValue("ecosystem"),
		Pattern: c.FormValue("pattern"), Versions: c.FormValue("versions"),
		Reason: c.FormValue("reason"), Expires: exp,
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/lists?done=created")
}

func (s *Server) uiExpireEntry(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.expireEntry(c.Request().Context(), mustPrincipal(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/lists?done=expired")
}

func (s *Server) uiDeleteEntry(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.deleteEntry(c.Request().Context(), mustPrincipal(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/lists?done=deleted")
}

type requestsData struct {
	New        requestInput
	Event      *store.Event
	Pending    []store.Request
	Decided    []store.Request
	Ecosystems []policy.Ecosystem
}

func (s *Server) uiRequests(c echo.Context) error {
	ctx := c.Request().Context()
	d := requestsData{Ecosystems: policy.Ecosystems(), New: requestInput{
		Ecosystem: ecosystemParam(c.QueryParam), Name: c.QueryParam("name"), Version: c.QueryParam("version"),
	}}
	pd := pageData{Title: "Approval requests", Nav: "requests", Notice: notices[c.QueryParam("done")], Data: &d}
	if id := c.QueryParam("event"); id != "" {
		ev, err := s.findEvent(ctx, id)
		if err != nil {
			_, pd.Error = classify(err)
		} else {
			d.Event = &ev
			d.New = requestInput{EventID: ev.ID, Ecosystem: string(ev.Ecosystem), Name: ev.Package, Version: ev.Version}
		}
	}
	all, err := s.store.Requests(ctx, "")
	if err != nil {
		return fmt.Errorf("list requests: %w", err)
	}
	for _, r := range all {
		if r.Status == store.RequestPending {
			d.Pending = append(d.Pending, r)
		} else if len(d.Decided) < 50 {
			d.Decided = append(d.Decided, r)
		}
	}
	return s.render(c, http.StatusOK, "requests.html", pd)
}

func (s *Server) uiCreateRequest(c echo.Context) error {
	_, err := s.createRequest(c.Request().Context(), mustPrincipal(c), requestInput{
		EventID: c.FormValue("event_id"), Ecosystem: c.FormValue("ecosystem"), Name: c.FormValue("name"),
		Version: c.FormValue("version"), Justification: c.FormValue("justification"),
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/requests?done=requested")
}

func (s *Server) uiDecide(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		in := decisionInput{Reason: c.FormValue("reason")}
		if approve {
			if in.Expires, err = formExpiry(c, "expires"); err != nil {
				return err
			}
			_, err = s.approveRequest(c.Request().Context(), mustPrincipal(c), id, in)
		} else {
			_, err = s.denyRequest(c.Request().Context(), mustPrincipal(c), id, in)
		}
		if err != nil {
			return err
		}
		done := "denied"
		if approve {
			done = "approved"
		}
		return c.Redirect(http.StatusSeeOther, "/admin/requests?done="+done)
	}
}

func (s *Server) uiRules(c echo.Context) error {
	return s.render(c, http.StatusOK, "rules.html", pageData{Title: "Rules", Nav: "rules", Data: s.currentPolicy()})
}

type packageData struct {
	Ecosystems []policy.Ecosystem
	Query      checkRef
	Report     *policy.Report
}

func (s *Server) uiPackage(c echo.Context) error {
	d := packageData{Ecosystems: policy.Ecosystems(), Query: checkRef{
		Ecosystem: ecosystemParam(c.QueryParam), Name: c.QueryParam("name"), Version: c.QueryParam("version"),
	}}
	if d.Query.Ecosystem == "" {
		d.Query.Ecosystem = string(policy.PyPI)
	}
	pd := pageData{Title: "Package verdict", Nav: "package", Data: &d, Notice: notices[c.QueryParam("done")]}
	if strings.TrimSpace(d.Query.Name) == "" {
		return s.render(c, http.StatusOK, "package.html", pd)
	}
	pd.Title = d.Query.Name + " — package verdict"
	rep, err := s.judge(c.Request().Context(), d.Query)
	var pe *publicError
	if errors.As(err, &pe) {
		pd.Error = pe.msg
		return s.render(c, pe.code, "package.html", pd)
	}
	if err != nil {
		return err
	}
	d.Report = &rep
	return s.render(c, http.StatusOK, "package.html", pd)
}

// reasonHTML renders a rule's reason, showing `name` spans as code. The text
// is escaped first; only the code spans become markup.
func reasonHTML(s string) template.HTML {
	parts := strings.Split(template.HTMLEscapeString(s), "`")
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString("<code>" + p + "</code>")
			continue
		}
		if i%2 == 1 {
			b.WriteString("`")
		}
		b.WriteString(p)
	}
	return template.HTML(b.String())
}

// shortClient keeps the product token of a User-Agent ("pip/23.2.1" out of
// pip's long JSON user agent).
func shortClient(ua string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(ua), " ")
	return first
}
