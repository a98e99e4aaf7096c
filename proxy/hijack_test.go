package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The hijacked refusal speaks correct HTTP/1.x whatever the request: HEAD
// gets headers only, HTTP/1.0 and keep-alive clients see the connection
// close after one response, and the custom reason phrase arrives.
func TestWriteRefusalHijackedWire(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "abc")
		ref := refusal{status: http.StatusForbidden, reason: "too new (DEP-002)\r\nX-Evil: 1", body: []byte("blocked\n"),
			header: http.Header{"Content-Type": {"text/plain"}}}
		if err := writeRefusal(w, r, ref); err != nil {
			t.Errorf("writeRefusal: %v", err)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name, request string
		wantBody      string
	}{
		{"GET 1.1", "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", "blocked\n"},
		{"HEAD 1.1", "HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n", ""},
		{"GET 1.0", "GET /x HTTP/1.0\r\n\r\n", "blocked\n"},
		{"keep-alive pipelined", "GET /x HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\n\r\n", "blocked\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.WriteString(conn, tc.request); err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(conn) // returns only if the server closes
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			method := strings.Fields(tc.request)[0]
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(raw))), &http.Request{Method: method})
			if err != nil {
				t.Fatalf("parse %q: %v", raw, err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(resp.Status, "403 Blocked by vigil-proxy: too new (DEP-002)") {
				t.Errorf("status line %q", resp.Status)
			}
			if string(body) != tc.wantBody || resp.ContentLength != int64(len("blocked\n")) {
				t.Errorf("body %q (Content-Length %d), want %q", body, resp.ContentLength, tc.wantBody)
			}
			if resp.Header.Get("X-Evil") != "" || resp.Header.Get("X-Request-Id") != "abc" || !resp.Close {
				t.Errorf("headers %v (close=%t)", resp.Header, resp.Close)
			}
			if n := strings.Count(string(raw), "HTTP/1.1 "); n != 1 {
				t.Errorf("%d responses on the connection, want 1:\n%s", n, raw)
			}
		})
	}
}
