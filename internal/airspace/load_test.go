package airspace

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrorsNameFeatureAndRing(t *testing.T) {
	square := `[[0,0],[1,0],[1,1],[0,1],[0,0]]`
	cases := []struct {
		name, json, want string
	}{
		{"not json", `{`, "x.geojson: bad airspace GeoJSON"},
		{"wrong top type", `{"type":"Point","coordinates":[0,0]}`, `top-level type "Point"`},
		{"no code", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[` + square + `]}}]}`, "feature 0: bad airspace GeoJSON: no ISO alpha-3 code"},
		{"unclosed ring", `{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"A3":"AAA"},"geometry":{"type":"Polygon","coordinates":[` + square + `]}},
			{"type":"Feature","properties":{"A3":"BBB"},"geometry":{"type":"MultiPolygon","coordinates":[[` + square + `],[` + square + `,[[0.2,0.2],[0.3,0.2],[0.3,0.3],[0.2,0.3]]]]}}]}`,
			"feature 1: BBB: polygon 1: bad airspace GeoJSON: ring 1: not closed"},
		{"short ring", `{"type":"Feature","properties":{"A3":"FFF"},"geometry":{"type":"MultiPolygon","coordinates":[[` + square + `],[[[0,0],[1,0],[0,0]]]]}}`, "feature 0: FFF: polygon 1: bad airspace GeoJSON: ring 0: 3 positions, want at least 4"},
		{"open ring", `{"type":"Feature","properties":{"ISO_A3":"CCC"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0.5]]]}}`, "feature 0: CCC: polygon 0: bad airspace GeoJSON: ring 0: not closed"},
		{"degenerate ring", `{"type":"Feature","properties":{"A3":"GGG"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,0],[1,1],[1,1],[0,0]]]}}`, "ring 0: 2 distinct positions, want at least 3"},
		{"latitude out of range", `{"type":"Feature","properties":{"A3":"DDD"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}}`, "ring 0: position 2: latitude 91 outside [-90, 90]"},
		{"line geometry", `{"type":"Feature","properties":{"A3":"EEE"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}`, `geometry type "LineString"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.geojson", strings.NewReader(tc.json))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrBadGeoJSON) {
				t.Errorf("error %q does not wrap ErrBadGeoJSON", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadPathFileAndDirectory(t *testing.T) {
	dir := t.TempDir()
	a := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"A3":"AAA"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[0.5,0.5],[0.5,1.5],[1.5,1.5],[1.5,0.5],[0.5,0.5]]]}}]}`
	b := `{"type":"Feature","properties":{"ADM0_A3":"BBB"},"geometry":{"type":"Polygon","coordinates":[[[2,0],[4,0],[4,2],[2,2],[2,0]]]}}`
	if err := os.WriteFile(filepath.Join(dir, "a.geojson"), []byte(a), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.json"), []byte(b), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("not read"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadPath(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Codes(), ","); got != "AAA,BBB" {
		t.Fatalf("codes = %s", got)
	}
	for _, c := range []struct {
		lon, lat float64
		want     string
	}{
		{0.1, 0.1, "AAA"}, {1, 1, ""}, {0.5, 1, "AAA"}, {3, 1, "BBB"}, {2, 1, "AAA"}, {5, 1, ""},
	} {
		if got, _ := s.Classify(degrees(c.lon), degrees(c.lat)); got != c.want {
			t.Errorf("Classify(%v, %v) = %q, want %q", c.lon, c.lat, got, c.want)
		}
	}
	if got := s.LocateAll(nil, 2, 1); len(got) != 2 {
		t.Errorf("LocateAll on the shared edge = %v, want both", got)
	}
	one, err := LoadPath(filepath.Join(dir, "b.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(one.Codes(), ","); got != "BBB" {
		t.Fatalf("codes = %s", got)
	}
	if _, err := LoadPath(filepath.Join(dir, "missing"), nil); err == nil {
		t.Fatal("no error for a missing path")
	}
}
