package deps

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzParse checks what every parser promises on arbitrary input: no
// panic, declarations with a name and a line inside the file (0 only when
// the line could not be found), bypasses inside the file, and no
// credentials of a URL echoed.
func fuzzParse(f *testing.F, path string) {
	for _, tc := range parseCases {
		if Kind(tc.path) == Kind(path) {
			f.Add([]byte(tc.content))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _ := Parse(path, data)
		n := len(splitLines(data))
		for _, d := range m.Deps {
			if d.Name == "" {
				t.Fatalf("declaration without a name: %+v", d)
			}
			if d.Line < 0 || d.Line > n {
				t.Fatalf("declaration %q at line %d of %d", d.Name, d.Line, n)
			}
			if d.Ecosystem != PyPI && d.Ecosystem != NPM {
				t.Fatalf("ecosystem %q", d.Ecosystem)
			}
		}
		for _, b := range m.Bypasses {
			if b.Line < 0 || b.Line > n {
				t.Fatalf("bypass at line %d of %d: %+v", b.Line, n, b)
			}
			if utf8.ValidString(b.What) && strings.Contains(b.What, ":s3cr3t@") {
				t.Fatalf("credentials echoed: %q", b.What)
			}
		}
	})
}

func FuzzParseRequirements(f *testing.F) { fuzzParse(f, "requirements.txt") }
func FuzzParsePyproject(f *testing.F)    { fuzzParse(f, "pyproject.toml") }
func FuzzParsePipfile(f *testing.F)      { fuzzParse(f, "Pipfile") }
func FuzzParseSetupPy(f *testing.F)      { fuzzParse(f, "setup.py") }
func FuzzParseSetupCfg(f *testing.F)     { fuzzParse(f, "setup.cfg") }
func FuzzParsePoetryLock(f *testing.F)   { fuzzParse(f, "poetry.lock") }
func FuzzParseUVLock(f *testing.F)       { fuzzParse(f, "uv.lock") }
func FuzzParsePackageJSON(f *testing.F)  { fuzzParse(f, "package.json") }
func FuzzParsePackageLock(f *testing.F)  { fuzzParse(f, "package-lock.json") }
func FuzzParseYarnLock(f *testing.F)     { fuzzParse(f, "yarn.lock") }
func FuzzParsePnpmLock(f *testing.F)     { fuzzParse(f, "pnpm-lock.yaml") }
func FuzzParseNpmrc(f *testing.F)        { fuzzParse(f, ".npmrc") }
func FuzzParseYarnrc(f *testing.F)       { fuzzParse(f, ".yarnrc.yml") }
func FuzzParsePipConf(f *testing.F)      { fuzzParse(f, "pip.conf") }
func FuzzParseUVToml(f *testing.F)       { fuzzParse(f, "uv.toml") }
