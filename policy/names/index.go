package names

import (
	"bytes"
	"slices"
	"sync"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Typosquat families reported in Match.Family.
const (
	FamilyTransposition  = "transposition"
	FamilySubstitution   = "substitution"
	FamilyInsertion      = "insertion"
	FamilyOmission       = "omission"
	FamilyRepetition     = "repetition"
	FamilyHomoglyph      = "homoglyph"
	FamilySeparator      = "separator"
	FamilyReorder        = "reorder"
	FamilyAffix          = "affix"
	FamilyVersionSuffix  = "version-suffix"
	FamilyScopeConfusion = "scope-confusion"
	FamilyDistance2      = "distance-2"
)

// Families lists every family in a stable order.
func Families() []string {
	out := make([]string, 0, famDistance2+1)
	for c := range famDistance2 + 1 {
		out = append(out, familyName(c))
	}
	return out
}

// Confidence grades a typosquat match: High blocks, Low warns.
type Confidence int

const (
	Low Confidence = iota + 1
	High
)

// String returns "high", "low" or "none".
func (c Confidence) String() string {
	switch c {
	case High:
		return "high"
	case Low:
		return "low"
	}
	return "none"
}

// Match describes the popular name a requested name imitates.
type Match struct {
	Target     string
	Family     string
	Confidence Confidence
	// Distance is the edit distance between the folded names (0 for the
	// exact families: separator, homoglyph, reorder, affix, version-suffix,
	// scope-confusion by concatenation).
	Distance int
	// TargetRank and TargetMonthly describe the target's popularity
	// (TargetMonthly is 0 when the corpus has only a rank).
	TargetRank    int
	TargetMonthly int64
}

// Length thresholds after folding (detection.md §2.3).
const (
	minDistLen = 5  // distance 1 needs both names at least this long
	minD2Len   = 8  // distance 2 needs both names at least this long
	maxD2Len   = 32 // longer names get no distance-2 keys (cost grows with n²)
	minAffix   = 5  // a target reached by affix or version edits is at least this long
)

// IndexOptions tunes which corpus names are typosquat targets. Every corpus
// name counts as popular (never a squat itself) and as a suggestion; only
// targets, names far more popular than anything outside the corpus, can be
// imitated. Zero values select the defaults, tuned with policy/eval.
//
// Targets come in two tiers: a match against a block-tier target keeps its
// confidence; against any other target it is at most Low (warn).
type IndexOptions struct {
	// PyPIMaxRank: PyPI names ranked at most this are targets.
	PyPIMaxRank int
	// PyPIBlockMaxRank: PyPI names ranked at most this are block-tier.
	PyPIBlockMaxRank int
	// NPMMinMonthly: npm names with at least this many monthly downloads are
	// targets.
	NPMMinMonthly int64
	// NPMBlockMinMonthly: npm names with at least this many monthly
	// downloads are block-tier.
	NPMBlockMinMonthly int64
}

// Default target tiers. A name outside the corpus has fewer than ~57k
// (PyPI) or 40k (npm) monthly downloads; the tiers keep targets about two
// orders of magnitude above that (detection.md §2.3 popularity ratio).
const (
	DefaultPyPIMaxRank        = 5000
	DefaultPyPIBlockMaxRank   = 1000
	DefaultNPMMinMonthly      = 2_000_000
	DefaultNPMBlockMinMonthly = 10_000_000
)

// Target tiers.
const (
	tierNone uint8 = iota
	tierWarn
	tierBlock
)

// Index answers popularity, typosquat and suggestion queries over a corpus.
// It is immutable and safe for concurrent use.
type Index struct {
	pypi, npm ecoIndex
}

type ecoIndex struct {
	eco     policy.Ecosystem
	names   []string
	folds   []string // full folds (exact homoglyph matching)
	lights  []string // light folds (edit distance)
	rank    []int32
	monthly []int64
	tier    []uint8
	exact   map[string]uint32
	keys    table
}

// NewIndex indexes a corpus with the default options.
func NewIndex(c *Corpus) *Index { return NewIndexWith(c, IndexOptions{}) }

// NewIndexWith indexes a corpus.
func NewIndexWith(c *Corpus, opts IndexOptions) *Index {
	if opts.PyPIMaxRank <= 0 {
		opts.PyPIMaxRank = DefaultPyPIMaxRank
	}
	if opts.NPMMinMonthly <= 0 {
		opts.NPMMinMonthly = DefaultNPMMinMonthly
	}
	if opts.PyPIBlockMaxRank <= 0 {
		opts.PyPIBlockMaxRank = DefaultPyPIBlockMaxRank
	}
	if opts.NPMBlockMinMonthly <= 0 {
		opts.NPMBlockMinMonthly = DefaultNPMBlockMinMonthly
	}
	ix := &Index{}
	// The two ecosystems are independent: index them concurrently.
	var wg sync.WaitGroup
	wg.Go(func() {
		ix.pypi.build(policy.PyPI, c.PyPI, func(e Entry) uint8 {
			switch {
			case e.Rank <= opts.PyPIBlockMaxRank:
				return tierBlock
			case e.Rank <= opts.PyPIMaxRank:
				return tierWarn
			}
			return tierNone
		})
	})
	ix.npm.build(policy.NPM, c.NPM, func(e Entry) uint8 {
		switch {
		case e.Monthly >= opts.NPMBlockMinMonthly:
			return tierBlock
		case e.Monthly >= opts.NPMMinMonthly:
			return tierWarn
		}
		return tierNone
	})
	wg.Wait()
	return ix
}

func (ix *Index) eco(eco policy.Ecosystem) *ecoIndex {
	switch eco {
	case policy.PyPI:
		return &ix.pypi
	case policy.NPM:
		return &ix.npm
	}
	return nil
}

func (e *ecoIndex) build(eco policy.Ecosystem, entries []Entry, tierOf func(Entry) uint8) {
	e.eco = eco
	n := len(entries)
	// Pass 1: canonical, folded and light-folded forms into one arena, so
	// the index holds three strings per name in a single allocation.
	type span struct{ norm, fold, light [2]uint32 }
	spans := make([]span, 0, n)
	kept := make([]int, 0, n)
	arena := make([]byte, 0, n*48)
	nkeys := 0
	var nb [maxName]byte
	for i, en := range entries {
		nl, ok := normalizeInto(nb[:], eco, en.Name)
		if !ok {
			continue
		}
		var sp span
		put := func(f func(dst []byte) int) [2]uint32 {
			start := len(arena)
			arena = append(arena, make([]byte, maxName)...)
			arena = arena[:start+f(arena[start:])]
			return [2]uint32{uint32(start), uint32(len(arena))}
		}
		sp.norm = put(func(dst []byte) int { return copy(dst, nb[:nl]) })
		sp.fold = put(func(dst []byte) int { return foldInto(dst, nb[:nl]) })
		sp.light = put(func(dst []byte) int { return lightFoldInto(dst, nb[:nl]) })
		spans = append(spans, sp)
		kept = append(kept, i)
		ll := int(sp.light[1] - sp.light[0])
		nkeys += 5
		if ll >= minDistLen && ll <= maxDistLen {
			nkeys += ll + 1
			if tierOf(en) != tierNone && ll >= minD2Len && ll <= maxD2Len {
				nkeys += ll * (ll - 1) / 2
			}
		}
	}
	all := string(arena)
	str := func(s [2]uint32) string { return all[s[0]:s[1]] }
	m := len(spans)
	e.names = make([]string, m)
	e.folds = make([]string, m)
	e.lights = make([]string, m)
	e.rank = make([]int32, m)
	e.monthly = make([]int64, m)
	e.tier = make([]uint8, m)
	e.exact = make(map[string]uint32, m)
	var b tableBuilder
	b.keys = make([]uint64, 0, nkeys)
	b.vals = make([]uint32, 0, nkeys)
	d := new(deletions)
	var tb [maxName]byte
	local := make([]uint64, 0, 1024)
	for id, sp := range spans {
		en := entries[kept[id]]
		uid := uint32(id)
		tier := tierOf(en)
		tgt := tier != tierNone
		name := str(sp.norm)
		if _, dup := e.exact[name]; dup {
			continue // a repeated name keeps its first, most popular entry
		}
		e.names[id], e.folds[id], e.lights[id] = name, str(sp.fold), str(sp.light)
		e.rank[id], e.monthly[id], e.tier[id] = int32(en.Rank), en.Monthly, tier
		e.exact[name] = uid
		norm := arena[sp.norm[0]:sp.norm[1]]
		light := arena[sp.light[0]:sp.light[1]]

		b.add(hashBytes(kindFold, arena[sp.fold[0]:sp.fold[1]]), uid)
		local = local[:0]
		if k, ok := firstTokenKey(tb[:], norm); ok {
			local = append(local, k)
		}
		if ll := len(light); ll >= minDistLen && ll <= maxDistLen {
			d.reset(light)
			local = append(local, d.whole())
			for i := range ll {
				local = append(local, d.del1(i))
			}
			if tgt && ll >= minD2Len && ll <= maxD2Len {
				for i := range ll {
					for j := i + 1; j < ll; j++ {
						local = append(local, d.del2(i, j))
					}
				}
			}
		}
		if tgt {
			if k, ok := reorderKey(tb[:], norm); ok {
				local = append(local, k)
			}
			if rest, ok := dropAffix(norm); ok && norm[0] != '@' {
				if rl := foldInto(tb[:], rest); rl >= 3 {
					local = append(local, hashBytes(kindAffixDrop, tb[:rl]))
				}
			}
			if scope, name := splitScope(norm); scope != nil {
				sl := foldInto(tb[:], scope)
				sl += foldInto(tb[sl:], name)
				local = append(local, hashBytes(kindScopeConcat, tb[:sl]))
			}
		}
		slices.Sort(local)
		for _, k := range slices.Compact(local) {
			b.add(k, uid)
		}
	}
	e.keys = b.build()
}

// dropAffix strips one ecosystem affix joined by a separator ("python-x",
// "x-py", "x.js"); ok is false when there is none.
func dropAffix(norm []byte) ([]byte, bool) {
	_, name := splitScope(norm)
	// affixes that ecosystems' naming conventions add to a project name
	for _, p := range [...]string{"python3", "python", "py", "js", "node"} {
		if len(name) > len(p)+1 && string(name[:len(p)]) == p && isSep(name[len(p)]) {
			return name[len(p)+1:], true
		}
	}
	for _, s := range [...]string{"python", "py", "js", "node"} {
		if len(name) > len(s)+1 && string(name[len(name)-len(s):]) == s && isSep(name[len(name)-len(s)-1]) {
			return name[:len(name)-len(s)-1], true
		}
	}
	return nil, false
}

// versionBase strips a version suffix ("2", "3", "-v2", "_2", "v10"); ok
// is false when there is none.
func versionBase(norm []byte) ([]byte, bool) {
	i := len(norm)
	for i > 0 && norm[i-1] >= '0' && norm[i-1] <= '9' {
		i--
	}
	if i == len(norm) || len(norm)-i > 2 || i == 0 {
		return nil, false
	}
	if norm[i-1] == 'v' && i > 1 && isSep(norm[i-2]) {
		i--
	}
	if isSep(norm[i-1]) {
		i--
	}
	return norm[:i], i > 0
}

// reorderKey hashes the multiset of a name's folded tokens (scope kept
// apart), so "dateutil-python" and "python-dateutil" share a key. ok is
// false for names with fewer than 2 or more than 8 tokens.
func reorderKey(buf []byte, norm []byte) (uint64, bool) {
	scope, name := splitScope(norm)
	var spans [8][2]int
	nt := 0
	sl := foldInto(buf, scope)
	n := sl
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && !isSep(name[i]) {
			continue
		}
		if i > start {
			if nt == len(spans) {
				return 0, false
			}
			l := foldInto(buf[n:], name[start:i])
			spans[nt] = [2]int{n, n + l}
			n += l
			nt++
		}
		start = i + 1
	}
	if nt < 2 {
		return 0, false
	}
	// insertion sort of token spans by content
	for i := 1; i < nt; i++ {
		for j := i; j > 0 && bytes.Compare(buf[spans[j][0]:spans[j][1]], buf[spans[j-1][0]:spans[j-1][1]]) < 0; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	h := hashBytes(kindReorder, buf[:sl])
	for _, s := range spans[:nt] {
		h = mix(h^hashBytes(kindReorder, buf[s[0]:s[1]]), kindReorder, uint64(s[1]-s[0]))
	}
	return h, true
}
