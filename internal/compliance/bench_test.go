package compliance

import (
	"io"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/track"
)

// benchFixes returns n fixes of 100 aircraft (one flight each) at the
// given place, cycling through the aircraft.
func benchFixes(b *testing.B, aircraft string, p geo.LatLon) []track.Fix {
	var out []track.Fix
	for i := range 100 {
		q := p
		q.Lat += geo.Degrees(0.001 * float64(i))
		f := mkfix(b, aircraft, 0, t0.Add(time.Duration(i)*time.Second), q, 6000)
		f.FlightID = aircraft + "@" + string(rune('A'+i%26)) + string(rune('A'+i/26))
		out = append(out, f)
	}
	return out
}

// BenchmarkAssess measures Engine.Assess; one op is one fix. The fixes
// carry their airspace (from track), so Assess itself does no border
// search; "authorised" and "unauthorised" pay the area test against the
// one authorisation naming the aircraft (the embedded scenario-sized
// rectangle) and "unauthorised" also updates the flight's open alert and
// returns a copy of it. The anchor is airspace.Set.Locate on the same
// points, the cheapest query the tracker makes per fix.
func BenchmarkAssess(b *testing.B) {
	cases := []struct {
		name, aircraft string
		p              geo.LatLon
	}{
		{"domestic", "icao:AE1F01", tucson},
		{"international", "icao:AE1F01", gulf},
		{"authorised", "icao:AE1F01", sonora},
		{"unauthorised", "icao:AE1F01", sonoraE},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			e := newEngine(b, authJSON)
			fixes := benchFixes(b, tc.aircraft, tc.p)
			want := e.Assess(fixes[0]).Verdict
			if want.String() != tc.name {
				b.Fatalf("verdict %v", want)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				f := fixes[i%len(fixes)]
				f.Seq = 1 + i/len(fixes)
				if e.Assess(f).Verdict != want {
					b.Fatal("verdict changed")
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fixes/s")
		})
	}
	b.Run("anchor=Locate", func(b *testing.B) {
		as := testSet(b)
		fixes := benchFixes(b, "icao:AE1F01", sonora)
		b.ReportAllocs()
		i, n := 0, 0
		for b.Loop() {
			p := fixes[i%len(fixes)].Position
			n += as.Locate(p.Lon, p.Lat)
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fixes/s")
		_ = n
	})
}

// BenchmarkPrepare measures indexing one authorisation's area (a
// four-vertex rectangle) with internal/airspace: the cost of Engine.Add.
func BenchmarkPrepare(b *testing.B) {
	a := mustParse(b, authJSON)
	b.ReportAllocs()
	for b.Loop() {
		c := *a
		if err := c.Prepare(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReport measures a report of a 20-minute flight at 2 Hz (2,401
// fixes, 106 km due south from Arizona into Sonora with one crossing):
// BuildReport alone, and WriteHTML (the 900-pixel map, every pixel
// classified by the airspace set, and its PNG encoding).
func BenchmarkReport(b *testing.B) {
	as := testSet(b)
	var fixes []AssessedFix
	start := ll(31.8, -110.9)
	for i := range 2401 {
		lat, lon, _ := geo.WGS84.Direct(start.Lat, start.Lon, 180, geo.Meters(44*float64(i)))
		f := mkfix(b, "icao:AE1F01", i, t0.Add(time.Duration(i)*500*time.Millisecond), geo.LatLon{Lat: lat, Lon: lon}, 6000)
		v := Domestic
		if f.Country == "MEX" {
			v = Unauthorised
		}
		fixes = append(fixes, AssessedFix{Fix: f, Verdict: v})
	}
	fl := track.Flight{ID: "icao:AE1F01@test", Aircraft: "icao:AE1F01", Start: t0, End: fixes[len(fixes)-1].Fix.Position.Time}
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			BuildReport(fl, fixes, nil, nil, as)
		}
	})
	b.Run("html", func(b *testing.B) {
		r := BuildReport(fl, fixes, nil, nil, as)
		b.ReportAllocs()
		for b.Loop() {
			if err := WriteHTML(io.Discard, &r, as); err != nil {
				b.Fatal(err)
			}
		}
	})
}
