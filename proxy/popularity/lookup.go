package popularity

import (
	"context"
	"log/slog"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// Options configures a Lookup.
type Options struct {
	// Snapshot is the embedded popular-name index (required).
	Snapshot Popularity
	// Live are the on-demand sources per ecosystem, usually cached
	// (NewCache(NewPyPIStats(…)), NewCache(NewNPM(…))). A missing entry
	// means snapshot only.
	Live map[policy.Ecosystem]Source
	// Logger receives lookup failures at debug level (nil: discarded).
	Logger *slog.Logger
}

// Lookup combines the snapshot with live sources.
type Lookup struct {
	snap *Snapshot
	live map[policy.Ecosystem]Source
	log  *slog.Logger
}

// New returns a Lookup.
func New(opts Options) *Lookup {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Lookup{snap: NewSnapshot(opts.Snapshot), live: opts.Live, log: opts.Logger}
}

// Lookup returns a name's weekly downloads (-1 when unknown), the source
// that answered, and whether the name is in the popular snapshot. Snapshot
// names never reach the live sources. When no live source answers (none
// configured, offline, a failure or backoff), a known name's count in the
// names corpus is used; otherwise the count is unknown.
func (l *Lookup) Lookup(ctx context.Context, eco policy.Ecosystem, name string) (weekly int64, source string, popular bool) {
	if w, ok := l.snap.Weekly(eco, name); ok {
		return w, SourceSnapshot, true
	}
	if src := l.live[eco]; src != nil {
		canon := names.Normalize(eco, name)
		got, err := src.WeeklyDownloads(ctx, eco, []string{canon})
		if err != nil {
			l.log.DebugContext(ctx, "popularity lookup", "ecosystem", string(eco), "package", canon,
				"source", src.Name(), "error", err)
		}
		if w, ok := got[canon]; ok {
			return w, src.Name(), false
		}
	}
	if w, ok := l.snap.Corpus(eco, name); ok {
		return w, SourceCorpus, false
	}
	return -1, "", false
}

// Signals fills the download fields of policy.Signals.
func (l *Lookup) Signals(ctx context.Context, eco policy.Ecosystem, name string) policy.Signals {
	w, src, pop := l.Lookup(ctx, eco, name)
	return policy.Signals{WeeklyDownloads: w, DownloadsSource: src, Popular: pop}
}
