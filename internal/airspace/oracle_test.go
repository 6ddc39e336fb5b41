package airspace

import (
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/geo"
)

// The oracles in testdata were labelled by PostGIS (see testdata/ORACLE.md
// and data/SOURCE.md). Country is ST_Covers on geometry: the same rule as
// ours, so every point must agree. Distance comes in two readings:
// dist_m is geography ST_Distance, which takes each edge as a great-circle
// arc; dist_seg_m is the same after cutting the boundary into ≤ 0.01°
// pieces in lon/lat, an independent computation of the distance to the
// straight edges we use (good to a few centimetres).

// segTolerance is how far our depth may exceed PostGIS's dist_seg_m: its
// own error from cutting into 0.01° pieces (about 1 cm, up to 1.4 cm
// seen), with margin. Our depth may never exceed it by more: PostGIS's
// distance is achieved by a point of the (densified) boundary, so the true
// least distance is no greater.
const segTolerance = 0.05

// sphereSlack bounds, relative to the distance, how much PostGIS geography
// may overstate a distance. It finds the nearest boundary point on a
// sphere of radius 6371008.8 m and only then measures to that point on the
// spheroid; at the US–Mexico border the spheroid's radius of curvature
// lies 0.3 % below to 0.2 % above that radius depending on direction, so a
// boundary point up to about 0.5 % nearer on the spheroid can lose to one
// that is nearer on the sphere.
const sphereSlack = 0.006

// gcTolerance is how far our depth may be from plain PostGIS geography
// where neither of the effects above applies.
const gcTolerance = 1.0

func checkCountry(t *testing.T, s *Set, r oracleRow, name string) {
	t.Helper()
	got := s.LocateAll(nil, degrees(r.lon), degrees(r.lat))
	var codes []string
	for _, i := range got {
		codes = append(codes, s.Codes()[i])
	}
	want := r.country
	if want == "" {
		want = "(none)"
	}
	have := strings.Join(codes, "|")
	if have == "" {
		have = "(none)"
	}
	if have != want {
		t.Errorf("%s:%d: %v,%v [%s]: covered by %s, PostGIS ST_Covers says %s", name, r.line, r.lon, r.lat, r.kind, have, want)
	}
}

// depthFor returns our depth for an oracle row: to the covering airspace,
// or to the nearest one for a point covered by none or by two (on the
// shared border, where both are 0).
func depthFor(s *Set, r oracleRow) float64 {
	i := s.Locate(degrees(r.lon), degrees(r.lat))
	if strings.Contains(r.country, "|") {
		i = -1
	}
	return float64(s.Depth(i, degrees(r.lon), degrees(r.lat)))
}

func TestOraclePostGIS(t *testing.T) {
	s := embeddedForTest(t)
	const name = "testdata/oracle_postgis.csv.gz"
	rows := readOracle(t, name)
	if len(rows) < 24000 {
		t.Fatalf("%s: %d rows, want at least 24000", name, len(rows))
	}
	var within []float64
	var sphere, gc []float64
	kinds := map[string]int{}
	for _, r := range rows {
		kinds[r.kind]++
		checkCountry(t, s, r, name)
		i := s.Locate(degrees(r.lon), degrees(r.lat))
		if strings.Contains(r.country, "|") {
			i = -1
		}
		d64, foot := s.Nearest(i, degrees(r.lon), degrees(r.lat))
		d := float64(d64)
		// Ours is achieved: the inverse geodesic to the boundary point we
		// found gives the same distance.
		if k, _, _ := geo.WGS84.Inverse(degrees(r.lat), degrees(r.lon), foot.Lat, foot.Lon); math.Abs(float64(k)-d) > 1e-3 {
			t.Errorf("%s:%d: depth %.4f m but the inverse geodesic to its boundary point %v is %.4f m", name, r.line, d, foot, float64(k))
		}
		diff := d - r.distSeg
		switch {
		case diff > segTolerance:
			t.Errorf("%s:%d: %v,%v [%s] %s: depth %.3f m exceeds PostGIS's distance to the straight edges, %.3f m", name, r.line, r.lon, r.lat, r.kind, r.country, d, r.distSeg)
		case diff < -segTolerance-sphereSlack*r.distSeg:
			t.Errorf("%s:%d: %v,%v [%s] %s: depth %.3f m, PostGIS to the straight edges %.3f m: more than its sphere slack", name, r.line, r.lon, r.lat, r.kind, r.country, d, r.distSeg)
		case diff < -segTolerance:
			sphere = append(sphere, -diff)
		default:
			within = append(within, math.Abs(diff))
		}
		if math.Abs(d-r.dist) > gcTolerance && math.Abs(r.dist-r.distSeg) > gcTolerance/2 {
			gc = append(gc, math.Abs(d-r.dist))
		}
	}
	sort.Float64s(within)
	sort.Float64s(sphere)
	sort.Float64s(gc)
	t.Logf("%d points %v: every classification agrees with ST_Covers", len(rows), kinds)
	t.Logf("depth vs PostGIS to the straight edges: %d within %.2f m (p50 %.4f, p99 %.4f m); %d lower, because PostGIS picks the boundary point nearest on a sphere (median %.3f m, max %.3f m); every depth is the inverse geodesic to a boundary point",
		len(within), segTolerance, within[len(within)/2], within[len(within)*99/100], len(sphere), pct(sphere, 50), pct(sphere, 100))
	t.Logf("vs plain geography ST_Distance (great-circle edges): %d points part by more than %g m where the edge models part (median %.1f m, max %.1f m)", len(gc), gcTolerance, pct(gc, 50), pct(gc, 100))
}

// pct returns the p-th percentile of sorted xs (0 if empty).
func pct(xs []float64, p int) float64 {
	if len(xs) == 0 {
		return 0
	}
	return xs[min(len(xs)-1, len(xs)*p/100)]
}

// TestOracleSample checks the 20,000 points of the sample shipped with the
// airspace data. It carries only the great-circle reading; where ours parts
// from it by more than a metre the point is recomputed without the index,
// by settling every edge within reach on the ellipsoid.
func TestOracleSample(t *testing.T) {
	s := embeddedForTest(t)
	const name = "testdata/oracle_sample.csv.gz"
	rows := readOracle(t, name)
	if len(rows) != 20000 {
		t.Fatalf("%s: %d rows, want 20000", name, len(rows))
	}
	parted := 0
	for _, r := range rows {
		checkCountry(t, s, r, name)
		d := depthFor(s, r)
		if math.Abs(d-r.dist) <= gcTolerance {
			continue
		}
		parted++
		i := s.Locate(degrees(r.lon), degrees(r.lat))
		tr := s.all
		if i >= 0 {
			tr = s.trees[i]
		}
		if b := exhaustiveDepth(tr, r.lon, r.lat); math.Abs(b-d) > 1e-3 {
			t.Errorf("%s:%d: %v,%v: depth %.4f m, exhaustive search %.4f m", name, r.line, r.lon, r.lat, d, b)
		}
	}
	t.Logf("%d of %d depths differ from great-circle geography by more than %g m; each matches an exhaustive search to 1 mm", parted, len(rows), gcTolerance)
}

// TestDepthExhaustive compares the indexed depth with an exhaustive search
// over every edge, on random points near and far.
func TestDepthExhaustive(t *testing.T) {
	s := embeddedForTest(t)
	cs := embeddedCountries(t)
	n := 2000
	if testing.Short() {
		n = 200
	}
	pts := nearBoundaryPoints(cs, n, 9)
	for i := 0; i < n/4; i++ {
		pts = append(pts, [2]float64{-180 + float64(i)*360/float64(n/4), -60 + float64(i%97)*1.5})
	}
	for _, p := range pts {
		i := s.Locate(degrees(p[0]), degrees(p[1]))
		d := float64(s.Depth(i, degrees(p[0]), degrees(p[1])))
		tr := s.all
		if i >= 0 {
			tr = s.trees[i]
		}
		if b := exhaustiveDepth(tr, p[0], p[1]); math.Abs(b-d) > 1e-3 {
			t.Errorf("%v,%v: depth %.4f m, exhaustive %.4f m", p[0], p[1], d, b)
		}
	}
}

// TestDepthBasics pins a few depths that can be reasoned about directly.
func TestDepthBasics(t *testing.T) {
	s := embeddedForTest(t)
	cs := embeddedCountries(t)
	// Every vertex is on a boundary: depth 0.
	for _, c := range cs {
		v := c.Polygons[0][0][3]
		for k := 3; math.Abs(v[0]) == 180; k++ {
			v = c.Polygons[0][0][k]
		}
		i := slices.Index(s.Codes(), c.Code)
		if d := s.Depth(i, degrees(v[0]), degrees(v[1])); d > 1e-6 {
			t.Errorf("%s vertex %v: depth %v, want 0", c.Code, v, d)
		}
	}
	// A point on an antimeridian cut is inside, and not at depth 0: cuts
	// are not borders.
	code, d := s.Classify(180, 51.95)
	if code != "USA" || d < 1000 {
		t.Errorf("Classify(180, 51.95) = %q, %v; want USA, well inside", code, d)
	}
	code2, d2 := s.Classify(-180, 51.95)
	if code2 != code || math.Abs(float64(d2-d)) > 1e-6 {
		t.Errorf("the two sides of the antimeridian disagree: %q %v vs %q %v", code, d, code2, d2)
	}
	if n := testing.AllocsPerRun(200, func() { s.Classify(-117.05, 32.55) }); n != 0 {
		t.Errorf("Classify allocates %v times", n)
	}
	if code, _ := s.Classify(0, 95); code != "" {
		t.Errorf("latitude 95 classified as %q", code)
	}
}

// exhaustiveDepth is the reference depth: no hierarchy, every edge of the
// tree's boundary bounded from below by its chord, then settled in order of
// that bound until the bound exceeds the best distance.
func exhaustiveDepth(tr *tree, lon, lat float64) float64 {
	sr := newSearch(lon, lat)
	type lb struct {
		lb, t float64
		i     int32
	}
	ub := math.Inf(1)
	for i := range tr.edges {
		_, c2 := chordNearest(sr.p, &tr.edges[i])
		ub = min(ub, arcBound(math.Sqrt(c2)+2*float64(tr.edges[i].sag), minRadius))
	}
	all := make([]lb, 0, 64)
	for i := range tr.edges {
		t, c2 := chordNearest(sr.p, &tr.edges[i])
		c := max(0, math.Sqrt(c2)-float64(tr.edges[i].sag))
		if c > ub {
			continue
		}
		// A geodesic is at least the arc of the largest radius of
		// curvature (a²/b, at the poles) over its chord: Schur's
		// comparison theorem, as in depth.go.
		const rmax = wgs84A / (1 - wgs84F)
		all = append(all, lb{2 * rmax * math.Asin(min(1, c/(2*rmax))), t, int32(i)})
	}
	sort.Slice(all, func(a, b int) bool { return all[a].lb < all[b].lb })
	best := math.Inf(1)
	for _, e := range all {
		if e.lb > best {
			break
		}
		// Start Newton from both ends and the middle, not from the hint
		// the index would use.
		for _, h := range []float64{0, 0.5, 1} {
			d, _ := sr.settle(tr, e.i, h)
			best = math.Min(best, d)
		}
	}
	return best
}
