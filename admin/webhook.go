package admin

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of a webhook
// body under the configured secret.
const SignatureHeader = "X-Vigil-Signature"

// Sign returns the SignatureHeader value for body; receivers recompute it
// and compare with hmac.Equal.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// webhook delivers notifications from a bounded queue.
type webhook struct {
	url        string
	secret     string
	queue      chan notification
	maxRetries int
	backoff    time.Duration
	client     *http.Client
	log        *slog.Logger
	now        func() time.Time
	dropped    atomic.Int64
}

type notification struct {
	kind string
	body []byte
}

func newWebhook(o WebhookOptions, log *slog.Logger, now func() time.Time) *webhook {
	w := &webhook{url: o.URL, secret: o.Secret, maxRetries: o.MaxRetries, backoff: o.Backoff,
		client: o.Client, log: log, now: now}
	if o.Queue <= 0 {
		o.Queue = 256
	}
	w.queue = make(chan notification, o.Queue)
	if w.maxRetries == 0 {
		w.maxRetries = 5
	}
	w.maxRetries = max(w.maxRetries, 0)
	if w.backoff <= 0 {
		w.backoff = time.Second
	}
	if w.client == nil {
		w.client = &http.Client{Timeout: 10 * time.Second}
	}
	return w
}

// enqueue queues a notification of the given type ("block", "request")
// without blocking; when the queue is full it is dropped and counted.
func (w *webhook) enqueue(kind string, data any) {
	body, err := json.Marshal(map[string]any{"type": kind, "time": w.now().UTC(), kind: data})
	if err != nil {
		w.log.Error("encode webhook notification", "type", kind, "err", err)
		return
	}
	select {
	case w.queue <- notification{kind: kind, body: body}:
	default:
		n := w.dropped.Add(1)
		w.log.Warn("webhook queue full, notification dropped", "type", kind, "dropped_total", n)
	}
}

func (w *webhook) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-w.queue:
			if err := w.deliver(ctx, n); err != nil && ctx.Err() == nil {
				w.log.WarnContext(ctx, "webhook delivery abandoned", "type", n.kind, "err", err)
			}
		}
	}
}

// deliver posts one notification, retrying with exponential backoff on
// network errors, 429 and 5xx.
func (w *webhook) deliver(ctx context.Context, n notification) error {
	delay := w.backoff
	var last error
	for attempt := 0; attempt <= w.maxRetries; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			delay = min(delay*2, time.Minute)
		}
		retry, err := w.post(ctx, n)
		if err == nil {
			return nil
		}
		last = err
		if !retry {
			break
		}
	}
	return last
}

func (w *webhook) post(ctx context.Context, n notification) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(n.body))
	if err != nil {
		return false, fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigil-proxy-webhook")
	req.Header.Set("X-Vigil-Event", n.kind)
	req.Header.Set(SignatureHeader, Sign(w.secret, n.body))
	resp, err := w.client.Do(req)
	if err != nil {
		// *url.Error quotes the whole URL, whose path or query often holds
		// a credential (Slack, Teams): name the host only.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return true, fmt.Errorf("post webhook to %s: %w", req.URL.Host, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return false, fmt.Errorf("webhook answered %d", resp.StatusCode)
}
