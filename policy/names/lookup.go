package names

import (
	"bytes"
	"slices"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Popular reports whether name is in the corpus, with its rank and monthly
// downloads (0 when the corpus has only a rank).
func (ix *Index) Popular(eco policy.Ecosystem, name string) (rank int, monthly int64, ok bool) {
	e := ix.eco(eco)
	if e == nil {
		return 0, 0, false
	}
	var nb [maxName]byte
	n, valid := normalizeInto(nb[:], eco, name)
	if !valid {
		return 0, 0, false
	}
	id, ok := e.exact[string(nb[:n])]
	if !ok {
		return 0, 0, false
	}
	return int(e.rank[id]), e.monthly[id], true
}

// ExistsElsewhere reports whether name is popular in the other ecosystem
// (a PyPI request for an npm name, or the reverse).
func (ix *Index) ExistsElsewhere(eco policy.Ecosystem, name string) (policy.Ecosystem, bool) {
	var nb [maxName]byte
	if _, ok := normalizeInto(nb[:], eco, name); !ok {
		return "", false
	}
	for _, other := range policy.Ecosystems() {
		if other == eco {
			continue
		}
		if _, _, ok := ix.Popular(other, name); ok {
			return other, true
		}
	}
	return "", false
}

// query is the per-lookup state; it lives on the caller's stack.
type query struct {
	e     *ecoIndex
	fold  []byte
	light []byte
	scope []byte
	// best match so far as plain values: a Match holds strings, and
	// keeping pointers out of query lets it (and the name buffers its
	// slices point into) stay on the stack.
	bestID   int32
	bestFam  uint8 // index into Families()
	bestConf Confidence
	bestDist int
	seen     [64]uint32
	nseen    int
	anyTier  bool // Suggest: every corpus name is a candidate
}

func (q *query) consider(id uint32, family uint8, conf Confidence, dist int) {
	if q.e.tier[id] != tierBlock {
		conf = min(conf, Low)
	}
	if q.bestID >= 0 {
		better := conf > q.bestConf ||
			(conf == q.bestConf && dist < q.bestDist) ||
			(conf == q.bestConf && dist == q.bestDist && q.e.rank[id] < q.e.rank[q.bestID])
		if !better {
			return
		}
	}
	q.bestID, q.bestFam, q.bestConf, q.bestDist = int32(id), family, conf, dist
}

// Family codes for query.consider, indexes into families.
const (
	famTransposition uint8 = iota
	famSubstitution
	famInsertion
	famOmission
	famRepetition
	famHomoglyph
	famSeparator
	famReorder
	famAffix
	famVersionSuffix
	famScopeConfusion
	famDistance2
)

func familyName(code uint8) string {
	switch code {
	case famTransposition:
		return FamilyTransposition
	case famSubstitution:
		return FamilySubstitution
	case famInsertion:
		return FamilyInsertion
	case famOmission:
		return FamilyOmission
	case famRepetition:
		return FamilyRepetition
	case famHomoglyph:
		return FamilyHomoglyph
	case famSeparator:
		return FamilySeparator
	case famReorder:
		return FamilyReorder
	case famAffix:
		return FamilyAffix
	case famVersionSuffix:
		return FamilyVersionSuffix
	case famScopeConfusion:
		return FamilyScopeConfusion
	}
	return FamilyDistance2
}

// eligible: id may be reported (a target, not in the candidate's own scope).
func (q *query) eligible(id uint32) bool {
	if q.e.tier[id] == tierNone && !q.anyTier {
		return false
	}
	if q.scope != nil {
		if s := scopeOf(q.e.names[id]); s != "" && s == string(q.scope) {
			return false
		}
	}
	return true
}

// firstNew records id and reports whether it was not seen before.
func (q *query) firstNew(id uint32) bool {
	for _, s := range q.seen[:q.nseen] {
		if s == id {
			return false
		}
	}
	if q.nseen < len(q.seen) {
		q.seen[q.nseen] = id
		q.nseen++
	}
	return true
}

// foldHits calls fn for every target whose folded form equals fold.
func (q *query) foldTargets(kind uint64, fold []byte, verify bool, fn func(id uint32)) {
	h := hashBytes(kind, fold)
	for _, ent := range q.e.keys.span(h) {
		id, ok := hit(ent, h)
		if !ok || !q.eligible(id) {
			continue
		}
		if verify && q.e.folds[id] != string(fold) {
			continue
		}
		fn(id)
	}
}

// Typosquat reports the popular name that name seems to imitate. A name in
// the corpus is never a typosquat.
func (ix *Index) Typosquat(eco policy.Ecosystem, name string) (Match, bool) {
	e := ix.eco(eco)
	if e == nil {
		return Match{}, false
	}
	var nb, fb, lb, tb [maxName]byte
	n, ok := normalizeInto(nb[:], eco, name)
	if !ok {
		return Match{}, false
	}
	norm := nb[:n]
	if _, popular := e.exact[string(norm)]; popular {
		return Match{}, false
	}
	q := query{e: e, bestID: -1}
	q.scope, _ = splitScope(norm)
	q.fold = fb[:foldInto(fb[:], norm)]
	q.light = lb[:lightFoldInto(lb[:], norm)]
	q.exactFamilies(norm, tb[:])
	if len(q.light) >= minDistLen && q.bestConf != High {
		q.distance(2)
	}
	if q.bestID < 0 {
		return Match{}, false
	}
	id := q.bestID
	return Match{Target: e.names[id], Family: familyName(q.bestFam), Confidence: q.bestConf,
		Distance: q.bestDist, TargetRank: int(e.rank[id]), TargetMonthly: e.monthly[id]}, true
}

// exactFamilies checks the families found by exact key lookups.
func (q *query) exactFamilies(norm, tb []byte) {
	// separator and homoglyph: same folded form
	q.foldTargets(kindFold, q.fold, true, func(id uint32) {
		var sa, sb [maxName]byte
		a := sa[:stripInto(sa[:], norm)]
		b := sb[:stripInto(sb[:], []byte(q.e.names[id]))]
		fam := famHomoglyph
		if bytes.Equal(a, b) {
			fam = famSeparator
		}
		q.consider(id, fam, High, 0)
	})
	if len(q.fold) < minDistLen {
		return
	}
	if q.scope == nil {
		q.nameFamilies(norm, tb)
	}
	if q.e.eco != policy.NPM {
		return
	}
	if q.scope == nil {
		// unscoped copy of a scoped target: "babelcore" for "@babel/core"
		q.foldTargets(kindScopeConcat, q.fold, false, func(id uint32) { q.consider(id, famScopeConfusion, High, 0) })
		return
	}
	// "@types-node/x": a target's scope joined with more words
	_, name := splitScope(norm)
	for i, c := range q.scope {
		// only @types lookalikes: other scopes have many legitimate
		// "@scope-suffix" relatives (forks, plugins)
		if !isSep(c) || i != len("types") || string(q.scope[:i]) != "types" {
			continue
		}
		a := q.scope[:i]
		for _, second := range [2][]byte{q.scope[i+1:], name} {
			l := copy(tb, "@")
			l += copy(tb[l:], a)
			l += copy(tb[l:], "/")
			l += copy(tb[l:], second)
			if id, ok := q.e.exact[string(tb[:l])]; ok && q.e.tier[id] != tierNone {
				q.consider(id, famScopeConfusion, High, 0)
			}
		}
	}
}

// nameFamilies checks the affix, version-suffix and reorder families of an
// unscoped name.
func (q *query) nameFamilies(norm, tb []byte) {
	// affix added to a target
	if rest, ok := dropAffix(norm); ok {
		if rl := foldInto(tb, rest); rl >= minAffix {
			q.foldTargets(kindFold, tb[:rl], true, func(id uint32) { q.consider(id, famAffix, High, 0) })
		}
	}
	// affix dropped from a target
	q.foldTargets(kindAffixDrop, q.fold, false, func(id uint32) { q.consider(id, famAffix, High, 0) })
	// version suffix added to a target
	if base, ok := versionBase(norm); ok {
		if bl := foldInto(tb, base); bl >= minAffix {
			q.foldTargets(kindFold, tb[:bl], true, func(id uint32) { q.consider(id, famVersionSuffix, Low, 0) })
		}
	}
	// token reorder
	if k, ok := reorderKey(tb, norm); ok {
		for _, ent := range q.e.keys.span(k) {
			if id, ok := hit(ent, k); ok && q.eligible(id) && q.e.folds[id] != string(q.fold) {
				q.consider(id, famReorder, High, 0)
			}
		}
	}
}

// distance finds targets within edit distance limit of the folded name via
// symmetric deletion keys.
func (q *query) distance(limit int) {
	fl := len(q.light)
	if fl > maxDistLen {
		return
	}
	d := new(deletions) // does not escape: stays on the stack
	d.reset(q.light)
	q.probe(d.whole(), limit)
	for i := range fl {
		q.probe(d.del1(i), limit)
	}
	if limit < 2 || fl < minD2Len || fl > maxD2Len || (q.bestConf == High && !q.anyTier) {
		return
	}
	for i := range fl {
		for j := i + 1; j < fl; j++ {
			q.probe(d.del2(i, j), limit)
		}
	}
}

func (q *query) probe(h uint64, limit int) {
	for _, ent := range q.e.keys.span(h) {
		id, ok := hit(ent, h)
		if !ok || !q.eligible(id) || !q.firstNew(id) {
			continue
		}
		tf := q.e.lights[id]
		if len(tf) < minDistLen {
			continue
		}
		dist := osa(q.light, tf, limit)
		if dist > limit || (!q.anyTier && !q.sameShape(id, dist)) {
			continue
		}
		switch {
		case dist == 1 && versionEdit(q.light, tf):
			q.consider(id, famVersionSuffix, Low, 1)
		case dist == 1:
			q.consider(id, q.editFamily(id), High, 1)
		case dist == 2 && (q.anyTier || (len(q.light) >= minD2Len && len(tf) >= minD2Len)):
			q.consider(id, famDistance2, Low, 2)
		}
	}
}

// sameShape: scoped names are compared only with scoped names whose scope
// is long enough for a typo in it to be meaningful (an unscoped copy of a
// scoped name is the scope-confusion family, checked exactly).
func (q *query) sameShape(id uint32, dist int) bool {
	ts := scopeOf(q.e.names[id])
	if (q.scope == nil) != (ts == "") {
		return false
	}
	if ts == "" {
		return true
	}
	n := len(ts)
	return n >= minDistLen && (dist < 2 || n >= minD2Len)
}

func (q *query) editFamily(id uint32) uint8 {
	tf := q.e.lights[id]
	if q.scope != nil {
		// a different scope spelled like the target's, same package name
		ts := scopeOf(q.e.names[id])
		cs, cn, _ := bytes.Cut(q.light, []byte("/"))
		if tsf, tn, found := bytesCutString(tf, '/'); found && ts != "" && string(cn) == tn && string(cs) != tsf {
			return famScopeConfusion
		}
	}
	return editFamily(q.light, tf)
}

// versionEdit: one name is the other plus a trailing digit ("pypdf3",
// "storage" for "storage3"), the usual shape of a legitimate fork or an
// older major version.
func versionEdit(cand []byte, target string) bool {
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	switch {
	case len(cand) == len(target) && len(cand) > 0:
		last := len(cand) - 1
		return isDigit(cand[last]) && isDigit(target[last]) && string(cand[:last]) == target[:last]
	case len(cand) == len(target)+1:
		return isDigit(cand[len(cand)-1]) && string(cand[:len(target)]) == target
	case len(target) == len(cand)+1:
		return isDigit(target[len(target)-1]) && target[:len(cand)] == string(cand)
	}
	return false
}

func bytesCutString(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Suggest returns up to max popular names close to name: within two edits
// (after folding) or one affix, then names sharing its first word; nearest
// first and most popular first among equals. It is meant for explaining
// refusals and may allocate.
func (ix *Index) Suggest(eco policy.Ecosystem, name string, max int) []string {
	e := ix.eco(eco)
	if e == nil || max <= 0 {
		return nil
	}
	var nb, fb, lb [maxName]byte
	n, ok := normalizeInto(nb[:], eco, name)
	if !ok {
		return nil
	}
	norm := nb[:n]
	q := query{e: e, bestID: -1, anyTier: true}
	q.fold = fb[:foldInto(fb[:], norm)]
	q.light = lb[:lightFoldInto(lb[:], norm)]
	type cand struct {
		id     uint32
		dist   int
		shared int // leading words shared with the name (relatives only)
	}
	var cands []cand
	add := func(id uint32, dist int) {
		// The name itself is no suggestion, but its popular spelling is
		// (npm names are case-sensitive: `LoDash` → `lodash`).
		if e.names[id] == name {
			return
		}
		for i := range cands {
			if cands[i].id == id {
				cands[i].dist = min(cands[i].dist, dist)
				return
			}
		}
		cands = append(cands, cand{id: id, dist: dist})
	}
	q.foldTargets(kindFold, q.fold, true, func(id uint32) { add(id, 0) })
	if rest, ok := dropAffix(norm); ok {
		var tb [maxName]byte
		if rl := foldInto(tb[:], rest); rl > 0 {
			q.foldTargets(kindFold, tb[:rl], true, func(id uint32) { add(id, 1) })
		}
	}
	if fl := len(q.light); fl >= 3 && fl <= maxDistLen {
		d := new(deletions)
		d.reset(q.light)
		keys := []uint64{d.whole()}
		for i := range fl {
			keys = append(keys, d.del1(i))
		}
		for i := range fl {
			for j := i + 1; j < fl; j++ {
				keys = append(keys, d.del2(i, j))
			}
		}
		for _, h := range keys {
			for _, ent := range e.keys.span(h) {
				if id, ok := hit(ent, h); ok {
					if dist := osa(q.light, e.lights[id], 2); dist <= 2 {
						add(id, dist)
					}
				}
			}
		}
	}
	if len(cands) < max {
		// relatives sharing the first word, most popular first
		var tb [maxName]byte
		if k, ok := firstTokenKey(tb[:], norm); ok {
			for _, ent := range e.keys.span(k) {
				if id, ok := hit(ent, k); ok {
					add(id, 3)
				}
			}
			for i := range cands {
				if cands[i].dist == 3 {
					cands[i].shared = sharedLeadingWords(e.names[cands[i].id], string(norm))
				}
			}
		}
	}
	// Most similar first (edit distance, then for relatives the words
	// shared from the start: `react-native-ai-toolkit-pro` → `react-native`
	// before `react-is`), then most popular.
	slices.SortFunc(cands, func(a, b cand) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		if a.shared != b.shared {
			return b.shared - a.shared
		}
		return int(e.rank[a.id] - e.rank[b.id])
	})
	out := make([]string, 0, min(max, len(cands)))
	for _, c := range cands[:min(max, len(cands))] {
		out = append(out, e.names[c.id])
	}
	return out
}

// sharedLeadingWords counts the words (split at separators, case folded)
// that a and b share from their start.
func sharedLeadingWords(a, b string) int {
	split := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r < 0x80 && isSep(byte(r)) })
	}
	wa, wb := split(a), split(b)
	n := 0
	for n < len(wa) && n < len(wb) && wa[n] == wb[n] {
		n++
	}
	return n
}
