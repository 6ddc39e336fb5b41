package envi

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// The headers under testdata/headers are real AVIRIS and AVIRIS-NG
// headers, kept verbatim from the test data of the COAL project
// (https://github.com/capstone-coal/pycoal, commit dd461f6b, files
// pycoal/tests/images/*.hdr and pycoal/tests/s06av95a_envi.hdr) and from
// the ORNL DAAC AVIRIS-NG rotated-grid tutorial
// (https://github.com/ornldaac/AVIRIS-NG_ENVI-rotatedgrid,
// ang20170714t213741_corr_v2p9_img_band1.hdr).

func TestParseRealHeaders(t *testing.T) {
	t.Run("AVIRIS-NG BIP radiance subset, UTM rotated", func(t *testing.T) {
		h, err := ReadHeader("testdata/headers/ang20150420t182808_corr_v1e_img_4200-4210_70-80.hdr")
		if err != nil {
			t.Fatal(err)
		}
		if h.Samples != 10 || h.Lines != 10 || h.Bands != 432 || h.DataType != Float32 || h.Interleave != BIP || h.BigEndian || h.HeaderOffset != 0 {
			t.Errorf("dims/type: %+v", h)
		}
		if len(h.Wavelength) != 432 || h.Wavelength[0] != 346.2995778 || h.Wavelength[431] != 2505.0363678 {
			t.Errorf("wavelength: %d values, first %v", len(h.Wavelength), h.Wavelength[:1])
		}
		if len(h.FWHM) != 432 || h.FWHM[0] != 5.55165 || h.FWHM[431] != 6.02852 {
			t.Errorf("fwhm: %d values", len(h.FWHM))
		}
		if err := h.RequireWavelengths(); err != nil {
			t.Error(err)
		}
		m := h.MapInfo
		want := MapInfo{Projection: "UTM", RefPixelX: 1, RefPixelY: 1, Easting: 724440.117, Northing: 4077192.168,
			PixelX: 1.1, PixelY: 1.1, Zone: 12, North: true, Datum: "WGS-84", Units: "Meters", Rotation: 75}
		if m == nil || *m != want {
			t.Errorf("map info %+v, want %+v", m, want)
		}
		if code, err := m.EPSG(); err != nil || code != 32612 {
			t.Errorf("EPSG %d, %v", code, err)
		}
		if !strings.HasPrefix(h.Extra["correction factors"], "{ 1.0 , 1.0") || !strings.HasPrefix(h.Extra["bbl"], "{ 0.0") || h.Extra["sensor type"] != "Unknown" {
			t.Errorf("extra fields: %v", keys(h.Extra))
		}
		if !strings.HasPrefix(h.Description, "Georeferenced Image built from input GLT.") || !strings.Contains(h.Description, "\n") {
			t.Errorf("description %q", h.Description)
		}
	})
	t.Run("AVIRIS classic int16 orthocorrected", func(t *testing.T) {
		h, err := ReadHeader("testdata/headers/f080702t01p00r08rdn_c_sc01_ort_img_123_456.hdr")
		if err != nil {
			t.Fatal(err)
		}
		if h.DataType != Int16 || h.Bands != 224 || h.MapInfo.Rotation != -27 || h.MapInfo.Zone != 17 || h.MapInfo.PixelX != 16.4 {
			t.Errorf("%+v %+v", h, h.MapInfo)
		}
		// No "wavelength units": values above 100 are taken as nm.
		if h.Wavelength[0] != 365.9298 || h.FWHM[0] != 9.852108 {
			t.Errorf("wavelength %v fwhm %v", h.Wavelength[0], h.FWHM[0])
		}
	})
	t.Run("classification uint16 with ignore value", func(t *testing.T) {
		h, err := ReadHeader("testdata/headers/ang20140912t192359_corr_v1c_img_400-410_10-20_class.hdr")
		if err != nil {
			t.Fatal(err)
		}
		if h.DataType != Uint16 || !h.HasIgnore || h.IgnoreValue != 0 || h.Extra["classes"] != "1" || h.Extra["file type"] != "ENVI Classification" {
			t.Errorf("%+v", h)
		}
		err = h.RequireWavelengths()
		if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), `"wavelength"`) {
			t.Errorf("RequireWavelengths: %v", err)
		}
	})
	t.Run("spectral library, CRLF, micrometres", func(t *testing.T) {
		h, err := ReadHeader("testdata/headers/s06av95a_envi.hdr")
		if err != nil {
			t.Fatal(err)
		}
		if h.Samples != 224 || h.Lines != 1365 || h.DataType != Float64 || h.Extra["file type"] != "ENVI Spectral Library" {
			t.Errorf("%+v", h)
		}
		if !strings.Contains(h.Extra["spectra names"], "Actinolite HS116.3B") {
			t.Errorf("spectra names not kept")
		}
		// A library's wavelengths run along the samples, here in µm.
		if len(h.Wavelength) != 224 || math.Abs(h.Wavelength[0]-383.15) > 1e-9 || math.Abs(h.Wavelength[1]-392.84) > 1e-9 {
			t.Errorf("library wavelengths: %d, first %v", len(h.Wavelength), h.Wavelength[:1])
		}
	})
	t.Run("ORNL rotated grid, coordinate system string", func(t *testing.T) {
		h, err := ReadHeader("testdata/headers/ang20170714t213741_corr_v2p9_img_band1.hdr")
		if err != nil {
			t.Fatal(err)
		}
		m := h.MapInfo
		if m.Zone != 4 || !m.North || m.Rotation != 42 || m.Datum != "WGS-84" || m.Units != "" || m.PixelX != 5.2 {
			t.Errorf("%+v", m)
		}
		if !strings.Contains(h.Extra["coordinate system string"], "WGS_1984_UTM_Zone_4N") || len(h.BandNames) != 1 || h.BandNames[0] != "376.86 Nanometers" {
			t.Errorf("extra %v, band names %q", keys(h.Extra), h.BandNames)
		}
	})
}

func keys(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}

const minimal = "ENVI\nsamples = 3\nlines = 2\nbands = 2\ndata type = 4\ninterleave = bil\n"

func TestWavelengthUnits(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		wl, fwhm    []float64
	}{
		{"nanometres", "wavelength units = Nanometers\nwavelength = {400, 2500}\nfwhm = {5, 6}\n", []float64{400, 2500}, []float64{5, 6}},
		{"micrometres", "wavelength units = Micrometers\nwavelength = {0.4, 2.5}\nfwhm = {0.005, 0.006}\n", []float64{400, 2500}, []float64{5, 6}},
		{"microns in braces", "wavelength units = {microns}\nwavelength = {0.4, 2.5}\n", []float64{400, 2500}, nil},
		{"guess micrometres", "wavelength = {0.4, 2.5}\nfwhm = {0.01, 0.01}\n", []float64{400, 2500}, []float64{10, 10}},
		{"guess nanometres", "wavelength units = Unknown\nwavelength = {400.5, 2500}\n", []float64{400.5, 2500}, nil},
		{"wavenumber", "wavelength units = Wavenumber\nwavelength = {4000, 25000}\nfwhm = {20, 100}\n",
			[]float64{2500, 400}, []float64{1e7/3990 - 1e7/4010, 1e7/24950 - 1e7/25050}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseHeader(strings.NewReader(minimal+tc.extra), "t.hdr")
			if err != nil {
				t.Fatal(err)
			}
			if !near(h.Wavelength, tc.wl, 1e-9) || !near(h.FWHM, tc.fwhm, 1e-9) {
				t.Errorf("wavelength %v fwhm %v, want %v %v", h.Wavelength, h.FWHM, tc.wl, tc.fwhm)
			}
		})
	}
}

func near(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*math.Max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}

func TestScaleFactor(t *testing.T) {
	h, err := ParseHeader(strings.NewReader(minimal+"reflectance scale factor = 10000\n"), "t.hdr")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.ScaleFactor, []float64{1e-4, 1e-4}) {
		t.Errorf("reflectance scale factor: %v", h.ScaleFactor)
	}
	h, err = ParseHeader(strings.NewReader(minimal+"reflectance scale factor = 10000\ndata gain values = {0.5, 2}\ndata offset values = {1, -1}\n"), "t.hdr")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.ScaleFactor, []float64{0.5, 2}) || !reflect.DeepEqual(h.ScaleOffset, []float64{1, -1}) {
		t.Errorf("gains %v offsets %v", h.ScaleFactor, h.ScaleOffset)
	}
}

// TestHeaderErrors: each bad header is refused with the sentinel, and the
// message names the file, the field and (for syntax) the line.
func TestHeaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		is         error
		want       []string
	}{
		{"no signature", "samples = 3\n", ErrSyntax, []string{"bad.hdr", "line 1", `"ENVI"`}},
		{"empty", "\n\n", ErrSyntax, []string{"bad.hdr", "ENVI"}},
		{"unknown data type", strings.Replace(minimal, "data type = 4", "data type = 7", 1), ErrUnsupported, []string{"line 5", `"data type"`, "unknown data type 7"}},
		{"complex data type", strings.Replace(minimal, "data type = 4", "data type = 6", 1), ErrUnsupported, []string{`"data type"`, "complex"}},
		{"data type not a number", strings.Replace(minimal, "data type = 4", "data type = float", 1), ErrSyntax, []string{"line 5", `"data type"`, `"float"`}},
		{"samples not an integer", strings.Replace(minimal, "samples = 3", "samples = 3x", 1), ErrSyntax, []string{"line 2", `"samples"`, `"3x"`}},
		{"too many bands", strings.Replace(minimal, "bands = 2", "bands = 65537", 1), ErrSyntax, []string{"line 4", `"bands"`, "65536"}},
		{"lines zero", strings.Replace(minimal, "lines = 2", "lines = 0", 1), ErrSyntax, []string{"line 3", `"lines"`}},
		{"bands missing", strings.Replace(minimal, "bands = 2\n", "", 1), ErrMissing, []string{`"bands"`, "required"}},
		{"byte order 2", minimal + "byte order = 2\n", ErrSyntax, []string{"line 7", `"byte order"`}},
		{"interleave bad", strings.Replace(minimal, "= bil", "= bsl", 1), ErrUnsupported, []string{"line 6", `"interleave"`}},
		{"no equals", minimal + "wavelength {1, 2}\n", ErrSyntax, []string{"line 7", "field = value"}},
		{"empty name", minimal + " = 3\n", ErrSyntax, []string{"line 7", "empty field name"}},
		{"unclosed brace", minimal + "wavelength = {1,\n 2\n", ErrSyntax, []string{"line 7", `"wavelength"`, "never closed"}},
		{"text after brace", minimal + "wavelength = {1, 2} nm\n", ErrSyntax, []string{"line 7", `"wavelength"`, "after '}'"}},
		{"wavelength count", minimal + "wavelength = {1, 2, 3}\n", ErrSyntax, []string{"line 7", `"wavelength"`, "3 values for 2 bands"}},
		{"wavelength item", minimal + "wavelength = {400, x}\n", ErrSyntax, []string{"line 7", `"wavelength"`, "item 2"}},
		{"fwhm item", minimal + "fwhm = {5, NaN}\n", ErrSyntax, []string{`"fwhm"`, "item 2"}},
		{"wavelength units", minimal + "wavelength units = GHz\nwavelength = {1, 2}\n", ErrUnsupported, []string{"line 7", `"wavelength units"`}},
		{"ignore value", minimal + "data ignore value = none\n", ErrSyntax, []string{`"data ignore value"`}},
		{"reflectance scale zero", minimal + "reflectance scale factor = 0\n", ErrSyntax, []string{`"reflectance scale factor"`}},
		{"map info short", minimal + "map info = {UTM, 1, 1, 500000}\n", ErrSyntax, []string{"line 7", `"map info"`, "at least 7"}},
		{"map info number", minimal + "map info = {UTM, 1, 1, 5e5, north, 30, 30, 12, North, WGS-84}\n", ErrSyntax, []string{`"map info"`, "northing"}},
		{"map info zone", minimal + "map info = {UTM, 1, 1, 5e5, 4e6, 30, 30, 61, North, WGS-84}\n", ErrSyntax, []string{`"map info"`, "zone"}},
		{"map info hemisphere", minimal + "map info = {UTM, 1, 1, 5e5, 4e6, 30, 30, 12, Up, WGS-84}\n", ErrSyntax, []string{`"map info"`, "hemisphere"}},
		{"map info pixel size", minimal + "map info = {UTM, 1, 1, 5e5, 4e6, 0, 30, 12, North, WGS-84}\n", ErrSyntax, []string{`"map info"`, "pixel sizes"}},
		{"band names count", minimal + "band names = {a}\n", ErrSyntax, []string{`"band names"`, "1 names for 2 bands"}},
		{"too big", "ENVI\nsamples = 16777216\nlines = 16777216\nbands = 65536\ndata type = 5\n", ErrUnsupported, []string{"samples", "more than"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseHeader(strings.NewReader(tc.text), "bad.hdr")
			if err == nil {
				t.Fatalf("accepted: %+v", h)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			for _, w := range append(tc.want, "bad.hdr") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestRequireWavelengthsCount(t *testing.T) {
	h := &Header{Bands: 3, Wavelength: []float64{1, 2}}
	if err := h.RequireWavelengths(); err == nil || !strings.Contains(err.Error(), "2 values for 3 bands") {
		t.Errorf("got %v", err)
	}
	if err := h.RequireFWHM(); !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), `"fwhm"`) {
		t.Errorf("got %v", err)
	}
}

func TestLenientSyntax(t *testing.T) {
	text := "\ufeffENVI\r\n; a comment\r\nSamples   =   3\r\nLINES = 2\rbands=2\n\ndata  type = 4\ninterleave = BIP\nbyte order = 1\nheader offset = 128\n" +
		"description = {\n  two\n  lines}\nmy field = {a,\nb}\n"
	h, err := ParseHeader(strings.NewReader(text), "t.hdr")
	if err != nil {
		t.Fatal(err)
	}
	if h.Samples != 3 || h.Lines != 2 || h.Bands != 2 || h.Interleave != BIP || !h.BigEndian || h.HeaderOffset != 128 {
		t.Errorf("%+v", h)
	}
	if h.Description != "two\n  lines" || h.Extra["my field"] != "{a,\nb}" {
		t.Errorf("description %q, extra %q", h.Description, h.Extra)
	}
}

// TestHeaderRoundTrip: WriteTo then ParseHeader gives the same header.
func TestHeaderRoundTrip(t *testing.T) {
	for _, path := range []string{
		"testdata/headers/ang20150420t182808_corr_v1e_img_4200-4210_70-80.hdr",
		"testdata/headers/f080702t01p00r08rdn_c_sc01_ort_img_123_456.hdr",
		"testdata/headers/ang20140912t192359_corr_v1c_img_400-410_10-20_class.hdr",
		"testdata/headers/ang20170714t213741_corr_v2p9_img_band1.hdr",
	} {
		h, err := ReadHeader(path)
		if err != nil {
			t.Fatal(err)
		}
		h.ScaleFactor = make([]float64, h.Bands)
		for i := range h.ScaleFactor {
			h.ScaleFactor[i] = 1 / float64(i+1)
		}
		var buf bytes.Buffer
		if _, err := h.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		h2, err := ParseHeader(&buf, "roundtrip.hdr")
		if err != nil {
			t.Fatalf("%s: reparse: %v\n%s", path, err, buf.String())
		}
		if h.Extra["file type"] != h2.Extra["file type"] && h.Extra["file type"] != "" {
			t.Errorf("%s: file type %q became %q", path, h.Extra["file type"], h2.Extra["file type"])
		}
		for _, x := range []*Header{h, h2} {
			delete(x.Extra, "file type") // written as ENVI Standard when absent
			if len(x.Extra) == 0 {
				x.Extra = nil
			}
		}
		if !reflect.DeepEqual(h, h2) {
			t.Errorf("%s: round trip differs:\n%+v\n%+v", path, h, h2)
		}
	}
}

func TestParseEMITTemplate(t *testing.T) {
	h, err := ReadHeader("testdata/headers/emit_l1b_rdn_template.hdr")
	if err != nil {
		t.Fatal(err)
	}
	if h.Samples != 1242 || h.Bands != 5 || h.Interleave != BIL || h.Wavelength[0] != 381.00558 || h.BandNames[4] != "channel_4" {
		t.Errorf("%+v", h)
	}
	if v := h.Extra["emit_pge_input files"]; !strings.Contains(v, "dn_file = emit_raw.img") || !strings.HasSuffix(v, "}") {
		t.Errorf("multi-line value %q", v)
	}
	if h.Extra["emit orbit correction performed"] != "false" {
		t.Errorf("extra %q", keys(h.Extra))
	}
}
