package proxy

import (
	"net"
	"net/http"
	"strings"
)

// clientAddr is the address of the client a request came from, which keys
// the per-client budgets (new watchlist names, check-API questions) and the
// request log. Behind a reverse proxy (TrustForwarded) every connection
// comes from the reverse proxy, so the last X-Forwarded-For entry is taken:
// the address the trusted reverse proxy itself saw and appended. Entries
// before it are whatever the client sent and are never trusted.
func (s *Server) clientAddr(r *http.Request) string {
	if s.opts.TrustForwarded {
		vals := r.Header.Values("X-Forwarded-For")
		if len(vals) > 0 {
			parts := strings.Split(vals[len(vals)-1], ",")
			last := strings.TrimSpace(parts[len(parts)-1])
			if ip := net.ParseIP(strings.Trim(last, "[]")); ip != nil {
				return ip.String()
			}
		}
	}
	return clientIP(r)
}
