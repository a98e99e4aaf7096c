package names

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Default public sources for Refresh.
const (
	DefaultPyPITopURL      = "https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json"
	DefaultNPMDownloadsURL = "https://api.npmjs.org/downloads/point/last-month/"
	// NPMBulkMax is the most names the npm downloads API accepts in one
	// bulk query.
	NPMBulkMax = 128
)

// RefreshOptions configures Refresh. Zero values select the defaults.
type RefreshOptions struct {
	// PyPITopURL serves hugovk/top-pypi-packages JSON:
	// {"last_update", "rows": [{"download_count", "project"}]}.
	PyPITopURL string
	// NPMDownloadsURL is the npm point-downloads endpoint up to the package
	// list ("…/downloads/point/last-month/").
	NPMDownloadsURL string
	// Previous is the corpus being refreshed (default: the embedded one).
	// Its unscoped npm names are re-counted in bulk; scoped names, which the
	// bulk API does not serve, and names the API does not answer keep their
	// previous counts.
	Previous *Corpus
	// NPMNames adds npm names to re-count (for example from
	// npm-high-impact).
	NPMNames []string
	// NPMMinMonthly: names new to the corpus (NPMNames) are added only
	// with at least this monthly count (default 40,000, the floor of the
	// popular snapshot). Names already in Previous are always kept.
	NPMMinMonthly int64
	// NPMTargetMonthly: npm names with at least this monthly count are
	// targets, the others known names (default DefaultNPMTargetMonthly).
	NPMTargetMonthly int64
	// MaxBody bounds each response body (default 64 MiB).
	MaxBody int64
}

// Refresh fetches current popularity lists and returns a corpus file in the
// WriteCorpus format, ready to be written to the path the config's corpus
// option points at (or to policy/names/data/corpus.tsv.gz).
func Refresh(ctx context.Context, client *http.Client, opts RefreshOptions) ([]byte, error) {
	if client == nil {
		return nil, errors.New("refresh: nil http client")
	}
	if opts.PyPITopURL == "" {
		opts.PyPITopURL = DefaultPyPITopURL
	}
	if opts.NPMDownloadsURL == "" {
		opts.NPMDownloadsURL = DefaultNPMDownloadsURL
	}
	if !strings.HasSuffix(opts.NPMDownloadsURL, "/") {
		opts.NPMDownloadsURL += "/"
	}
	if opts.NPMMinMonthly <= 0 {
		opts.NPMMinMonthly = 40_000
	}
	if opts.NPMTargetMonthly <= 0 {
		opts.NPMTargetMonthly = DefaultNPMTargetMonthly
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 64 << 20
	}
	if opts.Previous == nil {
		prev, err := LoadEmbedded()
		if err != nil {
			return nil, fmt.Errorf("refresh: %w", err)
		}
		opts.Previous = prev
	}
	pypi, err := fetchPyPITop(ctx, client, opts)
	if err != nil {
		return nil, fmt.Errorf("refresh pypi: %w", err)
	}
	npm, err := refreshNPM(ctx, client, opts)
	if err != nil {
		return nil, fmt.Errorf("refresh npm: %w", err)
	}
	pypi = mergePyPI(pypi, opts.Previous.PyPI)
	// A refresh never silently shrinks the corpus: every previous name is
	// kept above, so fewer names means a bug or a truncated source.
	if len(pypi) < len(opts.Previous.PyPI) || len(npm) < len(opts.Previous.NPM) {
		return nil, fmt.Errorf("refresh: the corpus would shrink (PyPI %d → %d, npm %d → %d names)",
			len(opts.Previous.PyPI), len(pypi), len(opts.Previous.NPM), len(npm))
	}
	var buf bytes.Buffer
	if err := WriteCorpus(&buf, pypi, npm); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func getJSON(ctx context.Context, client *http.Client, url string, limit int64, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return fmt.Errorf("get %s: status %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("get %s: %w", url, err)
	}
	if int64(len(body)) > limit {
		return fmt.Errorf("get %s: body over %d bytes", url, limit)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode %s: %w", url, err)
	}
	return nil
}

func fetchPyPITop(ctx context.Context, client *http.Client, opts RefreshOptions) ([]Entry, error) {
	var doc struct {
		LastUpdate string `json:"last_update"`
		Rows       []struct {
			Count   int64  `json:"download_count"`
			Project string `json:"project"`
		} `json:"rows"`
	}
	if err := getJSON(ctx, client, opts.PyPITopURL, opts.MaxBody, &doc); err != nil {
		return nil, err
	}
	if len(doc.Rows) == 0 {
		return nil, errors.New("no rows")
	}
	slices.SortStableFunc(doc.Rows, func(a, b struct {
		Count   int64  `json:"download_count"`
		Project string `json:"project"`
	}) int {
		return cmpDesc(a.Count, b.Count)
	})
	seen := map[string]bool{}
	var out []Entry
	for _, r := range doc.Rows {
		name := Normalize(policy.PyPI, r.Project)
		if !validName(policy.PyPI, name) || seen[name] || r.Count < 0 {
			continue
		}
		seen[name] = true
		out = append(out, Entry{Name: name, Rank: len(out) + 1, Monthly: r.Count})
	}
	return out, nil
}

func cmpDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

func refreshNPM(ctx context.Context, client *http.Client, opts RefreshOptions) ([]Entry, error) {
	counts := map[string]int64{}
	// removed malware stays removed: its downloads (old lockfiles fetching
	// the holding package) must not make it a known name
	var removed []Entry
	seen := map[string]bool{}
	for _, e := range opts.Previous.NPM {
		if e.Role == RoleRemoved {
			removed = append(removed, e)
			seen[e.Name] = true
			continue
		}
		counts[e.Name] = e.Monthly
	}
	var bulk []string
	for _, n := range append(namesOf(opts.Previous.NPM), opts.NPMNames...) {
		n = Normalize(policy.NPM, n)
		if seen[n] || strings.HasPrefix(n, "@") || !validName(policy.NPM, n) {
			continue
		}
		seen[n] = true
		bulk = append(bulk, n)
	}
	for start := 0; start < len(bulk); start += NPMBulkMax {
		batch := bulk[start:min(start+NPMBulkMax, len(bulk))]
		got, err := npmBulk(ctx, client, opts, batch)
		if err != nil {
			return nil, err
		}
		for n, c := range got {
			counts[n] = c
		}
	}
	prev := make(map[string]bool, len(opts.Previous.NPM))
	for _, e := range opts.Previous.NPM {
		prev[e.Name] = true
	}
	var out []Entry
	for n, c := range counts {
		if !prev[n] && c < opts.NPMMinMonthly {
			continue
		}
		role := RoleTarget
		if c < opts.NPMTargetMonthly {
			role = RoleKnown
		}
		out = append(out, Entry{Name: n, Monthly: c, Role: role})
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := cmpDesc(a.Monthly, b.Monthly); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return append(out, removed...), nil
}

// mergePyPI keeps every previous PyPI name the fresh ranking lacks: a
// ranked name that dropped out of the list becomes a known name without a
// rank (it still exists; it is no longer a target); a removed name stays
// removed.
func mergePyPI(fresh, previous []Entry) []Entry {
	seen := make(map[string]bool, len(fresh))
	for _, e := range fresh {
		seen[e.Name] = true
	}
	for _, e := range previous {
		if !seen[e.Name] {
			seen[e.Name] = true
			role := RoleKnown
			if e.Role == RoleRemoved {
				role = RoleRemoved
			}
			fresh = append(fresh, Entry{Name: e.Name, Role: role})
		}
	}
	return fresh
}

func namesOf(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
	}
	return out
}

// npmPoint is the downloads API's point answer for one package.
type npmPoint struct {
	Downloads *int64 `json:"downloads"`
	Package   string `json:"package"`
}

// npmBulk queries up to NPMBulkMax unscoped names at once. Names the API
// answers with null are left out.
func npmBulk(ctx context.Context, client *http.Client, opts RefreshOptions, batch []string) (map[string]int64, error) {
	var raw map[string]json.RawMessage
	if err := getJSON(ctx, client, opts.NPMDownloadsURL+strings.Join(batch, ","), opts.MaxBody, &raw); err != nil {
		return nil, err
	}
	return parseNPMPoints(raw, batch)
}

// parseNPMPoints reads either a single point answer or a bulk object keyed
// by name, whose values may be null.
func parseNPMPoints(raw map[string]json.RawMessage, asked []string) (map[string]int64, error) {
	out := map[string]int64{}
	if _, single := raw["downloads"]; single && len(asked) == 1 {
		var p npmPoint
		b, _ := json.Marshal(raw)
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("decode point: %w", err)
		}
		if p.Downloads != nil {
			out[asked[0]] = *p.Downloads
		}
		return out, nil
	}
	for _, n := range asked {
		v, ok := raw[n]
		if !ok || string(v) == "null" {
			continue
		}
		var p npmPoint
		if err := json.Unmarshal(v, &p); err != nil {
			return nil, fmt.Errorf("decode %s: %w", n, err)
		}
		if p.Downloads != nil && *p.Downloads >= 0 {
			out[n] = *p.Downloads
		}
	}
	return out, nil
}
