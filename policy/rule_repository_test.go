package policy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRepositoryHost(t *testing.T) {
	tests := []struct {
		raw       string
		host, rep string // host "" = not ok
	}{
		{"https://github.com/psf/requests", "github.com", "psf/requests"},
		{"https://www.GitHub.com/psf/requests/tree/main/src?x=1#readme", "github.com", "psf/requests"},
		{"http://github.com/u/r/", "github.com", "u/r"},
		{"git+https://github.com/u/r.git", "github.com", "u/r"},
		{"git+ssh://git@github.com/u/r.git", "github.com", "u/r"},
		{"ssh://git@github.com:22/u/r.git", "github.com", "u/r"},
		{"git+ssh://git@github.com:u/r.git", "github.com", "u/r"},
		{"git@github.com:u/r.git", "github.com", "u/r"},
		{"git@gitlab.com:group/sub/r.git", "gitlab.com", "group/sub"},
		{"git://github.com/u/r.git", "github.com", "u/r"},
		{"github:u/r", "github.com", "u/r"},
		{"github:u/r#v1.2.0", "github.com", "u/r"},
		{"gitlab:u/r", "gitlab.com", "u/r"},
		{"bitbucket:u/r", "bitbucket.org", "u/r"},
		{"u/r", "github.com", "u/r"},
		{"u/r#semver:^1", "github.com", "u/r"},
		{"github.com/u/r", "github.com", "u/r"},
		{"https://git.sr.ht/~sircmpwn/hare", "git.sr.ht", "~sircmpwn/hare"},
		{"https://sourceforge.net/projects/pywin32/", "sourceforge.net", "projects/pywin32"},
		{"  https://codeberg.org/u/r  ", "codeberg.org", "u/r"},
		{"https://127.0.0.1/u/r", "127.0.0.1", "u/r"},
		// rejected
		{"", "", ""},
		{"https://github.com/", "", ""},
		{"https://github.com", "", ""},
		{"https://github.com/u", "", ""},
		{"https://github.com/u/.git", "", ""},
		{"https://github.com/u/..", "", ""},
		{"github:u", "", ""},
		{"gist:11081aaa281", "", ""},
		{"file:///home/u/r", "", ""},
		{"ftp://github.com/u/r", "", ""},
		{"javascript:alert(1)", "", ""},
		{"mailto:a@b.c", "", ""},
		{"git@localhost:u/r.git", "", ""},
		{"u", "", ""},
		{"u/r/x", "", ""},
		{"https://exa mple.com/u/r", "", ""},
		{"https://example..com/u/r", "", ""},
		{"https://%zz/u/r", "", ""},
		{"UNKNOWN", "", ""},
	}
	for _, tt := range tests {
		host, rep, ok := RepositoryHost(tt.raw)
		if ok != (tt.host != "") || host != tt.host || rep != tt.rep {
			t.Errorf("RepositoryHost(%q) = %q, %q, %v; want %q, %q", tt.raw, host, rep, ok, tt.host, tt.rep)
		}
	}
}

func TestNoRepositoryRule(t *testing.T) {
	hosts := []string{"github.com", " GitLab.com ", "sr.ht", ""}
	tests := []struct {
		name string
		pkg  Package
		want string // "" = passes
	}{
		{"github", Package{Name: "a", Exists: true, Repositories: []string{"https://github.com/u/a"}}, ""},
		{"one of several", Package{Name: "a", Exists: true, Repositories: []string{"https://example.com", "git+ssh://git@gitlab.com/u/a.git"}}, ""},
		{"subdomain of a code host", Package{Name: "a", Exists: true, Repositories: []string{"https://git.sr.ht/~u/a"}}, ""},
		{"newest release declares it", Package{Name: "a", Exists: true, Releases: []Release{
			{Version: "1.0.0", Published: now.Add(-10 * day)},
			{Version: "2.0.0", Published: now.Add(-1 * day), Repositories: []string{"github:u/a"}},
		}}, ""},
		{"only an older release declares it", Package{Name: "a", Exists: true, Releases: []Release{
			{Version: "1.0.0", Published: now.Add(-10 * day), Repositories: []string{"github:u/a"}},
			{Version: "2.0.0", Published: now.Add(-1 * day)},
		}}, "`a` declares no source repository on a known code host"},
		{"nothing declared", Package{Name: "a", Exists: true}, "`a` declares no source repository on a known code host"},
		{"host-only URL", Package{Name: "a", Exists: true, Repositories: []string{"https://github.com/"}},
			"`a` declares no source repository on a known code host (1 URL declared, none on an accepted host)"},
		{"lookalike host", Package{Name: "a", Exists: true, Repositories: []string{"https://github.com.evil.io/u/a", "https://notgithub.com/u/a"}},
			"`a` declares no source repository on a known code host (2 URLs declared, none on an accepted host)"},
		{"missing package: DEP-001's job", Package{Name: "a"}, ""},
	}
	r := NewNoRepositoryRule(hosts)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := r.Evaluate(Input{Package: &tt.pkg, Now: now})
			if ok != (tt.want != "") {
				t.Fatalf("ok = %v (%+v), want reason %q", ok, got, tt.want)
			}
			if ok {
				if diff := cmp.Diff(Finding{Rule: RuleNoRepository, Verdict: Block, Reason: tt.want}, got); diff != "" {
					t.Errorf("finding (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestNewestRelease(t *testing.T) {
	p := &Package{Releases: []Release{
		{Version: "3.0.0"},
		{Version: "1.0.0", Published: now.Add(-time.Hour)},
		{Version: "2.0.0", Published: now.Add(-2 * time.Hour)},
	}}
	if got := newestRelease(p); got == nil || got.Version != "1.0.0" {
		t.Errorf("newestRelease = %+v, want 1.0.0", got)
	}
	if got := newestRelease(&Package{}); got != nil {
		t.Errorf("newestRelease(empty) = %+v, want nil", got)
	}
}

func FuzzRepositoryHost(f *testing.F) {
	for _, s := range []string{"git+ssh://git@github.com:u/r.git", "github:u/r", "u/r", "https://github.com/", "a@b:c/d", "://", "git+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		host, rep, ok := RepositoryHost(raw)
		if ok && (host == "" || rep == "") {
			t.Fatalf("RepositoryHost(%q) ok with host %q repo %q", raw, host, rep)
		}
	})
}
