package popularity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// PyPIStats queries pypistats.org/api/packages/<name>/recent (one request
// per name; the service has no bulk API and is rate-limited per IP).
type PyPIStats struct {
	opts HTTPOptions
	gate *backoff
}

// NewPyPIStats returns the pypistats.org source.
func NewPyPIStats(opts HTTPOptions) *PyPIStats {
	opts.defaults("https://pypistats.org")
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	return &PyPIStats{opts: opts, gate: newBackoff(opts.Backoff)}
}

// Name implements Source.
func (*PyPIStats) Name() string { return SourcePyPIStats }

// WeeklyDownloads implements Source with data.last_week of the recent
// endpoint, queried with the PEP 503 name. Unknown projects (404) are left
// out. Result keys are PEP 503 names.
func (p *PyPIStats) WeeklyDownloads(ctx context.Context, eco policy.Ecosystem, list []string) (map[string]int64, error) {
	out := map[string]int64{}
	if eco != policy.PyPI {
		return out, nil
	}
	var errs []error
	for _, name := range list {
		norm := names.Normalize(policy.PyPI, name)
		if !validPyPI(norm) {
			continue
		}
		body, err := get(ctx, &p.opts, p.gate, p.opts.BaseURL+"/api/packages/"+norm+"/recent")
		if err != nil {
			errs = append(errs, err)
			if errors.Is(err, ErrBackoff) {
				break
			}
			continue
		}
		if body == nil {
			continue
		}
		var doc struct {
			Data struct {
				LastWeek *int64 `json:"last_week"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			errs = append(errs, fmt.Errorf("decode pypistats for %s: %w", norm, err))
			continue
		}
		if doc.Data.LastWeek != nil && *doc.Data.LastWeek >= 0 {
			out[norm] = *doc.Data.LastWeek
		}
	}
	return out, errors.Join(errs...)
}

func validPyPI(norm string) bool {
	if norm == "" || len(norm) > 200 {
		return false
	}
	for i := 0; i < len(norm); i++ {
		c := norm[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
