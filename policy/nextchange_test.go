package policy

import (
	"context"
	"testing"
	"time"
)

// NextChange is the first instant a decision on the package changes with
// the clock alone: a release or file maturing, the package maturing, a
// list entry expiring — whichever is first and still ahead.
func TestEngineNextChange(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := DefaultSettings(DefaultStrategy) // 30 days for packages, 7 for releases
	bindings, err := CoreRules(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	pkg := func() *Package {
		return &Package{Ecosystem: NPM, Name: "ripening", Exists: true, Created: now.Add(-400 * 24 * time.Hour),
			Releases: []Release{
				{Version: "1.0.0", Published: now.Add(-300 * 24 * time.Hour)},
				{Version: "1.1.0", Published: now.Add(-7*24*time.Hour + 3*time.Hour)},
				{Version: "1.2.0", Published: now.Add(-7*24*time.Hour + 5*time.Hour),
					Files: []File{{Name: "early.whl", Uploaded: now.Add(-7*24*time.Hour + time.Hour)}}},
			}}
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		lists Lists
		pkg   func(*Package)
		want  time.Time
	}{
		{"the first file to mature", StaticLists(nil), nil, now.Add(time.Hour)},
		{"a release without files", StaticLists(nil), func(p *Package) { p.Releases[2].Files = nil }, now.Add(3 * time.Hour)},
		{"an entry expiring first", StaticLists{{Kind: Allowlist, Ecosystem: NPM, Pattern: "ripen*", Expires: now.Add(30 * time.Minute)}}, nil, now.Add(30 * time.Minute)},
		{"an entry for another package", StaticLists{{Kind: Deny, Ecosystem: NPM, Pattern: "other", Expires: now.Add(time.Minute)}}, nil, now.Add(time.Hour)},
		{"a young package", nil, func(p *Package) { p.Created = now.Add(-29 * 24 * time.Hour); p.Releases = nil }, now.Add(24 * time.Hour)},
		{"nothing ahead", nil, func(p *Package) { p.Releases = p.Releases[:1] }, time.Time{}},
		{"lists that cannot tell", opaqueLists{}, nil, now},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pkg()
			if tc.pkg != nil {
				tc.pkg(p)
			}
			got, err := NewEngine(bindings, tc.lists).NextChange(ctx, p, now)
			if err != nil || !got.Equal(tc.want) {
				t.Errorf("NextChange = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// opaqueLists is a Lists that does not know when its entries expire.
type opaqueLists struct{}

func (opaqueLists) Match(context.Context, Ref, time.Time) (*ListEntry, error) { return nil, nil }
