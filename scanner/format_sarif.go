package scanner

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// SARIF 2.1.0 as GitHub code scanning reads it (scanner-rules.md §5): every
// rule with short and full descriptions, help text and markdown, CWE tags
// and — for security rules only — security-severity; one location per
// result with a relative URI and uriBaseId; primaryLocationLineHash computed
// as GitHub's upload-sarif action does. Suppressed findings are omitted
// (GitHub ignores SARIF suppressions) unless asked for.

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                `json:"tool"`
	AutomationDetails  *sarifAutomation         `json:"automationDetails,omitempty"`
	OriginalURIBaseIDs map[string]sarifArtifact `json:"originalUriBaseIds,omitempty"`
	Invocations        []sarifInvocation        `json:"invocations,omitempty"`
	Taxonomies         []sarifToolComponent     `json:"taxonomies,omitempty"`
	Results            []sarifResult            `json:"results"`
}

type sarifTool struct {
	Driver sarifToolComponent `json:"driver"`
}

type sarifToolComponent struct {
	Name                string                `json:"name"`
	SemanticVersion     string                `json:"semanticVersion,omitempty"`
	Version             string                `json:"version,omitempty"`
	Organization        string                `json:"organization,omitempty"`
	InformationURI      string                `json:"informationUri,omitempty"`
	Rules               []sarifRule           `json:"rules,omitempty"`
	Taxa                []sarifTaxon          `json:"taxa,omitempty"`
	SupportedTaxonomies []sarifComponentRef   `json:"supportedTaxonomies,omitempty"`
	ShortDescription    *sarifMultiformatText `json:"shortDescription,omitempty"`
}

type sarifComponentRef struct {
	Name string `json:"name"`
}

type sarifTaxon struct {
	ID               string                `json:"id"`
	ShortDescription *sarifMultiformatText `json:"shortDescription,omitempty"`
	HelpURI          string                `json:"helpUri,omitempty"`
}

type sarifMultiformatText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string               `json:"id"`
	Name                 string               `json:"name,omitempty"`
	ShortDescription     sarifMultiformatText `json:"shortDescription"`
	FullDescription      sarifMultiformatText `json:"fullDescription"`
	Help                 sarifMultiformatText `json:"help"`
	DefaultConfiguration sarifConfiguration   `json:"defaultConfiguration"`
	Properties           sarifRuleProperties  `json:"properties"`
	Relationships        []sarifRelationship  `json:"relationships,omitempty"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProperties struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision,omitempty"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
	ProblemSeverity  string   `json:"problem.severity,omitempty"`
}

type sarifRelationship struct {
	Target sarifReportingDescriptorRef `json:"target"`
	Kinds  []string                    `json:"kinds"`
}

type sarifReportingDescriptorRef struct {
	ID            string            `json:"id"`
	ToolComponent sarifComponentRef `json:"toolComponent"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	ToolNotifications   []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string               `json:"level"`
	Message   sarifMultiformatText `json:"message"`
	Locations []sarifLocation      `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifMessage       `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties,omitempty"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

const srcRoot = "%SRCROOT%"

func writeSARIF(w io.Writer, res *Result, o WriteOptions) error {
	rules := res.Rules
	index := map[string]int{}
	sr := make([]sarifRule, 0, len(rules))
	cwes := map[int]bool{}
	for i, r := range rules {
		index[r.ID] = i
		sr = append(sr, sarifRuleFor(r))
		for _, c := range r.CWE {
			cwes[c] = true
		}
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifToolComponent{
			Name: "vigil-proxy", SemanticVersion: semver(o.ToolVersion), Version: o.ToolVersion,
			InformationURI: "https://github.com/vigil-proxy/vigil-proxy",
			Rules:          sr,
		}},
		AutomationDetails: &sarifAutomation{ID: "vigil-proxy/scan/"},
		Results:           []sarifResult{},
	}
	if len(cwes) > 0 {
		run.Tool.Driver.SupportedTaxonomies = []sarifComponentRef{{Name: "CWE"}}
		tax := sarifToolComponent{Name: "CWE", Version: "4.14", Organization: "MITRE",
			ShortDescription: &sarifMultiformatText{Text: "The MITRE Common Weakness Enumeration"}}
		for _, r := range rules {
			for _, c := range r.CWE {
				if cwes[c] {
					delete(cwes, c)
					tax.Taxa = append(tax.Taxa, sarifTaxon{ID: strconv.Itoa(c), HelpURI: fmt.Sprintf("https://cwe.mitre.org/data/definitions/%d.html", c)})
				}
			}
		}
		run.Taxonomies = []sarifToolComponent{tax}
	}
	if !o.OmitRootURI && res.Root != "" {
		u := url.URL{Scheme: "file", Path: filepath.ToSlash(res.Root) + "/"}
		run.OriginalURIBaseIDs = map[string]sarifArtifact{srcRoot: {URI: u.String()}}
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, e := range res.Errors {
		n := sarifNotification{Level: "warning", Message: sarifMultiformatText{Text: e.Message}}
		if e.Path != "" {
			n.Locations = []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: uriPath(e.Path), URIBaseID: srcRoot}}}}
		}
		inv.ToolNotifications = append(inv.ToolNotifications, n)
	}
	run.Invocations = []sarifInvocation{inv}

	hashes := map[string][]string{}
	for _, f := range listed(res, o) {
		r := sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: f.Severity.SARIFLevel(),
			Message:             sarifMessage{Text: f.Message},
			PartialFingerprints: map[string]string{"vigil/v1": f.Fingerprint},
			Properties:          map[string]any{"severity": f.Severity.String()},
		}
		if _, ok := index[f.Rule]; !ok {
			return fmt.Errorf("sarif: finding of rule %s has no rule metadata", f.Rule)
		}
		loc := sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: uriPath(f.Path), URIBaseID: srcRoot}}
		line := max(f.Line, 1)
		if f.Path != "" {
			reg := &sarifRegion{StartLine: line, StartColumn: max(f.Column, 1)}
			reg.EndLine = max(f.EndLine, line)
			reg.EndColumn = max(f.EndColumn, reg.StartColumn+1)
			if reg.EndLine == reg.StartLine && reg.EndColumn <= reg.StartColumn {
				reg.EndColumn = reg.StartColumn + 1
			}
			loc.Region = reg
			hs, ok := hashes[f.Path]
			if !ok {
				if b, err := os.ReadFile(filepath.Join(res.Root, filepath.FromSlash(f.Path))); err == nil {
					hs = LineHashes(b)
				}
				hashes[f.Path] = hs
			}
			if line <= len(hs) {
				r.PartialFingerprints["primaryLocationLineHash"] = hs[line-1]
			}
		}
		r.Locations = []sarifLocation{{PhysicalLocation: loc}}
		if f.Suppressed != nil {
			kind := "inSource"
			if f.Suppressed.Kind == "baseline" {
				kind = "external"
			}
			r.Suppressions = []sarifSuppression{{Kind: kind, Justification: f.Suppressed.Reason}}
		}
		run.Results = append(run.Results, r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifRuleFor(r RuleInfo) sarifRule {
	title := r.Title
	if title == "" {
		title = r.ID
	}
	desc := r.Description
	if desc == "" {
		desc = title
	}
	help := strings.TrimSpace(desc + "\n\nFix: " + r.Fix)
	var md strings.Builder
	fmt.Fprintf(&md, "**%s** (%s)\n\n%s\n", title, r.ID, desc)
	if r.Fix != "" {
		fmt.Fprintf(&md, "\n**Fix:** %s\n", r.Fix)
	}
	if r.Bad != "" {
		fmt.Fprintf(&md, "\nInstead of:\n\n```\n%s\n```\n", r.Bad)
	}
	if r.Good != "" {
		fmt.Fprintf(&md, "\nWrite:\n\n```\n%s\n```\n", r.Good)
	}
	tags := []string{}
	if r.Security {
		tags = append(tags, "security")
	} else {
		tags = append(tags, "maintainability")
	}
	if r.Category != "" {
		tags = append(tags, string(r.Category))
	}
	for _, c := range r.CWE {
		tags = append(tags, fmt.Sprintf("external/cwe/cwe-%d", c))
	}
	tags = append(tags, r.Tags...)
	if len(tags) > 20 {
		tags = tags[:20]
	}
	props := sarifRuleProperties{Tags: tags, Precision: r.Precision}
	if r.Security {
		props.SecuritySeverity = r.Severity.SecurityScore()
	} else {
		props.ProblemSeverity = map[string]string{"error": "error", "warning": "warning", "note": "recommendation"}[r.Severity.SARIFLevel()]
	}
	sr := sarifRule{
		ID: r.ID, Name: r.Name,
		ShortDescription:     sarifMultiformatText{Text: title},
		FullDescription:      sarifMultiformatText{Text: desc},
		Help:                 sarifMultiformatText{Text: help, Markdown: md.String()},
		DefaultConfiguration: sarifConfiguration{Level: r.Severity.SARIFLevel()},
		Properties:           props,
	}
	for _, c := range r.CWE {
		sr.Relationships = append(sr.Relationships, sarifRelationship{
			Target: sarifReportingDescriptorRef{ID: strconv.Itoa(c), ToolComponent: sarifComponentRef{Name: "CWE"}},
			Kinds:  []string{"superset"},
		})
	}
	return sr
}

// uriPath escapes a slash path as a relative URI reference ("." for the
// root).
func uriPath(p string) string {
	if p == "" {
		return "."
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// semver returns v when it looks like a semantic version (SARIF's
// semanticVersion), else "".
func semver(v string) string {
	v = strings.TrimPrefix(v, "v")
	if v == "" || v[0] < '0' || v[0] > '9' {
		return ""
	}
	return v
}
