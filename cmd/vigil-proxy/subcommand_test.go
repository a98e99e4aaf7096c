package main

import (
	"strings"
	"testing"
)

// An unknown or missing sub-subcommand is a usage error (exit 2) that names
// what was typed and lists the valid choices, like an unknown top-level command.
func TestUnknownSubcommand(t *testing.T) {
	cases := []struct {
		args    []string
		choices []string
	}{
		{[]string{"data", "bogus"}, []string{"refresh", "export", "sync-malware"}},
		{[]string{"store", "bogus"}, []string{"migrate", "compact"}},
		{[]string{"admin", "bogus"}, []string{"hash-password"}},
		{[]string{"data", "--bogus"}, []string{"refresh", "export", "sync-malware"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, "", tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			want := "vigil-proxy " + tc.args[0] + ": unknown subcommand \"" + tc.args[1] + "\""
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr does not say %q:\n%s", want, stderr)
			}
			for _, c := range tc.choices {
				if !strings.Contains(stderr, "\n  "+c+" ") {
					t.Errorf("stderr does not list %q as a choice:\n%s", c, stderr)
				}
			}
		})
	}
}

// A group without a subcommand says so and lists the choices (exit 2); -h,
// --help and help print the choices on stdout and succeed.
func TestSubcommandMissingAndHelp(t *testing.T) {
	for _, group := range []string{"data", "store", "admin"} {
		code, stdout, stderr := runCLI(t, nil, "", group)
		if code != exitUsage || !strings.Contains(stderr, "vigil-proxy "+group+": missing subcommand") || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and \"missing subcommand\"", group, code, stdout, stderr)
		}
		for _, h := range []string{"-h", "--help", "help"} {
			code, stdout, stderr := runCLI(t, nil, "", group, h)
			if code != exitOK || !strings.Contains(stdout, "usage: vigil-proxy "+group+" <subcommand>") || stderr != "" {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q; want exit 0 and the usage on stdout", group, h, code, stdout, stderr)
			}
		}
	}
}

// A command that takes no operands refuses one instead of ignoring it:
// `vigil-proxy serve bogus` used to start the proxy, `config bogus` to
// print the configuration.
func TestCommandsRefuseStrayArguments(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "bogus"},
		{"--listen", "127.0.0.1:0", "bogus"},
		{"config", "bogus"},
		{"health", "bogus"},
		{"version", "bogus"},
		{"data", "refresh", "bogus"},
		{"data", "sync-malware", "bogus"},
		{"store", "migrate", "bogus"},
		{"store", "compact", "bogus"},
	} {
		name := strings.Join(args, " ")
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, map[string]string{"VIGIL_DATA_DIR": t.TempDir()}, "", args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr, `unexpected argument "bogus"`) {
				t.Errorf("stderr does not name the stray argument:\n%s", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
}
