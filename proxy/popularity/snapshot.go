package popularity

import (
	"context"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Popularity is the embedded snapshot's view; *names.Index satisfies it.
type Popularity interface {
	Popular(eco policy.Ecosystem, name string) (rank int, monthly int64, ok bool)
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
