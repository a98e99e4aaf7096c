package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
)

// ByteSize is a size in bytes written as "10GiB", "500MB" or a plain
// number of bytes.
type ByteSize int64

// UnmarshalText parses a size with an optional unit (KB, MiB, GiB, …).
func (b *ByteSize) UnmarshalText(t []byte) error {
	s := strings.TrimSpace(string(t))
	n, err := humanize.ParseBytes(s)
	if err != nil || n > 1<<62 {
		return fmt.Errorf("want a size such as 10GiB, 500MB or a number of bytes, got %q", s)
	}
	*b = ByteSize(n)
	return nil
}

// MarshalText prints the size in IEC units.
func (b ByteSize) MarshalText() ([]byte, error) {
	if b == 0 {
		return []byte("0"), nil
	}
	if b%(1<<30) == 0 {
		return []byte(strconv.FormatInt(int64(b)>>30, 10) + "GiB"), nil
	}
	return []byte(humanize.IBytes(uint64(b))), nil
}

// artifactScrubInterval is how often every cached artifact is re-hashed.
const artifactScrubInterval = 24 * time.Hour

// openArtifactCache opens <dir>/artifacts, or returns nil when
// cache.artifacts_max_size is 0 (disabled).
func openArtifactCache(cfg Config, dir string, log *slog.Logger) (*artifactcache.Disk, error) {
	if cfg.Cache.ArtifactsMaxSize <= 0 {
		return nil, nil
	}
	path := filepath.Join(dir, "artifacts")
	d, err := artifactcache.Open(artifactcache.Options{Dir: path, MaxBytes: int64(cfg.Cache.ArtifactsMaxSize), Logger: log})
	if err != nil {
		return nil, fmt.Errorf("artifact cache %s (cache.artifacts_max_size=0 disables it): %w", path, err)
	}
	return d, nil
}

// runArtifactScrub re-hashes the artifact cache daily until ctx ends.
func runArtifactScrub(ctx context.Context, d *artifactcache.Disk) error {
	if d != nil {
		d.RunScrub(ctx, artifactScrubInterval)
	}
	return nil
}
