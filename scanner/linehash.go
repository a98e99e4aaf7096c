package scanner

import (
	"strconv"
	"unicode/utf16"
)

// LineHashes computes GitHub's primaryLocationLineHash for every line of a
// file, exactly as github/codeql-action's src/fingerprints.ts does when the
// upload-sarif action fills it in: line endings normalised to LF, spaces
// and tabs dropped, a rolling polynomial hash (base 37, 64-bit wrap-around)
// over a 100-character window of UTF-16 code units, an end-of-file marker
// (65535) and zero padding; each line's value is the hash of the window
// starting at that line, as unsigned hex, then ":" and the occurrence
// number of that value in the file. The result is indexed by line - 1.
func LineHashes(content []byte) []string {
	const (
		blockSize = 100
		mod       = 37
		eof       = 65535
	)
	var firstMod uint64 = 1
	for range blockSize {
		firstMod *= mod
	}
	var (
		window      [blockSize]uint64
		lineNumbers [blockSize]int
		hash        uint64
		index       int
		lineNumber  int
		lineStart   = true
		prevCR      bool
		counts      = map[uint64]int{}
		out         []string
	)
	for i := range lineNumbers {
		lineNumbers[i] = -1
	}
	outputHash := func() {
		counts[hash]++
		ln := lineNumbers[index]
		for len(out) < ln {
			out = append(out, "")
		}
		out[ln-1] = strconv.FormatUint(hash, 16) + ":" + strconv.Itoa(counts[hash])
		lineNumbers[index] = -1
	}
	update := func(c uint64) {
		begin := window[index]
		window[index] = c
		hash = mod*hash + c - firstMod*begin
		index = (index + 1) % blockSize
	}
	process := func(c uint64) {
		if c == ' ' || c == '\t' || (prevCR && c == '\n') {
			prevCR = false
			return
		}
		if c == '\r' {
			c = '\n'
			prevCR = true
		} else {
			prevCR = false
		}
		if lineNumbers[index] != -1 {
			outputHash()
		}
		if lineStart {
			lineStart = false
			lineNumber++
			lineNumbers[index] = lineNumber
		}
		if c == '\n' {
			lineStart = true
		}
		update(c)
	}
	for _, u := range utf16.Encode([]rune(string(content))) {
		process(uint64(u))
	}
	process(eof)
	for range blockSize {
		if lineNumbers[index] != -1 {
			outputHash()
		}
		update(0)
	}
	return out
}
