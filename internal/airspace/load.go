package airspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ErrBadGeoJSON is wrapped by every error that Parse and the loaders return
// for input that is not a valid airspace GeoJSON set.
var ErrBadGeoJSON = errors.New("bad airspace GeoJSON")

// CodeProperties are the feature properties searched, in order, for a
// country's ISO 3166-1 alpha-3 code.
var CodeProperties = []string{"A3", "ISO_A3", "iso_a3", "ADM0_A3", "adm0_a3", "GID_0", "iso3", "ISO3", "code"}

// Country is one sovereign airspace: an ISO 3166-1 alpha-3 code and its
// polygons. Each polygon is a list of closed rings (first position equal to
// the last), the first ring the outer boundary and the rest holes; each
// position is [lon, lat] in degrees.
type Country struct {
	Code     string
	Polygons [][][][2]float64
}

type featureCollection struct {
	Type     string            `json:"type"`
	Features []json.RawMessage `json:"features"`
}

type feature struct {
	Type       string                     `json:"type"`
	Properties map[string]json.RawMessage `json:"properties"`
	Geometry   *geometry                  `json:"geometry"`
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// Parse reads a GeoJSON FeatureCollection (or a single Feature) with one
// feature per country. name is used in error messages only. A country may
// appear in several features; their polygons are merged.
func Parse(name string, r io.Reader) ([]Country, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrBadGeoJSON, err)
	}
	var raws []json.RawMessage
	switch head.Type {
	case "FeatureCollection":
		var fc featureCollection
		if err := json.Unmarshal(data, &fc); err != nil {
			return nil, fmt.Errorf("%s: %w: %v", name, ErrBadGeoJSON, err)
		}
		raws = fc.Features
	case "Feature":
		raws = []json.RawMessage{data}
	default:
		return nil, fmt.Errorf("%s: %w: top-level type %q, want FeatureCollection or Feature", name, ErrBadGeoJSON, head.Type)
	}
	var out []Country
	for i, raw := range raws {
		c, err := parseFeature(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: feature %d: %w", name, i, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w: no features", name, ErrBadGeoJSON)
	}
	return out, nil
}

func parseFeature(raw json.RawMessage) (Country, error) {
	var f feature
	if err := json.Unmarshal(raw, &f); err != nil {
		return Country{}, fmt.Errorf("%w: %v", ErrBadGeoJSON, err)
	}
	if f.Type != "Feature" {
		return Country{}, fmt.Errorf("%w: type %q, want Feature", ErrBadGeoJSON, f.Type)
	}
	code := ""
	for _, p := range CodeProperties {
		if v, ok := f.Properties[p]; ok {
			if err := json.Unmarshal(v, &code); err == nil && code != "" {
				break
			}
		}
	}
	if len(code) != 3 || strings.ToUpper(code) != code {
		return Country{}, fmt.Errorf("%w: no ISO alpha-3 code in properties %v (got %q)", ErrBadGeoJSON, CodeProperties, code)
	}
	if f.Geometry == nil {
		return Country{}, fmt.Errorf("%w: %s: no geometry", ErrBadGeoJSON, code)
	}
	c := Country{Code: code}
	switch f.Geometry.Type {
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil {
			return Country{}, fmt.Errorf("%w: %s: Polygon coordinates: %v", ErrBadGeoJSON, code, err)
		}
		p, err := checkPolygon(rings)
		if err != nil {
			return Country{}, fmt.Errorf("%s: polygon 0: %w", code, err)
		}
		c.Polygons = append(c.Polygons, p)
	case "MultiPolygon":
		var polys [][][][]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
			return Country{}, fmt.Errorf("%w: %s: MultiPolygon coordinates: %v", ErrBadGeoJSON, code, err)
		}
		for i, rings := range polys {
			p, err := checkPolygon(rings)
			if err != nil {
				return Country{}, fmt.Errorf("%s: polygon %d: %w", code, i, err)
			}
			c.Polygons = append(c.Polygons, p)
		}
	default:
		return Country{}, fmt.Errorf("%w: %s: geometry type %q, want Polygon or MultiPolygon", ErrBadGeoJSON, code, f.Geometry.Type)
	}
	return c, nil
}

func checkPolygon(rings [][][]float64) ([][][2]float64, error) {
	if len(rings) == 0 {
		return nil, fmt.Errorf("%w: no rings", ErrBadGeoJSON)
	}
	out := make([][][2]float64, len(rings))
	for r, ring := range rings {
		if len(ring) < 4 {
			return nil, fmt.Errorf("%w: ring %d: %d positions, want at least 4", ErrBadGeoJSON, r, len(ring))
		}
		pts := make([][2]float64, len(ring))
		for i, p := range ring {
			if len(p) < 2 {
				return nil, fmt.Errorf("%w: ring %d: position %d: %d coordinates, want 2 or 3", ErrBadGeoJSON, r, i, len(p))
			}
			lon, lat := p[0], p[1]
			if math.IsNaN(lon) || lon < -180 || lon > 180 {
				return nil, fmt.Errorf("%w: ring %d: position %d: longitude %v outside [-180, 180]", ErrBadGeoJSON, r, i, lon)
			}
			if math.IsNaN(lat) || lat < -90 || lat > 90 {
				return nil, fmt.Errorf("%w: ring %d: position %d: latitude %v outside [-90, 90]", ErrBadGeoJSON, r, i, lat)
			}
			pts[i] = [2]float64{lon, lat}
		}
		if pts[0] != pts[len(pts)-1] {
			return nil, fmt.Errorf("%w: ring %d: not closed (first position %v, last %v)", ErrBadGeoJSON, r, pts[0], pts[len(pts)-1])
		}
		distinct := 1
		for i := 1; i < len(pts)-1; i++ {
			if pts[i] != pts[i-1] {
				distinct++
			}
		}
		if distinct < 3 {
			return nil, fmt.Errorf("%w: ring %d: %d distinct positions, want at least 3", ErrBadGeoJSON, r, distinct)
		}
		out[r] = pts
	}
	return out, nil
}

// ParseFS reads every *.geojson and *.json file of fsys under dir, in
// lexical order, and merges countries that appear more than once.
func ParseFS(fsys fs.FS, dir string) ([]Country, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read airspace directory: %w", err)
	}
	var all []Country
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".geojson") || strings.HasSuffix(n, ".json")) {
			continue
		}
		f, err := fsys.Open(path.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("open airspace file: %w", err)
		}
		cs, err := Parse(path.Join(dir, n), f)
		f.Close()
		if err != nil {
			return nil, err
		}
		all = append(all, cs...)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%s: %w: no .geojson or .json files", dir, ErrBadGeoJSON)
	}
	return merge(all), nil
}

// merge joins countries with the same code and sorts them by code.
func merge(cs []Country) []Country {
	by := map[string]int{}
	var out []Country
	for _, c := range cs {
		if i, ok := by[c.Code]; ok {
			out[i].Polygons = append(out[i].Polygons, c.Polygons...)
			continue
		}
		by[c.Code] = len(out)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// LoadPath loads an airspace set from a GeoJSON file or from a directory of
// them.
func LoadPath(p string, opts *Options) (*Set, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("load airspace: %w", err)
	}
	var cs []Country
	if st.IsDir() {
		cs, err = ParseFS(os.DirFS(p), ".")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	} else {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("load airspace: %w", err)
		}
		defer f.Close()
		cs, err = Parse(filepath.Clean(p), f)
		if err != nil {
			return nil, err
		}
		cs = merge(cs)
	}
	return New(cs, opts)
}
