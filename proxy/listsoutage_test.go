package proxy_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// downListStore is a list store whose database is unreachable.
type downListStore struct{}

var errDatabaseDown = errors.New("dial tcp 10.0.0.5:5432: connect: connection refused")

func (downListStore) PutEntry(context.Context, policy.ListEntry) (policy.ListEntry, error) {
	return policy.ListEntry{}, errDatabaseDown
}
func (downListStore) GetEntry(context.Context, string) (policy.ListEntry, error) {
	return policy.ListEntry{}, errDatabaseDown
}
func (downListStore) DeleteEntry(context.Context, string) error { return errDatabaseDown }
func (downListStore) Entries(context.Context) ([]policy.ListEntry, error) {
	return nil, errDatabaseDown
}

// When the allow/deny lists cannot be read (and no snapshot within
// store.max_stale is left), installs are refused with a 503 that says why
// and which setting bounds it, not a bare "internal error", and the
// database's address stays in the log.
func TestUnreadableListsAnswer503SayingWhy(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{listStore: downListStore{}})
	for _, path := range []string{"/npm/mature-lib", "/npm/mature-lib/-/mature-lib-1.0.0.tgz"} {
		resp := e.get(path)
		b := wantStatus(t, resp, http.StatusServiceUnavailable)
		if !strings.Contains(b, "store.max_stale") || !strings.Contains(b, "fail closed") || strings.Contains(b, "10.0.0.5") {
			t.Errorf("GET %s body = %q, want the lists outage explained (store.max_stale, fail closed) without the database address", path, b)
		}
	}
}
