package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"time"
)

// PyPI fixtures: one project with a long release history and a ~1 MB
// wheel (the project-page scenario), and the small projects of the
// committed requirements file.
const (
	bigProject      = "vbench-pyproj"
	requirementsLen = 30
)

type pypiProject struct {
	name    string // normalized
	summary string
	files   []*pypiFile
}

type pypiFile struct {
	project  string
	version  string
	filename string
	uploaded time.Time
	data     []byte
	sha256   string
}

func (f *pypiFile) path() string {
	return "/packages/" + f.sha256[:2] + "/" + f.sha256[2:4] + "/" + f.sha256[4:16] + "/" + f.filename
}

func requirementName(i int) string { return fmt.Sprintf("vb-py-%s-%d", words[i%len(words)], i) }

func buildPyPI(rng *rand.Rand) ([]*pypiProject, error) {
	var out []*pypiProject
	big := &pypiProject{name: bigProject, summary: "A large fixture project for vigil-proxy's comparison benchmark"}
	for i := range 120 {
		ver := fmt.Sprintf("%d.%d.%d", 1+i/40, (i/8)%5, i%8)
		payload := 2 << 10
		if i == 119 {
			payload = 1 << 20 // the latest wheel is ~1 MB
		}
		f, err := buildWheel(big.name, ver, epoch.Add(time.Duration(i)*72*time.Hour), randomText(rng, payload))
		if err != nil {
			return nil, err
		}
		big.files = append(big.files, f)
	}
	out = append(out, big)
	for i := range requirementsLen {
		p := &pypiProject{name: requirementName(i), summary: "fixture requirement " + requirementName(i)}
		for j, ver := range []string{"1.0.0", "1.1.0"} {
			f, err := buildWheel(p.name, ver, epoch.Add(time.Duration(i)*time.Hour+time.Duration(j)*30*24*time.Hour), randomText(rng, 1<<10+rng.IntN(8<<10)))
			if err != nil {
				return nil, err
			}
			p.files = append(p.files, f)
		}
		out = append(out, p)
	}
	return out, nil
}

// buildWheel makes a pure-Python wheel with a module, a data file and the
// dist-info files pip reads (METADATA, WHEEL, RECORD with hashes).
func buildWheel(name, version string, uploaded time.Time, data []byte) (*pypiFile, error) {
	mod := strings.ReplaceAll(name, "-", "_")
	distInfo := mod + "-" + version + ".dist-info"
	files := []struct {
		name string
		data []byte
	}{
		{mod + "/__init__.py", []byte(fmt.Sprintf("__version__ = %q\n", version))},
		{mod + "/data.txt", data},
		{distInfo + "/METADATA", []byte(fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: fixture\nProject-URL: Source, https://github.com/vigil-bench/%s\nRequires-Python: >=3.8\n", name, version, name))},
		{distInfo + "/WHEEL", []byte("Wheel-Version: 1.0\nGenerator: vigil-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")},
	}
	var record strings.Builder
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.data))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", distInfo)
	files = append(files, struct {
		name string
		data []byte
	}{distInfo + "/RECORD", []byte(record.String())})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	return &pypiFile{project: name, version: version, filename: mod + "-" + version + "-py3-none-any.whl",
		uploaded: uploaded, data: buf.Bytes(), sha256: hex.EncodeToString(sum[:])}, nil
}

// pages renders the simple page (PEP 503 HTML and PEP 691 JSON) and the
// JSON API document.
func (p *pypiProject) pages(base string) (htmlPage, jsonPage, api []byte, err error) {
	var h strings.Builder
	fmt.Fprintf(&h, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Links for %s</title>\n  </head>\n  <body>\n    <h1>Links for %s</h1>\n", p.name, p.name)
	type sfile struct {
		Filename       string            `json:"filename"`
		URL            string            `json:"url"`
		Hashes         map[string]string `json:"hashes"`
		RequiresPython string            `json:"requires-python"`
		Size           int               `json:"size"`
		UploadTime     string            `json:"upload-time"`
		Yanked         bool              `json:"yanked"`
	}
	var sfiles []sfile
	var versions []string
	releases := map[string][]map[string]any{}
	for _, f := range p.files {
		url := base + f.path()
		fmt.Fprintf(&h, "    <a href=\"%s#sha256=%s\" data-requires-python=\"&gt;=3.8\">%s</a><br />\n", html.EscapeString(url), f.sha256, f.filename)
		up := f.uploaded.UTC().Format("2006-01-02T15:04:05.000000Z")
		sfiles = append(sfiles, sfile{Filename: f.filename, URL: url, Hashes: map[string]string{"sha256": f.sha256},
			RequiresPython: ">=3.8", Size: len(f.data), UploadTime: up})
		versions = append(versions, f.version)
		releases[f.version] = append(releases[f.version], map[string]any{
			"filename": f.filename, "url": url, "size": len(f.data), "packagetype": "bdist_wheel", "python_version": "py3",
			"requires_python": ">=3.8", "digests": map[string]string{"sha256": f.sha256},
			"upload_time": f.uploaded.UTC().Format("2006-01-02T15:04:05"), "upload_time_iso_8601": up,
			"yanked": false, "yanked_reason": nil,
		})
	}
	h.WriteString("  </body>\n</html>\n")
	jsonPage, err = json.Marshal(map[string]any{
		"meta": map[string]any{"api-version": "1.1", "_last-serial": 1000 + len(p.files)},
		"name": p.name, "versions": versions, "files": sfiles,
	})
	if err != nil {
		return nil, nil, nil, err
	}
	latest := p.files[len(p.files)-1]
	api, err = json.Marshal(map[string]any{
		"info": map[string]any{
			"name": p.name, "version": latest.version, "summary": p.summary, "license": "MIT",
			"home_page":       "https://github.com/vigil-bench/" + p.name,
			"project_urls":    map[string]string{"Source": "https://github.com/vigil-bench/" + p.name},
			"requires_python": ">=3.8", "yanked": false, "yanked_reason": nil,
		},
		"releases": releases, "urls": releases[latest.version], "last_serial": 1000 + len(p.files),
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return []byte(h.String()), jsonPage, api, nil
}

// requirements is the committed requirements file: every small project,
// pinned.
func (fx *fixtures) requirements() []byte {
	var b strings.Builder
	b.WriteString("# bench/compare's pip install fixture (generated by bench/fakeupstream -write-fixtures)\n")
	for i := range requirementsLen {
		fmt.Fprintf(&b, "%s==1.1.0\n", requirementName(i))
	}
	return []byte(b.String())
}
