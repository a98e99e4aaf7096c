package scanner

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// ChangedFiles lists the files changed against a git base: committed
// differences from the merge base (base...HEAD), staged and unstaged
// changes, and untracked files that are not ignored. Paths are slash paths
// relative to root. base "" picks the merge base with the remote's default
// branch, else HEAD. When the merge base cannot be found (a clone too
// shallow), ok is false and warning says so: scan the whole tree.
func ChangedFiles(ctx context.Context, root, base string) (files []string, warning string, err error) {
	git := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", root}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), strings.TrimSpace(firstLine(stderr.String(), err.Error())))
		}
		return out, nil
	}
	if _, err := git("rev-parse", "--is-inside-work-tree"); err != nil {
		return nil, "", fmt.Errorf("--changed-only needs a git work tree: %w", err)
	}
	prefix := gitPrefix(root)
	ref := base
	if ref == "" {
		ref = defaultBase(git)
	}
	set := map[string]bool{}
	// add records paths; diff --relative prints them relative to root
	// already, ls-files --full-name from the top of the work tree.
	add := func(out []byte, full bool) {
		for _, p := range bytes.Split(out, []byte{0}) {
			if len(p) == 0 {
				continue
			}
			rel, ok := string(p), true
			if full {
				rel, ok = strings.CutPrefix(rel, prefix)
			}
			if ok {
				set[rel] = true
			}
		}
	}
	if ref != "HEAD" {
		mb, err := git("merge-base", ref, "HEAD")
		if err != nil {
			if base != "" {
				if _, verr := git("rev-parse", "--verify", "--quiet", base+"^{commit}"); verr != nil {
					return nil, "", fmt.Errorf("--base %s: not a commit in this repository", base)
				}
			}
			return nil, fmt.Sprintf("cannot find the merge base of %s and HEAD (shallow clone?): scanning the whole tree; fetch more history (git fetch --deepen) for --changed-only", ref), nil
		}
		out, err := git("diff", "--name-only", "-z", "--diff-filter=ACMRT", strings.TrimSpace(string(mb)), "HEAD", "--relative")
		if err != nil {
			return nil, "", err
		}
		add(out, false)
	}
	if _, err := git("rev-parse", "--verify", "--quiet", "HEAD"); err == nil {
		out, err := git("diff", "--name-only", "-z", "--diff-filter=ACMRT", "HEAD", "--relative")
		if err != nil {
			return nil, "", err
		}
		add(out, false)
	} else {
		// No commit yet: everything staged counts.
		out, err := git("diff", "--cached", "--name-only", "-z", "--relative")
		if err == nil {
			add(out, false)
		}
	}
	out, err := git("ls-files", "--others", "--exclude-standard", "-z", "--full-name", "--", ".")
	if err != nil {
		return nil, "", err
	}
	add(out, true)
	files = make([]string, 0, len(set))
	for f := range set {
		files = append(files, f)
	}
	return files, "", nil
}

// defaultBase is the remote's default branch (origin/HEAD, else
// origin/main or origin/master), else HEAD.
func defaultBase(git func(args ...string) ([]byte, error)) string {
	if out, err := git("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"); err == nil {
		return strings.TrimPrefix(strings.TrimSpace(string(out)), "refs/remotes/")
	}
	for _, b := range []string{"origin/main", "origin/master"} {
		if _, err := git("rev-parse", "--verify", "--quiet", b); err == nil {
			return b
		}
	}
	return "HEAD"
}

func firstLine(s, fallback string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return fallback
	}
	line, _, _ := strings.Cut(s, "\n")
	return line
}
