package envi

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// GLT is a geographic lookup table, as AVIRIS-NG (…_glt) and EMIT
// distribute them: a two-band integer image on an orthorectified map grid
// (its own map info) whose pixel (row, col) holds the raw-geometry pixel
// that fills it, as a 1-based sample (band 1) and line (band 2). A
// positive pair is an exact match; a negative pair is the nearest raw
// pixel, copied in to fill a gap (its absolute value is the pixel); zero
// means no raw pixel.
//
// The GLT maps both ways:
//   - ortho → raw: Raw(row, col) gives the raw pixel filling an ortho cell,
//     and Ortho resamples a raw-geometry map (an enhancement map, say) onto
//     the ortho grid for a georeferenced raster;
//   - raw → ground: LonLat(line, sample) (the Geolocation interface) gives
//     the centre of the ortho cells that a raw pixel exactly fills (their
//     mean when it fills several), through the GLT's map info.
//
// OpenGLT reads the whole table: it holds 8 bytes per ortho cell and 8 per
// raw pixel. A GLT is immutable and safe for concurrent use.
type GLT struct {
	rows, cols           int
	rawLines, rawSamples int
	sample, line         []int32 // per ortho cell, as stored (1-based, signed)
	invRow, invCol       []float32
	m                    *MapInfo
	geo                  *mapGeo
}

// OpenGLT reads the GLT at hdrPath, for a raw cube of rawLines lines and
// rawSamples samples. The sample and line bands are found by band names
// ("sample"/"x", "line"/"y"), else bands 1 and 2. It is an error for the
// header to lack WGS84 UTM or Geographic map info, or for an entry to
// point outside the raw cube.
func OpenGLT(hdrPath string, rawLines, rawSamples int) (*GLT, error) {
	if rawLines < 1 || rawSamples < 1 || rawLines > MaxDim || rawSamples > MaxDim {
		return nil, fmt.Errorf("%s: raw cube size %d × %d is not valid", hdrPath, rawLines, rawSamples)
	}
	c, err := Open(hdrPath)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	h := c.h
	if h.Bands < 2 {
		return nil, fmt.Errorf("%w: %s: field \"bands\": a GLT needs 2 bands (sample, line), has %d", ErrUnsupported, hdrPath, h.Bands)
	}
	if h.MapInfo == nil {
		return nil, fmt.Errorf("%w: %s: field \"map info\": a GLT needs its map grid", ErrMissing, hdrPath)
	}
	geo, err := MapGeolocation(h.MapInfo)
	if err != nil {
		return nil, fmt.Errorf("%s: field \"map info\": %w", hdrPath, err)
	}
	sBand, lBand := 0, 1
	for i, n := range h.BandNames {
		n = strings.ToLower(n)
		switch {
		case strings.Contains(n, "sample") || n == "x" || strings.HasSuffix(n, "_x") || strings.Contains(n, "glt x"):
			sBand = i
		case strings.Contains(n, "line") || n == "y" || strings.HasSuffix(n, "_y") || strings.Contains(n, "glt y"):
			lBand = i
		}
	}
	if sBand == lBand {
		return nil, fmt.Errorf("%w: %s: field \"band names\": sample and line are both band %d", ErrUnsupported, hdrPath, sBand+1)
	}
	g := &GLT{
		rows: h.Lines, cols: h.Samples, rawLines: rawLines, rawSamples: rawSamples,
		sample: make([]int32, h.Lines*h.Samples), line: make([]int32, h.Lines*h.Samples),
		m: h.MapInfo, geo: geo.(*mapGeo),
	}
	buf := make([]float32, 2*h.Samples)
	for r := range h.Lines {
		if err := c.ReadBlock(r, 1, []int{sBand, lBand}, buf); err != nil {
			return nil, err
		}
		for col := range h.Samples {
			s, l := buf[col], buf[h.Samples+col]
			if s != float32(math.Trunc(float64(s))) || l != float32(math.Trunc(float64(l))) {
				return nil, fmt.Errorf("%s: row %d, col %d: GLT entry (%g, %g) is not an integer pair", hdrPath, r, col, s, l)
			}
			as, al := math.Abs(float64(s)), math.Abs(float64(l))
			if (s == 0) != (l == 0) || (s < 0) != (l < 0) || as > float64(rawSamples) || al > float64(rawLines) {
				return nil, fmt.Errorf("%s: row %d, col %d: GLT entry (sample %g, line %g) is not a raw pixel of %d lines × %d samples", hdrPath, r, col, s, l, rawLines, rawSamples)
			}
			g.sample[r*h.Samples+col], g.line[r*h.Samples+col] = int32(s), int32(l)
		}
	}
	g.buildInverse()
	return g, nil
}

// buildInverse records, for each raw pixel, the mean ortho position (cell
// centre, in fractional row/col) of the cells it exactly fills; NaN when
// none.
func (g *GLT) buildInverse() {
	n := g.rawLines * g.rawSamples
	g.invRow, g.invCol = make([]float32, n), make([]float32, n)
	count := make([]uint16, n) // saturates; then the mean is of the first 65535
	sumR, sumC := g.invRow, g.invCol
	for r := range g.rows {
		for col := range g.cols {
			s, l := g.sample[r*g.cols+col], g.line[r*g.cols+col]
			if s <= 0 {
				continue
			}
			i := int(l-1)*g.rawSamples + int(s-1)
			if count[i] == math.MaxUint16 {
				continue
			}
			count[i]++
			// Running mean keeps float32 precise for large grids.
			k := float32(count[i])
			sumR[i] += (float32(r) + 0.5 - sumR[i]) / k
			sumC[i] += (float32(col) + 0.5 - sumC[i]) / k
		}
	}
	for i, k := range count {
		if k == 0 {
			g.invRow[i], g.invCol[i] = float32(math.NaN()), float32(math.NaN())
		}
	}
}

// Dims returns the ortho grid's rows and columns.
func (g *GLT) Dims() (rows, cols int) { return g.rows, g.cols }

// MapInfo returns the ortho grid's map info. The caller must not modify it.
func (g *GLT) MapInfo() *MapInfo { return g.m }

// Raw returns the 0-based raw pixel (line, sample) that fills ortho cell
// (row, col), 0-based. exact is false for a nearest-neighbour fill; ok is
// false for an empty cell or a cell outside the grid.
func (g *GLT) Raw(row, col int) (line, sample int, exact, ok bool) {
	if row < 0 || row >= g.rows || col < 0 || col >= g.cols {
		return 0, 0, false, false
	}
	s, l := g.sample[row*g.cols+col], g.line[row*g.cols+col]
	if s == 0 {
		return 0, 0, false, false
	}
	exact = s > 0
	if s < 0 {
		s, l = -s, -l
	}
	return int(l) - 1, int(s) - 1, exact, true
}

// LonLat returns the WGS84 position of raw pixel (line, sample): the mean
// centre of the ortho cells it exactly fills. ok is false for a raw pixel
// no cell exactly holds.
func (g *GLT) LonLat(line, sample int) (lon, lat float64, ok bool) {
	if line < 0 || line >= g.rawLines || sample < 0 || sample >= g.rawSamples {
		return 0, 0, false
	}
	i := line*g.rawSamples + sample
	r, c := g.invRow[i], g.invCol[i]
	if r != r { // NaN
		return 0, 0, false
	}
	return g.geo.at(float64(r), float64(c))
}

// OrthoCell returns the fractional ortho (row, col) of raw pixel (line,
// sample), as LonLat locates it; ok as for LonLat.
func (g *GLT) OrthoCell(line, sample int) (row, col float64, ok bool) {
	if line < 0 || line >= g.rawLines || sample < 0 || sample >= g.rawSamples {
		return 0, 0, false
	}
	i := line*g.rawSamples + sample
	r, c := g.invRow[i], g.invCol[i]
	if r != r {
		return 0, 0, false
	}
	return float64(r), float64(c), true
}

// Ortho resamples a raw-geometry map src (rawLines × rawSamples, row-major
// by line) onto the ortho grid: each cell takes the value of its raw pixel;
// with fill false, cells whose entry is a nearest-neighbour fill get
// nodata as well as empty cells. It returns rows × cols values, row-major.
func (g *GLT) Ortho(src []float32, nodata float32, fill bool) ([]float32, error) {
	if len(src) != g.rawLines*g.rawSamples {
		return nil, fmt.Errorf("envi: GLT ortho: source has %d values, the raw cube %d × %d", len(src), g.rawLines, g.rawSamples)
	}
	dst := make([]float32, g.rows*g.cols)
	for i := range dst {
		s, l := g.sample[i], g.line[i]
		switch {
		case s == 0 || (s < 0 && !fill):
			dst[i] = nodata
		case s < 0:
			dst[i] = src[int(-l-1)*g.rawSamples+int(-s-1)]
		default:
			dst[i] = src[int(l-1)*g.rawSamples+int(s-1)]
		}
	}
	return dst, nil
}

// MaxGLTCells bounds the grid BuildGLT makes (64 Mi cells, 12 bytes
// each while building).
const MaxGLTCells = 1 << 26

// BuildGLT makes a GLT from per-pixel geolocation (an IGM, say): a
// north-up grid in the CRS epsg (4326, or a WGS 84 UTM zone 326zz/327zz)
// with square cells of pixel map units (degrees or metres), just covering
// the centres of the rawLines × rawSamples pixels that g locates. Each
// pixel centre falls in one cell; a cell that several centres fall in
// keeps the nearest to the cell's centre (exact, positive entries); an
// empty cell next to (8-neighbourhood) exact cells is filled from the
// nearest of them (negative entries), which closes the one-cell gaps of
// a pushbroom line gridded at its own resolution.
func BuildGLT(g Geolocation, rawLines, rawSamples int, epsg int, pixel float64) (*GLT, error) {
	if rawLines < 1 || rawSamples < 1 || rawLines > MaxDim || rawSamples > MaxDim {
		return nil, fmt.Errorf("envi: BuildGLT: raw cube size %d × %d is not valid", rawLines, rawSamples)
	}
	if !(pixel > 0) || math.IsInf(pixel, 0) {
		return nil, fmt.Errorf("envi: BuildGLT: pixel size %v is not positive", pixel)
	}
	m := MapInfo{RefPixelX: 1, RefPixelY: 1, PixelX: pixel, PixelY: pixel, Datum: "WGS-84"}
	switch {
	case epsg == 4326:
		m.Projection, m.Units = "Geographic Lat/Lon", "Degrees"
	case epsg > 32600 && epsg <= 32660, epsg > 32700 && epsg <= 32760:
		m.Projection, m.Units, m.Zone, m.North = "UTM", "Meters", epsg%100, epsg < 32700
	default:
		return nil, fmt.Errorf("%w: envi: BuildGLT: EPSG:%d (supported: 4326, 32601–32660, 32701–32760)", ErrUnsupported, epsg)
	}
	n := rawLines * rawSamples
	xs, ys := make([]float64, n), make([]float64, n)
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for l := range rawLines {
		for s := range rawSamples {
			i := l*rawSamples + s
			lon, lat, ok := g.LonLat(l, s)
			if !ok {
				xs[i] = math.NaN()
				continue
			}
			x, y := lon, lat
			if m.Zone != 0 {
				x, y = LonLatToUTM(m.Zone, m.North, lon, lat)
			}
			xs[i], ys[i] = x, y
			minX, maxX = math.Min(minX, x), math.Max(maxX, x)
			minY, maxY = math.Min(minY, y), math.Max(maxY, y)
		}
	}
	if minX > maxX {
		return nil, errors.New("envi: BuildGLT: no pixel has a position")
	}
	// A millionth of a cell of slack absorbs rounding in the spans.
	cols := math.Floor((maxX-minX)/pixel+1e-6) + 1
	rows := math.Floor((maxY-minY)/pixel+1e-6) + 1
	if cols*rows > MaxGLTCells {
		return nil, fmt.Errorf("envi: BuildGLT: a %.0f × %.0f grid of %g-unit cells exceeds %d cells", rows, cols, pixel, MaxGLTCells)
	}
	// Cell edges: the first centre sits half a cell in from the corner.
	m.Easting, m.Northing = minX-pixel/2, maxY+pixel/2
	gl := &GLT{rows: int(rows), cols: int(cols), rawLines: rawLines, rawSamples: rawSamples, m: &m,
		geo: &mapGeo{gt: m.GeoTransform(), utm: m.Zone != 0, zone: m.Zone, north: m.North}}
	cells := gl.rows * gl.cols
	gl.sample, gl.line = make([]int32, cells), make([]int32, cells)
	best := make([]float32, cells)
	for i := range n {
		x, y := xs[i], ys[i]
		if x != x {
			continue
		}
		fc, fr := (x-m.Easting)/pixel, (m.Northing-y)/pixel
		c, r := min(int(fc), gl.cols-1), min(int(fr), gl.rows-1)
		d := float32(math.Hypot(fc-float64(c)-0.5, fr-float64(r)-0.5))
		k := r*gl.cols + c
		if gl.sample[k] == 0 || d < best[k] {
			gl.sample[k], gl.line[k], best[k] = int32(i%rawSamples+1), int32(i/rawSamples+1), d
		}
	}
	// Fill empty cells from their nearest exact neighbour.
	fillS, fillL := make([]int32, 0, 64), make([]int32, 0, 64)
	var fillK []int
	for r := range gl.rows {
		for c := range gl.cols {
			k := r*gl.cols + c
			if gl.sample[k] != 0 {
				continue
			}
			bestD, bs, bl := 3, int32(0), int32(0)
			for dr := -1; dr <= 1; dr++ {
				for dc := -1; dc <= 1; dc++ {
					rr, cc := r+dr, c+dc
					if rr < 0 || rr >= gl.rows || cc < 0 || cc >= gl.cols {
						continue
					}
					if s := gl.sample[rr*gl.cols+cc]; s > 0 && dr*dr+dc*dc < bestD {
						bestD, bs, bl = dr*dr+dc*dc, s, gl.line[rr*gl.cols+cc]
					}
				}
			}
			if bs > 0 {
				fillK, fillS, fillL = append(fillK, k), append(fillS, -bs), append(fillL, -bl)
			}
		}
	}
	for i, k := range fillK {
		gl.sample[k], gl.line[k] = fillS[i], fillL[i]
	}
	gl.buildInverse()
	return gl, nil
}
