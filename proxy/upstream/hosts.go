package upstream

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Hosts is an allow-list of upstream hosts. The zero value allows nothing.
type Hosts struct {
	// set holds "host:port" with port "" meaning the scheme's default port.
	set map[string]struct{}
}

// ParseHosts parses "host[:port]" entries (IPv6 literals in brackets). Names
// are lower-cased. URLs, paths, userinfo, empty entries and invalid ports
// are rejected; every problem is reported.
func ParseHosts(list []string) (Hosts, error) {
	h := Hosts{set: make(map[string]struct{}, len(list))}
	var errs []error
	for _, entry := range list {
		key, err := parseHostEntry(entry)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		h.set[key] = struct{}{}
	}
	if err := errors.Join(errs...); err != nil {
		return Hosts{}, err
	}
	return h, nil
}

func parseHostEntry(entry string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(entry))
	if s == "" {
		return "", errors.New("upstream host: empty entry")
	}
	if strings.ContainsAny(s, "/?#@\\ \t") || strings.Contains(s, "://") {
		return "", fmt.Errorf("upstream host %q: want host[:port], not a URL or path", entry)
	}
	host, port := s, ""
	if strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1 {
		var err error
		host, port, err = net.SplitHostPort(s)
		if err != nil {
			if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
				return "", fmt.Errorf("upstream host %q: %w", entry, err)
			}
			host, port = strings.Trim(s, "[]"), ""
		}
		if port == "" && strings.HasSuffix(s, ":") {
			return "", fmt.Errorf("upstream host %q: empty port", entry)
		}
	} else if strings.Contains(s, ":") {
		return "", fmt.Errorf("upstream host %q: IPv6 addresses need brackets", entry)
	}
	if strings.HasPrefix(s, "[") {
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil || !strings.Contains(host, ":") {
			return "", fmt.Errorf("upstream host %q: invalid IPv6 address", entry)
		}
	} else if !validHostname(host) {
		return "", fmt.Errorf("upstream host %q: invalid host name", entry)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return "", fmt.Errorf("upstream host %q: invalid port %q", entry, port)
		}
	}
	return host + "|" + port, nil
}

// Allows reports whether u is an http or https URL whose host:port is on the
// list. An entry without a port matches the scheme's default port only.
func (h Hosts) Allows(u *url.URL) bool {
	if u == nil || len(h.set) == 0 {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return false
	}
	def := defaultPort(scheme)
	port := u.Port()
	if port == "" {
		port = def
	}
	if _, ok := h.set[host+"|"+port]; ok {
		return true
	}
	if port == def {
		_, ok := h.set[host+"|"]
		return ok
	}
	return false
}

// List returns the entries in canonical "host[:port]" form, sorted.
func (h Hosts) List() []string {
	out := make([]string, 0, len(h.set))
	for k := range h.set {
		host, port, _ := strings.Cut(k, "|")
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		if port != "" {
			host += ":" + port
		}
		out = append(out, host)
	}
	sort.Strings(out)
	return out
}

// validHostname accepts ASCII DNS names and IPv4 addresses: dot-separated,
// non-empty labels of letters, digits, '-' and '_' (IDNs in punycode).
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
				return false
			}
		}
	}
	return true
}
