package pypi

import (
	"net/url"
	"testing"
)

func TestUpstreamURLs(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://pypi.example/mirror")
	tests := []struct{ got, want string }{
		{SimpleURL(base, "Requests_Toolbelt"), "https://pypi.example/mirror/simple/requests-toolbelt/"},
		{ProjectJSONURL(base, "Zope.Interface"), "https://pypi.example/mirror/pypi/zope-interface/json"},
		{VersionJSONURL(base, "requests", "2.31.0"), "https://pypi.example/mirror/pypi/requests/2.31.0/json"},
		{VersionJSONURL(base, "foo", "1.0+local/x"), "https://pypi.example/mirror/pypi/foo/1.0+local%2Fx/json"},
		{VersionJSONURL(base, "foo", ".."), "https://pypi.example/mirror/pypi/foo/%2E%2E/json"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
