package scene

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/vigia/vigia/internal/envi"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/plume"
	"github.com/vigia/vigia/internal/spectral"
)

// ErrOptions reports options that cannot make a scene; the message names
// the field.
var ErrOptions = errors.New("scene: bad options")

// NoData is the radiance written for pixels outside the swath when
// Options.NoDataEdge is set, and the ENVI "data ignore value" of every
// file the simulator writes.
const NoData = -9999

// Source is one emission point to place in a scene.
type Source struct {
	// Line and Sample locate the source in pixel coordinates: (0, 0) is
	// the upper-left corner of the upper-left pixel, (l+0.5, s+0.5) the
	// centre of pixel (l, s).
	Line, Sample float64
	// RateKgH is the emission rate, kg/h. When zero, the rate is chosen
	// so that the largest enhancement within one pixel of the source is
	// PeakPPMm.
	RateKgH  float64
	PeakPPMm float64
	// Turn rotates this plume's wind direction from the scene's, degrees
	// clockwise.
	Turn geo.Degrees
}

// Options describe a scene. Start from DefaultOptions; zero fields of a
// given Options are not filled in.
type Options struct {
	// Lines, Samples and Bands are the cube's dimensions.
	Lines, Samples, Bands int
	// FirstWavelength and LastWavelength are the first and last band
	// centres, nm; bands are evenly spaced between them, each with a FWHM
	// of 1.1 times the spacing plus up to 0.5 nm more towards the SWIR
	// end (AVIRIS-NG: 425 bands, 377–2510 nm, 5.0 nm apart, 5.5–6.0 nm
	// FWHM).
	FirstWavelength, LastWavelength float64
	// PixelSize is the ground sampling distance.
	PixelSize geo.Meters
	// Seed makes the scene: the same options and seed give the same cube,
	// bit for bit, whatever Workers.
	Seed uint64
	// Plumes is the number of random sources when Sources is nil; their
	// peak enhancements are log-uniform in [MinPeakPPMm, MaxPeakPPMm].
	Plumes                   int
	MinPeakPPMm, MaxPeakPPMm float64
	// Sources, when not nil, are the sources to place instead.
	Sources []Source
	// Wind is the 10 m wind speed U10, m/s; WindFrom the direction it
	// blows from, degrees clockwise from north. TransportWind, when
	// positive, is a constant speed (m/s) that carries the plumes; 0
	// means a logarithmic wind profile (roughness 0.1 m) evaluated at each
	// plume's mass-mean height, from a 2 m release, so that the plume
	// moves at about 0.65 U10 near its source and 0.9 U10 100 m
	// downwind.
	Wind, TransportWind float64
	WindFrom            geo.Degrees
	// Stability is the Pasquill–Gifford class of the dispersion.
	Stability Stability
	// SourceSpread is the crosswind standard deviation of the plume at
	// the source (m): the size of the leak.
	SourceSpread geo.Meters
	// SolarZenith is the sun's zenith angle.
	SolarZenith geo.Degrees
	// Gain is the number of photo-electrons per µW cm⁻² sr⁻¹ nm⁻¹ at
	// full quantum efficiency; ReadNoise the read noise in electrons.
	// Gain 0 turns noise off.
	Gain, ReadNoise float64
	// Striping is the standard deviation of the per-column gain of the
	// pushbroom detector (relative, shared by all bands), and
	// BandStriping that of its per-column, per-band part.
	Striping, BandStriping float64
	// Smile is the shift of band centres at the swath edges, nm
	// (quadratic across track, zero at the centre).
	Smile float64
	// Saturation is the full-scale radiance relative to that of a white
	// surface under a zenith sun without atmosphere; brighter samples
	// are clipped to it. 0 disables clipping.
	Saturation float64
	// Flare places a gas flare (FlareTempK, covering FlareFraction of its
	// pixel) at a random place; Glints places that many specular
	// reflections off roofs, bright enough to saturate.
	Flare         bool
	FlareTempK    float64
	FlareFraction float64
	Glints        int
	// NoDataEdge cuts the swath with slanted edges, as in an
	// orthorectified product, filling outside with NoData.
	NoDataEdge bool
	// Zone, North, Easting and Northing georeference the cube: UTM zone
	// on WGS84 and the map coordinates (m) of the upper-left corner of
	// the upper-left pixel.
	Zone              int
	North             bool
	Easting, Northing float64
	// Workers is the number of goroutines that make radiance; 0 means
	// GOMAXPROCS.
	Workers int
	// Progress, when not nil, is called after each block of lines
	// written with the lines done and the total.
	Progress func(done, total int)
}

// Sinaloa is the default place of the scenes: farmland near Culiacán,
// Sinaloa, Mexico (24.75° N, 107.45° W), in UTM zone 13 North.
var Sinaloa = geo.LatLon{Lat: 24.75, Lon: -107.45}

// DefaultOptions returns an AVIRIS-NG-like scene: 1000 lines × 600
// samples × 425 bands at 5 m over Sinaloa, six plumes of 150–3000 ppm·m,
// a 3 m/s wind from the west-south-west, class C, noise, striping, smile,
// a flare and glints.
func DefaultOptions() Options {
	e, n := envi.LonLatToUTM(13, true, float64(Sinaloa.Lon), float64(Sinaloa.Lat))
	return Options{
		Lines: 1000, Samples: 600, Bands: 425,
		FirstWavelength: 377, LastWavelength: 2510,
		PixelSize: 5, Seed: 1,
		Plumes: 6, MinPeakPPMm: 150, MaxPeakPPMm: 3000,
		Wind: 3, WindFrom: 250, Stability: StabilityC, SourceSpread: 1,
		SolarZenith: 30,
		Gain:        1500000, ReadNoise: 80,
		Striping: 0.01, BandStriping: 0.002, Smile: 0.3,
		Saturation: 1.2,
		Flare:      true, FlareTempK: 1400, FlareFraction: 0.02, Glints: 4,
		Zone: 13, North: true, Easting: math.Round(e), Northing: math.Round(n),
	}
}

// Scene is a simulated scene: its ground, its atmosphere and sensor, and
// the truth. Its radiance is made on demand, line block by line block
// (Radiance), so memory stays bounded by the per-pixel maps (about
// 50 bytes per pixel) whatever the number of bands. A Scene is immutable
// after New; Radiance is safe for concurrent use.
type Scene struct {
	opts       Options
	wavelength []float64 // nm
	fwhm       []float64 // nm
	kBand      []float64 // CH4 absorption per ppm·m per band (0 outside the target)
	target     *spectral.Target

	refl  [numSurfaces][]float32 // reflectance per band
	slope []float32              // spectral tilt per band, for per-pixel variability

	toSensor, path, up []float32 // per column × band: gain-, smile- and atmosphere-applied
	electrons          []float64 // per band, electrons per radiance unit
	saturation         []float32 // per band, radiance full scale (+Inf when off)
	flareBand          []float64 // black-body radiance of the flare per band

	abund     []uint8   // per pixel × 4: top surfaces
	weight    []float32 // per pixel × 4: their abundances
	bright    []float32 // per pixel brightness
	tilt      []float32 // per pixel spectral tilt
	truth     []float32 // per pixel CH4 enhancement, ppm·m
	flareFrac []float32 // per pixel fraction covered by flame (sparse use)
	glint     []bool    // per pixel
	nodata    []bool    // per pixel
	sources   []SourceTruth
	flareAt   [2]int
	glintAt   [][2]int
	kgPerPPMm float64
}

// topK is how many surfaces a pixel mixes.
const topK = 4

// New builds a scene: band grid, surfaces, atmosphere, sensor, sources
// and the truth map. It does not make radiance.
func New(opts Options) (*Scene, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	s := &Scene{opts: opts, target: spectral.Methane(), kgPerPPMm: plume.KgPerM2PerPPMm}
	s.bandGrid()
	if err := s.radiometry(); err != nil {
		return nil, err
	}
	s.ground()
	if err := s.plumes(); err != nil {
		return nil, err
	}
	s.hotspots()
	return s, nil
}

func (o *Options) check() error {
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrOptions, field, fmt.Sprintf(format, a...))
	}
	switch {
	case o.Lines < 8 || o.Lines > 1<<16:
		return bad("lines", "%d not in [8, 65536]", o.Lines)
	case o.Samples < 8 || o.Samples > 1<<16:
		return bad("samples", "%d not in [8, 65536]", o.Samples)
	case o.Bands < 2 || o.Bands > 4096:
		return bad("bands", "%d not in [2, 4096]", o.Bands)
	case !(o.FirstWavelength >= 350 && o.LastWavelength <= 2600 && o.FirstWavelength < o.LastWavelength):
		return bad("wavelengths", "%g–%g nm: want 350 ≤ first < last ≤ 2600", o.FirstWavelength, o.LastWavelength)
	case !(o.PixelSize > 0 && o.PixelSize <= 1000):
		return bad("pixel size", "%g m not in (0, 1000]", float64(o.PixelSize))
	case o.Plumes < 0 || o.Plumes > 1000:
		return bad("plumes", "%d not in [0, 1000]", o.Plumes)
	case o.Sources == nil && o.Plumes > 0 && !(o.MinPeakPPMm > 0 && o.MaxPeakPPMm >= o.MinPeakPPMm):
		return bad("peak ppm·m", "range %g–%g: want 0 < min ≤ max", o.MinPeakPPMm, o.MaxPeakPPMm)
	case !(o.Wind > 0 && o.Wind < 50):
		return bad("wind", "%g m/s not in (0, 50)", o.Wind)
	case o.TransportWind < 0 || o.TransportWind >= 50:
		return bad("transport wind", "%g m/s not in [0, 50)", o.TransportWind)
	case !o.Stability.Valid():
		return bad("stability", "%q: want A–F", string(rune(o.Stability)))
	case !(o.SolarZenith >= 0 && o.SolarZenith < 80):
		return bad("solar zenith", "%g° not in [0, 80)", float64(o.SolarZenith))
	case o.Gain < 0 || o.ReadNoise < 0 || o.Striping < 0 || o.BandStriping < 0 || o.Saturation < 0 || o.SourceSpread < 0:
		return bad("sensor", "gain, read noise, striping, saturation and source spread must not be negative")
	case o.Flare && !(o.FlareTempK > 300 && o.FlareFraction > 0 && o.FlareFraction <= 1):
		return bad("flare", "temperature %g K and fraction %g: want > 300 K and (0, 1]", o.FlareTempK, o.FlareFraction)
	case o.Glints < 0 || o.Glints > 1000:
		return bad("glints", "%d not in [0, 1000]", o.Glints)
	case o.Zone < 1 || o.Zone > 60:
		return bad("zone", "UTM zone %d not in 1–60", o.Zone)
	}
	for i, src := range o.Sources {
		if !(src.Line >= 0 && src.Line < float64(o.Lines) && src.Sample >= 0 && src.Sample < float64(o.Samples)) {
			return bad(fmt.Sprintf("sources[%d]", i), "position (line %g, sample %g) outside the scene", src.Line, src.Sample)
		}
		if !(src.RateKgH > 0 || src.PeakPPMm > 0) {
			return bad(fmt.Sprintf("sources[%d]", i), "neither a rate nor a peak enhancement")
		}
	}
	return nil
}

// Options returns the options the scene was made with.
func (s *Scene) Options() Options { return s.opts }

// Dims returns the cube's lines, samples and bands.
func (s *Scene) Dims() (lines, samples, bands int) {
	return s.opts.Lines, s.opts.Samples, s.opts.Bands
}

// Wavelength returns the band centres (nm); the caller must not modify it.
func (s *Scene) Wavelength() []float64 { return s.wavelength }

// FWHM returns the band widths (nm); the caller must not modify it.
func (s *Scene) FWHM() []float64 { return s.fwhm }

// Truth returns the methane enhancement map, ppm·m, lines×samples (index
// line*samples+sample; NoData outside the swath). The caller must not
// modify it.
func (s *Scene) Truth() []float32 { return s.truth }

// Sources returns the placed sources and their truth.
func (s *Scene) Sources() []SourceTruth { return s.sources }

// SaturationRadiance returns the full-scale radiance per band (µW cm⁻²
// sr⁻¹ nm⁻¹; +Inf when clipping is off); saturated samples equal it.
func (s *Scene) SaturationRadiance() []float32 { return s.saturation }

func (s *Scene) bandGrid() {
	o := s.opts
	n := o.Bands
	s.wavelength = make([]float64, n)
	s.fwhm = make([]float64, n)
	step := (o.LastWavelength - o.FirstWavelength) / float64(n-1)
	for b := range n {
		l := o.FirstWavelength + float64(b)*step
		s.wavelength[b] = math.Round(l*1000) / 1000
		s.fwhm[b] = math.Round((1.1*step+0.5*(l-377)/2133)*1000) / 1000
	}
}

// radiometry builds the per-band and per-column sensor tables.
func (s *Scene) radiometry() error {
	o := s.opts
	B, S := o.Bands, o.Samples
	k, err := s.target.Resample(s.wavelength, s.fwhm)
	if err != nil {
		return fmt.Errorf("scene: methane target: %w", err)
	}
	for i := range k {
		if math.IsNaN(k[i]) {
			k[i] = 0
		}
	}
	s.kBand = k
	atm := newAtmosphere(float64(o.SolarZenith), absorptionAt(s.target))
	for su := range numSurfaces {
		s.refl[su] = make([]float32, B)
		for b, l := range s.wavelength {
			s.refl[su][b] = float32(Surface(su).Reflectance(l))
		}
	}
	s.slope = make([]float32, B)
	s.electrons = make([]float64, B)
	s.saturation = make([]float32, B)
	s.flareBand = make([]float64, B)
	for b, l := range s.wavelength {
		s.slope[b] = float32((l - 1500) / 1000)
		s.electrons[b] = o.Gain * quantumEfficiency(l)
		s.saturation[b] = float32(math.Inf(1))
		if o.Saturation > 0 {
			s.saturation[b] = float32(o.Saturation * atm.convolve(atm.sunlitTOA, l, s.fwhm[b]))
		}
		if o.Flare {
			s.flareBand[b] = planck(l, o.FlareTempK)
		}
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed_0001))
	s.toSensor = make([]float32, S*B)
	s.path = make([]float32, S*B)
	s.up = make([]float32, S*B)
	colGain := make([]float64, S)
	for c := range S {
		colGain[c] = 1 + o.Striping*rng.NormFloat64()
	}
	half := float64(S-1) / 2
	for c := range S {
		u := (float64(c) - half) / math.Max(half, 1)
		shift := o.Smile * u * u
		for b, l := range s.wavelength {
			g := colGain[c] * (1 + o.BandStriping*rng.NormFloat64())
			i := c*B + b
			s.toSensor[i] = float32(g * atm.convolve(atm.toSensor, l+shift, s.fwhm[b]))
			s.path[i] = float32(g * atm.convolve(atm.path, l+shift, s.fwhm[b]))
			s.up[i] = float32(g * atm.convolve(atm.up, l+shift, s.fwhm[b]))
		}
	}
	return nil
}

// Radiance fills dst with lines [line0, line0+n) in BIL order
// (dst[(l*bands+b)*samples+s]), µW cm⁻² sr⁻¹ nm⁻¹. The noise of each line
// comes from its own random stream, so any split into blocks gives the
// same values.
func (s *Scene) Radiance(line0, n int, dst []float32) error {
	o := s.opts
	B, S := o.Bands, o.Samples
	if line0 < 0 || n < 0 || line0+n > o.Lines {
		return fmt.Errorf("scene: lines [%d, %d) outside [0, %d)", line0, line0+n, o.Lines)
	}
	if len(dst) < n*B*S {
		return fmt.Errorf("scene: destination of %d values for %d lines × %d bands × %d samples", len(dst), n, B, S)
	}
	spec := make([]float32, B)
	for l := range n {
		line := line0 + l
		rng := rand.New(rand.NewPCG(o.Seed, uint64(line)+0x1_0000_0000))
		out := dst[l*B*S : (l+1)*B*S]
		for smp := range S {
			p := line*S + smp
			if s.nodata[p] {
				for b := range B {
					out[b*S+smp] = NoData
				}
				continue
			}
			s.pixel(p, smp, spec, rng)
			for b, v := range spec {
				out[b*S+smp] = v
			}
		}
	}
	return nil
}

// pixel makes the radiance spectrum of pixel p (in column c).
func (s *Scene) pixel(p, c int, spec []float32, rng *rand.Rand) {
	B := s.opts.Bands
	for b := range spec {
		spec[b] = 0
	}
	for k := range topK {
		w := s.weight[p*topK+k]
		if w == 0 {
			continue
		}
		r := s.refl[s.abund[p*topK+k]]
		for b := range spec {
			spec[b] += w * r[b]
		}
	}
	br, tl := s.bright[p], s.tilt[p]
	if s.glint[p] {
		br *= 8
	}
	ts := s.toSensor[c*B : (c+1)*B]
	ps := s.path[c*B : (c+1)*B]
	dx := float64(s.truth[p])
	ff := float64(s.flareFrac[p])
	for b := range spec {
		rho := spec[b] * br * (1 + tl*s.slope[b])
		L := float64(ts[b]*rho + ps[b])
		if dx > 0 {
			L *= math.Exp(-s.kBand[b] * dx)
		}
		if ff > 0 {
			L = L*(1-ff) + ff*s.flareBand[b]*float64(s.up[c*B+b])
		}
		if g := s.electrons[b]; g > 0 {
			e := math.Max(L*g, 0)
			L += math.Sqrt(e+s.opts.ReadNoise*s.opts.ReadNoise) / g * rng.NormFloat64()
		}
		v := float32(L)
		if v > s.saturation[b] {
			v = s.saturation[b]
		}
		spec[b] = v
	}
}

// RadianceParallel fills dst like Radiance using Options.Workers
// goroutines.
func (s *Scene) RadianceParallel(line0, n int, dst []float32) error {
	w := s.opts.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	w = min(w, n)
	if w <= 1 {
		return s.Radiance(line0, n, dst)
	}
	per := s.opts.Bands * s.opts.Samples
	var wg sync.WaitGroup
	errs := make([]error, w)
	for i := range w {
		a, b := line0+n*i/w, line0+n*(i+1)/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Radiance(a, b-a, dst[(a-line0)*per:(b-line0)*per])
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ReadBlock makes the scene a spectral.Cube without writing it: dst gets
// lines [line0, line0+nLines) of the given bands in BIL order.
func (s *Scene) ReadBlock(line0, nLines int, bands []int, dst []float32) error {
	B, S := s.opts.Bands, s.opts.Samples
	full := make([]float32, nLines*B*S)
	if err := s.RadianceParallel(line0, nLines, full); err != nil {
		return err
	}
	for l := range nLines {
		for bi, b := range bands {
			if b < 0 || b >= B {
				return fmt.Errorf("scene: band %d outside [0, %d)", b, B)
			}
			copy(dst[(l*len(bands)+bi)*S:(l*len(bands)+bi+1)*S], full[(l*B+b)*S:(l*B+b+1)*S])
		}
	}
	return nil
}
