package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/storemove"
)

const storeUsage = `usage: vigil-proxy store migrate --from bolt:DATA_DIR --to postgres://USER@HOST:5432/DB[?sslmode=…]
       vigil-proxy store compact [--data-dir DIR]   (stop vigil-proxy first)

compact rewrites store.db without the free pages that pruning leaves (a
bbolt file never shrinks).

Copies every durable record (audit events, allow/deny entries, approval
requests, watchlist) from a bbolt data directory into an empty PostgreSQL
database, then compares per-table counts and checksums. Stop the proxy that
uses DATA_DIR first. The password comes from VIGIL_STORE_PASSWORD or
VIGIL_STORE_PASSWORD_FILE, never from the command line.
`

// runStore implements `vigil-proxy store migrate` and `store compact`.
func runStore(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	return dispatchSubcommand("store", args, []subcommand{
		{"migrate", "copy a bbolt data directory into PostgreSQL, verified", func(a []string) int { return runStoreMigrate(ctx, a, stdout, stderr, getenv) }},
		{"compact", "shrink store.db after pruning (stop vigil-proxy first)", func(a []string) int { return runStoreCompact(a, stdout, stderr, getenv) }},
	}, stdout, stderr)
}

// runStoreMigrate implements `vigil-proxy store migrate`.
func runStoreMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("store migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, storeUsage)
		fs.PrintDefaults()
	}
	from := fs.String("from", "", "bolt:DATA_DIR (the directory holding store.db)")
	to := fs.String("to", "", "postgres:// URL of an empty database (no password: use VIGIL_STORE_PASSWORD)")
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	if strayArgument("store migrate", fs.Args(), stderr) {
		return exitUsage
	}
	if err := migrateStore(ctx, *from, *to, stdout, getenv); err != nil {
		fmt.Fprintln(stderr, "vigil-proxy store migrate:", err)
		return exitUsage
	}
	return exitOK
}

func migrateStore(ctx context.Context, from, to string, stdout io.Writer, getenv env) error {
	dir, ok := strings.CutPrefix(from, "bolt:")
	if !ok || dir == "" {
		return fmt.Errorf("--from %q: want bolt:DATA_DIR", from)
	}
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return fmt.Errorf("--to %q: want postgres://USER@HOST[:PORT]/DATABASE", redactURL(to, false))
	}
	if _, has := u.User.Password(); has || u.Query().Has("password") {
		return errors.New("--to carries a password: command lines are visible to other users; set VIGIL_STORE_PASSWORD (or VIGIL_STORE_PASSWORD_FILE) instead")
	}
	password, err := secret(getenv, "VIGIL_STORE_PASSWORD")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "store.db")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	src, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	dst, err := pgstore.Open(ctx, pgstore.Options{URL: to, Password: password})
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer dst.Close()
	fmt.Fprintf(stdout, "copying %s into %s\n", path, redactURL(to, false))
	res, err := storemove.Copy(ctx, src, dst, func(table string, n int) {
		fmt.Fprintf(stdout, "  copied %-9s %d\n", table, n)
	})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tSOURCE\tDESTINATION\tSHA-256 (source)\tVERIFIED")
	for _, t := range storemove.Tables {
		s, d := res.Source[t], res.Dest[t]
		verdict := "ok"
		if s != d {
			verdict = fmt.Sprintf("MISMATCH (destination %s)", d.Checksum)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", t, s.Count, d.Count, s.Checksum, verdict)
	}
	tw.Flush()
	if !res.OK() {
		return errors.New("the copy does not match the source (see the table above); the source is unchanged")
	}
	fmt.Fprintln(stdout, "every table matches; point store.url (VIGIL_STORE_URL) at the database")
	return nil
}

// runStoreCompact implements `vigil-proxy store compact`: rewrite store.db without
// the free pages that pruning leaves (a bbolt file never shrinks), while
// the proxy is stopped.
func runStoreCompact(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("store compact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var common commonFlags
	common.register(fs)
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	if strayArgument("store compact", fs.Args(), stderr) {
		return exitUsage
	}
	cfg, err := common.load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy store compact:", err)
		return exitUsage
	}
	if cfg.Store.postgres() {
		fmt.Fprintf(stderr, "vigil-proxy store compact: %s is set: the store is PostgreSQL, which reclaims the space of pruned events itself (autovacuum); compact shrinks only bbolt's store.db\n", cfg.key("store.url"))
		return exitUsage
	}
	path := filepath.Join(cfg.dataDir(), "store.db")
	before, after, err := boltstore.Compact(path)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, boltstore.ErrLocked) {
			msg = path + " is in use: stop vigil-proxy, then compact"
		}
		fmt.Fprintln(stderr, "vigil-proxy store compact:", msg)
		return exitUsage
	}
	fmt.Fprintf(stdout, "compacted %s: %.1f MiB → %.1f MiB\n", path, float64(before)/(1<<20), float64(after)/(1<<20))
	return exitOK
}
