package geo

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// Property tests: round trips, symmetries, special geodesics, interpolation,
// allocation and concurrency, and checks of the building blocks.

// randomPair returns two points: uniformly distributed on the sphere when
// global is true, otherwise within about 50 km of each other.
func randomPair(r *rand.Rand, global bool) (LatLon, LatLon) {
	lat := func() Degrees { return Degrees(math.Asin(2*r.Float64()-1) / degree) }
	lon := func() Degrees { return Degrees(360*r.Float64() - 180) }
	a := LatLon{lat(), lon()}
	if global {
		return a, LatLon{lat(), lon()}
	}
	for {
		s := Meters(50000 * r.Float64())
		b, lon2, _ := WGS84.Direct(a.Lat, a.Lon, Degrees(360*r.Float64()-180), s)
		if s > 0 {
			return a, LatLon{b, lon2}
		}
	}
}

// TestRoundTrip solves Direct with the azimuth and distance from Inverse and
// checks that it arrives back at point 2. Each solution is accurate to about
// 15 nm (GeographicLib's bound for WGS84); besides, positions held as float64
// degrees are quantized at up to 3 nm (for |lon| near 180°), and so is the
// end of a 20000 km line by the float64 azimuth. A bound of 1 nm is below
// this floor, so the test asserts 10 nm for short lines and 30 nm globally.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name   string
		global bool
		tol    float64
	}{{"short", false, 1e-8}, {"global", true, 3e-8}} {
		worst := 0.0
		for range 20000 {
			a, b := randomPair(r, c.global)
			s12, azi1, _ := WGS84.Inverse(a.Lat, a.Lon, b.Lat, b.Lon)
			lat2, lon2, _ := WGS84.Direct(a.Lat, a.Lon, azi1, s12)
			d := float64(WGS84.Distance(b, LatLon{lat2, lon2}))
			worst = math.Max(worst, d)
			if !(d <= c.tol) {
				t.Errorf("%s: %v -> %v: Direct(Inverse) misses by %.3g m", c.name, a, b, d)
			}
		}
		t.Logf("%s: worst round trip error %.3g m", c.name, worst)
	}
}

func TestSymmetry(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 20000 {
		a, b := randomPair(r, i%2 == 0)
		s12, azi1, azi2 := WGS84.Inverse(a.Lat, a.Lon, b.Lat, b.Lon)
		// Reversed: same length, azimuths swapped and reversed.
		s21, azi1r, azi2r := WGS84.Inverse(b.Lat, b.Lon, a.Lat, a.Lon)
		if math.Abs(float64(s21-s12)) > 1e-9 ||
			!checkInverseAzimuth(float64(azi1r), float64(azi2)+180, float64(s12)) ||
			!checkInverseAzimuth(float64(azi2r), float64(azi1)+180, float64(s12)) {
			t.Errorf("%v <-> %v: (%v, %v, %v) vs reversed (%v, %v, %v)", a, b, s12, azi1, azi2, s21, azi1r, azi2r)
		}
		// Reflected in the equator: same length, mirrored azimuths.
		sm, azi1m, azi2m := WGS84.Inverse(-a.Lat, a.Lon, -b.Lat, b.Lon)
		if math.Abs(float64(sm-s12)) > 1e-8 ||
			!checkInverseAzimuth(float64(azi1m), 180-float64(azi1), float64(s12)) ||
			!checkInverseAzimuth(float64(azi2m), 180-float64(azi2), float64(s12)) {
			t.Errorf("%v -> %v: (%v, %v, %v) vs mirrored (%v, %v, %v)", a, b, s12, azi1, azi2, sm, azi1m, azi2m)
		}
		// Shifted by whole turns of longitude: identical results. (The
		// longitudes are rounded to multiples of 2⁻⁴⁰° so that the shifts
		// are exact.)
		lon1 := Degrees(math.Round(float64(a.Lon)*0x1p40) / 0x1p40)
		lon2 := Degrees(math.Round(float64(b.Lon)*0x1p40) / 0x1p40)
		s0, azi10, azi20 := WGS84.Inverse(a.Lat, lon1, b.Lat, lon2)
		sw, azi1w, azi2w := WGS84.Inverse(a.Lat, lon1+360, b.Lat, lon2-720)
		if sw != s0 || azi1w != azi10 || azi2w != azi20 {
			t.Errorf("%v -> %v: (%v, %v, %v) vs wrapped (%v, %v, %v)", a, b, s0, azi10, azi20, sw, azi1w, azi2w)
		}
	}
}

// TestAntimeridian checks that longitudes wrap across ±180°.
func TestAntimeridian(t *testing.T) {
	s1, a1, b1 := WGS84.Inverse(10, 179.9, 11, -179.95)
	s2, a2, b2 := WGS84.Inverse(10, -0.1, 11, 0.05)
	if math.Abs(float64(s1-s2)) > 1e-8 || angErr(float64(a1), float64(a2)) > 1e-9 || angErr(float64(b1), float64(b2)) > 1e-9 {
		t.Errorf("across the antimeridian (%v, %v, %v), across Greenwich (%v, %v, %v)", s1, a1, b1, s2, a2, b2)
	}
	if s1 > 200000 {
		t.Errorf("across the antimeridian: s12 = %v, went the long way", s1)
	}
	for _, c := range [][4]Degrees{{0, 180, 0, -180}, {45, -180, 45, 180}, {-30, 540, -30, 180}, {12, 0, 12, 360}} {
		if s12, _, _ := WGS84.Inverse(c[0], c[1], c[2], c[3]); s12 != 0 {
			t.Errorf("Inverse%v = %v, want 0 (same point)", c, s12)
		}
	}
	lat2, lon2, _ := WGS84.Direct(0, 179.99, 90, 10000)
	if !(lon2 > -180 && lon2 < -179.9) || math.Abs(float64(lat2)) > 1e-12 {
		t.Errorf("Direct east across the antimeridian: (%v, %v)", lat2, lon2)
	}
	p := WGS84.Interpolate(LatLon{0, 179}, LatLon{0, -179}, 0.5)
	if math.Abs(float64(p.Lat)) > 1e-12 || angErr(float64(p.Lon), 180) > 1e-9 {
		t.Errorf("midpoint across the antimeridian: %v, want (0, ±180)", p)
	}
}

// TestSpecialGeodesics checks meridians, the equator, poles and coincident
// points against closed forms and the WGS84 constants.
func TestSpecialGeodesics(t *testing.T) {
	// Half and quarter meridian (GeodTest's maximum s12 is the half
	// meridian, 20003931.4586254 m).
	const halfMeridian = 20003931.4586254
	check := func(name string, got Meters, want, tol float64) {
		t.Helper()
		if !(math.Abs(float64(got)-want) <= tol) {
			t.Errorf("%s: %.7f, want %.7f", name, got, want)
		}
	}
	s12, azi1, azi2 := WGS84.Inverse(90, 0, -90, 0)
	check("pole to pole", s12, halfMeridian, 1e-7)
	if azi1 != 180 || azi2 != 180 {
		t.Errorf("pole to pole azimuths (%v, %v), want (180, 180)", azi1, azi2)
	}
	s12, azi1, azi2 = WGS84.Inverse(0, 30, 90, 30)
	check("equator to pole", s12, halfMeridian/2, 1e-7)
	if azi1 != 0 || azi2 != 0 {
		t.Errorf("equator to pole azimuths (%v, %v), want (0, 0)", azi1, azi2)
	}
	// Antipodal points on the equator: the shortest path runs over a pole.
	s12, _, _ = WGS84.Inverse(0, 0, 0, 180)
	check("equatorial antipodes", s12, halfMeridian, 1e-7)
	// Along the equator s12 = a λ12.
	s12, azi1, azi2 = WGS84.Inverse(0, -10, 0, 80)
	check("along the equator", s12, 6378137*math.Pi/2, 1e-8)
	if azi1 != 90 || azi2 != 90 {
		t.Errorf("equatorial azimuths (%v, %v), want (90, 90)", azi1, azi2)
	}
	// A point at a pole: only its latitude matters for the distance.
	sA, azi1, _ := WGS84.Inverse(10, 20, 90, 50)
	sB, _, _ := WGS84.Inverse(10, 0, 90, -120)
	if sA != sB || azi1 != 0 {
		t.Errorf("to the pole: s12 %v and %v differ or azi1 = %v", sA, sB, azi1)
	}
	// Meridional lines in general.
	s12, azi1, azi2 = WGS84.Inverse(-40, 7, 50, 7)
	sN, _, _ := WGS84.Inverse(0, 7, 50, 7)
	sS, _, _ := WGS84.Inverse(0, 7, -40, 7)
	check("meridian", s12, float64(sN+sS), 1e-8)
	if azi1 != 0 || azi2 != 0 {
		t.Errorf("meridian azimuths (%v, %v), want (0, 0)", azi1, azi2)
	}
	// Coincident points, including at the poles.
	for _, p := range []LatLon{{0, 0}, {48.8566, 2.3522}, {-33.9, 151.2}, {90, 0}, {-90, 45}} {
		if s := WGS84.Distance(p, p); s != 0 || math.Signbit(float64(s)) {
			t.Errorf("Distance(%v, %v) = %v, want +0", p, p, s)
		}
		lat2, lon2, _ := WGS84.Direct(p.Lat, p.Lon, 123, 0)
		if math.Abs(float64(lat2-p.Lat)) > 1e-14 || (math.Abs(float64(p.Lat)) < 90 && angErr(float64(lon2), float64(p.Lon)) > 1e-13) {
			t.Errorf("Direct(%v, 123, 0) = (%v, %v)", p, lat2, lon2)
		}
	}
	// WGS84 constants (Karney 2013, Table 1).
	e := WGS84
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"b", e.b, 6356752.314245, 1e-6},
		{"e²", e.e2, 0.00669437999014132, 1e-17},
		{"e'²", e.ep2, 0.00673949674227643, 1e-17},
		{"n", e.n, 0.00167922038638370, 1e-17},
	} {
		if !(math.Abs(c.got-c.want) <= c.tol) {
			t.Errorf("WGS84 %s = %.17g, want %.17g", c.name, c.got, c.want)
		}
	}
}

func TestInterpolate(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 5000 {
		a, b := randomPair(r, i%2 == 0)
		if p := WGS84.Interpolate(a, b, 0); p != a {
			t.Errorf("Interpolate(%v, %v, 0) = %v", a, b, p)
		}
		if p := WGS84.Interpolate(a, b, 1); p != b {
			t.Errorf("Interpolate(%v, %v, 1) = %v", a, b, p)
		}
		s := WGS84.Distance(a, b)
		m := WGS84.Interpolate(a, b, 0.5)
		da, db := WGS84.Distance(a, m), WGS84.Distance(m, b)
		// Equidistant and on the geodesic (the triangle is degenerate).
		if math.Abs(float64(da-db)) > 1e-3 || math.Abs(float64(da+db-s)) > 1e-7 {
			t.Errorf("midpoint of %v, %v: %v at %v and %v, s12 = %v", a, b, m, da, db, s)
		}
		q := WGS84.Interpolate(a, b, 0.25)
		if dq := WGS84.Distance(a, q); math.Abs(float64(dq-s/4)) > 1e-7 {
			t.Errorf("quarter point of %v, %v at %v, want %v", a, b, dq, s/4)
		}
	}
}

func TestInterpolateTime(t *testing.T) {
	a, b := LatLon{30, -110}, LatLon{30.3, -109.6}
	ta := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tb := ta.Add(10 * time.Minute)
	mid := WGS84.Interpolate(a, b, 0.5)
	for _, c := range []struct {
		t    time.Time
		want LatLon
	}{
		{ta.Add(-time.Hour), a},
		{ta, a},
		{ta.Add(5 * time.Minute), mid},
		{tb, b},
		{tb.Add(time.Second), b},
	} {
		if got := WGS84.InterpolateTime(a, b, ta, tb, c.t); got != c.want {
			t.Errorf("InterpolateTime at %v = %v, want %v", c.t.Sub(ta), got, c.want)
		}
	}
	got := WGS84.InterpolateTime(a, b, ta, tb, ta.Add(2*time.Minute))
	if d := WGS84.Distance(a, got) - WGS84.Distance(a, b)/5; math.Abs(float64(d)) > 1e-7 {
		t.Errorf("InterpolateTime at 1/5 is off by %v m", d)
	}
	// An instantaneous track.
	if got := WGS84.InterpolateTime(a, b, ta, ta, ta); got != a {
		t.Errorf("ta == tb == t: %v, want a", got)
	}
	if got := WGS84.InterpolateTime(a, b, ta, ta, tb); got != b {
		t.Errorf("ta == tb < t: %v, want b", got)
	}
}

func TestNoAllocs(t *testing.T) {
	a, b := LatLon{30.1, -110.2}, LatLon{29.8, -109.9}
	ta := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tb, tm := ta.Add(time.Minute), ta.Add(20*time.Second)
	var sink float64
	for name, f := range map[string]func(){
		"Inverse": func() {
			s, x, y := WGS84.Inverse(a.Lat, a.Lon, b.Lat, b.Lon)
			sink += float64(s) + float64(x+y)
		},
		"Inverse antipodal": func() {
			s, _, _ := WGS84.Inverse(-30, 0, 29.9, 179.8)
			sink += float64(s)
		},
		"Distance": func() { sink += float64(WGS84.Distance(a, b)) },
		"Direct": func() {
			x, y, z := WGS84.Direct(a.Lat, a.Lon, 45, 1e6)
			sink += float64(x + y + z)
		},
		"Interpolate":     func() { sink += float64(WGS84.Interpolate(a, b, 0.3).Lat) },
		"InterpolateTime": func() { sink += float64(WGS84.InterpolateTime(a, b, ta, tb, tm).Lon) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, n)
		}
	}
	_ = sink
}

// TestConcurrentUse runs Inverse and Direct from several goroutines on the
// shared WGS84 value and checks the results against serial ones (run with
// -race to check for data races).
func TestConcurrentUse(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	type job struct {
		a, b LatLon
		s    Meters
	}
	jobs := make([]job, 2000)
	for i := range jobs {
		jobs[i].a, jobs[i].b = randomPair(r, i%2 == 0)
		jobs[i].s = WGS84.Distance(jobs[i].a, jobs[i].b)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(jobs); i += 2 {
				j := jobs[i]
				s, azi1, _ := WGS84.Inverse(j.a.Lat, j.a.Lon, j.b.Lat, j.b.Lon)
				if s != j.s {
					t.Errorf("goroutine %d: s12 = %v, want %v", g, s, j.s)
				}
				WGS84.Direct(j.a.Lat, j.a.Lon, azi1, s)
			}
		}()
	}
	wg.Wait()
}

// TestAstroid checks that astroid returns the positive root of its quartic.
func TestAstroid(t *testing.T) {
	for _, x := range []float64{-3, -1.5, -1.01, -1, -0.99, -0.5, -0.1, 0, 0.3, 2} {
		for _, y := range []float64{-2, -0.5, -0.1, -1e-3, 1e-3, 0.1, 0.5, 2} {
			k := astroid(x, y)
			p := ((k*k+2*k-(x*x+y*y-1))*k-2*y*y)*k - y*y
			scale := math.Max(1, k*k*k*k)
			if !(k > 0) || math.Abs(p) > 1e-13*scale {
				t.Errorf("astroid(%v, %v) = %v, quartic = %g", x, y, k, p)
			}
		}
	}
	if k := astroid(-0.5, 0); k != 0 {
		t.Errorf("astroid(-0.5, 0) = %v, want 0", k)
	}
}

// TestSeries checks the series of geodesic_series.go against direct
// numerical integration of the integrals they expand, at ε = n = 0.01 where
// the truncation error is below 1e-15 (I1, I2) and 3e-13 (I3).
func TestSeries(t *testing.T) {
	const eps = 0.01
	k2 := 4 * eps / sq(1-eps)
	n := eps
	f := 2 * n / (1 + n)
	s3 := newSeries3(n)
	// Composite Simpson rule with compensated summation.
	integrate := func(g func(float64) float64, sig float64) float64 {
		const m = 4096
		h := sig / m
		var sum, comp float64
		for i := 0; i <= m; i++ {
			w := 2.0
			switch {
			case i == 0 || i == m:
				w = 1
			case i%2 == 1:
				w = 4
			}
			var e float64
			sum, e = twoSum(sum, w*g(float64(i)*h))
			comp += e
		}
		return (sum + comp) * h / 3
	}
	for _, sig := range []float64{0.3, 1.1, 2.5, -0.8} {
		s, c := math.Sincos(sig)
		c1a, c2a := c1(eps), c2(eps)
		c3a := s3.c3f(eps)
		i1 := integrate(func(x float64) float64 { return math.Sqrt(1 + k2*sq(math.Sin(x))) }, sig)
		i2 := integrate(func(x float64) float64 { return 1 / math.Sqrt(1+k2*sq(math.Sin(x))) }, sig)
		i3 := integrate(func(x float64) float64 { return (2 - f) / (1 + (1-f)*math.Sqrt(1+k2*sq(math.Sin(x)))) }, sig)
		for _, c := range []struct {
			name         string
			series, quad float64
			tol          float64
		}{
			{"I1", (1 + a1m1(eps)) * (sig + sinSeries6At(&c1a, s, c)), i1, 1e-14},
			{"I2", (1 + a2m1(eps)) * (sig + sinSeries6At(&c2a, s, c)), i2, 1e-14},
			{"I3", s3.a3f(eps) * (sig + sinSeries5(&c3a, 0, 1, s, c)), i3, 1e-12},
		} {
			if d := math.Abs(c.series - c.quad); !(d <= c.tol) {
				t.Errorf("%s(%v): series %.17g, quadrature %.17g (difference %.3g)", c.name, sig, c.series, c.quad, d)
			}
		}
		// C1' inverts τ = σ + Σ C1 sin 2lσ.
		c1pa := c1p(eps)
		tau := sig + sinSeries6At(&c1a, s, c)
		st, ct := math.Sincos(tau)
		if d := math.Abs(tau + sinSeries6At(&c1pa, st, ct) - sig); d > 1e-13 {
			t.Errorf("C1' does not invert C1 at σ = %v: error %.3g", sig, d)
		}
	}
}

// TestAngles checks the exactness properties of the degree-based helpers.
func TestAngles(t *testing.T) {
	for k := -8; k <= 8; k++ {
		s, c := sincosd(float64(90 * k))
		want := [4][2]float64{{0, 1}, {1, 0}, {0, -1}, {-1, 0}}[(k%4+4)%4]
		if s != want[0] || c != want[1] || (c == 0 && math.Signbit(c)) || (s == 0 && math.Signbit(s)) {
			t.Errorf("sincosd(%d) = (%v, %v)", 90*k, s, c)
		}
	}
	if s, _ := sincosd(math.Copysign(0, -1)); !math.Signbit(s) {
		t.Errorf("sincosd(-0) lost the sign of zero")
	}
	r := rand.New(rand.NewPCG(9, 10))
	for range 10000 {
		x := 720*r.Float64() - 360
		s1, c1 := sincosd(x)
		s2, c2 := sincosd(-x)
		s0, c0 := math.Sincos(x * degree)
		if s2 != -s1 || c2 != c1 || math.Abs(s1-s0) > 1e-15 || math.Abs(c1-c0) > 1e-15 {
			t.Errorf("sincosd(±%v) = (%v, %v), (%v, %v); math: (%v, %v)", x, s1, c1, s2, c2, s0, c0)
		}
		y := 2*r.Float64() - 1
		if d := atan2d(y, x) - math.Atan2(y, x)/degree; math.Abs(d) > 1e-13 {
			t.Errorf("atan2d(%v, %v) off by %v", y, x, d)
		}
	}
	for k := -4; k <= 4; k++ {
		s, c := sincosd(float64(45 * k))
		if got := atan2d(s, c); got != float64(45*k) && !(k == -4 && got == 180) {
			t.Errorf("atan2d(sincosd(%d)) = %v", 45*k, got)
		}
	}
	for _, c := range [][3]float64{{170, -170, 20}, {-170, 170, -20}, {0, 180, 180}, {180, 0, -180}, {10, 370, 0}, {-1e-20, 1e-20, 2e-20}} {
		if d, e := angDiff(c[0], c[1]); d+e != c[2] {
			t.Errorf("angDiff(%v, %v) = %v + %v, want %v", c[0], c[1], d, e, c[2])
		}
	}
}
