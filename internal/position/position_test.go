package position

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
)

func TestJSONRoundTrip(t *testing.T) {
	tm := time.Date(2026, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
	tests := []struct {
		name string
		p    Position
		want string // substring of the JSON
	}{
		{"minimal", Position{ID: "icao:A1B2C3", Source: ADSB, Time: tm, Lat: 32.5, Lon: -117.1},
			`{"id":"icao:A1B2C3","source":"adsb","t":"2026-03-01T12:00:00.5Z","lat":32.5,"lon":-117.1}`},
		{"zero values are values", Position{ID: "icao:A1B2C3", Source: ModeS, Time: tm, Has: HasAltitude | HasGroundSpeed | HasOnGround},
			`"alt_m":0,"alt_ref":"baro","gs_mps":0,"on_ground":false`},
		{"klv footprint", Position{ID: "klv:MQ9-01", Source: KLV, Time: tm, Lat: 29, Lon: -110,
			Has: HasAltitude, Altitude: 7000, AltitudeRef: MSL,
			Footprint: &Footprint{Center: geo.LatLon{Lat: 29.1, Lon: -110.2}, HasCorners: true,
				Corners:    [4]geo.LatLon{{Lat: 1, Lon: 2}, {Lat: 3, Lon: 4}, {Lat: 5, Lon: 6}, {Lat: 7, Lon: 8}},
				SlantRange: 9000}},
			`"footprint":{"center":[-110.2,29.1],"corners":[[2,1],[4,3],[6,5],[8,7]],"slant_range_m":9000}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tc.want) {
				t.Fatalf("JSON %s\nlacks %s", b, tc.want)
			}
			var back Position
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tc.p) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back, tc.p)
			}
		})
	}
}

func TestUnmarshalRejects(t *testing.T) {
	tests := []struct{ in, field string }{
		{`{"source":"radar","lat":0,"lon":0}`, "source"},
		{`{"source":"adsb","lat":91,"lon":0}`, "lat"},
		{`{"source":"adsb","lat":0,"lon":-180.5}`, "lon"},
		{`{"source":"adsb","lat":0,"lon":0,"alt_m":1,"alt_ref":"agl"}`, "alt_ref"},
	}
	for _, tc := range tests {
		var p Position
		err := json.Unmarshal([]byte(tc.in), &p)
		if err == nil || !strings.Contains(err.Error(), "field "+tc.field) {
			t.Errorf("%s: error %v, want one naming field %s", tc.in, err, tc.field)
		}
	}
}

func TestSourceNames(t *testing.T) {
	for s := Unknown; s <= KLV; s++ {
		got, ok := ParseSource(s.String())
		if !ok || got != s {
			t.Errorf("ParseSource(%q) = %v, %v", s.String(), got, ok)
		}
	}
	if Source(200).String() != "unknown" {
		t.Error("out-of-range source should print as unknown")
	}
}
