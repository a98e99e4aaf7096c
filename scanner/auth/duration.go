package auth

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// pyNumber evaluates integer/float literals combined with * + - (and
// parentheses): 60 * 24 * 8.
func pyNumber(n node) (float64, bool) {
	switch n.Kind() {
	case "integer", "float", "number":
		v, err := strconv.ParseFloat(strings.ReplaceAll(n.Text(), "_", ""), 64)
		return v, err == nil
	case "parenthesized_expression":
		return pyNumber(n.NamedChild(0))
	case "binary_operator", "binary_expression":
		l, ok1 := pyNumber(n.Field("left"))
		r, ok2 := pyNumber(n.Field("right"))
		if !ok1 || !ok2 {
			return 0, false
		}
		switch n.Field("operator").Text() {
		case "*":
			return l * r, true
		case "+":
			return l + r, true
		case "-":
			return l - r, true
		}
	case "call":
		// int(os.getenv("X", 60*24)) and the like: judge the default
		if c := lastName(calleeName(n)); c == "int" || c == "float" {
			args, _ := pyArgs(n)
			if len(args) == 1 {
				return pyNumber(args[0])
			}
		}
	}
	return 0, false
}

var unitDur = map[string]time.Duration{
	"weeks": 7 * 24 * time.Hour, "days": 24 * time.Hour, "hours": time.Hour, "minutes": time.Minute,
	"seconds": time.Second, "milliseconds": time.Millisecond, "microseconds": time.Microsecond,
}

// pyTimedelta evaluates timedelta(days=…, hours=…) or timedelta(n) (days).
func pyTimedelta(call node) (time.Duration, bool) {
	pos, kw := pyArgs(call)
	var total time.Duration
	found := false
	if len(pos) > 0 {
		v, ok := pyNumber(pos[0])
		if !ok {
			return 0, false
		}
		total += time.Duration(v * float64(24*time.Hour))
		found = true
	}
	for k, v := range kw {
		u, ok := unitDur[k]
		if !ok {
			continue
		}
		f, ok := pyNumber(v)
		if !ok {
			return 0, false
		}
		total += time.Duration(f * float64(u))
		found = true
	}
	return total, found
}

// pyDuration evaluates a timedelta(...) or a number in unit.
func pyDuration(n node, unit string) (time.Duration, bool) {
	if n.Kind() == "call" && lastName(calleeName(n)) == "timedelta" {
		return pyTimedelta(n)
	}
	v, ok := pyNumber(n)
	if !ok {
		return 0, false
	}
	return time.Duration(v * float64(unitDur[unit])), true
}

var msRE = regexp.MustCompile(`^\s*(-?\d+(?:\.\d+)?)\s*(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|y|yrs?|years?)?\s*$`)

// msDuration parses the `ms` package's strings ("7d", "2 hours", "30m");
// a bare number is in seconds (jsonwebtoken's expiresIn).
func msDuration(s string) (time.Duration, bool) {
	m := msRE.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	var u time.Duration
	switch {
	case m[2] == "":
		u = time.Second
	case strings.HasPrefix(m[2], "ms") || strings.HasPrefix(m[2], "milli"):
		u = time.Millisecond
	case strings.HasPrefix(m[2], "s"):
		u = time.Second
	case strings.HasPrefix(m[2], "m"):
		u = time.Minute
	case strings.HasPrefix(m[2], "h"):
		u = time.Hour
	case strings.HasPrefix(m[2], "d"):
		u = 24 * time.Hour
	case strings.HasPrefix(m[2], "w"):
		u = 7 * 24 * time.Hour
	case strings.HasPrefix(m[2], "y"):
		u = 365 * 24 * time.Hour
	}
	return time.Duration(v * float64(u)), true
}

// fmtDuration prints 192h as "8 days", 36h as "36h".
func fmtDuration(d time.Duration) string {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	switch {
	case d != 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d != 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
