//go:build !race

package npm

// raceEnabled reports whether the race detector instruments this build.
const raceEnabled = false
