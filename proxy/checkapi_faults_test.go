package proxy_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// panickyFeed is a malware feed with a bug: it panics on one package.
type panickyFeed struct{}

func (panickyFeed) Malicious(eco policy.Ecosystem, name, version string) []policy.Advisory {
	if name == "fresh-lib" {
		panic("feed bug")
	}
	return nil
}

// A panic while judging one package of a batch (batch jobs run on their own
// goroutines) must not take the process down: that package fails closed
// with a generic error, the others are answered, and the panic is logged.
func TestCheckBatchSurvivesPanic(t *testing.T) {
	var logs lockedBuffer
	e, _ := newNPMEnv(t, envOptions{malware: panickyFeed{}, logger: slog.New(slog.NewTextHandler(&logs, nil))})
	resp, body := postCheck(t, e, `{"packages":[{"ecosystem":"npm","name":"fresh-lib"},{"ecosystem":"npm","name":"mature-lib"}]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("batch = %s %s, want 200", resp.Status, body)
	}
	var out struct{ Results []policy.Report }
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Results) != 2 {
		t.Fatalf("decode %q: %v", body, err)
	}
	if r := out.Results[0]; r.Verdict != policy.Block || r.Error == "" || strings.Contains(r.Error, "feed bug") {
		t.Errorf("panicking package = %+v, want a block with a generic error", r)
	}
	if r := out.Results[1]; r.Error != "" || r.Name != "mature-lib" || r.Verdict != policy.Allow {
		t.Errorf("other package = %+v, want allow mature-lib", r)
	}
	if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
		t.Errorf("response leaks a stack trace: %s", body)
	}
	if !strings.Contains(logs.String(), "feed bug") {
		t.Errorf("panic not logged:\n%s", logs.String())
	}
	// The server is still up.
	wantStatus(t, e.get("/api/v1/check/npm/mature-lib"), http.StatusOK)
}

// countingFeed records how many judgements run at once.
type countingFeed struct {
	mu        sync.Mutex
	now, peak int
}

func (c *countingFeed) Malicious(eco policy.Ecosystem, name, version string) []policy.Advisory {
	if version != "" {
		return nil
	}
	c.mu.Lock()
	c.now++
	c.peak = max(c.peak, c.now)
	c.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
	return nil
}

// maxConcurrentChecks is the proxy's server-wide bound on concurrent
// judgements for the check API (checkSlots).
const maxConcurrentChecks = 16

// Concurrent batches never run more than maxConcurrentChecks judgements at
// once, so the anonymous check API cannot flood upstream or the CPU.
func TestCheckAPIBoundsConcurrentChecks(t *testing.T) {
	cf := &countingFeed{}
	e, _ := newNPMEnv(t, envOptions{malware: cf})
	var pkgs []string
	for range 40 {
		pkgs = append(pkgs, `{"ecosystem":"npm","name":"mature-lib"}`, `{"ecosystem":"npm","name":"fresh-lib"}`)
	}
	body := `{"packages":[` + strings.Join(pkgs, ",") + `]}`
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			resp, err := http.Post(e.srv.URL+"/api/v1/check", "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("batch status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	cf.mu.Lock()
	defer cf.mu.Unlock()
	if cf.peak > maxConcurrentChecks || cf.peak < 2 {
		t.Errorf("peak concurrent judgements = %d, want 2..%d", cf.peak, maxConcurrentChecks)
	}
}
