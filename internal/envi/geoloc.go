package envi

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Geolocation gives the position on the ground of a pixel of a cube in
// its raw (sensor) geometry. line and sample are 0-based; lon and lat are
// WGS84 degrees of the pixel's centre; ok is false for a pixel without a
// position (outside the grid, no-data, never mapped). Implementations in
// this package are safe for concurrent use.
type Geolocation interface {
	LonLat(line, sample int) (lon, lat float64, ok bool)
}

// Value returns one sample of the cube as float64 (exact for every type
// but 64-bit integers beyond 2⁵³), without applying scale factors.
// line, sample and band are 0-based.
func (c *Cube) Value(line, sample, band int) (float64, error) {
	if c.closed.Load() {
		return 0, fmt.Errorf("%s: %w", c.hdrPath, ErrClosed)
	}
	h := c.h
	if line < 0 || line >= h.Lines || sample < 0 || sample >= h.Samples || band < 0 || band >= h.Bands {
		return 0, fmt.Errorf("%s: pixel (line %d, sample %d, band %d) outside %d × %d × %d", c.hdrPath, line, sample, band, h.Lines, h.Samples, h.Bands)
	}
	L, S, B := int64(h.Lines), int64(h.Samples), int64(h.Bands)
	l, s, b := int64(line), int64(sample), int64(band)
	var idx int64
	switch h.Interleave {
	case BSQ:
		idx = (b*L+l)*S + s
	case BIL:
		idx = (l*B+b)*S + s
	default:
		idx = (l*S+s)*B + b
	}
	sz := int64(h.DataType.Size())
	var buf [8]byte
	bp := buf[:0]
	src, err := c.span(h.HeaderOffset+idx*sz, sz, &bp)
	if err != nil {
		return 0, err
	}
	return decodeOne(h.DataType, h.BigEndian, src), nil
}

// decodeOne decodes one sample as float64.
func decodeOne(t DataType, bigEndian bool, b []byte) float64 {
	var bo binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		bo = binary.BigEndian
	}
	switch t {
	case Uint8:
		return float64(b[0])
	case Int16:
		return float64(int16(bo.Uint16(b)))
	case Uint16:
		return float64(bo.Uint16(b))
	case Int32:
		return float64(int32(bo.Uint32(b)))
	case Uint32:
		return float64(bo.Uint32(b))
	case Float32:
		return float64(math.Float32frombits(bo.Uint32(b)))
	case Float64:
		return math.Float64frombits(bo.Uint64(b))
	case Int64:
		return float64(int64(bo.Uint64(b)))
	case Uint64:
		return float64(bo.Uint64(b))
	}
	return math.NaN()
}

// IGM is an input geometry file, as AVIRIS-NG distributes with each
// flight line (…_igm: easting, northing, elevation in UTM; …_loc:
// longitude, latitude, elevation on WGS84): a cube with the raw cube's
// lines and samples whose first two bands (or the bands named for them)
// give each pixel's position. It reads positions from the mapped file on
// demand, so it holds no per-pixel memory. Safe for concurrent use; Close
// it when done.
type IGM struct {
	c            *Cube
	xBand, yBand int
	zBand        int // -1 when absent
	utm          bool
	zone         int
	north        bool
}

// OpenIGM opens an IGM or LOC file. The coordinate bands are found by
// their band names ("lon…"/"lat…", "east…"/"north…", "elev…"/"height…"),
// else bands 1 and 2 (and 3 for elevation). The coordinates are UTM when
// the names say easting/northing or the header's map info is UTM, or when
// the first valid pixel's values cannot be degrees; the UTM zone then
// comes from the map info (use OpenIGMZone when the header lacks it).
func OpenIGM(hdrPath string) (*IGM, error) {
	return openIGM(hdrPath, 0, false)
}

// OpenIGMZone opens an IGM whose easting and northing are in the given
// WGS84 UTM zone and hemisphere, whatever the header says.
func OpenIGMZone(hdrPath string, zone int, north bool) (*IGM, error) {
	if zone < 1 || zone > 60 {
		return nil, fmt.Errorf("%s: UTM zone %d outside 1–60", hdrPath, zone)
	}
	return openIGM(hdrPath, zone, north)
}

func openIGM(hdrPath string, zone int, north bool) (*IGM, error) {
	c, err := Open(hdrPath)
	if err != nil {
		return nil, err
	}
	g, err := newIGM(c, zone, north)
	if err != nil {
		c.Close()
		return nil, err
	}
	return g, nil
}

func newIGM(c *Cube, zone int, north bool) (*IGM, error) {
	h := c.h
	if h.Bands < 2 {
		return nil, fmt.Errorf("%w: %s: field \"bands\": an IGM needs at least 2 bands (x, y), has %d", ErrUnsupported, c.hdrPath, h.Bands)
	}
	g := &IGM{c: c, xBand: 0, yBand: 1, zBand: -1}
	if h.Bands >= 3 {
		g.zBand = 2
	}
	named := 0 // 1: lon/lat names, 2: easting/northing names
	for i, n := range h.BandNames {
		n = strings.ToLower(n)
		switch {
		case strings.Contains(n, "lon"):
			g.xBand, named = i, 1
		case strings.Contains(n, "lat"):
			g.yBand = i
		case strings.Contains(n, "east"):
			g.xBand, named = i, 2
		case strings.Contains(n, "north"):
			g.yBand = i
		case strings.Contains(n, "elev") || strings.Contains(n, "height") || strings.Contains(n, "alt"):
			g.zBand = i
		}
	}
	if g.xBand == g.yBand {
		return nil, fmt.Errorf("%w: %s: field \"band names\": x and y are both band %d", ErrUnsupported, c.hdrPath, g.xBand+1)
	}
	switch {
	case zone != 0:
		g.utm, g.zone, g.north = true, zone, north
	case named == 1:
	case named == 2 || (h.MapInfo != nil && h.MapInfo.IsUTM()):
		g.utm = true
	default:
		// Unnamed bands: degrees if the first valid pixel can be degrees.
		if x, y, ok := g.firstValid(); ok && (math.Abs(x) > 180 || math.Abs(y) > 90) {
			g.utm = true
		}
	}
	if g.utm && g.zone == 0 {
		m := h.MapInfo
		if m == nil || !m.IsUTM() {
			return nil, fmt.Errorf("%w: %s: field \"map info\": the IGM holds UTM coordinates but the header names no UTM zone (use OpenIGMZone)", ErrMissing, c.hdrPath)
		}
		if _, err := m.EPSG(); err != nil {
			return nil, fmt.Errorf("%s: %w", c.hdrPath, err)
		}
		g.zone, g.north = m.Zone, m.North
	}
	return g, nil
}

// firstValid returns the coordinates of the first pixel (in a coarse
// scan) that is not no-data.
func (g *IGM) firstValid() (x, y float64, ok bool) {
	h := g.c.h
	for l := 0; l < h.Lines; l += max(1, h.Lines/16) {
		for s := 0; s < h.Samples; s += max(1, h.Samples/16) {
			if x, y, ok := g.raw(l, s); ok {
				return x, y, true
			}
		}
	}
	return 0, 0, false
}

// raw returns the stored x, y of a pixel, ok false for no-data.
func (g *IGM) raw(line, sample int) (x, y float64, ok bool) {
	x, err := g.c.Value(line, sample, g.xBand)
	if err != nil {
		return 0, 0, false
	}
	y, err = g.c.Value(line, sample, g.yBand)
	if err != nil {
		return 0, 0, false
	}
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return 0, 0, false
	}
	if h := g.c.h; h.HasIgnore && (x == h.IgnoreValue || y == h.IgnoreValue) {
		return 0, 0, false
	}
	return x, y, true
}

// Dims returns the IGM's lines and samples (those of its raw cube).
func (g *IGM) Dims() (lines, samples int) { return g.c.h.Lines, g.c.h.Samples }

// UTM reports whether the file holds UTM coordinates, and their zone and
// hemisphere.
func (g *IGM) UTM() (utm bool, zone int, north bool) { return g.utm, g.zone, g.north }

// LonLat returns the WGS84 longitude and latitude in degrees of a raw
// pixel, converting from UTM when the file holds eastings and northings.
// ok is false outside the grid and for no-data pixels.
func (g *IGM) LonLat(line, sample int) (lon, lat float64, ok bool) {
	x, y, ok := g.raw(line, sample)
	if !ok {
		return 0, 0, false
	}
	if g.utm {
		lon, lat = UTMToLonLat(g.zone, g.north, x, y)
		return lon, lat, true
	}
	if math.Abs(x) > 180 || math.Abs(y) > 90 {
		return 0, 0, false
	}
	return x, y, true
}

// Elevation returns a pixel's elevation in the file's units (metres for
// AVIRIS-NG); ok is false when the file has no elevation band or for
// no-data.
func (g *IGM) Elevation(line, sample int) (z float64, ok bool) {
	if g.zBand < 0 {
		return 0, false
	}
	z, err := g.c.Value(line, sample, g.zBand)
	if err != nil || math.IsNaN(z) {
		return 0, false
	}
	if h := g.c.h; h.HasIgnore && z == h.IgnoreValue {
		return 0, false
	}
	return z, true
}

// Close closes the IGM's file.
func (g *IGM) Close() error { return g.c.Close() }

// MapGeolocation returns the geolocation of an orthorectified cube whose
// header has map info m: a pixel's position is its centre, (sample+0.5,
// line+0.5) through m's GeoTransform, converted from UTM when m is UTM.
// Only WGS84 Geographic Lat/Lon and UTM are supported. ok is always true
// (the caller knows the grid's size).
func MapGeolocation(m *MapInfo) (Geolocation, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: no map info", ErrMissing)
	}
	if _, err := m.EPSG(); err != nil {
		return nil, err
	}
	return &mapGeo{gt: m.GeoTransform(), utm: m.IsUTM(), zone: m.Zone, north: m.North}, nil
}

type mapGeo struct {
	gt    [6]float64
	utm   bool
	zone  int
	north bool
}

func (g *mapGeo) LonLat(line, sample int) (lon, lat float64, ok bool) {
	return g.at(float64(line)+0.5, float64(sample)+0.5)
}

// at maps fractional pixel-corner coordinates (row, col) to lon/lat.
func (g *mapGeo) at(row, col float64) (lon, lat float64, ok bool) {
	x := g.gt[0] + col*g.gt[1] + row*g.gt[2]
	y := g.gt[3] + col*g.gt[4] + row*g.gt[5]
	if g.utm {
		lon, lat = UTMToLonLat(g.zone, g.north, x, y)
		return lon, lat, true
	}
	return x, y, true
}
