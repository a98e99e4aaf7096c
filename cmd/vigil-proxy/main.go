// Command vigil-proxy is a self-hosted registry firewall for PyPI and npm.
//
//	vigil-proxy [serve]        run the proxy (default)
//	vigil-proxy check ...      judge package names from the command line
//	vigil-proxy scan [PATH...]  check a repository (deps, auth, secrets, tests)
//	vigil-proxy config         print the effective configuration
//	vigil-proxy rules          print the rule catalogue
//	vigil-proxy data refresh   rebuild the popular-name corpus
//	vigil-proxy data export    write the name corpus in use
//	vigil-proxy admin hash-password
//	vigil-proxy store migrate --from bolt:DIR --to postgres://…
//	vigil-proxy health         probe a running proxy (container health checks)
//	vigil-proxy store compact
//	vigil-proxy version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitBlocked = 1 // check: at least one name is blocked
	exitUsage   = 2 // bad arguments, bad config, runtime errors
)

// env is the environment lookup (os.LookupEnv in production).
type env func(string) (string, bool)

// run is the whole CLI; main only supplies the process's streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) int {
	cmd := "serve"
	if len(args) > 0 && !isFlag(args[0]) {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, stdout, stderr, getenv)
	case "check":
		return runCheck(ctx, args, stdin, stdout, stderr, getenv)
	case "scan":
		return runScan(ctx, "scan", nil, args, stdout, stderr, getenv)
	case "deps":
		return runScan(ctx, "deps", []string{"dep"}, args, stdout, stderr, getenv)
	case "tests":
		return runScan(ctx, "tests", []string{"tests"}, args, stdout, stderr, getenv)
	case "config", "check-config":
		return runConfig(args, stdout, stderr, getenv)
	case "rules":
		return runRules(args, stdout, stderr, getenv)
	case "data":
		return runData(ctx, args, stdout, stderr, getenv)
	case "admin":
		return runAdmin(args, stdin, stdout, stderr)
	case "store":
		return runStore(ctx, args, stdout, stderr, getenv)
	case "health":
		return runHealth(ctx, args, stdout, stderr, getenv)
	case "version", "--version":
		if isHelp(args) {
			fmt.Fprintln(stdout, "usage: vigil-proxy version   (prints the version; takes no arguments)")
			return exitOK
		}
		if strayArgument("version", args, stderr) {
			return exitUsage
		}
		fmt.Fprintln(stdout, "vigil-proxy", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "vigil-proxy: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

func isFlag(s string) bool {
	return len(s) > 0 && s[0] == '-' && s != "-" && s != "--version" && s != "-h" && s != "--help"
}

const usage = `usage: vigil-proxy <command> [flags]

commands:
  serve                 run the proxy (default command)
  check ECO NAME...     judge packages: exit 0 allow/warn, 1 block, 2 error
  scan [PATH...]        check a repository: dependencies, auth, secrets, tests (exit 1 on findings)
  deps, tests           shorthands for scan -C dep, scan -C tests
  config                validate and print the effective configuration (secrets redacted)
  rules                 list the rules, their actions under each strategy
  data refresh          rebuild the popular-name corpus from public sources
  data export           write the name corpus in use (corpus file format)
  data sync-malware     sync the malware feed now, or import dumps (--from FILE.zip)
  admin hash-password   read a password on stdin, print its bcrypt hash
  store migrate         copy a bbolt data directory into PostgreSQL, verified
  store compact         shrink store.db after pruning (run while the proxy is stopped)
  health                probe a running proxy's /healthz (exit 0 when it answers 200)
  version               print the version

Run 'vigil-proxy <command> -h' for a command's flags.
`
