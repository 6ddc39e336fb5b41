package geo

import (
	"math"
	"time"
)

// Tolerances and limits of the geodesic solvers.
const (
	tol0   = 0x1p-52     // machine epsilon
	tol1   = 200 * tol0  // threshold for the nearly antipodal start
	tol2   = 0x1p-26     // √tol0
	tolb   = tol0        // convergence of the bisection
	xthr   = 1000 * tol2 // threshold on x in the astroid start
	tiny   = 0x1p-511    // √(smallest normal number)
	maxit1 = 20          // Newton steps
	maxit2 = maxit1 + 53 + 10
)

// Ellipsoid is an ellipsoid of revolution with precomputed coefficients for
// solving geodesic problems on it with the algorithms of C. F. F. Karney,
// "Algorithms for geodesics", J. Geodesy 87, 43–55 (2013),
// https://doi.org/10.1007/s00190-012-0578-z.
//
// An Ellipsoid is immutable after construction; all its methods are safe for
// concurrent use by multiple goroutines and do not allocate.
type Ellipsoid struct {
	a     float64 // equatorial radius, m
	f     float64 // flattening
	f1    float64 // 1 - f
	b     float64 // polar semi-axis, m
	e2    float64 // eccentricity squared, e² = f(2 - f)
	ep2   float64 // second eccentricity squared, e'² = e²/(1 - f)²
	n     float64 // third flattening
	etol2 float64 // threshold for treating a line as very short
	s3    series3 // A3 and C3 coefficients for this n
}

// NewEllipsoid returns the ellipsoid with equatorial radius a (metres) and
// flattening f (dimensionless; f < 0 gives a prolate ellipsoid, f = 0 a
// sphere). The series used are accurate to round-off for |f| ≤ 1/50; the
// errors grow with |f| beyond that, and results are only rough for
// |f| > 1/5. The result is immutable and safe for concurrent use.
func NewEllipsoid(a Meters, f float64) *Ellipsoid {
	e := &Ellipsoid{a: float64(a), f: f, f1: 1 - f}
	e.b = e.a * e.f1
	e.e2 = f * (2 - f)
	e.ep2 = e.e2 / sq(e.f1)
	e.n = f / (2 - f)
	e.etol2 = 0.1 * tol2 / math.Sqrt(math.Max(0.001, math.Abs(f))*math.Min(1, 1-f/2)/2)
	e.s3 = newSeries3(e.n)
	return e
}

// WGS84 is the World Geodetic System 1984 ellipsoid: a = 6378137 m,
// f = 1/298.257223563. It is safe for concurrent use.
var WGS84 = NewEllipsoid(6378137, 1/298.257223563)

// Inverse solves the inverse geodesic problem: it returns the length s12 in
// metres of the shortest path (geodesic) from (lat1, lon1) to (lat2, lon2)
// and the azimuths azi1 and azi2 in degrees, clockwise from north in
// [-180, 180], of the geodesic at the two points. azi2 is the forward
// azimuth, the direction of travel at point 2.
//
// Latitudes must lie in [-90, 90] degrees (otherwise the results are NaN);
// longitudes may be any value in degrees and are reduced modulo 360. The
// result is accurate to about 15 nanometres for WGS84 for all pairs of
// points, including nearly antipodal ones. If the shortest path is not
// unique (e.g. antipodal points) one of them is returned; for coincident
// points s12 is 0 and the azimuths are those of a meridian. For a point at a
// pole the azimuths are computed as if the pole were approached along the
// meridian of the given longitude.
//
// Inverse is safe for concurrent use and does not allocate.
func (e *Ellipsoid) Inverse(lat1, lon1, lat2, lon2 Degrees) (s12 Meters, azi1, azi2 Degrees) {
	s, salp1, calp1, salp2, calp2 := e.inverse(float64(lat1), float64(lon1), float64(lat2), float64(lon2))
	return Meters(s), Degrees(atan2d(salp1, calp1)), Degrees(atan2d(salp2, calp2))
}

// Distance returns the length in metres of the geodesic (the shortest path
// on the ellipsoid) between a and b, with the accuracy of Inverse.
// Latitudes and longitudes are in degrees. Distance is safe for concurrent
// use and does not allocate.
func (e *Ellipsoid) Distance(a, b LatLon) Meters {
	s, _, _, _, _ := e.inverse(float64(a.Lat), float64(a.Lon), float64(b.Lat), float64(b.Lon))
	return Meters(s)
}

// Direct solves the direct geodesic problem: starting at (lat1, lon1) in
// degrees with azimuth azi1 (degrees clockwise from north) it travels s12
// metres along the geodesic (backwards if s12 < 0) and returns the end
// point (lat2, lon2) in degrees, lon2 reduced into [-180, 180], and the
// forward azimuth azi2 in degrees at the end point, in [-180, 180].
//
// A starting point at a pole is treated as the limit of a point approaching
// the pole along the meridian lon1, so azi1 is measured relative to that
// meridian. Direct is accurate to about 15 nanometres for WGS84, is safe for
// concurrent use and does not allocate.
func (e *Ellipsoid) Direct(lat1, lon1, azi1 Degrees, s12 Meters) (lat2, lon2, azi2 Degrees) {
	salp1, calp1 := sincosd(angRound(angNormalize(float64(azi1))))
	la, lo, salp2, calp2 := e.direct(float64(lat1), float64(lon1), salp1, calp1, float64(s12))
	return Degrees(la), Degrees(lo), Degrees(atan2d(salp2, calp2))
}

// Interpolate returns the point a fraction frac of the way along the geodesic
// from a to b, measured by distance: frac = 0 gives a, frac = 1 gives b and
// frac = 0.5 the point equidistant from both along the geodesic. Values of
// frac outside [0, 1] extrapolate along the same geodesic. Positions are in
// degrees; the longitude of the result is in [-180, 180] (a and b themselves
// are returned unchanged for frac 0 and 1). Interpolate is safe for
// concurrent use and does not allocate.
func (e *Ellipsoid) Interpolate(a, b LatLon, frac float64) LatLon {
	switch frac {
	case 0:
		return a
	case 1:
		return b
	}
	s12, salp1, calp1, _, _ := e.inverse(float64(a.Lat), float64(a.Lon), float64(b.Lat), float64(b.Lon))
	lat, lon, _, _ := e.direct(float64(a.Lat), float64(a.Lon), salp1, calp1, frac*s12)
	return LatLon{Lat: Degrees(lat), Lon: Degrees(lon)}
}

// InterpolateTime returns the position at time t of a track that moves
// along the geodesic from a (at time ta) to b (at time tb) at constant
// ground speed. The fraction of the way travelled, (t-ta)/(tb-ta), is
// clamped to [0, 1], so times before ta give a and times after tb give b.
// If ta equals tb, a is returned for t not after ta and b otherwise.
// Positions are in degrees. InterpolateTime is safe for concurrent use and
// does not allocate.
func (e *Ellipsoid) InterpolateTime(a, b LatLon, ta, tb, t time.Time) LatLon {
	d := tb.Sub(ta)
	if d == 0 {
		if t.After(ta) {
			return b
		}
		return a
	}
	frac := float64(t.Sub(ta)) / float64(d)
	switch {
	case !(frac > 0): // also NaN
		return a
	case frac >= 1:
		return b
	}
	return e.Interpolate(a, b, frac)
}
