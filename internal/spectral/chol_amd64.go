package spectral

// syrkTile4x8 is syrkTileGo in AVX2/FMA assembly: u and v point to
// a[k0][i0] and a[k0][j0], stride is a row's length in bytes, c points to
// a[i0][j0] and cstride is its row's length in bytes.
//
//go:noescape
func syrkTile4x8(u, v *float64, k, stride int, c *float64, cstride int)

// syrkTile subtracts Σ_{r<k} a[k0+r][i0+x]·a[k0+r][j0+y] from a[i0+x][j0+y]
// for x < 4, y < 8 (a is p×p, row-major).
func syrkTile(a []float64, p, k0, k, i0, j0 int) {
	if !useAVX2 {
		syrkTileGo(a, p, k0, k, i0, j0)
		return
	}
	_ = a[(k0+k-1)*p+j0+7]
	_ = a[(i0+3)*p+j0+7]
	syrkTile4x8(&a[k0*p+i0], &a[k0*p+j0], k, p*8, &a[i0*p+j0], p*8)
}

// axpyNegAVX is axpyNeg in AVX2/FMA assembly for n a multiple of 4.
//
//go:noescape
func axpyNegAVX(y, x *float64, n int, f float64)

// axpyNeg subtracts f·x from y, element by element (len(x) ≥ len(y)).
func axpyNeg(y, x []float64, f float64) {
	n := len(y)
	x = x[:n]
	n4 := 0
	if useAVX2 {
		if n4 = n &^ 3; n4 > 0 {
			axpyNegAVX(&y[0], &x[0], n4, f)
		}
	}
	for i := n4; i < n; i++ {
		y[i] -= f * x[i]
	}
}
