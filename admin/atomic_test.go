package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

// diskFullAudit fails the audit write of every change while full is set,
// as bbolt does when the disk fills up; the store's own transaction then
// rolls the change back.
type diskFullAudit struct {
	store.Store
	full *atomic.Bool
}

func (d diskFullAudit) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	return d.Store.Update(ctx, func(tx store.Tx) error {
		if d.full.Load() {
			tx = diskFullTx{tx}
		}
		return fn(tx)
	})
}

// RecordEvents fails like the audit write of a transaction.
func (d diskFullAudit) RecordEvents(ctx context.Context, evs ...store.Event) error {
	if d.full.Load() {
		return diskFullTx{}.RecordEvents(ctx, evs...)
	}
	return d.Store.RecordEvents(ctx, evs...)
}

type diskFullTx struct{ store.Tx }

func (diskFullTx) RecordEvents(context.Context, ...store.Event) error {
	return fmt.Errorf("write vigil.db: %w", syscall.ENOSPC)
}

// failingAuditEnv is an admin server whose audit writes can be made to
// fail: st is the store it writes to, fail turns the fault on and heal
// off.
type failingAuditEnv struct {
	*env
	st         store.Store
	fail, heal func()
}

func boltFailingAudit(t *testing.T) failingAuditEnv {
	full := &atomic.Bool{}
	e := newEnv(t, func(o *Options) { o.Store = diskFullAudit{Store: o.Store, full: full} })
	return failingAuditEnv{env: e, st: e.st, fail: func() { full.Store(true) }, heal: func() { full.Store(false) }}
}

// pgFailingAudit fails audit writes in PostgreSQL itself: a trigger on the
// events table raises disk_full, as a full disk does.
func pgFailingAudit(t *testing.T) failingAuditEnv {
	c := pgtest.Start(t)
	db := c.NewDatabase(t)
	st, err := pgstore.Open(t.Context(), pgstore.Options{URL: c.URL(db), Password: pgtest.Password})
	if err != nil {
		t.Fatalf("open pgstore: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	exec := func(sql string) {
		t.Helper()
		conn, err := pgx.Connect(t.Context(), c.URLWithPassword(db))
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(t.Context(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`CREATE FUNCTION vigil_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'could not extend file "base/16384/16385": No space left on device' USING ERRCODE = 'disk_full';
END $$`)
	e := newEnv(t, func(o *Options) { o.Store, o.Lists = st, nil })
	return failingAuditEnv{env: e, st: st,
		fail: func() {
			exec("CREATE TRIGGER vigil_test_disk_full BEFORE INSERT ON vigil_events FOR EACH ROW EXECUTE FUNCTION vigil_test_disk_full()")
		},
		heal: func() { exec("DROP TRIGGER vigil_test_disk_full ON vigil_events") },
	}
}

// timeEqual compares times by instant.
var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

// storeState is what the store holds of entries, requests and admin
// events.
type storeState struct {
	Entries  []policy.ListEntry
	Requests []store.Request
	Admin    []string // action target, newest first
}

func stateOf(t *testing.T, st store.Store) storeState {
	t.Helper()
	var s storeState
	var err error
	if s.Entries, err = st.Entries(t.Context()); err != nil {
		t.Fatalf("entries: %v", err)
	}
	if s.Requests, err = st.Requests(t.Context(), ""); err != nil {
		t.Fatalf("requests: %v", err)
	}
	evs, _, err := st.Events(t.Context(), store.EventQuery{Kind: store.KindAdmin, Limit: store.MaxEventLimit})
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	for _, ev := range evs {
		s.Admin = append(s.Admin, ev.Action+" "+ev.Target)
	}
	return s
}

// TestChangeNotSavedWhenAuditFails: with the audit write failing, every
// admin change answers 503 with a plain message and stores nothing: no
// entry, no decision, no audit event. Once the store heals, the same
// change succeeds with its audit event.
func TestChangeNotSavedWhenAuditFails(t *testing.T) {
	for name, open := range map[string]func(*testing.T) failingAuditEnv{
		"bbolt": boltFailingAudit, "postgresql": pgFailingAudit,
	} {
		t.Run(name, func(t *testing.T) {
			e := open(t)
			var deny policy.ListEntry
			e.mustDo(http.MethodPost, "/api/v1/lists", e.adminToken, map[string]any{
				"kind": "deny", "ecosystem": "npm", "pattern": "evil", "reason": "malware"}, http.StatusCreated, &deny)
			var req store.Request
			e.mustDo(http.MethodPost, "/api/v1/requests", e.requesterToken, map[string]any{
				"ecosystem": "pypi", "name": "reqeusts", "justification": "demo"}, http.StatusCreated, &req)
			before := stateOf(t, e.st)
			if len(before.Entries) != 1 || len(before.Requests) != 1 || len(before.Admin) != 2 {
				t.Fatalf("seeded state = %+v, want one entry, one request, two admin events", before)
			}

			e.fail()
			for _, c := range []struct {
				method, path string
				token        string
				body         any
			}{
				{http.MethodPost, "/api/v1/lists", e.adminToken, map[string]any{
					"kind": "allow", "ecosystem": "pypi", "pattern": "reqeusts", "reason": "probe"}},
				{http.MethodPut, "/api/v1/lists/" + deny.ID, e.adminToken, map[string]any{
					"kind": "allow", "ecosystem": "npm", "pattern": "evil", "reason": "flipped"}},
				{http.MethodPost, "/api/v1/lists/" + deny.ID + "/expire", e.adminToken, nil},
				{http.MethodDelete, "/api/v1/lists/" + deny.ID, e.adminToken, nil},
				{http.MethodPost, "/api/v1/requests", e.requesterToken, map[string]any{
					"ecosystem": "npm", "name": "left-pad", "justification": "demo"}},
				{http.MethodPost, "/api/v1/requests/" + req.ID + "/approve", e.adminToken, map[string]any{"reason": "ok"}},
				{http.MethodPost, "/api/v1/requests/" + req.ID + "/deny", e.adminToken, map[string]any{"reason": "no"}},
			} {
				code, body := e.do(c.method, c.path, c.token, c.body)
				var got map[string]string
				if err := json.Unmarshal(body, &got); err != nil {
					t.Errorf("%s %s: body %q is not JSON: %v", c.method, c.path, body, err)
				}
				if code != http.StatusServiceUnavailable || got["error"] != msgNotSaved {
					t.Errorf("%s %s with the audit write failing = %d %s, want 503 {\"error\": %q}", c.method, c.path, code, body, msgNotSaved)
				}
			}
			if diff := cmp.Diff(before, stateOf(t, e.st), timeEqual); diff != "" {
				t.Errorf("store changed by changes that answered 503 (-before +after):\n%s", diff)
			}
			// The cause is logged for the operator, never sent to the client.
			if log := e.logBuf.String(); !strings.Contains(log, "admin request failed") || !strings.Contains(log, "o space left on device") {
				t.Errorf("server log lacks the cause of the failed change:\n%s", log)
			}

			// Retry-After tells clients when to try again.
			hreq, err := http.NewRequest(http.MethodDelete, e.ts.URL+"/api/v1/lists/"+deny.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			hreq.Header.Set("Authorization", "Bearer "+e.adminToken)
			resp, err := e.ts.Client().Do(hreq)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "30" {
				t.Errorf("DELETE = %d with Retry-After %q, want 503 with 30", resp.StatusCode, resp.Header.Get("Retry-After"))
			}

			e.heal()
			var approved store.Request
			e.mustDo(http.MethodPost, "/api/v1/requests/"+req.ID+"/approve", e.adminToken, map[string]any{"reason": "ok"}, http.StatusOK, &approved)
			after := stateOf(t, e.st)
			want := []string{"request.approve " + req.ID, "list.create " + approved.EntryID}
			if len(after.Entries) != 2 || len(after.Admin) != 4 || !cmp.Equal(after.Admin[:2], want) {
				t.Errorf("after healing, approval stored %d entries and admin events %v; want 2 entries and %v first", len(after.Entries), after.Admin, want)
			}
		})
	}
}

// TestChangeNotSavedUI: the browser gets the same plain message on an
// error page, and nothing is stored.
func TestChangeNotSavedUI(t *testing.T) {
	e := boltFailingAudit(t)
	b := e.newBrowser()
	b.login("alice", e.password)
	before := stateOf(t, e.st)
	e.fail()
	resp, body := b.post("/admin/lists", url.Values{
		"kind": {"allow"}, "ecosystem": {"pypi"}, "pattern": {"reqeusts"}, "reason": {"probe"},
		"csrf": {b.csrf("/admin/lists")},
	})
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "not saved") || strings.Contains(body, "vigil.db") {
		t.Errorf("UI create with the audit write failing = %d, body:\n%s\nwant 503 saying not saved, without the cause", resp.StatusCode, body)
	}
	if diff := cmp.Diff(before, stateOf(t, e.st), timeEqual); diff != "" {
		t.Errorf("store changed (-before +after):\n%s", diff)
	}
}
