// Package names holds vigil-proxy's name intelligence: the embedded corpus of
// popular PyPI and npm names, an index answering "is this popular?", "which
// popular name does this look like?" and "did you mean?", and the DEP-003
// (typosquat) and DEP-004 (unpopular) rules built on them.
//
// The package is pure: it reads only its embedded data and does no other
// I/O, except Refresh, which fetches public popularity lists through a
// caller-supplied HTTP client to regenerate the corpus.
package names

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

//go:embed data/corpus.tsv.gz
var embedded embed.FS

// Corpus file headers; the version lets the format evolve. Version 1 lines
// are "ecosystem name rank monthly" (every name popular); version 2 adds a
// role column (target, known or removed) and allows rank 0 for known and
// removed names.
const (
	corpusHeaderV1 = "# vigil-names corpus v1"
	corpusHeader   = "# vigil-names corpus v2"
)

// Role says what a corpus name is for.
type Role uint8

const (
	// RoleTarget marks a name worth protecting: look-alikes of it are
	// typosquats (every v1 name is a target).
	RoleTarget Role = iota
	// RoleKnown marks a name that exists, with its popularity where known,
	// but is not protected: it only tells how popular a candidate is.
	RoleKnown
	// RoleRemoved marks a name the registry took down as malware (npm's
	// security holding package): never a known name or a target, and
	// refused as MAL-001 where only the corpus can tell (check --offline).
	RoleRemoved
)

// String returns the corpus file's spelling of the role.
func (r Role) String() string {
	switch r {
	case RoleKnown:
		return "known"
	case RoleRemoved:
		return "removed"
	}
	return "target"
}

// Entry is one corpus name.
type Entry struct {
	Name string // canonical form (PEP 503 for PyPI, lower-case for npm)
	// Rank is the 1-based popularity rank within the ecosystem, 0 for a
	// known name without a rank (PyPI names outside the ranked list).
	Rank int
	// Monthly is the download count over 30 days, 0 when the source gave
	// only a rank (or nothing).
	Monthly int64
	// Role is RoleTarget for names worth protecting, RoleRemoved for
	// removed malware, RoleKnown otherwise.
	Role Role
}

// Corpus is the set of known names per ecosystem, most popular first.
type Corpus struct {
	PyPI []Entry
	NPM  []Entry
}

// Entries returns the ecosystem's entries, most popular first.
func (c *Corpus) Entries(eco policy.Ecosystem) []Entry {
	if eco == policy.PyPI {
		return c.PyPI
	}
	if eco == policy.NPM {
		return c.NPM
	}
	return nil
}

// Len is the number of names over both ecosystems.
func (c *Corpus) Len() int { return len(c.PyPI) + len(c.NPM) }

// LoadEmbedded returns the corpus compiled into the binary.
func LoadEmbedded() (*Corpus, error) {
	f, err := embedded.Open("data/corpus.tsv.gz")
	if err != nil {
		return nil, fmt.Errorf("open embedded corpus: %w", err)
	}
	defer f.Close()
	return LoadCorpus(f)
}

// LoadCorpus reads a corpus in the format WriteCorpus produces (gzip'd or
// plain TSV).
func LoadCorpus(r io.Reader) (*Corpus, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read corpus: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	c := &Corpus{}
	line := 0
	fields := 5
	var f [5][]byte
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if line == 1 {
			switch string(text) {
			case corpusHeader:
			case corpusHeaderV1:
				fields = 4
			default:
				return nil, fmt.Errorf("read corpus: line 1: want %q (or v1) header", corpusHeader)
			}
			continue
		}
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		n := splitTabs(text, f[:])
		if n != fields {
			return nil, fmt.Errorf("read corpus: line %d: want %d fields, got %d", line, fields, n)
		}
		var eco policy.Ecosystem
		switch string(f[0]) { // no allocation: comparisons only
		case string(policy.PyPI):
			eco = policy.PyPI
		case string(policy.NPM):
			eco = policy.NPM
		default:
			parsed, err := policy.ParseEcosystem(string(f[0]))
			if err != nil {
				return nil, fmt.Errorf("read corpus: line %d: %w", line, err)
			}
			eco = parsed
		}
		role := RoleTarget
		if fields == 5 {
			r, ok := RoleTarget, true
			switch string(f[4]) {
			case "target":
			case "known":
				r = RoleKnown
			case "removed":
				r = RoleRemoved
			default:
				ok = false
			}
			if !ok {
				return nil, fmt.Errorf("read corpus: line %d: bad role %q", line, f[4])
			}
			role = r
		}
		rank, ok1 := parseCount(f[2])
		monthly, ok2 := parseCount(f[3])
		if !ok1 || !ok2 || rank > 1<<31-1 || (rank == 0 && role == RoleTarget) {
			return nil, fmt.Errorf("read corpus: line %d: bad rank or count", line)
		}
		name := Normalize(eco, string(f[1]))
		if !validName(eco, name) {
			return nil, fmt.Errorf("read corpus: line %d: bad name %q", line, f[1])
		}
		e := Entry{Name: name, Rank: int(rank), Monthly: monthly, Role: role}
		if eco == policy.PyPI {
			c.PyPI = append(c.PyPI, e)
		} else {
			c.NPM = append(c.NPM, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	if line == 0 {
		return nil, fmt.Errorf("read corpus: empty")
	}
	sortEntries(c.PyPI)
	sortEntries(c.NPM)
	return c, nil
}

// splitTabs splits b at tabs into f and returns the number of fields (more
// than len(f) when b has too many).
func splitTabs(b []byte, f [][]byte) int {
	n := 0
	for {
		i := bytes.IndexByte(b, '\t')
		if n < len(f) {
			if i < 0 {
				f[n] = b
			} else {
				f[n] = b[:i]
			}
		}
		n++
		if i < 0 {
			return n
		}
		b = b[i+1:]
	}
}

// parseCount parses a non-negative decimal count without allocating.
func parseCount(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// sortEntries orders by rank, unranked (rank 0) names last.
func sortEntries(es []Entry) {
	slices.SortStableFunc(es, func(a, b Entry) int {
		switch {
		case a.Rank == b.Rank:
			return 0
		case a.Rank == 0:
			return 1
		case b.Rank == 0:
			return -1
		}
		return a.Rank - b.Rank
	})
}

// WriteCorpus writes a gzip'd corpus (format v2): a header line, then one
// line per name "ecosystem<TAB>name<TAB>rank<TAB>monthly<TAB>role".
// Entries are written in the order given; a target's rank of zero is
// replaced by its 1-based position (known names may stay unranked).
func WriteCorpus(w io.Writer, pypi, npm []Entry) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	if err := WriteCorpusTSV(zw, pypi, npm); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	return nil
}

// WriteCorpusTSV writes the corpus as plain text (the format WriteCorpus
// compresses), for people to read and extend.
func WriteCorpusTSV(w io.Writer, pypi, npm []Entry) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, corpusHeader)
	for _, part := range []struct {
		eco policy.Ecosystem
		es  []Entry
	}{{policy.PyPI, pypi}, {policy.NPM, npm}} {
		for i, e := range part.es {
			if strings.ContainsAny(e.Name, "\t\n") || e.Name == "" {
				return fmt.Errorf("write corpus: bad name %q", e.Name)
			}
			rank := e.Rank
			if rank <= 0 && e.Role == RoleTarget {
				rank = i + 1
			}
			fmt.Fprintf(bw, "%s\t%s\t%d\t%d\t%s\n", part.eco, e.Name, max(rank, 0), max(e.Monthly, 0), e.Role)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	return nil
}

// BuildFromTSV builds a corpus from the two snapshot formats in
// ../shared/data: PyPI "rank<TAB>name" and npm "name<TAB>downloads_a_month",
// each with a header line. npm ranks follow descending downloads.
func BuildFromTSV(pypiTSV, npmTSV io.Reader) (*Corpus, error) {
	c := &Corpus{}
	seen := map[string]bool{}
	err := eachTSV(pypiTSV, func(line int, f []string) error {
		rank, err := strconv.Atoi(f[0])
		if err != nil || rank < 1 {
			return fmt.Errorf("pypi line %d: bad rank %q", line, f[0])
		}
		name := Normalize(policy.PyPI, f[1])
		if !validName(policy.PyPI, name) {
			return fmt.Errorf("pypi line %d: bad name %q", line, f[1])
		}
		if !seen[name] {
			seen[name] = true
			c.PyPI = append(c.PyPI, Entry{Name: name, Rank: rank})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	clear(seen)
	err = eachTSV(npmTSV, func(line int, f []string) error {
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("npm line %d: bad count %q", line, f[1])
		}
		name := Normalize(policy.NPM, f[0])
		if !validName(policy.NPM, name) {
			return fmt.Errorf("npm line %d: bad name %q", line, f[0])
		}
		if !seen[name] {
			seen[name] = true
			c.NPM = append(c.NPM, Entry{Name: name, Monthly: n})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortEntries(c.PyPI)
	slices.SortStableFunc(c.NPM, func(a, b Entry) int {
		if a.Monthly != b.Monthly {
			if a.Monthly > b.Monthly {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	for i := range c.NPM {
		c.NPM[i].Rank = i + 1
	}
	return c, nil
}

func validName(eco policy.Ecosystem, name string) bool {
	var buf [maxName]byte
	_, ok := normalizeInto(buf[:], eco, name)
	return ok
}

// eachTSV calls fn for every data line (after the header) with two fields.
func eachTSV(r io.Reader, fn func(line int, f []string) error) error {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue
		}
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) < 2 {
			return fmt.Errorf("line %d: want 2 fields", line)
		}
		if err := fn(line, f); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read tsv: %w", err)
	}
	return nil
}

// Encode writes the corpus with WriteCorpus into a byte slice.
func (c *Corpus) Encode() ([]byte, error) {
	var buf bytes.Buffer
	if err := WriteCorpus(&buf, c.PyPI, c.NPM); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Without returns a copy of the corpus minus the names drop reports (for
// leave-out evaluations: a name in the corpus is exempt by construction).
func (c *Corpus) Without(drop func(eco policy.Ecosystem, name string) bool) *Corpus {
	keep := func(eco policy.Ecosystem, es []Entry) []Entry {
		out := make([]Entry, 0, len(es))
		for _, e := range es {
			if !drop(eco, e.Name) {
				out = append(out, e)
			}
		}
		return out
	}
	return &Corpus{PyPI: keep(policy.PyPI, c.PyPI), NPM: keep(policy.NPM, c.NPM)}
}
