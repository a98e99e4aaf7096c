package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigil-proxy/vigil-proxy/admin"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
)

// runConfig validates the configuration and prints it (secrets redacted),
// or with --env lists every environment variable.
func runConfig(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var common commonFlags
	common.register(fs)
	listEnv := fs.Bool("env", false, "list every setting's environment variable instead")
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	if strayArgument("config", fs.Args(), stderr) {
		return exitUsage
	}
	for _, u := range unknownVariables(os.Environ()) {
		fmt.Fprintln(stderr, "vigil-proxy config: warning:", u)
	}
	cfg, err := common.load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy config:", err)
		return exitUsage
	}
	if *listEnv {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VARIABLE\tKEY\tMEANING")
		for _, ev := range envVars(&cfg) {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", ev.Name, ev.Key, ev.Doc)
		}
		tw.Flush()
		return exitOK
	}
	if err := errors.Join(cfg.validate(), preflight(cfg), checkAdminSecrets(cfg, getenv)); err != nil {
		fmt.Fprintf(stderr, "vigil-proxy config: invalid configuration:\n%v\n", err)
		return exitUsage
	}
	eff, err := cfg.effective()
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy config:", err)
		return exitUsage
	}
	out, err := eff.redacted()
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy config:", err)
		return exitUsage
	}
	stdout.Write(out)
	return exitOK
}

// runRules prints the rule catalogue with each rule's action under every
// strategy and under the current configuration.
func runRules(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var common commonFlags
	common.register(fs)
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return parseFailed(err)
	}
	if ids := fs.Args(); len(ids) > 0 {
		return printRuleDetails(ids, stdout, stderr)
	}
	cfg, err := common.load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy rules:", err)
		return exitUsage
	}
	current, err := cfg.settings()
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy rules:", err)
		return exitUsage
	}
	strategies := []policy.Strategy{policy.Relaxed, policy.DefaultStrategy, policy.Strict}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "RULE\tTITLE\trelaxed\tdefault\tstrict\tconfigured (%s)\tTHRESHOLDS (configured)\n", cfg.Strategy)
	for _, info := range policy.Catalogue() {
		title := info.Title
		if info.Scope == 0 {
			title += " [scanner only]"
		}
		row := []string{info.ID, title}
		for _, s := range strategies {
			row = append(row, string(policy.DefaultSettings(s).Action(info.ID)))
		}
		row = append(row, string(current.Action(info.ID)), ruleThresholds(info.ID, current))
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	fmt.Fprintln(stdout, "\n[scanner only]: raised by the source scanner, never by the proxy.")
	fmt.Fprintln(stdout)
	for _, info := range policy.Catalogue() {
		fmt.Fprintf(stdout, "%s  %s\n    %s\n    Remedy: %s\n\n", info.ID, info.Title, info.Description, info.Remediation)
	}
	fmt.Fprintln(stdout, "Scanner rules (vigil-proxy scan; severities in .vigil.yaml, details: vigil-proxy rules ID):")
	printScannerRules(stdout, scannerOnly())
	return exitOK
}

// ruleThresholds is the one-line summary of the numbers a rule uses under
// settings s, for the rules table.
func ruleThresholds(id string, s policy.Settings) string {
	t := thresholds(id, s)
	if _, ok := t["code_hosts"]; ok && len(s.CodeHosts) > 2 {
		t["code_hosts"] = fmt.Sprintf("%s, %s and %d more", s.CodeHosts[0], s.CodeHosts[1], len(s.CodeHosts)-2)
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+" "+t[k])
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// runData implements `vigil-proxy data refresh`, `data export` and `data sync-malware`.
func runData(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	return dispatchSubcommand("data", args, []subcommand{
		{"refresh", "rebuild the popular-name corpus from public sources", func(a []string) int { return runDataRefresh(ctx, a, stdout, stderr) }},
		{"export", "write the name corpus in use (corpus file format)", func(a []string) int { return runDataExport(a, stdout, stderr, getenv) }},
		{"sync-malware", "sync the malware feed now, or import dumps (--from FILE.zip)", func(a []string) int { return runSyncMalware(ctx, a, stdout, stderr, getenv) }},
	}, stdout, stderr)
}

// runDataRefresh implements `vigil-proxy data refresh`.
func runDataRefresh(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("data refresh", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "corpus.tsv.gz", "write the corpus here; point names.corpus_file (VIGIL_NAMES_CORPUS_FILE) at it")
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	if strayArgument("data refresh", fs.Args(), stderr) {
		return exitUsage
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	data, err := names.Refresh(ctx, client, names.RefreshOptions{})
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy data refresh:", err)
		return exitUsage
	}
	if _, err := names.LoadCorpus(strings.NewReader(string(data))); err != nil {
		fmt.Fprintln(stderr, "vigil-proxy data refresh: the rebuilt corpus does not load:", err)
		return exitUsage
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(stderr, "vigil-proxy data refresh:", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes); set names.corpus_file to use it\n", *out, len(data))
	return exitOK
}

// runAdmin implements `vigil-proxy admin hash-password`.
func runAdmin(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return dispatchSubcommand("admin", args, []subcommand{
		{"hash-password", "read a password on stdin, print its bcrypt hash", func(a []string) int { return runHashPassword(a, stdin, stdout, stderr) }},
	}, stdout, stderr)
}

const hashPasswordUsage = "usage: vigil-proxy admin hash-password   (reads the password from stdin; takes no arguments)"

// runHashPassword implements `vigil-proxy admin hash-password`.
func runHashPassword(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if isHelp(args) {
			fmt.Fprintln(stdout, hashPasswordUsage)
			return exitOK
		}
		fmt.Fprintln(stderr, hashPasswordUsage)
		return exitUsage
	}
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy admin hash-password:", err)
		return exitUsage
	}
	if len(pw) < 12 {
		fmt.Fprintln(stderr, "vigil-proxy admin hash-password: use a password of at least 12 characters")
		return exitUsage
	}
	hash, err := admin.HashPassword(pw)
	if err != nil {
		fmt.Fprintln(stderr, "vigil-proxy admin hash-password:", err)
		return exitUsage
	}
	fmt.Fprintln(stdout, hash)
	fmt.Fprintln(stderr, "set it as VIGIL_ADMIN_PASSWORD_HASH (or write it to a file named by VIGIL_ADMIN_PASSWORD_HASH_FILE)")
	return exitOK
}
