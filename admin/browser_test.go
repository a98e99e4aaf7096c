package admin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// TestBrowserApprovalFlow drives the UI in headless Chromium: sign in, see a
// blocked download on the dashboard, file a request from it, approve it, see
// the verdict turn to allow, expire the entry and see the block return.
// Screenshots of each main page go to $VIGIL_SCREENSHOT_DIR (default: a
// temp dir). It fails, never skips, without chromium and chromedriver.
func TestBrowserApprovalFlow(t *testing.T) {
	e := newEnv(t, nil)
	d := startBrowser(t)
	base := e.ts.URL
	e.recordBlock("reqeusts", "1.0.0")

	// Unauthenticated: the login form, with a 401 behind it.
	d.open(base + "/admin/")
	if d.count("#password") != 1 {
		t.Fatalf("no login form at %s", d.url())
	}
	d.screenshot("01-login")
	d.typeInto("#username", "alice")
	d.typeInto("#password", e.password)
	d.click("#login")

	// Dashboard: the blocked event is there.
	d.waitUntil(func() string { return "the dashboard after login" }, func() bool { return strings.HasPrefix(d.title(), "Dashboard") })
	d.mustContain("tr.block-event", "reqeusts")
	d.mustContain("tr.block-event", "DEP-002")
	d.screenshot("02-dashboard")

	// Keyboard: the skip link comes first, then the navigation.
	d.open(base + "/admin/")
	if got := d.tab(); got != "a:Skip to content" {
		t.Errorf("first Tab focuses %q, want the skip link", got)
	}
	if got := d.tab(); got != "a:Dashboard" {
		t.Errorf("second Tab focuses %q, want the Dashboard link", got)
	}

	// The package page shows the block before any exception.
	d.open(base + "/admin/package?eco=pypi&name=reqeusts&version=1.0.0")
	d.mustContain("#verdict", "block")
	d.screenshot("03-package-blocked")

	// File a request from the dashboard's blocked event.
	d.open(base + "/admin/")
	d.click("tr.block-event a.button")
	d.mustContain("#new-request", "reqeusts")
	d.typeInto("#r-justification", "needed for the data pipeline")
	d.click("#file-request")
	d.mustContain("p.notice", "Request filed")
	d.mustContain("tr.request", "needed for the data pipeline")
	d.screenshot("04-requests")

	// Approve it with a reason.
	d.typeInto("form.approve input[name=reason]", "checked the maintainer and source")
	d.click("form.approve button")
	d.mustContain("p.notice", "approved")
	if n := d.count("tr.request"); n != 0 {
		t.Errorf("%d pending requests after approval, want 0", n)
	}

	// The verdict is now allow, decided by the new allow entry.
	d.open(base + "/admin/package?eco=pypi&name=reqeusts&version=1.0.0")
	d.mustContain("#verdict", "allow")
	d.mustContain("#list-entry", "checked the maintainer and source")
	d.screenshot("05-package-allowed")

	// Expire the entry from the list page a minute later: the block is back.
	e.clock.Add(time.Minute)
	d.open(base + "/admin/lists")
	d.mustContain("tr.entry", "reqeusts")
	d.mustContain("tr.entry .status", "active")
	d.screenshot("06-lists")
	d.click("tr.entry button.expire")
	d.mustContain("p.notice", "expired")
	d.mustContain("tr.entry .status", "expired")
	d.screenshot("07-lists-expired")
	d.open(base + "/admin/package?eco=pypi&name=reqeusts&version=1.0.0")
	d.mustContain("#verdict", "block")
	d.screenshot("08-package-blocked-again")

	// The audit log shows every step, filtered to admin actions.
	d.open(base + "/admin/audit?kind=admin")
	d.mustContain("table.audit", "request.approve")
	d.screenshot("09-audit")
	d.open(base + "/admin/rules")
	d.mustContain("table.rules", "DEP-002")
	d.screenshot("10-rules")

	evs, _, err := e.st.Events(context.Background(), store.EventQuery{Kind: store.KindAdmin})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(evs) - 1; i >= 0; i-- {
		actions = append(actions, evs[i].Actor+" "+evs[i].Action)
	}
	want := []string{"alice request.create", "alice list.create", "alice request.approve", "alice list.expire"}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}
	t.Logf("screenshots in %s", d.shots)
}
