package spectral

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func methaneAt(t testing.TB, wl, fw []float64) []float64 {
	t.Helper()
	tb, err := Methane().Resample(wl, fw)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// TestSyntheticRecovery injects a plume of known enhancement by
// Beer–Lambert into a Gaussian background of known covariance and checks
// that the filter recovers it within its σ, and that the background σ
// matches both the spread of the background's α̂ and 1/sqrt(sᵀC⁻¹s) of the
// true background.
func TestSyntheticRecovery(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const lines, samples, p = 400, 6, 24
	sc := newScene(lines, samples, p, rng)
	tb := methaneAt(t, sc.wavelength, sc.fwhm)
	enh := make([]float64, lines*samples)
	const plumeAlpha = 1000.0 // ppm·m
	for l := 100; l < 112; l++ {
		for s := 0; s < samples; s++ {
			enh[l*samples+s] = plumeAlpha
		}
	}
	c := sc.render(rng, tb, enh)
	opts := DefaultOptions()
	opts.Reestimate = true
	// Beer–Lambert scales the absorption with the pixel's brightness, which
	// varies by ±10 % (1σ) here: albedo correction takes it out.
	opts.Albedo = true
	res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Bands) != p {
		t.Fatalf("%d bands used, want %d", len(res.Bands), p)
	}
	for s := 0; s < samples; s++ {
		want := sc.trueSigma(t, s, res.Target)
		var bgA, plA, sigs []float64
		for l := 0; l < lines; l++ {
			i := l*samples + s
			if enh[i] > 0 {
				plA = append(plA, float64(res.Enhancement[i]))
				if res.Mask[i]&MaskPlume == 0 {
					t.Errorf("column %d line %d: plume pixel not excluded in the re-estimation", s, l)
				}
			} else {
				bgA = append(bgA, float64(res.Enhancement[i]))
			}
			sigs = append(sigs, float64(res.Sigma[i]))
		}
		bm, bs := meanStd(bgA)
		pm, _ := meanStd(plA)
		sort.Float64s(sigs)
		sig := sigs[len(sigs)/2] // median: with albedo correction σ varies per pixel
		t.Logf("column %d: σ reported %.1f, true %.1f, background spread %.1f mean %.1f; plume %.1f ppm·m (true %.0f), shrinkage %.2g",
			s, sig, want, bs, bm, pm, plumeAlpha, res.Shrinkage[s])
		if sig < 0.9*want || sig > 1.2*want {
			t.Errorf("column %d: reported σ %.2f ppm·m, true-background σ %.2f", s, sig, want)
		}
		if bs < 0.85*sig || bs > 1.2*sig {
			t.Errorf("column %d: background α̂ spread %.2f ppm·m, reported σ %.2f", s, bs, sig)
		}
		if math.Abs(bm) > 4*sig/math.Sqrt(float64(len(bgA))) {
			t.Errorf("column %d: background mean α̂ %.2f ppm·m, not 0 within 4σ/√n", s, bm)
		}
		// The plume mean within 3σ/√n plus 2 % (the Beer–Lambert curvature
		// at 1000 ppm·m is about tα/2 ≈ 0.7 %).
		if math.Abs(pm-plumeAlpha) > 3*sig/math.Sqrt(float64(len(plA)))+0.02*plumeAlpha {
			t.Errorf("column %d: plume α̂ %.1f ppm·m, want %.0f", s, pm, plumeAlpha)
		}
		for l := 100; l < 112; l++ {
			if a := float64(res.Enhancement[l*samples+s]); math.Abs(a-plumeAlpha) > 5*sig {
				t.Errorf("column %d line %d: α̂ %.1f ppm·m, want %.0f ± 5σ", s, l, a, plumeAlpha)
			}
		}
	}
}

// TestColumnVersusScene: on a scene whose columns differ by a gain (the
// striping of a pushbroom detector), the per-column background keeps σ at
// the noise level while the scene background mixes the columns' means
// into its covariance.
func TestColumnVersusScene(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const lines, samples, p = 150, 40, 20
	sc := newScene(lines, samples, p, rng)
	sc.gain = make([]float64, samples)
	for s := range sc.gain {
		sc.gain[s] = 1 + 0.15*math.Sin(float64(s)*1.7)
	}
	// Stripe in the spectrum too: each column's detector element has its
	// own spectral response offset, as real striping does.
	tb := methaneAt(t, sc.wavelength, sc.fwhm)
	c := sc.render(rng, tb, nil)
	for s := 0; s < samples; s++ {
		for b := 0; b < p; b++ {
			off := float32(0.05 * math.Sin(float64(s*b)))
			for l := 0; l < lines; l++ {
				c.set(l, s, b, c.at(l, s, b)+off)
			}
		}
	}
	spread := func(mode Mode) (float64, *Result) {
		opts := DefaultOptions()
		opts.Mode = mode
		res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
		if err != nil {
			t.Fatal(err)
		}
		var all []float64
		for _, a := range res.Enhancement {
			all = append(all, float64(a))
		}
		_, sd := meanStd(all)
		return sd, res
	}
	col, rc := spread(Column)
	scn, rs := spread(Scene)
	t.Logf("background α̂ spread: column mode %.1f ppm·m, scene mode %.1f ppm·m", col, scn)
	if !(col < 0.7*scn) {
		t.Errorf("column-mode spread %.1f not well below scene-mode %.1f", col, scn)
	}
	if len(rc.Shrinkage) != samples || len(rs.Shrinkage) != 1 {
		t.Errorf("shrinkage lengths %d, %d; want %d, 1", len(rc.Shrinkage), len(rs.Shrinkage), samples)
	}
	if rs.BackgroundPixels[0] != lines*samples {
		t.Errorf("scene background %d pixels, want %d", rs.BackgroundPixels[0], lines*samples)
	}
}

// TestNoDataFirst: a no-data value above the saturation threshold must be
// recognised as no data first, so it neither counts as saturated nor
// spreads saturation to its neighbours, and it gets NaN.
func TestNoDataFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const lines, samples, p = 120, 5, 12
	sc := newScene(lines, samples, p, rng)
	tb := methaneAt(t, sc.wavelength, sc.fwhm)
	c := sc.render(rng, tb, nil)
	const nodata = 65535
	for _, px := range [][2]int{{10, 2}, {50, 0}, {51, 0}} {
		for b := 0; b < p; b++ {
			c.set(px[0], px[1], b, nodata)
		}
	}
	c.set(70, 3, 4, nodata) // one band only: still no data
	opts := DefaultOptions()
	opts.HasNoData, opts.NoData = true, nodata
	opts.HasSaturation, opts.Saturation, opts.SaturationGrow = true, 1000, 2
	res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range res.Mask {
		l, s := i/samples, i%samples
		isND := (l == 10 && s == 2) || (l == 50 && s == 0) || (l == 51 && s == 0) || (l == 70 && s == 3)
		switch {
		case isND && m != MaskNoData:
			t.Errorf("line %d sample %d: mask %b, want no-data only", l, s, m)
		case !isND && m != 0:
			t.Errorf("line %d sample %d: mask %b, want 0", l, s, m)
		}
		a := res.Enhancement[i]
		if isND != math.IsNaN(float64(a)) || isND != math.IsNaN(float64(res.Sigma[i])) {
			t.Errorf("line %d sample %d: α̂ %g σ %g (no data %v)", l, s, a, res.Sigma[i], isND)
		}
	}
	if got := res.BackgroundPixels[0]; got != lines-2 {
		t.Errorf("column 0: %d background pixels, want %d", got, lines-2)
	}
	// Without the no-data option the same value is saturation and grows.
	opts.HasNoData = false
	res, err = MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Mask[12*samples+4]; m != MaskSaturated {
		t.Errorf("without no-data: pixel (12,4) mask %b, want saturated (grown)", m)
	}
}

// TestSaturationGrowth: one saturated band value flags its pixel and every
// pixel within SaturationGrow (Chebyshev), which the background leaves out.
func TestSaturationGrowth(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const lines, samples, p = 100, 9, 10
	sc := newScene(lines, samples, p, rng)
	c := sc.render(rng, methaneAt(t, sc.wavelength, sc.fwhm), nil)
	c.set(40, 4, 3, 500)
	for _, grow := range []int{0, 1, 3} {
		opts := DefaultOptions()
		opts.HasSaturation, opts.Saturation, opts.SaturationGrow = true, 100, grow
		res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for l := 0; l < lines; l++ {
			for s := 0; s < samples; s++ {
				in := max(abs(l-40), abs(s-4)) <= grow
				if got := res.Mask[l*samples+s] == MaskSaturated; got != in {
					t.Errorf("grow %d: pixel (%d,%d) saturated %v, want %v", grow, l, s, got, in)
				}
			}
		}
		for s := 0; s < samples; s++ {
			want := lines
			if abs(s-4) <= grow {
				want = lines - (2*grow + 1)
			}
			if res.BackgroundPixels[s] != want {
				t.Errorf("grow %d: column %d background %d pixels, want %d", grow, s, res.BackgroundPixels[s], want)
			}
		}
		if a := res.Enhancement[40*samples+4]; math.IsNaN(float64(a)) {
			t.Errorf("grow %d: saturated pixel has no enhancement", grow)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestSingularCovariance: duplicated bands make the covariance singular,
// which more shrinkage cures (Shrunk); a constant band has zero variance,
// which no shrinkage toward the diagonal cures (Fallback); a column with
// too few valid pixels takes the scene's background (TooFewPixels).
func TestSingularCovariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const lines, samples, p = 80, 4, 8
	sc := newScene(lines, samples, p, rng)
	tb := methaneAt(t, sc.wavelength, sc.fwhm)
	base := sc.render(rng, tb, nil)
	run := func(c *memCube, opts Options) *Result {
		t.Helper()
		res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range res.Enhancement {
			if math.IsNaN(float64(a)) || math.IsInf(float64(a), 0) || !(res.Sigma[i] > 0) {
				t.Fatalf("pixel %d: α̂ %g σ %g", i, a, res.Sigma[i])
			}
		}
		return res
	}
	dup := *base
	dup.data = append([]float32(nil), base.data...)
	for l := 0; l < lines; l++ {
		for s := 0; s < samples; s++ {
			dup.set(l, s, 5, dup.at(l, s, 4))
		}
	}
	opts := DefaultOptions()
	opts.Shrinkage = 0
	res := run(&dup, opts)
	for s, st := range res.ColumnStatus {
		if st != Shrunk || !(res.Shrinkage[s] > 0) {
			t.Errorf("duplicate bands, column %d: status %v shrinkage %g; want shrunk, > 0", s, st, res.Shrinkage[s])
		}
	}
	con := *base
	con.data = append([]float32(nil), base.data...)
	for l := 0; l < lines; l++ {
		for s := 0; s < samples; s++ {
			con.set(l, s, 2, 3)
		}
	}
	res = run(&con, DefaultOptions())
	for s, st := range res.ColumnStatus {
		if st != Fallback || res.Shrinkage[s] != 1 {
			t.Errorf("constant band, column %d: status %v shrinkage %g; want fallback, 1", s, st, res.Shrinkage[s])
		}
	}
	few := *base
	few.data = append([]float32(nil), base.data...)
	for l := 5; l < lines; l++ {
		few.set(l, 1, 0, -9999)
	}
	opts = DefaultOptions()
	opts.HasNoData, opts.NoData = true, -9999
	res, err := MatchedFilter(context.Background(), &few, sc.wavelength, sc.fwhm, Methane(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.ColumnStatus[1] != TooFewPixels || res.BackgroundPixels[1] != 5 || res.ColumnStatus[0] != OK {
		t.Errorf("statuses %v, background pixels %v; want column 1 too-few with 5", res.ColumnStatus, res.BackgroundPixels)
	}
	if a := res.Enhancement[2*samples+1]; math.IsNaN(float64(a)) {
		t.Error("a valid pixel of the too-few column has no enhancement")
	}
	// A scene with no valid pixel at all is an error.
	for i := range few.data {
		few.data[i] = -9999
	}
	if _, err := MatchedFilter(context.Background(), &few, sc.wavelength, sc.fwhm, Methane(), opts); !errors.Is(err, ErrTooFewPixels) {
		t.Errorf("all no-data: err %v, want ErrTooFewPixels", err)
	}
}

func TestMatchedFilterErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	sc := newScene(30, 3, 6, rng)
	c := sc.render(rng, methaneAt(t, sc.wavelength, sc.fwhm), nil)
	ctx := context.Background()
	if _, err := MatchedFilter(ctx, c, sc.wavelength[:3], sc.fwhm, Methane(), DefaultOptions()); !errors.Is(err, ErrDims) {
		t.Errorf("short wavelengths: %v", err)
	}
	opts := DefaultOptions()
	opts.Windows = [][2]float64{{400, 700}}
	if _, err := MatchedFilter(ctx, c, sc.wavelength, sc.fwhm, Methane(), opts); !errors.Is(err, ErrDims) {
		t.Errorf("empty window: %v", err)
	}
	opts.Windows = [][2]float64{{2000, 3000}}
	wl := make([]float64, len(sc.wavelength))
	for i := range wl {
		wl[i] = 2550 + float64(i) // beyond the embedded methane spectrum
	}
	if _, err := MatchedFilter(ctx, c, wl, sc.fwhm, Methane(), opts); !errors.Is(err, ErrTarget) {
		t.Errorf("no band within the target: %v", err)
	}
	wl[0] = 2300
	if res, err := MatchedFilter(ctx, c, wl, sc.fwhm, Methane(), opts); err != nil || res.Target[1] != 0 || !(res.Target[0] > 0) {
		t.Errorf("bands beyond the target: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := MatchedFilter(cctx, c, sc.wavelength, sc.fwhm, Methane(), DefaultOptions()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	var calls, last, total int
	opts = DefaultOptions()
	opts.BlockLines = 7
	opts.Progress = func(d, tot int) { calls++; last, total = d, tot }
	if _, err := MatchedFilter(ctx, c, sc.wavelength, sc.fwhm, Methane(), opts); err != nil {
		t.Fatal(err)
	}
	if calls != 2*5 || last != 60 || total != 60 {
		t.Errorf("progress: %d calls, last %d of %d; want 10, 60 of 60", calls, last, total)
	}
}

// TestLineStride: with LineStride 2 the background comes from half the
// lines, every pixel is still filtered, and σ stays close.
func TestLineStride(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const lines, samples, p = 400, 4, 20
	sc := newScene(lines, samples, p, rng)
	c := sc.render(rng, methaneAt(t, sc.wavelength, sc.fwhm), nil)
	opts := DefaultOptions()
	full, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.LineStride = 2
	half, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s < samples; s++ {
		if half.BackgroundPixels[s] != lines/2 {
			t.Errorf("column %d: %d background pixels, want %d", s, half.BackgroundPixels[s], lines/2)
		}
		var a []float64
		for l := 0; l < lines; l++ {
			a = append(a, float64(half.Enhancement[l*samples+s]))
		}
		_, sd := meanStd(a)
		sf, sh := float64(full.Sigma[s]), float64(half.Sigma[s])
		t.Logf("column %d: σ all lines %.1f, every 2nd line %.1f, spread over all pixels %.1f ppm·m", s, sf, sh, sd)
		if math.Abs(sh-sf) > 0.1*sf || math.Abs(sd-sh) > 0.15*sh {
			t.Errorf("column %d: σ %.1f (stride 2) vs %.1f, spread %.1f", s, sh, sf, sd)
		}
	}
}

// TestFlareMask: a pixel far brighter at 2.2 µm than at 1.6 µm, and than
// the scene, is a flare; it and its neighbours (grown by SaturationGrow)
// leave the background.
func TestFlareMask(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const lines, samples, p = 60, 5, 14
	sc := newScene(lines, samples, p, rng)
	sc.wavelength[0] = 1600 // outside the 2100–2500 nm window, read for the flare test only
	c := sc.render(rng, methaneAt(t, sc.wavelength, sc.fwhm), nil)
	b22 := nearestBand(sc.wavelength, 2200)
	for b := 1; b < p; b++ {
		c.set(30, 2, b, c.at(30, 2, b)*8) // hot in the SWIR
	}
	c.set(30, 2, 0, 1) // and dim at 1.6 µm
	if !(c.at(30, 2, b22) > 3*float32(sc.mean[b22])) {
		t.Fatal("test flare not bright enough")
	}
	opts := DefaultOptions()
	opts.FlareMask, opts.SaturationGrow = true, 1
	res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Bands[0] == 0 {
		t.Error("the 1.6 µm band entered the filter")
	}
	for l := 0; l < lines; l++ {
		for s := 0; s < samples; s++ {
			in := abs(l-30) <= 1 && abs(s-2) <= 1
			if got := res.Mask[l*samples+s] == MaskFlare; got != in {
				t.Errorf("pixel (%d,%d): flare %v, want %v", l, s, got, in)
			}
		}
	}
	if res.BackgroundPixels[2] != lines-3 || res.BackgroundPixels[0] != lines {
		t.Errorf("background pixels %v, want %d in columns 1–3", res.BackgroundPixels, lines-3)
	}
}

// TestOptionCombinations runs every combination of mode, ACE, albedo,
// re-estimation, masks and worker counts on a small scene with a plume,
// checking that every output is finite, σ positive, ACE in [0, 1], and the
// plume stands out.
func TestOptionCombinations(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	const lines, samples, p = 90, 7, 16
	sc := newScene(lines, samples, p, rng)
	tb := methaneAt(t, sc.wavelength, sc.fwhm)
	enh := make([]float64, lines*samples)
	for l := 40; l < 44; l++ {
		for s := 2; s < 5; s++ {
			enh[l*samples+s] = 1500
		}
	}
	c := sc.render(rng, tb, enh)
	for combo := 0; combo < 64; combo++ {
		opts := DefaultOptions()
		if combo&1 != 0 {
			opts.Mode = Scene
		}
		opts.ACE = combo&2 != 0
		opts.Albedo = combo&4 != 0
		opts.Reestimate = combo&8 != 0
		if combo&16 != 0 {
			opts.HasSaturation, opts.Saturation, opts.SaturationGrow = true, 1e6, 2
			opts.FlareMask = true
		}
		opts.Workers = 1 + (combo>>5)*5 // 1 or 6 (more than a sample range can hold evenly)
		opts.BlockLines = 1 + combo%13
		res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
		if err != nil {
			t.Fatalf("combo %d: %v", combo, err)
		}
		var plume, bg []float64
		for i, a := range res.Enhancement {
			s := res.Sigma[i]
			if math.IsNaN(float64(a)) || math.IsInf(float64(a), 0) || !(s > 0) {
				t.Fatalf("combo %d pixel %d: α̂ %g σ %g", combo, i, a, s)
			}
			if res.ACE != nil && !(res.ACE[i] >= 0 && res.ACE[i] <= 1.0001) {
				t.Fatalf("combo %d pixel %d: ACE %g", combo, i, res.ACE[i])
			}
			if enh[i] > 0 {
				plume = append(plume, float64(a/s))
			} else {
				bg = append(bg, float64(a/s))
			}
		}
		pm, _ := meanStd(plume)
		bm, bs := meanStd(bg)
		if pm < bm+5*bs {
			t.Errorf("combo %d: plume at %.1fσ, background %.1f ± %.1f", combo, pm, bm, bs)
		}
		if opts.ACE != (res.ACE != nil) {
			t.Errorf("combo %d: ACE %v but result has it: %v", combo, opts.ACE, res.ACE != nil)
		}
	}
}

// TestLiteMaskPass checks that the flare mask read from its two bands
// alone (the window bands' no-data found by the statistics pass) gives
// the full mask pass's result bit for bit: with no no-data, with no-data
// pixels in window bands away from the flare (no second statistics
// pass), and with the flare itself missing a window band, which takes
// its flags away and sums the statistics again; in column and scene mode.
func TestLiteMaskPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	const lines, samples, p = 80, 6, 14
	sc := newScene(lines, samples, p, rng)
	sc.wavelength[0] = 1600
	base := sc.render(rng, methaneAt(t, sc.wavelength, sc.fwhm), nil)
	flare := func(c *memCube, l, s int) {
		for b := 1; b < p; b++ {
			c.set(l, s, b, c.at(l, s, b)*8)
		}
		c.set(l, s, 0, 1)
	}
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name   string
		edit   func(c *memCube)
		reread bool
	}{
		{"clean", func(c *memCube) { flare(c, 30, 2) }, false},
		{"no-data-apart", func(c *memCube) {
			flare(c, 30, 2)
			c.set(60, 4, 5, nan)
			c.set(10, 0, p-1, float32(math.Inf(1)))
		}, false},
		{"no-data-flare", func(c *memCube) {
			flare(c, 30, 2)
			flare(c, 50, 3)
			c.set(50, 3, 7, nan) // a flare without data: no flags, no growth
		}, true},
	} {
		for _, mode := range []Mode{Column, Scene} {
			t.Run(tc.name+"/"+mode.String(), func(t *testing.T) {
				c := &memCube{lines: lines, samples: samples, bands: p, data: append([]float32(nil), base.data...)}
				tc.edit(c)
				opts := DefaultOptions()
				opts.Mode = mode
				opts.FlareMask, opts.SaturationGrow, opts.Reestimate = true, 1, true
				run := func(lite bool) (*Result, int) {
					t.Helper()
					defer func(v bool) { liteMaskPass = v }(liteMaskPass)
					liteMaskPass = lite
					var last, total int
					o := opts
					o.Progress = func(d, tot int) { last, total = d, tot }
					res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), o)
					if err != nil {
						t.Fatal(err)
					}
					if last != total {
						t.Errorf("progress: last %d of %d", last, total)
					}
					return res, total
				}
				want, wantTotal := run(false)
				got, gotTotal := run(true)
				extra := 0
				if tc.reread {
					extra = lines
				}
				if gotTotal != wantTotal+extra {
					t.Errorf("lite pass read %d lines in all, want %d", gotTotal, wantTotal+extra)
				}
				flares := 0
				for i := range want.Mask {
					if got.Mask[i] != want.Mask[i] {
						t.Fatalf("pixel %d: mask %#x, want %#x", i, got.Mask[i], want.Mask[i])
					}
					if want.Mask[i]&MaskFlare != 0 {
						flares++
					}
					if math.Float32bits(got.Enhancement[i]) != math.Float32bits(want.Enhancement[i]) ||
						math.Float32bits(got.Sigma[i]) != math.Float32bits(want.Sigma[i]) {
						t.Fatalf("pixel %d: α̂ %g σ %g, want %g, %g", i, got.Enhancement[i], got.Sigma[i], want.Enhancement[i], want.Sigma[i])
					}
				}
				if flares != 9 {
					t.Errorf("%d flare pixels, want the 3×3 around one flare", flares)
				}
			})
		}
	}
}

// TestGrow checks the dilation of the saturation and flare flags against
// a direct one (every pixel within g, Chebyshev distance, of a flagged
// pixel with data gets the flag unless it has no data), with few seeds
// (marked square by square) and many (the separable prefix counts).
func TestGrow(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	const lines, samples = 40, 31
	for _, density := range []float64{0.003, 0.2} {
		for _, g := range []int{1, 2} {
			mask := make([]uint8, lines*samples)
			for i := range mask {
				switch u := rng.Float64(); {
				case u < density:
					mask[i] = MaskSaturated
				case u < 2*density:
					mask[i] = MaskFlare
				case u < 2*density+0.05:
					mask[i] = MaskNoData
				}
			}
			mask[7] = MaskNoData | MaskFlare // no data: spreads nothing
			want := append([]uint8(nil), mask...)
			for l := 0; l < lines; l++ {
				for s := 0; s < samples; s++ {
					i := l*samples + s
					if mask[i]&MaskNoData != 0 {
						continue
					}
					for ll := max(0, l-g); ll <= min(lines-1, l+g); ll++ {
						for ss := max(0, s-g); ss <= min(samples-1, s+g); ss++ {
							if m := mask[ll*samples+ss]; m&MaskNoData == 0 {
								want[i] |= m & (MaskSaturated | MaskFlare)
							}
						}
					}
				}
			}
			grow(mask, lines, samples, g, MaskSaturated|MaskFlare)
			for i := range want {
				if mask[i] != want[i] {
					t.Fatalf("density %g, g %d: pixel %d: %#x, want %#x", density, g, i, mask[i], want[i])
				}
			}
		}
	}
}
