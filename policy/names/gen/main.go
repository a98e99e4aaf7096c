// Command gen regenerates the embedded name corpus (format v2: targets and
// known names) from the popularity snapshots and, when given, the full
// package lists:
//
//	go run ./policy/names/gen -pypi ../shared/data/pypi-top15000.tsv \
//	    -npm ../shared/data/npm-top.tsv \
//	    -npm-all /work/.library/env/packages/npm.tsv \
//	    -pypi-all /work/.library/env/packages/pypi.tsv \
//	    -o policy/names/data/corpus.tsv.gz
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	pypiPath := fs.String("pypi", "../shared/data/pypi-top15000.tsv", "PyPI snapshot (rank<TAB>name)")
	npmPath := fs.String("npm", "../shared/data/npm-top.tsv", "npm snapshot (name<TAB>downloads_a_month)")
	npmAll := fs.String("npm-all", "", "optional full npm list (name version downloads_a_month summary)")
	pypiAll := fs.String("pypi-all", "", "optional full PyPI list (name version month rank summary)")
	pypiKnown := fs.Bool("pypi-known", false, "with -pypi-all: add unranked PyPI names as known names")
	floor := fs.Int64("npm-target-monthly", names.DefaultNPMTargetMonthly, "npm names with at least this many downloads a month are targets")
	out := fs.String("o", "policy/names/data/corpus.tsv.gz", "output corpus file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	open := func(p string) (*os.File, error) {
		if p == "" {
			return nil, nil
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", p, err)
		}
		return f, nil
	}
	l := names.Lists{PyPIKnown: *pypiKnown, NPMTargetMonthly: *floor}
	for _, src := range []struct {
		path string
		dst  *io.Reader
	}{{*pypiPath, &l.PyPITop}, {*npmPath, &l.NPMTop}, {*npmAll, &l.NPMAll}, {*pypiAll, &l.PyPIAll}} {
		f, err := open(src.path)
		if err != nil {
			return err
		}
		if f != nil {
			defer f.Close()
			*src.dst = f
		}
	}
	if l.PyPITop == nil || l.NPMTop == nil {
		return fmt.Errorf("-pypi and -npm are required")
	}
	c, err := names.BuildCorpus(l)
	if err != nil {
		return fmt.Errorf("build corpus: %w", err)
	}
	data, err := c.Encode()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d PyPI + %d npm names, %d bytes\n", *out, len(c.PyPI), len(c.NPM), len(data))
	return nil
}
