package proxy_test

import (
	"net/http"
	"strings"
	"testing"
)

// The User-Agent goes with every decision to webhooks (the OnBlock hook
// gets the event before the store's recorder cuts it to 512 bytes) and to
// the request log: a client's 60 KB header is kept to its first 200 bytes.
func TestAuditKeepsAShortClientName(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	ua := "npm/11.19.1 node/v20 " + strings.Repeat("x", 60000)
	wantStatus(t, e.get("/npm/brand-new", "User-Agent: "+ua), http.StatusForbidden)
	wantStatus(t, e.get("/api/v1/check/npm/brand-new", "User-Agent: "+ua), http.StatusOK)
	evs := e.events.find("brand-new", "")
	if len(evs) < 2 {
		t.Fatalf("%d events for brand-new, want a decision and a question", len(evs))
	}
	for _, ev := range evs {
		if len(ev.Client) > 200+len("…") || !strings.HasPrefix(ev.Client, "npm/11.19.1 node/v20 xxx") || !strings.HasSuffix(ev.Client, "…") {
			t.Errorf("%s event client has %d bytes (%.40q…), want the first 200 and an ellipsis", ev.Route, len(ev.Client), ev.Client)
		}
	}
}
