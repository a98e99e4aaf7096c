//go:build race

package npm

// raceEnabled: the race detector disables the compiler's non-allocating
// []byte→string conversions, so allocation totals are larger.
const raceEnabled = true
