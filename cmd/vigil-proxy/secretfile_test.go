package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A *_FILE secret that cannot be read names the variable and the file (it
// used to say only "start-up: no such file"), and one that is not a regular
// file (/dev/zero used to be read until the process was killed) or is huge
// is refused at once.
func TestSecretFileProblemsNameTheVariable(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 100<<10)), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		variable, path, want string
	}{
		{"VIGIL_ADMIN_TOKEN_FILE", missing, "VIGIL_ADMIN_TOKEN_FILE " + missing + ": no such file"},
		{"VIGIL_ADMIN_TOKEN_FILE", "/dev/zero", "VIGIL_ADMIN_TOKEN_FILE /dev/zero: not a regular file"},
		{"VIGIL_VIEWER_PASSWORD_HASH_FILE", dir, "VIGIL_VIEWER_PASSWORD_HASH_FILE " + dir + ": not a regular file"},
		{"VIGIL_ADMIN_TOKEN_FILE", big, "VIGIL_ADMIN_TOKEN_FILE " + big + ": larger than 64 KiB"},
	} {
		for _, cmd := range []string{"serve", "config"} {
			environ := map[string]string{
				"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_LISTEN": "127.0.0.1:0", "VIGIL_ADMIN_LISTEN": "127.0.0.1:0",
				"VIGIL_POPULARITY_ONLINE": "false", "VIGIL_MALWARE_FEED_URL": "", "VIGIL_LOG_FORMAT": "text",
				tc.variable: tc.path,
			}
			start := time.Now()
			code, _, stderr := runCLI(t, environ, "", cmd)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("%s with %s=%s: exit %d, stderr %q; want exit 2 saying %q", cmd, tc.variable, tc.path, code, stderr, tc.want)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("%s with %s=%s took %v", cmd, tc.variable, tc.path, d)
			}
		}
	}
}

// `vigil-proxy config` refuses the admin credentials `serve` refuses, as the
// README promises ("it rejects what serve would reject"); it used to print
// the configuration and exit 0.
func TestConfigRejectsBadAdminCredentials(t *testing.T) {
	for _, tc := range []struct {
		variable, value, want string
	}{
		{"VIGIL_ADMIN_TOKEN", "short", "VIGIL_ADMIN_TOKEN is too short"},
		{"VIGIL_VIEWER_PASSWORD_HASH", "notahash", "VIGIL_VIEWER_PASSWORD_HASH is not a bcrypt hash"},
		{"VIGIL_SESSION_KEY", "short", "VIGIL_SESSION_KEY is shorter than 32 characters"},
	} {
		environ := map[string]string{"VIGIL_DATA_DIR": t.TempDir(), tc.variable: tc.value}
		if tc.variable == "VIGIL_SESSION_KEY" {
			environ["VIGIL_ADMIN_TOKEN"] = strings.Repeat("t", 24)
		}
		code, stdout, stderr := runCLI(t, environ, "", "config")
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("config with %s=%s: exit %d, stdout %.80q, stderr %q; want exit 2 saying %q", tc.variable, tc.value, code, stdout, stderr, tc.want)
		}
		if strings.Contains(stderr, tc.value) && len(tc.value) > 5 {
			t.Errorf("config with %s: stderr quotes the secret: %q", tc.variable, stderr)
		}
	}
	// Good credentials pass.
	code, _, stderr := runCLI(t, map[string]string{"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_ADMIN_TOKEN": strings.Repeat("t", 24)}, "", "config")
	if code != exitOK {
		t.Errorf("config with a good token: exit %d, stderr %q", code, stderr)
	}
}

// A configuration file that is a device or a named pipe is refused at once:
// VIGIL_CONFIG=/dev/zero used to be read until the kernel killed the
// process, and a pipe without a writer blocked it forever.
func TestConfigFileMustBeARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/zero", fifo, t.TempDir()} {
		done := make(chan string, 1)
		go func() {
			code, _, stderr := runCLI(t, map[string]string{"VIGIL_CONFIG": path}, "", "config")
			done <- fmt.Sprintf("%d %s", code, stderr)
		}()
		select {
		case got := <-done:
			if want := "2 vigil-proxy config: read config " + path + ": not a regular file"; !strings.HasPrefix(got, want) {
				t.Errorf("VIGIL_CONFIG=%s: %q, want %q", path, got, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("VIGIL_CONFIG=%s: still reading after 20s", path)
		}
	}
}

// names.corpus_file naming a named pipe is refused at once by config,
// serve's preflight and data export (it used to block on the open forever).
func TestCorpusFileMustBeARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"config"}, {"data", "export"}} {
		done := make(chan string, 1)
		go func() {
			code, _, stderr := runCLI(t, map[string]string{"VIGIL_NAMES_CORPUS_FILE": fifo}, "", args...)
			done <- fmt.Sprintf("%d %s", code, stderr)
		}()
		select {
		case got := <-done:
			if !strings.HasPrefix(got, "2 ") || !strings.Contains(got, "not a regular file") {
				t.Errorf("%v with a pipe as corpus: %q, want exit 2 and not a regular file", args, got)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%v with a pipe as corpus: still waiting after 20s", args)
		}
	}
}

// A credential given both ways is refused by config and serve alike,
// naming both variables and quoting neither value: which one wins is not
// something to leave to a guess.
func TestSecretGivenTwiceIsRefused(t *testing.T) {
	path := writeFile(t, "token", "file-token-0123456789abcdef")
	environ := map[string]string{
		"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_ADMIN_TOKEN": "env-token-0123456789abcdef", "VIGIL_ADMIN_TOKEN_FILE": path,
	}
	code, _, stderr := runCLI(t, environ, "", "config")
	serveCode, _, serveErr := runCLI(t, environ, "", "serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0")
	for name, out := range map[string]string{"config": stderr, "serve": serveErr} {
		if !strings.Contains(out, "VIGIL_ADMIN_TOKEN and VIGIL_ADMIN_TOKEN_FILE are both set: use one") || strings.Contains(out, "0123456789abcdef") {
			t.Errorf("%s: stderr %q, want both variables named and neither value", name, out)
		}
	}
	if code != exitUsage || serveCode != exitUsage {
		t.Errorf("config exit %d, serve exit %d; want %d", code, serveCode, exitUsage)
	}
}

// What serve refuses about the admin surface's secrets, config refuses
// too: a webhook without its signing secret, and UI logins on a shared
// PostgreSQL store without the session key every replica must share.
func TestConfigRejectsMissingWebhookSecretAndSessionKey(t *testing.T) {
	for name, tc := range map[string]struct {
		environ map[string]string
		want    string
	}{
		"webhook": {map[string]string{"VIGIL_WEBHOOK_URL": "https://hooks.example.com/x", "VIGIL_ADMIN_TOKEN": "admin-token-0123456789abcdef"},
			"webhook.url (VIGIL_WEBHOOK_URL) is set but VIGIL_WEBHOOK_SECRET is not"},
		"session key": {map[string]string{"VIGIL_STORE_URL": "postgres://vigil@127.0.0.1:1/vigil?sslmode=disable",
			"VIGIL_ADMIN_PASSWORD_HASH": "$2a$10$abcdefghijklmnopqrstuuKx0v9yN3VnN6o7bq9m6QeQvC1k0PpLi"},
			"VIGIL_SESSION_KEY is required with store.url"},
	} {
		tc.environ["VIGIL_DATA_DIR"] = t.TempDir()
		code, stdout, stderr := runCLI(t, tc.environ, "", "config")
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: config exit %d, stdout %q, stderr %q; want %d and %q", name, code, stdout, stderr, exitUsage, tc.want)
		}
	}
}
