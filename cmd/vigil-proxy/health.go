package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// exitUnhealthy is what a container runtime reads as "unhealthy".
const exitUnhealthy = 1

// runHealth probes a running proxy's health endpoint and exits 0 only on a
// 200 answer. It lets a container image without curl or wget declare a
// HEALTHCHECK with the binary itself.
func runHealth(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var common commonFlags
	common.register(fs)
	path := fs.String("path", "/healthz", "endpoint to probe: /healthz (process up) or /readyz (can judge)")
	rawURL := fs.String("url", "", "full URL to probe instead of the configured listen address + path")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	if strayArgument("health", fs.Args(), stderr) {
		return exitUsage
	}
	target := *rawURL
	shown := target // what output says: never the URL's password
	if target != "" {
		u, err := url.Parse(target)
		switch {
		case err == nil && u.User != nil:
			shown = u.Redacted()
		case err != nil:
			shown = redactUserinfo(target) // unparsed, it may still hold a password
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fmt.Fprintf(stderr, "vigil-proxy health: --url %q: want an http or https URL such as http://127.0.0.1:8080/healthz\n", shown)
			return exitUsage
		}
	} else {
		cfg, err := common.load(getenv)
		if err != nil {
			fmt.Fprintln(stderr, "vigil-proxy health:", err)
			return exitUsage
		}
		target, err = probeURL(cfg.Listen, *path)
		if err != nil {
			fmt.Fprintln(stderr, "vigil-proxy health:", err)
			return exitUsage
		}
		shown = target
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy health: bad URL", shown)
		return exitUsage
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "vigil-proxy health: %s: unreachable: %v\n", shown, err)
		return exitUnhealthy
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "vigil-proxy health: %s: %s: %s\n", shown, resp.Status, strings.TrimSpace(string(body)))
		return exitUnhealthy
	}
	fmt.Fprintf(stdout, "%s: %s\n", shown, strings.TrimSpace(string(body)))
	return exitOK
}

// probeURL turns a listen address into a URL reachable from the same host:
// a wildcard or empty host becomes the loopback address of its family.
func probeURL(listen, path string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("listen address %q: want host:port: %w", listen, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}

// redactUserinfo hides what a URL that could not be parsed has between its
// "scheme://" and the last "@" (user:password), for messages.
func redactUserinfo(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		return scheme + "://xxxxx@" + rest[i+1:]
	}
	return raw
}
