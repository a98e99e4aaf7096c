package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"regexp"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// Prepare reads the project's .env.example files (SEC-006).
func (a *Analyzer) Prepare(ctx context.Context, p *scanner.Project) error {
	for _, rel := range p.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !isEnvExample(strings.ToLower(path.Base(rel))) {
			continue
		}
		b, err := p.ReadFile(rel)
		if err != nil {
			continue // unreadable example: nothing to compare with
		}
		a.exampleFiles = append(a.exampleFiles, rel)
		for _, e := range parseDotenv(b) {
			v := strings.TrimSpace(e.Value)
			if v == "" || classifyName(e.Key) == notSecret || obviousNonSecret(v, e.Key) {
				continue
			}
			if a.examples[e.Key] == nil {
				a.examples[e.Key] = map[string]bool{}
			}
			a.examples[e.Key][v] = true
			if len(v) >= 6 {
				a.exampleValues[v] = true
			}
		}
	}
	return nil
}

// ignoredEnvCopies checks the .env next to each example even when
// .gitignore hides it from the walk: a local .env that still holds the
// example's secrets runs with public values.
func (a *Analyzer) ignoredEnvCopies(p *scanner.Project) []scanner.Finding {
	var out []scanner.Finding
	seen := map[string]bool{}
	for _, ex := range a.exampleFiles {
		rel := path.Join(path.Dir(ex), ".env")
		if seen[rel] || p.HasFile(rel) {
			continue // analyzed with the other files
		}
		seen[rel] = true
		b, err := p.ReadFile(rel)
		if err != nil {
			continue
		}
		f := &scanner.File{Path: rel, Content: b, Test: scanner.IsTestPath(rel), Project: p}
		fs := &fileScan{a: a, f: f, consumed: map[int]bool{}}
		for _, e := range parseDotenv(b) {
			v := strings.TrimSpace(e.Value)
			if v != "" && a.examples[e.Key][v] {
				fs.add(RuleExampleCopy, RuleExampleCopy.Severity, fs.lineLoc(e.Line),
					fmt.Sprintf("%s has the value %q shown in the committed %s", e.Key, redact(v), a.exampleName()), v)
			}
		}
		out = append(out, fs.out...)
	}
	return out
}

// secretFileKind names what a path is when it is a secret file by its name
// ("" when it is not); content says whether the content must confirm it.
func secretFileKind(rel string) (kind string, content bool) {
	base := strings.ToLower(path.Base(rel))
	ext := path.Ext(base)
	switch {
	case isDotenv(base) && !isEnvExample(base):
		return "environment file", false
	case base == "id_rsa" || base == "id_dsa" || base == "id_ecdsa" || base == "id_ed25519" ||
		strings.HasPrefix(base, "id_rsa") && ext != ".pub" || strings.HasPrefix(base, "id_ed25519") && ext != ".pub":
		return "SSH private key", false
	case ext == ".pem" || ext == ".key":
		return "private key", true
	case ext == ".p12" || ext == ".pfx" || ext == ".jks" || ext == ".keystore" || ext == ".kdbx" || base == "keystore.jks":
		return "key store", false
	case base == "credentials.json" || base == "client_secret.json" || strings.HasPrefix(base, "client_secret_") && ext == ".json" ||
		strings.HasPrefix(base, "service-account") && ext == ".json" || strings.HasPrefix(base, "service_account") && ext == ".json":
		return "credentials file", false
	case base == ".npmrc" || base == ".pypirc" || base == ".netrc" || base == "_netrc" || base == ".git-credentials" ||
		base == ".htpasswd" || base == ".dockercfg":
		return "credentials file", true
	case base == "terraform.tfstate" || base == "terraform.tfstate.backup":
		return "Terraform state", false
	}
	return "", false
}

var (
	privateKeyRE = regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----`)
	npmTokenRE   = regexp.MustCompile(`(?m)(?:_authToken|_auth|_password)\s*=\s*["']?([^\s"'$][^\s"']*)`)
	pypircPassRE = regexp.MustCompile(`(?m)^\s*password\s*[=:]\s*(\S+)`)
	netrcPassRE  = regexp.MustCompile(`(?m)\bpassword\s+(\S+)`)
	gitCredRE    = regexp.MustCompile(`://[^:\s/]+:[^@\s]+@`)
)

// confirmSecretContent says whether a file flagged by name really holds a
// secret: a PEM private key (not a certificate), a registry token that is
// not a ${VAR} reference, a password.
func confirmSecretContent(base string, b []byte) bool {
	switch {
	case strings.HasSuffix(base, ".pem") || strings.HasSuffix(base, ".key"):
		return privateKeyRE.Match(b)
	case base == ".npmrc":
		return npmTokenRE.Match(b)
	case base == ".pypirc":
		m := pypircPassRE.FindSubmatch(b)
		return m != nil && !bytes.HasPrefix(m[1], []byte("$"))
	case base == ".netrc" || base == "_netrc":
		return netrcPassRE.Match(b)
	case base == ".git-credentials":
		return gitCredRE.Match(b)
	}
	return len(bytes.TrimSpace(b)) > 0
}

// isServiceAccountJSON recognises a Google service-account key by content.
func isServiceAccountJSON(b []byte) bool {
	return bytes.Contains(b, []byte(`"service_account"`)) && bytes.Contains(b, []byte(`"private_key"`)) &&
		privateKeyRE.Match(bytes.ReplaceAll(b, []byte(`\n`), []byte("\n")))
}

// secretFiles reports SEC-005: secret files that no .gitignore covers, and
// tracked secret files even when .gitignore lists them (a committed file
// stays exposed). Ignore status comes from git itself (check-ignore, with
// the user's global excludes switched off: they protect nobody else), so
// .gitignore files above the scan root count too.
func (a *Analyzer) secretFiles(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	if !p.InGit() {
		// .gitignore protects nothing outside git: SEC-005 has nothing to judge
		a.mu.Lock()
		a.notGit = true
		a.mu.Unlock()
		return nil, nil
	}
	a.mu.Lock()
	sa := map[string]bool{}
	for _, s := range a.jsonSA {
		sa[s] = true
	}
	a.mu.Unlock()
	type candidate struct{ rel, kind string }
	var cands []candidate
	consider := func(rel string) {
		kind, needContent := secretFileKind(rel)
		if kind == "" {
			if sa[rel] {
				cands = append(cands, candidate{rel, "service-account key"})
			}
			return
		}
		if needContent {
			b, err := p.ReadFile(rel)
			if err != nil || !confirmSecretContent(strings.ToLower(path.Base(rel)), b) {
				return
			}
		}
		cands = append(cands, candidate{rel, kind})
	}
	for _, rel := range p.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		consider(rel)
	}
	for _, rel := range trackedIgnored(ctx, p.Root) {
		if !p.HasFile(rel) {
			consider(rel)
		}
	}
	rels := make([]string, len(cands))
	for i, c := range cands {
		rels[i] = c.rel
	}
	ignored, err := gitIgnored(ctx, p.Root, rels)
	if err != nil {
		return nil, err
	}
	var out []scanner.Finding
	for _, c := range cands {
		tracked := p.Tracked(c.rel)
		ign := ignored[c.rel]
		if ign && !tracked {
			continue
		}
		sev := scanner.Medium
		var msg string
		switch {
		case tracked && ign:
			sev = scanner.High
			msg = fmt.Sprintf("%s %s is tracked by git although .gitignore lists it: it stays in the repository and its history", c.kind, path.Base(c.rel))
		case tracked:
			sev = scanner.High
			msg = fmt.Sprintf("%s %s is tracked by git and not covered by .gitignore", c.kind, path.Base(c.rel))
		default:
			msg = fmt.Sprintf("%s %s is not covered by .gitignore: the next `git add .` commits it", c.kind, path.Base(c.rel))
		}
		if scanner.IsTestPath(c.rel) {
			sev = sev.Lower()
			msg += " (in a test directory or fixture)"
		}
		out = append(out, scanner.Finding{Rule: RuleSecretFile.ID, Severity: sev, Path: c.rel, Message: msg})
	}
	return out, nil
}

// gitIgnored asks git which of the paths (relative to root) an ignore rule
// covers, whether or not they are tracked.
func gitIgnored(ctx context.Context, root string, rels []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(rels) == 0 {
		return out, nil
	}
	cmd := exec.CommandContext(ctx, "git", "-C", root, "-c", "core.excludesFile=", "check-ignore", "--no-index", "--stdin", "-z")
	cmd.Stdin = strings.NewReader(strings.Join(rels, "\x00") + "\x00")
	b, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return out, nil // none ignored
		}
		return nil, fmt.Errorf("git check-ignore: %w", err)
	}
	for _, f := range bytes.Split(b, []byte{0}) {
		if len(f) > 0 {
			out[string(f)] = true
		}
	}
	return out, nil
}

// trackedIgnored lists the files git tracks although an ignore rule
// covers them (relative to root).
func trackedIgnored(ctx context.Context, root string) []string {
	cmd := exec.CommandContext(ctx, "git", "-C", root, "ls-files", "-z", "--cached", "--ignored", "--exclude-standard", "--", ".")
	b, err := cmd.Output()
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range bytes.Split(b, []byte{0}) {
		if len(f) > 0 {
			out = append(out, string(f))
		}
	}
	return out
}
