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
