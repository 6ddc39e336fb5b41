package klv

import "math"

// imapb is the MISB ST 1201 mapping of a floating-point range [a, b] onto
// an unsigned integer of a given length ("IMAPB": the length in bytes is
// given, and the precision follows from it).
type imapb struct {
	a, b    float64
	size    int
	sF, sR  float64 // forward and reverse scale
	zOffset float64 // shifts the mapping so that zero is exact when a < 0 < b
}

// newIMAPB returns the mapping of [a, b] onto size bytes (1..8), with the
// constants of ST 1201 section 8.1.2: bPow = ⌈log2(b−a)⌉, dPow = 8·size−1,
// sF = 2^(dPow−bPow), sR = 2^(bPow−dPow).
func newIMAPB(a, b float64, size int) imapb {
	bPow := math.Ceil(math.Log2(b - a))
	dPow := float64(8*size - 1)
	m := imapb{a: a, b: b, size: size, sF: math.Exp2(dPow - bPow), sR: math.Exp2(bPow - dPow)}
	if a < 0 && b > 0 {
		m.zOffset = m.sF*a - math.Floor(m.sF*a)
	}
	return m
}

// imapbStatus says what a decoded IMAPB field holds.
type imapbStatus uint8

const (
	imapbNormal  imapbStatus = iota
	imapbSpecial             // ±infinity, NaN, below minimum, above maximum, user or reserved kinds
)

// decode maps the field v (len(v) == m.size) back to a value. Fields whose
// high bit is set, other than 0x80 followed by zeros, are ST 1201 special
// values; they report imapbSpecial.
func (m imapb) decode(v []byte) (float64, imapbStatus) {
	if v[0]&0x80 != 0 {
		zero := v[0] == 0x80
		for _, c := range v[1:] {
			if c != 0 {
				zero = false
			}
		}
		if !zero {
			return 0, imapbSpecial
		}
	}
	x := m.sR*(float64(readUint(v))-m.zOffset) + m.a
	return x, imapbNormal
}

// encode maps x, which must lie in [a, b], onto m.size bytes appended to
// dst.
func (m imapb) encode(dst []byte, x float64) []byte {
	y := math.Floor(m.sF*(x-m.a) + m.zOffset)
	if y < 0 {
		y = 0
	}
	lim := math.Exp2(float64(8 * m.size))
	if y >= lim {
		y = lim - 1
	}
	return appendUint(dst, uint64(y), m.size)
}

// decodeInRange is decode for a field that must hold a value of [a, b]: a
// value within one step outside the range (the rounding of the end points)
// is brought to the end point, and one farther out is reported special,
// as ST 1201 reserves other encodings for values out of range.
func (m imapb) decodeInRange(v []byte) (float64, imapbStatus) {
	x, st := m.decode(v)
	if st != imapbNormal {
		return x, st
	}
	switch {
	case x < m.a && x >= m.a-m.sR:
		x = m.a
	case x > m.b && x <= m.b+m.sR:
		x = m.b
	case x < m.a || x > m.b:
		return 0, imapbSpecial
	}
	return x, imapbNormal
}
