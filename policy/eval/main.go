// Command eval runs the typosquat evaluation harness: it judges the dev set
// (testdata/devset.tsv) with an index built from the embedded corpus minus
// the held-out legitimate names and prints recall and false-positive rates
// per ecosystem and family.
//
//	go run ./policy/eval            # print the table
//	go run ./policy/eval -gen       # regenerate testdata/devset.tsv
//	go run ./policy/eval -misses 50 # also list misses and false positives
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	gen := fs.Bool("gen", false, "regenerate the dev set instead of evaluating")
	path := fs.String("devset", "policy/eval/testdata/devset.tsv", "dev set path")
	misses := fs.Int("misses", 0, "list up to this many misses and false positives")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c, err := names.LoadEmbedded()
	if err != nil {
		fmt.Fprintln(stderr, "eval:", err)
		return 3
	}
	if *gen {
		cases := Generate(c)
		sortCases(cases)
		f, err := os.Create(*path)
		if err != nil {
			fmt.Fprintln(stderr, "eval:", err)
			return 3
		}
		if err := WriteDevset(f, cases); err != nil {
			f.Close()
			fmt.Fprintln(stderr, "eval:", err)
			return 3
		}
		if err := f.Close(); err != nil {
			fmt.Fprintln(stderr, "eval:", err)
			return 3
		}
		fmt.Fprintf(stdout, "wrote %d cases to %s\n", len(cases), *path)
		return 0
	}
	f, err := os.Open(*path)
	if err != nil {
		fmt.Fprintln(stderr, "eval:", err)
		return 3
	}
	defer f.Close()
	cases, err := ReadDevset(f)
	if err != nil {
		fmt.Fprintln(stderr, "eval:", err)
		return 3
	}
	res := Run(names.NewIndex(HoldoutCorpus(c, cases)), cases)
	res.WriteTable(stdout)
	if *misses > 0 {
		fmt.Fprintln(stdout)
		res.WriteMisses(stdout, *misses)
	}
	return 0
}
