package admin

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

// newReplicas starts two admin servers that share one PostgreSQL store and
// one session key, as two replicas behind a load balancer do.
func newReplicas(t *testing.T) (a, b *env) {
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
