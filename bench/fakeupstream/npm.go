package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// epoch is the first publish time of every fixture: old enough that no
// cooldown hides anything.
var epoch = time.Date(2022, 3, 1, 9, 30, 0, 0, time.UTC)

// Fixture names. The project's packages are vb-<word>-<n>; none resembles a
// popular name (no typosquat verdict) and every one has a repository.
const (
	bigPackage    = "vbench-bigdoc"   // ~1 MB packument, 300 versions, ~1 MB latest tarball
	smallPackage  = "vbench-smalldoc" // ~25 KB packument
	projectSize   = 150               // packages in the npm ci project
	projectDirect = 30                // of them direct dependencies
)

// fixtures are every document the fake serves.
type fixtures struct {
	npm  []*npmPackage
	pypi []*pypiProject
}

type npmPackage struct {
	name        string
	description string
	readme      string
	versions    []*npmVersion
}

type npmVersion struct {
	version   string
	published time.Time
	deps      map[string]string
	tarball   []byte
	integrity string
	shasum    string
	unpacked  int
}

var words = []string{"amber", "basalt", "cobalt", "dune", "ember", "fjord", "garnet", "harbor", "indigo", "jasper"}

func buildFixtures() (*fixtures, error) {
	fx := &fixtures{}
	rng := rand.New(rand.NewChaCha8([32]byte{'v', 'i', 'g', 'i', 'l'}))
	// The large document: 300 versions, a long description per version.
	big := &npmPackage{name: bigPackage, description: "A large fixture package for vigil-proxy's comparison benchmark",
		readme: strings.Repeat("Large fixture package. ", 2000)}
	for i := range 300 {
		v := &npmVersion{version: fmt.Sprintf("%d.%d.%d", 1+i/100, (i/10)%10, i%10), published: epoch.Add(time.Duration(i) * 36 * time.Hour),
			deps: map[string]string{"vb-amber-0": "^1.0.0", "vb-basalt-1": "^1.0.0"}}
		payload := 2 << 10
		if i == 299 {
			payload = 1 << 20 // the latest tarball is ~1 MB
		}
		if err := v.build(big.name, randomText(rng, payload)); err != nil {
			return nil, err
		}
		big.versions = append(big.versions, v)
	}
	small := &npmPackage{name: smallPackage, description: "A small fixture package", readme: strings.Repeat("Small fixture. ", 600)}
	for i := range 12 {
		v := &npmVersion{version: fmt.Sprintf("2.%d.0", i), published: epoch.Add(time.Duration(i) * 240 * time.Hour)}
		if err := v.build(small.name, randomText(rng, 4<<10)); err != nil {
			return nil, err
		}
		small.versions = append(small.versions, v)
	}
	fx.npm = append(fx.npm, big, small)
	for i := range projectSize {
		p := &npmPackage{name: projectName(i), description: "fixture dependency " + projectName(i), readme: "fixture\n"}
		deps := map[string]string{}
		if i+projectDirect < projectSize {
			deps[projectName(i+projectDirect)] = "^1.0.0"
		}
		for j, ver := range []string{"1.0.0", "1.0.1", "1.1.0"} {
			v := &npmVersion{version: ver, published: epoch.Add(time.Duration(i)*time.Hour + time.Duration(j)*30*24*time.Hour), deps: deps}
			if err := v.build(p.name, randomText(rng, 1<<10+rng.IntN(6<<10))); err != nil {
				return nil, err
			}
			p.versions = append(p.versions, v)
		}
		fx.npm = append(fx.npm, p)
	}
	var err error
	fx.pypi, err = buildPyPI(rng)
	if err != nil {
		return nil, err
	}
	return fx, nil
}

func projectName(i int) string { return fmt.Sprintf("vb-%s-%d", words[i%len(words)], i) }

// randomText is n bytes of deterministic printable text.
func randomText(rng *rand.Rand, n int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 \n"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return b
}

// build makes the version's tarball: package/package.json, package/index.js
// and package/data.txt, stored uncompressed in gzip (so the bytes, and the
// committed lockfile's integrity, do not depend on the compressor).
func (v *npmVersion) build(name string, data []byte) error {
	manifest, err := json.MarshalIndent(map[string]any{
		"name": name, "version": v.version, "description": "fixture " + name, "main": "index.js",
		"license": "MIT", "dependencies": nonNil(v.deps),
	}, "", "  ")
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
	}{
		{"package/package.json", manifest},
		{"package/index.js", []byte(fmt.Sprintf("module.exports = %q;\n", name+"@"+v.version))},
		{"package/data.txt", data},
	}
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	mtime := time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
		v.unpacked += len(f.data)
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	v.tarball = buf.Bytes()
	s512 := sha512.Sum512(v.tarball)
	s1 := sha1.Sum(v.tarball)
	v.integrity = "sha512-" + base64.StdEncoding.EncodeToString(s512[:])
	v.shasum = hex.EncodeToString(s1[:])
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func tarballPath(name, version string) string {
	return "/" + name + "/-/" + name + "-" + version + ".tgz"
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// packument is the full document as the npm registry serves it.
func (p *npmPackage) packument(base string) ([]byte, error) {
	repo := map[string]string{"type": "git", "url": "git+https://github.com/vigil-bench/" + p.name + ".git"}
	maint := []map[string]string{{"name": "vigil-bench", "email": "bench@example.com"}}
	versions := map[string]any{}
	// Large real packuments carry long devDependencies and contributor
	// lists in every version; the large fixture does too.
	var devDeps map[string]string
	var contributors []map[string]string
	if p.name == bigPackage {
		devDeps = map[string]string{}
		for i := range 24 {
			devDeps[fmt.Sprintf("@vigil-bench-tooling/plugin-%s-%d", words[i%len(words)], i)] = fmt.Sprintf("^%d.%d.0", 1+i%7, i%13)
		}
		for i := range 8 {
			contributors = append(contributors, map[string]string{"name": fmt.Sprintf("Contributor %s %d", words[i%len(words)], i),
				"email": fmt.Sprintf("contributor-%d@example.com", i), "url": fmt.Sprintf("https://example.com/people/%d", i)})
		}
	}
	times := map[string]string{"created": iso(p.versions[0].published), "modified": iso(p.versions[len(p.versions)-1].published)}
	for _, v := range p.versions {
		versions[v.version] = map[string]any{
			"name": p.name, "version": v.version, "description": p.description,
			"main": "index.js", "license": "MIT", "repository": repo,
			"homepage":     "https://github.com/vigil-bench/" + p.name + "#readme",
			"bugs":         map[string]string{"url": "https://github.com/vigil-bench/" + p.name + "/issues"},
			"keywords":     []string{"fixture", "benchmark", "vigil"},
			"author":       map[string]string{"name": "Vigil Bench", "email": "bench@example.com"},
			"dependencies": nonNil(v.deps),
			"scripts":      map[string]string{"test": "node test.js"},
			"engines":      map[string]string{"node": ">=18"},
			"maintainers":  maint, "_npmUser": maint[0],
			"_id": p.name + "@" + v.version, "_nodeVersion": "20.11.0", "_npmVersion": "10.2.4",
			"gitHead": fmt.Sprintf("%040x", len(v.version)*7919+len(p.name)),
			"dist": map[string]any{
				"integrity": v.integrity, "shasum": v.shasum, "tarball": base + tarballPath(p.name, v.version),
				"fileCount": 3, "unpackedSize": v.unpacked,
			},
			"directories":     map[string]any{},
			"devDependencies": devDeps,
			"contributors":    contributors,
		}
		times[v.version] = iso(v.published)
	}
	return json.Marshal(map[string]any{
		"_id": p.name, "name": p.name, "description": p.description,
		"dist-tags": map[string]string{"latest": p.versions[len(p.versions)-1].version},
		"versions":  versions, "time": times, "maintainers": maint, "repository": repo,
		"readme": p.readme, "readmeFilename": "README.md", "license": "MIT",
		"homepage": "https://github.com/vigil-bench/" + p.name + "#readme",
	})
}

// npmProject renders the committed project: package.json with the direct
// dependencies and a lockfileVersion 3 lock of all projectSize packages
// (the latest version of each), resolved on the public registry's host as
// real lockfiles are (npm maps it to the configured registry).
func (fx *fixtures) npmProject() (pkgJSON, lock []byte, err error) {
	direct := map[string]string{}
	for i := range projectDirect {
		direct[projectName(i)] = "^1.0.0"
	}
	pkgJSON, err = json.MarshalIndent(map[string]any{
		"name": "vigil-bench-project", "version": "1.0.0", "private": true,
		"description": "npm ci fixture of bench/compare", "dependencies": direct,
	}, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	packages := map[string]any{"": map[string]any{"name": "vigil-bench-project", "version": "1.0.0", "dependencies": direct}}
	for _, p := range fx.npm {
		if !strings.HasPrefix(p.name, "vb-") {
			continue
		}
		v := p.versions[len(p.versions)-1]
		entry := map[string]any{
			"version":   v.version,
			"resolved":  "https://registry.npmjs.org" + tarballPath(p.name, v.version),
			"integrity": v.integrity,
			"license":   "MIT",
		}
		if len(v.deps) > 0 {
			entry["dependencies"] = v.deps
		}
		packages["node_modules/"+p.name] = entry
	}
	lock, err = json.MarshalIndent(map[string]any{
		"name": "vigil-bench-project", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": packages,
	}, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return append(pkgJSON, '\n'), append(lock, '\n'), nil
}
