package track

import (
	"math"
	"time"

	"github.com/vigia/vigia/internal/geo"
)

// WGS84 constants for the chord bound.
const (
	wgsA  = 6378137.0
	wgsF  = 1 / 298.257223563
	wgsE2 = wgsF * (2 - wgsF)
	// rMin is the least radius of curvature of the WGS84 ellipsoid,
	// b²/a = a(1 − e²), the meridional radius at the equator.
	rMin = wgsA * (1 - wgsE2)
)

// vec3 is a point in Earth-centred, Earth-fixed coordinates, metres.
type vec3 [3]float64

// ecef returns p on the WGS84 ellipsoid (height 0) in ECEF.
func ecef(p geo.LatLon) vec3 {
	sl, cl := math.Sincos(p.Lat.Radians())
	so, co := math.Sincos(p.Lon.Radians())
	n := wgsA / math.Sqrt(1-wgsE2*sl*sl)
	return vec3{n * cl * co, n * cl * so, n * (1 - wgsE2) * sl}
}

func (v vec3) dist(w vec3) float64 {
	return math.Sqrt((v[0]-w[0])*(v[0]-w[0]) + (v[1]-w[1])*(v[1]-w[1]) + (v[2]-w[2])*(v[2]-w[2]))
}

// chordBound returns an upper bound of the geodesic length between two
// points whose chord is c metres. The section of the ellipsoid by the
// plane through the two points and the centre is an ellipse whose radius
// of curvature is nowhere less than rMin, so by Schur's comparison theorem
// its shorter arc between them is no longer than the arc of the circle of
// radius rMin on the same chord, 2·rMin·asin(c/2rMin); the geodesic is no
// longer than that arc. The result is raised by a relative 1e-12 and 1 µm
// to cover rounding; beyond a half circle it is +Inf.
func chordBound(c float64) float64 {
	if c >= 2*rMin {
		return math.Inf(1)
	}
	return 2*rMin*math.Asin(c/(2*rMin))*(1+1e-12) + 1e-6
}

// probe is one examined point of a segment.
type probe struct {
	s     float64 // metres along the geodesic from the segment's start
	idx   int     // airspace index, −1 outside all
	depth float64 // metres, from Set.Depth(idx, …)
}

// segment is a search for crossings on the geodesic from a to b.
type segment struct {
	t      *Tracker
	a      geo.LatLon
	azi    geo.Degrees
	length float64
	ta     time.Time
	dt     time.Duration
	budget int
}

// segmentCrossings appends to dst every change of airspace on the geodesic
// from a (airspace ia, depth at least da, time ta) to b (ib, db, tb), in
// order. Only
// Time, Point, From and To are set. See the package documentation for the
// search and its proof.
func (t *Tracker) segmentCrossings(dst []Crossing, a, b geo.LatLon, ta, tb time.Time, ia, ib int, da, db float64) []Crossing {
	s12, azi, _ := geo.WGS84.Inverse(a.Lat, a.Lon, b.Lat, b.Lon)
	sg := segment{t: t, a: a, azi: azi, length: float64(s12), ta: ta, dt: tb.Sub(ta), budget: maxProbes}
	return sg.search(dst, probe{0, ia, da}, probe{float64(s12), ib, db})
}

// search settles the piece lo–hi: nothing if both ends are in one airspace
// and their depths exceed its length; a crossing at its midpoint if it is
// shorter than CrossingTolerance and its ends differ; otherwise both
// halves.
func (sg *segment) search(dst []Crossing, lo, hi probe) []Crossing {
	if lo.idx == hi.idx && lo.depth+hi.depth > hi.s-lo.s {
		return dst
	}
	ms := (lo.s + hi.s) / 2
	if hi.s-lo.s < float64(CrossingTolerance) || sg.budget <= 0 || ms == lo.s || ms == hi.s {
		if lo.idx != hi.idx {
			dst = append(dst, sg.crossing(ms, lo.idx, hi.idx))
		}
		return dst
	}
	sg.budget--
	p := sg.point(ms)
	i := sg.t.as.Locate(p.Lon, p.Lat)
	m := probe{ms, i, float64(sg.t.as.Depth(i, p.Lon, p.Lat))}
	dst = sg.search(dst, lo, m)
	return sg.search(dst, m, hi)
}

// point returns the point s metres along the segment.
func (sg *segment) point(s float64) geo.LatLon {
	lat, lon, _ := geo.WGS84.Direct(sg.a.Lat, sg.a.Lon, sg.azi, geo.Meters(s))
	return geo.LatLon{Lat: lat, Lon: lon}
}

func (sg *segment) crossing(s float64, from, to int) Crossing {
	frac := 0.0
	if sg.length > 0 {
		frac = s / sg.length
	}
	return Crossing{
		Time:  sg.ta.Add(time.Duration(math.Round(float64(sg.dt) * frac))),
		Point: sg.point(s),
		From:  sg.t.code(from),
		To:    sg.t.code(to),
	}
}
