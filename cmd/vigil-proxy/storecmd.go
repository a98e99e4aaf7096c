package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// runStore implements `vigil-proxy store compact`: rewrite store.db without
// the free pages that pruning leaves (a bbolt file never shrinks), while
// the proxy is stopped.
func runStore(args []string, stdout, stderr io.Writer, getenv env) int {
	if len(args) == 0 || args[0] != "compact" {
		fmt.Fprintln(stderr, "usage: vigil-proxy store compact [--data-dir DIR]   (stop vigil-proxy first)")
		return exitUsage
	}
	fs := flag.NewFlagSet("store compact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var common commonFlags
	common.register(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	cfg, err := common.load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy store compact:", err)
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
