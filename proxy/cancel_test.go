package proxy_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
)

// A client that hangs up while the tarball is on its way is logged at debug
// as a cancelled request: no ERROR line, no upstream outage.
func TestClientDisconnectIsNotAnUpstreamFailure(t *testing.T) {
	var logs lockedBuffer
	e, fake := newNPMEnv(t, envOptions{artifactBytes: 1 << 30,
		logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	wantStatus(t, e.get("/npm/mature-lib"), http.StatusOK) // metadata warm
	fake.SetFault(matureTarball, npmtest.Fault{Delay: time.Minute, Times: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/npm"+matureTarball, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("request finished with %s before the client hung up", resp.Status)
		} else {
			err = nil
		}
		done <- err
	}()
	// Hang up once the tarball is on its way (upstream has the request and
	// holds it): a fixed 200 ms client timeout could expire on a loaded
	// machine before the proxy even had the request.
	for deadline := time.Now().Add(30 * time.Second); fake.Requests(matureTarball) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the tarball request never reached upstream")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "cancelled by the client") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := logs.String()
	if !strings.Contains(out, "level=DEBUG msg=\"artifact request cancelled by the client\"") {
		t.Errorf("no debug line for the cancelled request:\n%s", out)
	}
	for _, bad := range []string{"level=ERROR", "upstream failing", "status=502"} {
		if strings.Contains(out, bad) {
			t.Errorf("log has %q for a client disconnect:\n%s", bad, out)
		}
	}
	// The next request is served (nothing half-written was cached).
	wantTarball(t, fake, wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK))
}
