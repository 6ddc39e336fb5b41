package spectral

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// viewCube is a memCube that lends its lines in place (a lineViewer), as
// envi.Cube does for a mapped BIL float32 file, and keeps count of the
// views it lent and those still out.
type viewCube struct {
	*memCube
	mu        sync.Mutex
	lent, out int
	most      int
}

func (c *viewCube) ViewFloat32(line0, n, b0, b1 int) ([]float32, bool) {
	if line0 < 0 || n <= 0 || line0+n > c.lines || b0 < 0 || b1 > c.bands || b0 >= b1 {
		return nil, false
	}
	c.mu.Lock()
	c.lent++
	c.out++
	c.most = max(c.most, c.out)
	c.mu.Unlock()
	per := c.bands * c.samples
	return c.data[line0*per : (line0+n)*per], true
}

func (c *viewCube) ReleaseView([]float32) {
	c.mu.Lock()
	c.out--
	c.mu.Unlock()
}

// TestLineViews checks that the passes give the same bits from views of
// the cube's lines as from copies of its bands, with and without the
// mask pass, re-estimation, ACE and albedo, in column and scene mode and
// over slabs of columns; that a window of non-consecutive bands is
// copied; and that at most the two blocks in flight are ever lent, all
// of them given back.
func TestLineViews(t *testing.T) {
	c, sc := reestimateScene(t, 24)
	for l := 40; l < 44; l++ {
		for b := range sc.wavelength {
			c.set(l, 7, b, 50+float32(b)) // a bright flare, and saturated
		}
	}
	for _, tc := range []struct {
		name    string
		windows [][2]float64
		set     func(*Options)
		copied  bool
	}{
		{"default", nil, func(*Options) {}, false},
		{"masks-reestimate", [][2]float64{{2150, 2450}}, func(o *Options) {
			o.FlareMask, o.HasSaturation, o.Saturation, o.SaturationGrow = true, true, 40, 1
			o.Reestimate = true
		}, false},
		{"ace-albedo-scene", nil, func(o *Options) { o.ACE, o.Albedo, o.Mode = true, true, Scene }, false},
		{"slabs", nil, func(o *Options) { o.Reestimate = true }, false},
		{"two-windows", [][2]float64{{2100, 2200}, {2300, 2500}}, func(o *Options) { o.FlareMask = true }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.Windows = tc.windows
			opts.BlockLines = 16
			tc.set(&opts)
			if tc.name == "slabs" {
				defer func(b int) { crossBudget = b }(crossBudget)
				crossBudget = 3 * 8 * newCrossLayout(24).size()
			}
			want, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
			if err != nil {
				t.Fatal(err)
			}
			vc := &viewCube{memCube: c}
			got, err := MatchedFilter(context.Background(), vc, sc.wavelength, sc.fwhm, Methane(), opts)
			if err != nil {
				t.Fatal(err)
			}
			same := func(name string, a, b []float32) {
				t.Helper()
				if len(a) != len(b) {
					t.Fatalf("%s: %d values, want %d", name, len(a), len(b))
				}
				for i := range a {
					if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
						t.Fatalf("%s: pixel %d: %g from views, %g from copies", name, i, a[i], b[i])
					}
				}
			}
			same("enhancement", got.Enhancement, want.Enhancement)
			same("sigma", got.Sigma, want.Sigma)
			same("ace", got.ACE, want.ACE)
			masked := 0
			for i := range want.Mask {
				if got.Mask[i] != want.Mask[i] {
					t.Fatalf("pixel %d: mask %#x from views, %#x from copies", i, got.Mask[i], want.Mask[i])
				}
				if want.Mask[i]&(MaskFlare|MaskSaturated) != 0 {
					masked++
				}
			}
			if opts.FlareMask && masked == 0 {
				t.Error("the flare was not masked")
			}
			if tc.copied != (vc.lent == 0) {
				t.Errorf("%d views lent, want views %v", vc.lent, !tc.copied)
			}
			if vc.out != 0 || vc.most > 2 {
				t.Errorf("%d views not given back, at most %d out at once; want 0 and at most 2", vc.out, vc.most)
			}
			t.Logf("%d views lent, %d flare or saturated pixels", vc.lent, masked)
		})
	}
}

// TestSchedules checks that in column mode the result does not depend on
// how the columns fall to the workers: 1, 2, 3 and 7 workers, which take
// chunks of columns as they free up, give the same bits, with
// re-estimation by downdating (whose records are summed in pixel order)
// and with its records overflowing.
func TestSchedules(t *testing.T) {
	rng := rand.New(rand.NewPCG(97, 98))
	const lines, samples, p = 120, 150, 20
	sc := newScene(lines, samples, p, rng)
	tb := methaneAt(t, sc.wavelength, sc.fwhm)
	enh := make([]float64, lines*samples)
	for l := 50; l < 70; l++ {
		for s := 60; s < 90; s++ {
			enh[l*samples+s] = 1500
		}
	}
	c := sc.render(rng, tb, enh)
	for _, budget := range []int{reestimateBudget, 4 * p * 10} {
		var first *Result
		for _, workers := range []int{1, 2, 3, 7} {
			func() {
				defer func(b int) { reestimateBudget = b }(reestimateBudget)
				reestimateBudget = budget
				opts := DefaultOptions()
				opts.Reestimate, opts.Workers, opts.BlockLines = true, workers, 16
				res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
				if err != nil {
					t.Fatal(err)
				}
				if first == nil {
					first = res
					return
				}
				for i := range res.Enhancement {
					if math.Float32bits(res.Enhancement[i]) != math.Float32bits(first.Enhancement[i]) ||
						math.Float32bits(res.Sigma[i]) != math.Float32bits(first.Sigma[i]) || res.Mask[i] != first.Mask[i] {
						t.Fatalf("budget %d, %d workers: pixel %d: α̂ %g σ %g mask %#x; 1 worker: %g, %g, %#x", budget, workers, i,
							res.Enhancement[i], res.Sigma[i], res.Mask[i], first.Enhancement[i], first.Sigma[i], first.Mask[i])
					}
				}
			}()
		}
	}
}
