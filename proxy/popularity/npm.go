package popularity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// NPMBulkMax is the most names one bulk query of the npm downloads API may
// carry (scoped names are not allowed in bulk queries).
const NPMBulkMax = 128

// NPM queries api.npmjs.org/downloads/point/last-week.
type NPM struct {
	opts HTTPOptions
	gate *backoff
}

// NewNPM returns the npm downloads source.
func NewNPM(opts HTTPOptions) *NPM {
	opts.defaults("https://api.npmjs.org")
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	return &NPM{opts: opts, gate: newBackoff(opts.Backoff)}
}

// Name implements Source.
func (*NPM) Name() string { return SourceNPM }

type npmPoint struct {
	Downloads *int64 `json:"downloads"`
	Package   string `json:"package"`
}

// WeeklyDownloads implements Source: unscoped names in bulk batches of at
// most NPMBulkMax, scoped names one request each. Names the API answers
// with null or 404 are left out (unknown).
func (n *NPM) WeeklyDownloads(ctx context.Context, eco policy.Ecosystem, names []string) (map[string]int64, error) {
	out := map[string]int64{}
	if eco != policy.NPM {
		return out, nil
	}
	var bulk []string
	var errs []error
	for _, name := range names {
		name = strings.ToLower(strings.TrimSpace(name))
		if !validNPM(name) {
			continue
		}
		if strings.HasPrefix(name, "@") {
			if err := n.single(ctx, name, out); err != nil {
				errs = append(errs, err)
				if errors.Is(err, ErrBackoff) {
					break
				}
			}
			continue
		}
		bulk = append(bulk, name)
	}
	for start := 0; start < len(bulk) && !anyBackoff(errs); start += NPMBulkMax {
		batch := bulk[start:min(start+NPMBulkMax, len(bulk))]
		if len(batch) == 1 {
			if err := n.single(ctx, batch[0], out); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := n.bulk(ctx, batch, out); err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

func anyBackoff(errs []error) bool {
	for _, e := range errs {
		if errors.Is(e, ErrBackoff) {
			return true
		}
	}
	return false
}

func (n *NPM) single(ctx context.Context, name string, out map[string]int64) error {
	body, err := get(ctx, &n.opts, n.gate, n.opts.BaseURL+"/downloads/point/last-week/"+name)
	if err != nil || body == nil {
		return err
	}
	var p npmPoint
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("decode npm downloads for %s: %w", name, err)
	}
	if p.Downloads != nil && *p.Downloads >= 0 {
		out[name] = *p.Downloads
	}
	return nil
}

func (n *NPM) bulk(ctx context.Context, batch []string, out map[string]int64) error {
	body, err := get(ctx, &n.opts, n.gate, n.opts.BaseURL+"/downloads/point/last-week/"+strings.Join(batch, ","))
	if err != nil || body == nil {
		return err
	}
	var raw map[string]*npmPoint
	if err := json.Unmarshal(body, &raw); err != nil {
		return fmt.Errorf("decode npm bulk downloads: %w", err)
	}
	for _, name := range batch {
		if p := raw[name]; p != nil && p.Downloads != nil && *p.Downloads >= 0 {
			out[name] = *p.Downloads
		}
	}
	return nil
}

// validNPM accepts names safe to put in a URL path: lower-case letters,
// digits, "-._~" and one "@scope/" prefix.
func validNPM(name string) bool {
	if name == "" || len(name) > 214 {
		return false
	}
	rest := name
	if strings.HasPrefix(name, "@") {
		scope, pkg, ok := strings.Cut(name[1:], "/")
		if !ok || scope == "" || pkg == "" {
			return false
		}
		rest = scope + pkg
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return rest[0] != '.' && rest[0] != '_'
}
