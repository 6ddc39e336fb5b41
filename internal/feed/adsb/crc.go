package adsb

// The Mode S parity: a CRC-24 with generator polynomial
// x^24 + x^23 + ... + x^10 + x^3 + 1 (0x1FFF409), as ICAO Annex 10
// Volume IV §3.1.2.3.3 defines it. The parity field is the last 24 bits of
// every downlink; for DF11/17/18 it is the plain CRC of the rest, for the
// address/parity formats (DF0/4/5/16/20/21) it is the CRC overlaid with the
// aircraft address.

const crcPoly = 0xFFF409 // the generator without its x^24 term

var crcTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 16
		for range 8 {
			if c&0x800000 != 0 {
				c = c<<1 ^ crcPoly
			} else {
				c <<= 1
			}
		}
		t[i] = c & 0xFFFFFF
	}
	return t
}()

// Parity returns the 24-bit Mode S CRC of data: the value an encoder
// appends to data (the first 32 or 88 bits of a frame) to make a DF11, DF17
// or DF18 frame whose Checksum is zero. It does not allocate and is safe
// for concurrent use.
func Parity(data []byte) uint32 {
	var c uint32
	for _, b := range data {
		c = (c<<8 ^ crcTable[byte(c>>16)^b]) & 0xFFFFFF
	}
	return c
}

// Checksum returns the CRC-24 syndrome of a whole frame (7 or 14 bytes):
// the parity of all but the last three bytes XORed with those three bytes.
// It is zero for an intact DF11 (interrogator 0), DF17 or DF18 frame and
// the aircraft address for an intact address/parity frame (DF0/4/5/16/20/
// 21). A frame shorter than 4 bytes has syndrome 0xFFFFFFFF. It does not
// allocate and is safe for concurrent use.
func Checksum(frame []byte) uint32 {
	n := len(frame)
	if n < 4 {
		return 0xFFFFFFFF
	}
	p := uint32(frame[n-3])<<16 | uint32(frame[n-2])<<8 | uint32(frame[n-1])
	return Parity(frame[:n-3]) ^ p
}

// syndromeTable maps the syndrome of a single flipped bit to the index of
// that bit (0 = most significant bit of the first byte), for one frame
// length. Open addressing on a fixed array: built once, read without
// allocation.
type syndromeTable struct {
	keys [256]uint32 // syndrome+1; 0 marks an empty slot
	bits [256]uint8
}

func (t *syndromeTable) put(s uint32, bit int) {
	for i := s * 2654435761 >> 24; ; i = (i + 1) & 255 {
		if t.keys[i] == 0 {
			t.keys[i], t.bits[i] = s+1, uint8(bit)
			return
		}
	}
}

// lookup returns the bit whose flip gives syndrome s, or -1.
func (t *syndromeTable) lookup(s uint32) int {
	for i := (s & 0xFFFFFF) * 2654435761 >> 24; ; i = (i + 1) & 255 {
		switch t.keys[i] {
		case 0:
			return -1
		case s + 1:
			return int(t.bits[i])
		}
	}
}

func newSyndromeTable(nbytes int) *syndromeTable {
	t := new(syndromeTable)
	var f [14]byte
	for bit := 0; bit < nbytes*8; bit++ {
		f[bit/8] ^= 0x80 >> (bit % 8)
		t.put(Checksum(f[:nbytes]), bit)
		f[bit/8] = 0
	}
	return t
}

var (
	syndromes56  = newSyndromeTable(7)
	syndromes112 = newSyndromeTable(14)
)

// fixOneBit corrects a single-bit error in frame given its non-zero
// syndrome s and returns the corrected bit's index, or -1 if no single-bit
// error explains s. It never flips one of the five downlink format bits:
// a frame whose format is in doubt is not corrected.
func fixOneBit(frame []byte, s uint32) int {
	t := syndromes112
	if len(frame) == 7 {
		t = syndromes56
	}
	bit := t.lookup(s)
	if bit < 5 {
		return -1
	}
	frame[bit/8] ^= 0x80 >> (bit % 8)
	return bit
}
