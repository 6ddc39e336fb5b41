package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// minAlong is the reference: the least inverse-geodesic distance from p to
// points of the lon/lat segment a–b, by dense sampling and then golden-
// section refinement around the best sample. It needs nothing from
// SegmentDistance.
func minAlong(e *Ellipsoid, p, a, b LatLon) (Meters, float64) {
	at := func(t float64) Meters {
		q := LatLon{Lat: a.Lat + Degrees(t)*(b.Lat-a.Lat), Lon: a.Lon + Degrees(t)*(b.Lon-a.Lon)}
		s, _, _ := e.Inverse(p.Lat, p.Lon, q.Lat, q.Lon)
		return s
	}
	const n = 400
	best, bt := Meters(math.Inf(1)), 0.0
	for i := 0; i <= n; i++ {
		if d := at(float64(i) / n); d < best {
			best, bt = d, float64(i)/n
		}
	}
	lo, hi := math.Max(0, bt-1.0/n), math.Min(1, bt+1.0/n)
	for range 100 {
		m1, m2 := lo+(hi-lo)*0.382, lo+(hi-lo)*0.618
		if at(m1) < at(m2) {
			hi = m2
		} else {
			lo = m1
		}
	}
	t := (lo + hi) / 2
	if d := at(t); d < best {
		return d, t
	}
	return best, bt
}

func TestSegmentDistanceMatchesSampling(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n := 600
	if testing.Short() {
		n = 100
	}
	for i := 0; i < n; i++ {
		a := LatLon{Lat: Degrees(rng.Float64()*140 - 70), Lon: Degrees(rng.Float64()*360 - 180)}
		// Segment lengths from metres to a couple of degrees; points from
		// on the segment to hundreds of kilometres away.
		l := math.Pow(10, -4+rng.Float64()*4.3)
		ang := rng.Float64() * 2 * math.Pi
		b := LatLon{Lat: Degrees(math.Max(-89, math.Min(89, float64(a.Lat)+l*math.Sin(ang)))), Lon: a.Lon + Degrees(l*math.Cos(ang))}
		f := rng.Float64()*1.4 - 0.2
		off := math.Pow(10, -6+rng.Float64()*6.5)
		p := LatLon{Lat: a.Lat + Degrees(f)*(b.Lat-a.Lat) + Degrees(off*(rng.Float64()-0.5)), Lon: a.Lon + Degrees(f)*(b.Lon-a.Lon) + Degrees(off*(rng.Float64()-0.5))}
		if math.Abs(float64(p.Lat)) > 89.9 {
			continue
		}
		got, gt := WGS84.SegmentDistance(p, a, b, rng.Float64())
		want, _ := minAlong(WGS84, p, a, b)
		if got > want+1e-4 || got < want-1e-3 {
			t.Fatalf("SegmentDistance(%v, %v–%v) = %.6f m, sampling gives %.6f m", p, a, b, got, want)
		}
		// The distance is achieved at the returned parameter.
		q := LatLon{Lat: a.Lat + Degrees(gt)*(b.Lat-a.Lat), Lon: a.Lon + Degrees(gt)*(b.Lon-a.Lon)}
		if s, _, _ := WGS84.Inverse(p.Lat, p.Lon, q.Lat, q.Lon); math.Abs(float64(s-got)) > 1e-4 {
			t.Fatalf("SegmentDistance(%v, %v–%v) = %.6f m at t=%v, but the inverse there is %.6f m", p, a, b, got, gt, s)
		}
	}
}

func TestShortChordAgreesWithInverse(t *testing.T) {
	// segmentDistanceShort turns a chord into a geodesic length; on a
	// degenerate segment (one point) that is a plain inverse problem.
	rng := rand.New(rand.NewPCG(13, 14))
	worst := 0.0
	for i := 0; i < 20000; i++ {
		p := LatLon{Lat: Degrees(rng.Float64()*170 - 85), Lon: Degrees(rng.Float64()*360 - 180)}
		az := rng.Float64() * 360
		s := Meters(rng.Float64() * 59000)
		la, lo, _ := WGS84.Direct(p.Lat, p.Lon, Degrees(az), s)
		an := WGS84.NewAnchor(p)
		d, _, ok := WGS84.segmentDistanceShort(&an, LatLon{Lat: la, Lon: lo}, 0, 0, 0)
		if !ok {
			t.Fatalf("%v to %v (%v m): not taken as short", p, LatLon{la, lo}, s)
		}
		worst = math.Max(worst, math.Abs(float64(d-s)))
	}
	if worst > 1e-4 {
		t.Fatalf("chord-based distance off the inverse geodesic by up to %.3g m", worst)
	}
	t.Logf("chord-based distance within %.3g m of the inverse geodesic up to 59 km", worst)
}

func TestPolylineDistance(t *testing.T) {
	pts := []LatLon{{32.5, -117.1}, {32.6, -116.9}, {32.55, -116.7}}
	p := LatLon{Lat: 32.7, Lon: -116.9}
	d, i, tt := WGS84.PolylineDistance(p, pts)
	var want Meters = Meters(math.Inf(1))
	for k := 0; k+1 < len(pts); k++ {
		w, _ := minAlong(WGS84, p, pts[k], pts[k+1])
		want = min(want, w)
	}
	if math.Abs(float64(d-want)) > 1e-3 || i != 0 || math.Abs(tt-1) > 1e-6 {
		t.Errorf("PolylineDistance = %v (segment %d, t %v), want %v at the shared vertex", d, i, tt, want)
	}
	if d, _, _ := WGS84.PolylineDistance(p, pts[:1]); math.Abs(float64(d-WGS84.Distance(p, pts[0]))) > 1e-9 {
		t.Errorf("one-point polyline: %v", d)
	}
	if d, _, _ := WGS84.PolylineDistance(p, nil); !math.IsInf(float64(d), 1) {
		t.Errorf("empty polyline: %v", d)
	}
	if n := testing.AllocsPerRun(100, func() { WGS84.SegmentDistance(p, pts[0], pts[1], 0.5) }); n != 0 {
		t.Errorf("SegmentDistance allocates %v times", n)
	}
}
