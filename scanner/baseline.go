package scanner

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// BaselineVersion is the baseline file format version.
const BaselineVersion = 1

// Baseline lists accepted findings by fingerprint, so a team can adopt the
// scanner on an existing codebase: findings in the baseline are not
// reported again, even after the code around them moves.
type Baseline struct {
	Version  int             `json:"version"`
	Tool     string          `json:"tool"`
	Findings []BaselineEntry `json:"findings"`

	index map[string]bool
}

// BaselineEntry is one accepted finding (rule, path and message kept for
// reviewers; only the fingerprint matches).
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	Path        string `json:"path"`
	Message     string `json:"message"`
}

// NewBaseline builds a baseline from a scan's active findings.
func NewBaseline(fs []Finding) *Baseline {
	b := &Baseline{Version: BaselineVersion, Tool: "vigil-proxy", Findings: []BaselineEntry{}}
	for _, f := range fs {
		if f.Suppressed != nil && f.Suppressed.Kind == "inline" {
			continue
		}
		b.Findings = append(b.Findings, BaselineEntry{Fingerprint: f.Fingerprint, Rule: f.Rule, Path: f.Path, Message: f.Message})
	}
	slices.SortFunc(b.Findings, func(x, y BaselineEntry) int {
		if c := strings.Compare(x.Path, y.Path); c != 0 {
			return c
		}
		return strings.Compare(x.Fingerprint, y.Fingerprint)
	})
	return b
}

// LoadBaseline reads a baseline file.
func LoadBaseline(path string) (*Baseline, error) {
	raw, err := readRegularFile(path, maxBaselineSize, "64 MiB")
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	var b Baseline
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	if b.Version != BaselineVersion {
		return nil, fmt.Errorf("baseline %s: version %d, want %d", path, b.Version, BaselineVersion)
	}
	return &b, nil
}

// WriteFile writes the baseline as indented JSON.
func (b *Baseline) WriteFile(path string) error {
	raw, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(path, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	return nil
}

func (b *Baseline) apply(fs []Finding) {
	if b.index == nil {
		b.index = make(map[string]bool, len(b.Findings))
		for _, e := range b.Findings {
			b.index[e.Fingerprint] = true
		}
	}
	for i := range fs {
		if fs[i].Suppressed == nil && b.index[fs[i].Fingerprint] {
			fs[i].Suppressed = &Suppression{Kind: "baseline"}
		}
	}
}
