package scene

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/vigia/vigia/internal/envi"
)

// File names the simulator writes into its output directory.
const (
	RadianceFile = "radiance.hdr"     // the radiance cube (and radiance.img)
	TruthFile    = "truth.hdr"        // the truth enhancement map, ppm·m (and truth.img)
	IGMFile      = "radiance_igm.hdr" // per-pixel easting, northing, elevation (and radiance_igm.img)
	TruthJSON    = "truth.json"       // sources, wind, sensor facts
)

// Truth is the content of truth.json: what a detector should find.
type Truth struct {
	// Lines, Samples and Bands are the cube's dimensions; PixelSizeM the
	// ground sampling distance, m.
	Lines      int     `json:"lines"`
	Samples    int     `json:"samples"`
	Bands      int     `json:"bands"`
	PixelSizeM float64 `json:"pixel_size_m"`
	// Seed made the scene.
	Seed uint64 `json:"seed"`
	// EPSG and MapInfo georeference the cube (UTM on WGS84).
	EPSG    int    `json:"epsg"`
	MapInfo string `json:"map_info"`
	// Target names the gas and KgPerM2PerPPMm the column conversion used
	// to turn the dispersion model's kg/m² into ppm·m.
	Target         string  `json:"target"`
	KgPerM2PerPPMm float64 `json:"kg_m2_per_ppm_m"`
	// Wind (U10, m/s), TransportWind (m/s, 0 for the log profile), WindFrom (degrees clockwise
	// from north) and Stability (Pasquill–Gifford class) of the scene.
	Wind          float64 `json:"wind_u10_m_s"`
	TransportWind float64 `json:"transport_wind_m_s"`
	WindFrom      float64 `json:"wind_from_deg"`
	Stability     string  `json:"stability"`
	// Sources are the emitters and their plumes.
	Sources []SourceTruth `json:"sources"`
	// Flare is the [line, sample] of the flare, absent when none; Glints
	// those of the specular glints.
	Flare  *[2]int  `json:"flare,omitempty"`
	Glints [][2]int `json:"glints"`
	// SaturationRadiance is the full-scale radiance per band (µW cm⁻²
	// sr⁻¹ nm⁻¹), absent when clipping is off; saturated samples equal it.
	SaturationRadiance []float64 `json:"saturation_radiance,omitempty"`
	// NoData is the value of pixels outside the swath, in every file.
	NoData float64 `json:"nodata"`
}

// MapInfo returns the cube's ENVI map info: north-up UTM on WGS84.
func (s *Scene) MapInfo() *envi.MapInfo {
	o := s.opts
	px := float64(o.PixelSize)
	return &envi.MapInfo{Projection: "UTM", RefPixelX: 1, RefPixelY: 1, Easting: o.Easting, Northing: o.Northing,
		PixelX: px, PixelY: px, Zone: o.Zone, North: o.North, Datum: "WGS-84", Units: "Meters"}
}

// TruthRecord returns the truth.json content.
func (s *Scene) TruthRecord() *Truth {
	o := s.opts
	mi := s.MapInfo()
	epsg, _ := mi.EPSG()
	t := &Truth{
		Lines: o.Lines, Samples: o.Samples, Bands: o.Bands, PixelSizeM: float64(o.PixelSize), Seed: o.Seed,
		EPSG: epsg, MapInfo: mi.String(), Target: s.target.Name, KgPerM2PerPPMm: s.kgPerPPMm,
		Wind: o.Wind, TransportWind: o.TransportWind, WindFrom: float64(o.WindFrom), Stability: o.Stability.String(),
		Sources: s.sources, Glints: s.glintAt, NoData: NoData,
	}
	if t.Sources == nil {
		t.Sources = []SourceTruth{}
	}
	if t.Glints == nil {
		t.Glints = [][2]int{}
	}
	if s.flareAt[0] >= 0 {
		f := s.flareAt
		t.Flare = &f
	}
	if o.Saturation > 0 {
		t.SaturationRadiance = make([]float64, len(s.saturation))
		for i, v := range s.saturation {
			t.SaturationRadiance[i] = float64(v)
		}
	}
	return t
}

// Write writes the scene into dir (created if missing): the radiance cube
// (float32 BIL ENVI with wavelengths, FWHM and map info), the truth map,
// truth.json and, with igm, an IGM. Radiance is made and written in
// blocks of lines, so memory stays bounded. It reports progress through
// Options.Progress and stops with ctx.Err() when ctx is cancelled.
func (s *Scene) Write(ctx context.Context, dir string, igm bool) error {
	o := s.opts
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	h := envi.Header{
		Samples: o.Samples, Lines: o.Lines, Bands: o.Bands,
		Wavelength: s.wavelength, FWHM: s.fwhm, MapInfo: s.MapInfo(),
		Description: fmt.Sprintf("vigia simulated radiance, µW cm-2 sr-1 nm-1; seed %d; %d plumes", o.Seed, len(s.sources)),
		Extra:       map[string]string{"sensor type": "vigia simulator (AVIRIS-NG-like)"},
	}
	if o.NoDataEdge {
		h.HasIgnore, h.IgnoreValue = true, NoData
	}
	path := filepath.Join(dir, RadianceFile)
	w, err := envi.Create(path, h)
	if err != nil {
		return err
	}
	block := max(1, min(64, (32<<20)/(4*o.Bands*o.Samples)))
	buf := make([]float32, block*o.Bands*o.Samples)
	for l := 0; l < o.Lines; l += block {
		if err := ctx.Err(); err != nil {
			w.Close()
			return err
		}
		n := min(block, o.Lines-l)
		if err := s.RadianceParallel(l, n, buf[:n*o.Bands*o.Samples]); err != nil {
			w.Close()
			return err
		}
		if err := w.WriteLines(buf[:n*o.Bands*o.Samples]); err != nil {
			w.Close()
			return err
		}
		if o.Progress != nil {
			o.Progress(l+n, o.Lines)
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	th := envi.Header{Samples: o.Samples, Lines: o.Lines, Bands: 1, MapInfo: s.MapInfo(),
		HasIgnore: true, IgnoreValue: NoData, BandNames: []string{"CH4 enhancement (ppm m)"},
		Description: "vigia simulated truth: methane column enhancement, ppm m"}
	if err := writeImage(filepath.Join(dir, TruthFile), th, s.truth); err != nil {
		return err
	}
	if igm {
		if err := s.writeIGM(filepath.Join(dir, IGMFile)); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(s.TruthRecord(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, TruthJSON), append(b, '\n'), 0o644)
}

// writeImage writes a one-band float32 image of lines×samples values
// (the band count and data layout come from h).
func writeImage(path string, h envi.Header, data []float32) error {
	w, err := envi.Create(path, h)
	if err != nil {
		return err
	}
	if err := w.WriteLines(data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// writeIGM writes an AVIRIS-NG-style IGM: easting, northing (UTM, m) and
// elevation (m) of each pixel centre, with the cube's map info.
func (s *Scene) writeIGM(path string) error {
	o := s.opts
	L, S := o.Lines, o.Samples
	px := float64(o.PixelSize)
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed_0005))
	terrain := octaves(rng, L, S, math.Max(float64(min(L, S))/3, 8))
	data := make([]float32, L*3*S)
	for l := range L {
		for smp := range S {
			p := l*S + smp
			e := o.Easting + (float64(smp)+0.5)*px
			n := o.Northing - (float64(l)+0.5)*px
			z := 45 + 12*float64(terrain[p])
			if s.nodata[p] {
				e, n, z = NoData, NoData, NoData
			}
			data[(l*3+0)*S+smp] = float32(e)
			data[(l*3+1)*S+smp] = float32(n)
			data[(l*3+2)*S+smp] = float32(z)
		}
	}
	h := envi.Header{Samples: S, Lines: L, Bands: 3, MapInfo: s.MapInfo(), HasIgnore: true, IgnoreValue: NoData,
		BandNames:   []string{"Easting (m)", "Northing (m)", "Elevation (m)"},
		Description: "vigia simulated input geometry: UTM easting, northing and elevation of each pixel centre"}
	return writeImage(path, h, data)
}
