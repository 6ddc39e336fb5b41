package scene

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/envi"
	"github.com/vigia/vigia/internal/plume"
)

// small returns options for a fast scene: 64 × 48 × 60 bands over the
// methane window.
func small() Options {
	o := DefaultOptions()
	o.Lines, o.Samples, o.Bands = 64, 48, 60
	o.FirstWavelength, o.LastWavelength = 2100, 2500
	o.Plumes = 2
	o.Glints = 1
	return o
}

func newScene(t testing.TB, o Options) *Scene {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeterministicWhateverBlocksAndWorkers(t *testing.T) {
	o := small()
	s1 := newScene(t, o)
	L, S, B := s1.Dims()
	whole := make([]float32, L*B*S)
	if err := s1.Radiance(0, L, whole); err != nil {
		t.Fatal(err)
	}
	o.Workers = 3
	s2 := newScene(t, o)
	par := make([]float32, L*B*S)
	for l := 0; l < L; l += 7 {
		n := min(7, L-l)
		if err := s2.RadianceParallel(l, n, par[l*B*S:(l+n)*B*S]); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(whole, par) {
		t.Fatal("radiance differs between one block and blocks of 7 lines on 3 workers")
	}
	o.Seed++
	s3 := newScene(t, o)
	other := make([]float32, L*B*S)
	s3.Radiance(0, L, other)
	if slices.Equal(whole, other) {
		t.Fatal("another seed gave the same cube")
	}
}

// TestGaussianPlumeConservesMass integrates the column times the transport
// speed across the wind at several distances: it must give back Q.
func TestGaussianPlumeConservesMass(t *testing.T) {
	for _, st := range []Stability{StabilityA, StabilityC, StabilityF} {
		for _, u := range []float64{0, 4} {
			p := &gaussianPlume{dx: 1, q: 0.01, u: u, u10: 3, stab: st, sigma0: 1, kgPerPPMm: plume.KgPerM2PerPPMm}
			for _, x := range []float64{3, 50, 400} {
				var flux float64
				const dy = 0.01
				for y := -300.0; y <= 300; y += dy {
					flux += p.column(x, y, 0) * plume.KgPerM2PerPPMm * p.speed(x) * dy
				}
				if math.Abs(flux-p.q)/p.q > 1e-3 {
					t.Errorf("class %s, u %g, x %g m: flux %.6g kg/s, want %g", st, u, x, flux, p.q)
				}
			}
			if p.column(-1, 0, 0) != 0 {
				t.Errorf("class %s: mass upwind of the source", st)
			}
		}
	}
	// Wider for unstable air, and the log profile speeds up downwind.
	if !(StabilityA.SigmaY(100) > StabilityD.SigmaY(100) && StabilityD.SigmaY(100) > StabilityF.SigmaY(100)) {
		t.Error("σ_y does not narrow from A to F")
	}
	p := &gaussianPlume{u10: 3, stab: StabilityC}
	if a, b := p.speed(1), p.speed(200); !(a < b && b < 3.2 && a > 1.5) {
		t.Errorf("log-profile transport %.2f m/s at 1 m and %.2f at 200 m, want rising, below U10", a, b)
	}
}

func TestTruthAndSources(t *testing.T) {
	o := small()
	o.Sources = []Source{{Line: 20.5, Sample: 10.5, PeakPPMm: 800}, {Line: 45.5, Sample: 12.5, RateKgH: 50, Turn: 10}}
	o.WindFrom = 270 // from the west: plumes go east, along samples
	s := newScene(t, o)
	src := s.Sources()
	if len(src) != 2 {
		t.Fatalf("%d sources", len(src))
	}
	if math.Abs(src[0].PeakPPMm-800) > 1e-6 || src[1].RateKgH != 50 {
		t.Errorf("peak %g (want 800), rate %g (want 50)", src[0].PeakPPMm, src[1].RateKgH)
	}
	tr := s.Truth()
	S := o.Samples
	// Upwind of the first source: nothing. Downwind: the plume.
	if tr[20*S+5] != 0 || tr[20*S+20] < 50 {
		t.Errorf("truth upwind %g, 10 px downwind %g", tr[20*S+5], tr[20*S+20])
	}
	if src[0].Pixels100 == 0 || src[0].MassKg <= 0 || src[0].TransportWind <= 0 || src[0].TransportWind >= o.Wind {
		t.Errorf("source truth %+v", src[0])
	}
	if src[1].WindFrom != 280 {
		t.Errorf("turned plume from %g°, want 280", src[1].WindFrom)
	}
	// The mass in the scene is what the wind brought in the time it took
	// to cross it: at most Q × scene length / slowest speed.
	if m := src[0].MassKg; m > src[0].RateKgH/3600*float64(S)*float64(o.PixelSize)/1.5 {
		t.Errorf("mass %g kg too large for %g kg/h", m, src[0].RateKgH)
	}
}

// TestBeerLambert checks the plume's radiance against the same scene
// without plume: their ratio is exp(−k·ΔX) per band, noise off.
func TestBeerLambert(t *testing.T) {
	o := small()
	o.Gain, o.Glints, o.Flare = 0, 0, false
	o.Sources = []Source{{Line: 30.5, Sample: 10.5, PeakPPMm: 2000}}
	o.WindFrom = 270
	with := newScene(t, o)
	o.Sources = []Source{}
	o.Plumes = 0
	without := newScene(t, o)
	_, S, B := with.Dims()
	a := make([]float32, B*S)
	b := make([]float32, B*S)
	with.Radiance(30, 1, a)
	without.Radiance(30, 1, b)
	smp := 12
	dx := float64(with.Truth()[30*S+smp])
	if dx < 500 {
		t.Fatalf("truth %g ppm·m next to the source", dx)
	}
	var deepest float64
	for band := range B {
		got := float64(a[band*S+smp]) / float64(b[band*S+smp])
		want := math.Exp(-with.kBand[band] * dx)
		if math.Abs(got-want) > 1e-5 {
			t.Errorf("band %d (%.1f nm): ratio %.6f, want %.6f", band, with.wavelength[band], got, want)
		}
		deepest = math.Max(deepest, 1-got)
	}
	if deepest < 0.005 {
		t.Errorf("deepest absorption %.4f for %g ppm·m: too weak", deepest, dx)
	}
}

func TestRadiometry(t *testing.T) {
	o := DefaultOptions()
	o.Lines, o.Samples, o.Plumes, o.Glints, o.Flare, o.Gain = 16, 16, 0, 0, false, 0
	o.Striping, o.BandStriping, o.Smile = 0, 0, 0
	s := newScene(t, o)
	_, S, B := s.Dims()
	buf := make([]float32, B*S)
	s.Radiance(8, 1, buf)
	at := func(nm float64) float64 {
		b := 0
		for i, w := range s.wavelength {
			if math.Abs(w-nm) < math.Abs(s.wavelength[b]-nm) {
				b = i
			}
		}
		var m float64
		for smp := range S {
			m += float64(buf[b*S+smp])
		}
		return m / float64(S)
	}
	// Radiance at a bright continuum (0.55 µm, ~10 µW cm⁻² sr⁻¹ nm⁻¹), near
	// zero in the 1.38 and 1.87 µm water bands, SWIR between them.
	if v := at(550); v < 4 || v > 30 {
		t.Errorf("550 nm: %g", v)
	}
	if v := at(1380); v > 0.05*at(1250) {
		t.Errorf("1380 nm: %g, not dark against %g at 1250 nm", v, at(1250))
	}
	if v := at(1870); v > 0.05*at(1650) {
		t.Errorf("1870 nm: %g, not dark against %g at 1650 nm", v, at(1650))
	}
	if v := at(2200); v < 0.2 || v > 3 {
		t.Errorf("2200 nm: %g", v)
	}
	// Background methane darkens 2.3 µm relative to the neighbours.
	if at(2305) >= at(2220) {
		t.Errorf("no methane absorption: %g at 2305 nm, %g at 2220 nm", at(2305), at(2220))
	}
}

func TestSurfacesHaveTheirFeatures(t *testing.T) {
	minIn := func(s Surface, lo, hi float64) float64 {
		best, at := math.Inf(1), 0.0
		for l := lo; l <= hi; l++ {
			// continuum-removed: divide by the line between the ends
			c := s.Reflectance(lo) + (s.Reflectance(hi)-s.Reflectance(lo))*(l-lo)/(hi-lo)
			if r := s.Reflectance(l) / c; r < best {
				best, at = r, l
			}
		}
		return at
	}
	for _, tc := range []struct {
		s      Surface
		lo, hi float64
		want   float64
	}{
		{Calcite, 2250, 2420, 2340}, {Dolomite, 2250, 2400, 2318}, {Clay, 2150, 2260, 2205},
		{Asphalt, 2260, 2330, 2310}, {Roof, 1680, 1780, 1730}, {Vegetation, 640, 705, 675},
	} {
		if got := minIn(tc.s, tc.lo, tc.hi); math.Abs(got-tc.want) > 6 {
			t.Errorf("%s: band minimum at %g nm, want %g", tc.s, got, tc.want)
		}
	}
	if r := Vegetation.Reflectance(850) / Vegetation.Reflectance(660); r < 5 {
		t.Errorf("vegetation red edge ratio %g", r)
	}
	if Water.Reflectance(1600) > 0.01 {
		t.Errorf("water at 1.6 µm: %g", Water.Reflectance(1600))
	}
}

func TestSaturationAndFlare(t *testing.T) {
	o := small()
	o.Glints = 3
	o.FirstWavelength, o.LastWavelength = 1500, 2500
	s := newScene(t, o)
	L, S, B := s.Dims()
	cube := make([]float32, L*B*S)
	s.Radiance(0, L, cube)
	sat := s.SaturationRadiance()
	for _, g := range s.glintAt {
		n := 0
		for b := range B {
			if cube[(g[0]*B+b)*S+g[1]] == sat[b] {
				n++
			}
		}
		if n < B/2 {
			t.Errorf("glint at %v: %d of %d bands saturated", g, n, B)
		}
	}
	if s.flareAt[0] < 0 {
		t.Fatal("no flare")
	}
	f := s.flareAt
	b2200 := 0
	for b, w := range s.wavelength {
		if math.Abs(w-2200) < math.Abs(s.wavelength[b2200]-2200) {
			b2200 = b
		}
	}
	if v := cube[(f[0]*B+b2200)*S+f[1]]; v != sat[b2200] {
		t.Errorf("flare at 2200 nm: %g, want saturated %g", v, sat[b2200])
	}
	if v, bg := cube[(f[0]*B+b2200)*S+f[1]+1], cube[(f[0]*B+b2200)*S+(f[1]+S/2)%S]; v < 3*bg {
		t.Errorf("flare neighbour %g not hot against %g", v, bg)
	}
}

func TestWriteReadsBack(t *testing.T) {
	o := small()
	o.NoDataEdge = true
	s := newScene(t, o)
	dir := t.TempDir()
	var calls int
	o2 := s.opts
	o2.Progress = func(done, total int) { calls++ }
	s.opts = o2
	if err := s.Write(context.Background(), dir, true); err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("no progress reported")
	}
	c, err := envi.Open(filepath.Join(dir, RadianceFile))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := c.Header()
	if h.Lines != o.Lines || h.Samples != o.Samples || h.Bands != o.Bands || !slices.Equal(h.Wavelength, s.Wavelength()) || !slices.Equal(h.FWHM, s.FWHM()) {
		t.Fatalf("header %d×%d×%d, wavelengths %v", h.Lines, h.Samples, h.Bands, h.Wavelength[:3])
	}
	if epsg, err := h.MapInfo.EPSG(); err != nil || epsg != 32613 || !h.HasIgnore || h.IgnoreValue != NoData {
		t.Errorf("EPSG %d (%v), ignore %v %g", epsg, err, h.HasIgnore, h.IgnoreValue)
	}
	block := make([]float32, 2*o.Bands*o.Samples)
	bands := make([]int, o.Bands)
	for i := range bands {
		bands[i] = i
	}
	if err := c.ReadBlock(10, 2, bands, block); err != nil {
		t.Fatal(err)
	}
	want := make([]float32, len(block))
	s.Radiance(10, 2, want)
	if !slices.Equal(block, want) {
		t.Error("cube on disk differs from Radiance")
	}
	if block[0] != NoData {
		t.Errorf("upper-left sample %g, want no-data on the slanted edge", block[0])
	}
	var tr Truth
	b, err := os.ReadFile(filepath.Join(dir, TruthJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	if len(tr.Sources) != 2 || tr.EPSG != 32613 || len(tr.SaturationRadiance) != o.Bands || tr.Flare == nil {
		t.Errorf("truth.json: %s", b)
	}
	g, err := envi.OpenIGM(filepath.Join(dir, IGMFile))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	src := tr.Sources[0]
	lon, lat, ok := g.LonLat(src.PixelLine, src.PixelSample)
	// The IGM gives the pixel centre; the source sits at the centre too.
	if !ok || math.Abs(lon-src.Lon) > 1e-5 || math.Abs(lat-src.Lat) > 1e-5 {
		t.Errorf("IGM at the source pixel: %.6f, %.6f (%v); truth %.6f, %.6f", lon, lat, ok, src.Lon, src.Lat)
	}
	if math.Abs(src.Lat-24.74) > 0.05 || math.Abs(src.Lon+107.45) > 0.05 {
		t.Errorf("source at %.4f, %.4f: not in Sinaloa", src.Lat, src.Lon)
	}
	tc, err := envi.Open(filepath.Join(dir, TruthFile))
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	v, err := tc.Value(src.PixelLine, src.PixelSample, 0)
	if err != nil || float32(v) != s.Truth()[src.PixelLine*o.Samples+src.PixelSample] {
		t.Errorf("truth file at the source: %g, %v", v, err)
	}
}

func TestOptionsErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.Lines = 2 }, "lines"},
		{func(o *Options) { o.Wind = 0 }, "wind"},
		{func(o *Options) { o.Stability = 'G' }, "stability"},
		{func(o *Options) { o.Zone = 0 }, "zone"},
		{func(o *Options) { o.FirstWavelength = 3000 }, "wavelengths"},
		{func(o *Options) { o.Sources = []Source{{Line: -1, Sample: 3, RateKgH: 1}} }, "sources[0]"},
		{func(o *Options) { o.Plumes = 40; o.Lines, o.Samples = 16, 16 }, "plumes"},
	} {
		o := small()
		tc.edit(&o)
		_, err := New(o)
		if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an ErrOptions naming %q, got %v", tc.want, err)
		}
	}
	if _, err := ParseStability("d"); err != nil {
		t.Error(err)
	}
	if _, err := ParseStability("DD"); err == nil {
		t.Error("DD accepted")
	}
}
