package spectral

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// Cube is the part of an imaging-spectrometer cube the filter reads:
// its dimensions, and blocks of whole lines for a subset of bands.
// ReadBlock fills dst in BIL order, dst[(l*len(bands)+bi)*samples+s] for
// line line0+l, band bands[bi] and sample s. MatchedFilter calls ReadBlock
// from one goroutine at a time. A Cube that also has the methods
// ViewFloat32(line0, nLines, b0, b1 int) ([]float32, bool) and
// ReleaseView([]float32), as envi.Cube does, lends its lines instead of
// copying them (all bands of lines [line0, line0+nLines) in BIL order,
// bands [b0, b1) ready to read, or false to decline; ReleaseView when the
// filter is done with them). A wrapper that changes the values read (a
// scale factor) must not promote those methods.
type Cube interface {
	Dims() (lines, samples, bands int)
	ReadBlock(line0, nLines int, bands []int, dst []float32) error
}

// Mode selects where the background statistics come from.
type Mode int

const (
	// Column estimates a mean and covariance per cross-track column, the
	// usual choice for pushbroom sensors whose detector elements differ.
	Column Mode = iota
	// Scene estimates one mean and covariance over the whole scene.
	Scene
)

// String returns "column" or "scene".
func (m Mode) String() string {
	if m == Scene {
		return "scene"
	}
	return "column"
}

// Mask flags, per pixel, in Result.Mask.
const (
	MaskNoData    uint8 = 1 << iota // no-data value or non-finite radiance in a band read
	MaskSaturated                   // at or above Options.Saturation in a window band, or within SaturationGrow pixels of one
	MaskFlare                       // a flare (see Options.FlareMask), grown like saturation
	MaskPlume                       // excluded by the re-estimation pass (enhancement above ReestimateSigma σ)
)

// Options configure MatchedFilter. The zero value is not useful; start from
// DefaultOptions.
type Options struct {
	// Mode: per column (default) or whole scene.
	Mode Mode
	// Windows are the wavelength ranges [lo, hi] in nm whose bands are
	// used; empty means the target's main band (Target.MainBand; for
	// methane 2100–2500 nm). A window band outside the target's
	// wavelength range is used as non-absorbing (t = 0): it still helps
	// model the background.
	Windows [][2]float64
	// NoData is the radiance value marking missing pixels; a pixel with
	// it (or a non-finite value) in any band read is excluded before any
	// other test and gets NaN outputs.
	NoData    float32
	HasNoData bool
	// Saturation: a pixel with any window band at or above it is
	// saturated; saturated pixels, and every pixel within SaturationGrow
	// pixels (Chebyshev distance), are left out of the background.
	Saturation     float32
	HasSaturation  bool
	SaturationGrow int
	// FlareMask leaves flares out of the background: a pixel is a flare
	// when its radiance at the band nearest 2200 nm exceeds FlareRatio
	// times its radiance at the band nearest 1600 nm and also exceeds
	// FlareBrightness times the scene mean at 2200 nm. Reflected sunlight
	// falls from 1.6 to 2.2 µm (solar irradiance drops by about 3×), while
	// a flame of 1,000–2,000 K peaks near 2 µm. Flares grow by
	// SaturationGrow like saturation.
	FlareMask       bool
	FlareRatio      float64
	FlareBrightness float64
	// Reestimate runs one more estimation of the background without the
	// pixels whose first-pass enhancement exceeds ReestimateSigma σ, by
	// subtracting them from the first estimate's totals (see
	// MatchedFilter), then filters again.
	Reestimate      bool
	ReestimateSigma float64
	// Albedo scales the signature by each pixel's brightness relative to
	// the background mean, r = xᵀμ/μᵀμ (see Filter).
	Albedo bool
	// ACE computes the adaptive coherence estimator too; it costs a
	// quadratic form per pixel (p² operations for p bands).
	ACE bool
	// Shrinkage, when in [0, 1], fixes the shrinkage coefficient toward
	// the diagonal; negative (the default) chooses it per background by
	// leave-one-out likelihood.
	Shrinkage float64
	// ShrinkageColumns is how many columns, evenly spaced, get their own
	// leave-one-out choice in column mode; the others interpolate log α
	// between them. 0 chooses from the band count (about 2·10⁷/p³,
	// at least 3, every column for p ≤ 27).
	ShrinkageColumns int
	// LOOPixels is how many pixels per background (spread evenly over its
	// lines) enter the leave-one-out likelihood; the covariance itself
	// uses every valid pixel. Default 128 per column, 2048 per scene.
	LOOPixels int
	// LineStride > 1 estimates the background from every LineStride-th
	// line only (default 1, every line): pass 1 costs about 1/LineStride
	// as much, and the background σ grows a little as fewer pixels
	// estimate the covariance (BENCHMARKS.md gives figures). Every pixel
	// is still filtered.
	LineStride int
	// MinPixels is the fewest valid pixels a column needs for its own
	// background (default 20); below it the scene's is used.
	MinPixels int
	// Workers is the number of goroutines; default GOMAXPROCS.
	Workers int
	// BlockLines is the number of lines per ReadBlock; default 4 MiB of
	// float32 per block, 8 to 128 lines (at least 48 from 16 bands on).
	BlockLines int
	// Progress, when not nil, is called after each block with the lines
	// done and the total over every pass.
	Progress func(done, total int)
}

// DefaultOptions returns the defaults: column mode, the target's main band,
// leave-one-out shrinkage, no masks, no ACE, no re-estimation, no albedo
// correction, flare thresholds 1.0 and 3.0, re-estimation at 3σ.
func DefaultOptions() Options {
	return Options{
		Mode:            Column,
		FlareRatio:      1.0,
		FlareBrightness: 3.0,
		ReestimateSigma: 3,
		Shrinkage:       -1,
		MinPixels:       20,
	}
}

// Result is the output of MatchedFilter. Per-pixel arrays are lines×samples,
// index line*Samples+sample. The caller owns every slice.
type Result struct {
	Lines, Samples int
	// Enhancement is α̂ in ppm·m; NaN where no data.
	Enhancement []float32
	// Sigma is the 1σ of Enhancement, ppm·m; NaN where no data.
	Sigma []float32
	// ACE is the adaptive coherence estimator in [0, 1]; nil unless
	// Options.ACE.
	ACE []float32
	// Mask holds the Mask* flags of each pixel.
	Mask []uint8
	// ColumnStatus is the covariance status per column (in scene mode
	// every column shares the scene's).
	ColumnStatus []Status
	// Shrinkage is the coefficient per column (one value in scene mode).
	Shrinkage []float64
	// BackgroundPixels is the number of pixels in each column's
	// background (one value in scene mode), after the last pass.
	BackgroundPixels []int
	// Bands are the indices of the bands used; Target the resampled unit
	// absorption there (per ppm·m); Wavelength their centres (nm).
	Bands      []int
	Target     []float64
	Wavelength []float64
}

// MatchedFilter runs the clutter matched filter over cube for target t,
// streaming it in line blocks: an optional mask pass (saturation, flares),
// pass 1 accumulating each background's sums and cross-products, and pass 2
// applying the filter; with Reestimate, the plume pixels' contributions
// are subtracted from pass 1's totals (their spectra kept from pass 2, at
// most 64 MiB of them) and pass 2 runs again, or, past those 64 MiB,
// passes 1 and 2 both run again without them. In slabs of columns the
// re-estimation runs slab by slab, each slab's statistics read once
// (see slabReestimate in slabs.go).
// wavelength and fwhm (nm) describe the cube's bands.
// Memory is bounded by the blocks in flight (none are copied when the
// cube lends views of its lines), the float64 totals of each background's
// cross-products (the upper triangle, about samples·p²·4 bytes in column
// mode, at most 256 MiB at a time: beyond that pass 1 runs over slabs of
// columns, reading the cube once per slab, three times with
// re-estimation) and the lines×samples outputs. It stops early, returning
// ctx.Err(), when ctx is cancelled.
func MatchedFilter(ctx context.Context, cube Cube, wavelength, fwhm []float64, t *Target, opts Options) (*Result, error) {
	lines, samples, bands := cube.Dims()
	if lines <= 0 || samples <= 0 || bands <= 0 {
		return nil, fmt.Errorf("matched filter: cube of %d lines × %d samples × %d bands: %w", lines, samples, bands, ErrDims)
	}
	if len(wavelength) != bands || len(fwhm) != bands {
		return nil, fmt.Errorf("matched filter: %d bands but %d wavelengths and %d FWHM: %w", bands, len(wavelength), len(fwhm), ErrDims)
	}
	if t == nil {
		return nil, fmt.Errorf("matched filter: no target: %w", ErrTarget)
	}
	tb, err := t.Resample(wavelength, fwhm)
	if err != nil {
		return nil, err
	}
	windows := opts.Windows
	if len(windows) == 0 {
		lo, hi := t.MainBand()
		windows = [][2]float64{{lo, hi}}
	}
	var used []int
	for b, w := range wavelength {
		for _, win := range windows {
			if w >= win[0] && w <= win[1] {
				used = append(used, b)
				break
			}
		}
	}
	if len(used) == 0 {
		return nil, fmt.Errorf("matched filter: no band in windows %v: %w", windows, ErrDims)
	}
	covered := 0
	for _, b := range used {
		if math.IsNaN(tb[b]) {
			tb[b] = 0 // outside the target's range: taken as non-absorbing
		} else {
			covered++
		}
	}
	if covered == 0 {
		return nil, fmt.Errorf("matched filter: no band of windows %v lies within target %s (%g–%g nm): %w",
			windows, t.Name, t.Wavelength[0], t.Wavelength[len(t.Wavelength)-1], ErrTarget)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Workers > samples {
		opts.Workers = samples
	}
	p := len(used)
	if opts.BlockLines <= 0 {
		opts.BlockLines = defaultBlockLines(p, samples)
	}
	opts.BlockLines = min(opts.BlockLines, lines)
	if opts.MinPixels <= 0 {
		opts.MinPixels = 20
	}
	if opts.Shrinkage > 1 || math.IsNaN(opts.Shrinkage) {
		return nil, fmt.Errorf("matched filter: field Shrinkage %g above 1: %w", opts.Shrinkage, ErrDims)
	}
	if opts.Reestimate && !(opts.ReestimateSigma > 0) {
		opts.ReestimateSigma = 3
	}
	if opts.FlareMask {
		if !(opts.FlareRatio > 0) {
			opts.FlareRatio = 1
		}
		if !(opts.FlareBrightness > 0) {
			opts.FlareBrightness = 3
		}
	}
	r := &Result{
		Lines: lines, Samples: samples,
		Enhancement: make([]float32, lines*samples),
		Sigma:       make([]float32, lines*samples),
		Mask:        make([]uint8, lines*samples),
		Bands:       used,
		Target:      make([]float64, p),
		Wavelength:  make([]float64, p),
	}
	for i, b := range used {
		r.Target[i] = tb[b]
		r.Wavelength[i] = wavelength[b]
	}
	if opts.ACE {
		r.ACE = make([]float32, lines*samples)
	}
	run := &runner{
		ctx: ctx, cube: cube, opts: opts, res: r,
		lines: lines, samples: samples, p: p, used: used,
	}
	defer run.release()
	maskPass := opts.HasSaturation || opts.FlareMask
	passes := 2
	if maskPass {
		passes++
	}
	sl := run.slabs()
	slabDown := opts.Reestimate && downdateReestimate && len(sl) > 1
	if opts.Reestimate {
		run.keepGroups = downdateReestimate && len(sl) == 1
		passes++
		if !downdateReestimate {
			passes++
		}
	}
	run.totalLines = passes * lines
	if len(sl) > 1 {
		// Each slab of columns after the first reads the cube once more
		// for its statistics, or, re-estimating slab by slab, for its
		// statistics and both apply passes.
		extra := len(sl) - 1
		switch {
		case slabDown:
			extra *= 3
		case opts.Reestimate:
			extra *= 2
		}
		run.totalLines += extra * lines
	}
	if maskPass {
		flare := [2]int{-1, -1}
		if opts.FlareMask {
			flare[0] = nearestBand(wavelength, 1600)
			flare[1] = nearestBand(wavelength, 2200)
		}
		lite := liteMaskPass && opts.FlareMask && !opts.HasSaturation && max(1, opts.LineStride) == 1 && len(sl) == 1
		if err := run.maskPass(flare, lite); err != nil {
			return nil, err
		}
	}
	if slabDown {
		err := run.slabReestimate(sl)
		if !errors.Is(err, errSlabFallback) {
			if err != nil {
				return nil, err
			}
			return r, nil
		}
		// A column needs the scene's background: start again with full
		// statistics passes, from the masks of the mask pass.
		for i := range r.Mask {
			r.Mask[i] &^= MaskPlume
		}
		run.totalLines = run.doneLines + (2*len(sl)+2)*lines
	}
	filters, err := run.filters()
	if err != nil {
		return nil, err
	}
	if run.groups != nil {
		run.startRecording()
	}
	for iter := 0; ; iter++ {
		if err := run.applyPass(filters, 0, samples); err != nil {
			return nil, err
		}
		if !opts.Reestimate || iter == 1 {
			break
		}
		for i, a := range r.Enhancement {
			if a > float32(opts.ReestimateSigma)*r.Sigma[i] {
				r.Mask[i] |= MaskPlume
			}
		}
		if changed := run.downdate(); changed != nil {
			if opts.Mode == Column && run.alpha != nil {
				run.prev = &prevBuild{changed: changed, alpha: run.alpha, filters: filters,
					status: r.ColumnStatus, shrinkage: r.Shrinkage}
			}
			filters, err = run.buildFilters(run.groups)
		} else {
			if run.groups != nil {
				run.totalLines += lines // the records overflowed
			}
			run.groups, run.keepGroups = nil, false
			filters, err = run.filters()
		}
		run.groups, run.recs = nil, nil
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func nearestBand(wavelength []float64, nm float64) int {
	best, bd := 0, math.Inf(1)
	for b, w := range wavelength {
		if d := math.Abs(w - nm); d < bd {
			best, bd = b, d
		}
	}
	return best
}

// MainBand returns the wavelength range, in nm, of the target's main
// absorption band: for methane (Name "CH4") 2100–2500 nm; otherwise the
// run of samples around the strongest absorption whose absorption is at
// least 2 % of it, gaps of up to 50 nm bridged.
func (t *Target) MainBand() (lo, hi float64) {
	if t.Name == "CH4" {
		return 2100, 2500
	}
	imax := 0
	for i, a := range t.Absorption {
		if a > t.Absorption[imax] {
			imax = i
		}
	}
	thr := 0.02 * t.Absorption[imax]
	lo, hi = t.Wavelength[imax], t.Wavelength[imax]
	for i := imax; i >= 0; i-- {
		if t.Absorption[i] >= thr {
			if lo-t.Wavelength[i] > 50 {
				break
			}
			lo = t.Wavelength[i]
		}
	}
	for i := imax; i < len(t.Wavelength); i++ {
		if t.Absorption[i] >= thr {
			if t.Wavelength[i]-hi > 50 {
				break
			}
			hi = t.Wavelength[i]
		}
	}
	return lo, hi
}

// runner holds the state of one MatchedFilter call.
type runner struct {
	ctx        context.Context
	cube       Cube
	opts       Options
	res        *Result
	lines      int
	samples    int
	p          int
	used       []int
	doneLines  int
	totalLines int
	// flareBands keep a lite mask pass's flare bands (f16, f22) until
	// settleMask.
	flareBands [2][]float32
	// noDataMarked: the mask pass has flagged every pixel with no data in
	// a used band, so later passes need not test the values again.
	noDataMarked bool
	// crossBuf holds pass 1's cross-product totals; slabs of columns
	// reuse it.
	crossBuf []float64
	// crossZero: crossBuf is freshly allocated, all zero.
	crossZero bool
	// blocks are the two line blocks every pass streams through.
	blocks [2][]float32
	// keepGroups keeps pass 1's groups in groups for the re-estimation by
	// downdating; recs, when not nil, collect the excluded pixels in the
	// apply pass (reestimate.go).
	keepGroups bool
	groups     []*group
	recs       []plumeRecord
	// groupLo is the column of groups[0] in column mode (the first column
	// of a slab).
	groupLo int
	// unmap holds the functions that free the memory bigFloat64 mapped.
	unmap []func()
	// alpha is the shrinkage coefficient per column that the last
	// buildFilters chose, before any raise by newFilter; prev, when not
	// nil, is what the next buildFilters may reuse (stats.go).
	alpha []float64
	prev  *prevBuild
}

// lineViewer is implemented by cubes that lend their lines in place, as
// envi.Cube does for a memory-mapped BIL float32 file: ViewFloat32 returns
// lines [line0, line0+nLines) of every band, band b of line l and sample
// s at v[(l*bands+b)*samples+s], its bands [b0, b1) ready to read, or
// false; ReleaseView tells the cube that a view is no longer read.
type lineViewer interface {
	ViewFloat32(line0, nLines, b0, b1 int) (v []float32, ok bool)
	ReleaseView(v []float32)
}

// lineBlock is a block of lines as a pass sees it: band bands[b] of line
// l (relative to the block's first) and sample s at
// data[l*line+off[b]+s]. The pass's first len(r.used) bands are always
// consecutive rows, off[b] = off[0] + b·samples.
type lineBlock struct {
	data []float32
	line int   // values from one line to the next
	off  []int // offset of each band's row within a line
}

// at returns the index in data of line l's row of band b.
func (k lineBlock) at(l, b int) int { return l*k.line + k.off[b] }

// stream reads the cube in blocks of opts.BlockLines lines for bands on a
// reader goroutine, up to two blocks ahead, and calls fn(line0, nLines,
// block) for each block in order on the calling goroutine. When the cube
// is a lineViewer and the pass's first len(r.used) bands are consecutive
// bands of the cube, the blocks are views of the cube (no copy);
// otherwise ReadBlock copies them into two buffers that every pass
// reuses.
func (r *runner) stream(bands []int, fn func(line0, n int, block lineBlock)) error {
	bl := r.opts.BlockLines
	ns := r.samples
	nb := len(bands)
	_, _, cubeBands := r.cube.Dims()
	viewer, view := r.cube.(lineViewer)
	lo, hi := bands[0], bands[0]+1
	for i, b := range bands {
		if i < len(r.used) && i > 0 && b != bands[i-1]+1 {
			view = false
		}
		lo, hi = min(lo, b), max(hi, b+1)
	}
	off := make([]int, nb)
	for i, b := range bands {
		off[i] = b * ns // a view holds every band of its lines
	}
	if view {
		// The cube must lend lines; if it cannot, copy.
		v, ok := viewer.ViewFloat32(0, 1, lo, hi)
		if !ok {
			view = false
		} else {
			viewer.ReleaseView(v)
		}
	}
	size := bl * nb * ns
	type blk struct {
		line0, n int
		data     []float32 // the view, or the buffer
		err      error
	}
	free := make(chan []float32, 2)
	for i := range r.blocks {
		if view {
			free <- nil // a token: at most two views in flight
			continue
		}
		// Passes reuse the two blocks: fresh ones per pass would leave the
		// collector hundreds of MB of garbage at 425 bands.
		if cap(r.blocks[i]) < size {
			r.blocks[i] = make([]float32, size)
		}
		free <- r.blocks[i][:size]
	}
	if !view {
		for i := range off {
			off[i] = i * ns
		}
	}
	full := make(chan blk, 2)
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	go func() {
		defer close(full)
		for l0 := 0; l0 < r.lines; l0 += bl {
			var buf []float32
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			n := min(bl, r.lines-l0)
			var d []float32
			var err error
			if view {
				var ok bool
				if d, ok = viewer.ViewFloat32(l0, n, lo, hi); !ok {
					err = fmt.Errorf("read lines %d–%d: the cube no longer lends them", l0, l0+n-1)
				}
			} else {
				d = buf[:n*nb*ns]
				if err = r.cube.ReadBlock(l0, n, bands, d); err != nil {
					err = fmt.Errorf("read lines %d–%d: %w", l0, l0+n-1, err)
				}
			}
			select {
			case full <- blk{l0, n, d, err}:
			case <-ctx.Done():
				if view && err == nil {
					viewer.ReleaseView(d)
				}
				return
			}
			if err != nil {
				return
			}
		}
	}()
	// Views still in the channel when the pass stops early are released
	// here, once the reader has finished.
	defer func() {
		cancel()
		for b := range full {
			if view && b.err == nil {
				viewer.ReleaseView(b.data)
			}
		}
	}()
	k := lineBlock{line: nb * ns, off: off}
	if view {
		k.line = cubeBands * ns
	}
	for b := range full {
		if b.err != nil {
			return b.err
		}
		if err := r.ctx.Err(); err != nil {
			if view {
				viewer.ReleaseView(b.data)
			}
			return err
		}
		k.data = b.data
		fn(b.line0, b.n, k)
		if view {
			viewer.ReleaseView(b.data)
			free <- nil
		} else {
			free <- b.data[:cap(b.data)]
		}
		r.doneLines += b.n
		if r.opts.Progress != nil {
			r.opts.Progress(r.doneLines, r.totalLines)
		}
	}
	return r.ctx.Err()
}

// parallel runs fn(w, s0, s1) for Workers contiguous column ranges and waits.
func (r *runner) parallel(fn func(w, s0, s1 int)) {
	r.parallelRange(0, r.samples, r.opts.Workers, fn)
}

// bigFloat64 returns n zeroed float64 for the cross-product totals:
// outside the Go heap where the system allows it (mapFloat64), freed when
// MatchedFilter returns, else on the heap.
func (r *runner) bigFloat64(n int) []float64 {
	if b, free, ok := mapFloat64(n); ok {
		r.unmap = append(r.unmap, free)
		return b
	}
	return make([]float64, n)
}

// release frees what bigFloat64 mapped; nothing may use it after.
func (r *runner) release() {
	for _, f := range r.unmap {
		f()
	}
	r.unmap = nil
	r.crossBuf, r.groups = nil, nil
}

// parallelChunks runs fn(w, s0, s1) over the columns [c0, c1) in chunks
// of chunk columns, which Workers goroutines (w is the goroutine) take in
// turn as each finishes its last, and waits: a worker slowed by another
// process leaves its share to the others. Each column is in one call, so
// per-column work gives the same result whatever the schedule.
func (r *runner) parallelChunks(c0, c1, chunk int, fn func(w, s0, s1 int)) {
	nw := min(r.opts.Workers, (c1-c0+chunk-1)/chunk)
	if nw <= 1 {
		fn(0, c0, c1)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				s0 := c0 + (int(next.Add(1))-1)*chunk
				if s0 >= c1 {
					return
				}
				fn(w, s0, min(s0+chunk, c1))
			}
		}()
	}
	wg.Wait()
}

// parallelRange runs fn(w, s0, s1) for nw contiguous ranges of columns
// [c0, c1) and waits.
func (r *runner) parallelRange(c0, c1, nw int, fn func(w, s0, s1 int)) {
	if nw <= 1 {
		fn(0, c0, c1)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		s0 := c0 + w*(c1-c0)/nw
		s1 := c0 + (w+1)*(c1-c0)/nw
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w, s0, s1)
		}()
	}
	wg.Wait()
}

// liteMaskPass lets the flare mask read only its two bands when nothing
// else needs the mask pass (see maskPass); tests turn it off to compare.
var liteMaskPass = true

// maskPass flags no-data first, then saturated pixels and flares among the
// rest, then grows the saturation and flare flags by SaturationGrow.
//
// With lite set (flare mask only: no saturation level, every line in the
// statistics, one slab) it reads only the two flare bands: the window
// bands' no-data is found by the statistics pass, which reads them anyway,
// and settleMask then makes the flags what the full pass would have made
// them, running the statistics pass again in the rare case where those
// no-data pixels change which pixels the flares exclude.
func (r *runner) maskPass(flare [2]int, lite bool) error {
	bands := append([]int(nil), r.used...)
	win := r.p // window bands at the start of bands
	if lite {
		bands, win = bands[:0], 0
	}
	if flare[0] >= 0 {
		bands = append(bands, flare[0], flare[1])
	}
	nb := len(bands)
	ns := r.samples
	var f16, f22 []float32
	if flare[0] >= 0 {
		f16 = make([]float32, r.lines*ns)
		f22 = make([]float32, r.lines*ns)
	}
	mask := r.res.Mask
	zeros := make([]float32, ns)
	z := make([][]float32, r.opts.Workers)
	for w := range z {
		z[w] = make([]float32, ns)
	}
	hasND, nd := r.opts.HasNoData, r.opts.NoData
	err := r.stream(bands, func(line0, n int, k lineBlock) {
		block := k.data
		r.parallel(func(w, s0, s1 int) {
			zw := z[w][:s1-s0]
			for l := 0; l < n; l++ {
				row := (line0 + l) * ns
				mk := mask[row+s0 : row+s1]
				// One sum per pixel over its window bands finds the
				// non-finite values (see sumTimesZero); the flare bands
				// are tested one by one.
				if win > 0 {
					sumTimesZero(zw, block[k.at(l, 0)+s0:], zeros, win, ns)
					for s, v := range zw {
						if v != 0 {
							mk[s] |= MaskNoData
						}
					}
				}
				for bi := win; bi < nb; bi++ {
					for s, v := range block[k.at(l, bi)+s0 : k.at(l, bi)+s1] {
						// v − v is 0 for finite v and NaN for NaN and ±Inf.
						if v-v != 0 {
							mk[s] |= MaskNoData
						}
					}
				}
				for bi := 0; bi < nb && hasND; bi++ {
					for s, v := range block[k.at(l, bi)+s0 : k.at(l, bi)+s1] {
						if v == nd {
							mk[s] |= MaskNoData
						}
					}
				}
				for bi := 0; bi < win && r.opts.HasSaturation; bi++ {
					vals := block[k.at(l, bi) : k.at(l, bi)+ns]
					for s := s0; s < s1; s++ {
						if mask[row+s]&MaskNoData == 0 && vals[s] >= r.opts.Saturation {
							mask[row+s] |= MaskSaturated
						}
					}
				}
				if f16 != nil {
					copy(f16[row+s0:row+s1], block[k.at(l, win)+s0:k.at(l, win)+s1])
					copy(f22[row+s0:row+s1], block[k.at(l, win+1)+s0:k.at(l, win+1)+s1])
				}
			}
		})
	})
	if err != nil {
		return err
	}
	r.flares(mask, f16, f22)
	if lite {
		r.flareBands = [2][]float32{f16, f22}
		return nil
	}
	r.noDataMarked = true
	return nil
}

// flares flags the flares among the pixels without no-data, from their
// radiance at the flare bands (f16, f22; nil without the flare mask), then
// grows the saturation and flare flags by SaturationGrow.
func (r *runner) flares(mask []uint8, f16, f22 []float32) {
	if f16 != nil {
		var sum float64
		var n int
		for i, v := range f22 {
			if mask[i]&MaskNoData == 0 {
				sum += float64(v)
				n++
			}
		}
		if n > 0 {
			mean := sum / float64(n)
			for i := range f22 {
				if mask[i]&MaskNoData == 0 && float64(f22[i]) > r.opts.FlareRatio*float64(f16[i]) &&
					float64(f22[i]) > r.opts.FlareBrightness*mean {
					mask[i] |= MaskFlare
				}
			}
		}
	}
	if g := r.opts.SaturationGrow; g > 0 {
		grow(mask, r.lines, r.samples, g, MaskSaturated|MaskFlare)
	}
}

// settleMask finishes a lite mask pass once the statistics pass has
// flagged the pixels with no data in a window band: it flags the flares
// again as the full mask pass would have (no-data pixels neither flares,
// nor grown, nor in the mean at 2200 nm), and reports whether every pixel
// with data kept its flags, that is whether the statistics pass summed
// exactly the pixels it would have summed after the full mask pass.
func (r *runner) settleMask() bool {
	f := r.flareBands
	r.flareBands = [2][]float32{}
	r.noDataMarked = true
	mask := r.res.Mask
	final := make([]uint8, len(mask))
	for i, m := range mask {
		final[i] = m & MaskNoData
	}
	r.flares(final, f[0], f[1])
	same := true
	for i, m := range final {
		if m&MaskNoData == 0 && m != mask[i] {
			same = false
			break
		}
	}
	copy(mask, final)
	return same
}

// grow dilates each flag in bits by radius g over a square window (the
// Chebyshev distance), marking grown pixels with the flag they came from;
// no-data pixels neither spread flags nor receive them.
func grow(mask []uint8, lines, samples, g int, bits uint8) {
	for _, bit := range []uint8{MaskSaturated, MaskFlare} {
		if bits&bit == 0 {
			continue
		}
		var seeds []int
		for i, m := range mask {
			if m&bit != 0 && m&MaskNoData == 0 {
				seeds = append(seeds, i)
			}
		}
		if len(seeds) == 0 {
			continue
		}
		if w := 2*g + 1; len(seeds)*w*w < lines*samples {
			// Few seeds (a flare, a few glints): mark their squares.
			for _, i := range seeds {
				l, s := i/samples, i%samples
				for ll := max(0, l-g); ll <= min(lines-1, l+g); ll++ {
					row := mask[ll*samples : (ll+1)*samples]
					for ss := max(0, s-g); ss <= min(samples-1, s+g); ss++ {
						if row[ss]&MaskNoData == 0 {
							row[ss] |= bit
						}
					}
				}
			}
			continue
		}
		// Separable dilation with prefix counts: along samples, then lines.
		horiz := make([]bool, lines*samples)
		cnt := make([]int, max(lines, samples)+1)
		for l := 0; l < lines; l++ {
			for s := 0; s < samples; s++ {
				c := 0
				if m := mask[l*samples+s]; m&bit != 0 && m&MaskNoData == 0 {
					c = 1
				}
				cnt[s+1] = cnt[s] + c
			}
			for s := 0; s < samples; s++ {
				horiz[l*samples+s] = cnt[min(s+g+1, samples)]-cnt[max(s-g, 0)] > 0
			}
		}
		for s := 0; s < samples; s++ {
			for l := 0; l < lines; l++ {
				c := 0
				if horiz[l*samples+s] {
					c = 1
				}
				cnt[l+1] = cnt[l] + c
			}
			for l := 0; l < lines; l++ {
				i := l*samples + s
				if cnt[min(l+g+1, lines)]-cnt[max(l-g, 0)] > 0 && mask[i]&MaskNoData == 0 {
					mask[i] |= bit
				}
			}
		}
	}
}

// looColumns picks which columns get their own leave-one-out shrinkage.
func (r *runner) looColumns() []int {
	k := r.opts.ShrinkageColumns
	if k <= 0 {
		p3 := float64(r.p) * float64(r.p) * float64(r.p)
		k = max(3, int(2e7/p3))
	}
	k = min(k, r.samples)
	cols := make([]int, 0, k)
	for i := 0; i < k; i++ {
		c := (2*i + 1) * r.samples / (2 * k)
		if len(cols) == 0 || cols[len(cols)-1] != c {
			cols = append(cols, c)
		}
	}
	return cols
}

// sortedContains reports whether x is in the sorted slice a.
func sortedContains(a []int, x int) bool {
	i := sort.SearchInts(a, x)
	return i < len(a) && a[i] == x
}

// blockBytes is the default size of a block of lines: small enough that
// a block read by one goroutine is still in the shared cache when the
// workers transpose and accumulate it.
const blockBytes = 4 << 20

// defaultBlockLines is the default Options.BlockLines: blockBytes of
// float32 per block, 8 to 128 lines; from singleMinBands bands on at
// least 48 lines, since each block's float32 cross-products are then
// added into the float64 totals, a cost per block that fewer, larger
// blocks amortise.
func defaultBlockLines(p, samples int) int {
	n := min(128, max(8, blockBytes/(4*p*samples)))
	if p >= singleMinBands {
		n = max(n, 48)
	}
	return n
}
