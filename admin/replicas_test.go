package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/store"

	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

// newReplicas starts two admin servers that share one PostgreSQL store and
// one session key, as two replicas behind a load balancer do.
func newReplicas(t *testing.T) (a, b *env) {
	t.Helper()
	return newReplicasWith(t, nil)
}

// newReplicasWith is newReplicas with wrap (when not nil) around each
// replica's store.
func newReplicasWith(t *testing.T, wrap func(store.Store) store.Store) (a, b *env) {
	t.Helper()
	c := pgtest.Start(t)
	db := c.NewDatabase(t)
	key := []byte("0123456789abcdef0123456789abcdef")
	open := func(replica string) *env {
		st, err := pgstore.Open(t.Context(), pgstore.Options{URL: c.URL(db), Password: pgtest.Password, Replica: replica})
		if err != nil {
			t.Fatalf("open pgstore: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return newEnv(t, func(o *Options) {
			o.Store, o.Lists = st, nil
			if wrap != nil {
				o.Store = wrap(st)
			}
			o.Sessions, o.LoginLimits, o.SessionKey = st, st, key
		})
	}
	a, b = open("a"), open("b")
	// Both replicas check passwords against the same users.
	b.srv.users, b.password = a.srv.users, a.password
	return a, b
}

func TestReplicasShareSessions(t *testing.T) {
	a, b := newReplicas(t)
	onA := a.newBrowser()
	onA.login("alice", a.password)
	// The same browser (cookie jar) now reaches replica B.
	onB := &browser{e: b, client: onA.client}
	if resp, body := onB.get("/admin/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/ on replica B with A's session = %d %.200s, want 200", resp.StatusCode, body)
	}
	aURL, _ := url.Parse(a.ts.URL)
	cookies := onA.client.Jar.Cookies(aURL)
	if len(cookies) != 1 {
		t.Fatalf("browser holds %d cookies, want the session cookie", len(cookies))
	}
	// A write on B with the CSRF token of the shared session.
	tok := onB.csrf("/admin/")
	resp, body := onB.post("/admin/logout", url.Values{"csrf": {tok}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout on replica B = %d %.200s, want 303", resp.StatusCode, body)
	}
	// Logging out on B ends the session on A too. The jar dropped the
	// cookie, so present the old one explicitly.
	req, err := http.NewRequest(http.MethodGet, a.ts.URL+"/admin/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(cookies[0])
	old, err := a.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	old.Body.Close()
	if old.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /admin/ on A with the session cookie after logout on B = %d, want 401", old.StatusCode)
	}
}

func TestReplicasShareLoginLimits(t *testing.T) {
	a, b := newReplicas(t)
	envs := []*env{a, b}
	var codes []int
	for i := range 7 {
		br := envs[i%2].newBrowser()
		resp, _ := br.post("/admin/login", url.Values{"username": {"alice"}, "password": {"wrong-password"}})
		codes = append(codes, resp.StatusCode)
	}
	want := []int{401, 401, 401, 401, 401, 429, 429}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("login attempts alternating over two replicas = %v, want %v (one budget of 5)", codes, want)
		}
	}
}

// TestReplicasFileOnePendingRequest: the same request filed at once on two
// replicas (whose reads of the store are slow, as under load) leaves one
// pending request: one filing gets 201, every other 409 naming it.
func TestReplicasFileOnePendingRequest(t *testing.T) {
	a, b := newReplicasWith(t, func(st store.Store) store.Store { return slowRequestsStore{st} })
	const n = 8
	var wg sync.WaitGroup
	codes := make([]int, n)
	bodies := make([]string, n)
	for i := range n {
		e := []*env{a, b}[i%2]
		wg.Go(func() {
			code, body := e.do(http.MethodPost, "/api/v1/requests", e.requesterToken,
				map[string]any{"ecosystem": "pypi", "name": "reqeusts", "version": "1.0.0", "justification": "needed"})
			codes[i], bodies[i] = code, string(body)
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if diff := cmp.Diff(map[int]int{201: 1, 409: n - 1}, count); diff != "" {
		t.Fatalf("status counts over two replicas (-want +got):\n%s\nbodies: %q", diff, bodies)
	}
	pending, err := a.srv.store.Requests(context.Background(), store.RequestPending)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 {
		t.Fatalf("%d pending requests after filings on two replicas, want 1", len(pending))
	}
	for i, body := range bodies {
		if codes[i] == http.StatusConflict && !strings.Contains(body, "already exists: "+pending[0].ID) {
			t.Errorf("409 body = %s, want it to name the pending request %s", body, pending[0].ID)
		}
	}
	evs, _, err := a.srv.store.Events(context.Background(), store.EventQuery{Kind: store.KindAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Action != actionRequestCreate || evs[0].Target != pending[0].ID {
		t.Errorf("audit events after the filings = %d, want one request.create for %s", len(evs), pending[0].ID)
	}
}
