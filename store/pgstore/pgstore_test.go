package pgstore_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
	"github.com/vigil-proxy/vigil-proxy/store/storetest"
)

// cluster is the throwaway PostgreSQL server every test of the package
// uses, each on its own databases.
var cluster *pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	c, err := pgtest.StartShared()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start throwaway PostgreSQL:", err)
		return 1
	}
	cluster = c
	code := m.Run()
	if err := c.Destroy(); err != nil {
		fmt.Fprintln(os.Stderr, "stop throwaway PostgreSQL:", err)
		code = max(code, 1)
	}
	return code
}

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
	c := cluster
	storetest.Run(t, func(t *testing.T) store.Store {
		return openFresh(t, c, pgstore.Options{})
	})
}

// failEventInserts installs a trigger that makes every insert into the
// audit table fail as a full disk does (SQLSTATE 53100 disk_full).
const failEventInserts = `CREATE FUNCTION vigil_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'could not extend file "base/16384/16385": No space left on device' USING ERRCODE = 'disk_full';
END $$;
CREATE TRIGGER vigil_test_disk_full BEFORE INSERT ON vigil_events FOR EACH ROW EXECUTE FUNCTION vigil_test_disk_full();`

func TestComplianceFaults(t *testing.T) {
	c := cluster
	storetest.RunFaults(t, storetest.Faults{
		Open: func(t *testing.T) store.Store { return openFresh(t, c, pgstore.Options{}) },
		FailEventWrites: func(t *testing.T, s store.Store) {
			if err := s.(*pgstore.Store).ExecForTest(t.Context(), failEventInserts); err != nil {
				t.Fatalf("install the failing trigger: %v", err)
			}
		},
	})
}
