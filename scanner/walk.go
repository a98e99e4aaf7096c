package scanner

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// skippedDirs are vendored, generated or tool-state trees: never first-party
// code. (Options.IncludeVendored keeps them, for benchmarks.)
var skippedDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true,
	"node_modules": true, "bower_components": true, "jspm_packages": true,
	".venv": true, "venv": true, "site-packages": true, "dist-packages": true,
	"__pycache__": true, ".tox": true, ".nox": true, ".mypy_cache": true, ".pytest_cache": true,
	".ruff_cache": true, ".eggs": true, ".next": true, ".nuxt": true, ".svelte-kit": true,
	".parcel-cache": true, ".turbo": true, ".yarn": true, ".pnpm-store": true,
	"dist": true, "build": true, "coverage": true, "htmlcov": true, ".cache": true,
}

// isVendoredDir reports whether a directory entry is a vendored or generated
// tree; dir is its absolute path (to recognise virtualenvs by pyvenv.cfg).
func isVendoredDir(name, dir string) bool {
	if skippedDirs[name] || strings.HasSuffix(name, ".egg-info") || strings.HasSuffix(name, ".dist-info") {
		return true
	}
	if _, err := os.Stat(filepath.Join(dir, "pyvenv.cfg")); err == nil {
		return true // a virtualenv under any name
	}
	return false
}

// IsVendoredPath reports whether a slash path lies in a vendored or
// installed tree (node_modules, site-packages, a virtualenv's lib): such
// trees are skipped by default and only walked with --include-vendored.
func IsVendoredPath(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "node_modules", "bower_components", "jspm_packages", "site-packages", "dist-packages":
			return true
		}
	}
	return false
}

// isMinifiedName catches bundles by name; content is checked after reading.
func isMinifiedName(base string) bool {
	b := strings.ToLower(base)
	return strings.HasSuffix(b, ".min.js") || strings.HasSuffix(b, ".min.mjs") ||
		strings.HasSuffix(b, ".bundle.js") || strings.HasSuffix(b, "-bundle.js") ||
		strings.HasSuffix(b, ".chunk.js") || strings.HasSuffix(b, ".map")
}

// looksMinified: a JS file whose first 8 KiB hold very long lines.
func looksMinified(b []byte) bool {
	head := b[:min(len(b), 8192)]
	if len(head) < 2048 {
		return false
	}
	lines := 1
	for _, c := range head {
		if c == '\n' {
			lines++
		}
	}
	return len(head)/lines > 400
}

// walkEntry is one candidate file.
type walkEntry struct {
	rel  string
	abs  string
	size int64
}

// walk lists the files under root that ignore rules keep, loading nested
// .gitignore files as it descends.
func walk(ctx context.Context, root string, opts *Options, ign *ignoreSet) ([]walkEntry, error) {
	var out []walkEntry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == root {
				return err
			}
			return nil // unreadable entry: skip it, keep walking
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p == root {
				ign.addFile(root, "")
				return nil
			}
			if !opts.IncludeVendored && isVendoredDir(d.Name(), p) {
				return filepath.SkipDir
			}
			if d.Name() == ".git" || ign.ignored(rel, true) || opts.excluded(rel) {
				return filepath.SkipDir
			}
			ign.addFile(root, rel)
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks, sockets: not followed
		}
		if ign.ignored(rel, false) || opts.excluded(rel) {
			return nil
		}
		if !opts.IncludeVendored && isMinifiedName(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		out = append(out, walkEntry{rel: rel, abs: p, size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", root, err)
	}
	slices.SortFunc(out, func(a, b walkEntry) int { return strings.Compare(a.rel, b.rel) })
	return out, nil
}

// excluded applies --exclude and the config's exclude globs (doublestar
// syntax; a pattern without a slash matches a base name anywhere).
func (o *Options) excluded(rel string) bool {
	for _, g := range o.excludes {
		if !strings.Contains(g, "/") {
			if ok, _ := doublestar.Match(g, path.Base(rel)); ok {
				return true
			}
		}
		if ok, _ := doublestar.Match(strings.TrimSuffix(g, "/"), rel); ok {
			return true
		}
		if strings.HasSuffix(g, "/**") || strings.HasSuffix(g, "/") {
			base := strings.TrimSuffix(strings.TrimSuffix(g, "**"), "/")
			if ok, _ := doublestar.Match(base, rel); ok {
				return true
			}
		}
	}
	return false
}
