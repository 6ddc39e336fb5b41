package geo

import "math"

// closeCos is the largest |cos θ|, θ the angle between the segment and the
// geodesic from the point, at which SegmentDistance closes the right
// triangle instead of taking another Newton step.
const closeCos = 0.003

// closeOffset is the longest offset along the segment, in metres, over
// which SegmentDistance closes the right triangle.
const closeOffset = 30

// SegmentDistance returns the geodesic distance on e from p to the nearest
// point of the segment a–b, and that point's parameter t in [0, 1]. The
// segment is straight in lon/lat (GeoJSON's rule): its points are
// a + t·(b − a) in degrees, longitudes taken as given (an edge from 170 to
// −170 runs the long way, through 0). hint is a starting guess for t (use
// 0.5 if unknown).
//
// The nearest point in space (ECEF) is found first by Gauss–Newton steps on
// t. Within 60 km the geodesic length follows from that chord
// (segmentDistanceShort). Farther, each further step takes one inverse
// geodesic and moves to the foot of the right triangle its azimuth makes
// with the segment (segmentDistanceLong), stopping when a step moves the
// point by under 10 µm or closing the last step as a right triangle. Safe
// for concurrent use; does not allocate.
func (e *Ellipsoid) SegmentDistance(p, a, b LatLon, hint float64) (Meters, float64) {
	an := e.NewAnchor(p)
	return e.SegmentDistanceFrom(&an, a, b, hint)
}

// Anchor is a point prepared for many SegmentDistanceFrom queries: its
// position in Earth-centred, Earth-fixed coordinates and its local frame.
// It is a value; copying it is cheap.
type Anchor struct {
	P      LatLon
	ECEF   [3]float64 // metres
	sp, cp float64    // sine and cosine of the latitude
	sl, cl float64    // sine and cosine of the longitude
	n, m   float64    // prime-vertical and meridional radii, metres
}

// NewAnchor prepares p for SegmentDistanceFrom.
func (e *Ellipsoid) NewAnchor(p LatLon) Anchor {
	var an Anchor
	e.InitAnchor(&an, p)
	return an
}

// InitAnchor is NewAnchor into *an.
func (e *Ellipsoid) InitAnchor(an *Anchor, p LatLon) {
	an.P = p
	an.sp, an.cp = math.Sincos(float64(p.Lat) * math.Pi / 180)
	an.sl, an.cl = math.Sincos(float64(p.Lon) * math.Pi / 180)
	w2 := 1 - e.e2*an.sp*an.sp
	w := math.Sqrt(w2)
	an.n = e.a / w
	an.m = e.a * (1 - e.e2) / (w2 * w)
	an.ECEF[0] = an.n * an.cp * an.cl
	an.ECEF[1] = an.n * an.cp * an.sl
	an.ECEF[2] = an.n * (1 - e.e2) * an.sp
}

// SegmentDistanceFrom is SegmentDistance from a prepared point.
func (e *Ellipsoid) SegmentDistanceFrom(an *Anchor, a, b LatLon, hint float64) (Meters, float64) {
	t := max(0, min(1, hint))
	if math.IsNaN(t) {
		t = 0.5
	}
	dlat := float64(b.Lat - a.Lat)
	dlon := float64(b.Lon - a.Lon)
	d, t, ok := e.segmentDistanceShort(an, a, dlat, dlon, t)
	if ok {
		return d, t
	}
	return e.segmentDistanceLong(an.P, a, dlat, dlon, t)
}

// segmentDistanceLong is SegmentDistance beyond shortChord, from a start t
// (the nearest point in space). Each step takes the inverse geodesic to the
// segment point at t and moves t to the foot of the right triangle that the
// geodesic's azimuth there makes with the segment: exact for a straight
// segment in a plane, and unlike a Newton step it does not overshoot when
// the point is far from the segment compared with the offset.
func (e *Ellipsoid) segmentDistanceLong(p, a LatLon, dlat, dlon, t float64) (Meters, float64) {
	best, bestT := Meters(math.Inf(1)), t
	for iter := 0; iter < 16; iter++ {
		q := LatLon{Lat: a.Lat + Degrees(t*dlat), Lon: a.Lon + Degrees(t*dlon)}
		sm, _, _, salp2, calp2 := e.inverse(float64(p.Lat), float64(p.Lon), float64(q.Lat), float64(q.Lon))
		s := Meters(sm)
		if s < best {
			best, bestT = s, t
		}
		if s == 0 || (dlat == 0 && dlon == 0) {
			break
		}
		// Velocity of the segment point, metres per unit t, east and north.
		sinQ, cosQ := math.Sincos(q.Lat.Radians())
		w2 := 1 - e.e2*sinQ*sinQ
		w := math.Sqrt(w2)
		n := e.a / w
		m := e.a * (1 - e.e2) / (w2 * w)
		ve := dlon * math.Pi / 180 * n * cosQ
		vn := dlat * math.Pi / 180 * m
		v := math.Hypot(ve, vn)
		if v == 0 {
			break
		}
		// cos θ, θ the angle between the segment and the geodesic leaving
		// q along azi2 (away from p).
		c := (ve*salp2 + vn*calp2) / (math.Hypot(salp2, calp2) * v)
		tf := t - float64(s)*c/v
		// Nearly square and near: close the right triangle. Over so short
		// an offset the segment's own curve (a line straight in lon/lat is
		// not a geodesic) moves the result by well under a millimetre.
		if math.Abs(c) <= closeCos && float64(s)*math.Abs(c) <= closeOffset && tf >= 0 && tf <= 1 {
			return s * Meters(math.Sqrt(1-c*c)), tf
		}
		nt := max(0, min(1, tf))
		if math.Abs(nt-t)*v < 1e-5 {
			break
		}
		t = nt
	}
	return best, bestT
}

// PolylineDistance returns the geodesic distance on e from p to the nearest
// point of the polyline pts (straight in lon/lat between vertices), and the
// index i and parameter t of that point on segment pts[i]–pts[i+1]. For a
// single point it is the distance to that point; for none, +Inf. It costs
// one SegmentDistance per segment; an index (such as the airspace package's)
// is the way to query many segments fast.
func (e *Ellipsoid) PolylineDistance(p LatLon, pts []LatLon) (d Meters, i int, t float64) {
	d = Meters(math.Inf(1))
	if len(pts) == 1 {
		return e.Distance(p, pts[0]), 0, 0
	}
	for k := 0; k+1 < len(pts); k++ {
		if dk, tk := e.SegmentDistance(p, pts[k], pts[k+1], 0.5); dk < d {
			d, i, t = dk, k, tk
		}
	}
	return d, i, t
}

// shortChord is the longest chord, in metres, over which a distance is taken
// from the chord rather than from the inverse geodesic.
const shortChord = 60e3

// segmentDistanceShort is SegmentDistance for a point within shortChord of
// the segment. It finds the point of the segment nearest in space by
// Gauss–Newton steps on t, then turns the chord c into the geodesic length
// s = c + c³/(24R²) + 3c⁵/(640R⁴), R the radius of curvature of the
// ellipsoid at p in the chord's direction (Euler's formula). Over 60 km the
// c³ term is under 5 cm and the error of this expansion, which comes from
// the change of curvature along the path, is under a micrometre; choosing
// the foot by the chord rather than by the geodesic moves the result by far
// less. When the point is not that near it reports false, with t the
// nearest point in space: a good start for segmentDistanceLong.
//
// Each step evaluates the segment's point x(t) and velocity v there and
// moves to the foot of the tangent line x(t) + v·(t′ − t). The segment
// parts from that line by at most A·Δt²/2 at t′ = t + Δt, A a bound of
// |x″|. When that is under 10 µm, and the segment's own nearest point is
// near enough to the line's foot that the chord there exceeds the least by
// under 10 µm too, the segment is not evaluated again: the chord to the
// line's foot stands for the chord to the segment's point at t′.
func (e *Ellipsoid) segmentDistanceShort(an *Anchor, a LatLon, dlat, dlon, t float64) (Meters, float64, bool) {
	// A bounds |x″| = |x_φφ·Δφ² + 2x_φλ·ΔφΔλ + x_λλ·Δλ²| (Δ in radians
	// over the whole segment): |x_φφ| = √(M² + M′²), |x_φλ| = M·|sin φ|,
	// |x_λλ| = N·cos φ, with N, M ≤ rmax and |M′| ≤ 3a|e²|(1−e²)/(2W⁵).
	w2min := min(1, 1-e.e2) // least W² = 1 − e²sin²φ
	wmin := math.Sqrt(w2min)
	rmax := e.a * max(1/wmin, 1-e.e2)
	mp := 1.5 * e.a * math.Abs(e.e2) * (1 - e.e2) / (w2min * w2min * wmin)
	dphi, dlam := dlat*math.Pi/180, dlon*math.Pi/180
	ang := math.Abs(dphi) + math.Abs(dlam)
	A := (rmax + mp) * ang * ang // rmax + mp ≥ √(rmax² + mp²)
	// tol bounds, in metres, each of the two errors of taking the line's
	// foot for the segment's point.
	const tol = 1e-5
	var r0, r1, r2 float64
	for iter := 0; ; iter++ {
		// The segment's point x at t and its velocity v = ∂x/∂t.
		sp, cp := math.Sincos((float64(a.Lat) + t*dlat) * math.Pi / 180)
		sl, cl := math.Sincos((float64(a.Lon) + t*dlon) * math.Pi / 180)
		w2 := 1 - e.e2*sp*sp
		w := math.Sqrt(w2)
		n := e.a / w
		m := e.a * (1 - e.e2) / (w2 * w)
		r0 = n*cp*cl - an.ECEF[0]
		r1 = n*cp*sl - an.ECEF[1]
		r2 = n*(1-e.e2)*sp - an.ECEF[2]
		mphi, nlam := m*dphi, n*cp*dlam
		v0 := -mphi*sp*cl - nlam*sl
		v1 := -mphi*sp*sl + nlam*cl
		v2 := mphi * cp
		g1 := r0*v0 + r1*v1 + r2*v2
		vv := v0*v0 + v1*v1 + v2*v2
		if vv == 0 {
			break
		}
		nt := max(0, min(1, t-g1/vv))
		dt := nt - t
		// The line's foot is off the segment by at most A·dt²/2, and the
		// segment's nearest point is off the line's by about c·(A/|v|²)·
		// |v·dt|, which moves the chord by its square over 2c.
		if md := A * dt * dt; md <= 2*tol && math.Sqrt(r0*r0+r1*r1+r2*r2)*md*A/vv <= 2*tol {
			r0 += v0 * dt
			r1 += v1 * dt
			r2 += v2 * dt
			t = nt
			break
		}
		if iter == 20 {
			break
		}
		t = nt
	}
	c2 := r0*r0 + r1*r1 + r2*r2
	if c2 > shortChord*shortChord {
		return 0, t, false
	}
	if c2 == 0 {
		return 0, t, true
	}
	// Direction of the chord in p's local east/north frame.
	east := -r0*an.sl + r1*an.cl
	north := -(r0*an.cl+r1*an.sl)*an.sp + r2*an.cp
	h2 := east*east + north*north
	k := 1 / an.n // curvature across the meridian, used when the chord is vertical
	if h2 > 0 {
		k = (north*north/an.m + east*east/an.n) / h2
	}
	kc2 := k * k * c2
	c := math.Sqrt(c2)
	return Meters(c * (1 + kc2/24 + 3*kc2*kc2/640)), t, true
}
