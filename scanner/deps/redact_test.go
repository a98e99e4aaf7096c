package deps

import (
	"strings"
	"testing"
)

// URLs in findings never show credentials: neither user information nor a
// token in the query string (?token=…, ?access_token=…), which the
// findings used to print verbatim.
func TestBypassURLsHideQueryCredentials(t *testing.T) {
	for path, content := range map[string]string{
		"requirements.txt": "other @ https://evil.example/pkg.whl?token=qs-secret-1#sha256=abc\n--index-url https://evil.example/simple?access_token=qs-secret-2\n",
		"package.json":     `{"dependencies":{"y":"https://cdn.example/y.tgz?sig=qs-secret-3&exp=1"}}`,
		".npmrc":           "registry=https://registry.evil.example/?key=qs-secret-4\n",
	} {
		m, err := Parse(path, []byte(content))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(m.Bypasses) == 0 {
			t.Fatalf("%s: no bypass found", path)
		}
		for _, b := range m.Bypasses {
			if strings.Contains(b.What, "qs-secret") {
				t.Errorf("%s: %q shows a query credential", path, b.What)
			}
			if !strings.Contains(b.What, "?***") {
				t.Errorf("%s: %q does not mark the redacted query", path, b.What)
			}
		}
	}
	if got := redactURL("https://u:p@evil.example/simple/x.whl?token=t#sha256=abc"); got != "https://***@evil.example/simple/x.whl?***#sha256=abc" {
		t.Errorf("redactURL = %q", got)
	}
	if got := redactURL("https://evil.example?token=t"); got != "https://evil.example?***" {
		t.Errorf("redactURL without a path = %q", got)
	}
}
