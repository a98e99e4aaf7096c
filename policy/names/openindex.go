package names

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// IndexStore keeps index files between processes; the caller owns the
// storage (the package does no I/O of its own). Load returns the bytes
// saved under name, or an error (one wrapping fs.ErrNotExist when there
// are none); Has answers cheaply whether Load may succeed; Save stores
// what write writes under name, replacing any earlier file atomically.
// The ecosystems are indexed concurrently, so every method may be called
// from several goroutines at once (with different names).
type IndexStore interface {
	Has(name string) bool
	Load(name string) ([]byte, error)
	Save(name string, write func(io.Writer) error) error
}

// IndexFiles configures OpenIndex's index files.
type IndexFiles struct {
	Store IndexStore
	// BuildID identifies the code that indexes (a VCS revision, a release):
	// a file is used only by the build that wrote it. "" keeps no files,
	// as does a nil Store.
	BuildID string
	// Problem is told why an index file could not be read or written
	// (the index is then built from the corpus, as without files); nil
	// ignores it.
	Problem func(error)
}

// indexFiles is an Index's view of its IndexFiles.
type indexFiles struct {
	IndexFiles
	corpus [32]byte // SHA-256 of the corpus bytes
}

func (f *indexFiles) name(eco policy.Ecosystem, opts IndexOptions) (string, [32]byte) {
	key := indexFileKey(f.BuildID, eco, opts, f.corpus)
	return fmt.Sprintf("names-%s-%s.idx", eco, keyString(key)[:32]), key
}

func (f *indexFiles) problem(err error) {
	if f.Problem != nil {
		f.Problem(err)
	}
}

// load fills e from its index file, reporting whether it could; a file
// that is not there is no problem.
func (f *indexFiles) load(e *ecoIndex, eco policy.Ecosystem, opts IndexOptions) bool {
	name, key := f.name(eco, opts)
	data, err := f.Store.Load(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err == nil {
		err = e.readIndexFile(data, key, eco, opts)
	}
	if err != nil { // e is untouched
		f.problem(fmt.Errorf("read %s index file %s: %w", eco, name, err))
		return false
	}
	return true
}

func (f *indexFiles) save(e *ecoIndex, eco policy.Ecosystem, opts IndexOptions) {
	name, key := f.name(eco, opts)
	err := f.Store.Save(name, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := e.writeIndexFile(bw, key); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		f.problem(fmt.Errorf("write %s index file %s: %w", eco, name, err))
	}
}

// OpenIndex is NewLazyIndex over corpus (the bytes LoadCorpus reads),
// with index files: each ecosystem is read from the file that the same
// build wrote for the same corpus bytes and options, when there is one,
// and otherwise built, and saved for the next process once its targets
// are built (on its first typosquat question).
// When every ecosystem has its file, the corpus is parsed only if a file
// turns out unusable; otherwise it is parsed now, so that a bad corpus is
// an error here. Answers are exactly those of NewIndexWith's index.
func OpenIndex(corpus []byte, opts IndexOptions, files IndexFiles) (*Index, error) {
	ix := openIndex(corpus, opts, files)
	if ix.files != nil {
		all := true
		for _, eco := range policy.Ecosystems() {
			name, _ := ix.files.name(eco, ix.opts)
			all = all && files.Store.Has(name)
		}
		if all {
			return ix, nil
		}
	}
	c, err := LoadCorpus(bytes.NewReader(corpus))
	if err != nil {
		return nil, err
	}
	ix.corpus = func() *Corpus { return c }
	return ix, nil
}

// OpenEmbeddedIndex is OpenIndex over the corpus compiled into the binary,
// which is known to load: it is parsed only when an ecosystem without a
// usable index file is first asked about.
func OpenEmbeddedIndex(opts IndexOptions, files IndexFiles) (*Index, error) {
	b, err := EmbeddedCorpus()
	if err != nil {
		return nil, err
	}
	return openIndex(b, opts, files), nil
}

// openIndex is an index over corpus whose parsing waits for the first
// ecosystem built without an index file.
func openIndex(corpus []byte, opts IndexOptions, files IndexFiles) *Index {
	opts.defaults()
	ix := &Index{opts: opts}
	if files.Store != nil && files.BuildID != "" && indexFilesSupported() {
		ix.files = &indexFiles{IndexFiles: files, corpus: sha256.Sum256(corpus)}
	}
	ix.corpus = sync.OnceValue(func() *Corpus {
		c, err := LoadCorpus(bytes.NewReader(corpus))
		if err != nil {
			// Unreachable: OpenIndex parses a corpus before it relies on
			// index files alone, and an index file is saved only after
			// these very bytes were indexed by this build; the embedded
			// corpus loads (TestLoadEmbedded).
			if ix.files != nil {
				ix.files.problem(fmt.Errorf("load corpus: %w", err))
			}
			return &Corpus{}
		}
		return c
	})
	return ix
}

// EmbeddedCorpus returns the bytes of the corpus compiled into the binary
// (LoadEmbedded parses them).
func EmbeddedCorpus() ([]byte, error) {
	b, err := embedded.ReadFile("data/corpus.tsv.gz")
	if err != nil {
		return nil, fmt.Errorf("read embedded corpus: %w", err)
	}
	return b, nil
}
