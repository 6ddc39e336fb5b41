package detect

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/vigia/vigia/internal/envi"
	"github.com/vigia/vigia/internal/plume"
	"github.com/vigia/vigia/internal/spectral"
)

// Summary is the record of one run, written as summary.json.
type Summary struct {
	// Cube is the header path; Lines, Samples and Bands its dimensions.
	Cube    string `json:"cube"`
	Lines   int    `json:"lines"`
	Samples int    `json:"samples"`
	Bands   int    `json:"bands"`
	// Mode is "column" or "scene"; Windows the band windows (nm);
	// BandsUsed how many bands the filter used.
	Mode      string       `json:"mode"`
	Windows   [][2]float64 `json:"windows_nm"`
	BandsUsed int          `json:"bands_used"`
	// Target names the gas, TargetFile its CSV ("" for the embedded
	// methane); KgPerM2PerPPMm is the column conversion used for IME.
	Target         string  `json:"target"`
	TargetFile     string  `json:"target_file,omitempty"`
	KgPerM2PerPPMm float64 `json:"kg_m2_per_ppm_m"`
	// Options that shaped the result.
	Reestimate     bool    `json:"reestimate"`
	Albedo         bool    `json:"albedo"`
	ThresholdSigma float64 `json:"threshold_sigma"`
	// SeedSigma is the smoothed score a plume's strongest pixel must
	// reach (0: no seed test); MinPixels the smallest plume, pixels.
	SeedSigma float64 `json:"seed_sigma"`
	MinPixels int     `json:"min_pixels"`
	// WindU10 and WindSigma are the 10 m wind and its 1σ (m/s);
	// WindFromDeg the direction it blows from (degrees clockwise from
	// north; null when not given, the plume axis then comes from its
	// shape); Length how L is measured ("sqrt-area" with U = U_eff, or
	// "along-wind" with U = U10); Ueff the U used (m/s).
	WindU10     float64  `json:"wind_u10_m_s"`
	WindSigma   float64  `json:"wind_sigma_m_s"`
	WindFromDeg *float64 `json:"wind_from_deg"`
	Length      string   `json:"length"`
	Ueff        float64  `json:"ueff_m_s"`
	// PixelSizeM is the ground sampling distance used for areas (m);
	// Geolocation is "map info" or "igm"; EPSG and GeoTransform (GDAL
	// order) those of the rasters; GeoFitResidual the largest residual
	// of the geotransform fitted to an IGM (map units; 0 for map info).
	PixelSizeM     float64    `json:"pixel_size_m"`
	Geolocation    string     `json:"geolocation"`
	EPSG           int        `json:"epsg"`
	GeoTransform   [6]float64 `json:"geotransform"`
	GeoFitResidual float64    `json:"geotransform_fit_residual"`
	// BackgroundSigma is the robust standard deviation (1.4826 × MAD) of
	// the enhancement over the scene outside plumes, ppm·m;
	// MedianPixelSigma the median of the per-pixel 1σ, ppm·m.
	BackgroundSigma  Number `json:"background_sigma_ppm_m"`
	MedianPixelSigma Number `json:"median_pixel_sigma_ppm_m"`
	// Masked counts the pixels with each mask flag; ColumnStatus the
	// columns by covariance status.
	Masked       map[string]int `json:"masked_pixels"`
	ColumnStatus map[string]int `json:"column_status"`
	// Plumes are the detections.
	Plumes []PlumeRecord `json:"plumes"`
	// Files are the products written, relative to the output directory.
	Files []string `json:"files"`
	// Seconds is the wall time of the whole run, FilterSeconds of the
	// matched filter (reading included); PixelsPerSecond = lines ×
	// samples / Seconds.
	Seconds         float64 `json:"seconds"`
	FilterSeconds   float64 `json:"filter_seconds"`
	PixelsPerSecond float64 `json:"pixels_per_second"`
}

// Number is a float64 that is written to JSON as null when it is NaN or
// infinite (a rate without wind, a σ without data).
type Number float64

// MarshalJSON implements json.Marshaler.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// PlumeRecord is one detected plume in summary.json and plumes.geojson.
type PlumeRecord struct {
	ID int `json:"id"`
	// Pixels is the plume mask's size; MaxPPMm its largest enhancement.
	Pixels  int    `json:"pixels"`
	MaxPPMm Number `json:"max_ppm_m"`
	// SourceLine and SourceSample locate the source pixel (0-based
	// indices); SourceLon and SourceLat its centre (WGS84 degrees).
	SourceLine   int    `json:"source_line"`
	SourceSample int    `json:"source_sample"`
	SourceLon    Number `json:"source_lon"`
	SourceLat    Number `json:"source_lat"`
	// IMEkg is the integrated mass enhancement (kg), LengthM the plume
	// length (m), UeffMS the effective wind (m/s), RateKgH the emission
	// rate Q = U_eff·IME/L (kg/h) and RateSigmaKgH its 1σ (kg/h).
	IMEkg        Number `json:"ime_kg"`
	LengthM      Number `json:"length_m"`
	UeffMS       Number `json:"ueff_m_s"`
	RateKgH      Number `json:"rate_kg_h"`
	RateSigmaKgH Number `json:"rate_sigma_kg_h"`
}

func newSummary(opts Options, h *envi.Header, t *spectral.Target, fo spectral.Options, po plume.Options,
	res *spectral.Result, plumes []plume.Plume, g *geoRef) *Summary {
	windows := fo.Windows
	if len(windows) == 0 {
		lo, hi := t.MainBand()
		windows = [][2]float64{{lo, hi}}
	}
	s := &Summary{
		Cube: opts.Cube, Lines: h.Lines, Samples: h.Samples, Bands: h.Bands,
		Mode: fo.Mode.String(), Windows: windows, BandsUsed: len(res.Bands),
		Target: t.Name, TargetFile: opts.TargetFile, KgPerM2PerPPMm: plume.KgPerM2PerPPMm,
		Reestimate: fo.Reestimate, Albedo: fo.Albedo, ThresholdSigma: po.ThresholdSigma,
		SeedSigma: po.SeedSigma, MinPixels: po.MinPixels,
		WindU10: po.WindSpeed, WindSigma: po.WindSigma, Length: po.Length.String(), Ueff: effectiveWind(po),
		PixelSizeM: float64(po.PixelSize), Geolocation: g.source, EPSG: g.epsg, GeoTransform: g.gt, GeoFitResidual: g.fitResid,
		Masked: map[string]int{}, ColumnStatus: map[string]int{},
		Files: []string{EnhancementFile, SigmaFile, PlumesFile, QuicklookFile, SummaryFile},
	}
	if po.HasWindDir {
		d := po.WindFromDeg
		s.WindFromDeg = &d
	}
	// Background: the enhancement outside the plume masks.
	// The median σ is left to the caller (Run computes it concurrently).
	in := make([]bool, len(res.Enhancement))
	nin := 0
	for _, p := range plumes {
		for _, i := range p.Pixels {
			if !in[i] {
				in[i] = true
				nin++
			}
		}
	}
	s.BackgroundSigma = Number(robustSigmaOf(finiteSample(res.Enhancement, in, len(res.Enhancement)-nin)))
	for _, m := range res.Mask {
		for _, f := range []struct {
			bit  uint8
			name string
		}{{spectral.MaskNoData, "nodata"}, {spectral.MaskSaturated, "saturated"}, {spectral.MaskFlare, "flare"}, {spectral.MaskPlume, "plume_reestimate"}} {
			if m&f.bit != 0 {
				s.Masked[f.name]++
			}
		}
	}
	for _, st := range res.ColumnStatus {
		s.ColumnStatus[st.String()]++
	}
	s.Plumes = make([]PlumeRecord, 0, len(plumes))
	for _, p := range plumes {
		r := PlumeRecord{
			ID: p.ID, Pixels: len(p.Pixels), MaxPPMm: Number(p.MaxPPMm),
			SourceLine: p.SourceLine, SourceSample: p.SourceSample,
			IMEkg: Number(p.IMEkg), LengthM: Number(p.LengthM), UeffMS: Number(p.UeffMS),
			RateKgH: Number(p.RateKgH), RateSigmaKgH: Number(p.RateSigmaKgH),
		}
		r.SourceLon, r.SourceLat = Number(math.NaN()), Number(math.NaN())
		if lon, lat, ok := g.loc.lonLat(float64(p.SourceLine)+0.5, float64(p.SourceSample)+0.5); ok {
			r.SourceLon, r.SourceLat = Number(lon), Number(lat)
		}
		s.Plumes = append(s.Plumes, r)
	}
	return s
}

// effectiveWind returns the U of Q = U·IME/L that plume.Detect uses: U10
// for along-wind lengths, else the calibrated U_eff(U10).
func effectiveWind(po plume.Options) float64 {
	switch {
	case po.Length == plume.AlongWind:
		return po.WindSpeed
	case po.UeffSlope != 0:
		return po.UeffSlope*po.WindSpeed + po.UeffOffset
	}
	return plume.Ueff(po.WindSpeed)
}

// writePlumes writes plumes.geojson: per plume a Polygon feature (its
// outline) and a Point feature (its source), both with the plume's
// properties; the run's target, constants and wind as foreign members of
// the collection (RFC 7946 §6.1).
func writePlumes(path string, s *Summary, plumes []plume.Plume, g *geoRef) error {
	type geometry struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   geometry       `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string         `json:"type"`
		Features []feature      `json:"features"`
		Vigia    map[string]any `json:"vigia"`
	}{Type: "FeatureCollection", Features: []feature{}}
	fc.Vigia = map[string]any{
		"target": s.Target, "target_file": s.TargetFile, "kg_m2_per_ppm_m": s.KgPerM2PerPPMm,
		"wind_u10_m_s": s.WindU10, "wind_sigma_m_s": s.WindSigma, "wind_from_deg": s.WindFromDeg,
		"length": s.Length, "ueff_m_s": s.Ueff,
		"threshold_sigma": s.ThresholdSigma, "seed_sigma": s.SeedSigma, "min_pixels": s.MinPixels, "pixel_size_m": s.PixelSizeM,
		"mode": s.Mode, "windows_nm": s.Windows, "background_sigma_ppm_m": s.BackgroundSigma,
		"cube": s.Cube,
	}
	round := func(x float64) float64 { return math.Round(x*1e7) / 1e7 }
	for i, p := range plumes {
		r := s.Plumes[i]
		props := map[string]any{
			"id": r.ID, "pixels": r.Pixels, "max_ppm_m": r.MaxPPMm, "ime_kg": r.IMEkg, "length_m": r.LengthM,
			"ueff_m_s": r.UeffMS, "rate_kg_h": r.RateKgH, "rate_sigma_kg_h": r.RateSigmaKgH,
			"source_line": r.SourceLine, "source_sample": r.SourceSample, "target": s.Target,
		}
		var ring [][2]float64
		for _, v := range p.Outline {
			lon, lat, ok := g.loc.lonLat(v[1], v[0])
			if !ok {
				continue
			}
			ring = append(ring, [2]float64{round(lon), round(lat)})
		}
		if len(ring) >= 3 {
			if ring[0] != ring[len(ring)-1] {
				ring = append(ring, ring[0])
			}
			// RFC 7946 §3.1.6: exterior rings counter-clockwise.
			var area float64
			for k := 0; k+1 < len(ring); k++ {
				area += ring[k][0]*ring[k+1][1] - ring[k+1][0]*ring[k][1]
			}
			if area < 0 {
				slices.Reverse(ring)
			}
			pp := map[string]any{"kind": "plume"}
			for k, v := range props {
				pp[k] = v
			}
			fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: geometry{"Polygon", [][][2]float64{ring}}, Properties: pp})
		}
		sp := map[string]any{"kind": "source"}
		for k, v := range props {
			sp[k] = v
		}
		if !math.IsNaN(float64(r.SourceLon)) {
			fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: geometry{"Point", [2]float64{round(float64(r.SourceLon)), round(float64(r.SourceLat))}}, Properties: sp})
		}
	}
	b, err := json.MarshalIndent(fc, "", " ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
