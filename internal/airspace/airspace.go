package airspace

import (
	"embed"
	"fmt"
	"math"
	"math/bits"
	"sync"

	"github.com/vigia/vigia/internal/geo"
)

//go:embed data/*.geojson
var embedded embed.FS

// Attribution is the notice that the embedded airspace data requires
// wherever the product is shown or shipped.
const Attribution = "Sovereign airspace (land + 12 nm territorial sea) of the USA and Mexico: © OpenStreetMap contributors, ODbL 1.0, via @geo-maps/countries-maritime-10m 0.6.0."

// Options tunes how a Set is built. There is nothing to tune yet; the type
// keeps the constructor's signature stable.
type Options struct{}

// DefaultOptions returns the options New uses when given nil.
func DefaultOptions() *Options { return &Options{} }

// Set is an indexed set of sovereign airspaces. It is immutable after New
// and safe for concurrent use; its query methods do not allocate.
type Set struct {
	codes   []string
	summary []Summary
	grid    *grid
	trees   []*tree // per country, boundary less antimeridian cuts
	all     *tree   // every country's boundary, for points outside them all
}

// Embedded returns the airspace set shipped with vigia: the USA and Mexico.
// It is built once per process, on the first call; every caller shares the
// same immutable Set.
func Embedded() (*Set, error) { return embeddedSet() }

var embeddedSet = sync.OnceValues(func() (*Set, error) {
	cs, err := ParseFS(embedded, "data")
	if err != nil {
		return nil, err
	}
	return New(cs, nil)
})

// New indexes countries. Each must have a distinct code. Rings must be
// closed; polygons of one country must not overlap (OGC-valid), though
// different countries may share boundary.
func New(countries []Country, opts *Options) (*Set, error) {
	if opts == nil {
		opts = DefaultOptions()
	}
	_ = opts
	if len(countries) == 0 {
		return nil, fmt.Errorf("new airspace set: %w: no countries", ErrBadGeoJSON)
	}
	s := &Set{}
	var edges []edge
	var db depthBuilder
	seen := map[string]bool{}
	for ci, c := range countries {
		if seen[c.Code] {
			return nil, fmt.Errorf("new airspace set: %w: country %s given twice", ErrBadGeoJSON, c.Code)
		}
		seen[c.Code] = true
		s.codes = append(s.codes, c.Code)
		sum := Summary{Code: c.Code, Polygons: len(c.Polygons), LonMin: math.Inf(1), LatMin: math.Inf(1), LonMax: math.Inf(-1), LatMax: math.Inf(-1)}
		var de []int32
		for _, poly := range c.Polygons {
			sum.Rings += len(poly)
			for _, ring := range poly {
				sum.Vertices += len(ring) - 1
				v := db.addRing(ring)
				for _, p := range ring {
					sum.LonMin, sum.LonMax = math.Min(sum.LonMin, p[0]), math.Max(sum.LonMax, p[0])
					sum.LatMin, sum.LatMax = math.Min(sum.LatMin, p[1]), math.Max(sum.LatMax, p[1])
				}
				for i := 0; i+1 < len(ring); i++ {
					a, b := ring[i], ring[i+1]
					if a == b {
						continue
					}
					edges = append(edges, edge{a[0], a[1], b[0], b[1], int32(ci)})
					if math.Abs(a[0]) == 180 && a[0] == b[0] {
						continue // a cut along the antimeridian, not a border
					}
					de = append(de, v+int32(i))
				}
			}
		}
		db.addCountry(de)
		s.summary = append(s.summary, sum)
	}
	g, err := buildGrid(edges, len(countries))
	if err != nil {
		return nil, fmt.Errorf("new airspace set: %w", err)
	}
	s.grid = g
	if s.trees, s.all, err = db.finish(); err != nil {
		return nil, fmt.Errorf("new airspace set: %w", err)
	}
	return s, nil
}

// Summary describes one airspace of a Set: its size and bounding box in
// degrees.
type Summary struct {
	Code                           string
	Polygons, Rings, Vertices      int
	LonMin, LatMin, LonMax, LatMax float64
}

// Summary returns one Summary per airspace, in index order. The caller must
// not modify the slice.
func (s *Set) Summary() []Summary { return s.summary }

// Codes returns the ISO alpha-3 codes of the set, in index order (sorted
// when loaded from files). The caller must not modify the slice.
func (s *Set) Codes() []string { return s.codes }

// Locate returns the index (into Codes) of the airspace that covers the
// point, or −1 if none does. Coverage is exact, with edges straight in
// lon/lat and the boundary inside (PostGIS ST_Covers on geometry). A point
// on a boundary shared by several airspaces belongs to each; Locate then
// returns the lowest index, and LocateAll lists them all. lon is reduced to
// [−180, 180]; lat must lie in [−90, 90] (outside it, Locate returns −1).
func (s *Set) Locate(lon, lat geo.Degrees) int {
	mask, slots := s.locateMask(lon, lat)
	if mask == 0 {
		return -1
	}
	if slots == nil {
		return int(mask) - 1
	}
	return int(slots[bits.TrailingZeros64(mask)])
}

// LocateAll appends to dst the indices of every airspace that covers the
// point, in ascending order, and returns the extended slice.
func (s *Set) LocateAll(dst []int, lon, lat geo.Degrees) []int {
	mask, slots := s.locateMask(lon, lat)
	if slots == nil {
		if mask != 0 {
			dst = append(dst, int(mask)-1)
		}
		return dst
	}
	for mask != 0 {
		i := bits.TrailingZeros64(mask)
		dst = append(dst, int(slots[i]))
		mask &^= 1 << i
	}
	return dst
}

func (s *Set) locateMask(lon, lat geo.Degrees) (uint64, []int32) {
	if !(lat >= -90 && lat <= 90) || math.IsNaN(float64(lon)) || math.IsInf(float64(lon), 0) {
		return 0, nil
	}
	lon = geo.NormalizeLon(lon)
	return s.grid.locate(float64(lon), float64(lat))
}

// Depth returns the geodesic distance on WGS84, in metres, from the point
// to the nearest boundary of airspace i (an index into Codes), or, for i <
// 0, to the nearest boundary of any airspace. Cuts along the antimeridian
// are not boundaries. It is exact to well under a millimetre.
func (s *Set) Depth(i int, lon, lat geo.Degrees) geo.Meters {
	d, _ := s.Nearest(i, lon, lat)
	return d
}

// Nearest is Depth that also returns the boundary point at that distance.
// For a point with no boundary to measure to (an empty set) the distance
// is +Inf.
func (s *Set) Nearest(i int, lon, lat geo.Degrees) (geo.Meters, geo.LatLon) {
	lon = geo.NormalizeLon(lon)
	var sr search
	sr.init(float64(lon), float64(lat))
	if i >= 0 {
		return sr.depthIn(s.trees[i])
	}
	return sr.depthIn(s.all)
}

// Classify returns the ISO alpha-3 code of the airspace covering the point
// ("" if none) and its depth: the distance to that airspace's nearest
// boundary, or, outside every airspace, to the nearest one.
func (s *Set) Classify(lon, lat geo.Degrees) (code string, depth geo.Meters) {
	i := s.Locate(lon, lat)
	if i >= 0 {
		code = s.codes[i]
	}
	return code, s.Depth(i, lon, lat)
}
