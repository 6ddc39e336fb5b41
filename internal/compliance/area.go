package compliance

import (
	"math"
	"math/big"

	"github.com/vigia/vigia/internal/geo"
)

// area is an authorisation's polygons indexed for exact containment:
// edges straight in lon/lat, holes honoured, the boundary inside (the rule
// of internal/airspace and PostGIS ST_Covers on geometry). It holds each
// polygon's rings and bounding box, a few hundred bytes for the areas
// authorisations use, where an airspace.Set built for them would hold
// about 300 KB of grid.
type area struct {
	polys []areaPoly
}

type areaPoly struct {
	lo, hi [2]float64 // bounding box, lon/lat
	rings  [][][2]float64
}

func newArea(polys [][][][2]float64) *area {
	ar := &area{}
	for _, rings := range polys {
		p := areaPoly{lo: [2]float64{math.Inf(1), math.Inf(1)}, hi: [2]float64{math.Inf(-1), math.Inf(-1)}, rings: rings}
		for _, q := range rings[0] {
			p.lo[0], p.lo[1] = min(p.lo[0], q[0]), min(p.lo[1], q[1])
			p.hi[0], p.hi[1] = max(p.hi[0], q[0]), max(p.hi[1], q[1])
		}
		ar.polys = append(ar.polys, p)
	}
	return ar
}

// contains reports whether p is in the area, boundary included. A point is
// inside a polygon when it lies on one of its edges, or when a ray from it
// towards +longitude crosses its rings' edges an odd number of times; the
// crossing of an edge is decided by the half-open rule on latitude (an edge
// counts when exactly one end lies strictly above the point) and the sign
// of an exact orientation, so no point is misplaced by rounding.
func (ar *area) contains(p geo.LatLon) bool {
	x, y := float64(geo.NormalizeLon(p.Lon)), float64(p.Lat)
	for i := range ar.polys {
		pl := &ar.polys[i]
		if x < pl.lo[0] || x > pl.hi[0] || y < pl.lo[1] || y > pl.hi[1] {
			continue
		}
		in := false
		for _, ring := range pl.rings {
			for k := 0; k+1 < len(ring); k++ {
				a, b := ring[k], ring[k+1]
				if a == b {
					continue
				}
				// Only edges that reach the point's latitude or lie to its
				// right can touch the point or cross the ray.
				if (y < a[1] && y < b[1]) || (y > a[1] && y > b[1]) || (x > a[0] && x > b[0]) {
					continue
				}
				o := orient(a, b, [2]float64{x, y})
				if o == 0 && x >= min(a[0], b[0]) && x <= max(a[0], b[0]) && y >= min(a[1], b[1]) && y <= max(a[1], b[1]) {
					return true // on the boundary
				}
				if (a[1] > y) != (b[1] > y) && (o > 0) == (b[1] > a[1]) {
					in = !in
				}
			}
		}
		if in {
			return true
		}
	}
	return false
}

// orient returns the sign of (b − a) × (p − a): +1 if p is left of the
// directed line a→b, −1 if right, 0 if on it. The float64 determinant is
// trusted when it exceeds Shewchuk's error bound for this expression
// ("Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric
// Predicates", 1997, ccwerrboundA); otherwise it is evaluated exactly in
// rational arithmetic.
func orient(a, b, p [2]float64) int {
	l := (b[0] - a[0]) * (p[1] - a[1])
	r := (b[1] - a[1]) * (p[0] - a[0])
	det := l - r
	const eps = 0x1p-53
	bound := (3 + 16*eps) * eps * (math.Abs(l) + math.Abs(r))
	switch {
	case det > bound:
		return 1
	case -det > bound:
		return -1
	}
	rat := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	dx1 := new(big.Rat).Sub(rat(b[0]), rat(a[0]))
	dy1 := new(big.Rat).Sub(rat(p[1]), rat(a[1]))
	dy2 := new(big.Rat).Sub(rat(b[1]), rat(a[1]))
	dx2 := new(big.Rat).Sub(rat(p[0]), rat(a[0]))
	return new(big.Rat).Sub(dx1.Mul(dx1, dy1), dy2.Mul(dy2, dx2)).Sign()
}
