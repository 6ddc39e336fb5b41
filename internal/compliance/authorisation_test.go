package compliance

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/position"
)

func TestParseAuthorisation(t *testing.T) {
	a := mustParse(t, authJSON)
	if a.ID != "AUT-1" || a.Operator != "USA" || a.Airspace != "MEX" || len(a.Aircraft) != 3 || len(a.Areas) != 1 ||
		len(a.Areas[0][0]) != 5 || a.Altitude.Min != 4500 || a.Altitude.Max != 8000 || a.Altitude.Ref != position.MSL ||
		!a.Windows[0].Start.Equal(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)) || a.Note != "test" || a.Revoked != nil {
		t.Fatalf("parsed %+v", a)
	}
	// Round trip through MarshalJSON.
	b, err := a.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseAuthorisation(bytes.NewReader(b), "round-trip")
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(a, back) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, a)
	}
}

func TestParseAuthorisationErrors(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"latitude", `[-109.85,29.85]`, `[-109.85,95]`, "test.json: areas[0].coordinates[0][2]: latitude 95 out of range"},
		{"longitude", `[-110.65,29.85]`, `[-190.65,29.85]`, "areas[0].coordinates[0][3]: longitude -190.65 out of range"},
		{"short position", `[-109.85,29.85]`, `[-109.85]`, "areas[0].coordinates[0][2]: 1 coordinates"},
		{"open ring", `[-110.65,29.85],[-110.65,29.25]]`, `[-110.65,29.85],[-110.6,29.25]]`, "areas[0].coordinates[0]: ring not closed"},
		{"geometry type", `"type":"Polygon"`, `"type":"Point"`, `areas[0].type: "Point": want Polygon or MultiPolygon`},
		{"no aircraft", `["icao:AE1F01", "mission:SON-ORB-01", "reg:N901VG"]`, `[]`, "aircraft: grants no aircraft"},
		{"bad matcher", `"icao:AE1F01"`, `"icao:AE1F0"`, "aircraft[0]: \"icao:AE1F0\": want six hex digits"},
		{"matcher kind", `"reg:N901VG"`, `"tail:N901VG"`, `aircraft[2]: "tail:N901VG": unknown kind`},
		{"operator", `"operator": "USA"`, `"operator": "usa"`, `operator: "usa" is not an ISO 3166-1 alpha-3 code`},
		{"own airspace", `"airspace": "MEX"`, `"airspace": "USA"`, "airspace: USA is the operator's own airspace"},
		{"window order", `"end": "2026-03-02T20:00:00Z"`, `"end": "2026-03-02T15:00:00Z"`, "windows[0].end: 2026-03-02T15:00:00Z is not after start"},
		{"window missing end", `, "end": "2026-03-02T20:00:00Z"`, ``, "windows[0].end: missing"},
		{"no windows", `[{"start": "2026-03-02T15:00:00Z", "end": "2026-03-02T20:00:00Z"}]`, `[]`, "windows: no time window"},
		{"band", `"min_m": 4500`, `"min_m": 9000`, "altitude.max_m: 8000 is below min_m 9000"},
		{"band ref", `"ref": "msl"`, `"ref": "agl"`, `altitude.ref: "agl": want msl, geometric or baro`},
		{"no band", `"altitude": {"min_m": 4500, "max_m": 8000, "ref": "msl"},`, ``, "altitude: missing"},
		{"type", `"note": "test"`, `"note": 5`, "note: number is not a string"},
		{"unknown field", `"note": "test"`, `"notes": "test"`, `unknown field "notes"`},
		{"syntax", `"note": "test"`, `"note": "test",`, "test.json: offset"},
		{"no id", `"id": "AUT-1",`, ``, "id: missing"},
		{"trailing", "\n}", "\n} {}", "data after the object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(authJSON, tc.old) {
				t.Fatalf("fixture lacks %q", tc.old)
			}
			_, err := ParseAuthorisation(strings.NewReader(strings.Replace(authJSON, tc.old, tc.new, 1)), "test.json")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrBadAuthorisation) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to wrap ErrBadAuthorisation and contain %q", err, tc.want)
			}
		})
	}
}

func TestMultiPolygonAndHoles(t *testing.T) {
	// Two squares, the first with a hole.
	area := `{"type":"MultiPolygon","coordinates":[
	  [[[-111,29],[-110,29],[-110,30],[-111,30],[-111,29]], [[-110.6,29.4],[-110.4,29.4],[-110.4,29.6],[-110.6,29.6],[-110.6,29.4]]],
	  [[[-109,29],[-108,29],[-108,30],[-109,30],[-109,29]]]]}`
	a := mustParse(t, strings.Replace(authJSON, sonoraArea, area, 1))
	if err := a.Prepare(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lat, lon float64
		in       bool
	}{
		{29.2, -110.8, true}, {29.5, -110.5, false}, {29.4, -110.5, true} /* on the hole's edge */, {29.5, -108.5, true},
		{29.5, -109.5, false}, {30, -108, true} /* a vertex */, {30.000001, -108.5, false},
	} {
		if got := a.InArea(ll(c.lat, c.lon)); got != c.in {
			t.Errorf("(%v, %v): in area %v, want %v", c.lat, c.lon, got, c.in)
		}
	}
	// Engine.Add rejects an airspace missing from the set.
	b := mustParse(t, strings.Replace(authJSON, `"airspace": "MEX"`, `"airspace": "CAN"`, 1))
	if err := newEngine(t).Add(b); err == nil || !errors.Is(err, ErrBadAuthorisation) || !strings.Contains(err.Error(), `airspace: "CAN" is not in the airspace set`) {
		t.Errorf("Add with airspace CAN: %v", err)
	}
}
