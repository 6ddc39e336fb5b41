package spectral

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// reestimateScene is a small cube with a strong plume over a few columns,
// so that the re-estimation excludes its pixels, and a no-data pixel.
func reestimateScene(t *testing.T, p int) (*memCube, *scene) {
	t.Helper()
	rng := rand.New(rand.NewPCG(71, 72))
	const lines, samples = 300, 9
	sc := newScene(lines, samples, p, rng)
	tb := methaneAt(t, sc.wavelength, sc.fwhm)
	enh := make([]float64, lines*samples)
	for l := 120; l < 140; l++ {
		for s := 2; s < 6; s++ {
			enh[l*samples+s] = 2000
		}
	}
	c := sc.render(rng, tb, enh)
	c.set(10, 3, 0, float32(math.NaN()))
	return c, sc
}

// TestDowndateStatistics checks that downdating pass 1's totals by the
// excluded pixels gives the statistics of a full accumulation over the
// remaining ones: the same counts, and means and scatter matrices equal
// to within float64 rounding, in both cross-product paths (float64 below
// singleMinBands, float32 blocks from it on) and in scene mode.
func TestDowndateStatistics(t *testing.T) {
	for _, tc := range []struct {
		p      int
		mode   Mode
		stride int
	}{
		{12, Column, 1}, {24, Column, 1}, {24, Column, 2}, {24, Scene, 1}, {12, Scene, 1},
	} {
		t.Run(fmt.Sprintf("p=%d/%v/stride=%d", tc.p, tc.mode, tc.stride), func(t *testing.T) {
			c, sc := reestimateScene(t, tc.p)
			opts := DefaultOptions()
			opts.Mode = tc.mode
			opts.Reestimate = true
			opts.LineStride = tc.stride
			opts.Workers = 2
			opts.BlockLines = 7
			res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
			if err != nil {
				t.Fatal(err)
			}
			lines, ns, _ := c.Dims()
			r := &runner{
				ctx: context.Background(), cube: c, opts: opts,
				res:   &Result{Mask: make([]uint8, lines*ns), Target: res.Target},
				lines: lines, samples: ns, p: len(res.Bands), used: res.Bands,
			}
			defer r.release()
			p := r.p
			for i, m := range res.Mask {
				r.res.Mask[i] = m &^ MaskPlume
			}
			before, err := r.statsPass(0, ns)
			if err != nil {
				t.Fatal(err)
			}
			// Record the excluded background pixels, and draw the
			// subsamples again, as the first apply pass does: the whole
			// cube as one block.
			r.groups = before
			r.startRecording()
			block := make([]float32, lines*p*ns)
			if err := c.ReadBlock(0, lines, res.Bands, block); err != nil {
				t.Fatal(err)
			}
			excluded := 0
			for i, m := range res.Mask {
				if l := i / ns; m == MaskPlume && l%tc.stride == 0 {
					r.recs[0].record(i, block, l*p*ns+i%ns, ns, p)
					excluded++
				}
			}
			if excluded < 30 {
				t.Fatalf("%d pixels excluded, want the plume's", excluded)
			}
			copy(r.res.Mask, res.Mask)
			for l0 := 0; l0 < lines; l0 += opts.BlockLines {
				n := min(opts.BlockLines, lines-l0)
				blk := block[l0*p*ns : (l0+n)*p*ns]
				k := lineBlock{data: blk, line: p * ns, off: []int{0}}
				r.parallel(func(w, s0, s1 int) { r.resample(k, l0, n, w, s0, s1) })
			}
			if r.downdate() == nil {
				t.Fatal("downdate refused")
			}
			r.crossBuf = nil
			after, err := r.statsPass(0, ns)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Fatalf("%d groups, want %d", len(before), len(after))
			}
			// Below singleMinBands both are float64 throughout; from it on
			// the full pass forms each block's products in float32 (the
			// downdate subtracts float64 ones), whose rounding, about 2⁻²⁴
			// of a block's sum, bounds the agreement.
			tol := 1e-9
			if p >= singleMinBands {
				tol = 1e-6
			}
			worst := 0.0
			for k := range after {
				got, want := before[k].finish(p, nil), after[k].finish(p, nil)
				if got.n != want.n {
					t.Fatalf("group %d: %d pixels after downdating, want %d", k, got.n, want.n)
				}
				if tc.mode == Column && res.BackgroundPixels[k] != want.n {
					t.Errorf("group %d: result reports %d background pixels, want %d", k, res.BackgroundPixels[k], want.n)
				}
				for b := 0; b < p; b++ {
					if e := math.Abs(got.mean[b]-want.mean[b]) / math.Abs(want.mean[b]); e > 1e-9 {
						t.Errorf("group %d band %d: mean %g, want %g", k, b, got.mean[b], want.mean[b])
					}
				}
				// Relative to the diagonal scale, as the filter sees the
				// covariance.
				for i := 0; i < p; i++ {
					for j := i; j < p; j++ {
						scale := math.Sqrt(want.m2[i*p+i] * want.m2[j*p+j])
						e := math.Abs(got.m2[i*p+j]-want.m2[i*p+j]) / scale
						worst = max(worst, e)
						if e > tol {
							t.Errorf("group %d (%d, %d): scatter %g, want %g", k, i, j, got.m2[i*p+j], want.m2[i*p+j])
						}
					}
				}
				if len(got.sub) != len(want.sub) {
					t.Fatalf("group %d: leave-one-out subsample of %d values, want %d", k, len(got.sub), len(want.sub))
				}
				for i, v := range want.sub {
					if got.sub[i] != v {
						t.Fatalf("group %d: leave-one-out subsample differs at %d", k, i)
					}
				}
			}
			t.Logf("%d pixels excluded; worst scatter difference %.2g of the diagonal scale", excluded, worst)
		})
	}
}

// TestDowndateMatchesFullPass checks that the re-estimation by
// downdating gives the enhancement of a full second statistics pass: the
// same plume mask and background counts, and α̂ and σ equal to within
// rounding: below singleMinBands to 10⁻⁴ σ; from it on the full pass
// forms its block products in float32 over other blocks of pixels, so
// the tolerance is TestSinglePrecisionCrossProducts's (σ within 0.5 %, α̂
// RMS within 2 % of σ).
func TestDowndateMatchesFullPass(t *testing.T) {
	for _, p := range []int{12, 24} {
		for _, mode := range []Mode{Column, Scene} {
			for _, albedo := range []bool{false, true} {
				t.Run(fmt.Sprintf("p=%d/%v/albedo=%v", p, mode, albedo), func(t *testing.T) {
					c, sc := reestimateScene(t, p)
					opts := DefaultOptions()
					opts.Mode = mode
					opts.Reestimate = true
					opts.Albedo = albedo
					opts.ShrinkageColumns = 9 // every column its own choice
					run := func(down bool) *Result {
						t.Helper()
						defer func(v bool) { downdateReestimate = v }(downdateReestimate)
						downdateReestimate = down
						res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
						if err != nil {
							t.Fatal(err)
						}
						return res
					}
					old, got := run(false), run(true)
					for k, n := range old.BackgroundPixels {
						if got.BackgroundPixels[k] != n {
							t.Errorf("background %d: %d pixels, want %d", k, got.BackgroundPixels[k], n)
						}
					}
					worstA, worstS, sumA2, nA := 0.0, 0.0, 0.0, 0
					for i := range old.Enhancement {
						if old.Mask[i] != got.Mask[i] {
							t.Errorf("pixel %d: mask %#x, want %#x", i, got.Mask[i], old.Mask[i])
						}
						a0, s0 := float64(old.Enhancement[i]), float64(old.Sigma[i])
						a1, s1 := float64(got.Enhancement[i]), float64(got.Sigma[i])
						if math.IsNaN(a0) || math.IsNaN(a1) {
							if math.IsNaN(a0) != math.IsNaN(a1) {
								t.Errorf("pixel %d: α̂ %g, want %g", i, a1, a0)
							}
							continue
						}
						ea, es := math.Abs(a1-a0)/s0, math.Abs(s1-s0)/s0
						worstA, worstS = max(worstA, ea), max(worstS, es)
						sumA2 += ea * ea
						nA++
					}
					rms := math.Sqrt(sumA2 / float64(nA))
					t.Logf("α̂ difference RMS %.2g σ, worst %.2g σ; σ worst %.2g", rms, worstA, worstS)
					tolS, tolA := 1e-4, 1e-4
					if p >= singleMinBands {
						tolS, tolA = 0.005, 0.02
					}
					if worstS > tolS || rms > tolA || (p < singleMinBands && worstA > tolA) {
						t.Errorf("α̂ difference RMS %.2g σ, worst %.2g σ; σ worst %.2g: beyond %g, %g", rms, worstA, worstS, tolA, tolS)
					}
				})
			}
		}
	}
}

// TestDowndateFallbacks checks the cases that leave the downdating path:
// more excluded pixels than reestimateBudget holds (a full second
// statistics pass, bit for bit the old result), and columns that the
// exclusion leaves with fewer than MinPixels pixels (the scene's filter,
// as a full pass gives). TestSlabReestimate covers column slabs.
func TestDowndateFallbacks(t *testing.T) {
	c, sc := reestimateScene(t, 24)
	for _, tc := range []struct {
		name      string
		budget    int
		minPixels int
	}{
		{"overflow", 1, 20},
		{"few-pixels", reestimateBudget, 290},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.Reestimate = true
			opts.MinPixels = tc.minPixels
			lines, _, _ := c.Dims()
			run := func(down bool) *Result {
				t.Helper()
				defer func(v bool, b int) { downdateReestimate, reestimateBudget = v, b }(downdateReestimate, reestimateBudget)
				downdateReestimate, reestimateBudget = down, tc.budget
				var last, total int
				opts.Progress = func(d, tot int) { last, total = d, tot }
				res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
				if err != nil {
					t.Fatal(err)
				}
				// Statistics, apply, (statistics,) apply: the downdating
				// path reads the cube three times, the full one four.
				want := 4 * lines
				if down && tc.budget > 1 {
					want = 3 * lines
				}
				if last != want || total != want {
					t.Errorf("progress: last %d of %d, want %d of %d", last, total, want, want)
				}
				return res
			}
			old, got := run(false), run(true)
			few := 0
			for s, st := range old.ColumnStatus {
				if got.ColumnStatus[s] != st || got.BackgroundPixels[s] != old.BackgroundPixels[s] {
					t.Errorf("column %d: status %v with %d pixels, want %v with %d", s, got.ColumnStatus[s], got.BackgroundPixels[s], st, old.BackgroundPixels[s])
				}
				if st == TooFewPixels {
					few++
				}
			}
			if tc.minPixels > 20 && few == 0 {
				t.Fatal("no column fell below MinPixels")
			}
			worst := 0.0
			for i := range old.Enhancement {
				if old.Mask[i] != got.Mask[i] {
					t.Fatalf("pixel %d: mask %#x, want %#x", i, got.Mask[i], old.Mask[i])
				}
				a0, a1 := float64(old.Enhancement[i]), float64(got.Enhancement[i])
				if math.IsNaN(a0) && math.IsNaN(a1) {
					continue // the no-data pixel
				}
				if d := math.Abs(a1-a0) / float64(old.Sigma[i]); d > worst || math.IsNaN(d) {
					worst = d
				}
			}
			t.Logf("%d columns with too few pixels; worst α̂ difference %.2g σ", few, worst)
			if tc.budget == 1 && worst != 0 {
				t.Errorf("full pass: α̂ differs from the full pass by up to %g σ", worst)
			}
			if !(worst <= 0.05) {
				t.Errorf("α̂ differs from the full pass by up to %g σ", worst)
			}
		})
	}
}

// TestRebuildReuse checks that the rebuild after downdating, which keeps
// the leave-one-out choice and the filter of columns that lost no pixel,
// gives the bits of a rebuild of every column, in one piece and over
// slabs of columns, and that the scene has such columns.
func TestRebuildReuse(t *testing.T) {
	c, sc := reestimateScene(t, 24)
	for _, slabs := range []bool{false, true} {
		t.Run(fmt.Sprintf("slabs=%v", slabs), func(t *testing.T) {
			if slabs {
				defer func(b int) { crossBudget = b }(crossBudget)
				crossBudget = 3 * 8 * newCrossLayout(24).size()
			}
			run := func(reuse bool) *Result {
				t.Helper()
				defer func(v bool) { reuseUnchanged = v }(reuseUnchanged)
				reuseUnchanged = reuse
				opts := DefaultOptions()
				opts.Reestimate = true
				res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			all, got := run(false), run(true)
			_, ns, _ := c.Dims()
			lost := make([]int, ns)
			for i := range all.Enhancement {
				if math.Float32bits(got.Enhancement[i]) != math.Float32bits(all.Enhancement[i]) ||
					math.Float32bits(got.Sigma[i]) != math.Float32bits(all.Sigma[i]) || got.Mask[i] != all.Mask[i] {
					t.Fatalf("pixel %d: α̂ %g σ %g mask %#x, want %g, %g, %#x", i, got.Enhancement[i], got.Sigma[i], got.Mask[i],
						all.Enhancement[i], all.Sigma[i], all.Mask[i])
				}
				if all.Mask[i] == MaskPlume {
					lost[i%ns]++
				}
			}
			for s := range all.ColumnStatus {
				if got.ColumnStatus[s] != all.ColumnStatus[s] || got.Shrinkage[s] != all.Shrinkage[s] || got.BackgroundPixels[s] != all.BackgroundPixels[s] {
					t.Fatalf("column %d: status %v shrinkage %g pixels %d, want %v, %g, %d", s, got.ColumnStatus[s], got.Shrinkage[s],
						got.BackgroundPixels[s], all.ColumnStatus[s], all.Shrinkage[s], all.BackgroundPixels[s])
				}
			}
			if !slices.Contains(lost, 0) || slices.Equal(lost, make([]int, ns)) {
				t.Fatalf("pixels lost per column %v: want some columns with and some without", lost)
			}
		})
	}
}
