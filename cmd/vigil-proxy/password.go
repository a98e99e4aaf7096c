package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// terminal reads a line without echo; term.ReadPassword on a real
// terminal, a fake in tests.
type terminal interface {
	readSecret() (string, error)
}

type ttyTerminal struct{ fd int }

func (t ttyTerminal) readSecret() (string, error) {
	b, err := term.ReadPassword(t.fd)
	return string(b), err
}

// readPassword reads the password for hash-password: on a terminal it
// prompts on stderr without echo and asks twice; otherwise (a pipe) it reads
// one line from stdin.
func readPassword(stdin io.Reader, prompt io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptTwice(ttyTerminal{fd: int(f.Fd())}, prompt)
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// promptTwice asks for the password and its confirmation.
func promptTwice(t terminal, prompt io.Writer) (string, error) {
	fmt.Fprint(prompt, "Password (not shown): ")
	first, err := t.readSecret()
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(prompt, "Repeat it: ")
	second, err := t.readSecret()
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if first != second {
		return "", errors.New("the two passwords differ; nothing was hashed")
	}
	return first, nil
}
