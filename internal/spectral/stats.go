package spectral

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// group accumulates one background's statistics in pass 1. Values are
// shifted by the mean of the group's first block of valid pixels before
// accumulation, so that the cross-products hold small deviations, not
// squared radiances, and the float32 block products stay well conditioned.
type group struct {
	n        int
	hasShift bool
	shift    []float32 // p
	sum      []float64 // p, Σ(x − shift)
	// cross holds Σ(x − shift)(x − shift)ᵀ: the full p×p matrix (upper
	// triangle updated) when lay is nil, else lay's tiled upper triangle.
	cross    []float64
	lay      *crossLayout
	sub      []float32 // up to loo×p raw spectra for the leave-one-out choice
	subCap   int
	subEvery int
	seen     int
	// sub2 and seen2 draw the subsample again, without the excluded
	// pixels, in the first apply pass when re-estimating by downdating.
	sub2  []float32
	seen2 int
}

// background is one finished background estimate.
type background struct {
	n    int
	mean []float64 // p
	m2   []float64 // p×p, Σ(x − mean)(x − mean)ᵀ, full
	sub  []float32 // subsample, raw radiance, rows of p
}

// sample keeps x in the leave-one-out subsample when its turn comes.
func (g *group) sample(x []float32, p int) {
	if g.sub != nil && g.seen%g.subEvery == 0 && len(g.sub) < g.subCap*p {
		g.sub = append(g.sub, x...)
	}
	g.seen++
}

// setShift sets the group's origin to the mean of the pixels pm[r*p:(r+1)*p]
// for r in rows, unless it has one.
func (g *group) setShift(pm []float32, rows []int, p int, acc []float64) {
	if g.hasShift || len(rows) == 0 {
		return
	}
	acc = acc[:p]
	clear(acc)
	for _, r := range rows {
		for b, v := range pm[r*p : (r+1)*p] {
			acc[b] += float64(v)
		}
	}
	for b, v := range acc {
		g.shift[b] = float32(v / float64(len(rows)))
	}
	g.hasShift = true
}

// statsWorker is one worker's scratch space in pass 1.
type statsWorker struct {
	pm   []float32 // a chunk of columns of the block, pixel-major
	rows []int     // valid rows of pm for the current background
	acc  []float64 // p
	x32  []float32 // crossBlock × lay.pp deviations (float32 path)
	k32  int
	x64  []float64 // deviations (float64 path)
	k64  int
	syrk *syrker
	// nd holds, before the mask pass has flagged no-data, a value per
	// pixel of the chunk that is NaN where a window band is not finite
	// (see sumTimesZero); zeros holds zeros for it.
	nd, zeros []float32
}

// statsPass is pass 1: it accumulates, for every background, the count,
// sums and cross-products of the pixels that no mask excludes. In column
// mode it covers columns [lo, hi), group i being column lo+i; in scene
// mode every column, one group per worker.
func (r *runner) statsPass(lo, hi int) ([]*group, error) {
	p, ns := r.p, r.samples
	scene := r.opts.Mode == Scene
	if scene {
		lo, hi = 0, ns
	}
	nw := min(r.opts.Workers, hi-lo)
	ngroups := hi - lo
	if scene {
		ngroups = nw
	}
	groups := make([]*group, ngroups)
	// Below singleMinBands each background keeps a full p×p matrix that
	// Dsyrk updates in place (float64 throughout); from it on, the tiled
	// upper triangle that the float32 block kernel adds into.
	var lay *crossLayout
	np := p * p
	if p >= singleMinBands {
		l := newCrossLayout(p)
		lay = &l
		np = l.size()
	}
	cross := r.crossTotals(ngroups * np)
	var looCols []int
	if !scene {
		looCols = r.looColumns()
	}
	m := r.opts.LOOPixels
	for i := range groups {
		g := &group{
			shift: make([]float32, p),
			sum:   make([]float64, p),
			cross: cross[i*np : (i+1)*np : (i+1)*np],
			lay:   lay,
		}
		switch {
		case scene:
			mm := m
			if mm <= 0 {
				mm = 2048
			}
			mm = max(2, mm/nw)
			cols := (i+1)*ns/nw - i*ns/nw
			g.subCap = mm
			g.subEvery = max(1, r.lines*cols/mm)
			g.sub = make([]float32, 0, mm*p)
		case sortedContains(looCols, lo+i):
			mm := m
			if mm <= 0 {
				mm = 128
			}
			g.subCap = mm
			g.subEvery = max(1, r.lines/mm)
			g.sub = make([]float32, 0, mm*p)
		}
		groups[i] = g
	}
	bl := r.opts.BlockLines
	// Columns transposed at a time: one cache line of float32, or four
	// from singleMinBands bands on, where the blocks are large.
	chunk := 16
	if p >= singleMinBands {
		chunk = 64
	}
	ws := make([]*statsWorker, nw)
	for w := range ws {
		cols := (w+1)*(hi-lo)/nw - w*(hi-lo)/nw
		if !scene {
			cols = hi - lo // any chunk may fall to any worker
		}
		sw := &statsWorker{
			pm:  make([]float32, min(chunk, cols)*bl*p),
			acc: make([]float64, p),
		}
		if !r.noDataMarked {
			sw.nd = make([]float32, min(chunk, cols)*bl)
			sw.zeros = make([]float32, min(chunk, cols))
		}
		if lay != nil {
			sw.x32 = make([]float32, crossBlock*lay.pp)
		} else {
			rows := bl
			if scene {
				rows = bl * cols
			}
			sw.x64 = make([]float64, rows*p)
			sw.syrk = newSyrker(p)
		}
		ws[w] = sw
	}
	every := max(1, r.opts.LineStride)
	mask := r.res.Mask
	err := r.stream(r.used, func(line0, n int, k lineBlock) {
		block := k.data
		// Column mode hands out chunks of columns as workers free up;
		// scene mode keeps one range, and one group, per worker.
		each := r.parallelRange
		if !scene {
			each = func(lo, hi, _ int, fn func(w, s0, s1 int)) { r.parallelChunks(lo, hi, chunk, fn) }
		}
		each(lo, hi, nw, func(w, s0, s1 int) {
			sw := ws[w]
			pm := sw.pm
			var g *group
			if scene {
				g = groups[w]
			}
			for c0 := s0; c0 < s1; c0 += chunk {
				cn := min(chunk, s1-c0)
				// Transpose this chunk of columns from BIL to pixel-major
				// order, reading each band row of the block sequentially.
				for l := 0; l < n; l++ {
					if every > 1 && (line0+l)%every != 0 {
						continue
					}
					transpose(pm[l*cn*p:(l+1)*cn*p], block[k.at(l, 0):k.at(l, 0)+p*ns], p, ns, c0, cn)
					if sw.nd != nil {
						sumTimesZero(sw.nd[l*cn:(l+1)*cn], block[k.at(l, 0)+c0:], sw.zeros, p, ns)
					}
				}
				for c := 0; c < cn; c++ {
					s := c0 + c
					if !scene {
						g = groups[s-lo]
					}
					// The valid pixels of this column in the block.
					rows := sw.rows[:0]
					for l := 0; l < n; l++ {
						if every > 1 && (line0+l)%every != 0 {
							continue
						}
						i := (line0+l)*ns + s
						if mask[i]&MaskNoData != 0 || (r.noDataMarked && mask[i] != 0) {
							continue
						}
						// Without a full mask pass every pixel's window
						// bands are checked here, masked or not, so that
						// the no-data flags are complete.
						rr := l*cn + c
						if !r.noDataMarked && (sw.nd[rr] != 0 || r.isNoDataValue(pm[rr*p:(rr+1)*p])) {
							mask[i] |= MaskNoData
							continue
						}
						if mask[i] != 0 {
							continue
						}
						rows = append(rows, rr)
					}
					sw.rows = rows
					g.setShift(pm, rows, p, sw.acc)
					for _, rr := range rows {
						px := pm[rr*p : (rr+1)*p]
						g.sample(px, p)
						g.n++
						if lay != nil {
							deviations(sw.x32[sw.k32*lay.pp:sw.k32*lay.pp+p], px, g.shift, g.sum)
							sw.k32++
							if sw.k32 == crossBlock {
								lay.add(sw.x32, sw.k32, g.cross)
								sw.k32 = 0
							}
							continue
						}
						d := sw.x64[sw.k64*p : (sw.k64+1)*p]
						for b, v := range px {
							dv := float64(v) - float64(g.shift[b])
							d[b] = dv
							g.sum[b] += dv
						}
						sw.k64++
					}
					if !scene {
						sw.flush(g)
					}
				}
			}
			if scene {
				sw.flush(g)
			}
		})
	})
	return groups, err
}

// crossTotals returns n zeroed float64 totals in r.crossBuf (from
// bigFloat64). Slabs of columns (slabs.go) reuse one allocation, so that
// one slab's totals need not be freed before the next's exist. A fresh
// allocation is
// left to the workers to touch first, a reused one is cleared by them in
// parallel: at 425 bands the totals take hundreds of MB, whose first
// touch (page faults) or clearing would otherwise stall one core.
func (r *runner) crossTotals(n int) []float64 {
	if cap(r.crossBuf) < n {
		r.crossBuf = r.bigFloat64(n)
		r.crossZero = true
	}
	c := r.crossBuf[:n]
	if !r.crossZero {
		nw := max(1, r.opts.Workers)
		r.parallelRange(0, n, nw, func(_, i0, i1 int) { clear(c[i0:i1]) })
	}
	r.crossZero = false
	return c
}

// transposeGo is transpose's portable loop, and the reference its
// assembly path is tested against: eight bands at a time so that both
// sides stream through the cache.
func transposeGo(dst, src []float32, p, ns, c0, cn int) {
	dst = dst[:cn*p]
	b := 0
	for ; b+8 <= p; b += 8 {
		r0 := src[b*ns+c0 : b*ns+c0+cn]
		r1 := src[(b+1)*ns+c0 : (b+1)*ns+c0+cn]
		r2 := src[(b+2)*ns+c0 : (b+2)*ns+c0+cn]
		r3 := src[(b+3)*ns+c0 : (b+3)*ns+c0+cn]
		r4 := src[(b+4)*ns+c0 : (b+4)*ns+c0+cn]
		r5 := src[(b+5)*ns+c0 : (b+5)*ns+c0+cn]
		r6 := src[(b+6)*ns+c0 : (b+6)*ns+c0+cn]
		r7 := src[(b+7)*ns+c0 : (b+7)*ns+c0+cn]
		for c := range r0 {
			d := (*[8]float32)(dst[c*p+b : c*p+b+8])
			d[0], d[1], d[2], d[3] = r0[c], r1[c], r2[c], r3[c]
			d[4], d[5], d[6], d[7] = r4[c], r5[c], r6[c], r7[c]
		}
	}
	for ; b < p; b++ {
		for c, v := range src[b*ns+c0 : b*ns+c0+cn] {
			dst[c*p+b] = v
		}
	}
}

// deviationsGo is deviations' portable loop.
func deviationsGo(d, x, shift []float32, sum []float64) {
	d, shift, sum = d[:len(x)], shift[:len(x)], sum[:len(x)]
	for b, v := range x {
		dv := v - shift[b]
		d[b] = dv
		sum[b] += float64(dv)
	}
}

// isNoDataValue reports whether a value of px is the no-data value.
func (r *runner) isNoDataValue(px []float32) bool {
	if r.opts.HasNoData {
		nd := r.opts.NoData
		for _, v := range px {
			if v == nd {
				return true
			}
		}
	}
	return false
}

// flush adds the worker's pending deviations into g's cross-products.
func (sw *statsWorker) flush(g *group) {
	if g.lay != nil && sw.k32 > 0 {
		g.lay.add(sw.x32, sw.k32, g.cross)
		sw.k32 = 0
	}
	if g.lay == nil && sw.k64 > 0 {
		sw.syrk.add(sw.x64[:sw.k64*sw.syrk.p], sw.k64, g.cross)
		sw.k64 = 0
	}
}

// singleMinBands is the band count from which the cross-products of each
// block of at most crossBlock pixels are formed in float32 by the tiled
// kernel (cross.go) before being added to the float64 totals; below it
// they are float64 throughout (gonum's Dsyrk), which costs little there.
// The products are of deviations from the mean of the background's first
// block, so the float32 rounding stays far below the smallest eigenvalue
// the filter relies on (TestSinglePrecisionCrossProducts compares the two
// paths). Float32 accumulation over a whole column is not an option:
// radiance covariances are so ill-conditioned that it loses the smallest
// eigenvalues, which are the ones the filter weights most.
var singleMinBands = 16

// syrker adds blocks of float64 cross-products into a full p×p matrix;
// one per worker.
type syrker struct {
	p int
}

func newSyrker(p int) *syrker { return &syrker{p: p} }

// add adds xᵀx (x is k×p, row-major) to the upper triangle of c, p×p.
func (s *syrker) add(x []float64, k int, c []float64) {
	p := s.p
	blas64.Syrk(blas.Trans, 1,
		blas64.General{Rows: k, Cols: p, Stride: p, Data: x}, 1,
		blas64.Symmetric{Uplo: blas.Upper, N: p, Stride: p, Data: c})
}

// finish turns a group's sums into a background: mean and scatter, the
// scatter written into m2 (p×p) when it is not nil.
func (g *group) finish(p int, m2 []float64) *background {
	if m2 == nil {
		m2 = make([]float64, p*p)
	}
	bg := &background{n: g.n, mean: make([]float64, p), m2: m2[:p*p], sub: g.sub}
	if g.n == 0 {
		clear(bg.m2)
		return bg
	}
	nf := float64(g.n)
	for b := 0; b < p; b++ {
		bg.mean[b] = float64(g.shift[b]) + g.sum[b]/nf
	}
	if g.lay != nil {
		g.lay.unpack(g.cross, bg.m2)
	} else {
		copy(bg.m2, g.cross)
	}
	for i := 0; i < p; i++ {
		mi := g.sum[i] / nf
		for j := i; j < p; j++ {
			v := bg.m2[i*p+j] - nf*mi*(g.sum[j]/nf)
			bg.m2[i*p+j] = v
			bg.m2[j*p+i] = v
		}
	}
	return bg
}

// combineGroups pools every group into one background (the whole scene),
// finishing one group at a time so that only two p×p matrices are live.
func combineGroups(groups []*group, p int) *background {
	out := &background{mean: make([]float64, p), m2: make([]float64, p*p)}
	for _, g := range groups {
		out.n += g.n
		out.sub = append(out.sub, g.sub...)
	}
	if out.n == 0 {
		return out
	}
	tmp := make([]float64, p*p)
	means := make([][]float64, len(groups))
	for k, g := range groups {
		if g.n == 0 {
			continue
		}
		bg := g.finish(p, tmp)
		means[k] = bg.mean
		for i := range out.mean {
			out.mean[i] += float64(g.n) * bg.mean[i] / float64(out.n)
		}
	}
	d := make([]float64, p)
	for k, g := range groups {
		if g.n == 0 {
			continue
		}
		bg := g.finish(p, tmp)
		for i := range d {
			d[i] = means[k][i] - out.mean[i]
		}
		nf := float64(g.n)
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				out.m2[i*p+j] += bg.m2[i*p+j] + nf*d[i]*d[j]
			}
		}
	}
	return out
}

// toCov turns the background's scatter into the unbiased sample covariance
// (p×p, row-major) in place and returns it.
func (bg *background) toCov() []float64 {
	if bg.n < 2 {
		clear(bg.m2)
		return bg.m2
	}
	for i := range bg.m2 {
		bg.m2[i] /= float64(bg.n - 1)
	}
	return bg.m2
}

// looAlphas is the grid of candidate shrinkage coefficients: 10^-8 … 1 in
// steps of 10^0.1, as emit-ghg's 10^-10 … 1 in steps of 10^0.05 but coarser
// at the small end, where the choice makes no difference to the filter.
var looAlphas = func() []float64 {
	var a []float64
	for e := -80; e <= 0; e++ {
		a = append(a, math.Pow(10, float64(e)/10))
	}
	return a
}()

// looShrinkage chooses the shrinkage coefficient α of C = (1−α)S + αT,
// T = diag(S), that maximises the leave-one-out Gaussian likelihood of the
// background's pixels, by the closed form of "The incredible
// shrinking covariance estimator", Proc. SPIE 8391 (2012), eq. 29, as
// emit-ghg does: with β = (1−α)/(n−1) and G = nβS + αT, the pixel k left
// out has covariance G − βx̃x̃ᵀ, so with r_k = x̃ᵀG⁻¹x̃ and q_k = 1 − βr_k
//
//	NLL(α) = ½ log|G| + (1/2m) Σ_k [log q_k + r_k/q_k]
//
// summed over the subsample (m pixels, centred on the full mean). In the
// coordinates scaled by T^-½, G = T^½(nβR + αI)T^½ with R the correlation
// matrix; one eigendecomposition R = VΛVᵀ then gives log|G| and every r_k
// for every α in O(m·p) each. It returns 1 (the diagonal) if no α is
// admissible.
func looShrinkage(bg *background, cov []float64, p int) float64 {
	m := len(bg.sub) / p
	n := float64(bg.n)
	if m < 2 || bg.n < 3 {
		return 1
	}
	dinv := make([]float64, p)
	for i := 0; i < p; i++ {
		d := cov[i*p+i]
		if !(d > 0) {
			return 1
		}
		dinv[i] = 1 / math.Sqrt(d)
	}
	corr := mat.NewSymDense(p, nil)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			corr.SetSym(i, j, cov[i*p+j]*dinv[i]*dinv[j])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(corr, true) {
		return 1
	}
	lambda := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	// z = Vᵀ T^-½ (x − μ) for each subsample pixel, squared.
	xd := make([]float64, m*p)
	for k := 0; k < m; k++ {
		row := xd[k*p : (k+1)*p]
		for b, v := range bg.sub[k*p : (k+1)*p] {
			row[b] = (float64(v) - bg.mean[b]) * dinv[b]
		}
	}
	xs := mat.NewDense(m, p, xd)
	var z mat.Dense
	z.Mul(xs, &vecs)
	z2 := z.RawMatrix().Data
	for i := range z2 {
		z2[i] *= z2[i]
	}
	best, bestNLL := 1.0, math.Inf(1)
	ginv := make([]float64, p)
	for _, a := range looAlphas {
		beta := (1 - a) / (n - 1)
		logdet := 0.0
		ok := true
		for j, l := range lambda {
			g := n*beta*math.Max(l, 0) + a
			if !(g > 0) {
				ok = false
				break
			}
			logdet += math.Log(g)
			ginv[j] = 1 / g
		}
		if !ok {
			continue
		}
		// Σ log q_k is taken as the log of products of the q_k (all in
		// (0, 1]), one logarithm per run of factors down to 2⁻⁵⁰⁰, far
		// above float64's smallest normal number.
		var sum, logs float64
		prod := 1.0
		for k := 0; k < m && ok; k++ {
			rk := dot64(z2[k*p:(k+1)*p], ginv)
			q := 1 - beta*rk
			if !(q > 0) {
				ok = false
				break
			}
			sum += rk / q
			if q < 0x1p-500 {
				logs += math.Log(q)
				continue
			}
			if prod *= q; prod < 0x1p-500 {
				logs += math.Log(prod)
				prod = 1
			}
		}
		if !ok {
			continue
		}
		logs += math.Log(prod)
		nll := 0.5*logdet + (sum+logs)/(2*float64(m))
		if nll < bestNLL {
			best, bestNLL = a, nll
		}
	}
	return best
}

// dot64 returns Σ x[j]·y[j] over len(x) ≤ len(y) elements, summed in
// four interleaved partial sums so that the additions pipeline.
func dot64(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= len(x); j += 4 {
		s0 += x[j] * y[j]
		s1 += x[j+1] * y[j+1]
		s2 += x[j+2] * y[j+2]
		s3 += x[j+3] * y[j+3]
	}
	for ; j < len(x); j++ {
		s0 += x[j] * y[j]
	}
	return (s0 + s1) + (s2 + s3)
}

// buildFilters finishes pass 1: it turns the groups into backgrounds,
// chooses the shrinkage and builds one Filter per column. Columns are
// finished one at a time per worker, so that beside the packed
// cross-products only a few p×p matrices are live.
func (r *runner) buildFilters(groups []*group) ([]*Filter, error) {
	p, ns := r.p, r.samples
	filters := make([]*Filter, ns)
	res := r.res
	minPix := max(r.opts.MinPixels, 2)
	if r.opts.Mode == Scene {
		scene := combineGroups(groups, p)
		if scene.n < minPix {
			return nil, fmt.Errorf("matched filter: %d valid pixels in the scene, need %d: %w", scene.n, minPix, ErrTooFewPixels)
		}
		c := scene.toCov()
		a := r.opts.Shrinkage
		if a < 0 {
			a = looShrinkage(scene, c, p)
		}
		f, err := newFilter(scene.mean, c, res.Target, a, r.opts.ACE, nil)
		if err != nil {
			return nil, err
		}
		for s := range filters {
			filters[s] = f
		}
		res.ColumnStatus = make([]Status, ns)
		for s := range res.ColumnStatus {
			res.ColumnStatus[s] = f.Status
		}
		res.Shrinkage = []float64{f.Shrinkage}
		res.BackgroundPixels = []int{scene.n}
		return filters, nil
	}
	alpha := make([]float64, ns)
	for s := range alpha {
		alpha[s] = math.NaN()
	}
	few := false
	for _, g := range groups {
		if g.n < minPix {
			few = true
		}
	}
	var sceneFilter *Filter
	sceneAlpha := r.opts.Shrinkage
	if few {
		scene := combineGroups(groups, p)
		if scene.n < minPix {
			return nil, fmt.Errorf("matched filter: %d valid pixels in the scene, need %d: %w", scene.n, minPix, ErrTooFewPixels)
		}
		c := scene.toCov()
		if sceneAlpha < 0 {
			sceneAlpha = looShrinkage(scene, c, p)
		}
		f, err := newFilter(scene.mean, c, res.Target, sceneAlpha, r.opts.ACE, nil)
		if err != nil {
			return nil, err
		}
		sceneFilter = f
	}
	bufs := sync.Pool{New: func() any { b := make([]float64, p*p); return &b }}
	works := sync.Pool{New: func() any { return new(filterWork) }}
	if r.opts.Shrinkage >= 0 {
		for s := range alpha {
			alpha[s] = r.opts.Shrinkage
		}
	} else {
		var cols []int
		for s, g := range groups {
			if g.sub != nil && g.n >= minPix {
				cols = append(cols, s)
			}
		}
		prev := r.prev
		if !reuseUnchanged {
			prev = nil
		}
		r.forEach(len(cols), func(i int) {
			s := cols[i]
			if prev != nil && !prev.changed[s] {
				alpha[s] = prev.alpha[s] // the same pixels, the same choice
				return
			}
			buf := bufs.Get().(*[]float64)
			bg := groups[s].finish(p, *buf)
			alpha[s] = looShrinkage(bg, bg.toCov(), p)
			bufs.Put(buf)
		})
		interpolateLog(alpha, cols, sceneAlpha)
	}
	prev := r.prev
	r.prev = nil
	r.alpha = alpha
	if !reuseUnchanged {
		prev = nil
	}
	res.ColumnStatus = make([]Status, ns)
	res.Shrinkage = make([]float64, ns)
	res.BackgroundPixels = make([]int, ns)
	var errs firstError
	r.forEach(ns, func(s int) {
		g := groups[s]
		res.BackgroundPixels[s] = g.n
		if g.n < minPix {
			filters[s] = sceneFilter
			res.ColumnStatus[s] = TooFewPixels
			res.Shrinkage[s] = sceneFilter.Shrinkage
			return
		}
		if prev != nil && !prev.changed[s] && prev.filters[s] != nil && prev.status[s] != TooFewPixels && prev.alpha[s] == alpha[s] {
			// The same statistics and shrinkage: the same filter.
			filters[s] = prev.filters[s]
			res.ColumnStatus[s], res.Shrinkage[s] = prev.status[s], prev.shrinkage[s]
			return
		}
		buf := bufs.Get().(*[]float64)
		defer bufs.Put(buf)
		r.columnFilter(s, g.finish(p, *buf), alpha[s], filters, &works, &errs)
	})
	if errs.err != nil {
		return nil, errs.err
	}
	return filters, nil
}

// reuseUnchanged lets a rebuild after downdating reuse the first build's
// work for columns that lost no pixel; tests turn it off to compare.
var reuseUnchanged = true

// prevBuild is what a rebuild after downdating may reuse of the first
// build, column by column: columns whose background lost no pixel keep
// their leave-one-out choice, and, when their interpolated coefficient is
// unchanged too, their filter.
type prevBuild struct {
	changed   []bool // per column: the downdate removed pixels from it
	alpha     []float64
	filters   []*Filter
	status    []Status
	shrinkage []float64
}

// firstError keeps the first error reported by concurrent workers.
type firstError struct {
	mu  sync.Mutex
	err error
}

func (e *firstError) set(err error) {
	e.mu.Lock()
	if e.err == nil {
		e.err = err
	}
	e.mu.Unlock()
}

// columnFilter builds the filter of column s from its background bg with
// shrinkage alpha into filters[s], and records its status and shrinkage in
// the result; an error is kept in errs. Safe for concurrent use on
// distinct columns.
func (r *runner) columnFilter(s int, bg *background, alpha float64, filters []*Filter, works *sync.Pool, errs *firstError) {
	ws := works.Get().(*filterWork)
	defer works.Put(ws)
	f, err := newFilter(bg.mean, bg.toCov(), r.res.Target, alpha, r.opts.ACE, ws)
	if err != nil {
		errs.set(fmt.Errorf("column %d: %w", s, err))
		return
	}
	filters[s] = f
	r.res.ColumnStatus[s] = f.Status
	r.res.Shrinkage[s] = f.Shrinkage
}

// interpolateLog fills the NaN entries of alpha by linear interpolation of
// log α between the known columns (held constant beyond the ends); with no
// known column every entry gets def (or 1, the diagonal, if def < 0).
func interpolateLog(alpha []float64, known []int, def float64) {
	sort.Ints(known)
	if len(known) == 0 {
		if def < 0 {
			def = 1
		}
		for s := range alpha {
			alpha[s] = def
		}
		return
	}
	for s := range alpha {
		if !math.IsNaN(alpha[s]) {
			continue
		}
		i := sort.SearchInts(known, s)
		switch {
		case i == 0:
			alpha[s] = alpha[known[0]]
		case i == len(known):
			alpha[s] = alpha[known[len(known)-1]]
		default:
			a, b := known[i-1], known[i]
			u := float64(s-a) / float64(b-a)
			alpha[s] = math.Exp((1-u)*math.Log(alpha[a]) + u*math.Log(alpha[b]))
		}
	}
}

// forEach runs fn(i) for i in [0, n) on Workers goroutines.
func (r *runner) forEach(n int, fn func(i int)) {
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < min(r.opts.Workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
