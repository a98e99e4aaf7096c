package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

// propagationBound is the replica-semantics promise: an admin write on one
// replica takes effect on every other within it.
const propagationBound = 2 * time.Second

// startReplicas starts n vigil-proxy processes on one PostgreSQL database,
// in front of one fake PyPI and one fake npm registry, sharing an admin
// token and a session key, as replicas behind a load balancer are.
func startReplicas(t testing.TB, n int) []*Proxy {
	t.Helper()
	return startReplicasEnv(t, n, nil)
}

// startReplicasEnv is startReplicas with extra environment variables.
func startReplicasEnv(t testing.TB, n int, extra map[string]string) []*Proxy {
	t.Helper()
	c := pgtest.Start(t)
	db := c.NewDatabase(t)
	now := time.Now().UTC()
	pypiFake := pypitest.NewServer(t, pipFixtures(now)...)
	npmFake := npmtest.NewServer(t, npmFixtures(now)...)
	env := pypiEnv(pypiFake, npmEnv(npmFake, map[string]string{
		"VIGIL_STORE_URL":      c.URL(db),
		"VIGIL_STORE_PASSWORD": pgtest.Password,
		"VIGIL_SESSION_KEY":    randomToken(t),
		"VIGIL_ADMIN_TOKEN":    randomToken(t),
		"VIGIL_LOG_LEVEL":      "info",
	}))
	var out []*Proxy
	for i := range n {
		e := maps.Clone(env)
		maps.Copy(e, extra)
		e["VIGIL_STORE_REPLICA"] = fmt.Sprintf("replica-%c", 'a'+i)
		out = append(out, startProxy(t, e))
	}
	return out
}

// adminWrite sends an authenticated JSON request to a replica's admin API
// and returns the status (0 when the replica cannot be reached) and the
// decoded body.
func adminWrite(p *Proxy, method, path string, body any) (int, map[string]any) {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, p.AdminURL+path, rd)
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Authorization", "Bearer "+p.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// allow creates an allow entry through p's admin API and fails t unless it
// is acknowledged.
func allow(t *testing.T, p *Proxy, eco policy.Ecosystem, pattern string) string {
	t.Helper()
	code, body := adminWrite(p, http.MethodPost, "/api/v1/lists",
		map[string]any{"kind": "allow", "ecosystem": eco, "pattern": pattern, "reason": "reviewed in the e2e test"})
	if code != http.StatusCreated {
		t.Fatalf("POST /api/v1/lists on %s = %d %v, want 201", p.URL, code, body)
	}
	id, _ := body["id"].(string)
	return id
}

// simpleStatus is the status of a replica's PyPI simple page for name.
func simpleStatus(p *Proxy, name string) int {
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(p.URL + "/pypi/simple/" + name + "/")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitStatus polls until get returns want, and returns how long that took.
func waitStatus(bound time.Duration, want int, get func() int) (time.Duration, bool) {
	start := time.Now()
	for {
		if get() == want {
			return time.Since(start), true
		}
		if time.Since(start) > bound {
			return time.Since(start), false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestReplicasOnPostgres drives real pip and npm installs alternately
// through two replicas sharing one PostgreSQL database.
func TestReplicasOnPostgres(t *testing.T) {
	py := requirePip(t)
	requireTool(t, npmBin, npmInstall)
	reps := startReplicas(t, 2)
	a, b := reps[0], reps[1]

	// Refused on B (pip), visible in A's audit API with B's name.
	r := pipInstallRun(t, py, b, "vigil-e2e-young")
	recordTranscript(t, "replica B refuses a 5-day-old package", r.cmdline, r.out, r.code)
	if r.code == 0 {
		t.Fatalf("pip install vigil-e2e-young through B succeeded, want a refusal:\n%s", r.out)
	}
	evs := a.AdminEvents(t, url.Values{"package": {"vigil-e2e-young"}, "kind": {"decision"}}, 30*time.Second) // returns at the first match; the batch flush is 200 ms
	ev, ok := findEvent(evs, "block", "DEP-002")
	if !ok || ev.Replica != "replica-b" {
		t.Fatalf("A's audit API lacks B's DEP-002 refusal naming replica-b:\n%s", describeEvents(evs))
	}
	// Refused on A (npm).
	dir := npmProject(t, map[string]string{"vigil-npm-young": "^0.1.0"})
	r = runNPM(t, a, dir, t.TempDir(), "install")
	if r.code == 0 {
		t.Fatalf("npm install vigil-npm-young through A succeeded, want a refusal:\n%s", r.out)
	}

	// An allow on A makes the pip install succeed on B within 2 s.
	allow(t, a, policy.PyPI, "vigil-e2e-young")
	took, ok := waitStatus(propagationBound, http.StatusOK, func() int { return simpleStatus(b, "vigil-e2e-young") })
	if !ok {
		t.Fatalf("allow made on A not in effect on B after %s", took)
	}
	t.Logf("pip allow on A in effect on B after %s", took)
	target := t.TempDir()
	_, out, code := pipInstall(t, py, b, target, "vigil-e2e-young")
	if code != 0 {
		t.Fatalf("pip install vigil-e2e-young through B after the allow on A: exit %d\n%s", code, out)
	}
	wantVersions(t, target, "vigil-e2e-young", "0.1.0")

	// An allow on B makes the npm install succeed on A.
	allow(t, b, policy.NPM, "vigil-npm-young")
	start := time.Now()
	r = runNPM(t, a, dir, t.TempDir(), "install")
	if r.code != 0 {
		t.Fatalf("npm install vigil-npm-young through A %s after the allow on B: exit %d\n%s", time.Since(start), r.code, r.out)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "vigil-npm-young", "package.json")); err != nil {
		t.Errorf("vigil-npm-young not installed through A: %v", err)
	}
}

// TestReplicaKilledMidBatch kills -9 one replica in the middle of a batch
// of installs and admin writes: the other keeps serving, and every admin
// write that was acknowledged survives.
func TestReplicaKilledMidBatch(t *testing.T) {
	py := requirePip(t)
	requireTool(t, npmBin, npmInstall)
	reps := startReplicas(t, 2)
	a, b := reps[0], reps[1]

	// Admin writes alternate between the replicas until stopped; every
	// acknowledged one is remembered.
	var (
		mu    sync.Mutex
		acked []string // patterns whose creation was acknowledged (201)
		tried int
	)
	stop := make(chan struct{})
	writes := make(chan struct{})
	go func() {
		defer close(writes)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p := reps[i%2]
			pattern := fmt.Sprintf("batch-pkg-%04d", i)
			code, _ := adminWrite(p, http.MethodPost, "/api/v1/lists",
				map[string]any{"kind": "deny", "ecosystem": "npm", "pattern": pattern, "reason": "batch"})
			mu.Lock()
			tried++
			if code == http.StatusCreated {
				acked = append(acked, pattern)
			}
			mu.Unlock()
			time.Sleep(25 * time.Millisecond)
		}
	}()

	// Installs alternate B, A, B, A…; A is killed while its second install
	// runs, after which the load balancer sends everything to B.
	killed := false
	var afterKill, afterKillOK int
	for i := range 8 {
		p, name := b, "B"
		if i%2 == 1 && !killed {
			p, name = a, "A"
		}
		if i == 3 {
			time.AfterFunc(300*time.Millisecond, a.Kill)
			killed = true
		}
		var code int
		var out string
		began := time.Now()
		if i%2 == 0 {
			_, out, code = pipInstall(t, py, p, t.TempDir(), "vigil-e2e-mature")
		} else {
			dir := npmProject(t, map[string]string{"vigil-npm-mature": "^1.0.0"})
			// No retries: the install that A dies under fails at once.
			r := runNPM(t, p, dir, t.TempDir(), "install", "--fetch-retries=0")
			out, code = r.out, r.code
		}
		t.Logf("install %d through %s: exit %d after %s", i, name, code, time.Since(began).Round(time.Millisecond))
		if i == 3 {
			continue // the install A was killed under may fail either way
		}
		if killed {
			afterKill++
			if code == 0 {
				afterKillOK++
			}
		}
		if code != 0 {
			t.Errorf("install %d through %s failed (exit %d):\n%s", i, name, code, out)
		}
	}
	close(stop)
	<-writes
	if got := simpleStatus(b, "vigil-e2e-mature"); got != http.StatusOK {
		t.Errorf("B after A was killed: simple page status %d, want 200", got)
	}

	// Every acknowledged write is in the store, read through B.
	code, body := adminWrite(b, http.MethodGet, "/api/v1/lists", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/lists on B = %d", code)
	}
	stored := map[string]bool{}
	entries, _ := body["entries"].([]any)
	for _, e := range entries {
		if m, ok := e.(map[string]any); ok {
			p, _ := m["pattern"].(string)
			stored[p] = true
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var lost []string
	for _, p := range acked {
		if !stored[p] {
			lost = append(lost, p)
		}
	}
	t.Logf("admin writes: %d attempted, %d acknowledged, %d acknowledged and lost; installs through B after the kill: %d of %d succeeded",
		tried, len(acked), len(lost), afterKillOK, afterKill)
	if len(lost) > 0 {
		t.Errorf("%d acknowledged admin writes lost: %v", len(lost), lost)
	}
	if len(acked) == 0 || len(entries) == 0 {
		t.Errorf("no admin write acknowledged (%d tried): the batch did not run", tried)
	}
}

// TestReplicaPropagationLatency measures how long an admin write on one
// replica takes to change what the other serves: deny then delete the deny
// of a mature package on A, 200 writes in all, each timed until B's simple
// page flips (403 ↔ 200). It reports p50 and p99 and requires p99 under
// the 2 s promise.
func TestReplicaPropagationLatency(t *testing.T) {
	reps := startReplicas(t, 2)
	a, b := reps[0], reps[1]
	const name = "vigil-e2e-mature"
	if got := simpleStatus(b, name); got != http.StatusOK {
		t.Fatalf("B serves %s with %d before any write, want 200", name, got)
	}
	const writes = 200
	var lat []time.Duration
	for i := 0; i < writes/2; i++ {
		code, body := adminWrite(a, http.MethodPost, "/api/v1/lists",
			map[string]any{"kind": "deny", "ecosystem": "pypi", "pattern": name, "reason": "latency probe"})
		if code != http.StatusCreated {
			t.Fatalf("deny on A = %d %v", code, body)
		}
		d, ok := waitStatus(10*time.Second, http.StatusForbidden, func() int { return simpleStatus(b, name) })
		if !ok {
			t.Fatalf("deny %d on A not in effect on B after %s", i, d)
		}
		lat = append(lat, d)
		id, _ := body["id"].(string)
		if code, _ := adminWrite(a, http.MethodDelete, "/api/v1/lists/"+id, nil); code != http.StatusNoContent && code != http.StatusOK {
			t.Fatalf("delete on A = %d", code)
		}
		d, ok = waitStatus(10*time.Second, http.StatusOK, func() int { return simpleStatus(b, name) })
		if !ok {
			t.Fatalf("delete %d on A not in effect on B after %s", i, d)
		}
		lat = append(lat, d)
	}
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	t.Logf("admin write on A → effective on B over %d writes: p50 %s, p99 %s, max %s",
		len(lat), p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	if p99 > propagationBound {
		t.Errorf("p99 %s exceeds the %s promise", p99, propagationBound)
	}
}

// BenchmarkReplicaWarmHits compares warm-cache throughput of one replica
// with two behind a client-side round robin, on this machine, with the
// same PostgreSQL database:
//
//	go test ./deploy/e2e -run X -bench ReplicaWarmHits -benchtime 3000x
func BenchmarkReplicaWarmHits(b *testing.B) {
	reps := startReplicas(b, 2)
	const path = "/pypi/simple/vigil-e2e-mature/"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	get := func(p *Proxy) error {
		resp, err := client.Get(p.URL + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	for _, p := range reps { // warm both caches
		if err := get(p); err != nil {
			b.Fatalf("warm %s: %v", p.URL, err)
		}
	}
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			var next atomic.Uint64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					p := reps[int(next.Add(1))%n]
					if err := get(p); err != nil {
						b.Errorf("GET %s: %v", p.URL, err)
						return
					}
				}
			})
		})
	}
}
