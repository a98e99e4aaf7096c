package scanner

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Finding is one rule's statement about one place in the scanned tree.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Path is slash-separated and relative to the scan root; "" for a
	// project-level finding (reported against the root).
	Path      string `json:"path"`
	Line      int    `json:"line"` // 1-based; 0 = whole file
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
	EndColumn int    `json:"end_column,omitempty"`
	Message   string `json:"message"`
	// Snippet is the offending source line, with secrets redacted by the
	// analyzer that found them. Never a whole secret.
	Snippet string `json:"snippet,omitempty"`
	// Fingerprint identifies the finding across line shifts (baselines);
	// filled by the engine.
	Fingerprint string `json:"fingerprint"`
	// Suppressed is set when an inline suppression or the baseline matched.
	Suppressed *Suppression `json:"suppressed,omitempty"`
	// Extra carries rule-specific facts for machine readers (e.g. the
	// package and version of a DEP finding).
	Extra map[string]string `json:"extra,omitempty"`
}

// Suppression says why a finding is not reported.
type Suppression struct {
	Kind   string `json:"kind"` // "inline" or "baseline"
	Reason string `json:"reason,omitempty"`
	Line   int    `json:"line,omitempty"` // the comment's line (inline)
}

// compareFindings orders by path, line, column, rule, message.
func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Message, b.Message),
	)
}

// fingerprint is stable across line shifts: rule, path and the offending
// line with all whitespace removed, plus the occurrence number of that
// triple in the file (so two identical lines get different fingerprints).
func fingerprint(f Finding, lineText string, occurrence int) string {
	h := sha256.New()
	h.Write([]byte(f.Rule))
	h.Write([]byte{0})
	h.Write([]byte(f.Path))
	h.Write([]byte{0})
	h.Write([]byte(strings.Join(strings.Fields(lineText), "")))
	if lineText == "" {
		// Whole-file and project findings: the message identifies them.
		h.Write([]byte{0})
		h.Write([]byte(f.Message))
	}
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(occurrence)))
	return hex.EncodeToString(h.Sum(nil))[:32]
}
