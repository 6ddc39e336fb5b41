package envi

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Cube is an open ENVI image: its header and its data file, mapped into
// memory read-only (on Linux; read with ReadAt elsewhere). Reading never
// holds more than the lines asked for: after each ReadBlock the pages it
// touched are released (madvise DONTNEED), and a view from ViewFloat32
// until ReleaseView, so the resident memory stays bounded by the blocks
// whatever the cube's size.
//
// ReadBlock and the geolocation readers are safe for concurrent use; Close
// must not run concurrently with them.
type Cube struct {
	h        *Header
	hdrPath  string
	dataPath string
	f        *os.File
	data     []byte    // the whole file when mapped, else nil
	bufs     sync.Pool // *[]byte read buffers for the ReadAt path
	closed   atomic.Bool
}

// dataExts are the data-file extensions tried after the header's own base.
var dataExts = []string{"", ".img", ".dat", ".raw", ".bil", ".bsq", ".bip"}

// findData returns the data file for a header path: the header path
// without ".hdr", then that base with each of dataExts (also in upper
// case), then the header path with ".hdr" replaced.
func findData(hdrPath string) (string, error) {
	base := hdrPath
	if ext := filepath.Ext(hdrPath); strings.EqualFold(ext, ".hdr") {
		base = strings.TrimSuffix(hdrPath, ext)
	}
	var tried []string
	try := func(p string) bool {
		if p == hdrPath {
			return false
		}
		tried = append(tried, filepath.Base(p))
		st, err := os.Stat(p)
		return err == nil && st.Mode().IsRegular()
	}
	for _, e := range dataExts {
		if try(base + e) {
			return base + e, nil
		}
		if e != "" && try(base+strings.ToUpper(e)) {
			return base + strings.ToUpper(e), nil
		}
	}
	return "", fmt.Errorf("%s: no data file found (tried %s)", hdrPath, strings.Join(tried, ", "))
}

// Open reads the ENVI header at hdrPath, finds its data file (the same
// path without ".hdr", or with ".img", ".dat", ".raw", ".bil", ".bsq" or
// ".bip"), checks that the file's size is exactly what the header
// declares, and maps it read-only. A size mismatch is an error wrapping
// ErrSize that names the fields that determine the size and both sizes.
// The caller must Close the Cube.
func Open(hdrPath string) (*Cube, error) {
	h, err := ReadHeader(hdrPath)
	if err != nil {
		return nil, err
	}
	return OpenWithHeader(hdrPath, h)
}

// OpenWithHeader is Open with a header already parsed (or edited) by the
// caller; hdrPath locates the data file and names errors.
func OpenWithHeader(hdrPath string, h *Header) (*Cube, error) {
	dp, err := findData(hdrPath)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(dp)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if want := h.DataSize(); st.Size() != want {
		f.Close()
		return nil, fmt.Errorf("%w: %s: fields samples/lines/bands/data type/header offset (%d × %d × %d × %d bytes + %d) give %d bytes, but %s has %d bytes",
			ErrSize, hdrPath, h.Samples, h.Lines, h.Bands, h.DataType.Size(), h.HeaderOffset, want, filepath.Base(dp), st.Size())
	}
	c := &Cube{h: h, hdrPath: hdrPath, dataPath: dp, f: f}
	if c.data, err = mapFile(f, st.Size()); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: map: %w", dp, err)
	}
	return c, nil
}

// Header returns the cube's header. The caller must not modify it.
func (c *Cube) Header() *Header { return c.h }

// DataPath returns the path of the data file.
func (c *Cube) DataPath() string { return c.dataPath }

// Dims returns the cube's lines, samples and bands.
func (c *Cube) Dims() (lines, samples, bands int) { return c.h.Lines, c.h.Samples, c.h.Bands }

// Close unmaps and closes the data file. Later reads return ErrClosed.
func (c *Cube) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	err := unmapFile(c.data)
	c.data = nil
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// span returns n bytes of the data file at off: a slice of the mapping,
// or read into *buf.
func (c *Cube) span(off, n int64, buf *[]byte) ([]byte, error) {
	if c.data != nil {
		b := c.data[off : off+n : off+n]
		if n >= 1<<16 { // below that, faulting the few pages in is cheaper
			populate(b)
		}
		return b, nil
	}
	if int64(cap(*buf)) < n {
		*buf = make([]byte, n)
	}
	b := (*buf)[:n]
	if _, err := c.f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("%s: offset %d: %w", c.dataPath, off, err)
	}
	return b, nil
}

// ReadBlock reads lines [line0, line0+nLines) of the given bands (0-based
// band indices, any order, repeats allowed; nil means all bands in order)
// into dst as float32, converting from the file's type and byte order.
// dst is in BIL order: the value of line l (relative to line0), band
// bands[bi] and sample s is dst[(l*len(bands)+bi)*samples+s], and len(dst)
// must be at least nLines × len(bands) × samples. No scale factor or
// ignore value is applied (see Header.ScaleFactor, Header.IgnoreValue);
// integer values beyond float32's 24-bit mantissa are rounded.
func (c *Cube) ReadBlock(line0, nLines int, bands []int, dst []float32) error {
	if c.closed.Load() {
		return fmt.Errorf("%s: %w", c.hdrPath, ErrClosed)
	}
	h := c.h
	if line0 < 0 || nLines < 0 || line0 > h.Lines-nLines {
		return fmt.Errorf("%s: lines [%d, %d) outside [0, %d)", c.hdrPath, line0, line0+nLines, h.Lines)
	}
	nb := h.Bands
	if bands != nil {
		nb = len(bands)
		for i, b := range bands {
			if b < 0 || b >= h.Bands {
				return fmt.Errorf("%s: bands[%d] = %d outside [0, %d)", c.hdrPath, i, b, h.Bands)
			}
		}
	}
	ns := h.Samples
	if need := float64(nLines) * float64(nb) * float64(ns); float64(len(dst)) < need {
		return fmt.Errorf("%s: dst holds %d values, need %.0f (%d lines × %d bands × %d samples)", c.hdrPath, len(dst), need, nLines, nb, ns)
	}
	if nLines == 0 || nb == 0 {
		return nil
	}
	band := func(bi int) int {
		if bands == nil {
			return bi
		}
		return bands[bi]
	}
	sz := int64(h.DataType.Size())
	conv := converter(h.DataType, h.BigEndian)
	var buf *[]byte // the ReadAt path's buffer, reused across calls
	if c.data == nil {
		buf, _ = c.bufs.Get().(*[]byte)
		if buf == nil {
			buf = new([]byte)
		}
		defer c.bufs.Put(buf)
	}
	S, L, B := int64(ns), int64(h.Lines), int64(h.Bands)
	switch h.Interleave {
	case BIL:
		// One span for all the lines: line l, band b, sample s at
		// ((l*B+b)*S+s)*sz.
		off := h.HeaderOffset + int64(line0)*B*S*sz
		n := int64(nLines) * B * S * sz
		// With a band window under half the line, map and release only
		// the window's run of each line, not the whole span.
		lo, hi := int64(0), B
		if bands != nil {
			lo, hi = B, 0
			for _, b := range bands {
				lo, hi = min(lo, int64(b)), max(hi, int64(b)+1)
			}
		}
		window := c.data != nil && 2*(hi-lo) <= B
		// A few bands far apart (a flare test's two) are read where they
		// lie, their pages faulted in as read, rather than mapping the
		// whole run between them.
		sparse := 2*int64(nb) < hi-lo
		var src []byte
		if window {
			src = c.data[off : off+n : off+n]
		} else {
			var err error
			if src, err = c.span(off, n, buf); err != nil {
				return err
			}
		}
		for l := range nLines {
			if window && !sparse {
				if run := src[(int64(l)*B+lo)*S*sz : (int64(l)*B+hi)*S*sz]; len(run) >= 1<<16 {
					populate(run)
				}
			}
			for bi := range nb {
				o := (int64(l)*B + int64(band(bi))) * S * sz
				d := dst[(l*nb+bi)*ns:][:ns]
				conv(src[o:], int(sz), d)
			}
		}
		// Release the whole span: the kernel's fault-around may have
		// mapped pages beside the window.
		c.release(src)
	case BSQ:
		// Band b, line l, sample s at ((b*L+l)*S+s)*sz: one span per band.
		for bi := range nb {
			b := int64(band(bi))
			off := h.HeaderOffset + (b*L+int64(line0))*S*sz
			src, err := c.span(off, int64(nLines)*S*sz, buf)
			if err != nil {
				return err
			}
			for l := range nLines {
				d := dst[(l*nb+bi)*ns:][:ns]
				conv(src[int64(l)*S*sz:], int(sz), d)
			}
			c.release(src)
		}
	case BIP:
		// Line l, sample s, band b at ((l*S+s)*B+b)*sz: gather each band
		// with a stride of one pixel.
		off := h.HeaderOffset + int64(line0)*S*B*sz
		src, err := c.span(off, int64(nLines)*S*B*sz, buf)
		if err != nil {
			return err
		}
		// Tiles of bipTile pixels keep the reads of each tile in cache
		// while every band's run of the tile is written.
		const bipTile = 32
		stride := int(B * sz)
		if f := nativeFloat32(h, src); f != nil {
			transposeBIP(f, nLines, ns, int(B), nb, band, dst)
			c.release(src)
			return nil
		}
		for l := range nLines {
			line := src[int64(l)*S*B*sz:]
			out := dst[l*nb*ns:]
			for s0 := 0; s0 < ns; s0 += bipTile {
				n := min(bipTile, ns-s0)
				px := line[int64(s0)*B*sz:]
				for bi := range nb {
					conv(px[int64(band(bi))*sz:], stride, out[bi*ns+s0:][:n])
				}
			}
		}
		c.release(src)
	default:
		return fmt.Errorf("%w: %s: interleave %d", ErrUnsupported, c.hdrPath, h.Interleave)
	}
	return nil
}

// release drops the mapped pages of src from this process's resident set
// (they stay in the page cache). src must be a slice of c.data.
func (c *Cube) release(src []byte) {
	if c.data != nil {
		dropPages(c.data, src)
	}
}

// nativeFloat32 returns src as float32 values when the cube holds float32
// in the host's byte order and src is 4-byte aligned, else nil.
func nativeFloat32(h *Header, src []byte) []float32 {
	if h.DataType != Float32 || h.BigEndian == nativeLittle || len(src) < 4 || uintptr(unsafe.Pointer(&src[0]))%4 != 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&src[0])), len(src)/4)
}

// transposeBIP copies BIP float32 lines (pixel-major, B bands per pixel)
// into BIL order for the chosen bands, in tiles of pixels that stay in
// cache while each band's run is written.
func transposeBIP(src []float32, nLines, ns, B, nb int, band func(int) int, dst []float32) {
	const tile = 64
	for l := range nLines {
		line := src[l*ns*B : (l+1)*ns*B]
		out := dst[l*nb*ns : (l+1)*nb*ns]
		for s0 := 0; s0 < ns; s0 += tile {
			n := min(tile, ns-s0)
			px := line[s0*B : (s0+n)*B]
			for bi := range nb {
				b := band(bi)
				o := out[bi*ns+s0 : bi*ns+s0+n]
				for s := range o {
					o[s] = px[s*B+b]
				}
			}
		}
	}
}
