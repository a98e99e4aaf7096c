package admin

import (
	"net/http"
	"testing"
)

// A malformed audit cursor is the client's mistake, said once and plainly
// (it used to read "query events: query events: cursor \"…\": want 32 hex
// characters: …").
func TestEventsRejectsMalformedCursor(t *testing.T) {
	e := newEnv(t, nil)
	code, body := e.do(http.MethodGet, "/api/v1/events?cursor=%00garbage", e.viewerToken, nil)
	if code != http.StatusBadRequest || string(body) != `{"error":"cursor: not the next value of a previous page"}`+"\n" {
		t.Errorf("bad cursor: %d %s", code, body)
	}
}
