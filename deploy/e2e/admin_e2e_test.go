package e2e

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/admin"
	"github.com/vigil-proxy/vigil-proxy/admin/admintest"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// verdictTimeout bounds how long a list change may take to reach the
// registry listener. The admin invalidates the proxy's list cache on every
// write, so the change should be visible at once; the proxy's own list cache
// TTL (5 s) is the worst case without that; the rest leaves room for a
// loaded machine (a change that takes more than one poll is logged).
const verdictTimeout = 30 * time.Second

// TestAdminUIApprovalFlow drives the admin UI of the real binary in headless
// Chromium around real pip installs: a five-day-old project is refused, the
// block shows up on the dashboard and in the audit log, a request filed from
// it and approved in the UI lets the same install succeed, and expiring the
// allow entry on the lists page makes the install fail again. Screenshots of
// the main pages go to $VIGIL_SCREENSHOT_DIR (default: a temp dir).
func TestAdminUIApprovalFlow(t *testing.T) {
	t.Parallel()
	py := requirePip(t)
	b := admintest.StartBrowser(t) // fails first when chromium is missing
	const (
		project       = "vigil-e2e-approve-me"
		user          = "e2e-admin"
		justification = "needed by the data pipeline"
		approval      = "maintainer and source repository checked"
	)
	fake := pypitest.NewServer(t, pypitest.Project{Name: project, ProjectURLs: repo("approve-me"),
		Dists: []pypitest.Dist{{Version: "0.1.0", Uploaded: time.Now().UTC().Add(-5*day - time.Hour)}}})
	password, token := randomSecret(), randomSecret()
	hash, err := admin.HashPassword(password)
	if err != nil {
		t.Fatalf("hash the admin password: %v", err)
	}
	// VIGIL_ADMIN_TOKEN makes the harness bind the admin listener
	// (VIGIL_ADMIN_LISTEN) on a free loopback port: p.AdminURL.
	p := startProxy(t, pypiEnv(fake, map[string]string{
		"VIGIL_ADMIN_PASSWORD_HASH": hash,
		"VIGIL_ADMIN_USER":          user,
		"VIGIL_ADMIN_TOKEN":         token,
	}))
	if p.AdminURL == "" {
		t.Fatal("the harness started no admin listener")
	}
	ui := p.AdminURL

	// 1. The install fails: the project is five days old (DEP-002).
	cmdline, out, code := pipInstall(t, py, p, t.TempDir(), project)
	recordTranscript(t, "young project, before approval", cmdline, out, code)
	if code != 1 {
		t.Fatalf("pip exit status before approval: got %d, want 1", code)
	}
	requireOutput(t, out, "No matching distribution found for "+project)

	// 2. An admin signs in and sees the block on the dashboard (the audit
	// trail is written in batches, hence OpenUntil) and in the audit log.
	b.Login(ui, user, password)
	b.OpenUntil(ui+"/admin/", "tr.block-event", project)
	b.MustContain("tr.block-event", "DEP-002")
	b.MustContain("tr.block-event", "pip/")
	b.Screenshot("01-dashboard")
	b.Open(ui + "/admin/audit?kind=decision&package=" + project)
	b.MustContain("table.audit", project)
	b.MustContain("table.audit", "first published 5 days ago")
	b.Screenshot("02-audit")
	b.Open(ui + "/admin/package?eco=pypi&name=" + project)
	b.MustContain("#verdict", "block")
	b.Screenshot("03-package-blocked")

	// 3. File a request from the dashboard's blocked event, then approve it
	// with a reason and no expiry.
	b.Open(ui + "/admin/")
	b.Click("tr.block-event a.button")
	b.MustContain("#new-request", project)
	b.TypeInto("#r-justification", justification)
	b.Click("#file-request")
	b.MustContain("p.notice", "Request filed")
	b.MustContain("tr.request", justification)
	b.MustContain("tr.request", user)
	b.Screenshot("04-requests")
	b.TypeInto("form.approve input[name=reason]", approval)
	b.Click("form.approve button")
	b.MustContain("p.notice", "approved")
	if n := b.Count("tr.request"); n != 0 {
		t.Errorf("%d pending requests after approval, want 0", n)
	}
	b.Screenshot("05-requests-approved")
	b.Open(ui + "/admin/package?eco=pypi&name=" + project)
	b.MustContain("#verdict", "allow")
	b.MustContain("#list-entry", approval)
	b.Screenshot("06-package-allowed")

	// 4. The same install now succeeds.
	waitVerdict(t, p, project, "allow")
	target := t.TempDir()
	cmdline, out, code = pipInstall(t, py, p, target, project)
	recordTranscript(t, "young project, after approval in the UI", cmdline, out, code)
	if code != 0 {
		t.Fatalf("pip exit status after approval: got %d, want 0", code)
	}
	requireOutput(t, out, "Successfully installed "+project+"-0.1.0")
	wantVersions(t, target, project, "0.1.0")

	// 5. Expire the allow entry on the lists page: the install is refused
	// again.
	b.Open(ui + "/admin/lists")
	b.MustContain("tr.entry", project)
	b.MustContain("tr.entry", approval)
	b.MustContain("tr.entry .status", "active")
	b.Screenshot("07-lists")
	b.Click("tr.entry button.expire")
	b.MustContain("p.notice", "expired")
	b.MustContain("tr.entry .status", "expired")
	b.Screenshot("08-lists-expired")

	waitVerdict(t, p, project, "block")
	target = t.TempDir()
	cmdline, out, code = pipInstall(t, py, p, target, project)
	recordTranscript(t, "young project, after its allow entry expired", cmdline, out, code)
	if code != 1 {
		t.Errorf("pip exit status after expiry: got %d, want 1", code)
	}
	requireOutput(t, out, "No matching distribution found for "+project)
	wantVersions(t, target, project)

	// 6. The remaining pages: the verdict, the rule catalogue and the admin
	// actions in the audit log.
	b.Open(ui + "/admin/package?eco=pypi&name=" + project)
	b.MustContain("#verdict", "block")
	b.Screenshot("09-package-blocked-again")
	b.Open(ui + "/admin/rules")
	b.MustContain("table.rules", "DEP-002")
	b.Screenshot("10-rules")
	b.OpenUntil(ui+"/admin/audit?kind=admin", "table.audit", "list.expire")
	b.MustContain("table.audit", "request.approve")
	b.Screenshot("11-audit-admin")
	t.Logf("screenshots in %s", b.ScreenshotDir())

	// 7. The audit trail: pip was refused, allowed, refused; every admin
	// step is recorded with its actor.
	evs := p.Events(t)
	var pipVerdicts []string
	for _, ev := range eventsFor(evs, project) {
		if strings.Contains(ev.Client, "pip/") && ev.Route == "simple" {
			pipVerdicts = append(pipVerdicts, ev.Verdict)
		}
	}
	pipVerdicts = slices.Compact(pipVerdicts)
	if diff := cmp.Diff([]string{"block", "allow", "block"}, pipVerdicts); diff != "" {
		t.Errorf("pip index verdicts for %s (-want +got):\n%s\nevents:\n%s", project, diff, describeEvents(eventsFor(evs, project)))
	}
	var actions []string
	for _, ev := range evs {
		if ev.Kind == store.KindAdmin {
			actions = append(actions, ev.Actor+" "+ev.Action)
		}
	}
	want := []string{user + " request.create", user + " list.create", user + " request.approve", user + " list.expire"}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("admin audit trail (-want +got):\n%s", diff)
	}
}

// randomSecret returns 26 random base32 characters (130 bits), for the
// test's admin password and token.
func randomSecret() string { return rand.Text() }

// waitVerdict polls the registry's check API until name's verdict is want,
// failing after verdictTimeout. A change that needs more than the first
// answer is logged, with the time it took.
func waitVerdict(t testing.TB, p *Proxy, name, want string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	start := time.Now()
	var got string
	for polls := 1; ; polls++ {
		got = checkVerdict(t, client, p.URL+"/api/v1/check/pypi/"+name)
		if got == want {
			if polls > 1 {
				t.Logf("check API: %s became %s after %d polls (%s)", name, want, polls, time.Since(start).Round(time.Millisecond))
			}
			return
		}
		if time.Since(start) > verdictTimeout {
			t.Fatalf("check API: %s is still %q after %s, want %q", name, got, verdictTimeout, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkVerdict GETs one check API URL and returns the verdict it reports.
func checkVerdict(t testing.TB, client *http.Client, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	var rep struct {
		Verdict string `json:"verdict"`
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("GET %s: decode verdict: %v\n%s", url, err, body)
	}
	return rep.Verdict
}
