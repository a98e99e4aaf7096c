package names

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// memStore is an IndexStore in memory that counts the files it reads and
// writes; like a real store, it is safe for concurrent use.
type memStore struct {
	mu           sync.Mutex
	files        map[string][]byte
	loads, saves int
}

func newMemStore() *memStore { return &memStore{files: map[string][]byte{}} }

func (m *memStore) Has(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.files[name]
	return ok
}

func (m *memStore) Load(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.files[name]
	if !ok {
		return nil, fmt.Errorf("load %s: %w", name, fs.ErrNotExist)
	}
	m.loads++ // files read
	return b, nil
}

func (m *memStore) Save(name string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saves++
	m.files[name] = buf.Bytes()
	return nil
}

// embeddedBytes is the embedded corpus as OpenIndex reads it.
func embeddedBytes(t *testing.T) []byte {
	t.Helper()
	data, err := EmbeddedCorpus()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// mustOpen is OpenIndex over data with the default options.
func mustOpen(t *testing.T, data []byte, files IndexFiles) *Index {
	t.Helper()
	ix, err := OpenIndex(data, IndexOptions{}, files)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// lookAlikes derives queries from the corpus the way typosquats are made
// (a letter dropped, two swapped, an affix, a plural), plus the names
// themselves, so that every family and the popularity answers are asked.
func lookAlikes(c *Corpus) []struct {
	eco  policy.Ecosystem
	name string
} {
	var out []struct {
		eco  policy.Ecosystem
		name string
	}
	add := func(eco policy.Ecosystem, name string) {
		out = append(out, struct {
			eco  policy.Ecosystem
			name string
		}{eco, name})
	}
	for _, eco := range policy.Ecosystems() {
		entries := c.Entries(eco)
		step := max(len(entries)/700, 1)
		for i := 0; i < len(entries); i += step {
			n := entries[i].Name
			add(eco, n)
			if len(n) > 3 {
				add(eco, n[:len(n)/2]+n[len(n)/2+1:])
				b := []byte(n)
				b[1], b[2] = b[2], b[1]
				add(eco, string(b))
			}
			add(eco, n+"s")
			add(eco, "node-"+n)
			add(eco, n+"-js")
			add(eco, "py"+n)
		}
	}
	return out
}

type indexAnswer struct {
	Match              Match
	Squat, Pop, Known  bool
	Rank, KnownRank    int
	Monthly, KnownMon  int64
	Elsewhere          policy.Ecosystem
	ElsewhereOK        bool
	Suggestions        []string
	SuggestionsAnyTier []string
}

func askIndex(ix *Index, eco policy.Ecosystem, name string) indexAnswer {
	var a indexAnswer
	a.Match, a.Squat = ix.Typosquat(eco, name)
	a.Rank, a.Monthly, a.Pop = ix.Popular(eco, name)
	a.KnownRank, a.KnownMon, a.Known = ix.Known(eco, name)
	a.Elsewhere, a.ElsewhereOK = ix.ExistsElsewhere(eco, name)
	a.Suggestions = ix.Suggest(eco, name, 3)
	return a
}

// An ecosystem read back from its index file is the one that was written,
// array for array and string for string.
func TestIndexFileRoundTrip(t *testing.T) {
	_, ix := loadIndex(t)
	for _, eco := range policy.Ecosystems() {
		e := ix.eco(eco)
		var buf bytes.Buffer
		key := indexFileKey("test", eco, ix.opts, [32]byte{1})
		if err := e.writeIndexFile(&buf, key); err != nil {
			t.Fatal(err)
		}
		var got ecoIndex
		if err := got.readIndexFile(buf.Bytes(), key, eco, ix.opts); err != nil {
			t.Fatalf("%s: %v", eco, err)
		}
		same := got.eco == e.eco && got.opts == e.opts &&
			slices.Equal(got.known.hash, e.known.hash) && slices.Equal(got.known.monthly, e.known.monthly) &&
			slices.Equal(got.known.rank, e.known.rank) && slices.Equal(got.known.target, e.known.target) &&
			slices.Equal(got.known.popular, e.known.popular) &&
			got.known.slots.shift == e.known.slots.shift && slices.Equal(got.known.slots.off, e.known.slots.off) &&
			slices.Equal(got.known.slots.ent, e.known.slots.ent) && slices.Equal(got.scopes, e.scopes) &&
			slices.Equal(got.names, e.names) && slices.Equal(got.folds, e.folds) &&
			slices.Equal(got.lights, e.lights) && slices.Equal(got.stems, e.stems) &&
			slices.Equal(got.rank, e.rank) && slices.Equal(got.monthly, e.monthly) && slices.Equal(got.tier, e.tier) &&
			got.keys.shift == e.keys.shift && slices.Equal(got.keys.off, e.keys.off) && slices.Equal(got.keys.ent, e.keys.ent)
		if !same {
			t.Fatalf("%s: the index read back differs from the one written", eco)
		}
		if len(e.names) == 0 || len(e.keys.ent) == 0 {
			t.Fatalf("%s: the index has no targets or keys", eco)
		}
	}
}

// OpenIndex writes each ecosystem's file on first use; a second process
// (a second OpenIndex on the same store) reads them instead of parsing the
// corpus, and every answer is the fresh index's.
func TestOpenIndexSavesThenReadsAndAnswersAsFresh(t *testing.T) {
	c, fresh := loadIndex(t)
	data := embeddedBytes(t)
	store := newMemStore()
	var problems []error
	files := IndexFiles{Store: store, BuildID: "test-build", Problem: func(err error) { problems = append(problems, err) }}
	first := mustOpen(t, data, files)
	first.Popular(policy.NPM, "react")
	if store.saves != 1 || first.npm.pending == nil {
		t.Fatalf("a popularity question built the targets, or did not save the names (%d saves)", store.saves)
	}
	first.Typosquat(policy.NPM, "expresss")
	if store.saves != 2 || len(store.files) != 1 {
		t.Fatalf("after an npm typosquat question: %d saves, %d files; want the npm file saved again", store.saves, len(store.files))
	}
	first.Prepare()
	if store.saves != 4 || store.loads != 0 {
		t.Fatalf("after both ecosystems: %d saves, %d loads; want 4 and 0", store.saves, store.loads)
	}

	second := mustOpen(t, data, files)
	second.corpus = func() *Corpus {
		t.Fatal("the corpus was parsed although both index files were there")
		return nil
	}
	queries := lookAlikes(c)
	for _, q := range queries {
		if diff := cmp.Diff(askIndex(fresh, q.eco, q.name), askIndex(second, q.eco, q.name)); diff != "" {
			t.Fatalf("%s %s (-fresh +from files):\n%s", q.eco, q.name, diff)
		}
	}
	if store.loads != 2 || store.saves != 4 || len(problems) != 0 {
		t.Fatalf("second index: %d loads, %d saves, problems %v; want 2 loads and nothing written", store.loads, store.saves, problems)
	}
	flagged := 0
	for _, q := range queries {
		if _, ok := second.Typosquat(q.eco, q.name); ok {
			flagged++
		}
	}
	if flagged < len(queries)/4 {
		t.Fatalf("only %d of %d look-alikes flagged: the comparison asked too little", flagged, len(queries))
	}

	// Another build or other options never read these files.
	for _, other := range []struct {
		opts  IndexOptions
		build string
	}{{IndexOptions{}, "another-build"}, {IndexOptions{NPMBlockMinMonthly: 1}, "test-build"}} {
		st := &memStore{files: store.files}
		ix, err := OpenIndex(data, other.opts, IndexFiles{Store: st, BuildID: other.build})
		if err != nil {
			t.Fatal(err)
		}
		ix.Typosquat(policy.PyPI, "reqeusts")
		if st.loads != 0 || st.saves != 2 {
			t.Fatalf("%s %+v: %d loads, %d saves; want its own file written, none read", other.build, other.opts, st.loads, st.saves)
		}
	}
}

// A corpus that changes (a refresh, an edited corpus_file) gets new files.
func TestOpenIndexFollowsCorpusChanges(t *testing.T) {
	small := &Corpus{PyPI: []Entry{{Name: "requests", Rank: 1, Role: RoleTarget}}, NPM: []Entry{{Name: "react", Monthly: 90_000_000, Role: RoleTarget}}}
	var a, b bytes.Buffer
	if err := WriteCorpus(&a, small.PyPI, small.NPM); err != nil {
		t.Fatal(err)
	}
	small.NPM = append(small.NPM, Entry{Name: "left-pad", Monthly: 20_000_000, Role: RoleTarget})
	if err := WriteCorpus(&b, small.PyPI, small.NPM); err != nil {
		t.Fatal(err)
	}
	store := newMemStore()
	files := IndexFiles{Store: store, BuildID: "test-build"}
	for i, data := range [][]byte{a.Bytes(), b.Bytes(), b.Bytes()} {
		ix := mustOpen(t, data, files)
		m, ok := ix.Typosquat(policy.NPM, "lefft-pad")
		if want := i > 0; ok != want || (ok && m.Target != "left-pad") {
			t.Fatalf("corpus %d: lefft-pad → %+v %v; want flagged %v", i, m, ok, want)
		}
	}
	if store.saves != 4 || store.loads != 1 {
		t.Fatalf("%d saves, %d loads; want names and the whole index saved per corpus, the second corpus' read once", store.saves, store.loads)
	}
}

// A process that asked only popularity questions leaves files with the
// names alone: the next process answers those without the corpus, builds
// the targets from the corpus on its first typosquat question (answering
// as a fresh index) and saves the whole index, which a third reads.
func TestIndexFileWithoutTargetsIsCompletedLater(t *testing.T) {
	c, fresh := loadIndex(t)
	data := embeddedBytes(t)
	store := newMemStore()
	files := IndexFiles{Store: store, BuildID: "test-build"}
	first := mustOpen(t, data, files)
	first.Popular(policy.NPM, "react")
	first.Popular(policy.PyPI, "requests")
	if store.saves != 2 || first.npm.pending == nil || first.pypi.pending == nil {
		t.Fatalf("popularity questions: %d saves, targets built: %v", store.saves, first.npm.pending == nil)
	}

	second := mustOpen(t, data, files)
	parsed := false
	corpus := second.corpus
	second.corpus = func() *Corpus { parsed = true; return corpus() }
	if _, _, ok := second.Popular(policy.NPM, "react"); !ok || parsed || second.npm.pending == nil {
		t.Fatalf("a popularity question on a names-only file: popular %v, corpus parsed %v", ok, parsed)
	}
	queries := lookAlikes(c)
	for _, q := range queries {
		if diff := cmp.Diff(askIndex(fresh, q.eco, q.name), askIndex(second, q.eco, q.name)); diff != "" {
			t.Fatalf("%s %s (-fresh +completed):\n%s", q.eco, q.name, diff)
		}
	}
	if !parsed || store.saves != 4 {
		t.Fatalf("the targets: corpus parsed %v, %d saves; want the corpus parsed and both files saved whole", parsed, store.saves)
	}

	third := mustOpen(t, data, files)
	third.corpus = func() *Corpus {
		t.Fatal("the corpus was parsed although both files are whole")
		return nil
	}
	for _, q := range queries[:500] {
		if diff := cmp.Diff(askIndex(fresh, q.eco, q.name), askIndex(third, q.eco, q.name)); diff != "" {
			t.Fatalf("%s %s (-fresh +read):\n%s", q.eco, q.name, diff)
		}
	}
}

// A damaged, truncated or foreign file is refused with a reason, never
// read as an index; OpenIndex then builds from the corpus and answers
// right.
func TestIndexFileRefusesDamage(t *testing.T) {
	c, fresh := loadIndex(t)
	data := embeddedBytes(t)
	store := newMemStore()
	files := IndexFiles{Store: store, BuildID: "test-build"}
	ix := mustOpen(t, data, files)
	ix.Prepare()
	var name string
	for n := range store.files {
		if bytes.Contains([]byte(n), []byte("pypi")) {
			name = n
		}
	}
	good := store.files[name]
	key := indexFileKey("test-build", policy.PyPI, ix.opts, sha256.Sum256(data))
	var e ecoIndex
	if err := e.readIndexFile(good, key, policy.PyPI, ix.opts); err != nil {
		t.Fatalf("the saved file does not read back: %v", err)
	}
	flip := func(at int) []byte {
		b := slices.Clone(good)
		b[at] ^= 0x40
		return b
	}
	cases := map[string][]byte{
		"empty":          nil,
		"header only":    good[:headerSize],
		"truncated":      good[:len(good)-9],
		"trailing bytes": append(slices.Clone(good), make([]byte, 8)...),
		"magic":          flip(0),
		"layout":         flip(8),
		"key":            flip(8 * hKey),
		"counts":         flip(8 * hKnown),
		"payload":        flip(headerSize + 12345),
		"strings":        flip(len(good) - 20),
		"misaligned":     append([]byte{0}, good...)[1:],
	}
	for what, b := range cases {
		var e ecoIndex
		err := e.readIndexFile(b, key, policy.PyPI, ix.opts)
		if what == "misaligned" {
			if err != nil {
				t.Errorf("a misaligned copy of a good file is refused: %v", err)
			}
			continue
		}
		if !errors.Is(err, errIndexFile) {
			t.Errorf("%s: got %v, want an index file error", what, err)
		}
		if e.names != nil || e.known.hash != nil {
			t.Errorf("%s: a refused file left data behind", what)
		}
	}
	if err := e.readIndexFile(good, key, policy.NPM, ix.opts); !errors.Is(err, errIndexFile) {
		t.Errorf("the PyPI file was read as npm's: %v", err)
	}

	store.files[name] = flip(headerSize + 999)
	var problems []error
	files.Problem = func(err error) { problems = append(problems, err) }
	again := mustOpen(t, data, files)
	for _, q := range lookAlikes(c)[:300] {
		if diff := cmp.Diff(askIndex(fresh, q.eco, q.name), askIndex(again, q.eco, q.name)); diff != "" {
			t.Fatalf("%s %s after a damaged file (-fresh +got):\n%s", q.eco, q.name, diff)
		}
	}
	if len(problems) != 1 || !bytes.Contains([]byte(problems[0].Error()), []byte("checksum")) {
		t.Fatalf("problems %v; want one checksum mismatch", problems)
	}
	if _, err := OpenIndex([]byte("not a corpus"), IndexOptions{}, files); err == nil {
		t.Fatal("a bad corpus was accepted")
	}
}

// Without a build identity or a store there are no files: NewLazyIndex's
// behaviour.
func TestOpenIndexWithoutFiles(t *testing.T) {
	data := embeddedBytes(t)
	store := newMemStore()
	ix := mustOpen(t, data, IndexFiles{Store: store})
	if _, ok := ix.Typosquat(policy.NPM, "expresss"); !ok {
		t.Fatal("expresss is not flagged")
	}
	if store.saves != 0 || store.loads != 0 || ix.files != nil {
		t.Fatal("an index without a build identity used its store")
	}
	if ix.pypi.names != nil {
		t.Fatal("an npm question built the PyPI index")
	}
}

// FuzzReadIndexFile: any bytes are refused or read; reading never panics,
// and an accepted file answers questions without panicking. Inputs of even
// length get a valid checksum, so that the structure checks are fuzzed too.
func FuzzReadIndexFile(f *testing.F) {
	c := &Corpus{
		PyPI: []Entry{{Name: "requests", Rank: 1, Role: RoleTarget}, {Name: "numpy", Rank: 2, Role: RoleTarget}, {Name: "rare-thing", Role: RoleKnown}},
		NPM:  []Entry{{Name: "react", Monthly: 90_000_000, Role: RoleTarget}, {Name: "@types/node", Monthly: 80_000_000, Role: RoleTarget}},
	}
	ix := NewIndex(c)
	for _, eco := range policy.Ecosystems() {
		var buf bytes.Buffer
		if err := ix.eco(eco).writeIndexFile(&buf, [32]byte{}); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes(), eco == policy.NPM)
	}
	f.Fuzz(func(t *testing.T, data []byte, npm bool) {
		eco := policy.PyPI
		if npm {
			eco = policy.NPM
		}
		got := &Index{opts: ix.opts}
		e := &got.pypi
		if npm {
			e = &got.npm
		}
		if len(data) >= headerSize && len(data)%2 == 0 {
			// a valid checksum, so that the fuzzer reaches the checks behind it
			data = slices.Clone(data)
			binary.LittleEndian.PutUint64(data[8*hCRC:], uint64(crc32.Checksum(data[headerSize:], crc32.MakeTable(crc32.Castagnoli))))
		}
		if e.readIndexFile(data, [32]byte{}, eco, ix.opts) != nil {
			return
		}
		got.built[0].Do(func() {})
		got.built[1].Do(func() {})
		got.pypi.targetsOnce.Do(func() {})
		got.npm.targetsOnce.Do(func() {})
		for _, n := range []string{"react", "reactt", "requests", "reqeusts", "@types/nod", "numpy-js"} {
			askIndex(got, eco, n)
		}
	})
}
