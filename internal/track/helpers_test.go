package track

import (
	"os"
	"sort"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
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

// countries parses the embedded GeoJSON files directly, for independent
// geometry in tests.
func countries(t testing.TB) []airspace.Country {
	t.Helper()
	var out []airspace.Country
	for _, name := range []string{"mex", "usa"} {
		f, err := os.Open("../airspace/data/" + name + ".geojson")
		if err != nil {
			t.Fatal(err)
		}
		cs, err := airspace.Parse(name, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, cs...)
	}
	return out
}

var t0 = time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)

func pos(id string, t time.Time, lat, lon float64) position.Position {
	return position.Position{ID: id, Source: position.ADSB, Time: t, Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}
}

// line returns n fixes of aircraft id every dt starting at t, along the
// geodesic from a with azimuth azi at speed v (m/s).
func line(id string, t time.Time, dt time.Duration, n int, a geo.LatLon, azi geo.Degrees, v float64) []position.Position {
	var out []position.Position
	for i := range n {
		s := v * dt.Seconds() * float64(i)
		lat, lon, _ := geo.WGS84.Direct(a.Lat, a.Lon, azi, geo.Meters(s))
		out = append(out, pos(id, t.Add(time.Duration(i)*dt), float64(lat), float64(lon)))
	}
	return out
}

// record is everything a run of a Tracker produced, in a form that can be
// compared across runs regardless of the order of aircraft.
type record struct {
	fixes       map[string][]Fix      // by flight ID, in Seq order
	crossings   map[string][]Crossing // by flight ID, in order
	flights     map[string]Flight     // final state, from Ended
	duplicates  int
	late        int
	implausible int
}

func newRecord() *record {
	return &record{fixes: map[string][]Fix{}, crossings: map[string][]Crossing{}, flights: map[string]Flight{}}
}

func (r *record) take(t testing.TB, u Update) {
	t.Helper()
	if u.Duplicate {
		r.duplicates++
	}
	if u.Late {
		r.late++
	}
	r.implausible += len(u.Implausible)
	for _, a := range u.Applied {
		id := a.Fix.FlightID
		if a.Fix.Seq != len(r.fixes[id]) {
			t.Fatalf("flight %s: fix seq %d, want %d", id, a.Fix.Seq, len(r.fixes[id]))
		}
		if a.NewFlight != (a.Fix.Seq == 0) {
			t.Fatalf("flight %s: NewFlight %v at seq %d", id, a.NewFlight, a.Fix.Seq)
		}
		r.fixes[id] = append(r.fixes[id], a.Fix)
		r.crossings[id] = append(r.crossings[id], a.Crossings...)
	}
	for _, f := range u.Ended {
		if _, dup := r.flights[f.ID]; dup {
			t.Fatalf("flight %s ended twice", f.ID)
		}
		r.flights[f.ID] = f
	}
}

// run feeds ps to tr in order and finally expires everything.
func run(t testing.TB, tr *Tracker, ps []position.Position) *record {
	t.Helper()
	r := newRecord()
	for _, p := range ps {
		r.take(t, tr.Add(p))
	}
	r.take(t, tr.Expire(t0.Add(1000*time.Hour)))
	return r
}

func (r *record) flightIDs() []string {
	var ids []string
	for id := range r.fixes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (r *record) allCrossings() []Crossing {
	var out []Crossing
	for _, id := range r.flightIDs() {
		out = append(out, r.crossings[id]...)
	}
	return out
}

func geoLL(lat, lon float64) geo.LatLon {
	return geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}
}
