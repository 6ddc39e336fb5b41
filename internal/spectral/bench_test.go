package spectral

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
)

// benchCube is an AVIRIS-NG-sized BIL float32 cube in memory: 1000 lines ×
// 600 samples × 425 bands (380–2500 nm every 5 nm, FWHM 6 nm), whose first
// 128 lines of synthetic background repeat down the track (each line with
// its own extra sensor-noise vector, so that the covariance keeps full
// rank) so that it takes 130 MB instead of 1 GB. Reading a block is a
// copy, as from a mapped file in the page cache, plus that vector.
func benchCube(b *testing.B) (*memCube, []float64, []float64) {
	b.Helper()
	const lines, samples, bands, tile = 1000, 600, 425, 128
	rng := rand.New(rand.NewPCG(31, 32))
	sc := newScene(tile, samples, bands, rng)
	for i := range sc.wavelength {
		sc.wavelength[i] = 380 + 5*float64(i)
	}
	tb := make([]float64, bands)
	c := sc.render(rng, tb, nil)
	c.lines, c.tile = lines, tile
	c.lineNoise = make([]float32, lines*bands)
	for i := range c.lineNoise {
		c.lineNoise[i] = float32(sc.noise * rng.NormFloat64())
	}
	return c, sc.wavelength, sc.fwhm
}

// BenchmarkMatchedFilter is the end-to-end filter in column mode (default
// options: leave-one-out shrinkage, no ACE) over the whole cube, with the
// 2100–2500 nm window (81 bands) and with every band, with the background
// from every line and from every second line, and with the plume-excluding
// re-estimation (Options.Reestimate, on by default in vigia detect).
func BenchmarkMatchedFilter(b *testing.B) {
	c, wl, fw := benchCube(b)
	for _, tc := range []struct {
		name   string
		win    [2]float64
		stride int
		reest  bool
	}{
		{"window81", [2]float64{2100, 2500}, 1, false},
		{"window81-reestimate", [2]float64{2100, 2500}, 1, true},
		{"window81-stride2", [2]float64{2100, 2500}, 2, false},
		{"all425", [2]float64{0, 3000}, 1, false},
		{"all425-reestimate", [2]float64{0, 3000}, 1, true},
		{"all425-stride2", [2]float64{0, 3000}, 2, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			opts := DefaultOptions()
			opts.Windows = [][2]float64{tc.win}
			opts.LineStride = tc.stride
			opts.Reestimate = tc.reest
			b.ReportAllocs()
			var p int
			cpu0 := cpuSeconds()
			for b.Loop() {
				res, err := MatchedFilter(context.Background(), c, wl, fw, Methane(), opts)
				if err != nil {
					b.Fatal(err)
				}
				p = len(res.Bands)
			}
			b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
			px := float64(c.lines * c.samples)
			b.SetBytes(int64(c.lines * c.samples * p * 4))
			b.ReportMetric(px*float64(b.N)/b.Elapsed().Seconds(), "pixels/s")
		})
	}
}

// BenchmarkPasses times pass 1 (statistics, shrinkage, Cholesky) and pass
// 2 (apply) separately on the same cube.
func BenchmarkPasses(b *testing.B) {
	c, wl, fw := benchCube(b)
	for _, win := range [][2]float64{{2100, 2500}, {0, 3000}} {
		tb, _ := Methane().Resample(wl, fw)
		var used []int
		for i, w := range wl {
			if w >= win[0] && w <= win[1] {
				used = append(used, i)
				if tb[i] != tb[i] {
					tb[i] = 0
				}
			}
		}
		p := len(used)
		newRunner := func() *runner {
			opts := DefaultOptions()
			opts.Workers = 0
			r := &runner{ctx: context.Background(), cube: c, lines: c.lines, samples: c.samples, p: p, used: used}
			opts.Workers = max(1, min(c.samples, runtimeProcs()))
			opts.BlockLines = defaultBlockLines(p, c.samples)
			r.opts = opts
			r.res = &Result{Lines: c.lines, Samples: c.samples,
				Enhancement: make([]float32, c.lines*c.samples), Sigma: make([]float32, c.lines*c.samples),
				Mask: make([]uint8, c.lines*c.samples), Target: make([]float64, p)}
			for i, bnd := range used {
				r.res.Target[i] = tb[bnd]
			}
			return r
		}
		b.Run(fmt.Sprintf("stats/bands=%d", p), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(c.lines * c.samples * p * 4))
			cpu0 := cpuSeconds()
			for b.Loop() {
				r := newRunner()
				g, err := r.statsPass(0, c.samples)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := r.buildFilters(g); err != nil {
					b.Fatal(err)
				}
				r.release()
			}
			b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(c.lines*c.samples)*float64(b.N)/b.Elapsed().Seconds(), "pixels/s")
		})
		b.Run(fmt.Sprintf("apply/bands=%d", p), func(b *testing.B) {
			r := newRunner()
			defer r.release()
			g, err := r.statsPass(0, c.samples)
			if err != nil {
				b.Fatal(err)
			}
			f, err := r.buildFilters(g)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(c.lines * c.samples * p * 4))
			cpu0 := cpuSeconds()
			for b.Loop() {
				if err := r.applyPass(f, 0, c.samples); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(c.lines*c.samples)*float64(b.N)/b.Elapsed().Seconds(), "pixels/s")
		})
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// cpuSeconds is the process's user+system CPU time so far: on a shared
// machine, pixels per CPU-second is steadier than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
