// Package pgtest starts throwaway PostgreSQL clusters for tests: initdb and
// pg_ctl from Debian's postgresql package (/usr/lib/postgresql/15/bin, or
// the directory in VIGIL_PG_BIN), run as the postgres user through runuser
// when the test runs as root, in a temporary directory, listening on a free
// loopback port. A missing server fails the test; it is never skipped.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultBin is where Debian's postgresql-15 package installs the server.
const DefaultBin = "/usr/lib/postgresql/15/bin"

// Password is the superuser's password; the cluster requires it on TCP.
const Password = "pgtest-secret-password"

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	bin  string
	dir  string // owned by the server's user
	port int
	as   string // user to run the server as ("" runs as the current user)
	n    atomic.Int64
}

// Start initialises and starts a cluster, and stops and removes it when t
// ends. It fails t when the server binaries are missing.
func Start(t testing.TB) *Cluster {
	t.Helper()
	c, err := start()
	if err != nil {
		t.Fatalf("start throwaway PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Destroy(); err != nil {
			t.Errorf("stop throwaway PostgreSQL: %v", err)
		}
	})
	return c
}

func start() (*Cluster, error) {
	bin := os.Getenv("VIGIL_PG_BIN")
	if bin == "" {
		bin = DefaultBin
	}
	for _, tool := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, tool)); err != nil {
			return nil, fmt.Errorf("%s not found in %s (install Debian's postgresql package: apt-get install -y postgresql, or set VIGIL_PG_BIN): %w", tool, bin, err)
		}
	}
	c := &Cluster{bin: bin}
	dir, err := os.MkdirTemp("", "vigil-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	c.dir = dir
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root needs the postgres user (created by Debian's postgresql package): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("chown %s: %w", dir, err)
		}
		c.as = "postgres"
	}
	pwfile := filepath.Join(dir, "pw")
	if err := c.run("sh", "-c", "umask 077 && printf '%s' "+Password+" > "+pwfile); err != nil {
		c.Destroy()
		return nil, err
	}
	if err := c.run(filepath.Join(bin, "initdb"), "-D", c.dataDir(), "-U", "postgres", "-E", "UTF8",
		"--locale=C", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile="+pwfile); err != nil {
		c.Destroy()
		return nil, err
	}
	var lastErr error
	for range 5 { // a port picked free may be taken before the server binds it
		if c.port, lastErr = freePort(); lastErr != nil {
			break
		}
		if lastErr = c.Start(); lastErr == nil {
			return c, nil
		}
	}
	c.Destroy()
	return nil, lastErr
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }

// run runs a command as the server's user.
func (c *Cluster) run(name string, args ...string) error {
	if c.as != "" {
		args = append([]string{"-u", c.as, "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start (re)starts the server on its port; Start returns once it accepts
// connections.
func (c *Cluster) Start() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", c.port, c.dir)
	return c.run(filepath.Join(c.bin, "pg_ctl"), "-D", c.dataDir(), "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "-o", opts, "start")
}

// Stop stops the server at once (an unclean shutdown, like a crash).
func (c *Cluster) Stop() error {
	return c.run(filepath.Join(c.bin, "pg_ctl"), "-D", c.dataDir(), "-m", "immediate", "-w", "stop")
}

// Destroy stops the server if it runs and removes its files.
func (c *Cluster) Destroy() error {
	var stopErr error
	if _, err := os.Stat(filepath.Join(c.dataDir(), "postmaster.pid")); err == nil {
		stopErr = c.Stop()
	}
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("remove %s: %w", c.dir, err)
	}
	return stopErr
}

// Port is the server's TCP port on 127.0.0.1.
func (c *Cluster) Port() int { return c.port }

// URL returns a connection URL for database db without the password (pass
// Password separately, as VIGIL_STORE_PASSWORD does).
func (c *Cluster) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/" + db}
	u.RawQuery = "sslmode=disable"
	return u.String()
}

// URLWithPassword is URL with the password in the userinfo.
func (c *Cluster) URLWithPassword(db string) string {
	u, _ := url.Parse(c.URL(db))
	u.User = url.UserPassword("postgres", Password)
	return u.String()
}

// NewDatabase creates an empty database with a fresh name and returns its
// name.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), c.n.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URLWithPassword("postgres"))
	if err != nil {
		t.Fatalf("connect to throwaway PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	return name
}

// StartShared starts a cluster for a whole test binary, from TestMain
// (where there is no testing.TB); call Destroy when m.Run returns. A
// missing server is an error: report it and exit non-zero.
func StartShared() (*Cluster, error) {
	return start()
}
