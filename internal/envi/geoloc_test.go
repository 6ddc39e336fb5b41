package envi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRaw writes header text and data values (as type t, little-endian,
// in the order given) with encoding/binary; it returns the header path.
func writeRaw(t *testing.T, dir, name, hdr string, dt DataType, vals []float64) string {
	t.Helper()
	var buf bytes.Buffer
	for _, v := range vals {
		encodeSample(&buf, dt, binary.LittleEndian, v)
	}
	hp := filepath.Join(dir, name+".hdr")
	if err := os.WriteFile(hp, []byte(hdr), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".img"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return hp
}

func TestIGMLonLat(t *testing.T) {
	dir := t.TempDir()
	// A LOC file, BIL float64, 2 lines × 3 samples × (lon, lat, elev),
	// pixel (1, 2) no-data.
	lon := [2][3]float64{{-100.1, -100.2, -100.3}, {-101.1, -101.2, -9999}}
	lat := [2][3]float64{{35.1, 35.2, 35.3}, {36.1, 36.2, -9999}}
	var vals []float64
	for l := range 2 {
		vals = append(vals, lon[l][:]...)
		vals = append(vals, lat[l][:]...)
		vals = append(vals, 1000+float64(l), 1001+float64(l), -9999)
	}
	hp := writeRaw(t, dir, "loc", "ENVI\nsamples = 3\nlines = 2\nbands = 3\ndata type = 5\ninterleave = bil\nbyte order = 0\n"+
		"data ignore value = -9999\nband names = {Longitude (WGS-84), Latitude (WGS-84), Elevation (m)}\n", Float64, vals)
	g, err := OpenIGM(hp)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	var _ Geolocation = g
	if utm, _, _ := g.UTM(); utm {
		t.Error("LOC taken as UTM")
	}
	for l := range 2 {
		for s := range 3 {
			x, y, ok := g.LonLat(l, s)
			if l == 1 && s == 2 {
				if ok {
					t.Errorf("no-data pixel located at %v %v", x, y)
				}
				continue
			}
			if !ok || x != lon[l][s] || y != lat[l][s] {
				t.Errorf("pixel (%d, %d): %v %v %v", l, s, x, y, ok)
			}
		}
	}
	if z, ok := g.Elevation(1, 1); !ok || z != 1002 {
		t.Errorf("elevation %v %v", z, ok)
	}
	if _, _, ok := g.LonLat(2, 0); ok {
		t.Error("pixel outside the grid located")
	}

	// An IGM in UTM zone 38N (named bands, zone from map info), holding
	// the GeoConvert(1) manual's point 38n 444140.54 3684706.36 = 33.3°N
	// 44.4°E.
	hp = writeRaw(t, dir, "igm", "ENVI\nsamples = 1\nlines = 1\nbands = 3\ndata type = 5\ninterleave = bip\n"+
		"band names = {UTM Easting, UTM Northing, Elevation}\nmap info = {UTM, 1, 1, 444000, 3685000, 5, 5, 38, North, WGS-84, units=Meters}\n",
		Float64, []float64{444140.54, 3684706.36, 12})
	g2, err := OpenIGM(hp)
	if err != nil {
		t.Fatal(err)
	}
	defer g2.Close()
	x, y, ok := g2.LonLat(0, 0)
	if !ok || math.Abs(x-44.4) > 2e-7 || math.Abs(y-33.3) > 2e-7 {
		t.Errorf("UTM IGM: %.9f %.9f %v", x, y, ok)
	}

	// Unnamed bands holding metres without any zone: an error naming map
	// info; with the zone given, located.
	hp = writeRaw(t, dir, "nozone", "ENVI\nsamples = 1\nlines = 1\nbands = 2\ndata type = 5\ninterleave = bsq\n",
		Float64, []float64{444140.54, 3684706.36})
	if _, err := OpenIGM(hp); !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), `"map info"`) {
		t.Errorf("no zone: %v", err)
	}
	g3, err := OpenIGMZone(hp, 38, true)
	if err != nil {
		t.Fatal(err)
	}
	defer g3.Close()
	if x, y, ok := g3.LonLat(0, 0); !ok || math.Abs(x-44.4) > 2e-7 || math.Abs(y-33.3) > 2e-7 {
		t.Errorf("OpenIGMZone: %v %v %v", x, y, ok)
	}
}

// TestGLT checks a 3 × 4 GLT over a 3 × 3 raw cube, computed by hand.
func TestGLT(t *testing.T) {
	dir := t.TempDir()
	// Entries (sample, line), 1-based; negative = fill; 0 = none.
	entries := [3][4][2]float64{
		{{1, 1}, {2, 1}, {3, 1}, {0, 0}},
		{{1, 2}, {2, 2}, {-3, -1}, {3, 2}},
		{{0, 0}, {-1, -2}, {2, 2}, {0, 0}},
	}
	var vals []float64 // BSQ: the sample band, then the line band
	for b := range 2 {
		for r := range 3 {
			for c := range 4 {
				vals = append(vals, entries[r][c][b])
			}
		}
	}
	hp := writeRaw(t, dir, "glt", "ENVI\nsamples = 4\nlines = 3\nbands = 2\ndata type = 3\ninterleave = bsq\n"+
		"band names = {GLT Sample Lookup, GLT Line Lookup}\nmap info = {Geographic Lat/Lon, 1, 1, -100, 40, 0.01, 0.01, WGS-84, units=Degrees}\n",
		Int32, vals)
	g, err := OpenGLT(hp, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	var _ Geolocation = g
	if r, c := g.Dims(); r != 3 || c != 4 {
		t.Errorf("dims %d %d", r, c)
	}
	// Ortho → raw.
	for _, tc := range []struct {
		row, col, line, sample int
		exact, ok              bool
	}{{0, 0, 0, 0, true, true}, {1, 2, 0, 2, false, true}, {2, 1, 1, 0, false, true}, {1, 3, 1, 2, true, true}, {0, 3, 0, 0, false, false}, {3, 0, 0, 0, false, false}} {
		l, s, exact, ok := g.Raw(tc.row, tc.col)
		if l != tc.line || s != tc.sample || exact != tc.exact || ok != tc.ok {
			t.Errorf("Raw(%d, %d) = %d %d %v %v, want %+v", tc.row, tc.col, l, s, exact, ok, tc)
		}
	}
	// Raw → ground: the mean centre of the cells a pixel exactly fills.
	for _, tc := range []struct {
		line, sample int
		lon, lat     float64
		ok           bool
	}{
		{1, 1, -99.98, 39.98, true},   // cells (1,1) and (2,2): centre (2.0, 2.0)
		{0, 0, -99.995, 39.995, true}, // cell (0,0)
		{1, 2, -99.965, 39.985, true}, // cell (1,3)
		{0, 2, -99.975, 39.995, true}, // cell (0,2); its fill at (1,2) ignored
		{1, 0, -99.995, 39.985, true}, // cell (1,0); fill at (2,1) ignored
		{2, 1, 0, 0, false},           // never looked up
		{3, 0, 0, 0, false},           // outside the raw cube
	} {
		lon, lat, ok := g.LonLat(tc.line, tc.sample)
		if ok != tc.ok || math.Abs(lon-tc.lon) > 1e-9 || math.Abs(lat-tc.lat) > 1e-9 {
			t.Errorf("LonLat(%d, %d) = %v %v %v, want %+v", tc.line, tc.sample, lon, lat, ok, tc)
		}
	}
	// Ortho resampling of a raw map valued line*10 + sample.
	src := []float32{0, 1, 2, 10, 11, 12, 20, 21, 22}
	const nd = -1
	withFill, err := g.Ortho(src, nd, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 1, 2, nd, 10, 11, 2, 12, nd, 10, 11, nd}
	noFill, _ := g.Ortho(src, nd, false)
	wantNoFill := []float32{0, 1, 2, nd, 10, 11, nd, 12, nd, nd, 11, nd}
	for i := range want {
		if withFill[i] != want[i] || noFill[i] != wantNoFill[i] {
			t.Fatalf("ortho: %v / %v, want %v / %v", withFill, noFill, want, wantNoFill)
		}
	}
	if _, err := g.Ortho(src[:8], nd, true); err == nil {
		t.Error("short source accepted")
	}
	// The same GLT for a smaller raw cube points outside it.
	if _, err := OpenGLT(hp, 2, 2); err == nil || !strings.Contains(err.Error(), "row 0, col 2") {
		t.Errorf("entry outside the raw cube: %v", err)
	}
}

func TestMapGeolocation(t *testing.T) {
	// UTM: pixel (0, 0)'s centre at the GeoConvert(1) manual's point.
	g, err := MapGeolocation(&MapInfo{Projection: "UTM", RefPixelX: 1.5, RefPixelY: 1.5, Easting: 444140.54, Northing: 3684706.36, PixelX: 5, PixelY: 5, Zone: 38, North: true, Datum: "WGS-84"})
	if err != nil {
		t.Fatal(err)
	}
	if lon, lat, ok := g.LonLat(0, 0); !ok || math.Abs(lon-44.4) > 2e-7 || math.Abs(lat-33.3) > 2e-7 {
		t.Errorf("UTM: %v %v", lon, lat)
	}
	// Geographic rotated 90° counter-clockwise: a column step goes north,
	// a row step east. Pixel (line 2, sample 3) centre: col 3.5, row 2.5
	// → lon 10 + 2.5, lat 50 + 3.5.
	g, err = MapGeolocation(&MapInfo{Projection: "Geographic Lat/Lon", RefPixelX: 1, RefPixelY: 1, Easting: 10, Northing: 50, PixelX: 1, PixelY: 1, Datum: "WGS-84", Rotation: 90})
	if err != nil {
		t.Fatal(err)
	}
	if lon, lat, _ := g.LonLat(2, 3); math.Abs(lon-12.5) > 1e-12 || math.Abs(lat-53.5) > 1e-12 {
		t.Errorf("rotated: %v %v", lon, lat)
	}
	if _, err := MapGeolocation(&MapInfo{Projection: "State Plane (NAD 83)", Datum: "North America 1983"}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("state plane: %v", err)
	}
	if _, err := MapGeolocation(nil); !errors.Is(err, ErrMissing) {
		t.Errorf("nil: %v", err)
	}
}

func TestEPSG(t *testing.T) {
	for _, tc := range []struct {
		m    MapInfo
		want int
	}{
		{MapInfo{Projection: "UTM", Zone: 12, North: true, Datum: "WGS-84"}, 32612},
		{MapInfo{Projection: "UTM", Zone: 18, North: false, Datum: "WGS84"}, 32718},
		{MapInfo{Projection: "Geographic Lat/Lon", Datum: "WGS-84"}, 4326},
		{MapInfo{Projection: "UTM", Zone: 12, North: true, Datum: "NAD27"}, 0},
	} {
		got, err := tc.m.EPSG()
		if got != tc.want || (tc.want == 0) != (err != nil) {
			t.Errorf("%+v: %d %v", tc.m, got, err)
		}
	}
}

// TestBuildGLT grids raw pixels located on a known north-up grid.
func TestBuildGLT(t *testing.T) {
	const lines, samples = 4, 5
	geo, err := MapGeolocation(&MapInfo{Projection: "Geographic Lat/Lon", RefPixelX: 1, RefPixelY: 1, Easting: -100, Northing: 40, PixelX: 0.001, PixelY: 0.001, Datum: "WGS-84"})
	if err != nil {
		t.Fatal(err)
	}
	// At the raw grid's own resolution the GLT is the identity.
	g, err := BuildGLT(geo, lines, samples, 4326, 0.001)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := g.Dims(); r != lines || c != samples {
		t.Fatalf("grid %d × %d", r, c)
	}
	if m := g.MapInfo(); math.Abs(m.Easting+100) > 1e-12 || math.Abs(m.Northing-40) > 1e-12 {
		t.Errorf("grid origin %v %v", m.Easting, m.Northing)
	}
	for l := range lines {
		for s := range samples {
			if rl, rs, exact, ok := g.Raw(l, s); rl != l || rs != s || !exact || !ok {
				t.Errorf("Raw(%d, %d) = %d %d %v %v", l, s, rl, rs, exact, ok)
			}
			lon, lat, _ := geo.LonLat(l, s)
			if glon, glat, ok := g.LonLat(l, s); !ok || math.Abs(glon-lon) > 1e-12 || math.Abs(glat-lat) > 1e-12 {
				t.Errorf("LonLat(%d, %d) = %v %v, want %v %v", l, s, glon, glat, lon, lat)
			}
		}
	}
	// At half the resolution, every other cell is exact and the cells
	// between are filled from a neighbour.
	g, err = BuildGLT(geo, lines, samples, 4326, 0.0005)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := g.Dims(); r != 2*lines-1 || c != 2*samples-1 {
		t.Fatalf("half-cell grid %d × %d", r, c)
	}
	if l, s, exact, ok := g.Raw(4, 6); l != 2 || s != 3 || !exact || !ok {
		t.Errorf("Raw(4, 6) = %d %d %v %v", l, s, exact, ok)
	}
	if _, _, exact, ok := g.Raw(3, 5); exact || !ok {
		t.Errorf("cell between pixels: exact %v ok %v", exact, ok)
	}
	// In UTM: a 5 m north-up raw grid in zone 13N gridded at 5 m.
	utm, _ := MapGeolocation(&MapInfo{Projection: "UTM", RefPixelX: 1, RefPixelY: 1, Easting: 724440, Northing: 4077190, PixelX: 5, PixelY: 5, Zone: 13, North: true, Datum: "WGS-84"})
	g, err = BuildGLT(utm, lines, samples, 32613, 5)
	if err != nil {
		t.Fatal(err)
	}
	if m := g.MapInfo(); g.rows != lines || g.cols != samples || math.Abs(m.Easting-724440) > 1e-6 || math.Abs(m.Northing-4077190) > 1e-6 {
		t.Errorf("UTM grid %d × %d at %v %v", g.rows, g.cols, m.Easting, m.Northing)
	}
	if _, err := BuildGLT(utm, lines, samples, 3857, 5); !errors.Is(err, ErrUnsupported) {
		t.Errorf("EPSG:3857: %v", err)
	}
	if _, err := BuildGLT(utm, lines, samples, 32613, 1e-6); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("huge grid: %v", err)
	}
}
