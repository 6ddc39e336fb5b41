package plume

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/vigia/vigia/internal/geo"
)

// ErrInput is returned (wrapped, naming the field) for inconsistent inputs.
var ErrInput = errors.New("bad plume input")

// Length selects how the plume length L of Q = U·IME/L is measured.
type Length int

const (
	// SqrtArea: L = sqrt(mask area), with U = Ueff(U10), the calibrated
	// effective wind (see Ueff).
	SqrtArea Length = iota
	// AlongWind: L = half the mask's extent downwind of the source, the
	// IME that of the mask pixels within L downwind (and any upwind of
	// the source), and U = U10. For a steady plume advected at U10 the
	// mass within distance L of the source is Q·L/U10; the near half is
	// where the mask still holds the whole cross-section. It needs no
	// calibration but assumes steady advection by the 10 m wind.
	AlongWind
)

// String returns "sqrt-area" or "along-wind".
func (l Length) String() string {
	if l == AlongWind {
		return "along-wind"
	}
	return "sqrt-area"
}

// Options configure Detect. Start from DefaultOptions.
type Options struct {
	// ThresholdSigma: a pixel belongs to a plume when the mean of
	// enhancement/σ over its (2·SmoothPixels+1)² window, multiplied by
	// the square root of the window's valid pixel count (so that it is
	// again in units of σ for independent noise), exceeds it.
	ThresholdSigma float64
	// SmoothPixels is the radius of the square smoothing window (0 = none).
	SmoothPixels int
	// MinPixels is the smallest plume kept (8-connected pixels).
	MinPixels int
	// GapPixels joins pixels above the threshold into one plume when no
	// more than GapPixels pixels separate them (0: 8-connected only), so
	// that the broken tail of a plume is not counted as plumes of its
	// own. The outline traces the largest connected piece.
	GapPixels int
	// JoinSigma: pieces above the threshold also belong to one plume when
	// joined through pixels scoring above ThresholdSigma − JoinSigma
	// (hysteresis); the mask itself stays at ThresholdSigma. 0 disables.
	JoinSigma float64
	// SeedSigma: a plume must hold at least one pixel whose smoothed
	// score (see ThresholdSigma) reaches it, so that a plume is seeded by
	// a strong core and grown down to ThresholdSigma (hysteresis). 0 or
	// anything at or below ThresholdSigma disables the test.
	SeedSigma float64
	// MinSignificance: a plume is kept only when Σz/√n over its n valid
	// mask pixels (z = enhancement/σ, in σ units for independent noise)
	// reaches it. 0 disables.
	MinSignificance float64
	// PixelSize is the ground sample distance (square pixels).
	PixelSize geo.Meters
	// WindSpeed is the 10 m wind speed U10 and WindSigma its 1σ, m/s.
	WindSpeed float64
	WindSigma float64
	// WindFromDeg is the direction the wind blows from, degrees clockwise
	// from north, on a north-up grid (line increasing southward, sample
	// eastward). Without it (HasWindDir false) the plume axis is the
	// principal axis of its enhancement, and the upwind end the one
	// nearer its strongest pixel.
	WindFromDeg float64
	HasWindDir  bool
	// SharedWind: without HasWindDir, when the plumes found agree on a
	// downwind direction (see SharedWindMinPlumes), every plume is
	// measured again with that direction, as if given: plumes in one
	// scene share the wind, and the strong ones' axes fix the direction
	// better than a weak plume's own shape.
	SharedWind bool
	// Length chooses L (and with it U); default SqrtArea.
	Length Length
	// UeffSlope and UeffOffset (m/s) override the calibration of Ueff
	// when UeffSlope is non-zero.
	UeffSlope, UeffOffset float64
	// KgPerM2PerPPMm converts enhancement to mass; 0 means methane's.
	KgPerM2PerPPMm float64
}

// DefaultOptions returns ThresholdSigma 3, SeedSigma 5.5, SmoothPixels 1,
// MinPixels 10, GapPixels 2, JoinSigma 1, no MinSignificance test,
// SharedWind, PixelSize 5 m, no wind (rates are NaN until WindSpeed is
// set), methane. The seed of 5.5σ was chosen on simulated scenes
// (docs/BENCHMARKS.md, "False plumes with the defaults"): without it a
// 1000 × 600 scene holds some 30 false plumes of 10 to 1,100 pixels grown
// from correlated background residue that stays under about 5σ once
// smoothed, while plumes of 300 ppm·m or more at the source seed at 6σ
// or above.
func DefaultOptions() Options {
	return Options{ThresholdSigma: 3, SeedSigma: 5.5, SmoothPixels: 1, MinPixels: 10, GapPixels: 2, JoinSigma: 1, SharedWind: true, PixelSize: 5}
}

// Plume is one detected plume. Pixel indices are line*samples+sample.
type Plume struct {
	ID     int
	Pixels []int
	// Outline is the outer boundary of the pixel set along pixel edges,
	// in pixel coordinates (sample, line) with (0, 0) the upper-left
	// corner of the first pixel; closed (first = last) and
	// counter-clockwise with (sample, line) read as (x, y). Through a
	// north-up geotransform (y flipped) it is counter-clockwise on the
	// map, as GeoJSON wants.
	Outline                  [][2]float64
	SourceLine, SourceSample int
	MaxPPMm                  float64 // largest enhancement in the mask, ppm·m
	IMEkg                    float64 // integrated mass enhancement, kg
	IMESigmaKg               float64 // 1σ of IMEkg from retrieval noise, kg
	AreaM2                   float64
	LengthM                  float64 // L of Q = U·IME/L, m (see Options.Length)
	UeffMS                   float64 // U of Q = U·IME/L, m/s
	AxisDeg                  float64 // downwind direction, degrees clockwise from north
	RateKgH                  float64 // Q, kg/h; NaN without wind
	RateSigmaKgH             float64 // 1σ of Q combining noise, wind and mask choice, kg/h
	RateMaskSpreadKgH        float64 // half the spread of Q between thresholds ±1σ, kg/h
}

// Detect segments plumes in an enhancement map enh (ppm·m) with its 1σ
// sigma (ppm·m), both lines×samples, NaN where no data: it thresholds the
// smoothed enhancement/σ map, groups the pixels above it (GapPixels,
// JoinSigma), keeps groups of at least MinPixels that hold a seed pixel
// scoring SeedSigma and reach MinSignificance, and for each estimates its source, outline, IME and emission
// rate Q = U·IME/L. The uncertainty of Q combines, in quadrature, the
// retrieval noise (σ summed in quadrature over the mask), the wind
// (WindSigma through U) and the mask choice (half the change of Q when the
// threshold moves by ±1σ). Plumes are ordered by decreasing IME, IDs from
// 1. The inputs are not modified.
func Detect(enh, sigma []float32, lines, samples int, opts Options) ([]Plume, error) {
	n := lines * samples
	if lines <= 0 || samples <= 0 || len(enh) != n || len(sigma) != n {
		return nil, fmt.Errorf("plume: %d×%d grid but %d enhancements and %d σ: %w", lines, samples, len(enh), len(sigma), ErrInput)
	}
	if !(opts.PixelSize > 0) {
		return nil, fmt.Errorf("plume: field PixelSize %g m not positive: %w", float64(opts.PixelSize), ErrInput)
	}
	if !(opts.ThresholdSigma > 0) {
		return nil, fmt.Errorf("plume: field ThresholdSigma %g not positive: %w", opts.ThresholdSigma, ErrInput)
	}
	if opts.SmoothPixels < 0 || opts.MinPixels < 0 || opts.GapPixels < 0 {
		return nil, fmt.Errorf("plume: fields SmoothPixels %d, MinPixels %d, GapPixels %d: negative: %w", opts.SmoothPixels, opts.MinPixels, opts.GapPixels, ErrInput)
	}
	if opts.KgPerM2PerPPMm == 0 {
		opts.KgPerM2PerPPMm = KgPerM2PerPPMm
	}
	g := &grid{lines: lines, samples: samples, enh: enh, sigma: sigma, opts: opts}
	g.score = g.smoothScore()
	var kept [][]int
	for _, c := range g.components(opts.ThresholdSigma) {
		if len(c) >= max(opts.MinPixels, 1) && g.keep(c) {
			kept = append(kept, c)
		}
	}
	out := g.measureAll(kept)
	if !opts.HasWindDir && opts.SharedWind {
		if from, ok := sharedWind(out); ok {
			g.opts.WindFromDeg, g.opts.HasWindDir = from, true
			out = g.measureAll(kept)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].IMEkg > out[j].IMEkg })
	for i := range out {
		out[i].ID = i + 1
	}
	return out, nil
}

// SharedWindMinPlumes and SharedWindMinAgreement gate Options.SharedWind:
// the direction is taken from the plumes' axes only when at least
// SharedWindMinPlumes plumes, and at least the fraction
// SharedWindMinAgreement of all the plumes, point downwind within
// SharedWindToleranceDeg of one another's direction.
const (
	SharedWindMinPlumes    = 3
	SharedWindMinAgreement = 2.0 / 3
	SharedWindToleranceDeg = 45.0
)

// sharedWind returns the direction the wind blows from (degrees clockwise
// from north) that most plumes' axes agree on: the plume whose axis has
// the most others within SharedWindToleranceDeg (ties: the larger IME)
// and those others vote, and the direction is their IME-weighted mean.
func sharedWind(ps []Plume) (float64, bool) {
	if len(ps) < SharedWindMinPlumes {
		return 0, false
	}
	near := func(a, b float64) bool {
		d := math.Abs(math.Mod(a-b+540, 360) - 180)
		return d <= SharedWindToleranceDeg
	}
	best, bestN := -1, 0
	for i, p := range ps {
		n := 0
		for _, q := range ps {
			if near(p.AxisDeg, q.AxisDeg) {
				n++
			}
		}
		if n > bestN || (n == bestN && p.IMEkg > ps[best].IMEkg) {
			best, bestN = i, n
		}
	}
	if bestN < SharedWindMinPlumes || float64(bestN) < SharedWindMinAgreement*float64(len(ps)) {
		return 0, false
	}
	var x, y float64
	for _, q := range ps {
		if near(ps[best].AxisDeg, q.AxisDeg) {
			m := math.Max(q.IMEkg, 1e-12)
			a := q.AxisDeg * math.Pi / 180
			x, y = x+m*math.Sin(a), y+m*math.Cos(a)
		}
	}
	to := math.Atan2(x, y) * 180 / math.Pi
	return math.Mod(to+180+360, 360), true
}

// measureAll measures each component, with the mask-choice part of the
// uncertainty.
func (g *grid) measureAll(comps [][]int) []Plume {
	opts := g.opts
	var out []Plume
	for _, c := range comps {
		p := g.measure(c)
		// Mask choice: the same plume at thresholds ±1σ, taking the
		// component that holds this plume's source.
		var qs []float64
		for _, dt := range []float64{-1, 1} {
			th := opts.ThresholdSigma + dt
			if th <= 0 {
				continue
			}
			if cc := g.componentAt(th, p.SourceLine*g.samples+p.SourceSample); len(cc) > 0 {
				qs = append(qs, g.measure(cc).RateKgH)
			}
		}
		if len(qs) == 2 && !math.IsNaN(p.RateKgH) {
			p.RateMaskSpreadKgH = math.Abs(qs[1]-qs[0]) / 2
		}
		p.RateSigmaKgH = math.Hypot(p.RateSigmaKgH, p.RateMaskSpreadKgH)
		out = append(out, p)
	}
	return out
}

type grid struct {
	lines, samples int
	enh, sigma     []float32
	opts           Options
	score          []float64 // smoothed enhancement/σ in σ units; NaN where no data
	// at caches componentAt's floods per threshold: a component is the
	// same whichever of its walked pixels the flood starts from.
	at map[float64]*floodCache
}

// floodCache holds the floods made at one threshold: seen marks the
// pixels walked, label[i]-1 indexes the component in comps of walked
// pixel i.
type floodCache struct {
	seen  []bool
	label []int32
	comps [][]int
}

func (g *grid) valid(i int) bool {
	e, s := g.enh[i], g.sigma[i]
	return e == e && s == s && s > 0 && !math.IsInf(float64(e), 0) && !math.IsInf(float64(s), 0)
}

// smoothScore returns, per pixel, Σz/sqrt(N) over the valid pixels of its
// window (z = enhancement/σ), computed with a summed-area table.
func (g *grid) smoothScore() []float64 {
	L, S, r := g.lines, g.samples, g.opts.SmoothPixels
	sum := make([]float64, (L+1)*(S+1))
	cnt := make([]float64, (L+1)*(S+1))
	for l := 0; l < L; l++ {
		for s := 0; s < S; s++ {
			i := l*S + s
			var z, c float64
			if g.valid(i) {
				z, c = float64(g.enh[i])/float64(g.sigma[i]), 1
			}
			k := (l+1)*(S+1) + s + 1
			sum[k] = z + sum[k-1] + sum[k-(S+1)] - sum[k-(S+1)-1]
			cnt[k] = c + cnt[k-1] + cnt[k-(S+1)] - cnt[k-(S+1)-1]
		}
	}
	box := func(a []float64, l0, s0, l1, s1 int) float64 {
		return a[l1*(S+1)+s1] - a[l0*(S+1)+s1] - a[l1*(S+1)+s0] + a[l0*(S+1)+s0]
	}
	out := make([]float64, L*S)
	for l := 0; l < L; l++ {
		for s := 0; s < S; s++ {
			i := l*S + s
			if !g.valid(i) {
				out[i] = math.NaN()
				continue
			}
			l0, l1 := max(0, l-r), min(L, l+r+1)
			s0, s1 := max(0, s-r), min(S, s+r+1)
			c := box(cnt, l0, s0, l1, s1)
			out[i] = box(sum, l0, s0, l1, s1) / math.Sqrt(c)
		}
	}
	return out
}

// components returns the 8-connected components of pixels scoring above th.
func (g *grid) components(th float64) [][]int {
	seen := make([]bool, len(g.score))
	var comps [][]int
	for i, v := range g.score {
		if seen[i] || !(v > th) {
			continue
		}
		comps = append(comps, g.flood(i, th, seen))
	}
	return comps
}

// componentAt returns the component above th that holds pixel i, or nil.
func (g *grid) componentAt(th float64, i int) []int {
	if !(g.score[i] > th) {
		// The source may sit just outside a tighter mask: start from the
		// best-scoring pixel of its 3×3 neighbourhood instead.
		l, s := i/g.samples, i%g.samples
		best := -1
		for dl := -1; dl <= 1; dl++ {
			for ds := -1; ds <= 1; ds++ {
				ll, ss := l+dl, s+ds
				if ll < 0 || ss < 0 || ll >= g.lines || ss >= g.samples {
					continue
				}
				j := ll*g.samples + ss
				if g.score[j] > th && (best < 0 || g.score[j] > g.score[best]) {
					best = j
				}
			}
		}
		if best < 0 {
			return nil
		}
		i = best
	}
	fc := g.at[th]
	if fc == nil {
		fc = &floodCache{seen: make([]bool, len(g.score)), label: make([]int32, len(g.score))}
		if g.at == nil {
			g.at = map[float64]*floodCache{}
		}
		g.at[th] = fc
	}
	if k := fc.label[i]; k > 0 {
		return fc.comps[k-1]
	}
	// Pixels walked before belong to other components: the seen map can
	// be shared.
	comp, walk := g.floodWalk(i, th, fc.seen)
	fc.comps = append(fc.comps, comp)
	for _, j := range walk {
		fc.label[j] = int32(len(fc.comps))
	}
	return comp
}

// flood collects the plume grown from start: it walks pixels scoring above
// th − JoinSigma that lie within GapPixels of one another (hysteresis),
// and returns those of them scoring above th, sorted.
func (g *grid) flood(start int, th float64, seen []bool) []int {
	comp, _ := g.floodWalk(start, th, seen)
	return comp
}

// floodWalk is flood, also returning every pixel walked (those scoring
// above th − JoinSigma in the plume's reach).
func (g *grid) floodWalk(start int, th float64, seen []bool) (comp, walk []int) {
	low := th - g.opts.JoinSigma
	if g.opts.JoinSigma <= 0 {
		low = th
	}
	walk = []int{start}
	seen[start] = true
	reach := 1 + g.opts.GapPixels
	for k := 0; k < len(walk); k++ {
		i := walk[k]
		if g.score[i] > th {
			comp = append(comp, i)
		}
		l, s := i/g.samples, i%g.samples
		for dl := -reach; dl <= reach; dl++ {
			for ds := -reach; ds <= reach; ds++ {
				ll, ss := l+dl, s+ds
				if ll < 0 || ss < 0 || ll >= g.lines || ss >= g.samples {
					continue
				}
				j := ll*g.samples + ss
				if !seen[j] && g.score[j] > low {
					seen[j] = true
					walk = append(walk, j)
				}
			}
		}
	}
	sort.Ints(comp)
	return comp, walk
}

// keep reports whether component c passes the SeedSigma and
// MinSignificance tests.
func (g *grid) keep(c []int) bool {
	o := g.opts
	var zs, peak float64
	var n int
	peak = math.Inf(-1)
	for _, i := range c {
		if !g.valid(i) {
			continue
		}
		n++
		zs += float64(g.enh[i]) / float64(g.sigma[i])
		peak = math.Max(peak, g.score[i])
	}
	if n == 0 {
		return false
	}
	if o.SeedSigma > o.ThresholdSigma && peak < o.SeedSigma {
		return false
	}
	if o.MinSignificance > 0 && zs/math.Sqrt(float64(n)) < o.MinSignificance {
		return false
	}
	return true
}

// measure computes everything about one component except the mask-choice
// part of the uncertainty.
func (g *grid) measure(c []int) Plume {
	o := g.opts
	px := float64(o.PixelSize)
	area := px * px
	p := Plume{Pixels: c, MaxPPMm: math.Inf(-1)}
	var ime, varIME float64
	for _, i := range c {
		if !g.valid(i) {
			continue
		}
		e := float64(g.enh[i])
		ime += e
		varIME += float64(g.sigma[i]) * float64(g.sigma[i])
		p.MaxPPMm = math.Max(p.MaxPPMm, e)
	}
	k := o.KgPerM2PerPPMm * area
	p.IMEkg = ime * k
	p.IMESigmaKg = math.Sqrt(varIME) * k
	p.AreaM2 = float64(len(c)) * area
	p.Outline = outline(c, g.samples)

	// Axis: unit vector (ds, dl) in grid coordinates pointing downwind.
	var ax, ay float64
	if o.HasWindDir {
		// Wind from θ blows toward θ+180°; north is −line, east +sample.
		to := (o.WindFromDeg + 180) * math.Pi / 180
		ax, ay = math.Sin(to), -math.Cos(to)
	} else {
		ax, ay = g.principalAxis(c)
	}
	// Project pixel centres on the axis.
	proj := make([]float64, len(c))
	lo, hi := math.Inf(1), math.Inf(-1)
	best, bestE := c[0], math.Inf(-1)
	for k, i := range c {
		l, s := i/g.samples, i%g.samples
		proj[k] = (float64(s)+0.5)*ax + (float64(l)+0.5)*ay
		lo, hi = math.Min(lo, proj[k]), math.Max(hi, proj[k])
		if e := g.local(i); e > bestE {
			best, bestE = i, e
		}
	}
	if !o.HasWindDir {
		// The upwind end is the one nearer the strongest pixel.
		bl, bs := best/g.samples, best%g.samples
		pb := (float64(bs)+0.5)*ax + (float64(bl)+0.5)*ay
		if hi-pb < pb-lo {
			ax, ay = -ax, -ay
			for k := range proj {
				proj[k] = -proj[k]
			}
			lo, hi = -hi, -lo
		}
	}
	p.AxisDeg = math.Mod(math.Atan2(ax, -ay)*180/math.Pi+360, 360)
	// Source: near a point source the column stays close to its maximum
	// for several pixels (the plume is narrower than a pixel), so the
	// source is the most upwind pixel, within the upwind quarter of the
	// plume's extent, whose enhancement reaches SourceFraction of the
	// largest there; among pixels level with it, the strongest.
	cut := lo + 0.25*(hi-lo) + 0.5
	maxE := math.Inf(-1)
	for k, i := range c {
		if proj[k] <= cut && g.valid(i) {
			maxE = math.Max(maxE, float64(g.enh[i]))
		}
	}
	src, srcP, srcE := -1, math.Inf(1), math.Inf(-1)
	for k, i := range c {
		if proj[k] > cut || !g.valid(i) {
			continue
		}
		e := float64(g.enh[i])
		if e < SourceFraction*maxE {
			continue
		}
		if proj[k] < srcP-0.5 || (proj[k] < srcP+0.5 && e > srcE) {
			src, srcP, srcE = i, proj[k], e
		}
	}
	if src < 0 {
		src = best
	}
	p.SourceLine, p.SourceSample = src/g.samples, src%g.samples
	srcProj := (float64(p.SourceSample)+0.5)*ax + (float64(p.SourceLine)+0.5)*ay

	u10 := o.WindSpeed
	var u, du float64
	rateIME, rateSigma := p.IMEkg, p.IMESigmaKg
	switch o.Length {
	case AlongWind:
		// The near half of the plume, where the mask still holds the
		// whole cross-section: farther out the thinning edges fall
		// below the threshold and the mask loses mass, not length.
		half := (hi - srcProj + 0.5) / 2
		p.LengthM = half * px
		u, du = u10, o.WindSigma
		var sum, v float64
		for k, i := range c {
			if proj[k] <= srcProj+half && g.valid(i) {
				sum += float64(g.enh[i])
				v += float64(g.sigma[i]) * float64(g.sigma[i])
			}
		}
		rateIME, rateSigma = sum*k, math.Sqrt(v)*k
	default:
		p.LengthM = math.Sqrt(p.AreaM2)
		a, b := UeffSlope, UeffOffset
		if o.UeffSlope != 0 {
			a, b = o.UeffSlope, o.UeffOffset
		}
		u, du = a*u10+b, math.Abs(a)*o.WindSigma
	}
	p.UeffMS = u
	p.RateKgH, p.RateSigmaKgH = math.NaN(), math.NaN()
	if u10 > 0 && p.LengthM > 0 {
		p.RateKgH = rate(u, rateIME, p.LengthM)
		rel := math.Hypot(du/u, rateSigma/math.Abs(rateIME))
		p.RateSigmaKgH = math.Abs(p.RateKgH) * rel
	}
	return p
}

// local returns the mean enhancement over the valid pixels of the 3×3
// window around i (ppm·m).
func (g *grid) local(i int) float64 {
	l, s := i/g.samples, i%g.samples
	var sum float64
	var n int
	for dl := -1; dl <= 1; dl++ {
		for ds := -1; ds <= 1; ds++ {
			ll, ss := l+dl, s+ds
			if ll < 0 || ss < 0 || ll >= g.lines || ss >= g.samples {
				continue
			}
			if j := ll*g.samples + ss; g.valid(j) {
				sum += float64(g.enh[j])
				n++
			}
		}
	}
	if n == 0 {
		return math.Inf(-1)
	}
	return sum / float64(n)
}

// principalAxis returns the unit major axis (ds, dl) of the component's
// pixels weighted by their positive enhancement.
func (g *grid) principalAxis(c []int) (float64, float64) {
	var w, ms, ml float64
	for _, i := range c {
		e := math.Max(float64(g.enh[i]), 0)
		if !g.valid(i) {
			e = 0
		}
		w += e
		ms += e * float64(i%g.samples)
		ml += e * float64(i/g.samples)
	}
	if w == 0 {
		return 1, 0
	}
	ms, ml = ms/w, ml/w
	var css, cll, csl float64
	for _, i := range c {
		e := math.Max(float64(g.enh[i]), 0)
		if !g.valid(i) {
			e = 0
		}
		ds, dl := float64(i%g.samples)-ms, float64(i/g.samples)-ml
		css += e * ds * ds
		cll += e * dl * dl
		csl += e * ds * dl
	}
	theta := 0.5 * math.Atan2(2*csl, css-cll)
	return math.Cos(theta), math.Sin(theta)
}

// outline traces the outer boundary of a pixel set along pixel edges.
// Each pixel (s, l) is the square [s, s+1]×[l, l+1]; its edges that face
// no pixel of the set are directed counter-clockwise (interior on the left
// with (s, l) as (x, y)) and chained into loops, turning right first at a
// vertex shared by diagonal neighbours so that 8-connected pixels stay in
// one loop. The loop of largest area is the outer boundary; collinear
// vertices are dropped.
func outline(c []int, samples int) [][2]float64 {
	if len(c) == 0 {
		return nil
	}
	// Bounding box of the pixels, grown by one so that the neighbours
	// looked up are always inside.
	s0, l0, s1, l1 := samples, c[0]/samples, -1, c[len(c)-1]/samples
	for _, i := range c {
		l0, l1 = min(l0, i/samples), max(l1, i/samples)
		s0, s1 = min(s0, i%samples), max(s1, i%samples)
	}
	s0, l0 = s0-1, l0-1
	W, H := s1-s0+2, l1-l0+2 // pixel cells (s0..s1+1) × (l0..l1+1)
	in := make([]bool, W*H)
	for _, i := range c {
		in[(i/samples-l0)*W+i%samples-s0] = true
	}
	// Vertices (x, y) of the box's W+1 × H+1 grid; each has at most two
	// outgoing boundary edges (two only where diagonal pixels meet).
	VW := W + 1
	vid := func(s, l int) int32 { return int32((l-l0)*VW + s - s0) }
	type out2 struct {
		n    uint8
		to   [2]int32
		used [2]bool
	}
	next := make([]out2, VW*(H+1))
	add := func(from, to int32) {
		o := &next[from]
		o.to[o.n] = to
		o.n++
	}
	for l := l0 + 1; l < l0+H; l++ {
		row := (l - l0) * W
		for s := s0 + 1; s < s0+W; s++ {
			k := row + s - s0
			if !in[k] {
				continue
			}
			if !in[k-W] {
				add(vid(s, l), vid(s+1, l))
			}
			if !in[k+1] {
				add(vid(s+1, l), vid(s+1, l+1))
			}
			if !in[k+W] {
				add(vid(s+1, l+1), vid(s, l+1))
			}
			if !in[k-1] {
				add(vid(s, l+1), vid(s, l))
			}
		}
	}
	vx := func(v int32) [2]int { return [2]int{int(v)%VW + s0, int(v)/VW + l0} }
	var bestLoop [][2]int
	bestArea := math.Inf(-1)
	// Starting vertices in (line, sample) order, as their indices are.
	for v0 := range next {
		for k0 := 0; k0 < int(next[v0].n); k0++ {
			if next[v0].used[k0] {
				continue
			}
			start := int32(v0)
			loop := [][2]int{vx(start)}
			from, slot := start, k0
			for {
				o := &next[from]
				o.used[slot] = true
				to := o.to[slot]
				loop = append(loop, vx(to))
				if to == start {
					break
				}
				a, b := vx(from), vx(to)
				dx, dy := b[0]-a[0], b[1]-a[1]
				pick, bestRank := -1, 4
				n := &next[to]
				for k := 0; k < int(n.n); k++ {
					if n.used[k] {
						continue
					}
					t := vx(n.to[k])
					cx, cy := t[0]-b[0], t[1]-b[1]
					cross := dx*cy - dy*cx // >0 left turn, <0 right turn (x right, y up)
					rank := 1
					switch {
					case cross < 0:
						rank = 0
					case cross > 0:
						rank = 2
					}
					if rank < bestRank {
						bestRank, pick = rank, k
					}
				}
				if pick < 0 {
					break
				}
				from, slot = to, pick
			}
			if a := area(loop); a > bestArea {
				bestArea, bestLoop = a, loop
			}
		}
	}
	// Drop collinear vertices; keep the ring closed.
	var out [][2]float64
	n := len(bestLoop) - 1 // last repeats first
	for k := 0; k < n; k++ {
		prev := bestLoop[(k-1+n)%n]
		cur := bestLoop[k]
		nxt := bestLoop[(k+1)%n]
		if (cur[0]-prev[0])*(nxt[1]-cur[1])-(cur[1]-prev[1])*(nxt[0]-cur[0]) == 0 {
			continue
		}
		out = append(out, [2]float64{float64(cur[0]), float64(cur[1])})
	}
	if len(out) > 0 {
		out = append(out, out[0])
	}
	return out
}

// area is the signed shoelace area of a closed loop (positive when
// counter-clockwise with (s, l) as (x, y)).
func area(loop [][2]int) float64 {
	var a int
	for k := 0; k+1 < len(loop); k++ {
		a += loop[k][0]*loop[k+1][1] - loop[k+1][0]*loop[k][1]
	}
	return float64(a) / 2
}

// SourceFraction is the fraction of the largest enhancement near the
// upwind end that the source pixel must reach (see Detect).
const SourceFraction = 0.4
