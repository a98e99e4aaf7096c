package npmtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // npm's dist.shasum is SHA-1
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Version is one published version of a fake package.
type Version struct {
	Version string
	// Published is time[version]; zero → the package's Created plus one day
	// per position in Versions.
	Published  time.Time
	Deps       map[string]string
	Deprecated string
	// Repository is a string, a map such as {"type":"git","url":…} or nil
	// (nil → the package's Repository).
	Repository any
	// Scripts become the version's "scripts" (e.g. {"postinstall": …}).
	Scripts map[string]string
	// Tarball is served as is; nil → a real npm tarball (package/package.json
	// and package/index.js) is built.
	Tarball []byte
}

// Package is one fake package.
type Package struct {
	Name     string // may be scoped: "@scope/name"
	Versions []Version
	// DistTags default to {"latest": highest non-prerelease version}.
	DistTags map[string]string
	// Created is time.created; zero → the earliest version time, or
	// 2020-01-01 when no version has one.
	Created    time.Time
	Repository any
	// SecurityHolding replaces the package with npm's placeholder for
	// removed malware: a single 0.0.1-security version whose description is
	// "security holding package".
	SecurityHolding bool
	// Readme defaults to a short text.
	Readme string
}

// built is a package rendered into the documents and files the server sends.
type built struct {
	pkg       Package
	full      []byte
	corgi     []byte
	manifests map[string][]byte // version → full version object
	tags      map[string]string
	tarballs  map[string][]byte // basename → bytes
	sums      map[string][2]string
}

func bareName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// tarballPath is the server path of a tarball, without the base URL.
func tarballPath(name, version string) string {
	return "/" + name + "/-/" + bareName(name) + "-" + version + ".tgz"
}

// BuildTarball returns a real npm tarball (gzip'd tar with package/package.json
// and package/index.js) for name@version. It is deterministic.
func BuildTarball(name, version string, deps map[string]string) ([]byte, error) {
	manifest, err := json.MarshalIndent(map[string]any{
		"name":         name,
		"version":      version,
		"description":  "fake package " + name,
		"main":         "index.js",
		"license":      "MIT",
		"dependencies": nonNil(deps),
	}, "", "  ")
	if err != nil {
		return nil, err
	}
	index := []byte(fmt.Sprintf("module.exports = %q;\n", name+"@"+version))
	epoch := time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC) // npm's fixed tarball mtime
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, f := range []struct {
		name string
		data []byte
	}{{"package/package.json", manifest}, {"package/index.js", index}} {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: epoch, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Checksums returns npm's dist.integrity ("sha512-<base64>") and dist.shasum
// (hex SHA-1) for b.
func Checksums(b []byte) (integrity, shasum string) {
	s512 := sha512.Sum512(b)
	s1 := sha1.Sum(b) //nolint:gosec // npm's dist.shasum
	return "sha512-" + base64.StdEncoding.EncodeToString(s512[:]), hex.EncodeToString(s1[:])
}

// signer signs dist entries like the registry: ECDSA P-256 over
// "<name>@<version>:<integrity>".
type signer struct {
	key   *ecdsa.PrivateKey
	keyID string
	pub   string // base64 DER SubjectPublicKeyInfo
}

func (s *signer) sign(name, version, integrity string) (string, error) {
	d := sha256.Sum256([]byte(name + "@" + version + ":" + integrity))
	sig, err := ecdsa.SignASN1(rand.Reader, s.key, d[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// defaultLatest picks the highest non-prerelease version, else the highest.
func defaultLatest(vs []Version) string {
	var best, bestPre *semver.Version
	for _, v := range vs {
		sv, err := semver.NewVersion(v.Version)
		if err != nil {
			continue
		}
		if sv.Prerelease() == "" {
			if best == nil || sv.GreaterThan(best) {
				best = sv
			}
		} else if bestPre == nil || sv.GreaterThan(bestPre) {
			bestPre = sv
		}
	}
	switch {
	case best != nil:
		return best.Original()
	case bestPre != nil:
		return bestPre.Original()
	case len(vs) > 0:
		return vs[len(vs)-1].Version
	}
	return ""
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// build renders p for a server at baseURL.
func build(p Package, baseURL string, sg *signer) (*built, error) {
	if p.SecurityHolding {
		p.Versions = []Version{{Version: "0.0.1-security", Published: p.Created}}
		p.DistTags = map[string]string{"latest": "0.0.1-security"}
		p.Repository = "npm/security-holder"
		p.Readme = "Security holding package\n\nThis package contained malicious code and was removed from the registry by the npm security team. A placeholder was published to ensure users are not affected in the future.\n"
	}
	description := "fake package " + p.Name
	if p.SecurityHolding {
		description = "security holding package"
	}
	if p.Readme == "" {
		p.Readme = "# " + p.Name + "\n\nA package served by the npmtest fake registry.\n"
	}
	base := p.Created
	if base.IsZero() {
		base = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	b := &built{
		pkg:       p,
		manifests: map[string][]byte{},
		tarballs:  map[string][]byte{},
		sums:      map[string][2]string{},
	}
	times := map[string]string{}
	var created, modified time.Time
	full := map[string]any{}
	corgi := map[string]any{}
	for i, v := range p.Versions {
		pub := v.Published
		if pub.IsZero() {
			pub = base.Add(time.Duration(i) * 24 * time.Hour)
		}
		if created.IsZero() || pub.Before(created) {
			created = pub
		}
		if pub.After(modified) {
			modified = pub
		}
		times[v.Version] = isoTime(pub)
		tgz := v.Tarball
		if tgz == nil {
			var err error
			if tgz, err = BuildTarball(p.Name, v.Version, v.Deps); err != nil {
				return nil, fmt.Errorf("build tarball %s@%s: %w", p.Name, v.Version, err)
			}
		}
		integrity, shasum := Checksums(tgz)
		file := bareName(p.Name) + "-" + v.Version + ".tgz"
		b.tarballs[file] = tgz
		b.sums[v.Version] = [2]string{integrity, shasum}
		sig, err := sg.sign(p.Name, v.Version, integrity)
		if err != nil {
			return nil, fmt.Errorf("sign %s@%s: %w", p.Name, v.Version, err)
		}
		dist := map[string]any{
			"tarball":      baseURL + tarballPath(p.Name, v.Version),
			"shasum":       shasum,
			"integrity":    integrity,
			"fileCount":    2,
			"unpackedSize": 200 + len(p.Name),
			"signatures":   []any{map[string]any{"keyid": sg.keyID, "sig": sig}},
		}
		repo := v.Repository
		if repo == nil {
			repo = p.Repository
		}
		fv := map[string]any{
			"name":         p.Name,
			"version":      v.Version,
			"description":  description,
			"main":         "index.js",
			"license":      "MIT",
			"scripts":      map[string]string{"test": "echo \"no test\""},
			"dependencies": nonNil(v.Deps),
			"_id":          p.Name + "@" + v.Version,
			"_npmUser":     map[string]string{"name": "fake-publisher", "email": "publisher@example.com"},
			"_npmVersion":  "10.8.2",
			"_nodeVersion": "20.18.0",
			"dist":         dist,
		}
		cv := map[string]any{
			"name":         p.Name,
			"version":      v.Version,
			"dependencies": nonNil(v.Deps),
			"dist":         dist,
		}
		if len(v.Scripts) > 0 {
			scripts := map[string]string{}
			for k, s := range v.Scripts {
				scripts[k] = s
				if k == "preinstall" || k == "install" || k == "postinstall" {
					fv["hasInstallScript"] = true
					cv["hasInstallScript"] = true
				}
			}
			fv["scripts"] = scripts
		}
		if repo != nil {
			fv["repository"] = repo
		}
		if v.Deprecated != "" {
			fv["deprecated"] = v.Deprecated
			cv["deprecated"] = v.Deprecated
		}
		full[v.Version] = fv
		corgi[v.Version] = cv
		m, err := json.Marshal(fv)
		if err != nil {
			return nil, fmt.Errorf("marshal %s@%s: %w", p.Name, v.Version, err)
		}
		b.manifests[v.Version] = m
	}
	if !p.Created.IsZero() {
		created = p.Created
	}
	if created.IsZero() {
		created = base
	}
	if modified.Before(created) {
		modified = created
	}
	times["created"] = isoTime(created)
	times["modified"] = isoTime(modified)

	tags := p.DistTags
	if tags == nil {
		tags = map[string]string{}
		if l := defaultLatest(p.Versions); l != "" {
			tags["latest"] = l
		}
	}
	b.tags = tags
	rev := sha256.Sum256([]byte(p.Name + times["modified"] + fmt.Sprint(len(p.Versions))))
	doc := map[string]any{
		"_id":            p.Name,
		"_rev":           fmt.Sprintf("%d-%x", len(p.Versions)+1, rev[:16]),
		"name":           p.Name,
		"description":    description,
		"dist-tags":      tags,
		"versions":       full,
		"time":           times,
		"maintainers":    []any{map[string]string{"name": "fake-publisher", "email": "publisher@example.com"}},
		"readme":         p.Readme,
		"readmeFilename": "README.md",
		"license":        "MIT",
		"users":          map[string]bool{"someone": true},
	}
	if p.Repository != nil {
		doc["repository"] = p.Repository
	}
	var err error
	if b.full, err = json.Marshal(doc); err != nil {
		return nil, fmt.Errorf("marshal %s: %w", p.Name, err)
	}
	if b.corgi, err = json.Marshal(map[string]any{
		"name":      p.Name,
		"modified":  times["modified"],
		"dist-tags": tags,
		"versions":  corgi,
	}); err != nil {
		return nil, fmt.Errorf("marshal corgi %s: %w", p.Name, err)
	}
	return b, nil
}
