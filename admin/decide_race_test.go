package admin

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// otherReplicaDecides decides a request as another replica would (its own
// s.decide is no help): once armed with a status, the next Update first
// commits that decision, then runs the change this replica prepared from
// the pending request it read before.
type otherReplicaDecides struct {
	store.Store
	id, status *string
}

func (o otherReplicaDecides) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	if *o.status != "" {
		r, err := o.Store.GetRequest(ctx, *o.id)
		if err != nil {
			return err
		}
		r.Status, r.DecidedBy, r.DecidedAt = *o.status, "replica-2", time.Now().UTC()
		if _, err := o.Store.PutRequest(ctx, r); err != nil {
			return err
		}
		*o.status = ""
	}
	return o.Store.Update(ctx, fn)
}

// TestDecisionRacesOtherReplica: a request another replica decided between
// this replica's pending check and its transaction is not decided again:
// 409, no second allow entry, no second decision event, the first
// decision kept.
func TestDecisionRacesOtherReplica(t *testing.T) {
	for _, c := range []struct{ other, path string }{
		{store.RequestApproved, "approve"},
		{store.RequestDenied, "deny"},
	} {
		t.Run(c.path, func(t *testing.T) {
			var id, status string
			e := newEnv(t, func(o *Options) { o.Store = otherReplicaDecides{Store: o.Store, id: &id, status: &status} })
			var req store.Request
			e.mustDo(http.MethodPost, "/api/v1/requests", e.requesterToken, map[string]any{
				"ecosystem": "pypi", "name": "reqeusts", "justification": "demo"}, http.StatusCreated, &req)
			id, status = req.ID, c.other
			before := stateOf(t, e.st)
			code, body := e.do(http.MethodPost, "/api/v1/requests/"+req.ID+"/"+c.path, e.adminToken, map[string]any{"reason": "ok"})
			if code != http.StatusConflict {
				t.Errorf("%s of a request decided meanwhile by another replica = %d %s, want 409", c.path, code, body)
			}
			after := stateOf(t, e.st)
			if diff := cmp.Diff(before.Entries, after.Entries, timeEqual); diff != "" {
				t.Errorf("entries changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(before.Admin, after.Admin); diff != "" {
				t.Errorf("admin events changed (-before +after):\n%s", diff)
			}
			if len(after.Requests) != 1 || after.Requests[0].DecidedBy != "replica-2" || after.Requests[0].Status != c.other {
				t.Errorf("requests = %+v, want the other replica's %s decision kept", after.Requests, c.other)
			}
		})
	}
}
