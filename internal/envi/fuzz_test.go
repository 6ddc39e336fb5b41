package envi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// describe renders a parse result for comparison (NaN-safe).
func describe(h *Header, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	s := fmt.Sprintf("%+v", *h)
	if h.MapInfo != nil {
		s += fmt.Sprintf(" map %+v", *h.MapInfo)
	}
	return s
}

// FuzzHeader feeds arbitrary text to the header parser. It must never
// panic; the same bytes split at any point (and one byte at a time) must
// parse to the same result; and whatever it accepts must write out
// (WriteTo) as a header that parses again to the same dimensions, type,
// layout, spectral fields and map info.
//
// Seeds in testdata/fuzz/FuzzHeader: the real AVIRIS, AVIRIS-NG and
// spectral-library headers of testdata/headers (see SOURCE.md there), the
// EMIT L1B header template, and edge cases.
func FuzzHeader(f *testing.F) {
	f.Add([]byte(minimal), uint16(10))
	f.Add([]byte("ENVI\nmap info = {UTM, 1, 1, 5e5, 4e6, 30, 30, 12, North, WGS-84, units=Meters, rotation=-27}\n"+
		"samples = 3\nlines = 2\nbands = 2\ndata type = 12\nwavelength = {0.4,2.5}\n"), uint16(40))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		h, err := ParseHeader(bytes.NewReader(data), "fuzz.hdr")
		want := describe(h, err)
		k := int(cut) % (len(data) + 1)
		h2, err2 := ParseHeader(io.MultiReader(bytes.NewReader(data[:k]), bytes.NewReader(data[k:])), "fuzz.hdr")
		if got := describe(h2, err2); got != want {
			t.Fatalf("split at %d:\n%s\nwhole:\n%s", k, got, want)
		}
		h3, err3 := ParseHeader(iotest.OneByteReader(bytes.NewReader(data)), "fuzz.hdr")
		if got := describe(h3, err3); got != want {
			t.Fatalf("one byte at a time:\n%s\nwhole:\n%s", got, want)
		}
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if _, err := h.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		r, err := ParseHeader(bytes.NewReader(buf.Bytes()), "rewritten.hdr")
		if err != nil {
			t.Fatalf("rewritten header refused: %v\n%s", err, buf.Bytes())
		}
		if r.Samples != h.Samples || r.Lines != h.Lines || r.Bands != h.Bands || r.DataType != h.DataType ||
			r.Interleave != h.Interleave || r.BigEndian != h.BigEndian || r.HeaderOffset != h.HeaderOffset ||
			fmt.Sprint(r.Wavelength, r.FWHM, r.ScaleFactor, r.ScaleOffset, len(r.BandNames), r.HasIgnore) !=
				fmt.Sprint(h.Wavelength, h.FWHM, h.ScaleFactor, h.ScaleOffset, len(h.BandNames), h.HasIgnore) ||
			(r.MapInfo == nil) != (h.MapInfo == nil) || (h.MapInfo != nil && r.MapInfo.String() != h.MapInfo.String()) {
			t.Fatalf("rewritten header differs:\n%s\n%s\n%s", describe(r, nil), describe(h, nil), buf.Bytes())
		}
	})
}

// FuzzCube opens arbitrary headers over arbitrary data (cut or padded to
// the declared size when that is at most 1 MiB) and reads every line: no
// panic, a file of the wrong size refused with ErrSize, and ReadBlock
// agreeing with Value on every sample of a band subset.
func FuzzCube(f *testing.F) {
	f.Add([]byte(minimal), []byte("0123456789abcdef0123456789abcdef0123456789abcdef"), true)
	f.Add([]byte("ENVI\nsamples = 2\nlines = 3\nbands = 3\nheader offset = 5\ndata type = 12\ninterleave = bip\nbyte order = 1\n"), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, true)
	f.Add([]byte("ENVI\nsamples = 2\nlines = 1\nbands = 1\ndata type = 5\n"), []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 1}, false)
	f.Fuzz(func(t *testing.T, header, data []byte, fit bool) {
		h, err := ParseHeader(bytes.NewReader(header), "fuzz.hdr")
		if err != nil {
			return
		}
		size := h.DataSize()
		if fit {
			if size > 1<<20 {
				return
			}
			data = append(data, make([]byte, max(0, int(size)-len(data)))...)[:size]
		}
		dir := t.TempDir()
		hp := filepath.Join(dir, "c.hdr")
		if err := os.WriteFile(filepath.Join(dir, "c.img"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := OpenWithHeader(hp, h)
		if int64(len(data)) != size {
			if !errors.Is(err, ErrSize) {
				t.Fatalf("%d bytes for %d declared: %v", len(data), size, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		bands := []int{h.Bands - 1, 0}
		dst := make([]float32, 2*h.Samples)
		for l := range h.Lines {
			if err := c.ReadBlock(l, 1, bands, dst); err != nil {
				t.Fatal(err)
			}
			for bi, b := range bands {
				for s := range h.Samples {
					v, err := c.Value(l, s, b)
					if err != nil {
						t.Fatal(err)
					}
					got := dst[bi*h.Samples+s]
					if got != float32(v) && !(got != got && v != v) {
						t.Fatalf("line %d band %d sample %d: ReadBlock %v, Value %v", l, b, s, got, v)
					}
				}
			}
		}
	})
}
