package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/track"
)

// testSet returns the embedded airspace set (built once per process).
func testSet(t testing.TB) *airspace.Set {
	t.Helper()
	set, err := airspace.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

var t0 = time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)

// Places, checked by TestPlaces.
var (
	sonora  = geo.LatLon{Lat: 29.55, Lon: -110.25}  // Mexico, inside the Sonora area
	tucson  = geo.LatLon{Lat: 32.22, Lon: -110.97}  // USA
	gulf    = geo.LatLon{Lat: 25.0, Lon: -90.0}     // international
	sonoraE = geo.LatLon{Lat: 29.55, Lon: -109.70}  // Mexico, east of the Sonora area
	nogales = geo.LatLon{Lat: 31.30, Lon: -110.945} // Mexico, near the border
)

// sonoraArea is the Sonora orbit's area of the border scenario.
const sonoraArea = `{"type":"Polygon","coordinates":[[[-110.65,29.25],[-109.85,29.25],[-109.85,29.85],[-110.65,29.85],[-110.65,29.25]]]}`

// authJSON is a valid authorisation; tests replace parts of it.
const authJSON = `{
  "id": "AUT-1",
  "aircraft": ["icao:AE1F01", "mission:SON-ORB-01", "reg:N901VG"],
  "operator": "USA",
  "airspace": "MEX",
  "areas": [` + sonoraArea + `],
  "windows": [{"start": "2026-03-02T15:00:00Z", "end": "2026-03-02T20:00:00Z"}],
  "altitude": {"min_m": 4500, "max_m": 8000, "ref": "msl"},
  "created": "2026-03-01T10:00:00Z",
  "note": "test"
}`

func mustParse(t testing.TB, s string) *Authorisation {
	t.Helper()
	a, err := ParseAuthorisation(strings.NewReader(s), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// mkfix returns a fix of flight id at seq, time t, point p, altitude alt
// (MSL; NaN for none), its airspace and depth from the embedded set.
func mkfix(t testing.TB, aircraft string, seq int, tm time.Time, p geo.LatLon, alt float64) track.Fix {
	as := testSet(t)
	code, depth := as.Classify(p.Lon, p.Lat)
	pos := position.Position{ID: aircraft, Source: position.ADSB, Time: tm, Lat: p.Lat, Lon: p.Lon}
	if alt == alt {
		pos.Has, pos.Altitude, pos.AltitudeRef = position.HasAltitude, geo.Meters(alt), position.MSL
	}
	return track.Fix{FlightID: aircraft + "@test", Seq: seq, Position: pos, Country: code, Depth: depth}
}

func newEngine(t testing.TB, auths ...string) *Engine {
	t.Helper()
	e := NewEngine(testSet(t), NewFleet(FleetEntry{ID: "icao:AE1F02", Operator: "USA", Registration: "N901VG"}), Options{GeoidUndulation: -28})
	for _, s := range auths {
		if err := e.Add(mustParse(t, s)); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func ll(lat, lon float64) geo.LatLon { return geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)} }
