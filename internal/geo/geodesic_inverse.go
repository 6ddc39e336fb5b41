package geo

import "math"

// The inverse problem, following Karney 2013. Points are
// first brought into a canonical configuration (lat1 <= 0, |lat2| <= |lat1|,
// 0 <= lon12 <= 180°); meridional and equatorial geodesics are solved
// directly; otherwise the azimuth α1 at point 1 is found by Newton's method
// on λ12(α1) (safeguarded by bisection) from a starting guess that handles
// short and nearly antipodal lines specially.

// lineState is what one evaluation of λ12(α1) learns about the geodesic
// leaving point 1 with azimuth α1.
type lineState struct {
	salp2, calp2 float64 // azimuth at point 2
	sig12        float64 // arc length on the auxiliary sphere, rad
	ssig1, csig1 float64 // σ1
	ssig2, csig2 float64 // σ2
	eps          float64 // expansion parameter ε
}

// inverse solves the inverse problem for latitudes and longitudes in
// degrees. It returns the distance in metres and the unit vectors
// (sin α, cos α) of the forward azimuths at both points.
func (e *Ellipsoid) inverse(lat1, lon1, lat2, lon2 float64) (s12, salp1, calp1, salp2, calp2 float64) {
	// Longitude difference in [0, 180]; lon12s = 180 - lon12 is formed from
	// the exact difference so that the sine near 180° keeps its precision.
	lon12, lon12e := angDiff(lon1, lon2)
	lonsign := 1.0
	if math.Signbit(lon12) {
		lonsign = -1
	}
	lon12 = lonsign * angRound(lon12)
	lon12s := angRound((180 - lon12) - lonsign*lon12e)
	lam12 := lon12 * degree
	var slam12, clam12 float64
	if lon12 > 90 {
		slam12, clam12 = sincosd(lon12s)
		clam12 = -clam12
	} else {
		slam12, clam12 = sincosd(lon12)
	}

	// Swap the points so that |lat1| >= |lat2|, then reflect so that
	// lat1 <= 0. The signs are restored on the azimuths at the end.
	lat1 = angRound(latFix(lat1))
	lat2 = angRound(latFix(lat2))
	swapp := 1.0
	if math.Abs(lat1) < math.Abs(lat2) || lat2 != lat2 {
		swapp = -1
		lonsign = -lonsign
		lat1, lat2 = lat2, lat1
	}
	latsign := -1.0
	if lat1 < 0 {
		latsign = 1
	}
	lat1 *= latsign
	lat2 *= latsign

	sbet1, cbet1 := e.reducedLat(lat1)
	sbet2, cbet2 := e.reducedLat(lat2)
	// If |β1| and |β2| agree to round-off make them equal, so that λ12
	// treats the symmetric case exactly (see calp2 in lambda12). For β1
	// near the pole the cosines are the sensitive measure, else the sines.
	if cbet1 < -sbet1 {
		if cbet2 == cbet1 {
			sbet2 = math.Copysign(sbet1, sbet2)
		}
	} else if math.Abs(sbet2) == -sbet1 {
		cbet2 = cbet1
	}
	dn1 := math.Sqrt(1 + e.ep2*sq(sbet1))
	dn2 := math.Sqrt(1 + e.ep2*sq(sbet2))

	meridian := lat1 == -90 || slam12 == 0
	if meridian {
		// Along the meridian: α1 = λ12 (0 or 180°) and α2 = 0.
		salp1, calp1 = slam12, clam12
		salp2, calp2 = 0, 1
		ssig1, csig1 := sbet1, calp1*cbet1
		ssig2, csig2 := sbet2, calp2*cbet2
		sig12 := math.Atan2(nonNeg(csig1*ssig2-ssig1*csig2), csig1*csig2+ssig1*ssig2)
		s12b := distB(e.n, sig12, ssig1, csig1, ssig2, csig2)
		m12b, _ := reducedB(e.n, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2)
		// The meridian is the shortest path unless it passes a point
		// conjugate to point 1 (m12 < 0), which happens only for lines
		// through a pole that end nearly opposite.
		if sig12 < tol2 || m12b >= 0 {
			if sig12 < 3*tiny || (sig12 < tol0 && (s12b < 0 || m12b < 0)) {
				s12b = 0 // coincident points
			}
			s12 = s12b * e.b
		} else {
			meridian = false
		}
	}

	switch {
	case meridian:
	case sbet1 == 0 && (e.f <= 0 || lon12s >= e.f*180):
		// Along the equator, which is the shortest path unless the
		// points are nearly opposite on an oblate ellipsoid.
		salp1, calp1 = 1, 0
		salp2, calp2 = 1, 0
		s12 = e.a * lam12
	default:
		var sig12, dnm float64
		sig12, salp1, calp1, salp2, calp2, dnm = e.inverseStart(sbet1, cbet1, dn1, sbet2, cbet2, dn2, lam12, slam12, clam12)
		if sig12 >= 0 {
			// Very short line, solved by the starting guess.
			s12 = sig12 * e.b * dnm
			break
		}
		var st lineState
		salp1, calp1 = e.solveAlpha1(&st, sbet1, cbet1, dn1, sbet2, cbet2, dn2, slam12, clam12, salp1, calp1)
		s12 = distB(st.eps, st.sig12, st.ssig1, st.csig1, st.ssig2, st.csig2) * e.b
		salp2, calp2 = st.salp2, st.calp2
	}
	if s12 == 0 {
		s12 = 0 // +0
	}

	// Undo the canonical transformation.
	if swapp < 0 {
		salp1, salp2 = salp2, salp1
		calp1, calp2 = calp2, calp1
	}
	salp1 *= swapp * lonsign
	calp1 *= swapp * latsign
	salp2 *= swapp * lonsign
	calp2 *= swapp * latsign
	return s12, salp1, calp1, salp2, calp2
}

// reducedLat returns sin β and cos β of the reduced latitude β of lat
// (degrees), tan β = (1 - f) tan φ, with cos β kept positive even at a pole.
func (e *Ellipsoid) reducedLat(lat float64) (sbet, cbet float64) {
	sbet, cbet = sincosd(lat)
	sbet, cbet = norm2(e.f1*sbet, cbet)
	if cbet < tiny {
		cbet = tiny
	}
	return sbet, cbet
}

// solveAlpha1 finds the azimuth α1 (as a unit vector) of the geodesic from
// β1 to β2 spanning the longitude difference with sine and cosine slam12,
// clam12, starting from the guess (salp1, calp1). It leaves the state of the
// final geodesic in st.
func (e *Ellipsoid) solveAlpha1(st *lineState, sbet1, cbet1, dn1, sbet2, cbet2, dn2, slam12, clam12, salp1, calp1 float64) (float64, float64) {
	// The root is bracketed by α1 in (0, π); the bracket shrinks as
	// λ12 - target changes sign.
	salp1a, calp1a := tiny, 1.0
	salp1b, calp1b := tiny, -1.0
	tripn, tripb := false, false
	rcbet2 := 1 / cbet2
	for numit := 0; ; numit++ {
		v := e.lambda12(st, sbet1, cbet1, sbet2, cbet2, rcbet2, salp1, calp1, slam12, clam12)
		tol := tol0
		if tripn {
			tol = 8 * tol0
		}
		if tripb || !(math.Abs(v) >= tol) || numit == maxit2 {
			break
		}
		if v > 0 && (numit > maxit1 || calp1/salp1 > calp1b/salp1b) {
			salp1b, calp1b = salp1, calp1
		} else if v < 0 && (numit > maxit1 || calp1/salp1 < calp1a/salp1a) {
			salp1a, calp1a = salp1, calp1
		}
		if numit < maxit1 {
			// λ12'(α1) = num/den; take the Newton step if it is positive.
			if num, den := e.dLambda12(st, sbet1, cbet2, dn1, dn2); num*den > 0 {
				if dalp1 := -v * den / num; math.Abs(dalp1) < math.Pi {
					sdalp1, cdalp1 := sincos(dalp1)
					if nsalp1 := salp1*cdalp1 + calp1*sdalp1; nsalp1 > 0 {
						// A rotation: the length stays 1 to round-off.
						salp1, calp1 = renorm(nsalp1, calp1*cdalp1-salp1*sdalp1)
						// Once |v| is this small, one more step reaches
						// round-off; then stop at a looser tolerance.
						tripn = math.Abs(v) <= 16*tol0
						continue
					}
				}
			}
		}
		// Newton's method failed to give an admissible step: bisect. This
		// only happens far from convergence (or if round-off stalls it).
		salp1, calp1 = norm2((salp1a+salp1b)/2, (calp1a+calp1b)/2)
		tripn = false
		tripb = math.Abs(salp1a-salp1)+(calp1a-calp1) < tolb ||
			math.Abs(salp1-salp1b)+(calp1-calp1b) < tolb
	}
	return salp1, calp1
}

// lambda12 follows the geodesic leaving β1 with azimuth α1 up to where it
// reaches latitude β2 heading north (cos α2 >= 0) and returns λ12(α1) minus
// the target longitude difference whose sine and cosine are slam120 and
// clam120; rcbet2 is 1/cbet2. The geodesic's state is left in st.
func (e *Ellipsoid) lambda12(st *lineState, sbet1, cbet1, sbet2, cbet2, rcbet2, salp1, calp1, slam120, clam120 float64) float64 {
	if sbet1 == 0 && calp1 == 0 {
		// Break the degeneracy of an equatorial start heading due east.
		calp1 = -tiny
	}
	// Azimuth α0 at the node, from Clairaut's relation, and σ1, ω1
	// measured from the node. The vectors (sin β, cos α cos β)
	// along the geodesic have length cos α0, so dividing by calp0
	// normalizes them (calp0 > 0 thanks to the tweak above).
	salp0 := salp1 * cbet1
	calp0 := hypot2(calp1, salp1*sbet1)
	rcalp0 := 1 / calp0
	ssig1, csig1 := sbet1*rcalp0, calp1*cbet1*rcalp0
	somg1, comg1 := salp0*sbet1, calp1*cbet1

	// Azimuth at point 2. cos α2 cos β2 is computed from the
	// difference of cos² β in the better conditioned of two forms.
	salp2 := salp1
	if cbet2 != cbet1 {
		salp2 = salp0 * rcbet2
	}
	var calp2 float64
	if cbet2 != cbet1 || math.Abs(sbet2) != -sbet1 {
		var d float64
		if cbet1 < -sbet1 {
			d = (cbet2 - cbet1) * (cbet1 + cbet2)
		} else {
			d = (sbet1 - sbet2) * (sbet1 + sbet2)
		}
		calp2 = math.Sqrt(sq(calp1*cbet1)+d) * rcbet2
	} else {
		calp2 = math.Abs(calp1)
	}
	ssig2, csig2 := sbet2*rcalp0, calp2*cbet2*rcalp0
	somg2, comg2 := salp0*sbet2, calp2*cbet2

	sig12 := math.Atan2(nonNeg(csig1*ssig2-ssig1*csig2), csig1*csig2+ssig1*ssig2)
	// ω12 - λ12target, with ω12 in [0, π].
	somg12 := nonNeg(comg1*somg2 - somg1*comg2)
	comg12 := comg1*comg2 + somg1*somg2
	eta := math.Atan2(somg12*clam120-comg12*slam120, comg12*clam120+somg12*slam120)

	k2 := sq(calp0) * e.ep2
	eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
	c3 := e.s3.c3f(eps)
	b312 := sinSeries5(&c3, ssig1, csig1, ssig2, csig2)
	domg12 := -e.f * e.s3.a3f(eps) * salp0 * (sig12 + b312) // λ12 - ω12

	*st = lineState{
		salp2: salp2, calp2: calp2,
		sig12: sig12,
		ssig1: ssig1, csig1: csig1,
		ssig2: ssig2, csig2: csig2,
		eps: eps,
	}
	return eta + domg12
}

// dLambda12 returns dλ12/dα1 for the geodesic in st as the fraction
// num/den (saving a division on the Newton path).
func (e *Ellipsoid) dLambda12(st *lineState, sbet1, cbet2, dn1, dn2 float64) (num, den float64) {
	if st.calp2 == 0 {
		return -2 * e.f1 * dn1, sbet1
	}
	var m12b float64
	if st.sig12 < 1 {
		// Well away from conjugate points m12 needs only modest relative
		// accuracy here (it sets the Newton step, not the result).
		m12b = reducedB3(st.eps, st.ssig1, st.csig1, dn1, st.ssig2, st.csig2, dn2, st.sig12)
	} else {
		m12b, _ = reducedB(st.eps, st.sig12, st.ssig1, st.csig1, dn1, st.ssig2, st.csig2, dn2)
	}
	return m12b * e.f1, st.calp2 * cbet2
}

// reducedB3 is reducedB with the series truncated at third order in ε, so
// with a relative error O(ε⁴) (about 1e-11 for the Earth).
func reducedB3(eps, ssig1, csig1, dn1, ssig2, csig2, dn2, sig12 float64) float64 {
	e2 := eps * eps
	e3 := e2 * eps
	m0 := eps * (2 + eps*(1+eps*(3.0/2)))
	j1 := -eps - 5.0/8*e3
	j2 := -e2/4 + e3/8
	j3 := -e3 / 8
	x1 := 2 * (csig1 - ssig1) * (csig1 + ssig1)
	x2 := 2 * (csig2 - ssig2) * (csig2 + ssig2)
	a2, b2 := j2+x1*j3, j2+x2*j3
	a1, b1 := j1+x1*a2-j3, j1+x2*b2-j3
	j12 := m0*sig12 + (2*ssig2*csig2*b1 - 2*ssig1*csig1*a1)
	return dn2*(csig1*ssig2) - dn1*(ssig1*csig2) - csig1*csig2*j12
}

// distB returns the distance s12/b along a geodesic with parameter ε between
// arc lengths σ1 and σ2.
func distB(eps, sig12, ssig1, csig1, ssig2, csig2 float64) float64 {
	c := c1(eps)
	return (1 + a1m1(eps)) * (sig12 + sinSeries6(&c, ssig1, csig1, ssig2, csig2))
}

// reducedB returns the reduced length m12/b and m0 = A1 - A2 for a
// geodesic with parameter ε between arc lengths σ1 and σ2; dn1 and dn2 are
// √(1 + k² sin² σ) at the two points.
func reducedB(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2 float64) (m12b, m0 float64) {
	c, m0 := cJ(eps)
	j12 := m0*sig12 + sinSeries6(&c, ssig1, csig1, ssig2, csig2) // J(σ2) - J(σ1)
	m12b = dn2*(csig1*ssig2) - dn1*(ssig1*csig2) - csig1*csig2*j12
	return m12b, m0
}

// inverseStart returns a starting guess (salp1, calp1) for α1.
// For very short lines the guess is the solution: then sig12 >= 0 is the
// arc length, (salp2, calp2) the azimuth at point 2 and s12 = sig12·b·dnm.
// Otherwise sig12 is -1.
func (e *Ellipsoid) inverseStart(sbet1, cbet1, dn1, sbet2, cbet2, dn2, lam12, slam12, clam12 float64) (sig12, salp1, calp1, salp2, calp2, dnm float64) {
	sig12 = -1
	sbet12 := sbet2*cbet1 - cbet2*sbet1  // sin(β2 - β1)
	cbet12 := cbet2*cbet1 + sbet2*sbet1  // cos(β2 - β1)
	sbet12a := sbet2*cbet1 + cbet2*sbet1 // sin(β2 + β1)
	shortline := cbet12 >= 0 && sbet12 < 0.5 && cbet2*lam12 < 0.5
	var somg12, comg12 float64
	if shortline {
		// Scale λ12 to ω12 on a sphere of radius b·w̄ at the mean
		// latitude.
		sbetm2 := sq(sbet1 + sbet2)
		sbetm2 /= sbetm2 + sq(cbet1+cbet2)
		dnm = math.Sqrt(1 + e.ep2*sbetm2)
		somg12, comg12 = sincos(lam12 / (e.f1 * dnm))
	} else {
		somg12, comg12 = slam12, clam12
	}

	// Great-circle azimuth on the auxiliary sphere.
	salp1 = cbet2 * somg12
	if comg12 >= 0 {
		calp1 = sbet12 + cbet2*sbet1*sq(somg12)/(1+comg12)
	} else {
		calp1 = sbet12a - cbet2*sbet1*sq(somg12)/(1-comg12)
	}
	ssig12 := hypot2(salp1, calp1)
	csig12 := sbet1*sbet2 + cbet1*cbet2*comg12

	switch {
	case shortline && ssig12 < e.etol2:
		// Really short: the spherical solution is exact to round-off.
		salp2 = cbet1 * somg12
		if comg12 >= 0 {
			calp2 = sbet12 - cbet1*sbet2*sq(somg12)/(1+comg12)
		} else {
			calp2 = sbet12 - cbet1*sbet2*(1-comg12)
		}
		salp2, calp2 = norm2(salp2, calp2)
		sig12 = math.Atan2(ssig12, csig12)
	case math.Abs(e.n) > 0.1 || csig12 >= 0 || ssig12 >= 6*math.Abs(e.n)*math.Pi*sq(cbet1):
		// Not nearly antipodal: the spherical guess will do.
	default:
		// Nearly antipodal: scale to the astroid problem.
		lam12x := math.Atan2(-slam12, -clam12) // λ12 - π
		var x, y, lamscale, betscale float64
		if e.f >= 0 {
			// x is the scaled longitude, y the scaled latitude.
			k2 := sq(sbet1) * e.ep2
			eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
			lamscale = e.f * cbet1 * e.s3.a3f(eps) * math.Pi
			betscale = lamscale * cbet1
			x = lam12x / lamscale
			y = sbet12a / betscale
		} else {
			// Prolate: the roles of latitude and longitude swap.
			cbet12a := cbet2*cbet1 - sbet2*sbet1
			bet12a := math.Atan2(sbet12a, cbet12a)
			m12b, m0 := reducedB(e.n, math.Pi+bet12a, sbet1, -cbet1, dn1, sbet2, cbet2, dn2)
			x = -1 + m12b/(cbet1*cbet2*m0*math.Pi)
			if x < -0.01 {
				betscale = sbet12a / x
			} else {
				betscale = -e.f * sq(cbet1) * math.Pi
			}
			lamscale = betscale / cbet1
			y = lam12x / lamscale
		}
		if y > -tol1 && x > -1-xthr {
			// Near the singular point (x, y) = (-1, 0).
			if e.f >= 0 {
				salp1 = math.Min(1, -x)
				calp1 = -math.Sqrt(1 - sq(salp1))
			} else {
				lim := -1.0
				if x > -tol1 {
					lim = 0
				}
				calp1 = math.Max(lim, x)
				salp1 = math.Sqrt(1 - sq(calp1))
			}
		} else {
			k := astroid(x, y)
			var omg12a float64
			if e.f >= 0 {
				omg12a = lamscale * (-x * k / (1 + k))
			} else {
				omg12a = lamscale * (-y * (1 + k) / k)
			}
			somg12, comg12 = math.Sincos(omg12a)
			comg12 = -comg12
			// Update the spherical estimate of α1 with the new ω12.
			salp1 = cbet2 * somg12
			calp1 = sbet12a - cbet2*sbet1*sq(somg12)/(1-comg12)
		}
	}
	if !(salp1 <= 0) {
		salp1, calp1 = norm2(salp1, calp1)
	} else {
		salp1, calp1 = 1, 0
	}
	return sig12, salp1, calp1, salp2, calp2, dnm
}

// astroid returns the positive root k of
//
//	k⁴ + 2k³ - (x² + y² - 1)k² - 2y²k - y² = 0
//
// which gives the starting point for nearly antipodal points. The
// quartic is solved in closed form through its resolvent cubic, choosing at
// each step the formulation that avoids cancellation.
func astroid(x, y float64) float64 {
	p := sq(x)
	q := sq(y)
	r := (p + q - 1) / 6
	if q == 0 && r <= 0 {
		// y = 0 with x inside the astroid: k = 0 (the limit of the
		// solution for y → 0).
		return 0
	}
	// Solve the resolvent cubic for u; disc is its discriminant.
	s := p * q / 4
	r2 := sq(r)
	r3 := r * r2
	disc := s * (s + 2*r3)
	u := r
	if disc >= 0 {
		t3 := s + r3
		// Add the square root with the sign of t3 to avoid cancellation;
		// t3 = 0 only if s = r3 = 0, then t = 0.
		if t3 < 0 {
			t3 -= math.Sqrt(disc)
		} else {
			t3 += math.Sqrt(disc)
		}
		t := math.Cbrt(t3)
		u += t
		if t != 0 {
			u += r2 / t
		}
	} else {
		// Three real roots; take the largest via the trigonometric form.
		ang := math.Atan2(math.Sqrt(-disc), -(s + r3))
		u += 2 * r * math.Cos(ang/3)
	}
	v := math.Sqrt(sq(u) + q) // guaranteed positive
	// Avoid loss of accuracy when u < 0.
	var uv float64
	if u < 0 {
		uv = q / (v - u)
	} else {
		uv = u + v
	}
	w := (uv - q) / (2 * v)
	// Rearranged k = √(uv + w²) - w to avoid cancellation.
	return uv / (math.Sqrt(uv+sq(w)) + w)
}
