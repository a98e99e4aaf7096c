package pypi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

type simpleJSONDoc struct {
	Meta struct {
		APIVersion          string          `json:"api-version"`
		LastSerial          json.RawMessage `json:"_last-serial"`
		ProjectStatus       json.RawMessage `json:"project-status"`
		ProjectStatusReason json.RawMessage `json:"project-status-reason"`
	} `json:"meta"`
	Name          string           `json:"name"`
	ProjectStatus json.RawMessage  `json:"project-status"`
	Versions      []string         `json:"versions"`
	Files         []simpleJSONFile `json:"files"`
}

type simpleJSONFile struct {
	Filename             string            `json:"filename"`
	URL                  string            `json:"url"`
	Hashes               map[string]string `json:"hashes"`
	RequiresPython       *string           `json:"requires-python"`
	CoreMetadata         json.RawMessage   `json:"core-metadata"`
	DistInfoMetadata     json.RawMessage   `json:"dist-info-metadata"`
	DataDistInfoMetadata json.RawMessage   `json:"data-dist-info-metadata"`
	GPGSig               *bool             `json:"gpg-sig"`
	Yanked               json.RawMessage   `json:"yanked"`
	Size                 *int64            `json:"size"`
	UploadTime           *string           `json:"upload-time"`
	Provenance           *string           `json:"provenance"`
}

// ParseSimpleJSON parses a PEP 691 JSON project page. Relative file URLs are
// resolved against pageURL (which may be nil). Malformed documents and
// api-versions with a major other than 1 yield errors wrapping
// policy.ErrUpstream.
func ParseSimpleJSON(body []byte, pageURL *url.URL) (*Project, error) {
	if len(body) > maxDocBytes {
		return nil, fmt.Errorf("simple json: %d bytes: %w", len(body), policy.ErrTooLarge)
	}
	var doc simpleJSONDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("simple json: %w: %w", policy.ErrUpstream, err)
	}
	api, err := checkAPIVersion(doc.Meta.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("simple json: %w", err)
	}
	p := &Project{APIVersion: api, Name: Normalize(doc.Name)}
	if p.Name == "" {
		p.Name = nameFromPageURL(pageURL)
	}
	if len(doc.Meta.LastSerial) > 0 && string(doc.Meta.LastSerial) != "null" {
		if err := json.Unmarshal(doc.Meta.LastSerial, &p.LastSerial); err != nil {
			return nil, fmt.Errorf("simple json: _last-serial: %w: %w", policy.ErrUpstream, err)
		}
	}
	if err := parseStatus(p, doc.ProjectStatus, doc.Meta.ProjectStatus, doc.Meta.ProjectStatusReason); err != nil {
		return nil, fmt.Errorf("simple json: %w", err)
	}
	p.Files = make([]File, 0, len(doc.Files))
	for i, jf := range doc.Files {
		f, err := jf.toFile(pageURL)
		if err != nil {
			return nil, fmt.Errorf("simple json: file %d: %w", i, err)
		}
		p.Files = append(p.Files, f)
	}
	p.finish(doc.Versions)
	return p, nil
}

func (jf simpleJSONFile) toFile(pageURL *url.URL) (File, error) {
	if jf.Filename == "" {
		return File{}, fmt.Errorf("missing filename: %w", policy.ErrUpstream)
	}
	u, _, err := resolveURL(pageURL, jf.URL)
	if err != nil || jf.URL == "" {
		return File{}, fmt.Errorf("file %q: bad url: %w", jf.Filename, policy.ErrUpstream)
	}
	f := File{Filename: jf.Filename, URL: u, Size: -1, GPGSig: jf.GPGSig}
	f.Hashes = make(map[string]string, len(jf.Hashes))
	for k, v := range jf.Hashes {
		f.Hashes[k] = v
	}
	if jf.RequiresPython != nil {
		f.RequiresPython = *jf.RequiresPython
	}
	if jf.Provenance != nil {
		f.Provenance = *jf.Provenance
	}
	if jf.Size != nil {
		f.Size = *jf.Size
	}
	if jf.UploadTime != nil && *jf.UploadTime != "" {
		t, err := parseUploadTime(*jf.UploadTime)
		if err != nil {
			return File{}, fmt.Errorf("file %q: upload-time: %w: %w", jf.Filename, policy.ErrUpstream, err)
		}
		f.UploadTime = t
	}
	if f.Yanked, f.YankedReason, err = parseBoolOrString(jf.Yanked); err != nil {
		return File{}, fmt.Errorf("file %q: yanked: %w", jf.Filename, err)
	}
	meta := jf.CoreMetadata
	if isAbsent(meta) {
		meta = jf.DistInfoMetadata
	}
	if isAbsent(meta) {
		meta = jf.DataDistInfoMetadata
	}
	if f.CoreMetadata, err = parseCoreMetadata(meta); err != nil {
		return File{}, fmt.Errorf("file %q: core-metadata: %w", jf.Filename, err)
	}
	return f, nil
}

func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// parseBoolOrString decodes a PEP 691 "yanked" value: false, true or a reason.
func parseBoolOrString(raw json.RawMessage) (bool, string, error) {
	if isAbsent(raw) {
		return false, "", nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return false, "", fmt.Errorf("want bool or string: %w", policy.ErrUpstream)
	}
	return true, s, nil
}

// parseCoreMetadata decodes true/false or a hash map (PEP 714).
func parseCoreMetadata(raw json.RawMessage) (map[string]string, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		if b {
			return map[string]string{}, nil
		}
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("want bool or hashes: %w", policy.ErrUpstream)
	}
	if m == nil {
		m = map[string]string{}
	}
	return m, nil
}

// parseStatus reads the PEP 792 status: the top-level object (or string),
// else the strings inside meta.
func parseStatus(p *Project, top, metaStatus, metaReason json.RawMessage) error {
	if !isAbsent(top) {
		var obj struct {
			Status string `json:"status"`
			Reason string `json:"reason"`
		}
		if err := json.Unmarshal(top, &obj); err == nil {
			p.Status, p.StatusReason = obj.Status, obj.Reason
		} else if err := json.Unmarshal(top, &p.Status); err != nil {
			return fmt.Errorf("project-status: %w", policy.ErrUpstream)
		}
	} else if !isAbsent(metaStatus) {
		if err := json.Unmarshal(metaStatus, &p.Status); err != nil {
			return fmt.Errorf("project-status: %w", policy.ErrUpstream)
		}
	}
	if p.StatusReason == "" && !isAbsent(metaReason) {
		// A non-string reason is ignored; it is informational only.
		_ = json.Unmarshal(metaReason, &p.StatusReason)
	}
	p.Status = strings.ToLower(strings.TrimSpace(p.Status))
	return nil
}

type renderedJSON struct {
	Meta struct {
		APIVersion string `json:"api-version"`
		LastSerial *int64 `json:"_last-serial,omitempty"`
	} `json:"meta"`
	Name          string         `json:"name"`
	ProjectStatus *renderStatus  `json:"project-status,omitempty"`
	Versions      []string       `json:"versions"`
	Files         []renderedFile `json:"files"`
}

type renderStatus struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

type renderedFile struct {
	Filename             string            `json:"filename"`
	URL                  string            `json:"url"`
	Hashes               map[string]string `json:"hashes"`
	RequiresPython       *string           `json:"requires-python"`
	CoreMetadata         any               `json:"core-metadata"`
	DataDistInfoMetadata any               `json:"data-dist-info-metadata"`
	GPGSig               *bool             `json:"gpg-sig,omitempty"`
	Yanked               any               `json:"yanked"`
	Size                 *int64            `json:"size,omitempty"`
	UploadTime           *string           `json:"upload-time,omitempty"`
	Provenance           *string           `json:"provenance,omitempty"`
}

// renderAPIVersion is the api-version to announce: upstream's, but at least
// 1.1 because the JSON form carries size and upload-time.
func (p *Project) renderAPIVersion(minMinor int) string {
	v, err := checkAPIVersion(p.APIVersion)
	if err != nil {
		v = "1.0"
	}
	_, minor, _ := strings.Cut(v, ".")
	n := 0
	fmt.Sscanf(minor, "%d", &n)
	if n < minMinor {
		return fmt.Sprintf("1.%d", minMinor)
	}
	return v
}

// RenderJSON writes p as a PEP 691 v1 JSON page. Every file carries hashes,
// core-metadata (with Warehouse's data-dist-info-metadata alias), yanked,
// and size and upload-time when known.
func (p *Project) RenderJSON(w io.Writer) error {
	var out renderedJSON
	out.Meta.APIVersion = p.renderAPIVersion(1)
	if p.LastSerial != 0 {
		s := p.LastSerial
		out.Meta.LastSerial = &s
	}
	out.Name = p.Name
	if p.Status != "" {
		out.ProjectStatus = &renderStatus{Status: p.Status, Reason: p.StatusReason}
	}
	out.Versions = p.Versions
	if out.Versions == nil {
		out.Versions = []string{}
	}
	out.Files = make([]renderedFile, 0, len(p.Files))
	for _, f := range p.Files {
		rf := renderedFile{Filename: f.Filename, URL: f.URL, Hashes: f.Hashes, GPGSig: f.GPGSig}
		if rf.Hashes == nil {
			rf.Hashes = map[string]string{}
		}
		if f.RequiresPython != "" {
			rp := f.RequiresPython
			rf.RequiresPython = &rp
		}
		switch {
		case f.CoreMetadata == nil:
			rf.CoreMetadata = false
		case len(f.CoreMetadata) == 0:
			rf.CoreMetadata = true
		default:
			rf.CoreMetadata = f.CoreMetadata
		}
		rf.DataDistInfoMetadata = rf.CoreMetadata
		switch {
		case !f.Yanked:
			rf.Yanked = false
		case f.YankedReason == "":
			rf.Yanked = true
		default:
			rf.Yanked = f.YankedReason
		}
		if f.Size >= 0 {
			s := f.Size
			rf.Size = &s
		}
		if !f.UploadTime.IsZero() {
			t := f.UploadTime.UTC().Format(uploadTimeLayout)
			rf.UploadTime = &t
		}
		if f.Provenance != "" {
			pv := f.Provenance
			rf.Provenance = &pv
		}
		out.Files = append(out.Files, rf)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("render simple json: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("render simple json: %w", err)
	}
	return nil
}
