package npm

import "testing"

func TestNewestVersion(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"1.2.0", "1.10.0", "1.9.9"}, "1.10.0"},
		{[]string{"2.0.0-rc.1", "1.0.0"}, "2.0.0-rc.1"},
		{[]string{"not-a-version", "0.1.0"}, "0.1.0"},
		{nil, ""},
	} {
		if got := NewestVersion(tc.in); got != tc.want {
			t.Errorf("NewestVersion(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
