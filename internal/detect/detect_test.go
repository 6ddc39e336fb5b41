package detect

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/envi"
	"github.com/vigia/vigia/internal/sim/scene"
	"github.com/vigia/vigia/internal/testenv"
)

// smallScene writes a quick scene with two strong plumes and returns it
// and its directory.
func smallScene(t *testing.T, igm bool) (*scene.Scene, string) {
	t.Helper()
	o := scene.DefaultOptions()
	o.Lines, o.Samples, o.Bands = 120, 90, 90
	o.FirstWavelength, o.LastWavelength = 2060, 2510
	o.Sources = []scene.Source{{Line: 30.5, Sample: 20.5, PeakPPMm: 2500}, {Line: 85.5, Sample: 30.5, PeakPPMm: 1500}}
	o.WindFrom, o.Wind = 270, 3
	o.Glints = 0
	s, err := scene.New(o)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.Write(context.Background(), dir, igm); err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func TestDetectWritesProducts(t *testing.T) {
	s, dir := smallScene(t, false)
	o := DefaultOptions()
	o.Cube = filepath.Join(dir, scene.RadianceFile)
	o.Out = filepath.Join(dir, "out")
	o.Plume.WindSpeed = 3
	var calls int
	o.Progress = func(done, total int) {
		calls++
		if done > total {
			t.Errorf("progress %d of %d", done, total)
		}
	}
	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("no progress")
	}
	sum := r.Summary
	for _, f := range sum.Files {
		if st, err := os.Stat(filepath.Join(o.Out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if sum.EPSG != 32613 || sum.Geolocation != "map info" || math.Abs(sum.PixelSizeM-5) > 0.05 || sum.BandsUsed < 70 {
		t.Errorf("summary: EPSG %d, %s, pixel %g m, %d bands", sum.EPSG, sum.Geolocation, sum.PixelSizeM, sum.BandsUsed)
	}
	if sum.Masked["flare"] == 0 || sum.ColumnStatus["ok"] == 0 {
		t.Errorf("masks %v, column status %v: the scene's flare is not masked", sum.Masked, sum.ColumnStatus)
	}
	if !(sum.BackgroundSigma > 5 && sum.BackgroundSigma < 150) || sum.KgPerM2PerPPMm <= 0 {
		t.Errorf("background σ %g, constant %g", sum.BackgroundSigma, sum.KgPerM2PerPPMm)
	}
	var back Summary
	b, err := os.ReadFile(filepath.Join(o.Out, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &back); err != nil || len(back.Plumes) != len(sum.Plumes) {
		t.Fatalf("summary.json (%v): %s", err, b)
	}
	// Both sources found, located on the ground within two pixels.
	for _, src := range s.Sources() {
		var best float64 = math.Inf(1)
		for _, p := range sum.Plumes {
			d := math.Hypot((float64(p.SourceLon)-src.Lon)*math.Cos(src.Lat*math.Pi/180), float64(p.SourceLat)-src.Lat) * 111320
			best = math.Min(best, d)
		}
		if best > 10 {
			t.Errorf("source %d: nearest detected source %.1f m away", src.ID, best)
		}
	}
	checkGeoJSON(t, filepath.Join(o.Out, PlumesFile), len(sum.Plumes))

	// GDAL reads the enhancement with our geotransform and values.
	gdal := testenv.Tool(t, "gdallocationinfo")
	src := s.Sources()[0]
	l, smp := src.PixelLine, src.PixelSample+2
	out, err := exec.Command(gdal, "-valonly", filepath.Join(o.Out, EnhancementFile), strconv.Itoa(smp), strconv.Itoa(l)).Output()
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if want := float64(r.Filter.Enhancement[l*s.Options().Samples+smp]); err != nil || math.Abs(v-want) > 1e-3*math.Max(1, math.Abs(want)) {
		t.Errorf("gdallocationinfo: %q, want %g", out, want)
	}
}

// checkGeoJSON parses plumes.geojson and checks its structure: a polygon
// (closed, counter-clockwise) and a point per plume, the constants.
func checkGeoJSON(t *testing.T, path string, plumes int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
		Vigia map[string]any `json:"vigia"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || fc.Vigia["kg_m2_per_ppm_m"] == nil || fc.Vigia["target"] != "CH4" {
		t.Errorf("collection: %s %v", fc.Type, fc.Vigia)
	}
	var polys, points int
	for _, f := range fc.Features {
		for _, k := range []string{"rate_kg_h", "rate_sigma_kg_h", "ime_kg", "length_m", "ueff_m_s", "max_ppm_m"} {
			if _, ok := f.Properties[k].(float64); !ok {
				t.Errorf("feature %v lacks %s", f.Properties["id"], k)
			}
		}
		switch f.Geometry.Type {
		case "Polygon":
			polys++
			var rings [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil || len(rings) != 1 || len(rings[0]) < 4 {
				t.Fatalf("polygon: %v %s", err, f.Geometry.Coordinates)
			}
			r := rings[0]
			if r[0] != r[len(r)-1] {
				t.Error("ring not closed")
			}
			var area float64
			for k := 0; k+1 < len(r); k++ {
				area += r[k][0]*r[k+1][1] - r[k+1][0]*r[k][1]
				if math.Abs(r[k][0]+107.45) > 0.1 || math.Abs(r[k][1]-24.75) > 0.1 {
					t.Fatalf("vertex %v not in Sinaloa", r[k])
				}
			}
			if area <= 0 {
				t.Error("exterior ring is clockwise")
			}
		case "Point":
			points++
		default:
			t.Errorf("geometry %s", f.Geometry.Type)
		}
	}
	if polys != plumes || points != plumes {
		t.Errorf("%d polygons and %d points for %d plumes", polys, points, plumes)
	}
}

func TestDetectWithIGM(t *testing.T) {
	_, dir := smallScene(t, true)
	run := func(igm string) *Summary {
		o := DefaultOptions()
		o.Cube, o.IGM = filepath.Join(dir, scene.RadianceFile), igm
		o.Out = filepath.Join(dir, "out"+filepath.Base(igm))
		o.Plume.WindSpeed = 3
		sum, err := Detect(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	a := run("")
	b := run(filepath.Join(dir, scene.IGMFile))
	if b.Geolocation != "igm" || b.EPSG != 32613 || b.GeoFitResidual > 0.5 {
		t.Errorf("IGM run: %s, EPSG %d, residual %g m", b.Geolocation, b.EPSG, b.GeoFitResidual)
	}
	for i := range 6 {
		if math.Abs(a.GeoTransform[i]-b.GeoTransform[i]) > 0.5 {
			t.Errorf("geotransform from the IGM %v, from map info %v", b.GeoTransform, a.GeoTransform)
			break
		}
	}
	if len(a.Plumes) != len(b.Plumes) || len(a.Plumes) == 0 {
		t.Fatalf("%d plumes with map info, %d with IGM", len(a.Plumes), len(b.Plumes))
	}
	for i := range a.Plumes {
		if math.Abs(float64(a.Plumes[i].SourceLon-b.Plumes[i].SourceLon)) > 1e-5 || math.Abs(float64(a.Plumes[i].SourceLat-b.Plumes[i].SourceLat)) > 1e-5 {
			t.Errorf("plume %d: source at %g, %g by map info, %g, %g by IGM", i, a.Plumes[i].SourceLon, a.Plumes[i].SourceLat, b.Plumes[i].SourceLon, b.Plumes[i].SourceLat)
		}
	}
}

func TestDetectErrorsNameTheField(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, h envi.Header) string {
		p := filepath.Join(dir, name)
		w, err := envi.Create(p, h)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteLines(make([]float32, h.Lines*h.Bands*h.Samples)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wl := []float64{2200, 2300, 2400}
	fw := []float64{6, 6, 6}
	mi := &envi.MapInfo{Projection: "UTM", RefPixelX: 1, RefPixelY: 1, Easting: 250000, Northing: 2740000, PixelX: 5, PixelY: 5, Zone: 13, North: true, Datum: "WGS-84"}
	noWl := mk("nowl.hdr", envi.Header{Samples: 4, Lines: 4, Bands: 3, MapInfo: mi})
	noMap := mk("nomap.hdr", envi.Header{Samples: 4, Lines: 4, Bands: 3, Wavelength: wl, FWHM: fw})
	igm := mk("igm.hdr", envi.Header{Samples: 5, Lines: 4, Bands: 2, MapInfo: mi})
	for _, tc := range []struct {
		cube, igm string
		want      string
		is        error
	}{
		{noWl, "", `"wavelength"`, envi.ErrMissing},
		{noMap, "", `"map info"`, ErrGeolocation},
		{noMap, igm, "4 lines × 5 samples", ErrGeolocation},
		{filepath.Join(dir, "absent.hdr"), "", "absent.hdr", nil},
	} {
		o := DefaultOptions()
		o.Cube, o.IGM, o.Out = tc.cube, tc.igm, filepath.Join(dir, "out")
		_, err := Detect(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("%s: error %v, want one naming %s", filepath.Base(tc.cube), err, tc.want)
		}
	}
}

func TestFitAffineIsExactOnAnAffineGrid(t *testing.T) {
	want := [6]float64{250000, 5, 0.3, 2740000, -0.2, -5}
	xy := func(l, s float64) (float64, float64, bool) {
		return want[0] + s*want[1] + l*want[2], want[3] + s*want[4] + l*want[5], true
	}
	gt, resid, err := fitAffine(xy, 300, 200)
	if err != nil {
		t.Fatal(err)
	}
	for i := range gt {
		if math.Abs(gt[i]-want[i]) > 1e-6 {
			t.Fatalf("fit %v, want %v", gt, want)
		}
	}
	if resid > 1e-6 {
		t.Errorf("residual %g", resid)
	}
	if _, _, err := fitAffine(func(l, s float64) (float64, float64, bool) { return 0, 0, false }, 10, 10); err == nil {
		t.Error("fitted with no located pixel")
	}
}

func TestScaledCubeAppliesGainAndOffset(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.hdr")
	h := envi.Header{Samples: 2, Lines: 1, Bands: 2, ScaleFactor: []float64{2, 0.5}, ScaleOffset: []float64{1, -1}, HasIgnore: true, IgnoreValue: -9999}
	w, err := envi.Create(p, h)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteLines([]float32{10, -9999, 4, 8})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := envi.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc := newScaledCube(c)
	if sc == nil {
		t.Fatal("no scaling for a header with gains")
	}
	dst := make([]float32, 4)
	if err := sc.ReadBlock(0, 1, []int{0, 1}, dst); err != nil {
		t.Fatal(err)
	}
	if want := []float32{21, -9999, 1, 3}; dst[0] != want[0] || dst[1] != want[1] || dst[2] != want[2] || dst[3] != want[3] {
		t.Errorf("scaled %v, want %v", dst, want)
	}
	// The unscaled file may be viewed in place, the scaled cube not: the
	// filter must read it through ReadBlock.
	if _, ok := c.ViewFloat32(0, 1, 0, 2); !ok && runtime.GOOS == "linux" {
		t.Error("the mapped file lends no view")
	}
	if v, ok := sc.ViewFloat32(0, 1, 0, 2); ok || v != nil {
		t.Error("the scaled cube lends a view of unscaled values")
	}
}

// TestNoWindGivesNullRates runs without a wind speed: plumes are found,
// their rates are unknown and written as JSON null.
func TestNoWindGivesNullRates(t *testing.T) {
	_, dir := smallScene(t, false)
	o := DefaultOptions()
	o.Cube, o.Out = filepath.Join(dir, scene.RadianceFile), filepath.Join(dir, "out")
	sum, err := Detect(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Plumes) == 0 || !math.IsNaN(float64(sum.Plumes[0].RateKgH)) {
		t.Fatalf("plumes %+v", sum.Plumes)
	}
	b, err := os.ReadFile(filepath.Join(o.Out, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"rate_kg_h": null`) {
		t.Errorf("summary.json has no null rate:\n%s", b)
	}
	g, err := os.ReadFile(filepath.Join(o.Out, PlumesFile))
	if err != nil || !json.Valid(g) || !strings.Contains(string(g), `"rate_kg_h": null`) {
		t.Errorf("plumes.geojson (%v):\n%.400s", err, g)
	}
}

// TestSelectNth checks the selection used for the robust σ against a full
// sort, on random data with many ties and on sorted and reversed inputs.
func TestSelectNth(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 300 {
		n := 1 + rng.IntN(500)
		v := make([]float64, n)
		for i := range v {
			switch trial % 3 {
			case 0:
				v[i] = float64(rng.IntN(5)) // ties
			case 1:
				v[i] = rng.NormFloat64()
			default:
				v[i] = float64(i) // sorted
			}
		}
		if trial%6 == 5 {
			slices.Reverse(v)
		}
		want := slices.Clone(v)
		slices.Sort(want)
		k := rng.IntN(n)
		if got := selectNth(slices.Clone(v), k); got != want[k] {
			t.Fatalf("trial %d: selectNth(%d of %d) = %v, sorted has %v", trial, k, n, got, want[k])
		}
	}
}
