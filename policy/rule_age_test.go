package policy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTooNewRule(t *testing.T) {
	def := DefaultSettings(DefaultStrategy) // package 30d, release 7d
	lenient := def
	lenient.MissingTimeIsNew = false
	noAges := def
	noAges.MinPackageAge, noAges.MinReleaseAge = 0, 0
	hours := def
	hours.MinReleaseAge = 36 * time.Hour

	old := now.Add(-400 * day)
	rel := func(v string, published time.Time, files ...File) *Release {
		return &Release{Version: v, Published: published, Files: files}
	}
	pkg := func(created time.Time) *Package {
		return &Package{Ecosystem: PyPI, Name: "fresh", Exists: true, Created: created}
	}
	tests := []struct {
		name string
		s    Settings
		in   Input
		want string // "" = no finding
	}{
		{"package old enough", def, Input{Package: pkg(old)}, ""},
		{"package exactly at the limit", def, Input{Package: pkg(now.Add(-30 * day))}, ""},
		{"package 5 days old", def, Input{Package: pkg(now.Add(-5*day - time.Hour))},
			"`fresh` was first published 5 days ago (policy: 30 days)"},
		{"package 30 hours old", def, Input{Package: pkg(now.Add(-30 * time.Hour))},
			"`fresh` was first published 30 hours ago (policy: 30 days)"},
		{"package published in the future (clock skew)", def, Input{Package: pkg(now.Add(time.Hour))},
			"`fresh` was first published just now (policy: 30 days)"},
		{"release dated years ahead: a lying document, not clock skew", def, Input{Package: pkg(old), Release: rel("2.0.0", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))},
			"version 2.0.0 was published with a date in the future (2099-01-01) (policy: 7 days)"},
		{"package time unknown, fail closed", def, Input{Package: pkg(time.Time{})},
			"`fresh` has no known first publish time: publish time unknown, treated as too new (policy: 30 days)"},
		{"package time unknown, fail open", lenient, Input{Package: pkg(time.Time{})}, ""},
		{"package check disabled", noAges, Input{Package: pkg(now.Add(-time.Hour))}, ""},
		{"missing package: DEP-001's job", def, Input{Package: &Package{Ecosystem: PyPI, Name: "x"}}, ""},
		{"release old enough", def, Input{Package: pkg(old), Release: rel("1.0.0", now.Add(-8*day))}, ""},
		{"release 2 days old", def, Input{Package: pkg(old), Release: rel("2.0.0", now.Add(-2*day-time.Minute))},
			"version 2.0.0 was published 2 days ago (policy: 7 days)"},
		{"release 90 minutes old, policy in hours", hours, Input{Package: pkg(old), Release: rel("2.0.0", now.Add(-90*time.Minute))},
			"version 2.0.0 was published 1 hour ago (policy: 36 hours)"},
		{"release 10 minutes old", def, Input{Package: pkg(old), Release: rel("2.0.0", now.Add(-10*time.Minute))},
			"version 2.0.0 was published 10 minutes ago (policy: 7 days)"},
		{"release time unknown", def, Input{Package: pkg(old), Release: rel("2.0.0", time.Time{})},
			"version 2.0.0 has no known publish time: publish time unknown, treated as too new (policy: 7 days)"},
		{"release time unknown, fail open", lenient, Input{Package: pkg(old), Release: rel("2.0.0", time.Time{})}, ""},
		{"release check disabled", noAges, Input{Package: pkg(old), Release: rel("2.0.0", now)}, ""},
		{"new file of an old release is judged by its own upload", def, Input{Package: pkg(old),
			Release: rel("1.0.0", now.Add(-100*day)), File: &File{Name: "x-1.0.0-py3-none-any.whl", Uploaded: now.Add(-3 * day)}},
			"file x-1.0.0-py3-none-any.whl of version 1.0.0 was uploaded 3 days ago (policy: 7 days)"},
		{"old file", def, Input{Package: pkg(old),
			Release: rel("1.0.0", now.Add(-100*day)), File: &File{Name: "x-1.0.0.tar.gz", Uploaded: now.Add(-99 * day)}}, ""},
		{"file without time falls back to the release", def, Input{Package: pkg(old),
			Release: rel("1.0.0", now.Add(-100*day)), File: &File{Name: "x-1.0.0.tar.gz"}}, ""},
		{"file and release without time", def, Input{Package: pkg(old),
			Release: rel("1.0.0", time.Time{}), File: &File{Name: "x-1.0.0.tar.gz"}},
			"file x-1.0.0.tar.gz of version 1.0.0 has no known upload time: publish time unknown, treated as too new (policy: 7 days)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Now = now
			got, ok := NewTooNewRule(tt.s).Evaluate(tt.in)
			if ok != (tt.want != "") {
				t.Fatalf("ok = %v, finding %+v; want reason %q", ok, got, tt.want)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff(Finding{Rule: RuleTooNew, Verdict: Block, Reason: tt.want}, got); diff != "" {
				t.Errorf("finding (-want +got):\n%s", diff)
			}
		})
	}
}
