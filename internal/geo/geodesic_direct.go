package geo

import "math"

// direct solves the direct problem (as in Karney 2013) from
// (lat1, lon1) in degrees with the azimuth given as the unit vector
// (salp1, calp1) over the distance s12 in metres. It returns the end point
// in degrees (lon2 in [-180, 180]) and the forward azimuth there as a unit
// vector.
func (e *Ellipsoid) direct(lat1, lon1, salp1, calp1, s12 float64) (lat2, lon2, salp2, calp2 float64) {
	sbet1, cbet1 := e.reducedLat(angRound(latFix(lat1)))

	// The geodesic's node on the equator: azimuth α0 and arc length
	// σ1 and longitude ω1 of point 1 measured from it. A start on
	// the equator heading due east or west is the node itself (σ1 = 0).
	salp0 := salp1 * cbet1
	calp0 := hypot2(calp1, salp1*sbet1)
	csig1 := 1.0
	if sbet1 != 0 || calp1 != 0 {
		csig1 = cbet1 * calp1
	}
	somg1, comg1 := salp0*sbet1, csig1
	ssig1, csig1 := norm2(sbet1, csig1)

	k2 := sq(calp0) * e.ep2
	eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)

	// Distance s1 from the node via τ1 = σ1 + B11, then invert
	// τ2 = τ1 + s12/(b A1) to σ2 with the C1' series.
	a1 := 1 + a1m1(eps)
	cc1 := c1(eps)
	b11 := sinSeries6At(&cc1, ssig1, csig1)
	sb, cb := sincos(b11)
	stau1 := ssig1*cb + csig1*sb
	ctau1 := csig1*cb - ssig1*sb

	tau12 := s12 / (e.b * a1)
	stau12, ctau12 := sincos(tau12)
	cc1p := c1p(eps)
	b12 := -sinSeries6At(&cc1p, stau1*ctau12+ctau1*stau12, ctau1*ctau12-stau1*stau12)
	sig12 := tau12 - (b12 - b11)
	ssig12, csig12 := sincos(sig12)
	if math.Abs(e.f) > 0.01 {
		// The C1' series loses accuracy for large f; polish σ12 with one
		// Newton step on s(σ12) = s12.
		ssig2 := ssig1*csig12 + csig1*ssig12
		csig2 := csig1*csig12 - ssig1*ssig12
		b12 = sinSeries6At(&cc1, ssig2, csig2)
		serr := a1*(sig12+(b12-b11)) - s12/e.b
		sig12 -= serr / math.Sqrt(1+k2*sq(ssig2))
		ssig12, csig12 = sincos(sig12)
	}

	// Point 2 on the auxiliary sphere.
	ssig2 := ssig1*csig12 + csig1*ssig12
	csig2 := csig1*csig12 - ssig1*ssig12
	sbet2 := calp0 * ssig2
	cbet2 := hypot2(salp0, calp0*csig2)
	if cbet2 == 0 {
		// Point 2 is a pole: give it a direction (as for point 1).
		cbet2, csig2 = tiny, tiny
	}
	salp2, calp2 = salp0, calp0*csig2

	// Longitude: ω12 on the sphere, corrected by the I3 integral.
	somg2, comg2 := salp0*ssig2, csig2
	omg12 := math.Atan2(somg2*comg1-comg2*somg1, comg2*comg1+somg2*somg1)
	c3 := e.s3.c3f(eps)
	lam12 := omg12 - e.f*e.s3.a3f(eps)*salp0*(sig12+sinSeries5(&c3, ssig1, csig1, ssig2, csig2))
	lon12 := lam12 / degree

	lat2 = atan2d(sbet2, e.f1*cbet2)
	lon2 = angNormalize(angNormalize(lon1) + angNormalize(lon12))
	return lat2, lon2, salp2, calp2
}
