package pypi

import (
	"net/url"
	"strings"
)

// SimpleJSONAccept is the Accept header to send when fetching an upstream
// simple project page: JSON preferred, HTML accepted.
const SimpleJSONAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

// SimpleURL returns the simple project page URL of name under base:
// <base>/simple/<normalized>/.
func SimpleURL(base *url.URL, name string) string {
	return base.JoinPath("simple", Normalize(name)).String() + "/"
}

// ProjectJSONURL returns the JSON API project URL: <base>/pypi/<normalized>/json.
func ProjectJSONURL(base *url.URL, name string) string {
	return base.JoinPath("pypi", Normalize(name), "json").String()
}

// VersionJSONURL returns the JSON API release URL:
// <base>/pypi/<normalized>/<version>/json, with the version path-escaped.
func VersionJSONURL(base *url.URL, name, version string) string {
	u := base.JoinPath("pypi", Normalize(name))
	// JoinPath cleans ".." segments; escape the version as one opaque segment.
	esc := url.PathEscape(version)
	if version == "." || version == ".." {
		esc = strings.ReplaceAll(version, ".", "%2E")
	}
	out := *u
	out.Path = u.Path + "/" + version + "/json"
	out.RawPath = u.EscapedPath() + "/" + esc + "/json"
	return out.String()
}
