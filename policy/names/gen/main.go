// Command gen regenerates the embedded popular-name corpus from the
// snapshot TSV files:
//
//	go run ./policy/names/gen -pypi ../shared/data/pypi-top15000.tsv \
//	    -npm ../shared/data/npm-top.tsv -o policy/names/data/corpus.tsv.gz
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	pypiPath := fs.String("pypi", "../shared/data/pypi-top15000.tsv", "PyPI snapshot (rank<TAB>name)")
	npmPath := fs.String("npm", "../shared/data/npm-top.tsv", "npm snapshot (name<TAB>downloads_a_month)")
	out := fs.String("o", "policy/names/data/corpus.tsv.gz", "output corpus file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pf, err := os.Open(*pypiPath)
	if err != nil {
		return err
	}
	defer pf.Close()
	nf, err := os.Open(*npmPath)
	if err != nil {
		return err
	}
	defer nf.Close()
	c, err := names.BuildFromTSV(pf, nf)
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
	fmt.Printf("wrote %s: %d PyPI + %d npm names, %d bytes\n", *out, len(c.PyPI), len(c.NPM), len(data))
	return nil
}
