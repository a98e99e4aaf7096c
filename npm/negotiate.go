package npm

import (
	"strconv"
	"strings"
)

// Media types of npm packuments.
const (
	MediaTypeFull        = "application/json"
	MediaTypeAbbreviated = "application/vnd.npm.install-v1+json"
)

// WantsAbbreviated reports whether an Accept header asks for the abbreviated
// ("corgi") packument, as registry.npmjs.org decides: the corgi media type is
// listed with a non-zero quality. pnpm's "application/vnd.npm.install-v1+json;
// q=1.0, application/json; q=0.8, */*" is abbreviated; npm 11 install's
// "application/json" and yarn's missing header are full.
func WantsAbbreviated(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		if !strings.EqualFold(strings.TrimSpace(fields[0]), MediaTypeAbbreviated) {
			continue
		}
		q := 1.0
		for _, p := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}
