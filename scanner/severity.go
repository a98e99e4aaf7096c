package scanner

import (
	"fmt"
	"strings"
)

// Severity is the one severity vocabulary of the scanner: every rule has a
// default severity, --fail-on compares against it, SARIF levels and
// security-severity scores derive from it.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts the names of String, case-insensitively.
func ParseSeverity(v string) (Severity, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	for i, n := range severityNames {
		if v == n {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", v)
}

// MarshalText encodes the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText accepts a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	p, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = p
	return nil
}

// Lower is one level less severe (info stays info): test files, fixtures and
// warn verdicts are reported one level lower, never silenced.
func (s Severity) Lower() Severity {
	if s <= Info {
		return Info
	}
	return s - 1
}

// SARIFLevel maps the severity onto SARIF's result levels.
func (s Severity) SARIFLevel() string {
	switch {
	case s >= High:
		return "error"
	case s >= Medium:
		return "warning"
	}
	return "note"
}

// SecurityScore is the SARIF security-severity GitHub reads (">9.0
// critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low").
func (s Severity) SecurityScore() string {
	switch s {
	case Critical:
		return "9.1"
	case High:
		return "7.5"
	case Medium:
		return "5.3"
	case Low:
		return "3.1"
	}
	return "0.1"
}

// FailOn is the --fail-on bar: findings at or above it fail the scan; the
// zero value is "none" (never fail on findings).
type FailOn struct {
	set bool
	min Severity
}

// ParseFailOn accepts critical, high, medium, low or none.
func ParseFailOn(v string) (FailOn, error) {
	if strings.EqualFold(strings.TrimSpace(v), "none") {
		return FailOn{}, nil
	}
	s, err := ParseSeverity(v)
	if err != nil || s == Info {
		return FailOn{}, fmt.Errorf("unknown --fail-on %q (want critical, high, medium, low or none)", v)
	}
	return FailOn{set: true, min: s}, nil
}

// Fails reports whether a finding at severity s fails the scan.
func (f FailOn) Fails(s Severity) bool { return f.set && s >= f.min }

func (f FailOn) String() string {
	if !f.set {
		return "none"
	}
	return f.min.String()
}
