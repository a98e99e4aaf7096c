package names

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strconv"
	"unsafe"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// An index file is one ecosystem's built index (both stages) as it lies in
// memory: a fixed header, then each array's raw bytes, 8-byte aligned, then
// the targets' strings. Reading one back is a few slice views over the
// file's bytes and a validation pass instead of parsing the corpus and
// building the keys (about a second for npm). The layout is the machine's
// own (little-endian only; see indexFilesSupported), so files are a cache,
// never an exchange format: each is named by a key that covers this layout,
// the build that wrote it, the ecosystem, the options and the corpus bytes.

// indexFileLayout changes whenever the layout below or the meaning of any
// array changes; the build identity in the key covers code changes too.
const indexFileLayout = 5

var indexFileMagic = [8]byte{'V', 'I', 'G', 'I', 'L', 'I', 'X', 0}

const (
	headerWords = 24 // uint64 words
	headerSize  = headerWords * 8
	// bounds on the tables' bucket counts (tableBuilder: at least 16)
	minTableBits = 4
	maxTableBits = 40
)

// header word positions
const (
	hMagic = iota
	hLayout
	hEco
	hKey // 4 words: the key's 32 bytes
	_
	_
	_
	hKnown
	hKnownShift
	hKnownOff
	hKnownEnt
	hTargets
	hKeysShift
	hKeysOff
	hKeysEnt
	hArena
	hScopes
	hWithTargets // 1: the targets and their keys; 0: the names only
	hCRC         // CRC-32C of everything after the header
	hWordsShift
	hWordsOff
	hWordsEnt
)

// indexFilesSupported: files hold native byte order, which is read back
// as little-endian.
func indexFilesSupported() bool {
	return binary.NativeEndian.Uint16([]byte{1, 0}) == 1
}

// indexFileKey names one ecosystem's index file: it changes with the file
// layout, the build that indexes (buildID), the options and the corpus.
func indexFileKey(buildID string, eco policy.Ecosystem, opts IndexOptions, corpus [32]byte) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "vigil-proxy names index\x00layout %d\x00build %q\x00eco %s\x00ptr %d\x00opts %+v\x00corpus ",
		indexFileLayout, buildID, eco, strconv.IntSize, opts)
	h.Write(corpus[:])
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func ecoCode(eco policy.Ecosystem) uint64 {
	if eco == policy.NPM {
		return 1
	}
	return 0
}

// rawBytes is s's memory.
func rawBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

func pad8(n int) int { return (n + 7) &^ 7 }

// targetSpans are each target's name, fold, light fold and stem as
// (offset, length) pairs into the strings section.
func (e *ecoIndex) targetSpans() ([]uint32, []byte) {
	spans := make([]uint32, 0, 8*len(e.names))
	var arena []byte
	for id := range e.names {
		for _, s := range [4]string{e.names[id], e.folds[id], e.lights[id], e.stems[id]} {
			spans = append(spans, uint32(len(arena)), uint32(len(s)))
			arena = append(arena, s...)
		}
	}
	return spans, arena
}

// writeIndexFile writes e under key: its names, and its targets when they
// are built.
func (e *ecoIndex) writeIndexFile(w io.Writer, key [32]byte) error {
	spans, arena := e.targetSpans()
	keys, words := e.keys, e.words
	withTargets := e.pending == nil
	if !withTargets {
		keys = (&tableBuilder{}).build() // empty, of the smallest shape
		words = keys
	}
	sections := [][]byte{
		rawBytes(e.known.hash), rawBytes(e.known.monthly), rawBytes(e.known.rank),
		rawBytes(e.known.target), rawBytes(e.known.popular),
		rawBytes(e.known.slots.off), rawBytes(e.known.slots.ent), rawBytes(e.scopes),
		rawBytes(e.rank), rawBytes(e.monthly), rawBytes(e.tier), rawBytes(spans),
		rawBytes(keys.off), rawBytes(keys.ent), rawBytes(words.off), rawBytes(words.ent), arena,
	}
	var zeros [8]byte
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	for _, s := range sections {
		crc.Write(s)
		crc.Write(zeros[:pad8(len(s))-len(s)])
	}
	var hdr [headerWords]uint64
	hdr[hMagic] = binary.LittleEndian.Uint64(indexFileMagic[:])
	hdr[hLayout] = indexFileLayout
	hdr[hEco] = ecoCode(e.eco)
	for i := range 4 {
		hdr[hKey+i] = binary.LittleEndian.Uint64(key[8*i:])
	}
	hdr[hKnown] = uint64(len(e.known.hash))
	hdr[hKnownShift] = uint64(e.known.slots.shift)
	hdr[hKnownOff] = uint64(len(e.known.slots.off))
	hdr[hKnownEnt] = uint64(len(e.known.slots.ent))
	hdr[hTargets] = uint64(len(e.names))
	hdr[hKeysShift] = uint64(keys.shift)
	hdr[hKeysOff] = uint64(len(keys.off))
	hdr[hKeysEnt] = uint64(len(keys.ent))
	hdr[hWordsShift] = uint64(words.shift)
	hdr[hWordsOff] = uint64(len(words.off))
	hdr[hWordsEnt] = uint64(len(words.ent))
	if withTargets {
		hdr[hWithTargets] = 1
	}
	hdr[hArena] = uint64(len(arena))
	hdr[hScopes] = uint64(len(e.scopes))
	hdr[hCRC] = uint64(crc.Sum32())
	var hb [headerSize]byte
	for i, v := range hdr {
		binary.LittleEndian.PutUint64(hb[8*i:], v)
	}
	if _, err := w.Write(hb[:]); err != nil {
		return err
	}
	for _, s := range sections {
		if _, err := w.Write(s); err != nil {
			return err
		}
		if _, err := w.Write(zeros[:pad8(len(s))-len(s)]); err != nil {
			return err
		}
	}
	return nil
}

// errIndexFile is any index file that cannot be used as it is.
var errIndexFile = errors.New("not a usable index file")

// indexFileReader slices typed views out of an index file's bytes.
type indexFileReader struct {
	buf []byte
	off int
	err error
}

func view[T any](r *indexFileReader, n uint64) []T {
	var zero T
	size := uint64(unsafe.Sizeof(zero))
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.buf)) || n*size > uint64(len(r.buf)-r.off) {
		r.err = fmt.Errorf("%w: truncated", errIndexFile)
		return nil
	}
	if n == 0 {
		return []T{}
	}
	s := unsafe.Slice((*T)(unsafe.Pointer(&r.buf[r.off])), n)
	r.off += pad8(int(n * size))
	r.off = min(r.off, len(r.buf))
	return s
}

// readIndexFile fills e (as built by build and buildTargets, or by build
// alone: then e.pending is set, for the caller to complete) from an index
// file's bytes, which it keeps: they must not change afterwards. It
// checks the header against key and eco, the checksum, and every offset
// and id a lookup will follow, so that a damaged or foreign file is an
// error, never a wrong answer or a crash.
func (e *ecoIndex) readIndexFile(data []byte, key [32]byte, eco policy.Ecosystem, opts IndexOptions) error {
	if len(data) < headerSize {
		return fmt.Errorf("%w: %d bytes", errIndexFile, len(data))
	}
	if uintptr(unsafe.Pointer(unsafe.SliceData(data)))%8 != 0 {
		aligned := make([]uint64, (len(data)+7)/8)
		data = rawBytes(aligned)[:copy(rawBytes(aligned), data)]
	}
	var hdr [headerWords]uint64
	for i := range hdr {
		hdr[i] = binary.LittleEndian.Uint64(data[8*i:])
	}
	switch {
	case hdr[hMagic] != binary.LittleEndian.Uint64(indexFileMagic[:]):
		return fmt.Errorf("%w: bad magic", errIndexFile)
	case hdr[hLayout] != indexFileLayout:
		return fmt.Errorf("%w: layout %d, want %d", errIndexFile, hdr[hLayout], indexFileLayout)
	case hdr[hEco] != ecoCode(eco):
		return fmt.Errorf("%w: another ecosystem's", errIndexFile)
	case hdr[hWithTargets] > 1 || (hdr[hWithTargets] == 0 && hdr[hTargets] != 0):
		return fmt.Errorf("%w: bad targets flag", errIndexFile)
	}
	for i := range 4 {
		if hdr[hKey+i] != binary.LittleEndian.Uint64(key[8*i:]) {
			return fmt.Errorf("%w: another key's", errIndexFile)
		}
	}
	payload := data[headerSize:]
	if crc32.Checksum(payload, crc32.MakeTable(crc32.Castagnoli)) != uint32(hdr[hCRC]) || hdr[hCRC] > 0xffffffff {
		return fmt.Errorf("%w: checksum mismatch", errIndexFile)
	}
	r := &indexFileReader{buf: payload}
	nKnown, nTargets := hdr[hKnown], hdr[hTargets]
	var x ecoIndex
	x.eco, x.opts = eco, opts
	x.known.hash = view[uint64](r, nKnown)
	x.known.monthly = view[int64](r, nKnown)
	x.known.rank = view[int32](r, nKnown)
	x.known.target = view[int32](r, nKnown)
	popular := view[uint8](r, nKnown)
	x.known.slots.off = view[uint32](r, hdr[hKnownOff])
	x.known.slots.ent = view[uint64](r, hdr[hKnownEnt])
	x.scopes = view[uint64](r, hdr[hScopes])
	x.rank = view[int32](r, nTargets)
	x.monthly = view[int64](r, nTargets)
	x.tier = view[uint8](r, nTargets)
	spans := view[uint32](r, 8*nTargets)
	x.keys.off = view[uint32](r, hdr[hKeysOff])
	x.keys.ent = view[uint64](r, hdr[hKeysEnt])
	x.words.off = view[uint32](r, hdr[hWordsOff])
	x.words.ent = view[uint64](r, hdr[hWordsEnt])
	arena := view[byte](r, hdr[hArena])
	if r.err != nil {
		return r.err
	}
	if r.off != len(payload) {
		return fmt.Errorf("%w: %d trailing bytes", errIndexFile, len(payload)-r.off)
	}
	var err error
	if x.known.slots.shift, err = checkTable(hdr[hKnownShift], x.known.slots.off, x.known.slots.ent, nKnown); err != nil {
		return fmt.Errorf("known names: %w", err)
	}
	if x.keys.shift, err = checkTable(hdr[hKeysShift], x.keys.off, x.keys.ent, nTargets); err != nil {
		return fmt.Errorf("target keys: %w", err)
	}
	if x.words.shift, err = checkTable(hdr[hWordsShift], x.words.off, x.words.ent, maxWordCount+1); err != nil {
		return fmt.Errorf("words: %w", err)
	}
	for _, p := range popular {
		if p > 1 {
			return fmt.Errorf("%w: bad popularity flag", errIndexFile)
		}
	}
	x.known.popular = unsafe.Slice((*bool)(unsafe.Pointer(unsafe.SliceData(popular))), len(popular))
	for _, t := range x.known.target {
		if t < -1 || int64(t) >= int64(nTargets) {
			return fmt.Errorf("%w: target id %d out of range", errIndexFile, t)
		}
	}
	if !slices.IsSorted(x.scopes) {
		return fmt.Errorf("%w: scopes not sorted", errIndexFile)
	}
	for _, t := range x.tier {
		if t > tierBlock {
			return fmt.Errorf("%w: bad tier %d", errIndexFile, t)
		}
	}
	x.names = make([]string, nTargets)
	x.folds = make([]string, nTargets)
	x.lights = make([]string, nTargets)
	x.stems = make([]string, nTargets)
	for id := range x.names {
		for j, dst := range [4]*string{&x.names[id], &x.folds[id], &x.lights[id], &x.stems[id]} {
			off, n := uint64(spans[8*id+2*j]), uint64(spans[8*id+2*j+1])
			if n > maxName || off+n > uint64(len(arena)) {
				return fmt.Errorf("%w: target string out of range", errIndexFile)
			}
			if n > 0 {
				*dst = unsafe.String(&arena[off], int(n))
			}
		}
	}
	e.eco, e.opts = x.eco, x.opts
	e.known, e.scopes, e.names, e.folds, e.lights, e.stems = x.known, x.scopes, x.names, x.folds, x.lights, x.stems
	e.rank, e.monthly, e.tier, e.keys, e.words = x.rank, x.monthly, x.tier, x.keys, x.words
	if hdr[hWithTargets] == 0 {
		// buildTargets fills in known.target: a copy it may write
		e.known.target = slices.Clone(e.known.target)
		e.pending = &pendingTargets{}
		return nil
	}
	e.targetsOnce.Do(func() {}) // the targets came with the file
	return nil
}

// checkTable validates a table's shape: off has one bucket boundary per
// bucket plus one, never decreasing, ending at len(ent); every value is
// below limit. It returns the table's shift.
func checkTable(shift uint64, off []uint32, ent []uint64, limit uint64) (uint, error) {
	if shift < 64-maxTableBits || shift > 64-minTableBits || uint64(len(off)) != 1<<(64-shift)+1 {
		return 0, fmt.Errorf("%w: bad table shape", errIndexFile)
	}
	if off[0] != 0 || uint64(off[len(off)-1]) != uint64(len(ent)) {
		return 0, fmt.Errorf("%w: bad table bounds", errIndexFile)
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			return 0, fmt.Errorf("%w: bad table bounds", errIndexFile)
		}
	}
	for _, en := range ent {
		if uint64(uint32(en)) >= limit {
			return 0, fmt.Errorf("%w: table value out of range", errIndexFile)
		}
	}
	return uint(shift), nil
}

// keyString is an index file key as a file name stem.
func keyString(k [32]byte) string { return hex.EncodeToString(k[:]) }
