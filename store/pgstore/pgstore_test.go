package pgstore_test

import (
	"testing"

	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
	"github.com/vigil-proxy/vigil-proxy/store/storetest"
)

// openFresh opens a store on a new, empty database of c.
func openFresh(t *testing.T, c *pgtest.Cluster, opts pgstore.Options) *pgstore.Store {
	t.Helper()
	opts.URL = c.URL(c.NewDatabase(t))
	opts.Password = pgtest.Password
	s, err := pgstore.Open(t.Context(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestCompliance(t *testing.T) {
	c := pgtest.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return openFresh(t, c, pgstore.Options{})
	})
}
