package spectral

import (
	"math"
)

// applyPass is pass 2 over columns [lo, hi): α̂ = w·(x − μ) per pixel, one
// dot product over the bands in float32, walked in the cube's BIL order so
// that every inner loop runs over contiguous samples. Weights and means
// are laid out band-major per column (w[b*samples+s]) to match.
func (r *runner) applyPass(filters []*Filter, lo, hi int) error {
	p, ns := r.p, r.samples
	res := r.res
	wt := make([]float32, p*ns)
	mu := make([]float32, p*ns)
	sig := make([]float32, ns)
	mumu := make([]float32, ns)
	for s := lo; s < hi; s++ {
		f := filters[s]
		for b := 0; b < p; b++ {
			wt[b*ns+s] = float32(f.Weights[b])
			mu[b*ns+s] = float32(f.Mean[b])
		}
		sig[s] = float32(f.Sigma)
		mumu[s] = float32(f.MuMu)
	}
	// For ACE: C⁻¹ in float32 per distinct filter.
	var cinv map[*Filter][]float32
	if res.ACE != nil {
		cinv = make(map[*Filter][]float32)
		for _, f := range filters[lo:hi] {
			if _, ok := cinv[f]; ok {
				continue
			}
			c := make([]float32, p*p)
			for i, v := range f.cinv {
				c[i] = float32(v)
			}
			cinv[f] = c
		}
	}
	nw := r.opts.Workers
	accs := make([][]float32, nw)
	alb := make([][]float32, nw)
	dev := make([][]float32, nw)
	for w := range accs {
		accs[w] = make([]float32, ns)
		alb[w] = make([]float32, ns)
		dev[w] = make([]float32, p)
	}
	albedo := r.opts.Albedo
	nan := float32(math.NaN())
	thr := float32(r.opts.ReestimateSigma)
	every := max(1, r.opts.LineStride)
	return r.stream(r.used, func(line0, n int, k lineBlock) {
		block := k.data
		// Column mode hands out chunks of columns as workers free up; in
		// scene mode worker w keeps pass 1's range of columns (resample).
		each := r.parallelRange
		if r.opts.Mode == Column {
			each = func(lo, hi, _ int, fn func(w, s0, s1 int)) { r.parallelChunks(lo, hi, applyChunk, fn) }
		}
		each(lo, hi, nw, func(w, s0, s1 int) {
			acc := accs[w][s0:s1]
			xm := alb[w][s0:s1]
			for l := 0; l < n; l++ {
				if albedo {
					clear(acc)
					clear(xm)
					for b := 0; b < p; b++ {
						off := k.at(l, 0) + b*ns + s0
						row := block[off : off+len(acc)]
						wb := wt[b*ns+s0 : b*ns+s0+len(acc)]
						mb := mu[b*ns+s0 : b*ns+s0+len(acc)]
						dot(acc, wb, row, mb)
						for s, x := range row {
							xm[s] += x * mb[s]
						}
					}
				} else {
					applyLine(acc, wt[s0:], block[k.at(l, 0)+s0:], mu[s0:], p, ns)
				}
				base := (line0+l)*ns + s0
				enh := res.Enhancement[base : base+len(acc)]
				sg := res.Sigma[base : base+len(acc)]
				mk := res.Mask[base : base+len(acc)]
				for s, a := range acc {
					if mk[s]&MaskNoData != 0 {
						enh[s], sg[s] = nan, nan
						continue
					}
					sd := sig[s0+s]
					if albedo {
						rr := xm[s] / mumu[s0+s]
						a /= rr
						sd /= float32(math.Abs(float64(rr)))
					}
					enh[s], sg[s] = a, sd
					// A background pixel of pass 1 that the re-estimation
					// will exclude: keep its spectrum for downdating.
					if r.recs != nil && mk[s] == 0 && a > thr*sd && (line0+l)%every == 0 {
						r.recs[w].record(base+s, block, k.at(l, 0)+s0+s, ns, p)
						mk[s] |= MaskPlume
					}
				}
				if res.ACE != nil {
					r.ace(block[k.at(l, 0):], line0+l, s0, s1, filters, cinv, dev[w], acc)
				}
			}
			if r.recs != nil {
				r.resample(k, line0, n, w, s0, s1)
			}
		})
	})
}

// applyChunk is the number of columns a worker of the apply pass takes
// at a time in column mode.
const applyChunk = 64

// dot adds w[s]·(x[s] − m[s]) to acc[s] for every s: the apply pass's inner
// loop, unrolled by four.
func dot(acc, w, x, m []float32) {
	n := len(acc)
	w, x, m = w[:n], x[:n], m[:n]
	s := 0
	for ; s+4 <= n; s += 4 {
		acc[s] += w[s] * (x[s] - m[s])
		acc[s+1] += w[s+1] * (x[s+1] - m[s+1])
		acc[s+2] += w[s+2] * (x[s+2] - m[s+2])
		acc[s+3] += w[s+3] * (x[s+3] - m[s+3])
	}
	for ; s < n; s++ {
		acc[s] += w[s] * (x[s] - m[s])
	}
}

// applyLineGo is applyLine's portable loop (and the reference its
// assembly path is tested against): acc is cleared, then each band's
// row added by dot.
func applyLineGo(acc, w, x, m []float32, p, ns int) {
	n := len(acc)
	clear(acc)
	for b := 0; b < p; b++ {
		dot(acc, w[b*ns:b*ns+n], x[b*ns:b*ns+n], m[b*ns:b*ns+n])
	}
}

// sumTimesZeroGo is sumTimesZero's portable loop.
func sumTimesZeroGo(z, x []float32, p, ns int) {
	n := len(z)
	clear(z)
	for b := 0; b < p; b++ {
		for s, v := range x[b*ns : b*ns+n] {
			z[s] += v * 0
		}
	}
}

// ace fills the ACE score of line line for columns [s0, s1), its band b
// at rows[b·samples+s]: ACE = α₀²·(sᵀC⁻¹s) / ((x−μ)ᵀC⁻¹(x−μ)), α₀ the
// enhancement before any albedo scaling (acc).
func (r *runner) ace(rows []float32, line, s0, s1 int, filters []*Filter, cinv map[*Filter][]float32, d []float32, acc []float32) {
	p, ns := r.p, r.samples
	res := r.res
	for s := s0; s < s1; s++ {
		i := line*ns + s
		if res.Mask[i]&MaskNoData != 0 {
			res.ACE[i] = float32(math.NaN())
			continue
		}
		f := filters[s]
		c := cinv[f]
		for b := 0; b < p; b++ {
			d[b] = rows[b*ns+s] - float32(f.Mean[b])
		}
		var dd float32
		for a := 0; a < p; a++ {
			row := c[a*p : (a+1)*p]
			var t float32
			for b, v := range row {
				t += v * d[b]
			}
			dd += d[a] * t
		}
		a0 := float64(acc[s-s0])
		q := 1 / (f.Sigma * f.Sigma)
		if dd > 0 {
			res.ACE[i] = float32(a0 * a0 * q / float64(dd))
		}
	}
}
