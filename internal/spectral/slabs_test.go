package spectral

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSlabs runs column mode with the cross-products in one piece and in
// slabs of columns (a small crossBudget): with every column on its own
// background the results must be identical, bit for bit; with a column
// short of pixels (which takes the scene's background, pooled slab by
// slab) equal within rounding; and a leave-one-out column short of
// pixels must fall back to one piece.
func TestSlabs(t *testing.T) {
	const lines, samples, p = 150, 12, 30
	rng := rand.New(rand.NewPCG(41, 42))
	sc := newScene(lines, samples, p, rng)
	c := sc.render(rng, methaneAt(t, sc.wavelength, sc.fwhm), nil)
	opts := DefaultOptions()
	opts.ShrinkageColumns = 4 // columns 1, 4, 7, 10
	opts.Windows = [][2]float64{{0, 3000}}
	run := func(budget int) (*Result, int) {
		old := crossBudget
		crossBudget = budget
		defer func() { crossBudget = old }()
		var total int
		o := opts
		o.Progress = func(_, tot int) { total = tot }
		res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), o)
		if err != nil {
			t.Fatal(err)
		}
		return res, total
	}
	per := newCrossLayout(p).size() * 8
	same := func(name string, a, b *Result, tol float64) {
		t.Helper()
		for i := range a.Enhancement {
			ea, eb := float64(a.Enhancement[i]), float64(b.Enhancement[i])
			sa, sb := float64(a.Sigma[i]), float64(b.Sigma[i])
			if math.IsNaN(ea) != math.IsNaN(eb) || math.Abs(ea-eb) > tol*(1+math.Abs(eb)) || math.Abs(sa-sb) > tol*sb {
				t.Fatalf("%s: pixel %d: α̂ %g σ %g in slabs, %g σ %g in one piece", name, i, ea, sa, eb, sb)
			}
		}
		for s := range a.ColumnStatus {
			if a.ColumnStatus[s] != b.ColumnStatus[s] || math.Abs(a.Shrinkage[s]-b.Shrinkage[s]) > tol*b.Shrinkage[s] ||
				a.BackgroundPixels[s] != b.BackgroundPixels[s] {
				t.Fatalf("%s: column %d: status %v/%v, shrinkage %g/%g, pixels %d/%d", name, s,
					a.ColumnStatus[s], b.ColumnStatus[s], a.Shrinkage[s], b.Shrinkage[s], a.BackgroundPixels[s], b.BackgroundPixels[s])
			}
		}
	}
	one, total1 := run(1 << 30)
	three, total3 := run(samples * per / 3)
	if total3 != total1+2*lines {
		t.Errorf("progress total %d in three slabs, want %d", total3, total1+2*lines)
	}
	same("every column", three, one, 0)

	// Column 6 (not a leave-one-out column) keeps 10 valid pixels.
	for l := 10; l < lines; l++ {
		c.set(l, 6, 0, float32(math.NaN()))
	}
	one, _ = run(1 << 30)
	three, _ = run(samples * per / 3)
	if one.ColumnStatus[6] != TooFewPixels {
		t.Fatalf("column 6 status %v, want TooFewPixels", one.ColumnStatus[6])
	}
	same("scene background for column 6", three, one, 1e-5)

	// Leave-one-out column 4 short of pixels: one piece again.
	for l := 10; l < lines; l++ {
		c.set(l, 4, 0, float32(math.NaN()))
	}
	one, _ = run(1 << 30)
	three, _ = run(samples * per / 3)
	same("leave-one-out column 4 short", three, one, 0)
}

// TestSlabReestimate checks the re-estimation over slabs of columns
// (slabReestimate): by downdating it gives the one-piece downdating
// path's result bit for bit, and the full second statistics pass's
// within TestDowndateMatchesFullPass's tolerances, reading the cube three
// times per slab; when the excluded pixels overflow their records it
// reads the slab's statistics again and gives the full pass's result bit
// for bit; and a column left with too few pixels falls back to the full
// passes, bit for bit.
func TestSlabReestimate(t *testing.T) {
	c, sc := reestimateScene(t, 24)
	lines, samples, _ := c.Dims()
	threeCols := 3 * 8 * newCrossLayout(24).size()
	type run struct {
		res         *Result
		last, total int
	}
	filter := func(t *testing.T, budget int, down bool, reestBudget, minPixels int) run {
		t.Helper()
		defer func(c, r int, d bool) { crossBudget, reestimateBudget, downdateReestimate = c, r, d }(crossBudget, reestimateBudget, downdateReestimate)
		crossBudget, reestimateBudget, downdateReestimate = budget, reestBudget, down
		opts := DefaultOptions()
		opts.Reestimate = true
		opts.MinPixels = minPixels
		var out run
		opts.Progress = func(d, tot int) { out.last, out.total = d, tot }
		res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
		if err != nil {
			t.Fatal(err)
		}
		out.res = res
		return out
	}
	identical := func(t *testing.T, got, want *Result) {
		t.Helper()
		for i := range want.Enhancement {
			ga, wa := got.Enhancement[i], want.Enhancement[i]
			gs, ws := got.Sigma[i], want.Sigma[i]
			if math.Float32bits(ga) != math.Float32bits(wa) || math.Float32bits(gs) != math.Float32bits(ws) || got.Mask[i] != want.Mask[i] {
				t.Fatalf("pixel %d: α̂ %g σ %g mask %#x, want %g, %g, %#x", i, ga, gs, got.Mask[i], wa, ws, want.Mask[i])
			}
		}
		for s := range want.ColumnStatus {
			if got.ColumnStatus[s] != want.ColumnStatus[s] || got.Shrinkage[s] != want.Shrinkage[s] || got.BackgroundPixels[s] != want.BackgroundPixels[s] {
				t.Fatalf("column %d: status %v, shrinkage %g, %d pixels; want %v, %g, %d", s,
					got.ColumnStatus[s], got.Shrinkage[s], got.BackgroundPixels[s], want.ColumnStatus[s], want.Shrinkage[s], want.BackgroundPixels[s])
			}
		}
	}
	progress := func(t *testing.T, r run, want int) {
		t.Helper()
		if r.last != want || r.total != want {
			t.Errorf("progress: last %d of %d, want %d of %d", r.last, r.total, want, want)
		}
	}
	t.Run("downdate", func(t *testing.T) {
		slab := filter(t, threeCols, true, reestimateBudget, 20)
		progress(t, slab, 9*lines) // three slabs: statistics and two apply passes each
		one := filter(t, 1<<30, true, reestimateBudget, 20)
		identical(t, slab.res, one.res)
		full := filter(t, threeCols, false, reestimateBudget, 20)
		progress(t, full, 8*lines) // statistics ×3, apply, statistics ×3, apply
		worstS, sumA2, n := 0.0, 0.0, 0
		plume := 0
		for i, a := range full.res.Enhancement {
			if full.res.Mask[i] != slab.res.Mask[i] {
				t.Fatalf("pixel %d: mask %#x, want %#x", i, slab.res.Mask[i], full.res.Mask[i])
			}
			if full.res.Mask[i]&MaskPlume != 0 {
				plume++
			}
			if math.IsNaN(float64(a)) {
				continue
			}
			s := float64(full.res.Sigma[i])
			ea := (float64(slab.res.Enhancement[i]) - float64(a)) / s
			worstS = max(worstS, math.Abs(float64(slab.res.Sigma[i])-s)/s)
			sumA2 += ea * ea
			n++
		}
		rms := math.Sqrt(sumA2 / float64(n))
		t.Logf("%d plume pixels; against the full pass: α̂ RMS %.2g σ, σ worst %.2g", plume, rms, worstS)
		if plume < 30 {
			t.Fatalf("%d pixels excluded, want the plume's", plume)
		}
		if rms > 0.02 || worstS > 0.005 {
			t.Errorf("α̂ RMS difference %.2g σ, σ worst %.2g: beyond 0.02, 0.005", rms, worstS)
		}
	})
	t.Run("overflow", func(t *testing.T) {
		slab := filter(t, threeCols, true, 0, 20)
		// Each slab that excludes a pixel reads its statistics again.
		if slab.last != slab.total || slab.total <= 9*lines || slab.total > 12*lines {
			t.Errorf("progress: last %d of %d, want all of 9–12 × %d", slab.last, slab.total, lines)
		}
		full := filter(t, threeCols, false, reestimateBudget, 20)
		identical(t, slab.res, full.res)
	})
	t.Run("few-pixels", func(t *testing.T) {
		slab := filter(t, threeCols, true, reestimateBudget, 290)
		if slab.last != slab.total {
			t.Errorf("progress: last %d of %d, want all", slab.last, slab.total)
		}
		full := filter(t, threeCols, false, reestimateBudget, 290)
		identical(t, slab.res, full.res)
		few := 0
		for _, st := range full.res.ColumnStatus {
			if st == TooFewPixels {
				few++
			}
		}
		if few == 0 || few == samples {
			t.Fatalf("%d of %d columns with too few pixels, want some", few, samples)
		}
	})
}
