package envi

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MapInfo is a parsed ENVI "map info": the affine mapping from pixel
// coordinates to map coordinates.
//
// ENVI pixel coordinates are 1-based at the upper-left corner of the
// upper-left pixel: (1, 1) is that corner, (1.5, 1.5) that pixel's centre.
// The reference pixel (RefPixelX, RefPixelY) lies at (Easting, Northing)
// (for Geographic Lat/Lon: longitude, latitude in degrees). PixelX and
// PixelY are the pixel sizes in map units (metres, or degrees), both
// positive. Rotation, in degrees, turns the grid counter-clockwise about
// the reference pixel: a column step moves (PixelX·cos θ, PixelX·sin θ)
// and a row step (PixelY·sin θ, −PixelY·cos θ) in map coordinates.
//
// A MapInfo is a plain value, safe for concurrent reads.
type MapInfo struct {
	// Projection is the projection name as written ("UTM",
	// "Geographic Lat/Lon", …).
	Projection string
	// RefPixelX and RefPixelY are the 1-based reference pixel (column, row).
	RefPixelX, RefPixelY float64
	// Easting and Northing are the map coordinates of the reference pixel
	// (longitude and latitude in degrees for Geographic Lat/Lon).
	Easting, Northing float64
	// PixelX and PixelY are the pixel sizes in map units.
	PixelX, PixelY float64
	// Zone is the UTM zone (1–60); 0 for other projections.
	Zone int
	// North is true for the northern UTM hemisphere.
	North bool
	// Datum is the datum as written ("WGS-84").
	Datum string
	// Units is the "units=" value ("Meters", "Degrees"), empty when absent.
	Units string
	// Rotation is the grid rotation in degrees, counter-clockwise.
	Rotation float64
}

// IsUTM reports whether the projection is UTM.
func (m *MapInfo) IsUTM() bool { return strings.EqualFold(strings.TrimSpace(m.Projection), "UTM") }

// IsGeographic reports whether the projection is Geographic Lat/Lon.
func (m *MapInfo) IsGeographic() bool {
	p := strings.ToLower(strings.Join(strings.Fields(m.Projection), " "))
	return p == "geographic lat/lon" || p == "geographic lat/long" || p == "geographic"
}

// isWGS84 reports whether the datum is WGS-84 in any usual spelling.
func (m *MapInfo) isWGS84() bool {
	d := strings.ToLower(strings.NewReplacer("-", "", " ", "", "_", "").Replace(m.Datum))
	return d == "wgs84"
}

// GeoTransform returns the affine transform in GDAL's order: map x =
// gt[0] + col·gt[1] + row·gt[2], map y = gt[3] + col·gt[4] + row·gt[5],
// with (col, row) 0-based pixel-corner coordinates (so (0, 0) is the
// upper-left corner of the first pixel, and a pixel's centre is at
// (col+0.5, row+0.5)). ENVI's 1-based reference pixel is accounted for.
//
// With rotation and a reference pixel other than (1, 1), or non-square
// pixels, GDAL 3.6's ENVI reader differs from this (it offsets the origin
// without the rotation and swaps the pixel sizes in the rotated terms);
// AVIRIS-NG products use square pixels and reference pixel (1, 1), where
// the two agree.
func (m *MapInfo) GeoTransform() [6]float64 {
	s, c := math.Sincos(m.Rotation * math.Pi / 180)
	if m.Rotation == 0 {
		s, c = 0, 1
	}
	gt := [6]float64{0, m.PixelX * c, m.PixelY * s, 0, m.PixelX * s, -m.PixelY * c}
	dx, dy := m.RefPixelX-1, m.RefPixelY-1
	gt[0] = m.Easting - dx*gt[1] - dy*gt[2]
	gt[3] = m.Northing - dx*gt[4] - dy*gt[5]
	return gt
}

// EPSG returns the EPSG code of the map's coordinate reference system:
// 4326 for Geographic Lat/Lon on WGS-84, 32601–32660 (north) and
// 32701–32760 (south) for UTM on WGS-84. Other projections and datums are
// an error wrapping ErrUnsupported.
func (m *MapInfo) EPSG() (int, error) {
	if !m.isWGS84() {
		return 0, fmt.Errorf("%w: map info: datum %q is not WGS-84", ErrUnsupported, m.Datum)
	}
	switch {
	case m.IsGeographic():
		return 4326, nil
	case m.IsUTM():
		if m.Zone < 1 || m.Zone > 60 {
			return 0, fmt.Errorf("%w: map info: UTM zone %d outside 1–60", ErrUnsupported, m.Zone)
		}
		if m.North {
			return 32600 + m.Zone, nil
		}
		return 32700 + m.Zone, nil
	}
	return 0, fmt.Errorf("%w: map info: projection %q (supported: UTM, Geographic Lat/Lon)", ErrUnsupported, m.Projection)
}

// String returns the map info as an ENVI header value, braces included.
func (m *MapInfo) String() string {
	var b strings.Builder
	b.WriteString("{")
	b.WriteString(m.Projection)
	for _, x := range []float64{m.RefPixelX, m.RefPixelY, m.Easting, m.Northing, m.PixelX, m.PixelY} {
		b.WriteString(", ")
		b.WriteString(fmtFloat(x))
	}
	if m.IsUTM() {
		hemi := "South"
		if m.North {
			hemi = "North"
		}
		fmt.Fprintf(&b, ", %d, %s", m.Zone, hemi)
	}
	if m.Datum != "" {
		b.WriteString(", ")
		b.WriteString(m.Datum)
	}
	if m.Units != "" {
		b.WriteString(", units=")
		b.WriteString(m.Units)
	}
	if m.Rotation != 0 {
		b.WriteString(", rotation=")
		b.WriteString(fmtFloat(m.Rotation))
	}
	b.WriteString("}")
	return b.String()
}

// parseMapInfo parses the value of "map info".
func parseMapInfo(v string) (*MapInfo, error) {
	items := listItems(v)
	if len(items) < 7 {
		return nil, fmt.Errorf("%d items, need at least 7 (projection, reference pixel x and y, easting, northing, pixel sizes x and y)", len(items))
	}
	m := &MapInfo{Projection: items[0]}
	if m.Projection == "" {
		return nil, errors.New("empty projection name")
	}
	names := [6]string{"reference pixel x", "reference pixel y", "easting", "northing", "pixel size x", "pixel size y"}
	ptrs := [6]*float64{&m.RefPixelX, &m.RefPixelY, &m.Easting, &m.Northing, &m.PixelX, &m.PixelY}
	for i := range 6 {
		x, err := strconv.ParseFloat(items[i+1], 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("item %d (%s): %q is not a finite number", i+2, names[i], clip(items[i+1]))
		}
		*ptrs[i] = x
	}
	if !(m.PixelX > 0) || !(m.PixelY > 0) {
		return nil, fmt.Errorf("pixel sizes %g × %g are not positive", m.PixelX, m.PixelY)
	}
	rest := items[7:]
	if m.IsUTM() {
		if len(rest) < 2 {
			return nil, errors.New("UTM needs a zone and North or South after the pixel sizes")
		}
		z, err := strconv.Atoi(rest[0])
		if err != nil || z < 1 || z > 60 {
			return nil, fmt.Errorf("item 8 (UTM zone): %q is not a zone 1–60", clip(rest[0]))
		}
		m.Zone = z
		switch strings.ToLower(rest[1]) {
		case "north", "n":
			m.North = true
		case "south", "s":
		default:
			return nil, fmt.Errorf("item 9 (hemisphere): %q is not North or South", clip(rest[1]))
		}
		rest = rest[2:]
	}
	for i, it := range rest {
		k, val, ok := strings.Cut(it, "=")
		if !ok {
			if m.Datum == "" {
				m.Datum = it
			}
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "units":
			m.Units = strings.TrimSpace(val)
		case "rotation":
			x, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("item %d (rotation): %q is not a finite number", len(items)-len(rest)+i+1, clip(val))
			}
			m.Rotation = x
		}
	}
	return m, nil
}

// esriGCSWGS84 is WGS 84 as ESRI WKT, the form ENVI writes in "coordinate
// system string".
const esriGCSWGS84 = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`

// CoordinateSystemString returns the map's CRS as ESRI WKT, the value ENVI
// and GDAL write in the "coordinate system string" field (braces
// included); GDAL identifies the EPSG code from it. Only what EPSG
// supports.
func (m *MapInfo) CoordinateSystemString() (string, error) {
	code, err := m.EPSG()
	if err != nil {
		return "", err
	}
	if code == 4326 {
		return "{" + esriGCSWGS84 + "}", nil
	}
	hemi, fn := "N", 0
	if !m.North {
		hemi, fn = "S", utmFalseNorthing
	}
	return fmt.Sprintf(`{PROJCS["WGS_1984_UTM_Zone_%d%s",%s,PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",%d.0],PARAMETER["Central_Meridian",%s],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]}`,
		m.Zone, hemi, esriGCSWGS84, fn, strconv.FormatFloat(centralMeridian(m.Zone), 'f', 1, 64)), nil
}
