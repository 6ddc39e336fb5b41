package track

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// edgeIntersections returns the points where the segment a–b, straight in
// lon/lat, meets an edge of any ring of the country code in the GeoJSON,
// as the fraction u along a–b, by plain 2-D segment intersection.
func edgeIntersections(t *testing.T, code string, a, b geo.LatLon) []float64 {
	t.Helper()
	var us []float64
	ax, ay := float64(a.Lon), float64(a.Lat)
	dx, dy := float64(b.Lon)-ax, float64(b.Lat)-ay
	for _, c := range countries(t) {
		if c.Code != code {
			continue
		}
		for _, poly := range c.Polygons {
			for _, ring := range poly {
				for i := 0; i+1 < len(ring); i++ {
					px, py := ring[i][0], ring[i][1]
					ex, ey := ring[i+1][0]-px, ring[i+1][1]-py
					den := dx*ey - dy*ex
					if den == 0 {
						continue
					}
					u := ((px-ax)*ey - (py-ay)*ex) / den
					v := ((px-ax)*dy - (py-ay)*dx) / den
					if u >= 0 && u <= 1 && v >= 0 && v <= 1 {
						us = append(us, u)
					}
				}
			}
		}
	}
	return us
}

// TestCrossingBorder flies hand-made tracks across the USA–Mexico border
// at Otay Mesa (Tijuana/San Diego) and at Nogales, and checks each
// crossing against the intersection of the fix-to-fix segment with the
// border edge of the embedded GeoJSON, computed here independently.
func TestCrossingBorder(t *testing.T) {
	as := testSet(t)
	cases := []struct {
		name  string
		start geo.LatLon
		azi   geo.Degrees
	}{
		{"tijuana", geo.LatLon{Lat: 32.45, Lon: -116.95}, 0},
		{"tijuana-oblique", geo.LatLon{Lat: 32.47, Lon: -117.00}, 20},
		{"nogales", geo.LatLon{Lat: 31.29, Lon: -110.98}, 40},
		{"nogales-south", geo.LatLon{Lat: 31.38, Lon: -110.92}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(as, DefaultOptions())
			// 200 m/s, a fix every 10 s: 2 km segments, 12 km in all.
			ps := line("icao:ABC123", t0, 10*time.Second, 7, tc.start, tc.azi, 200)
			r := run(t, tr, ps)
			cs := r.allCrossings()
			if len(cs) != 1 {
				t.Fatalf("%d crossings, want 1: %+v", len(cs), cs)
			}
			c := cs[0]
			from, to := "MEX", "USA"
			if tc.azi > 90 {
				from, to = to, from
			}
			if c.From != from || c.To != to || c.After != c.Before+1 {
				t.Fatalf("crossing %s→%s between %d and %d, want %s→%s between consecutive fixes", c.From, c.To, c.Before, c.After, from, to)
			}
			a, b := ps[c.Before], ps[c.After]
			us := edgeIntersections(t, "USA", a.LatLon(), b.LatLon())
			if len(us) != 1 {
				t.Fatalf("%d USA edges cross the segment, want 1", len(us))
			}
			p := geo.LatLon{Lat: a.Lat + geo.Degrees(us[0])*(b.Lat-a.Lat), Lon: a.Lon + geo.Degrees(us[0])*(b.Lon-a.Lon)}
			// A 2 km geodesic and the lon/lat straight line between its
			// ends part by centimetres, so the two must agree within
			// CrossingTolerance.
			if d := geo.WGS84.Distance(p, c.Point); d > CrossingTolerance {
				t.Errorf("crossing point %v is %.3f m from the edge intersection %v", c.Point, d, p)
			}
			frac := float64(geo.WGS84.Distance(a.LatLon(), p) / geo.WGS84.Distance(a.LatLon(), b.LatLon()))
			want := a.Time.Add(time.Duration(frac * float64(b.Time.Sub(a.Time))))
			// 0.5 m at 200 m/s is 2.5 ms.
			if d := c.Time.Sub(want); d < -3*time.Millisecond || d > 3*time.Millisecond {
				t.Errorf("crossing time %v, want %v (±3 ms)", c.Time, want)
			}
			// The stay left behind: every fix before the crossing, with
			// the greatest depth among them.
			var maxD geo.Meters
			for _, q := range ps[:c.After] {
				i := as.Locate(q.Lon, q.Lat)
				maxD = max(maxD, as.Depth(i, q.Lon, q.Lat))
			}
			if c.Left.Country != from || c.Left.Fixes != c.After || c.Left.MaxDepth != maxD || !c.Left.End.Equal(c.Time) {
				t.Errorf("left stay %+v, want %s with %d fixes, max depth %v, ending at the crossing", c.Left, from, c.After, maxD)
			}
			f := r.flights[c.FlightID]
			if f.Crossings != 1 || f.Stay.Country != to || f.Stay.Fixes != len(ps)-c.After || !f.Stay.Start.Equal(c.Time) {
				t.Errorf("flight %+v after the crossing", f)
			}
		})
	}
}

// TestCrossingsMultiple checks segments that hold several changes of
// airspace — the Rio Grande's meanders at Big Bend, El Paso to
// Brownsville over Mexico (both ends in the USA), and San Diego to
// Guadalupe Island through international waters — against a dense scan
// of the geodesic every 20 m, and checks that each crossing has its From
// airspace 1 m before it and its To airspace 1 m after.
func TestCrossingsMultiple(t *testing.T) {
	as := testSet(t)
	cases := []struct {
		name string
		a, b geo.LatLon
		min  int
	}{
		{"big-bend", geo.LatLon{Lat: 29.56, Lon: -104.40}, geo.LatLon{Lat: 29.0, Lon: -103.2}, 5},
		{"el-paso-brownsville", geo.LatLon{Lat: 31.80, Lon: -106.40}, geo.LatLon{Lat: 25.95, Lon: -97.50}, 2},
		{"san-diego-guadalupe", geo.LatLon{Lat: 32.72, Lon: -117.16}, geo.LatLon{Lat: 29.0, Lon: -118.3}, 3},
	}
	if testing.Short() {
		cases = cases[:1]
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(as, Options{Gap: 10 * time.Hour, MaxSpeed: 1000})
			ta, tb := t0, t0.Add(time.Hour)
			r := run(t, tr, []position.Position{
				pos("icao:ABC123", ta, float64(tc.a.Lat), float64(tc.a.Lon)),
				pos("icao:ABC123", tb, float64(tc.b.Lat), float64(tc.b.Lon)),
			})
			cs := r.allCrossings()
			if len(cs) < tc.min {
				t.Fatalf("%d crossings, want at least %d", len(cs), tc.min)
			}
			s12, azi, _ := geo.WGS84.Inverse(tc.a.Lat, tc.a.Lon, tc.b.Lat, tc.b.Lon)
			at := func(s float64) int {
				lat, lon, _ := geo.WGS84.Direct(tc.a.Lat, tc.a.Lon, azi, geo.Meters(s))
				return as.Locate(lon, lat)
			}
			code := func(i int) string { return tr.code(i) }
			// Dense scan: the transitions between samples 20 m apart.
			const step = 20.0
			type change struct {
				s        float64
				from, to string
			}
			var dense []change
			prev := at(0)
			for s := step; ; s += step {
				s = math.Min(s, float64(s12))
				i := at(s)
				if i != prev {
					dense = append(dense, change{s - step/2, code(prev), code(i)})
					prev = i
				}
				if s == float64(s12) {
					break
				}
			}
			if len(dense) != len(cs) {
				t.Fatalf("%d crossings, dense scan finds %d", len(cs), len(dense))
			}
			lastS := -1.0
			for k, c := range cs {
				s, _, _ := geo.WGS84.Inverse(tc.a.Lat, tc.a.Lon, c.Point.Lat, c.Point.Lon)
				sf := float64(s)
				if math.Abs(sf-dense[k].s) > step || c.From != dense[k].from || c.To != dense[k].to {
					t.Errorf("crossing %d: %s→%s at %.1f m, dense scan %s→%s at %.1f m", k, c.From, c.To, sf, dense[k].from, dense[k].to, dense[k].s)
				}
				if code(at(sf-1)) != c.From || code(at(sf+1)) != c.To {
					t.Errorf("crossing %d at %.2f m: %q 1 m before, %q 1 m after, want %q, %q", k, sf, code(at(sf-1)), code(at(sf+1)), c.From, c.To)
				}
				want := ta.Add(time.Duration(sf / float64(s12) * float64(tb.Sub(ta))))
				if d := c.Time.Sub(want); d < -time.Millisecond || d > time.Millisecond {
					t.Errorf("crossing %d: time %v, want %v", k, c.Time, want)
				}
				if sf <= lastS || c.Before != 0 || c.After != 1 {
					t.Errorf("crossing %d out of order or between fixes %d, %d", k, c.Before, c.After)
				}
				lastS = sf
				if k > 0 && (c.From != cs[k-1].To || c.Left.Fixes != 0 || !c.Left.Start.Equal(cs[k-1].Time)) {
					t.Errorf("crossing %d does not chain from crossing %d: %+v", k, k-1, c)
				}
			}
			if cs[0].From != code(at(0)) || cs[len(cs)-1].To != code(at(float64(s12))) {
				t.Errorf("crossings run %s→…→%s, fixes are in %s and %s", cs[0].From, cs[len(cs)-1].To, code(at(0)), code(at(float64(s12))))
			}
		})
	}
}

// TestChordBound checks that chordBound never falls below the geodesic
// it bounds, for pairs from metres to thousands of kilometres apart.
func TestChordBound(t *testing.T) {
	for i := range 2000 {
		u := float64(i) / 2000
		a := geo.LatLon{Lat: geo.Degrees(-80 + 160*math.Mod(u*7.31, 1)), Lon: geo.Degrees(-180 + 360*math.Mod(u*3.17, 1))}
		dist := math.Pow(10, 6*math.Mod(u*11.3, 1)) // 1 m to 1000 km
		lat, lon, _ := geo.WGS84.Direct(a.Lat, a.Lon, geo.Degrees(360*math.Mod(u*5.9, 1)), geo.Meters(dist))
		b := geo.LatLon{Lat: lat, Lon: lon}
		c := ecef(a).dist(ecef(b))
		s := float64(geo.WGS84.Distance(a, b))
		if c > s+1e-6 {
			t.Fatalf("chord %v exceeds geodesic %v", c, s)
		}
		if ub := chordBound(c); ub < s {
			t.Fatalf("%v→%v: bound %v below geodesic %v", a, b, ub, s)
		}
	}
}

// TestCrossingsRandom draws segments of 0.2–5 km through random vertices
// of the USA boundary between the Pacific and the Gulf (land border, Rio
// Grande and coasts) and checks the Tracker's crossings against a dense
// scan of the geodesic every 2 m: the same changes, in order, each within
// 2 m of the scan's.
func TestCrossingsRandom(t *testing.T) {
	as := testSet(t)
	var verts [][2]float64
	for _, c := range countries(t) {
		if c.Code != "USA" {
			continue
		}
		for _, poly := range c.Polygons {
			for _, ring := range poly {
				for _, v := range ring {
					if v[0] > -117.2 && v[0] < -97.1 && v[1] > 25.8 && v[1] < 32.8 {
						verts = append(verts, v)
					}
				}
			}
		}
	}
	if len(verts) < 100 {
		t.Fatalf("%d boundary vertices in the border region", len(verts))
	}
	n := 120
	if testing.Short() {
		n = 30
	}
	rng := rand.New(rand.NewPCG(7, 11))
	tr := New(as, DefaultOptions())
	total := 0
	for k := range n {
		v := verts[rng.IntN(len(verts))]
		l := 200 + 4800*rng.Float64()
		azi := geo.Degrees(360 * rng.Float64())
		c := geo.LatLon{Lat: geo.Degrees(v[1]), Lon: geo.Degrees(v[0])}
		aLat, aLon, _ := geo.WGS84.Direct(c.Lat, c.Lon, azi, geo.Meters(-l*rng.Float64()))
		a := geo.LatLon{Lat: aLat, Lon: aLon}
		bLat, bLon, _ := geo.WGS84.Direct(a.Lat, a.Lon, azi, geo.Meters(l))
		b := geo.LatLon{Lat: bLat, Lon: bLon}
		ia, ib := as.Locate(a.Lon, a.Lat), as.Locate(b.Lon, b.Lat)
		cs := tr.segmentCrossings(nil, a, b, t0, t0.Add(time.Minute), ia, ib,
			float64(as.Depth(ia, a.Lon, a.Lat)), float64(as.Depth(ib, b.Lon, b.Lat)))
		s12, az, _ := geo.WGS84.Inverse(a.Lat, a.Lon, b.Lat, b.Lon)
		const step = 2.0
		var dense []float64
		prev := ia
		for s := step; ; s += step {
			s = math.Min(s, float64(s12))
			lat, lon, _ := geo.WGS84.Direct(a.Lat, a.Lon, az, geo.Meters(s))
			if i := as.Locate(lon, lat); i != prev {
				dense = append(dense, s-step/2)
				prev = i
			}
			if s == float64(s12) {
				break
			}
		}
		if len(cs) != len(dense) {
			t.Fatalf("segment %d (%v→%v): %d crossings, dense scan %d", k, a, b, len(cs), len(dense))
		}
		for j, x := range cs {
			s, _, _ := geo.WGS84.Inverse(a.Lat, a.Lon, x.Point.Lat, x.Point.Lon)
			if math.Abs(float64(s)-dense[j]) > step {
				t.Errorf("segment %d crossing %d at %.2f m, scan %.2f m", k, j, float64(s), dense[j])
			}
		}
		total += len(cs)
	}
	if total < n/2 {
		t.Errorf("only %d crossings in %d segments through the border", total, n)
	}
	t.Logf("%d crossings in %d segments", total, n)
}

// square returns a closed ring of the lon/lat box.
func square(lon0, lat0, lon1, lat1 float64) [][2]float64 {
	return [][2]float64{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}
}

// TestCrossingsOwnSet runs on a hand-made airspace set (two unit squares
// side by side on the equator, as --airspace would load) where the
// crossings are known exactly: a track along lat 0.5 from international
// airspace through AAA and BBB and out again crosses at lon 0, 1 and 2.
func TestCrossingsOwnSet(t *testing.T) {
	set, err := airspace.New([]airspace.Country{
		{Code: "AAA", Polygons: [][][][2]float64{{square(0, 0, 1, 1)}}},
		{Code: "BBB", Polygons: [][][][2]float64{{square(1, 0, 2, 1)}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := New(set, Options{Gap: 10 * time.Hour, MaxSpeed: 1000})
	r := run(t, tr, []position.Position{
		pos("icao:ABC123", t0, 0.5, -0.5),
		pos("icao:ABC123", t0.Add(2*time.Hour), 0.5, 2.5),
	})
	cs := r.allCrossings()
	want := []struct {
		lon      float64
		from, to string
	}{{0, "", "AAA"}, {1, "AAA", "BBB"}, {2, "BBB", ""}}
	if len(cs) != len(want) {
		t.Fatalf("%d crossings, want 3: %+v", len(cs), cs)
	}
	for i, w := range want {
		c := cs[i]
		// The border is the meridian lon = w.lon (the geodesic stays
		// within 2e-4° of lat 0.5, well inside the squares), so the
		// crossing must lie within half the tolerance of it, measured at
		// the crossing's own latitude.
		edge := geo.LatLon{Lat: c.Point.Lat, Lon: geo.Degrees(w.lon)}
		if d := geo.WGS84.Distance(edge, c.Point); d > CrossingTolerance/2 || c.From != w.from || c.To != w.to {
			t.Errorf("crossing %d: %s→%s at %v (%.3f m from lon %v), want %s→%s", i, c.From, c.To, c.Point, d, w.lon, w.from, w.to)
		}
	}
}

// TestCrossingsBudget flies along a border that zig-zags across the track
// every 1.1 m for 11 km (10,000 changes, far more than maxProbes allows)
// and checks that the search stops at its budget with crossings that
// still alternate and chain from the first fix's airspace to the last's.
func TestCrossingsBudget(t *testing.T) {
	ring := [][2]float64{{0.1, 0}}
	for k := 0; k <= 10000; k++ {
		lat := 0.5 + 2e-6
		if k%2 == 1 {
			lat = 0.5 - 2e-6
		}
		ring = append(ring, [2]float64{0.1 + float64(k)*1e-5, lat})
	}
	ring = append(ring, [2]float64{0.2, 0}, [2]float64{0.1, 0})
	set, err := airspace.New([]airspace.Country{{Code: "AAA", Polygons: [][][][2]float64{{ring}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := geo.LatLon{Lat: 0.5, Lon: 0.1000049}, geo.LatLon{Lat: 0.5, Lon: 0.1999951}
	ia, ib := set.Locate(a.Lon, a.Lat), set.Locate(b.Lon, b.Lat)
	tr := New(set, DefaultOptions())
	cs := tr.segmentCrossings(nil, a, b, t0, t0.Add(time.Minute), ia, ib,
		float64(set.Depth(ia, a.Lon, a.Lat)), float64(set.Depth(ib, b.Lon, b.Lat)))
	if len(cs) < 100 || len(cs) > maxProbes+1 {
		t.Fatalf("%d crossings, want between 100 and maxProbes+1", len(cs))
	}
	from := tr.code(ia)
	for i, c := range cs {
		if c.From != from || c.To == c.From {
			t.Fatalf("crossing %d: %s→%s, want from %q", i, c.From, c.To, from)
		}
		from = c.To
	}
	if from != tr.code(ib) {
		t.Errorf("crossings end in %q, the last fix is in %q", from, tr.code(ib))
	}
}
