package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

type entryResp struct {
	policy.ListEntry
	Expired  bool `json:"expired"`
	ReadOnly bool `json:"read_only"`
}

func TestConcurrentListWrites(t *testing.T) {
	e := newEnv(t, nil)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan string, 2*n)
	for i := range n {
		wg.Go(func() {
			body := map[string]any{"kind": "allow", "ecosystem": "npm",
				"pattern": fmt.Sprintf("pkg-%02d", i), "reason": "parallel"}
			if code, out := e.do(http.MethodPost, "/api/v1/lists", e.adminToken, body); code != http.StatusCreated {
				errs <- fmt.Sprintf("create %d = %d %s", i, code, out)
			}
		})
		wg.Go(func() {
			if code, out := e.do(http.MethodGet, "/api/v1/lists", e.viewerToken, nil); code != http.StatusOK {
				errs <- fmt.Sprintf("list = %d %s", code, out)
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	var got struct{ Entries []entryResp }
	e.mustDo(http.MethodGet, "/api/v1/lists", e.viewerToken, nil, http.StatusOK, &got)
	var names []string
	ids := map[string]bool{}
	for _, en := range got.Entries {
		names = append(names, en.Pattern)
		ids[en.ID] = true
	}
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("pkg-%02d", i))
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("entries after 50 parallel writes (-want +got):\n%s", diff)
	}
	if len(ids) != n || len(entriesOf(t, e.st)) != n {
		t.Errorf("%d distinct IDs, %d stored; want %d", len(ids), len(entriesOf(t, e.st)), n)
	}
	if c := eventCount(t, e.st, store.KindAdmin); c != n {
		t.Errorf("%d admin audit events, want %d", c, n)
	}
}

func TestCreateEntryValidation(t *testing.T) {
	e := newEnv(t, nil)
	big := `{"kind":"allow","ecosystem":"pypi","pattern":"x","reason":"` + strings.Repeat("a", 70<<10) + `"}`
	cases := []struct {
		name        string
		contentType string
		body        string
		code        int
		msg         string
	}{
		{"malformed", "application/json", `{"kind":"allow",`, 400, "malformed JSON"},
		{"syntax", "application/json", `{"kind" "allow"}`, 400, "malformed JSON at byte"},
		{"empty", "application/json", ``, 400, "request body is empty"},
		{"array", "application/json", `[]`, 400, "must be a JSON object"},
		{"oversized", "application/json", big, 400, "larger than 64 KiB"},
		{"unknown field", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"x","reason":"r","admin":true}`, 400, `unknown field "admin"`},
		{"trailing data", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"x","reason":"r"} {}`, 400, "single JSON object"},
		{"wrong type", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":7,"reason":"r"}`, 400, `field "pattern" must be a JSON string`},
		{"form body", "application/x-www-form-urlencoded", `kind=allow`, 415, "Content-Type must be application/json"},
		{"no reason", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"x"}`, 400, "reason is required"},
		{"blank reason", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"x","reason":"  "}`, 400, "reason is required"},
		{"bad kind", "application/json", `{"kind":"maybe","ecosystem":"pypi","pattern":"x","reason":"r"}`, 400, "kind must be"},
		{"bad ecosystem", "application/json", `{"kind":"allow","ecosystem":"cargo","pattern":"x","reason":"r"}`, 400, "unknown ecosystem"},
		{"bad glob", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"req[","reason":"r"}`, 400, "bad glob"},
		{"bad name", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"foo bar","reason":"r"}`, 400, "not allowed"},
		{"bad npm scope", "application/json", `{"kind":"deny","ecosystem":"npm","pattern":"scope/x","reason":"r"}`, 400, "@scope/name"},
		{"empty pattern", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"","reason":"r"}`, 400, "pattern is required"},
		{"bad versions", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"x","versions":">>>1","reason":"r"}`, 400, "1"},
		{"expired already", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"x","reason":"r","expires":"2020-01-01T00:00:00Z"}`, 400, "expires is in the past"},
		{"bad time", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"x","reason":"r","expires":"tomorrow"}`, 400, "want RFC 3339"},
		{"control chars", "application/json", `{"kind":"allow","ecosystem":"pypi","pattern":"x","reason":"a\u0000b"}`, 400, "control characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/lists", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("Authorization", "Bearer "+e.adminToken)
			resp, err := e.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if resp.StatusCode != tc.code || !strings.Contains(out["error"], tc.msg) {
				t.Errorf("status %d error %q, want %d containing %q", resp.StatusCode, out["error"], tc.code, tc.msg)
			}
		})
	}
	if n := len(entriesOf(t, e.st)); n != 0 {
		t.Errorf("%d entries stored after invalid input, want 0", n)
	}
	if n := eventCount(t, e.st, ""); n != 0 {
		t.Errorf("%d events recorded after invalid input, want 0", n)
	}
}

// FuzzCreateEntry: any body gives 201 (and a valid stored entry with a
// reason) or a 4xx with a JSON error and nothing stored; never a 5xx.
func FuzzCreateEntry(f *testing.F) {
	for _, s := range []string{
		`{"kind":"allow","ecosystem":"pypi","pattern":"requests","reason":"ok"}`,
		`{"kind":"deny","ecosystem":"npm","pattern":"@evil/*","versions":"^1.0.0","reason":"malware"}`,
		`{"kind":"allow","ecosystem":"pypi","pattern":"Foo.Bar_baz","versions":">=2,<3","reason":"r","expires":"2099-01-01T00:00:00Z"}`,
		`{"kind":"allow","ecosystem":"pypi","pattern":"[","reason":"r"}`,
		`{"kind":"allow"`, `null`, `[]`, `{"expires":null}`, `{"owner":"` + strings.Repeat("o", 300) + `"}`,
	} {
		f.Add([]byte(s))
	}
	e := newEnv(f, nil)
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		before := len(entriesOf(t, e.st))
		req := httptest.NewRequest(http.MethodPost, "/api/v1/lists", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.adminToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		after := entriesOf(t, e.st)
		switch {
		case rec.Code == http.StatusCreated:
			var got entryResp
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("201 body %q: %v", rec.Body, err)
			}
			if err := policy.ValidateEntry(got.ListEntry); err != nil || strings.TrimSpace(got.Reason) == "" {
				t.Fatalf("stored an invalid entry %+v: %v", got.ListEntry, err)
			}
			if len(after) != before+1 {
				t.Fatalf("201 but %d → %d entries", before, len(after))
			}
		case rec.Code >= 400 && rec.Code < 500:
			var out map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out["error"] == "" {
				t.Fatalf("%d body %q is not a JSON error", rec.Code, rec.Body)
			}
			if len(after) != before {
				t.Fatalf("%d but %d → %d entries", rec.Code, before, len(after))
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}

func TestEntryCRUD(t *testing.T) {
	e := newEnv(t, nil)
	// A config-file entry is visible and read-only.
	e.lists = store.NewLists([]policy.ListEntry{{ID: "cfg-1", Kind: policy.Deny, Ecosystem: policy.NPM,
		Pattern: "evil-*", Reason: "policy"}}, e.st, time.Hour)
	srv, err := New(Options{Store: e.st, Lists: e.lists, Now: e.clock.Now,
		Tokens: []Token{{Name: "ops", Role: RoleAdmin, Secret: e.adminToken}}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.ts = srv, httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)

	var created entryResp
	exp := e.clock.Now().Add(48 * time.Hour)
	e.mustDo(http.MethodPost, "/api/v1/lists", e.adminToken, map[string]any{
		"kind": "allow", "ecosystem": "pypi", "pattern": "Django_REST.framework", "versions": ">=3,<4",
		"reason": "vetted", "expires": exp}, http.StatusCreated, &created)
	want := policy.ListEntry{ID: created.ID, Kind: policy.Allowlist, Ecosystem: policy.PyPI,
		Pattern: "django-rest-framework", Versions: ">=3,<4", Reason: "vetted", Owner: "token:ops",
		Source: store.SourceStore, Created: e.clock.Now(), Expires: exp}
	if diff := cmp.Diff(want, created.ListEntry); diff != "" {
		t.Errorf("created entry (-want +got):\n%s", diff)
	}

	var list struct{ Entries []entryResp }
	e.mustDo(http.MethodGet, "/api/v1/lists", e.adminToken, nil, http.StatusOK, &list)
	type row struct {
		ID, Source string
		ReadOnly   bool
	}
	var rows []row
	for _, en := range list.Entries {
		rows = append(rows, row{en.ID, en.Source, en.ReadOnly})
	}
	if diff := cmp.Diff([]row{{created.ID, "store", false}, {"cfg-1", "config", true}}, rows); diff != "" {
		t.Errorf("merged list (-want +got):\n%s", diff)
	}
	e.mustDo(http.MethodGet, "/api/v1/lists?kind=deny", e.adminToken, nil, http.StatusOK, &list)
	if len(list.Entries) != 1 || list.Entries[0].ID != "cfg-1" {
		t.Errorf("kind=deny = %+v", list.Entries)
	}
	upd := map[string]any{"kind": "deny", "ecosystem": "npm", "pattern": "x", "reason": "no"}
	if code, out := e.do(http.MethodPut, "/api/v1/lists/cfg-1", e.adminToken, upd); code != http.StatusConflict || !strings.Contains(string(out), "read-only") {
		t.Errorf("PUT config entry = %d %s, want 409 read-only", code, out)
	}
	if code, _ := e.do(http.MethodDelete, "/api/v1/lists/cfg-1", e.adminToken, nil); code != http.StatusConflict {
		t.Errorf("DELETE config entry = %d, want 409", code)
	}
	if code, _ := e.do(http.MethodDelete, "/api/v1/lists/nope", e.adminToken, nil); code != http.StatusNotFound {
		t.Errorf("DELETE unknown = %d, want 404", code)
	}

	// Update keeps ID and Created; owner defaults to the caller.
	var updated entryResp
	e.mustDo(http.MethodPut, "/api/v1/lists/"+created.ID, e.adminToken, map[string]any{
		"kind": "allow", "ecosystem": "pypi", "pattern": "djangorestframework", "reason": "renamed", "owner": "team-web"},
		http.StatusOK, &updated)
	if updated.ID != created.ID || !updated.Created.Equal(created.Created) || updated.Owner != "team-web" || !updated.Expires.IsZero() {
		t.Errorf("updated = %+v", updated.ListEntry)
	}
	// Expire: shown as expired, and the API says so.
	e.clock.Add(time.Minute)
	var expired entryResp
	e.mustDo(http.MethodPost, "/api/v1/lists/"+created.ID+"/expire", e.adminToken, nil, http.StatusOK, &expired)
	if !expired.Expired || !expired.Expires.Equal(e.clock.Now()) {
		t.Errorf("expired = %+v", expired)
	}
	var got entryResp
	e.mustDo(http.MethodGet, "/api/v1/lists/"+created.ID, e.adminToken, nil, http.StatusOK, &got)
	if !got.Expired {
		t.Errorf("GET after expire: expired=false")
	}
	e.mustDo(http.MethodDelete, "/api/v1/lists/"+created.ID, e.adminToken, nil, http.StatusNoContent, nil)
	if n := len(entriesOf(t, e.st)); n != 0 {
		t.Errorf("%d entries after delete", n)
	}

	// Every change is audited with before and after.
	evs, _, err := e.st.Events(context.Background(), store.EventQuery{Kind: store.KindAdmin})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range evs {
		actions = append(actions, ev.Action)
		if ev.Actor != "token:ops" || ev.Target != created.ID {
			t.Errorf("event %s: actor %q target %q", ev.Action, ev.Actor, ev.Target)
		}
		if (ev.Action != actionListCreate) != (len(ev.Before) > 0) || (ev.Action != actionListDelete) != (len(ev.After) > 0) {
			t.Errorf("event %s: before %s after %s", ev.Action, ev.Before, ev.After)
		}
	}
	slices.Reverse(actions)
	if diff := cmp.Diff([]string{"list.create", "list.update", "list.expire", "list.delete"}, actions); diff != "" {
		t.Errorf("audit actions (-want +got):\n%s", diff)
	}
}

func TestEventsFiltersAndPagination(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for i := range 7 {
		ev := store.Event{Kind: store.KindDecision, Ecosystem: policy.PyPI, Package: fmt.Sprintf("p%d", i%2),
			Verdict: "block", Rules: []string{policy.RuleTooNew}, Client: "pip/24.0"}
		if i%3 == 0 {
			ev.Verdict, ev.Rules, ev.Client = "allow", nil, "npm/10.2"
			ev.Ecosystem = policy.NPM
		}
		if err := e.st.RecordEvents(ctx, ev); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Minute)
	}
	type page struct {
		Events []store.Event
		Next   string
	}
	var ids []string
	next := ""
	for pages := 0; ; pages++ {
		var p page
		e.mustDo(http.MethodGet, "/api/v1/events?limit=3&cursor="+next, e.viewerToken, nil, http.StatusOK, &p)
		for _, ev := range p.Events {
			ids = append(ids, ev.ID)
		}
		if p.Next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		next = p.Next
	}
	if len(ids) != 7 || !slices.IsSortedFunc(ids, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("paged IDs = %v, want 7 newest first", ids)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"verdict=block", 4}, {"ecosystem=npm", 3}, {"rule=DEP-002", 4}, {"client=npm", 3},
		{"ecosystem=pypi&package=p1", 2}, {"kind=admin", 0},
		{"since=" + e.clock.Now().Add(-3*time.Minute).Format(time.RFC3339), 3},
	} {
		var p page
		e.mustDo(http.MethodGet, "/api/v1/events?"+tc.query, e.viewerToken, nil, http.StatusOK, &p)
		if len(p.Events) != tc.want {
			t.Errorf("events?%s: %d events, want %d", tc.query, len(p.Events), tc.want)
		}
	}
	for _, q := range []string{"verdict=maybe", "ecosystem=cargo", "limit=0", "limit=501", "since=yesterday", "kind=other"} {
		if code, _ := e.do(http.MethodGet, "/api/v1/events?"+q, e.viewerToken, nil); code != http.StatusBadRequest {
			t.Errorf("events?%s = %d, want 400", q, code)
		}
	}
}

// TestApprovalFlow: a request from a blocked event, approved with an expiry,
// creates a linked allow entry that flips the verdict; the entry's expiry
// flips it back.
func TestApprovalFlow(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.recordBlock("reqeusts", "1.0.0")
	check := func() string {
		var rep policy.Report
		e.mustDo(http.MethodGet, "/api/v1/package?ecosystem=pypi&name=reqeusts&version=1.0.0", e.viewerToken, nil, http.StatusOK, &rep)
		return rep.Verdict.String()
	}
	if v := check(); v != "block" {
		t.Fatalf("verdict before approval = %s, want block", v)
	}
	var req store.Request
	e.mustDo(http.MethodPost, "/api/v1/requests", e.requesterToken,
		map[string]any{"event_id": ev.ID, "justification": "we need it for the demo"}, http.StatusCreated, &req)
	if req.Name != "reqeusts" || req.Version != "1.0.0" || req.EventID != ev.ID || req.Requester != "token:dev" || req.Status != "pending" {
		t.Errorf("request = %+v", req)
	}
	if code, _ := e.do(http.MethodPost, "/api/v1/requests", e.requesterToken,
		map[string]any{"event_id": ev.ID, "justification": "again"}); code != http.StatusConflict {
		t.Errorf("duplicate pending request = %d, want 409", code)
	}
	exp := e.clock.Now().Add(7 * 24 * time.Hour)
	var approved store.Request
	e.mustDo(http.MethodPost, "/api/v1/requests/"+req.ID+"/approve", e.adminToken,
		map[string]any{"reason": "reviewed the source", "expires": exp}, http.StatusOK, &approved)
	if approved.Status != "approved" || approved.EntryID == "" || approved.DecidedBy != "token:ops" || approved.DecisionNote != "reviewed the source" {
		t.Errorf("approved = %+v", approved)
	}
	entry, err := e.st.GetEntry(context.Background(), approved.EntryID)
	if err != nil {
		t.Fatal(err)
	}
	want := policy.ListEntry{ID: approved.EntryID, Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "reqeusts",
		Versions: "==1.0.0", Reason: "reviewed the source", Owner: "token:ops", Source: store.SourceStore,
		Created: e.clock.Now(), Expires: exp}
	if diff := cmp.Diff(want, entry); diff != "" {
		t.Errorf("allow entry (-want +got):\n%s", diff)
	}
	if v := check(); v != "allow" {
		t.Errorf("verdict after approval = %s, want allow", v)
	}
	if code, out := e.do(http.MethodPost, "/api/v1/requests/"+req.ID+"/approve", e.adminToken, map[string]any{"reason": "twice"}); code != http.StatusConflict {
		t.Errorf("second approval = %d %s, want 409", code, out)
	}
	if code, _ := e.do(http.MethodPost, "/api/v1/requests/"+req.ID+"/deny", e.adminToken, map[string]any{"reason": "late"}); code != http.StatusConflict {
		t.Errorf("deny after approval = %d, want 409", code)
	}
	for _, action := range []string{"approve", "deny"} {
		if code, out := e.do(http.MethodPost, "/api/v1/requests/no-such-request/"+action, e.adminToken, map[string]any{"reason": "r"}); code != http.StatusNotFound || !strings.Contains(string(out), "no request no-such-request") {
			t.Errorf("%s of an unknown request = %d %s, want 404 naming it", action, code, out)
		}
	}
	if n := len(entriesOf(t, e.st)); n != 1 {
		t.Errorf("%d entries after repeated decisions, want 1", n)
	}
	e.clock.Add(8 * 24 * time.Hour)
	if v := check(); v != "block" {
		t.Errorf("verdict after expiry = %s, want block", v)
	}

	// Deny path: by name, no entry created.
	var r2 store.Request
	e.mustDo(http.MethodPost, "/api/v1/requests", e.adminToken,
		map[string]any{"ecosystem": "npm", "name": "@Acme/Widget", "justification": "internal"}, http.StatusCreated, &r2)
	if r2.Name != "@acme/widget" {
		t.Errorf("name = %q, want canonical @acme/widget", r2.Name)
	}
	if code, _ := e.do(http.MethodPost, "/api/v1/requests/"+r2.ID+"/deny", e.adminToken, map[string]any{}); code != http.StatusBadRequest {
		t.Errorf("deny without reason = %d, want 400", code)
	}
	var denied store.Request
	e.mustDo(http.MethodPost, "/api/v1/requests/"+r2.ID+"/deny", e.adminToken, map[string]any{"reason": "use the fork"}, http.StatusOK, &denied)
	if denied.Status != "denied" || denied.EntryID != "" || denied.DecisionNote != "use the fork" {
		t.Errorf("denied = %+v", denied)
	}
	if code, _ := e.do(http.MethodPost, "/api/v1/requests/"+r2.ID+"/approve", e.adminToken, map[string]any{"reason": "changed my mind"}); code != http.StatusConflict {
		t.Errorf("approve after deny = %d, want 409", code)
	}
	var pending struct{ Requests []store.Request }
	e.mustDo(http.MethodGet, "/api/v1/requests?status=pending", e.viewerToken, nil, http.StatusOK, &pending)
	if len(pending.Requests) != 0 {
		t.Errorf("pending = %+v", pending.Requests)
	}
	var one store.Request
	e.mustDo(http.MethodGet, "/api/v1/requests/"+r2.ID, e.viewerToken, nil, http.StatusOK, &one)
	if one.Status != "denied" {
		t.Errorf("GET request = %+v", one)
	}
	for _, body := range []map[string]any{
		{"justification": "x"},
		{"ecosystem": "pypi", "name": "bad name!", "justification": "x"},
		{"ecosystem": "pypi", "name": "ok"},
		{"event_id": "no-such-event", "justification": "x"},
	} {
		if code, _ := e.do(http.MethodPost, "/api/v1/requests", e.requesterToken, body); code != http.StatusBadRequest {
			t.Errorf("create request %v = %d, want 400", body, code)
		}
	}
	evs, _, err := e.st.Events(context.Background(), store.EventQuery{Kind: store.KindAdmin})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range evs {
		actions = append(actions, ev.Actor+" "+ev.Action)
	}
	slices.Reverse(actions)
	wantActions := []string{"token:dev request.create", "token:ops list.create", "token:ops request.approve",
		"token:ops request.create", "token:ops request.deny"}
	if diff := cmp.Diff(wantActions, actions); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestConcurrentApprovals: of many simultaneous approvals of one request,
// exactly one wins and exactly one entry exists.
func TestConcurrentApprovals(t *testing.T) {
	e := newEnv(t, nil)
	var req store.Request
	e.mustDo(http.MethodPost, "/api/v1/requests", e.adminToken,
		map[string]any{"ecosystem": "pypi", "name": "reqeusts", "justification": "x"}, http.StatusCreated, &req)
	var wg sync.WaitGroup
	codes := make(chan int, 10)
	for range 10 {
		wg.Go(func() {
			code, _ := e.do(http.MethodPost, "/api/v1/requests/"+req.ID+"/approve", e.adminToken, map[string]any{"reason": "ok"})
			codes <- code
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if diff := cmp.Diff(map[int]int{200: 1, 409: 9}, count); diff != "" {
		t.Errorf("status counts (-want +got):\n%s", diff)
	}
	if n := len(entriesOf(t, e.st)); n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
}

func TestReadOnlyViews(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.recordBlock("reqeusts", "1.0.0")
	e.recordBlock("reqeusts", "1.0.0")
	if _, err := e.st.RecordMissing(ctx, policy.PyPI, "huggingface-cli", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	var pv PolicyView
	e.mustDo(http.MethodGet, "/api/v1/policy", e.viewerToken, nil, http.StatusOK, &pv)
	if pv.Strategy != "default" || len(pv.Rules) == 0 || pv.Rules[0].Description == "" || pv.Rules[0].Action == "" {
		t.Errorf("policy = %+v", pv)
	}
	var st StatsView
	e.mustDo(http.MethodGet, "/api/v1/stats", e.viewerToken, nil, http.StatusOK, &st)
	wantStats := StatsView{Window: st.Window, Requests: 2, Blocks: 2, BlocksByRule: map[string]int64{"DEP-002": 2},
		TopBlocked: []NameCount{{Ecosystem: policy.PyPI, Name: "reqeusts", Count: 2}}, Upstreams: []UpstreamView{}}
	if diff := cmp.Diff(wantStats, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var wl struct{ Watchlist []store.WatchEntry }
	e.mustDo(http.MethodGet, "/api/v1/watchlist", e.viewerToken, nil, http.StatusOK, &wl)
	if len(wl.Watchlist) != 1 || wl.Watchlist[0].Name != "huggingface-cli" {
		t.Errorf("watchlist = %+v", wl)
	}
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/watchlist/export", nil)
	req.Header.Set("Authorization", "Bearer "+e.viewerToken)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var export struct {
		Exported  time.Time
		Watchlist []store.WatchEntry
	}
	if err := json.NewDecoder(resp.Body).Decode(&export); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || len(export.Watchlist) != 1 {
		t.Errorf("export: %q %+v", resp.Header.Get("Content-Disposition"), export)
	}
	var doc map[string]any
	e.mustDo(http.MethodGet, "/api/v1/openapi.json", e.viewerToken, nil, http.StatusOK, &doc)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	// Custom stats are passed through.
	e2 := newEnv(t, func(o *Options) {
		o.Stats = func(context.Context) StatsView { return StatsView{Requests: 9, CacheHitRatio: 0.5} }
	})
	e2.mustDo(http.MethodGet, "/api/v1/stats", e2.viewerToken, nil, http.StatusOK, &st)
	if st.Requests != 9 || st.CacheHitRatio != 0.5 {
		t.Errorf("custom stats = %+v", st)
	}
}

// The admin API's package lookup validates its question (scoped names in
// either spelling, ranges and specifiers accepted, anything else a 400) and
// answers with the proxy's verdict.
func TestPackageLookup(t *testing.T) {
	e := newEnv(t, nil)
	get := func(query string) (int, policy.Report, string) {
		code, body := e.do(http.MethodGet, "/api/v1/package?"+query, e.viewerToken, nil)
		var rep policy.Report
		_ = json.Unmarshal(body, &rep)
		return code, rep, string(body)
	}
	code, rep, _ := get("ecosystem=pypi&name=Reqeusts&version=1.0.0")
	if code != 200 || rep.Verdict != policy.Block || rep.Name != "reqeusts" || len(rep.Findings) == 0 || rep.Findings[0].Rule != policy.RuleTooNew {
		t.Errorf("lookup reqeusts = %d %+v", code, rep)
	}
	code, rep, _ = get("ecosystem=npm&name=@scope/left-pad")
	if code != 200 || rep.Name != "@scope/left-pad" || rep.Verdict != policy.Block {
		t.Errorf("lookup scoped = %d %+v", code, rep)
	}
	// Ranges, dist-tags and specifiers are questions clients ask (the
	// lookup resolves them as the client would); other characters are not.
	for _, q := range []string{"ecosystem=npm&name=left-pad&version=%3E%3D1%20%3C2", "ecosystem=npm&name=left-pad&version=%5E1%20%7C%7C%20%5E2", "ecosystem=pypi&name=x&version=%3E%3D2%2C%3C3"} {
		if code, _, body := get(q); code != 200 {
			t.Errorf("GET %s = %d %s, want 200", q, code, body)
		}
	}
	for _, q := range []string{"ecosystem=cargo&name=serde", "ecosystem=pypi&name=bad%20name", "ecosystem=pypi&name=x&version=1%3B0", "ecosystem=pypi&name=x&version=%221%22"} {
		if code, _, body := get(q); code != 400 || !strings.Contains(body, `"error"`) {
			t.Errorf("GET %s = %d %s, want 400", q, code, body)
		}
	}
	if code, _ := e.do(http.MethodGet, "/api/v1/package?ecosystem=pypi&name=reqeusts", "", nil); code != http.StatusUnauthorized {
		t.Errorf("anonymous lookup = %d, want 401 (the anonymous check API is the proxy's)", code)
	}
}
