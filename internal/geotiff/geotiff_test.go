package geotiff

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/envi"
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
	Metadata map[string]map[string]string `json:"metadata"`
	Bands    []struct {
		Type   string          `json:"type"`
		NoData json.RawMessage `json:"noDataValue"`
	} `json:"bands"`
}

// value is the test raster's value at (row, col): distinct everywhere,
// with fractions and negatives.
func value(row, col int) float32 { return float32(row*1000+col)/8 - 100 }

// testRaster returns a width × height raster of value(), with the cell
// (1, 2) set to the nodata value.
func testRaster(width, height int, gt [6]float64, epsg int, nodata float32) *Raster {
	r := &Raster{Width: width, Height: height, Data: make([]float32, width*height), GeoTransform: gt, EPSG: epsg,
		NoData: nodata, HasNoData: true, Description: "test raster"}
	for y := range height {
		for x := range width {
			r.Data[y*width+x] = value(y, x)
		}
	}
	r.Data[1*width+2] = nodata
	return r
}

func run(t *testing.T, tool string, args ...string) string {
	t.Helper()
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(tool), strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestGDALReadsGeoTIFF: gdalinfo reads each raster with the right size,
// geotransform, CRS, nodata and type, and gdallocationinfo returns the
// values written at sampled cells, addressed by pixel, by georeferenced
// coordinate (-geoloc) and by WGS84 longitude/latitude (-wgs84).
func TestGDALReadsGeoTIFF(t *testing.T) {
	info := testenv.Tool(t, "gdalinfo")
	loc := testenv.Tool(t, "gdallocationinfo")
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		w, h    int
		gt      [6]float64
		epsg    int
		nodata  float32
		deflate bool
	}{
		{"geographic_deflate", 37, 23, [6]float64{-100.25, 1e-4, 0, 35.5, 0, -1e-4}, 4326, -9999, true},
		{"utm13n_raw", 40, 30, [6]float64{724440, 5, 0, 4077190, 0, -5}, 32613, -9999, false},
		{"utm19s_nan", 300, 250, [6]float64{300000, 30, 0, 8e6, 0, -30}, 32719, float32(math.NaN()), true},
		{"utm12n_rotated", 25, 20, [6]float64{724440.117, 1.1 * math.Cos(75*math.Pi/180), 1.1 * math.Sin(75*math.Pi/180), 4077192.168, 1.1 * math.Sin(75*math.Pi/180), -1.1 * math.Cos(75*math.Pi/180)}, 32612, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRaster(tc.w, tc.h, tc.gt, tc.epsg, tc.nodata)
			path := filepath.Join(dir, tc.name+".tif")
			var buf bytes.Buffer
			if err := WriteWith(&buf, r, &Options{Deflate: tc.deflate, StripBytes: 1000}); err != nil {
				t.Fatal(err)
			}
			if tc.deflate {
				if err := WriteFile(path, r); err != nil {
					t.Fatal(err)
				}
			} else {
				writeBytes(t, path, buf.Bytes())
			}
			var gi gdalInfo
			if err := json.Unmarshal([]byte(run(t, info, "-json", path)), &gi); err != nil {
				t.Fatal(err)
			}
			if gi.Driver != "GTiff" || gi.Size != [2]int{tc.w, tc.h} || len(gi.Bands) != 1 || gi.Bands[0].Type != "Float32" {
				t.Fatalf("gdalinfo: %+v", gi)
			}
			for i := range tc.gt {
				if len(gi.GeoTransform) != 6 || math.Abs(gi.GeoTransform[i]-tc.gt[i]) > 1e-9*math.Max(1, math.Abs(tc.gt[i])) {
					t.Fatalf("geotransform %v, wrote %v", gi.GeoTransform, tc.gt)
				}
			}
			if gi.Stac.EPSG == nil || *gi.Stac.EPSG != tc.epsg {
				t.Errorf("EPSG %v, want %d", gi.Stac.EPSG, tc.epsg)
			}
			wantND := `"NaN"`
			if tc.nodata == tc.nodata {
				wantND = strconv.FormatFloat(float64(tc.nodata), 'f', 1, 64)
			}
			if string(gi.Bands[0].NoData) != wantND {
				t.Errorf("nodata %s, want %s", gi.Bands[0].NoData, wantND)
			}
			if gi.Metadata[""]["TIFFTAG_IMAGEDESCRIPTION"] != "test raster" {
				t.Errorf("metadata %v", gi.Metadata)
			}
			cells := [][2]int{{0, 0}, {tc.h - 1, tc.w - 1}, {tc.h / 2, tc.w / 3}, {1, 2}, {tc.h - 1, 0}}
			for _, c := range cells {
				want := r.Data[c[0]*tc.w+c[1]]
				check := func(how string, args ...string) {
					t.Helper()
					out := run(t, loc, append(append([]string{"-valonly"}, args[:len(args)-2]...), path, args[len(args)-2], args[len(args)-1])...)
					got, err := strconv.ParseFloat(out, 64)
					if err != nil || !(float32(got) == want || (want != want && got != got)) {
						t.Errorf("%s cell (row %d, col %d): GDAL %q, wrote %v", how, c[0], c[1], out, want)
					}
				}
				check("pixel", strconv.Itoa(c[1]), strconv.Itoa(c[0]))
				// The cell's centre in map coordinates.
				col, row := float64(c[1])+0.5, float64(c[0])+0.5
				x := tc.gt[0] + col*tc.gt[1] + row*tc.gt[2]
				y := tc.gt[3] + col*tc.gt[4] + row*tc.gt[5]
				check("geoloc", "-geoloc", fmt.Sprintf("%.10f", x), fmt.Sprintf("%.10f", y))
				lon, lat := x, y
				if tc.epsg != 4326 {
					lon, lat = envi.UTMToLonLat(tc.epsg%100, tc.epsg < 32700, x, y)
				}
				check("wgs84", "-wgs84", fmt.Sprintf("%.10f", lon), fmt.Sprintf("%.10f", lat))
			}
		})
	}
}

func writeBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTIFFStructure reads the file's header and IFD with encoding/binary
// and checks the tags that carry the georeferencing.
func TestTIFFStructure(t *testing.T) {
	r := testRaster(5, 4, [6]float64{500000, 30, 0, 4e6, 0, -30}, 32633, -9999)
	var buf bytes.Buffer
	if err := WriteWith(&buf, r, &Options{Deflate: false}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if string(b[:4]) != "II*\x00" {
		t.Fatalf("header % x", b[:4])
	}
	le := binary.LittleEndian
	ifd := le.Uint32(b[4:])
	n := int(le.Uint16(b[ifd:]))
	tags := map[uint16][]byte{}
	prev := uint16(0)
	for i := range n {
		e := b[int(ifd)+2+12*i:]
		tag, typ, count := le.Uint16(e), le.Uint16(e[2:]), le.Uint32(e[4:])
		if tag <= prev {
			t.Errorf("tag %d after %d: not ascending", tag, prev)
		}
		prev = tag
		size := map[uint16]int{2: 1, 3: 2, 4: 4, 12: 8}[typ] * int(count)
		if size <= 4 {
			tags[tag] = e[8 : 8+size]
		} else {
			off := le.Uint32(e[8:])
			tags[tag] = b[off : int(off)+size]
		}
	}
	if got := string(tags[tagGDALNoData]); got != "-9999\x00" {
		t.Errorf("GDAL_NODATA %q", got)
	}
	if le.Uint16(tags[tagSampleFormat]) != 3 || le.Uint16(tags[tagBitsPerSample]) != 32 || le.Uint16(tags[tagCompression]) != 1 {
		t.Errorf("sample format / bits / compression")
	}
	scale := tags[tagModelPixelScale]
	if math.Float64frombits(le.Uint64(scale)) != 30 || math.Float64frombits(le.Uint64(scale[8:])) != 30 {
		t.Errorf("pixel scale % x", scale)
	}
	tie := tags[tagModelTiepoint]
	if math.Float64frombits(le.Uint64(tie[24:])) != 500000 || math.Float64frombits(le.Uint64(tie[32:])) != 4e6 {
		t.Errorf("tiepoint % x", tie)
	}
	keys := tags[tagGeoKeyDirectory]
	found := map[uint16]uint16{}
	for i := 1; i <= int(le.Uint16(keys[6:])); i++ {
		k := keys[8*i:]
		found[le.Uint16(k)] = le.Uint16(k[6:])
	}
	if found[keyProjectedCSType] != 32633 || found[keyGTModelType] != 1 || found[keyGTRasterType] != 1 {
		t.Errorf("geokeys %v", found)
	}
	// The strip holds the values, little-endian float32.
	off := le.Uint32(tags[tagStripOffsets])
	if v := math.Float32frombits(le.Uint32(b[off+4*6:])); v != value(1, 1) {
		t.Errorf("cell (1,1) in the strip: %v", v)
	}
}

func TestWriteErrors(t *testing.T) {
	ok := testRaster(3, 2, [6]float64{0, 1, 0, 0, 0, -1}, 4326, 0)
	for _, tc := range []struct {
		name string
		edit func(r *Raster)
		want string
	}{
		{"size", func(r *Raster) { r.Width = 0 }, "size 0 × 2"},
		{"data length", func(r *Raster) { r.Data = r.Data[:5] }, "5 values for 3 × 2"},
		{"epsg", func(r *Raster) { r.EPSG = 3857 }, "EPSG:3857"},
		{"utm 61", func(r *Raster) { r.EPSG = 32661 }, "EPSG:32661"},
		{"singular", func(r *Raster) { r.GeoTransform[5] = 0 }, "singular"},
		{"nan", func(r *Raster) { r.GeoTransform[0] = math.NaN() }, "geotransform[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := *ok
			r.Data = append([]float32(nil), ok.Data...)
			tc.edit(&r)
			err := Write(&bytes.Buffer{}, &r)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	if err := Write(&bytes.Buffer{}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil raster: %v", err)
	}
}
