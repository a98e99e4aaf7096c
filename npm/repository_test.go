package npm

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRepositoryURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"https://github.com/u/r"`, "https://github.com/u/r"},
		{`"  git+https://github.com/u/r.git  "`, "git+https://github.com/u/r.git"},
		{`"git+ssh://git@github.com/u/r.git"`, "git+ssh://git@github.com/u/r.git"},
		{`"git@github.com:u/r.git"`, "git@github.com:u/r.git"},
		{`"git://github.com/u/r.git"`, "git://github.com/u/r.git"},
		{`"github:u/r"`, "https://github.com/u/r"},
		{`"github:u/r#main"`, "https://github.com/u/r"},
		{`"GitHub:u/r.git"`, "https://github.com/u/r"},
		{`"gitlab:group/sub/r"`, "https://gitlab.com/group/sub/r"},
		{`"bitbucket:u/r"`, "https://bitbucket.org/u/r"},
		{`"gist:11081aaa281"`, "https://gist.github.com/11081aaa281"},
		{`"u/r"`, "https://github.com/u/r"},
		{`"u/r#v1.0"`, "https://github.com/u/r"},
		{`"npm/security-holder"`, "https://github.com/npm/security-holder"},
		{`".u/r"`, ".u/r"},
		{`"github:"`, ""},
		{`{"type":"git","url":"git+https://github.com/u/r.git","directory":"packages/x"}`, "git+https://github.com/u/r.git"},
		{`{"type":"git","url":"github:u/r"}`, "https://github.com/u/r"},
		{`{"type":"git"}`, ""},
		{`{"url":42}`, ""},
		{`[{"type":"git","url":""},"u/r"]`, "https://github.com/u/r"},
		{`[[[["u/r"]]]]`, ""},
		{`""`, ""},
		{`null`, ""},
		{`42`, ""},
		{``, ""},
		{`{`, ""},
		{`"http://example.com/a b"`, "http://example.com/a b"},
	}
	for _, tc := range tests {
		if got := RepositoryURL(json.RawMessage(tc.in)); got != tc.want {
			t.Errorf("RepositoryURL(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRepositoryURL(f *testing.F) {
	for _, s := range []string{"github:u/r", "u/r", "git@github.com:u/r.git", " https://x ", "gist:", "a/b/c", "#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := json.Marshal(s)
		if err != nil {
			return
		}
		got := RepositoryURL(q)
		if got != strings.TrimSpace(got) {
			t.Fatalf("RepositoryURL(%s) = %q, not trimmed", q, got)
		}
		obj := RepositoryURL(json.RawMessage(`{"type":"git","url":` + string(q) + `}`))
		arr := RepositoryURL(json.RawMessage(`[` + string(q) + `]`))
		if obj != got || arr != got {
			t.Fatalf("RepositoryURL forms disagree for %q: string %q, object %q, array %q", s, got, obj, arr)
		}
	})
}
