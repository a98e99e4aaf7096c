package policy

import (
	"fmt"
	"strings"
)

// Verdict is the outcome of judging a package, ordered by severity.
type Verdict int

const (
	Allow Verdict = iota
	Warn
	Block
)

func (v Verdict) String() string {
	switch v {
	case Allow:
		return "allow"
	case Warn:
		return "warn"
	case Block:
		return "block"
	}
	return fmt.Sprintf("verdict(%d)", int(v))
}

// MarshalText encodes the verdict as "allow", "warn" or "block".
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText accepts "allow", "warn" or "block".
func (v *Verdict) UnmarshalText(b []byte) error {
	p, err := ParseVerdict(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// ParseVerdict accepts "allow", "warn" or "block".
func ParseVerdict(s string) (Verdict, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "allow":
		return Allow, nil
	case "warn":
		return Warn, nil
	case "block":
		return Block, nil
	}
	return Allow, fmt.Errorf("unknown verdict %q (want allow, warn or block)", s)
}

// Action is what a rule is configured to do when it fires.
type Action string

const (
	ActionOff   Action = "off"
	ActionWarn  Action = "warn"
	ActionBlock Action = "block"
)

// ParseAction accepts "off", "warn" or "block".
func ParseAction(s string) (Action, error) {
	switch a := Action(strings.ToLower(strings.TrimSpace(s))); a {
	case ActionOff, ActionWarn, ActionBlock:
		return a, nil
	}
	return "", fmt.Errorf("unknown action %q (want off, warn or block)", s)
}

// cap limits a finding's severity to what the action allows; ok is false when
// the action switches the rule off.
func (a Action) cap(v Verdict) (Verdict, bool) {
	switch a {
	case ActionOff:
		return Allow, false
	case ActionWarn:
		return min(v, Warn), true
	default:
		return v, true
	}
}

// Finding is one rule's statement about a package, release or file.
type Finding struct {
	Rule    string  `json:"rule"`
	Verdict Verdict `json:"verdict"`
	// Reason is shown to users (pip, npm, the admin UI): plain words, no
	// internals.
	Reason string `json:"reason"`
	// Suggestions are names the user may have meant ("did you mean").
	Suggestions []string `json:"suggestions,omitempty"`
	// Advisories are the malware advisory IDs behind a MAL-001 finding from
	// the malware feed ("MAL-2024-1234"); only an allow entry naming them
	// overrides the finding.
	Advisories []string `json:"advisories,omitempty"`
}

// Decision is the engine's combined judgement of one subject.
type Decision struct {
	Ref      Ref       `json:"ref"`
	Verdict  Verdict   `json:"verdict"`
	Findings []Finding `json:"findings"`
	// List is the allow or deny entry that decided, if any. An allow entry
	// silences every rule; a deny entry blocks regardless of rules.
	List *ListEntry `json:"list,omitempty"`
}

// Blocked reports whether the decision refuses the subject.
func (d Decision) Blocked() bool { return d.Verdict == Block }

// Reason is the user-facing explanation of the decision: the reasons of the
// findings at the decision's own severity, joined. Empty for a plain allow.
func (d Decision) Reason() string {
	if d.List != nil && d.List.Kind == Deny {
		r := "denylisted by entry " + d.List.describe()
		if d.List.Reason != "" {
			r += ": " + d.List.Reason
		}
		return r
	}
	var parts []string
	for _, f := range d.Findings {
		if f.Verdict == d.Verdict && f.Verdict != Allow {
			parts = append(parts, f.Reason)
		}
	}
	return strings.Join(parts, "; ")
}

// Rules lists the IDs of the findings at the decision's severity.
func (d Decision) Rules() []string {
	var ids []string
	if d.List != nil && d.List.Kind == Deny {
		ids = append(ids, RuleDenylist)
	}
	for _, f := range d.Findings {
		if f.Verdict == d.Verdict && f.Verdict != Allow {
			ids = append(ids, f.Rule)
		}
	}
	return ids
}

// merge folds other into d: findings are appended and the verdict is the more
// severe one. A deny entry on either side wins.
func (d Decision) merge(other Decision) Decision {
	d.Findings = append(append([]Finding(nil), d.Findings...), other.Findings...)
	d.Verdict = max(d.Verdict, other.Verdict)
	if other.List != nil && (d.List == nil || other.List.Kind == Deny) {
		d.List = other.List
	}
	return d
}

// Report is the machine-readable form of a decision, shared by
// `vigil-proxy check --json`, the /api/v1/check endpoint and the admin UI.
type Report struct {
	Ecosystem Ecosystem `json:"ecosystem"`
	Name      string    `json:"name"`
	Version   string    `json:"version,omitempty"`
	// Requested is the range, specifier or dist-tag asked about when it
	// resolved to Version (the version the client would install).
	Requested string     `json:"requested,omitempty"`
	Verdict   Verdict    `json:"verdict"`
	Reason    string     `json:"reason,omitempty"`
	Findings  []Finding  `json:"findings"`
	List      *ListEntry `json:"list,omitempty"`
	// Error is set when the name could not be judged (upstream failure,
	// invalid name); Verdict is then Block in fail-closed mode.
	Error string `json:"error,omitempty"`
	// Notes say what the verdict could not take into account (offline:
	// existence not checked; a locked store: lists and watchlist not
	// consulted).
	Notes []string `json:"notes,omitempty"`
}

// Report converts the decision into its machine-readable form.
func (d Decision) Report() Report {
	findings := d.Findings
	if findings == nil {
		findings = []Finding{}
	}
	return Report{
		Ecosystem: d.Ref.Ecosystem,
		Name:      d.Ref.Name,
		Version:   d.Ref.Version,
		Verdict:   d.Verdict,
		Reason:    d.Reason(),
		Findings:  findings,
		List:      d.List,
	}
}
