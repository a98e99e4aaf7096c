package imports

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

func parse(t *testing.T, lang treesitter.Lang, src string) *treesitter.Tree {
	t.Helper()
	p := treesitter.NewParser()
	t.Cleanup(p.Close)
	tr, err := p.Parse(context.Background(), lang, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

func TestPythonImports(t *testing.T) {
	src := `import os, sys
import numpy as np
import google.cloud.storage
from requests.adapters import HTTPAdapter
from . import local
from .models import User
from __future__ import annotations
try:
    import ujson as json
except ImportError:
    import json
if TYPE_CHECKING:
    from mypy_extensions import TypedDict
else:
    import attrs
def f():
    import yaml
"import fake"
try:
    import torch
except Exception:
    torch = None
try:
    import cupy
except (OSError, BaseException) as e:
    cupy = None
try:
    import pandas
except ValueError:
    pass
from google.cloud import bigquery as bq, storage
from azure import (identity)
`
	got := PythonImports(parse(t, treesitter.Python, src).Root())
	want := []Import{
		{Name: "os", Module: "os", Line: 1, Col: 1}, {Name: "sys", Module: "sys", Line: 1, Col: 1}, {Name: "numpy", Module: "numpy", Line: 2, Col: 1},
		{Name: "google", Module: "google.cloud.storage", Line: 3, Col: 1},
		{Name: "requests", Module: "requests.adapters", Members: []string{"HTTPAdapter"}, Line: 4, Col: 1},
		{Name: "ujson", Module: "ujson", Line: 9, Col: 5, Optional: true}, {Name: "json", Module: "json", Line: 11, Col: 5, Optional: true},
		{Name: "mypy_extensions", Module: "mypy_extensions", Members: []string{"TypedDict"}, Line: 13, Col: 5, Optional: true},
		{Name: "attrs", Module: "attrs", Line: 15, Col: 5},
		{Name: "yaml", Module: "yaml", Line: 17, Col: 5},
		{Name: "torch", Module: "torch", Line: 20, Col: 5, Optional: true}, {Name: "cupy", Module: "cupy", Line: 24, Col: 5, Optional: true},
		{Name: "pandas", Module: "pandas", Line: 28, Col: 5},
		{Name: "google", Module: "google.cloud", Members: []string{"bigquery", "storage"}, Line: 31, Col: 1},
		{Name: "azure", Module: "azure", Members: []string{"identity"}, Line: 32, Col: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PythonImports (-want +got):\n%s", diff)
	}
}

func TestJSImports(t *testing.T) {
	src := `import express from 'express';
import { z } from "zod";
import type { Foo } from '@types/foo';
import './styles.css';
import '@scope/pkg/sub/path';
export { x } from 'lodash/fp';
const fs = require('node:fs');
const path = require('path');
const local = require('../lib/x');
const dyn = await import('chalk');
const notLit = require(name);
import alias from '@/components/x';
import sub from '#internal/y';
import remote from 'https://esm.sh/react';
let fsevents;
try { fsevents = require('fsevents'); } catch (e) { fsevents = require('chokidar'); }
`
	got := JSImports(parse(t, treesitter.TypeScript, src).Root())
	var names []string
	for _, i := range got {
		names = append(names, i.Name)
		if i.Name == "@types/foo" && !i.Optional {
			t.Error("import type is not marked optional")
		}
		if i.Optional != (i.Name == "@types/foo" || i.Name == "fsevents") {
			t.Errorf("%s: optional %v", i.Name, i.Optional)
		}
	}
	want := []string{"express", "zod", "@types/foo", "@scope/pkg", "lodash", "path", "chalk", "fsevents", "chokidar"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("JSImports (-want +got):\n%s", diff)
	}
}

func TestPackageName(t *testing.T) {
	for spec, want := range map[string]string{
		"lodash": "lodash", "lodash/fp": "lodash", "@a/b": "@a/b", "@a/b/c/d": "@a/b",
		"./x": "", "../x": "", "/abs": "", "node:fs": "", "#sub": "", "@": "", "@a": "", "~/x": "", "": "",
	} {
		got, ok := PackageName(spec)
		if got != want || ok != (want != "") {
			t.Errorf("PackageName(%q) = %q, %v; want %q", spec, got, ok, want)
		}
	}
}

func TestTables(t *testing.T) {
	tb := LoadTables()
	for _, m := range []string{"os", "sys", "asyncio", "tomllib", "distutils", "__future__"} {
		if !tb.PythonStdlib[m] {
			t.Errorf("stdlib lacks %s", m)
		}
	}
	for _, m := range []string{"requests", "numpy", "yaml"} {
		if tb.PythonStdlib[m] {
			t.Errorf("stdlib wrongly has %s", m)
		}
	}
	for _, m := range []string{"fs", "path", "http", "test", "child_process"} {
		if !tb.NodeBuiltins[m] {
			t.Errorf("node builtins lack %s", m)
		}
	}
	if d := tb.PythonBroughtBy["starlette"]; !slices.Contains(d, "fastapi") {
		t.Errorf("starlette brought by %v, want fastapi among them", d)
	}
	if d := tb.PythonDists["PIL"]; len(d) == 0 || d[0] != "Pillow" {
		t.Errorf("PIL → %v", d)
	}
}
