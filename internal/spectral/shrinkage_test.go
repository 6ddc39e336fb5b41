package spectral

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// ledoitWolf returns the Ledoit–Wolf shrinkage estimate toward the scaled
// identity (Ledoit and Wolf, "A well-conditioned estimator for
// large-dimensional covariance matrices", J. Multivariate Analysis 88,
// 2004, Lemma 3.2 and Theorem 3.1): ρ = min(b̄², d²)/d² with
// m = tr(S)/p, d² = ‖S − mI‖²/p, b̄² = (1/n²)Σ_k‖x_k x_kᵀ − S‖²/p, the
// norm the Frobenius one, S the maximum-likelihood covariance of the
// centred x_k. It returns the shrunk covariance and ρ.
func ledoitWolf(xs [][]float64, mean []float64) ([]float64, float64) {
	p, n := len(mean), len(xs)
	s := make([]float64, p*p)
	d := make([]float64, p)
	for _, x := range xs {
		for i := range d {
			d[i] = x[i] - mean[i]
		}
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				s[i*p+j] += d[i] * d[j] / float64(n)
			}
		}
	}
	var m float64
	for i := 0; i < p; i++ {
		m += s[i*p+i] / float64(p)
	}
	var d2 float64
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			v := s[i*p+j]
			if i == j {
				v -= m
			}
			d2 += v * v / float64(p)
		}
	}
	var b2 float64
	for _, x := range xs {
		for i := range d {
			d[i] = x[i] - mean[i]
		}
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				v := d[i]*d[j] - s[i*p+j]
				b2 += v * v / float64(p)
			}
		}
	}
	b2 /= float64(n) * float64(n)
	rho := math.Min(b2, d2) / d2
	out := make([]float64, p*p)
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			out[i*p+j] = (1 - rho) * s[i*p+j]
		}
		out[i*p+i] += rho * m
	}
	return out, rho
}

// TestShrinkageLOOVersusLedoitWolf estimates a column's background from n
// pixels with each shrinkage rule and measures the spread of α̂ on fresh
// pixels of the same background (out of sample, as the filter meets them).
// The leave-one-out choice must stay near the true covariance's σ;
// Ledoit–Wolf, which minimises the Frobenius error dominated by the
// largest eigenvalues, shrinks far more and multiplies the background σ.
func TestShrinkageLOOVersusLedoitWolf(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, tc := range []struct{ p, n int }{{40, 200}, {80, 400}, {80, 1000}} {
		sc := newScene(tc.n, 1, tc.p, rng)
		tb := methaneAt(t, sc.wavelength, sc.fwhm)
		train := make([][]float64, tc.n)
		mean := make([]float64, tc.p)
		for k := range train {
			train[k] = make([]float64, tc.p)
			sc.pixel(0, rng, train[k])
			for b, v := range train[k] {
				mean[b] += v / float64(tc.n)
			}
		}
		bg := &background{n: tc.n, mean: mean, m2: make([]float64, tc.p*tc.p)}
		for _, x := range train {
			for i := 0; i < tc.p; i++ {
				for j := 0; j < tc.p; j++ {
					bg.m2[i*tc.p+j] += (x[i] - mean[i]) * (x[j] - mean[j])
				}
			}
			for _, v := range x {
				bg.sub = append(bg.sub, float32(v))
			}
		}
		cov := bg.toCov()
		alpha := looShrinkage(bg, cov, tc.p)
		fLOO, err := NewFilter(mean, cov, tb, alpha)
		if err != nil {
			t.Fatal(err)
		}
		lw, rho := ledoitWolf(train, mean)
		fLW, err := NewFilter(mean, lw, tb, 0)
		if err != nil {
			t.Fatal(err)
		}
		oracle := sc.trueSigma(t, 0, tb)
		x := make([]float64, tc.p)
		var aLOO, aLW []float64
		for k := 0; k < 3000; k++ {
			sc.pixel(0, rng, x)
			a, _, _ := fLOO.Apply(x, false)
			aLOO = append(aLOO, a)
			a, _, _ = fLW.Apply(x, false)
			aLW = append(aLW, a)
		}
		_, sLOO := meanStd(aLOO)
		_, sLW := meanStd(aLW)
		t.Logf("p=%d n=%d: background σ with the true covariance %.1f ppm·m; leave-one-out (α=%.2g) %.1f; Ledoit–Wolf (ρ=%.2g) %.1f; ratio LW/LOO %.2f",
			tc.p, tc.n, oracle, alpha, sLOO, rho, sLW, sLW/sLOO)
		if sLOO > 1.3*oracle {
			t.Errorf("p=%d n=%d: leave-one-out σ %.1f, more than 1.3× the true covariance's %.1f", tc.p, tc.n, sLOO, oracle)
		}
		if !(sLW > 1.1*sLOO) {
			t.Errorf("p=%d n=%d: Ledoit–Wolf σ %.1f not well above leave-one-out %.1f", tc.p, tc.n, sLW, sLOO)
		}
	}
}

// TestLOOPrefersLittleShrinkageWithManyPixels: with many more pixels than
// bands the sample covariance is good and the likelihood asks for little
// shrinkage; with fewer pixels than bands it must shrink.
func TestLOOShrinkageAdapts(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	pick := func(p, n int) float64 {
		sc := newScene(n, 1, p, rng)
		bg := &background{n: n, mean: make([]float64, p), m2: make([]float64, p*p)}
		xs := make([][]float64, n)
		for k := range xs {
			xs[k] = make([]float64, p)
			sc.pixel(0, rng, xs[k])
			for b, v := range xs[k] {
				bg.mean[b] += v / float64(n)
			}
		}
		for _, x := range xs {
			for i := 0; i < p; i++ {
				for j := 0; j < p; j++ {
					bg.m2[i*p+j] += (x[i] - bg.mean[i]) * (x[j] - bg.mean[j])
				}
			}
			for _, v := range x {
				bg.sub = append(bg.sub, float32(v))
			}
		}
		return looShrinkage(bg, bg.toCov(), p)
	}
	many, few := pick(30, 3000), pick(60, 40)
	t.Logf("shrinkage chosen: p=30 n=3000 %.2g; p=60 n=40 %.2g", many, few)
	if !(few > 10*many) {
		t.Errorf("shrinkage with few pixels %.2g, with many %.2g: want the first much larger", few, many)
	}
}

// TestSinglePrecisionCrossProducts runs the same strongly correlated
// background (40, 81 and 150 bands, condition number about 10⁶) through
// the float32 block kernel and the float64 cross-product path: the
// filters must agree.
func TestSinglePrecisionCrossProducts(t *testing.T) {
	for _, p := range []int{40, 81, 150} {
		rng := rand.New(rand.NewPCG(25, uint64(p)))
		const lines, samples = 400, 3
		sc := newScene(lines, samples, p, rng)
		c := sc.render(rng, methaneAt(t, sc.wavelength, sc.fwhm), nil)
		run := func(minBands int) *Result {
			old := singleMinBands
			singleMinBands = minBands
			defer func() { singleMinBands = old }()
			res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		r32, r64 := run(1), run(1<<30)
		for s := 0; s < samples; s++ {
			s32, s64 := float64(r32.Sigma[s]), float64(r64.Sigma[s])
			var d2 float64
			for l := 0; l < lines; l++ {
				d := float64(r32.Enhancement[l*samples+s] - r64.Enhancement[l*samples+s])
				d2 += d * d
			}
			rms := math.Sqrt(d2 / lines)
			t.Logf("p=%d column %d: σ float32 %.3f, float64 %.3f ppm·m; α̂ RMS difference %.3g ppm·m; shrinkage %.2g / %.2g",
				p, s, s32, s64, rms, r32.Shrinkage[s], r64.Shrinkage[s])
			if math.Abs(s32-s64) > 0.005*s64 || rms > 0.02*s64 {
				t.Errorf("p=%d column %d: float32 path σ %.3f vs %.3f, α̂ RMS difference %.3g", p, s, s32, s64, rms)
			}
		}
	}
}

// TestLOOShrinkageDirect checks looShrinkage's closed form against the
// leave-one-out likelihood computed directly: for each candidate α and
// each pixel k, the Gaussian negative log-likelihood of x̃_k = x_k − μ
// under C_k = G − βx̃_k x̃_kᵀ, G = nβS + α·diag(S), β = (1−α)/(n−1) ("The
// incredible shrinking covariance estimator", Proc. SPIE 8391, 2012,
// eq. 29), by a Cholesky factorisation of C_k. The α chosen must minimise
// the direct mean NLL over the grid (to rounding).
func TestLOOShrinkageDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, tc := range []struct{ p, n int }{{6, 60}, {12, 20}} {
		sc := newScene(tc.n, 1, tc.p, rng)
		p, n := tc.p, tc.n
		bg := &background{n: n, mean: make([]float64, p), m2: make([]float64, p*p)}
		xs := make([][]float64, n)
		for k := range xs {
			xs[k] = make([]float64, p)
			sc.pixel(0, rng, xs[k])
			for b := range xs[k] {
				xs[k][b] = float64(float32(xs[k][b])) // as the subsample keeps them
				bg.mean[b] += xs[k][b] / float64(n)
			}
		}
		for _, x := range xs {
			for i := 0; i < p; i++ {
				for j := 0; j < p; j++ {
					bg.m2[i*p+j] += (x[i] - bg.mean[i]) * (x[j] - bg.mean[j])
				}
			}
			for _, v := range x {
				bg.sub = append(bg.sub, float32(v))
			}
		}
		cov := bg.toCov()
		got := looShrinkage(bg, cov, p)
		direct := func(a float64) float64 {
			beta := (1 - a) / float64(n-1)
			var total float64
			for _, x := range xs {
				c := mat.NewSymDense(p, nil)
				d := make([]float64, p)
				for i := range d {
					d[i] = x[i] - bg.mean[i]
				}
				for i := 0; i < p; i++ {
					for j := i; j < p; j++ {
						v := float64(n) * beta * cov[i*p+j]
						if i == j {
							v += a * cov[i*p+i]
						}
						c.SetSym(i, j, v-beta*d[i]*d[j])
					}
				}
				var ch mat.Cholesky
				if !ch.Factorize(c) {
					return math.Inf(1)
				}
				u := mat.NewVecDense(p, nil)
				dv := mat.NewVecDense(p, d)
				if err := ch.SolveVecTo(u, dv); err != nil {
					return math.Inf(1)
				}
				total += 0.5 * (ch.LogDet() + mat.Dot(dv, u))
			}
			return total / float64(n)
		}
		best, bestNLL := 0.0, math.Inf(1)
		for _, a := range looAlphas {
			if v := direct(a); v < bestNLL {
				best, bestNLL = a, v
			}
		}
		t.Logf("p=%d n=%d: closed form α %.3g, direct α %.3g", p, n, got, best)
		if v := direct(got); got != best && !(math.Abs(v-bestNLL) <= 1e-9*math.Abs(bestNLL)) {
			t.Errorf("p=%d n=%d: closed form chose α %.3g (NLL %.12g), the direct minimum is α %.3g (NLL %.12g)", p, n, got, v, best, bestNLL)
		}
	}
}
