package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/proxy"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
)

// parseHostTokens reads VIGIL_NPM_HOST_TOKENS: comma-separated
// host[:port]=token pairs, each host one of npm.tarball_hosts. Errors name
// the host, never the token.
func parseHostTokens(raw string, tarballHosts []string) ([]proxy.HostAuthorization, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	allowed, err := upstream.ParseHosts(tarballHosts)
	if err != nil {
		return nil, fmt.Errorf("npm.tarball_hosts: %w", err)
	}
	var out []proxy.HostAuthorization
	var errs []error
	seen := map[string]bool{}
	for i, pair := range strings.Split(raw, ",") {
		host, token, ok := strings.Cut(strings.TrimSpace(pair), "=")
		host, token = strings.TrimSpace(host), strings.TrimSpace(token)
		if !ok || host == "" || token == "" {
			errs = append(errs, fmt.Errorf("VIGIL_NPM_HOST_TOKENS entry %d: want host[:port]=token", i+1))
			continue
		}
		one, err := upstream.ParseHosts([]string{host})
		if err != nil {
			errs = append(errs, fmt.Errorf("VIGIL_NPM_HOST_TOKENS host %q: %w", host, err))
			continue
		}
		key := strings.ToLower(host)
		switch {
		case seen[key]:
			errs = append(errs, fmt.Errorf("VIGIL_NPM_HOST_TOKENS names %q twice", host))
			continue
		case !allowed.Allows(&url.URL{Scheme: "https", Host: host}) && !allowed.Allows(&url.URL{Scheme: "http", Host: host}):
			errs = append(errs, fmt.Errorf("VIGIL_NPM_HOST_TOKENS host %q is not in npm.tarball_hosts: tarballs are never fetched from it", host))
			continue
		}
		seen[key] = true
		if !strings.Contains(token, " ") {
			token = "Bearer " + token
		}
		out = append(out, proxy.HostAuthorization{Host: one, Value: token})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
