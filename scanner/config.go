package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"
)

// ConfigFileName is the scan configuration found upward from the scan root.
const ConfigFileName = ".vigil.yaml"

// Config is a repository's scan configuration (.vigil.yaml). It accepts the
// original vigil CLI's shape verbatim (`rules: {AUTH-003: {enabled: false}}`).
type Config struct {
	// Path is where the configuration was read from ("" for none).
	Path string `yaml:"-"`
	// Rules configures rules by ID.
	Rules map[string]RuleConfig `yaml:"rules"`
	// Exclude lists globs of paths never scanned (each may carry a reason
	// as a YAML comment).
	Exclude []string `yaml:"exclude"`
	// FailOn is the default --fail-on bar.
	FailOn string `yaml:"fail_on"`
	// Strategy (relaxed, default, strict) sets the DEP thresholds, shared
	// with the proxy.
	Strategy string `yaml:"strategy"`
	// KnownPublicSecrets and PlaceholderPatterns extend the shipped lists of
	// SEC-001 / AUTH-004.
	KnownPublicSecrets  []string `yaml:"known_public_secrets"`
	PlaceholderPatterns []string `yaml:"placeholder_patterns"`
	// Warnings are non-fatal remarks about the file (unknown keys).
	Warnings []string `yaml:"-"`
}

// RuleConfig configures one rule. Options holds rule-specific settings such
// as AUTH-003's max_lifetime or TEST-002's min_assertions.
type RuleConfig struct {
	Enabled  *bool          `yaml:"enabled"`
	Severity string         `yaml:"severity"`
	Reason   string         `yaml:"reason"`
	Options  map[string]any `yaml:",inline"`
}

var knownTopKeys = []string{"rules", "exclude", "fail_on", "strategy", "known_public_secrets", "placeholder_patterns"}

// ParseConfig decodes a .vigil.yaml document and validates it.
func ParseConfig(b []byte, name string) (*Config, error) {
	c := &Config{Path: name}
	if len(bytes.TrimSpace(b)) == 0 {
		return c, nil
	}
	var raw map[string]yaml.Node
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var unknown []string
	for k := range raw {
		if !slices.Contains(knownTopKeys, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: unknown key %q ignored (known: %s)", name, k, strings.Join(knownTopKeys, ", ")))
	}
	if err := yaml.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c.Path = name
	return c, c.validate()
}

func (c *Config) validate() error {
	var errs []error
	if c.FailOn != "" {
		if _, err := ParseFailOn(c.FailOn); err != nil {
			errs = append(errs, fmt.Errorf("%s: fail_on: %w", c.Path, err))
		}
	}
	switch c.Strategy {
	case "", "relaxed", "default", "strict":
	default:
		errs = append(errs, fmt.Errorf("%s: strategy %q: want relaxed, default or strict", c.Path, c.Strategy))
	}
	ids := slices.Sorted(maps.Keys(c.Rules))
	for _, id := range ids {
		rc := c.Rules[id]
		if rc.Severity != "" {
			if _, err := ParseSeverity(rc.Severity); err != nil {
				errs = append(errs, fmt.Errorf("%s: rules.%s.severity: %w", c.Path, id, err))
			}
		}
	}
	for _, id := range ids {
		for _, err := range validateOptions(id, c.Rules[id]) {
			errs = append(errs, fmt.Errorf("%s: %w", c.Path, err))
		}
	}
	for _, g := range c.Exclude {
		if strings.TrimSpace(g) == "" {
			errs = append(errs, fmt.Errorf("%s: exclude: empty pattern", c.Path))
		} else if err := validateGlob(g); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.Path, err))
		}
	}
	return errors.Join(errs...)
}

// validateGlob refuses an exclude pattern doublestar cannot parse: it
// would match nothing and exclude nothing.
func validateGlob(g string) error {
	if !doublestar.ValidatePattern(strings.TrimSuffix(g, "/")) {
		return fmt.Errorf("exclude %q: not a valid glob (doublestar syntax: *, **, ?, [abc], {a,b})", g)
	}
	return nil
}

// maxConfigSize bounds a .vigil.yaml.
const maxConfigSize = 1 << 20

// FindConfig looks for .vigil.yaml in dir and its parents, stopping at the
// top of a git work tree (a directory holding .git) or the file system root.
func FindConfig(dir string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, ConfigFileName)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, true
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// LoadConfig reads and parses a configuration file. A file that is a
// symbolic link must resolve inside the directory holding it: otherwise a
// scanned repository could point .vigil.yaml at any file the scanner can
// read, and parse errors would quote it.
func LoadConfig(path string) (*Config, error) {
	b, err := readRegularFile(path, maxConfigSize, "1 MiB")
	if err != nil {
		return nil, fmt.Errorf("scan config: %w", err)
	}
	if err := configLinkInside(path); err != nil {
		return nil, fmt.Errorf("scan config: %w", err)
	}
	return ParseConfig(b, path)
}

// configLinkInside refuses a configuration file that is a symbolic link
// leading outside the directory holding it. Nothing of the linked file is
// quoted.
func configLinkInside(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		return nil
	}
	dir := filepath.Dir(path)
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if rel, err := filepath.Rel(realDir, target); err == nil && filepath.IsLocal(rel) {
		return nil
	}
	return fmt.Errorf("%s is a symbolic link to %s, outside %s: refused, so that a scanned repository cannot make the scanner show other files; "+
		"make it a regular file, or name the file itself with --scan-config", path, target, dir)
}

// Rule returns a rule's configuration (zero when absent).
func (c *Config) Rule(id string) RuleConfig {
	if c == nil {
		return RuleConfig{}
	}
	return c.Rules[id]
}

// Option returns a rule option's raw value.
func (rc RuleConfig) Option(key string) (any, bool) {
	v, ok := rc.Options[key]
	return v, ok
}

// IntOption reads an integer option, def when absent or invalid.
func (c *Config) IntOption(rule, key string, def int) int {
	v, ok := c.Rule(rule).Option(key)
	if !ok {
		return def
	}
	if n, ok := intValue(v); ok {
		return n
	}
	return def
}

func intValue(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case string:
		if i, err := strconv.Atoi(n); err == nil {
			return i, true
		}
	}
	return 0, false
}

// DurationOption reads a duration option ("24h", "7d", or seconds), def
// when absent or invalid.
func (c *Config) DurationOption(rule, key string, def time.Duration) time.Duration {
	v, ok := c.Rule(rule).Option(key)
	if !ok {
		return def
	}
	if d, ok := durationValue(v); ok {
		return d
	}
	return def
}

func durationValue(v any) (time.Duration, bool) {
	switch d := v.(type) {
	case int:
		return time.Duration(d) * time.Second, true
	case string:
		if n, ok := strings.CutSuffix(d, "d"); ok {
			if days, err := strconv.Atoi(n); err == nil {
				return time.Duration(days) * 24 * time.Hour, true
			}
		}
		if pd, err := time.ParseDuration(d); err == nil {
			return pd, true
		}
	}
	return 0, false
}

// validateOptions checks the values of the rule options the analyzers read
// (AUTH-003 max_lifetime, TEST-002 min_assertions, DEP-008 allowed_hosts):
// a value they cannot use would otherwise be replaced by the default
// without a word.
func validateOptions(id string, rc RuleConfig) []error {
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(rc.Options)) {
		v := rc.Options[k]
		switch k {
		case "max_lifetime":
			if d, ok := durationValue(v); !ok || d <= 0 {
				errs = append(errs, fmt.Errorf("rules.%s.max_lifetime: %s is not a duration such as 12h or 7d", id, quoteValue(v)))
			}
		case "min_assertions":
			if n, ok := intValue(v); !ok || n < 1 {
				errs = append(errs, fmt.Errorf("rules.%s.min_assertions: %s is not a positive whole number", id, quoteValue(v)))
			}
		case "allowed_hosts":
			if !stringsValue(v) {
				errs = append(errs, fmt.Errorf("rules.%s.allowed_hosts: want a list of host[:port] strings", id))
			}
		}
	}
	return errs
}

func stringsValue(v any) bool {
	switch l := v.(type) {
	case string:
		return true
	case []any:
		for _, x := range l {
			if _, ok := x.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// StringsOption reads a list-of-strings option.
func (c *Config) StringsOption(rule, key string) []string {
	v, ok := c.Rule(rule).Option(key)
	if !ok {
		return nil
	}
	switch l := v.(type) {
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return []string{l}
	}
	return nil
}

// selection decides which rules run and at which severity.
type selection struct {
	cfg        *Config
	categories []Category
	rules      []string
}

func newSelection(o Options) selection {
	return selection{cfg: o.Config, categories: o.Categories, rules: o.Rules}
}

func (s selection) enabled(r RuleInfo) bool {
	if r.Category == CategoryScanner {
		return true
	}
	if rc := s.cfg.Rule(r.ID); rc.Enabled != nil && !*rc.Enabled {
		return false
	}
	if len(s.rules) > 0 && !slices.ContainsFunc(s.rules, func(id string) bool { return strings.EqualFold(id, r.ID) }) {
		return false
	}
	if len(s.categories) > 0 && !slices.Contains(s.categories, r.Category) {
		return false
	}
	return true
}

func (s selection) effective(r RuleInfo) RuleInfo {
	if sev, err := ParseSeverity(s.cfg.Rule(r.ID).Severity); err == nil && s.cfg.Rule(r.ID).Severity != "" {
		r.Severity = sev
	}
	return r
}

// apply drops findings of rules that are not enabled (config, -C, --rule)
// and applies severity overrides: a configured severity replaces the rule's
// default, keeping the finding's own adjustment relative to it (one level
// lower in tests stays one level lower).
func (s selection) apply(fs []Finding, enabled map[string]RuleInfo, defaults map[string]Severity) []Finding {
	out := fs[:0]
	for _, f := range fs {
		r, ok := enabled[f.Rule]
		if !ok {
			continue
		}
		if def, ok := defaults[f.Rule]; ok && r.Severity != def {
			f.Severity = max(Info, min(Critical, r.Severity-(def-f.Severity)))
		}
		out = append(out, f)
	}
	return out
}
