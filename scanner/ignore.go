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
type ignoreSet struct {
	mu       sync.RWMutex
	patterns []gitignore.Pattern
}

func (s *ignoreSet) addFile(root, relDir string) {
	name := filepath.Join(root, filepath.FromSlash(relDir), ".gitignore")
	s.addPatternsFrom(name, relDir)
}

func (s *ignoreSet) addPatternsFrom(file, relDir string) {
	b, err := os.ReadFile(file)
	if err != nil {
		return
	}
	var domain []string
	if relDir != "" && relDir != "." {
		domain = strings.Split(relDir, "/")
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
	return gitignore.NewMatcher(s.patterns).Match(strings.Split(rel, "/"), isDir)
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
