package airspace

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigia/vigia/internal/geo"
)

// bruteCovers is the reference containment: a crossing count over every
// edge of the country, with the same exact predicates and the boundary
// inside, and no index.
func bruteCovers(c Country, x, y float64) bool {
	inside := false
	for _, poly := range c.Polygons {
		for _, ring := range poly {
			for i := 0; i+1 < len(ring); i++ {
				a, b := ring[i], ring[i+1]
				if onSegment(a[0], a[1], b[0], b[1], x, y) {
					return true
				}
				if (a[1] > y) != (b[1] > y) {
					o := orient(a[0], a[1], b[0], b[1], x, y)
					if (b[1] > a[1]) == (o > 0) {
						inside = !inside
					}
				}
			}
		}
	}
	return inside
}

// nearBoundaryPoints returns n points on, or within a small distance of,
// random boundary edges: the hard cases for any containment test.
func nearBoundaryPoints(cs []Country, n int, seed uint64) [][2]float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	var rings [][][2]float64
	for _, c := range cs {
		for _, p := range c.Polygons {
			rings = append(rings, p...)
		}
	}
	out := make([][2]float64, 0, n)
	for len(out) < n {
		r := rings[rng.IntN(len(rings))]
		i := rng.IntN(len(r) - 1)
		a, b := r[i], r[i+1]
		f := rng.Float64()
		x, y := a[0]+f*(b[0]-a[0]), a[1]+f*(b[1]-a[1])
		switch rng.IntN(4) {
		case 0: // on the edge up to rounding
		case 1: // a vertex
			x, y = a[0], a[1]
		case 2: // within a metre or so
			x += (rng.Float64() - 0.5) * 2e-5
			y += (rng.Float64() - 0.5) * 2e-5
		default: // within a few kilometres
			x += (rng.Float64() - 0.5) * 0.05
			y += (rng.Float64() - 0.5) * 0.05
		}
		// Longitudes pushed past ±180 wrap, as Locate reads them.
		out = append(out, [2]float64{float64(geo.NormalizeLon(geo.Degrees(x))), y})
	}
	return out
}

func TestRandomPointsMatchBruteForce(t *testing.T) {
	cs := embeddedCountries(t)
	s := embeddedForTest(t)
	n := 20000
	if testing.Short() {
		n = 2000
	}
	pts := nearBoundaryPoints(cs, n, 1)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < n/4; i++ {
		pts = append(pts, [2]float64{-125 + rng.Float64()*39, 14 + rng.Float64()*19})
	}
	var got []int
	for _, p := range pts {
		got = s.LocateAll(got[:0], degrees(p[0]), degrees(p[1]))
		var want []int
		for ci, c := range cs {
			if bruteCovers(c, p[0], p[1]) {
				want = append(want, ci)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("LocateAll(%v, %v) = %v, brute force %v", p[0], p[1], got, want)
		}
	}
}

func TestVerticesAndEdgePointsAreInside(t *testing.T) {
	cs := embeddedCountries(t)
	s := embeddedForTest(t)
	var buf []int
	onEdge := 0
	for ci, c := range cs {
		for _, poly := range c.Polygons {
			for _, ring := range poly {
				for i := 0; i+1 < len(ring); i++ {
					a, b := ring[i], ring[i+1]
					buf = s.LocateAll(buf[:0], degrees(a[0]), degrees(a[1]))
					if !slices.Contains(buf, ci) {
						t.Fatalf("%s vertex %v not covered (got %v)", c.Code, a, buf)
					}
					// Points that lie exactly on the edge: those of
					// a + k/8·(b − a) that float64 represents exactly.
					for k := 1; k < 8; k++ {
						f := float64(k) / 8
						x, y := a[0]+f*(b[0]-a[0]), a[1]+f*(b[1]-a[1])
						if !onSegment(a[0], a[1], b[0], b[1], x, y) {
							continue
						}
						onEdge++
						buf = s.LocateAll(buf[:0], degrees(x), degrees(y))
						if !slices.Contains(buf, ci) {
							t.Fatalf("%s point %v,%v on edge %v–%v not covered (got %v)", c.Code, x, y, a, b, buf)
						}
					}
				}
			}
		}
	}
	if onEdge < 10000 {
		t.Fatalf("only %d exact on-edge points tested", onEdge)
	}
	t.Logf("%d exact on-edge points covered", onEdge)
}

// TestSyntheticBoundary uses a polygon with a hole on integer coordinates,
// where every tested point's relation to the boundary is known exactly.
func TestSyntheticBoundary(t *testing.T) {
	c := Country{Code: "SYN", Polygons: [][][][2]float64{{
		{{0, 0}, {8, 0}, {8, 8}, {4, 12}, {0, 8}, {0, 0}},
		{{2, 2}, {2, 6}, {6, 6}, {6, 2}, {2, 2}},
	}}}
	s, err := New([]Country{c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		x, y float64
		want bool
	}{
		{1, 1, true}, {4, 4, false}, {2, 4, true}, {2, 2, true}, {6, 6, true}, {4, 6, true},
		{0, 0, true}, {8, 4, true}, {6, 10, true}, {2, 10, true}, {4, 12, true}, {5, 11, true},
		{4, 12.000000000000002, false}, {8.000000000000002, 4, false}, {-1e-300, 4, false},
		{2.0000000000000004, 4, false}, {1.9999999999999998, 4, true}, {3, 10.999999999999998, true},
		{3, 11.000000000000002, false}, {9, 4, false},
	}
	for _, tc := range cases {
		if got := s.Locate(degrees(tc.x), degrees(tc.y)) == 0; got != tc.want {
			t.Errorf("covers(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
		if got := bruteCovers(c, tc.x, tc.y); got != tc.want {
			t.Errorf("bruteCovers(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

// TestInvariantUnderRingOrderAndStart rebuilds the set with every ring
// reversed and started at another vertex, and the polygons in another
// order, and checks that nothing changes.
func TestInvariantUnderRingOrderAndStart(t *testing.T) {
	cs := embeddedCountries(t)
	s := embeddedForTest(t)
	rng := rand.New(rand.NewPCG(5, 6))
	var alt []Country
	for _, c := range cs {
		a := Country{Code: c.Code}
		for _, poly := range c.Polygons {
			var np [][][2]float64
			for _, ring := range poly {
				open := slices.Clone(ring[:len(ring)-1])
				if rng.IntN(2) == 0 {
					slices.Reverse(open)
				}
				k := rng.IntN(len(open))
				open = append(open[k:], open[:k]...)
				np = append(np, append(open, open[0]))
			}
			a.Polygons = append(a.Polygons, np)
		}
		rng.Shuffle(len(a.Polygons), func(i, j int) { a.Polygons[i], a.Polygons[j] = a.Polygons[j], a.Polygons[i] })
		alt = append(alt, a)
	}
	s2, err := New(alt, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	var a, b []int
	for _, p := range nearBoundaryPoints(cs, n, 2) {
		a = s.LocateAll(a[:0], degrees(p[0]), degrees(p[1]))
		b = s2.LocateAll(b[:0], degrees(p[0]), degrees(p[1]))
		if !slices.Equal(a, b) {
			t.Fatalf("point %v: %v before, %v after reordering rings", p, a, b)
		}
	}
}
