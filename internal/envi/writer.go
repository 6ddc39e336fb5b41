package envi

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// Writer writes a float32, BIL, little-endian ENVI image line by line
// through a buffer: memory stays at the buffer's size whatever the image's.
// A Writer is not safe for concurrent use.
type Writer struct {
	h        Header
	hdrPath  string
	dataPath string
	f        *os.File
	bw       *bufio.Writer
	scratch  []byte
	written  int // lines written
	closed   bool
	err      error // sticky
}

// Create writes the header for h to hdrPath and creates its data file: the
// same path with ".hdr" replaced by ".img" (or ".img" appended). The header
// is written as float32 (data type 4), BIL, little-endian, header offset
// 0, whatever h says; all other fields of h are kept. When h has WGS84 UTM
// map info and no "coordinate system string", one is added
// (MapInfo.CoordinateSystemString) so that GDAL identifies the EPSG code. Write the h.Lines
// lines with WriteLines, then Close, which fails if fewer were written.
func Create(hdrPath string, h Header) (*Writer, error) {
	if h.Samples < 1 || h.Lines < 1 || h.Bands < 1 || h.Samples > MaxDim || h.Lines > MaxDim || h.Bands > MaxBands {
		return nil, fmt.Errorf("%s: samples/lines/bands %d/%d/%d must be in [1, %d]", hdrPath, h.Samples, h.Lines, h.Bands, MaxDim)
	}
	h.DataType, h.Interleave, h.BigEndian, h.HeaderOffset = Float32, BIL, false, 0
	for _, l := range []struct {
		name string
		n    int
	}{{"wavelength", len(h.Wavelength)}, {"fwhm", len(h.FWHM)}, {"data gain values", len(h.ScaleFactor)}, {"data offset values", len(h.ScaleOffset)}, {"band names", len(h.BandNames)}} {
		if l.n != 0 && l.n != h.Bands {
			return nil, fmt.Errorf("%s: field %q: %d values for %d bands", hdrPath, l.name, l.n, h.Bands)
		}
	}
	if h.MapInfo != nil && h.MapInfo.IsUTM() {
		if css, err := h.MapInfo.CoordinateSystemString(); err == nil {
			if _, has := h.Extra["coordinate system string"]; !has {
				extra := make(map[string]string, len(h.Extra)+1)
				for k, v := range h.Extra {
					extra[k] = v
				}
				extra["coordinate system string"] = css
				h.Extra = extra
			}
		}
	}
	base := hdrPath
	if ext := filepath.Ext(hdrPath); strings.EqualFold(ext, ".hdr") {
		base = strings.TrimSuffix(hdrPath, ext)
	}
	dataPath := base + ".img"
	hf, err := os.Create(hdrPath)
	if err != nil {
		return nil, err
	}
	if _, err := h.WriteTo(hf); err != nil {
		hf.Close()
		return nil, fmt.Errorf("%s: %w", hdrPath, err)
	}
	if err := hf.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", hdrPath, err)
	}
	f, err := os.Create(dataPath)
	if err != nil {
		return nil, err
	}
	return &Writer{h: h, hdrPath: hdrPath, dataPath: dataPath, f: f, bw: bufio.NewWriterSize(f, 1<<20)}, nil
}

// DataPath returns the path of the data file being written.
func (w *Writer) DataPath() string { return w.dataPath }

// WriteLines appends whole lines in BIL order: len(block) must be a
// multiple of samples × bands (value of line l, band b, sample s at
// block[(l*bands+b)*samples+s]), and the total may not exceed the header's
// lines. Errors are sticky.
func (w *Writer) WriteLines(block []float32) error {
	if w.closed {
		return fmt.Errorf("%s: %w", w.dataPath, ErrClosed)
	}
	if w.err != nil {
		return w.err
	}
	per := w.h.Samples * w.h.Bands
	if len(block)%per != 0 {
		return fmt.Errorf("%s: block of %d values is not whole lines of %d samples × %d bands", w.dataPath, len(block), w.h.Samples, w.h.Bands)
	}
	n := len(block) / per
	if w.written+n > w.h.Lines {
		return fmt.Errorf("%s: writing %d lines after %d exceeds the header's %d lines", w.dataPath, n, w.written, w.h.Lines)
	}
	const chunk = 64 << 10 // values per conversion
	if cap(w.scratch) < 4*min(len(block), chunk) {
		w.scratch = make([]byte, 4*min(len(block), chunk))
	}
	for len(block) > 0 {
		m := min(len(block), chunk)
		b := w.scratch[:4*m]
		for i, v := range block[:m] {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		if _, err := w.bw.Write(b); err != nil {
			w.err = fmt.Errorf("%s: %w", w.dataPath, err)
			return w.err
		}
		block = block[m:]
	}
	w.written += n
	return nil
}

// Close flushes and closes the data file. It returns an error if fewer
// lines were written than the header declares (the file is then shorter
// than the header says, and Open will refuse it).
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.err
	if ferr := w.bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("%s: %w", w.dataPath, ferr)
	}
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%s: %w", w.dataPath, cerr)
	}
	if err == nil && w.written != w.h.Lines {
		err = fmt.Errorf("%s: %d of the header's %d lines written", w.dataPath, w.written, w.h.Lines)
	}
	return err
}
