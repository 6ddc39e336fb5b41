package spectral

import (
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// The plume-excluding re-estimation (Options.Reestimate) by downdating.
// Pass 1's totals of every background (count, Σ(x − x₀) and
// Σ(x − x₀)(x − x₀)ᵀ, x₀ the background's origin) are kept through the
// first apply pass, which records the spectra of the background pixels
// whose enhancement exceeds ReestimateSigma σ, the ones the re-estimation
// excludes. Their contributions are then subtracted from their
// background's totals in float64, which gives the statistics of the
// remaining pixels without reading the cube again: only the second apply
// pass does. The first apply pass also draws each background's
// leave-one-out subsample again from the remaining pixels, in pass 1's
// order, so that it is the one a second statistics pass would draw, and
// the shrinkage is chosen again on the downdated statistics. Column slabs
// (slabs.go), where the totals of every column are never held at once,
// run the whole re-estimation slab by slab (slabReestimate). First passes
// that flag more than reestimateBudget bytes of spectra run the second
// statistics pass over the cube (or the slab) instead.

// downdateReestimate enables downdating; tests turn it off to compare
// with a full second statistics pass.
var downdateReestimate = true

// reestimateBudget is the most memory, in bytes, that the recorded
// spectra of the excluded pixels may take.
var reestimateBudget = 64 << 20

// plumeRecord is one worker's record of excluded pixels in the first apply
// pass.
type plumeRecord struct {
	pix      []int         // pixel index, line·samples + sample
	x        []float32     // their spectra over the used bands, rows of p
	left     *atomic.Int64 // pixels every record may still take, shared
	overflow bool
}

// record keeps pixel i's spectrum, band b at block[off+b·stride].
func (pr *plumeRecord) record(i int, block []float32, off, stride, p int) {
	if pr.overflow {
		return
	}
	if pr.left.Add(-1) < 0 {
		pr.overflow = true
		pr.pix, pr.x = nil, nil
		return
	}
	pr.pix = append(pr.pix, i)
	for b := 0; b < p; b++ {
		pr.x = append(pr.x, block[off+b*stride])
	}
}

// startRecording prepares one record per apply worker and the groups'
// second subsamples.
func (r *runner) startRecording() {
	nw := r.opts.Workers
	r.recs = make([]plumeRecord, nw)
	left := new(atomic.Int64)
	left.Store(int64(reestimateBudget / (4 * r.p)))
	for w := range r.recs {
		r.recs[w].left = left
	}
	for _, g := range r.groups {
		if g.sub != nil {
			g.sub2, g.seen2 = make([]float32, 0, g.subCap*r.p), 0
		}
	}
}

// resample draws the leave-one-out subsamples again for columns
// [s0, s1) of a block of the first apply pass, skipping the pixels marked
// MaskPlume, in pass 1's order: in each block, column by column, line by
// line. Apply worker w covers the columns of pass 1's worker w, so in
// scene mode its group is groups[w].
func (r *runner) resample(k lineBlock, line0, n, w, s0, s1 int) {
	p, ns := r.p, r.samples
	mask := r.res.Mask
	every := max(1, r.opts.LineStride)
	scene := r.opts.Mode == Scene
	for s := s0; s < s1; s++ {
		g := r.groups[min(w, len(r.groups)-1)]
		if !scene {
			g = r.groups[s-r.groupLo]
		}
		if g.sub == nil {
			continue
		}
		for l := 0; l < n; l++ {
			if every > 1 && (line0+l)%every != 0 {
				continue
			}
			if mask[(line0+l)*ns+s] != 0 {
				continue
			}
			if g.seen2%g.subEvery == 0 && len(g.sub2) < g.subCap*p {
				for b := 0; b < p; b++ {
					g.sub2 = append(g.sub2, k.data[k.at(l, 0)+b*ns+s])
				}
			}
			g.seen2++
		}
	}
}

// downdate subtracts the recorded pixels from the kept groups and drops
// them from the leave-one-out subsamples; it returns, per group, whether
// it lost pixels, or nil, leaving the groups alone, when there are no
// kept groups or a record overflowed.
func (r *runner) downdate() []bool {
	if r.groups == nil {
		return nil
	}
	for _, pr := range r.recs {
		if pr.overflow {
			return nil
		}
	}
	p, ns := r.p, r.samples
	groups := r.groups
	scene := r.opts.Mode == Scene
	nw := len(groups)
	// The group of each recorded pixel: its column, or in scene mode the
	// pass-1 worker whose range of columns holds it.
	owner := func(s int) int {
		if !scene {
			return s - r.groupLo
		}
		for w := 0; w < nw; w++ {
			if s < (w+1)*ns/nw {
				return w
			}
		}
		return nw - 1
	}
	type ref struct {
		i int
		x []float32
	}
	byGroup := make([][]ref, len(groups))
	for _, pr := range r.recs {
		for k, i := range pr.pix {
			gi := owner(i % ns)
			byGroup[gi] = append(byGroup[gi], ref{i, pr.x[k*p : (k+1)*p]})
		}
	}
	// In pixel order, whichever worker recorded them: the sums are the
	// same bits whatever the schedule.
	for _, refs := range byGroup {
		slices.SortFunc(refs, func(a, b ref) int { return a.i - b.i })
	}
	changed := make([]bool, len(groups))
	for gi, refs := range byGroup {
		changed[gi] = len(refs) > 0
	}
	type work struct{ d, m []float64 }
	pool := sync.Pool{New: func() any { return &work{m: make([]float64, p*p)} }}
	r.forEach(len(groups), func(gi int) {
		g := groups[gi]
		if g.sub != nil {
			g.sub, g.sub2, g.seen, g.seen2 = g.sub2, nil, g.seen2, 0
		}
		refs := byGroup[gi]
		if len(refs) == 0 {
			return
		}
		wk := pool.Get().(*work)
		defer pool.Put(wk)
		k := len(refs)
		if cap(wk.d) < k*p {
			wk.d = make([]float64, k*p)
		}
		d := wk.d[:k*p]
		for j, rf := range refs {
			row := d[j*p : (j+1)*p]
			for b, v := range rf.x {
				dv := float64(v) - float64(g.shift[b])
				row[b] = dv
				g.sum[b] -= dv
			}
		}
		g.n -= k
		m := wk.m
		clear(m)
		blas64.Syrk(blas.Trans, 1,
			blas64.General{Rows: k, Cols: p, Stride: p, Data: d}, 0,
			blas64.Symmetric{Uplo: blas.Upper, N: p, Stride: p, Data: m})
		for i := 0; i < p; i++ {
			for j := i; j < p; j++ {
				if g.lay != nil {
					g.cross[g.lay.index(i, j)] -= m[i*p+j]
				} else {
					g.cross[i*p+j] -= m[i*p+j]
				}
			}
		}
	})
	return changed
}
