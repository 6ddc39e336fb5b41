package airspace

import (
	"math"
)

// Start nodes. A depth query need not begin at the root of a hierarchy:
// for a cell of a lon/lat grid, every boundary edge that can be nearest to
// some point of the cell lies within a reach of the cell, and a few nodes
// hold all the edges within that reach. The cell names a node over those
// few (or the one itself), from which a query from the cell walks. The
// reach follows from the nearest edge to the cell's centre: for a point p
// of the cell, the geodesic to the boundary is no longer than the arc over
// the chord from p to that edge, and that chord is at most the chord from
// the centre plus the distance from the centre to p.

const (
	// startRes is the cells of a start grid per degree.
	startRes = 2
	// startCols and startRows are the cells of a start grid around the
	// globe and from pole to pole.
	startCols, startRows = 360 * startRes, 180 * startRes
	// startBlock is the side, in cells, of the blocks in which a start
	// grid keeps its cells: only blocks near edges are stored.
	startBlock = 8
	// startBlockCols is the blocks around the globe.
	startBlockCols = (startCols + startBlock - 1) / startBlock
	// startSamples is the samples per side of a cell from which its
	// ECEF box is taken.
	startSamples = 4
)

// startGrid holds the start nodes of one tree's cells.
type startGrid struct {
	block []int32 // per block, row by row: its first cell in cell, or −1
	cell  []int32 // per cell of a stored block, row by row: the wide node to start from, or −1 for the root
}

// start returns the wide node from which to walk for the point (lon,
// lat), degrees: its cell's, or else root.
func (g *startGrid) start(lon, lat float64, root int32) int32 {
	if g == nil || !(lon >= -180 && lon < 180 && lat >= -90 && lat < 90) {
		return root
	}
	c := int((lon + 180) * startRes)
	r := int((lat + 90) * startRes)
	if uint(c) >= startCols || uint(r) >= startRows {
		return root
	}
	b := g.block[r/startBlock*startBlockCols+c/startBlock]
	if b < 0 {
		return root
	}
	if v := g.cell[int(b)+r%startBlock*startBlock+c%startBlock]; v >= 0 {
		return v
	}
	return root
}

// buildStarts builds the start grid of t over the cells within one cell
// of the lon/lat box of one of its edges.
func (b *depthBuilder) buildStarts(t *tree) *startGrid {
	if len(t.edges) == 0 {
		return nil
	}
	ix := &b.ix
	const todo = -2
	g := &startGrid{block: make([]int32, startBlockCols*((startRows+startBlock-1)/startBlock))}
	for i := range g.block {
		g.block[i] = -1
	}
	at := func(c, r int) *int32 {
		bi := r/startBlock*startBlockCols + c/startBlock
		if g.block[bi] < 0 {
			g.block[bi] = int32(len(g.cell))
			for range startBlock * startBlock {
				g.cell = append(g.cell, -1)
			}
		}
		return &g.cell[int(g.block[bi])+r%startBlock*startBlock+c%startBlock]
	}
	for i := range t.edges {
		e := &t.edges[i]
		p, q := ix.verts[e.leaf.v+e.k], ix.verts[e.leaf.v+e.k+1]
		c0 := clampInt(int(math.Floor((min(p[0], q[0])+180)*startRes))-1, 0, startCols-1)
		c1 := clampInt(int(math.Floor((max(p[0], q[0])+180)*startRes))+1, 0, startCols-1)
		r0 := clampInt(int(math.Floor((min(p[1], q[1])+90)*startRes))-1, 0, startRows-1)
		r1 := clampInt(int(math.Floor((max(p[1], q[1])+90)*startRes))+1, 0, startRows-1)
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				*at(c, r) = todo
			}
		}
	}
	var list []wideChild
	var open []bool
	for bi, first := range g.block {
		if first < 0 {
			continue
		}
		for k := range startBlock * startBlock {
			cell := &g.cell[int(first)+k]
			if *cell != todo {
				continue
			}
			*cell = -1
			c := bi%startBlockCols*startBlock + k%startBlock
			r := bi/startBlockCols*startBlock + k/startBlock
			list, open = b.startCut(t, c, r, list[:0], open[:0])
			switch {
			case len(list) == 0:
			case len(list) == 1 && list[0].ref >= 0:
				*cell = list[0].ref
			default:
				key := startKey{n: len(list)}
				for j, k := range list {
					key.refs[j] = k.ref
				}
				n, ok := b.dedup[key]
				if !ok {
					n = b.wideOver(list).ref
					b.dedup[key] = n
				}
				*cell = n
			}
		}
	}
	return g
}

// startKey identifies a start node by its children.
type startKey struct {
	n    int
	refs [4]int32
}

// startCut returns the children (at most four) from which a walk for the
// points of cell (c, r) finds every edge within reach of the cell: from
// the root, the one of greatest extent is replaced by its children within
// reach while they stay at most four.
func (b *depthBuilder) startCut(t *tree, c, r int, list []wideChild, open []bool) ([]wideChild, []bool) {
	lon0 := float64(c)/startRes - 180
	lat0 := float64(r)/startRes - 90
	const w = 1.0 / startRes
	// The cell's ECEF box. Between samples h apart the surface strays from
	// the bilinear interpolation of the four around it, which lies in
	// their box, by at most (hφ²|x_φφ| + hλ²|x_λλ|)/8; a metre more covers
	// a query placed in this cell by the rounding of its index.
	var lo, hi [3]float64
	for k := range 3 {
		lo[k], hi[k] = math.Inf(1), math.Inf(-1)
	}
	for i := 0; i <= startSamples; i++ {
		for j := 0; j <= startSamples; j++ {
			p := ecef(lon0+w*float64(i)/startSamples, lat0+w*float64(j)/startSamples)
			for k := range 3 {
				lo[k], hi[k] = min(lo[k], p[k]), max(hi[k], p[k])
			}
		}
	}
	h := w / startSamples * math.Pi / 180
	pad := curvBound*2*h*h/8 + 1
	for k := range 3 {
		lo[k] -= pad
		hi[k] += pad
	}
	// The nearest edge to the centre, as an upper bound of the chord.
	var s search
	s.init(lon0+w/2, lat0+w/2)
	s.collect(t)
	var rc float64
	for k := range 3 {
		d := max(s.p[k]-lo[k], hi[k]-s.p[k])
		rc += d * d
	}
	reach := arcBound(s.ubCMin+math.Sqrt(rc), minRadius)
	if math.IsInf(reach, 1) {
		return list, open
	}
	within := func(k *wideChild) bool {
		var d2 float64
		for a := range 3 {
			d := max(float64(k.lo[a])*boxUnit-hi[a], lo[a]-float64(k.hi[a])*boxUnit, 0)
			d2 += d * d
		}
		return d2 <= reach*reach
	}
	if !within(&t.root) {
		return list, open
	}
	list = append(list, t.root)
	open = append(open, true)
	for {
		best, bestExt := -1, int32(-1)
		for i := range list {
			if !open[i] {
				continue
			}
			var ext int32
			for a := range 3 {
				ext = max(ext, list[i].hi[a]-list[i].lo[a])
			}
			if ext > bestExt {
				best, bestExt = i, ext
			}
		}
		if best < 0 {
			return list, open
		}
		ref := list[best].ref
		var in [4]wideChild
		n := 0
		for j := range int(b.ix.wide[ref].n) {
			if k := &b.kids[ref][j]; within(k) {
				in[n] = *k
				n++
			}
		}
		if len(list)-1+n > 4 {
			open[best] = false
			continue
		}
		last := len(list) - 1
		list[best], open[best] = list[last], open[last]
		list, open = list[:last], open[:last]
		for _, k := range in[:n] {
			list = append(list, k)
			open = append(open, k.ref >= 0)
		}
	}
}
