package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// Config is the user-facing configuration. Precedence: Go defaults → YAML
// file (--config / VIGIL_CONFIG) → VIGIL_* environment → flags. Every scalar
// key has an environment variable named VIGIL_ plus its YAML path in upper
// case with dots as underscores (cache.ttl → VIGIL_CACHE_TTL); lists take
// comma-separated values.
type Config struct {
	Listen         string `yaml:"listen" doc:"registry listener address"`
	PublicURL      string `yaml:"public_url" doc:"base URL clients use to reach the proxy; file and tarball URLs are built from it (default http://<listen>; with a wildcard listen address, each request's Host)"`
	TrustForwarded bool   `yaml:"trust_forwarded" doc:"honour X-Forwarded-Proto/Host, and take the client address (per-client budgets of new watchlist names and check-API questions, request log) from the last X-Forwarded-For entry (only behind a reverse proxy that sets them)"`
	DataDir        string `yaml:"data_dir" doc:"state directory: store.db (audit, lists, watchlist) and cache.db (disposable)"`
	Strategy       string `yaml:"strategy" doc:"relaxed | default | strict"`
	Log            struct {
		Level  string `yaml:"level" doc:"debug | info | warn | error"`
		Format string `yaml:"format" doc:"auto (text on a terminal, JSON otherwise) | text | json"`
	} `yaml:"log"`
	PyPI struct {
		Upstream  string   `yaml:"upstream" doc:"base URL serving /simple/ and /pypi/<p>/json"`
		FileHosts []string `yaml:"file_hosts" doc:"host[:port] list the proxy may fetch files from"`
		HideMode  string   `yaml:"hide_mode" doc:"yank (hidden files stay listed as yanked with the reason) | remove"`
		// RequireDigest refuses files the index gives no sha256 for.
		RequireDigest bool `yaml:"require_digest" doc:"refuse files the index gives no sha256 for (set false only for a private index that omits hashes: its files are then served unverified)"`
	} `yaml:"pypi"`
	NPM struct {
		Upstream          string   `yaml:"upstream" doc:"upstream registry base URL (npmjs, Artifactory, Nexus, Verdaccio…)"`
		TarballHosts      []string `yaml:"tarball_hosts" doc:"host[:port] list the proxy may fetch tarballs from"`
		Private           []string `yaml:"private" doc:"name patterns never resolved upstream (dependency confusion), e.g. @myorg/*"`
		DeprecateWarnings bool     `yaml:"deprecate_warnings" doc:"show warn findings as npm 'deprecated' messages"`
		// The per-client explanations of hidden versions (proxy/npmhints.go).
		PnpmHiddenTags       bool   `yaml:"pnpm_hidden_tags" doc:"for pnpm, add dist-tags naming hidden versions and why (pnpm prints them when no version matches), pointing at the latest allowed version"`
		YarnHiddenDeprecated bool   `yaml:"yarn_hidden_deprecated" doc:"for yarn berry, keep hidden versions listed but deprecated with the reason where that cannot change what resolves; their tarballs stay refused"`
		RequireDigest        bool   `yaml:"require_digest" doc:"refuse tarballs whose version gives neither dist.integrity nor dist.shasum (the npm registry always gives one)"`
		TokenEnv             string `yaml:"-" env:"VIGIL_NPM_TOKEN" doc:"bearer token for the upstream registry (environment only)"`
		HostTokensEnv        string `yaml:"-" env:"VIGIL_NPM_HOST_TOKENS" doc:"credentials for other npm.tarball_hosts: comma-separated host[:port]=token pairs, a bare token sent as Bearer (environment only)"`
	} `yaml:"npm"`
	Cache struct {
		TTL           Duration `yaml:"ttl" doc:"metadata freshness"`
		NegativeTTL   Duration `yaml:"negative_ttl" doc:"how long an upstream 404 is remembered"`
		Grace         Duration `yaml:"grace" doc:"stale-if-error: serve an expired copy this long when upstream fails (0 disables)"`
		MaxMemoryMB   int64    `yaml:"max_memory_mb" doc:"in-memory metadata cache budget"`
		MaxDocumentMB int64    `yaml:"max_document_mb" doc:"largest upstream document accepted (decoded)"`
		// ArtifactsMaxSize bounds the verified tarball/wheel cache.
		ArtifactsMaxSize ByteSize `yaml:"artifacts_max_size" doc:"disk budget of the verified tarball/wheel cache in <data_dir>/artifacts, e.g. 10GiB (least recently used files go first; 0 disables)"`
		// RenderedMaxMemory and RenderedMaxDisk bound the rendered-response cache.
		RenderedMaxMemory ByteSize `yaml:"rendered_max_memory" doc:"memory budget of the rendered-response cache (final filtered documents with their gzip copies, so warm metadata requests skip judging; 0 disables it)"`
		RenderedMaxDisk   ByteSize `yaml:"rendered_max_disk" doc:"disk budget in <data_dir>/rendered for rendered documents larger than 8MiB (emptied at start)"`
	} `yaml:"cache"`
	Upstream struct {
		ConnectTimeout  Duration `yaml:"connect_timeout" doc:"TCP/TLS connect timeout"`
		HeaderTimeout   Duration `yaml:"header_timeout" doc:"time to response headers"`
		DocumentTimeout Duration `yaml:"document_timeout" doc:"time to read a whole metadata document"`
		MaxInflightMB   int64    `yaml:"max_inflight_mb" doc:"memory all upstream documents being read at once may hold; past it requests get 503 (0: twice cache.max_document_mb)"`
		Offline         bool     `yaml:"offline" doc:"never contact the upstream registries: serve only cached metadata (within cache.ttl + cache.grace) and cached files; misses get an explained 503"`
	} `yaml:"upstream"`
	Rules struct {
		MinPackageAge      Duration          `yaml:"min_package_age" doc:"DEP-002: packages younger than this are blocked (default from strategy)"`
		MinReleaseAge      Duration          `yaml:"min_release_age" doc:"DEP-002: versions/files younger than this are hidden (default from strategy)"`
		MissingTimeIsNew   *bool             `yaml:"missing_time_is_new" doc:"DEP-002: a missing publish time counts as too new"`
		CodeHosts          []string          `yaml:"code_hosts" doc:"DEP-005: hosts that count as a source repository"`
		MinWeeklyDownloads *int64            `yaml:"min_weekly_downloads" doc:"DEP-004: weekly downloads below this are unpopular"`
		UnknownPopularity  string            `yaml:"unknown_popularity" doc:"DEP-004: action when no source knows the count (off|warn|block)"`
		Actions            map[string]string `yaml:"actions" doc:"per-rule action override, e.g. {DEP-005: block}"`
	} `yaml:"rules"`
	Allow []ListEntryConfig `yaml:"allow" doc:"allowlist entries (env: ECO:PATTERN[@VERSIONS], comma-separated)"`
	Deny  []ListEntryConfig `yaml:"deny" doc:"denylist entries (same forms as allow)"`
	Names struct {
		CorpusFile string `yaml:"corpus_file" doc:"popular-name corpus file instead of the embedded snapshot"`
		IndexFiles *bool  `yaml:"index_files" doc:"keep each built name index in data_dir/index, so that later runs of this build load it in milliseconds instead of building it (default true)"`
	} `yaml:"names"`
	Popularity struct {
		Online          bool   `yaml:"online" doc:"ask pypistats.org and the npm downloads API for names outside the snapshot"`
		PyPIStatsURL    string `yaml:"pypistats_url" doc:"pypistats.org base URL"`
		NPMDownloadsURL string `yaml:"npm_downloads_url" doc:"npm downloads API base URL"`
	} `yaml:"popularity"`
	Store StoreConfig `yaml:"store"`
	Audit struct {
		RetentionDays int   `yaml:"retention_days" doc:"audit events older than this are pruned (0 keeps forever)"`
		MaxMB         int64 `yaml:"max_mb" doc:"live audit data above this loses its oldest events, checked hourly (0: no size cap); vigil-proxy store compact shrinks the file"`
	} `yaml:"audit"`
	Admin struct {
		Listen         string   `yaml:"listen" doc:"admin UI/API listener (empty disables the admin surface)"`
		SecureCookies  bool     `yaml:"secure_cookies" doc:"mark the UI session cookie Secure: set it when the admin UI is reached over HTTPS (a TLS-terminating proxy)"`
		TrustedOrigins []string `yaml:"trusted_origins" doc:"extra browser origins (scheme://host[:port]) allowed to post to the UI, e.g. the public URL behind a proxy"`
	} `yaml:"admin"`
	Metrics struct {
		Enabled bool `yaml:"enabled" doc:"serve Prometheus metrics at /metrics on the registry listener (no package names in labels)"`
	} `yaml:"metrics"`
	Webhook struct {
		URL string `yaml:"url" doc:"POST a signed JSON body here on blocks and approval requests (secret: VIGIL_WEBHOOK_SECRET)"`
	} `yaml:"webhook"`
	Malware MalwareConfig `yaml:"malware"`

	// sources says where each key set by a file or the environment came
	// from ("VIGIL_STRATEGY", "config /etc/vigil.yaml"), for errors.
	sources map[string]string
}

// ListEntryConfig is an allow/deny entry in the config file. In YAML it may
// also be written as a string "pypi:requests" or "npm:@myorg/*@^2".
type ListEntryConfig struct {
	Ecosystem string `yaml:"ecosystem"`
	Name      string `yaml:"name"`
	Versions  string `yaml:"versions"`
	Reason    string `yaml:"reason"`
	// Advisory names the malware advisory IDs (MAL-…) an allow entry
	// overrides; without it no allow entry overrides known malware.
	Advisory string `yaml:"advisory"`
}

// UnmarshalYAML accepts the object and the compact string form.
func (e *ListEntryConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		p, err := parseListEntry(n.Value)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		*e = p
		return nil
	}
	type plain ListEntryConfig
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*e = ListEntryConfig(p)
	return nil
}

// parseListEntry parses "ECO:PATTERN", "pypi:name==1.2" style
// ("ECO:PATTERN VERSIONS" or, for npm, "npm:name@RANGE").
func parseListEntry(s string) (ListEntryConfig, error) {
	s = strings.TrimSpace(s)
	eco, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" {
		return ListEntryConfig{}, fmt.Errorf("list entry %q: want ECOSYSTEM:NAME (e.g. pypi:requests, npm:@myorg/*)", s)
	}
	e := ListEntryConfig{Ecosystem: strings.TrimSpace(eco)}
	rest = strings.TrimSpace(rest)
	if name, ver, ok := strings.Cut(rest, " "); ok {
		e.Name, e.Versions = name, strings.TrimSpace(ver)
		return e, nil
	}
	if i := strings.IndexAny(rest, "=<>!~"); i > 0 && e.Ecosystem == "pypi" {
		e.Name, e.Versions = rest[:i], rest[i:]
		return e, nil
	}
	if i := strings.LastIndex(rest, "@"); i > 0 {
		e.Name, e.Versions = rest[:i], rest[i+1:]
		return e, nil
	}
	e.Name = rest
	return e, nil
}

// Duration is a time.Duration that also accepts days ("30d").
type Duration time.Duration

// UnmarshalText parses Go durations and a "d" (days) suffix.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := parseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText prints the duration in the shortest readable form.
func (d Duration) MarshalText() ([]byte, error) {
	t := time.Duration(d)
	if t != 0 && t%(24*time.Hour) == 0 {
		return []byte(strconv.FormatInt(int64(t/(24*time.Hour)), 10) + "d"), nil
	}
	return []byte(t.String()), nil
}

// UnmarshalYAML delegates to UnmarshalText.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error { return d.UnmarshalText([]byte(n.Value)) }

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || !(n >= 0) || n*float64(24*time.Hour) >= math.MaxInt64 { // !(n >= 0) also catches NaN
			return 0, fmt.Errorf("invalid duration %q (examples: 30d, 12h, 90m)", s)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("invalid duration %q (examples: 30d, 12h, 90m)", s)
	}
	return v, nil
}

// defaultConfig is the configuration with no file, no environment.
func defaultConfig() Config {
	var c Config
	c.Listen = "127.0.0.1:8080"
	c.Strategy = "default"
	c.Log.Level = "info"
	c.Log.Format = "auto"
	c.PyPI.Upstream = "https://pypi.org"
	c.PyPI.FileHosts = []string{"files.pythonhosted.org"}
	c.PyPI.HideMode = "yank"
	c.PyPI.RequireDigest = true
	c.NPM.RequireDigest = true
	c.NPM.Upstream = "https://registry.npmjs.org"
	c.NPM.TarballHosts = []string{"registry.npmjs.org"}
	c.NPM.DeprecateWarnings = true
	c.NPM.PnpmHiddenTags = true
	c.NPM.YarnHiddenDeprecated = true
	c.Cache.TTL = Duration(5 * time.Minute)
	c.Cache.NegativeTTL = Duration(time.Minute)
	c.Cache.Grace = Duration(24 * time.Hour)
	c.Cache.MaxMemoryMB = 256
	c.Cache.MaxDocumentMB = 128
	c.Cache.ArtifactsMaxSize = 10 << 30
	c.Cache.RenderedMaxMemory = 128 << 20
	c.Cache.RenderedMaxDisk = 1 << 30
	c.Upstream.ConnectTimeout = Duration(5 * time.Second)
	c.Upstream.HeaderTimeout = Duration(15 * time.Second)
	c.Upstream.DocumentTimeout = Duration(60 * time.Second)
	c.Popularity.Online = true
	c.Popularity.PyPIStatsURL = "https://pypistats.org"
	c.Popularity.NPMDownloadsURL = "https://api.npmjs.org"
	c.Audit.RetentionDays = 90
	c.Store.MaxStale = Duration(5 * time.Minute)
	c.Audit.MaxMB = 1024
	c.Admin.Listen = "127.0.0.1:8081"
	c.Malware = defaultMalwareConfig()
	return c
}

// loadConfig builds the effective configuration. path may be empty (then
// VIGIL_CONFIG is consulted); env is the process environment lookup.
func loadConfig(path string, env func(string) (string, bool)) (Config, error) {
	c := defaultConfig()
	if path == "" {
		path, _ = env("VIGIL_CONFIG")
	}
	if path != "" {
		b, err := scanner.ReadRegularFile(path, maxConfigFile, "16 MiB")
		if err != nil {
			return c, fmt.Errorf("read config %s: %w", path, err)
		}
		if err := decodeYAML(b, &c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
		c.sources = map[string]string{}
		for _, k := range yamlKeys(b) {
			c.sources[k] = "config " + path
		}
	}
	if err := applyEnv(&c, env); err != nil {
		return c, err
	}
	return c, nil
}

// yamlKeys lists the dotted paths of the scalar and list keys a YAML
// document sets (maps under them, such as rules.actions, count as one key).
func yamlKeys(b []byte) []string {
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	var out []string
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			path := n.Content[i].Value
			if prefix != "" {
				path = prefix + "." + path
			}
			if v := n.Content[i+1]; v.Kind == yaml.MappingNode && path != "rules.actions" {
				walk(v, path)
				continue
			}
			out = append(out, path)
		}
	}
	if root := doc.Content[0]; root.Kind == yaml.MappingNode {
		walk(root, "")
	}
	return out
}

func decodeYAML(b []byte, c *Config) error {
	if err := checkYAMLTypes(b); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		// yaml names Go types ("field x not found in type main.Config"):
		// say it in the file's terms.
		msg := unknownField.ReplaceAllString(err.Error(), "unknown key $1 (deploy/config.example.yaml lists every key)")
		msg = goType.ReplaceAllString(msg, "")
		return errors.New(strings.TrimPrefix(msg, "yaml: unmarshal errors:\n  "))
	}
	return nil
}

var (
	unknownField = regexp.MustCompile(`(?m)field (\S+) not found in type .*$`)
	goType       = regexp.MustCompile(` into (main\.|policy\.)?[A-Za-z0-9_.\[\]*]+`)
)

// envVar describes one configuration key and its environment variable.
type envVar struct {
	Name  string
	Key   string // YAML path
	Doc   string
	field reflect.Value
}

// envVars lists every configurable key of c, in declaration order.
func envVars(c *Config) []envVar {
	var out []envVar
	var walk func(v reflect.Value, t reflect.Type, prefix []string)
	walk = func(v reflect.Value, t reflect.Type, prefix []string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			fv := v.Field(i)
			if env := f.Tag.Get("env"); env != "" {
				out = append(out, envVar{Name: env, Key: "(environment only)", Doc: f.Tag.Get("doc"), field: fv})
				continue
			}
			if tag == "-" || tag == "" {
				continue
			}
			path := append(append([]string(nil), prefix...), tag)
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(Duration(0)) {
				walk(fv, f.Type, path)
				continue
			}
			name := "VIGIL_" + strings.ToUpper(strings.Join(path, "_"))
			out = append(out, envVar{Name: name, Key: strings.Join(path, "."), Doc: f.Tag.Get("doc"), field: fv})
		}
	}
	walk(reflect.ValueOf(c).Elem(), reflect.TypeOf(*c), nil)
	return out
}

// applyEnv overrides c with every VIGIL_* variable that is set.
func applyEnv(c *Config, env func(string) (string, bool)) error {
	var errs []error
	for _, ev := range envVars(c) {
		raw, ok := env(ev.Name)
		if !ok {
			continue
		}
		if err := setFromString(ev.field, raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ev.Name, err))
			continue
		}
		if ev.Key != "(environment only)" {
			if c.sources == nil {
				c.sources = map[string]string{}
			}
			c.sources[ev.Key] = ev.Name
		}
	}
	return errors.Join(errs...)
}

func setFromString(v reflect.Value, raw string) error {
	if tu, ok := v.Addr().Interface().(interface{ UnmarshalText([]byte) error }); ok {
		return tu.UnmarshalText([]byte(raw))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", raw)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("want an integer, got %q", raw)
		}
		v.SetInt(n)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := setFromString(p.Elem(), raw); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice:
		parts := splitList(raw)
		s := reflect.MakeSlice(v.Type(), 0, len(parts))
		for _, p := range parts {
			elem := reflect.New(v.Type().Elem()).Elem()
			if le, ok := elem.Addr().Interface().(*ListEntryConfig); ok {
				e, err := parseListEntry(p)
				if err != nil {
					return err
				}
				*le = e
			} else if err := setFromString(elem, p); err != nil {
				return err
			}
			s = reflect.Append(s, elem)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, p := range splitList(raw) {
			k, val, ok := strings.Cut(p, "=")
			if !ok {
				return fmt.Errorf("want KEY=VALUE pairs, got %q", p)
			}
			m.SetMapIndex(reflect.ValueOf(strings.TrimSpace(k)), reflect.ValueOf(strings.TrimSpace(val)))
		}
		v.Set(m)
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

func splitList(raw string) []string {
	var out []string
	for _, p := range strings.Split(raw, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// key names a setting in errors: its YAML path and its environment
// variable, so the operator finds it whichever way it was set.
func key(path string) string {
	return path + " (" + envName(path) + ")"
}

func envName(path string) string {
	return "VIGIL_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

// key names a setting of c in errors with where its value came from: the
// environment variable that set it, the config file that set it, or (for
// a default) the variable that would set it.
func (c *Config) key(path string) string {
	if src, ok := c.sources[path]; ok {
		return path + " (" + src + ")"
	}
	return key(path)
}

// maxMB bounds the megabyte settings so that converting them to bytes
// cannot overflow (1 TiB).
const maxMB = 1 << 20

// sameListener reports whether two listen addresses would bind the same
// port: the same fixed port on the same host, or on any host when one of
// them is a wildcard. Port 0 picks a free port each time.
func sameListener(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || pa != pb || pa == "0" {
		return false
	}
	wild := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wild(ha) || wild(hb)
}

// adminAddressProblem refuses an admin surface on the registry's own
// address (serve would fail to bind it, blaming "what uses the address").
// It applies only when the admin surface runs, i.e. has credentials.
func (c *Config) adminAddressProblem() error {
	if c.Admin.Listen == "" || !sameListener(c.Listen, c.Admin.Listen) {
		return nil
	}
	return fmt.Errorf("%s %q: the same address as the registry's %s; give the admin surface its own port",
		c.key("admin.listen"), c.Admin.Listen, c.key("listen"))
}

// validate returns every problem in c at once.
func (c *Config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("%s %q: want host:port", c.key("listen"), c.Listen))
	}
	if c.Admin.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Admin.Listen); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: want host:port", c.key("admin.listen"), c.Admin.Listen))
		}
	}
	for _, o := range c.Admin.TrustedOrigins {
		// The same check the admin surface makes when serve starts.
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(o); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: want scheme://host[:port], e.g. https://vigil-admin.example.com (%v)", c.key("admin.trusted_origins"), o, err))
		}
	}
	if strings.HasPrefix(c.DataDir, "~") {
		// Neither YAML, systemd nor Docker expands it: the state would go
		// to a directory named ~ under the working directory.
		errs = append(errs, fmt.Errorf("%s %q: ~ is not expanded here; give an absolute path such as /var/lib/vigil-proxy (or --data-dir)", c.key("data_dir"), c.DataDir))
	}
	before := len(errs)
	if _, err := policy.ParseStrategy(c.Strategy); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", c.key("strategy"), err))
	}
	for _, u := range []struct {
		path, raw string
		optional  bool
	}{
		{"public_url", c.PublicURL, true}, {"pypi.upstream", c.PyPI.Upstream, false}, {"npm.upstream", c.NPM.Upstream, false},
		{"popularity.pypistats_url", c.Popularity.PyPIStatsURL, false}, {"popularity.npm_downloads_url", c.Popularity.NPMDownloadsURL, false},
		{"webhook.url", c.Webhook.URL, true}, {"malware.feed_url", c.Malware.FeedURL, true},
	} {
		if u.raw == "" && u.optional {
			continue
		}
		if pu, err := url.Parse(u.raw); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q: want an http(s) URL", c.key(u.path), redactURL(u.raw, u.path == "webhook.url")))
		}
	}
	for path, hosts := range map[string][]string{"pypi.file_hosts": c.PyPI.FileHosts, "npm.tarball_hosts": c.NPM.TarballHosts} {
		if len(hosts) == 0 {
			errs = append(errs, fmt.Errorf("%s is empty: no file could ever be downloaded", c.key(path)))
		}
	}
	switch c.PyPI.HideMode {
	case "yank", "remove":
	default:
		errs = append(errs, fmt.Errorf("%s %q: want yank or remove", c.key("pypi.hide_mode"), c.PyPI.HideMode))
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		errs = append(errs, fmt.Errorf("%s %q: want debug, info, warn or error", c.key("log.level"), c.Log.Level))
	}
	switch c.Log.Format {
	case "auto", "text", "json":
	default:
		errs = append(errs, fmt.Errorf("%s %q: want auto, text or json", c.key("log.format"), c.Log.Format))
	}
	for path, mb := range map[string]int64{"cache.max_memory_mb": c.Cache.MaxMemoryMB, "cache.max_document_mb": c.Cache.MaxDocumentMB} {
		if mb <= 0 || mb > maxMB {
			errs = append(errs, fmt.Errorf("%s %d: want between 1 and %d", c.key(path), mb, maxMB))
		}
	}
	// Zero would silently select a library default; say so instead.
	for path, d := range map[string]Duration{"cache.ttl": c.Cache.TTL, "cache.negative_ttl": c.Cache.NegativeTTL,
		"upstream.connect_timeout": c.Upstream.ConnectTimeout, "upstream.header_timeout": c.Upstream.HeaderTimeout,
		"upstream.document_timeout": c.Upstream.DocumentTimeout} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive", c.key(path)))
		}
	}
	errs = append(errs, c.Store.validate()...)
	if c.Upstream.MaxInflightMB < 0 || c.Upstream.MaxInflightMB > maxMB {
		errs = append(errs, fmt.Errorf("%s %d: want 0 (automatic) or up to %d", c.key("upstream.max_inflight_mb"), c.Upstream.MaxInflightMB, maxMB))
	}
	if c.Audit.MaxMB < 0 || c.Audit.MaxMB > maxMB {
		errs = append(errs, fmt.Errorf("%s %d: want 0 (no cap) or up to %d", c.key("audit.max_mb"), c.Audit.MaxMB, maxMB))
	}
	if c.Audit.RetentionDays < 0 {
		errs = append(errs, fmt.Errorf("%s must not be negative", c.key("audit.retention_days")))
	}
	for k, v := range c.Rules.Actions {
		if _, err := policy.ParseAction(v); err != nil {
			errs = append(errs, fmt.Errorf("%s[%s]: %w", c.key("rules.actions"), k, err))
		}
	}
	if c.Rules.UnknownPopularity != "" {
		if _, err := policy.ParseAction(c.Rules.UnknownPopularity); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.key("rules.unknown_popularity"), err))
		}
	}
	if len(errs) == before {
		// The remaining cross-field checks; the fields settings() parses
		// were reported above, once, with their keys.
		if _, err := c.settings(); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := c.listEntries(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.Malware.validate())
	if _, err := parseHostTokens(c.NPM.HostTokensEnv, c.NPM.TarballHosts); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// settings converts the rule configuration into policy settings.
func (c *Config) settings() (policy.Settings, error) {
	strategy, err := policy.ParseStrategy(c.Strategy)
	if err != nil {
		return policy.Settings{}, err
	}
	s := policy.DefaultSettings(strategy)
	if c.Rules.MinPackageAge != 0 {
		s.MinPackageAge = time.Duration(c.Rules.MinPackageAge)
	}
	if c.Rules.MinReleaseAge != 0 {
		s.MinReleaseAge = time.Duration(c.Rules.MinReleaseAge)
	}
	if c.Rules.MissingTimeIsNew != nil {
		s.MissingTimeIsNew = *c.Rules.MissingTimeIsNew
	}
	if len(c.Rules.CodeHosts) > 0 {
		s.CodeHosts = c.Rules.CodeHosts
	}
	if c.Rules.MinWeeklyDownloads != nil {
		s.MinWeeklyDownloads = *c.Rules.MinWeeklyDownloads
	}
	if c.Rules.UnknownPopularity != "" {
		a, err := policy.ParseAction(c.Rules.UnknownPopularity)
		if err != nil {
			return s, err
		}
		s.UnknownPopularity = a
	}
	if len(c.Rules.Actions) > 0 {
		s.Actions = map[string]policy.Action{}
		for k, v := range c.Rules.Actions {
			a, err := policy.ParseAction(v)
			if err != nil {
				return s, fmt.Errorf("rules.actions[%s]: %w", k, err)
			}
			s.Actions[strings.ToUpper(k)] = a
		}
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("rules: %w", err)
	}
	return s, nil
}

// listEntries converts the config's allow and deny entries.
func (c *Config) listEntries() ([]policy.ListEntry, error) {
	var out []policy.ListEntry
	var errs []error
	add := func(kind policy.ListKind, key string, list []ListEntryConfig) {
		for i, e := range list {
			eco, err := policy.ParseEcosystem(e.Ecosystem)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s[%d]: %w", key, i, err))
				continue
			}
			entry := policy.ListEntry{
				ID: fmt.Sprintf("config-%s-%d", kind, i), Kind: kind, Ecosystem: eco,
				Pattern: e.Name, Versions: e.Versions, Reason: e.Reason, Advisory: e.Advisory, Owner: "config", Source: "config",
			}
			if entry.Reason == "" {
				entry.Reason = "listed in the configuration file"
			}
			if err := policy.ValidateEntry(entry); err != nil {
				errs = append(errs, fmt.Errorf("%s[%d] %s: %w", key, i, e.Name, err))
				continue
			}
			out = append(out, entry)
		}
	}
	add(policy.Allowlist, "allow", c.Allow)
	add(policy.Deny, "deny", c.Deny)
	return out, errors.Join(errs...)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("%s %q: want debug, info, warn or error", key("log.level"), s)
	}
	return l, nil
}

// dataDir resolves the state directory: the configured one, else the
// user's cache directory, else ./.data.
func (c *Config) dataDir() string {
	if c.DataDir != "" {
		return c.DataDir
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "vigil-proxy")
	}
	return ".data"
}

// indexFiles is names.index_files, true unless set to false.
func (c *Config) indexFiles() bool { return c.Names.IndexFiles == nil || *c.Names.IndexFiles }

// effective returns c with every rule setting the strategy decides filled
// in with its value, so that `vigil-proxy config` shows what applies (not
// "min_package_age: 0s" when the strategy makes it 30 days).
func (c Config) effective() (Config, error) {
	s, err := c.settings()
	if err != nil {
		return c, err
	}
	missing, downloads := s.MissingTimeIsNew, s.MinWeeklyDownloads
	c.Rules.MinPackageAge = Duration(s.MinPackageAge)
	c.Rules.MinReleaseAge = Duration(s.MinReleaseAge)
	c.Rules.MissingTimeIsNew = &missing
	c.Rules.CodeHosts = s.CodeHosts
	c.Rules.MinWeeklyDownloads = &downloads
	c.Rules.UnknownPopularity = string(s.UnknownPopularity)
	indexFiles := c.indexFiles()
	c.Names.IndexFiles = &indexFiles
	c.Rules.Actions = map[string]string{}
	for _, info := range policy.Catalogue() {
		c.Rules.Actions[info.ID] = string(s.Action(info.ID))
	}
	return c, nil
}

// redacted returns the config as YAML with secrets removed, for
// `vigil-proxy config`.
func (c Config) redacted() ([]byte, error) {
	if c.NPM.TokenEnv != "" {
		c.NPM.TokenEnv = "(set)"
	}
	if c.NPM.HostTokensEnv != "" {
		c.NPM.HostTokensEnv = "(set)"
	}
	for _, p := range []*string{&c.PublicURL, &c.PyPI.Upstream, &c.NPM.Upstream, &c.Popularity.PyPIStatsURL, &c.Popularity.NPMDownloadsURL, &c.Malware.FeedURL} {
		*p = redactURL(*p, false)
	}
	c.Webhook.URL = redactURL(c.Webhook.URL, true)
	c.Store.URL = redactURL(c.Store.URL, false)
	return yaml.Marshal(c)
}

// redactURL hides the password of raw's userinfo and its query (which may
// carry tokens); secretPath also hides the path, as webhook URLs often embed
// their secret there. An unparseable URL is hidden whole.
func redactURL(raw string, secretPath bool) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	if secretPath && u.Path != "" && u.Path != "/" {
		u.Path, u.RawPath = "/REDACTED", ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// LogValue keeps secrets out of logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("listen", c.Listen),
		slog.String("admin_listen", c.Admin.Listen),
		slog.String("strategy", c.Strategy),
		slog.String("pypi_upstream", redactURL(c.PyPI.Upstream, false)),
		slog.String("npm_upstream", redactURL(c.NPM.Upstream, false)),
		slog.Bool("npm_token_set", c.NPM.TokenEnv != ""),
		slog.Bool("npm_host_tokens_set", c.NPM.HostTokensEnv != ""),
		slog.String("store", c.Store.describe()),
	)
}
