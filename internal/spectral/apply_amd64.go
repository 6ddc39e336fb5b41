package spectral

// applyRows is applyLineGo's loop over bands in AVX assembly for n columns,
// n a multiple of 8: acc, w, x and m point to the first column, row b of w
// and m is wstride bytes after row b−1, of x xstride bytes.
//
//go:noescape
func applyRows(acc, w, x, m *float32, n, p, wstride, xstride int)

// applyLine sets acc[s] = Σ_b w[b·ns+s]·(x[b·ns+s] − m[b·ns+s]) for s <
// len(acc), b < p, summed in band order: the apply pass's inner loop. The
// assembly path rounds each operation as the Go one does, so both give
// the same bits.
func applyLine(acc, w, x, m []float32, p, ns int) {
	n := len(acc)
	if n == 0 || p == 0 {
		return
	}
	_ = w[(p-1)*ns+n-1]
	_ = x[(p-1)*ns+n-1]
	_ = m[(p-1)*ns+n-1]
	n8 := 0
	if useAVX2 {
		n8 = n &^ 7
		if n8 > 0 {
			applyRows(&acc[0], &w[0], &x[0], &m[0], n8, p, ns*4, ns*4)
		}
	}
	if n8 < n {
		applyLineGo(acc[n8:], w[n8:], x[n8:], m[n8:], p, ns)
	}
}

// sumTimesZero sets z[s] = Σ_b x[b·ns+s]·0 for s < len(z), b < p: zero
// where every value is finite, NaN where one is not (NaN or ±Inf). zeros
// holds at least len(z) zeros.
func sumTimesZero(z, x, zeros []float32, p, ns int) {
	n := len(z)
	if n == 0 || p == 0 {
		return
	}
	_ = x[(p-1)*ns+n-1]
	_ = zeros[n-1]
	n8 := 0
	if useAVX2 {
		n8 = n &^ 7
		if n8 > 0 {
			applyRows(&z[0], &zeros[0], &x[0], &zeros[0], n8, p, 0, ns*4)
		}
	}
	if n8 < n {
		sumTimesZeroGo(z[n8:], x[n8:], p, ns)
	}
}

// devRow is deviations' loop in AVX assembly for n bands, n a multiple of
// 8.
//
//go:noescape
func devRow(d, x, shift *float32, sum *float64, n int)

// deviations sets d[b] = x[b] − shift[b] (float32) and adds float64(d[b])
// to sum[b] for b < len(x): one pixel's contribution to the sums of the
// statistics pass. The assembly path rounds as the Go loop does.
func deviations(d, x, shift []float32, sum []float64) {
	n := len(x)
	d, shift, sum = d[:n], shift[:n], sum[:n]
	n8 := 0
	if useAVX2 {
		n8 = n &^ 7
		if n8 > 0 {
			devRow(&d[0], &x[0], &shift[0], &sum[0], n8)
		}
	}
	if n8 < n {
		deviationsGo(d[n8:], x[n8:], shift[n8:], sum[n8:])
	}
}

// transpose8 transposes nblocks 8×8 blocks of float32 in AVX assembly
// (see transpose): block k's rows at src + 32k, sstride bytes apart, go to
// columns at dst + 8·dstride·k, rows dstride bytes apart.
//
//go:noescape
func transpose8(dst, src *float32, nblocks, dstride, sstride int)

// transpose writes columns c0…c0+cn−1 of one line of a BIL block (src,
// p band rows of ns samples) pixel-major into dst (cn rows of p bands):
// 8×8 blocks in assembly, the edges by transposeGo.
func transpose(dst, src []float32, p, ns, c0, cn int) {
	dst = dst[:cn*p]
	_ = src[(p-1)*ns+c0+cn-1]
	nc := 0
	if useAVX2 {
		nc = cn / 8
	}
	b := 0
	if nc > 0 {
		for ; b+8 <= p; b += 8 {
			transpose8(&dst[b], &src[b*ns+c0], nc, p*4, ns*4)
		}
	}
	if b == p && nc*8 == cn {
		return
	}
	if nc == 0 || b == 0 {
		transposeGo(dst, src, p, ns, c0, cn)
		return
	}
	// The bands past the last multiple of 8, for the blocked columns, and
	// every band of the remaining columns.
	for c := 0; c < nc*8; c++ {
		for bb := b; bb < p; bb++ {
			dst[c*p+bb] = src[bb*ns+c0+c]
		}
	}
	if r := cn - nc*8; r > 0 {
		transposeGo(dst[nc*8*p:], src, p, ns, c0+nc*8, r)
	}
}
