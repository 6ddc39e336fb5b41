//go:build !amd64

package spectral

// syrkTile subtracts Σ_{r<k} a[k0+r][i0+x]·a[k0+r][j0+y] from a[i0+x][j0+y]
// for x < 4, y < 8 (a is p×p, row-major).
func syrkTile(a []float64, p, k0, k, i0, j0 int) {
	syrkTileGo(a, p, k0, k, i0, j0)
}

// axpyNeg subtracts f·x from y, element by element (len(x) ≥ len(y)).
func axpyNeg(y, x []float64, f float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] -= f * v
	}
}
