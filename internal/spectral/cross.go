package spectral

// The cross-product kernel of pass 1. A background's cross-products
// Σ(x − x₀)(x − x₀)ᵀ are kept as float64 totals of the upper triangle,
// stored as tiles of crossRows × crossCols entries: rows i0…i0+3 (i0 a
// multiple of crossRows) by columns j0…j0+15 (j0 a multiple of
// crossCols), for every tile that reaches the diagonal or lies right of
// it. A block of at most crossBlock pixels (rows of a pixel-major panel,
// bands padded with zeros to a multiple of crossCols) is accumulated tile
// by tile in float32 registers as a sum of outer products, then converted
// and added to the float64 totals: the float32 rounding spans one block,
// never a whole column (see singleMinBands).

const (
	crossRows  = 4  // tile rows, each broadcast from a pixel's bands
	crossCols  = 16 // tile columns, two vectors of 8 float32
	crossTile  = crossRows * crossCols
	crossBlock = 64 // most pixels accumulated in float32 before the float64 totals
)

// crossLayout describes the tiled upper triangle for p bands.
type crossLayout struct {
	p, pp    int   // bands, and bands padded to a multiple of crossCols
	rowStart []int // per row block, index of its first tile
	tiles    int   // number of tiles
}

func newCrossLayout(p int) crossLayout {
	pp := (p + crossCols - 1) / crossCols * crossCols
	nib := (p + crossRows - 1) / crossRows
	l := crossLayout{p: p, pp: pp, rowStart: make([]int, nib+1)}
	for ib := 0; ib < nib; ib++ {
		l.rowStart[ib+1] = l.rowStart[ib] + pp/crossCols - ib*crossRows/crossCols
	}
	l.tiles = l.rowStart[nib]
	return l
}

// size is the number of float64 totals.
func (l crossLayout) size() int { return l.tiles * crossTile }

// at returns the total at (i, j), j ≥ i, from the tiles c.
func (l crossLayout) at(c []float64, i, j int) float64 {
	return c[l.index(i, j)]
}

// index is the position of the total at (i, j), j ≥ i, in the tiles.
func (l crossLayout) index(i, j int) int {
	ib, jb := i/crossRows, j/crossCols
	t := l.rowStart[ib] + jb - ib*crossRows/crossCols
	return t*crossTile + (i%crossRows)*crossCols + j%crossCols
}

// unpack writes the totals c into the upper triangle of m (p×p,
// row-major); the lower triangle is left as it was.
func (l crossLayout) unpack(c []float64, m []float64) {
	p := l.p
	m = m[:p*p]
	nib := len(l.rowStart) - 1
	for ib := 0; ib < nib; ib++ {
		i0 := ib * crossRows
		t := l.rowStart[ib]
		for j0 := i0 / crossCols * crossCols; j0 < l.pp; j0 += crossCols {
			tile := c[t*crossTile : (t+1)*crossTile]
			t++
			for a := 0; a < crossRows && i0+a < p; a++ {
				i := i0 + a
				lo, hi := max(j0, i), min(j0+crossCols, p)
				if lo >= hi {
					continue
				}
				copy(m[i*p+lo:i*p+hi], tile[a*crossCols+lo-j0:a*crossCols+hi-j0])
			}
		}
	}
}

// add adds xᵀx to the tiled totals c, x being k rows of l.pp float32
// (pixel-major, zero beyond band p), k ≤ crossBlock.
func (l crossLayout) add(x []float32, k int, c []float64) {
	if k == 0 {
		return
	}
	pp := l.pp
	x = x[:k*pp]
	c = c[:l.size()]
	nib := len(l.rowStart) - 1
	kernel := crossTileGo
	if useAVX2 {
		kernel = crossTileAsm
	}
	for ib := 0; ib < nib; ib++ {
		i0 := ib * crossRows
		t := l.rowStart[ib]
		for j0 := i0 / crossCols * crossCols; j0 < pp; j0 += crossCols {
			kernel(x, i0, j0, k, pp, c[t*crossTile:(t+1)*crossTile])
			t++
		}
	}
}

// crossTileGo adds Σ_r x[r][i0+a]·x[r][j0+b] (r < k, a < crossRows,
// b < crossCols), accumulated in float32, to c[a*crossCols+b]: the
// portable kernel, and the reference the assembly one is tested against.
func crossTileGo(x []float32, i0, j0, k, pp int, c []float64) {
	var acc [crossTile]float32
	for r := 0; r < k; r++ {
		row := x[r*pp : (r+1)*pp]
		bj := (*[crossCols]float32)(row[j0 : j0+crossCols])
		for a := 0; a < crossRows; a++ {
			v := row[i0+a]
			dst := (*[crossCols]float32)(acc[a*crossCols : (a+1)*crossCols])
			for b, w := range bj {
				dst[b] += v * w
			}
		}
	}
	c = c[:crossTile]
	for i, v := range acc {
		c[i] += float64(v)
	}
}
