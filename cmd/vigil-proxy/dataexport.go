package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// loadCorpus reads the configured corpus file, or the embedded corpus when
// none is configured.
func loadCorpus(cfg Config) (*names.Corpus, error) {
	if cfg.Names.CorpusFile == "" {
		c, err := names.LoadEmbedded()
		if err != nil {
			return nil, fmt.Errorf("load embedded name corpus: %w", err)
		}
		return c, nil
	}
	f, err := openRegular(cfg.Names.CorpusFile)
	if err != nil {
		return nil, fmt.Errorf("names.corpus_file: %w", err)
	}
	defer f.Close()
	c, err := names.LoadCorpus(f)
	if err != nil {
		return nil, fmt.Errorf("names.corpus_file %s: %w", cfg.Names.CorpusFile, err)
	}
	return c, nil
}

// runDataExport implements `vigil-proxy data export`: it writes the corpus
// in use (names.corpus_file, or the embedded one) in the corpus file
// format, plain text or gzip'd when the output name ends in ".gz", so
// operators can inspect and extend it and evaluations can leave names out.
func runDataExport(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("data export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var common commonFlags
	common.register(fs)
	out := fs.String("o", "-", `write here ("-": standard output; a name ending in .gz is gzip'd)`)
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	if strayArgument("data export", fs.Args(), stderr) {
		return exitUsage
	}
	cfg, err := common.load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy data export:", err)
		return exitUsage
	}
	c, err := loadCorpus(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy data export:", err)
		return exitUsage
	}
	write := names.WriteCorpusTSV
	if strings.HasSuffix(*out, ".gz") {
		write = names.WriteCorpus
	}
	if *out == "-" {
		if err := write(stdout, c.PyPI, c.NPM); err != nil {
			fmt.Fprintln(stderr, "vigil-proxy data export:", err)
			return exitUsage
		}
		return exitOK
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy data export:", err)
		return exitUsage
	}
	if err := write(f, c.PyPI, c.NPM); err != nil {
		f.Close()
		fmt.Fprintln(stderr, "vigil-proxy data export:", err)
		return exitUsage
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(stderr, "vigil-proxy data export:", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "wrote %s: %d PyPI + %d npm names\n", *out, len(c.PyPI), len(c.NPM))
	return exitOK
}
