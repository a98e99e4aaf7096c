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

// A PyPI version or specifier that is not PEP 440 is an error for that
// name (exit 2, as pip refuses the requirement), never an ALLOW offline or a
// DEP-007 "no release matches" online; good ones still judge.
func TestCheckRefusesMalformedPyPISpecifiers(t *testing.T) {
	environ := map[string]string{"VIGIL_DATA_DIR": t.TempDir()}
	for _, spec := range []string{"requests==notaversion", "requests>=>=1", "requests<=1.0,,>0"} {
		code, out, errOut := runCLI(t, environ, "", "check", "--offline", "pypi", spec)
		if code != exitUsage || !strings.HasPrefix(out, "ERROR pypi requests") || !strings.Contains(out, "PEP 440") {
			t.Errorf("check --offline pypi %q: exit %d, out %q, err %q; want exit 2 and an ERROR line naming PEP 440", spec, code, out, errOut)
		}
	}
	for _, spec := range []string{"requests==2.31.0", "requests>=2,<3", "requests==2.*", "requests===2.31.0-custom", "requests~=2.31"} {
		code, out, errOut := runCLI(t, environ, "", "check", "--offline", "pypi", spec)
		if code != exitOK || !strings.HasPrefix(out, "ALLOW pypi requests") {
			t.Errorf("check --offline pypi %q: exit %d, out %q, err %q; want ALLOW", spec, code, out, errOut)
		}
	}
}
