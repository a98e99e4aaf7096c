package main

import (
	"strings"
	"testing"
)

// A value of the wrong type, or a key the file does not know, is an error
// naming the file, the line and the dotted key, in the file's terms (no Go
// type names); a fractional number is never truncated into an integer
// setting, and a misspelt key inside an allow/deny entry (which decodes
// itself) is as much an error as anywhere else.
func TestConfigFileTypeErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"audit:\n  retention_days: 1.5\n", `line 2: audit.retention_days: want a whole number, got "1.5"`},
		{"cache:\n  max_memory_mb: lots\n", `line 2: cache.max_memory_mb: want a whole number, got "lots"`},
		{"cache:\n  ttl: soon\n", `line 2: cache.ttl: invalid duration "soon"`},
		{"store:\n  max_stale: {minutes: 5}\n", `line 2: store.max_stale: want a single value, got a mapping`},
		{"cache:\n  artifacts_max_size: huge\n", `line 2: cache.artifacts_max_size: want a size such as 10GiB`},
		{"cache: 5\n", `line 1: cache: want a mapping of settings (ttl, negative_ttl,`},
		{"metrics:\n  enabled: yes please\n", `line 2: metrics.enabled: want true or false, got "yes please"`},
		{"pypi:\n  file_hosts: files.pythonhosted.org\n", `line 2: pypi.file_hosts: want a list`},
		{"npm:\n  tarball_hosts:\n    - registry.npmjs.org\n    - {host: x}\n", `line 4: npm.tarball_hosts[1]: want a single value, got a mapping`},
		{"rules:\n  actions: [DEP-005]\n", `line 2: rules.actions: want a mapping (KEY: VALUE), got a list`},
		{"listen: {host: 0.0.0.0}\n", `line 1: listen: want a single value, got a mapping`},
		{"- listen\n", `line 1: want a mapping of settings`},
		{"allow:\n  - npm:ok\n  - pypi\n", `line 3: allow[1]: list entry "pypi": want ECOSYSTEM:NAME`},
		{"allow:\n  - {ecosystem: pypi, name: foo, version: \"==1.0\"}\n", `line 2: unknown key allow[0].version (did you mean versions?)`},
		{"deny:\n  - {ecosystem: npm, name: [a, b]}\n", `line 2: deny[0].name: want a single value, got a list`},
		{"stratgy: strict\n", `line 1: unknown key stratgy (did you mean strategy?)`},
		{"cache:\n  zzz: 1\n", `line 2: unknown key cache.zzz (deploy/config.example.yaml lists every key)`},
	} {
		path := writeFile(t, "c.yaml", tc.doc)
		_, err := loadConfig(path, envMap(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("config %q: error %v, want one naming %s and containing %q", tc.doc, err, path, tc.want)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "main.") || strings.Contains(msg, "!!") || strings.Contains(msg, "int64") {
			t.Errorf("config %q: error %q speaks Go or YAML internals", tc.doc, msg)
		}
	}
}

// Every problem in a file is reported at once, so one edit fixes them all.
func TestConfigFileReportsEveryTypeError(t *testing.T) {
	path := writeFile(t, "c.yaml", "cache:\n  max_memory_mb: lots\n  ttl: soon\nmetrics:\n  enabled: maybe\n")
	_, err := loadConfig(path, envMap(nil))
	for _, key := range []string{"cache.max_memory_mb", "cache.ttl", "metrics.enabled"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("error %v does not name %s", err, key)
		}
	}
}

// Well-formed files of every shape the README shows still load: the type
// check is no stricter than the types.
func TestConfigFileTypeCheckAcceptsValidForms(t *testing.T) {
	doc := `listen: 127.0.0.1:8080
data_dir:
cache:
  ttl: 10m
  artifacts_max_size: 10GiB
  max_memory_mb: 512
rules:
  min_package_age: 30d
  missing_time_is_new: true
  min_weekly_downloads: 100
  actions: {DEP-005: block}
allow:
  - pypi:internal-*
  - {ecosystem: npm, name: "@myorg/*", versions: "^2", reason: ours}
deny: []
names:
  index_files: false
`
	c, err := loadConfig(writeFile(t, "c.yaml", doc), envMap(nil))
	if err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	if c.Cache.MaxMemoryMB != 512 || len(c.Allow) != 2 || c.Allow[1].Versions != "^2" || c.Names.IndexFiles == nil || *c.Names.IndexFiles {
		t.Errorf("decoded %+v", c)
	}
}

// FuzzConfigFile: no configuration file makes loading panic, and what it
// says about a bad one is in the file's terms, never Go's.
func FuzzConfigFile(f *testing.F) {
	for _, seed := range []string{
		"audit:\n  retention_days: 1.5\n",
		"allow:\n  - {ecosystem: pypi, name: foo, version: \"==1.0\"}\n",
		"cache: &a {ttl: 5m}\nstore: *a\n",
		"rules:\n  actions:\n    DEP-005: [block]\n",
		"- a\n",
		"listen: !!binary aGVsbG8=\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		path := writeFile(t, "c.yaml", doc)
		_, err := loadConfig(path, envMap(nil))
		if err != nil && (strings.Contains(err.Error(), "main.") || strings.Contains(err.Error(), "reflect")) {
			t.Errorf("config %q: error %q names Go types", doc, err)
		}
	})
}
