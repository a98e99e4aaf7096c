package scanner

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sampleResult(t *testing.T) *Result {
	t.Helper()
	res, err := Scan(context.Background(), Options{Root: filepath.Join("testdata", "sample"), Analyzers: []Analyzer{&markerAnalyzer{}}})
	if err != nil {
		t.Fatal(err)
	}
	res.Stats = Stats{Files: res.Stats.Files, Bytes: res.Stats.Bytes}
	res.Notes = []string{"existence of dependencies was not checked (offline)"}
	return res
}

func TestGoldenOutputs(t *testing.T) {
	res := sampleResult(t)
	for _, tc := range []struct {
		format Format
		file   string
		opts   WriteOptions
	}{
		{FormatText, "sample.txt", WriteOptions{ToolVersion: "1.2.3"}},
		{FormatText, "sample-suppressed.txt", WriteOptions{ToolVersion: "1.2.3", IncludeSuppressed: true}},
		{FormatJSON, "sample.json", WriteOptions{ToolVersion: "1.2.3"}},
		{FormatSARIF, "sample.sarif", WriteOptions{ToolVersion: "1.2.3", OmitRootURI: true}},
		{FormatMarkdown, "sample.md", WriteOptions{ToolVersion: "1.2.3"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			tc.opts.FailOn, _ = ParseFailOn("high")
			var buf bytes.Buffer
			if err := Write(&buf, tc.format, res, tc.opts); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", tc.file)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s differs from golden (-want +got):\n%s", tc.file, diff)
			}
		})
	}
}

// TestSARIFValidatesAndSuitsGitHub checks the SARIF output against the
// official SARIF 2.1.0 schema (vendored from oasis-tcs/sarif-spec,
// Schemata/sarif-schema-2.1.0.json) and the fields GitHub code scanning
// requires (scanner-rules.md §5).
func TestSARIFValidatesAndSuitsGitHub(t *testing.T) {
	res := sampleResult(t)
	for _, opts := range []WriteOptions{{ToolVersion: "1.2.3"}, {ToolVersion: "dev", IncludeSuppressed: true}} {
		var buf bytes.Buffer
		if err := Write(&buf, FormatSARIF, res, opts); err != nil {
			t.Fatal(err)
		}
		validateSARIF(t, buf.Bytes())
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Rules []struct {
							ID               string
							ShortDescription struct{ Text string }
							FullDescription  struct{ Text string }
							Help             struct{ Text, Markdown string }
							Properties       map[string]any
						}
					}
				}
				Results []struct {
					RuleID    string
					Message   struct{ Text string }
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI, URIBaseID string }
						}
					}
					PartialFingerprints map[string]string
					Suppressions        []any
				}
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		run := log.Runs[0]
		ids := map[string]bool{}
		for _, r := range run.Tool.Driver.Rules {
			ids[r.ID] = true
			if r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.Help.Text == "" || r.Help.Markdown == "" {
				t.Errorf("rule %s lacks a description or help", r.ID)
			}
			_, hasSec := r.Properties["security-severity"]
			if strings.HasPrefix(r.ID, "TST-002") && hasSec {
				t.Errorf("non-security rule %s carries security-severity", r.ID)
			}
		}
		suppressed := 0
		for _, r := range run.Results {
			if !ids[r.RuleID] {
				t.Errorf("result rule %s missing from rules", r.RuleID)
			}
			if len(r.Locations) != 1 {
				t.Errorf("result has %d locations, want 1", len(r.Locations))
				continue
			}
			al := r.Locations[0].PhysicalLocation.ArtifactLocation
			if al.URIBaseID != "%SRCROOT%" || strings.HasPrefix(al.URI, "/") || strings.Contains(al.URI, "://") {
				t.Errorf("location %+v is not relative to %%SRCROOT%%", al)
			}
			if r.PartialFingerprints["primaryLocationLineHash"] == "" {
				t.Errorf("result %s %s has no primaryLocationLineHash", r.RuleID, al.URI)
			}
			if len(r.Suppressions) > 0 {
				suppressed++
			}
		}
		if want := map[bool]int{false: 0, true: 1}[opts.IncludeSuppressed]; suppressed != want {
			t.Errorf("IncludeSuppressed=%v: %d suppressed results, want %d", opts.IncludeSuppressed, suppressed, want)
		}
	}
}

func validateSARIF(t *testing.T, doc []byte) {
	t.Helper()
	schemaFile, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer schemaFile.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("SARIF output does not validate against the 2.1.0 schema: %v", err)
	}
}

func TestSARIFSchemaRejectsBrokenLogs(t *testing.T) {
	// The validator is real: a log without runs' tool is refused.
	schemaFile, err := os.ReadFile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(schemaFile, []byte(`"required": [ "version", "runs" ]`)) {
		t.Fatal("vendored schema is not the OASIS 2.1.0 schema")
	}
	bad := []byte(`{"version":"2.1.0","runs":[{"results":[]}]}`)
	schemaDoc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(schemaFile))
	c := jsonschema.NewCompiler()
	if err := c.AddResource("s.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("s.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err := sch.Validate(inst); err == nil {
		t.Error("a run without a tool validated")
	}
}
