package scanner

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Project is what analyzers know about the whole scanned tree: its files,
// what git tracks and ignores, and the scan configuration.
type Project struct {
	Root   string // absolute
	Config *Config
	// Files are the slash paths of every file the walk kept (after ignore
	// rules), sorted.
	Files []string

	ignore  *ignoreSet
	gitOnce sync.Once
	tracked map[string]bool // nil when the root is not in a git work tree
	maxRead int64
}

// HasFile reports whether the walk kept this slash path.
func (p *Project) HasFile(rel string) bool {
	_, ok := slices.BinarySearch(p.Files, rel)
	return ok
}

// ReadFile reads a regular file of the project by slash path (bounded by
// the engine's size limit).
func (p *Project) ReadFile(rel string) ([]byte, error) {
	limit := p.maxRead
	if limit <= 0 {
		limit = defaultMaxFileSize
	}
	b, err := readRegularFile(filepath.Join(p.Root, filepath.FromSlash(rel)), limit, fmt.Sprintf("%d bytes", limit))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	return b, nil
}

// GitIgnored reports whether .gitignore files (nested ones included) or
// .git/info/exclude cover this slash path.
func (p *Project) GitIgnored(rel string, isDir bool) bool {
	if p.ignore == nil {
		return false
	}
	return p.ignore.ignoredPath(rel, isDir)
}

// InGit reports whether the root is inside a git work tree.
func (p *Project) InGit() bool {
	p.loadTracked()
	return p.tracked != nil
}

// Tracked reports whether git tracks this slash path.
func (p *Project) Tracked(rel string) bool {
	p.loadTracked()
	return p.tracked[rel]
}

func (p *Project) loadTracked() {
	p.gitOnce.Do(func() {
		cmd := exec.CommandContext(context.Background(), "git", "-C", p.Root, "ls-files", "-z", "--full-name", "--", ".")
		out, err := cmd.Output()
		if err != nil {
			return
		}
		prefix := gitPrefix(p.Root)
		p.tracked = map[string]bool{}
		for _, f := range bytes.Split(out, []byte{0}) {
			if len(f) == 0 {
				continue
			}
			rel, ok := strings.CutPrefix(string(f), prefix)
			if ok {
				p.tracked[rel] = true
			}
		}
	})
}

// gitPrefix is the root's path inside its work tree ("" at the top), with
// a trailing slash.
func gitPrefix(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--show-prefix").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
