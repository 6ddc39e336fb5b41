package envi

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/testenv"
)

// gdalInfo is the part of `gdalinfo -json` the tests check.
type gdalInfo struct {
	Driver       string    `json:"driverShortName"`
	Size         [2]int    `json:"size"`
	GeoTransform []float64 `json:"geoTransform"`
	Stac         struct {
		EPSG *int `json:"proj:epsg"`
	} `json:"stac"`
	Bands []struct {
		Band        int                          `json:"band"`
		Type        string                       `json:"type"`
		Description string                       `json:"description"`
		NoData      *float64                     `json:"noDataValue"`
		Metadata    map[string]map[string]string `json:"metadata"`
	} `json:"bands"`
}

func runGDALInfo(t *testing.T, path string) gdalInfo {
	t.Helper()
	out, err := exec.Command(testenv.Tool(t, "gdalinfo"), "-json", path).Output()
	if err != nil {
		t.Fatalf("gdalinfo %s: %v", path, err)
	}
	var info gdalInfo
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("gdalinfo json: %v", err)
	}
	return info
}

// TestGDALReadsWriterOutput: GDAL's ENVI driver reads what Create writes
// with the right size, bands, type, wavelengths, nodata, geotransform,
// CRS and values.
func TestGDALReadsWriterOutput(t *testing.T) {
	loc := testenv.Tool(t, "gdallocationinfo")
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		m    MapInfo
		epsg int
	}{
		{"utm13n_rotated", MapInfo{Projection: "UTM", RefPixelX: 1, RefPixelY: 1, Easting: 724440.117, Northing: 4077192.168, PixelX: 5, PixelY: 5, Zone: 13, North: true, Datum: "WGS-84", Units: "Meters", Rotation: 30}, 32613},
		{"utm19s_refpixel", MapInfo{Projection: "UTM", RefPixelX: 3.5, RefPixelY: 2, Easting: 300000, Northing: 8e6, PixelX: 30, PixelY: 20, Zone: 19, North: false, Datum: "WGS-84", Units: "Meters"}, 32719},
		{"geographic", MapInfo{Projection: "Geographic Lat/Lon", RefPixelX: 1, RefPixelY: 1, Easting: -100.5, Northing: 35.25, PixelX: 1e-4, PixelY: 1e-4, Datum: "WGS-84", Units: "Degrees"}, 4326},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const lines, samples, bands = 7, 11, 3
			h := Header{Samples: samples, Lines: lines, Bands: bands, Wavelength: []float64{2100.5, 2200, 2300.25},
				FWHM: []float64{5, 5.5, 6}, HasIgnore: true, IgnoreValue: -9999, MapInfo: &tc.m, BandNames: []string{"b1", "b2", "b3"}}
			hp := filepath.Join(dir, tc.name+".hdr")
			w, err := Create(hp, h)
			if err != nil {
				t.Fatal(err)
			}
			val := func(l, b, s int) float32 { return float32(l*100+b*10+s) + 0.5 }
			block := make([]float32, samples*bands)
			for l := range lines {
				for b := range bands {
					for s := range samples {
						block[b*samples+s] = val(l, b, s)
					}
				}
				if err := w.WriteLines(block); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			info := runGDALInfo(t, w.DataPath())
			if info.Driver != "ENVI" || info.Size != [2]int{samples, lines} || len(info.Bands) != bands {
				t.Fatalf("driver %s size %v bands %d", info.Driver, info.Size, len(info.Bands))
			}
			for i, b := range info.Bands {
				md := b.Metadata[""]
				wl, _ := strconv.ParseFloat(md["wavelength"], 64)
				if b.Type != "Float32" || wl != h.Wavelength[i] || md["wavelength_units"] != "Nanometers" || b.NoData == nil || *b.NoData != -9999 ||
					!strings.HasPrefix(b.Description, h.BandNames[i]) {
					t.Errorf("band %d: %+v", i+1, b)
				}
			}
			if info.Stac.EPSG == nil || *info.Stac.EPSG != tc.epsg {
				t.Errorf("EPSG %v, want %d", info.Stac.EPSG, tc.epsg)
			}
			gt := tc.m.GeoTransform()
			for i := range gt {
				if len(info.GeoTransform) != 6 || math.Abs(info.GeoTransform[i]-gt[i]) > 1e-9*math.Max(1, math.Abs(gt[i])) {
					t.Fatalf("geotransform: GDAL %v, ours %v", info.GeoTransform, gt)
				}
			}
			for _, p := range [][3]int{{0, 0, 0}, {6, 10, 2}, {3, 4, 1}, {5, 2, 0}} {
				out, err := exec.Command(loc, "-valonly", "-b", strconv.Itoa(p[2]+1), w.DataPath(), strconv.Itoa(p[1]), strconv.Itoa(p[0])).Output()
				if err != nil {
					t.Fatal(err)
				}
				got, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
				if err != nil || float32(got) != val(p[0], p[2], p[1]) {
					t.Errorf("line %d sample %d band %d: GDAL %q, wrote %v", p[0], p[1], p[2], out, val(p[0], p[2], p[1]))
				}
			}
		})
	}
}

// TestGDALReadsOurTestCubes: GDAL reads the test cubes written with
// encoding/binary (all interleaves, both byte orders) to the same values
// as ReadBlock: the two readers agree on the layout.
func TestGDALReadsOurTestCubes(t *testing.T) {
	loc := testenv.Tool(t, "gdallocationinfo")
	dir := t.TempDir()
	for _, il := range []Interleave{BSQ, BIL, BIP} {
		for _, big := range []bool{false, true} {
			hp := writeTestCube(t, dir, Int16, il, big, 4, 6, 3, 0)
			c, err := Open(hp)
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]float32, 4*3*6)
			if err := c.ReadBlock(0, 4, nil, dst); err != nil {
				t.Fatal(err)
			}
			c.Close()
			img := strings.TrimSuffix(hp, ".hdr") + ".img"
			for _, p := range [][3]int{{0, 0, 0}, {3, 5, 2}, {2, 1, 1}} {
				out, err := exec.Command(loc, "-valonly", "-b", strconv.Itoa(p[2]+1), img, strconv.Itoa(p[1]), strconv.Itoa(p[0])).Output()
				if err != nil {
					t.Fatal(err)
				}
				want := dst[(p[0]*3+p[2])*6+p[1]]
				if strings.TrimSpace(string(out)) != fmt.Sprint(want) {
					t.Errorf("%s %v: GDAL %q, ReadBlock %v", filepath.Base(hp), p, out, want)
				}
			}
		}
	}
	_ = os.Remove(dir)
}
