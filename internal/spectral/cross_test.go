package spectral

import (
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
