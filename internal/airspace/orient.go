package airspace

import (
	"math"
	"math/big"
)

// orientErrBound is the relative error bound of the float64 evaluation of
// the 2×2 orientation determinant (Shewchuk 1997, "Adaptive Precision
// Floating-Point Arithmetic and Fast Robust Geometric Predicates",
// ccwerrboundA = (3 + 16ε)ε with ε = 2⁻⁵³). When |det| exceeds this bound
// times the sum of the magnitudes of its two products, the float64 sign is
// the sign of the exact determinant.
const orientErrBound = (3 + 16*epsilon) * epsilon

const epsilon = 1.0 / (1 << 53)

// orient returns the sign of the exact determinant
//
//	| bx-ax  cx-ax |
//	| by-ay  cy-ay |
//
// that is +1 if c lies to the left of the directed line a→b, −1 if to the
// right, and 0 only if the three points are exactly collinear. The fast
// path is a float64 evaluation with a proven error bound; only when that
// cannot decide does it fall back to exact arithmetic.
func orient(ax, ay, bx, by, cx, cy float64) int {
	l := (bx - ax) * (cy - ay)
	r := (by - ay) * (cx - ax)
	det := l - r
	bound := orientErrBound * (math.Abs(l) + math.Abs(r))
	if det > bound {
		return 1
	}
	if det < -bound {
		return -1
	}
	return orientExact(ax, ay, bx, by, cx, cy)
}

// tiny is below the magnitude at which a product of two differences could
// underflow and so lose exactness in the float expansion; such inputs take
// the math/big path.
const tiny = 0x1p-450

// orientExact computes the sign of the orientation determinant exactly.
// Each difference is split into a rounded value and its exact error
// (TwoDiff), each product into two floats (TwoProduct with FMA), and the 32
// resulting terms are summed into a non-overlapping expansion whose largest
// component carries the sign. It does not allocate, except for inputs so
// small that a product could underflow, which are settled by math/big.
func orientExact(ax, ay, bx, by, cx, cy float64) int {
	var d [4][2]float64
	d[0][0], d[0][1] = twoDiff(bx, ax)
	d[1][0], d[1][1] = twoDiff(cy, ay)
	d[2][0], d[2][1] = twoDiff(by, ay)
	d[3][0], d[3][1] = twoDiff(cx, ax)
	for _, p := range d {
		for _, v := range p {
			if v != 0 && math.Abs(v) < tiny {
				return orientBig(ax, ay, bx, by, cx, cy)
			}
		}
	}
	var e [72]float64
	n := 0
	add := func(q float64) {
		// Grow-Expansion with zero elimination (Shewchuk, Figure 6).
		m := 0
		for i := 0; i < n; i++ {
			s, err := twoSum(q, e[i])
			if err != 0 {
				e[m] = err
				m++
			}
			q = s
		}
		if q != 0 {
			e[m] = q
			m++
		}
		n = m
	}
	for _, x := range d[0] {
		for _, y := range d[1] {
			h, l := twoProduct(x, y)
			add(l)
			add(h)
		}
	}
	for _, x := range d[2] {
		for _, y := range d[3] {
			h, l := twoProduct(x, y)
			add(-l)
			add(-h)
		}
	}
	if n == 0 {
		return 0
	}
	switch top := e[n-1]; {
	case top > 0:
		return 1
	case top < 0:
		return -1
	}
	return 0
}

// orientBig is the exact determinant in rational arithmetic. Every float64
// is a rational number, so the result is exact for all finite inputs.
func orientBig(ax, ay, bx, by, cx, cy float64) int {
	r := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	sub := func(a, b float64) *big.Rat { return new(big.Rat).Sub(r(a), r(b)) }
	l := new(big.Rat).Mul(sub(bx, ax), sub(cy, ay))
	rr := new(big.Rat).Mul(sub(by, ay), sub(cx, ax))
	return l.Cmp(rr)
}

// twoSum returns s = fl(a+b) and the exact error e with a+b = s+e (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bv := s - a
	av := s - bv
	return s, (a - av) + (b - bv)
}

// twoDiff returns d = fl(a−b) and the exact error e with a−b = d+e.
func twoDiff(a, b float64) (d, e float64) {
	d = a - b
	bv := a - d
	av := d + bv
	return d, (a - av) + (bv - b)
}

// twoProduct returns p = fl(a·b) and the exact error e with a·b = p+e,
// exact whenever the product does not underflow.
func twoProduct(a, b float64) (p, e float64) {
	p = a * b
	return p, math.FMA(a, b, -p)
}
