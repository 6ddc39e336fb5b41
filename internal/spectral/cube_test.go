package spectral

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// memCube is a Cube over a BIL float32 slice: data[(l*bands+b)*samples+s].
type memCube struct {
	lines, samples, bands int
	data                  []float32
	// tile > 0 repeats the first tile lines (for large benchmark cubes),
	// adding lineNoise[l*bands+b] to every sample of line l, band b, so
	// that repeated lines stay distinct and a column's covariance keeps
	// full rank.
	tile      int
	lineNoise []float32
}

func newMemCube(lines, samples, bands int) *memCube {
	return &memCube{lines: lines, samples: samples, bands: bands, data: make([]float32, lines*samples*bands)}
}

func (c *memCube) Dims() (int, int, int) { return c.lines, c.samples, c.bands }

func (c *memCube) ReadBlock(line0, n int, bands []int, dst []float32) error {
	if line0 < 0 || line0+n > c.lines || len(dst) < n*len(bands)*c.samples {
		return fmt.Errorf("memCube: bad block %d+%d", line0, n)
	}
	for l := 0; l < n; l++ {
		src := line0 + l
		if c.tile > 0 {
			src %= c.tile
		}
		for bi, b := range bands {
			d := dst[(l*len(bands)+bi)*c.samples : (l*len(bands)+bi+1)*c.samples]
			copy(d, c.data[(src*c.bands+b)*c.samples:(src*c.bands+b+1)*c.samples])
			if c.lineNoise != nil {
				n := c.lineNoise[(line0+l)*c.bands+b]
				for s := range d {
					d[s] += n
				}
			}
		}
	}
	return nil
}

func (c *memCube) set(l, s, b int, v float32) { c.data[(l*c.bands+b)*c.samples+s] = v }
func (c *memCube) at(l, s, b int) float32     { return c.data[(l*c.bands+b)*c.samples+s] }

// scene describes a synthetic background: x = gain_s·(μ + F·z + e), with
// z ~ N(0, I_k) and e ~ N(0, noise²·I), so that the true covariance of a
// column is gain_s²·(FFᵀ + noise²·I).
type scene struct {
	lines, samples int
	wavelength     []float64
	fwhm           []float64
	mean           []float64
	factors        [][]float64 // k × p
	noise          float64
	gain           []float64 // per column, nil = 1
}

// newScene builds a background of p bands spread over 2100–2500 nm whose
// mean looks like a SWIR radiance spectrum (a few µW cm⁻² sr⁻¹ nm⁻¹) and
// whose covariance is strongly correlated: k smooth factors (brightness,
// slope, curvature) of decreasing size plus independent sensor noise.
func newScene(lines, samples, p int, rng *rand.Rand) *scene {
	sc := &scene{lines: lines, samples: samples, noise: 0.003}
	for b := 0; b < p; b++ {
		w := 2100 + 400*float64(b)/float64(max(p-1, 1))
		sc.wavelength = append(sc.wavelength, w)
		sc.fwhm = append(sc.fwhm, 6)
		u := (w - 2300) / 200
		sc.mean = append(sc.mean, 4-1.5*u+0.3*math.Sin(7*u))
	}
	for k, size := range []float64{0.1, 0.05, 0.02, 0.01} {
		f := make([]float64, p)
		for b := range f {
			u := float64(b) / float64(max(p-1, 1))
			f[b] = size * sc.mean[b] * math.Cos(float64(k)*math.Pi*u+0.3*float64(k)) * (1 + 0.1*rng.NormFloat64())
		}
		sc.factors = append(sc.factors, f)
	}
	return sc
}

// trueCov returns the column's true covariance (p×p row-major).
func (sc *scene) trueCov(s int) []float64 {
	p := len(sc.mean)
	g := 1.0
	if sc.gain != nil {
		g = sc.gain[s]
	}
	c := make([]float64, p*p)
	for _, f := range sc.factors {
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				c[i*p+j] += g * g * f[i] * f[j]
			}
		}
	}
	for i := 0; i < p; i++ {
		c[i*p+i] += g * g * sc.noise * sc.noise
	}
	return c
}

func (sc *scene) trueMean(s int) []float64 {
	g := 1.0
	if sc.gain != nil {
		g = sc.gain[s]
	}
	m := make([]float64, len(sc.mean))
	for i, v := range sc.mean {
		m[i] = g * v
	}
	return m
}

// pixel draws one background spectrum for column s.
func (sc *scene) pixel(s int, rng *rand.Rand, x []float64) {
	g := 1.0
	if sc.gain != nil {
		g = sc.gain[s]
	}
	copy(x, sc.mean)
	for _, f := range sc.factors {
		z := rng.NormFloat64()
		for b := range x {
			x[b] += z * f[b]
		}
	}
	for b := range x {
		x[b] = g * (x[b] + sc.noise*rng.NormFloat64())
	}
}

// render draws the whole cube; enh (ppm·m, lines×samples, may be nil) is
// applied by Beer–Lambert, x·exp(−t·α), with t the resampled absorption.
func (sc *scene) render(rng *rand.Rand, t []float64, enh []float64) *memCube {
	p := len(sc.mean)
	c := newMemCube(sc.lines, sc.samples, p)
	x := make([]float64, p)
	for l := 0; l < sc.lines; l++ {
		for s := 0; s < sc.samples; s++ {
			sc.pixel(s, rng, x)
			a := 0.0
			if enh != nil {
				a = enh[l*sc.samples+s]
			}
			for b := range x {
				c.set(l, s, b, float32(x[b]*math.Exp(-t[b]*a)))
			}
		}
	}
	return c
}

// trueSigma is 1/sqrt(sᵀC⁻¹s) for the true background of column s.
func (sc *scene) trueSigma(t *testing.T, s int, absorption []float64) float64 {
	t.Helper()
	f, err := NewFilter(sc.trueMean(s), sc.trueCov(s), absorption, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f.Sigma
}

func meanStd(v []float64) (float64, float64) {
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)-1))
}
