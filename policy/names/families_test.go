package names

import (
	"fmt"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// TestFamilies checks each family on look-alikes of embedded corpus
// targets. The examples are made up for the test (the real attacks are the
// evaluation's, policy/eval/testdata/real.tsv); each must be absent from
// the corpus, or it would be exempt and the case would say nothing.
func TestFamilies(t *testing.T) {
	t.Parallel()
	c, ix := loadIndex(t)
	inCorpus := map[string]bool{}
	for _, eco := range policy.Ecosystems() {
		for _, e := range c.Entries(eco) {
			inCorpus[string(eco)+":"+e.Name] = true
		}
	}
	tests := []struct {
		eco        policy.Ecosystem
		name       string
		target     string
		family     string
		confidence Confidence
	}{
		// an affix without a separator (npm "js")
		{policy.NPM, "mongoosejs", "mongoose", FamilyAffix, High},
		// an affix and one edit in the rest
		{policy.NPM, "axois.js", "axios", FamilyAffixEdit, High},
		// ... but only warns with a prefix (the name of a port) or an edit
		// that is no slip
		{policy.NPM, "node-axois", "axios", FamilyAffixEdit, Low},
		{policy.NPM, "axiqs.js", "axios", FamilyAffixEdit, Low},
		// a filler word glued to a target; a tool word only with a misspelt target
		{policy.NPM, "simple-chalk", "chalk", FamilyCompound, Low},
		{policy.NPM, "plain-chalk", "chalk", FamilyCompound, High},
		{policy.NPM, "expres-utils", "express", FamilyCompound, High},
		{policy.NPM, "commandr-lint", "commander", FamilyCompound, High},
		// a rare filler blocks, a common qualifier or a tool word with a
		// correctly spelt target warns
		{policy.NPM, "lodash-patched", "lodash", FamilyCompound, High},
		{policy.NPM, "crypto-chalk", "chalk", FamilyCompound, High},
		{policy.NPM, "lodash-lite", "lodash", FamilyCompound, Low},
		{policy.NPM, "chalk-lint", "chalk", FamilyCompound, Low},
		{policy.NPM, "chalk-mcp", "chalk", FamilyCompound, Low},
		{policy.PyPI, "simple-requests", "requests", FamilyCompound, Low},
		// a digit glued before a very popular name
		{policy.PyPI, "9numpy", "numpy", FamilyInsertion, High},
		// a plural
		{policy.NPM, "prettiers", "prettier", FamilyPlural, Low},
		// short names: a transposition on a very popular name blocks
		{policy.NPM, "golb", "glob", FamilyTransposition, High},
		// short names: letters scrambled plus one more warn
		{policy.NPM, "golbb", "glob", FamilyDistance2, Low},
		// a long name cut short inside its last word
		{policy.NPM, "typescri", "typescript", FamilyTruncation, Low},
		// two edits on a long name, first and last letters kept: two
		// dropped letters of a very popular name block, others warn
		{policy.NPM, "typscrpt", "typescript", FamilyDistance2, High},
		{policy.NPM, "tipescrypt", "typescript", FamilyDistance2, Low},
		// a popular scoped name's name part, misspelt, without the scope
		{policy.NPM, "eslint-plugn", "@typescript-eslint/eslint-plugin", FamilyScopeConfusion, High},
		{policy.NPM, "preset-evn", "@babel/preset-env", FamilyScopeConfusion, High},
		// an unscoped target spelled as a scope, a word of it as the name
		{policy.NPM, "@async-retry/retry", "async-retry", FamilyScopeConfusion, High},
		{policy.NPM, "@lodash/lodash", "lodash", FamilyScopeConfusion, High},
		// the middle tier blocks a slip by an unknown name
		{policy.NPM, "electorn", "electron", FamilyTransposition, High},
		// PyPI ranks 1,001–5,000: a slip inside a word of a long name
		// blocks; one at a word's edge or in a short name warns
		{policy.PyPI, "confgiparser", "configparser", FamilyTransposition, High},
		{policy.PyPI, "configpatser", "configparser", FamilySubstitution, High},
		{policy.PyPI, "configparsere", "configparser", FamilyInsertion, Low},
		{policy.PyPI, "nmaex", "namex", FamilyTransposition, Low},
		// PyPI: an "s" added to a top-1,000 project blocks
		{policy.PyPI, "pydantics", "pydantic", FamilyPlural, High},
		// PyPI: a long name less a top-1,000 project's first letter blocks
		{policy.PyPI, "ryptography", "cryptography", FamilyOmission, High},
	}
	for _, tc := range tests {
		if inCorpus[string(tc.eco)+":"+Normalize(tc.eco, tc.name)] {
			t.Errorf("%s %q is in the corpus: pick another example", tc.eco, tc.name)
			continue
		}
		m, ok := ix.Typosquat(tc.eco, tc.name)
		got := [3]string{m.Target, m.Family, m.Confidence.String()}
		want := [3]string{tc.target, tc.family, tc.confidence.String()}
		if !ok || got != want {
			t.Errorf("Typosquat(%s, %q) = %v, %v; want %v", tc.eco, tc.name, got, ok, want)
		}
	}
}

// TestFamiliesLeftOut judges legitimate names as brand-new packages would
// be judged: each is first removed from the corpus (a name in the corpus
// is exempt anyway). Affixed names like node-fetch and python-dateutil,
// popular short names, and a name whose target is a one-letter variant of
// it must not be blocked; those that still resemble something only warn.
func TestFamiliesLeftOut(t *testing.T) {
	t.Parallel()
	c, _ := loadIndex(t)
	legit := map[policy.Ecosystem][]string{
		policy.NPM: {"node-fetch", "pino", "koa", "ora", "nock", "knex", "joi", "got", "yup", "vue", "deno", "redux",
			"sharp", "jest", "glob", "ws", "pg", "react", "mocha", "chai", "vite"},
		policy.PyPI: {"python-dateutil", "attrs", "rich", "toml", "idna", "six", "mock", "nose", "jinja2", "tqdm",
			"pytz", "boto", "scrapy", "httpx", "black", "isort"},
	}
	for eco, ns := range legit {
		drop := map[string]bool{}
		for _, n := range ns {
			drop[n] = true
		}
		ix := NewIndex(c.Without(func(e policy.Ecosystem, n string) bool { return e == eco && drop[n] }))
		for _, n := range ns {
			if _, _, ok := ix.Known(eco, n); ok {
				t.Fatalf("%s %q still in the left-out index", eco, n)
			}
			if m, ok := ix.Typosquat(eco, n); ok && m.Confidence == High {
				t.Errorf("left-out legitimate %s %q is blocked as a look-alike of %q (%s)", eco, n, m.Target, m.Family)
			}
		}
	}
}

// TestNewFamiliesLeftOut judges legitimate names shaped like the newer
// families (compounds with common qualifiers and tool words, ports named
// with an ecosystem prefix, scramble-prone short names, truncations) with
// each left out of the corpus. None may be blocked; companions that spell
// a popular target right with the commonest tool words are not flagged at
// all, and common qualifiers only warn.
func TestNewFamiliesLeftOut(t *testing.T) {
	t.Parallel()
	c, _ := loadIndex(t)
	type want int
	const (
		notBlocked want = iota
		notFlagged
	)
	cases := map[policy.Ecosystem]map[string]want{
		policy.NPM: {
			// common qualifiers and companions
			"fast-glob": notBlocked, "better-sqlite3": notBlocked, "fast-deep-equal": notBlocked,
			"assert-plus": notBlocked, "better-assert": notBlocked, "safe-regex": notBlocked, "ts-node-dev": notBlocked,
			"jest-cli": notFlagged, "eslint-utils": notFlagged, "redis-cli": notFlagged, "babel-core": notFlagged,
			"prisma-lint": notBlocked, "fastify-plugin": notBlocked,
			// ports named with an ecosystem prefix
			"node-fetch": notBlocked, "node-sass": notBlocked, "js-yaml": notBlocked, "js-cookie": notBlocked,
			// short names and scoped names
			"base-x": notBlocked, "bs58": notFlagged, "keccak": notFlagged, "nanoid": notFlagged, "dayjs": notFlagged,
			"@types/node": notFlagged, "@babel/core": notFlagged, "mime-types": notFlagged, "concurrently": notFlagged,
			// a changed first letter only warns; a run inserted inside a
			// one-word name, or a tool word after a 1M-a-month target,
			// never blocks
			"nest-cli": notBlocked, "bfile": notBlocked, "yjs-types": notBlocked, "@rslint/core": notBlocked,
			"singleton": notBlocked, "monument": notBlocked, "streamable": notBlocked,
			"react-native-pdf-lib": notBlocked,
		},
		policy.PyPI: {
			"python-dateutil": notFlagged, "simplejson": notFlagged, "requests-toolbelt": notFlagged,
			"flask-cors": notFlagged, "types-requests": notFlagged, "langchain-cli": notFlagged,
			"sphinx-lint": notBlocked, "flask-api": notBlocked, "rich-cli": notBlocked, "pytest-cov": notBlocked,
			"fabric3": notFlagged,
			// edits at a word's edge, a digit, an "s" after a separator:
			// not the slip inside a word that blocks on ranks 1,001–5,000
			// or the plural that blocks on the top 1,000
			"distribute": notBlocked, "django-jinja": notBlocked, "newspaper4k": notBlocked,
			"whisper": notBlocked, "pgvecto-rs": notBlocked, "async-cache": notBlocked,
			// a short word a top-1,000 project is named after ("rignore")
			"ignore": notBlocked,
			// one loose edit or a plural of a project ranked past 1,000
			// only warns ("user-agent" is "user-agents" less its "s",
			// "importlib" one letter from "importlab")
			"user-agent": notBlocked, "importlib": notBlocked, "jsonstreams": notBlocked, "favicon": notBlocked,
			"torch-summary": notBlocked, "pyvips": notBlocked,
		},
	}
	for eco, names := range cases {
		drop := map[string]bool{}
		for n := range names {
			drop[Normalize(eco, n)] = true
		}
		ix := NewIndex(c.Without(func(e policy.Ecosystem, n string) bool { return e == eco && drop[n] }))
		for n, w := range names {
			if _, _, ok := ix.Known(eco, n); ok {
				t.Fatalf("%s %q still in the left-out index", eco, n)
			}
			m, ok := ix.Typosquat(eco, n)
			switch {
			case ok && m.Confidence == High:
				t.Errorf("left-out legitimate %s %q is blocked as a look-alike of %q (%s)", eco, n, m.Target, m.Family)
			case ok && w == notFlagged:
				t.Errorf("left-out legitimate %s %q is flagged as a look-alike of %q (%s)", eco, n, m.Target, m.Family)
			}
		}
	}
}

// TestInteriorSlip: a slip inside a word of a long PyPI name blocks on
// targets ranked to PyPIInteriorSlipMaxRank (default 5,000); past it, at a
// word's edge, in a short name or on npm it only warns.
func TestInteriorSlip(t *testing.T) {
	t.Parallel()
	c := &Corpus{
		PyPI: []Entry{{Name: "stormcloud", Rank: 1500}, {Name: "windmill-tools", Rank: 4000},
			{Name: "thunderbolt", Rank: 6000}, {Name: "gusty", Rank: 2000}},
		NPM: []Entry{{Name: "stormcloud", Monthly: 500_000}},
	}
	tests := []struct {
		eco     policy.Ecosystem
		name    string
		maxRank int
		want    Confidence
	}{
		{policy.PyPI, "stromcloud", 0, High},    // transposition inside "stormcloud"
		{policy.PyPI, "stormclould", 0, High},   // insertion next to a neighbouring key
		{policy.PyPI, "windmll-tools", 0, High}, // omission inside the first word
		{policy.PyPI, "windmill-toosl", 0, Low}, // a transposition at the last word's end
		{policy.PyPI, "stormcloudd", 0, Low},    // a repeated last letter: at the edge
		{policy.PyPI, "sstormcloud", 0, Low},    // a repeated first letter: at the edge
		{policy.PyPI, "thundrebolt", 0, Low},    // target ranked past 5,000
		{policy.PyPI, "gutsy", 0, Low},          // a short name
		{policy.PyPI, "stromcloud", 1000, Low},  // the option narrows the tier
		{policy.NPM, "stromcloud", 0, Low},      // npm keeps its download ratio
	}
	for _, tc := range tests {
		ix := NewIndexWith(c, IndexOptions{PyPIInteriorSlipMaxRank: tc.maxRank})
		m, ok := ix.Typosquat(tc.eco, tc.name)
		if !ok || m.Confidence != tc.want {
			t.Errorf("Typosquat(%s, %q) with max rank %d = %+v, %v; want confidence %v", tc.eco, tc.name, tc.maxRank, m, ok, tc.want)
		}
	}
}

func TestInteriorEdit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cand, target string
		want         bool
	}{
		{"parsimonous", "parsimonious", true},
		{"reqeusts", "requests", true},
		{"requestss", "requests", false},     // the last letter doubled
		{"equests", "requests", false},       // the first letter dropped
		{"flask-cor", "flask-cors", false},   // a word's end
		{"flask-xcors", "flask-cors", false}, // a word's start
		{"json2csv", "json3csv", false},      // a digit
		{"windmil-x", "windmill-x", false},   // "ll" at a word's end
		{"sstorm", "storm", false},           // "ss" at a word's start
		{"stoorm", "storm", true},
		{"boto3-efs", "boto3-ecs", false},     // a three-letter code
		{"boto3-chime", "boto3-chima", false}, // the word's end
		{"boto3-chlme", "boto3-chime", true},
	}
	for _, tc := range tests {
		if got := interiorEdit([]byte(tc.cand), tc.target); got != tc.want {
			t.Errorf("interiorEdit(%q, %q) = %v, want %v", tc.cand, tc.target, got, tc.want)
		}
	}
}

// TestLooseSlipTier: PyPI targets ranked past the block tier used to
// ignore every single edit that is no plausible slip. One inside a word
// of a candidate of 7+ letters (a vowel swapped, a letter added inside a
// word) and a plural "s" now warn; edits at a word's edge and short
// candidates stay silent, and none of them blocks. A short candidate two
// edits from one of the 100 most downloaded projects warns, and blocks
// when the edit makes a token no corpus name has (see TestWordEdits).
func TestLooseSlipTier(t *testing.T) {
	t.Parallel()
	c := &Corpus{
		PyPI: []Entry{{Name: "stormcloud", Rank: 8000}, {Name: "gusty", Rank: 9000},
			{Name: "cloudkit", Rank: 50}, {Name: "cloudset", Rank: 500}},
		NPM: []Entry{{Name: "stormcloud", Monthly: 20_000}},
	}
	ix := NewIndex(c)
	tests := []struct {
		eco     policy.Ecosystem
		name    string
		flagged bool
		family  string
		conf    Confidence
	}{
		{policy.PyPI, "stormclaud", true, FamilySubstitution, Low}, // a vowel swapped inside a word
		{policy.PyPI, "stormcleoud", true, FamilyInsertion, Low},   // a letter added inside a word
		{policy.PyPI, "stormclouds", true, FamilyPlural, Low},      // a plural
		{policy.PyPI, "stormcloudz", false, "", Low},               // a letter appended at the end
		{policy.PyPI, "ptormcloud", false, "", Low},                // the first letter changed
		{policy.PyPI, "gustys", false, "", Low},                    // too short to tell
		{policy.NPM, "stormclaud", false, "", Low},                 // npm keeps its download tiers
		{policy.PyPI, "clodkt", true, FamilyDistance2, High},       // two edits of a top-100 target into a non-word
		{policy.PyPI, "lodkit", false, "", Low},                    // ... with its first letter kept
		{policy.PyPI, "clodst", false, "", Low},                    // a top-1,000 target is no top-100 one
		{policy.PyPI, "cldkt", false, "", Low},                     // five letters are too short
	}
	for _, tc := range tests {
		m, ok := ix.Typosquat(tc.eco, tc.name)
		if ok != tc.flagged || (ok && (m.Family != tc.family || m.Confidence != tc.conf)) {
			t.Errorf("Typosquat(%s, %q) = %+v, %v; want flagged %v (%s, %v)", tc.eco, tc.name, m, ok, tc.flagged, tc.family, tc.conf)
		}
	}
}

// TestRound3Families: the families added from the second collection's
// misses, on made-up corpora. npm: a changed, added or dropped first
// letter only warns; a run of letters inserted inside a one-word name of
// a very popular package warns; a tool word glued to a correctly spelt
// middle-tier package warns. PyPI: one loose edit inside a word of a long
// name, and a dropped plural "s" of a 7+ letter name, block on the top
// 1,000.
func TestRound3Families(t *testing.T) {
	t.Parallel()
	c := &Corpus{
		NPM: []Entry{{Name: "jest-cli", Monthly: 20_000_000}, {Name: "winston", Monthly: 20_000_000},
			{Name: "bail", Monthly: 20_000_000}, {Name: "kafkaclient", Monthly: 5_000_000},
			{Name: "smallclient", Monthly: 200_000}},
		PyPI: []Entry{{Name: "flask", Rank: 100}, {Name: "winston", Rank: 100}, {Name: "stormcloud", Rank: 500},
			{Name: "gustybreeze", Rank: 600}, {Name: "thunderclaps", Rank: 700}, {Name: "gusts", Rank: 800}},
	}
	ix := NewIndex(c)
	none := Confidence(0)
	tests := []struct {
		eco    policy.Ecosystem
		name   string
		target string
		want   Confidence
	}{
		{policy.NPM, "nest-cli", "jest-cli", Low},            // first letter changed
		{policy.NPM, "ajest-cli", "jest-cli", Low},           // first letter added
		{policy.NPM, "ejst-cli", "jest-cli", High},           // first two letters swapped: still a slip
		{policy.NPM, "jest-clu", "jest-cli", High},           // a slip elsewhere still blocks
		{policy.PyPI, "glask", "flask", High},                // PyPI keeps first-letter slips
		{policy.NPM, "windowston", "winston", Low},           // a run inserted inside the name
		{policy.NPM, "winstonabc", "", none},                 // appended at the end: not this family
		{policy.NPM, "wi-dow-nston", "", none},               // several words: not this family
		{policy.NPM, "baxyzil", "", none},                    // a four-letter target is too short
		{policy.PyPI, "windowston", "", none},                // npm only
		{policy.NPM, "kafkaclient-lint", "kafkaclient", Low}, // tool word, middle tier
		{policy.NPM, "smallclient-lint", "", none},           // ... but not below it
		{policy.PyPI, "stormclaud", "stormcloud", High},      // a loose edit inside a word, top 1,000
		{policy.PyPI, "stormcloudz", "stormcloud", Low},      // at the name's end
		{policy.PyPI, "thunderclap", "thunderclaps", High},   // the "s" of a top-1,000 name dropped
		{policy.PyPI, "gust", "gusts", Low},                  // ... a short name only warns
		{policy.PyPI, "gustybreezo", "gustybreeze", Low},     // the last letter changed
	}
	for _, tc := range tests {
		m, ok := ix.Typosquat(tc.eco, tc.name)
		if tc.want == none {
			if ok {
				t.Errorf("Typosquat(%s, %q) = %+v; want no match", tc.eco, tc.name, m)
			}
			continue
		}
		if !ok || m.Target != tc.target || m.Confidence != tc.want {
			t.Errorf("Typosquat(%s, %q) = %+v, %v; want %s %v", tc.eco, tc.name, m, ok, tc.target, tc.want)
		}
	}
}

// TestWordEdits: what an edit makes of the target's word grades it. An
// edit that makes a word of package naming (a token of wordMinNames or
// more corpus names) only warns; one that makes a token no corpus name
// has blocks as before, and on the top-100 PyPI projects even a loose
// edit into such a token blocks, unless the token is words glued
// together. An "x-node" name is a port's, like "node-x": it warns. Every
// candidate is absent from the made-up corpus (left out, as a new
// package would be).
func TestWordEdits(t *testing.T) {
	t.Parallel()
	c := &Corpus{
		NPM: []Entry{
			{Name: "cookie-parser", Monthly: 50_000_000, Role: RoleTarget},
			{Name: "prisma", Monthly: 30_000_000, Role: RoleTarget},
			{Name: "lodash", Monthly: 90_000_000, Role: RoleTarget},
		},
		PyPI: []Entry{{Name: "requests", Rank: 5}, {Name: "colorama", Rank: 40}},
	}
	// names that make "parse", "prism", "req" and "west" words, spread
	// over both ecosystems (words count across them)
	for i := range wordMinNames {
		c.NPM = append(c.NPM,
			Entry{Name: fmt.Sprintf("parse-thing%d", i), Monthly: 500, Role: RoleKnown},
			Entry{Name: fmt.Sprintf("prism-theme%d", i), Monthly: 500, Role: RoleKnown})
		c.PyPI = append(c.PyPI,
			Entry{Name: fmt.Sprintf("req-tool%d", i), Rank: 8000 + 2*i},
			Entry{Name: fmt.Sprintf("west-data%d", i), Rank: 8001 + 2*i})
	}
	ix := NewIndex(c)
	tests := []struct {
		eco    policy.Ecosystem
		name   string
		target string
		conf   Confidence
	}{
		{policy.NPM, "cookie-parse", "cookie-parser", Low}, // "parse" is a word
		{policy.NPM, "cookie-parsr", "cookie-parser", High},
		{policy.NPM, "prism", "prisma", Low},
		{policy.NPM, "prsima", "prisma", High},
		{policy.NPM, "lodash-node", "lodash", Low}, // a port's name
		{policy.NPM, "lodash-js", "lodash", High},
		{policy.PyPI, "reqest", "requests", High},   // two edits into a non-word
		{policy.PyPI, "colorona", "colorama", High}, // ... first and last letters kept
		{policy.PyPI, "reqwest", "requests", Low},   // "req" and "west" glued
		{policy.PyPI, "request", "requests", High},  // the plural rule keeps its grade
	}
	for _, tc := range tests {
		m, ok := ix.Typosquat(tc.eco, tc.name)
		if !ok || m.Target != tc.target || m.Confidence != tc.conf {
			t.Errorf("Typosquat(%s, %q) = %+v, %v; want %s (%v)", tc.eco, tc.name, m, ok, tc.target, tc.conf)
		}
	}
}

func TestTokensAndGluedWords(t *testing.T) {
	t.Parallel()
	var dst [3][2]int
	n, all := tokensOf("@scope/a-b_c", dst[:])
	if n != 3 || all {
		t.Errorf("tokensOf(@scope/a-b_c) into 3 = %d, %v; want 3, false", n, all)
	}
	n, all = tokensOf("x..y", dst[:])
	if n != 2 || !all || dst[1] != [2]int{3, 4} {
		t.Errorf("tokensOf(x..y) = %d %v %v; want 2 tokens, the second [3 4]", n, all, dst[:n])
	}
	c := &Corpus{NPM: []Entry{{Name: "face", Monthly: 50_000_000, Role: RoleTarget}}}
	for i := range wordMinNames {
		c.NPM = append(c.NPM, Entry{Name: fmt.Sprintf("face-%d", i), Monthly: 500, Role: RoleKnown},
			Entry{Name: fmt.Sprintf("lock-%d", i), Monthly: 500, Role: RoleKnown})
	}
	e := NewIndex(c).eco(policy.NPM)
	for tok, want := range map[string]bool{"facelock": true, "lockface": true, "face": false, "facelo": false, "facelocks": false} {
		if got := e.gluedWords([]byte(tok)); got != want {
			t.Errorf("gluedWords(%q) = %v, want %v", tok, got, want)
		}
	}
	if got := e.wordCount([]byte("face")); got != wordMinNames+1 {
		t.Errorf("wordCount(face) = %d, want %d", got, wordMinNames+1)
	}
}

// TestShortTargetAffixes: an ecosystem affix with a separator on a 2–3
// letter target blocks (npm: a suffix) when the target is in the block
// tier; a port's prefix warns; glued without a separator, or on a lesser
// target, nothing (legitimate names are made so: "vuejs", "nextjs").
func TestShortTargetAffixes(t *testing.T) {
	t.Parallel()
	c := &Corpus{
		NPM: []Entry{
			{Name: "zed", Monthly: 50_000_000, Role: RoleTarget},
			{Name: "qux", Monthly: 2_000_000, Role: RoleTarget},
		},
		PyPI: []Entry{{Name: "abc", Rank: 10}, {Name: "xyz", Rank: 3000}},
	}
	ix := NewIndex(c)
	tests := []struct {
		eco     policy.Ecosystem
		name    string
		flagged bool
		conf    Confidence
	}{
		{policy.NPM, "zed.js", true, High},
		{policy.NPM, "zed-js", true, High},
		{policy.NPM, "node-zed", true, Low},
		{policy.NPM, "zedjs", false, Low},
		{policy.NPM, "qux.js", false, Low},
		{policy.PyPI, "python-abc", true, High},
		{policy.PyPI, "abc-py", true, High},
		{policy.PyPI, "python-xyz", false, Low},
	}
	for _, tc := range tests {
		m, ok := ix.Typosquat(tc.eco, tc.name)
		if ok != tc.flagged || (ok && (m.Family != FamilyAffix || m.Confidence != tc.conf)) {
			t.Errorf("Typosquat(%s, %q) = %+v, %v; want flagged %v (affix, %v)", tc.eco, tc.name, m, ok, tc.flagged, tc.conf)
		}
	}
}

// A name with an ecosystem affix at both ends is read both ways: behind a
// port's prefix, and as a target with a suffix ("node-widget.js" copies
// node-widget). Between equally strong matches, a target with the very
// same letters comes first ("nodewidget" is node-widget unpunctuated, not
// widget with a prefix), whatever their popularity. Every candidate is
// absent from its corpus.
func TestAffixAtBothEndsAndSameLetterTargets(t *testing.T) {
	t.Parallel()
	c := &Corpus{NPM: []Entry{
		{Name: "widget", Monthly: 90_000_000, Role: RoleTarget},
		{Name: "node-widget", Monthly: 20_000_000, Role: RoleTarget},
		{Name: "gadget", Monthly: 50_000_000, Role: RoleTarget},
		{Name: "left-pad-ish", Monthly: 900, Role: RoleKnown},
	}}
	ix := NewIndex(c)
	tests := []struct {
		name    string
		flagged bool
		target  string
		family  string
		conf    Confidence
	}{
		{"node-widget.js", true, "node-widget", FamilyAffix, High},
		{"node-widget-js", true, "node-widget", FamilyAffix, High},
		// only the port reading exists: a warning, as before
		{"node-gadget", true, "gadget", FamilyAffix, Low},
		// no target either way
		{"node-sprocket.js", false, "", "", Low},
		// same letters first
		{"nodewidget", true, "node-widget", FamilySeparator, Low},
		{"node.widget", true, "node-widget", FamilySeparator, Low},
	}
	for _, tc := range tests {
		m, ok := ix.Typosquat(policy.NPM, tc.name)
		if ok != tc.flagged || (ok && (m.Target != tc.target || m.Family != tc.family || m.Confidence != tc.conf)) {
			t.Errorf("Typosquat(npm, %q) = %+v, %v; want flagged %v (%s, %s, %v)", tc.name, m, ok, tc.flagged, tc.target, tc.family, tc.conf)
		}
	}
}

func TestPluralWords(t *testing.T) {
	t.Parallel()
	c := &Corpus{PyPI: []Entry{
		{Name: "widget-resources", Rank: 300, Role: RoleTarget},
		{Name: "gadgetvision", Rank: 600, Role: RoleTarget},
		{Name: "open-sprocket-torch", Rank: 2600, Role: RoleTarget},
		{Name: "glass-tools", Rank: 800, Role: RoleTarget},
	}, NPM: []Entry{
		{Name: "file-exists", Monthly: 30_000, Role: RoleTarget},
		{Name: "number-parser", Monthly: 20_000_000, Role: RoleTarget},
	}}
	ix := NewIndex(c)
	tests := []struct {
		eco     policy.Ecosystem
		name    string
		flagged bool
		target  string
		family  string
		conf    Confidence
	}{
		// the plural "s" of an inner word, of a ranked PyPI project past
		// the block tier
		{policy.PyPI, "open-sprockets-torch", true, "open-sprocket-torch", FamilyPlural, Low},
		// two words' plural "s" changed
		{policy.PyPI, "widgets-resource", true, "widget-resources", FamilyPlural, Low},
		{policy.PyPI, "gadgets-visions", true, "gadgetvision", FamilyPlural, Low},
		// a doubled "s" is no plural: "glas" is not "glass" singular
		{policy.PyPI, "glas-tools", true, "glass-tools", FamilyOmission, High},
		// a different word besides the plural is no plural variant
		{policy.PyPI, "open-sprockets-torchy", false, "", "", Low},
		// npm: a loose resemblance to a little-used name stays noise;
		// on a popular one it warns
		{policy.NPM, "files-exist", false, "", "", Low},
		{policy.NPM, "numbers-parsers", true, "number-parser", FamilyPlural, Low},
	}
	for _, tc := range tests {
		m, ok := ix.Typosquat(tc.eco, tc.name)
		if ok != tc.flagged || (ok && (m.Target != tc.target || m.Family != tc.family || m.Confidence != tc.conf)) {
			t.Errorf("Typosquat(%s, %q) = %+v, %v; want flagged %v (%s, %s, %v)", tc.eco, tc.name, m, ok, tc.flagged, tc.target, tc.family, tc.conf)
		}
	}
}
