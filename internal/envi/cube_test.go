package envi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// testValue is the value stored at (line, band, sample) of a test cube of
// type t: it exercises negative numbers for signed types, fractions for
// floats and the top of the range for wide types, while staying exactly
// representable as float32.
func testValue(t DataType, l, b, s int) float64 {
	v := float64(l*1000 + b*37 + s)
	switch t {
	case Uint8:
		return float64((l*31 + b*7 + s) % 256)
	case Int16, Int32, Int64:
		return v - 2000
	case Float32, Float64:
		return (v - 2000) / 4
	case Uint32:
		return v + 1<<31 - 1<<20 // above 2³¹, multiple of 2⁸ once scaled below
	case Uint64:
		return v*1024 + 1<<40
	}
	return v // Uint16
}

// encodeSample appends v as type t in byte order bo, with encoding/binary
// (independently of the package's reader).
func encodeSample(buf *bytes.Buffer, t DataType, bo binary.ByteOrder, v float64) {
	var x any
	switch t {
	case Uint8:
		x = uint8(v)
	case Int16:
		x = int16(v)
	case Uint16:
		x = uint16(v)
	case Int32:
		x = int32(v)
	case Uint32:
		x = uint32(v)
	case Int64:
		x = int64(v)
	case Uint64:
		x = uint64(v)
	case Float32:
		x = float32(v)
	case Float64:
		x = v
	}
	if err := binary.Write(buf, bo, x); err != nil {
		panic(err)
	}
}

// writeTestCube writes a header and data file for a lines × samples ×
// bands cube of type t in the given interleave and byte order, with offset
// bytes of junk before the data, and returns the header path.
func writeTestCube(tb testing.TB, dir string, t DataType, il Interleave, big bool, lines, samples, bands, offset int) string {
	tb.Helper()
	var bo binary.ByteOrder = binary.LittleEndian
	order := 0
	if big {
		bo, order = binary.BigEndian, 1
	}
	var buf bytes.Buffer
	buf.Write(bytes.Repeat([]byte{0xA5}, offset))
	switch il {
	case BSQ:
		for b := range bands {
			for l := range lines {
				for s := range samples {
					encodeSample(&buf, t, bo, testValue(t, l, b, s))
				}
			}
		}
	case BIL:
		for l := range lines {
			for b := range bands {
				for s := range samples {
					encodeSample(&buf, t, bo, testValue(t, l, b, s))
				}
			}
		}
	case BIP:
		for l := range lines {
			for s := range samples {
				for b := range bands {
					encodeSample(&buf, t, bo, testValue(t, l, b, s))
				}
			}
		}
	}
	name := fmt.Sprintf("%s_%s_%d", t, il, order)
	hdr := fmt.Sprintf("ENVI\ndescription = {test cube}\nsamples = %d\nlines = %d\nbands = %d\nheader offset = %d\nfile type = ENVI Standard\ndata type = %d\ninterleave = %s\nbyte order = %d\n",
		samples, lines, bands, offset, int(t), strings.ToUpper(il.String()), order)
	hp := filepath.Join(dir, name+".hdr")
	if err := os.WriteFile(hp, []byte(hdr), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".img"), buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return hp
}

var allTypes = []DataType{Uint8, Int16, Int32, Float32, Float64, Uint16, Uint32, Int64, Uint64}

// TestReadBlockAllLayouts: every data type, both byte orders and all three
// interleaves read back the values written, for whole cubes, line ranges
// and band subsets in any order.
func TestReadBlockAllLayouts(t *testing.T) {
	dir := t.TempDir()
	const lines, samples, bands = 5, 7, 4
	for _, dt := range allTypes {
		for _, il := range []Interleave{BSQ, BIL, BIP} {
			for _, big := range []bool{false, true} {
				offset := 0
				if il == BIL {
					offset = 3 // misaligned data: the slow paths
				}
				hp := writeTestCube(t, dir, dt, il, big, lines, samples, bands, offset)
				t.Run(filepath.Base(hp), func(t *testing.T) {
					c, err := Open(hp)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					if l, s, b := c.Dims(); l != lines || s != samples || b != bands {
						t.Fatalf("dims %d %d %d", l, s, b)
					}
					for _, q := range []struct {
						line0, n int
						bands    []int
					}{{0, lines, nil}, {1, 3, []int{3, 0, 3}}, {4, 1, []int{2}}, {2, 0, nil}} {
						nb := bands
						if q.bands != nil {
							nb = len(q.bands)
						}
						dst := make([]float32, q.n*nb*samples)
						if err := c.ReadBlock(q.line0, q.n, q.bands, dst); err != nil {
							t.Fatal(err)
						}
						for l := range q.n {
							for bi := range nb {
								b := bi
								if q.bands != nil {
									b = q.bands[bi]
								}
								for s := range samples {
									want := float32(testValue(dt, q.line0+l, b, s))
									if got := dst[(l*nb+bi)*samples+s]; got != want {
										t.Fatalf("query %+v: line %d band %d sample %d: got %v, want %v", q, q.line0+l, b, s, got, want)
									}
								}
							}
						}
					}
					// Value gives the same in float64.
					if v, err := c.Value(3, 6, 2); err != nil || v != testValue(dt, 3, 2, 6) {
						t.Errorf("Value: %v, %v, want %v", v, err, testValue(dt, 3, 2, 6))
					}
				})
			}
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	hp := writeTestCube(t, dir, Int16, BIL, true, 4, 5, 3, 0)
	t.Run("header lies about the size", func(t *testing.T) {
		text, _ := os.ReadFile(hp)
		lie := filepath.Join(dir, "lie.hdr")
		os.WriteFile(lie, bytes.Replace(text, []byte("lines = 4"), []byte("lines = 5"), 1), 0o644)
		data, _ := os.ReadFile(strings.TrimSuffix(hp, ".hdr") + ".img")
		os.WriteFile(filepath.Join(dir, "lie.img"), data, 0o644)
		_, err := Open(lie)
		if !errors.Is(err, ErrSize) {
			t.Fatalf("got %v", err)
		}
		for _, w := range []string{"lie.hdr", "samples/lines/bands/data type/header offset", "150 bytes", "120 bytes", "lie.img"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q lacks %q", err, w)
			}
		}
	})
	t.Run("file longer than header", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "long.hdr"), []byte("ENVI\nsamples = 2\nlines = 2\nbands = 1\ndata type = 1\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "long.dat"), make([]byte, 5), 0o644)
		if _, err := Open(filepath.Join(dir, "long.hdr")); !errors.Is(err, ErrSize) || !strings.Contains(err.Error(), "5 bytes") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("no data file", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "alone.hdr"), []byte("ENVI\nsamples = 2\nlines = 2\nbands = 1\ndata type = 1\n"), 0o644)
		if _, err := Open(filepath.Join(dir, "alone.hdr")); err == nil || !strings.Contains(err.Error(), "alone.img") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("data file named with .hdr appended", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "x.bsq"), make([]byte, 4), 0o644)
		os.WriteFile(filepath.Join(dir, "x.bsq.hdr"), []byte("ENVI\nsamples = 2\nlines = 2\nbands = 1\ndata type = 1\n"), 0o644)
		c, err := Open(filepath.Join(dir, "x.bsq.hdr"))
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(c.DataPath()) != "x.bsq" {
			t.Errorf("data path %s", c.DataPath())
		}
		c.Close()
	})
	t.Run("bad reads", func(t *testing.T) {
		c, err := Open(hp)
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]float32, 100)
		for _, q := range []struct {
			l0, n int
			bands []int
			want  string
		}{{3, 2, nil, "outside"}, {-1, 1, nil, "outside"}, {0, 1, []int{3}, "bands[0] = 3"}, {0, 4, nil, "need 60"}} {
			if err := c.ReadBlock(q.l0, q.n, q.bands, dst[:50]); err == nil || !strings.Contains(err.Error(), q.want) {
				t.Errorf("ReadBlock(%d, %d, %v): %v", q.l0, q.n, q.bands, err)
			}
		}
		c.Close()
		if err := c.ReadBlock(0, 1, nil, dst); !errors.Is(err, ErrClosed) {
			t.Errorf("after Close: %v", err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

// TestWriterRoundTrip: Create writes a float32 BIL cube that Open reads
// back, with the header fields kept.
func TestWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	h := Header{Samples: 6, Lines: 5, Bands: 3, DataType: Int16, Interleave: BSQ, BigEndian: true,
		Wavelength: []float64{2100, 2200.5, 2300}, FWHM: []float64{5, 5, 6}, HasIgnore: true, IgnoreValue: -9999,
		MapInfo:   &MapInfo{Projection: "UTM", RefPixelX: 1, RefPixelY: 1, Easting: 500000, Northing: 4e6, PixelX: 5, PixelY: 5, Zone: 13, North: true, Datum: "WGS-84", Units: "Meters"},
		BandNames: []string{"a", "b", "c"}, Description: "round trip", Extra: map[string]string{"sensor type": "AVIRIS-NG"}}
	w, err := Create(filepath.Join(dir, "out.hdr"), h)
	if err != nil {
		t.Fatal(err)
	}
	per := h.Samples * h.Bands
	all := make([]float32, h.Lines*per)
	for i := range all {
		all[i] = float32(i)*0.25 - 7
	}
	if err := w.WriteLines(all[:2*per]); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteLines(all[2*per : 2*per+1]); err == nil {
		t.Error("partial line accepted")
	}
	if err := w.WriteLines(all[2*per:]); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteLines(all[:per]); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("extra line: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.DataPath() != filepath.Join(dir, "out.img") {
		t.Errorf("data path %s", w.DataPath())
	}
	c, err := Open(filepath.Join(dir, "out.hdr"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := c.Header()
	if got.DataType != Float32 || got.Interleave != BIL || got.BigEndian || got.IgnoreValue != -9999 || got.MapInfo.Zone != 13 ||
		got.Wavelength[1] != 2200.5 || got.BandNames[2] != "c" || got.Description != "round trip" || got.Extra["sensor type"] != "AVIRIS-NG" {
		t.Errorf("header %+v", got)
	}
	dst := make([]float32, len(all))
	if err := c.ReadBlock(0, h.Lines, nil, dst); err != nil {
		t.Fatal(err)
	}
	for i := range all {
		if dst[i] != all[i] {
			t.Fatalf("value %d: %v, want %v", i, dst[i], all[i])
		}
	}
	// The bytes are little-endian float32, checked with encoding/binary.
	raw, _ := os.ReadFile(w.DataPath())
	if v := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*7:])); v != all[7] {
		t.Errorf("raw value 7: %v", v)
	}

	// Closing short is an error naming the count.
	w2, err := Create(filepath.Join(dir, "short.hdr"), h)
	if err != nil {
		t.Fatal(err)
	}
	w2.WriteLines(all[:per])
	if err := w2.Close(); err == nil || !strings.Contains(err.Error(), "1 of the header's 5 lines") {
		t.Errorf("short close: %v", err)
	}
	if _, err := Create(filepath.Join(dir, "bad.hdr"), Header{Samples: 2, Lines: 2, Bands: 2, Wavelength: []float64{1}}); err == nil {
		t.Error("mismatched wavelength count accepted")
	}
}

// TestReadBlockConcurrent: goroutines reading overlapping blocks of one
// Cube (each read releasing its pages) all see the right values.
func TestReadBlockConcurrent(t *testing.T) {
	dir := t.TempDir()
	hp := writeTestCube(t, dir, Float32, BIL, false, 40, 9, 5, 0)
	c, err := Open(hp)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			dst := make([]float32, 2*5*9)
			for l := g; l < 39; l += 4 {
				if err := c.ReadBlock(l, 2, nil, dst); err != nil {
					errs <- err
					return
				}
				if dst[9*5+3] != float32(testValue(Float32, l+1, 0, 3)) {
					errs <- fmt.Errorf("line %d: %v", l+1, dst[9*5+3])
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestReadAtFallback reads through the portable ReadAt path (used where
// files are not mapped) and gets the same values as through the mapping.
func TestReadAtFallback(t *testing.T) {
	dir := t.TempDir()
	for _, il := range []Interleave{BSQ, BIL, BIP} {
		hp := writeTestCube(t, dir, Int32, il, true, 3, 4, 5, 7)
		mapped, err := Open(hp)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := Open(hp)
		if err != nil {
			t.Fatal(err)
		}
		if err := unmapFile(plain.data); err != nil {
			t.Fatal(err)
		}
		plain.data = nil
		a, b := make([]float32, 2*2*4), make([]float32, 2*2*4)
		if err := mapped.ReadBlock(1, 2, []int{4, 1}, a); err != nil {
			t.Fatal(err)
		}
		if err := plain.ReadBlock(1, 2, []int{4, 1}, b); err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: value %d: mapped %v, ReadAt %v", il, i, a[i], b[i])
			}
		}
		if v, err := plain.Value(2, 3, 4); err != nil || v != testValue(Int32, 2, 4, 3) {
			t.Errorf("%s: Value via ReadAt: %v %v", il, v, err)
		}
		mapped.Close()
		plain.Close()
	}
}

// TestViewFloat32 checks that a view of a BIL float32 cube holds what
// ReadBlock reads, for lines in the middle of the cube and every band, and
// that the cubes and requests a view cannot serve say so.
func TestViewFloat32(t *testing.T) {
	dir := t.TempDir()
	const lines, samples, bands = 7, 5, 4
	vals := make([]float32, lines*samples*bands)
	for i := range vals {
		vals[i] = float32(i)*0.5 - 3
	}
	hdr := filepath.Join(dir, "cube.hdr")
	w, err := Create(hdr, Header{Samples: samples, Lines: lines, Bands: bands})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteLines(vals); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := Open(hdr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, ok := c.ViewFloat32(2, 3, 1, 3)
	if runtime.GOOS != "linux" {
		if ok {
			t.Fatal("a view of an unmapped cube")
		}
		return
	}
	if !ok {
		t.Fatal("no view of a mapped BIL float32 cube")
	}
	want := make([]float32, 3*bands*samples)
	if err := c.ReadBlock(2, 3, nil, want); err != nil {
		t.Fatal(err)
	}
	if len(v) != len(want) {
		t.Fatalf("view of %d values, want %d", len(v), len(want))
	}
	for i := range want {
		if v[i] != want[i] {
			t.Fatalf("value %d: %g, want %g", i, v[i], want[i])
		}
	}
	c.ReleaseView(v)
	if v[len(v)-1] != want[len(want)-1] {
		t.Fatal("a released view reads other values")
	}
	for _, bad := range [][4]int{{-1, 1, 0, 1}, {6, 2, 0, 1}, {0, 0, 0, 1}, {0, 1, 2, 2}, {0, 1, 0, 5}} {
		if _, ok := c.ViewFloat32(bad[0], bad[1], bad[2], bad[3]); ok {
			t.Errorf("view of lines %d+%d, bands [%d, %d)", bad[0], bad[1], bad[2], bad[3])
		}
	}
}
