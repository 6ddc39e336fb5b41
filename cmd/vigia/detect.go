package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/vigia/vigia/internal/detect"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/plume"
	"github.com/vigia/vigia/internal/progress"
	"github.com/vigia/vigia/internal/spectral"
)

func detectCommand() command {
	return command{
		name:    "detect",
		summary: "find gas plumes in an imaging-spectrometer cube and estimate emission rates",
		run:     runDetect,
	}
}

const detectHelp = `
Runs the clutter matched filter over an ENVI radiance cube (any interleave
and data type; wavelengths and FWHM in the header) for a gas's absorption
spectrum, segments plumes, locates their sources and estimates emission
rates by integrated mass enhancement, Q = U_eff(U10) · IME / L.

Writes into --out:
  enhancement.tif   float32 GeoTIFF, enhancement in ppm·m (nodata -9999)
  sigma.tif         float32 GeoTIFF, its 1σ per pixel, ppm·m
  plumes.geojson    plume polygons and source points (lon/lat) with IME,
                    length, U_eff, Q ± σ, the target and constants used
  quicklook.png     the enhancement on a fixed colour scale with a legend
  summary.json      the run: options, background σ, masks, plumes, timing

The rasters are georeferenced from the header's map info, or from --igm
(a geotransform fitted to its per-pixel positions). The target defaults to
the embedded methane spectrum; --target reads any gas's CSV
(wavelength_nm,absorption_per_ppm_m[,weight]; see docs/FORMATS.md).

Example:
  vigia simulate scene --out /tmp/scene --seed 7
  vigia detect /tmp/scene/radiance.hdr --out /tmp/scene/detect --wind 3

The defaults (background re-estimated without the first pass's plumes;
plumes grown from 3σ but seeded at 5.5σ on the smoothed map) need no
knowledge of the truth beyond the wind speed. --wind-from and --saturation
help when known; --reestimate=false skips the second background estimate
(about a quarter faster).
`

// windowsFlag collects --window lo:hi values (nm).
type windowsFlag [][2]float64

func (w *windowsFlag) String() string {
	var s []string
	for _, x := range *w {
		s = append(s, fmt.Sprintf("%g:%g", x[0], x[1]))
	}
	return strings.Join(s, ",")
}

func (w *windowsFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), ":")
		lo, err1 := strconv.ParseFloat(a, 64)
		hi, err2 := strconv.ParseFloat(b, 64)
		if !ok || err1 != nil || err2 != nil || !(lo < hi) || lo <= 0 {
			return fmt.Errorf("window %q: want LO:HI in nm with LO < HI", part)
		}
		*w = append(*w, [2]float64{lo, hi})
	}
	return nil
}

func runDetect(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "detect", "vigia detect CUBE.hdr --out DIR [--target SIG.csv] [--wind U10] [flags]", detectHelp)
	d := detect.DefaultOptions()
	out := fs.String("out", "", "output `directory` (created if missing)")
	target := fs.String("target", "", "target spectrum `CSV` (default: the embedded methane)")
	mode := fs.String("mode", "column", "background statistics per cross-track `column` or over the whole `scene`")
	var windows windowsFlag
	fs.Var(&windows, "window", "band window LO:HI in nm; repeat or separate with commas (default: the target's main band, 2100:2500 for methane)")
	reest := fs.Bool("reestimate", d.Filter.Reestimate, "re-estimate the background without the first pass's plume pixels (--reestimate=false: one pass, faster)")
	albedo := fs.Bool("albedo", false, "scale the target by each pixel's brightness")
	wind := fs.Float64("wind", d.Plume.WindSpeed, "10 m wind speed U10, m/s")
	windSigma := fs.Float64("wind-sigma", d.Plume.WindSigma, "1σ of the wind speed, m/s")
	windFrom := fs.String("wind-from", "", "`degrees` clockwise from north the wind blows from, on a north-up grid (default: each plume's axis from its shape)")
	length := fs.String("length", "sqrt-area", "plume length L: `sqrt-area` (with U = U_eff(U10)) or along-wind (with U = U10)")
	threshold := fs.Float64("threshold", d.Plume.ThresholdSigma, "plume threshold on the smoothed enhancement, in σ")
	seed := fs.Float64("seed-sigma", d.Plume.SeedSigma, "a plume must hold a pixel scoring this on the smoothed enhancement, in σ (0: no seed test)")
	minSig := fs.Float64("min-significance", d.Plume.MinSignificance, "smallest Σz/√n over a plume's pixels, in σ (0: no test)")
	minPixels := fs.Int("min-pixels", d.Plume.MinPixels, "smallest plume, pixels")
	pixel := fs.Float64("pixel-size", 0, "ground sampling distance, m (0: measured from the geolocation)")
	igm := fs.String("igm", "", "IGM `header` with each pixel's position (default: the cube's map info)")
	nodata := fs.String("nodata", "", "radiance `value` of missing pixels (default: the header's data ignore value)")
	sat := fs.String("saturation", "", "radiance `value` at or above which a window band is saturated (default: no saturation mask)")
	flare := fs.Bool("flare-mask", d.Filter.FlareMask, "leave flares out of the background")
	qmax := fs.Float64("quicklook-max", d.QuicklookMax, "top of the quicklook's colour scale, ppm·m")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	quiet := fs.Bool("quiet", false, "do not draw a progress bar")
	// Flags may come before or after the cube's path.
	var pos []string
	for rest := args; ; {
		if err := parseFlags(e, fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) != 1 || *out == "" {
		fmt.Fprintln(e.stderr, "vigia detect: want one CUBE.hdr and --out DIR")
		return errUsage
	}
	o := d
	o.Cube, o.Out, o.IGM, o.QuicklookMax = pos[0], *out, *igm, *qmax
	switch *mode {
	case "column":
		o.Filter.Mode = spectral.Column
	case "scene":
		o.Filter.Mode = spectral.Scene
	default:
		fmt.Fprintf(e.stderr, "vigia detect: --mode %q: want column or scene\n", *mode)
		return errUsage
	}
	o.Filter.Windows = windows
	o.Filter.Reestimate, o.Filter.Albedo, o.Filter.FlareMask, o.Filter.Workers = *reest, *albedo, *flare, *workers
	for _, f := range []struct {
		name string
		v    string
		dst  *float32
		has  *bool
	}{{"nodata", *nodata, &o.Filter.NoData, &o.Filter.HasNoData}, {"saturation", *sat, &o.Filter.Saturation, &o.Filter.HasSaturation}} {
		if f.v == "" {
			continue
		}
		x, err := strconv.ParseFloat(f.v, 32)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigia detect: --%s %q: not a number\n", f.name, f.v)
			return errUsage
		}
		*f.dst, *f.has = float32(x), true
	}
	o.Plume.WindSpeed, o.Plume.WindSigma, o.Plume.ThresholdSigma, o.Plume.MinPixels = *wind, *windSigma, *threshold, *minPixels
	o.Plume.SeedSigma, o.Plume.MinSignificance = *seed, *minSig
	o.Plume.PixelSize = geo.Meters(*pixel)
	if *windFrom != "" {
		x, err := strconv.ParseFloat(*windFrom, 64)
		if err != nil || x < -360 || x > 360 {
			fmt.Fprintf(e.stderr, "vigia detect: --wind-from %q: want degrees clockwise from north\n", *windFrom)
			return errUsage
		}
		o.Plume.WindFromDeg, o.Plume.HasWindDir = x, true
	}
	switch *length {
	case "sqrt-area":
		o.Plume.Length = plume.SqrtArea
	case "along-wind":
		o.Plume.Length = plume.AlongWind
	default:
		fmt.Fprintf(e.stderr, "vigia detect: --length %q: want sqrt-area or along-wind\n", *length)
		return errUsage
	}
	if *target != "" {
		f, err := os.Open(*target)
		if err != nil {
			return err
		}
		t, err := spectral.ParseTarget(f, *target)
		f.Close()
		if err != nil {
			return err
		}
		o.Target, o.TargetFile = t, *target
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	o.Log = log
	var rep *progress.Reporter
	var done int
	if !*quiet {
		o.Progress = func(d, total int) {
			if rep == nil {
				rep = progress.New(e.stderr, log, "detect", int64(total), &progress.Options{Unit: "lines", Detect: true})
			}
			rep.Add(int64(d - done))
			done = d
		}
	}
	sum, err := detect.Detect(ctx, o)
	if rep != nil {
		rep.Done()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d plumes; background σ %.1f ppm·m; %d × %d pixels in %.2f s (%.0f pixels/s); products in %s\n",
		len(sum.Plumes), sum.BackgroundSigma, sum.Lines, sum.Samples, sum.Seconds, sum.PixelsPerSecond, *out)
	if len(sum.Plumes) > 0 {
		fmt.Fprintln(e.stdout, "id,source_line,source_sample,lon,lat,max_ppm_m,ime_kg,length_m,ueff_m_s,rate_kg_h,rate_sigma_kg_h")
	}
	for _, p := range sum.Plumes {
		fmt.Fprintf(e.stdout, "%d,%d,%d,%.6f,%.6f,%.0f,%.3f,%.1f,%.2f,%.2f,%.2f\n", p.ID, p.SourceLine, p.SourceSample,
			p.SourceLon, p.SourceLat, p.MaxPPMm, p.IMEkg, p.LengthM, p.UeffMS, p.RateKgH, p.RateSigmaKgH)
	}
	return nil
}
