package scene

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/vigia/vigia/internal/envi"
	"github.com/vigia/vigia/internal/geo"
)

// Stability is a Pasquill–Gifford atmospheric stability class, 'A' (very
// unstable, a wide plume) to 'F' (stable, a narrow one).
type Stability byte

// The Pasquill–Gifford classes.
const (
	StabilityA Stability = 'A'
	StabilityB Stability = 'B'
	StabilityC Stability = 'C'
	StabilityD Stability = 'D'
	StabilityE Stability = 'E'
	StabilityF Stability = 'F'
)

// briggsY holds the coefficients a of Briggs' rural crosswind dispersion
// σ_y = a·x·(1 + 0.0001·x)^−½ (x and σ_y in metres) for classes A–F
// (as tabulated in "Workbook of Atmospheric
// Dispersion Estimates", 2nd ed., 1994).
var briggsY = [6]float64{0.22, 0.16, 0.11, 0.08, 0.06, 0.04}

// Valid reports whether s is one of A–F.
func (s Stability) Valid() bool { return s >= StabilityA && s <= StabilityF }

// SigmaY returns the crosswind standard deviation of the plume (m) at
// downwind distance x (m).
func (s Stability) SigmaY(x float64) float64 {
	if !s.Valid() || x <= 0 {
		return 0
	}
	return briggsY[s-StabilityA] * x / math.Sqrt(1+1e-4*x)
}

// ParseStability reads a class letter, either case.
func ParseStability(v string) (Stability, error) {
	if len(v) == 1 {
		s := Stability(v[0] &^ 0x20)
		if s.Valid() {
			return s, nil
		}
	}
	return 0, fmt.Errorf("stability class %q: want one of A–F", v)
}

// String returns the class letter.
func (s Stability) String() string { return string(rune(s)) }

// gaussianPlume is one steady point source in the scene, in the scene's
// metric frame: x east, y south (along lines), origin at the upper-left
// corner of the upper-left pixel.
type gaussianPlume struct {
	x0, y0    float64 // source position, m
	dx, dy    float64 // unit vector downwind
	q         float64 // emission rate, kg/s
	u         float64 // constant transport wind, m/s; 0: the log profile from u10
	u10       float64 // 10 m wind, m/s
	stab      Stability
	sigma0    float64 // initial crosswind spread of the source, m
	kgPerPPMm float64 // kg m⁻² per ppm·m
}

// column returns the vertically integrated methane enhancement (ppm·m) at
// the point (x, y) of the scene's frame, for a crosswind spread widened by
// extra² (to stand for averaging over a cell of width √12·extra). A steady
// Gaussian plume with total ground reflection integrates over height to
// Ω = Q / (√(2π) σ_y U) · exp(−r²/2σ_y²) kg/m², whatever σ_z.
func (p *gaussianPlume) column(x, y, extra2 float64) float64 {
	rx, ry := x-p.x0, y-p.y0
	along := rx*p.dx + ry*p.dy
	if along <= 0 {
		return 0
	}
	cross := -rx*p.dy + ry*p.dx
	sy := p.stab.SigmaY(along)
	s2 := sy*sy + p.sigma0*p.sigma0 + extra2
	if cross*cross > 50*s2 {
		return 0
	}
	omega := p.q / (math.Sqrt(2*math.Pi*s2) * p.speed(along)) * math.Exp(-cross*cross/(2*s2))
	return omega / p.kgPerPPMm
}

// Wind profile of the transport: a neutral logarithmic profile over
// farmland, u(z) = U10 · ln(z/z0) / ln(10 m/z0), evaluated at the plume's
// mass-mean height √(h² + (σ_z·√(2/π))²) for a release at h.
const (
	roughnessZ0   = 0.1 // m, crops and scattered buildings
	releaseHeight = 2.0 // m, a vent or a stack of a small building
)

// speed returns the speed (m/s) carrying the plume's mass at downwind
// distance x (m): the constant transport wind if set, else the log
// profile at the plume's mass-mean height. Ω·U·dy integrates to Q at every
// x, so mass is conserved whatever the profile.
func (p *gaussianPlume) speed(x float64) float64 {
	if p.u > 0 {
		return p.u
	}
	sz := p.stab.SigmaZ(x) * math.Sqrt(2/math.Pi)
	z := math.Sqrt(releaseHeight*releaseHeight + sz*sz)
	return p.u10 * math.Log(z/roughnessZ0) / math.Log(10/roughnessZ0)
}

// SigmaZ returns the vertical standard deviation of the plume (m) at
// downwind distance x (m), Briggs' rural formulas (same source as
// SigmaY).
func (s Stability) SigmaZ(x float64) float64 {
	if !s.Valid() || x <= 0 {
		return 0
	}
	switch s {
	case StabilityA:
		return 0.20 * x
	case StabilityB:
		return 0.12 * x
	case StabilityC:
		return 0.08 * x / math.Sqrt(1+2e-4*x)
	case StabilityD:
		return 0.06 * x / math.Sqrt(1+1.5e-3*x)
	case StabilityE:
		return 0.03 * x / (1 + 3e-4*x)
	}
	return 0.016 * x / (1 + 3e-4*x)
}

// pixelMean returns the plume's mean enhancement (ppm·m) over the pixel
// whose upper-left corner is (x, y) and whose side is px metres,
// averaging n×n sub-cells (each widening the crosswind spread by its own
// width, so that a plume narrower than a sub-cell still integrates to the
// right mass).
func (p *gaussianPlume) pixelMean(x, y, px float64, n int) float64 {
	d := px / float64(n)
	extra2 := d * d / 12
	var s float64
	for i := range n {
		for j := range n {
			s += p.column(x+(float64(j)+0.5)*d, y+(float64(i)+0.5)*d, extra2)
		}
	}
	return s / float64(n*n)
}

// mayReach reports whether the plume can put any mass into the pixel with
// upper-left corner (x, y) and side px: whether the pixel is downwind of
// the source and within 8 σ of the axis.
func (p *gaussianPlume) mayReach(x, y, px float64) bool {
	cx, cy := x+px/2-p.x0, y+px/2-p.y0
	along := cx*p.dx + cy*p.dy
	half := px * math.Sqrt2 / 2
	if along < -half {
		return false
	}
	cross := math.Abs(-cx*p.dy + cy*p.dx)
	sy := p.stab.SigmaY(math.Max(along+half, 0))
	return cross-half <= 8*math.Sqrt(sy*sy+p.sigma0*p.sigma0)+px
}

// SourceTruth is a placed source and what the truth map says of its plume.
type SourceTruth struct {
	// ID numbers the sources from 1.
	ID int `json:"id"`
	// Line and Sample locate the source in pixel coordinates ((0, 0) the
	// upper-left corner of the scene); PixelLine and PixelSample are the
	// pixel containing it.
	Line        float64 `json:"line"`
	Sample      float64 `json:"sample"`
	PixelLine   int     `json:"pixel_line"`
	PixelSample int     `json:"pixel_sample"`
	// Lon and Lat (WGS84 degrees), Easting and Northing (UTM, m) of the
	// source.
	Lon      float64 `json:"lon"`
	Lat      float64 `json:"lat"`
	Easting  float64 `json:"easting_m"`
	Northing float64 `json:"northing_m"`
	// RateKgH is the emission rate, kg/h.
	RateKgH float64 `json:"rate_kg_h"`
	// PeakPPMm is the largest enhancement of this plume within one pixel
	// of the source pixel, ppm·m.
	PeakPPMm float64 `json:"peak_ppm_m"`
	// Wind is the 10 m wind (m/s), TransportWind the speed carrying the
	// plume (m/s; with the log profile, its mean over the pixels of at
	// least 100 ppm·m weighted by enhancement), WindFrom the direction the plume's wind blows from
	// (degrees clockwise from north), Stability the dispersion class.
	Wind          float64 `json:"wind_u10_m_s"`
	TransportWind float64 `json:"transport_wind_m_s"`
	WindFrom      float64 `json:"wind_from_deg"`
	Stability     string  `json:"stability"`
	// Pixels100 counts the pixels where this plume alone gives at least
	// 100 ppm·m; MassKg is its methane mass over the whole scene, kg.
	Pixels100 int     `json:"pixels_ge_100_ppm_m"`
	MassKg    float64 `json:"mass_in_scene_kg"`
}

// plumeMap returns one plume's enhancement (ppm·m) over the scene.
func (s *Scene) plumeMap(p *gaussianPlume) []float32 {
	o := s.opts
	L, S := o.Lines, o.Samples
	px := float64(o.PixelSize)
	out := make([]float32, L*S)
	for l := range L {
		for smp := range S {
			x, y := float64(smp)*px, float64(l)*px
			if !p.mayReach(x, y, px) {
				continue
			}
			n := 4
			if math.Hypot(x+px/2-p.x0, y+px/2-p.y0) < 4*px {
				n = 16
			}
			out[l*S+smp] = float32(p.pixelMean(x, y, px, n))
		}
	}
	return out
}

// downwind returns the unit vector the wind blowing from dir (degrees
// clockwise from north) carries air along, in the scene frame (x east
// along samples, y south along lines).
func downwind(dir float64) (dx, dy float64) {
	s, c := math.Sincos(dir * math.Pi / 180)
	return -s, c
}

// placeSources draws random source positions: each with at least 40
// pixels of its plume downwind inside the scene, and no two within 25
// pixels of each other's wind line.
func (s *Scene) placeSources() ([]Source, error) {
	o := s.opts
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed_0003))
	L, S := float64(o.Lines), float64(o.Samples)
	dx, dy := downwind(float64(o.WindFrom))
	reach := math.Min(40, 0.3*math.Min(L, S))
	sep := math.Min(25, 0.6*math.Min(L, S)/float64(max(o.Plumes, 1)))
	var out []Source
	for try := 0; len(out) < o.Plumes; try++ {
		if try > 100000 {
			return nil, fmt.Errorf("%w: plumes: cannot place %d sources %.0f px apart across the wind in a %d × %d scene", ErrOptions, o.Plumes, sep, o.Lines, o.Samples)
		}
		l := math.Floor(5+rng.Float64()*(L-10)) + 0.5
		smp := math.Floor(5+rng.Float64()*(S-10)) + 0.5
		el, es := l+reach*dy, smp+reach*dx
		if el < 3 || el > L-3 || es < 3 || es > S-3 || s.nodata[int(l)*o.Samples+int(smp)] || s.nodata[int(el)*o.Samples+int(es)] {
			continue
		}
		ok := true
		for _, q := range out {
			rl, rs := l-q.Line, smp-q.Sample
			if math.Abs(-rs*dy+rl*dx) < sep {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, Source{Line: l, Sample: smp})
		}
	}
	// Peaks geometrically spread over the range, in random order.
	n := len(out)
	for i, j := range rng.Perm(n) {
		f := 0.0
		if n > 1 {
			f = float64(j) / float64(n-1)
		}
		out[i].PeakPPMm = o.MinPeakPPMm * math.Pow(o.MaxPeakPPMm/o.MinPeakPPMm, f)
		out[i].Turn = geo.Degrees(8 * rng.NormFloat64())
	}
	return out, nil
}

// plumes places the sources and builds the truth map.
func (s *Scene) plumes() error {
	o := s.opts
	L, S := o.Lines, o.Samples
	srcs := o.Sources
	if srcs == nil {
		var err error
		if srcs, err = s.placeSources(); err != nil {
			return err
		}
	}
	s.truth = make([]float32, L*S)
	px := float64(o.PixelSize)
	for i, src := range srcs {
		dir := math.Mod(float64(o.WindFrom+src.Turn)+720, 360)
		dx, dy := downwind(dir)
		g := &gaussianPlume{x0: src.Sample * px, y0: src.Line * px, dx: dx, dy: dy, q: 1.0 / 3600, u: o.TransportWind, u10: o.Wind,
			stab: o.Stability, sigma0: float64(o.SourceSpread), kgPerPPMm: s.kgPerPPMm}
		unit := s.plumeMap(g) // for 1 kg/h
		pl, ps := int(src.Line), int(src.Sample)
		var peak1 float64
		for l := max(pl-1, 0); l <= min(pl+1, L-1); l++ {
			for smp := max(ps-1, 0); smp <= min(ps+1, S-1); smp++ {
				peak1 = math.Max(peak1, float64(unit[l*S+smp]))
			}
		}
		if peak1 == 0 {
			return fmt.Errorf("%w: sources[%d]: its plume leaves the scene at once", ErrOptions, i)
		}
		q := src.RateKgH
		if q <= 0 {
			q = src.PeakPPMm / peak1
		}
		t := SourceTruth{
			ID: i + 1, Line: src.Line, Sample: src.Sample, PixelLine: pl, PixelSample: ps,
			RateKgH: q, PeakPPMm: q * peak1, Wind: o.Wind,
			WindFrom: dir, Stability: o.Stability.String(),
		}
		t.Easting = o.Easting + src.Sample*px
		t.Northing = o.Northing - src.Line*px
		t.Lon, t.Lat = envi.UTMToLonLat(o.Zone, o.North, t.Easting, t.Northing)
		var mass, ue, e100 float64
		for p, v := range unit {
			if v == 0 {
				continue
			}
			e := float64(v) * q
			s.truth[p] += float32(e)
			if e >= 100 {
				t.Pixels100++
				x := (float64(p%S)+0.5)*px - g.x0
				y := (float64(p/S)+0.5)*px - g.y0
				ue += e * g.speed(math.Max(x*g.dx+y*g.dy, px/2))
				e100 += e
			}
			mass += e * s.kgPerPPMm * px * px
		}
		if e100 > 0 {
			t.TransportWind = ue / e100
		}
		t.MassKg = mass
		s.sources = append(s.sources, t)
	}
	for p, nd := range s.nodata {
		if nd {
			s.truth[p] = NoData
		}
	}
	return nil
}
