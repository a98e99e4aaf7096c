package imports

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/tailscale/hujson"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// isTSConfig names the files that declare TypeScript/JavaScript path
// aliases: tsconfig.json, tsconfig.*.json, jsconfig.json.
func isTSConfig(p string) bool {
	base := strings.ToLower(path.Base(p))
	return strings.HasSuffix(base, ".json") && (strings.HasPrefix(base, "tsconfig") || strings.HasPrefix(base, "jsconfig"))
}

// PathAliases reads the compilerOptions.paths keys of a tsconfig/jsconfig
// file (JSON with comments and trailing commas): "@components/*" (a
// prefix) and "@app/core" (one exact specifier), as TypeScript reads them.
// Such specifiers name files of the project, not packages. The key "*"
// alone is left out: it would make every import the project's own.
func PathAliases(b []byte) ([]string, error) {
	std, err := hujson.Standardize(b)
	if err != nil {
		return nil, fmt.Errorf("tsconfig: %w", err)
	}
	var doc struct {
		CompilerOptions struct {
			Paths map[string]json.RawMessage `json:"paths"`
		} `json:"compilerOptions"`
	}
	if err := json.Unmarshal(std, &doc); err != nil {
		return nil, fmt.Errorf("tsconfig: %w", err)
	}
	var out []string
	for k := range doc.CompilerOptions.Paths {
		if k != "" && k != "*" {
			out = append(out, k)
		}
	}
	return out, nil
}

// projectAliases collects the path aliases of every tsconfig/jsconfig file
// of the project (outside vendored trees); an unreadable file adds none.
func projectAliases(p *scanner.Project) []string {
	var out []string
	for _, f := range p.Files {
		if !isTSConfig(f) || scanner.IsVendoredPath(f) {
			continue
		}
		b, err := p.ReadFile(f)
		if err != nil {
			continue
		}
		as, _ := PathAliases(b)
		out = append(out, as...)
	}
	return out
}

// aliased reports whether a package name, as PackageName returns it,
// starts a specifier one of the aliases covers: a key ending in * covers
// every specifier starting with what precedes it ("@components/*" covers
// @components/Button), a key without one only itself ("@" covers "@",
// not @types/node; "config" covers "config", not configstore).
func aliased(name string, aliases []string) bool {
	for _, a := range aliases {
		if prefix, wild := strings.CutSuffix(a, "*"); wild {
			if strings.HasPrefix(name+"/", prefix) {
				return true
			}
		} else if name == a {
			return true
		}
	}
	return false
}
