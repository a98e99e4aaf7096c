package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

func TestStoreMigrateCommand(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	bs, err := boltstore.Open(filepath.Join(dir, "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	evs := make([]store.Event, 700)
	for i := range evs {
		evs[i] = store.Event{Kind: store.KindDecision, Ecosystem: policy.PyPI, Package: "p", Verdict: "allow",
			Time: time.Now().Add(time.Duration(i) * time.Millisecond)}
	}
	if err := bs.RecordEvents(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	entry, err := bs.PutEntry(ctx, policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil", Reason: "malware"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bs.RecordMissing(ctx, policy.PyPI, "hallucinated", time.Now()); err != nil {
		t.Fatal(err)
	}
	bs.Close()

	c := pgtest.Start(t)
	db := c.NewDatabase(t)
	environ := map[string]string{"VIGIL_STORE_PASSWORD": pgtest.Password}

	code, out, errOut := runCLI(t, environ, "", "store", "migrate", "--from", "bolt:"+dir, "--to", c.URL(db))
	if code != exitOK {
		t.Fatalf("store migrate exit %d: %s%s", code, out, errOut)
	}
	for table, n := range map[string]string{"events": "700", "entries": "1", "requests": "0", "watchlist": "1"} {
		row := regexp.MustCompile(`(?m)^` + table + `\s+` + n + `\s+` + n + `\s+[0-9a-f]{64}\s+ok$`)
		if !row.MatchString(out) {
			t.Errorf("output lacks a verified %s row with %s records:\n%s", table, n, out)
		}
	}
	pg, err := pgstore.Open(ctx, pgstore.Options{URL: c.URL(db), Password: pgtest.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if got, err := pg.GetEntry(ctx, entry.ID); err != nil || got.Pattern != "evil" || got.Reason != "malware" {
		t.Errorf("GetEntry in PostgreSQL = %+v, %v; want the migrated deny entry", got, err)
	}

	tests := []struct {
		name    string
		environ map[string]string
		args    []string
		want    string
	}{
		{"non-empty destination", environ, []string{"--from", "bolt:" + dir, "--to", c.URL(db)}, "empty database"},
		{"password on the command line", nil, []string{"--from", "bolt:" + dir, "--to", c.URLWithPassword(db)}, "VIGIL_STORE_PASSWORD"},
		{"missing data directory", environ, []string{"--from", "bolt:" + filepath.Join(dir, "nope"), "--to", c.URL(c.NewDatabase(t))}, "no such file"},
		{"not a bolt source", environ, []string{"--from", dir, "--to", c.URL(db)}, "want bolt:DATA_DIR"},
		{"not a postgres URL", environ, []string{"--from", "bolt:" + dir, "--to", "mysql://db/x"}, "want postgres://"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.environ, "", append([]string{"store", "migrate"}, tc.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, exitUsage, tc.want)
			}
			if strings.Contains(out+errOut, pgtest.Password) {
				t.Errorf("output leaks the password: %s%s", out, errOut)
			}
		})
	}
}
