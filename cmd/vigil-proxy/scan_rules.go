package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/auth"
	"github.com/vigil-proxy/vigil-proxy/scanner/deps"
	"github.com/vigil-proxy/vigil-proxy/scanner/imports"
	"github.com/vigil-proxy/vigil-proxy/scanner/secrets"
	"github.com/vigil-proxy/vigil-proxy/scanner/testquality"
)

// scannerCatalogue is the metadata of every rule the scanner can raise,
// for `vigil-proxy rules` and the admin UI's catalogue. Each rule family
// owns its metadata beside its code.
func scannerCatalogue() scanner.Catalogue {
	var c scanner.Catalogue
	c = append(c, testquality.Rules()...)
	c = append(c, auth.Rules()...)
	c = append(c, secrets.AllRules()...)
	c = append(c, deps.Rules...)
	c = append(c, imports.Rule)
	c = append(c, scanner.SuppressionRule)
	return c.Sorted()
}

// scannerOnly is the scanner catalogue without the rules the proxy's own
// catalogue documents (the DEP rules the scanner shares with the proxy).
func scannerOnly() scanner.Catalogue {
	var out scanner.Catalogue
	for _, r := range scannerCatalogue() {
		if _, ok := policy.CatalogueInfo(r.ID); !ok {
			out = append(out, r)
		}
	}
	return out
}

// printRuleDetails prints the full description of each rule ID (proxy or
// scanner); an unknown ID is an error (exit 2).
func printRuleDetails(ids []string, stdout, stderr io.Writer) int {
	code := exitOK
	for _, id := range ids {
		id = strings.ToUpper(strings.TrimSpace(id))
		if r, ok := scannerCatalogue().Lookup(id); ok {
			printScannerRule(stdout, r)
			if info, ok := policy.CatalogueInfo(id); ok && info.Scope != 0 {
				fmt.Fprintf(stdout, "\nThe proxy also judges %s: %s\n", id, wrap(info.Description, 100))
			}
			fmt.Fprintln(stdout)
			continue
		}
		if info, ok := policy.CatalogueInfo(id); ok {
			fmt.Fprintf(stdout, "%s  %s\n\n%s\n\nRemedy: %s\n\n", info.ID, info.Title, wrap(info.Description, 100), wrap(info.Remediation, 100))
			continue
		}
		fmt.Fprintf(stderr, "vigil-proxy rules: unknown rule %q (vigil-proxy rules lists them)\n", id)
		code = exitUsage
	}
	return code
}

// printScannerRules lists the scanner's rules with their default severity.
func printScannerRules(w io.Writer, cat scanner.Catalogue) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tTITLE\tCATEGORY\tSEVERITY\tCWE")
	for _, r := range cat {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Title, r.Category, r.Severity, cweList(r.CWE))
	}
	tw.Flush()
}

// printScannerRule prints one rule's full metadata.
func printScannerRule(w io.Writer, r scanner.RuleInfo) {
	fmt.Fprintf(w, "%s  %s\n", r.ID, r.Title)
	fmt.Fprintf(w, "  raised by: vigil-proxy scan (category %s), default severity %s", r.Category, r.Severity)
	if r.Security {
		fmt.Fprintf(w, ", security-severity %s", r.Severity.SecurityScore())
	}
	fmt.Fprintln(w)
	if len(r.CWE) > 0 {
		fmt.Fprintf(w, "  CWE: %s\n", cweList(r.CWE))
	}
	fmt.Fprintf(w, "\n%s\n", wrap(r.Description, 100))
	if r.Impact != "" {
		fmt.Fprintf(w, "\nImpact: %s\n", wrap(r.Impact, 100))
	}
	if r.Fix != "" {
		fmt.Fprintf(w, "\nFix: %s\n", wrap(r.Fix, 100))
	}
	if r.Bad != "" {
		fmt.Fprintf(w, "\nBad:\n%s\n", indent(r.Bad))
	}
	if r.Good != "" {
		fmt.Fprintf(w, "\nGood:\n%s\n", indent(r.Good))
	}
	fmt.Fprintf(w, "\nSuppress one occurrence with a reason: # vigil-ignore: %s -- why\n", r.ID)
}

func cweList(cwes []int) string {
	parts := make([]string, len(cwes))
	for i, c := range cwes {
		parts[i] = "CWE-" + strconv.Itoa(c)
	}
	return strings.Join(parts, ", ")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// wrap folds text at width on word boundaries.
func wrap(s string, width int) string {
	var b strings.Builder
	col := 0
	for _, w := range strings.Fields(s) {
		if col > 0 && col+1+len(w) > width {
			b.WriteByte('\n')
			col = 0
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
