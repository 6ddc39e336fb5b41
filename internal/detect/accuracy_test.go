package detect

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"testing"

	"github.com/vigia/vigia/internal/sim/scene"
)

// accuracyScene is one of the scenes on which accuracy is measured. They
// are documented in docs/BENCHMARKS.md; change both together.
type accuracyScene struct {
	name string
	// minAUC is the floor asserted for the scene's pixel ROC AUC: a few
	// hundredths under the measured value (docs/BENCHMARKS.md), so that
	// a regression fails. Scene B's plumes run along track, through few
	// columns, and contaminate those columns' backgrounds: the
	// column-mode filter recovers about a third of their enhancement.
	minAUC float64
	edit   func(*scene.Options)
}

// accuracyScenes: 300 lines × 200 samples × 120 bands (1920–2510 nm, of
// which 81 in the detector's 2100–2500 nm window), 5 m pixels, six plumes
// each whose enhancement within a pixel of the source spreads
// geometrically from 150 to 3000 ppm·m, with noise, striping, smile, a
// flare and glints.
var accuracyScenes = []accuracyScene{
	{"A: 3 m/s from 250°, class C", 0.84, func(o *scene.Options) {
		o.Seed, o.Wind, o.WindFrom, o.Stability = 11, 3, 250, scene.StabilityC
	}},
	{"B: 5 m/s from 0°, class D, no-data edges", 0.64, func(o *scene.Options) {
		o.Seed, o.Wind, o.WindFrom, o.Stability, o.NoDataEdge = 22, 5, 0, scene.StabilityD, true
	}},
	{"C: 2 m/s from 135°, class B, 2 % striping", 0.82, func(o *scene.Options) {
		o.Seed, o.Wind, o.WindFrom, o.Stability, o.Striping = 33, 2, 135, scene.StabilityB, 0.02
	}},
}

func accuracyOptions() scene.Options {
	o := scene.DefaultOptions()
	o.Lines, o.Samples, o.Bands = 300, 200, 120
	o.FirstWavelength, o.LastWavelength = 1920, 2510
	o.Plumes, o.MinPeakPPMm, o.MaxPeakPPMm = 6, 150, 3000
	return o
}

// sceneScore is what one scene gives.
type sceneScore struct {
	auc, bgSigma, medianPixelSigma float64
	matches                        []match
	fragments, falses              int
}

// match is a true source and the detection matched to it (found false
// when none).
type match struct {
	peak, rate     float64 // truth: ppm·m near the source, kg/h
	found          bool
	srcErr, estQ   float64 // pixels; kg/h
	rateErr        float64 // |Q̂ − Q| / Q
	line, sample   int     // truth source pixel
	dLine, dSample int     // detected source pixel
}

// runAccuracyScene simulates a scene, runs Detect on the files and scores
// it against the truth.
func runAccuracyScene(t testing.TB, sc accuracyScene) sceneScore {
	t.Helper()
	o := accuracyOptions()
	sc.edit(&o)
	s, err := scene.New(o)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.Write(context.Background(), dir, false); err != nil {
		t.Fatal(err)
	}
	do := DefaultOptions()
	do.Cube = filepath.Join(dir, scene.RadianceFile)
	do.Out = filepath.Join(dir, "detect")
	do.Plume.WindSpeed = o.Wind
	// The wind direction is known (from the flight's meteorology), and
	// the background is estimated again without the first pass's plumes.
	do.Plume.WindFromDeg, do.Plume.HasWindDir = float64(o.WindFrom), true
	do.Filter.Reestimate = true
	do.Filter.Saturation, do.Filter.HasSaturation = windowSaturation(s), true
	res, err := Run(context.Background(), do)
	if err != nil {
		t.Fatal(err)
	}
	return score(s, res, o)
}

// windowSaturation returns the lowest full-scale radiance of the bands in
// the methane window: a sample there at or above it may be clipped.
func windowSaturation(s *scene.Scene) float32 {
	var m float32 = math.MaxFloat32
	for b, w := range s.Wavelength() {
		if w >= 2100 && w <= 2500 {
			m = min(m, s.SaturationRadiance()[b])
		}
	}
	return m
}

func score(s *scene.Scene, res *Result, o scene.Options) sceneScore {
	truth := s.Truth()
	enh := res.Filter.Enhancement
	var pos, neg []float64
	var bg []float32
	for p, tv := range truth {
		e := float64(enh[p])
		if tv == scene.NoData || math.IsNaN(e) {
			continue
		}
		switch {
		case tv >= 100:
			pos = append(pos, e)
		case tv < 1:
			neg = append(neg, e)
			bg = append(bg, enh[p])
		}
	}
	sc := sceneScore{auc: auc(pos, neg), bgSigma: robustSigma(bg), medianPixelSigma: median(res.Filter.Sigma)}
	used := make([]bool, len(res.Plumes))
	for _, src := range s.Sources() {
		m := match{peak: src.PeakPPMm, rate: src.RateKgH, line: src.PixelLine, sample: src.PixelSample}
		best, bestD := -1, 5.0
		for i, p := range res.Plumes {
			if used[i] {
				continue
			}
			d := math.Hypot(float64(p.SourceLine-src.PixelLine), float64(p.SourceSample-src.PixelSample))
			if d <= bestD {
				best, bestD = i, d
			}
		}
		if best >= 0 {
			used[best] = true
			p := res.Plumes[best]
			m.found, m.srcErr, m.estQ = true, bestD, p.RateKgH
			m.rateErr = math.Abs(p.RateKgH-src.RateKgH) / src.RateKgH
			m.dLine, m.dSample = p.SourceLine, p.SourceSample
		}
		sc.matches = append(sc.matches, m)
	}
	for i, p := range res.Plumes {
		if used[i] {
			continue
		}
		var onPlume int
		for _, px := range p.Pixels {
			if truth[px] >= 50 {
				onPlume++
			}
		}
		if 2*onPlume >= len(p.Pixels) {
			sc.fragments++
		} else {
			sc.falses++
		}
	}
	return sc
}

// auc is the area under the ROC curve of scores pos against neg: the
// probability that a random positive scores above a random negative (ties
// count half), by the Mann–Whitney rank sum.
func auc(pos, neg []float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return math.NaN()
	}
	type v struct {
		x   float64
		pos bool
	}
	all := make([]v, 0, len(pos)+len(neg))
	for _, x := range pos {
		all = append(all, v{x, true})
	}
	for _, x := range neg {
		all = append(all, v{x, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].x < all[j].x })
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].x == all[i].x {
			j++
		}
		r := float64(i+j+1) / 2 // mean 1-based rank of the tie group
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += r
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}

func TestAUC(t *testing.T) {
	if a := auc([]float64{3, 4}, []float64{1, 2}); a != 1 {
		t.Errorf("separated: %g", a)
	}
	if a := auc([]float64{1, 2}, []float64{3, 4}); a != 0 {
		t.Errorf("reversed: %g", a)
	}
	if a := auc([]float64{1, 3}, []float64{2, 2}); a != 0.5 {
		t.Errorf("interleaved: %g", a)
	}
	if a := auc([]float64{2}, []float64{2}); a != 0.5 {
		t.Errorf("tie: %g", a)
	}
}

// TestAccuracyOnSimulatedScenes is the Must-show accuracy measurement:
// three scenes of six plumes each. Targets: every plume of at least 300
// ppm·m near its source found; median source error ≤ 1 pixel; median
// emission-rate error ≤ 25 %; false plumes counted.
func TestAccuracyOnSimulatedScenes(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates and processes three scenes")
	}
	var all []match
	var falses, fragments int
	for _, sc := range accuracyScenes {
		r := runAccuracyScene(t, sc)
		t.Logf("scene %s: AUC %.4f, background σ %.1f ppm·m (median pixel σ %.1f), %d fragments, %d false plumes",
			sc.name, r.auc, r.bgSigma, r.medianPixelSigma, r.fragments, r.falses)
		for _, m := range r.matches {
			if !m.found {
				t.Logf("  source (%d, %d) peak %6.0f ppm·m, Q %6.2f kg/h: not found", m.line, m.sample, m.peak, m.rate)
				continue
			}
			t.Logf("  source (%d, %d) peak %6.0f ppm·m, Q %6.2f kg/h: found at (%d, %d), error %.2f px, Q̂ %6.2f kg/h (%+.0f %%)",
				m.line, m.sample, m.peak, m.rate, m.dLine, m.dSample, m.srcErr, m.estQ, 100*(m.estQ-m.rate)/m.rate)
		}
		if !(r.auc >= sc.minAUC) {
			t.Errorf("scene %s: AUC %.4f below %.2f", sc.name, r.auc, sc.minAUC)
		}
		if !(r.bgSigma < 65) {
			t.Errorf("scene %s: background σ %.1f ppm·m, want under 65", sc.name, r.bgSigma)
		}
		all = append(all, r.matches...)
		falses += r.falses
		fragments += r.fragments
	}
	var srcErr, rateErr []float64
	for _, m := range all {
		if m.peak >= 300 && !m.found {
			t.Errorf("plume of %.0f ppm·m at (%d, %d) not found", m.peak, m.line, m.sample)
		}
		if m.found {
			srcErr = append(srcErr, m.srcErr)
			rateErr = append(rateErr, m.rateErr)
		}
	}
	sort.Float64s(srcErr)
	sort.Float64s(rateErr)
	med := func(x []float64) float64 {
		if len(x) == 0 {
			return math.NaN()
		}
		return x[len(x)/2]
	}
	t.Logf("all scenes: %d of %d plumes found; median source error %.2f px; median rate error %.1f %%; %d fragments, %d false plumes",
		len(srcErr), len(all), med(srcErr), 100*med(rateErr), fragments, falses)
	if m := med(srcErr); !(m <= 1) {
		t.Errorf("median source error %.2f px, want ≤ 1", m)
	}
	if m := med(rateErr); !(m <= 0.25) {
		t.Errorf("median emission-rate error %.1f %%, want ≤ 25 %%", 100*m)
	}
	if falses > len(accuracyScenes) {
		t.Errorf("%d false plumes in %d scenes", falses, len(accuracyScenes))
	}
}

// TestFalsePlumesWithDefaults runs Detect with its defaults and nothing
// taken from the truth but the wind speed on a scene held out from the
// choice of those defaults (seed 88, used nowhere else; docs/BENCHMARKS.md,
// "False plumes"). Measured: 1 false plume, every plume of at least 300
// ppm·m found; with the former defaults (no seed threshold, no
// re-estimation) 11 false plumes.
func TestFalsePlumesWithDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates and processes a 600 × 400 scene")
	}
	o := accuracyOptions()
	o.Lines, o.Samples = 600, 400
	o.Seed, o.Wind, o.WindFrom = 88, 3.5, 300
	s, err := scene.New(o)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.Write(context.Background(), dir, false); err != nil {
		t.Fatal(err)
	}
	do := DefaultOptions()
	do.Cube = filepath.Join(dir, scene.RadianceFile)
	do.Out = filepath.Join(dir, "detect")
	do.Plume.WindSpeed = o.Wind
	res, err := Run(context.Background(), do)
	if err != nil {
		t.Fatal(err)
	}
	r := score(s, res, o)
	t.Logf("%d plumes: %d fragments, %d false plumes", len(res.Plumes), r.fragments, r.falses)
	for _, m := range r.matches {
		t.Logf("  source (%d, %d) peak %6.0f ppm·m: found %v, error %.2f px", m.line, m.sample, m.peak, m.found, m.srcErr)
		if m.peak >= 300 && !m.found {
			t.Errorf("plume of %.0f ppm·m at (%d, %d) not found", m.peak, m.line, m.sample)
		}
	}
	if r.falses > 3 {
		t.Errorf("%d false plumes with the defaults, want at most 3", r.falses)
	}
	if r.fragments > 2 {
		t.Errorf("%d plume fragments with the defaults, want at most 2", r.fragments)
	}
}
