package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// subcommand is one verb of a command group such as `data` or `store`.
type subcommand struct {
	name    string
	summary string
	run     func(args []string) int // args after the subcommand's name
}

// dispatchSubcommand runs the subcommand args[0] of group. A missing or
// unknown subcommand is a usage error that names it and lists the choices,
// as an unknown top-level command is; -h, --help and help list them on
// stdout.
func dispatchSubcommand(group string, args []string, subs []subcommand, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "vigil-proxy %s: missing subcommand\n\n", group)
		writeSubcommandUsage(stderr, group, subs)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		writeSubcommandUsage(stdout, group, subs)
		return exitOK
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(args[1:])
		}
	}
	fmt.Fprintf(stderr, "vigil-proxy %s: unknown subcommand %q\n\n", group, args[0])
	writeSubcommandUsage(stderr, group, subs)
	return exitUsage
}

func writeSubcommandUsage(w io.Writer, group string, subs []subcommand) {
	fmt.Fprintf(w, "usage: vigil-proxy %s <subcommand> [flags]\n\nsubcommands:\n", group)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range subs {
		fmt.Fprintf(tw, "  %s \t%s\n", s.name, s.summary)
	}
	tw.Flush()
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	fmt.Fprintf(w, "\nRun 'vigil-proxy %s %s -h' for its flags.\n", group, strings.Join(names, "|"))
}

// strayArgument reports, as a usage error on stderr, an operand given to a
// command that takes none (instead of silently ignoring it). It returns
// true when there was one.
func strayArgument(cmd string, operands []string, stderr io.Writer) bool {
	if len(operands) == 0 {
		return false
	}
	fmt.Fprintf(stderr, "vigil-proxy %s: unexpected argument %q (it takes only flags; 'vigil-proxy %s -h' lists them)\n", cmd, operands[0], cmd)
	return true
}

// parseFailed is the exit status of a failed fs.Parse: asking for help
// (-h, --help; the flag package has printed the usage) is no failure, a bad
// flag is a usage error.
func parseFailed(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// isHelp reports whether args is just a request for help.
func isHelp(args []string) bool {
	return len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help")
}
