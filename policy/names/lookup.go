package names

import (
	"bytes"
	"slices"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Popular reports whether name is popular enough never to be a typosquat
// (npm: at least 40,000 downloads a month; PyPI: ranked among the top
// 15,000), with its rank and monthly downloads (0 when the corpus has only
// a rank).
func (ix *Index) Popular(eco policy.Ecosystem, name string) (rank int, monthly int64, ok bool) {
	e := ix.eco(eco)
	if e == nil {
		return 0, 0, false
	}
	k, known := e.findKnown(eco, name)
	if !known || !e.known.popular[k] {
		return 0, 0, false
	}
	return int(e.known.rank[k]), e.known.monthly[k], true
}

// Known reports whether name is in the corpus at all, popular or not, with
// its rank (0 when unranked) and monthly downloads (0 when unknown).
func (ix *Index) Known(eco policy.Ecosystem, name string) (rank int, monthly int64, ok bool) {
	e := ix.eco(eco)
	if e == nil {
		return 0, 0, false
	}
	k, known := e.findKnown(eco, name)
	if !known {
		return 0, 0, false
	}
	return int(e.known.rank[k]), e.known.monthly[k], true
}

// Removed reports whether the corpus holds name as removed malware (npm's
// security holding package; see RoleRemoved). A removed name is not Known.
func (ix *Index) Removed(eco policy.Ecosystem, name string) bool {
	e := ix.eco(eco)
	if e == nil {
		return false
	}
	var nb [maxName]byte
	n, valid := normalizeInto(nb[:], eco, name)
	return valid && e.known.removed(hashBytes(kindName, nb[:n]))
}

func (e *ecoIndex) findKnown(eco policy.Ecosystem, name string) (int, bool) {
	var nb [maxName]byte
	n, valid := normalizeInto(nb[:], eco, name)
	if !valid {
		return 0, false
	}
	return e.known.find(hashBytes(kindName, nb[:n]))
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
	norm  []byte
	fold  []byte
	light []byte
	scope []byte
	// the candidate's own popularity (0 when not in the corpus)
	candMonthly int64
	candKnown   bool
	// best match so far as plain values: a Match holds strings, and
	// keeping pointers out of query lets it (and the name buffers its
	// slices point into) stay on the stack.
	bestID   int32
	bestFam  uint8 // index into Families()
	bestConf Confidence
	bestDist int
	bestSlip bool
	seen     [64]uint32
	nseen    int
	// popularity of the part of the name an edit family compares (0 and
	// false when it is no known name): a part that is itself as popular
	// as a target is not that target misspelt
	vouch        int64
	vouchPopular bool
	anyTier      bool // Suggest: every target is a candidate
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
	famAffixEdit
	famCompound
	famPlural
	famTruncation
	famLast = famTruncation
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
	case famAffixEdit:
		return FamilyAffixEdit
	case famCompound:
		return FamilyCompound
	case famPlural:
		return FamilyPlural
	case famTruncation:
		return FamilyTruncation
	}
	return FamilyDistance2
}

// closer is the one ranking of look-alike targets, shared by Typosquat
// (which target a name imitates) and Suggest ("did you mean"): fewer edits
// first, then the more popular target. It returns a negative number when a
// ranks before b.
func (e *ecoIndex) closer(distA int, a uint32, distB int, b uint32) int {
	if distA != distB {
		return distA - distB
	}
	if ma, mb := e.monthly[a], e.monthly[b]; ma != mb && ma > 0 && mb > 0 {
		if ma > mb {
			return -1
		}
		return 1
	}
	return int(e.rank[a] - e.rank[b])
}

// sameLetters: the family's candidates fold to their target's very
// letters (only punctuation or look-alike characters differ).
func sameLetters(family uint8) bool { return family == famSeparator || family == famHomoglyph }

// Strength of a match, by family and shape: how much it says that the
// candidate copies its target.
const (
	// weak: a loose resemblance; it only warns.
	weak uint8 = iota
	// dressing: a target dressed up on purpose (a rare filler word glued
	// to it, a tool word with the target misspelt, an ecosystem suffix
	// plus a slip, two dropped letters, the target spelled as a scope);
	// it blocks when the target is in the block or middle tier and the
	// candidate unknown or far less popular, else warns.
	dressing
	// strong: a plausible slip (a transposition, a neighbouring key, a
	// separator or affix); it blocks on block-tier targets, and on middle-
	// tier ones when the candidate is unknown or far less popular.
	strongSlip
	// interiorSlip: a strong slip inside a word of a long PyPI name (see
	// interiorEdit); it blocks on targets ranked to
	// PyPIInteriorSlipMaxRank too.
	interiorSlip
	// looseEdit: any single edit (not a plausible slip) of a PyPI name
	// ranked past the block tier; it only warns (see slipTierEdit).
	looseEdit
)

// consider grades a match against target id and keeps it if it beats the
// best so far. strong: the family is a plausible slip (a transposition, a
// neighbouring key, a separator or affix) rather than a loose resemblance
// (considerAs also takes a dressing).
func (q *query) consider(id uint32, family uint8, strong bool, dist int) {
	s := weak
	if strong {
		s = strongSlip
	}
	q.considerAs(id, family, s, dist)
}

// considerAs is consider with a graded strength.
func (q *query) considerAs(id uint32, family uint8, strength uint8, dist int) {
	if dist > 0 {
		strength = q.wordStrength(id, family, strength)
	}
	strong := strength == strongSlip || strength == interiorSlip
	e := q.e
	tier := e.tier[id]
	if !q.anyTier {
		// a candidate in the same league as the target is not its squat
		if q.candMonthly > 0 && e.monthly[id] > 0 && q.candMonthly*sameLeagueRatio >= e.monthly[id] {
			return
		}
	}
	if !strong && strength != looseEdit && tier == tierSlip && !q.anyTier {
		// a loose resemblance to a little-used name is noise
		return
	}
	conf := Low
	switch {
	case strong && tier == tierBlock:
		conf = High
	case strong && tier == tierMiddle && q.farLess(id):
		conf = High
	case strength == dressing && tier >= tierMiddle && q.farLess(id):
		conf = High
	case strength == interiorSlip && int(e.rank[id]) <= e.opts.PyPIInteriorSlipMaxRank && q.farLess(id):
		conf = High
	}
	strong = strength != weak && strength != looseEdit
	if q.bestID >= 0 {
		// between edit matches, fewer edits first (the target a reader
		// sees: "eslint-plugn" is "eslint-plugin" less a letter, not
		// "eslint-plugin-n" less two); then the stronger verdict; at
		// the same verdict, a target spelled with the very same letters
		// ("nodesass" is "node-sass" unpunctuated before it is "sass"
		// with a prefix), then the shared ranking
		better := conf > q.bestConf ||
			(conf == q.bestConf && e.closer(dist, id, q.bestDist, uint32(q.bestID)) < 0)
		if conf == q.bestConf && sameLetters(family) != sameLetters(q.bestFam) {
			better = sameLetters(family)
		}
		if dist > 0 && q.bestDist > 0 && dist != q.bestDist {
			better = dist < q.bestDist
		}
		if !better {
			return
		}
	}
	q.bestID, q.bestFam, q.bestConf, q.bestDist, q.bestSlip = int32(id), family, conf, dist, strong
}

// wordStrength grades an edit match by what the edit made of the target's
// word. A word of package naming (see wordMinNames) weakens a slip or a
// dressing to a loose resemblance: "prism" for "prisma", "cookie-parse"
// for "cookie-parser". (The PyPI plural rule keeps its grade: it was
// costed as it is.) On the PyPITopSlipMaxRank most downloaded PyPI
// projects, a token that no corpus name has turns a loose edit of a long
// enough candidate that keeps the target's first letter into a slip:
// "reqest", "colorona" (two edits, which only warn elsewhere). In the
// PyPI calibration population 1 of the 6,986 left-out names is such an
// edit of a top-100 project.
func (q *query) wordStrength(id uint32, family, strength uint8) uint8 {
	switch strength {
	case strongSlip, interiorSlip, dressing:
		if family == famPlural {
			return strength
		}
		if tok, ok := q.editedToken(id); ok && q.e.wordCount(tok) >= wordMinNames {
			return weak
		}
	case weak:
		switch family {
		case famTransposition, famSubstitution, famInsertion, famOmission, famRepetition, famDistance2:
		default:
			return strength
		}
		e := q.e
		if e.eco != policy.PyPI || int(e.rank[id]) > PyPITopSlipMaxRank || len(q.light) < minTopSlipLen ||
			q.light[0] != e.lights[id][0] {
			return strength
		}
		own := 0 // the candidate's own name, when the corpus has it
		if q.candKnown {
			own = 1
		}
		if tok, ok := q.editedToken(id); ok && e.wordCount(tok) <= own && !e.gluedWords(tok) {
			return strongSlip
		}
	}
	return strength
}

// gluedWords: tok is two or more words (see wordMinNames) of at least
// minGluedWord letters run together ("facelock", "filepack", "biocore"):
// a name of its own, not a slip, though no corpus name has it as a token.
func (e *ecoIndex) gluedWords(tok []byte) bool {
	n := len(tok)
	if n < 2*minGluedWord || n > maxName {
		return false
	}
	// split[i]: tok[i:] is a run of one or more words
	var split [maxName + 1]bool
	split[n] = true
	for i := n - minGluedWord; i >= 0; i-- {
		for j := i + minGluedWord; j <= n; j++ {
			if split[j] && (i > 0 || j < n) && e.wordCount(tok[i:j]) >= wordMinNames {
				split[i] = true
				break
			}
		}
	}
	return split[0]
}

// minGluedWord is the shortest word gluedWords looks for.
const minGluedWord = 3

// editedToken returns the candidate's token that an edit made from one
// word of target id: the tokens both names have are set aside (and a
// scoped target's scope when the candidate has none); exactly one of the
// target's must remain, and of the candidate's remaining tokens the one
// closest to it is the edited one. ok is false when the names share every
// word of the target or differ in more than one.
func (q *query) editedToken(id uint32) ([]byte, bool) {
	cand, target := q.norm, q.e.names[id]
	if q.scope == nil && len(target) > 0 && target[0] == '@' {
		if i := strings.IndexByte(target, '/'); i >= 0 {
			target = target[i+1:]
		}
	}
	var ct, tt [maxTokens][2]int
	nc, okc := tokensOf(cand, ct[:])
	nt, okt := tokensOf(target, tt[:])
	if !okc || !okt {
		return nil, false
	}
	var used [maxTokens]bool
	rest := -1 // the target's one token the candidate lacks
	for j := range nt {
		tj := target[tt[j][0]:tt[j][1]]
		found := false
		for i := range nc {
			if !used[i] && string(cand[ct[i][0]:ct[i][1]]) == tj {
				used[i], found = true, true
				break
			}
		}
		if !found {
			if rest >= 0 {
				return nil, false
			}
			rest = j
		}
	}
	if rest < 0 {
		return nil, false
	}
	tr := target[tt[rest][0]:tt[rest][1]]
	best, bestDist := -1, 0
	for i := range nc {
		if used[i] {
			continue
		}
		if d := osa(cand[ct[i][0]:ct[i][1]], tr, len(tr)); best < 0 || d < bestDist {
			best, bestDist = i, d
		}
	}
	if best < 0 {
		return nil, false
	}
	return cand[ct[best][0]:ct[best][1]], true
}

// partPopularity returns the monthly downloads of part as a name of its
// own and whether it is popular (0 and false when it is unknown).
func (q *query) partPopularity(part []byte) (int64, bool) {
	var nb [maxName]byte
	n, ok := normalizeInto(nb[:], q.e.eco, string(part))
	if !ok {
		return 0, false
	}
	k, known := q.e.known.find(hashBytes(kindName, nb[:n]))
	if !known {
		return 0, false
	}
	return q.e.known.monthly[k], q.e.known.popular[k]
}

// vouched: the compared part is a name in target id's league (PyPI: a
// popular name, which has no download count to compare).
func (q *query) vouched(id uint32) bool {
	if q.e.eco == policy.PyPI {
		return q.vouchPopular
	}
	return q.vouch > 0 && q.vouch*sameLeagueRatio >= q.e.monthly[id]
}

// farLess: the candidate is unknown or far less popular than the target
// (PyPI: the candidate has no rank, or it would be popular already).
func (q *query) farLess(id uint32) bool {
	if q.e.eco == policy.PyPI || !q.candKnown {
		return true
	}
	return q.candMonthly*farLessRatio < q.e.monthly[id]
}

// eligible: id may be reported (a target, not in the candidate's own scope).
func (q *query) eligible(id uint32) bool {
	if q.e.tier[id] == tierNone {
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

// foldTargets calls fn for every target whose key of kind equals fold
// (verified against the folded name when verify is set).
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

// Typosquat reports the popular name that name seems to imitate. A popular
// name (see Popular) is never a typosquat, nor is a name in an npm scope
// that holds a popular package (see ownedScope); a known name is not a
// typosquat of a target it is at least 1/100 as popular as.
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
	q := query{e: e, bestID: -1, norm: norm}
	if k, known := e.known.find(hashBytes(kindName, norm)); known {
		if e.known.popular[k] {
			return Match{}, false
		}
		q.candKnown, q.candMonthly = true, e.known.monthly[k]
	}
	if e.ownedScope(norm) {
		return Match{}, false
	}
	e.ensureTargets()
	q.scope, _ = splitScope(norm)
	q.fold = fb[:foldInto(fb[:], norm)]
	q.light = lb[:lightFoldInto(lb[:], norm)]
	q.exactFamilies(tb[:])
	if len(q.light) >= minShortLen && q.bestConf != High {
		q.distance(2)
	}
	if q.bestConf != High && q.scope == nil {
		q.looseFamilies(tb[:])
	}
	if q.bestID < 0 {
		return Match{}, false
	}
	id := q.bestID
	return Match{Target: e.names[id], Family: familyName(q.bestFam), Confidence: q.bestConf,
		Distance: q.bestDist, TargetRank: int(e.rank[id]), TargetMonthly: e.monthly[id],
		Slip: q.bestSlip && q.bestConf == Low}, true
}

// exactFamilies checks the families found by exact key lookups.
func (q *query) exactFamilies(tb []byte) {
	norm := q.norm
	// separator and homoglyph: same folded form
	q.foldTargets(kindFold, q.fold, true, func(id uint32) {
		var sa, sb [maxName]byte
		a := sa[:stripInto(sa[:], norm)]
		b := sb[:stripInto(sb[:], []byte(q.e.names[id]))]
		fam, strong := famHomoglyph, true
		if bytes.Equal(a, b) {
			// npm refuses new names equal to an existing one without
			// punctuation, so separator-only variants there are older,
			// legitimate names
			fam, strong = famSeparator, q.e.eco != policy.NPM
		}
		q.consider(id, fam, strong, 0)
	})
	if len(q.fold) < minAffix {
		return
	}
	if q.scope == nil {
		q.nameFamilies(tb)
	}
	if q.e.eco != policy.NPM {
		return
	}
	if q.scope == nil {
		// unscoped copy of a scoped target: "babelcore" for "@babel/core"
		// (many are the package's own pre-scope name: a warning)
		q.foldTargets(kindScopeConcat, q.fold, false, func(id uint32) { q.consider(id, famScopeConfusion, false, 0) })
		return
	}
	q.scopeFamilies(tb)
}

// scopeFamilies checks scoped names: "@types-node/x" (a target's scope
// joined with more words) and "@async-mutex/mutex" (an unscoped target
// spelled as a scope, with a word of it as the name).
func (q *query) scopeFamilies(tb []byte) {
	_, name := splitScope(q.norm)
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
			if k, ok := q.e.known.find(hashBytes(kindName, tb[:l])); ok {
				if id := q.e.known.target[k]; id >= 0 && q.e.tier[id] != tierNone {
					q.consider(uint32(id), famScopeConfusion, true, 0)
				}
			}
		}
	}
	if !hasToken(q.scope, name) {
		return
	}
	var fb [maxName]byte
	f := fb[:foldInto(fb[:], q.scope)]
	if len(f) < minAffix {
		return
	}
	h := hashBytes(kindFold, f)
	for _, ent := range q.e.keys.span(h) {
		if id, ok := hit(ent, h); ok && q.e.tier[id] != tierNone && q.e.folds[id] == string(f) && scopeOf(q.e.names[id]) == "" {
			q.considerAs(id, famScopeConfusion, dressing, 0)
		}
	}
}

// hasToken: word is one of the separator-delimited words of s.
func hasToken(s, word []byte) bool {
	if len(word) == 0 {
		return false
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || isSep(s[i]) {
			if bytes.Equal(s[start:i], word) {
				return true
			}
			start = i + 1
		}
	}
	return false
}

// nameFamilies checks the affix, version-suffix and reorder families of an
// unscoped name.
func (q *query) nameFamilies(tb []byte) {
	norm := q.norm
	// affix added to a target; npm "node-x"/"js-x"/"x-node" are the usual
	// names of ports and wrappers (node-fetch), so such an affix only warns
	// (every reading: "node-sass.js" is "node-sass" with a suffix)
	drops, n := affixDrops(q.e.eco, norm)
	for _, d := range drops[:n] {
		strong := !(d.port && q.e.eco == policy.NPM)
		// (a 2–3-letter target only in the block tier: "vue.js")
		if rl := foldInto(tb, d.rest); rl >= minShortAffix {
			q.foldTargets(kindFold, tb[:rl], true, func(id uint32) {
				if rl >= minAffix || q.e.tier[id] == tierBlock {
					q.consider(id, famAffix, strong, 0)
				}
			})
		}
	}
	// affix dropped from a target: the shorter name is often a generic
	// word with a life of its own
	q.foldTargets(kindAffixDrop, q.fold, false, func(id uint32) { q.consider(id, famAffix, false, 0) })
	// version suffix added to a target
	if base, ok := versionBase(norm); ok {
		if bl := foldInto(tb, base); bl >= minDistLen {
			q.foldTargets(kindFold, tb[:bl], true, func(id uint32) { q.consider(id, famVersionSuffix, false, 0) })
		}
	}
	// token reorder
	if k, ok := reorderKey(tb, norm); ok {
		for _, ent := range q.e.keys.span(k) {
			if id, ok := hit(ent, k); ok && q.eligible(id) && q.e.folds[id] != string(q.fold) {
				q.consider(id, famReorder, false, 0) // usually sibling projects
			}
		}
	}
}

// looseFamilies checks the families that look past an affix or a filler
// word: one edit on the rest of the name, a filler word glued to a target,
// and an unscoped copy of a scoped target's name part. They only warn.
func (q *query) looseFamilies(tb []byte) {
	var sb [maxName]byte
	// affix added, one edit in the rest: "dizcordjs", "etherdjs"
	if rest, port, ok := dropAffixKind(q.e.eco, q.norm); ok {
		// a suffix ("etherdjs"); a port's affix ("node-x", "js-x",
		// "x-node") only warns
		st := dressing
		if port {
			st = weak
		}
		s := sb[:lightFoldInto(sb[:], rest)]
		q.probeSubFrom(s, kindDel, famAffixEdit, st, 1, 1)
		q.probeSubFrom(s, kindStemDel, famAffixEdit, st, 1, 1)
	}
	// affix dropped from a target, one edit in the rest
	q.probeSub(q.light, kindStemDel, famAffixEdit, 1)
	// filler word glued to a target or a one-edit variant of it
	for _, last := range [2]bool{false, true} {
		rest, tool, common, ok := dropFiller(q.e.eco, q.norm, last)
		if !ok {
			continue
		}
		if rl := foldInto(tb, rest); rl >= minAffix && !tool {
			// a common qualifier ("simple-x", "x-lite") names many real
			// alternatives and only warns; a rare one only dresses x up
			st := dressing
			if common {
				st = weak
			}
			q.foldTargets(kindFold, tb[:rl], true, func(id uint32) { q.considerAs(id, famCompound, st, 0) })
			// (or to a target less its ecosystem affix: "crypto-bignumber"
			// for "bignumber.js")
			q.foldTargets(kindAffixDrop, tb[:rl], false, func(id uint32) { q.considerAs(id, famCompound, st, 0) })
		}
		if rl := foldInto(tb, rest); rl >= minAffix && tool && !common {
			// a tool word glued to a correctly spelt block-tier target
			// ("x-lint", "x-mcp"): the shape of its real companions too,
			// so a warning that asks to check who publishes it
			q.foldTargets(kindFold, tb[:rl], true, func(id uint32) {
				if q.e.tier[id] >= tierMiddle {
					q.consider(id, famCompound, false, 0)
				}
			})
		}
		// a tool word with a misspelt target ("loadash-lint"): a real
		// companion spells its target right. A rest that is itself a
		// name in the target's league ("eslint-utils": "eslint", not a
		// misspelt "tslint") is what the companion goes with.
		st := weak
		if tool {
			st = dressing
		}
		s := sb[:lightFoldInto(sb[:], rest)]
		q.vouch, q.vouchPopular = q.partPopularity(rest)
		q.probeSubFrom(s, kindDel, famCompound, st, 1, 1)
		q.vouch, q.vouchPopular = 0, false
		if r2, ok := dropAffix(q.e.eco, rest); ok {
			// "expressjs-lint": an affix inside the compound
			if rl := foldInto(tb, r2); rl >= minAffix {
				q.foldTargets(kindFold, tb[:rl], true, func(id uint32) {
					if !tool || (q.e.tier[id] == tierBlock && !common) {
						q.consider(id, famCompound, false, 0)
					}
				})
			}
			s2 := sb[:lightFoldInto(sb[:], r2)]
			q.probeSub(s2, kindDel, famCompound, 1)
		}
	}
	// a short run of letters inserted inside a target ("windowston")
	q.chunkInserted()
	// a long popular target cut short: a warning (shorter names are often
	// what the target was named after)
	if h := hashBytes(kindTrunc, q.light); len(q.light)+2 >= minTruncLen {
		for _, ent := range q.e.keys.span(h) {
			if id, ok := hit(ent, h); ok && q.eligible(id) {
				// cut inside the last word: a dropped word ("run-script"
				// for "run-script-os") names the base project
				n := q.e.names[id]
				if tf := q.e.lights[id]; len(tf) == len(q.light)+2 && tf[:len(q.light)] == string(q.light) &&
					!isSep(n[len(n)-2]) && !isSep(n[len(n)-3]) {
					q.consider(id, famTruncation, false, 2)
				}
			}
		}
	}
	// the name part of a popular scoped target copied, with one edit,
	// without its scope: "claud-code" for "@anthropic-ai/claude-code"
	if q.e.eco == policy.NPM && len(q.light) >= minBaseLen && bytes.ContainsAny(q.norm, "-_.") {
		q.probeSubFrom(q.light, kindBaseDel, famScopeConfusion, dressing, 1, 1)
	}
}

// chunkInserted finds targets the name spells with a run of
// minChunk–maxChunk letters inserted strictly inside ("win" + "dow" +
// "ston" for "winston", "io" + "sys" + "redis" for "ioredis"), with at
// least chunkEdge letters of the target on each side: a legitimate name
// adds its words at the edges ("winston-daily"), not in the middle of its
// model's name. Only npm names of one word and block-tier targets; it
// warns.
func (q *query) chunkInserted() {
	n := len(q.light)
	if q.e.eco != policy.NPM || n < minChunkCand || n > maxDistLen || len(q.light) != len(q.norm) {
		// one word only: a word inserted between the target's words
		// ("css-raw-loader") names a variant, and on PyPI the shape cost
		// warnings on left-out legitimate names and caught no squat
		return
	}
	d := new(deletions)
	d.reset(q.light)
	for k := minChunk; k <= maxChunk; k++ {
		for i := chunkEdge; i+k <= n-chunkEdge; i++ {
			h := d.delRun(i, k)
			for _, ent := range q.e.keys.span(h) {
				id, ok := hit(ent, h)
				if !ok || q.e.tier[id] != tierBlock || !q.eligible(id) {
					continue
				}
				tf := q.e.lights[id]
				if len(tf) < minDistLen || len(tf) != n-k || tf[:i] != string(q.light[:i]) || tf[i:] != string(q.light[i+k:]) {
					continue
				}
				q.consider(id, famCompound, false, k)
			}
		}
	}
}

// probeSub looks s (a light-folded part of the name) up among the
// deletion keys of kind and reports targets within limit edits of the
// matching part of the target (whole light fold, stem or scoped name
// part) as family fam, at most a warning.
func (q *query) probeSub(s []byte, kind uint64, fam uint8, limit int) {
	q.probeSubFrom(s, kind, fam, weak, 1, limit)
}

// probeSubFrom is probeSub reporting only matches at least minDist edits
// away (exact matches are other families' business).
func (q *query) probeSubFrom(s []byte, kind uint64, fam, strength uint8, minDist, limit int) {
	sl := len(s)
	if sl < minDistLen || sl > maxDistLen {
		return
	}
	q.nseen = 0
	d := new(deletions)
	d.reset(s)
	key := func(h uint64) uint64 {
		if kind == kindDel {
			return h
		}
		return rekind(h, kind)
	}
	// the whole string and its deletions share one key space per kind, so
	// that an insertion or omission (whole against a deletion) matches
	whole := key(d.whole())
	probe := func(h uint64) {
		for _, ent := range q.e.keys.span(h) {
			id, ok := hit(ent, h)
			if !ok || !q.eligible(id) || !q.firstNew(id) {
				continue
			}
			var tb [maxName]byte
			var part []byte
			switch kind {
			case kindStemDel:
				part = []byte(q.e.stems[id])
			case kindBaseDel:
				// a multi-word name part ("claude-code"), not a plain
				// word ("accordion") many packages are named after
				// (@types packages are named after the package they type)
				scope, base := splitScope([]byte(q.e.names[id]))
				if string(scope) == "types" || bytes.IndexFunc(base, func(r rune) bool { return r < 128 && isSep(byte(r)) }) < 0 {
					continue
				}
				part = tb[:lightFoldInto(tb[:], base)]
			default:
				if scopeOf(q.e.names[id]) != "" {
					continue
				}
				part = []byte(q.e.lights[id])
			}
			if len(part) < minDistLen {
				continue
			}
			if dist := osa(s, part, limit); dist >= minDist && dist <= limit && !q.vouched(id) {
				st := strength
				if st == dressing && fam != famCompound && (dist != 1 || !slipEdit(s, part, editFamily(s, part))) {
					// an affix plus a deliberate-looking change ("glidejs"
					// for "slide") is as often a name of its own
					st = weak
				}
				if st == dressing && dropsLetterWord(s, string(part)) {
					st = weak // "timeout-cli" is no copy of "p-timeout"
				}
				q.considerAs(id, fam, st, dist)
			}
		}
	}
	probe(whole)
	for i := range sl {
		probe(key(d.del1(i)))
	}
}

// distance finds targets within edit distance limit of the folded name via
// symmetric deletion keys.
func (q *query) distance(limit int) {
	fl := len(q.light)
	if fl > maxDistLen {
		return
	}
	q.nseen = 0
	d := new(deletions) // does not escape: stays on the stack
	d.reset(q.light)
	q.probe(d.whole(), limit)
	for i := range fl {
		q.probe(d.del1(i), limit)
	}
	if limit < 2 || fl > maxD2Len || (q.bestConf == High && !q.anyTier) {
		return
	}
	if fl < minD2Len && (fl < minShortLen || fl > minDistLen) {
		// two edits between short names: only scrambles of a short
		// target (see scrambled), which a short candidate reaches by
		// two deletions; a shorter candidate reaches a long target's
		// two-deletion keys by its own whole and one-deletion keys,
		// probed above
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
		if len(tf) < minShortLen {
			continue
		}
		dist := osa(q.light, tf, limit)
		if dist == 0 || dist > limit || !q.sameShape(id, dist) {
			continue
		}
		short := min(len(q.light), len(tf)) < minDistLen
		switch {
		case short && dist == 2:
			// a short very popular name with its letters scrambled and
			// one more or fewer ("sss2h" for "ssh2")
			if q.e.tier[id] == tierBlock && len(q.light) >= minShortLen && scrambled(q.light, tf) {
				// words do this too ("bayes", "base"): a warning
				q.consider(id, famDistance2, false, 2)
			}
		case short:
			// short names: only a slip on a very popular name, and only
			// a transposition blocks
			if dist != 1 || q.e.tier[id] != tierBlock || len(q.light) < minShortLen {
				continue
			}
			fam := q.editFamily(id)
			q.consider(id, fam, fam == famTransposition, 1)
		case dist == 1 && versionEdit(q.light, tf):
			q.consider(id, famVersionSuffix, false, 1)
		case dist == 1:
			fam := q.editFamily(id)
			strong := slipEdit(q.light, tf, editFamily(q.light, tf)) && (!dropsLetterWord(q.norm, q.e.names[id]) || q.dropsFirstLetter(id)) &&
				!q.npmFirstLetterEdit(tf)
			st := weak
			if strong {
				st = strongSlip
			}
			if st == weak && leadingDigit(q.norm, q.light, tf) {
				// a digit glued before a popular name ("0requests"): 2 of
				// PyPI's 886k names do that to a top-1,000 project, 1 of
				// npm's to a 1M-a-month package
				st = dressing
			}
			if st == strongSlip && q.e.eco == policy.PyPI && len(q.light) >= minInteriorLen && interiorEdit(q.norm, q.e.names[id]) {
				st = interiorSlip
			}
			if st == weak && !pluralEdit(q.light, tf) && pluralWords(q.norm, q.e.names[id]) {
				// the plural "s" of an inner word ("open-clips-torch"):
				// a loose resemblance, read as the plural family
				fam = famPlural
			}
			if pluralEdit(q.light, tf) {
				// a meaning-preserving variant, and as often a sibling
				// ("classname", "mime-type"): a warning; but an "s" added
				// to a block-tier PyPI project's name is a slip (35 of the
				// PyPI list's 871k unranked names would block so, against
				// 962 slips of those 1,000 targets that already block; npm
				// has 17 such names with 2,000–40,000 downloads a month,
				// and no room for them); so does a dropped "s" when the
				// candidate has 7+ letters ("typing-extension": 9 of the
				// unranked names, none of the left-out legitimate ones)
				fam, st = famPlural, weak
				if q.e.eco == policy.PyPI && q.e.tier[id] == tierBlock && (string(q.norm) == q.e.names[id]+"s" ||
					(len(q.norm) >= minDropFirstLen && q.e.names[id] == string(q.norm)+"s")) {
					st = strongSlip
				}
			}
			if st == weak && q.slipTierEdit(id, fam == famPlural) {
				st = looseEdit
			}
			if st == weak && q.e.eco == policy.PyPI && q.e.tier[id] == tierBlock && len(q.light) >= minInteriorLen &&
				!pluralEdit(q.light, tf) && interiorEdit(q.norm, q.e.names[id]) {
				// any one edit inside a word of a long name of a top-1,000
				// PyPI project ("virtuelenv", "tiketoken"), not only a
				// slip of the fingers: 108 more of the list's 871k unranked
				// names block so (against 1,753 that already block), and 1
				// of the 3,000 left-out legitimate names ("persistent" for
				// "pyrsistent")
				st = interiorSlip
			}
			q.considerAs(id, fam, st, 1)
		case dist == 2 && pluralWords(q.norm, q.e.names[id]):
			// the plural "s" of two words changed ("torchs-visions")
			q.considerAs(id, famPlural, weak, 2)
		case dist == 2 && len(q.light) < minD2Len && len(q.light) >= minShortD2Len && len(tf) >= minD2Len &&
			q.e.eco == policy.PyPI && int(q.e.rank[id]) <= PyPIShortD2MaxRank && q.light[0] == tf[0]:
			// a short candidate two edits from one of the most
			// downloaded PyPI projects ("reqest" for "requests")
			q.consider(id, famDistance2, false, 2)
		case dist == 2 && len(q.light) >= minD2Len && len(tf) >= minD2Len &&
			q.light[0] == tf[0] && q.light[len(q.light)-1] == tf[len(tf)-1]:
			// two edits still read as the target only when its first and
			// last letters stay in place (the letters a reader anchors on);
			// two letters dropped from a block-tier target ("suport-color")
			// are two slips
			st := weak
			if q.e.tier[id] == tierBlock && len(tf) == len(q.light)+2 && subsequence(q.light, tf) {
				st = dressing
			}
			q.considerAs(id, famDistance2, st, 2)
		}
	}
}

// npmFirstLetterEdit: on npm, the one edit changes, adds or drops the
// name's first letter ("bfile" for "vfile", "nest-cli" for "jest-cli",
// "yjs-types" for "js-types"). A first letter is rarely mistyped, and a
// new one usually makes another word: such an edit only warns. (No npm
// typosquat of the documented set blocked through its first letter; 4 of
// the 14 left-out legitimate npm names blocked did.) PyPI keeps its rules:
// its block tier is far smaller and "tlask" for "flask" is documented.
func (q *query) npmFirstLetterEdit(target string) bool {
	if q.e.eco != policy.NPM || len(q.light) < 2 || len(target) < 2 {
		return false
	}
	return q.light[0] != target[0] && !(q.light[0] == target[1] && q.light[1] == target[0])
}

// slipTierEdit: id is a PyPI target ranked past the block tier (whose
// loose resemblances are otherwise dropped as noise), the candidate is long
// enough for one edit of it to be a copy rather than another word, and the
// edit is inside a word or a plural (already read by the caller).
func (q *query) slipTierEdit(id uint32, plural bool) bool {
	return q.e.eco == policy.PyPI && q.e.tier[id] == tierSlip && len(q.light) >= minLooseEditLen &&
		(plural || interiorEdit(q.norm, q.e.names[id]))
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

// leadingDigit: the candidate is the target with one digit before it.
func leadingDigit(norm, light []byte, target string) bool {
	return len(norm) > 0 && norm[0] >= '0' && norm[0] <= '9' && len(light) == len(target)+1 && string(light[1:]) == target
}

// scrambled: two short names (four or five letters) with the same first
// letter, one of which has the other's letters in another order plus one
// more (a transposition and an insertion or omission: "sss2h" for "ssh2").
func scrambled(cand []byte, target string) bool {
	a, b := string(cand), target
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a) != len(b)+1 || len(b) < minShortLen || a[0] != b[0] {
		return false
	}
	var count [256]int
	for i := range len(a) {
		count[a[i]]++
	}
	for i := range len(b) {
		count[b[i]]--
	}
	extra := 0
	for _, c := range count {
		if c < 0 {
			return false
		}
		extra += c
	}
	// not an insertion or omission alone (one edit is not a scramble)
	return extra == 1 && !strings.Contains(a, b) && osa([]byte(a), b, 1) > 1
}

// interiorEdit: the one edit turning target into cand (both normalized)
// changes letters strictly inside a word of at least minInteriorWord
// characters, with letters of that word kept on both sides ("parsimonous", "reqeusts"), not at a word's start or end
// where a legitimate variant adds or drops a letter or a digit ("xyzx",
// "words2number"). An edit next to a doubled letter can be placed on
// either copy ("sstorm", "windmil-x"): it must be inside the word both
// ways.
func interiorEdit(cand []byte, target string) bool {
	lc, lt := len(cand), len(target)
	inside := func(i, j int) bool {
		if i == 0 || j == 0 || isSep(target[i-1]) || isSep(target[lt-j]) {
			return false
		}
		rc, rt := cand[i:lc-j], target[i:lt-j]
		if len(rc) > 2 || len(rt) > 2 || len(rc)+len(rt) == 0 {
			return false
		}
		// the word edited is no short code ("ecs" and "efs" are other
		// services, not a slip)
		start, end := i, lt-j
		for start > 0 && !isSep(target[start-1]) {
			start--
		}
		for end < lt && !isSep(target[end]) {
			end++
		}
		return end-start >= minInteriorWord && letters(string(rc)) && letters(rt)
	}
	prefix := func(limit int) int {
		i := 0
		for i < limit && cand[i] == target[i] {
			i++
		}
		return i
	}
	suffix := func(limit int) int {
		j := 0
		for j < limit && cand[lc-1-j] == target[lt-1-j] {
			j++
		}
		return j
	}
	short := min(lc, lt)
	i := prefix(short)
	j := suffix(short - i)
	j2 := suffix(short)
	i2 := prefix(short - j2)
	return inside(i, j) && inside(i2, j2)
}

// letters: s is all lower-case ASCII letters.
func letters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// subsequence: every byte of a appears in b in order.
func subsequence(a []byte, b string) bool {
	i := 0
	for j := 0; j < len(b) && i < len(a); j++ {
		if a[i] == b[j] {
			i++
		}
	}
	return i == len(a)
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

// dropsLetterWord: cand is target without its first letter or one-letter
// first word ("react" for "preact", "timeout" for "p-timeout"): the target
// is then usually a variant named after cand, not the other way round.
func dropsLetterWord(cand []byte, target string) bool {
	return len(target) > 2 && (string(cand) == target[1:] || (isSep(target[1]) && string(cand) == target[2:]))
}

// dropsFirstLetter: a long candidate is a top-1,000 PyPI project's name
// without its first letter ("umpy-financial"). Short ones are often the
// word the target was named after ("react" for "preact"), and so are 2 of
// the 14,000 other ranked PyPI names ("authlib" for "oauthlib"), but only
// 13 of the list's 871k unranked names are one of at least 7 letters.
func (q *query) dropsFirstLetter(id uint32) bool {
	n := q.e.names[id]
	return q.e.eco == policy.PyPI && q.e.tier[id] == tierBlock && len(q.norm) >= minDropFirstLen &&
		len(n) == len(q.norm)+1 && !isSep(n[1]) && n[1:] == string(q.norm)
}

// pluralEdit: one name is the other plus a trailing "s" (a meaning-
// preserving variant, often a legitimate sibling).
// A doubled final "s" ("expresss") is a repetition, not a plural.
func pluralEdit(cand []byte, target string) bool {
	switch {
	case len(cand) == len(target)+1:
		return cand[len(cand)-1] == 's' && target != "" && target[len(target)-1] != 's' && string(cand[:len(target)]) == target
	case len(target) == len(cand)+1:
		return target[len(target)-1] == 's' && len(cand) > 0 && cand[len(cand)-1] != 's' && target[:len(cand)] == string(cand)
	}
	return false
}

// pluralWords: the two names differ only in the plural "s" of some of
// their words (a word of minPluralWord letters or more, without its "s"),
// and in their separators: "open-clips-torch" for "open-clip-torch",
// "torchs-visions" for "torchvision".
func pluralWords(cand []byte, target string) bool {
	var ab, bb [maxName]byte
	a := ab[:singularInto(ab[:], cand)]
	b := bb[:singularInto(bb[:], []byte(target))]
	return bytes.Equal(a, b)
}

// singularInto writes norm light-folded, with each word's plural "s"
// dropped (see pluralWords).
func singularInto(dst []byte, norm []byte) int {
	n, start := 0, 0
	for i := 0; i <= len(norm); i++ {
		if i < len(norm) && !isSep(norm[i]) && norm[i] != '@' && norm[i] != '/' {
			continue
		}
		w := norm[start:i]
		if l := len(w); l > minPluralWord && w[l-1] == 's' && w[l-2] != 's' {
			w = w[:l-1]
		}
		n += lightFoldInto(dst[n:], w)
		if i < len(norm) && norm[i] == '/' && n < len(dst) {
			dst[n] = '/'
			n++
		}
		start = i + 1
	}
	return n
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
// (after folding) or one affix, then names sharing its first word; ranked
// like Typosquat's targets (fewer edits, then more popular). It is meant
// for explaining refusals and may allocate.
func (ix *Index) Suggest(eco policy.Ecosystem, name string, max int) []string {
	e := ix.eco(eco)
	if e == nil || max <= 0 {
		return nil
	}
	e.ensureTargets()
	var nb, fb, lb [maxName]byte
	n, ok := normalizeInto(nb[:], eco, name)
	if !ok {
		return nil
	}
	norm := nb[:n]
	q := query{e: e, bestID: -1, anyTier: true, norm: norm}
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
	if rest, ok := dropAffix(eco, norm); ok {
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
	// The shared ranking (closest, then most popular), with relatives that
	// share more leading words first among equals: `react-native-ai-toolkit-pro`
	// → `react-native` before `react-is`.
	slices.SortFunc(cands, func(a, b cand) int {
		if a.dist == b.dist && a.shared != b.shared {
			return b.shared - a.shared
		}
		return e.closer(a.dist, a.id, b.dist, b.id)
	})
	out := make([]string, 0, min(max, len(cands)))
	for _, c := range cands {
		if len(out) == max {
			break
		}
		// A name this index blocks as a typosquat is never suggested: the
		// suggestion would lead from one refusal to the attack.
		if m, ok := ix.Typosquat(eco, e.names[c.id]); ok && m.Confidence == High {
			continue
		}
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
