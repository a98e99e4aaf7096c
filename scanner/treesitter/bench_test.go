package treesitter

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

type benchFile struct {
	lang Lang
	src  []byte
}

// benchCorpus loads every source file under the repository (or, when set,
// under VIGIL_TREESITTER_CORPUS's directories).
func benchCorpus(b *testing.B) ([]benchFile, int64) {
	b.Helper()
	var roots []string
	if extra := os.Getenv(corpusEnv); extra != "" {
		roots = filepath.SplitList(extra)
	} else {
		dir, err := filepath.Abs("../..")
		if err != nil {
			b.Fatal(err)
		}
		roots = []string{dir}
	}
	var files []benchFile
	var total int64
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !d.Type().IsRegular() {
				return err
			}
			if lang := LangForPath(p); lang != None {
				src, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				files = append(files, benchFile{lang, src})
				total += int64(len(src))
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if len(files) == 0 {
		b.Fatalf("no sources under %v", roots)
	}
	return files, total
}

// BenchmarkParse parses (and flattens) a corpus with the direct subtree
// walk and with the cursor walk; MB/s is source bytes per second.
//
//	go test -run '^$' -bench Parse -count 6 ./scanner/treesitter/
//	VIGIL_TREESITTER_CORPUS=/usr/lib/python3.11 go test -run '^$' -bench Parse ./scanner/treesitter/
func BenchmarkParse(b *testing.B) {
	files, total := benchCorpus(b)
	for _, walk := range []struct {
		name   string
		cursor bool
	}{{"flatten=subtrees", false}, {"flatten=cursor", true}} {
		b.Run(walk.name, func(b *testing.B) {
			p := NewParser()
			defer p.Close()
			p.cursor = walk.cursor
			b.SetBytes(total)
			for b.Loop() {
				for _, f := range files {
					tree, err := p.Parse(context.Background(), f.lang, f.src)
					if err != nil {
						b.Fatal(err)
					}
					tree.Close()
				}
			}
		})
	}
}

// threadCPU is the calling thread's user+system CPU time.
func threadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParseAlternating parses the corpus with each walk in turn, one
// pass of each per iteration, and reports each walk's thread CPU time per
// source byte and their ratio: on a shared, loaded machine the two are then
// measured under the same load.
func BenchmarkParseAlternating(b *testing.B) {
	files, total := benchCorpus(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	direct, cursor := NewParser(), NewParser()
	defer direct.Close()
	defer cursor.Close()
	cursor.cursor = true
	var spent [2]time.Duration
	for b.Loop() {
		for k, p := range []*Parser{direct, cursor} {
			start := threadCPU(b)
			for _, f := range files {
				tree, err := p.Parse(context.Background(), f.lang, f.src)
				if err != nil {
					b.Fatal(err)
				}
				tree.Close()
			}
			spent[k] += threadCPU(b) - start
		}
	}
	bytes := float64(total) * float64(b.N)
	b.ReportMetric(float64(spent[0])/bytes, "subtrees-ns/B")
	b.ReportMetric(float64(spent[1])/bytes, "cursor-ns/B")
	b.ReportMetric(float64(spent[0])/float64(spent[1]), "subtrees/cursor")
}
