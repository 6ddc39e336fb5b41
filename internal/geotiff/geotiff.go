package geotiff

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
)

// ErrInvalid reports a Raster that cannot be written: bad dimensions, a
// data length that does not match them, a degenerate geotransform, or an
// EPSG code outside those supported.
var ErrInvalid = errors.New("geotiff: invalid raster")

// Raster is a single-band float32 grid with its georeferencing.
type Raster struct {
	// Width and Height are the grid's columns and rows.
	Width, Height int
	// Data holds Width × Height values, row-major from the top (north)
	// row. The writer does not modify or keep it.
	Data []float32
	// GeoTransform maps pixel-corner coordinates to map coordinates in
	// GDAL's order: x = gt[0] + col·gt[1] + row·gt[2], y = gt[3] +
	// col·gt[4] + row·gt[5], so (0, 0) is the upper-left corner of the
	// first pixel (PixelIsArea). Units are those of the CRS: degrees for
	// EPSG:4326 (x longitude, y latitude), metres for UTM.
	GeoTransform [6]float64
	// EPSG is the CRS: 4326 (WGS 84 geographic), or a WGS 84 UTM zone,
	// 32601–32660 (north) or 32701–32760 (south).
	EPSG int
	// NoData is the value marking cells without data, written in the
	// GDAL_NODATA tag when HasNoData is set (NaN is allowed).
	NoData float32
	// HasNoData says whether NoData is set.
	HasNoData bool
	// Description is written as the TIFF ImageDescription when not empty
	// (ASCII; other bytes are replaced by '?').
	Description string
}

// Options tunes how a GeoTIFF is written.
type Options struct {
	// Deflate compresses each strip with zlib (TIFF compression 8, Adobe
	// deflate), which GDAL and libtiff read. Off: uncompressed.
	Deflate bool
	// StripBytes is the target uncompressed size of a strip; the rows per
	// strip are chosen from it. 0 means 64 KiB.
	StripBytes int
}

// DefaultOptions returns the options Write uses: deflate, 64 KiB strips.
func DefaultOptions() *Options { return &Options{Deflate: true, StripBytes: 64 << 10} }

// WriteFile writes r as a GeoTIFF file at path with the default options.
func WriteFile(path string, r *Raster) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := Write(bw, r); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// Write writes r as a float32 GeoTIFF with the default options.
func Write(w io.Writer, r *Raster) error { return WriteWith(w, r, nil) }

// TIFF field types.
const (
	tASCII  = 2
	tShort  = 3
	tLong   = 4
	tDouble = 12
)

// TIFF and GeoTIFF tags written.
const (
	tagImageWidth      = 256
	tagImageLength     = 257
	tagBitsPerSample   = 258
	tagCompression     = 259
	tagPhotometric     = 262
	tagImageDesc       = 270
	tagStripOffsets    = 273
	tagSamplesPerPixel = 277
	tagRowsPerStrip    = 278
	tagStripByteCounts = 279
	tagPlanarConfig    = 284
	tagSoftware        = 305
	tagSampleFormat    = 339
	tagModelPixelScale = 33550
	tagModelTiepoint   = 33922
	tagModelTransform  = 34264
	tagGeoKeyDirectory = 34735
	tagGeoAsciiParams  = 34737
	tagGDALNoData      = 42113
)

// GeoKeys (GeoTIFF 1.0 / OGC GeoTIFF 1.1).
const (
	keyGTModelType        = 1024
	keyGTRasterType       = 1025
	keyGTCitation         = 1026
	keyGeographicType     = 2048
	keyGeogAngularUnits   = 2054
	keyProjectedCSType    = 3072
	keyProjLinearUnits    = 3076
	modelTypeProjected    = 1
	modelTypeGeographic   = 2
	rasterPixelIsArea     = 1
	unitDegree            = 9102
	unitMetre             = 9001
	compressionNone       = 1
	compressionDeflate    = 8
	sampleFormatIEEEFloat = 3
)

// entry is one IFD entry; data holds its value bytes (little-endian).
type entry struct {
	tag, typ uint16
	count    uint32
	data     []byte
}

func shorts(v ...uint16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return b
}

func longs(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}

func doubles(v ...float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

func ascii(s string) []byte {
	b := make([]byte, 0, len(s)+1)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 || c >= 0x80 {
			c = '?'
		}
		b = append(b, c)
	}
	return append(b, 0)
}

// validate checks r and returns whether its CRS is geographic and its
// citation.
func validate(r *Raster) (geographic bool, citation string, err error) {
	if r == nil {
		return false, "", fmt.Errorf("%w: nil raster", ErrInvalid)
	}
	if r.Width < 1 || r.Height < 1 || r.Width > 1<<20 || r.Height > 1<<20 {
		return false, "", fmt.Errorf("%w: size %d × %d (each must be 1 to 1048576)", ErrInvalid, r.Width, r.Height)
	}
	if len(r.Data) != r.Width*r.Height {
		return false, "", fmt.Errorf("%w: %d values for %d × %d cells", ErrInvalid, len(r.Data), r.Width, r.Height)
	}
	gt := r.GeoTransform
	for i, x := range gt {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false, "", fmt.Errorf("%w: geotransform[%d] = %v", ErrInvalid, i, x)
		}
	}
	if gt[1]*gt[5]-gt[2]*gt[4] == 0 {
		return false, "", fmt.Errorf("%w: geotransform %v is singular", ErrInvalid, gt)
	}
	switch {
	case r.EPSG == 4326:
		return true, "WGS 84", nil
	case r.EPSG >= 32601 && r.EPSG <= 32660:
		return false, fmt.Sprintf("WGS 84 / UTM zone %dN", r.EPSG-32600), nil
	case r.EPSG >= 32701 && r.EPSG <= 32760:
		return false, fmt.Sprintf("WGS 84 / UTM zone %dS", r.EPSG-32700), nil
	}
	return false, "", fmt.Errorf("%w: EPSG:%d (supported: 4326, 32601–32660, 32701–32760)", ErrInvalid, r.EPSG)
}

// WriteWith writes r as a float32 GeoTIFF: a little-endian classic TIFF
// 6.0 file with one image in strips, sample format IEEE float, and the
// GeoTIFF tags (see the package documentation). o nil means
// DefaultOptions. It writes sequentially (no seeking); the compressed
// strips are held in memory until written.
func WriteWith(w io.Writer, r *Raster, o *Options) error {
	geographic, citation, err := validate(r)
	if err != nil {
		return err
	}
	if o == nil {
		o = DefaultOptions()
	}
	stripBytes := o.StripBytes
	if stripBytes <= 0 {
		stripBytes = 64 << 10
	}
	rowBytes := 4 * r.Width
	rowsPerStrip := max(1, stripBytes/rowBytes)
	rowsPerStrip = min(rowsPerStrip, r.Height)
	nStrips := (r.Height + rowsPerStrip - 1) / rowsPerStrip

	// Encode the strips.
	strips := make([][]byte, nStrips)
	raw := make([]byte, rowsPerStrip*rowBytes)
	var zbuf bytes.Buffer
	var zw *zlib.Writer
	for s := range nStrips {
		r0 := s * rowsPerStrip
		r1 := min(r.Height, r0+rowsPerStrip)
		b := raw[:(r1-r0)*rowBytes]
		for i, v := range r.Data[r0*r.Width : r1*r.Width] {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		if !o.Deflate {
			strips[s] = append([]byte(nil), b...)
			continue
		}
		zbuf.Reset()
		if zw == nil {
			zw, _ = zlib.NewWriterLevel(&zbuf, zlib.BestSpeed)
		} else {
			zw.Reset(&zbuf)
		}
		if _, err := zw.Write(b); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		strips[s] = append([]byte(nil), zbuf.Bytes()...)
	}

	// The GeoKey directory: header, then keys sorted by id.
	type geoKey struct{ id, loc, count, value uint16 }
	keys := []geoKey{{keyGTRasterType, 0, 1, rasterPixelIsArea}}
	citationASCII := citation + "|"
	keys = append(keys, geoKey{keyGTCitation, tagGeoAsciiParams, uint16(len(citationASCII)), 0})
	if geographic {
		keys = append(keys,
			geoKey{keyGTModelType, 0, 1, modelTypeGeographic},
			geoKey{keyGeographicType, 0, 1, uint16(r.EPSG)},
			geoKey{keyGeogAngularUnits, 0, 1, unitDegree})
	} else {
		keys = append(keys,
			geoKey{keyGTModelType, 0, 1, modelTypeProjected},
			geoKey{keyProjectedCSType, 0, 1, uint16(r.EPSG)},
			geoKey{keyProjLinearUnits, 0, 1, unitMetre})
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].id < keys[j].id })
	dir := []uint16{1, 1, 0, uint16(len(keys))}
	for _, k := range keys {
		dir = append(dir, k.id, k.loc, k.count, k.value)
	}

	compression := uint16(compressionNone)
	if o.Deflate {
		compression = compressionDeflate
	}
	counts := make([]uint32, nStrips)
	for i, s := range strips {
		counts[i] = uint32(len(s))
	}
	gt := r.GeoTransform
	entries := []entry{
		{tagImageWidth, tLong, 1, longs(uint32(r.Width))},
		{tagImageLength, tLong, 1, longs(uint32(r.Height))},
		{tagBitsPerSample, tShort, 1, shorts(32)},
		{tagCompression, tShort, 1, shorts(compression)},
		{tagPhotometric, tShort, 1, shorts(1)}, // BlackIsZero
		{tagStripOffsets, tLong, uint32(nStrips), longs(make([]uint32, nStrips)...)},
		{tagSamplesPerPixel, tShort, 1, shorts(1)},
		{tagRowsPerStrip, tLong, 1, longs(uint32(rowsPerStrip))},
		{tagStripByteCounts, tLong, uint32(nStrips), longs(counts...)},
		{tagPlanarConfig, tShort, 1, shorts(1)},
		{tagSoftware, tASCII, 0, ascii("vigia")},
		{tagSampleFormat, tShort, 1, shorts(sampleFormatIEEEFloat)},
		{tagGeoKeyDirectory, tShort, uint32(len(dir)), shorts(dir...)},
		{tagGeoAsciiParams, tASCII, 0, ascii(citationASCII)},
	}
	if r.Description != "" {
		entries = append(entries, entry{tagImageDesc, tASCII, 0, ascii(r.Description)})
	}
	if gt[2] == 0 && gt[4] == 0 {
		entries = append(entries,
			entry{tagModelPixelScale, tDouble, 3, doubles(gt[1], -gt[5], 0)},
			entry{tagModelTiepoint, tDouble, 6, doubles(0, 0, 0, gt[0], gt[3], 0)})
	} else {
		entries = append(entries, entry{tagModelTransform, tDouble, 16, doubles(
			gt[1], gt[2], 0, gt[0],
			gt[4], gt[5], 0, gt[3],
			0, 0, 0, 0,
			0, 0, 0, 1)})
	}
	if r.HasNoData {
		entries = append(entries, entry{tagGDALNoData, tASCII, 0, ascii(noDataString(r.NoData))})
	}
	for i := range entries {
		if entries[i].typ == tASCII {
			entries[i].count = uint32(len(entries[i].data))
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].tag < entries[j].tag })

	// Layout: header (8), IFD, out-of-line values (word aligned), strips.
	ifdSize := 2 + 12*len(entries) + 4
	pos := int64(8 + ifdSize)
	valueOff := make([]int64, len(entries))
	for i, e := range entries {
		if len(e.data) > 4 {
			pos += pos & 1
			valueOff[i] = pos
			pos += int64(len(e.data))
		}
	}
	pos += pos & 1
	offsets := make([]uint32, nStrips)
	for i, s := range strips {
		if pos+int64(len(s)) > math.MaxUint32 {
			return fmt.Errorf("%w: %d × %d raster exceeds a classic TIFF's 4 GiB", ErrInvalid, r.Width, r.Height)
		}
		offsets[i] = uint32(pos)
		pos += int64(len(s))
	}
	for i := range entries {
		if entries[i].tag == tagStripOffsets {
			entries[i].data = longs(offsets...)
		}
	}

	bw := &countingWriter{w: w}
	bw.write([]byte{'I', 'I', 42, 0})
	bw.write(longs(8))
	bw.write(shorts(uint16(len(entries))))
	for i, e := range entries {
		var f [12]byte
		binary.LittleEndian.PutUint16(f[0:], e.tag)
		binary.LittleEndian.PutUint16(f[2:], e.typ)
		binary.LittleEndian.PutUint32(f[4:], e.count)
		if len(e.data) <= 4 {
			copy(f[8:], e.data)
		} else {
			binary.LittleEndian.PutUint32(f[8:], uint32(valueOff[i]))
		}
		bw.write(f[:])
	}
	bw.write(longs(0)) // no next IFD
	for i, e := range entries {
		if len(e.data) > 4 {
			bw.pad(valueOff[i])
			bw.write(e.data)
		}
	}
	for i, s := range strips {
		bw.pad(int64(offsets[i]))
		bw.write(s)
	}
	return bw.err
}

// noDataString formats the nodata value as GDAL writes it.
func noDataString(v float32) string {
	f := float64(v)
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 32)
}

// countingWriter writes with a sticky error and counts bytes, padding
// with zeros up to a position.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) write(b []byte) {
	if c.err != nil {
		return
	}
	var n int
	n, c.err = c.w.Write(b)
	c.n += int64(n)
}

func (c *countingWriter) pad(to int64) {
	for c.n < to && c.err == nil {
		c.write([]byte{0})
	}
}
