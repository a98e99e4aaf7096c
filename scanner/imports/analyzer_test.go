package imports

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

func scanWith(t *testing.T, files map[string]string, deps []Dependency, judge func(context.Context, string, []string) (map[string][]scanner.Finding, error)) []string {
	return scanWithRules(t, files, deps, judge, nil)
}

func scanWithRules(t *testing.T, files map[string]string, deps []Dependency, judge func(context.Context, string, []string) (map[string][]scanner.Finding, error), rules []scanner.RuleInfo) []string {
	t.Helper()
	root := t.TempDir()
	files = maps.Clone(files)
	for _, d := range deps {
		manifest := map[string]string{"pypi": "requirements.txt", "npm": "package.json"}[d.Ecosystem]
		if _, ok := files[manifest]; !ok {
			files[manifest] = "{}\n"
		}
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var manifests []Manifest
	if _, ok := files["requirements.txt"]; ok {
		manifests = append(manifests, Manifest{Ecosystem: "pypi", Path: "requirements.txt", Project: true, Compared: true})
	}
	if _, ok := files["package.json"]; ok {
		manifests = append(manifests, Manifest{Ecosystem: "npm", Path: "package.json", Project: true, Compared: true})
	}
	a := New(Options{
		Declared: func(context.Context, *scanner.Project) ([]Dependency, []Manifest, error) {
			return deps, manifests, nil
		},
		Judge: judge, JudgeRules: rules,
	})
	res, err := scanner.Scan(context.Background(), scanner.Options{Root: root, Analyzers: []scanner.Analyzer{a}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Path+":"+strconv.Itoa(f.Line)+" "+f.Rule+" "+f.Severity.String())
	}
	slices.Sort(got)
	return got
}

var pyDeps = []Dependency{
	{Ecosystem: "pypi", Name: "fastapi"}, {Ecosystem: "pypi", Name: "PyYAML"}, {Ecosystem: "pypi", Name: "Pillow"},
	{Ecosystem: "pypi", Name: "google-cloud-storage"}, {Ecosystem: "pypi", Name: "python-dateutil"},
	{Ecosystem: "pypi", Name: "pytest", Dev: true}, {Ecosystem: "pypi", Name: "Flask_Cors"},
}

var jsDeps = []Dependency{
	{Ecosystem: "npm", Name: "express"}, {Ecosystem: "npm", Name: "@scope/pkg"}, {Ecosystem: "npm", Name: "@app/*"},
	{Ecosystem: "npm", Name: "jest", Dev: true}, {Ecosystem: "npm", Name: "my-workspace-lib"},
}

func TestUndeclaredImports(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		deps  []Dependency
		want  []string
	}{
		// positives
		{"python undeclared", map[string]string{"app/main.py": "import boto3\n"}, pyDeps, []string{"app/main.py:1 DEP-006 medium"}},
		{"python from import", map[string]string{"app/main.py": "import os\nfrom sqlalchemy.orm import Session\n"}, pyDeps, []string{"app/main.py:2 DEP-006 medium"}},
		{"python mapped name missing", map[string]string{"app/main.py": "import cv2\n"}, pyDeps, []string{"app/main.py:1 DEP-006 medium"}},
		{"python dev-only in prod", map[string]string{"app/main.py": "import pytest\n"}, pyDeps, []string{"app/main.py:1 DEP-006 medium"}},
		{"python test undeclared is lower", map[string]string{"tests/test_a.py": "import hypothesis\n"}, pyDeps, []string{"tests/test_a.py:1 DEP-006 low"}},
		{"js undeclared", map[string]string{"src/app.js": "const axios = require('axios');\n"}, jsDeps, []string{"src/app.js:1 DEP-006 medium"}},
		{"js scoped undeclared", map[string]string{"src/app.ts": "import { S3 } from '@aws-sdk/client-s3';\n"}, jsDeps, []string{"src/app.ts:1 DEP-006 medium"}},
		{"js dev-only in prod", map[string]string{"src/app.js": "import { expect } from 'jest';\n"}, jsDeps, []string{"src/app.js:1 DEP-006 medium"}},
		{"one finding per module per file", map[string]string{"a.py": "import boto3\nimport boto3.session\n"}, pyDeps, []string{"a.py:1 DEP-006 medium"}},
		{"js scoped import no alias covers", map[string]string{"src/a.ts": "import b from '@components/Button';\n", "tsconfig.json": "{\"compilerOptions\": {\"paths\": {\"@lib/*\": [\"src/lib/*\"]}}}\n"}, jsDeps, []string{"src/a.ts:1 DEP-006 medium"}},
		{"tooling file undeclared is lower", map[string]string{"vite.config.ts": "import legacy from '@vitejs/plugin-legacy';\n"}, jsDeps, []string{"vite.config.ts:1 DEP-006 low"}},
		{"setup.py undeclared package", map[string]string{"setup.py": "import boto3\n"}, pyDeps, []string{"setup.py:1 DEP-006 low"}},
		{"dev-only in a module named like a config dir", map[string]string{"app/config.py": "import pytest\n"}, pyDeps, []string{"app/config.py:1 DEP-006 medium"}},
		{"python requirement of an undeclared distribution", map[string]string{"app/main.py": "import kombu\n"}, pyDeps, []string{"app/main.py:1 DEP-006 medium"}},
		{"python module named like a copied-in dir", map[string]string{"app/vendor.py": "import cffi\n"}, pyDeps, []string{"app/vendor.py:1 DEP-006 medium"}},
		// negatives
		{"python stdlib", map[string]string{"a.py": "import os, json, asyncio\nfrom collections import abc\nimport _thread\n"}, pyDeps, nil},
		{"python declared", map[string]string{"a.py": "import fastapi\nimport yaml\nfrom PIL import Image\nimport dateutil.parser\nimport flask_cors\n"}, pyDeps, nil},
		{"python requirement of a declared distribution", map[string]string{"app/main.py": "from starlette.requests import Request\nfrom pydantic import BaseModel\nimport pluggy\n", "tests/test_a.py": "import _pytest\n"}, pyDeps, []string{"app/main.py:3 DEP-006 medium"}},
		{"copied-in third-party code", map[string]string{"third_party/x/mod.py": "import cffi\n", "src/pkg/_vendor/six.py": "import cffi\n", "vendor/lib.js": "require('left-pad');\n"}, append(pyDeps, jsDeps...), nil},
		{"python namespace package", map[string]string{"a.py": "from google.cloud import storage\n"}, pyDeps, nil},
		{"python local modules", map[string]string{"app/main.py": "from app import models\nimport helpers\n", "helpers.py": "", "app/models.py": ""}, pyDeps, nil},
		{"python relative", map[string]string{"app/main.py": "from . import x\nfrom .y import z\n"}, pyDeps, nil},
		{"python optional import", map[string]string{"a.py": "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n"}, pyDeps, nil},
		{"python dev in tests", map[string]string{"tests/test_a.py": "import pytest\n"}, pyDeps, nil},
		{"python without any manifest", map[string]string{"a.py": "import requests\n"}, nil, nil},
		{"js builtins and relative", map[string]string{"src/a.js": "const fs = require('fs');\nimport p from 'node:path';\nimport x from './x';\n"}, jsDeps, nil},
		{"js declared and subpaths", map[string]string{"src/a.js": "import e from 'express';\nimport s from '@scope/pkg/sub';\nimport w from 'my-workspace-lib';\n"}, jsDeps, nil},
		{"js path alias", map[string]string{"src/a.ts": "import { db } from '@app/db';\n"}, jsDeps, nil},
		{"js type-only", map[string]string{"src/a.ts": "import type { Foo } from 'foo-types';\n"}, jsDeps, nil},
		{"js declaration file", map[string]string{"src/env.d.ts": "import { Plugin } from 'vite';\nexport declare const p: Plugin;\n"}, jsDeps, nil},
		{"js dev in tests", map[string]string{"src/a.test.js": "const j = require('jest');\n"}, jsDeps, nil},
		{"js tsconfig path aliases", map[string]string{"apps/web/src/a.tsx": "import b from '@components/Button';\nimport c from '@app/core';\nimport u from 'utils/x';\n",
			"apps/web/tsconfig.json": "{\n  // aliases\n  \"compilerOptions\": {\n    \"paths\": {\"@components/*\": [\"src/components/*\"], \"@app/core\": [\"src/core\"], \"utils/*\": [\"src/u/*\"],},\n  },\n}\n"}, jsDeps, nil},
		{"js tool configs use dev dependencies", map[string]string{"vite.config.ts": "import j from 'jest';\n", "eslint.config.mjs": "import j from 'jest';\n", ".eslintrc.cjs": "require('jest');\n", "scripts/release.js": "require('jest');\n", "src/Button.stories.tsx": "import j from 'jest';\n"}, jsDeps, nil},
		{"python tooling uses dev dependencies", map[string]string{"noxfile.py": "import pytest\n", "docs/conf.py": "import pytest\n", "examples/demo.py": "import pytest\n"}, pyDeps, nil},
		{"setup.py imports setuptools", map[string]string{"setup.py": "from setuptools import setup\nimport pkg_resources\n"}, pyDeps, nil},
		{"js baseUrl dir import", map[string]string{"src/a.ts": "import u from 'utils/format';\n", "utils/format.ts": ""}, jsDeps, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := scanWith(t, tc.files, tc.deps, nil)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestUndeclaredSlopsquatGetsTheProxyVerdict(t *testing.T) {
	judge := func(_ context.Context, eco string, names []string) (map[string][]scanner.Finding, error) {
		out := map[string][]scanner.Finding{}
		for _, n := range names {
			if n == "huggingface-cli" {
				out[n] = []scanner.Finding{{Rule: "DEP-001", Severity: scanner.Critical, Message: "'huggingface-cli' does not exist on PyPI - did you mean 'huggingface-hub'?"}}
			}
		}
		return out, nil
	}
	got := scanWithRules(t, map[string]string{"a.py": "import boto3\nimport huggingface_cli\n"}, pyDeps, judge,
		[]scanner.RuleInfo{{ID: "DEP-001", Category: scanner.CategoryDep, Severity: scanner.Critical}})
	want := []string{"a.py:1 DEP-006 medium", "a.py:2 DEP-001 critical", "a.py:2 DEP-006 medium"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A project whose only Python manifests are requirements/*.txt is still
// compared: its imports are read.
func TestRequirementsDirIsAManifest(t *testing.T) {
	root := t.TempDir()
	for name, content := range map[string]string{"requirements/base.txt": "fastapi\n", "app/main.py": "import fastapi\nimport requests\n"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := New(Options{Declared: func(context.Context, *scanner.Project) ([]Dependency, []Manifest, error) {
		return []Dependency{{Ecosystem: "pypi", Name: "fastapi", Dir: "", File: "requirements/base.txt"}},
			[]Manifest{{Ecosystem: "pypi", Path: "requirements/base.txt", Project: true, Compared: true}}, nil
	}})
	res, err := scanner.Scan(context.Background(), scanner.Options{Root: root, Analyzers: []scanner.Analyzer{a}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Path+":"+strconv.Itoa(f.Line)+" "+f.Rule)
	}
	if diff := cmp.Diff([]string{"app/main.py:2 DEP-006"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
