package airspace

import (
	"fmt"
	"math"

	"github.com/vigia/vigia/internal/geo"
)

// Depth search. Each country's boundary edges (less the artificial cuts
// along the antimeridian) are held in a bounding-volume hierarchy of
// axis-aligned boxes in Earth-centred, Earth-fixed (ECEF) coordinates. The
// straight-line (chord) distance in space never exceeds the geodesic
// distance on the ellipsoid, so the chord distance from the query point to
// a box, or to an edge's chord less the edge's sag (how far the edge,
// straight in lon/lat, strays from its chord), is a rigorous lower bound of
// the geodesic distance; and for the distances that matter here it is
// tight (the geodesic exceeds the chord by about d³/24R²). A query gathers
// the edges whose lower bound does not exceed the least upper bound seen,
// then settles them on the ellipsoid (geo.Ellipsoid.SegmentDistanceFrom) in
// order of lower bound until the next lower bound exceeds the best
// distance found.
//
// All countries share one index: one array of nodes, one of leaves and one
// of vertices, each country's hierarchy a part of them, and above the
// countries' roots a node that joins them for the distance to any
// boundary. A query's cost is mostly the memory it reads, so the index is
// small: a node is one cache line, and so is a leaf, which holds a run of
// up to four consecutive edges of a ring as its five vertices; the
// vertices in lon/lat are read only for the edges settled. A query starts
// not at the root but at the node that its cell of a lon/lat grid names
// (start.go).

const (
	wgs84A  = 6378137.0
	wgs84F  = 1 / 298.257223563
	wgs84E2 = wgs84F * (2 - wgs84F)
	// minRadius is the least radius of curvature of WGS84 (the meridional
	// radius at the equator), metres.
	minRadius = wgs84A * (1 - wgs84E2)
	// curvBound bounds, in metres per radian², the second derivatives of
	// the ECEF position x(φ, λ) on WGS84: |x_φφ| = √(M² + M′²) (M the
	// meridional radius, at most a/√(1−e²) = 6399594 m, and |M′| under
	// 65 km), |x_φλ| = M·|sin φ| and |x_λλ| = N·cos φ (N the prime-vertical
	// radius, at most a/√(1−e²)).
	curvBound = 6.4e6
	// leafEdges is the most edges in a leaf.
	leafEdges = 4
	// maxCandidates bounds the edges kept for exact evaluation.
	maxCandidates = 16
)

// depthLeaf is a run of up to leafEdges consecutive edges of a ring, in
// one cache line: the ECEF positions of its vertices (the index's vertices
// v, v+1, …), the first on a grid of leafUnit and the others as float32
// offsets from it, each within millimetres of its true place. Its number
// of edges and its sag (a bound, over its edges, of the distance from each
// point of an edge to the point of the stored chord at the same parameter)
// are kept by its parent.
type depthLeaf struct {
	o [3]int32              // vertex v, in leafUnit
	p [leafEdges][3]float32 // vertices v+1, v+2, … less vertex v, metres
	v int32
}

// leafUnit is the grid, in metres, of a leaf's first vertex: ECEF
// coordinates (under 6.4e6 m) fit int32 on it.
const leafUnit = 1.0 / 256

// vertex returns the stored position of the leaf's vertex j.
func (l *depthLeaf) vertex(j int32) [3]float64 {
	var x [3]float64
	for k := range 3 {
		x[k] = float64(l.o[k]) * leafUnit
		if j > 0 {
			x[k] += float64(l.p[j-1][k])
		}
	}
	return x
}

// wideNode is a node of the 4-ary hierarchy, in one cache line. Its
// children's boxes are held on a grid of its own: cells of 2^shift box
// units from org, child j covering cells lo[·][j] through hi[·][j]. A
// child is a wide node (ref ≥ 0, its index) or a leaf (ref < 0, see
// leafRef), whose sag is sag[j] as the high half of a float32.
type wideNode struct {
	lo, hi [3][4]uint8 // children's boxes: [axis][child], in cells
	ref    [4]int32
	org    [3]int32 // the grid's origin, box units
	sag    [4]uint16
	shift  uint8
	n      uint8 // children in use
	_      [2]byte
}

// leafRef encodes leaf i, of n edges, as a child reference.
func leafRef(i, n int32) int32 { return ^(i<<2 | (n - 1)) }

// sagBits returns the high half of a float32 no less than v.
func sagBits(v float64) uint16 {
	b := math.Float32bits(float32Up(v))
	if b&0xffff != 0 {
		b += 0x10000
	}
	return uint16(b >> 16)
}

// sagOf returns the sag that sagBits encoded.
func sagOf(b uint16) float32 { return math.Float32frombits(uint32(b) << 16) }

// wideChild is a child with its box in box units: while the hierarchy is
// built, and for a tree's root.
type wideChild struct {
	lo, hi [3]int32
	ref    int32
	sag    uint16 // for a leaf
	h      uint8  // height: 0 for a leaf
}

// depthEdge is one boundary edge, as edge k of its leaf. A tree lists its
// edges one by one so that they can be checked without the hierarchy.
type depthEdge struct {
	leaf *depthLeaf
	k    int32
	sag  float32 // the leaf's
}

// depthIndex is the shared index of a Set's boundaries.
type depthIndex struct {
	wide   []wideNode
	leaves []depthLeaf
	verts  [][2]float64 // lon, lat, degrees
	edges  []depthEdge  // country by country
}

// tree is the hierarchy of one country, or of all of them.
type tree struct {
	ix     *depthIndex
	root   wideChild // always a wide node
	edges  []depthEdge
	starts *startGrid
}

// ecef returns the Earth-centred, Earth-fixed coordinates in metres of a
// point on the WGS84 ellipsoid.
func ecef(lon, lat float64) [3]float64 {
	sl, cl := math.Sincos(lat * math.Pi / 180)
	so, co := math.Sincos(lon * math.Pi / 180)
	n := wgs84A / math.Sqrt(1-wgs84E2*sl*sl)
	return [3]float64{n * cl * co, n * cl * so, n * (1 - wgs84E2) * sl}
}

// edgeCurve bounds the distance from each point of the edge pa–pb
// (lon/lat, degrees) to the point of its chord at the same parameter. The
// edge x(t) = x(φa + tΔφ, λa + tΔλ) parts from its chord by at most
// max|x″|/8, and |x″| ≤ |x_φφ|Δφ² + 2|x_φλ||Δφ||Δλ| + |x_λλ|Δλ².
func edgeCurve(pa, pb [2]float64) float64 {
	p1, p2 := pa[1]*math.Pi/180, pb[1]*math.Pi/180
	dphi := math.Abs(p2 - p1)
	dlam := math.Abs(pb[0]-pa[0]) * math.Pi / 180
	smax := max(math.Abs(math.Sin(p1)), math.Abs(math.Sin(p2)))
	cmax := max(math.Cos(p1), math.Cos(p2))
	if p1*p2 <= 0 {
		cmax = 1
	}
	return curvBound * (dphi*dphi + 2*smax*dphi*dlam + cmax*dlam*dlam) / 8
}

// dist returns |a − b|.
func dist(a, b [3]float64) float64 {
	x, y, z := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return math.Sqrt(x*x + y*y + z*z)
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

// depthBuilder gathers the boundaries of a Set and builds its index.
type depthBuilder struct {
	ix      depthIndex
	xyz     [][3]float64 // ECEF of each vertex
	roots   []wideChild
	spans   [][2]int32         // each country's leaves
	leafSag []float32          // each leaf's sag, in the order of ix.leaves
	leafN   []int32            // and its number of edges
	items   []wideChild        // scratch: one country's leaves, as children
	leaves  []depthLeaf        // scratch: the same, in ring order
	nodes   []bvhNode          // scratch: the binary hierarchy over them
	kids    [][4]wideChild     // the exact boxes of each wide node's children
	dedup   map[startKey]int32 // start nodes by their children
}

// bvhNode is a node of the binary hierarchy from which the wide one is
// made: a leaf (n == 1) holds items[start]; an inner node (n == 0) has
// its first child right after it and its second at start.
type bvhNode struct {
	lo, hi   [3]int32
	start, n int32
}

// addRing adds a ring's vertices and returns the index of its first.
func (b *depthBuilder) addRing(ring [][2]float64) int32 {
	at := int32(len(b.ix.verts))
	b.ix.verts = append(b.ix.verts, ring...)
	for _, p := range ring {
		b.xyz = append(b.xyz, ecef(p[0], p[1]))
	}
	return at
}

// addCountry builds the hierarchy of one country from its edges, each
// given by the index of its first vertex, in ring order.
func (b *depthBuilder) addCountry(starts []int32) {
	ix := &b.ix
	first := int32(len(ix.leaves))
	if len(starts) == 0 {
		b.spans = append(b.spans, [2]int32{first, first})
		b.roots = append(b.roots, wideChild{})
		return
	}
	// Leaves: runs of consecutive edges, cut every leafEdges.
	b.items, b.leaves = b.items[:0], b.leaves[:0]
	for i := 0; i < len(starts); {
		n := 1
		for n < leafEdges && i+n < len(starts) && starts[i+n] == starts[i]+int32(n) {
			n++
		}
		b.items = append(b.items, b.newLeaf(starts[i], int32(n)))
		i += n
	}
	b.nodes = b.nodes[:0]
	b.build(0, len(b.items))
	// The leaves in the order of the hierarchy, so that siblings share
	// cache lines and pages.
	for i := range b.items {
		it := &b.items[i]
		v := ^it.ref
		it.ref = leafRef(int32(len(ix.leaves)), v&3+1)
		ix.leaves = append(ix.leaves, b.leaves[v>>2])
		b.leafSag = append(b.leafSag, sagOf(it.sag))
		b.leafN = append(b.leafN, v&3+1)
	}
	root := b.widen(0)
	if root.ref < 0 {
		root = b.wideOver([]wideChild{root})
	}
	b.spans = append(b.spans, [2]int32{first, int32(len(ix.leaves))})
	b.roots = append(b.roots, root)
}

// newLeaf makes the leaf of the n edges from vertex v and returns it as a
// child, with its place in b.leaves as its index.
func (b *depthBuilder) newLeaf(v, n int32) wideChild {
	l := depthLeaf{v: v}
	for k := range 3 {
		l.o[k] = int32(math.Round(b.xyz[v][k] / leafUnit))
	}
	for j := int32(1); j <= leafEdges; j++ {
		for k := range 3 {
			l.p[j-1][k] = float32(b.xyz[v+min(j, n)][k] - float64(l.o[k])*leafUnit)
		}
	}
	// Sag: the edge's curve, plus how far the stored chord strays from
	// the true one, which is at most as far as at its ends (both are
	// linear in the parameter), padded for rounding.
	var sag float64
	for j := range n {
		store := max(dist(l.vertex(j), b.xyz[v+j]), dist(l.vertex(j+1), b.xyz[v+j+1]))
		sag = max(sag, (edgeCurve(b.ix.verts[v+j], b.ix.verts[v+j+1])+store)*(1+1e-9)+1e-6)
	}
	c := wideChild{ref: leafRef(int32(len(b.leaves)), n), sag: sagBits(sag)}
	s := float64(sagOf(c.sag))
	var lo, hi [3]float64
	for k := range 3 {
		lo[k], hi[k] = math.Inf(1), math.Inf(-1)
	}
	for j := range n + 1 {
		x := l.vertex(j)
		for k := range 3 {
			lo[k] = min(lo[k], x[k]-s)
			hi[k] = max(hi[k], x[k]+s)
		}
	}
	for k := range 3 {
		c.lo[k] = int32(math.Floor(lo[k] / boxUnit))
		c.hi[k] = int32(math.Ceil(hi[k] / boxUnit))
	}
	b.leaves = append(b.leaves, l)
	return c
}

// maxHeight is the greatest height of a hierarchy that a search's stack
// holds: a visit pops one entry and pushes at most four, so the stack
// holds at most three per level (and one), counting the start node.
const maxHeight = 19

// finish returns the per-country trees and the tree of all boundaries.
func (b *depthBuilder) finish() (trees []*tree, all *tree, err error) {
	ix := &b.ix
	b.nodes, b.items, b.leaves = nil, nil, nil
	total := 0
	for _, n := range b.leafN {
		total += int(n)
	}
	ix.edges = make([]depthEdge, 0, total)
	var live []wideChild
	for i, r := range b.roots {
		at := len(ix.edges)
		for j := b.spans[i][0]; j < b.spans[i][1]; j++ {
			for k := range b.leafN[j] {
				ix.edges = append(ix.edges, depthEdge{leaf: &ix.leaves[j], k: k, sag: b.leafSag[j]})
			}
		}
		trees = append(trees, &tree{ix: ix, root: r, edges: ix.edges[at:len(ix.edges):len(ix.edges)]})
		if len(ix.edges) > at {
			live = append(live, r)
		}
	}
	all = &tree{ix: ix, edges: ix.edges}
	if len(live) > 0 {
		all.root = b.join(live)
		if all.root.h > maxHeight {
			return nil, nil, fmt.Errorf("depth index %d levels high, over %d", all.root.h, maxHeight)
		}
	}
	b.dedup = map[startKey]int32{}
	for _, t := range append(trees, all) {
		t.starts = b.buildStarts(t)
	}
	b.kids, b.dedup, b.xyz, b.leafSag, b.leafN = nil, nil, nil, nil, nil
	return trees, all, nil
}

// join returns a wide node over the given ones.
func (b *depthBuilder) join(kids []wideChild) wideChild {
	for len(kids) > 1 {
		var up []wideChild
		for i := 0; i < len(kids); i += 4 {
			up = append(up, b.wideOver(kids[i:min(i+4, len(kids))]))
		}
		kids = up
	}
	return kids[0]
}

// wideOver appends a wide node over one to four children and returns it
// as a child.
func (b *depthBuilder) wideOver(kids []wideChild) wideChild {
	c := wideChild{lo: kids[0].lo, hi: kids[0].hi}
	for _, k := range kids[1:] {
		for a := range 3 {
			c.lo[a], c.hi[a] = min(c.lo[a], k.lo[a]), max(c.hi[a], k.hi[a])
		}
	}
	var ext int64
	for a := range 3 {
		ext = max(ext, int64(c.hi[a])-int64(c.lo[a]))
	}
	w := wideNode{org: c.lo, n: uint8(len(kids))}
	for _, k := range kids {
		c.h = max(c.h, k.h+1)
	}
	for ext>>w.shift > 255 {
		w.shift++
	}
	for j, k := range kids {
		for a := range 3 {
			w.lo[a][j] = uint8((int64(k.lo[a]) - int64(c.lo[a])) >> w.shift)
			w.hi[a][j] = uint8((int64(k.hi[a]) - int64(c.lo[a])) >> w.shift)
		}
		w.ref[j], w.sag[j] = k.ref, k.sag
	}
	c.ref = int32(len(b.ix.wide))
	b.ix.wide = append(b.ix.wide, w)
	var exact [4]wideChild
	copy(exact[:], kids)
	b.kids = append(b.kids, exact)
	return c
}

// widen converts binary node i and its subtree to wide nodes, returning it
// as a child.
func (b *depthBuilder) widen(i int32) wideChild {
	n := &b.nodes[i]
	if n.n > 0 {
		return b.items[n.start]
	}
	var kids [4]wideChild
	k := 0
	for _, c := range [2]int32{i + 1, n.start} {
		if cn := &b.nodes[c]; cn.n > 0 {
			kids[k] = b.widen(c)
			k++
		} else {
			kids[k], kids[k+1] = b.widen(c+1), b.widen(cn.start)
			k += 2
		}
	}
	return b.wideOver(kids[:k])
}

// build makes the binary hierarchy over items[lo:hi], splitting each
// range at its middle along the longest axis of its box.
func (b *depthBuilder) build(lo, hi int) int32 {
	at := int32(len(b.nodes))
	n := bvhNode{lo: b.items[lo].lo, hi: b.items[lo].hi}
	for _, it := range b.items[lo+1 : hi] {
		for k := range 3 {
			n.lo[k], n.hi[k] = min(n.lo[k], it.lo[k]), max(n.hi[k], it.hi[k])
		}
	}
	b.nodes = append(b.nodes, n)
	if hi-lo == 1 {
		b.nodes[at].start, b.nodes[at].n = int32(lo), 1
		return at
	}
	axis := 0
	for k := 1; k < 3; k++ {
		if n.hi[k]-n.lo[k] > n.hi[axis]-n.lo[axis] {
			axis = k
		}
	}
	mid := lo + (hi-lo+1)/2
	selectItems(b.items[lo:hi], mid-lo, axis)
	b.build(lo, mid)
	right := b.build(mid, hi)
	b.nodes[at].start = right
	return at
}

// selectItems reorders its so that the item at k is the one that sorting
// by the centre of the box along axis would put there, with none before
// it greater and none after it less (Hoare's selection).
func selectItems(its []wideChild, k, axis int) {
	key := func(i int) int64 { return int64(its[i].lo[axis]) + int64(its[i].hi[axis]) }
	lo, hi := 0, len(its)-1
	for lo < hi {
		m := lo + (hi-lo)/2
		// Median of three as the pivot.
		if key(m) < key(lo) {
			its[m], its[lo] = its[lo], its[m]
		}
		if key(hi) < key(lo) {
			its[hi], its[lo] = its[lo], its[hi]
		}
		if key(hi) < key(m) {
			its[hi], its[m] = its[m], its[hi]
		}
		pivot := key(m)
		i, j := lo, hi
		for i <= j {
			for key(i) < pivot {
				i++
			}
			for key(j) > pivot {
				j--
			}
			if i <= j {
				its[i], its[j] = its[j], its[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// noBound is the squared box distance a search prunes beyond before it has
// an upper bound: above that of any box (under 1e16 units²), below keyCap.
const noBound = 1 << 55

// keyCap caps the squared box distances that order a node's children,
// leaving room for the slot.
const keyCap = 1 << 56

type candidate struct {
	lbc float64 // lower bound of the chord to the edge, metres
	t   float64 // chord parameter of the nearest point, a start for Newton
	v   int32   // the edge's first vertex
	// at is true if the edge is surely nearest at its vertex t (0 or 1):
	// see vertexNearest.
	at bool
}

// search holds the state of one depth query. It lives on the query's stack.
type search struct {
	anchor geo.Anchor
	p      [3]float64 // the point in ECEF, metres
	q      [3]int64   // p on the box grid, rounded: within boxUnit of p
	ub     float64    // least upper bound of the geodesic distance seen, metres
	ubC    float64    // the longest chord a geodesic of length ub can span, metres
	ubCMin float64    // the chord of an arc of length ub at minRadius
	ubQ2   int64      // prune a box whose squared distance from q exceeds this, boxUnit²
	lbDrop float64    // least lower bound among candidates dropped for room
	n      int
	cands  [maxCandidates]candidate
}

// init prepares s for a query from the point (lon, lat), degrees.
func (s *search) init(lon, lat float64) {
	inf := math.Inf(1)
	geo.WGS84.InitAnchor(&s.anchor, geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)})
	// Element by element: a copy of a whole array just written stalls.
	for k := range 3 {
		s.p[k] = s.anchor.ECEF[k]
		s.q[k] = int64(math.Round(s.p[k] / boxUnit))
	}
	s.ub, s.ubC, s.ubCMin, s.ubQ2, s.lbDrop = inf, inf, inf, noBound, inf
}

// collect gathers the edges of t whose lower bound does not exceed the
// least upper bound, walking from the node that the point's start cell
// names, or else from the root, nearer children first.
func (s *search) collect(t *tree) {
	if len(t.edges) == 0 {
		return
	}
	ix := t.ix
	type entry struct {
		ref int32
		sag float32 // for a leaf
		d2  int64   // squared box distance from q
	}
	var stack [3*(maxHeight+2) + 1]entry // see maxHeight
	stack[0] = entry{ref: t.starts.start(float64(s.anchor.P.Lon), float64(s.anchor.P.Lat), t.root.ref)}
	sp := 1
	qx, qy, qz := s.q[0], s.q[1], s.q[2]
	for sp > 0 {
		sp--
		top := stack[sp]
		if top.d2 > s.ubQ2 {
			continue
		}
		if top.ref < 0 {
			s.considerLeaf(ix, ^top.ref, float64(top.sag))
			continue
		}
		w := &ix.wide[top.ref]
		// q in the node's cells, rounded down: q lies in cell l, and a
		// child's box beyond cell hi (or before cell lo) is at least
		// l − hi − 1 (or lo − l − 1) cells away.
		sh := w.shift & 63
		lx := (qx - int64(w.org[0])) >> sh
		ly := (qy - int64(w.org[1])) >> sh
		lz := (qz - int64(w.org[2])) >> sh
		// The c children within the bound are pushed, nearest on top,
		// without branches: keys of distance and slot are sorted by a
		// network, and the last c of them taken.
		ub := s.ubQ2
		var key [4]int64
		c := 0
		for j := range 4 {
			x := max(int64(w.lo[0][j])-lx, lx-int64(w.hi[0][j]), 1) - 1
			y := max(int64(w.lo[1][j])-ly, ly-int64(w.hi[1][j]), 1) - 1
			z := max(int64(w.lo[2][j])-lz, lz-int64(w.hi[2][j]), 1) - 1
			d := (x*x + y*y + z*z) << (2 * sh)
			if j >= int(w.n) {
				d = math.MaxInt64
			}
			c += b2i(d <= ub)
			key[j] = min(d, keyCap)<<2 | int64(j)
		}
		key[0], key[1] = max(key[0], key[1]), min(key[0], key[1])
		key[2], key[3] = max(key[2], key[3]), min(key[2], key[3])
		key[0], key[2] = max(key[0], key[2]), min(key[0], key[2])
		key[1], key[3] = max(key[1], key[3]), min(key[1], key[3])
		key[1], key[2] = max(key[1], key[2]), min(key[1], key[2])
		for i := range 4 {
			k := key[(4-c+i)&3]
			j := k & 3
			stack[sp+i] = entry{w.ref[j], sagOf(w.sag[j]), k >> 2}
		}
		sp += c
	}
}

// b2i returns 1 for true, else 0.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// chordNearest returns the parameter in [0, 1] of the point of e's stored
// chord nearest to p, and the squared distance to it.
func chordNearest(p [3]float64, e *depthEdge) (t, d2 float64) {
	l := e.leaf
	// Relative to the leaf's first vertex, element by element.
	x := p[0] - float64(l.o[0])*leafUnit
	y := p[1] - float64(l.o[1])*leafUnit
	z := p[2] - float64(l.o[2])*leafUnit
	var ax, ay, az float64
	if e.k > 0 {
		ax, ay, az = float64(l.p[e.k-1][0]), float64(l.p[e.k-1][1]), float64(l.p[e.k-1][2])
	}
	dx, dy, dz := float64(l.p[e.k][0])-ax, float64(l.p[e.k][1])-ay, float64(l.p[e.k][2])-az
	x, y, z = x-ax, y-ay, z-az
	dd := dx*dx + dy*dy + dz*dz
	t = min(max(x*dx+y*dy+z*dz, 0), dd) / max(dd, 1e-300)
	x -= t * dx
	y -= t * dy
	z -= t * dz
	return t, x*x + y*y + z*z
}

// considerLeaf considers the edges of a leaf, given as ^leafRef.
func (s *search) considerLeaf(ix *depthIndex, ref int32, sag float64) {
	l := &ix.leaves[ref>>2]
	// Relative to the leaf's first vertex.
	px := s.p[0] - float64(l.o[0])*leafUnit
	py := s.p[1] - float64(l.o[1])*leafUnit
	pz := s.p[2] - float64(l.o[2])*leafUnit
	var ax, ay, az float64
	for k := range min(int(ref&3)+1, leafEdges) {
		bx, by, bz := float64(l.p[k][0]), float64(l.p[k][1]), float64(l.p[k][2])
		dx, dy, dz := bx-ax, by-ay, bz-az
		x, y, z := px-ax, py-ay, pz-az
		dd := dx*dx + dy*dy + dz*dz
		dot := x*dx + y*dy + z*dz
		tt := min(max(dot, 0), dd) / max(dd, 1e-300)
		x -= tt * dx
		y -= tt * dy
		z -= tt * dz
		c2 := x*x + y*y + z*z
		if r := s.ubC + sag; c2 <= r*r {
			s.consider(l.v+int32(k), tt, c2, sag, dot, dd)
		}
		ax, ay, az = bx, by, bz
	}
}

// consider takes the edge from vertex v, whose stored chord's nearest
// point to the search's point is at parameter tt and squared distance c2,
// as a candidate, and tightens the upper bound with it. dot is the product
// of the chord's direction d with the point less the chord's start, and
// dd = |d|².
func (s *search) consider(v int32, tt, c2, sag, dot, dd float64) {
	c := math.Sqrt(c2)
	lbc := c - sag
	// The edge's point at parameter tt lies within sag of the chord's,
	// so its geodesic is no longer than the arc at minRadius over c + sag.
	if x := c + sag; x < s.ubCMin {
		s.ubCMin = x
		s.ub = arcBound(x, minRadius)
		s.ubC = s.ub // a chord is never longer than its arc
		// q is within one unit of p, so a box beyond ubC of p is beyond
		// ubC/boxUnit − 1 units of q.
		if u := s.ubC/boxUnit + 1; u < 1e9 {
			s.ubQ2 = int64(u*u) + 1
		}
	}
	cd := candidate{lbc: lbc, t: tt, v: v}
	if tt == 0 || tt == 1 {
		cd.at = vertexNearest(tt, c, sag, dot, dd)
	}
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
	s.lbDrop = min(s.lbDrop, cd.lbc)
}

// chordSettle is a distance, metres, within which geo's SegmentDistance
// takes the point of a segment nearest in space (it does so up to 60 km).
const chordSettle = 50e3

// vertexNearest reports whether the edge's point nearest in space to the
// search's point is surely its vertex t (0 or 1), at chord c, given the
// stored chord's dot and dd (as for consider) and the edge's sag. The
// edge's tangent x′ parts from the chord's direction d by at most four
// times the sag (|x′ − d| ≤ max|x″|/2), and its vertex from the chord's by
// the sag: if even so the tangent at the vertex, taken into the edge, makes
// an obtuse angle with the way to the point, and the edge bends too little
// to come back (|x − p|·|x″| < |x′|² all along it, so that |x − p|² is
// convex), the distance grows from the vertex all along the edge. The edge
// then settles, within chordSettle, to the vertex's distance.
func vertexNearest(t, c, sag, dot, dd float64) bool {
	away := -dot // how far the chord, into the edge, turns from the point
	if t == 1 {
		away = dot - dd
	}
	l := math.Sqrt(dd) - 4*sag // at most |x′| all along the edge
	return c+sag < chordSettle && l > 0 && away >= sag*(4*c+l+12*sag) && 8*sag*(c+l+6*sag) < l*l
}

// exact settles the least geodesic distance among the candidates. ok is
// false if a candidate dropped for room could have been nearer.
func (s *search) exact(ix *depthIndex) (d geo.Meters, foot geo.LatLon, ok bool) {
	cs := s.cands[:s.n]
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].lbc < cs[j-1].lbc; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	// A candidate can be nearer than best only if its chord lower bound
	// is under best: a chord is never longer than its geodesic.
	best := math.Inf(1)
	var vertex [2]float64 // the last vertex settled
	haveVertex := false
	for _, c := range cs {
		if c.lbc > best {
			break
		}
		// An edge surely nearest at a vertex already settled settles to
		// the same distance: skip it.
		if c.t == 0 || c.t == 1 {
			v := ix.verts[c.v+int32(c.t)]
			if c.at && haveVertex && v == vertex {
				continue
			}
			vertex, haveVertex = v, true
		}
		if dk, fk := s.settleFrom(ix, c.v, c.t); dk < best {
			best, foot = dk, fk
		}
	}
	return geo.Meters(best), foot, math.IsInf(s.lbDrop, 1) || s.lbDrop > best
}

// settleFrom returns the geodesic distance from the point to the edge that
// starts at vertex v of the index, and the edge's point at that distance.
func (s *search) settleFrom(ix *depthIndex, v int32, hint float64) (float64, geo.LatLon) {
	pa, pb := ix.verts[v], ix.verts[v+1]
	a := geo.LatLon{Lat: geo.Degrees(pa[1]), Lon: geo.Degrees(pa[0])}
	b := geo.LatLon{Lat: geo.Degrees(pb[1]), Lon: geo.Degrees(pb[0])}
	d, f := geo.WGS84.SegmentDistanceFrom(&s.anchor, a, b, hint)
	return float64(d), geo.LatLon{Lat: a.Lat + geo.Degrees(f)*(b.Lat-a.Lat), Lon: a.Lon + geo.Degrees(f)*(b.Lon-a.Lon)}
}

// settleAll is the fallback when the candidate buffer overflowed: a second
// walk of the tree, now with the least upper bound known, settling every
// edge that could be nearer than the best so far as it is met.
func (s *search) settleAll(t *tree) (geo.Meters, geo.LatLon) {
	ix := t.ix
	best := s.ub
	var foot geo.LatLon
	type entry struct {
		ref int32
		sag float32
	}
	var stack [3*(maxHeight+2) + 1]entry // see maxHeight
	stack[0] = entry{ref: t.root.ref}
	sp := 1
	for sp > 0 {
		sp--
		top := stack[sp]
		if top.ref < 0 {
			l := &ix.leaves[^top.ref>>2]
			for k := range int32(^top.ref&3) + 1 {
				tt, c2 := chordNearest(s.p, &depthEdge{leaf: l, k: k})
				if math.Sqrt(c2)-float64(top.sag) > best {
					continue
				}
				if dk, fk := s.settleFrom(ix, l.v+k, tt); dk <= best {
					best, foot = dk, fk
				}
			}
			continue
		}
		w := &ix.wide[top.ref]
		sh := w.shift & 63
		var l [3]int64
		for a := range 3 {
			l[a] = (s.q[a] - int64(w.org[a])) >> sh
		}
		for j := range min(int(w.n), 4) {
			var d2 float64
			for a := range 3 {
				x := float64(max(int64(w.lo[a][j])-l[a], l[a]-int64(w.hi[a][j]), 1)-1) * float64(int64(1)<<sh)
				d2 += x * x
			}
			if (math.Sqrt(d2)-1)*boxUnit <= best {
				stack[sp] = entry{w.ref[j], sagOf(w.sag[j])}
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
	d, foot, ok := s.exact(t.ix)
	if !ok {
		return s.settleAll(t)
	}
	return d, foot
}
