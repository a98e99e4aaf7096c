package admin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/admin/admintest"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// TestBrowserApprovalFlow drives the UI in headless Chromium: sign in, see a
// blocked download on the dashboard, file a request from it, approve it, see
// the verdict turn to allow, expire the entry and see the block return.
// Screenshots of each main page go to $VIGIL_SCREENSHOT_DIR (default: a
// temp dir). It fails, never skips, without chromium and chromedriver.
func TestBrowserApprovalFlow(t *testing.T) {
	e := newEnv(t, nil)
	d := admintest.StartBrowser(t)
	base := e.ts.URL
	e.recordBlock("reqeusts", "1.0.0")

	// Unauthenticated: the login form, with a 401 behind it.
	d.Open(base + "/admin/")
	if d.Count("#password") != 1 {
		t.Fatalf("no login form at %s", d.URL())
	}
	d.Screenshot("01-login")
	d.TypeInto("#username", "alice")
	d.TypeInto("#password", e.password)
	d.Click("#login")

	// Dashboard: the blocked event is there.
	d.WaitUntil(func() string { return "the dashboard after login" }, func() bool { return strings.HasPrefix(d.Title(), "Dashboard") })
	d.MustContain("tr.block-event", "reqeusts")
	d.MustContain("tr.block-event", "DEP-002")
	d.Screenshot("02-dashboard")

	// Keyboard: the skip link comes first, then the navigation.
	d.Open(base + "/admin/")
	if got := d.Tab(); got != "a:Skip to content" {
		t.Errorf("first Tab focuses %q, want the skip link", got)
	}
	if got := d.Tab(); got != "a:Dashboard" {
		t.Errorf("second Tab focuses %q, want the Dashboard link", got)
	}

	// The package page shows the block before any exception.
	d.Open(base + "/admin/package?eco=pypi&name=reqeusts&version=1.0.0")
	d.MustContain("#verdict", "block")
	d.Screenshot("03-package-blocked")

	// File a request from the dashboard's blocked event.
	d.Open(base + "/admin/")
	d.Click("tr.block-event a.button")
	d.MustContain("#new-request", "reqeusts")
	d.TypeInto("#r-justification", "needed for the data pipeline")
	d.Click("#file-request")
	d.MustContain("p.notice", "Request filed")
	d.MustContain("tr.request", "needed for the data pipeline")
	d.Screenshot("04-requests")

	// Approve it with a reason.
	d.TypeInto("form.approve input[name=reason]", "checked the maintainer and source")
	d.Click("form.approve button")
	d.MustContain("p.notice", "approved")
	if n := d.Count("tr.request"); n != 0 {
		t.Errorf("%d pending requests after approval, want 0", n)
	}

	// The verdict is now allow, decided by the new allow entry.
	d.Open(base + "/admin/package?eco=pypi&name=reqeusts&version=1.0.0")
	d.MustContain("#verdict", "allow")
	d.MustContain("#list-entry", "checked the maintainer and source")
	d.Screenshot("05-package-allowed")

	// Expire the entry from the list page a minute later: the block is back.
	e.clock.Add(time.Minute)
	d.Open(base + "/admin/lists")
	d.MustContain("tr.entry", "reqeusts")
	d.MustContain("tr.entry .status", "active")
	d.Screenshot("06-lists")
	d.Click("tr.entry button.expire")
	d.MustContain("p.notice", "expired")
	d.MustContain("tr.entry .status", "expired")
	d.Screenshot("07-lists-expired")
	d.Open(base + "/admin/package?eco=pypi&name=reqeusts&version=1.0.0")
	d.MustContain("#verdict", "block")
	d.Screenshot("08-package-blocked-again")

	// The audit log shows every step, filtered to admin actions.
	d.Open(base + "/admin/audit?kind=admin")
	d.MustContain("table.audit", "request.approve")
	d.Screenshot("09-audit")
	d.Open(base + "/admin/rules")
	d.MustContain("table.rules", "DEP-002")
	d.Screenshot("10-rules")

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
	t.Logf("screenshots in %s", d.ScreenshotDir())
}
