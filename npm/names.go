package npm

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// MaxNameLength is the longest package name npm accepts (including the scope).
const MaxNameLength = 214

// Kind says what a registry request path asks for.
type Kind int

// Request kinds recognised by SplitPath.
const (
	// KindPackument is GET /<name>: the package document.
	KindPackument Kind = iota + 1
	// KindTarball is GET /<name>/-/<file>.tgz.
	KindTarball
	// KindVersion is GET /<name>/<version-or-tag>: a single manifest.
	KindVersion
)

// String names the kind ("packument", "tarball", "version").
func (k Kind) String() string {
	switch k {
	case KindPackument:
		return "packument"
	case KindTarball:
		return "tarball"
	case KindVersion:
		return "version"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Route is a parsed package request path.
type Route struct {
	// Name is the package name as requested (scoped names as "@scope/name"),
	// case preserved: npm names are case-sensitive upstream, legacy
	// mixed-case names exist, and Canonical gives the policy key.
	Name string
	Kind Kind
	// File is the tarball basename for KindTarball ("name-1.0.0.tgz").
	File string
	// Version is the version or dist-tag for KindVersion.
	Version string
}

// SplitPath parses the escaped request path below the registry prefix (the
// part after "/npm/", as from r.URL.EscapedPath(); a leading "/" is allowed).
// Scoped names may be spelled "@scope%2fname", "@scope%2Fname",
// "@scope/name" or "%40scope%2fname". Recognised shapes:
//
//	<name>                      KindPackument
//	<name>/-/<file>.tgz         KindTarball
//	<name>/<version-or-tag>     KindVersion
//
// Registry endpoints such as "-/ping" (first segment "-") are not package
// paths and are rejected: route them before calling SplitPath. Errors wrap policy.ErrInvalidName.
// The returned name always passes ValidName, so it never contains "..", a
// control character or a "/" other than the one scope separator.
func SplitPath(escaped string) (Route, error) {
	p := strings.TrimPrefix(escaped, "/")
	if p == "" {
		return Route{}, fmt.Errorf("empty package path: %w", policy.ErrInvalidName)
	}
	raw := strings.Split(p, "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return Route{}, fmt.Errorf("package path %q: %w", escaped, policy.ErrInvalidName)
		}
		if u == "" || u == "." || u == ".." || hasControl(u) {
			return Route{}, fmt.Errorf("package path %q: empty or dot segment, or a control character: %w", escaped, policy.ErrInvalidName)
		}
		segs[i] = u
	}

	if segs[0] == "-" {
		return Route{}, fmt.Errorf("package path %q: registry endpoint, not a package: %w", escaped, policy.ErrInvalidName)
	}
	var name string
	var rest []string
	switch {
	case strings.HasPrefix(segs[0], "@") && strings.Contains(segs[0], "/"):
		// "@scope%2fname": the encoded slash kept scope and name together.
		name, rest = segs[0], segs[1:]
	case strings.HasPrefix(segs[0], "@"):
		if len(segs) < 2 {
			return Route{}, fmt.Errorf("package path %q: scope without name: %w", escaped, policy.ErrInvalidName)
		}
		name, rest = segs[0]+"/"+segs[1], segs[2:]
	default:
		name, rest = segs[0], segs[1:]
	}
	if err := ValidName(name); err != nil {
		return Route{}, err
	}
	for _, s := range rest {
		if strings.Contains(s, "/") {
			return Route{}, fmt.Errorf("package path %q: encoded slash: %w", escaped, policy.ErrInvalidName)
		}
	}

	switch {
	case len(rest) == 0:
		return Route{Name: name, Kind: KindPackument}, nil
	case len(rest) == 2 && rest[0] == "-":
		f := rest[1]
		if !strings.HasSuffix(f, ".tgz") || len(f) <= len(".tgz") || strings.HasPrefix(f, ".") || len(f) > 2*MaxNameLength {
			return Route{}, fmt.Errorf("package path %q: bad tarball name: %w", escaped, policy.ErrInvalidName)
		}
		return Route{Name: name, Kind: KindTarball, File: f}, nil
	case len(rest) == 1 && rest[0] != "-":
		v := rest[0]
		if len(v) > 256 {
			return Route{}, fmt.Errorf("package path %q: version longer than 256 characters: %w", escaped, policy.ErrInvalidName)
		}
		return Route{Name: name, Kind: KindVersion, Version: v}, nil
	}
	return Route{}, fmt.Errorf("package path %q: unrecognised shape: %w", escaped, policy.ErrInvalidName)
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// urlSafe reports whether s consists only of characters JavaScript's
// encodeURIComponent leaves alone: A-Z a-z 0-9 - _ . ! ~ * ' ( ).
func urlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-_.!~*'()", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// ValidName checks a name the way validate-npm-package-name judges names of
// existing ("old") packages, so legacy mixed-case names such as "JSONStream"
// are accepted on read: non-empty, at most MaxNameLength bytes, no leading
// "." or "_", no surrounding space, not "node_modules" or "favicon.ico" (nor
// "-", which would collide with the registry's "/-/" endpoints), and
// only URL-safe characters except for the "/" of the "@scope/name" form.
// It is stricter than npm in one way: names containing ".." are refused.
// Errors wrap policy.ErrInvalidName.
func ValidName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("npm name %q: %s: %w", name, why, policy.ErrInvalidName)
	}
	switch {
	case name == "":
		return bad("empty")
	case len(name) > MaxNameLength:
		return bad("longer than 214 characters")
	case strings.HasPrefix(name, "."):
		return bad("starts with a period")
	case strings.HasPrefix(name, "_"):
		return bad("starts with an underscore")
	case strings.TrimSpace(name) != name:
		return bad("leading or trailing space")
	case strings.Contains(name, ".."):
		return bad(`contains ".."`)
	}
	switch strings.ToLower(name) {
	case "node_modules", "favicon.ico", "-":
		return bad("reserved name")
	}
	if urlSafe(name) {
		return nil
	}
	scope, pkg, ok := splitScoped(name)
	if !ok {
		return bad("contains characters that are not URL-safe")
	}
	switch {
	case scope == "" || pkg == "":
		return bad("empty scope or package part")
	case !urlSafe(scope) || !urlSafe(pkg):
		return bad("contains characters that are not URL-safe")
	case strings.HasPrefix(scope, ".") || strings.HasPrefix(pkg, "."):
		return bad("scope or package part starts with a period")
	}
	return nil
}

// ValidNewName applies the rules npm uses for publishing new packages on top
// of ValidName: lower case only and none of the characters ~'!()*.
func ValidNewName(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	if strings.ToLower(name) != name {
		return fmt.Errorf("npm name %q: contains capital letters: %w", name, policy.ErrInvalidName)
	}
	if strings.ContainsAny(name, "~'!()*") {
		return fmt.Errorf("npm name %q: contains special characters: %w", name, policy.ErrInvalidName)
	}
	return nil
}

// splitScoped splits "@scope/name" into its parts; ok is false for any other
// shape (including names with more than one "/").
func splitScoped(name string) (scope, pkg string, ok bool) {
	if !strings.HasPrefix(name, "@") {
		return "", "", false
	}
	scope, pkg, ok = strings.Cut(name[1:], "/")
	if !ok || strings.Contains(pkg, "/") {
		return "", "", false
	}
	return scope, pkg, true
}

// SplitScope returns the scope (without "@") and the bare package name.
// Unscoped names have an empty scope.
func SplitScope(name string) (scope, bare string) {
	if s, p, ok := splitScoped(name); ok {
		return s, p
	}
	return "", name
}

// Canonical is the policy key for a name: lower case. npm treats names as
// case-sensitive, so fetch upstream with the name as requested and use
// Canonical only to compare and to key policy decisions.
func Canonical(name string) string { return strings.ToLower(name) }

// EscapePath returns the name as npm clients put it in a packument URL path:
// "@scope%2fname" for scoped names, the name itself otherwise.
func EscapePath(name string) string {
	if s, p, ok := splitScoped(name); ok {
		return "@" + url.PathEscape(s) + "%2f" + url.PathEscape(p)
	}
	return url.PathEscape(name)
}

// TarballPath returns the registry path of a tarball, "<name>/-/<file>" with
// the scope's slash kept literal ("@scope/name/-/name-1.0.0.tgz"), the form
// registry.npmjs.org uses. There is no leading slash.
func TarballPath(name, file string) string {
	if s, p, ok := splitScoped(name); ok {
		return "@" + url.PathEscape(s) + "/" + url.PathEscape(p) + "/-/" + url.PathEscape(file)
	}
	return url.PathEscape(name) + "/-/" + url.PathEscape(file)
}
