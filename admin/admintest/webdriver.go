// Package admintest drives the admin web UI in headless Chromium for tests:
// a minimal W3C WebDriver client talking to Debian's chromedriver, so browser
// tests need no extra Go module. Both the in-process UI test (package admin)
// and the end-to-end test against the real binary (deploy/e2e) use it.
//
// A missing chromium or chromedriver fails the test, naming the packages to
// install; it never skips.
package admintest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// BrowserPackages names the Debian packages the browser tests need and the
// command that installs them.
const BrowserPackages = "chromium chromium-driver (apt-get install -y chromium chromium-driver)"

// elementKey is the W3C WebDriver element reference key.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// DefaultWait is how long WaitUntil and MustContain poll by default: a
// page that is right returns at once, so the bound only decides when to
// give up, with room for Chromium on a loaded 2-core machine.
const DefaultWait = 30 * time.Second

// Browser is one WebDriver session on a headless Chromium with a fresh
// profile. Every method fails the test on a WebDriver error, except the Try*
// ones.
type Browser struct {
	// Wait bounds WaitUntil, MustContain and OpenUntil (DefaultWait when zero).
	Wait time.Duration

	t       testing.TB
	base    string // chromedriver URL
	session string
	client  *http.Client
	shots   string // screenshot directory
}

// lookBin returns the first of names found in PATH or as a path, failing the
// test with the install command otherwise.
func lookBin(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Fatalf("%s not found: the browser test needs the Debian packages %s", names[0], BrowserPackages)
	return ""
}

// freePort returns a loopback TCP port that is unused at the moment.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartBrowser runs chromedriver and opens a headless Chromium session with
// a fresh profile; both are stopped when the test ends. Screenshots go to
// $VIGIL_SCREENSHOT_DIR, or to a temporary directory when it is unset.
func StartBrowser(t testing.TB) *Browser {
	t.Helper()
	driver := lookBin(t, "chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
	chrome := lookBin(t, "chromium", "/usr/bin/chromium", "chromium-browser")
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, driver, fmt.Sprintf("--port=%d", port), "--allowed-ips=127.0.0.1")
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start chromedriver: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait() // killed on purpose: the exit status says nothing
	})
	b := &Browser{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), client: &http.Client{Timeout: 60 * time.Second}}
	deadline := time.Now().Add(time.Minute) // a loaded machine starts it slowly
	for {
		resp, err := b.client.Get(b.base + "/status")
		if err == nil {
			var st struct {
				Value struct{ Ready bool }
			}
			_ = json.NewDecoder(resp.Body).Decode(&st) // not ready yet: poll again
			resp.Body.Close()
			if st.Value.Ready {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not become ready: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	profile := t.TempDir()
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": chrome,
			"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--no-first-run", "--window-size=1366,900", "--user-data-dir=" + profile},
		},
	}}}
	var created struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.try(http.MethodPost, "/session", caps, &created); err != nil || created.SessionID == "" {
		t.Fatalf("no WebDriver session: %v\n%s", err, logs.String())
	}
	b.session = "/session/" + created.SessionID
	t.Cleanup(func() { _ = b.try(http.MethodDelete, b.session, nil, nil) }) // chromedriver is stopped next anyway
	b.shots = os.Getenv("VIGIL_SCREENSHOT_DIR")
	if b.shots == "" {
		b.shots = t.TempDir()
	}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatalf("create screenshot directory: %v", err)
	}
	return b
}

// ScreenshotDir is where Screenshot writes its files.
func (b *Browser) ScreenshotDir() string { return b.shots }

// call sends one WebDriver command and decodes its "value" into out; any
// failure ends the test.
func (b *Browser) call(method, path string, in, out any) {
	b.t.Helper()
	if err := b.try(method, path, in, out); err != nil {
		b.t.Fatal(err)
	}
}

// try is call that returns the failure instead.
func (b *Browser) try(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("webdriver %s %s: encode: %w", method, path, err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: read: %w", method, path, err)
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("webdriver %s %s: %w: %.300s", method, path, err, raw)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webdriver %s %s = %d: %.500s", method, path, resp.StatusCode, env.Value)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Value, out); err != nil {
		return fmt.Errorf("webdriver %s %s: decode %.300s: %w", method, path, env.Value, err)
	}
	return nil
}

// Open navigates to url and waits for the page to load.
func (b *Browser) Open(url string) {
	b.t.Helper()
	b.call(http.MethodPost, b.session+"/url", map[string]string{"url": url}, nil)
}

// Find returns the reference of the first element matching css.
func (b *Browser) Find(css string) string {
	b.t.Helper()
	var el map[string]string
	b.call(http.MethodPost, b.session+"/element", map[string]string{"using": "css selector", "value": css}, &el)
	if el[elementKey] == "" {
		b.t.Fatalf("find %s: %v", css, el)
	}
	return el[elementKey]
}

// Count returns how many elements match css.
func (b *Browser) Count(css string) int {
	b.t.Helper()
	var els []map[string]string
	b.call(http.MethodPost, b.session+"/elements", map[string]string{"using": "css selector", "value": css}, &els)
	return len(els)
}

// Click clicks the first element matching css.
func (b *Browser) Click(css string) {
	b.t.Helper()
	b.call(http.MethodPost, b.session+"/element/"+b.Find(css)+"/click", map[string]any{}, nil)
}

// TypeInto types text into the first element matching css.
func (b *Browser) TypeInto(css, text string) {
	b.t.Helper()
	b.call(http.MethodPost, b.session+"/element/"+b.Find(css)+"/value", map[string]string{"text": text}, nil)
}

// Text returns the rendered text of the first element matching css.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	var s string
	b.call(http.MethodGet, b.session+"/element/"+b.Find(css)+"/text", nil, &s)
	return s
}

// TryText reads an element's rendered text, or "" while it is absent or the
// page is changing under it.
func (b *Browser) TryText(css string) string {
	var el map[string]string
	if b.try(http.MethodPost, b.session+"/element", map[string]string{"using": "css selector", "value": css}, &el) != nil {
		return ""
	}
	var s string
	if b.try(http.MethodGet, b.session+"/element/"+el[elementKey]+"/text", nil, &s) != nil {
		return ""
	}
	return s
}

// URL returns the current page's URL.
func (b *Browser) URL() string {
	b.t.Helper()
	var s string
	b.call(http.MethodGet, b.session+"/url", nil, &s)
	return s
}

// Title returns the current page's title.
func (b *Browser) Title() string {
	b.t.Helper()
	var s string
	b.call(http.MethodGet, b.session+"/title", nil, &s)
	return s
}

// Tab presses Tab on the focused element and returns the newly focused
// element's tag and text ("a:Dashboard"), to check keyboard navigation.
func (b *Browser) Tab() string {
	b.t.Helper()
	var active map[string]string
	b.call(http.MethodGet, b.session+"/element/active", nil, &active)
	b.call(http.MethodPost, b.session+"/element/"+active[elementKey]+"/value", map[string]string{"text": "\uE004"}, nil)
	b.call(http.MethodGet, b.session+"/element/active", nil, &active)
	var tag, txt string
	b.call(http.MethodGet, b.session+"/element/"+active[elementKey]+"/name", nil, &tag)
	b.call(http.MethodGet, b.session+"/element/"+active[elementKey]+"/text", nil, &txt)
	return tag + ":" + txt
}

// Screenshot saves the viewport as name.png in ScreenshotDir and returns
// the file's path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	var b64 string
	b.call(http.MethodGet, b.session+"/screenshot", nil, &b64)
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		b.t.Fatalf("screenshot %s is not a PNG", name)
	}
	p := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatalf("write screenshot: %v", err)
	}
	return p
}

func (b *Browser) wait() time.Duration {
	if b.Wait > 0 {
		return b.Wait
	}
	return DefaultWait
}

// WaitUntil polls cond until it holds (a click may still be navigating); on
// timeout it saves a screenshot named "failure" and fails with what().
func (b *Browser) WaitUntil(what func() string, cond func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(b.wait())
	for !cond() {
		if time.Now().After(deadline) {
			var u string
			_ = b.try(http.MethodGet, b.session+"/url", nil, &u) // best effort, for the message
			b.t.Fatalf("at %s: timed out waiting for %s (screenshot %s)", u, what(), b.Screenshot("failure"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// MustContain waits for the first element matching css to contain want,
// case-insensitively (CSS may upper-case text).
func (b *Browser) MustContain(css, want string) {
	b.t.Helper()
	var got string
	what := func() string { return fmt.Sprintf("%s to contain %q (last read %q)", css, want, got) }
	b.WaitUntil(what, func() bool {
		got = b.TryText(css)
		return containsFold(got, want)
	})
}

// OpenUntil loads url again and again until the first element matching css
// contains want, for pages that show data written asynchronously (the audit
// trail is written in batches).
func (b *Browser) OpenUntil(url, css, want string) {
	b.t.Helper()
	var got string
	what := func() string { return fmt.Sprintf("%s on %s to contain %q (last read %q)", css, url, want, got) }
	b.WaitUntil(what, func() bool {
		if b.try(http.MethodPost, b.session+"/url", map[string]string{"url": url}, nil) != nil {
			return false
		}
		got = b.TryText(css)
		return containsFold(got, want)
	})
}

// Login signs in on base+"/admin/login" with the form and waits for the
// dashboard.
func (b *Browser) Login(base, user, password string) {
	b.t.Helper()
	b.Open(base + "/admin/login")
	b.TypeInto("#username", user)
	b.TypeInto("#password", password)
	b.Click("#login")
	what := func() string {
		return fmt.Sprintf("the dashboard after signing in as %s (title %q)", user, b.tryTitle())
	}
	b.WaitUntil(what, func() bool { return strings.HasPrefix(b.tryTitle(), "Dashboard") })
}

func (b *Browser) tryTitle() string {
	var s string
	_ = b.try(http.MethodGet, b.session+"/title", nil, &s) // "" while navigating
	return s
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// lockedBuffer collects chromedriver's output, which exec's copying
// goroutines write while a failing test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
