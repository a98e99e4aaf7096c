package upstream

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

// testOptions has generous timeouts, so tests that expect success do not
// flake on a loaded machine, and a 1 MiB document cap.
func testOptions() Options {
	return Options{
		ConnectTimeout:        5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		DocumentTimeout:       20 * time.Second,
		MaxDocumentBytes:      1 << 20,
		UserAgent:             "vigil-proxy/test (+https://example.invalid/vigil)",
	}
}

// shortTimeouts is testOptions with short deadlines, for tests that expect
// a timeout.
func shortTimeouts() Options {
	o := testOptions()
	o.ResponseHeaderTimeout = 200 * time.Millisecond
	o.DocumentTimeout = 500 * time.Millisecond
	return o
}

func newTestClient(t *testing.T, opts Options) *Client {
	t.Helper()
	c := New(opts)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGetDocumentOK(t *testing.T) {
	t.Parallel()
	const body = `{"name":"left-pad"}`
	tests := []struct {
		name string
		gzip bool
	}{
		{name: "plain"},
		{name: "gzip", gzip: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got http.Header
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				w.Header().Set("ETag", `"v1"`)
				w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
				w.Header().Set("Content-Type", "application/json")
				if tc.gzip {
					w.Header().Set("Content-Encoding", "gzip")
					_, _ = w.Write(gzipBytes(t, []byte(body)))
					return
				}
				_, _ = io.WriteString(w, body)
			}))
			defer srv.Close()
			c := newTestClient(t, testOptions())
			auth := "Bearer " + rand.Text() // generated per run: no credential literals in the tree
			doc, err := c.GetDocument(context.Background(), DocumentRequest{
				URL:    srv.URL + "/left-pad",
				Accept: "application/json",
				Header: http.Header{"Authorization": {auth}},
			})
			if err != nil {
				t.Fatalf("GetDocument: %v", err)
			}
			if string(doc.Body) != body {
				t.Errorf("Body = %q, want %q", doc.Body, body)
			}
			want := Document{ETag: `"v1"`, LastModified: "Mon, 02 Jan 2006 15:04:05 GMT", ContentType: "application/json", Status: 200, FinalURL: srv.URL + "/left-pad"}
			doc.Body, doc.Header = nil, nil
			if diff := cmp.Diff(want, doc); diff != "" {
				t.Errorf("Document mismatch (-want +got):\n%s", diff)
			}
			for k, v := range map[string]string{
				"Accept-Encoding": "gzip",
				"Accept":          "application/json",
				"Authorization":   auth,
				"User-Agent":      testOptions().UserAgent,
				"If-None-Match":   "",
			} {
				if got.Get(k) != v {
					t.Errorf("request header %s = %q, want %q", k, got.Get(k), v)
				}
			}
		})
	}
}

func TestGetDocumentNotModified(t *testing.T) {
	t.Parallel()
	var inm string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inm = r.Header.Get("If-None-Match")
		if inm == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, "new")
	}))
	defer srv.Close()
	c := newTestClient(t, testOptions())
	doc, err := c.GetDocument(context.Background(), DocumentRequest{URL: srv.URL + "/x", ETag: `"v1"`})
	if err != nil {
		t.Fatalf("GetDocument: %v", err)
	}
	if inm != `"v1"` {
		t.Errorf("If-None-Match = %q, want %q", inm, `"v1"`)
	}
	if !doc.NotModified || doc.Body != nil || doc.Status != 304 || doc.ETag != `"v1"` {
		t.Errorf("got NotModified=%v Body=%q Status=%d ETag=%q, want true nil 304 \"v1\"", doc.NotModified, doc.Body, doc.Status, doc.ETag)
	}
}

func TestGetDocumentStatusMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		etag   string
		want   error
	}{
		{status: 404, want: policy.ErrNotFound},
		{status: 410, want: policy.ErrNotFound},
		{status: 500, want: policy.ErrUpstream},
		{status: 502, want: policy.ErrUpstream},
		{status: 503, want: policy.ErrUpstream},
		{status: 429, want: policy.ErrUpstream},
		{status: 403, want: policy.ErrUpstream},
		{status: 206, want: policy.ErrUpstream},
		{status: 304, etag: "", want: policy.ErrUpstream}, // 304 without a conditional request
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, "error page")
			}))
			defer srv.Close()
			c := newTestClient(t, testOptions())
			u := srv.URL + "/pkg/missing"
			_, err := c.GetDocument(context.Background(), DocumentRequest{URL: u, ETag: tc.etag})
			if !errors.Is(err, tc.want) {
				t.Fatalf("GetDocument(%d) error = %v, want %v", tc.status, err, tc.want)
			}
			for _, s := range []string{strconv.Itoa(tc.status), u} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestGetDocumentFailures(t *testing.T) {
	t.Parallel()
	// Stored (uncompressed) gzip of 2 MiB: the raw body alone exceeds the cap.
	var stored bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&stored, gzip.NoCompression)
	_, _ = zw.Write(make([]byte, 2<<20))
	_ = zw.Close()
	noiseGzip := stored.Bytes()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    error
	}{
		{
			name: "connection reset",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					_ = conn.Close()
				}
			},
			want: policy.ErrUpstream,
		},
		{
			name: "reset mid body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, err := w.(http.Hijacker).Hijack()
				if err != nil {
					return
				}
				_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
				_ = buf.Flush()
				_ = conn.Close()
			},
			want: policy.ErrUpstream,
		},
		{
			name: "truncated body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000")
				_, _ = io.WriteString(w, "only a little")
			},
			want: policy.ErrUpstream,
		},
		{
			name: "malformed gzip",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = io.WriteString(w, "this is not gzip at all")
			},
			want: policy.ErrUpstream,
		},
		{
			name: "truncated gzip",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				z := gzipBytes(t, bytes.Repeat([]byte("abc"), 1000))
				_, _ = w.Write(z[:len(z)-10])
			},
			want: policy.ErrUpstream,
		},
		{
			name: "unsupported encoding",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "br")
				_, _ = io.WriteString(w, "x")
			},
			want: policy.ErrUpstream,
		},
		{
			name: "oversized plain body with length",
			handler: func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write(make([]byte, 2<<20))
			},
			want: policy.ErrTooLarge,
		},
		{
			name: "oversized chunked body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				for range 40 {
					_, _ = w.Write(make([]byte, 64<<10))
					w.(http.Flusher).Flush()
				}
			},
			want: policy.ErrTooLarge,
		},
		{
			name: "oversized raw gzip",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(noiseGzip)
			},
			want: policy.ErrTooLarge,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			c := newTestClient(t, testOptions())
			start := time.Now()
			doc, err := c.GetDocument(context.Background(), DocumentRequest{URL: srv.URL + "/doc"})
			if !errors.Is(err, tc.want) {
				t.Fatalf("GetDocument error = %v (body %d bytes), want %v", err, len(doc.Body), tc.want)
			}
			// Well under the 10 s header timeout a hang would end in;
			// roomy for -race on a loaded machine.
			if d := time.Since(start); d > 8*time.Second {
				t.Errorf("GetDocument took %s, want fail fast", d)
			}
		})
	}
}

func TestGetDocumentTimeouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{
			name: "header timeout",
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(time.Minute):
				}
			},
			want: "response header timeout after 200ms",
		},
		{
			name: "document timeout",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100")
				_, _ = io.WriteString(w, "partial")
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-time.After(time.Minute):
				}
			},
			want: "document timeout after 500ms",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			c := newTestClient(t, shortTimeouts())
			start := time.Now()
			_, err := c.GetDocument(context.Background(), DocumentRequest{URL: srv.URL})
			if !errors.Is(err, policy.ErrUpstream) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want ErrUpstream and DeadlineExceeded mentioning %q", err, tc.want)
			}
			// The handlers hold the response a minute; the bound leaves
			// a loaded machine room past the 200 ms / 500 ms deadlines.
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("GetDocument took %s, want about the deadline", d)
			}
		})
	}
}

func TestGetDocumentCallerCancel(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newTestClient(t, testOptions())
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := c.GetDocument(ctx, DocumentRequest{URL: srv.URL})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, policy.ErrUpstream) {
		t.Errorf("error = %v, want context.Canceled and ErrUpstream", err)
	}
}

func TestGetDocumentGzipBomb(t *testing.T) {
	// Not parallel: measures process-wide allocation.
	// 32 concatenated gzip members of 1 MiB of zeros each: one valid
	// multi-member stream (~32 KiB) that expands to 32 MiB.
	bomb := bytes.Repeat(gzipBytes(t, make([]byte, 1<<20)), 32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb)
	}))
	defer srv.Close()
	c := newTestClient(t, testOptions()) // 1 MiB cap

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.GetDocument(context.Background(), DocumentRequest{URL: srv.URL})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, policy.ErrTooLarge) {
		t.Fatalf("GetDocument(gzip bomb) error = %v, want ErrTooLarge", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("gzip bomb allocated %d bytes, want < 8 MiB (expansion is 32 MiB)", alloc)
	}
}

func TestGetDocumentRedirects(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "evil")
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/simple/pkg":
			http.Redirect(w, r, "/simple/pkg/", http.StatusMovedPermanently)
		case "/simple/pkg/":
			_, _ = io.WriteString(w, "ok")
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/scheme":
			http.Redirect(w, r, "https://"+r.Host+"/simple/pkg/", http.StatusFound)
		default: // /loop/N redirects forever
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/loop/"))
			http.Redirect(w, r, "/loop/"+strconv.Itoa(n+1), http.StatusFound)
		}
	}))
	defer srv.Close()
	c := newTestClient(t, testOptions())

	doc, err := c.GetDocument(context.Background(), DocumentRequest{URL: srv.URL + "/simple/pkg"})
	if err != nil || string(doc.Body) != "ok" || doc.FinalURL != srv.URL+"/simple/pkg/" {
		t.Errorf("same-host redirect: body %q final %q err %v, want ok %s/simple/pkg/", doc.Body, doc.FinalURL, err, srv.URL)
	}
	for _, path := range []string{"/away", "/scheme", "/loop/0"} {
		_, err := c.GetDocument(context.Background(), DocumentRequest{URL: srv.URL + path})
		if !errors.Is(err, policy.ErrUpstream) {
			t.Errorf("GetDocument(%s) error = %v, want ErrUpstream", path, err)
		}
	}
}

func TestErrorsStripUserinfo(t *testing.T) {
	t.Parallel()
	// Credentials are generated per run so no credential literal is in the tree.
	user, pass, headerCred := "u"+rand.Text(), "p"+rand.Text(), rand.Text()
	userinfo := "http://" + user + ":" + pass + "@"
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			w.WriteHeader(500)
		case "/away":
			http.Redirect(w, r, strings.Replace(other.URL, "http://", userinfo, 1), http.StatusFound)
		case "/reset":
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
		}
	}))
	defer srv.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	withCreds := func(base, path string) string {
		return strings.Replace(base, "http://", userinfo, 1) + path
	}
	c := newTestClient(t, testOptions())
	urls := []string{
		withCreds(srv.URL, "/500"),
		withCreds(srv.URL, "/away"),
		withCreds(srv.URL, "/reset"),
		withCreds(deadURL, "/refused"),
		userinfo + "127.0.0.1:1/%zz",
		"ftp://" + user + ":" + pass + "@example.invalid/x",
	}
	for _, u := range urls {
		_, err := c.GetDocument(context.Background(), DocumentRequest{URL: u, Header: http.Header{"Authorization": {"Bearer " + headerCred}}})
		if err == nil {
			t.Errorf("GetDocument(%s) succeeded, want error", u)
			continue
		}
		for _, secret := range []string{user, pass, headerCred} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("GetDocument error %q leaks %q", err, secret)
			}
		}
		_, err = c.Open(context.Background(), u, nil)
		if err == nil || strings.Contains(err.Error(), pass) || strings.Contains(err.Error(), user) {
			t.Errorf("Open(%s) error = %v, want an error without userinfo", u, err)
		}
	}
}
