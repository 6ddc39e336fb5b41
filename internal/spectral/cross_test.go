package spectral

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// crossRef is Σ_r x[r][i]·x[r][j] in float64, the exact reference.
func crossRef(x []float32, k, pp, i, j int) float64 {
	var s float64
	for r := 0; r < k; r++ {
		s += float64(x[r*pp+i]) * float64(x[r*pp+j])
	}
	return s
}

// TestCrossKernel checks the tiled cross-products, through the portable
// kernel and the assembly one where the CPU has it, against float64 sums
// on random data: every entry of the upper triangle within float32
// rounding of the block (a few 1e-7 relative to Σ|x_i x_j|), and the
// assembly kernel within the same bound of the portable one.
func TestCrossKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range []int{1, 3, 4, 5, 15, 16, 17, 33, 81, 130} {
		for _, k := range []int{1, 7, crossBlock} {
			t.Run(fmt.Sprintf("p=%d/k=%d", p, k), func(t *testing.T) {
				l := newCrossLayout(p)
				x := make([]float32, k*l.pp)
				for r := 0; r < k; r++ {
					for b := 0; b < p; b++ {
						x[r*l.pp+b] = float32(rng.NormFloat64() * (1 + float64(b%7)))
					}
				}
				kernels := map[string]func([]float32, int, int, int, int, []float64){"go": crossTileGo}
				if useAVX2 {
					kernels["asm"] = crossTileAsm
				}
				got := map[string][]float64{}
				for name, kern := range kernels {
					c := make([]float64, l.size())
					for i := range c {
						c[i] = 0.5 // totals are added to, not overwritten
					}
					// Two blocks: the second adds to the first's totals.
					for rep := 0; rep < 2; rep++ {
						nib := len(l.rowStart) - 1
						for ib := 0; ib < nib; ib++ {
							tt := l.rowStart[ib]
							for j0 := ib * crossRows / crossCols * crossCols; j0 < l.pp; j0 += crossCols {
								kern(x, ib*crossRows, j0, k, l.pp, c[tt*crossTile:(tt+1)*crossTile])
								tt++
							}
						}
					}
					got[name] = c
				}
				for i := 0; i < p; i++ {
					for j := i; j < p; j++ {
						want := 0.5 + 2*crossRef(x, k, l.pp, i, j)
						var mag float64
						for r := 0; r < k; r++ {
							mag += math.Abs(float64(x[r*l.pp+i]) * float64(x[r*l.pp+j]))
						}
						tol := 2e-7*float64(k)*mag + 1e-12
						for name, c := range got {
							if v := l.at(c, i, j); math.Abs(v-want) > tol {
								t.Fatalf("%s kernel: (%d, %d) = %g, want %g ± %g", name, i, j, v, want, tol)
							}
						}
						if a, ok := got["asm"]; ok {
							if d := math.Abs(l.at(a, i, j) - l.at(got["go"], i, j)); d > tol {
								t.Fatalf("(%d, %d): assembly and portable kernels differ by %g", i, j, d)
							}
						}
					}
				}
				// unpack writes every upper-triangle entry, as at reads it.
				m := make([]float64, p*p)
				l.unpack(got["go"], m)
				for i := 0; i < p; i++ {
					for j := i; j < p; j++ {
						if m[i*p+j] != l.at(got["go"], i, j) {
							t.Fatalf("unpack (%d, %d) = %g, at gives %g", i, j, m[i*p+j], l.at(got["go"], i, j))
						}
					}
				}
				// The layout's add visits the same tiles.
				c := make([]float64, l.size())
				l.add(x, k, c)
				if v, want := l.at(c, p-1, p-1), crossRef(x, k, l.pp, p-1, p-1); math.Abs(v-want) > 1e-5*math.Abs(want) {
					t.Errorf("add: last diagonal %g, want %g", v, want)
				}
			})
		}
	}
}

// BenchmarkCrossKernel times one block of crossBlock pixels through the
// tiled kernel (the assembly one where available, then the portable
// one); multiply-adds/s counts p(p+1)/2 per pixel.
func BenchmarkCrossKernel(b *testing.B) {
	for _, p := range []int{81, 425} {
		for _, asm := range []bool{true, false} {
			if asm && !useAVX2 {
				continue
			}
			name := fmt.Sprintf("bands=%d/go", p)
			if asm {
				name = fmt.Sprintf("bands=%d/asm", p)
			}
			b.Run(name, func(b *testing.B) {
				old := useAVX2
				setAVX2(asm)
				defer setAVX2(old)
				l := newCrossLayout(p)
				rng := rand.New(rand.NewPCG(1, 2))
				x := make([]float32, crossBlock*l.pp)
				for r := 0; r < crossBlock; r++ {
					for j := 0; j < p; j++ {
						x[r*l.pp+j] = float32(rng.NormFloat64())
					}
				}
				c := make([]float64, l.size())
				b.ReportAllocs()
				b.SetBytes(int64(crossBlock * p * 4))
				for b.Loop() {
					l.add(x, crossBlock, c)
				}
				fma := float64(crossBlock*p*(p+1)/2) * float64(b.N)
				b.ReportMetric(fma/b.Elapsed().Seconds(), "madd/s")
				b.ReportMetric(float64(crossBlock*b.N)/b.Elapsed().Seconds(), "pixels/s")
			})
		}
	}
}

// TestSolvePotrf: the filter built without C⁻¹ (lapack Potrf, or
// potrfUpper from cholMinBands bands on, and two triangular solves)
// equals the one built through mat.Cholesky, on a random ill-conditioned
// covariance, and a singular one is refused.
func TestSolvePotrf(t *testing.T) {
	for _, p := range []int{30, cholMinBands + 22} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) { testSolvePotrf(t, p) })
	}
}

func testSolvePotrf(t *testing.T, p int) {
	rng := rand.New(rand.NewPCG(9, 10))
	n := 2 * p
	x := make([]float64, n*p)
	for i := range x {
		x[i] = rng.NormFloat64() * math.Pow(10, -float64(i%p)/10)
	}
	cov := make([]float64, p*p)
	for r := 0; r < n; r++ {
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				cov[i*p+j] += x[r*p+i] * x[r*p+j] / float64(n-1)
			}
		}
	}
	mean := make([]float64, p)
	abs := make([]float64, p)
	for i := range mean {
		mean[i] = 10 + float64(i)
		abs[i] = 1e-5 * float64(i%5)
	}
	fa, err := newFilter(mean, cov, abs, 1e-4, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := newFilter(mean, cov, abs, 1e-4, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fa.Status != fb.Status || fa.Shrinkage != fb.Shrinkage {
		t.Fatalf("status %v/%v, shrinkage %g/%g", fa.Status, fb.Status, fa.Shrinkage, fb.Shrinkage)
	}
	if math.Abs(fa.Sigma-fb.Sigma) > 1e-9*fb.Sigma {
		t.Errorf("σ %g without C⁻¹, %g with", fa.Sigma, fb.Sigma)
	}
	for i := range fa.Weights {
		if d := math.Abs(fa.Weights[i] - fb.Weights[i]); d > 1e-7*math.Abs(fb.Weights[i])+1e-12 {
			t.Errorf("weight %d: %g without C⁻¹, %g with", i, fa.Weights[i], fb.Weights[i])
		}
	}
	// Rank one: positive semi-definite only.
	one := make([]float64, p*p)
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			one[i*p+j] = float64((i + 1) * (j + 1))
		}
	}
	u := make([]float64, p)
	if _, ok := solvePotrf(one, p, abs, u); ok {
		t.Error("solvePotrf accepted a rank-one matrix")
	}
}

// TestPortableKernelFilter runs the whole filter with the portable kernel
// and with the assembly one (where the CPU has it), whose float32 block
// products round differently (fused multiply-adds): σ within 0.1 %, α̂
// within 5 % of σ at every pixel and 2 % of σ in RMS.
func TestPortableKernelFilter(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2/FMA: only the portable kernel runs")
	}
	rng := rand.New(rand.NewPCG(43, 44))
	const lines, samples, p = 200, 4, 60
	sc := newScene(lines, samples, p, rng)
	c := sc.render(rng, methaneAt(t, sc.wavelength, sc.fwhm), nil)
	opts := DefaultOptions()
	opts.Windows = [][2]float64{{0, 3000}}
	run := func(asm bool) *Result {
		setAVX2(asm)
		defer setAVX2(true)
		res, err := MatchedFilter(context.Background(), c, sc.wavelength, sc.fwhm, Methane(), opts)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, g := run(true), run(false)
	var d2, s2 float64
	for i := range a.Enhancement {
		d := float64(a.Enhancement[i] - g.Enhancement[i])
		d2 += d * d
		s2 += float64(g.Sigma[i]) * float64(g.Sigma[i])
		if math.Abs(d) > 0.05*float64(g.Sigma[i]) || math.Abs(float64(a.Sigma[i]-g.Sigma[i])) > 1e-3*float64(g.Sigma[i]) {
			t.Fatalf("pixel %d: α̂ %g σ %g with assembly, %g σ %g portable", i, a.Enhancement[i], a.Sigma[i], g.Enhancement[i], g.Sigma[i])
		}
	}
	rms, sig := math.Sqrt(d2/float64(len(a.Enhancement))), math.Sqrt(s2/float64(len(a.Enhancement)))
	t.Logf("α̂ RMS difference %.3g ppm·m, σ %.3g ppm·m", rms, sig)
	if rms > 0.02*sig {
		t.Errorf("α̂ RMS difference %.3g ppm·m between kernels, above 2 %% of σ %.3g", rms, sig)
	}
}

// TestApplyKernel checks that applyLine's assembly path gives the bits of
// the portable loop, for column counts with and without a remainder of
// 8 and 32, and for values spanning many binades (where a fused
// multiply-add or another order of the sums would differ).
func TestApplyKernel(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine: only the portable loop runs")
	}
	rng := rand.New(rand.NewPCG(91, 92))
	for _, tc := range []struct{ n, p, ns int }{
		{1, 1, 1}, {8, 3, 8}, {31, 80, 40}, {32, 80, 32}, {75, 17, 600}, {600, 425, 600},
	} {
		w := make([]float32, tc.p*tc.ns)
		x := make([]float32, tc.p*tc.ns)
		m := make([]float32, tc.p*tc.ns)
		for i := range w {
			w[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
			x[i] = float32(rng.Float64() * 30)
			m[i] = float32(rng.Float64() * 30)
		}
		got := make([]float32, tc.n)
		want := make([]float32, tc.n)
		for i := range got {
			got[i] = float32(i) // overwritten, not added to
		}
		applyLine(got, w, x, m, tc.p, tc.ns)
		applyLineGo(want, w, x, m, tc.p, tc.ns)
		for s := range want {
			if math.Float32bits(got[s]) != math.Float32bits(want[s]) {
				t.Fatalf("n=%d p=%d: column %d: %g, want %g", tc.n, tc.p, s, got[s], want[s])
			}
		}
	}
}

// TestSumTimesZero checks the no-data kernel of the mask pass: zero for
// finite pixels whatever their magnitude, NaN for a pixel with a NaN or
// an infinity in any band, in the assembly path and the portable loop.
func TestSumTimesZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(93, 94))
	const p, ns, n = 82, 600, 597
	x := make([]float32, p*ns)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(70)-35)))
	}
	bad := map[int]float32{0: float32(math.NaN()), 8: float32(math.Inf(1)), 31: float32(math.Inf(-1)), 596: float32(math.NaN())}
	for s, v := range bad {
		x[rng.IntN(p)*ns+s] = v
	}
	x[5*ns+598] = float32(math.NaN()) // beyond n: not looked at
	zeros := make([]float32, ns)
	got, want := make([]float32, n), make([]float32, n)
	sumTimesZero(got, x, zeros, p, ns)
	sumTimesZeroGo(want, x, p, ns)
	for s := range got {
		_, isBad := bad[s]
		if g := math.IsNaN(float64(got[s])); g != isBad || (!g && got[s] != 0) {
			t.Errorf("column %d: %g, want NaN %v", s, got[s], isBad)
		}
		if math.IsNaN(float64(want[s])) != isBad {
			t.Errorf("portable: column %d: %g, want NaN %v", s, want[s], isBad)
		}
	}
}

// TestDeviations checks the statistics pass's per-pixel kernel: the
// assembly path gives the bits of the portable loop, deviations and
// float64 sums, for band counts with and without a remainder of 8.
func TestDeviations(t *testing.T) {
	rng := rand.New(rand.NewPCG(95, 96))
	for _, p := range []int{1, 7, 8, 80, 425} {
		x := make([]float32, p)
		shift := make([]float32, p)
		for b := range x {
			x[b] = float32(rng.Float64() * 30)
			shift[b] = float32(rng.Float64() * 30)
		}
		got, want := make([]float32, p), make([]float32, p)
		gs, ws := make([]float64, p), make([]float64, p)
		for b := range gs {
			gs[b] = rng.NormFloat64() * 1e3
			ws[b] = gs[b]
		}
		deviations(got, x, shift, gs)
		deviationsGo(want, x, shift, ws)
		for b := range want {
			if math.Float32bits(got[b]) != math.Float32bits(want[b]) || math.Float64bits(gs[b]) != math.Float64bits(ws[b]) {
				t.Fatalf("p=%d band %d: %g, sum %g; want %g, %g", p, b, got[b], gs[b], want[b], ws[b])
			}
		}
	}
}

// TestTranspose checks the BIL-to-pixel-major transpose of pass 1: the
// assembly 8×8 blocks with their edges (bands past a multiple of 8,
// columns past a multiple of 8, fewer than 8 of either) copy exactly what
// the portable loop copies.
func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(105, 106))
	for _, tc := range []struct{ p, ns, c0, cn int }{
		{80, 600, 0, 64}, {80, 600, 576, 24}, {425, 600, 64, 64}, {7, 50, 3, 20}, {16, 50, 5, 7}, {19, 70, 1, 69}, {8, 8, 0, 8},
	} {
		src := make([]float32, tc.p*tc.ns)
		for i := range src {
			src[i] = rng.Float32()
		}
		got := make([]float32, tc.cn*tc.p)
		want := make([]float32, tc.cn*tc.p)
		transpose(got, src, tc.p, tc.ns, tc.c0, tc.cn)
		transposeGo(want, src, tc.p, tc.ns, tc.c0, tc.cn)
		for i := range want {
			if got[i] != want[i] || want[i] != src[(i%tc.p)*tc.ns+tc.c0+i/tc.p] {
				t.Fatalf("p=%d cn=%d: value %d: %g, want %g", tc.p, tc.cn, i, got[i], want[i])
			}
		}
	}
}
