package airspace

import (
	"fmt"
	"math"
	"sort"
)

// The containment index is a two-level uniform grid in lon/lat. A coarse
// cell of one degree that no edge touches holds its answer; a coarse cell
// that edges touch holds a block of fineN×fineN fine cells, each again
// either pure (holding its answer) or mixed (holding its few edges and a
// reference point whose answer was settled exactly when the index was
// built). A query in a mixed cell counts, with exact predicates, the edges
// that cross the segment from the query point to the reference point.
const (
	coarseCols = 360
	coarseRows = 180
	fineN      = 32
	// cellPad widens every cell when edges are assigned to it, so that a
	// point placed in a neighbouring cell by the rounding of the cell index
	// still finds every edge that matters. It is far above that rounding
	// (about 1e-13 degrees) and far below any cell size.
	cellPad = 1e-9
	// mixedBit marks a grid entry as a reference to a mixed cell or block.
	mixedBit = 1 << 31
	// maxSlots is the most countries that may have edges in one fine cell.
	maxSlots = 64
)

// edge is one boundary edge of a country's polygon ring, straight in lon/lat.
type edge struct {
	ax, ay, bx, by float64
	country        int32
}

// cellEdge is an edge as stored in a mixed cell, with the side of the
// cell's reference point precomputed.
type cellEdge struct {
	ax, ay, bx, by float64
	refSide        int8  // orient(a, b, ref): −1, +1 (never 0)
	slot           uint8 // index into the cell's country slots
}

// mixedCell is a fine cell that edges touch.
type mixedCell struct {
	rx, ry   float64 // the reference point, not on any boundary
	refMask  uint64  // slots of the countries that contain the reference point
	off, n   uint32  // its edges: cellEdges[off : off+n]
	slotsOff uint32  // its country slots: slots[slotsOff : slotsOff+k]
}

// grid is the containment index. It is immutable after build.
type grid struct {
	coarse    []uint32 // coarseRows×coarseCols: country+1 (0 outside), or mixedBit|block
	fine      []uint32 // blocks of fineN×fineN: country+1, or mixedBit|mixed index
	mixed     []mixedCell
	cellEdges []cellEdge
	slots     []int32 // country indices, ascending within each cell
}

func buildGrid(edges []edge, ncountries int) (*grid, error) {
	g := &grid{coarse: make([]uint32, coarseRows*coarseCols)}
	coarseEdges := make([][]int32, coarseRows*coarseCols)
	rowEdges := make([][]int32, coarseRows)
	for i, e := range edges {
		x0, x1 := math.Min(e.ax, e.bx), math.Max(e.ax, e.bx)
		y0, y1 := math.Min(e.ay, e.by), math.Max(e.ay, e.by)
		c0, c1 := clampInt(int(math.Floor(x0+180-cellPad)), 0, coarseCols-1), clampInt(int(math.Floor(x1+180+cellPad)), 0, coarseCols-1)
		r0, r1 := clampInt(int(math.Floor(y0+90-cellPad)), 0, coarseRows-1), clampInt(int(math.Floor(y1+90+cellPad)), 0, coarseRows-1)
		for r := r0; r <= r1; r++ {
			rowEdges[r] = append(rowEdges[r], int32(i))
			for c := c0; c <= c1; c++ {
				if segmentTouchesBox(e, float64(c)-180, float64(r)-90, 1) {
					coarseEdges[r*coarseCols+c] = append(coarseEdges[r*coarseCols+c], int32(i))
				}
			}
		}
	}
	var sc scanline
	var xs []float64
	for r := 0; r < coarseRows; r++ {
		// Coarse cells that no edge touches: one answer each, settled at
		// the centre.
		xs = xs[:0]
		for c := 0; c < coarseCols; c++ {
			if len(coarseEdges[r*coarseCols+c]) == 0 {
				xs = append(xs, float64(c)-180+0.5)
			}
		}
		st := sc.run(edges, rowEdges[r], float64(r)-90+0.5, xs, ncountries)
		k := 0
		for c := 0; c < coarseCols; c++ {
			if len(coarseEdges[r*coarseCols+c]) == 0 {
				if st[k] < -1 {
					return nil, fmt.Errorf("internal: centre of edge-free cell %d,%d on a boundary", c, r)
				}
				g.coarse[r*coarseCols+c] = uint32(st[k] + 1)
				k++
			}
		}
		// Coarse cells that edges touch: a block of fine cells, whose
		// centres are settled one fine row at a time.
		var blocks []int
		for c := 0; c < coarseCols; c++ {
			if len(coarseEdges[r*coarseCols+c]) > 0 {
				g.coarse[r*coarseCols+c] = mixedBit | uint32(len(g.fine)/(fineN*fineN))
				g.fine = append(g.fine, make([]uint32, fineN*fineN)...)
				blocks = append(blocks, c)
			}
		}
		if len(blocks) == 0 {
			continue
		}
		for fy := 0; fy < fineN; fy++ {
			y := float64(r) - 90 + (float64(fy)+0.5)/fineN
			xs = xs[:0]
			for _, c := range blocks {
				for fx := 0; fx < fineN; fx++ {
					xs = append(xs, float64(c)-180+(float64(fx)+0.5)/fineN)
				}
			}
			st := sc.run(edges, rowEdges[r], y, xs, ncountries)
			for bi, c := range blocks {
				block := int(g.coarse[r*coarseCols+c] &^ mixedBit)
				for fx := 0; fx < fineN; fx++ {
					g.fine[block*fineN*fineN+fy*fineN+fx] = uint32(int32(st[bi*fineN+fx]) + 1) // provisional: centre status; −2 → 0xFFFFFFFF
				}
			}
		}
		for _, c := range blocks {
			if err := g.fillBlock(edges, rowEdges[r], coarseEdges[r*coarseCols+c], c, r, ncountries, &sc); err != nil {
				return nil, err
			}
		}
	}
	return g, nil
}

// fillBlock turns the provisional centre statuses of one block into final
// entries: pure fine cells keep theirs, mixed fine cells get their edges.
func (g *grid) fillBlock(edges []edge, rowEdges, blockEdges []int32, c, r, ncountries int, sc *scanline) error {
	block := int(g.coarse[r*coarseCols+c] &^ mixedBit)
	const w = 1.0 / fineN
	x0, y0 := float64(c)-180, float64(r)-90
	per := make([][]int32, fineN*fineN)
	for _, ei := range blockEdges {
		e := edges[ei]
		ex0, ex1 := math.Min(e.ax, e.bx), math.Max(e.ax, e.bx)
		ey0, ey1 := math.Min(e.ay, e.by), math.Max(e.ay, e.by)
		f0 := clampInt(int(math.Floor((ex0-x0-cellPad)*fineN)), 0, fineN-1)
		f1 := clampInt(int(math.Floor((ex1-x0+cellPad)*fineN)), 0, fineN-1)
		g0 := clampInt(int(math.Floor((ey0-y0-cellPad)*fineN)), 0, fineN-1)
		g1 := clampInt(int(math.Floor((ey1-y0+cellPad)*fineN)), 0, fineN-1)
		for fy := g0; fy <= g1; fy++ {
			for fx := f0; fx <= f1; fx++ {
				if segmentTouchesBox(e, x0+float64(fx)*w, y0+float64(fy)*w, w) {
					per[fy*fineN+fx] = append(per[fy*fineN+fx], ei)
				}
			}
		}
	}
	for i, list := range per {
		at := block*fineN*fineN + i
		centre := int32(g.fine[at]) - 1
		if len(list) == 0 {
			if centre < -1 {
				return fmt.Errorf("internal: centre of edge-free fine cell on a boundary")
			}
			g.fine[at] = uint32(centre + 1)
			continue
		}
		fx, fy := i%fineN, i/fineN
		rx, ry := x0+(float64(fx)+0.5)*w, y0+(float64(fy)+0.5)*w
		ref := centre
		// The reference point must not lie on a boundary; try other points
		// of the cell until one does not.
		for try := 1; ref < -1 || onAny(edges, list, rx, ry); try++ {
			if try > 64 {
				return fmt.Errorf("no reference point off the boundary in cell near %g,%g", rx, ry)
			}
			rx = x0 + (float64(fx)+math.Mod(0.5+0.382*float64(try), 1))*w
			ry = y0 + (float64(fy)+math.Mod(0.5+0.618*float64(try)+0.05, 1))*w
			ref = sc.run(edges, rowEdges, ry, []float64{rx}, ncountries)[0]
		}
		m := mixedCell{rx: rx, ry: ry, off: uint32(len(g.cellEdges)), n: uint32(len(list)), slotsOff: uint32(len(g.slots))}
		var cs []int32
		if ref >= 0 {
			cs = append(cs, ref)
		}
		for _, ei := range list {
			cs = append(cs, edges[ei].country)
		}
		sort.Slice(cs, func(a, b int) bool { return cs[a] < cs[b] })
		cs = compact(cs)
		if len(cs) > maxSlots {
			return fmt.Errorf("more than %d countries meet within the cell near lon %g lat %g", maxSlots, rx, ry)
		}
		slot := func(country int32) uint8 {
			return uint8(sort.Search(len(cs), func(k int) bool { return cs[k] >= country }))
		}
		g.slots = append(g.slots, cs...)
		if ref >= 0 {
			m.refMask = 1 << slot(ref)
		}
		for _, ei := range list {
			e := edges[ei]
			g.cellEdges = append(g.cellEdges, cellEdge{
				ax: e.ax, ay: e.ay, bx: e.bx, by: e.by,
				refSide: int8(orient(e.ax, e.ay, e.bx, e.by, rx, ry)),
				slot:    slot(e.country),
			})
		}
		g.fine[at] = mixedBit | uint32(len(g.mixed))
		g.mixed = append(g.mixed, m)
	}
	return nil
}

func compact(s []int32) []int32 {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// onAny reports whether (x, y) lies on any of the listed edges.
func onAny(edges []edge, list []int32, x, y float64) bool {
	for _, ei := range list {
		e := edges[ei]
		if onSegment(e.ax, e.ay, e.bx, e.by, x, y) {
			return true
		}
	}
	return false
}

// onSegment reports exactly whether p lies on the closed segment a–b.
func onSegment(ax, ay, bx, by, px, py float64) bool {
	if px < math.Min(ax, bx) || px > math.Max(ax, bx) || py < math.Min(ay, by) || py > math.Max(ay, by) {
		return false
	}
	return orient(ax, ay, bx, by, px, py) == 0
}

// segmentTouchesBox reports, conservatively, whether the edge meets the
// square [x0, x0+w] × [y0, y0+w] widened by cellPad on every side
// (Liang–Barsky clipping). A false "true" costs only time; a false "false"
// is impossible because of the padding.
func segmentTouchesBox(e edge, x0, y0, w float64) bool {
	xmin, xmax := x0-cellPad, x0+w+cellPad
	ymin, ymax := y0-cellPad, y0+w+cellPad
	dx, dy := e.bx-e.ax, e.by-e.ay
	t0, t1 := 0.0, 1.0
	clip := func(p, q float64) bool {
		if p == 0 {
			return q >= 0
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return false
			}
			t0 = math.Max(t0, t)
		} else {
			if t < t0 {
				return false
			}
			t1 = math.Min(t1, t)
		}
		return true
	}
	return clip(-dx, e.ax-xmin) && clip(dx, xmax-e.ax) && clip(-dy, e.ay-ymin) && clip(dy, ymax-e.ay) && t0 <= t1
}

func clampInt(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// locate returns the covering countries of (x, y) as a bit mask over the
// returned slot table (nil when the answer came from a pure cell, in which
// case the mask's value is country+1 or 0).
func (g *grid) locate(x, y float64) (mask uint64, slots []int32) {
	c := int(x + 180)
	r := int(y + 90)
	if c > coarseCols-1 {
		c = coarseCols - 1
	}
	if r > coarseRows-1 {
		r = coarseRows - 1
	}
	v := g.coarse[r*coarseCols+c]
	if v&mixedBit == 0 {
		return uint64(v), nil
	}
	fx := int((x+180)*fineN) - c*fineN
	fy := int((y+90)*fineN) - r*fineN
	fx = clampInt(fx, 0, fineN-1)
	fy = clampInt(fy, 0, fineN-1)
	v = g.fine[int(v&^mixedBit)*fineN*fineN+fy*fineN+fx]
	if v&mixedBit == 0 {
		return uint64(v), nil
	}
	m := &g.mixed[v&^mixedBit]
	inside := m.refMask
	var boundary uint64
	for i := range g.cellEdges[m.off : m.off+m.n] {
		e := &g.cellEdges[m.off+uint32(i)]
		s := orient(e.ax, e.ay, e.bx, e.by, x, y)
		if s == 0 {
			if x >= math.Min(e.ax, e.bx) && x <= math.Max(e.ax, e.bx) && y >= math.Min(e.ay, e.by) && y <= math.Max(e.ay, e.by) {
				boundary |= 1 << e.slot
			}
			continue
		}
		if int8(s) == e.refSide {
			continue // the edge's line does not separate p from ref
		}
		// a and b on different sides of the line p→ref, with a point on
		// the line counted on the positive side (a consistent tie rule, as
		// if the line were moved an infinitesimal amount).
		sa := orient(x, y, m.rx, m.ry, e.ax, e.ay) >= 0
		sb := orient(x, y, m.rx, m.ry, e.bx, e.by) >= 0
		if sa != sb {
			inside ^= 1 << e.slot
		}
	}
	return inside | boundary, g.slots[m.slotsOff:]
}

// scanline settles, exactly, which country contains each of several points
// on one horizontal line, by counting the edges that cross the line to their
// left. It keeps its buffers between runs.
type scanline struct {
	cross  []crossing
	parity []bool
	odd    []int32
	out    []int32
}

type crossing struct {
	x  float64
	ei int32
}

// run returns, for each x in xs (ascending), the index of the country that
// contains (x, y), −1 for none, or −2 if the point lies on a boundary.
func (s *scanline) run(edges []edge, candidates []int32, y float64, xs []float64, ncountries int) []int32 {
	s.cross = s.cross[:0]
	var flat []int32 // horizontal edges lying on the line
	for _, ei := range candidates {
		e := edges[ei]
		if (e.ay > y) != (e.by > y) {
			x := e.ax + (y-e.ay)*(e.bx-e.ax)/(e.by-e.ay)
			s.cross = append(s.cross, crossing{x, ei})
		} else if e.ay == y && e.by == y {
			flat = append(flat, ei)
		}
	}
	sort.Slice(s.cross, func(i, j int) bool { return s.cross[i].x < s.cross[j].x })
	if cap(s.parity) < ncountries {
		s.parity = make([]bool, ncountries)
	}
	s.parity = s.parity[:ncountries]
	clear(s.parity)
	s.odd = s.odd[:0]
	s.out = s.out[:0]
	toggle := func(c int32) {
		s.parity[c] = !s.parity[c]
		if s.parity[c] {
			s.odd = append(s.odd, c)
			return
		}
		for i, v := range s.odd {
			if v == c {
				s.odd[i] = s.odd[len(s.odd)-1]
				s.odd = s.odd[:len(s.odd)-1]
				return
			}
		}
	}
	// The float crossing abscissa is within a few ulps of the true one;
	// any edge whose abscissa is within margin of a point is decided
	// exactly instead.
	const margin = 1e-9
	lo := 0
	for _, x := range xs {
		for lo < len(s.cross) && s.cross[lo].x < x-margin {
			toggle(edges[s.cross[lo].ei].country)
			lo++
		}
		status := int32(-3)
		var extra []int32
		for k := lo; k < len(s.cross) && s.cross[k].x <= x+margin; k++ {
			e := edges[s.cross[k].ei]
			o := orient(e.ax, e.ay, e.bx, e.by, x, y)
			if o == 0 {
				status = -2
				break
			}
			// Upward edge: the crossing is left of p when p is right of
			// the edge (o < 0); downward edge: when p is left of it.
			if (e.by > e.ay) == (o < 0) {
				extra = append(extra, e.country)
			}
		}
		for _, ei := range flat {
			e := edges[ei]
			if x >= math.Min(e.ax, e.bx) && x <= math.Max(e.ax, e.bx) {
				status = -2
			}
		}
		if status != -2 {
			for _, c := range extra {
				toggle(c)
			}
			status = -1
			for _, c := range s.odd {
				if status < 0 || c < status {
					status = c
				}
			}
			for _, c := range extra {
				toggle(c)
			}
		}
		s.out = append(s.out, status)
	}
	return s.out
}
