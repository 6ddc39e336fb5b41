package spectral

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// group accumulates one background's statistics in pass 1. Values are
// shifted by the group's first valid pixel before accumulation, so that the
// float32 cross-products hold deviations, not squared radiances.
type group struct {
	n        int
	hasShift bool
	shift    []float32 // p
	sum      []float64 // p, Σ(x − shift)
	cross    []float64 // packed upper triangle of Σ(x − shift)(x − shift)ᵀ, p(p+1)/2
	sub      []float32 // up to loo×p raw spectra for the leave-one-out choice
	subCap   int
	subEvery int
	seen     int
}

// background is one finished background estimate.
type background struct {
	n    int
	mean []float64 // p
	m2   []float64 // p×p, Σ(x − mean)(x − mean)ᵀ, full
	sub  []float32 // subsample, raw radiance, rows of p
}

func (g *group) add(x []float32, p int) {
	if !g.hasShift {
		copy(g.shift, x)
		g.hasShift = true
	}
	if g.sub != nil && g.seen%g.subEvery == 0 && len(g.sub) < g.subCap*p {
		g.sub = append(g.sub, x...)
	}
	g.seen++
}

// statsPass is pass 1: it accumulates, for every background, the count,
// sums and cross-products of the pixels that no mask excludes.
func (r *runner) statsPass() ([]*group, error) {
	p, ns := r.p, r.samples
	scene := r.opts.Mode == Scene
	nw := r.opts.Workers
	ngroups := ns
	if scene {
		ngroups = nw
	}
	groups := make([]*group, ngroups)
	// Below singleMinBands each background keeps a full p×p matrix that
	// Dsyrk updates in place; above, the packed upper triangle (half the
	// memory), fed through a per-worker scratch matrix.
	np := p * (p + 1) / 2
	if p < singleMinBands {
		np = p * p
	}
	cross := make([]float64, ngroups*np)
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
		case sortedContains(looCols, i):
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
	scratch := make([][]float64, nw)
	syrks := make([]*syrker, nw)
	stage := make([][]float32, nw)
	// Columns transposed at a time: one cache line of float32, or four
	// from singleMinBands bands on, where the blocks are large.
	chunk := 16
	if p >= singleMinBands {
		chunk = 64
	}
	for w := range scratch {
		cols := (w+1)*ns/nw - w*ns/nw
		if scene {
			scratch[w] = make([]float64, bl*cols*p)
		} else {
			scratch[w] = make([]float64, bl*p)
		}
		stage[w] = make([]float32, min(chunk, cols)*bl*p)
		syrks[w] = newSyrker(p, len(scratch[w])/p)
	}
	every := max(1, r.opts.LineStride)
	mask := r.res.Mask
	err := r.stream(r.used, func(line0, n int, block []float32) {
		r.parallel(func(w, s0, s1 int) {
			x := scratch[w]
			pm := stage[w]
			k := 0
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
					for b := 0; b < p; b++ {
						src := block[(l*p+b)*ns+c0 : (l*p+b)*ns+c0+cn]
						for c, v := range src {
							pm[(l*cn+c)*p+b] = v
						}
					}
				}
				for c := 0; c < cn; c++ {
					s := c0 + c
					if !scene {
						g = groups[s]
						k = 0
					}
					for l := 0; l < n; l++ {
						if every > 1 && (line0+l)%every != 0 {
							continue
						}
						i := (line0+l)*ns + s
						if mask[i] != 0 {
							continue
						}
						px := pm[(l*cn+c)*p : (l*cn+c+1)*p]
						nodata := false
						for _, v := range px {
							if r.isNoData(v) {
								nodata = true
								break
							}
						}
						if nodata {
							mask[i] |= MaskNoData
							continue
						}
						g.add(px, p)
						row := x[k*p : (k+1)*p]
						for b, v := range px {
							d := float64(v) - float64(g.shift[b])
							row[b] = d
							g.sum[b] += d
						}
						k++
						g.n++
					}
					if !scene && k > 0 {
						syrks[w].add(x[:k*p], k, g.cross)
					}
				}
			}
			if scene && k > 0 {
				syrks[w].add(x[:k*p], k, g.cross)
			}
		})
	})
	return groups, err
}

// singleMinBands is the band count from which the cross-products of a
// block are formed in float32 (gonum's float32 kernels run about twice as
// fast as its float64 ones at that size) before being added to the
// float64 totals. The products are of deviations from the background's
// first pixel and each block holds at most BlockLines rows, so the float32
// rounding stays far below the smallest eigenvalue the filter relies on
// (TestSinglePrecisionCrossProducts compares the two paths).
var singleMinBands = 128

// syrker adds blocks of cross-products into packed float64 totals; one per
// worker, it owns its scratch matrices.
type syrker struct {
	p     int
	x32   []float32
	tmp32 []float32 // p×p
}

func newSyrker(p, rows int) *syrker {
	s := &syrker{p: p}
	if p >= singleMinBands {
		s.x32 = make([]float32, rows*p)
		s.tmp32 = make([]float32, p*p)
	}
	return s
}

// add adds xᵀx (x is k×p, row-major) to c: from singleMinBands bands
// on, c is the packed upper triangle of a p×p matrix; below, c is the
// full p×p matrix (its upper triangle updated) and the products are
// float64: radiance covariances are so ill-conditioned that accumulating
// cross-products in float32 over a whole column loses the smallest
// eigenvalues, which are the ones the filter weights most.
func (s *syrker) add(x []float64, k int, c []float64) {
	p := s.p
	if s.x32 != nil {
		x32 := s.x32[:k*p]
		for i, v := range x[:k*p] {
			x32[i] = float32(v)
		}
		blas32.Syrk(blas.Trans, 1,
			blas32.General{Rows: k, Cols: p, Stride: p, Data: x32}, 0,
			blas32.Symmetric{Uplo: blas.Upper, N: p, Stride: p, Data: s.tmp32})
		off := 0
		for i := 0; i < p; i++ {
			src := s.tmp32[i*p+i : (i+1)*p]
			dst := c[off : off+len(src)]
			for j, v := range src {
				dst[j] += float64(v)
			}
			off += len(src)
		}
		return
	}
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
	off := 0
	for i := 0; i < p; i++ {
		mi := g.sum[i] / nf
		for j := i; j < p; j++ {
			c := g.cross[off+j-i]
			if len(g.cross) == p*p {
				c = g.cross[i*p+j]
			}
			v := c - nf*mi*(g.sum[j]/nf)
			bg.m2[i*p+j] = v
			bg.m2[j*p+i] = v
		}
		off += p - i
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
// background's pixels, by the closed form of Theiler, "The incredible
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
	xs := mat.NewDense(m, p, nil)
	for k := 0; k < m; k++ {
		for b := 0; b < p; b++ {
			xs.Set(k, b, (float64(bg.sub[k*p+b])-bg.mean[b])*dinv[b])
		}
	}
	var z mat.Dense
	z.Mul(xs, &vecs)
	z2 := z.RawMatrix().Data
	for i := range z2 {
		z2[i] *= z2[i]
	}
	best, bestNLL := 1.0, math.Inf(1)
	g := make([]float64, p)
	for _, a := range looAlphas {
		beta := (1 - a) / (n - 1)
		logdet := 0.0
		ok := true
		for j, l := range lambda {
			g[j] = n*beta*math.Max(l, 0) + a
			if !(g[j] > 0) {
				ok = false
				break
			}
			logdet += math.Log(g[j])
		}
		if !ok {
			continue
		}
		var sum float64
		for k := 0; k < m && ok; k++ {
			row := z2[k*p : (k+1)*p]
			var rk float64
			for j, v := range row {
				rk += v / g[j]
			}
			q := 1 - beta*rk
			if !(q > 0) {
				ok = false
				break
			}
			sum += math.Log(q) + rk/q
		}
		if !ok {
			continue
		}
		nll := 0.5*logdet + sum/(2*float64(m))
		if nll < bestNLL {
			best, bestNLL = a, nll
		}
	}
	return best
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
		r.forEach(len(cols), func(i int) {
			s := cols[i]
			buf := bufs.Get().(*[]float64)
			bg := groups[s].finish(p, *buf)
			alpha[s] = looShrinkage(bg, bg.toCov(), p)
			bufs.Put(buf)
		})
		interpolateLog(alpha, cols, sceneAlpha)
	}
	res.ColumnStatus = make([]Status, ns)
	res.Shrinkage = make([]float64, ns)
	res.BackgroundPixels = make([]int, ns)
	var errMu sync.Mutex
	var firstErr error
	r.forEach(ns, func(s int) {
		g := groups[s]
		res.BackgroundPixels[s] = g.n
		if g.n < minPix {
			filters[s] = sceneFilter
			res.ColumnStatus[s] = TooFewPixels
			res.Shrinkage[s] = sceneFilter.Shrinkage
			return
		}
		buf := bufs.Get().(*[]float64)
		defer bufs.Put(buf)
		ws := works.Get().(*filterWork)
		defer works.Put(ws)
		bg := g.finish(p, *buf)
		f, err := newFilter(bg.mean, bg.toCov(), res.Target, alpha[s], r.opts.ACE, ws)
		if err != nil {
			errMu.Lock()
			if firstErr == nil {
				firstErr = fmt.Errorf("column %d: %w", s, err)
			}
			errMu.Unlock()
			return
		}
		filters[s] = f
		res.ColumnStatus[s] = f.Status
		res.Shrinkage[s] = f.Shrinkage
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return filters, nil
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
