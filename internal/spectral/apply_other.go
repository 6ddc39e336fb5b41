//go:build !amd64

package spectral

// applyLine sets acc[s] = Σ_b w[b·ns+s]·(x[b·ns+s] − m[b·ns+s]) for s <
// len(acc), b < p, summed in band order: the apply pass's inner loop.
func applyLine(acc, w, x, m []float32, p, ns int) {
	applyLineGo(acc, w, x, m, p, ns)
}

// sumTimesZero sets z[s] = Σ_b x[b·ns+s]·0 for s < len(z), b < p: zero
// where every value is finite, NaN where one is not (NaN or ±Inf).
func sumTimesZero(z, x, _ []float32, p, ns int) {
	sumTimesZeroGo(z, x, p, ns)
}

// deviations sets d[b] = x[b] − shift[b] (float32) and adds float64(d[b])
// to sum[b] for b < len(x): one pixel's contribution to the sums of the
// statistics pass.
func deviations(d, x, shift []float32, sum []float64) {
	deviationsGo(d, x, shift, sum)
}

// transpose writes columns c0…c0+cn−1 of one line of a BIL block (src,
// p band rows of ns samples) pixel-major into dst (cn rows of p bands).
func transpose(dst, src []float32, p, ns, c0, cn int) {
	transposeGo(dst, src, p, ns, c0, cn)
}
