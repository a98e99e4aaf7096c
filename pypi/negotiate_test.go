package pypi

import "testing"

func TestNegotiate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, accept, format, want string
	}{
		{"pip 23.2.1", "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01", "", MediaTypeJSON},
		{"uv", "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01", "", MediaTypeJSON},
		{"poetry legacy source (no Accept)", "", "", MediaTypeLegacyHTML},
		{"poetry pypi", "application/vnd.pypi.simple.v1+json", "", MediaTypeJSON},
		{"devpi", "application/vnd.pypi.simple.v1+html;q=0.2, application/vnd.pypi.simple.v1+json, text/html;q=0.01", "", MediaTypeJSON},
		{"our upstream accept", SimpleJSONAccept, "", MediaTypeJSON},
		{"star", "*/*", "", MediaTypeLegacyHTML},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", MediaTypeLegacyHTML},
		{"html preferred", "application/vnd.pypi.simple.v1+json;q=0.5, text/html", "", MediaTypeLegacyHTML},
		{"v1 html only", "application/vnd.pypi.simple.v1+html", "", MediaTypeHTML},
		{"latest json", "application/vnd.pypi.simple.latest+json", "", MediaTypeJSON},
		{"latest html", "application/vnd.pypi.simple.latest+html", "", MediaTypeHTML},
		{"application wildcard", "application/*", "", MediaTypeHTML},
		{"json refused, star", "application/vnd.pypi.simple.v1+json;q=0, */*", "", MediaTypeLegacyHTML},
		{"everything refused", "text/html;q=0, application/*;q=0", "", MediaTypeLegacyHTML},
		{"nothing acceptable", "image/png", "", MediaTypeLegacyHTML},
		{"garbage", ";;,,/", "", MediaTypeLegacyHTML},
		{"case insensitive", "Application/VND.PyPI.Simple.V1+JSON", "", MediaTypeJSON},
		{"bad q is default", "application/vnd.pypi.simple.v1+json;q=abc", "", MediaTypeJSON},
		{"json and html tie → json", "application/vnd.pypi.simple.v1+json, text/html", "", MediaTypeJSON},
		{"specific beats wildcard q", "text/*;q=1, text/html;q=0.1, application/vnd.pypi.simple.v1+json;q=0.5", "", MediaTypeJSON},
		{"format overrides", "text/html", "application/vnd.pypi.simple.v1+json", MediaTypeJSON},
		{"format latest html", "", "application/vnd.pypi.simple.latest+html", MediaTypeHTML},
		{"unknown format ignored", "application/vnd.pypi.simple.v1+json", "application/xml", MediaTypeJSON},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.accept, tt.format); got != tt.want {
			t.Errorf("%s: Negotiate(%q, %q) = %q, want %q", tt.name, tt.accept, tt.format, got, tt.want)
		}
	}
}
