package upstream

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	const artifact = "0123456789abcdef"
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		switch r.URL.Path {
		case "/file.tgz":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Encoding", "gzip") // must pass through undecoded
			http.ServeContent(w, r, "file.tgz", time.Unix(0, 0), strings.NewReader(artifact))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
		default:
			code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
			w.WriteHeader(code)
		}
	}))
	defer srv.Close()
	c := newTestClient(t, testOptions())
	ctx := context.Background()

	resp, err := c.Open(ctx, srv.URL+"/file.tgz", nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || string(body) != artifact || resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Open = %d %q (encoding %q) err %v, want 200 %q raw", resp.StatusCode, body, resp.Header.Get("Content-Encoding"), err, artifact)
	}
	if got.Get("Accept-Encoding") != "identity" || got.Get("User-Agent") != testOptions().UserAgent {
		t.Errorf("request headers Accept-Encoding=%q User-Agent=%q, want identity and the configured agent", got.Get("Accept-Encoding"), got.Get("User-Agent"))
	}

	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(rand.Text())) // generated, not a literal
	hdr := http.Header{
		"Range":         {"bytes=4-7"},
		"Cookie":        {"session=downstream"},
		"X-Forwarded":   {"nope"},
		"Authorization": {auth},
	}
	resp, err = c.Open(ctx, srv.URL+"/file.tgz", hdr)
	if err != nil {
		t.Fatalf("Open with Range: %v", err)
	}
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(body) != "4567" {
		t.Errorf("Open with Range = %d %q, want 206 %q", resp.StatusCode, body, "4567")
	}
	if got.Get("Cookie") != "" || got.Get("X-Forwarded") != "" || got.Get("Authorization") != auth {
		t.Errorf("forwarded headers Cookie=%q X-Forwarded=%q Authorization=%q, want only Authorization", got.Get("Cookie"), got.Get("X-Forwarded"), got.Get("Authorization"))
	}

	for _, code := range []int{304, 416} {
		resp, err := c.Open(ctx, srv.URL+"/"+strconv.Itoa(code), nil)
		if err != nil {
			t.Errorf("Open(%d): %v, want the response", code, err)
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode != code {
			t.Errorf("Open(%d) status = %d", code, resp.StatusCode)
		}
	}
	for code, want := range map[int]error{404: policy.ErrNotFound, 410: policy.ErrNotFound, 500: policy.ErrUpstream, 403: policy.ErrUpstream} {
		resp, err := c.Open(ctx, srv.URL+"/"+strconv.Itoa(code), nil)
		if !errors.Is(err, want) || resp != nil {
			t.Errorf("Open(%d) = %v, %v; want nil, %v", code, resp, err, want)
		}
	}
	start := time.Now()
	short := newTestClient(t, shortTimeouts())
	// /slow holds its headers a minute; the bound leaves a loaded machine
	// room past the 200 ms header timeout.
	if _, err := short.Open(ctx, srv.URL+"/slow", nil); !errors.Is(err, policy.ErrUpstream) || time.Since(start) > 15*time.Second {
		t.Errorf("Open(slow) = %v after %s, want ErrUpstream after the header timeout", err, time.Since(start))
	}
}

func TestOpenBodyOutlivesHeaderTimeout(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		_, _ = io.WriteString(w, "01234")
		w.(http.Flusher).Flush()
		time.Sleep(2 * shortTimeouts().ResponseHeaderTimeout) // slow body is fine for artifacts
		_, _ = io.WriteString(w, "56789")
	}))
	defer srv.Close()
	c := newTestClient(t, shortTimeouts())
	resp, err := c.Open(context.Background(), srv.URL, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "0123456789" {
		t.Errorf("body = %q, %v; want %q", body, err, "0123456789")
	}
}

func TestOpenCallerCancel(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		_, _ = io.WriteString(w, "01234")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newTestClient(t, testOptions())
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := c.Open(ctx, srv.URL, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer resp.Body.Close()
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("reading after cancel succeeded, want an error")
	}
}

func TestForward(t *testing.T) {
	t.Parallel()
	var (
		calls   int
		gotBody string
		gotHdr  http.Header
		gotMeth string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		b, _ := io.ReadAll(r.Body)
		gotBody, gotHdr, gotMeth = string(b), r.Header.Clone(), r.Method
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "raw-bytes")
	}))
	defer srv.Close()
	c := newTestClient(t, testOptions())
	hdr := http.Header{
		"Content-Encoding": {"gzip"},
		"Npm-Command":      {"install"},
		"Connection":       {"X-Private"},
		"X-Private":        {"drop me"},
		"Keep-Alive":       {"timeout=5"},
	}
	resp, err := c.Forward(context.Background(), http.MethodPost, srv.URL+"/-/npm/v1/security/advisories/bulk", hdr, strings.NewReader("payload"), 100)
	if err != nil {
		t.Fatalf("Forward: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 503 || string(body) != "raw-bytes" || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Forward response = %d %q %q, want 503 raw-bytes gzip as is", resp.StatusCode, body, resp.Header.Get("Content-Encoding"))
	}
	if gotMeth != "POST" || gotBody != "payload" || gotHdr.Get("Npm-Command") != "install" || gotHdr.Get("Content-Encoding") != "gzip" {
		t.Errorf("upstream saw %s %q npm-command=%q content-encoding=%q", gotMeth, gotBody, gotHdr.Get("Npm-Command"), gotHdr.Get("Content-Encoding"))
	}
	if gotHdr.Get("X-Private") != "" || gotHdr.Get("Keep-Alive") != "" {
		t.Errorf("hop-by-hop headers forwarded: X-Private=%q Keep-Alive=%q", gotHdr.Get("X-Private"), gotHdr.Get("Keep-Alive"))
	}

	_, err = c.Forward(context.Background(), http.MethodPost, srv.URL, nil, strings.NewReader(strings.Repeat("x", 101)), 100)
	if !errors.Is(err, policy.ErrTooLarge) || calls != 1 {
		t.Errorf("Forward(oversized) = %v with %d upstream calls, want ErrTooLarge and no call", err, calls)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if _, err := c.Forward(context.Background(), http.MethodPost, dead.URL, nil, nil, 0); !errors.Is(err, policy.ErrUpstream) {
		t.Errorf("Forward(refused) = %v, want ErrUpstream", err)
	}
}
