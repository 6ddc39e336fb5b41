package geo

import "math"

// Angle helpers for the geodesic code. Angles in degrees are reduced exactly
// before conversion to radians so that multiples of 90° give exact sines and
// cosines and so that longitudes near ±180° keep their full precision.

const degree = math.Pi / 180

func sq(x float64) float64 { return x * x }

// norm2 scales (s, c) to unit length. The arguments are sine/cosine-like
// quantities of modest size, so the plain formula cannot overflow.
func norm2(s, c float64) (float64, float64) {
	r := 1 / math.Sqrt(s*s+c*c)
	return s * r, c * r
}

// renorm rescales (s, c), whose length is already 1 to within a few units
// of round-off, to length 1 (one Newton step for 1/√(s² + c²)).
func renorm(s, c float64) (float64, float64) {
	k := 1.5 - 0.5*(s*s+c*c)
	return s * k, c * k
}

// hypot2 is √(x² + y²) for arguments of modest size (see norm2).
func hypot2(x, y float64) float64 { return math.Sqrt(x*x + y*y) }

// nonNeg returns x clamped below at +0; NaN is passed through.
func nonNeg(x float64) float64 {
	if x > 0 || x != x {
		return x
	}
	return 0
}

// twoSum returns s = u + v rounded and the exact rounding error t, so that
// s + t == u + v exactly.
func twoSum(u, v float64) (s, t float64) {
	s = u + v
	up := s - v
	vpp := s - up
	up -= u
	vpp -= v
	t = -(up + vpp)
	return s, t
}

// angRound snaps tiny angles (in degrees) to a multiple of 2⁻⁵⁷ so that
// nearly degenerate inputs such as 1e-200° are treated as 0 instead of
// producing underflow deep inside the algorithm. Angles of magnitude 1/16°
// or more are returned unchanged.
func angRound(x float64) float64 {
	const z = 1.0 / 16
	y := math.Abs(x)
	if w := z - y; w > 0 {
		y = z - w
	}
	return math.Copysign(y, x)
}

// angRem reduces x exactly into [-180, 180].
func angRem(x float64) float64 {
	if x >= -180 && x <= 180 {
		return x
	}
	return math.Remainder(x, 360)
}

// angNormalize reduces x exactly into [-180, 180]; ±180 keeps the sign of x.
func angNormalize(x float64) float64 {
	if x >= -180 && x <= 180 {
		return x
	}
	y := math.Remainder(x, 360)
	if math.Abs(y) == 180 {
		return math.Copysign(180, x)
	}
	return y
}

// latFix returns x, or NaN if x is not a valid latitude.
func latFix(x float64) float64 {
	if math.Abs(x) > 90 {
		return math.NaN()
	}
	return x
}

// angDiff returns y - x reduced into [-180, 180] as an unevaluated sum d + e
// with |e| tiny, computed without loss of precision. A result of ±180 gets
// the sign that makes angDiff(x, y) == -angDiff(y, x).
func angDiff(x, y float64) (d, e float64) {
	d, t := twoSum(angRem(-x), angRem(y))
	d, e = twoSum(angRem(d), t)
	if d == 0 || math.Abs(d) == 180 {
		s := y - x
		if e != 0 {
			s = -e
			if d == 0 {
				s = e
			}
		}
		d = math.Copysign(d, s)
	}
	return d, e
}

// sincosd returns the sine and cosine of x degrees. Multiples of 90° give
// exact results, sincosd(-x) = (-s, c) exactly, and sin(-0) = -0.
func sincosd(x float64) (s, c float64) {
	if x == 0 {
		return x, 1
	}
	if !(math.Abs(x) <= 720) {
		x = math.Remainder(x, 360) // NaN for ±Inf and NaN
	}
	// Round half away from zero so that sincosd(-x) mirrors sincosd(x)
	// exactly. x - 90q is exact (Sterbenz) and lies in [-45°, 45°] up to
	// round-off in q, well inside the range of sincosSmall.
	q := math.Round(x / 90)
	switch r := x - 90*q; math.Abs(r) {
	case 45: // make sin 45° == cos 45°
		c = math.Sqrt(0.5)
		s = math.Copysign(c, r)
	case 30:
		c = math.Sqrt(0.75)
		s = math.Copysign(0.5, r)
	default:
		s, c = sincosSmall(r * degree)
	}
	switch int(q) & 3 {
	case 1:
		s, c = c, -s
	case 2:
		s, c = -s, -c
	case 3:
		s, c = -c, s
	}
	// Zeros are +0, except that sin(-0) = -0 (returned above).
	if s == 0 {
		s = 0
	}
	if c == 0 {
		c = 0
	}
	return s, c
}

// sincos returns sin x and cos x for x in radians.
func sincos(x float64) (s, c float64) {
	switch ax := math.Abs(x); {
	case ax < 1e-3:
		// The omitted terms are below 1e-19 relative.
		z := x * x
		return x + x*z*(-1.0/6+z*(1.0/120)), 1 - z/2 + z*z*(1.0/24)
	case ax <= math.Pi/4:
		return sincosSmall(x)
	}
	return math.Sincos(x)
}

// sincosSmall returns sin x and cos x for |x| <= π/4 (and a little more)
// from their Taylor series, which there converge to well below round-off
// by the terms in x¹⁷ and x¹⁸.
func sincosSmall(x float64) (s, c float64) {
	// The polynomials in z = x² are evaluated in Estrin's scheme (pairs of
	// terms combined with z² and z⁴), which shortens the dependency chain.
	z := x * x
	z2 := z * z
	z4 := z2 * z2
	ps := ((-1.0/6 + z*(1.0/120)) + z2*(-1.0/5040+z*(1.0/362880))) +
		z4*((-1.0/39916800+z*(1.0/6227020800))+z2*(-1.0/1307674368000+z*(1.0/355687428096000)))
	s = x + x*z*ps
	pc := ((1.0/24 + z*(-1.0/720)) + z2*(1.0/40320+z*(-1.0/3628800))) +
		z4*((1.0/479001600+z*(-1.0/87178291200))+z2*(1.0/20922789888000+z*(-1.0/6402373705728000)))
	// cos x = 1 - z/2 + z²·pc, with the rounding error of 1 - z/2
	// recovered exactly (w >= 1/2, so 1 - w is exact).
	hz := z / 2
	w := 1 - hz
	c = w + (((1 - w) - hz) + z2*pc)
	return s, c
}

// atan2d returns atan2(y, x) in degrees, in [-180, 180], with exact results
// at multiples of 45°.
func atan2d(y, x float64) float64 {
	q := 0
	if math.Abs(y) > math.Abs(x) {
		x, y = y, x
		q = 2
	}
	if math.Signbit(x) {
		x = -x
		q++
	}
	ang := math.Atan2(y, x) / degree // in [-45°, 45°]
	switch q {
	case 1:
		ang = math.Copysign(180, y) - ang
	case 2:
		ang = 90 - ang
	case 3:
		ang = -90 + ang
	}
	return ang
}
