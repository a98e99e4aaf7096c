package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const day = 24 * time.Hour

func TestParseStrategy(t *testing.T) {
	tests := []struct {
		in      string
		want    Strategy
		wantErr bool
	}{
		{"relaxed", Relaxed, false},
		{" Default ", DefaultStrategy, false},
		{"STRICT", Strict, false},
		{"", "", true},
		{"paranoid", "", true},
	}
	for _, tt := range tests {
		got, err := ParseStrategy(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseStrategy(%q) = %q, %v; want %q, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSettingsAction(t *testing.T) {
	// The documented strategy table, cell by cell.
	want := map[string][3]Action{ // relaxed, default, strict
		RuleNonexistent:        {ActionBlock, ActionBlock, ActionBlock},
		RuleTooNew:             {ActionBlock, ActionBlock, ActionBlock},
		RuleTyposquat:          {ActionWarn, ActionBlock, ActionBlock},
		RuleUnpopular:          {ActionOff, ActionWarn, ActionBlock},
		RuleNoRepository:       {ActionOff, ActionWarn, ActionBlock},
		RuleUndeclaredImport:   {ActionWarn, ActionWarn, ActionBlock},
		RuleNonexistentVersion: {ActionBlock, ActionBlock, ActionBlock},
		RuleMalicious:          {ActionBlock, ActionBlock, ActionBlock},
		"DEP-999":              {ActionOff, ActionOff, ActionOff},
		"":                     {ActionOff, ActionOff, ActionOff},
	}
	for id, row := range want {
		for i, st := range Strategies() {
			if got := DefaultSettings(st).Action(id); got != row[i] {
				t.Errorf("%s under %s: got %s, want %s", id, st, got, row[i])
			}
		}
	}
	s := DefaultSettings(Relaxed)
	s.Actions = map[string]Action{RuleUnpopular: ActionBlock, RuleNonexistent: ActionOff}
	if got := s.Action(RuleUnpopular); got != ActionBlock {
		t.Errorf("override DEP-004: got %s, want block", got)
	}
	if got := s.Action(RuleNonexistent); got != ActionOff {
		t.Errorf("override DEP-001: got %s, want off", got)
	}
	if got := s.Action(RuleTyposquat); got != ActionWarn {
		t.Errorf("non-overridden DEP-003: got %s, want warn", got)
	}
	if got := (Settings{}).Action(RuleTyposquat); got != ActionBlock {
		t.Errorf("empty strategy behaves as default: got %s, want block", got)
	}
}

func TestDefaultSettings(t *testing.T) {
	tests := []struct {
		st           Strategy
		pkgAge, rAge time.Duration
	}{
		{Relaxed, 7 * day, 2 * day},
		{DefaultStrategy, 30 * day, 7 * day},
		{Strict, 60 * day, 14 * day},
	}
	for _, tt := range tests {
		s := DefaultSettings(tt.st)
		want := Settings{
			Strategy:           tt.st,
			MinPackageAge:      tt.pkgAge,
			MinReleaseAge:      tt.rAge,
			MissingTimeIsNew:   true,
			CodeHosts:          DefaultCodeHosts(),
			MinWeeklyDownloads: 100,
			UnknownPopularity:  ActionWarn,
		}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("DefaultSettings(%s) mismatch (-want +got):\n%s", tt.st, diff)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("DefaultSettings(%s).Validate() = %v", tt.st, err)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Settings)
		want   []string // substrings, one per expected problem
	}{
		{"valid overrides", func(s *Settings) {
			s.Actions = map[string]Action{RuleUnpopular: ActionBlock, RuleUndeclaredImport: ActionOff}
		}, nil},
		{"zero ages allowed", func(s *Settings) { s.MinPackageAge, s.MinReleaseAge = 0, 0 }, nil},
		{"unknown strategy", func(s *Settings) { s.Strategy = "paranoid" }, []string{`strategy "paranoid"`}},
		{"empty strategy", func(s *Settings) { s.Strategy = "" }, []string{`strategy ""`}},
		{"negative ages", func(s *Settings) { s.MinPackageAge, s.MinReleaseAge = -time.Hour, -time.Second },
			[]string{"min package age -1h0m0s", "min release age -1s"}},
		{"unknown rule and bad action", func(s *Settings) {
			s.Actions = map[string]Action{"DEP-042": ActionWarn, RuleTooNew: "Block", RuleTyposquat: "loud"}
		}, []string{`unknown rule ID "DEP-042"`, `rule DEP-002: unknown action "Block"`, `rule DEP-003: unknown action "loud"`}},
		{"negative downloads", func(s *Settings) { s.MinWeeklyDownloads = -1 }, []string{"min weekly downloads -1"}},
		{"bad unknown popularity", func(s *Settings) { s.UnknownPopularity = "" }, []string{`unknown popularity action ""`}},
		{"bad code hosts", func(s *Settings) { s.CodeHosts = []string{"https://github.com", "", "git..hub"} },
			[]string{`code host 0: host "https://github.com"`, "code host 1: empty host", `code host 2: host "git..hub": malformed`}},
		{"no code hosts with DEP-005 on", func(s *Settings) { s.CodeHosts = nil }, []string{"code hosts: empty while DEP-005 is on"}},
		{"no code hosts with DEP-005 off", func(s *Settings) {
			s.CodeHosts = nil
			s.Actions = map[string]Action{RuleNoRepository: ActionOff}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings(DefaultStrategy)
			tt.modify(&s)
			err := s.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %d problems", len(tt.want))
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(lines), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestStrategyTable(t *testing.T) {
	rows := StrategyTable()
	got := map[string][3]string{}
	for _, r := range rows {
		if r.Title == "" {
			t.Errorf("%s has no title", r.Rule)
		}
		got[r.Rule] = [3]string{r.Relaxed.String(), r.Default.String(), r.Strict.String()}
	}
	want := map[string][3]string{
		RuleNonexistent:        {"block", "block", "block"},
		RuleTooNew:             {"block, package 7d, release 2d", "block, package 30d, release 7d", "block, package 60d, release 14d"},
		RuleTyposquat:          {"warn", "block", "block"},
		RuleUnpopular:          {"off", "warn", "block"},
		RuleNoRepository:       {"off", "warn", "block"},
		RuleUndeclaredImport:   {"warn", "warn", "block"},
		RuleNonexistentVersion: {"block", "block", "block"},
		RuleMalicious:          {"block", "block", "block"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("StrategyTable mismatch (-want +got):\n%s", diff)
	}
	var order []string
	for _, r := range rows {
		order = append(order, r.Rule)
	}
	if diff := cmp.Diff(RuleIDs(), order); diff != "" {
		t.Errorf("row order (-want +got):\n%s", diff)
	}
}

func TestShortDays(t *testing.T) {
	for d, want := range map[time.Duration]string{7 * day: "7d", 36 * time.Hour: "36h0m0s", 0: "0s"} {
		if got := shortDays(d); got != want {
			t.Errorf("shortDays(%v) = %q, want %q", d, got, want)
		}
	}
}
