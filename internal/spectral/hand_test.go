package spectral

import (
	"context"
	"math"
	"strings"
	"testing"
)

// The hand-computed case. Three bands; radiance in µW cm⁻² sr⁻¹ nm⁻¹
// ("L" below), unit absorption t in (ppm·m)⁻¹.
//
//	μ = (100, 50, 80) L
//	t = (0.001, 0.002, 0.0005) (ppm·m)⁻¹
//	s = −μ⊙t = (−0.1, −0.1, −0.04) L/(ppm·m)
//
// The background is the six pixels μ±a, μ±b, μ±c with a = (1,1,0),
// b = (1,0,0), c = (0,0,1) L, so their mean is μ and their unbiased
// covariance is 2(aaᵀ + bbᵀ + ccᵀ)/5:
//
//	C = [[0.8, 0.4, 0], [0.4, 0.4, 0], [0, 0, 0.4]] L²
//	C⁻¹ = 2.5·[[1, −1, 0], [−1, 2, 0], [0, 0, 1]] L⁻²
//
// (the 2×2 block [[2,1],[1,1]] has inverse [[1,−1],[−1,2]]). Then
//
//	C⁻¹s = 2.5·(−0.1+0.1, 0.1−0.2, −0.04) = (0, −0.25, −0.1) (L·ppm·m)⁻¹
//	sᵀC⁻¹s = 0 + 0.025 + 0.004 = 0.029 (ppm·m)⁻²
//	σ = 1/sqrt(0.029) = 5.872202195 ppm·m
//	w = C⁻¹s/(sᵀC⁻¹s) = (0, −8.620689655, −3.448275862) ppm·m/L
//
// For the pixel x = μ + d, d = (−1, −2, −1) L:
//
//	sᵀC⁻¹d = 0·(−1) + (−0.25)(−2) + (−0.1)(−1) = 0.6 (ppm·m)⁻¹
//	α = 0.6/0.029 = 20.68965517 ppm·m
//	dᵀC⁻¹d = 2.5·(1 − 2·2 + 2·4 + 1) = 2.5·6 = 15
//	ACE = 0.6²/(0.029·15) = 0.8275862069
//
// and the background pixels give α(μ±a) = ∓0.25/0.029 = ∓8.620689655,
// α(μ±b) = 0, α(μ±c) = ∓0.1/0.029 = ∓3.448275862 ppm·m.
var (
	handMean = []float64{100, 50, 80}
	handT    = []float64{0.001, 0.002, 0.0005}
	handCov  = []float64{0.8, 0.4, 0, 0.4, 0.4, 0, 0, 0, 0.4}
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.10g, want %.10g (±%g)", what, got, want, tol)
	}
}

func TestHandComputedFilter(t *testing.T) {
	f, err := NewFilter(handMean, handCov, handT, 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != OK || f.Shrinkage != 0 {
		t.Errorf("status %v shrinkage %g, want ok 0", f.Status, f.Shrinkage)
	}
	near(t, "σ (ppm·m)", f.Sigma, 1/math.Sqrt(0.029), 1e-9)
	near(t, "σ (ppm·m) literal", f.Sigma, 5.872202195, 1e-8)
	for i, want := range []float64{0, -8.620689655, -3.448275862} {
		near(t, "w", f.Weights[i], want, 1e-8)
	}
	for i, want := range []float64{-0.1, -0.1, -0.04} {
		near(t, "s", f.Signature[i], want, 1e-12)
	}
	x := []float64{99, 48, 79}
	a, sg, ace := f.Apply(x, false)
	near(t, "α (ppm·m)", a, 20.68965517, 1e-7)
	near(t, "σ (ppm·m)", sg, 5.872202195, 1e-8)
	near(t, "ACE", ace, 0.8275862069, 1e-9)

	// Albedo: a pixel twice as bright as μ with the same relative
	// absorption has r = 2, so α̂ = α₀/2 and σ = σ₀/2, where α₀ is the
	// plain filter's answer for that pixel.
	x2 := []float64{2 * 100 * math.Exp(-0.001*10), 2 * 50 * math.Exp(-0.002*10), 2 * 80 * math.Exp(-0.0005*10)}
	a0, _, _ := f.Apply(x2, false)
	r := (x2[0]*100 + x2[1]*50 + x2[2]*80) / (100*100 + 50*50 + 80*80)
	aa, sa, _ := f.Apply(x2, true)
	near(t, "albedo α", aa, a0/r, 1e-9)
	near(t, "albedo σ", sa, f.Sigma/r, 1e-9)
}

// TestHandComputedMatchedFilter runs the same case through MatchedFilter:
// the six background pixels as one column of a cube, the mean and
// covariance estimated from them, no shrinkage.
func TestHandComputedMatchedFilter(t *testing.T) {
	target, err := ParseTarget(strings.NewReader(`wavelength_nm,absorption_per_ppm_m
2199,0.001
2200,0.001
2201,0.001
2299,0.002
2300,0.002
2301,0.002
2399,0.0005
2400,0.0005
2401,0.0005
`), "hand.csv")
	if err != nil {
		t.Fatal(err)
	}
	wl := []float64{2200, 2300, 2400}
	fw := []float64{0.5, 0.5, 0.5}
	tb, err := target.Resample(wl, fw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tb {
		near(t, "resampled t", tb[i], handT[i], 1e-15)
	}
	devs := [][]float64{{1, 1, 0}, {-1, -1, 0}, {1, 0, 0}, {-1, 0, 0}, {0, 0, 1}, {0, 0, -1}}
	want := []float64{-8.620689655, 8.620689655, 0, 0, -3.448275862, 3.448275862}
	c := newMemCube(len(devs), 1, 3)
	for l, d := range devs {
		for b := range d {
			c.set(l, 0, b, float32(handMean[b]+d[b]))
		}
	}
	opts := DefaultOptions()
	opts.Shrinkage = 0
	opts.MinPixels = 2
	opts.Windows = [][2]float64{{2000, 2500}}
	opts.ACE = true
	for _, mode := range []Mode{Column, Scene} {
		opts.Mode = mode
		res, err := MatchedFilter(context.Background(), c, wl, fw, target, opts)
		if err != nil {
			t.Fatal(err)
		}
		for l := range devs {
			near(t, mode.String()+" α", float64(res.Enhancement[l]), want[l], 1e-4)
			near(t, mode.String()+" σ", float64(res.Sigma[l]), 5.872202195, 1e-5)
		}
		if res.ColumnStatus[0] != OK || res.BackgroundPixels[0] != 6 {
			t.Errorf("%v: status %v, %d background pixels; want ok, 6", mode, res.ColumnStatus[0], res.BackgroundPixels[0])
		}
		// ACE of μ+a: (sᵀC⁻¹a)²/((sᵀC⁻¹s)(aᵀC⁻¹a)) = 0.0625/(0.029·2.5) = 0.8620689655.
		near(t, mode.String()+" ACE(μ+a)", float64(res.ACE[0]), 0.0625/(0.029*2.5), 1e-5)
	}
}
