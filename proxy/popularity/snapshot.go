package popularity

import (
	"context"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Popularity is the name corpus's view; *names.Index satisfies it.
type Popularity interface {
	// Popular: the name is in the popular snapshot.
	Popular(eco policy.Ecosystem, name string) (rank int, monthly int64, ok bool)
	// Known: the name is in the corpus at all, with its monthly downloads
	// when the corpus has them (0 otherwise).
	Known(eco policy.Ecosystem, name string) (rank int, monthly int64, ok bool)
}

// weeksPerMonth converts monthly to weekly counts.
const weeksPerMonth = 4.3

// SnapshotFloorMonthly is the smallest monthly count of a name in the
// shipped snapshot (the PyPI top-15,000 list ends near 57k, the npm list at
// 40k); a snapshot name without its own count is at least this popular.
const SnapshotFloorMonthly = 40_000

// Snapshot answers from the embedded popular-name snapshot.
type Snapshot struct{ pop Popularity }

// NewSnapshot wraps the snapshot index.
func NewSnapshot(pop Popularity) *Snapshot { return &Snapshot{pop: pop} }

// Name implements Source.
func (*Snapshot) Name() string { return SourceSnapshot }

// Weekly returns the weekly estimate for a snapshot name: its monthly count
// / 4.3, or the snapshot floor when only a rank is known.
func (s *Snapshot) Weekly(eco policy.Ecosystem, name string) (int64, bool) {
	_, monthly, ok := s.pop.Popular(eco, name)
	if !ok {
		return -1, false
	}
	if monthly <= 0 {
		monthly = SnapshotFloorMonthly
	}
	return int64(float64(monthly) / weeksPerMonth), true
}

// WeeklyDownloads implements Source.
func (s *Snapshot) WeeklyDownloads(_ context.Context, eco policy.Ecosystem, names []string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, n := range names {
		if w, ok := s.Weekly(eco, n); ok {
			out[n] = w
		}
	}
	return out, nil
}

// Corpus returns the weekly estimate for a known name below the popular
// snapshot whose monthly count the corpus holds (the package lists it was
// built from): a stale figure, for when no live source answers.
func (s *Snapshot) Corpus(eco policy.Ecosystem, name string) (int64, bool) {
	_, monthly, ok := s.pop.Known(eco, name)
	if !ok || monthly <= 0 {
		return -1, false
	}
	return int64(float64(monthly) / weeksPerMonth), true
}
