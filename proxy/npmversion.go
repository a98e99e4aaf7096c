package proxy

import (
	"fmt"
	"net/http"
)

// unroutableVersion is the answer for a version whose tarball the proxy
// cannot route back to it: an unusable upstream document (as on the
// packument route, which leaves such versions out), not a proxy failure.
func unroutableVersion(name, version string) error {
	return httpError(http.StatusBadGateway, fmt.Sprintf("vigil-proxy: version %s of %s has no tarball it can serve (the upstream document gives it no dist.tarball, or one an earlier version already has)", version, name))
}
