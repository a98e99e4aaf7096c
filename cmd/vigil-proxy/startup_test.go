package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// Every start-up failure ends with one line on stderr that names what
// failed, the file and what to do, and exit status 2: never a panic.
func TestServeStartupFailuresExplainThemselves(t *testing.T) {
	fake := fakePyPI(t)
	cases := []struct {
		name  string
		setup func(t *testing.T, environ map[string]string)
		want  []string
	}{
		{"data directory in use", func(t *testing.T, environ map[string]string) {
			s, err := boltstore.Open(filepath.Join(environ["VIGIL_DATA_DIR"], "store.db"), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
		}, []string{"store.db", "locked by another process", "another vigil-proxy is using this data directory", "--data-dir"}},
		{"corrupt store", func(t *testing.T, environ map[string]string) {
			if err := os.WriteFile(filepath.Join(environ["VIGIL_DATA_DIR"], "store.db"), []byte(strings.Repeat("not bbolt ", 1000)), 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{"store.db", "corrupt", "restore it from a backup, or move it aside"}},
		{"data directory that cannot be made", func(t *testing.T, environ map[string]string) {
			file := filepath.Join(t.TempDir(), "a-file")
			if err := os.WriteFile(file, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			environ["VIGIL_DATA_DIR"] = filepath.Join(file, "data")
		}, []string{"data directory", "a-file/data", "not a directory", "--data-dir"}},
		{"data directory under a missing parent that cannot be made", func(t *testing.T, environ map[string]string) {
			environ["VIGIL_DATA_DIR"] = "/proc/vigil-nonexistent/data" // nothing can be created in /proc
		}, []string{"data directory /proc/vigil-nonexistent/data", "--data-dir"}},
		{"missing corpus file", func(t *testing.T, environ map[string]string) {
			environ["VIGIL_NAMES_CORPUS_FILE"] = filepath.Join(t.TempDir(), "missing.tsv.gz")
		}, []string{"names.corpus_file (VIGIL_NAMES_CORPUS_FILE)", "missing.tsv.gz", "no such file", "unset it to use the embedded snapshot"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			environ := checkEnv(t, fake)
			tc.setup(t, environ)
			code, _, stderr := runCLI(t, environ, "", "serve", "--listen", "127.0.0.1:0")
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("stderr shows a panic:\n%s", stderr)
			}
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "vigil-proxy: cannot start: ") {
				t.Fatalf("stderr = %q, want one line starting with %q", stderr, "vigil-proxy: cannot start: ")
			}
			for _, w := range tc.want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("stderr %q lacks %q", lines[0], w)
				}
			}
		})
	}
}

// `vigil-proxy config` rejects what serve rejects: a corpus file that does
// not exist or is not a corpus.
func TestConfigRejectsWhatServeRejects(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "garbage.tsv")
	if err := os.WriteFile(garbage, []byte("\x00\x01 not a corpus"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{filepath.Join(t.TempDir(), "missing.tsv.gz"), garbage} {
		environ := map[string]string{"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_NAMES_CORPUS_FILE": file}
		code, stdout, stderr := runCLI(t, environ, "", "config")
		serveCode, _, serveErr := runCLI(t, environ, "", "serve", "--listen", "127.0.0.1:0")
		if code != exitUsage || serveCode != exitUsage {
			t.Errorf("%s: config exit %d, serve exit %d; want both %d", file, code, serveCode, exitUsage)
		}
		if stdout != "" || !strings.Contains(stderr, file) || !strings.Contains(serveErr, file) {
			t.Errorf("%s: config stdout %q stderr %q; serve stderr %q: want both to name the file", file, stdout, stderr, serveErr)
		}
	}
}

// `vigil-proxy store compact` shrinks a stopped proxy's store.db and
// refuses while it is in use.
func TestStoreCompactCommand(t *testing.T) {
	dir := t.TempDir()
	s, err := boltstore.Open(filepath.Join(dir, "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	environ := map[string]string{"VIGIL_DATA_DIR": dir}
	code, _, stderr := runCLI(t, environ, "", "store", "compact")
	if code != exitUsage || !strings.Contains(stderr, "stop vigil-proxy, then compact") {
		t.Errorf("compact while open: exit %d, stderr %q", code, stderr)
	}
	s.Close()
	code, stdout, stderr := runCLI(t, environ, "", "store", "compact")
	if code != exitOK || !strings.Contains(stdout, "compacted "+filepath.Join(dir, "store.db")) {
		t.Errorf("compact: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// With store.url the store is PostgreSQL: a store.db left in the data
	// directory (from before a migration) is not what the proxy uses, and
	// compacting it is not what the operator asked for.
	environ["VIGIL_STORE_URL"] = "postgres://vigil@db.example/vigil"
	code, stdout, stderr = runCLI(t, environ, "", "store", "compact")
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "store.url (VIGIL_STORE_URL) is set: the store is PostgreSQL") {
		t.Errorf("compact with store.url: exit %d, stdout %q, stderr %q; want a usage error saying the store is PostgreSQL", code, stdout, stderr)
	}
}

// lockedWriter is a bytes.Buffer safe for a writer and a reader.
type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// An unreachable popularity source is reported once at start-up (one WARN
// naming it) and shown in the upstream health, not discovered package by
// package.
func TestUnreachablePopularitySourceReportedAtStartup(t *testing.T) {
	fake := fakePyPI(t)
	environ := checkEnv(t, fake)
	addr := freeAddr(t)
	refused := refusedURL(t)
	environ["VIGIL_LISTEN"] = addr
	environ["VIGIL_ADMIN_LISTEN"] = ""
	environ["VIGIL_POPULARITY_ONLINE"] = "true"
	environ["VIGIL_POPULARITY_PYPISTATS_URL"] = refused
	environ["VIGIL_POPULARITY_NPM_DOWNLOADS_URL"] = refused
	environ["VIGIL_LOG_FORMAT"] = "json"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr lockedWriter
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve"}, strings.NewReader(""), &bytes.Buffer{}, &stderr, envMap(environ))
	}()
	want := `"upstream":"popularity ` + strings.TrimPrefix(refused, "http://") + `"`
	deadline := time.Now().Add(startTimeout) // start-up builds the name index: slow under -race on a busy machine
	for !strings.Contains(stderr.String(), want) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	logs := stderr.String()
	if n := strings.Count(logs, "upstream failing"); n != 1 || !strings.Contains(logs, want) {
		t.Errorf("%d outage warnings, want exactly 1 naming the popularity source (%s):\n%s", n, want, logs)
	}
}

// A store.url whose TLS files cannot be used, or an unreadable password
// file, is refused by config as by serve, each naming store.url and the
// file (pgx's own message was cut to "no such file or directory): invalid"),
// without the password; nothing is dialled.
func TestConfigRejectsWhatServeRejectsInStoreURL(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing-ca.pem")
	for _, tc := range []struct{ url, file string }{
		{"postgres://vigil:inline-Secret7@127.0.0.1:1/vigil?sslmode=verify-full&sslrootcert=" + missing, missing},
		{"postgres://vigil@127.0.0.1:1/vigil?sslmode=verify-full&sslrootcert=" + notPEM, "sslrootcert=" + notPEM},
	} {
		environ := map[string]string{"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_STORE_URL": tc.url, "VIGIL_STORE_PASSWORD": "env-Secret8"}
		code, stdout, stderr := runCLI(t, environ, "", "config")
		serveCode, _, serveErr := runCLI(t, environ, "", "serve", "--listen", "127.0.0.1:0", "--admin-listen", "")
		if code != exitUsage || serveCode != exitUsage || stdout != "" {
			t.Errorf("%s: config exit %d (stdout %q), serve exit %d; want both %d", tc.url, code, stdout, serveCode, exitUsage)
		}
		for name, out := range map[string]string{"config": stderr, "serve": serveErr} {
			if !strings.Contains(out, "store.url (VIGIL_STORE_URL)") || !strings.Contains(out, tc.file) {
				t.Errorf("%s says %q, want store.url and %s named", name, out, tc.file)
			}
			if strings.Contains(out, "Secret7") || strings.Contains(out, "Secret8") {
				t.Errorf("%s leaks a password: %q", name, out)
			}
		}
	}
	environ := map[string]string{"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_STORE_URL": "postgres://vigil@127.0.0.1:1/vigil", "VIGIL_STORE_PASSWORD_FILE": missing}
	if code, _, stderr := runCLI(t, environ, "", "config"); code != exitUsage || !strings.Contains(stderr, "VIGIL_STORE_PASSWORD_FILE "+missing) {
		t.Errorf("unreadable password file: config exit %d, stderr %q; want %d naming it", code, stderr, exitUsage)
	}
}
