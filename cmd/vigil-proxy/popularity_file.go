package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
	"github.com/vigil-proxy/vigil-proxy/proxy/popularity"
)

// filePopularity keeps a popularity source's answers (unknown included) in
// a JSON file for a day, so that a second scan asks the download services
// nothing, as it asks the registries nothing.
type filePopularity struct {
	src  popularity.Source
	path string
	ttl  time.Duration

	mu      sync.Mutex
	entries map[string]popularityEntry
	dirty   bool
}

type popularityEntry struct {
	Downloads int64     `json:"d"` // -1: the service does not know the name
	At        time.Time `json:"t"`
}

// persistPopularity builds live popularity signals whose sources remember
// their answers in path; the close function writes the file.
func persistPopularity(cfg Config, ix *names.Index, path string, log *slog.Logger) (*popularitySignals, func() error) {
	var files []*filePopularity
	wrap := func(eco string, src popularity.Source) popularity.Source {
		fp := &filePopularity{src: src, path: filepath.Join(filepath.Dir(path), eco+"-"+filepath.Base(path)), ttl: scanCacheTTL, entries: map[string]popularityEntry{}}
		fp.load(log)
		files = append(files, fp)
		return fp
	}
	opts := popularity.Options{Snapshot: ix, Logger: log, Live: map[policy.Ecosystem]popularity.Source{
		policy.PyPI: wrap("pypi", popularity.NewPyPIStats(popularity.HTTPOptions{BaseURL: cfg.Popularity.PyPIStatsURL})),
		policy.NPM:  wrap("npm", popularity.NewNPM(popularity.HTTPOptions{BaseURL: cfg.Popularity.NPMDownloadsURL})),
	}}
	return &popularitySignals{lookup: popularity.New(opts)}, func() error {
		var err error
		for _, f := range files {
			if e := f.save(); e != nil && err == nil {
				err = e
			}
		}
		return err
	}
}

func (f *filePopularity) Name() string { return f.src.Name() }

func (f *filePopularity) load(log *slog.Logger) {
	b, err := os.ReadFile(f.path)
	if err != nil {
		return
	}
	if err := json.Unmarshal(b, &f.entries); err != nil {
		log.Warn("popularity cache unreadable; starting afresh", "file", f.path, "err", err)
		f.entries = map[string]popularityEntry{}
	}
}

func (f *filePopularity) save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.dirty {
		return nil
	}
	now := time.Now()
	for k, e := range f.entries {
		if now.Sub(e.At) > f.ttl {
			delete(f.entries, k)
		}
	}
	b, err := json.Marshal(f.entries)
	if err != nil {
		return err
	}
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write popularity cache: %w", err)
	}
	return os.Rename(tmp, f.path)
}

// WeeklyDownloads answers fresh names from the file and asks the source
// for the rest; names the source does not know are remembered as unknown.
func (f *filePopularity) WeeklyDownloads(ctx context.Context, eco policy.Ecosystem, names []string) (map[string]int64, error) {
	out := map[string]int64{}
	var miss []string
	now := time.Now()
	f.mu.Lock()
	for _, n := range names {
		e, ok := f.entries[string(eco)+"\x00"+n]
		switch {
		case !ok || now.Sub(e.At) > f.ttl:
			miss = append(miss, n)
		case e.Downloads >= 0:
			out[n] = e.Downloads
		}
	}
	f.mu.Unlock()
	if len(miss) == 0 {
		return out, nil
	}
	got, err := f.src.WeeklyDownloads(ctx, eco, miss)
	if err != nil {
		return out, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range miss {
		d, ok := got[n]
		if ok {
			out[n] = d
		} else {
			d = -1
		}
		f.entries[string(eco)+"\x00"+n] = popularityEntry{Downloads: d, At: now}
		f.dirty = true
	}
	return out, nil
}
