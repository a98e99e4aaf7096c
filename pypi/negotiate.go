package pypi

import (
	"strconv"
	"strings"
)

// Simple API media types (PEP 691).
const (
	MediaTypeJSON       = "application/vnd.pypi.simple.v1+json"
	MediaTypeHTML       = "application/vnd.pypi.simple.v1+html"
	MediaTypeLegacyHTML = "text/html"
	mediaLatestJSON     = "application/vnd.pypi.simple.latest+json"
	mediaLatestHTML     = "application/vnd.pypi.simple.latest+html"
)

// offers are the representations vigil serves. pref breaks ties between
// offers matched equally: exact matches favour JSON (it carries upload-time),
// wildcard matches favour text/html like Warehouse.
var offers = [...]struct {
	media, kind, sub string
	exactPref        int
	wildPref         int
}{
	{MediaTypeJSON, "application", "vnd.pypi.simple.v1+json", 3, 1},
	{MediaTypeHTML, "application", "vnd.pypi.simple.v1+html", 2, 2},
	{MediaTypeLegacyHTML, "text", "html", 1, 3},
}

// Negotiate picks the simple API representation for a request's Accept
// header and optional ?format= query value (PEP 691). It returns exactly one
// of MediaTypeJSON, MediaTypeHTML or MediaTypeLegacyHTML. q-values,
// wildcards and the "latest" aliases are honoured; a missing header or one
// with nothing acceptable yields text/html (never 406).
func Negotiate(accept, formatQuery string) (mediaType string) {
	switch strings.ToLower(strings.TrimSpace(formatQuery)) {
	case MediaTypeJSON, mediaLatestJSON:
		return MediaTypeJSON
	case MediaTypeHTML, mediaLatestHTML:
		return MediaTypeHTML
	case MediaTypeLegacyHTML:
		return MediaTypeLegacyHTML
	}
	if strings.TrimSpace(accept) == "" {
		return MediaTypeLegacyHTML
	}
	type score struct {
		q    float64
		spec int // 3 exact, 2 alias, 1 type/*, 0 */*; -1 unmatched
	}
	var best [len(offers)]score
	for i := range best {
		best[i].spec = -1
	}
	for _, rng := range strings.Split(accept, ",") {
		kind, sub, q, ok := parseMediaRange(rng)
		if !ok {
			continue
		}
		for i, o := range offers {
			spec := -1
			switch {
			case kind == o.kind && sub == o.sub:
				spec = 3
			case kind == "application" && sub == "vnd.pypi.simple.latest+json" && o.media == MediaTypeJSON,
				kind == "application" && sub == "vnd.pypi.simple.latest+html" && o.media == MediaTypeHTML:
				spec = 2
			case kind == o.kind && sub == "*":
				spec = 1
			case kind == "*" && sub == "*":
				spec = 0
			}
			// The most specific matching range decides an offer's q.
			if spec > best[i].spec {
				best[i] = score{q: q, spec: spec}
			}
		}
	}
	winner, winQ, winPref := -1, 0.0, 0
	for i, s := range best {
		if s.spec < 0 || s.q <= 0 {
			continue
		}
		pref := offers[i].wildPref
		if s.spec >= 2 {
			pref = offers[i].exactPref + 10
		}
		if s.q > winQ || (s.q == winQ && pref > winPref) {
			winner, winQ, winPref = i, s.q, pref
		}
	}
	if winner < 0 {
		return MediaTypeLegacyHTML
	}
	return offers[winner].media
}

// parseMediaRange parses one Accept element into type, subtype and q.
func parseMediaRange(s string) (kind, sub string, q float64, ok bool) {
	params := strings.Split(s, ";")
	mt := strings.ToLower(strings.TrimSpace(params[0]))
	kind, sub, found := strings.Cut(mt, "/")
	kind, sub = strings.TrimSpace(kind), strings.TrimSpace(sub)
	if !found || kind == "" || sub == "" || (kind == "*" && sub != "*") {
		return "", "", 0, false
	}
	q = 1
	for _, p := range params[1:] {
		k, v, _ := strings.Cut(p, "=")
		if strings.ToLower(strings.TrimSpace(k)) != "q" {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f != f { // NaN or garbage: treat as the default
			f = 1
		}
		q = min(max(f, 0), 1)
	}
	return kind, sub, q, true
}
