package admin

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

var (
	labelFor = regexp.MustCompile(`<label for="([^"]+)"`)
	inputID  = regexp.MustCompile(`<(?:input|select|textarea)[^>]*\bid="([^"]+)"`)
	inputAny = regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*>`)
)

// checkPage asserts what every rendered page must satisfy: no inline script
// or style (the CSP would block them) and a label for every visible input.
func checkPage(t *testing.T, path, body string) {
	t.Helper()
	for _, bad := range []string{"<script", " style=", "onclick=", "javascript:"} {
		if strings.Contains(body, bad) {
			t.Errorf("%s contains %q", path, bad)
		}
	}
	labels := map[string]bool{}
	for _, m := range labelFor.FindAllStringSubmatch(body, -1) {
		labels[m[1]] = true
	}
	for _, tag := range inputAny.FindAllString(body, -1) {
		if strings.Contains(tag, `type="hidden"`) {
			continue
		}
		m := inputID.FindStringSubmatch(tag)
		if m == nil || !labels[m[1]] {
			t.Errorf("%s: input without a label: %s", path, tag)
		}
	}
}

func TestUIPages(t *testing.T) {
	e := newEnv(t, nil)
	e.recordBlock("reqeusts", "1.0.0")
	if _, err := e.st.RecordMissing(context.Background(), policy.NPM, "ghost-pkg", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	admin := e.newBrowser()
	admin.login("alice", e.password)
	viewer := e.newBrowser()
	viewer.login("victor", e.password)
	e.mustDo(http.MethodPost, "/api/v1/requests", e.adminToken,
		map[string]any{"ecosystem": "pypi", "name": "reqeusts", "justification": "for the pipeline"}, http.StatusCreated, nil)

	pages := []struct {
		path     string
		code     int
		contains []string
		admin    []string // only shown to admins
	}{
		{"/admin/", 200, []string{"reqeusts", "DEP-002", "ghost-pkg", "1</span> pending"}, []string{"Request approval"}},
		{"/admin/audit", 200, []string{"reqeusts", "pip/24.0", "request.create"}, nil},
		{"/admin/audit?verdict=maybe", 400, []string{"unknown verdict"}, nil},
		{"/admin/lists", 200, []string{"No entries."}, []string{"Add an entry"}},
		{"/admin/requests", 200, []string{"for the pipeline"}, []string{"Approval reason", "Request an exception"}},
		{"/admin/rules", 200, []string{"DEP-002", "MAL-001", "default"}, nil},
		{"/admin/package", 200, []string{"Package name"}, nil},
		{"/admin/package?eco=pypi&name=reqeusts", 200, []string{"DEP-002", "first published"}, []string{"Request an exception"}},
		{"/admin/package?eco=npm&name=does-not-exist-anywhere", 200, []string{"DEP-001"}, nil},
		{"/admin/package?eco=pypi&name=bad%20name", 400, []string{"invalid PyPI name"}, nil},
		{"/admin/nope", 404, []string{"no such page"}, nil},
	}
	for _, p := range pages {
		resp, body := admin.get(p.path)
		text := html.UnescapeString(body)
		if resp.StatusCode != p.code {
			t.Errorf("admin GET %s = %d, want %d", p.path, resp.StatusCode, p.code)
		}
		for _, want := range append(append([]string{}, p.contains...), p.admin...) {
			if !strings.Contains(text, want) {
				t.Errorf("admin GET %s lacks %q", p.path, want)
			}
		}
		checkPage(t, p.path, body)
		vresp, vbody := viewer.get(p.path)
		if vresp.StatusCode != p.code {
			t.Errorf("viewer GET %s = %d, want %d", p.path, vresp.StatusCode, p.code)
		}
		for _, hidden := range p.admin {
			if strings.Contains(html.UnescapeString(vbody), hidden) {
				t.Errorf("viewer GET %s shows %q", p.path, hidden)
			}
		}
	}
	resp, _ := admin.get("/admin/login")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login page while signed in = %d, want 303", resp.StatusCode)
	}
	resp, body := e.newBrowser().get("/admin/login")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("login page = %d", resp.StatusCode)
	}
	checkPage(t, "/admin/login", body)
}

// The UI and the API both take the ecosystem as ecosystem= (documented);
// the UI's older eco= links keep working, on the UI and the API alike, and
// the UI's own links and forms now use ecosystem=.
func TestEcosystemParameterBothSpellings(t *testing.T) {
	e := newEnv(t, nil)
	e.recordBlock("reqeusts", "1.0.0") // a PyPI event
	admin := e.newBrowser()
	admin.login("alice", e.password)
	for _, q := range []string{"ecosystem=npm", "eco=npm"} {
		path := "/admin/package?" + q + "&name=does-not-exist-anywhere"
		resp, body := admin.get(path)
		text := html.UnescapeString(body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(text, "does not exist on npm") || !strings.Contains(body, `<option value="npm" selected>`) {
			t.Errorf("GET %s = %d, want the npm verdict with npm selected:\n%.3000s", path, resp.StatusCode, text)
		}
		if !strings.Contains(body, `<select id="p-eco" name="ecosystem">`) {
			t.Errorf("GET %s: the lookup form should submit ecosystem=", path)
		}
		for _, api := range []string{"/api/v1/package?" + q + "&name=does-not-exist-anywhere"} {
			var rep policy.Report
			e.mustDo(http.MethodGet, api, e.adminToken, nil, http.StatusOK, &rep)
			if rep.Ecosystem != policy.NPM {
				t.Errorf("GET %s judged %s, want npm", api, rep.Ecosystem)
			}
		}
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"ecosystem=npm", 0}, {"eco=npm", 0}, {"ecosystem=pypi", 1}, {"eco=pypi", 1}, {"ecosystem=pypi&eco=npm", 1},
	} {
		var page struct{ Events []store.Event }
		e.mustDo(http.MethodGet, "/api/v1/events?kind=decision&"+tc.query, e.adminToken, nil, http.StatusOK, &page)
		if len(page.Events) != tc.want {
			t.Errorf("GET /api/v1/events?%s = %d events, want %d", tc.query, len(page.Events), tc.want)
		}
		_, body := admin.get("/admin/audit?kind=decision&" + tc.query)
		if got := strings.Count(body, "/admin/package?ecosystem=pypi&amp;name=reqeusts"); got != tc.want {
			t.Errorf("GET /admin/audit?%s links %d events (with ecosystem=), want %d", tc.query, got, tc.want)
		}
	}
	if _, body := admin.get("/admin/"); !strings.Contains(body, "/admin/package?ecosystem=pypi&amp;name=reqeusts") || strings.Contains(body, "?eco=") {
		t.Errorf("the dashboard should link packages with ecosystem=:\n%.3000s", body)
	}
}

func TestUIForms(t *testing.T) {
	e := newEnv(t, nil)
	b := e.newBrowser()
	b.login("alice", e.password)
	csrf := b.csrf("/admin/lists")

	// Invalid input: an HTML error page with the reason, nothing stored.
	resp, body := b.post("/admin/lists", url.Values{"csrf": {csrf}, "kind": {"deny"}, "ecosystem": {"npm"},
		"pattern": {"bad[glob"}, "reason": {"x"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "bad glob") {
		t.Errorf("invalid entry = %d %.300s", resp.StatusCode, body)
	}
	if n := len(entriesOf(t, e.st)); n != 0 {
		t.Fatalf("%d entries stored from invalid form", n)
	}
	// An oversized form is refused (its token cannot even be read).
	resp, _ = b.post("/admin/lists", url.Values{"csrf": {csrf}, "kind": {"deny"}, "ecosystem": {"npm"},
		"pattern": {"huge"}, "reason": {strings.Repeat("r", 100<<10)}})
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("oversized form = %d, want 4xx", resp.StatusCode)
	}
	if n := len(entriesOf(t, e.st)); n != 0 {
		t.Fatalf("%d entries stored from an oversized form", n)
	}
	// A valid entry with an expiry from the datetime-local field (UTC).
	resp, _ = b.post("/admin/lists", url.Values{"csrf": {csrf}, "kind": {"deny"}, "ecosystem": {"npm"},
		"pattern": {"@evil/*"}, "reason": {"malware campaign"}, "expires": {"2027-01-02T03:04"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/lists?done=created" {
		t.Fatalf("create = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	es := entriesOf(t, e.st)
	if len(es) != 1 || es[0].Pattern != "@evil/*" || es[0].Owner != "alice" || es[0].Expires.Format("2006-01-02T15:04Z07:00") != "2027-01-02T03:04Z" {
		t.Fatalf("stored %+v", es)
	}
	_, body = b.get("/admin/lists?done=created")
	if !strings.Contains(body, "Entry added.") || !strings.Contains(body, "malware campaign") {
		t.Errorf("lists page after create lacks the notice or the entry")
	}
	resp, _ = b.post("/admin/lists/"+es[0].ID+"/delete", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther || len(entriesOf(t, e.st)) != 0 {
		t.Errorf("delete = %d, %d entries left", resp.StatusCode, len(entriesOf(t, e.st)))
	}

	// File by name and deny with a reason.
	resp, body = b.post("/admin/requests", url.Values{"csrf": {csrf}, "ecosystem": {"npm"}, "name": {"left-pad"},
		"justification": {"legacy build"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("file request = %d %.200s", resp.StatusCode, body)
	}
	rs, err := e.st.Requests(context.Background(), store.RequestPending)
	if err != nil || len(rs) != 1 {
		t.Fatalf("pending = %v %v", rs, err)
	}
	resp, _ = b.post("/admin/requests/"+rs[0].ID+"/deny", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("deny without reason = %d, want 400", resp.StatusCode)
	}
	resp, _ = b.post("/admin/requests/"+rs[0].ID+"/deny", url.Values{"csrf": {csrf}, "reason": {"use a maintained package"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("deny = %d", resp.StatusCode)
	}
	r, err := e.st.GetRequest(context.Background(), rs[0].ID)
	if err != nil || r.Status != store.RequestDenied || r.DecidedBy != "alice" {
		t.Errorf("request after deny = %+v %v", r, err)
	}
	resp, body = b.post("/admin/requests/"+rs[0].ID+"/approve", url.Values{"csrf": {csrf}, "reason": {"again"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already denied") {
		t.Errorf("approve after deny = %d %.200s", resp.StatusCode, body)
	}
}

func TestUIAuditPagination(t *testing.T) {
	e := newEnv(t, nil)
	var evs []store.Event
	for range 60 {
		evs = append(evs, store.Event{Kind: store.KindDecision, Ecosystem: policy.PyPI, Package: "flask", Verdict: "allow"})
	}
	if err := e.st.RecordEvents(context.Background(), evs...); err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	b.login("victor", e.password)
	_, body := b.get("/admin/audit?ecosystem=pypi&package=flask")
	next := regexp.MustCompile(`href="(/admin/audit\?[^"]+)" rel="next"`).FindStringSubmatch(body)
	if n := strings.Count(body, "pypi: flask"); n != 50 || next == nil {
		t.Fatalf("first page: %d rows, next link %v", n, next)
	}
	link := html.UnescapeString(next[1])
	if !strings.Contains(link, "package=flask") || !strings.Contains(link, "cursor=") {
		t.Errorf("next link %q drops the filters or the cursor", link)
	}
	_, body = b.get(link)
	if n := strings.Count(body, "pypi: flask"); n != 10 || strings.Contains(body, `rel="next"`) {
		t.Errorf("second page: %d rows (want 10), next link present: %v", n, strings.Contains(body, `rel="next"`))
	}
}

func TestReasonHTMLEscapesAndMarksCode(t *testing.T) {
	for in, want := range map[string]string{
		"`reqeusts` looks like `requests`": "<code>reqeusts</code> looks like <code>requests</code>",
		"<script>`x`":                      "&lt;script&gt;<code>x</code>",
		"odd ` backtick":                   "odd ` backtick",
	} {
		if got := string(reasonHTML(in)); got != want {
			t.Errorf("reasonHTML(%q) = %q, want %q", in, got, want)
		}
	}
	if got := shortClient(`pip/23.2.1 {"ci":null,"cpu":"x86_64"}`); got != "pip/23.2.1" {
		t.Errorf("shortClient = %q", got)
	}
}
