package scanner

import (
	"encoding/json"
	"io"
)

// JSONSchemaVersion is the version of the JSON report's schema (see the
// README's "JSON output" section). Additive changes keep it; anything else
// bumps it.
const JSONSchemaVersion = 1

type jsonReport struct {
	Version  int         `json:"version"`
	Tool     jsonTool    `json:"tool"`
	Summary  jsonSummary `json:"summary"`
	Findings []Finding   `json:"findings"`
	Errors   []FileError `json:"errors"`
	Notes    []string    `json:"notes"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonSummary struct {
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// parsed_files/parsed_bytes: the code files that needed a syntax tree
	ParsedFiles int            `json:"parsed_files"`
	ParsedBytes int64          `json:"parsed_bytes"`
	DurationMS  int64          `json:"duration_ms"`
	Counts      map[string]int `json:"counts"`
	Suppressed  int            `json:"suppressed"`
	FailOn      string         `json:"fail_on"`
	Failed      bool           `json:"failed"`
}

func writeJSON(w io.Writer, res *Result, o WriteOptions) error {
	counts := map[string]int{}
	for s := Info; s <= Critical; s++ {
		counts[s.String()] = res.Counts()[s]
	}
	rep := jsonReport{
		Version: JSONSchemaVersion,
		Tool:    jsonTool{Name: "vigil-proxy", Version: o.ToolVersion},
		Summary: jsonSummary{
			Files: res.Stats.Files, Bytes: res.Stats.Bytes, ParsedFiles: res.Stats.ParsedFiles, ParsedBytes: res.Stats.ParsedBytes, DurationMS: res.Stats.Millis,
			Counts: counts, Suppressed: suppressedCount(res), FailOn: o.FailOn.String(), Failed: res.Failed(o.FailOn),
		},
		Findings: listed(res, o),
		Errors:   res.Errors,
		Notes:    res.Notes,
	}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if rep.Errors == nil {
		rep.Errors = []FileError{}
	}
	if rep.Notes == nil {
		rep.Notes = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
