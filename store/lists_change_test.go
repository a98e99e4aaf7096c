package store

import (
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// The change hook fires on Invalidate and when a reread after the TTL
// finds different entries, never for a reread that finds the same ones;
// Refresh rereads only past the TTL.
func TestListsChangeHookAndRefresh(t *testing.T) {
	ctx := t.Context()
	st := &memLists{}
	l, clk, _ := newTestLists(nil, st, 5*time.Second)
	changes := 0
	l.SetOnChange(func() { changes++ })

	if err := l.Refresh(ctx); err != nil || changes != 0 {
		t.Fatalf("first load: err %v, %d changes, want none", err, changes)
	}
	clk.Advance(6 * time.Second)
	if err := l.Refresh(ctx); err != nil || changes != 0 || st.readCount() != 2 {
		t.Fatalf("reread of unchanged entries: err %v, %d changes, %d reads; want 0 changes, 2 reads", err, changes, st.readCount())
	}
	if _, err := st.PutEntry(ctx, policy.ListEntry{ID: "d", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Refresh(ctx); err != nil || changes != 0 || st.readCount() != 2 {
		t.Errorf("within the TTL: %d changes, %d reads; want the snapshot reused", changes, st.readCount())
	}
	clk.Advance(6 * time.Second)
	if err := l.Refresh(ctx); err != nil || changes != 1 {
		t.Errorf("reread after a write without Invalidate: err %v, %d changes, want 1", err, changes)
	}
	l.Invalidate()
	if changes != 2 {
		t.Errorf("Invalidate: %d changes, want 2", changes)
	}
}

// MarkStale forces a reread within the TTL that calls the hook only when
// the entries differ: a replica's first LISTEN does not throw away what it
// rendered from unchanged lists.
func TestListsMarkStale(t *testing.T) {
	ctx := t.Context()
	st := &memLists{}
	l, _, _ := newTestLists(nil, st, time.Hour)
	changes := 0
	l.SetOnChange(func() { changes++ })
	if err := l.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	l.MarkStale()
	if err := l.Refresh(ctx); err != nil || changes != 0 || st.readCount() != 2 {
		t.Fatalf("MarkStale, same entries: err %v, %d changes, %d reads; want 0 changes, 2 reads", err, changes, st.readCount())
	}
	if _, err := st.PutEntry(ctx, policy.ListEntry{ID: "d", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"}); err != nil {
		t.Fatal(err)
	}
	l.MarkStale()
	if changes != 0 {
		t.Fatalf("MarkStale itself called the hook")
	}
	if err := l.Refresh(ctx); err != nil || changes != 1 || st.readCount() != 3 {
		t.Errorf("MarkStale after a write: err %v, %d changes, %d reads; want 1 change, 3 reads", err, changes, st.readCount())
	}
}

func TestListsNextExpiry(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	st := &memLists{}
	for _, e := range []policy.ListEntry{
		{ID: "past", Kind: policy.Allowlist, Ecosystem: policy.NPM, Pattern: "left-pad", Expires: now.Add(-time.Hour)},
		{ID: "later", Kind: policy.Allowlist, Ecosystem: policy.NPM, Pattern: "left-pad", Versions: "^1", Expires: now.Add(3 * time.Hour)},
		{ID: "glob", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "left-*", Expires: now.Add(2 * time.Hour)},
		{ID: "other", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "right-pad", Expires: now.Add(time.Minute)},
		{ID: "pypi", Kind: policy.Deny, Ecosystem: policy.PyPI, Pattern: "left-pad", Expires: now.Add(time.Minute)},
	} {
		if _, err := st.PutEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	l, _, _ := newTestLists([]policy.ListEntry{{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "LEFT-PAD", Expires: now.Add(4 * time.Hour)}}, st, time.Second)
	got, err := l.NextExpiry(ctx, policy.NPM, "left-pad", now)
	if err != nil || !got.Equal(now.Add(2*time.Hour)) {
		t.Errorf("NextExpiry(npm left-pad) = %v, %v; want the glob's expiry %v", got, err, now.Add(2*time.Hour))
	}
	if got, _ := l.NextExpiry(ctx, policy.NPM, "unrelated", now); !got.IsZero() {
		t.Errorf("NextExpiry(npm unrelated) = %v, want zero", got)
	}
}
