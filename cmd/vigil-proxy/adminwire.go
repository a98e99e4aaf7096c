package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/vigil-proxy/vigil-proxy/admin"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

// buildAdmin creates the admin server from the stack and the credentials in
// the environment. It returns errNoAdminCredentials when none is set.
func buildAdmin(cfg Config, st *stack, log *slog.Logger, getenv env) (*admin.Server, error) {
	users, tokens, err := adminCredentials(getenv)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 && len(tokens) == 0 {
		return nil, errNoAdminCredentials
	}
	if err := cfg.adminAddressProblem(); err != nil {
		return nil, err
	}
	sessionKey, sessions, loginLimits, err := sharedAdminState(cfg, st, getenv, len(users) > 0)
	if err != nil {
		return nil, err
	}
	webhookSecret, err := secret(getenv, "VIGIL_WEBHOOK_SECRET")
	if err != nil {
		return nil, err
	}
	settings, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	rules := admin.RulesFromBindings(st.engine.Bindings())
	for i := range rules {
		rules[i].Thresholds = thresholds(rules[i].ID, settings)
	}
	srv, err := admin.New(admin.Options{
		Store:   st.store,
		Lists:   st.lists,
		Checker: st.proxy,
		Policy:  func() admin.PolicyView { return admin.PolicyView{Strategy: cfg.Strategy, Rules: rules} },
		CacheHitRatio: func() float64 {
			cs := st.cache.Stats()
			if total := cs.Hits + cs.Misses; total > 0 {
				return float64(cs.Hits) / float64(total)
			}
			return 0
		},
		Upstreams: func() []admin.UpstreamView {
			var out []admin.UpstreamView
			for _, h := range st.proxy.UpstreamHealth() {
				out = append(out, admin.UpstreamView{Name: h.Host, OK: h.OK, Since: h.Since, Cause: h.Cause, Failures: h.Failures})
			}
			return out
		},
		SecureCookies:     cfg.Admin.SecureCookies,
		TrustedOrigins:    cfg.Admin.TrustedOrigins,
		TrustProxyHeaders: cfg.TrustForwarded,
		SessionKey:        sessionKey,
		Sessions:          sessions,
		LoginLimits:       loginLimits,
		Users:             users,
		Tokens:            tokens,
		Webhook:           admin.WebhookOptions{URL: cfg.Webhook.URL, Secret: webhookSecret},
		MalwareFeed:       adminMalwareFeed{st.malware},
		Artifacts:         artifactPurger(st),
		Logger:            log.With("component", "admin"),
	})
	if err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	return srv, nil
}

// thresholds lists the configured numbers a rule uses.
func thresholds(id string, s policy.Settings) map[string]string {
	switch id {
	case "DEP-002":
		return map[string]string{"min_package_age": fmtDays(s.MinPackageAge), "min_release_age": fmtDays(s.MinReleaseAge),
			"missing_time_is_new": fmt.Sprint(s.MissingTimeIsNew)}
	case "DEP-004":
		return map[string]string{"min_weekly_downloads": fmt.Sprint(s.MinWeeklyDownloads), "unknown_popularity": string(s.UnknownPopularity)}
	case "DEP-005":
		return map[string]string{"code_hosts": fmt.Sprint(s.CodeHosts)}
	}
	return nil
}

func fmtDays(d time.Duration) string {
	b, _ := Duration(d).MarshalText()
	return string(b)
}
