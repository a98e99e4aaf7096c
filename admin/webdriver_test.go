package admin

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
	"testing"
	"time"
)

// A minimal W3C WebDriver client for driving headless Chromium through
// Debian's chromedriver, so the browser test needs no extra Go module.

// browserPackages are the Debian packages the browser test needs.
const browserPackages = "chromium chromium-driver (apt-get install -y chromium chromium-driver)"

const elementKey = "element-6066-11e4-a52e-4f735466cecf"

type webDriver struct {
	t       *testing.T
	base    string // chromedriver URL
	session string
	client  *http.Client
	shots   string // screenshot directory
}

func lookBin(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Fatalf("%s not found: the browser test needs the Debian packages %s", names[0], browserPackages)
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startBrowser runs chromedriver and opens a headless Chromium session with
// a fresh profile. Both are stopped when the test ends.
func startBrowser(t *testing.T) *webDriver {
	t.Helper()
	driver := lookBin(t, "chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
	chrome := lookBin(t, "chromium", "/usr/bin/chromium", "chromium-browser")
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, driver, fmt.Sprintf("--port=%d", port), "--allowed-ips=127.0.0.1")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start chromedriver: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	d := &webDriver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), client: &http.Client{Timeout: 60 * time.Second}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := d.client.Get(d.base + "/status")
		if err == nil {
			var st struct {
				Value struct{ Ready bool }
			}
			_ = json.NewDecoder(resp.Body).Decode(&st)
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
	d.call(http.MethodPost, "/session", caps, &created)
	if created.SessionID == "" {
		t.Fatalf("no WebDriver session\n%s", logs.String())
	}
	d.session = "/session/" + created.SessionID
	t.Cleanup(func() { d.call(http.MethodDelete, d.session, nil, nil) })
	d.shots = os.Getenv("VIGIL_SCREENSHOT_DIR")
	if d.shots == "" {
		d.shots = t.TempDir()
	}
	if err := os.MkdirAll(d.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// call sends one WebDriver command and decodes its "value" into out; any
// failure ends the test.
func (d *webDriver) call(method, path string, in, out any) {
	d.t.Helper()
	if err := d.try(method, path, in, out); err != nil {
		d.t.Fatal(err)
	}
}

// try is call that returns the failure instead.
func (d *webDriver) try(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, d.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
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

func (d *webDriver) open(url string) {
	d.t.Helper()
	d.call(http.MethodPost, d.session+"/url", map[string]string{"url": url}, nil)
}

func (d *webDriver) find(css string) string {
	d.t.Helper()
	var el map[string]string
	d.call(http.MethodPost, d.session+"/element", map[string]string{"using": "css selector", "value": css}, &el)
	if el[elementKey] == "" {
		d.t.Fatalf("find %s: %v", css, el)
	}
	return el[elementKey]
}

func (d *webDriver) count(css string) int {
	d.t.Helper()
	var els []map[string]string
	d.call(http.MethodPost, d.session+"/elements", map[string]string{"using": "css selector", "value": css}, &els)
	return len(els)
}

func (d *webDriver) click(css string) {
	d.t.Helper()
	d.call(http.MethodPost, d.session+"/element/"+d.find(css)+"/click", map[string]any{}, nil)
}

func (d *webDriver) typeInto(css, text string) {
	d.t.Helper()
	d.call(http.MethodPost, d.session+"/element/"+d.find(css)+"/value", map[string]string{"text": text}, nil)
}

func (d *webDriver) text(css string) string {
	d.t.Helper()
	var s string
	d.call(http.MethodGet, d.session+"/element/"+d.find(css)+"/text", nil, &s)
	return s
}

func (d *webDriver) url() string {
	d.t.Helper()
	var s string
	d.call(http.MethodGet, d.session+"/url", nil, &s)
	return s
}

func (d *webDriver) title() string {
	d.t.Helper()
	var s string
	d.call(http.MethodGet, d.session+"/title", nil, &s)
	return s
}

// tab presses Tab on the focused element and returns the newly focused
// element's tag and text, to check keyboard navigation.
func (d *webDriver) tab() string {
	d.t.Helper()
	var active map[string]string
	d.call(http.MethodGet, d.session+"/element/active", nil, &active)
	d.call(http.MethodPost, d.session+"/element/"+active[elementKey]+"/value", map[string]string{"text": "\uE004"}, nil)
	d.call(http.MethodGet, d.session+"/element/active", nil, &active)
	var tag, txt string
	d.call(http.MethodGet, d.session+"/element/"+active[elementKey]+"/name", nil, &tag)
	d.call(http.MethodGet, d.session+"/element/"+active[elementKey]+"/text", nil, &txt)
	return tag + ":" + txt
}

// screenshot saves the viewport as name.png in the screenshot directory.
func (d *webDriver) screenshot(name string) string {
	d.t.Helper()
	var b64 string
	d.call(http.MethodGet, d.session+"/screenshot", nil, &b64)
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		d.t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		d.t.Fatalf("screenshot %s is not a PNG", name)
	}
	p := filepath.Join(d.shots, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		d.t.Fatal(err)
	}
	return p
}

// tryText reads an element's rendered text, or "" while it is absent or
// the page is changing under it.
func (d *webDriver) tryText(css string) string {
	var el map[string]string
	if d.try(http.MethodPost, d.session+"/element", map[string]string{"using": "css selector", "value": css}, &el) != nil {
		return ""
	}
	var s string
	if d.try(http.MethodGet, d.session+"/element/"+el[elementKey]+"/text", nil, &s) != nil {
		return ""
	}
	return s
}

// waitUntil polls cond for up to 10s (a click may still be navigating); on
// timeout it saves a screenshot and fails.
func (d *webDriver) waitUntil(what func() string, cond func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			var u string
			_ = d.try(http.MethodGet, d.session+"/url", nil, &u)
			d.t.Fatalf("at %s: timed out waiting for %s (screenshot %s)", u, what(), d.screenshot("failure"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mustContain waits for the element to contain want, case-insensitively
// (CSS may upper-case text).
func (d *webDriver) mustContain(css, want string) {
	d.t.Helper()
	var got string
	what := func() string { return fmt.Sprintf("%s to contain %q (last read %q)", css, want, got) }
	d.waitUntil(what, func() bool {
		got = d.tryText(css)
		return strings.Contains(strings.ToLower(got), strings.ToLower(want))
	})
}
