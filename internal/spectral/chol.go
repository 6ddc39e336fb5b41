package spectral

import "math"

// cholBlock is the block size of potrfUpper: the rows of U formed one by
// one before the trailing matrix is updated tile by tile.
const cholBlock = 48

// cholMinBands is the band count from which newFilter factorises with
// potrfUpper instead of gonum's Dpotrf: at hundreds of bands the
// factorisations are a third of the filter's time, and the tiled AVX2/FMA
// update runs about three times as fast; below it the two cost little and
// gonum's keeps the results of earlier versions bit for bit.
var cholMinBands = 128

// potrfUpper factorises the symmetric matrix whose upper triangle is in a
// (p×p, row-major) as UᵀU, U upper triangular, overwriting the upper
// triangle with U (the lower triangle is left undefined); it returns false
// if a pivot is not positive (the matrix is not numerically positive
// definite). It is right-looking and blocked: rows k0…k0+cholBlock−1 of U
// are formed from the block's earlier rows, then the trailing matrix
// loses their outer products in tiles of 4×8 (syrkTile).
func potrfUpper(a []float64, p int) bool {
	a = a[:p*p]
	for k0 := 0; k0 < p; k0 += cholBlock {
		k1 := min(k0+cholBlock, p)
		for j := k0; j < k1; j++ {
			row := a[j*p : (j+1)*p]
			for r := k0; r < j; r++ {
				ur := a[r*p : (r+1)*p]
				if f := ur[j]; f != 0 {
					axpyNeg(row[j:], ur[j:], f)
				}
			}
			d := row[j]
			if !(d > 0) || math.IsInf(d, 0) {
				return false
			}
			d = math.Sqrt(d)
			row[j] = d
			inv := 1 / d
			for c := j + 1; c < p; c++ {
				row[c] *= inv
			}
		}
		if k1 == p {
			break
		}
		// Trailing update of rows and columns k1…p−1 by rows k0…k1−1.
		k := k1 - k0
		i0 := k1
		for ; i0+4 <= p; i0 += 4 {
			j0 := i0
			for ; j0+8 <= p; j0 += 8 {
				syrkTile(a, p, k0, k, i0, j0)
			}
			syrkEdge(a, p, k0, k, i0, i0+4, j0)
		}
		syrkEdge(a, p, k0, k, i0, p, i0)
	}
	return true
}

// syrkEdge is the trailing update of rows [i0, i1) and columns j ≥ max(j0,
// i) that the 4×8 tiles leave over.
func syrkEdge(a []float64, p, k0, k, i0, i1, j0 int) {
	for i := i0; i < i1; i++ {
		for j := max(j0, i); j < p; j++ {
			var s float64
			for r := k0; r < k0+k; r++ {
				s += a[r*p+i] * a[r*p+j]
			}
			a[i*p+j] -= s
		}
	}
}

// syrkTileGo is syrkTile's portable loop, and the reference its assembly
// is tested against.
func syrkTileGo(a []float64, p, k0, k, i0, j0 int) {
	var acc [4][8]float64
	for r := k0; r < k0+k; r++ {
		row := a[r*p : (r+1)*p]
		for x := 0; x < 4; x++ {
			u := row[i0+x]
			for y := 0; y < 8; y++ {
				acc[x][y] += u * row[j0+y]
			}
		}
	}
	for x := 0; x < 4; x++ {
		for y := 0; y < 8; y++ {
			a[(i0+x)*p+j0+y] -= acc[x][y]
		}
	}
}
