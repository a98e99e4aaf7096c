package imports

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// onlyStdlib is the ignorable of a project without modules of its own.
func onlyStdlib(t *Tables, eco string) func(string) bool {
	a := &Analyzer{opts: Options{Tables: t}}
	local := map[string]map[string]bool{"pypi": {}, "npm": {}}
	return func(name string) bool { return a.ignorable(eco, name, local) }
}

func TestMayImportPackage(t *testing.T) {
	tables := LoadTables()
	py, js := treesitter.Python, treesitter.JavaScript
	for _, c := range []struct {
		lang treesitter.Lang
		src  string
		want bool
	}{
		{py, "import os, sys\nfrom collections import abc\n", false},
		{py, "import os.path as p\nfrom . import x\nfrom .y import z\n", false},
		{py, "from __future__ import annotations\n", false},
		{py, "import yaml\n", true},
		{py, "import os, yaml\n", true},
		{py, "import os as o, requests\n", true},
		{py, "from requests.adapters import HTTPAdapter\n", true},
		{py, "try:\n    import ujson as json\nexcept ImportError:\n    import json\n", true},
		{py, "x = 1; import numpy\n", true},
		{py, "from os import (\n    path,\n)\n", false},
		{py, "from \\\n  numpy import array\n", true},
		{py, "import \\\n  numpy\n", true},
		{py, "\"\"\"Use it:\n\n    import numpy\n\"\"\"\n", true}, // docstrings are read too: only more parsing
		{py, "important = 1\nreimport()\n", false},
		{js, "const fs = require('fs')\nimport path from 'node:path'\nimport x from './x.js'\n", false},
		{js, "import express from 'express'\n", true},
		{js, "import {\n  a,\n  b,\n} from\n  \"@scope/pkg/sub\"\n", true},
		{js, "const m = await import(/* lazy */ 'lodash')\n", true},
		{js, "export * from 'left-pad'\n", true},
		{js, "require ( \"chalk\" )\n", true},
		{js, "Array.from(list)\nimportant()\n", false},
	} {
		eco := "npm"
		if c.lang == py {
			eco = "pypi"
		}
		if got := mayImportPackage(c.lang, []byte(c.src), onlyStdlib(tables, eco)); got != c.want {
			t.Errorf("mayImportPackage(%v, %q) = %v, want %v", c.lang, c.src, got, c.want)
		}
	}
}

// The filter declines no file whose tree lists an import it does not
// ignore: checked on every code fixture of the repository.
func TestMayImportPackageAgreesWithTrees(t *testing.T) {
	tables := LoadTables()
	parser := treesitter.NewParser()
	defer parser.Close()
	n := 0
	for _, dir := range []string{"../testdata", "../auth/testdata", "../testquality/testdata", "../deps/testdata", "../../testdata/sampleapps"} {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || treesitter.LangForPath(p) == treesitter.None {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			n++
			checkAgreement(t, parser, tables, treesitter.LangForPath(p), p, b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 100 {
		t.Fatalf("only %d code fixtures read", n)
	}
}

func checkAgreement(t *testing.T, parser *treesitter.Parser, tables *Tables, lang treesitter.Lang, name string, src []byte) {
	t.Helper()
	eco := "npm"
	if lang == treesitter.Python {
		eco = "pypi"
	}
	ignorable := onlyStdlib(tables, eco)
	if mayImportPackage(lang, src, ignorable) {
		return
	}
	tree, err := parser.Parse(context.Background(), lang, src)
	if err != nil {
		return
	}
	defer tree.Close()
	if tree.Root().HasError() {
		// Error recovery builds import statements out of shapes no
		// valid program has (`import 0'0'`): the filter promises
		// nothing about them, and DEP-006 on broken code is best effort.
		return
	}
	var imps []Import
	if lang == treesitter.Python {
		imps = PythonImports(tree.Root())
	} else {
		imps = JSImports(tree.Root())
	}
	for _, imp := range imps {
		if !ignorable(imp.Name) {
			t.Errorf("%s: the filter declined a file importing %s (line %d)", name, imp.Name, imp.Line)
		}
	}
}

func FuzzMayImportPackage(f *testing.F) {
	for _, s := range []string{"import os\n", "from a import b\n", "import x from 'y'\n", "require('z')\n", "from \\\n a import b\n"} {
		f.Add([]byte(s))
	}
	tables := LoadTables()
	parser := treesitter.NewParser()
	f.Cleanup(parser.Close)
	f.Fuzz(func(t *testing.T, src []byte) {
		checkAgreement(t, parser, tables, treesitter.Python, "fuzz.py", src)
		checkAgreement(t, parser, tables, treesitter.JavaScript, "fuzz.js", src)
	})
}
