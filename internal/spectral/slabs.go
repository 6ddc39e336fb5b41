package spectral

import (
	"errors"
	"fmt"
	"math"
	"sort"
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
	if err == nil && r.flareBands[0] != nil && !r.settleMask() {
		// No-data pixels of the window bands changed the flares' flags:
		// sum again with the full mask.
		r.totalLines += r.lines
		g, err = r.statsPass(0, r.samples)
	}
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
	sb := r.newSlabBuild()
	scene := newPool(p)
	var few []int
	r.allocSlabCross(slabs)
	defer func() { r.crossBuf = nil }()
	for k, sl := range slabs {
		lo, hi := sl[0], sl[1]
		groups, err := r.statsPass(lo, hi)
		if err != nil {
			return nil, err
		}
		f, err := sb.build(lo, hi, groups, filters, scene)
		if errors.Is(err, errSlabRestart) {
			r.totalLines -= (len(slabs) - 1 - k) * r.lines // slabs never read
		}
		if err != nil {
			return nil, err
		}
		few = append(few, f...)
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

// allocSlabCross allocates the cross-product totals of the widest slab
// once, for every slab to reuse.
func (r *runner) allocSlabCross(slabs [][2]int) {
	widest := 0
	for _, sl := range slabs {
		widest = max(widest, sl[1]-sl[0])
	}
	if n := widest * r.crossPerColumn(); cap(r.crossBuf) < n {
		r.crossBuf, r.crossZero = r.bigFloat64(n), true
	}
}

// slabBuild turns the groups of one slab after another into filters:
// it chooses the shrinkage of the slab's leave-one-out columns,
// interpolates it with the columns chosen before, and builds each
// column's filter. It resets the result's per-column fields when made.
type slabBuild struct {
	r     *runner
	alpha []float64 // per column; NaN until its slab is built
	known []int     // the leave-one-out columns chosen so far
	bufs  sync.Pool // *[]float64, p×p
	works sync.Pool // *filterWork
	// reuse, when not nil, is the first build of a slab being built again
	// after downdating; changed[i] says whether column lo+i lost pixels.
	// Columns that did not keep their leave-one-out choice and, if their
	// coefficient is unchanged, their filter (as buildFilters does).
	reuse   *slabBuild
	changed []bool
}

func (r *runner) newSlabBuild() *slabBuild {
	p, ns := r.p, r.samples
	sb := &slabBuild{r: r, alpha: make([]float64, ns)}
	for s := range sb.alpha {
		sb.alpha[s] = math.NaN()
	}
	sb.bufs.New = func() any { b := make([]float64, p*p); return &b }
	sb.works.New = func() any { return new(filterWork) }
	res := r.res
	res.ColumnStatus = make([]Status, ns)
	res.Shrinkage = make([]float64, ns)
	res.BackgroundPixels = make([]int, ns)
	return sb
}

// build builds the filters of columns [lo, hi), column s from groups[s−lo],
// into filters. Each finished background is merged into scene when it is
// not nil. It returns the columns with fewer than MinPixels pixels, whose
// filters it leaves nil, and errSlabRestart when one of them is a
// leave-one-out column.
func (sb *slabBuild) build(lo, hi int, groups []*group, filters []*Filter, scene *pool) ([]int, error) {
	r := sb.r
	p := r.p
	res := r.res
	minPix := max(r.opts.MinPixels, 2)
	alpha := sb.alpha
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
			if sb.reuse != nil && !sb.changed[s-lo] {
				alpha[s] = sb.reuse.alpha[s]
				return
			}
			buf := sb.bufs.Get().(*[]float64)
			bg := groups[s-lo].finish(p, *buf)
			alpha[s] = looShrinkage(bg, bg.toCov(), p)
			sb.bufs.Put(buf)
		})
		sb.known = append(sb.known, cols...)
		tmp := append([]float64(nil), alpha...)
		interpolateLog(tmp, append([]int(nil), sb.known...), -1)
		copy(alpha[lo:hi], tmp[lo:hi])
	}
	var mu sync.Mutex
	var errs firstError
	var few []int
	r.forEach(hi-lo, func(i int) {
		s := lo + i
		g := groups[i]
		res.BackgroundPixels[s] = g.n
		buf := sb.bufs.Get().(*[]float64)
		defer sb.bufs.Put(buf)
		bg := g.finish(p, *buf)
		mu.Lock()
		if scene != nil {
			scene.merge(bg)
		}
		if g.n < minPix {
			few = append(few, s)
		}
		mu.Unlock()
		if g.n < minPix {
			filters[s] = nil
			return
		}
		if sb.reuse != nil && !sb.changed[i] && filters[s] != nil && sb.reuse.alpha[s] == alpha[s] {
			return // filters[s] and its status are the first build's
		}
		r.columnFilter(s, bg, alpha[s], filters, &sb.works, &errs)
	})
	if errs.err != nil {
		return nil, errs.err
	}
	sort.Ints(few)
	return few, nil
}

// errSlabFallback makes the re-estimation over slabs give way to the full
// second statistics pass: a column has too few pixels for its own
// background, before or after the exclusion, and needs the scene's, which
// only exists once every slab has been read.
var errSlabFallback = errors.New("slab fallback")

// slabReestimate runs the filter with re-estimation by downdating over
// slabs of columns, one slab after another: statistics pass, filters and
// a first apply pass over the slab's columns, the excluded pixels
// subtracted from the slab's totals (or, if their records overflowed, the
// slab's statistics pass run again without them), the filters rebuilt and
// the apply pass run again. Only one slab's cross-products are ever live,
// and the statistics of the cube are read once, as without
// re-estimation; the results are those of the downdating path in one
// piece, bit for bit. It returns errSlabFallback, having changed only the
// mask's MaskPlume and MaskNoData flags, the outputs and the progress,
// when a column needs the scene's background.
func (r *runner) slabReestimate(slabs [][2]int) error {
	filters := make([]*Filter, r.samples)
	first, second := r.newSlabBuild(), r.newSlabBuild()
	res := r.res
	r.allocSlabCross(slabs)
	defer func() { r.crossBuf, r.groups, r.recs = nil, nil, nil }()
	thr := float32(r.opts.ReestimateSigma)
	ns := r.samples
	for _, sl := range slabs {
		lo, hi := sl[0], sl[1]
		groups, err := r.statsPass(lo, hi)
		if err != nil {
			return err
		}
		few, err := first.build(lo, hi, groups, filters, nil)
		if errors.Is(err, errSlabRestart) || (err == nil && len(few) > 0) {
			return errSlabFallback
		}
		if err != nil {
			return err
		}
		r.groups, r.groupLo = groups, lo
		r.startRecording()
		if err := r.applyPass(filters, lo, hi); err != nil {
			return err
		}
		for l := 0; l < r.lines; l++ {
			row := l * ns
			enh, sg, mk := res.Enhancement[row+lo:row+hi], res.Sigma[row+lo:row+hi], res.Mask[row+lo:row+hi]
			for i, a := range enh {
				if a > thr*sg[i] {
					mk[i] |= MaskPlume
				}
			}
		}
		second.reuse, second.changed = nil, nil
		if changed := r.downdate(); changed != nil {
			if reuseUnchanged {
				second.reuse, second.changed = first, changed
			}
		} else {
			// The records overflowed: read the slab's statistics again.
			r.groups = nil
			r.totalLines += r.lines
			if groups, err = r.statsPass(lo, hi); err != nil {
				return err
			}
		}
		r.groups, r.recs = nil, nil
		few, err = second.build(lo, hi, groups, filters, nil)
		if errors.Is(err, errSlabRestart) || (err == nil && len(few) > 0) {
			return errSlabFallback
		}
		if err != nil {
			return err
		}
		if err := r.applyPass(filters, lo, hi); err != nil {
			return err
		}
	}
	return nil
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
