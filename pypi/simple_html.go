package pypi

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	nethtml "golang.org/x/net/html"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// ParseSimpleHTML parses a PEP 503 HTML project page with its PEP 592, 629,
// 658/714, 740 and 792 attributes. Links are resolved against the first
// <base href>, itself resolved against pageURL (which may be nil). Anchors
// with unusable hrefs are skipped. A repository-version with a major other
// than 1 yields an error wrapping policy.ErrUpstream.
func ParseSimpleHTML(body []byte, pageURL *url.URL) (*Project, error) {
	if len(body) > maxDocBytes {
		return nil, fmt.Errorf("simple html: %d bytes: %w", len(body), policy.ErrTooLarge)
	}
	p := &Project{Name: nameFromPageURL(pageURL)}
	base := pageURL
	baseSeen := false
	apiVersion := ""
	z := nethtml.NewTokenizer(bytes.NewReader(body))
	var cur *File // anchor being read
	var text strings.Builder
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			break
		}
		switch tt {
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			attrs := readAttrs(z, hasAttr)
			switch string(name) {
			case "base":
				if href, ok := attrs["href"]; ok && !baseSeen {
					baseSeen = true
					if u, err := url.Parse(strings.TrimSpace(href)); err == nil {
						if base != nil {
							u = base.ResolveReference(u)
						}
						base = u
					}
				}
			case "meta":
				switch strings.ToLower(attrs["name"]) {
				case "pypi:repository-version":
					apiVersion = attrs["content"]
				case "pypi:project-status":
					p.Status = strings.ToLower(strings.TrimSpace(attrs["content"]))
				case "pypi:project-status-reason":
					p.StatusReason = attrs["content"]
				}
			case "a":
				p.flushAnchor(cur, &text)
				cur = anchorFile(base, attrs)
				text.Reset()
				if tt == nethtml.SelfClosingTagToken {
					p.flushAnchor(cur, &text)
					cur = nil
				}
			}
		case nethtml.TextToken:
			if cur != nil {
				text.Write(z.Text())
			}
		case nethtml.CommentToken:
			// Warehouse ends pages with <!--SERIAL n-->.
			if rest, ok := strings.CutPrefix(strings.TrimSpace(string(z.Text())), "SERIAL "); ok {
				if n, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64); err == nil {
					p.LastSerial = n
				}
			}
		case nethtml.EndTagToken:
			if name, _ := z.TagName(); string(name) == "a" {
				p.flushAnchor(cur, &text)
				cur = nil
			}
		}
	}
	p.flushAnchor(cur, &text)
	api, err := checkAPIVersion(apiVersion)
	if err != nil {
		return nil, fmt.Errorf("simple html: %w", err)
	}
	p.APIVersion = api
	if p.Files == nil {
		p.Files = []File{}
	}
	p.finish(nil)
	return p, nil
}

func readAttrs(z *nethtml.Tokenizer, more bool) map[string]string {
	attrs := map[string]string{}
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		key := string(k)
		if _, dup := attrs[key]; !dup {
			attrs[key] = string(v)
		}
	}
	return attrs
}

// anchorFile builds a File from an <a> tag's attributes; nil when the tag
// has no usable href.
func anchorFile(base *url.URL, attrs map[string]string) *File {
	href, ok := attrs["href"]
	if !ok || strings.TrimSpace(href) == "" {
		return nil
	}
	u, frag, err := resolveURL(base, href)
	if err != nil {
		return nil
	}
	f := &File{URL: u, Hashes: parseHashFragment(frag), Size: -1}
	f.RequiresPython = attrs["data-requires-python"]
	if reason, ok := attrs["data-yanked"]; ok {
		f.Yanked, f.YankedReason = true, reason
	}
	meta, ok := attrs["data-core-metadata"]
	if !ok {
		meta, ok = attrs["data-dist-info-metadata"]
	}
	if ok {
		f.CoreMetadata = parseCoreMetadataAttr(meta)
	}
	if sig, ok := attrs["data-gpg-sig"]; ok {
		b := strings.EqualFold(strings.TrimSpace(sig), "true")
		f.GPGSig = &b
	}
	f.Provenance = attrs["data-provenance"]
	return f
}

// parseCoreMetadataAttr decodes "true", "false" or "<hash>=<hex>".
func parseCoreMetadataAttr(v string) map[string]string {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "false":
		return nil
	case "true", "":
		return map[string]string{}
	}
	return parseHashFragment(v)
}

// flushAnchor appends the anchor being read. The filename is the link text,
// or the URL's last path segment when the text is empty.
func (p *Project) flushAnchor(f *File, text *strings.Builder) {
	if f == nil {
		return
	}
	f.Filename = strings.TrimSpace(text.String())
	text.Reset()
	if f.Filename == "" {
		if u, err := url.Parse(f.URL); err == nil {
			f.Filename = path.Base(u.Path)
		}
	}
	if f.Filename == "" || f.Filename == "." || f.Filename == "/" {
		return
	}
	p.Files = append(p.Files, *f)
}

// RenderHTML writes p as a PEP 503 HTML page with the PEP 592, 629, 658/714,
// 740 and 792 attributes. Each href carries the sha256 (or another) hash
// fragment.
func (p *Project) RenderHTML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	esc := html.EscapeString
	fmt.Fprintf(bw, "<!DOCTYPE html>\n<html>\n  <head>\n")
	fmt.Fprintf(bw, "    <meta name=\"pypi:repository-version\" content=\"%s\">\n", esc(p.renderAPIVersion(0)))
	if p.Status != "" {
		fmt.Fprintf(bw, "    <meta name=\"pypi:project-status\" content=\"%s\">\n", esc(p.Status))
		if p.StatusReason != "" {
			fmt.Fprintf(bw, "    <meta name=\"pypi:project-status-reason\" content=\"%s\">\n", esc(p.StatusReason))
		}
	}
	fmt.Fprintf(bw, "    <title>Links for %s</title>\n  </head>\n  <body>\n    <h1>Links for %s</h1>\n", esc(p.Name), esc(p.Name))
	for _, f := range p.Files {
		href := f.URL
		if frag := hashFragment(f.Hashes); frag != "" {
			href += "#" + frag
		}
		fmt.Fprintf(bw, "    <a href=\"%s\"", esc(href))
		if f.RequiresPython != "" {
			fmt.Fprintf(bw, " data-requires-python=\"%s\"", esc(f.RequiresPython))
		}
		if f.Yanked {
			fmt.Fprintf(bw, " data-yanked=\"%s\"", esc(f.YankedReason))
		}
		if f.CoreMetadata != nil {
			v := "true"
			if frag := hashFragment(f.CoreMetadata); frag != "" {
				v = frag
			}
			fmt.Fprintf(bw, " data-core-metadata=\"%s\" data-dist-info-metadata=\"%s\"", esc(v), esc(v))
		}
		if f.GPGSig != nil {
			fmt.Fprintf(bw, " data-gpg-sig=\"%s\"", strconv.FormatBool(*f.GPGSig))
		}
		if f.Provenance != "" {
			fmt.Fprintf(bw, " data-provenance=\"%s\"", esc(f.Provenance))
		}
		fmt.Fprintf(bw, ">%s</a><br />\n", esc(f.Filename))
	}
	fmt.Fprintf(bw, "  </body>\n</html>\n")
	if p.LastSerial != 0 {
		fmt.Fprintf(bw, "<!--SERIAL %d-->\n", p.LastSerial)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render simple html: %w", err)
	}
	return nil
}
