package compliance

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/geo"
)

// TestAreaAgainstAirspace checks the area test against internal/airspace's
// exact containment (same rule: straight edges, boundary inside), built for
// the same polygons: random points over the polygons' boxes, every vertex,
// and points on the edges (their rounding puts them on either side, or on
// the edge; both tests are exact, so they must agree).
func TestAreaAgainstAirspace(t *testing.T) {
	polys := [][][][2]float64{
		// A rectangle with a square hole.
		{{{-111, 29}, {-110, 29}, {-110, 30}, {-111, 30}, {-111, 29}}, {{-110.6, 29.4}, {-110.4, 29.4}, {-110.4, 29.6}, {-110.6, 29.6}, {-110.6, 29.4}}},
		// The Sinaloa quadrilateral of the border scenario (slanted edges).
		{{{-107.45, 25.15}, {-106.80, 25.10}, {-106.75, 25.75}, {-107.40, 25.80}, {-107.45, 25.15}}},
		// A concave, clockwise polygon with a horizontal and a vertical
		// edge at the same coordinates as vertices elsewhere.
		{{{-105, 20}, {-105, 21}, {-104.5, 20.5}, {-104, 21}, {-104, 20}, {-105, 20}}},
	}
	set, err := airspace.New([]airspace.Country{{Code: "AREA", Polygons: polys}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ar := newArea(polys)
	rng := rand.New(rand.NewPCG(3, 4))
	var pts []geo.LatLon
	for _, poly := range polys {
		for _, ring := range poly {
			for k := 0; k+1 < len(ring); k++ {
				a, b := ring[k], ring[k+1]
				pts = append(pts, ll(a[1], a[0]))
				for range 50 {
					f := rng.Float64()
					pts = append(pts, ll(a[1]+f*(b[1]-a[1]), a[0]+f*(b[0]-a[0])))
				}
			}
		}
	}
	for _, p := range ar.polys {
		for range 20000 {
			x := p.lo[0] - 0.1 + (p.hi[0]-p.lo[0]+0.2)*rng.Float64()
			y := p.lo[1] - 0.1 + (p.hi[1]-p.lo[1]+0.2)*rng.Float64()
			pts = append(pts, ll(y, x))
		}
	}
	in := 0
	for _, p := range pts {
		want := set.Locate(p.Lon, p.Lat) >= 0
		if got := ar.contains(p); got != want {
			t.Fatalf("(%v, %v): area says %v, airspace says %v", p.Lat, p.Lon, got, want)
		}
		if want {
			in++
		}
	}
	if in == 0 || in == len(pts) {
		t.Fatalf("%d of %d points inside: the test is degenerate", in, len(pts))
	}
	t.Logf("%d points agree, %d inside", len(pts), in)
}

// TestOrientExact compares orient with the determinant evaluated in
// rational arithmetic on nearly collinear triples (a point rounded from
// the line through two others, nudged by a few ulps), where a plain
// float64 evaluation often gets the sign wrong.
func TestOrientExact(t *testing.T) {
	rat := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	exact := func(a, b, p [2]float64) int {
		l := new(big.Rat).Mul(new(big.Rat).Sub(rat(b[0]), rat(a[0])), new(big.Rat).Sub(rat(p[1]), rat(a[1])))
		r := new(big.Rat).Mul(new(big.Rat).Sub(rat(b[1]), rat(a[1])), new(big.Rat).Sub(rat(p[0]), rat(a[0])))
		return l.Cmp(r)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	naiveWrong, zeros := 0, 0
	for range 20000 {
		a := [2]float64{-180 + 360*rng.Float64(), -90 + 180*rng.Float64()}
		b := [2]float64{a[0] + rng.Float64() - 0.5, a[1] + rng.Float64() - 0.5}
		f := rng.Float64()
		p := [2]float64{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
		for range rng.IntN(3) {
			k := rng.IntN(2)
			p[k] = math.Nextafter(p[k], math.Inf(2*rng.IntN(2)-1))
		}
		want := exact(a, b, p)
		if got := orient(a, b, p); got != want {
			t.Fatalf("orient(%v, %v, %v) = %d, exact %d", a, b, p, got, want)
		}
		naive := (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
		if (naive > 0 && want <= 0) || (naive < 0 && want >= 0) || (naive == 0 && want != 0) {
			naiveWrong++
		}
		if want == 0 {
			zeros++
		}
	}
	if naiveWrong == 0 {
		t.Error("no case where plain float64 is wrong: the test does not exercise the exact path")
	}
	t.Logf("plain float64 wrong on %d of 20000; %d exactly collinear", naiveWrong, zeros)
	if orient([2]float64{0.5, 0.5}, [2]float64{12, 12}, [2]float64{24, 24}) != 0 ||
		orient([2]float64{0.5, 0.5}, [2]float64{12, 12}, [2]float64{24, math.Nextafter(24, 25)}) != 1 ||
		orient([2]float64{0.5, 0.5}, [2]float64{12, 12}, [2]float64{24, math.Nextafter(24, 23)}) != -1 {
		t.Error("orient wrong on the diagonal")
	}
}
