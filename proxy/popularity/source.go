// Package popularity answers "how many downloads did this package have last
// week?" from the embedded snapshot, pypistats.org and the npm downloads
// API, with caching and per-host backoff so that the proxy never hammers the
// public services.
package popularity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Source answers weekly download counts for a set of names of one
// ecosystem. A name missing from the result is unknown. On error the
// result may still hold the names answered before the failure.
type Source interface {
	// Name identifies the source in policy.Signals.DownloadsSource.
	Name() string
	WeeklyDownloads(ctx context.Context, eco policy.Ecosystem, names []string) (map[string]int64, error)
}

// ErrBackoff is returned while a source host is backing off after 429 or
// 5xx answers; no request was made.
var ErrBackoff = errors.New("popularity source backing off")

// Source names.
const (
	SourceSnapshot  = "snapshot"
	SourceCorpus    = "corpus" // a known name's count in the names corpus
	SourcePyPIStats = "pypistats"
	SourceNPM       = "npm-downloads"
)

// HTTPOptions are shared by the HTTP sources.
type HTTPOptions struct {
	// BaseURL overrides the public service (tests point it at a fake).
	BaseURL string
	// Client performs requests; nil means a client with a 10 s timeout.
	Client *http.Client
	// Backoff tunes the per-host backoff after 429 and 5xx answers.
	Backoff BackoffOptions
	// MaxBody bounds response bodies (default 1 MiB).
	MaxBody int64
	// Budget, when set, is the upstream client's budget for bytes in
	// flight (upstream.Client): each request holds MaxBody of it while it
	// runs, so lookups and registry documents share one bound.
	Budget Budget
}

// Budget hands out bytes of a shared in-flight budget.
type Budget interface {
	Reserve(ctx context.Context, n int64) (release func(), err error)
}

func (o *HTTPOptions) defaults(base string) {
	if o.BaseURL == "" {
		o.BaseURL = base
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
}

// redactURL is rawURL without its user information (a mirror's basic-auth
// password), fit for errors and logs.
func redactURL(rawURL string) string {
	u, err := neturl.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}

// statusError is a non-2xx answer.
type statusError struct {
	url    string
	status int
}

func (e *statusError) Error() string { return fmt.Sprintf("get %s: status %d", e.url, e.status) }

// get performs one GET through the host's backoff gate. A 404 returns
// (nil, nil): the service does not know the name.
func get(ctx context.Context, o *HTTPOptions, gate *backoff, rawURL string) ([]byte, error) {
	if err := gate.allow(); err != nil {
		return nil, err
	}
	url := redactURL(rawURL) // for errors, which are logged
	if o.Budget != nil {
		release, err := o.Budget.Reserve(ctx, o.MaxBody)
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", url, err)
		}
		defer release()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "vigil-proxy (popularity lookup)")
	resp, err := o.Client.Do(req)
	if err != nil {
		gate.failure(0)
		return nil, fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		gate.success()
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		gate.failure(retryAfter(resp.Header.Get("Retry-After"), gate.now()))
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, &statusError{url, resp.StatusCode}
	case resp.StatusCode != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, &statusError{url, resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, o.MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", url, err)
	}
	if int64(len(body)) > o.MaxBody {
		return nil, fmt.Errorf("get %s: %w", url, policy.ErrTooLarge)
	}
	gate.success()
	return body, nil
}
