//go:build race

package proxy_test

// raceEnabled: the race detector adds allocations of its own, so heap
// bounds are looser under it.
const raceEnabled = true
