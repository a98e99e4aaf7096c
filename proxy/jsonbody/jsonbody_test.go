package jsonbody

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type body struct {
	Name    string     `json:"name"`
	Count   int        `json:"count"`
	Tags    []string   `json:"tags"`
	Until   *time.Time `json:"until"`
	Enabled bool       `json:"enabled"`
	Inner   struct {
		Version string `json:"version"`
	} `json:"inner"`
}

func decode(t *testing.T, in string, limit int64) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(in))
	dec := json.NewDecoder(http.MaxBytesReader(httptest.NewRecorder(), req.Body, limit))
	dec.DisallowUnknownFields()
	var b body
	err := dec.Decode(&b)
	if err == nil {
		t.Fatalf("decoding %q: no error", in)
	}
	return Problem(err, limit)
}

func TestProblem(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, "request body is empty"},
		{`{"name":`, "malformed JSON: unexpected end of input"},
		{`{"name" 1}`, "malformed JSON at byte 9: invalid character '1' after object key"},
		{`[1]`, "request body must be a JSON object"},
		{`{"name": 1}`, `field "name" must be a JSON string`},
		{`{"count": "x"}`, `field "count" must be a JSON number`},
		{`{"tags": "x"}`, `field "tags" must be a JSON array`},
		{`{"enabled": 1}`, `field "enabled" must be a JSON boolean`},
		{`{"inner": {"version": 1}}`, `field "inner.version" must be a JSON string`},
		{`{"until": 5}`, "a time must be a JSON string in RFC 3339 form, e.g. 2026-01-31T12:00:00Z"},
		{`{"until": "yesterday"}`, `invalid time "yesterday": want RFC 3339, e.g. 2026-01-31T12:00:00Z`},
		{`{"nope": 1}`, `unknown field "nope"`},
		{`{"name": "` + strings.Repeat("x", 100) + `"}`, "request body is larger than 64 bytes"},
	}
	for _, tc := range tests {
		if got := decode(t, tc.in, 64); got != tc.want {
			t.Errorf("Problem(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := decode(t, `{"name": "`+strings.Repeat("x", 3000)+`"}`, 2048); got != "request body is larger than 2 KiB" {
		t.Errorf("a 3 KB body under a 2 KiB limit: %q", got)
	}
	for _, tc := range tests {
		if got := decode(t, tc.in, 64); bytes.Contains([]byte(got), []byte("Go ")) || strings.Contains(got, "jsonbody.") || strings.Contains(got, "UnmarshalJSON") {
			t.Errorf("Problem(%q) = %q names Go types", tc.in, got)
		}
	}
}
