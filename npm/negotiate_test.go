package npm

import "testing"

func TestWantsAbbreviated(t *testing.T) {
	tests := []struct {
		accept string
		want   bool
	}{
		{"", false},
		{"application/json", false},
		{"*/*", false},
		{"application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*", true},
		{"application/vnd.npm.install-v1+json", true},
		{"Application/Vnd.Npm.Install-V1+Json", true},
		{"application/json, application/vnd.npm.install-v1+json;q=0", false},
		{"application/vnd.npm.install-v1+json;q=0.0", false},
		{"application/vnd.npm.install-v1+json;q=bogus", true},
	}
	for _, tc := range tests {
		if got := WantsAbbreviated(tc.accept); got != tc.want {
			t.Errorf("WantsAbbreviated(%q) = %v, want %v", tc.accept, got, tc.want)
		}
	}
}
