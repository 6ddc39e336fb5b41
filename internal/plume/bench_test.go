package plume

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkDetect segments and quantifies an AVIRIS-NG-sized map (1000
// lines × 600 samples, σ = 50 ppm·m) holding six Gaussian plumes.
func BenchmarkDetect(b *testing.B) {
	const lines, samples = 1000, 600
	rng := rand.New(rand.NewPCG(9, 10))
	enh, sig := noiseMap(lines, samples, 50, rng)
	for k := 0; k < 6; k++ {
		l0, s0 := 80+150*k, 40+60*k
		pl := gaussianPlume(120, 200, 60, 10, 5, 50+100*float64(k), 3)
		for l := 0; l < 120; l++ {
			for s := 0; s < 200; s++ {
				enh[(l0-60+l)*samples+s0+s] += float32(pl[l*200+s])
			}
		}
	}
	opts := DefaultOptions()
	opts.WindSpeed, opts.WindSigma, opts.HasWindDir, opts.WindFromDeg = 3, 1, true, 270
	b.ReportAllocs()
	b.SetBytes(lines * samples * 8)
	var n int
	for b.Loop() {
		ps, err := Detect(enh, sig, lines, samples, opts)
		if err != nil {
			b.Fatal(err)
		}
		n = len(ps)
	}
	b.ReportMetric(float64(n), "plumes")
	b.ReportMetric(float64(lines*samples)*float64(b.N)/b.Elapsed().Seconds(), "pixels/s")
}
