package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigia/vigia/internal/envi"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/geotiff"
	"github.com/vigia/vigia/internal/plume"
	"github.com/vigia/vigia/internal/spectral"
)

// Output file names, in Options.Out.
const (
	EnhancementFile = "enhancement.tif" // float32 GeoTIFF, ppm·m
	SigmaFile       = "sigma.tif"       // float32 GeoTIFF, 1σ of the enhancement, ppm·m
	PlumesFile      = "plumes.geojson"  // plume polygons and source points
	QuicklookFile   = "quicklook.png"   // enhancement on a fixed colour scale with a legend
	SummaryFile     = "summary.json"    // the run's record
)

// NoData is the value of pixels without an enhancement in the GeoTIFFs.
const NoData = -9999

// ErrGeolocation reports a cube that cannot be placed on the ground: no
// map info and no IGM, or an IGM of other dimensions.
var ErrGeolocation = errors.New("detect: no geolocation")

// Options configure Detect. Start from DefaultOptions.
type Options struct {
	// Cube is the path of the radiance cube's ENVI header.
	Cube string
	// Out is the output directory, created if missing.
	Out string
	// Target is the gas's unit absorption spectrum; nil means
	// spectral.Methane(). TargetFile names where it came from, for the
	// record ("" for the embedded methane).
	Target     *spectral.Target
	TargetFile string
	// Filter configures the matched filter. When the header has a "data
	// ignore value" and Filter.HasNoData is false, that value is used.
	Filter spectral.Options
	// Plume configures segmentation and emission rates. A zero PixelSize
	// is measured from the geolocation.
	Plume plume.Options
	// IGM, when not empty, is the path of an IGM header giving each
	// pixel's position; otherwise the cube's map info is used.
	IGM string
	// QuicklookMax is the top of the quicklook's colour scale, ppm·m.
	QuicklookMax float64
	// Log receives progress and notes; nil discards.
	Log *slog.Logger
	// Progress, when not nil, is called with the lines done over every
	// pass of the matched filter and their total.
	Progress func(done, total int)
}

// DefaultOptions returns the defaults: spectral.DefaultOptions with the
// flare mask on, masked flags grown by 2 pixels and the plume-excluding
// re-estimation on (one more apply pass over the cube's window bands, the
// statistics downdated rather than read again; it keeps the plumes' own
// enhancement out of the background statistics, see docs/BENCHMARKS.md,
// "False plumes with the defaults"), plume.DefaultOptions (no wind: rates are NaN until
// Plume.WindSpeed is set), a 0–1500 ppm·m quicklook.
func DefaultOptions() Options {
	f := spectral.DefaultOptions()
	f.FlareMask = true
	f.SaturationGrow = 2
	f.Reestimate = true
	return Options{Filter: f, Plume: plume.DefaultOptions(), QuicklookMax: 1500}
}

// Detect runs the pipeline on one cube: open it, run the matched filter,
// segment plumes and estimate their emission rates, and write
// enhancement.tif, sigma.tif, plumes.geojson, quicklook.png and
// summary.json into Options.Out. It returns the summary it wrote.
// Memory is bounded by the filter's line blocks and the per-pixel outputs
// (a few float32 maps), whatever the number of bands. After the filter,
// the GeoTIFFs and the quicklook are written concurrently with each other
// and with the plume segmentation.
func Detect(ctx context.Context, opts Options) (*Summary, error) {
	r, err := Run(ctx, opts)
	if err != nil {
		return nil, err
	}
	return r.Summary, nil
}

// Result is everything a run produced, in memory. The caller owns it.
type Result struct {
	// Summary is what summary.json holds.
	Summary *Summary
	// Filter is the matched filter's output (enhancement, σ, masks).
	Filter *spectral.Result
	// Plumes are the segmented plumes, in pixel coordinates.
	Plumes []plume.Plume
}

// Run is Detect, returning the per-pixel results and plumes as well as
// the summary (the files are written all the same).
func Run(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c, err := envi.Open(opts.Cube)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	h := c.Header()
	if err := h.RequireWavelengths(); err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Cube, err)
	}
	if err := h.RequireFWHM(); err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Cube, err)
	}
	lines, samples, _ := c.Dims()
	gref, err := locate(opts, c)
	if err != nil {
		return nil, err
	}
	defer gref.close()
	t := opts.Target
	if t == nil {
		t = spectral.Methane()
	}
	fo := opts.Filter
	if h.HasIgnore && !fo.HasNoData {
		fo.NoData, fo.HasNoData = float32(h.IgnoreValue), true
	}
	fo.Progress = opts.Progress
	var cube spectral.Cube = c
	if scaled := newScaledCube(c); scaled != nil {
		cube = scaled
	}
	res, err := spectral.MatchedFilter(ctx, cube, h.Wavelength, h.FWHM, t, fo)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Cube, err)
	}
	filtered := time.Now()
	po := opts.Plume
	if po.PixelSize <= 0 {
		po.PixelSize = gref.pixel
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, err
	}
	// The rasters (and the median σ) depend only on the filter's output:
	// they are written while the plumes are segmented, on the other core.
	var wg sync.WaitGroup
	rasterErrs := writeRasters(&wg, opts, res, gref)
	var medSigma float64
	wg.Go(func() { medSigma = median(res.Sigma) })
	plumes, err := plume.Detect(res.Enhancement, res.Sigma, lines, samples, po)
	if err != nil {
		wg.Wait()
		return nil, fmt.Errorf("%s: plumes: %w", opts.Cube, err)
	}
	sum := newSummary(opts, h, t, fo, po, res, plumes, gref)
	wg.Wait()
	sum.MedianPixelSigma = Number(medSigma)
	if err := errors.Join(rasterErrs...); err != nil {
		return nil, err
	}
	if err := writePlumes(filepath.Join(opts.Out, PlumesFile), sum, plumes, gref); err != nil {
		return nil, err
	}
	sum.Seconds = time.Since(start).Seconds()
	sum.FilterSeconds = filtered.Sub(start).Seconds()
	sum.PixelsPerSecond = float64(lines*samples) / sum.Seconds
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(opts.Out, SummaryFile), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	log.Info("detect done", "cube", opts.Cube, "plumes", len(plumes), "seconds", sum.Seconds)
	return &Result{Summary: sum, Filter: res, Plumes: plumes}, nil
}

// geoRef is how the products are placed on the ground.
type geoRef struct {
	loc       locator
	gt        [6]float64 // of the rasters
	epsg      int
	pixel     geo.Meters // ground sampling distance
	source    string     // "map info" or "igm"
	fitResid  float64    // IGM: largest residual of the fitted geotransform, map units
	closeFunc func() error
}

func (g *geoRef) close() {
	if g.closeFunc != nil {
		g.closeFunc()
	}
}

// locate builds the georeference from the IGM when given, else from the
// map info.
func locate(opts Options, c *envi.Cube) (*geoRef, error) {
	h := c.Header()
	lines, samples, _ := c.Dims()
	g := &geoRef{}
	if opts.IGM != "" {
		igm, err := envi.OpenIGM(opts.IGM)
		if err != nil {
			return nil, err
		}
		g.closeFunc = igm.Close
		il, is := igm.Dims()
		if il != lines || is != samples {
			igm.Close()
			return nil, fmt.Errorf("%w: %s: %d lines × %d samples, but cube %s has %d × %d", ErrGeolocation, opts.IGM, il, is, opts.Cube, lines, samples)
		}
		g.loc = &igmLocator{g: igm, lines: lines, samples: samples}
		g.source = "igm"
		xy := func(l, s float64) (float64, float64, bool) { return g.loc.lonLat(l, s) }
		g.epsg = 4326
		if utm, zone, north := igm.UTM(); utm {
			g.epsg = 32700 + zone
			if north {
				g.epsg = 32600 + zone
			}
			xy = func(l, s float64) (float64, float64, bool) {
				lon, lat, ok := g.loc.lonLat(l, s)
				if !ok {
					return 0, 0, false
				}
				e, n := envi.LonLatToUTM(zone, north, lon, lat)
				return e, n, true
			}
		}
		gt, resid, err := fitAffine(xy, lines, samples)
		if err != nil {
			igm.Close()
			return nil, fmt.Errorf("%w: %s: %v", ErrGeolocation, opts.IGM, err)
		}
		g.gt, g.fitResid = gt, resid
	} else {
		m := h.MapInfo
		if m == nil {
			return nil, fmt.Errorf("%w: %s: field \"map info\" is absent and no IGM was given", ErrGeolocation, opts.Cube)
		}
		epsg, err := m.EPSG()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", opts.Cube, err)
		}
		g.loc, g.gt, g.epsg, g.source = newMapLocator(m), m.GeoTransform(), epsg, "map info"
	}
	px, err := pixelSize(g.loc, lines, samples)
	if err != nil {
		g.close()
		return nil, fmt.Errorf("%w: %s: %v", ErrGeolocation, opts.Cube, err)
	}
	g.pixel = px
	return g, nil
}

// scaledCube applies the header's data gain and offset values to what the
// filter reads. The matched filter is invariant to per-band gains alone,
// but offsets change the target (μ⊙t), so physical radiance is used.
type scaledCube struct {
	*envi.Cube
	gain, offset []float64
}

func newScaledCube(c *envi.Cube) *scaledCube {
	h := c.Header()
	if h.ScaleFactor == nil && h.ScaleOffset == nil {
		return nil
	}
	s := &scaledCube{Cube: c, gain: h.ScaleFactor, offset: h.ScaleOffset}
	return s
}

// ViewFloat32 lends no view: the file's values are not the scaled ones,
// so the matched filter reads them through ReadBlock.
func (s *scaledCube) ViewFloat32(line0, nLines, b0, b1 int) ([]float32, bool) { return nil, false }

func (s *scaledCube) ReadBlock(line0, n int, bands []int, dst []float32) error {
	if err := s.Cube.ReadBlock(line0, n, bands, dst); err != nil {
		return err
	}
	h := s.Header()
	S := h.Samples
	for l := range n {
		for bi, b := range bands {
			g, o := 1.0, 0.0
			if s.gain != nil {
				g = s.gain[b]
			}
			if s.offset != nil {
				o = s.offset[b]
			}
			row := dst[(l*len(bands)+bi)*S : (l*len(bands)+bi+1)*S]
			for i, v := range row {
				if h.HasIgnore && float64(v) == h.IgnoreValue {
					continue
				}
				row[i] = float32(float64(v)*g + o)
			}
		}
	}
	return nil
}

// writeRasters starts writing the enhancement and σ GeoTIFFs and the
// quicklook, each in its own goroutine counted in wg. It returns the
// slice their errors are stored in, to be read once wg is done.
func writeRasters(wg *sync.WaitGroup, opts Options, res *spectral.Result, g *geoRef) []error {
	errs := make([]error, 3)
	raster := func(data []float32) *geotiff.Raster {
		d := make([]float32, len(data))
		for i, v := range data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				v = NoData
			}
			d[i] = v
		}
		return &geotiff.Raster{Width: res.Samples, Height: res.Lines, Data: d, GeoTransform: g.gt, EPSG: g.epsg, NoData: NoData, HasNoData: true}
	}
	wg.Go(func() {
		r := raster(res.Enhancement)
		// The quicklook only reads r: it is drawn while the GeoTIFF is
		// written.
		var inner sync.WaitGroup
		inner.Go(func() { errs[0] = geotiff.WriteFile(filepath.Join(opts.Out, EnhancementFile), r) })
		q, err := os.Create(filepath.Join(opts.Out, QuicklookFile))
		if err == nil {
			err = geotiff.Quicklook(q, r, geotiff.Scale{Min: 0, Max: opts.QuicklookMax, Label: "CH4 enhancement (ppm·m)"})
			if cerr := q.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			errs[1] = fmt.Errorf("%s: %w", QuicklookFile, err)
		}
		inner.Wait()
	})
	wg.Go(func() { errs[2] = geotiff.WriteFile(filepath.Join(opts.Out, SigmaFile), raster(res.Sigma)) })
	return errs
}

// finiteSample returns the finite values among every step-th element of
// x (step = max(1, n/200000)) where x is read with the elements whose
// skip is true removed, and n is the number of elements kept. skip may be
// nil (nothing removed).
func finiteSample(x []float32, skip []bool, n int) []float64 {
	step := max(1, n/200000)
	v := make([]float64, 0, n/step+1)
	k := 0
	for i, e := range x {
		if skip != nil && skip[i] {
			continue
		}
		if k%step == 0 {
			if f := float64(e); !math.IsNaN(f) && !math.IsInf(f, 0) {
				v = append(v, f)
			}
		}
		k++
	}
	return v
}

// robustSigma returns 1.4826 × the median absolute deviation of the
// finite values of x, sampling at most about 200,000 of them.
func robustSigma(x []float32) float64 {
	return robustSigmaOf(finiteSample(x, nil, len(x)))
}

// robustSigmaOf returns 1.4826 × the median absolute deviation of v,
// reordering v. The median is the element at index len(v)/2 in sorted
// order, found by selection.
func robustSigmaOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	med := selectNth(v, len(v)/2)
	for i := range v {
		v[i] = math.Abs(v[i] - med)
	}
	return 1.4826 * selectNth(v, len(v)/2)
}

// median returns the median of the finite values of x (sampled as in
// robustSigma).
func median(x []float32) float64 {
	v := finiteSample(x, nil, len(x))
	if len(v) == 0 {
		return math.NaN()
	}
	return selectNth(v, len(v)/2)
}

// selectNth returns the element that sorting v (no NaNs) would put at
// index k, reordering v (Hoare's quickselect with a median-of-three
// pivot, expected linear time).
func selectNth(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for hi > lo {
		if hi-lo < 16 {
			for i := lo + 1; i <= hi; i++ {
				for j := i; j > lo && v[j] < v[j-1]; j-- {
					v[j], v[j-1] = v[j-1], v[j]
				}
			}
			break
		}
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		p := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}
