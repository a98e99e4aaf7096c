package admin

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

// TestChangeMaybeSavedWhenCommitCut: when the PostgreSQL connection drops
// after the COMMIT of a change reached the server, the client is not told
// that nothing was changed (the server committed): it gets 503 saying the
// change may or may not have been saved and to reload; the store holds the
// change with its audit event.
func TestChangeMaybeSavedWhenCommitCut(t *testing.T) {
	c := pgtest.Start(t)
	db := c.NewDatabase(t)
	p := c.NewCutProxy(t)
	st, err := pgstore.Open(t.Context(), pgstore.Options{URL: p.URL(db), Password: pgtest.Password})
	if err != nil {
		t.Fatalf("open pgstore through the proxy: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e := newEnv(t, func(o *Options) { o.Store, o.Lists = st, nil })

	p.CutAfterNextCommit()
	code, body := e.do(http.MethodPost, "/api/v1/lists", e.adminToken, map[string]any{
		"kind": "allow", "ecosystem": "pypi", "pattern": "reqeusts", "reason": "vetted"})
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	if code != http.StatusServiceUnavailable || got["error"] != msgMaybeSaved || p.Cuts() != 1 {
		t.Errorf("create with the connection cut during COMMIT = %d %s after %d cuts, want 503 {\"error\": %q} after 1", code, body, p.Cuts(), msgMaybeSaved)
	}
	s := stateOf(t, st)
	if len(s.Entries) != 1 || s.Entries[0].Pattern != "reqeusts" {
		t.Fatalf("entries after the cut commit = %+v, want the committed entry", s.Entries)
	}
	if want := []string{"list.create " + s.Entries[0].ID}; !cmp.Equal(s.Admin, want) {
		t.Errorf("admin events after the cut commit = %v, want %v", s.Admin, want)
	}
}
