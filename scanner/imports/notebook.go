package imports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// isNotebook names Jupyter notebooks.
func isNotebook(p string) bool { return strings.HasSuffix(strings.ToLower(p), ".ipynb") }

// notebook is the part of an .ipynb file DEP-006 reads.
type notebook struct {
	Cells []struct {
		CellType string          `json:"cell_type"`
		Source   json.RawMessage `json:"source"` // a string or a list of lines
	} `json:"cells"`
	Metadata struct {
		Kernelspec struct {
			Language string `json:"language"`
		} `json:"kernelspec"`
		LanguageInfo struct {
			Name string `json:"name"`
		} `json:"language_info"`
	} `json:"metadata"`
}

// pipInstall matches a notebook's `%pip install …` / `!pip install …`
// line (also python -m pip, uv pip, %conda install).
var pipInstall = regexp.MustCompile(`^\s*[!%]\s*(?:(?:python3?\s+-m\s+|uv\s+)?pip3?|conda|mamba)\s+install\s+(.*)$`)

// NotebookImports lists the imports of a Jupyter notebook's Python code
// cells, each at the line of the notebook file that holds it, and the
// packages the notebook installs itself (%pip install x): those are
// declared there. IPython magics and shell lines are not code. A notebook
// of another language has no imports.
func NotebookImports(ctx context.Context, b []byte) (imps []Import, installs []string, err error) {
	var nb notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, nil, fmt.Errorf("notebook: %w", err)
	}
	lang := strings.ToLower(nb.Metadata.Kernelspec.Language + nb.Metadata.LanguageInfo.Name)
	if lang != "" && !strings.Contains(lang, "python") {
		return nil, nil, nil
	}
	fileLines := strings.Split(string(b), "\n")
	var src strings.Builder
	var at []int // notebook file line of each source line (1-based)
	cursor := 0
	for _, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		for _, l := range cellLines(c.Source) {
			text := strings.TrimRight(l, "\r\n")
			if n := findEncoded(fileLines, text, cursor); n > 0 {
				cursor = n
			}
			at = append(at, max(cursor, 1))
			t := strings.TrimSpace(text)
			if strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") || strings.HasPrefix(t, "?") {
				if m := pipInstall.FindStringSubmatch(text); m != nil {
					installs = append(installs, installedNames(m[1])...)
				}
				text = "" // a magic or a shell line
			}
			src.WriteString(text)
			src.WriteByte('\n')
		}
	}
	if src.Len() == 0 {
		return nil, installs, nil
	}
	p := treesitter.NewParser()
	defer p.Close()
	tree, err := p.Parse(ctx, treesitter.Python, []byte(src.String()))
	if err != nil {
		return nil, installs, fmt.Errorf("notebook: %w", err)
	}
	defer tree.Close()
	for _, imp := range PythonImports(tree.Root()) {
		if imp.Line >= 1 && imp.Line <= len(at) {
			imp.Line = at[imp.Line-1]
		}
		imp.Col = 1
		imps = append(imps, imp)
	}
	return imps, installs, nil
}

// cellLines splits a cell's source, stored as one string or as lines.
func cellLines(raw json.RawMessage) []string {
	var lines []string
	if err := json.Unmarshal(raw, &lines); err == nil {
		return strings.SplitAfter(strings.Join(lines, ""), "\n")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.SplitAfter(s, "\n")
	}
	return nil
}

// findEncoded finds the notebook line (1-based, after from) holding a
// source line as JSON writes it; 0 when there is none.
func findEncoded(fileLines []string, text string, from int) int {
	if strings.TrimSpace(text) == "" {
		return 0
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(text) != nil {
		return 0
	}
	needle := strings.TrimSuffix(strings.TrimSpace(buf.String()), `"`)
	for i := from; i < len(fileLines); i++ {
		if strings.Contains(fileLines[i], needle) {
			return i + 1
		}
	}
	return 0
}

// installedNames are the requirement names of a pip install command line
// (options and paths skipped).
func installedNames(args string) []string {
	var out []string
	for _, f := range strings.Fields(args) {
		f = strings.Trim(f, `"'`)
		if strings.HasPrefix(f, "-") || strings.ContainsAny(f, "/$") {
			continue
		}
		if r, ok := pep508Name(f); ok {
			out = append(out, r)
		}
	}
	return out
}

var requirementName = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)`)

func pep508Name(s string) (string, bool) {
	m := requirementName.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[1], true
}
