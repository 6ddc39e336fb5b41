package plume

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestKgPerM2PerPPMm checks the constant by hand: n₀ = 101325 Pa /
// (8.314462618 J mol⁻¹ K⁻¹ × 273.15 K) = 44.615 mol/m³, and
// 1e-6 × 44.615 mol/m³ × 0.01604 kg/mol = 7.1563e-7 kg/m² per ppm·m.
func TestKgPerM2PerPPMm(t *testing.T) {
	if math.Abs(KgPerM2PerPPMm-7.1563e-7) > 0.0001e-7 {
		t.Errorf("KgPerM2PerPPMm = %.6g, want 7.1563e-7", KgPerM2PerPPMm)
	}
	if got := KgPerM2PerPPMmFor(44.01); math.Abs(got-1.9635e-6) > 0.001e-6 {
		t.Errorf("CO2: %.6g kg/m² per ppm·m, want 1.9635e-6", got)
	}
	if got := Ueff(5); math.Abs(got-2.1) > 1e-12 {
		t.Errorf("Ueff(5) = %g m/s, want 0.33·5 + 0.45 = 2.1", got)
	}
}

func noiseMap(lines, samples int, sd float64, rng *rand.Rand) ([]float32, []float32) {
	enh := make([]float32, lines*samples)
	sig := make([]float32, lines*samples)
	for i := range enh {
		enh[i] = float32(sd * rng.NormFloat64())
		sig[i] = float32(sd)
	}
	return enh, sig
}

// TestBlob: a disc of 600 ppm·m (12σ) in Gaussian noise is found as one
// plume that matches the disc, with a closed counter-clockwise outline.
func TestBlob(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const lines, samples = 80, 90
	enh, sig := noiseMap(lines, samples, 50, rng)
	disc := map[int]bool{}
	for l := 0; l < lines; l++ {
		for s := 0; s < samples; s++ {
			if (l-40)*(l-40)+(s-30)*(s-30) <= 36 {
				enh[l*samples+s] += 600
				disc[l*samples+s] = true
			}
		}
	}
	enh[5*samples+5] = float32(math.NaN()) // no data somewhere
	sig[5*samples+5] = float32(math.NaN())
	ps, err := Detect(enh, sig, lines, samples, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("%d plumes, want 1", len(ps))
	}
	p := ps[0]
	inter := 0
	for _, i := range p.Pixels {
		if disc[i] {
			inter++
		}
	}
	iou := float64(inter) / float64(len(p.Pixels)+len(disc)-inter)
	t.Logf("disc %d px, plume %d px, IoU %.2f, max %.0f ppm·m, source (%d,%d)", len(disc), len(p.Pixels), iou, p.MaxPPMm, p.SourceLine, p.SourceSample)
	if iou < 0.6 {
		t.Errorf("IoU %.2f with the disc, want ≥ 0.6", iou)
	}
	if p.ID != 1 || !math.IsNaN(p.RateKgH) {
		t.Errorf("id %d, rate %g without wind; want 1, NaN", p.ID, p.RateKgH)
	}
	checkOutline(t, p)
	// IME: 113 pixels × 600 ppm·m × 25 m² × 7.156e-7 kg/m² = 1.21 kg, plus
	// noise and the disc's smoothed rim.
	want := float64(len(disc)) * 600 * 25 * KgPerM2PerPPMm
	if math.Abs(p.IMEkg-want) > 4*p.IMESigmaKg+0.05*want {
		t.Errorf("IME %.3f kg, want %.3f ± %.3f", p.IMEkg, want, 4*p.IMESigmaKg)
	}
}

// checkOutline: closed, counter-clockwise in (sample, line), enclosing at
// least the area of the plume's pixels.
func checkOutline(t *testing.T, p Plume) {
	t.Helper()
	o := p.Outline
	if len(o) < 5 || o[0] != o[len(o)-1] {
		t.Fatalf("outline %v not a closed ring", o)
	}
	var a float64
	for k := 0; k+1 < len(o); k++ {
		a += o[k][0]*o[k+1][1] - o[k+1][0]*o[k][1]
	}
	a /= 2
	if a < float64(len(p.Pixels)) {
		t.Errorf("outline area %g, want ≥ %d pixels and positive (counter-clockwise)", a, len(p.Pixels))
	}
}

// gaussianPlume renders the vertical column (ppm·m) of a steady Gaussian
// plume: a source at pixel (l0, s0) emitting q kg/h into a wind of u m/s
// blowing toward +sample (from the west), with crosswind spread
// σ_y(x) = 0.08·x·(1 + 0.0001·x)^-½ m (Briggs, neutral class D, open
// country) and column density Ω = Q/(√(2π)·σ_y·u)·exp(−y²/2σ_y²) kg/m²,
// averaged over 8×8 points per pixel.
func gaussianPlume(lines, samples, l0, s0 int, px, q, u float64) []float64 {
	out := make([]float64, lines*samples)
	qs := q / 3600
	const sub = 8
	for l := 0; l < lines; l++ {
		for s := s0; s < samples; s++ {
			var sum float64
			for a := 0; a < sub; a++ {
				for b := 0; b < sub; b++ {
					x := (float64(s-s0) + (float64(a)+0.5)/sub - 0.5) * px
					y := (float64(l-l0) + (float64(b)+0.5)/sub - 0.5) * px
					if x <= 0 {
						continue
					}
					sy := math.Max(0.08*x/math.Sqrt(1+0.0001*x), 0.5)
					sum += qs / (math.Sqrt(2*math.Pi) * sy * u) * math.Exp(-y*y/(2*sy*sy))
				}
			}
			out[l*samples+s] = sum / (sub * sub) / KgPerM2PerPPMm
		}
	}
	return out
}

func TestGaussianPlumeRate(t *testing.T) {
	for _, c := range []struct{ q, u float64 }{{150, 3}, {500, 6}, {60, 2}} {
		t.Run(fmt.Sprintf("Q=%.0fkg/h,U=%.0fm/s", c.q, c.u), func(t *testing.T) { gaussianRate(t, c.q, c.u) })
	}
}

func gaussianRate(t *testing.T, q, u float64) {
	const lines, samples, px = 100, 160, 5.0
	truth := gaussianPlume(lines, samples, 50, 20, px, q, u)
	rng := rand.New(rand.NewPCG(3, 4))
	enh, sig := noiseMap(lines, samples, 30, rng)
	for i, v := range truth {
		enh[i] += float32(v)
	}
	for _, tc := range []struct {
		name    string
		length  Length
		windDir bool
		tol     float64
	}{
		{"along-wind", AlongWind, true, 0.25},
		{"along-wind, axis from shape", AlongWind, false, 0.25},
		{"sqrt-area", SqrtArea, true, 0.45},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.PixelSize = px
			opts.WindSpeed, opts.WindSigma = u, 0.5
			opts.Length = tc.length
			opts.HasWindDir, opts.WindFromDeg = tc.windDir, 270
			ps, err := Detect(enh, sig, lines, samples, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 1 {
				t.Fatalf("%d plumes, want 1", len(ps))
			}
			p := ps[0]
			var trueIME float64
			for _, i := range p.Pixels {
				trueIME += truth[i] * px * px * KgPerM2PerPPMm
			}
			t.Logf("%d px, source (%d,%d), axis %.0f°, IME %.2f ± %.2f kg (noise-free %.2f), L %.0f m, U %.2f m/s, Q %.0f ± %.0f kg/h (mask part %.0f), true %.0f",
				len(p.Pixels), p.SourceLine, p.SourceSample, p.AxisDeg, p.IMEkg, p.IMESigmaKg, trueIME, p.LengthM, p.UeffMS, p.RateKgH, p.RateSigmaKgH, p.RateMaskSpreadKgH, q)
			if d := math.Hypot(float64(p.SourceLine-50), float64(p.SourceSample-20)); d > 2 {
				t.Errorf("source (%d,%d), %.1f px from (50,20)", p.SourceLine, p.SourceSample, d)
			}
			if math.Abs(p.AxisDeg-90) > 15 {
				t.Errorf("axis %.0f°, want 90° (toward east)", p.AxisDeg)
			}
			if math.Abs(p.IMEkg-trueIME) > 4*p.IMESigmaKg {
				t.Errorf("IME %.3f kg, noise-free %.3f, σ %.3f", p.IMEkg, trueIME, p.IMESigmaKg)
			}
			if math.Abs(p.RateKgH-q) > tc.tol*q {
				t.Errorf("Q %.1f kg/h, want %.0f within %.0f %%", p.RateKgH, q, 100*tc.tol)
			}
			if !(p.RateSigmaKgH > 0) || p.RateSigmaKgH > p.RateKgH {
				t.Errorf("σ_Q %.1f kg/h for Q %.1f: want positive and below Q", p.RateSigmaKgH, p.RateKgH)
			}
			// Wind uncertainty alone: σ_U/U of Q at least.
			if p.RateSigmaKgH < p.RateKgH*0.5/u*0.99 && tc.length == AlongWind {
				t.Errorf("σ_Q %.1f below the wind's share %.1f", p.RateSigmaKgH, p.RateKgH*0.5/u)
			}
			// More wind uncertainty, more rate uncertainty.
			opts.WindSigma = 1.5
			ps2, _ := Detect(enh, sig, lines, samples, opts)
			if len(ps2) != 1 || !(ps2[0].RateSigmaKgH > p.RateSigmaKgH) {
				t.Errorf("σ_Q with σ_U 1.5 m/s not above that with 0.5 m/s")
			}
		})
	}
}

// TestNoFalsePlumes: pure noise gives no plume at the default threshold.
func TestNoFalsePlumes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	enh, sig := noiseMap(300, 300, 80, rng)
	ps, err := Detect(enh, sig, 300, 300, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Errorf("%d plumes in noise; first has %d px", len(ps), len(ps[0].Pixels))
	}
}

func TestOutlineShapes(t *testing.T) {
	const samples = 10
	for _, tc := range []struct {
		name   string
		pixels [][2]int // (sample, line)
		want   [][2]float64
	}{
		{"one", [][2]int{{2, 3}}, [][2]float64{{2, 3}, {3, 3}, {3, 4}, {2, 4}, {2, 3}}},
		{"bar", [][2]int{{1, 1}, {2, 1}, {3, 1}}, [][2]float64{{1, 1}, {4, 1}, {4, 2}, {1, 2}, {1, 1}}},
		{"diagonal", [][2]int{{1, 1}, {2, 2}}, nil},
		{"ring", [][2]int{{1, 1}, {2, 1}, {3, 1}, {1, 2}, {3, 2}, {1, 3}, {2, 3}, {3, 3}}, [][2]float64{{1, 1}, {4, 1}, {4, 4}, {1, 4}, {1, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c []int
			for _, p := range tc.pixels {
				c = append(c, p[1]*samples+p[0])
			}
			o := outline(c, samples)
			if tc.want != nil {
				if len(o) != len(tc.want) {
					t.Fatalf("outline %v, want %v", o, tc.want)
				}
				// Same ring up to the starting vertex.
				start := -1
				for k := range o[:len(o)-1] {
					if o[k] == tc.want[0] {
						start = k
					}
				}
				for k := 0; k < len(o)-1 && start >= 0; k++ {
					if o[(start+k)%(len(o)-1)] != tc.want[k] {
						t.Fatalf("outline %v, want %v", o, tc.want)
					}
				}
				if start < 0 {
					t.Fatalf("outline %v, want %v", o, tc.want)
				}
				return
			}
			// Diagonal neighbours: one ring of area 2 through the shared vertex.
			var a float64
			for k := 0; k+1 < len(o); k++ {
				a += o[k][0]*o[k+1][1] - o[k+1][0]*o[k][1]
			}
			if a/2 != 2 || o[0] != o[len(o)-1] {
				t.Errorf("diagonal pair: outline %v, area %g; want one closed ring of area 2", o, a/2)
			}
		})
	}
}

func TestDetectErrors(t *testing.T) {
	enh, sig := noiseMap(10, 10, 1, rand.New(rand.NewPCG(7, 8)))
	opts := DefaultOptions()
	if _, err := Detect(enh[:99], sig, 10, 10, opts); !errors.Is(err, ErrInput) {
		t.Errorf("short map: %v", err)
	}
	opts.PixelSize = 0
	if _, err := Detect(enh, sig, 10, 10, opts); !errors.Is(err, ErrInput) {
		t.Errorf("zero pixel size: %v", err)
	}
	opts = DefaultOptions()
	opts.ThresholdSigma = -1
	if _, err := Detect(enh, sig, 10, 10, opts); !errors.Is(err, ErrInput) {
		t.Errorf("negative threshold: %v", err)
	}
}

// TestSixPlumes: six Gaussian plumes of 50–550 kg/h in a 1000×600 map
// (σ 50 ppm·m) are found as six plumes — the weak plume's broken tail is
// joined to it, not counted as plumes of its own — each with its source
// within a pixel and its rate (along-wind) within 25 %.
func TestSixPlumes(t *testing.T) {
	const lines, samples = 1000, 600
	rng := rand.New(rand.NewPCG(9, 10))
	enh, sig := noiseMap(lines, samples, 50, rng)
	type src struct{ l, s int }
	var srcs []src
	for k := 0; k < 6; k++ {
		l0, s0 := 80+150*k, 40+60*k
		pl := gaussianPlume(120, 200, 60, 10, 5, 50+100*float64(k), 3)
		for l := 0; l < 120; l++ {
			for s := 0; s < 200; s++ {
				enh[(l0-60+l)*samples+s0+s] += float32(pl[l*200+s])
			}
		}
		srcs = append(srcs, src{l0, s0 + 10})
	}
	opts := DefaultOptions()
	opts.WindSpeed, opts.WindSigma, opts.HasWindDir, opts.WindFromDeg = 3, 0.5, true, 270
	opts.Length = AlongWind
	ps, err := Detect(enh, sig, lines, samples, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 6 {
		t.Fatalf("%d plumes, want 6", len(ps))
	}
	for _, p := range ps {
		k := -1
		for i, s := range srcs {
			if abs(p.SourceLine-s.l) <= 1 && abs(p.SourceSample-s.s) <= 1 {
				k = i
			}
		}
		if k < 0 {
			t.Errorf("plume %d: source (%d,%d) matches no true source", p.ID, p.SourceLine, p.SourceSample)
			continue
		}
		q := 50 + 100*float64(k)
		t.Logf("plume %d: true %.0f kg/h, estimated %.0f ± %.0f", p.ID, q, p.RateKgH, p.RateSigmaKgH)
		if math.Abs(p.RateKgH-q) > 0.25*q {
			t.Errorf("plume %d: Q %.0f kg/h, want %.0f within 25 %%", p.ID, p.RateKgH, q)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestSeedAndSignificance: on a noise-free map, a disc of even 1.5σ
// enhancement scores 1.5·9/3 = 4.5σ once smoothed (above the 3σ
// threshold, below the 5.5σ seed) and a disc of 3σ scores 9σ. Without a
// seed both are plumes; with the default seed only the strong one is; the
// MinSignificance test keeps a plume by its Σz/√n alone.
func TestSeedAndSignificance(t *testing.T) {
	const lines, samples, sd = 60, 100, 50.0
	enh := make([]float32, lines*samples)
	sig := make([]float32, lines*samples)
	for i := range sig {
		sig[i] = sd
	}
	for l := range lines {
		for s := range samples {
			switch {
			case (l-30)*(l-30)+(s-25)*(s-25) <= 36:
				enh[l*samples+s] = 1.5 * sd
			case (l-30)*(l-30)+(s-75)*(s-75) <= 16:
				enh[l*samples+s] = 3 * sd
			}
		}
	}
	opts := DefaultOptions()
	if opts.SeedSigma != 5.5 {
		t.Fatalf("default SeedSigma %g, want 5.5", opts.SeedSigma)
	}
	opts.SeedSigma = 0
	ps, err := Detect(enh, sig, lines, samples, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("no seed: %d plumes, want 2", len(ps))
	}
	signif := map[int]float64{} // by source sample's side: 0 weak, 1 strong
	for _, p := range ps {
		var zs float64
		for _, i := range p.Pixels {
			zs += float64(enh[i]) / sd
		}
		side := 0
		if p.SourceSample > 50 {
			side = 1
		}
		signif[side] = zs / math.Sqrt(float64(len(p.Pixels)))
	}
	if !(signif[0] > 0 && signif[1] > 0) {
		t.Fatalf("significance of the two plumes: %v", signif)
	}

	ps, err = Detect(enh, sig, lines, samples, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].SourceSample < 50 {
		t.Fatalf("default seed: %d plumes (%+v), want only the 3σ disc", len(ps), ps)
	}

	// The weaker disc holds more pixels: MinSignificance between the two
	// values keeps exactly the more significant one.
	lo, hi := min(signif[0], signif[1]), max(signif[0], signif[1])
	opts.MinSignificance = (lo + hi) / 2
	ps, err = Detect(enh, sig, lines, samples, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("MinSignificance %.1f between %.1f and %.1f: %d plumes, want 1", opts.MinSignificance, lo, hi, len(ps))
	}
	var zs float64
	for _, i := range ps[0].Pixels {
		zs += float64(enh[i]) / sd
	}
	if got := zs / math.Sqrt(float64(len(ps[0].Pixels))); math.Abs(got-hi) > 1e-9 {
		t.Errorf("kept the plume of significance %.2f, want %.2f", got, hi)
	}
}

// TestSharedWind: three plumes pointing downwind to about 215° outvote a
// fourth, heavier one pointing the other way; plumes that do not agree
// give no shared direction.
func TestSharedWind(t *testing.T) {
	ps := []Plume{{AxisDeg: 210, IMEkg: 1}, {AxisDeg: 220, IMEkg: 1}, {AxisDeg: 215, IMEkg: 2}, {AxisDeg: 35, IMEkg: 10}}
	from, ok := sharedWind(ps)
	if !ok || math.Abs(from-35) > 0.5 {
		t.Errorf("sharedWind = %.2f°, %v; want from about 35°", from, ok)
	}
	if _, ok := sharedWind([]Plume{{AxisDeg: 0, IMEkg: 1}, {AxisDeg: 90, IMEkg: 1}, {AxisDeg: 180, IMEkg: 1}}); ok {
		t.Error("plumes at 0°, 90° and 180° gave a shared wind")
	}
	if _, ok := sharedWind(ps[:2]); ok {
		t.Error("two plumes gave a shared wind")
	}
	// Across north: 350° and 10° agree, their mean is 0° (from 180°).
	from, ok = sharedWind([]Plume{{AxisDeg: 350, IMEkg: 1}, {AxisDeg: 10, IMEkg: 1}, {AxisDeg: 0, IMEkg: 1}})
	if !ok || math.Abs(from-180) > 1e-6 {
		t.Errorf("across north: %.4f°, %v; want 180°", from, ok)
	}
}
