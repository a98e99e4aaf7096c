package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// countingPurger purges n files or fails with err, counts its calls and
// runs during (when set) in the middle of a purge.
type countingPurger struct {
	n      int
	err    error
	calls  atomic.Int32
	during func()
}

func (p *countingPurger) PurgeArtifacts(context.Context, policy.Ecosystem, string) (int, error) {
	p.calls.Add(1)
	if p.during != nil {
		p.during()
	}
	return p.n, p.err
}

// postFeed posts to the malware feed API: a zip body imports it, none syncs.
func postFeed(t *testing.T, e *env, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+malwareFeedPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.adminToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/zip")
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "30" {
		t.Errorf("503 without Retry-After: 30")
	}
	return resp.StatusCode, string(out)
}

// adminEventAfter returns the After document of the newest admin event
// with that action.
func adminEventAfter(t *testing.T, st store.Store, action string) map[string]any {
	t.Helper()
	evs, _, err := st.Events(t.Context(), store.EventQuery{Kind: store.KindAdmin})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Action == action {
			var m map[string]any
			if err := json.Unmarshal(ev.After, &m); err != nil {
				t.Fatalf("%s event After %s: %v", action, ev.After, err)
			}
			return m
		}
	}
	t.Fatalf("no %s event among %d admin events", action, len(evs))
	return nil
}

// TestAuditedActionNotDoneWhenAuditFails: a purge and a malware feed sync
// or import are no store change, so their audit record is written first;
// when it cannot be, the action is not done and the client gets 503
// saying nothing was done. Once the store heals, the action is done and
// recorded twice: its intent, then its outcome.
func TestAuditedActionNotDoneWhenAuditFails(t *testing.T) {
	for name, open := range map[string]func(*testing.T) failingAuditEnv{
		"bbolt": boltFailingAudit, "postgresql": pgFailingAudit,
	} {
		t.Run(name, func(t *testing.T) {
			e := open(t)
			purger, feed := &countingPurger{n: 3}, &fakeFeed{}
			e.srv.artifacts, e.srv.malware = purger, feed
			before := stateOf(t, e.st)
			e.fail()
			wantBody := `{"error":"` + msgNotDone + `"}`
			code, body := e.do(http.MethodPost, "/api/v1/artifacts/purge", e.adminToken, map[string]string{"ecosystem": "npm", "name": "left-pad"})
			if code != http.StatusServiceUnavailable || strings.TrimSpace(string(body)) != wantBody {
				t.Errorf("purge with the audit write failing = %d %s, want 503 %s", code, body, wantBody)
			}
			if code, body := postFeed(t, e.env, ""); code != http.StatusServiceUnavailable || strings.TrimSpace(body) != wantBody {
				t.Errorf("feed sync with the audit write failing = %d %s, want 503 %s", code, body, wantBody)
			}
			if code, body := postFeed(t, e.env, "PK-dump"); code != http.StatusServiceUnavailable || strings.TrimSpace(body) != wantBody {
				t.Errorf("feed import with the audit write failing = %d %s, want 503 %s", code, body, wantBody)
			}
			if n := purger.calls.Load(); n != 0 || feed.syncs != 0 || len(feed.imported) != 0 {
				t.Errorf("with the audit write failing: %d purges, %d syncs, %d imports done; want none", n, feed.syncs, len(feed.imported))
			}
			if diff := cmp.Diff(before, stateOf(t, e.st), timeEqual); diff != "" {
				t.Errorf("store changed (-before +after):\n%s", diff)
			}

			e.heal()
			var res purgeResult
			e.mustDo(http.MethodPost, "/api/v1/artifacts/purge", e.adminToken, map[string]string{"ecosystem": "npm", "name": "left-pad"}, http.StatusOK, &res)
			if res.Removed != 3 || purger.calls.Load() != 1 {
				t.Errorf("purge after healing = %+v after %d calls, want 3 removed by one call", res, purger.calls.Load())
			}
			if code, _ := postFeed(t, e.env, ""); code != http.StatusOK || feed.syncs != 1 {
				t.Errorf("feed sync after healing = %d with %d syncs, want 200 and 1", code, feed.syncs)
			}
			want := []string{"malware_feed.sync.result malware-feed", "malware_feed.sync malware-feed",
				"artifacts.purge.result npm:left-pad", "artifacts.purge npm:left-pad"}
			if got := stateOf(t, e.st).Admin; !cmp.Equal(got, want) {
				t.Errorf("admin events (newest first) = %v, want %v", got, want)
			}
			if got := adminEventAfter(t, e.st, "artifacts.purge.result"); got["removed"] != 3.0 || got["error"] != nil {
				t.Errorf("purge outcome = %v, want 3 removed, no error", got)
			}
		})
	}
}

// TestAuditedActionFailureRecorded: an action that fails after its intent
// was recorded gets an outcome event saying why.
func TestAuditedActionFailureRecorded(t *testing.T) {
	e := newEnv(t, nil)
	purger, feed := &countingPurger{err: errors.New("fetch packument: upstream answered 502")}, &fakeFeed{fail: true}
	e.srv.artifacts, e.srv.malware = purger, feed
	if code, body := e.do(http.MethodPost, "/api/v1/artifacts/purge", e.adminToken, map[string]string{"ecosystem": "npm", "name": "left-pad"}); code != http.StatusBadGateway {
		t.Errorf("failing purge = %d %s, want 502", code, body)
	}
	if got := adminEventAfter(t, e.st, "artifacts.purge.result"); got["removed"] != 0.0 || got["error"] != "fetch packument: upstream answered 502" {
		t.Errorf("failed purge's outcome = %v, want 0 removed and the error", got)
	}
	if code, body := postFeed(t, e, "garbage"); code != http.StatusUnprocessableEntity {
		t.Errorf("failing import = %d %s, want 422", code, body)
	}
	if got := adminEventAfter(t, e.st, "malware_feed.import.result"); got["error"] != "read osv zip: not a valid zip file" || got["status"] == nil {
		t.Errorf("failed import's outcome = %v, want the error and the feed status", got)
	}
	want := []string{"malware_feed.import.result malware-feed", "malware_feed.import malware-feed",
		"artifacts.purge.result npm:left-pad", "artifacts.purge npm:left-pad"}
	if got := stateOf(t, e.st).Admin; !cmp.Equal(got, want) {
		t.Errorf("admin events (newest first) = %v, want %v", got, want)
	}
}

// TestAuditedActionOutcomeLost: when the store fails between the intent and
// the outcome, the action is done, the client gets its result, the intent
// is the record of it and the missing outcome is logged.
func TestAuditedActionOutcomeLost(t *testing.T) {
	e := boltFailingAudit(t)
	purger := &countingPurger{n: 2, during: e.fail}
	e.srv.artifacts = purger
	var res purgeResult
	e.mustDo(http.MethodPost, "/api/v1/artifacts/purge", e.adminToken, map[string]string{"ecosystem": "npm", "name": "left-pad"}, http.StatusOK, &res)
	if res.Removed != 2 {
		t.Errorf("purge = %+v, want 2 removed", res)
	}
	if got := stateOf(t, e.st).Admin; !cmp.Equal(got, []string{"artifacts.purge npm:left-pad"}) {
		t.Errorf("admin events = %v, want only the purge's intent", got)
	}
	if log := e.logBuf.String(); !strings.Contains(log, "outcome's audit record could not be written") || !strings.Contains(log, "artifacts.purge") {
		t.Errorf("log lacks the missing outcome record:\n%s", log)
	}
}
