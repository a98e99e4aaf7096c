// Package secrets implements the SEC rules of `vigil-proxy scan`: the
// secret mistakes that AI assistants make and that entropy scanners are not
// built for — placeholders and publicly known tutorial keys (SEC-001),
// low-entropy secrets (SEC-002), connection strings with inline passwords
// (SEC-003), environment lookups with secret fallbacks (SEC-004), secret
// files that no .gitignore covers (SEC-005) and values copied from
// .env.example (SEC-006). Code is judged on its syntax tree (Python,
// JavaScript, TypeScript); configuration files (.env, YAML, JSON, TOML,
// INI) with ordinary parsers. Findings never print a whole secret.
package secrets

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// Options configure the analyzer.
type Options struct {
	// KnownPublicSecrets and PlaceholderPatterns extend the shipped lists
	// (.vigil.yaml known_public_secrets, placeholder_patterns).
	KnownPublicSecrets  []string
	PlaceholderPatterns []string
}

// OptionsFromConfig takes the list extensions from a scan configuration.
func OptionsFromConfig(c *scanner.Config) Options {
	if c == nil {
		return Options{}
	}
	return Options{KnownPublicSecrets: c.KnownPublicSecrets, PlaceholderPatterns: c.PlaceholderPatterns}
}

// Analyzer raises the SEC rules. A value serves one scan.
type Analyzer struct {
	lists *lists

	// examples maps a secret-ish key of the .env.example files to the
	// values they show; exampleValues holds every such value (SEC-006).
	examples      map[string]map[string]bool
	exampleValues map[string]bool
	exampleFiles  []string

	mu      sync.Mutex
	guards  map[string]bool // string literals the code compares secrets against
	gprefix []string        // prefixes the code checks with startswith
	pending []pendingFinding
	jsonSA  []string // JSON files that are service-account keys (SEC-005)
	notGit  bool
	// unparsed are production code files NeedsTree declined: Finish
	// parses those that may guard a pending finding's value.
	unparsed []unparsedCode
}

type unparsedCode struct {
	path string
	lang treesitter.Lang
}

// pendingFinding is a SEC-001 finding kept until Finish, when every guard
// of the project is known.
type pendingFinding struct {
	f     scanner.Finding
	value string
}

// New returns a fresh analyzer; an invalid user placeholder pattern is an
// error.
func New(opts Options) (*Analyzer, error) {
	l, err := loadLists(opts.KnownPublicSecrets, opts.PlaceholderPatterns)
	if err != nil {
		return nil, err
	}
	return &Analyzer{
		lists: l, examples: map[string]map[string]bool{}, exampleValues: map[string]bool{},
		guards: map[string]bool{},
	}, nil
}

// ListsVersion is the version of the shipped secret lists.
func (a *Analyzer) ListsVersion() int { return a.lists.Version }

// Rules lists the SEC rules.
func (a *Analyzer) Rules() []scanner.RuleInfo { return AllRules() }

// fileKind is how the analyzer reads a file.
type fileKind int

const (
	kindNone fileKind = iota
	kindCode
	kindDotenv
	kindDotenvExample
	kindYAML
	kindJSON
	kindTOML
	kindINI
)

var skippedConfigNames = set("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
	"composer.lock", "pipfile.lock", "poetry.lock", "uv.lock", "cargo.lock", "gemfile.lock", "bun.lockb",
	".eslintrc.json", "tsconfig.json", "jsconfig.json", "renovate.json", ".prettierrc.json", "lerna.json")

func kindOf(p string) fileKind {
	base := strings.ToLower(path.Base(p))
	if treesitter.LangForPath(p) != treesitter.None && !strings.HasSuffix(base, ".pyi") {
		return kindCode
	}
	if isEnvExample(base) {
		return kindDotenvExample
	}
	if isDotenv(base) {
		return kindDotenv
	}
	if skippedConfigNames[base] || strings.HasSuffix(base, ".lock") {
		return kindNone
	}
	switch path.Ext(base) {
	case ".yaml", ".yml":
		return kindYAML
	case ".json":
		if strings.HasSuffix(base, ".map.json") || strings.HasSuffix(base, ".min.json") {
			return kindNone
		}
		return kindJSON
	case ".toml":
		return kindTOML
	case ".ini", ".cfg":
		return kindINI
	}
	if base == ".pypirc" {
		return kindINI
	}
	return kindNone
}

// isDotenv: .env, .env.local, .env.production, prod.env …
func isDotenv(base string) bool {
	return base == ".env" || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env") && base != "env"
}

var exampleMarkers = []string{"example", "sample", "template", "dist", "defaults", "schema", "tpl", "tmpl"}

// isEnvExample: .env.example, .env.sample, .env.template, .env.dist,
// example.env, .env.local.example …
func isEnvExample(base string) bool {
	if !isDotenv(base) {
		return false
	}
	for _, part := range strings.Split(base, ".") {
		for _, m := range exampleMarkers {
			if part == m {
				return true
			}
		}
	}
	return false
}

// Wants takes code and configuration files (example files are read once,
// by Prepare).
func (a *Analyzer) Wants(p string) bool {
	k := kindOf(p)
	return k != kindNone && k != kindDotenvExample
}

// NeedsTree lets the engine skip parsing code in which no SEC rule can
// find anything (see mayHoldSecret).
func (a *Analyzer) NeedsTree(p string, content []byte) bool {
	return mayHoldSecret(treesitter.LangForPath(p), content)
}

// Analyze judges one file.
func (a *Analyzer) Analyze(ctx context.Context, f *scanner.File) ([]scanner.Finding, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fs := &fileScan{a: a, f: f, consumed: map[int]bool{}}
	switch kindOf(f.Path) {
	case kindCode:
		if f.Tree == nil {
			if f.ParseErr == nil && !f.Test {
				// Declined by NeedsTree: it raises nothing, but its
				// comparisons may guard a placeholder found elsewhere.
				a.mu.Lock()
				a.unparsed = append(a.unparsed, unparsedCode{path: f.Path, lang: f.Lang})
				a.mu.Unlock()
			}
			return nil, nil // or the engine reported the parse error
		}
		if f.Tree.Lang() == treesitter.Python {
			fs.python(f.Tree.Root())
		} else {
			fs.javascript(f.Tree.Root())
		}
	case kindDotenv:
		fs.config(parseDotenv(f.Content), true)
	case kindYAML:
		es, err := parseYAML(f.Content)
		fs.config(es, false)
		if err != nil && !bytes.Contains(f.Content, []byte("{{")) {
			// Templated YAML (Helm, Jinja) is not YAML until rendered: what
			// parsed is judged, and the rest is not an error to report.
			return fs.out, fmt.Errorf("secrets: %w", err)
		}
	case kindJSON:
		if isServiceAccountJSON(f.Content) {
			a.mu.Lock()
			a.jsonSA = append(a.jsonSA, f.Path)
			a.mu.Unlock()
		}
		es, err := parseJSON(f.Content)
		fs.config(es, false)
		if err != nil {
			return fs.out, fmt.Errorf("secrets: %w", err)
		}
	case kindTOML:
		es, err := parseTOML(f.Content)
		fs.config(es, false)
		if err != nil {
			return fs.out, fmt.Errorf("secrets: %w", err)
		}
	case kindINI:
		fs.config(parseINI(f.Content), false)
	}
	return fs.out, nil
}

// fileScan is the state of one file's analysis.
type fileScan struct {
	a   *Analyzer
	f   *scanner.File
	out []scanner.Finding
	// consumed are the start offsets of literals already reported, so the
	// connection-string pass does not report them twice.
	consumed map[int]bool
	imports  map[string]string
}

// loc is a finding's place.
type loc struct{ line, col, endLine, endCol int }

// holdsScheme: n's source holds "://", as every connection string in it
// does (literals are n's text between quotes, escapes left as they are).
func (fs *fileScan) holdsScheme(n treesitter.Node) bool {
	return bytes.Contains(fs.f.Content[n.StartByte():n.EndByte()], []byte("://"))
}

func nodeLoc(n treesitter.Node) loc {
	return loc{n.Line(), n.Column(), n.EndLine(), n.EndColumn()}
}

func (fs *fileScan) lineLoc(line int) loc {
	if line <= 0 {
		return loc{}
	}
	return loc{line, 1, line, len(fs.f.Line(line)) + 1}
}

// emit records a finding, one level lower in test files and fixtures, with
// the secret redacted from the snippet.
func (fs *fileScan) emit(rule scanner.RuleInfo, sev scanner.Severity, at loc, msg, secret string) scanner.Finding {
	if fs.f.Test {
		sev = sev.Lower()
		msg += " (in a test file or fixture)"
	}
	fd := scanner.Finding{
		Rule: rule.ID, Severity: sev, Path: fs.f.Path,
		Line: at.line, Column: at.col, EndLine: at.endLine, EndColumn: at.endCol,
		Message: msg,
	}
	if at.line > 0 {
		fd.Snippet = redactLine(fs.f.Line(at.line), secret, at.col)
	}
	return fd
}

func (fs *fileScan) add(rule scanner.RuleInfo, sev scanner.Severity, at loc, msg, secret string) {
	fs.out = append(fs.out, fs.emit(rule, sev, at, msg, secret))
}

// site is a literal that reaches a secret name or a secret sink.
type site struct {
	name     string // the name it is assigned to ("" for a sink argument)
	strength nameStrength
	sink     string // e.g. "jwt.encode" ("" for a name)
	minLen   int    // minimum length the sink needs (HS256: 32)
	value    string // the literal's source text between its quotes
	at       loc
	start    int  // byte offset (code) for de-duplication; -1 for config
	inCall   bool // the literal sits in a call's arguments
	// exampleChecked: the caller already compared the value with the
	// .env.example file of its key (SEC-006)
	exampleChecked bool
}

// judge applies SEC-001 or SEC-002 (one of them per literal) to a literal
// reaching a secret name or sink, and SEC-006 besides when the value is the
// one a committed .env.example shows.
func (fs *fileScan) judge(s site) {
	a := fs.a
	v := s.value
	what := "the key passed to " + s.sink
	if s.name != "" {
		what = s.name
	}
	if s.name == "" && s.sink == "" || strings.TrimSpace(v) == "" {
		return
	}
	t := strings.TrimSpace(v)
	copied := !s.exampleChecked && len(t) >= 6 && a.exampleValues[t]
	defer func() {
		if copied {
			fs.add(RuleExampleCopy, RuleExampleCopy.Severity, s.at,
				fmt.Sprintf("%s has the value %q shown in the committed %s", what, redact(v), a.exampleName()), v)
			fs.consume(s.start)
		}
	}()
	if a.lists.isKnownPublic(v) || a.lists.isKnownPublic(t) {
		fd := fs.emit(RulePlaceholder, RulePlaceholder.Severity, s.at,
			fmt.Sprintf("%s is set to a publicly known secret %q (printed by documentation or tutorials)", what, redact(v)), v)
		fs.defer1(fd, v, s.start)
		return
	}
	if obviousNonSecret(t, s.name) {
		copied = false
		return
	}
	if isMask(t) && s.inCall {
		copied = false
		return // a redaction mask handed to a logger, not a placeholder
	}
	if a.lists.isPlaceholder(t) && (s.strength != weakName || weakNamePlaceholder(t, s.name)) {
		fd := fs.emit(RulePlaceholder, RulePlaceholder.Severity, s.at,
			fmt.Sprintf("%s is set to the placeholder %q", what, redact(v)), v)
		fs.defer1(fd, v, s.start)
		return
	}
	if s.sink == "" && notASecretValue(t, s.name) || s.sink != "" && notASecretArgument(t) {
		copied = false
		return
	}
	if s.sink == "" && s.strength != strongName {
		return
	}
	if fs.f.Test && s.inCall && s.sink == "" {
		// a weak value a test passes to a call (a login form, a fixture
		// archive's password) is test input, not the application's secret
		return
	}
	password := false
	for _, w := range nameWords(s.name) {
		if w == "password" || w == "passwd" || w == "pwd" || w == "passphrase" || w == "pass" || w == "passcode" {
			password = true
		}
	}
	minLen := 16
	if s.minLen > 0 {
		minLen = s.minLen
	}
	if why := a.lists.weakness(t, password, minLen); why != "" {
		fs.add(RuleLowEntropy, RuleLowEntropy.Severity, s.at,
			fmt.Sprintf("%s is set to a weak secret %q: %s", what, redact(v), why), v)
		fs.consume(s.start)
	}
}

// obviousNonSecret are values that are not secrets even when a placeholder
// pattern would match them: templates, URLs, paths, token-type words, and a
// constant whose value is its own name.
func obviousNonSecret(t, name string) bool {
	lt := strings.ToLower(t)
	return tokenTypeWords[lt] || templateRE.MatchString(t) || strings.Contains(t, "://") ||
		strings.HasPrefix(t, "/") || strings.HasPrefix(t, "./") || fileExtRE.MatchString(t) ||
		normalizeIdent(t) == normalizeIdent(name) || !hasAlnum(t) && !strings.Contains(t, "***")
}

func (fs *fileScan) defer1(fd scanner.Finding, v string, start int) {
	fs.consume(start)
	fs.a.mu.Lock()
	fs.a.pending = append(fs.a.pending, pendingFinding{f: fd, value: v})
	fs.a.mu.Unlock()
}

func (fs *fileScan) consume(start int) {
	if start >= 0 {
		fs.consumed[start] = true
	}
}

func (a *Analyzer) exampleName() string {
	if len(a.exampleFiles) == 1 {
		return a.exampleFiles[0]
	}
	return ".env.example"
}

// connString reports SEC-003 (or SEC-001 for a placeholder password) for a
// literal holding URL credentials.
func (fs *fileScan) connString(v string, at loc, start int) {
	if start >= 0 && fs.consumed[start] {
		return
	}
	for _, c := range fs.a.lists.findConnStrings(v) {
		fs.consume(start)
		where := "remote host"
		sev := RuleConnString.Severity
		if c.local {
			where = "local host"
			sev = scanner.Low
		}
		if c.placeholder {
			if webScheme(c.scheme) {
				continue // user:pass@ in a web URL is an example, not a credential
			}
			fd := fs.emit(RulePlaceholder, sev, at,
				fmt.Sprintf("%s connection string for a %s carries the placeholder password %q", c.scheme, where, redact(c.password)), c.password)
			fs.out = append(fs.out, fd)
			continue
		}
		fs.add(RuleConnString, sev, at,
			fmt.Sprintf("%s connection string for a %s carries an inline password %q", c.scheme, where, redact(c.password)), c.password)
	}
}

// envDefault reports SEC-004 for a secret environment variable read with a
// literal fallback, and SEC-006 when the fallback is the .env.example value.
func (fs *fileScan) envDefault(key, expr, value string, at loc, start int) {
	t := strings.TrimSpace(value)
	if t == "" || tokenTypeWords[strings.ToLower(t)] || templateRE.MatchString(t) {
		return
	}
	secretKey := classifyName(key) != notSecret
	conns := fs.a.lists.findConnStrings(t)
	dsnKey := false
	for _, w := range nameWords(key) {
		if w == "dsn" || w == "url" || w == "uri" {
			dsnKey = true
		}
	}
	if !secretKey && !(dsnKey && len(conns) > 0) {
		return
	}
	if secretKey && len(conns) == 0 && (strings.Contains(t, "://") || strings.HasPrefix(t, "/") || fileExtRE.MatchString(t)) {
		return
	}
	secret := t
	if len(conns) > 0 {
		secret = conns[0].password
	}
	sev := RuleEnvDefault.Severity
	note := ""
	switch {
	case fs.a.lists.isKnownPublic(value) || fs.a.lists.isKnownPublic(t):
		sev = scanner.Critical
		note = "; the fallback is a publicly known secret"
	case fs.a.lists.isPlaceholder(t):
		note = "; the fallback is a placeholder"
	}
	fs.consume(start)
	fs.add(RuleEnvDefault, sev, at,
		fmt.Sprintf("%s falls back to the hard-coded value %q when the variable is unset%s", expr, redact(secret), note), secret)
	if fs.a.examples[key][t] {
		fs.add(RuleExampleCopy, RuleExampleCopy.Severity, at,
			fmt.Sprintf("the fallback of %s is the value %q shown in the committed %s", key, redact(t), fs.a.exampleName()), t)
	}
}

// config judges the settings of a configuration file.
func (fs *fileScan) config(es []entry, dotenv bool) {
	for _, e := range es {
		if documentationPath(e.Path) {
			continue // OpenAPI and schema examples document a value, they do not set one
		}
		at := fs.lineLoc(e.Line)
		if at.line == 0 {
			at = fs.lineLoc(1)
		}
		before := len(fs.out)
		fs.connString(e.Value, at, -1)
		if len(fs.out) > before {
			continue
		}
		st := classifyName(e.Key)
		if st == notSecret {
			continue
		}
		checked := false
		if dotenv && fs.a.examples[e.Key][strings.TrimSpace(e.Value)] && strings.TrimSpace(e.Value) != "" {
			fs.add(RuleExampleCopy, RuleExampleCopy.Severity, at,
				fmt.Sprintf("%s has the value %q shown in the committed %s", e.Key, redact(e.Value), fs.a.exampleName()), e.Value)
			checked = true
		}
		fs.judge(site{name: e.Key, strength: st, value: e.Value, at: at, start: -1, exampleChecked: checked})
	}
}

// addGuard records a literal the code compares a value against (a
// settings validator rejecting placeholders downgrades SEC-001).
func (fs *fileScan) addGuard(v string, prefix bool) {
	if fs.f.Test || strings.TrimSpace(v) == "" || prefix && len(v) < 4 {
		return // tests assert values; they do not guard production
	}
	fs.a.mu.Lock()
	defer fs.a.mu.Unlock()
	if prefix {
		fs.a.gprefix = append(fs.a.gprefix, v)
		return
	}
	fs.a.guards[v] = true
}

// Finish applies guards to the SEC-001 findings and reports secret files
// (SEC-005) and ignored .env files copied from the example (SEC-006).
func (a *Analyzer) Finish(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	out, err := a.loadGuards(ctx, p)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	for _, pf := range a.pending {
		fd := pf.f
		if a.guarded(pf.value) {
			fd.Severity = fd.Severity.Lower()
			fd.Message += " (downgraded: the code checks for this value)"
		}
		out = append(out, fd)
	}
	a.pending = nil
	a.mu.Unlock()
	files, err := a.secretFiles(ctx, p)
	out = append(out, files...)
	out = append(out, a.ignoredEnvCopies(p)...)
	return out, err
}

// loadGuards parses the declined files that may hold a guard of a pending
// finding — a quoted literal equal to its value, or a startswith/startsWith
// check and a quoted literal sharing the value's first four characters —
// and walks them as the engine would have, so that guards are the same as
// when every file is parsed.
func (a *Analyzer) loadGuards(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	var values []string
	for _, pf := range a.pending {
		if !a.guarded(pf.value) {
			values = append(values, pf.value)
		}
	}
	if len(values) == 0 || len(a.unparsed) == 0 {
		return nil, nil
	}
	parser := treesitter.NewParser()
	defer parser.Close()
	var out []scanner.Finding
	for _, u := range a.unparsed {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		content, err := p.ReadFile(u.path)
		if err != nil || !mayGuard(content, values) {
			continue
		}
		tree, err := parser.Parse(ctx, u.lang, content)
		if err != nil {
			continue
		}
		fs := &fileScan{a: a, f: &scanner.File{Path: u.path, Content: content, Lang: u.lang, Tree: tree, Project: p}, consumed: map[int]bool{}}
		if u.lang == treesitter.Python {
			fs.python(tree.Root())
		} else {
			fs.javascript(tree.Root())
		}
		tree.Close()
		out = append(out, fs.out...)
	}
	return out, nil
}

// mayGuard: b may hold a guard of one of the values (see loadGuards).
func mayGuard(b []byte, values []string) bool {
	prefixCheck := bytes.Contains(b, []byte("startswith")) || bytes.Contains(b, []byte("startsWith"))
	for _, v := range values {
		for _, q := range []string{`"`, "'", "`"} {
			for _, w := range []string{v, strings.TrimSpace(v)} {
				if bytes.Contains(b, []byte(q+w+q)) {
					return true
				}
			}
			if prefixCheck && len(v) >= 4 && bytes.Contains(b, []byte(q+v[:4])) {
				return true
			}
		}
	}
	return false
}

func (a *Analyzer) guarded(v string) bool {
	if a.guards[v] || a.guards[strings.TrimSpace(v)] {
		return true
	}
	for _, pre := range a.gprefix {
		if pre != "" && strings.HasPrefix(v, pre) {
			return true
		}
	}
	return false
}

func webScheme(s string) bool {
	return s == "http" || s == "https" || s == "ftp" || s == "ftps"
}

// Notes says when SEC-005 could not judge ignore status.
func (a *Analyzer) Notes() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.notGit {
		return []string{"SEC-005 not checked: the scan root is not in a git work tree, so no file can be committed by mistake"}
	}
	return nil
}

// documentationPath: a setting under an example/sample key of a config
// document (OpenAPI `example:`, JSON Schema `examples`).
func documentationPath(p string) bool {
	for _, seg := range strings.Split(strings.ToLower(p), ".") {
		switch seg {
		case "example", "examples", "sample", "samples", "x-example", "x-examples":
			return true
		}
	}
	return false
}

// weakNamePlaceholder: a name like "token" or "salt" is also a lexer token
// or a pagination field, so its placeholder must say it stands for a
// secret ("<your-token>", "changeme", "xxxx") and not be the name itself
// (input_token = "token").
func weakNamePlaceholder(t, name string) bool {
	lt := strings.ToLower(t)
	ws := nameWords(name)
	if len(ws) > 0 && normalizeIdent(t) == ws[len(ws)-1] {
		return false
	}
	for _, w := range []string{"secret", "token", "key", "pass", "pwd", "your", "change", "replace", "insert", "here", "xxx", "***", "todo", "salt"} {
		if strings.Contains(lt, w) {
			return true
		}
	}
	return false
}

// KnownPublic reports whether a literal's source text is on the shipped
// known-public list (values documentation and tutorials print) or the
// configuration's additions. It is shared with AUTH-004, so that both rule
// families judge "publicly known" from one versioned list.
func (a *Analyzer) KnownPublic(v string) bool { return a.lists.isKnownPublic(v) }
