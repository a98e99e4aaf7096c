package pypitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/pypi"
)

const warehouseAPIVersion = "1.4"

// uploadTime formats a time like Warehouse's simple API and JSON API.
const uploadTimeLayout = "2006-01-02T15:04:05.000000Z"

func (s *Server) lookup(norm string) (*project, []*builtFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr, ok := s.projects[norm]
	if !ok {
		return nil, nil, false
	}
	return pr, slices.Clone(pr.files), true
}

func (s *Server) serveRoot(rw *responder) {
	s.mu.Lock()
	names := make([]string, 0, len(s.projects))
	serials := map[string]int64{}
	for n, p := range s.projects {
		names = append(names, n)
		serials[n] = p.serial
	}
	serial := s.serial
	s.mu.Unlock()
	slices.Sort(names)
	rw.w.Header().Set("Vary", "Accept")
	rw.w.Header().Set("X-PyPI-Last-Serial", fmt.Sprint(serial))
	if pypi.Negotiate(rw.r.Header.Get("Accept"), rw.r.URL.Query().Get("format")) == pypi.MediaTypeJSON {
		type entry struct {
			Name       string `json:"name"`
			LastSerial int64  `json:"_last-serial"`
		}
		doc := struct {
			Meta     map[string]any `json:"meta"`
			Projects []entry        `json:"projects"`
		}{Meta: map[string]any{"api-version": warehouseAPIVersion, "_last-serial": serial}, Projects: []entry{}}
		for _, n := range names {
			doc.Projects = append(doc.Projects, entry{n, serials[n]})
		}
		body, _ := json.Marshal(doc) // plain types always marshal
		rw.body(http.StatusOK, pypi.MediaTypeJSON, body)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"%s\">\n    <title>Simple index</title>\n  </head>\n  <body>\n", warehouseAPIVersion)
	for _, n := range names {
		fmt.Fprintf(&b, "    <a href=\"/simple/%s/\">%s</a>\n", n, n)
	}
	b.WriteString("  </body>\n</html>")
	rw.body(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}

// serveSimple serves /simple/<name>/ like Warehouse: 301 to the normalized,
// slash-terminated URL, 404 text/plain for unknown names, JSON or HTML by
// Accept with Vary: Accept.
func (s *Server) serveSimple(rw *responder, rest string) {
	name, trailing := strings.CutSuffix(rest, "/")
	if name == "" || strings.Contains(name, "/") {
		rw.text(http.StatusNotFound, "404 Not Found")
		return
	}
	norm := pypi.Normalize(name)
	if name != norm || !trailing {
		target := "/simple/" + norm + "/"
		if q := rw.r.URL.RawQuery; q != "" {
			target += "?" + q
		}
		http.Redirect(rw.w, rw.r, target, http.StatusMovedPermanently)
		return
	}
	pr, files, ok := s.lookup(norm)
	if !ok {
		rw.text(http.StatusNotFound, "404 Not Found")
		return
	}
	if pr.Status == "quarantined" {
		files = nil
	}
	h := rw.w.Header()
	h.Set("Vary", "Accept")
	h.Set("X-PyPI-Last-Serial", fmt.Sprint(pr.serial))
	h.Set("Cache-Control", "max-age=600, public")
	media := pypi.Negotiate(rw.r.Header.Get("Accept"), rw.r.URL.Query().Get("format"))
	if media == pypi.MediaTypeJSON {
		rw.body(http.StatusOK, media, s.simpleJSON(pr, files))
		return
	}
	ct := media
	if media == pypi.MediaTypeLegacyHTML {
		ct = "text/html; charset=utf-8"
	}
	rw.body(http.StatusOK, ct, s.simpleHTML(pr, files))
}

func versionsOf(files []*builtFile) []string {
	var vs []string
	for _, f := range files {
		if !slices.Contains(vs, f.version) {
			vs = append(vs, f.version)
		}
	}
	pypi.SortVersions(vs)
	return vs
}

func (s *Server) simpleJSON(pr *project, files []*builtFile) []byte {
	type jsonFile struct {
		Filename             string            `json:"filename"`
		URL                  string            `json:"url"`
		Hashes               map[string]string `json:"hashes"`
		RequiresPython       *string           `json:"requires-python"`
		CoreMetadata         any               `json:"core-metadata"`
		DataDistInfoMetadata any               `json:"data-dist-info-metadata"`
		GPGSig               bool              `json:"gpg-sig"`
		Yanked               any               `json:"yanked"`
		Size                 int               `json:"size"`
		UploadTime           string            `json:"upload-time"`
		Provenance           *string           `json:"provenance"`
	}
	doc := struct {
		Meta          map[string]any    `json:"meta"`
		Name          string            `json:"name"`
		ProjectStatus map[string]string `json:"project-status,omitempty"`
		Versions      []string          `json:"versions"`
		Files         []jsonFile        `json:"files"`
	}{
		Meta:     map[string]any{"api-version": warehouseAPIVersion, "_last-serial": pr.serial},
		Name:     pr.norm,
		Versions: versionsOf(files),
		Files:    []jsonFile{},
	}
	if doc.Versions == nil {
		doc.Versions = []string{}
	}
	if pr.Status != "" {
		doc.ProjectStatus = map[string]string{"status": pr.Status}
		if pr.StatusReason != "" {
			doc.ProjectStatus["reason"] = pr.StatusReason
		}
	}
	for _, f := range files {
		jf := jsonFile{
			Filename: f.filename, URL: s.FilesURL + f.urlPath,
			Hashes: map[string]string{"sha256": f.sha256}, Size: len(f.data),
			UploadTime: f.uploaded.Format(uploadTimeLayout), Yanked: false, CoreMetadata: false,
		}
		if f.requiresPy != "" {
			rp := f.requiresPy
			jf.RequiresPython = &rp
		}
		if f.metadata != nil {
			jf.CoreMetadata = map[string]string{"sha256": f.metaSHA256}
		}
		jf.DataDistInfoMetadata = jf.CoreMetadata
		if f.isYanked {
			jf.Yanked = true
			if f.yanked != "" {
				jf.Yanked = f.yanked
			}
		}
		doc.Files = append(doc.Files, jf)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc) // plain types always encode
	return buf.Bytes()
}

func (s *Server) simpleHTML(pr *project, files []*builtFile) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"%s\">\n", warehouseAPIVersion)
	if pr.Status != "" {
		fmt.Fprintf(&b, "    <meta name=\"pypi:project-status\" content=\"%s\">\n", html.EscapeString(pr.Status))
		if pr.StatusReason != "" {
			fmt.Fprintf(&b, "    <meta name=\"pypi:project-status-reason\" content=\"%s\">\n", html.EscapeString(pr.StatusReason))
		}
	}
	fmt.Fprintf(&b, "    <title>Links for %s</title>\n  </head>\n  <body>\n    <h1>Links for %s</h1>\n", pr.norm, pr.norm)
	for _, f := range files {
		fmt.Fprintf(&b, "    <a href=\"%s#sha256=%s\"", html.EscapeString(s.FilesURL+f.urlPath), f.sha256)
		if f.requiresPy != "" {
			fmt.Fprintf(&b, " data-requires-python=\"%s\"", html.EscapeString(f.requiresPy))
		}
		if f.isYanked {
			fmt.Fprintf(&b, " data-yanked=\"%s\"", html.EscapeString(f.yanked))
		}
		if f.metadata != nil {
			fmt.Fprintf(&b, " data-dist-info-metadata=\"sha256=%s\" data-core-metadata=\"sha256=%s\"", f.metaSHA256, f.metaSHA256)
		}
		fmt.Fprintf(&b, ">%s</a><br />\n", html.EscapeString(f.filename))
	}
	fmt.Fprintf(&b, "  </body>\n</html>\n<!--SERIAL %d-->", pr.serial)
	return []byte(b.String())
}

// serveJSONAPI serves /pypi/<name>/json and /pypi/<name>/<version>/json.
func (s *Server) serveJSONAPI(rw *responder, rest string) {
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	notFound := func() {
		rw.body(http.StatusNotFound, "application/json", []byte(`{"message": "Not Found"}`))
	}
	if (len(parts) != 2 && len(parts) != 3) || parts[len(parts)-1] != "json" || parts[0] == "" {
		notFound()
		return
	}
	name, version := parts[0], ""
	if len(parts) == 3 {
		version = parts[1]
	}
	norm := pypi.Normalize(name)
	if name != norm {
		http.Redirect(rw.w, rw.r, "/pypi/"+norm+"/"+strings.Join(parts[1:], "/"), http.StatusMovedPermanently)
		return
	}
	pr, files, ok := s.lookup(norm)
	if !ok || pr.Status == "quarantined" || len(files) == 0 {
		notFound()
		return
	}
	versions := versionsOf(files)
	if version != "" {
		found := ""
		for _, v := range versions {
			if pypi.EqualVersions(v, version) {
				found = v
			}
		}
		if found == "" {
			notFound()
			return
		}
		version = found
	} else {
		version = latest(files, versions)
	}
	doc := s.jsonAPIDoc(pr, files, versions, version, len(parts) == 2)
	h := rw.w.Header()
	h.Set("X-PyPI-Last-Serial", fmt.Sprint(pr.serial))
	h.Set("Cache-Control", "max-age=900, public")
	h.Set("Access-Control-Allow-Origin", "*")
	rw.body(http.StatusOK, `application/json; charset="UTF-8"`, doc)
}

// latest picks info.version like Warehouse: the newest non-yanked,
// non-prerelease version, else the newest non-yanked, else the newest.
func latest(files []*builtFile, versions []string) string {
	yanked := map[string]bool{}
	for _, v := range versions {
		yanked[v] = true
	}
	for _, f := range files {
		if !f.isYanked {
			yanked[f.version] = false
		}
	}
	var nonYanked []string
	for _, v := range versions {
		if !yanked[v] {
			nonYanked = append(nonYanked, v)
		}
	}
	if v := pypi.NewestVersion(nonYanked, false); v != "" {
		return v
	}
	if v := pypi.NewestVersion(nonYanked, true); v != "" {
		return v
	}
	return versions[len(versions)-1]
}

func (s *Server) jsonAPIFile(f *builtFile) map[string]any {
	var yr any
	if f.isYanked {
		yr = f.yanked
	}
	var rp any
	if f.requiresPy != "" {
		rp = f.requiresPy
	}
	pt, pv := "bdist_wheel", "py3"
	if f.kind == "sdist" {
		pt, pv = "sdist", "source"
	}
	var cm any = false
	if f.metadata != nil {
		cm = map[string]string{"sha256": f.metaSHA256}
	}
	return map[string]any{
		"comment_text": "", "core-metadata": cm, "data-dist-info-metadata": cm,
		"digests":   map[string]string{"blake2b_256": f.blake2b, "md5": f.md5, "sha256": f.sha256},
		"downloads": -1, "filename": f.filename, "has_sig": false, "md5_digest": f.md5,
		"packagetype": pt, "python_version": pv, "requires_python": rp, "size": len(f.data),
		"upload_time":          f.uploaded.Format("2006-01-02T15:04:05"),
		"upload_time_iso_8601": f.uploaded.Format(uploadTimeLayout),
		"url":                  s.FilesURL + f.urlPath, "yanked": f.isYanked, "yanked_reason": yr,
	}
}

func (s *Server) jsonAPIDoc(pr *project, files []*builtFile, versions []string, version string, withReleases bool) []byte {
	var release []*builtFile
	for _, f := range files {
		if f.version == version {
			release = append(release, f)
		}
	}
	var deps any
	var requiresPy any
	yanked, yankedReason := len(release) > 0, any(nil)
	for _, d := range pr.Dists {
		if d.Version == version {
			if len(d.Deps) > 0 {
				deps = d.Deps
			}
			if d.RequiresPython != "" {
				requiresPy = d.RequiresPython
			}
		}
	}
	for _, f := range release {
		if !f.isYanked {
			yanked = false
		} else if f.yanked != "" {
			yankedReason = f.yanked
		}
	}
	if !yanked {
		yankedReason = nil
	}
	var projectURLs any
	if len(pr.ProjectURLs) > 0 {
		projectURLs = pr.ProjectURLs
	}
	info := map[string]any{
		"author": "", "author_email": "", "bugtrack_url": nil, "classifiers": []string{},
		"description": "", "description_content_type": nil, "docs_url": nil,
		"download_url": "", "downloads": map[string]int{"last_day": -1, "last_month": -1, "last_week": -1},
		"dynamic": nil, "home_page": pr.HomePage, "keywords": "", "license": "", "license_expression": nil,
		"license_files": nil, "maintainer": "", "maintainer_email": "", "name": pr.Name,
		"package_url":  s.URL + "/project/" + pr.norm + "/",
		"platform":     nil,
		"project_url":  s.URL + "/project/" + pr.norm + "/",
		"project_urls": projectURLs, "provides_extra": nil,
		"release_url":   s.URL + "/project/" + pr.norm + "/" + version + "/",
		"requires_dist": deps, "requires_python": requiresPy,
		"summary": "Test package " + pr.Name + " generated by pypitest",
		"version": version, "yanked": yanked, "yanked_reason": yankedReason,
	}
	urls := []map[string]any{}
	for _, f := range release {
		urls = append(urls, s.jsonAPIFile(f))
	}
	doc := map[string]any{
		"info": info, "last_serial": pr.serial, "urls": urls, "vulnerabilities": []any{},
	}
	if withReleases {
		releases := map[string][]map[string]any{}
		for _, v := range versions {
			releases[v] = []map[string]any{}
		}
		for _, f := range files {
			releases[f.version] = append(releases[f.version], s.jsonAPIFile(f))
		}
		doc["releases"] = releases
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc) // plain types always encode
	return buf.Bytes()
}
