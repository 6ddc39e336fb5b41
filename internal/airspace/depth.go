package airspace

import (
	"math"
	"sort"

	"github.com/vigia/vigia/internal/geo"
)

// Depth search. Each country's boundary edges (less the artificial cuts
// along the antimeridian) are held in a bounding-volume hierarchy of
// axis-aligned boxes in Earth-centred, Earth-fixed (ECEF) coordinates. The
// straight-line (chord) distance in space never exceeds the geodesic
// distance on the ellipsoid, so the chord distance from the query point to
// a box, or to an edge's chord less the edge's sag (how far the edge, straight
// in lon/lat, strays from its chord), is a rigorous lower bound of the
// geodesic distance; and for the distances that matter here it is tight
// (the geodesic exceeds the chord by about d³/24R²). A query gathers the
// edges whose lower bound does not exceed the least upper bound seen, then
// settles them on the ellipsoid (geo.Ellipsoid.SegmentDistance) in order of
// lower bound until the next lower bound exceeds the best distance found.

const (
	wgs84A  = 6378137.0
	wgs84F  = 1 / 298.257223563
	wgs84E2 = wgs84F * (2 - wgs84F)
	// minRadius is the least radius of curvature of WGS84 (the meridional
	// radius at the equator), metres.
	minRadius = wgs84A * (1 - wgs84E2)
	// leafSize is the most edges in a leaf of the hierarchy.
	leafSize = 4
	// maxCandidates bounds the edges kept for exact evaluation.
	maxCandidates = 16
)

// depthEdge is a boundary edge with its chord in ECEF: the part of an edge
// that the search reads for every edge it considers, in float32 to halve
// the memory the search walks. Rounding moves the chord by at most
// storePad, which sag includes.
type depthEdge struct {
	a, d [3]float32 // chord start and direction (b − a), metres
	sag  float32    // bound on the distance from the edge to its stored chord, metres
	inv  float32    // 1/|d|², or 0 for a chord of no length
}

// storePad bounds how far float32 storage moves a chord: 2⁻²⁴ of an ECEF
// coordinate (under 6.4e6 m) is under 0.4 m on each axis, 0.7 m in all.
const storePad = 1.0

// lonLatEdge is an edge's end points, degrees, read only for the few
// edges settled exactly.
type lonLatEdge struct {
	ax, ay, bx, by float64
}

type bvhNode struct {
	lo, hi [3]int32 // box in units of boxUnit, padded by the sag of its edges and rounded outward
	// A leaf has n > 0 and holds edges[start : start+n]; an inner node has
	// n == 0, its first child right after it and its second at start.
	start, n int32
}

type tree struct {
	nodes []bvhNode // the binary hierarchy, built first
	wide  []wideNode
	root  wideChild // the whole tree as one child: its box and reference
	edges []depthEdge
	ll    []lonLatEdge // parallel to edges
}

// wideNode is a node of the 4-ary hierarchy that queries walk, made by
// collapsing each binary node with its children: its children's boxes sit
// side by side, so a visit reads two cache lines instead of four nodes.
type wideNode struct {
	lo, hi [4][3]int32
	ref    [4]int32 // a wide node's index, or for a leaf the first edge
	cnt    [4]int32 // 0 for a wide node; for a leaf its number of edges
	n      int32    // children in use
}

// wideChild is one child of a wide node.
type wideChild struct {
	lo, hi   [3]int32
	ref, cnt int32
}

// ecef returns the Earth-centred, Earth-fixed coordinates in metres of a
// point on the WGS84 ellipsoid.
func ecef(lon, lat float64) [3]float64 {
	sl, cl := math.Sincos(lat * math.Pi / 180)
	so, co := math.Sincos(lon * math.Pi / 180)
	n := wgs84A / math.Sqrt(1-wgs84E2*sl*sl)
	return [3]float64{n * cl * co, n * cl * so, n * (1 - wgs84E2) * sl}
}

func newDepthEdge(ax, ay, bx, by float64) depthEdge {
	var e depthEdge
	a, b := ecef(ax, ay), ecef(bx, by)
	for k := range 3 {
		e.a[k] = float32(a[k])
		e.d[k] = float32(b[k] - a[k])
	}
	dx, dy, dz := float64(e.d[0]), float64(e.d[1]), float64(e.d[2])
	if dd := dx*dx + dy*dy + dz*dz; dd > 0 {
		e.inv = float32(1 / dd)
	}
	// Sag: the largest distance from points of the edge to the chord,
	// sampled, with a margin for the samples' spacing.
	var sag float64
	const samples = 16
	for i := 1; i < samples; i++ {
		f := float64(i) / samples
		p := ecef(ax+f*(bx-ax), ay+f*(by-ay))
		sag = math.Max(sag, math.Sqrt(chordDist2(p, &e)))
	}
	e.sag = float32Up(sag*1.1 + storePad)
	return e
}

// chordNearest returns the parameter in [0, 1] of the point of e's chord
// nearest to p, and the squared distance to it.
func chordNearest(p [3]float64, e *depthEdge) (t, d2 float64) {
	dx, dy, dz := float64(e.d[0]), float64(e.d[1]), float64(e.d[2])
	x, y, z := p[0]-float64(e.a[0]), p[1]-float64(e.a[1]), p[2]-float64(e.a[2])
	// t need not be the exact foot: any t gives a point of the chord, so
	// the distance stays an upper bound of the chord distance that is
	// tight to second order; the sag pad covers the difference.
	t = (x*dx + y*dy + z*dz) * float64(e.inv)
	if t < 0 {
		t = 0
	} else if t > 1 {
		t = 1
	}
	x -= t * dx
	y -= t * dy
	z -= t * dz
	return t, x*x + y*y + z*z
}

// chordDist2 returns the squared distance from p to e's chord.
func chordDist2(p [3]float64, e *depthEdge) float64 {
	_, d2 := chordNearest(p, e)
	return d2
}

// A geodesic's curvature is the normal curvature of the surface along it,
// at most 1/minRadius on WGS84. By Schur's comparison theorem, an arc whose
// curvature is at most 1/R spans a chord no shorter than a circular arc of
// radius R and the same length; so a geodesic over a chord c is no longer
// than the arc of radius minRadius over c. And no chord is longer than its
// geodesic.

// arcBound returns an upper bound of the length of the arc of radius r
// over a chord c, 2r·asin(c/2r), without trigonometry: asin y = y + y³/6 +
// 3y⁵/40 + … ≤ y + y³/(6(1 − y²)) for 0 ≤ y < 1, as each coefficient of the
// series is at most the one before it. Beyond y = 1/2 it gives up (+Inf).
func arcBound(c, r float64) float64 {
	y := c / (2 * r)
	if y >= 0.5 {
		return math.Inf(1)
	}
	return 2 * r * (y + y*y*y/(6*(1-y*y)))
}

func buildTree(ll []lonLatEdge) *tree {
	t := &tree{ll: ll, edges: make([]depthEdge, len(ll))}
	for i, e := range ll {
		t.edges[i] = newDepthEdge(e.ax, e.ay, e.bx, e.by)
	}
	if len(ll) > 0 {
		t.build(0, len(ll))
		t.root = t.widen(0)
	}
	return t
}

// widen converts binary node i and its subtree to wide nodes, returning it
// as a child.
func (t *tree) widen(i int32) wideChild {
	n := &t.nodes[i]
	c := wideChild{lo: n.lo, hi: n.hi, ref: n.start, cnt: n.n}
	if n.n > 0 {
		return c
	}
	var kids []int32
	for _, k := range [2]int32{i + 1, n.start} {
		if kn := &t.nodes[k]; kn.n > 0 {
			kids = append(kids, k)
		} else {
			kids = append(kids, k+1, kn.start)
		}
	}
	at := int32(len(t.wide))
	t.wide = append(t.wide, wideNode{n: int32(len(kids))})
	for j, k := range kids {
		kc := t.widen(k)
		w := &t.wide[at]
		w.lo[j], w.hi[j], w.ref[j], w.cnt[j] = kc.lo, kc.hi, kc.ref, kc.cnt
	}
	c.ref, c.cnt = at, 0
	return c
}

func (t *tree) build(lo, hi int) int32 {
	at := int32(len(t.nodes))
	var lo64, hi64 [3]float64
	for k := range 3 {
		lo64[k], hi64[k] = math.Inf(1), math.Inf(-1)
	}
	for _, e := range t.edges[lo:hi] {
		for k := range 3 {
			a, b := float64(e.a[k]), float64(e.a[k])+float64(e.d[k])
			lo64[k] = math.Min(lo64[k], math.Min(a, b)-float64(e.sag))
			hi64[k] = math.Max(hi64[k], math.Max(a, b)+float64(e.sag))
		}
	}
	n := bvhNode{}
	for k := range 3 {
		n.lo[k] = int32(math.Floor(lo64[k] / boxUnit))
		n.hi[k] = int32(math.Ceil(hi64[k] / boxUnit))
	}
	t.nodes = append(t.nodes, n)
	if hi-lo <= leafSize {
		t.nodes[at].start, t.nodes[at].n = int32(lo), int32(hi-lo)
		return at
	}
	axis := 0
	for k := 1; k < 3; k++ {
		if hi64[k]-lo64[k] > hi64[axis]-lo64[axis] {
			axis = k
		}
	}
	sort.Sort(byAxis{t.edges[lo:hi], t.ll[lo:hi], axis})
	mid := (lo + hi) / 2
	t.build(lo, mid)
	right := t.build(mid, hi)
	t.nodes[at].start = right
	return at
}

// byAxis sorts edges, and their end points alongside, by the midpoint of
// their chords along one axis.
type byAxis struct {
	e    []depthEdge
	ll   []lonLatEdge
	axis int
}

func (b byAxis) Len() int { return len(b.e) }
func (b byAxis) Less(i, j int) bool {
	k := b.axis
	return 2*float64(b.e[i].a[k])+float64(b.e[i].d[k]) < 2*float64(b.e[j].a[k])+float64(b.e[j].d[k])
}
func (b byAxis) Swap(i, j int) {
	b.e[i], b.e[j] = b.e[j], b.e[i]
	b.ll[i], b.ll[j] = b.ll[j], b.ll[i]
}

// float32Up rounds v to a float32 no less than v.
func float32Up(v float64) float32 {
	f := float32(v)
	if float64(f) < v {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// boxUnit is the grid, in metres, on which boxes and the query point are
// held as integers: box tests on integers compile to branch-free code.
// ECEF coordinates (under 6.4e6 m) fit int32 many times over.
const boxUnit = 0.25

// quantize returns p on the box grid, rounded to nearest: each coordinate
// moves by at most boxUnit/2, the point by at most boxUnit·√3/2 < boxUnit.
func quantize(p [3]float64) [3]int64 {
	return [3]int64{int64(math.Round(p[0] / boxUnit)), int64(math.Round(p[1] / boxUnit)), int64(math.Round(p[2] / boxUnit))}
}

// boxDist2 returns the squared distance from q to the box, in boxUnit².
func boxDist2(q [3]int64, lo, hi *[3]int32) int64 {
	x := max(int64(lo[0])-q[0], q[0]-int64(hi[0]), 0)
	y := max(int64(lo[1])-q[1], q[1]-int64(hi[1]), 0)
	z := max(int64(lo[2])-q[2], q[2]-int64(hi[2]), 0)
	return x*x + y*y + z*z
}

type candidate struct {
	lbc float64 // lower bound of the chord to the edge, metres
	t   float64 // chord parameter of the nearest point, a start for Newton
	e   int32
}

// search holds the state of one depth query. It lives on the query's stack.
type search struct {
	anchor geo.Anchor
	p      [3]float64 // the point in ECEF, metres
	cands  [maxCandidates]candidate
	n      int
	ub     float64  // least upper bound of the geodesic distance seen, metres
	ubC    float64  // the longest chord a geodesic of length ub can span, metres
	ubC2   float64  // ubC²
	ubCMin float64  // the chord of an arc of length ub at minRadius
	q      [3]int64 // p on the box grid
	ubQ2   int64    // prune a box whose boxDist2 from q exceeds this
	lbDrop float64  // least lower bound among candidates dropped for room
}

func newSearch(lon, lat float64) search {
	inf := math.Inf(1)
	an := geo.WGS84.NewAnchor(geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)})
	return search{anchor: an, p: an.ECEF, q: quantize(an.ECEF), ub: inf, ubC: inf, ubC2: inf, ubCMin: inf, ubQ2: math.MaxInt64, lbDrop: inf}
}

// collect gathers the edges of t whose lower bound does not exceed the
// least upper bound.
func (s *search) collect(t *tree) {
	if len(t.nodes) == 0 {
		return
	}
	// A stack of children with their squared box distances; the nearer
	// are pushed last, to be visited first.
	type entry struct {
		ref, cnt int32
		d2       int64
	}
	var stack [40]entry
	stack[0] = entry{t.root.ref, t.root.cnt, boxDist2(s.q, &t.root.lo, &t.root.hi)}
	sp := 1
	for sp > 0 {
		sp--
		top := stack[sp]
		if top.d2 > s.ubQ2 {
			continue
		}
		if top.cnt > 0 {
			for i := top.ref; i < top.ref+top.cnt; i++ {
				s.consider(t, i)
			}
			continue
		}
		w := &t.wide[top.ref]
		base := sp
		for j := int32(0); j < w.n; j++ {
			d := boxDist2(s.q, &w.lo[j], &w.hi[j])
			if d > s.ubQ2 {
				continue
			}
			// Insert in descending order of distance.
			k := sp
			for k > base && stack[k-1].d2 < d {
				stack[k] = stack[k-1]
				k--
			}
			stack[k] = entry{w.ref[j], w.cnt[j], d}
			sp++
		}
	}
}

func (s *search) consider(t *tree, i int32) {
	e := &t.edges[i]
	tt, c2 := chordNearest(s.p, e)
	sag := float64(e.sag)
	if r := s.ubC + sag; c2 > r*r {
		return
	}
	c := math.Sqrt(c2)
	lbc := c - sag
	// A point of the edge lies within twice the sag of the chord's
	// nearest point, so its geodesic is no longer than the arc at
	// minRadius over c + 2·sag.
	if x := c + 2*sag; x < s.ubCMin {
		s.ubCMin = x
		s.ub = arcBound(x, minRadius)
		s.ubC = s.ub // a chord is never longer than its arc
		s.ubC2 = s.ubC * s.ubC
		// q is within one unit of p, so a box beyond ubC of p is beyond
		// ubC/boxUnit − 1 units of q.
		if u := s.ubC/boxUnit + 1; u < 3e9 {
			s.ubQ2 = int64(u*u) + 1
		}
	}
	cd := candidate{lbc: lbc, t: tt, e: i}
	if s.n < len(s.cands) {
		s.cands[s.n] = cd
		s.n++
		return
	}
	// Full: keep the least lower bounds, remembering what was dropped.
	w := 0
	for k := 1; k < s.n; k++ {
		if s.cands[k].lbc > s.cands[w].lbc {
			w = k
		}
	}
	if cd.lbc < s.cands[w].lbc {
		cd, s.cands[w] = s.cands[w], cd
	}
	s.lbDrop = math.Min(s.lbDrop, cd.lbc)
}

// exact settles the least geodesic distance among the candidates. ok is
// false if a candidate dropped for room could have been nearer.
func (s *search) exact(t *tree) (d geo.Meters, foot geo.LatLon, ok bool) {
	cs := s.cands[:s.n]
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].lbc < cs[j-1].lbc; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	// A candidate can be nearer than best only if its chord lower bound
	// is under best: a chord is never longer than its geodesic.
	best := math.Inf(1)
	var vertex lonLatEdge // the last vertex settled, in ax, ay
	haveVertex := false
	for _, c := range cs {
		if c.lbc > best {
			break
		}
		// Two edges that meet at the vertex nearest in space settle to
		// the same distance: do it once.
		if c.t == 0 || c.t == 1 {
			v := t.ll[c.e]
			if c.t == 1 {
				v.ax, v.ay = v.bx, v.by
			}
			if haveVertex && v.ax == vertex.ax && v.ay == vertex.ay {
				continue
			}
			vertex, haveVertex = v, true
		}
		if dk, fk := s.settle(t, c.e, c.t); dk < best {
			best, foot = dk, fk
		}
	}
	return geo.Meters(best), foot, math.IsInf(s.lbDrop, 1) || s.lbDrop > best
}

// settle returns the geodesic distance from the point to edge i of t, and
// the edge's point at that distance.
func (s *search) settle(t *tree, i int32, hint float64) (float64, geo.LatLon) {
	e := &t.ll[i]
	a := geo.LatLon{Lat: geo.Degrees(e.ay), Lon: geo.Degrees(e.ax)}
	b := geo.LatLon{Lat: geo.Degrees(e.by), Lon: geo.Degrees(e.bx)}
	d, f := geo.WGS84.SegmentDistanceFrom(&s.anchor, a, b, hint)
	return float64(d), geo.LatLon{Lat: a.Lat + geo.Degrees(f)*(b.Lat-a.Lat), Lon: a.Lon + geo.Degrees(f)*(b.Lon-a.Lon)}
}

// settleAll is the fallback when the candidate buffer overflowed: a second
// walk of the tree, now with the least upper bound known, settling every
// edge that could be nearer than the best so far as it is met.
func (s *search) settleAll(t *tree) (geo.Meters, geo.LatLon) {
	best := s.ub
	var foot geo.LatLon
	type entry struct {
		ref, cnt int32
	}
	var stack [40]entry
	stack[0] = entry{t.root.ref, t.root.cnt}
	sp := 1
	for sp > 0 {
		sp--
		top := stack[sp]
		if top.cnt > 0 {
			for i := top.ref; i < top.ref+top.cnt; i++ {
				tt, c2 := chordNearest(s.p, &t.edges[i])
				if math.Sqrt(c2)-float64(t.edges[i].sag) > best {
					continue
				}
				if dk, fk := s.settle(t, i, tt); dk <= best {
					best, foot = dk, fk
				}
			}
			continue
		}
		w := &t.wide[top.ref]
		for j := int32(0); j < w.n; j++ {
			if d := math.Sqrt(float64(boxDist2(s.q, &w.lo[j], &w.hi[j]))) - 1; d*boxUnit <= best {
				stack[sp] = entry{w.ref[j], w.cnt[j]}
				sp++
			}
		}
	}
	return geo.Meters(best), foot
}

// depthIn returns the distance from the search's point to t's boundary and
// the nearest boundary point.
func (s *search) depthIn(t *tree) (geo.Meters, geo.LatLon) {
	s.n, s.lbDrop = 0, math.Inf(1)
	s.collect(t)
	d, foot, ok := s.exact(t)
	if !ok {
		return s.settleAll(t)
	}
	return d, foot
}
