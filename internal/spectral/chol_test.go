package spectral

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// TestPotrfUpper checks the blocked Cholesky factorisation against
// gonum's Dpotrf on random symmetric positive-definite matrices of sizes
// around the block and tile edges (U equal to 1e-11 of its diagonal scale,
// and UᵀU giving the matrix back), with the assembly tiles and the
// portable ones, and that it refuses matrices that are not positive
// definite.
func TestPotrfUpper(t *testing.T) {
	rng := rand.New(rand.NewPCG(99, 100))
	defer setAVX2(true)
	for _, asm := range []bool{true, false} {
		setAVX2(asm)
		for _, p := range []int{1, 3, 8, 47, 48, 49, 100, 131, 425} {
			n := p + 20
			x := make([]float64, n*p)
			for i := range x {
				x[i] = rng.NormFloat64() * math.Pow(10, -float64(i%p)/float64(p))
			}
			c := make([]float64, p*p)
			for r := 0; r < n; r++ {
				for i := 0; i < p; i++ {
					for j := i; j < p; j++ {
						c[i*p+j] += x[r*p+i] * x[r*p+j] / float64(n)
					}
				}
			}
			got := append([]float64(nil), c...)
			if !potrfUpper(got, p) {
				t.Fatalf("p=%d: a positive-definite matrix refused", p)
			}
			want := append([]float64(nil), c...)
			if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: p, Stride: p, Data: want}); !ok {
				t.Fatalf("p=%d: gonum refused the matrix", p)
			}
			worst, back := 0.0, 0.0
			for i := 0; i < p; i++ {
				for j := i; j < p; j++ {
					scale := math.Sqrt(c[i*p+i] * c[j*p+j])
					worst = max(worst, math.Abs(got[i*p+j]-want[i*p+j])/math.Sqrt(scale))
					var s float64
					for r := 0; r <= i; r++ {
						s += got[r*p+i] * got[r*p+j]
					}
					back = max(back, math.Abs(s-c[i*p+j])/scale)
				}
			}
			if worst > 1e-11 || back > 1e-12 {
				t.Errorf("asm %v p=%d: U differs from gonum's by %.2g, UᵀU from the matrix by %.2g", asm, p, worst, back)
			}
		}
	}
	for _, bad := range []struct {
		name string
		edit func(c []float64, p int)
	}{
		{"rank one", func(c []float64, p int) {
			for i := 0; i < p; i++ {
				for j := 0; j < p; j++ {
					c[i*p+j] = float64((i + 1) * (j + 1))
				}
			}
		}},
		{"NaN", func(c []float64, p int) {
			for i := 0; i < p; i++ {
				c[i*p+i] = 1
			}
			c[70*p+70] = math.NaN()
		}},
		{"negative pivot", func(c []float64, p int) {
			for i := 0; i < p; i++ {
				c[i*p+i] = 1
			}
			c[100*p+100] = -1
		}},
	} {
		const p = 130
		c := make([]float64, p*p)
		bad.edit(c, p)
		if potrfUpper(c, p) {
			t.Errorf("%s: factorised", bad.name)
		}
	}
}

// TestSyrkTile checks the assembly tile of the trailing update against
// the portable loop (within the rounding of fused multiply-adds).
func TestSyrkTile(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2/FMA on this machine")
	}
	rng := rand.New(rand.NewPCG(101, 102))
	const p = 37
	a := make([]float64, p*p)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	got, want := append([]float64(nil), a...), append([]float64(nil), a...)
	syrkTile(got, p, 2, 13, 17, 24)
	syrkTileGo(want, p, 2, 13, 17, 24)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-13*(1+math.Abs(want[i])) {
			t.Fatalf("entry %d: %g, want %g", i, got[i], want[i])
		}
	}
	changed := 0
	for i := range a {
		if got[i] != a[i] {
			changed++
		}
	}
	if changed != 32 {
		t.Errorf("%d entries changed, want the tile's 32", changed)
	}
}

// BenchmarkPotrf times the Cholesky factorisation of a 425-band and an
// 80-band covariance: potrfUpper against gonum's Dpotrf (the anchor).
func BenchmarkPotrf(b *testing.B) {
	rng := rand.New(rand.NewPCG(103, 104))
	for _, p := range []int{80, 425} {
		n := 2 * p
		c := make([]float64, p*p)
		x := make([]float64, p)
		for r := 0; r < n; r++ {
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			for i := 0; i < p; i++ {
				for j := i; j < p; j++ {
					c[i*p+j] += x[i] * x[j] / float64(n)
				}
			}
		}
		a := make([]float64, p*p)
		b.Run(fmt.Sprintf("gonum/bands=%d", p), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				copy(a, c)
				lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: p, Stride: p, Data: a})
			}
		})
		b.Run(fmt.Sprintf("tiled/bands=%d", p), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				copy(a, c)
				potrfUpper(a, p)
			}
		})
	}
}
