package npm

import (
	"encoding/json"
	"strings"
)

// hostedBase maps npm's "provider:" shorthand prefixes to web URL bases.
func hostedBase(prefix string) string {
	switch strings.ToLower(prefix) {
	case "github":
		return "https://github.com/"
	case "gitlab":
		return "https://gitlab.com/"
	case "bitbucket":
		return "https://bitbucket.org/"
	case "gist":
		return "https://gist.github.com/"
	}
	return ""
}

// isShorthand reports whether s is hosted-git-info's bare "user/repo" GitHub
// shorthand, optionally followed by "#ref".
func isShorthand(s string) bool {
	main, _, _ := strings.Cut(s, "#")
	user, repo, ok := strings.Cut(main, "/")
	if !ok || user == "" || repo == "" || strings.ContainsAny(user[:1], ".-") {
		return false
	}
	return !strings.ContainsAny(user, ":@%/ \t\n\r") && !strings.ContainsAny(repo, ":@%/ \t\n\r")
}

// RepositoryURL turns an npm "repository" value into one URL string without
// touching the network. It accepts a string ("https://…", "git+ssh://…",
// "git@host:u/r.git", "github:u/r", "gitlab:u/r", "bitbucket:u/r",
// "gist:id", bare "u/r" meaning GitHub), an object {"type","url",
// "directory"} (its url is used) and, for very old packages, an array of
// either (the first usable entry wins). Shorthands expand to https web URLs
// with any "#ref" dropped; other URLs are returned as written, trimmed, for
// the policy package to parse. Anything else yields "".
func RepositoryURL(raw json.RawMessage) string {
	return repositoryURL(raw, 0)
}

func repositoryURL(raw []byte, depth int) string {
	i := skipSpace(raw, 0)
	if i >= len(raw) || depth > 2 {
		return ""
	}
	switch raw[i] {
	case '"':
		s, ok := stringValue(trimSpaceBytes(raw))
		if !ok {
			return ""
		}
		return expandRepository(s)
	case '{':
		var url string
		end, err := walkObject(raw, i, 0, func(m member) error {
			if m.keyIs(raw, "url") {
				url, _ = stringValue(raw[m.ValStart:m.ValEnd])
			}
			return nil
		})
		if err != nil || skipSpace(raw, end) != len(raw) {
			return ""
		}
		return expandRepository(url)
	case '[':
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil {
			return ""
		}
		for _, e := range arr {
			if u := repositoryURL(e, depth+1); u != "" {
				return u
			}
		}
	}
	return ""
}

func trimSpaceBytes(b []byte) []byte {
	i := skipSpace(b, 0)
	j := len(b)
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// expandRepository expands npm shorthands and returns other values trimmed.
func expandRepository(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if prefix, p, ok := strings.Cut(s, ":"); ok {
		if base := hostedBase(prefix); base != "" {
			p, _, _ = strings.Cut(p, "#")
			p = strings.TrimSuffix(strings.Trim(p, "/"), ".git")
			if p == "" {
				return ""
			}
			return base + p
		}
	}
	if isShorthand(s) {
		p, _, _ := strings.Cut(s, "#")
		return "https://github.com/" + strings.TrimSuffix(p, ".git")
	}
	return s
}
