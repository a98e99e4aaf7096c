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

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	gen := fs.Bool("gen", false, "regenerate the dev set instead of evaluating")
	real := fs.Bool("real", false, "evaluate documented typosquats (testdata/real.tsv) and left-out legitimate names (testdata/legit.tsv)")
	verbose := fs.Bool("v", false, "with -real or -calibrate: list every verdict and false positive")
	calibrate := fs.Bool("calibrate", false, "judge the calibration population (corpus names in the legitimate sample's popularity bands, not in the sample) with the leave-out protocol, in folds")
	path := fs.String("devset", "policy/eval/testdata/devset.tsv", "dev set path")
	misses := fs.Int("misses", 0, "list up to this many misses and false positives")
	sampleNPM := fs.String("sample-npm", "", "with -sample-pypi: draw testdata/legit.tsv from these package lists")
	samplePyPI := fs.String("sample-pypi", "", "PyPI package list (name version month rank summary)")
	judgeNPM := fs.String("judge-npm", "", "judge every name of this npm package list (name first) and count verdicts per family")
	judgePyPI := fs.String("judge-pypi", "", "judge every name of this PyPI package list (name first) and count verdicts per family")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *sampleNPM != "" && *samplePyPI != "" {
		if err := writeLegitSample(*sampleNPM, *samplePyPI, "policy/eval/testdata/legit.tsv"); err != nil {
			fmt.Fprintln(stderr, "eval:", err)
			return 3
		}
		fmt.Fprintln(stdout, "wrote policy/eval/testdata/legit.tsv")
		return 0
	}
	c, err := names.LoadEmbedded()
	if err != nil {
		fmt.Fprintln(stderr, "eval:", err)
		return 3
	}
	for _, j := range []struct {
		eco  policy.Ecosystem
		path string
	}{{policy.NPM, *judgeNPM}, {policy.PyPI, *judgePyPI}} {
		if j.path == "" {
			continue
		}
		f, err := os.Open(j.path)
		if err != nil {
			fmt.Fprintln(stderr, "eval:", err)
			return 3
		}
		err = JudgeList(names.NewIndex(c), j.eco, f, stdout, *verbose)
		f.Close()
		if err != nil {
			fmt.Fprintln(stderr, "eval:", err)
			return 3
		}
		return 0
	}
	if *calibrate {
		if err := runCalibrate(c, stdout, *verbose); err != nil {
			fmt.Fprintln(stderr, "eval:", err)
			return 3
		}
		return 0
	}
	if *real {
		if err := runReal(c, stdout, *verbose); err != nil {
			fmt.Fprintln(stderr, "eval:", err)
			return 3
		}
		return 0
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

func writeLegitSample(npmPath, pypiPath, out string) error {
	nf, err := os.Open(npmPath)
	if err != nil {
		return fmt.Errorf("open npm list: %w", err)
	}
	defer nf.Close()
	pf, err := os.Open(pypiPath)
	if err != nil {
		return fmt.Errorf("open pypi list: %w", err)
	}
	defer pf.Close()
	ls, err := SampleLegit(nf, pf)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	if err := WriteLegit(f, ls); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	return f.Close()
}

// readLegitSample reads testdata/legit.tsv (from the repository root).
func readLegitSample() ([]LegitName, error) {
	lf, err := os.Open("policy/eval/testdata/legit.tsv")
	if err != nil {
		return nil, fmt.Errorf("open legit sample: %w", err)
	}
	defer lf.Close()
	return ReadLegit(lf)
}

func runCalibrate(c *names.Corpus, w io.Writer, verbose bool) error {
	legit, err := readLegitSample()
	if err != nil {
		return err
	}
	WriteCalibration(w, Calibrate(c, CalibrationPopulation(c, legit)), verbose)
	return nil
}

func runReal(c *names.Corpus, w io.Writer, verbose bool) error {
	rf, err := os.Open("policy/eval/testdata/real.tsv")
	if err != nil {
		return fmt.Errorf("open real set: %w", err)
	}
	defer rf.Close()
	squats, err := ReadRealSet(rf)
	if err != nil {
		return err
	}
	legit, err := readLegitSample()
	if err != nil {
		return err
	}
	full := names.NewIndex(c)
	res := RunReal(full, names.NewIndex(LeaveOut(c, legit)), squats, legit)
	res.WriteReal(w, full, verbose)
	return nil
}
