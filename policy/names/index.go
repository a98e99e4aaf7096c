package names

import (
	"bytes"
	"cmp"
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
	// FamilyAffixEdit: an ecosystem affix added or dropped and one edit in
	// the rest ("dizcordjs" for "discord.js").
	FamilyAffixEdit = "affix-edit"
	// FamilyCompound: a filler word glued to a target or a one-edit
	// variant of it ("loadash-lint", "plain-crypto-js").
	FamilyCompound = "compound"
	// FamilyPlural: a trailing "s" added or dropped.
	FamilyPlural = "plural"
	// FamilyTruncation: a long target cut short by its last two
	// characters ("secp256" for "secp256k1").
	FamilyTruncation = "truncation"
)

// Families lists every family in a stable order.
func Families() []string {
	out := make([]string, 0, famLast+1)
	for c := range famLast + 1 {
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
	// Slip is set when the match is a plausible slip (a transposition, a
	// neighbouring key, an affix) or a dressing (a rare filler word glued
	// to the target…) and only the target's tier or the candidate's own
	// popularity kept it at Low: online facts (a young, little-downloaded
	// package) may turn it into a block.
	Slip bool
}

// Length thresholds after folding.
const (
	minDistLen  = 5  // single edits between names at least this long
	minShortLen = 4  // short names: transpositions only, very popular targets
	minD2Len    = 8  // two edits: both names at least this long
	maxD2Len    = 24 // longer names get no distance-2 keys (cost grows with n²)
	minAffix    = 4  // a target reached by affix or compound edits is at least this long
	// ... or this long, for an affix added to a block-tier target ("vue.js")
	minShortAffix = 2
	minBaseLen    = 8 // a scoped target's name part copied without the scope
	minTruncLen   = 9 // a target that may be cut short by two characters
	// a PyPI candidate with a slip inside a word (see interiorEdit) is at
	// least this long
	minInteriorLen = 8
	// ... and the word it changes at least this long
	minInteriorWord = 5
	// a PyPI candidate that drops a target's first letter is at least
	// this long
	minDropFirstLen = 7
	// a PyPI candidate one loose edit from a target ranked past the block
	// tier (see slipTierEdit) is at least this long
	minLooseEditLen = 7
	// a word whose plural "s" pluralWords reads has at least this many
	// letters without it
	minPluralWord = 3
	// a PyPI candidate shorter than minD2Len two edits from one of the
	// PyPIShortD2MaxRank most downloaded projects is at least this long
	minShortD2Len = 6
	// a run of minChunk–maxChunk letters inserted inside a target, with
	// chunkEdge of its letters on each side, in a candidate of at least
	// minChunkCand letters (see chunkInserted)
	minChunk     = 2
	maxChunk     = 4
	chunkEdge    = 2
	minChunkCand = 7
)

// PyPIShortD2MaxRank bounds the targets of short two-edit candidates.
const PyPIShortD2MaxRank = 100

// PyPITopSlipMaxRank bounds the PyPI targets whose loose edits into a
// token no corpus name has block (see wordStrength), for candidates of at
// least minTopSlipLen letters.
const (
	PyPITopSlipMaxRank = 100
	minTopSlipLen      = 6
)

// IndexOptions tunes which corpus names are targets and how a match is
// graded. Zero values select the defaults.
//
// Every corpus name tells how popular a candidate is; names at least as
// popular as the "popular" floor are never typosquats. Targets come in
// three tiers by their own popularity: a close match to a block-tier
// target blocks; to a middle-tier target it blocks when the candidate is
// unknown or far less popular (under 1/1000 of the target's downloads, or
// unranked on PyPI); to any other target it warns.
type IndexOptions struct {
	// PyPIMaxRank: PyPI names ranked at most this are targets.
	PyPIMaxRank int
	// PyPIWarnMaxRank, PyPIMiddleMaxRank and PyPIBlockMaxRank bound the
	// warn, middle and block tiers (targets below the warn tier warn only
	// on plausible slips).
	PyPIWarnMaxRank   int
	PyPIMiddleMaxRank int
	PyPIBlockMaxRank  int
	// PyPIInteriorSlipMaxRank: a plausible slip inside a word of a long
	// PyPI name ("reqeusts-oauthlib") blocks on targets ranked at most
	// this, beyond the block tier (see interiorEdit).
	PyPIInteriorSlipMaxRank int
	// NPMMinMonthly: npm corpus targets with at least this many monthly
	// downloads are targets.
	NPMMinMonthly int64
	// NPMWarnMinMonthly, NPMMiddleMinMonthly and NPMBlockMinMonthly bound
	// the warn, middle and block tiers.
	NPMWarnMinMonthly   int64
	NPMMiddleMinMonthly int64
	NPMBlockMinMonthly  int64
	// NPMPopularMonthly: npm names with at least this many monthly
	// downloads are popular (never typosquats). PyPI names with a rank are
	// popular.
	NPMPopularMonthly int64
}

// Default tiers (the warn tier is empty by default: widening it to npm
// 100k+ or PyPI ranks to 5,000 cost about 1.5 points of false warnings on
// left-out legitimate names for no real typosquat found). The popular floor is the npm snapshot's 40,000 a month.
// PyPI has no download counts for candidates, so no ratio can tell a far
// less popular name: its middle tier is empty by default (rank ≤ 1,000
// blocks, ranks to 15,000 warn; a middle tier to rank 5,000 blocked 1.1 %
// of left-out legitimate PyPI names in policy/eval).
// The block tier keeps targets about two orders of magnitude above
// anything outside the popular set; the middle tier starts where an
// unknown name is three orders of magnitude less popular than its target.
const (
	DefaultPyPIMaxRank       = 15_000
	DefaultPyPIWarnMaxRank   = 1_000
	DefaultPyPIMiddleMaxRank = 1_000
	DefaultPyPIBlockMaxRank  = 1_000
	// A slip inside a word of a name of at least minInteriorLen letters
	// blocks on PyPI targets to rank 5,000 (where a middle tier of every
	// slip blocked 1.1 %): of the 871k unranked names of the PyPI list,
	// 123 are such a slip of a target ranked 1,001–5,000 (0.03 per
	// target), against 2,118 if every slip of them blocked, and 962 slips
	// of the 1,000 block-tier targets (0.96 per target) that already block.
	DefaultPyPIInteriorSlipMaxRank = 5_000
	DefaultNPMMinMonthly           = DefaultNPMTargetMonthly
	DefaultNPMWarnMinMonthly       = 1_000_000
	DefaultNPMMiddleMinMonthly     = 1_000_000
	DefaultNPMBlockMinMonthly      = 10_000_000
	DefaultNPMPopularMonthly       = 40_000
	// farLessRatio: a candidate below 1/farLessRatio of a middle-tier
	// target's downloads is "far less popular".
	farLessRatio = 1000
	// sameLeagueRatio: a candidate with at least 1/sameLeagueRatio of a
	// target's downloads is not its typosquat.
	sameLeagueRatio = 100
)

// Target tiers.
const (
	tierNone   uint8 = iota
	tierSlip         // warns on plausible slips only
	tierWarn         // warns on any family
	tierMiddle       // blocks slips by far less popular candidates
	tierBlock        // blocks slips
)

// Index answers popularity, typosquat and suggestion queries over a corpus.
// It is immutable once built and safe for concurrent use.
type Index struct {
	pypi, npm ecoIndex
	built     [2]sync.Once // pypi, npm (see eco)
	corpus    func() *Corpus
	files     *indexFiles // nil: no index files (see OpenIndex)
	opts      IndexOptions
	// words: the word counts both ecosystems' targets share, counted on
	// the first need (see countWords)
	wordsOnce sync.Once
	words     table
}

// ecoIndex indexes one ecosystem: every corpus name in known (popularity
// by name hash), and the targets with their folded forms and lookup keys.
type ecoIndex struct {
	eco   policy.Ecosystem
	opts  IndexOptions
	known knownSet
	// scopes: hashes of the npm scopes that hold a popular package,
	// sorted (see ownedScope)
	scopes  []uint64
	names   []string
	folds   []string // full folds (exact homoglyph matching)
	lights  []string // light folds (edit distance)
	stems   []string // light fold without an ecosystem affix ("" when none)
	rank    []int32
	monthly []int64
	tier    []uint8
	keys    table
	// words: how many corpus names have each token (see wordCount)
	words table
	// the targets (names … keys above) are built on first use
	targetsOnce sync.Once
	pending     *pendingTargets
}

// knownSet maps name hashes to popularity (slots sorted by hash, found
// through a bucket table); target is the target id or -1.
type knownSet struct {
	hash    []uint64
	monthly []int64
	rank    []int32
	target  []int32
	popular []bool
	slots   table
}

// removedMonthly is the monthly count of a removed name's slot (see
// RoleRemoved): such a slot is found only by removed, never by find.
const removedMonthly = -1

// find returns the slot of a known name (not of a removed one).
func (k *knownSet) find(h uint64) (int, bool) {
	slot, ok := k.slot(h)
	return slot, ok && k.monthly[slot] != removedMonthly
}

// removed: the name was taken down as malware (see RoleRemoved).
func (k *knownSet) removed(h uint64) bool {
	slot, ok := k.slot(h)
	return ok && k.monthly[slot] == removedMonthly
}

func (k *knownSet) slot(h uint64) (int, bool) {
	for _, ent := range k.slots.span(h) {
		if slot, ok := hit(ent, h); ok && k.hash[slot] == h {
			return int(slot), true
		}
	}
	return 0, false
}

// NewIndex indexes a corpus with the default options.
func NewIndex(c *Corpus) *Index { return NewIndexWith(c, IndexOptions{}) }

func (o *IndexOptions) defaults() {
	if o.PyPIMaxRank <= 0 {
		o.PyPIMaxRank = DefaultPyPIMaxRank
	}
	if o.PyPIWarnMaxRank <= 0 {
		o.PyPIWarnMaxRank = DefaultPyPIWarnMaxRank
	}
	if o.PyPIMiddleMaxRank <= 0 {
		o.PyPIMiddleMaxRank = DefaultPyPIMiddleMaxRank
	}
	if o.PyPIBlockMaxRank <= 0 {
		o.PyPIBlockMaxRank = DefaultPyPIBlockMaxRank
	}
	if o.PyPIInteriorSlipMaxRank <= 0 {
		o.PyPIInteriorSlipMaxRank = DefaultPyPIInteriorSlipMaxRank
	}
	if o.NPMMinMonthly <= 0 {
		o.NPMMinMonthly = DefaultNPMMinMonthly
	}
	if o.NPMWarnMinMonthly <= 0 {
		o.NPMWarnMinMonthly = DefaultNPMWarnMinMonthly
	}
	if o.NPMMiddleMinMonthly <= 0 {
		o.NPMMiddleMinMonthly = DefaultNPMMiddleMinMonthly
	}
	if o.NPMBlockMinMonthly <= 0 {
		o.NPMBlockMinMonthly = DefaultNPMBlockMinMonthly
	}
	if o.NPMPopularMonthly <= 0 {
		o.NPMPopularMonthly = DefaultNPMPopularMonthly
	}
}

// NewIndexWith indexes a corpus, both ecosystems at once (concurrently).
func NewIndexWith(c *Corpus, opts IndexOptions) *Index {
	ix := NewLazyIndex(c, opts)
	ix.Prepare()
	return ix
}

// Prepare indexes both ecosystems now (concurrently), targets included,
// instead of on their first questions.
func (ix *Index) Prepare() {
	var wg sync.WaitGroup
	wg.Go(func() { ix.eco(policy.PyPI).ensureTargets() })
	ix.eco(policy.NPM).ensureTargets()
	wg.Wait()
	ix.corpus = nil // indexed: the names are not needed again
}

// NewLazyIndex indexes each ecosystem on its first question instead, and
// its targets' lookup keys on its first typosquat question: a scan of a
// Python project never pays for npm's names, one without dependencies for
// either, and one whose dependencies are all popular only for the names'
// popularity. It answers exactly as NewIndexWith's index.
func NewLazyIndex(c *Corpus, opts IndexOptions) *Index {
	opts.defaults()
	return &Index{corpus: func() *Corpus { return c }, opts: opts}
}

// eco is one ecosystem's index, built on first use.
func (ix *Index) eco(eco policy.Ecosystem) *ecoIndex {
	switch eco {
	case policy.PyPI:
		ix.built[0].Do(func() { ix.buildEco(&ix.pypi, policy.PyPI, ix.opts.pypiTier) })
		return &ix.pypi
	case policy.NPM:
		ix.built[1].Do(func() { ix.buildEco(&ix.npm, policy.NPM, ix.opts.npmTier) })
		return &ix.npm
	}
	return nil
}

// buildEco indexes one ecosystem: from its index file when there is a
// usable one, otherwise from the corpus. With index files, the names are
// saved at once and the whole index again once its targets are built, so
// a process that asks only popularity questions never builds the targets,
// and a later one reads whatever was built.
func (ix *Index) buildEco(e *ecoIndex, eco policy.Ecosystem, tierOf func(Entry) uint8) {
	corpus := ix.corpus
	words := func() table {
		ix.wordsOnce.Do(func() {
			c := corpus()
			ix.words = wordTable(countWords(c.PyPI, c.NPM))
		})
		return ix.words
	}
	if ix.files != nil && ix.files.load(e, eco, ix.opts) {
		if e.pending != nil { // a file without targets: they come from the corpus
			e.pending.tierOf, e.pending.corpus, e.pending.words = tierOf, corpus, words
			e.pending.save = func() { ix.files.save(e, eco, ix.opts) }
		}
		return
	}
	e.build(eco, ix.opts, corpus().Entries(eco), tierOf)
	e.pending.words = words
	if ix.files != nil {
		ix.files.save(e, eco, ix.opts) // the names alone, for popularity questions
		e.pending.save = func() { ix.files.save(e, eco, ix.opts) }
	}
}

// Words. A token of a name (a run between separators, "/" and "@") that
// at least wordMinNames corpus names of either ecosystem contain is a word
// of package naming ("parser", "prism", "steam", "app"): an edit of a
// target's word that makes such a word ("cookie-parse" for
// "cookie-parser", "prism" for "prisma", "app-client" for "api-client")
// names another thing more often than it slips. In the npm calibration
// population (policy/eval -calibrate), 112 of the 511 left-out names that
// blocked did so through such an edit, against 1 of the 74 documented
// squats that blocked ("prism-lint" for "prisma"). A typing slip makes a
// token no other name has ("reqeusts", "claud"): see wordCount.
const wordMinNames = 20

// maxWordCount caps the counts kept in the index (a table value).
const maxWordCount = 1 << 20

// countWords counts, for every token of the lists' names, the names that
// contain it.
func countWords(lists ...[]Entry) map[string]uint32 {
	total := 0
	for _, list := range lists {
		total += len(list)
	}
	counts := make(map[string]uint32, total/2)
	var seen [maxTokens][2]int
	for _, list := range lists {
		for _, en := range list {
			name := en.Name
			n, _ := tokensOf(name, seen[:]) // (the first maxTokens)
		next:
			for i := range n {
				t := name[seen[i][0]:seen[i][1]]
				for j := range i {
					if name[seen[j][0]:seen[j][1]] == t {
						continue next // once per name
					}
				}
				if c := counts[t]; c < maxWordCount {
					counts[t] = c + 1
				}
			}
		}
	}
	return counts
}

// wordTable keys the counts by word hash (sorted: the same table every
// build).
func wordTable(counts map[string]uint32) table {
	keys := make([][2]uint64, 0, len(counts))
	for w, n := range counts {
		keys = append(keys, [2]uint64{hashBytes(kindWord, []byte(w)), uint64(n)})
	}
	slices.SortFunc(keys, func(a, b [2]uint64) int { return cmp.Compare(a[0], b[0]) })
	var b tableBuilder
	b.keys = make([]uint64, 0, len(keys))
	b.vals = make([]uint32, 0, len(keys))
	for _, k := range keys {
		b.add(k[0], uint32(k[1]))
	}
	return b.build()
}

// maxTokens bounds the tokens of a name that the word rules look at.
const maxTokens = 24

// tokensOf writes the [start, end) bounds of name's tokens (runs of bytes
// between separators, "/" and "@") into dst and returns how many it
// wrote; all is false when name has more tokens than dst holds.
func tokensOf[S ~string | ~[]byte](name S, dst [][2]int) (n int, all bool) {
	start := -1
	for i := 0; i <= len(name); i++ {
		if i < len(name) && !isSep(name[i]) && name[i] != '/' && name[i] != '@' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if n == len(dst) {
				return n, false
			}
			dst[n] = [2]int{start, i}
			n++
			start = -1
		}
	}
	return n, true
}

// wordCount is the number of corpus names that contain tok as a token (0
// for a token no name has).
func (e *ecoIndex) wordCount(tok []byte) int {
	h := hashBytes(kindWord, tok)
	for _, ent := range e.words.span(h) {
		if v, ok := hit(ent, h); ok {
			return int(v)
		}
	}
	return 0
}

func (o IndexOptions) pypiTier(e Entry) uint8 {
	switch {
	case e.Role != RoleTarget || e.Rank <= 0 || e.Rank > o.PyPIMaxRank:
		return tierNone
	case e.Rank <= o.PyPIBlockMaxRank:
		return tierBlock
	case e.Rank <= o.PyPIMiddleMaxRank:
		return tierMiddle
	case e.Rank <= o.PyPIWarnMaxRank:
		return tierWarn
	}
	return tierSlip
}

func (o IndexOptions) npmTier(e Entry) uint8 {
	switch {
	case e.Role != RoleTarget || e.Monthly < o.NPMMinMonthly:
		return tierNone
	case e.Monthly >= o.NPMBlockMinMonthly:
		return tierBlock
	case e.Monthly >= o.NPMMiddleMinMonthly:
		return tierMiddle
	case e.Monthly >= o.NPMWarnMinMonthly:
		return tierWarn
	}
	return tierSlip
}

// popular: a candidate this popular is never a typosquat. A target
// without a download count (an operator's v1 corpus line "npm x 7 0")
// counts as popular, as every v1 name did.
func (e *ecoIndex) popular(en Entry) bool {
	if en.Role == RoleRemoved {
		return false
	}
	if e.eco == policy.PyPI {
		return en.Rank > 0
	}
	return en.Monthly >= e.opts.NPMPopularMonthly || (en.Monthly == 0 && en.Role == RoleTarget)
}

func (e *ecoIndex) build(eco policy.Ecosystem, opts IndexOptions, entries []Entry, tierOf func(Entry) uint8) {
	e.eco, e.opts = eco, opts
	// Every name's popularity, by hash; duplicates keep the first (most
	// popular) entry, or a removed one.
	type kv struct {
		h       uint64
		monthly int64
		rank    int32
		entry   int32
	}
	all := make([]kv, 0, len(entries))
	var nb [maxName]byte
	for i, en := range entries {
		nl, ok := normalizeInto(nb[:], eco, en.Name)
		if !ok {
			continue
		}
		monthly := en.Monthly
		if en.Role == RoleRemoved {
			monthly = removedMonthly
		}
		all = append(all, kv{hashBytes(kindName, nb[:nl]), monthly, int32(en.Rank), int32(i)})
	}
	slices.SortFunc(all, func(a, b kv) int { // (hash, entry) is unique
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		case (a.monthly == removedMonthly) != (b.monthly == removedMonthly):
			// a name listed as removed malware too is removed, never
			// exempt, wherever its other line is
			if a.monthly == removedMonthly {
				return -1
			}
			return 1
		}
		return int(a.entry - b.entry)
	})
	all = slices.CompactFunc(all, func(a, b kv) bool { return a.h == b.h })
	e.known = knownSet{
		hash:    make([]uint64, len(all)),
		monthly: make([]int64, len(all)),
		rank:    make([]int32, len(all)),
		target:  make([]int32, len(all)),
		popular: make([]bool, len(all)),
	}
	var kb tableBuilder
	kb.keys = make([]uint64, 0, len(all))
	kb.vals = make([]uint32, 0, len(all))
	for i, a := range all {
		kb.add(a.h, uint32(i))
	}
	e.known.slots = kb.build()
	knownOf := make([]int32, len(entries)) // entry → known slot, -1 for a duplicate
	for i := range knownOf {
		knownOf[i] = -1
	}
	ntargets := 0
	for i, a := range all {
		e.known.hash[i], e.known.monthly[i], e.known.rank[i], e.known.target[i] = a.h, a.monthly, a.rank, -1
		e.known.popular[i] = e.popular(entries[a.entry])
		if tierOf(entries[a.entry]) != tierNone {
			knownOf[a.entry] = int32(i)
			ntargets++
		}
	}

	for i, a := range all {
		if !e.known.popular[i] {
			continue
		}
		nl, _ := normalizeInto(nb[:], eco, entries[a.entry].Name)
		if scope, _ := splitScope(nb[:nl]); scope != nil {
			e.scopes = append(e.scopes, hashBytes(kindScope, scope))
		}
	}
	slices.Sort(e.scopes)
	e.scopes = slices.Compact(e.scopes)

	e.pending = &pendingTargets{entries: entries, tierOf: tierOf, knownOf: knownOf, ntargets: ntargets}
}

// ownedScope: norm is a scoped npm name whose scope holds a popular
// package. Only the members of a scope's user or organisation can publish
// under it, so every name in such a scope comes from an established
// publisher, never from a typosquatter: a new @babel/ or @aws-sdk/ package,
// or a monorepo's unpublished workspace package, is not a look-alike of its
// siblings. (A look-alike scope, "@typess/node", is not owned and is still
// judged.)
func (e *ecoIndex) ownedScope(norm []byte) bool {
	scope, _ := splitScope(norm)
	if scope == nil {
		return false
	}
	_, found := slices.BinarySearch(e.scopes, hashBytes(kindScope, scope))
	return found
}

// pendingTargets is what indexing an ecosystem's targets needs from the
// first stage (see ensureTargets).
type pendingTargets struct {
	entries []Entry
	// words gives the word counts of both ecosystems' names (one table
	// per Index, see countWords)
	words    func() table
	tierOf   func(Entry) uint8
	knownOf  []int32
	ntargets int
	save     func() // keeps the built index in its file; nil: no files
	// corpus gives the entries (and knownOf, ntargets) of names read from
	// an index file without targets; nil otherwise
	corpus func() *Corpus
}

// targetsOf matches entries to the known names read from an index file,
// as build matched them: each valid name's first entry is its known slot,
// and that slot is a target's when tierOf gives the entry a tier.
func (e *ecoIndex) targetsOf(entries []Entry, tierOf func(Entry) uint8) (knownOf []int32, ntargets int) {
	knownOf = make([]int32, len(entries))
	seen := make([]bool, len(e.known.hash))
	var nb [maxName]byte
	for i, en := range entries {
		knownOf[i] = -1
		nl, ok := normalizeInto(nb[:], e.eco, en.Name)
		if !ok {
			continue
		}
		slot, ok := e.known.find(hashBytes(kindName, nb[:nl]))
		if !ok || seen[slot] {
			continue
		}
		seen[slot] = true
		if tierOf(en) != tierNone {
			knownOf[i] = int32(slot)
			ntargets++
		}
	}
	return knownOf, ntargets
}

// ensureTargets builds the second stage — the targets' forms and lookup
// keys, most of the indexing cost — on first use: popularity questions
// (Popular, Known), which a project of popular dependencies asks only,
// need the first stage alone.
func (e *ecoIndex) ensureTargets() {
	e.targetsOnce.Do(func() {
		p := e.pending
		if p.corpus != nil {
			p.entries = p.corpus().Entries(e.eco)
			p.knownOf, p.ntargets = e.targetsOf(p.entries, p.tierOf)
		}
		e.words = p.words()
		e.buildTargets(p.entries, p.tierOf, p.knownOf, p.ntargets)
		e.pending = nil
		if p.save != nil {
			p.save()
		}
	})
}

func (e *ecoIndex) buildTargets(entries []Entry, tierOf func(Entry) uint8, knownOf []int32, ntargets int) {
	eco := e.eco
	var nb [maxName]byte
	// Targets: canonical, folded, light-folded and stem forms in one arena.
	type span struct{ norm, fold, light, stem [2]uint32 }
	spans := make([]span, 0, ntargets)
	kept := make([]int, 0, ntargets)
	arena := make([]byte, 0, ntargets*80+maxName)
	nkeys := 0
	var tb [maxName]byte
	for i, en := range entries {
		if knownOf[i] < 0 {
			continue
		}
		nl, _ := normalizeInto(nb[:], eco, en.Name)
		norm := nb[:nl]
		var sp span
		put := func(f func(dst []byte) int) [2]uint32 {
			start := len(arena)
			arena = append(arena, make([]byte, maxName)...)
			arena = arena[:start+f(arena[start:])]
			return [2]uint32{uint32(start), uint32(len(arena))}
		}
		sp.norm = put(func(dst []byte) int { return copy(dst, norm) })
		sp.fold = put(func(dst []byte) int { return foldInto(dst, norm) })
		sp.light = put(func(dst []byte) int { return lightFoldInto(dst, norm) })
		sp.stem = put(func(dst []byte) int {
			if rest, ok := dropAffix(eco, norm); ok {
				if l := lightFoldInto(tb[:], rest); l >= minAffix {
					return copy(dst, tb[:l])
				}
			}
			return 0
		})
		spans = append(spans, sp)
		kept = append(kept, i)
		ll := int(sp.light[1] - sp.light[0])
		nkeys += 6 + ll + int(sp.stem[1]-sp.stem[0])
		if tierOf(en) >= tierMiddle && ll >= minD2Len && ll <= maxD2Len {
			nkeys += ll * (ll - 1) / 2
		}
	}
	arenaStr := string(arena)
	str := func(s [2]uint32) string { return arenaStr[s[0]:s[1]] }
	m := len(spans)
	e.names = make([]string, m)
	e.folds = make([]string, m)
	e.lights = make([]string, m)
	e.stems = make([]string, m)
	e.rank = make([]int32, m)
	e.monthly = make([]int64, m)
	e.tier = make([]uint8, m)
	var b tableBuilder
	b.keys = make([]uint64, 0, nkeys)
	b.vals = make([]uint32, 0, nkeys)
	d := new(deletions)
	local := make([]uint64, 0, 1024)
	for id, sp := range spans {
		en := entries[kept[id]]
		uid := uint32(id)
		tier := tierOf(en)
		name := str(sp.norm)
		e.names[id], e.folds[id], e.lights[id], e.stems[id] = name, str(sp.fold), str(sp.light), str(sp.stem)
		e.rank[id], e.monthly[id], e.tier[id] = int32(en.Rank), en.Monthly, tier
		e.known.target[knownOf[kept[id]]] = int32(id)
		norm := []byte(name)
		light := []byte(e.lights[id])

		local = local[:0]
		local = append(local, hashBytes(kindFold, []byte(e.folds[id])))
		if k, ok := firstTokenKey(tb[:], norm); ok {
			local = append(local, k)
		}
		ll := len(light)
		short := ll >= minShortLen && ll < minDistLen && tier == tierBlock
		if (ll >= minDistLen || short) && ll <= maxDistLen {
			d.reset(light)
			local = append(local, d.whole())
			for i := range ll {
				local = append(local, d.del1(i))
			}
			if tier >= tierMiddle && ll >= minD2Len && ll <= maxD2Len {
				for i := range ll {
					for j := i + 1; j < ll; j++ {
						local = append(local, d.del2(i, j))
					}
				}
			}
		}
		if st := e.stems[id]; st != "" {
			local = append(local, hashBytes(kindAffixDrop, []byte(foldString(tb[:], st))))
			if sl := len(st); sl >= minDistLen && sl <= maxDistLen {
				d.reset([]byte(st))
				local = append(local, rekind(d.whole(), kindStemDel))
				for i := range sl {
					local = append(local, rekind(d.del1(i), kindStemDel))
				}
			}
		}
		if k, ok := reorderKey(tb[:], norm); ok {
			local = append(local, k)
		}
		if tier >= tierMiddle && ll >= minTruncLen && ll <= maxDistLen && scopeOf(name) == "" {
			local = append(local, hashBytes(kindTrunc, light[:ll-2]))
		}
		if scope, base := splitScope(norm); scope != nil {
			sl := foldInto(tb[:], scope)
			sl += foldInto(tb[sl:], base)
			local = append(local, hashBytes(kindScopeConcat, tb[:sl]))
			// the name part copied without the scope ("claude-code")
			if tier >= tierMiddle && string(scope) != "types" {
				if bl := lightFoldInto(tb[:], base); bl >= minBaseLen && bl <= maxDistLen {
					d.reset(tb[:bl])
					local = append(local, rekind(d.whole(), kindBaseDel))
					for i := range bl {
						local = append(local, rekind(d.del1(i), kindBaseDel))
					}
				}
			}
		}
		slices.Sort(local)
		for _, k := range slices.Compact(local) {
			b.add(k, uid)
		}
	}
	e.keys = b.build()
}

// foldString folds an already light-folded string (homoglyph digraphs).
func foldString(buf []byte, light string) []byte {
	return buf[:foldInto(buf, []byte(light))]
}

// rekind turns a deletion hash into a distinct key kind (the deletion
// hashes of stems and scoped name parts must not meet whole names').
func rekind(h, kind uint64) uint64 { return mix(h, kind, 0) }

// dropAffix strips one ecosystem affix joined by a separator ("python-x",
// "x-py", "x.js"), or without one: npm "js" suffix and "node" prefix
// ("xjs", "nodex"), PyPI "py" suffix ("xpy"); ok is false when there is
// none.
func dropAffix(eco policy.Ecosystem, norm []byte) ([]byte, bool) {
	drops, n := affixDrops(eco, norm)
	return drops[0].rest, n > 0
}

// affixDrop is one way to read a name as an ecosystem affix added to the
// rest.
type affixDrop struct {
	rest []byte
	port bool // the affix names a port or wrapper: a prefix ("node-x", "js-x", "python-x") or "-node"
}

// dropAffixKind is dropAffix that also tells whether the affix names a
// port or wrapper (see affixDrop); a prefix is dropped before a suffix.
func dropAffixKind(eco policy.Ecosystem, norm []byte) (rest []byte, port, ok bool) {
	drops, n := affixDrops(eco, norm)
	if n == 0 {
		return nil, false, false
	}
	return drops[0].rest, drops[0].port, true
}

// affixDrops returns the name's readings as an affix added to the rest,
// at most one prefix and one suffix, in dropAffixKind's order ("node-sass.js"
// is "sass.js" behind a port's prefix, and "node-sass" with a suffix).
func affixDrops(eco policy.Ecosystem, norm []byte) (drops [2]affixDrop, n int) {
	// ecosystem affixes: words that naming conventions add to a project name
	affixPrefixes := [...]string{"python3", "python", "py", "js", "node"}
	affixSuffixes := [...]string{"python", "py", "js", "node"}
	_, name := splitScope(norm)
	var prefix, suffix bool
	add := func(rest []byte, port bool) {
		drops[n] = affixDrop{rest: rest, port: port}
		n++
	}
	for _, p := range affixPrefixes {
		if len(name) > len(p)+1 && string(name[:len(p)]) == p && isSep(name[len(p)]) {
			add(name[len(p)+1:], true)
			prefix = true
			break
		}
	}
	for _, s := range affixSuffixes {
		if len(name) > len(s)+1 && string(name[len(name)-len(s):]) == s && isSep(name[len(name)-len(s)-1]) {
			// "x-node" is a port's name too ("bcrypt-node", "lru-cache-node":
			// 18 of the npm calibration population's left-out names blocked
			// so, and no documented squat)
			add(name[:len(name)-len(s)-1], s == "node")
			suffix = true
			break
		}
	}
	if !suffix && eco == policy.NPM && len(name) > 2+minAffix && string(name[len(name)-2:]) == "js" && !isSep(name[len(name)-3]) {
		add(name[:len(name)-2], false)
		suffix = true
	}
	if !prefix && eco == policy.NPM && len(name) >= 4+minAffix && string(name[:4]) == "node" && !isSep(name[4]) {
		add(name[4:], true)
		prefix = true
	}
	if !suffix && eco == policy.PyPI && len(name) > 2+minAffix && string(name[len(name)-2:]) == "py" && !isSep(name[len(name)-3]) {
		add(name[:len(name)-2], false)
	}
	return drops, n
}

// Compound look-alikes glue a word to a target ("plain-crypto-js",
// "json-bigint-extend", "loadash-lint"). Filler words are qualifiers that
// say nothing about what a package does: glued to a target they only
// dress it up. Tool words do say something ("x-cli", "x-utils", "x-lint"
// are ordinary companions of x), so glued to a target they count only when
// the target itself is misspelt: a companion spells its target right.
//
// Some fillers are common qualifiers of real alternatives: in the npm list,
// "simple-", "fast-", "better-", "safe-", "-plus", "-lite" and "-extended"
// are each glued to 9–22 block-tier targets by names with ≥ 2,000
// downloads a month ("fast-deep-equal", "better-assert", "assert-plus");
// the other fillers to at most 6. A common qualifier only warns.
func fillerPrefix(w []byte) (filler, common bool) {
	switch string(w) {
	case "simple", "fast", "better", "safe":
		return true, true
	case "easy", "plain", "crypto", "super", "real", "true",
		"official", "secure", "pure", "new", "my", "the":
		return true, false
	}
	return false, false
}

func fillerSuffix(eco policy.Ecosystem, w []byte) (filler, common bool) {
	switch string(w) {
	case "npm":
		// an npm package's own ecosystem; on PyPI, what a tool is for
		return eco == policy.NPM, false
	case "plus", "lite", "extended":
		return true, true
	case "basic", "extend", "pro", "64", "official",
		"fixed", "patched", "new", "latest", "secure":
		return true, false
	}
	return false, false
}

func toolSuffix(w []byte) bool {
	switch string(w) {
	case "lint", "utils", "util", "core", "sdk", "lib", "tools", "helper", "helpers", "mcp",
		"cli", "api", "plugin", "dev":
		return true
	}
	return false
}

// commonTool: a tool word that most popular packages have a real companion
// of (in the npm list, "-cli", "-utils" and "-core" follow 21–79 block-
// tier targets in names with ≥ 2,000 downloads a month; every other tool
// word at most 12), so even a correctly spelt target with it says nothing.
func commonTool(w []byte) bool {
	switch string(w) {
	case "cli", "utils", "core":
		return true
	}
	return false
}

// dropFiller strips one filler or tool word (first or last token,
// separator joined); tool tells which, common whether the word is a
// common qualifier or companion; ok is false when there is none.
func dropFiller(eco policy.Ecosystem, norm []byte, last bool) (rest []byte, tool, common, ok bool) {
	_, name := splitScope(norm)
	if !last {
		for i, c := range name {
			if isSep(c) {
				if f, com := fillerPrefix(name[:i]); f && len(name)-i-1 >= minAffix {
					return name[i+1:], false, com, true
				}
				break
			}
		}
		return nil, false, false, false
	}
	for i := len(name) - 1; i > 0; i-- {
		if isSep(name[i]) {
			w := name[i+1:]
			f, com := fillerSuffix(eco, w)
			if (f || toolSuffix(w)) && i >= minAffix {
				if toolSuffix(w) {
					com = commonTool(w)
				}
				return name[:i], toolSuffix(w), com, true
			}
			break
		}
	}
	return nil, false, false, false
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
