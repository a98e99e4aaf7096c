package proxy

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
	"github.com/vigil-proxy/vigil-proxy/pypi"
)

// PurgeArtifacts removes every cached file of one package (all versions,
// found through its metadata, cached or fetched) from the artifact cache and
// returns how many files it removed. The caller audits the purge.
func (s *Server) PurgeArtifacts(ctx context.Context, eco policy.Ecosystem, name string) (int, error) {
	if s.opts.Artifacts == nil {
		return 0, errors.New("the artifact cache is disabled (cache.artifacts_max_size is 0)")
	}
	var keys []*artifactcache.Key
	switch eco {
	case policy.NPM:
		st, err := s.npmLoad(ctx, name)
		if err != nil {
			return 0, fmt.Errorf("purge npm %s: %w", name, err)
		}
		for _, v := range st.index.Versions {
			keys = append(keys, npmCacheKey(v.Integrity))
		}
	case policy.PyPI:
		if err := validPyPIName(name); err != nil {
			return 0, err
		}
		st, err := s.pypiLoad(ctx, pypi.Normalize(name))
		if err != nil {
			return 0, fmt.Errorf("purge pypi %s: %w", name, err)
		}
		for _, f := range st.project.Files {
			keys = append(keys, sha256CacheKey(f.Hashes["sha256"]))
			if f.CoreMetadata != nil {
				keys = append(keys, sha256CacheKey(f.CoreMetadata["sha256"]))
			}
		}
	default:
		return 0, fmt.Errorf("purge: unknown ecosystem %q", eco)
	}
	n := 0
	var errs []error
	for _, k := range keys {
		if k == nil {
			continue
		}
		removed, err := s.opts.Artifacts.Remove(ctx, *k)
		if err != nil {
			errs = append(errs, err)
		}
		if removed {
			n++
		}
	}
	if n > 0 {
		s.log.InfoContext(ctx, "artifact cache purged", "ecosystem", eco, "package", name, "files", n)
	}
	return n, errors.Join(errs...)
}
