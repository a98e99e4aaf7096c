package pypi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// ProjectDoc is the part of a Warehouse JSON API document
// (/pypi/<project>/json or /pypi/<project>/<version>/json) vigil uses.
type ProjectDoc struct {
	Name         string // display name
	Version      string // info.version
	ProjectURLs  map[string]string
	HomePage     string
	DownloadURL  string
	Releases     map[string][]ReleaseFile // nil on the version route
	URLs         []ReleaseFile            // files of Version
	Yanked       bool
	YankedReason string
}

// ReleaseFile is one file object of the JSON API.
type ReleaseFile struct {
	Filename     string
	URL          string
	UploadTime   time.Time // upload_time_iso_8601 (or upload_time as UTC); zero if absent
	Size         int64
	SHA256       string
	Yanked       bool
	YankedReason string
	PackageType  string // "sdist", "bdist_wheel", …
}

type jsonAPIDoc struct {
	Info struct {
		Name         string            `json:"name"`
		Version      string            `json:"version"`
		ProjectURLs  map[string]string `json:"project_urls"`
		HomePage     string            `json:"home_page"`
		DownloadURL  string            `json:"download_url"`
		Yanked       bool              `json:"yanked"`
		YankedReason string            `json:"yanked_reason"`
	} `json:"info"`
	Releases map[string][]jsonAPIFile `json:"releases"`
	URLs     []jsonAPIFile            `json:"urls"`
}

type jsonAPIFile struct {
	Filename          string `json:"filename"`
	URL               string `json:"url"`
	UploadTime        string `json:"upload_time"`
	UploadTimeISO8601 string `json:"upload_time_iso_8601"`
	Size              int64  `json:"size"`
	Digests           struct {
		SHA256 string `json:"sha256"`
	} `json:"digests"`
	Yanked       bool   `json:"yanked"`
	YankedReason string `json:"yanked_reason"`
	PackageType  string `json:"packagetype"`
}

func (f jsonAPIFile) toReleaseFile() ReleaseFile {
	rf := ReleaseFile{
		Filename: f.Filename, URL: f.URL, Size: f.Size, SHA256: f.Digests.SHA256,
		Yanked: f.Yanked, YankedReason: f.YankedReason, PackageType: f.PackageType,
	}
	if t, err := parseUploadTime(f.UploadTimeISO8601); err == nil {
		rf.UploadTime = t
	} else if t, err := time.Parse("2006-01-02T15:04:05.999999", f.UploadTime); err == nil {
		rf.UploadTime = t.UTC()
	}
	return rf
}

// ParseProjectDoc parses a JSON API project or release document. Malformed
// documents yield errors wrapping policy.ErrUpstream.
func ParseProjectDoc(body []byte) (*ProjectDoc, error) {
	if len(body) > maxDocBytes {
		return nil, fmt.Errorf("json api: %d bytes: %w", len(body), policy.ErrTooLarge)
	}
	var doc jsonAPIDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("json api: %w: %w", policy.ErrUpstream, err)
	}
	pd := &ProjectDoc{
		Name: doc.Info.Name, Version: doc.Info.Version, ProjectURLs: doc.Info.ProjectURLs,
		HomePage: doc.Info.HomePage, DownloadURL: doc.Info.DownloadURL,
		Yanked: doc.Info.Yanked, YankedReason: doc.Info.YankedReason,
	}
	if doc.Releases != nil {
		pd.Releases = make(map[string][]ReleaseFile, len(doc.Releases))
		for v, files := range doc.Releases {
			out := make([]ReleaseFile, 0, len(files))
			for _, f := range files {
				out = append(out, f.toReleaseFile())
			}
			pd.Releases[v] = out
		}
	}
	for _, f := range doc.URLs {
		pd.URLs = append(pd.URLs, f.toReleaseFile())
	}
	return pd, nil
}

// member is one key of a JSON object, kept in document order.
type member struct {
	Key   string
	Value json.RawMessage
}

// object is a JSON object that keeps its key order.
type object []member

func decodeObject(raw []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want a JSON object")
	}
	var obj object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("want an object key")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		obj = append(obj, member{key, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("trailing data after object")
	}
	return obj, nil
}

func (o object) get(key string) (json.RawMessage, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

func (o *object) set(key string, v json.RawMessage) {
	for i := range *o {
		if (*o)[i].Key == key {
			(*o)[i].Value = v
			return
		}
	}
	*o = append(*o, member{key, v})
}

func (o object) marshal() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key) // a string always marshals
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func marshalString(s string) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimRight(b.Bytes(), "\n")
}

// filteredFile is one kept file object of a JSON API document.
type filteredFile struct {
	raw    json.RawMessage
	yanked bool
}

// filterFiles filters and rewrites an array of JSON API file objects.
func filterFiles(raw json.RawMessage, version string, keep func(version, filename string) bool, rewrite func(string) string) (kept []filteredFile, total int, err error) {
	if isAbsent(raw) {
		return nil, 0, nil
	}
	var files []json.RawMessage
	if err := json.Unmarshal(raw, &files); err != nil {
		return nil, 0, err
	}
	for _, fr := range files {
		obj, err := decodeObject(fr)
		if err != nil {
			return nil, 0, err
		}
		var meta struct {
			Filename string `json:"filename"`
			URL      string `json:"url"`
			Yanked   bool   `json:"yanked"`
		}
		if err := json.Unmarshal(fr, &meta); err != nil {
			return nil, 0, err
		}
		if keep != nil && !keep(version, meta.Filename) {
			continue
		}
		if rewrite != nil {
			if _, ok := obj.get("url"); ok {
				obj.set("url", marshalString(rewrite(meta.URL)))
			}
		}
		kept = append(kept, filteredFile{raw: obj.marshal(), yanked: meta.Yanked})
	}
	return kept, len(files), nil
}

func joinFiles(files []filteredFile) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, f := range files {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(f.raw)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// FilterProjectDoc rewrites a JSON API document (project or release route)
// generically, keeping every field it does not touch and the key order. It
// drops files for which keep returns false (keep nil keeps all), drops from
// "releases" the versions left with no files (versions without files
// upstream stay), rewrites every file "url" with rewrite (nil leaves them),
// and, when info.version lost all its files, re-points info.version and
// "urls" at the newest kept non-prerelease, non-yanked version.
func FilterProjectDoc(body []byte, keep func(version, filename string) bool, rewrite func(fileURL string) string) ([]byte, error) {
	top, err := decodeObject(body)
	if err != nil {
		return nil, fmt.Errorf("filter json api: %w: %w", policy.ErrUpstream, err)
	}
	rawInfo, _ := top.get("info")
	var info object
	if !isAbsent(rawInfo) {
		if info, err = decodeObject(rawInfo); err != nil {
			return nil, fmt.Errorf("filter json api: info: %w: %w", policy.ErrUpstream, err)
		}
	}
	version := ""
	if rv, ok := info.get("version"); ok && !isAbsent(rv) {
		if err := json.Unmarshal(rv, &version); err != nil {
			return nil, fmt.Errorf("filter json api: info.version: %w: %w", policy.ErrUpstream, err)
		}
	}
	rawURLs, hasURLs := top.get("urls")
	urls, _, err := filterFiles(rawURLs, version, keep, rewrite)
	if err != nil {
		return nil, fmt.Errorf("filter json api: urls: %w: %w", policy.ErrUpstream, err)
	}
	rawReleases, hasReleases := top.get("releases")
	if hasReleases && !isAbsent(rawReleases) {
		releases, err := decodeObject(rawReleases)
		if err != nil {
			return nil, fmt.Errorf("filter json api: releases: %w: %w", policy.ErrUpstream, err)
		}
		kept := make(map[string][]filteredFile, len(releases))
		var out object
		for _, m := range releases {
			files, total, err := filterFiles(m.Value, m.Key, keep, rewrite)
			if err != nil {
				return nil, fmt.Errorf("filter json api: release %q: %w: %w", m.Key, policy.ErrUpstream, err)
			}
			if total > 0 && len(files) == 0 {
				continue
			}
			kept[m.Key] = files
			out = append(out, member{m.Key, joinFiles(files)})
		}
		top.set("releases", out.marshal())
		if _, ok := kept[version]; !ok && version != "" {
			if nv := pickLatest(kept); nv != "" {
				version = nv
				urls = kept[nv]
				info.set("version", marshalString(nv))
				if _, ok := info.get("yanked"); ok {
					info.set("yanked", json.RawMessage(fmt.Sprint(allYanked(urls))))
				}
				if _, ok := info.get("yanked_reason"); ok && !allYanked(urls) {
					info.set("yanked_reason", json.RawMessage("null"))
				}
			} else {
				urls = nil
			}
			top.set("info", info.marshal())
		}
	}
	if hasURLs || hasReleases {
		top.set("urls", joinFiles(urls))
	}
	return top.marshal(), nil
}

func allYanked(files []filteredFile) bool {
	for _, f := range files {
		if !f.yanked {
			return false
		}
	}
	return len(files) > 0
}

// pickLatest chooses info.version among the kept releases like Warehouse:
// the newest non-prerelease, non-yanked version with files; else the newest
// non-yanked; else the newest.
func pickLatest(kept map[string][]filteredFile) string {
	var stable, nonYanked, all []string
	for v, files := range kept {
		if len(files) == 0 {
			continue
		}
		all = append(all, v)
		if allYanked(files) {
			continue
		}
		nonYanked = append(nonYanked, v)
		if !IsPrerelease(v) {
			stable = append(stable, v)
		}
	}
	for _, set := range [][]string{stable, nonYanked, all} {
		if len(set) == 0 {
			continue
		}
		SortVersions(set)
		return set[len(set)-1]
	}
	return ""
}
