package imports

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nbFile writes a notebook as Jupyter does: indented, one source line per
// JSON string.
func nbFile(t *testing.T, language string, cells ...[]string) string {
	t.Helper()
	var cs []map[string]any
	for _, c := range cells {
		cs = append(cs, map[string]any{"cell_type": "code", "metadata": map[string]any{}, "outputs": []any{}, "source": c})
	}
	cs = append(cs, map[string]any{"cell_type": "markdown", "metadata": map[string]any{}, "source": []string{"import not_code\n"}})
	b, err := json.MarshalIndent(map[string]any{"cells": cs, "metadata": map[string]any{"kernelspec": map[string]any{"language": language}}, "nbformat": 4}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNotebookImports(t *testing.T) {
	nb := nbFile(t, "python",
		[]string{"%matplotlib inline\n", "%pip install -q plotly==5.0\n", "import pandas as pd\n", "import plotly.express as px\n"},
		[]string{"!ls data\n", "from seaborn import load_dataset\n", "try:\n", "    import ujson\n", "except ImportError:\n", "    ujson = None"})
	got := scanWith(t, map[string]string{"analysis.ipynb": nb}, []Dependency{{Ecosystem: "pypi", Name: "pandas"}}, nil)
	// seaborn, at the notebook line holding it; pandas is declared, plotly
	// installed by the notebook, ujson optional, the markdown not code.
	want := []string{"analysis.ipynb:20 DEP-006 medium"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s\n%s", diff, nb)
	}
}

func TestNotebookImportsOtherLanguageOrNoManifest(t *testing.T) {
	if got := scanWith(t, map[string]string{"r.ipynb": nbFile(t, "R", []string{"library(ggplot2)\n", "import seaborn\n"}), "requirements.txt": "pandas\n"}, nil, nil); len(got) != 0 {
		t.Errorf("R notebook: %v", got)
	}
	if got := scanWith(t, map[string]string{"a.ipynb": nbFile(t, "python", []string{"import seaborn\n"})}, nil, nil); len(got) != 0 {
		t.Errorf("no Python manifest: %v", got)
	}
}

func TestNotebookImportsBadInput(t *testing.T) {
	if _, _, err := NotebookImports(context.Background(), []byte(`{"cells": [`)); err == nil {
		t.Error("truncated notebook: no error")
	}
	imps, _, err := NotebookImports(context.Background(), []byte(`{"cells": [{"cell_type": "code", "source": "import a\nimport b"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range imps {
		names = append(names, i.Name)
	}
	if diff := cmp.Diff([]string{"a", "b"}, names); diff != "" {
		t.Errorf("source as one string (-want +got):\n%s", diff)
	}
}

// FuzzNotebookImports: any bytes give imports at lines of the file, or an
// error; never a panic.
func FuzzNotebookImports(f *testing.F) {
	f.Add([]byte(`{"cells": [{"cell_type": "code", "source": ["import a\n", "%pip install b\n"]}]}`))
	f.Add([]byte(`{"cells": [{"cell_type": "code", "source": "from x.y import z"}], "metadata": {"kernelspec": {"language": "python"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		imps, _, err := NotebookImports(context.Background(), b)
		if err != nil {
			return
		}
		n := len(splitNL(b))
		for _, i := range imps {
			if i.Line < 1 || i.Line > n || i.Name == "" {
				t.Fatalf("import %+v outside the %d lines", i, n)
			}
		}
	})
}

func splitNL(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	return append(out, string(b[start:]))
}
