package spectral

import (
	"errors"
	"fmt"
	"math"
	"sync"
)

// crossBudget is the most memory, in bytes, that the float64
// cross-product totals of pass 1 may take in column mode. Above it the
// columns are processed in slabs, each slab one more read of the cube
// in pass 1: at 425 bands, 600 columns' totals take 464 MB, and two
// slabs halve that for about 4 % more CPU time.
var crossBudget = 256 << 20

// errSlabRestart makes pass 1 start again over every column at once: a
// leave-one-out column of a slab has too few pixels for its own
// shrinkage, so the slab's interpolation would differ from the
// whole-scene one.
var errSlabRestart = errors.New("slab restart")

// slabs returns the column ranges [lo, hi) that pass 1 processes one at
// a time: one range unless the totals exceed crossBudget. With
// leave-one-out shrinkage every range but the last ends just after a
// leave-one-out column, so that each column's interpolated coefficient
// depends only on columns of its own or earlier ranges.
func (r *runner) slabs() [][2]int {
	ns := r.samples
	all := [][2]int{{0, ns}}
	if r.opts.Mode == Scene {
		return all
	}
	n := (ns*r.crossPerColumn()*8 + crossBudget - 1) / crossBudget
	if n <= 1 {
		return all
	}
	loo := r.looColumns()
	var out [][2]int
	last := 0
	for k := 1; k < n; k++ {
		end := k * ns / n
		if r.opts.Shrinkage < 0 {
			best := loo[0]
			for _, c := range loo {
				if iabs(c+1-end) < iabs(best+1-end) {
					best = c
				}
			}
			end = best + 1
		}
		if end <= last || end >= ns {
			continue
		}
		out = append(out, [2]int{last, end})
		last = end
	}
	return append(out, [2]int{last, ns})
}

func iabs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// filters runs pass 1 and builds every column's filter, in slabs of
// columns when the cross-products of all columns would exceed
// crossBudget.
func (r *runner) filters() ([]*Filter, error) {
	if sl := r.slabs(); len(sl) > 1 {
		f, err := r.slabFilters(sl)
		if !errors.Is(err, errSlabRestart) {
			return f, err
		}
		r.totalLines += r.lines
	}
	g, err := r.statsPass(0, r.samples)
	r.crossBuf = nil // the groups hold the totals until built
	if err != nil {
		return nil, err
	}
	if r.keepGroups {
		r.groups = g // kept for downdating (reestimate.go)
	}
	return r.buildFilters(g)
}

// crossPerColumn is the number of float64 cross-product totals a column
// keeps in pass 1.
func (r *runner) crossPerColumn() int {
	if r.p >= singleMinBands {
		return newCrossLayout(r.p).size()
	}
	return r.p * r.p
}

// slabFilters is buildFilters for column mode over slabs: each slab's
// backgrounds are accumulated, finished and turned into filters before
// the next slab's, so that only one slab's cross-products are live. The
// scene's background, for columns with too few pixels, is pooled as the
// columns finish.
func (r *runner) slabFilters(slabs [][2]int) ([]*Filter, error) {
	p, ns := r.p, r.samples
	res := r.res
	minPix := max(r.opts.MinPixels, 2)
	filters := make([]*Filter, ns)
	alpha := make([]float64, ns)
	for s := range alpha {
		alpha[s] = math.NaN()
	}
	res.ColumnStatus = make([]Status, ns)
	res.Shrinkage = make([]float64, ns)
	res.BackgroundPixels = make([]int, ns)
	scene := newPool(p)
	var few, known []int
	bufs := sync.Pool{New: func() any { b := make([]float64, p*p); return &b }}
	works := sync.Pool{New: func() any { return new(filterWork) }}
	var mu sync.Mutex
	var errs firstError
	widest := 0
	for _, sl := range slabs {
		widest = max(widest, sl[1]-sl[0])
	}
	r.crossBuf = make([]float64, widest*r.crossPerColumn())
	defer func() { r.crossBuf = nil }()
	for _, sl := range slabs {
		lo, hi := sl[0], sl[1]
		groups, err := r.statsPass(lo, hi)
		if err != nil {
			return nil, err
		}
		if r.opts.Shrinkage >= 0 {
			for s := lo; s < hi; s++ {
				alpha[s] = r.opts.Shrinkage
			}
		} else {
			var cols []int
			for i, g := range groups {
				if g.sub != nil {
					if g.n < minPix {
						return nil, errSlabRestart
					}
					cols = append(cols, lo+i)
				}
			}
			r.forEach(len(cols), func(i int) {
				s := cols[i]
				buf := bufs.Get().(*[]float64)
				bg := groups[s-lo].finish(p, *buf)
				alpha[s] = looShrinkage(bg, bg.toCov(), p)
				bufs.Put(buf)
			})
			known = append(known, cols...)
			tmp := append([]float64(nil), alpha...)
			interpolateLog(tmp, append([]int(nil), known...), -1)
			copy(alpha[lo:hi], tmp[lo:hi])
		}
		r.forEach(hi-lo, func(i int) {
			s := lo + i
			g := groups[i]
			res.BackgroundPixels[s] = g.n
			buf := bufs.Get().(*[]float64)
			defer bufs.Put(buf)
			bg := g.finish(p, *buf)
			mu.Lock()
			scene.merge(bg)
			if g.n < minPix {
				few = append(few, s)
			}
			mu.Unlock()
			if g.n < minPix {
				return
			}
			r.columnFilter(s, bg, alpha[s], filters, &works, &errs)
		})
		if errs.err != nil {
			return nil, errs.err
		}
	}
	if len(few) == 0 {
		return filters, nil
	}
	bg := scene.background()
	if bg.n < minPix {
		return nil, fmt.Errorf("matched filter: %d valid pixels in the scene, need %d: %w", bg.n, minPix, ErrTooFewPixels)
	}
	c := bg.toCov()
	a := r.opts.Shrinkage
	if a < 0 {
		a = looShrinkage(bg, c, p)
	}
	f, err := newFilter(bg.mean, c, res.Target, a, r.opts.ACE, nil)
	if err != nil {
		return nil, err
	}
	for _, s := range few {
		filters[s] = f
		res.ColumnStatus[s] = TooFewPixels
		res.Shrinkage[s] = f.Shrinkage
	}
	return filters, nil
}

// pool merges finished backgrounds one at a time (the pairwise update of
// Chan, Golub and LeVeque, "Algorithms for computing the sample
// variance", 1979), keeping their leave-one-out subsamples.
type pool struct {
	n    int
	mean []float64
	m2   []float64
	d    []float64
	sub  []float32
}

func newPool(p int) *pool {
	return &pool{mean: make([]float64, p), m2: make([]float64, p*p), d: make([]float64, p)}
}

// merge adds bg (its scatter m2, not yet divided by toCov) to the pool.
func (a *pool) merge(bg *background) {
	a.sub = append(a.sub, bg.sub...)
	if bg.n == 0 {
		return
	}
	p := len(a.mean)
	if a.n == 0 {
		a.n = bg.n
		copy(a.mean, bg.mean)
		copy(a.m2, bg.m2)
		return
	}
	n := float64(a.n + bg.n)
	f := float64(a.n) * float64(bg.n) / n
	for i := range a.d {
		a.d[i] = bg.mean[i] - a.mean[i]
	}
	for i := 0; i < p; i++ {
		fi := f * a.d[i]
		row, src := a.m2[i*p:(i+1)*p], bg.m2[i*p:(i+1)*p]
		for j, v := range src {
			row[j] += v + fi*a.d[j]
		}
	}
	for i, di := range a.d {
		a.mean[i] += di * float64(bg.n) / n
	}
	a.n += bg.n
}

// background returns the pooled background; it shares the pool's slices.
func (a *pool) background() *background {
	return &background{n: a.n, mean: a.mean, m2: a.m2, sub: a.sub}
}
