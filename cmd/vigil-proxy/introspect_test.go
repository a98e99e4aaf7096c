package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// `vigil-proxy config` prints the thresholds that apply, as the strategy
// sets them, not the zero values of unset keys.
func TestConfigPrintsEffectiveThresholds(t *testing.T) {
	for strategy, want := range map[string][]string{
		"default": {"min_package_age: 30d", "min_release_age: 7d", "min_weekly_downloads: 100", "DEP-003: block", "DEP-004: warn"},
		"strict":  {"min_package_age: 60d", "min_release_age: 14d", "DEP-004: block", "DEP-005: block"},
	} {
		code, stdout, stderr := runCLI(t, map[string]string{"VIGIL_STRATEGY": strategy}, "", "config")
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", strategy, code, stderr)
		}
		for _, w := range want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s: config output lacks %q", strategy, w)
			}
		}
		if strings.Contains(stdout, "min_package_age: 0s") {
			t.Errorf("%s: config prints min_package_age: 0s", strategy)
		}
	}
}

// `vigil-proxy rules` shows each rule's thresholds and marks the rules only
// the scanner raises.
func TestRulesShowThresholdsAndScannerRules(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "", "rules")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(stdout, "\n") {
		if id, _, ok := strings.Cut(l, " "); ok && strings.Contains(l, "block") {
			lines[id] = l
		}
	}
	for id, want := range map[string]string{"DEP-002": "min_package_age 30d, min_release_age 7d", "DEP-004": "min_weekly_downloads 100", "DEP-006": "[scanner only]"} {
		if !strings.Contains(lines[id], want) {
			t.Errorf("%s row %q lacks %q", id, lines[id], want)
		}
	}
	if strings.Count(stdout, "[scanner only]") != 2 { // DEP-006's row and the legend
		t.Errorf("[scanner only] marks more than DEP-006:\n%s", stdout)
	}
}

// A config error names the key and where the value came from, once; an
// unknown key is named in the file's terms.
func TestConfigErrorsNameKeyAndSourceOnce(t *testing.T) {
	path := writeFile(t, "vigil.yaml", "strategy: paranoid\n")
	_, _, stderr := runCLI(t, nil, "", "config", "--config", path)
	if n := strings.Count(stderr, "paranoid"); n != 1 || !strings.Contains(stderr, "strategy (config "+path+")") || strings.Contains(stderr, "VIGIL_STRATEGY") {
		t.Errorf("stderr = %q: want the strategy error once, blamed on %s", stderr, path)
	}
	_, _, stderr = runCLI(t, map[string]string{"VIGIL_STRATEGY": "paranoid"}, "", "config")
	if strings.Count(stderr, "paranoid") != 1 || !strings.Contains(stderr, "strategy (VIGIL_STRATEGY)") {
		t.Errorf("stderr = %q: want the strategy error once, blamed on VIGIL_STRATEGY", stderr)
	}
	path = writeFile(t, "typo.yaml", "listen: 127.0.0.1:1\ncache:\n  tll: 5m\n")
	_, _, stderr = runCLI(t, nil, "", "config", "--config", path)
	if !strings.Contains(stderr, "unknown key cache.tll") || strings.Contains(stderr, "main.") || strings.Contains(stderr, "type ") {
		t.Errorf("stderr = %q: want the unknown key named without Go types", stderr)
	}
}

// Durations in logs are human strings, JSON included.
func TestLogDurationsAreHuman(t *testing.T) {
	var buf bytes.Buffer
	newLogger(&buf, "info", "json").Info("shutting down", "grace", 30*time.Second)
	if !strings.Contains(buf.String(), `"grace":"30s"`) {
		t.Errorf("log line %s, want \"grace\":\"30s\"", buf.String())
	}
}

type fakeTerminal struct{ answers []string }

func (f *fakeTerminal) readSecret() (string, error) {
	if len(f.answers) == 0 {
		return "", errors.New("no more input")
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a, nil
}

// On a terminal, hash-password asks twice (without echo) and refuses two
// different answers.
func TestPasswordPromptAsksTwice(t *testing.T) {
	var prompts bytes.Buffer
	pw, err := promptTwice(&fakeTerminal{answers: []string{"a long passphrase", "a long passphrase"}}, &prompts)
	if err != nil || pw != "a long passphrase" {
		t.Errorf("same answers: %q, %v", pw, err)
	}
	if strings.Count(prompts.String(), ":") != 2 || strings.Contains(prompts.String(), "passphrase") {
		t.Errorf("prompts = %q: want two prompts and no echo", prompts.String())
	}
	if _, err := promptTwice(&fakeTerminal{answers: []string{"a long passphrase", "a long passphrasf"}}, &prompts); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Errorf("different answers: err = %v, want they differ", err)
	}
}
