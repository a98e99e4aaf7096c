package main

import (
	"strings"
	"testing"
)

// Asking any command for help succeeds: the usage is printed and the exit
// status is 0, as for `vigil-proxy -h` and `scan -h`; only a bad flag is a
// usage error (2).
func TestEveryCommandsHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"-h"}, {"serve", "-h"}, {"check", "-h"}, {"check", "--help"}, {"scan", "-h"}, {"deps", "-h"},
		{"tests", "-h"}, {"config", "-h"}, {"rules", "-h"}, {"data", "refresh", "-h"},
		{"data", "export", "-h"}, {"data", "sync-malware", "-h"}, {"admin", "hash-password", "-h"},
		{"store", "migrate", "-h"}, {"store", "compact", "-h"}, {"health", "-h"}, {"version", "-h"},
		{"version", "--help"},
	} {
		code, out, errOut := runCLI(t, map[string]string{"VIGIL_DATA_DIR": t.TempDir()}, "", args...)
		if code != exitOK {
			t.Errorf("%s: exit %d, want 0; stderr %q", strings.Join(args, " "), code, errOut)
		}
		if help := out + errOut; !strings.Contains(strings.ToLower(help), "usage") {
			t.Errorf("%s: printed no usage: %q", strings.Join(args, " "), help)
		}
		if strings.Contains(errOut, "unexpected argument") {
			t.Errorf("%s: treated the help flag as an argument: %q", strings.Join(args, " "), errOut)
		}
	}
	for _, args := range [][]string{{"serve", "--bogus"}, {"check", "--bogus", "pypi", "x"}, {"version", "extra"}, {"config", "--bogus"}} {
		if code, _, _ := runCLI(t, map[string]string{"VIGIL_DATA_DIR": t.TempDir()}, "", args...); code != exitUsage {
			t.Errorf("%s: exit %d, want %d", strings.Join(args, " "), code, exitUsage)
		}
	}
}

// check takes its verdicts from one place: --offline (no network) and
// --proxy (a running proxy) contradict each other, as they do for scan.
func TestCheckOfflineAndProxyExcludeEachOther(t *testing.T) {
	code, out, errOut := runCLI(t, map[string]string{"VIGIL_DATA_DIR": t.TempDir()}, "",
		"check", "--offline", "--proxy", refusedURL(t), "pypi", "requests")
	if code != exitUsage {
		t.Errorf("exit %d, want %d; stdout %q", code, exitUsage, out)
	}
	if want := "vigil-proxy check: --offline and --proxy exclude each other\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}
