package pypi

import (
	"slices"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Facts reduces a simple API page and, when available, the JSON API project
// document (doc may be nil) to the policy vocabulary. Upload times come from
// the simple page and fall back to the document's for files lacking them.
// With p nil the facts come from doc alone.
func Facts(p *Project, doc *ProjectDoc) *policy.Package {
	if p == nil {
		p = projectFromDoc(doc)
	}
	pkg := &policy.Package{Ecosystem: policy.PyPI, Name: p.Name, Exists: true}
	if p.Status != "active" {
		pkg.Status, pkg.StatusReason = p.Status, p.StatusReason
	}
	docFiles := map[string]ReleaseFile{}
	if doc != nil {
		if pkg.Name == "" {
			pkg.Name = Normalize(doc.Name)
		}
		for _, files := range doc.Releases {
			for _, f := range files {
				docFiles[f.Filename] = f
			}
		}
		for _, f := range doc.URLs {
			docFiles[f.Filename] = f
		}
		pkg.Repositories = repositories(doc)
	}
	versions := slices.Clone(p.Versions)
	byVersion := map[string][]File{}
	for _, f := range p.Files {
		if f.Version != "" {
			byVersion[f.Version] = append(byVersion[f.Version], f)
			if !slices.Contains(versions, f.Version) {
				versions = append(versions, f.Version)
			}
		}
		if t := uploaded(f, docFiles); !t.IsZero() && (pkg.Created.IsZero() || t.Before(pkg.Created)) {
			pkg.Created = t
		}
	}
	SortVersions(versions)
	for _, v := range versions {
		rel := policy.Release{Version: v, Prerelease: IsPrerelease(v)}
		files := byVersion[v]
		yanked := len(files) > 0
		for _, f := range files {
			pf := policy.File{Name: f.Filename, Uploaded: uploaded(f, docFiles), Size: f.Size}
			if pf.Size < 0 {
				if df, ok := docFiles[f.Filename]; ok {
					pf.Size = df.Size
				}
			}
			if !pf.Uploaded.IsZero() && (rel.Published.IsZero() || pf.Uploaded.Before(rel.Published)) {
				rel.Published = pf.Uploaded
			}
			if !f.Yanked {
				yanked = false
			} else if rel.YankReason == "" {
				rel.YankReason = f.YankedReason
			}
			rel.Files = append(rel.Files, pf)
		}
		rel.Yanked = yanked
		if !yanked {
			rel.YankReason = ""
		}
		pkg.Releases = append(pkg.Releases, rel)
	}
	return pkg
}

func uploaded(f File, docFiles map[string]ReleaseFile) time.Time {
	if !f.UploadTime.IsZero() {
		return f.UploadTime
	}
	return docFiles[f.Filename].UploadTime
}

// repositories lists the declared project URLs, home page and download URL,
// deduplicated, project URLs in label order.
func repositories(doc *ProjectDoc) []string {
	labels := make([]string, 0, len(doc.ProjectURLs))
	for k := range doc.ProjectURLs {
		labels = append(labels, k)
	}
	slices.Sort(labels)
	var out []string
	add := func(u string) {
		if u != "" && u != "UNKNOWN" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	for _, k := range labels {
		add(doc.ProjectURLs[k])
	}
	add(doc.HomePage)
	add(doc.DownloadURL)
	return out
}

// projectFromDoc builds a Project from a JSON API document, for callers that
// only have the latter.
func projectFromDoc(doc *ProjectDoc) *Project {
	p := &Project{APIVersion: "1.0"}
	if doc == nil {
		p.finish(nil)
		return p
	}
	p.Name = Normalize(doc.Name)
	var versions []string
	add := func(v string, files []ReleaseFile) {
		versions = append(versions, v)
		for _, rf := range files {
			f := File{
				Filename: rf.Filename, URL: rf.URL, Size: rf.Size, UploadTime: rf.UploadTime,
				Yanked: rf.Yanked, YankedReason: rf.YankedReason, Hashes: map[string]string{},
			}
			if rf.SHA256 != "" {
				f.Hashes["sha256"] = rf.SHA256
			}
			p.Files = append(p.Files, f)
		}
	}
	if doc.Releases != nil {
		for v, files := range doc.Releases {
			add(v, files)
		}
	} else if doc.Version != "" {
		add(doc.Version, doc.URLs)
	}
	p.finish(versions)
	return p
}
