package main

import "fmt"

// maxScanWorkers bounds --workers: each worker keeps a parser and an arena
// of up to 64 MB, so a mistyped count must not start thousands.
const maxScanWorkers = 256

// checkWorkers validates scan's --workers (0: one per CPU).
func checkWorkers(n int) error {
	if n < 0 || n > maxScanWorkers {
		return fmt.Errorf("--workers %d: want 0 (one per CPU) to %d", n, maxScanWorkers)
	}
	return nil
}

// countOf is "1 finding", "2 findings".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
