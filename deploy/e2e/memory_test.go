package e2e

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// procMemory reads a /proc/<pid>/status field (VmHWM, VmRSS) in MiB.
func procMemory(t *testing.T, pid int, field string) float64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read memory of pid %d: %v", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				t.Fatalf("parse %s %q: %v", field, v, err)
			}
			return kb / 1024
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// TestDecompressionBombsBoundedMemory is issue 10's fault test: a hostile
// upstream answers 32 concurrent index requests with gzip bombs (a few KB
// that expand to 1 GiB). Every one is refused, the proxy's peak RSS (VmHWM,
// a non-race build) stays under 512 MiB, and RSS is back under 250 MiB
// within 30 s.
func TestDecompressionBombsBoundedMemory(t *testing.T) {
	fake := pypitest.NewServer(t)
	const bombs = 32
	for i := range bombs {
		fake.SetFault(fmt.Sprintf("/simple/bomb-%02d/", i), pypitest.Fault{GzipBomb: true})
	}
	p := startProxy(t, pypiEnv(fake, map[string]string{"VIGIL_LOG_LEVEL": "info"}))
	pid := p.cmd.Process.Pid
	before := procMemory(t, pid, "VmRSS")

	var wg sync.WaitGroup
	statuses := make([]int, bombs)
	client := &http.Client{Timeout: 2 * time.Minute}
	for i := range bombs {
		wg.Go(func() {
			resp, err := client.Get(fmt.Sprintf("%s/pypi/simple/bomb-%02d/", p.URL, i))
			if err != nil {
				t.Errorf("bomb %d: %v", i, err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s < 500 {
			t.Errorf("bomb %d answered %d, want a refusal (5xx)", i, s)
		}
	}
	peak := procMemory(t, pid, "VmHWM")
	rss := procMemory(t, pid, "VmRSS")
	deadline := time.Now().Add(30 * time.Second)
	for rss >= 250 && time.Now().Before(deadline) {
		time.Sleep(time.Second)
		rss = procMemory(t, pid, "VmRSS")
	}
	t.Logf("%d concurrent gzip bombs: RSS before %.0f MiB, peak (VmHWM) %.0f MiB, RSS after %.0f MiB", bombs, before, peak, rss)
	if peak >= 512 {
		t.Errorf("peak RSS %.0f MiB, want under 512 MiB", peak)
	}
	if rss >= 250 {
		t.Errorf("RSS %.0f MiB 30 s after the burst, want under 250 MiB", rss)
	}
	wantStatus := func(path string, want int) {
		resp, err := client.Get(p.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s after the burst: %d, want %d", path, resp.StatusCode, want)
		}
	}
	wantStatus("/healthz", http.StatusOK)
}
