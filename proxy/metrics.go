package proxy

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
	"github.com/vigil-proxy/vigil-proxy/proxy/metacache"
)

// Metrics are the data plane's Prometheus metrics, on a registry of their
// own (no global state). Labels never carry package names: cardinality
// stays bounded and blocked names stay in the audit trail.
type Metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	decisions   *prometheus.CounterVec
	auditPruned *prometheus.CounterVec
}

// NewMetrics registers the data plane's metrics. cache may be nil; dropped
// reports audit events lost to a full buffer (nil: not exported).
func NewMetrics(cache *metacache.Cache, dropped func() uint64) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_requests_total", Help: "Registry requests by ecosystem, route and status code.",
		}, []string{"ecosystem", "route", "code"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_decisions_total", Help: "Policy decisions by ecosystem, verdict and deciding rule.",
		}, []string{"ecosystem", "verdict", "rule"}),
	}
	m.auditPruned = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigil_audit_pruned_events_total", Help: "Audit events pruned by the retention bounds (reason: age or size).",
	}, []string{"reason"})
	reg.MustRegister(m.requests, m.decisions, m.auditPruned,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cache != nil {
		counter := func(name, help string, get func(metacache.Stats) uint64) prometheus.Collector {
			return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
				func() float64 { return float64(get(cache.Stats())) })
		}
		reg.MustRegister(
			counter("vigil_cache_hits_total", "Metadata cache hits (fresh copy in memory).", func(s metacache.Stats) uint64 { return s.Hits }),
			counter("vigil_cache_misses_total", "Metadata cache misses.", func(s metacache.Stats) uint64 { return s.Misses }),
			counter("vigil_upstream_fetches_total", "Upstream metadata fetches.", func(s metacache.Stats) uint64 { return s.Fetches }),
			counter("vigil_upstream_not_modified_total", "Upstream revalidations answered 304.", func(s metacache.Stats) uint64 { return s.NotModified }),
			counter("vigil_cache_stale_served_total", "Expired copies served because upstream failed (stale-if-error).", func(s metacache.Stats) uint64 { return s.StaleServed }),
			counter("vigil_upstream_errors_total", "Failed upstream refreshes.", func(s metacache.Stats) uint64 { return s.Errors }),
		)
	}
	if dropped != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "vigil_audit_dropped_total", Help: "Audit events dropped: the write buffer was full (the store failing or slow for longer than it lasts), or the store refused them as invalid.",
		}, func() float64 { return float64(dropped()) }))
	}
	return m
}

// artifactStats is implemented by artifact caches that count their work.
type artifactStats interface {
	Stats() artifactcache.Stats
}

// registerArtifactCache exports the artifact cache's counters.
func (m *Metrics) registerArtifactCache(stats func() artifactcache.Stats) {
	counter := func(name, help string, get func(artifactcache.Stats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return get(stats()) })
	}
	gauge := func(name, help string, get func(artifactcache.Stats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return get(stats()) })
	}
	for _, c := range []prometheus.Collector{
		counter("vigil_artifact_cache_hits_total", "Tarballs and wheels served from the artifact cache.", func(s artifactcache.Stats) float64 { return float64(s.Hits) }),
		counter("vigil_artifact_cache_misses_total", "Artifact requests not found in the artifact cache.", func(s artifactcache.Stats) float64 { return float64(s.Misses) }),
		counter("vigil_artifact_cache_evictions_total", "Files evicted from the artifact cache to stay within its budget.", func(s artifactcache.Stats) float64 { return float64(s.Evictions) }),
		counter("vigil_artifact_cache_discarded_total", "Cached files discarded because they failed a size check or the scrub.", func(s artifactcache.Stats) float64 { return float64(s.Discarded) }),
		gauge("vigil_artifact_cache_bytes", "Bytes held by the artifact cache.", func(s artifactcache.Stats) float64 { return float64(s.Bytes) }),
		gauge("vigil_artifact_cache_files", "Files held by the artifact cache.", func(s artifactcache.Stats) float64 { return float64(s.Files) }),
	} {
		// A second server on the same Metrics shares the first one's
		// collectors.
		_ = m.registry.Register(c)
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

func (m *Metrics) observeRequest(eco, route string, code int) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(eco, route, strconv.Itoa(code)).Inc()
}

func (m *Metrics) observeDecision(d policy.Decision) {
	if m == nil {
		return
	}
	rule := "none"
	if rules := d.Rules(); len(rules) > 0 {
		rule = rules[0]
	} else if d.List != nil {
		rule = "ALLOWLIST"
	}
	m.decisions.WithLabelValues(string(d.Ref.Ecosystem), d.Verdict.String(), rule).Inc()
}

// AuditPruned counts audit events deleted by a retention bound (reason
// "age" or "size"); store.RunRetention calls it. Without metrics it does
// nothing.
func (s *Server) AuditPruned(reason string, n int) {
	if s.opts.Metrics != nil {
		s.opts.Metrics.auditPruned.WithLabelValues(reason).Add(float64(n))
	}
}
