// Package e2e holds end-to-end tests that run real package-manager clients
// (pip and poetry for PyPI; npm, pnpm and yarn for npm) against the real
// vigil-proxy binary, which in turn fronts the in-process fake registries
// pypi/pypitest and npm/npmtest. The package has no non-test code.
//
// Run them with:
//
//	go test -race ./deploy/e2e/
//
// # Harness (harness_test.go)
//
// TestMain builds ./cmd/vigil-proxy once into a temporary directory. A test
// then uses:
//
//   - startProxy(t, env) *Proxy: one proxy subprocess on a free loopback
//     port with a private data directory. env (VIGIL_* variables) is layered
//     over safe defaults: admin off, JSON debug logs, popularity offline,
//     strategy "default", every upstream unreachable. Point it at a fake with
//     pypiEnv(fake, extra) or npmEnv(fake, extra). Passing VIGIL_ADMIN_TOKEN
//     (randomToken(t)) also starts the admin listener (Proxy.AdminURL).
//   - Proxy.URL, Proxy.Stop() (SIGTERM, requires exit status 0),
//     Proxy.Logs(), Proxy.Events(t) (stops the proxy, then reads every
//     audit event from <DataDir>/store.db, oldest first) and
//     Proxy.AdminEvents(t, query, timeout) (the live admin API).
//   - runCmd(t, dir, env, name, args...) (output, exitCode): a client
//     command with a clean environment (PATH, a fresh HOME, C.UTF-8 and env
//     only), combined output, a two-minute limit, logged on failure.
//   - requireTool(t, name, installCmd): a missing tool fails the test with
//     the install command; tests are never skipped.
//   - recordTranscript(t, title, cmdline, output, exit): logs the exact
//     client output and collects it for VIGIL_E2E_TRANSCRIPT.
//   - eventsFor, findEvent, describeEvents, httpGetBody: audit and HTTP
//     helpers.
//
// Environment knobs: VIGIL_E2E_TRANSCRIPT=<file> writes the exact client
// output of every scenario to one file (used for the README);
// VIGIL_E2E_PROXY_LOGS=1 prints every proxy's log, not only on failure.
package e2e
