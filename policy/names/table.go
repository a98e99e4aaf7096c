package names

import "math/bits"

// table is a read-only multimap from 64-bit key hashes to 32-bit values,
// laid out as buckets in one array (a counting sort by the hash's top bits).
// A lookup touches the offsets array and one short run of entries; each
// entry keeps the low 32 bits of its hash as a fingerprint.
type table struct {
	shift uint
	off   []uint32
	ent   []uint64 // fingerprint<<32 | value
}

// tableBuilder collects key/value pairs before freezing them into a table.
type tableBuilder struct {
	keys []uint64
	vals []uint32
}

func (b *tableBuilder) add(h uint64, v uint32) {
	b.keys = append(b.keys, h)
	b.vals = append(b.vals, v)
}

func (b *tableBuilder) build() table {
	nb := max(bits.Len(uint(len(b.keys)))-1, 4) // about two entries per bucket
	nbk := 1 << nb
	t := table{shift: uint(64 - nb), off: make([]uint32, nbk+1), ent: make([]uint64, len(b.keys))}
	for _, h := range b.keys {
		t.off[h>>t.shift]++
	}
	for i := 1; i < nbk; i++ {
		t.off[i] += t.off[i-1] // off[b] = end of bucket b
	}
	t.off[nbk] = uint32(len(b.keys))
	for i, h := range b.keys {
		bk := h >> t.shift
		t.off[bk]-- // ends at the start of bucket bk
		t.ent[t.off[bk]] = uint64(uint32(h))<<32 | uint64(b.vals[i])
	}
	return t
}

// span returns the entries of h's bucket; callers match fingerprints with
// hit.
func (t *table) span(h uint64) []uint64 {
	if len(t.off) == 0 {
		return nil
	}
	bk := h >> t.shift
	return t.ent[t.off[bk]:t.off[bk+1]]
}

func hit(e, h uint64) (uint32, bool) {
	return uint32(e), uint32(e>>32) == uint32(h)
}
