package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"

	"github.com/vigia/vigia/internal/envi"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/progress"
	"github.com/vigia/vigia/internal/sim/scene"
)

const simulateSceneHelp = `
Writes a simulated imaging-spectrometer scene into DIR: radiance.hdr/img
(float32 BIL ENVI radiance in µW cm-2 sr-1 nm-1, AVIRIS-NG-like bands,
UTM map info), truth.hdr/img (the true methane enhancement, ppm·m),
truth.json (sources in pixel and lon/lat, emission rates, wind, flare,
glints, saturation radiance) and, with --igm, radiance_igm.hdr/img.

The ground mixes soil, crops, clay, roads, a river, a village and a
carbonate quarry (a 2.3 µm confuser); the atmosphere has water vapour,
CO2 and background methane; the sensor adds photon and read noise,
per-column striping, smile, glints and a gas flare that saturate. Plumes
come from a Gaussian dispersion model (Briggs rural, Pasquill–Gifford
class) with the given wind; their emission rates are chosen so that the
enhancement near each source spreads geometrically from --min-ppmm to
--max-ppmm. The same flags and seed give the same cube, bit for bit.
docs/FORMATS.md describes every file.

Example:
  vigia simulate scene --out /tmp/scene --lines 1000 --samples 600 --plumes 6 --wind 3 --seed 7
  vigia detect /tmp/scene/radiance.hdr --out /tmp/scene/detect --wind 3
`

func runSimulateScene(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "simulate scene", "vigia simulate scene --out DIR [flags]", simulateSceneHelp)
	d := scene.DefaultOptions()
	out := fs.String("out", "", "output `directory` (created if missing)")
	lines := fs.Int("lines", d.Lines, "lines (along track)")
	samples := fs.Int("samples", d.Samples, "samples (across track)")
	bands := fs.Int("bands", d.Bands, "bands, evenly spaced from --first-nm to --last-nm")
	first := fs.Float64("first-nm", d.FirstWavelength, "first band centre, nm")
	last := fs.Float64("last-nm", d.LastWavelength, "last band centre, nm")
	pixel := fs.Float64("pixel-size", float64(d.PixelSize), "ground sampling distance, m")
	plumes := fs.Int("plumes", d.Plumes, "number of plume sources")
	minP := fs.Float64("min-ppmm", d.MinPeakPPMm, "smallest enhancement near a source, ppm·m")
	maxP := fs.Float64("max-ppmm", d.MaxPeakPPMm, "largest enhancement near a source, ppm·m")
	seed := fs.Uint64("seed", d.Seed, "random seed")
	wind := fs.Float64("wind", d.Wind, "10 m wind speed U10, m/s")
	windFrom := fs.Float64("wind-from", float64(d.WindFrom), "direction the wind blows from, degrees clockwise from north")
	transport := fs.Float64("transport-wind", 0, "constant speed carrying the plumes, m/s (0: a log wind profile at the plume's height)")
	stab := fs.String("stability", d.Stability.String(), "Pasquill–Gifford stability class, A–F")
	sza := fs.Float64("sza", float64(d.SolarZenith), "solar zenith angle, degrees")
	gain := fs.Float64("gain", d.Gain, "photo-electrons per µW cm-2 sr-1 nm-1 (0: no noise)")
	readNoise := fs.Float64("read-noise", d.ReadNoise, "read noise, electrons")
	striping := fs.Float64("striping", d.Striping, "standard deviation of the per-column gain")
	smile := fs.Float64("smile", d.Smile, "band-centre shift at the swath edges, nm")
	sat := fs.Float64("saturation", d.Saturation, "full scale relative to a white surface under a zenith sun (0: never saturate)")
	flare := fs.Bool("flare", d.Flare, "place a gas flare")
	glints := fs.Int("glints", d.Glints, "number of saturating specular glints")
	nodata := fs.Bool("nodata-edge", false, "cut the swath with slanted no-data edges, as an orthorectified product")
	igm := fs.Bool("igm", false, "also write an IGM (easting, northing, elevation per pixel)")
	lat := fs.Float64("lat", float64(scene.Sinaloa.Lat), "latitude of the scene's centre, degrees")
	lon := fs.Float64("lon", float64(scene.Sinaloa.Lon), "longitude of the scene's centre, degrees")
	workers := fs.Int("workers", 0, "goroutines making radiance (0: all cores)")
	quiet := fs.Bool("quiet", false, "do not draw a progress bar")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, "vigia simulate scene: want --out DIR and no arguments")
		return errUsage
	}
	st, err := scene.ParseStability(*stab)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigia simulate scene: --stability: %v\n", err)
		return errUsage
	}
	if !(*lat > -80 && *lat < 84) || !(*lon >= -180 && *lon <= 180) {
		fmt.Fprintf(e.stderr, "vigia simulate scene: --lat %g --lon %g: outside the UTM zones (lat −80..84, lon −180..180)\n", *lat, *lon)
		return errUsage
	}
	o := d
	o.Lines, o.Samples, o.Bands = *lines, *samples, *bands
	o.FirstWavelength, o.LastWavelength = *first, *last
	o.PixelSize = geo.Meters(*pixel)
	o.Plumes, o.MinPeakPPMm, o.MaxPeakPPMm, o.Seed = *plumes, *minP, *maxP, *seed
	o.Wind, o.WindFrom, o.TransportWind, o.Stability = *wind, geo.Degrees(*windFrom), *transport, st
	o.SolarZenith, o.Gain, o.ReadNoise = geo.Degrees(*sza), *gain, *readNoise
	o.Striping, o.Smile, o.Saturation = *striping, *smile, *sat
	o.Flare, o.Glints, o.NoDataEdge, o.Workers = *flare, *glints, *nodata, *workers
	// Centre the scene on lat, lon in the point's own UTM zone.
	o.Zone = int(math.Floor((*lon+180)/6)) + 1
	o.Zone = min(max(o.Zone, 1), 60)
	o.North = *lat >= 0
	ce, cn := envi.LonLatToUTM(o.Zone, o.North, *lon, *lat)
	o.Easting = math.Round(ce - float64(o.Samples)*(*pixel)/2)
	o.Northing = math.Round(cn + float64(o.Lines)*(*pixel)/2)

	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	var rep *progress.Reporter
	var done int
	if !*quiet {
		rep = progress.New(e.stderr, log, "simulate", int64(o.Lines), &progress.Options{Unit: "lines", Detect: true})
		o.Progress = func(d, _ int) {
			rep.Add(int64(d - done))
			done = d
		}
	}
	s, err := scene.New(o)
	if err != nil {
		if rep != nil {
			rep.Done()
		}
		return err
	}
	err = s.Write(ctx, *out, *igm)
	if rep != nil {
		rep.Done()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d lines × %d samples × %d bands), %s, %s\n",
		filepath.Join(*out, scene.RadianceFile), o.Lines, o.Samples, o.Bands, scene.TruthFile, scene.TruthJSON)
	fmt.Fprintln(e.stdout, "id,line,sample,lon,lat,rate_kg_h,peak_ppm_m,wind_from_deg")
	for _, src := range s.Sources() {
		fmt.Fprintf(e.stdout, "%d,%d,%d,%.6f,%.6f,%.2f,%.0f,%.1f\n", src.ID, src.PixelLine, src.PixelSample, src.Lon, src.Lat, src.RateKgH, src.PeakPPMm, src.WindFrom)
	}
	return nil
}
