package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// get accepts the expected bytes (plain, or gzip-encoded when gzip was
// asked for) and reports anything else as a bad body or an error.
func TestGetChecksEveryBody(t *testing.T) {
	want := []byte(`{"name":"x","versions":{}}`)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(want)
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good":
			w.Write(want)
		case "/short":
			w.Write(want[:10])
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(zipped.Bytes())
		case "/missing":
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	gzHeader := []string{"Accept-Encoding: gzip"}
	for _, tc := range []struct {
		path    string
		headers []string
		gz      bool
		wantErr error
		anyErr  bool
	}{
		{path: "/good"},
		{path: "/short", wantErr: errBadBody},
		{path: "/gzip", headers: gzHeader, gz: true},
		{path: "/good", headers: gzHeader, gz: true, wantErr: errBadBody}, // not gzip-encoded
		{path: "/missing", anyErr: true},
	} {
		err := get(context.Background(), client, srv.URL+tc.path, tc.headers, tc.gz, want)
		switch {
		case tc.anyErr:
			if err == nil || errors.Is(err, errBadBody) {
				t.Errorf("%s: err %v, want a non-body error", tc.path, err)
			}
		case tc.wantErr == nil && err != nil:
			t.Errorf("%s (gzip %v): %v, want no error", tc.path, tc.gz, err)
		case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
			t.Errorf("%s (gzip %v): %v, want %v", tc.path, tc.gz, err, tc.wantErr)
		}
	}
}
