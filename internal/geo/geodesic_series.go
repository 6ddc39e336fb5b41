package geo

// Series expansions of the geodesic integrals of Karney 2013, truncated at
// sixth order in the small parameters ε (the expansion parameter of the
// geodesic) and n (the third flattening).
//
// The integrals are
//
//	I1(σ) = ∫ √(1 + k² sin²σ) dσ          = A1 (σ + Σ C1[l] sin 2lσ)
//	I2(σ) = ∫ 1/√(1 + k² sin²σ) dσ        = A2 (σ + Σ C2[l] sin 2lσ)
//	I3(σ) = ∫ (2-f)/(1 + (1-f)√(1 + k² sin²σ)) dσ
//	                                       = A3 (σ + Σ C3[l] sin 2lσ)
//
// with k = e' cos α0 and ε = k²/(√(1+k²)+1)². The series C1'[l] inverts
// τ = σ + Σ C1[l] sin 2lσ into σ = τ + Σ C1'[l] sin 2lτ. A3 and C3 depend
// on n as well; their n-dependent parts are evaluated once per ellipsoid in
// newSeries3.

// a1m1 returns A1 - 1: A1 = (1 + ε²/4 + ε⁴/64 + ε⁶/256) / (1 - ε).
func a1m1(eps float64) float64 {
	e2 := eps * eps
	t := e2 * (1.0/4 + e2*(1.0/64+e2*(1.0/256)))
	return (t + eps) / (1 - eps)
}

// a2m1 returns A2 - 1: A2 = (1 - 3ε²/4 - 7ε⁴/64 - 11ε⁶/256) / (1 + ε),
// which equals (1 - ε)(1 + ε²/4 + 9ε⁴/64 + 25ε⁶/256) to this order.
func a2m1(eps float64) float64 {
	e2 := eps * eps
	t := -e2 * (3.0/4 + e2*(7.0/64+e2*(11.0/256)))
	return (t - eps) / (1 + eps)
}

// c1 returns the coefficients C1[1..6] in c[0..5].
func c1(eps float64) (c [6]float64) {
	e2 := eps * eps
	d := eps
	c[0] = d * (-1.0/2 + e2*(3.0/16+e2*(-1.0/32)))
	d *= eps
	c[1] = d * (-1.0/16 + e2*(1.0/32+e2*(-9.0/2048)))
	d *= eps
	c[2] = d * (-1.0/48 + e2*(3.0/256))
	d *= eps
	c[3] = d * (-5.0/512 + e2*(3.0/512))
	d *= eps
	c[4] = d * (-7.0 / 1280)
	d *= eps
	c[5] = d * (-7.0 / 2048)
	return c
}

// c1p returns the coefficients C1'[1..6] in c[0..5].
func c1p(eps float64) (c [6]float64) {
	e2 := eps * eps
	d := eps
	c[0] = d * (1.0/2 + e2*(-9.0/32+e2*(205.0/1536)))
	d *= eps
	c[1] = d * (5.0/16 + e2*(-37.0/96+e2*(1335.0/4096)))
	d *= eps
	c[2] = d * (29.0/96 + e2*(-75.0/128))
	d *= eps
	c[3] = d * (539.0/1536 + e2*(-2391.0/2560))
	d *= eps
	c[4] = d * (3467.0 / 7680)
	d *= eps
	c[5] = d * (38081.0 / 61440)
	return c
}

// c2 returns the coefficients C2[1..6] in c[0..5].
func c2(eps float64) (c [6]float64) {
	e2 := eps * eps
	d := eps
	c[0] = d * (1.0/2 + e2*(1.0/16+e2*(1.0/32)))
	d *= eps
	c[1] = d * (3.0/16 + e2*(1.0/32+e2*(35.0/2048)))
	d *= eps
	c[2] = d * (5.0/48 + e2*(5.0/256))
	d *= eps
	c[3] = d * (35.0/512 + e2*(7.0/512))
	d *= eps
	c[4] = d * (63.0 / 1280)
	d *= eps
	c[5] = d * (77.0 / 2048)
	return c
}

// cJ returns the coefficients of the sine series of J(σ) = I1(σ) - I2(σ),
// A1 C1[l] - A2 C2[l] in c[0..5], and its secular coefficient
// m0 = A1 - A2.
func cJ(eps float64) (c [6]float64, m0 float64) {
	a1m, a2m := a1m1(eps), a2m1(eps)
	a1, a2 := 1+a1m, 1+a2m
	k1, k2 := c1(eps), c2(eps)
	for l := range c {
		c[l] = a1*k1[l] - a2*k2[l]
	}
	return c, a1m - a2m
}

// series3 holds the coefficients of A3 and C3 as polynomials in ε, with the
// dependence on n already evaluated.
type series3 struct {
	a3 [6]float64 // A3 = Σ a3[j] ε^j, j = 0..5
	// C3[l] = ε^l Σ_j c3_l[j] ε^j: C3[1] has 5 terms, C3[2] 4, ... C3[5] 1.
	c31 [5]float64
	c32 [4]float64
	c33 [3]float64
	c34 [2]float64
	c35 float64
}

// newSeries3 evaluates the n-dependent coefficients of A3 and C3.
func newSeries3(n float64) (s series3) {
	n2 := n * n
	s.a3 = [6]float64{
		1,
		-(1.0/2 - n/2),
		-(1.0/4 + n/8 - 3*n2/8),
		-(1.0/16 + 3*n/16 + n2/16),
		-(3.0/64 + n/32),
		-3.0 / 128,
	}
	s.c31 = [5]float64{
		1.0/4 - n/4,
		1.0/8 - n2/8,
		3.0/64 + 3*n/64 - n2/64,
		5.0/128 + n/64,
		3.0 / 128,
	}
	s.c32 = [4]float64{
		1.0/16 - 3*n/32 + n2/32,
		3.0/64 - n/32 - 3*n2/64,
		3.0/128 + n/128,
		5.0 / 256,
	}
	s.c33 = [3]float64{
		5.0/192 - 3*n/64 + 5*n2/192,
		3.0/128 - 5*n/192,
		7.0 / 512,
	}
	s.c34 = [2]float64{
		7.0/512 - 7*n/256,
		7.0 / 512,
	}
	s.c35 = 21.0 / 2560
	return s
}

// a3f returns A3 for the given ε.
func (s *series3) a3f(eps float64) float64 {
	p := &s.a3
	return p[0] + eps*(p[1]+eps*(p[2]+eps*(p[3]+eps*(p[4]+eps*p[5]))))
}

// c3f returns C3[1..5] in c[0..4].
func (s *series3) c3f(eps float64) (c [5]float64) {
	// Powers by squaring and pairwise (Estrin) evaluation keep the
	// dependency chains short.
	e2 := eps * eps
	e3 := e2 * eps
	e4 := e2 * e2
	c[0] = eps * ((s.c31[0] + eps*s.c31[1]) + e2*(s.c31[2]+eps*s.c31[3]) + e4*s.c31[4])
	c[1] = e2 * ((s.c32[0] + eps*s.c32[1]) + e2*(s.c32[2]+eps*s.c32[3]))
	c[2] = e3 * ((s.c33[0] + eps*s.c33[1]) + e2*s.c33[2])
	c[3] = e4 * (s.c34[0] + eps*s.c34[1])
	c[4] = e4 * eps * s.c35
	return c
}

// sinSeries6 returns Σ_{l=1..6} c[l-1] (sin 2lσ2 - sin 2lσ1), given the
// sines and cosines of σ1 and σ2, by Clenshaw summation (the two sums are
// interleaved so that they proceed in parallel).
func sinSeries6(c *[6]float64, s1, c1, s2, c2 float64) float64 {
	x1 := 2 * (c1 - s1) * (c1 + s1) // 2 cos 2σ1
	x2 := 2 * (c2 - s2) * (c2 + s2)
	a6, b6 := c[5], c[5]
	a5, b5 := c[4]+x1*a6, c[4]+x2*b6
	a4, b4 := c[3]+x1*a5-a6, c[3]+x2*b5-b6
	a3, b3 := c[2]+x1*a4-a5, c[2]+x2*b4-b5
	a2, b2 := c[1]+x1*a3-a4, c[1]+x2*b3-b4
	a1, b1 := c[0]+x1*a2-a3, c[0]+x2*b2-b3
	return 2*s2*c2*b1 - 2*s1*c1*a1
}

// sinSeries6At returns Σ_{l=1..6} c[l-1] sin 2lσ, given sin σ and cos σ.
func sinSeries6At(c *[6]float64, s, co float64) float64 {
	x := 2 * (co - s) * (co + s)
	b6 := c[5]
	b5 := c[4] + x*b6
	b4 := c[3] + x*b5 - b6
	b3 := c[2] + x*b4 - b5
	b2 := c[1] + x*b3 - b4
	b1 := c[0] + x*b2 - b3
	return 2 * s * co * b1
}

// sinSeries5 returns Σ_{l=1..5} c[l-1] (sin 2lσ2 - sin 2lσ1), as sinSeries6.
func sinSeries5(c *[5]float64, s1, c1, s2, c2 float64) float64 {
	x1 := 2 * (c1 - s1) * (c1 + s1)
	x2 := 2 * (c2 - s2) * (c2 + s2)
	a5, b5 := c[4], c[4]
	a4, b4 := c[3]+x1*a5, c[3]+x2*b5
	a3, b3 := c[2]+x1*a4-a5, c[2]+x2*b4-b5
	a2, b2 := c[1]+x1*a3-a4, c[1]+x2*b3-b4
	a1, b1 := c[0]+x1*a2-a3, c[0]+x2*b2-b3
	return 2*s2*c2*b1 - 2*s1*c1*a1
}
