package proxy

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-proxy/vigil-proxy/proxy/rendercache"
)

// registerRenderedCache exports the rendered cache's counters and the
// number of full package judgements (which warm hits avoid).
func (m *Metrics) registerRenderedCache(stats func() rendercache.Stats, judgements func() uint64) {
	counter := func(name, help string, get func(rendercache.Stats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return get(stats()) })
	}
	for _, c := range []prometheus.Collector{
		counter("vigil_rendered_cache_hits_total", "Metadata responses (and warm artifact judgements) answered from the rendered cache.", func(s rendercache.Stats) float64 { return float64(s.Hits) }),
		counter("vigil_rendered_cache_misses_total", "Rendered cache lookups without a valid entry.", func(s rendercache.Stats) float64 { return float64(s.Misses) }),
		counter("vigil_rendered_cache_stored_total", "Rendered responses and judged packages kept.", func(s rendercache.Stats) float64 { return float64(s.Stored) }),
		counter("vigil_rendered_cache_generations_total", "Changes (lists, approvals, malware feed, watchlist) that invalidated every rendered response.", func(s rendercache.Stats) float64 { return float64(s.Bumps) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigil_rendered_cache_disk_bytes", Help: "Bytes of large rendered responses kept on disk."},
			func() float64 { return float64(stats().DiskBytes) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "vigil_package_judgements_total", Help: "Full package judgements (the package and every release or file)."},
			func() float64 { return float64(judgements()) }),
	} {
		_ = m.registry.Register(c)
	}
}
