package scanner

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// ignoreSet holds the gitignore patterns found so far, each with its
// directory (domain), and matches paths the way git does: later and deeper
// patterns win, negations re-include.
//
// Patterns and paths are relative to the top of the git work tree (prefix
// is the scan root's place in it), so that .gitignore files above the scan
// root apply as git applies them.
type ignoreSet struct {
	mu       sync.RWMutex
	patterns []gitignore.Pattern
	prefix   []string
}

// newIgnoreSet loads .git/info/exclude and the .gitignore files of the
// directories between the top of the enclosing git work tree and root (the
// walk adds those at and below root as it descends).
func newIgnoreSet(root string) *ignoreSet {
	s := &ignoreSet{}
	top, ok := workTreeTop(root)
	if !ok {
		return s
	}
	rel, err := filepath.Rel(top, root)
	if err != nil || rel == "." {
		rel = ""
	}
	if rel != "" {
		s.prefix = strings.Split(filepath.ToSlash(rel), "/")
	}
	s.addPatternsFrom(filepath.Join(top, ".git", "info", "exclude"), nil)
	for i := 0; i < len(s.prefix); i++ {
		dir := filepath.Join(append([]string{top}, s.prefix[:i]...)...)
		s.addPatternsFrom(filepath.Join(dir, ".gitignore"), s.prefix[:i])
	}
	// A root the enclosing work tree ignores was asked for explicitly
	// (scanning an installed tree under a versioned home directory): the
	// ignore files above it do not hide it from its own scan.
	for i := 1; i <= len(s.prefix); i++ {
		if len(s.patterns) > 0 && gitignore.NewMatcher(s.patterns).Match(s.prefix[:i], true) {
			s.patterns = nil
			break
		}
	}
	return s
}

// workTreeTop finds the directory holding .git (a directory, or a file in
// worktrees and submodules) at or above dir.
func workTreeTop(dir string) (string, bool) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

func (s *ignoreSet) addFile(root, relDir string) {
	name := filepath.Join(root, filepath.FromSlash(relDir), ".gitignore")
	var domain []string
	if relDir != "" && relDir != "." {
		domain = strings.Split(relDir, "/")
	}
	s.addPatternsFrom(name, append(append([]string(nil), s.prefix...), domain...))
}

// maxIgnoreFileSize bounds one .gitignore (or info/exclude) file.
const maxIgnoreFileSize = 16 << 20

func (s *ignoreSet) addPatternsFrom(file string, domain []string) {
	b, err := readRegularFile(file, maxIgnoreFileSize, "16 MiB")
	if err != nil {
		return
	}
	var ps []gitignore.Pattern
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	s.mu.Lock()
	s.patterns = append(s.patterns, ps...)
	s.mu.Unlock()
}

// ignored matches one path (slash, relative to the root).
func (s *ignoreSet) ignored(rel string, isDir bool) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.patterns) == 0 {
		return false
	}
	return gitignore.NewMatcher(s.patterns).Match(append(append([]string(nil), s.prefix...), strings.Split(rel, "/")...), isDir)
}

// ignoredPath also checks parent directories: a file inside an ignored
// directory is ignored even when no pattern names the file.
func (s *ignoreSet) ignoredPath(rel string, isDir bool) bool {
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		if s.ignored(strings.Join(parts[:i], "/"), true) {
			return true
		}
	}
	return s.ignored(rel, isDir)
}
