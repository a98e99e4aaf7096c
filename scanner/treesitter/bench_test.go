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
	"unsafe"
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
// walk and with the cursor walk; MB/s is source bytes per second of wall
// time, cpu-ns/B the parsing thread's CPU time per source byte (steadier on
// a loaded machine).
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
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			p := NewParser()
			defer p.Close()
			p.cursor = walk.cursor
			b.SetBytes(total)
			var spent time.Duration
			for b.Loop() {
				start := threadCPU(b)
				for _, f := range files {
					tree, err := p.Parse(context.Background(), f.lang, f.src)
					if err != nil {
						b.Fatal(err)
					}
					tree.Close()
				}
				spent += threadCPU(b) - start
			}
			b.ReportMetric(float64(spent)/(float64(total)*float64(b.N)), "cpu-ns/B")
		})
	}
}

// threadCPU is the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID).
func threadCPU(b *testing.B) time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		b.Fatalf("clock_gettime: %v", errno)
	}
	return time.Duration(ts.Nano())
}

// BenchmarkParseAlternating parses each file of the corpus with every
// configuration in turn (rotating which goes first) and reports each one's
// thread CPU time per source byte: on a shared, loaded machine they are then
// measured under the same load. "default" is what the scanner uses (this package's
// runtime, subtree walk); "cursor" flattens through the cursor API;
// "binding" parses with go-tree-sitter's compiled runtime; "original" does
// both, as the package did before it had its own runtime and walk.
//
//	VIGIL_TREESITTER_CORPUS=/usr/lib/python3.11 go test -run '^$' -bench ParseAlternating -benchtime 5x ./scanner/treesitter/
func BenchmarkParseAlternating(b *testing.B) {
	files, total := benchCorpus(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	def, cursor, binding, original := NewParser(), NewParser(), NewParser(), NewParser()
	defer def.Close()
	defer cursor.Close()
	defer binding.Close()
	defer original.Close()
	cursor.cursor = true
	binding.binding = true
	original.cursor, original.binding = true, true
	parsers := []*Parser{def, cursor, binding, original}
	var spent [4]time.Duration
	turn := 0
	for b.Loop() {
		for _, f := range files {
			turn++
			for j := range parsers {
				k := (turn + j) % len(parsers)
				start := threadCPU(b)
				tree, err := parsers[k].Parse(context.Background(), f.lang, f.src)
				if err != nil {
					b.Fatal(err)
				}
				tree.Close()
				spent[k] += threadCPU(b) - start
			}
		}
	}
	bytes := float64(total) * float64(b.N)
	b.ReportMetric(float64(spent[0])/bytes, "default-ns/B")
	b.ReportMetric(float64(spent[1])/bytes, "cursor-ns/B")
	b.ReportMetric(float64(spent[2])/bytes, "binding-ns/B")
	b.ReportMetric(float64(spent[3])/bytes, "original-ns/B")
	b.ReportMetric(float64(spent[0])/float64(spent[1]), "default/cursor")
	b.ReportMetric(float64(spent[0])/float64(spent[2]), "default/binding")
	b.ReportMetric(float64(spent[0])/float64(spent[3]), "default/original")
}
