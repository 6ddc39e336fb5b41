package storetest

import (
	"fmt"
	"math"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/track"
)

// scenario describes a synthetic flight: n fixes, one every step, from
// start; domestic ("USA") before cross, then in "MEX", unauthorised for
// the fixes in [cross, authFrom) (one alert) and authorised from authFrom.
type scenario struct {
	aircraft string
	start    time.Time
	step     time.Duration
	n        int
	cross    int // index of the first fix in MEX; ≥ n for none
	authFrom int // index of the first authorised fix in MEX
}

// flightID is what track gives the flight.
func (s scenario) flightID() string {
	return s.aircraft + "@" + s.start.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// build returns the scenario's applied fixes in Seq order, as the tracker
// and the compliance engine would give them, with awkward values: times in
// a non-UTC zone with nanoseconds, floats that need all 17 digits,
// footprints on every seventh fix.
func (s scenario) build() []store.Applied {
	id := s.flightID()
	out := make([]store.Applied, 0, s.n)
	fl := track.Flight{ID: id, Aircraft: s.aircraft, Source: position.ADSB, Start: s.start}
	var alert *compliance.Alert
	for i := 0; i < s.n; i++ {
		t := s.start.Add(time.Duration(i) * s.step)
		country, verdict := "USA", compliance.Domestic
		if i >= s.cross {
			country, verdict = "MEX", compliance.Unauthorised
			if i >= s.authFrom {
				verdict = compliance.Authorised
			}
		}
		p := position.Position{
			ID: s.aircraft, Source: position.ADSB, Time: t,
			Lat: geo.Degrees(31.1 + float64(i)*1e-4 + 1.0/3e9), Lon: geo.Degrees(-110.3 - float64(i)*1e-4 - math.Pi*1e-12),
			Has:      position.HasAltitude | position.HasGroundSpeed | position.HasTrack | position.HasOnGround,
			Altitude: geo.Meters(5000.1 + float64(i)/7), AltitudeRef: position.Barometric,
			GroundSpeed: 0.1 + 0.2, Track: 179.99999999999997, VerticalRate: -1.25e-7, Accuracy: 7.5,
			Callsign: "VIGÍA01", Squawk: "7001",
		}
		if i%7 == 3 {
			p.Footprint = &position.Footprint{Center: geo.LatLon{Lat: 31.2, Lon: -110.2 + 1e-15}, HasCorners: true,
				Corners:    [4]geo.LatLon{{Lat: 31.3, Lon: -110.1}, {Lat: 31.3, Lon: -110.3}, {Lat: 31.1, Lon: -110.3}, {Lat: 31.1, Lon: -110.1}},
				SlantRange: 12345.678901234567}
			p.Source = position.KLV
		}
		fix := track.Fix{FlightID: id, Seq: i, Position: p, Country: country, Depth: geo.Meters(100 + 2*float64(i) + 1e-9)}
		a := store.Applied{Applied: track.Applied{Fix: fix, NewFlight: i == 0}}
		if i == s.cross && i > 0 {
			prev := out[i-1].Fix.Position.Time
			c := track.Crossing{FlightID: id, Time: prev.Add(t.Sub(prev) / 3), Point: geo.LatLon{Lat: 31.0000000001, Lon: -110.5 + 1e-11},
				From: "USA", To: "MEX", Before: i - 1, After: i,
				Left: track.Stay{Country: "USA", Start: s.start, End: prev.Add(t.Sub(prev) / 3), Fixes: i, MaxDepth: fl.Stay.MaxDepth, MaxDepthSeq: fl.Stay.MaxDepthSeq}}
			a.Crossings = []track.Crossing{c}
			fl.Crossings++
			fl.Stay = track.Stay{Country: "MEX", Start: c.Time, MaxDepthSeq: -1}
		}
		if i == 0 {
			fl.Stay = track.Stay{Country: country, Start: t, MaxDepthSeq: -1}
		}
		fl.Stay.End = t
		fl.Stay.Fixes++
		if fix.Depth > fl.Stay.MaxDepth {
			fl.Stay.MaxDepth, fl.Stay.MaxDepthSeq = fix.Depth, i
		}
		fl.End, fl.Fixes, fl.Callsign = t, i+1, p.Callsign
		a.Flight = fl
		a.Assessment.Verdict = verdict
		switch {
		case verdict == compliance.Authorised:
			a.Assessment.AuthorisationID = "AUT-1"
			if alert != nil {
				c := *alert
				c.Open, c.End = false, t
				a.Assessment.Closed = &c
				alert = nil
			}
		case verdict == compliance.Unauthorised:
			if alert == nil {
				alert = &compliance.Alert{ID: fmt.Sprintf("%s#%d", id, i), FlightID: id, Aircraft: s.aircraft, Operator: "USA", Airspace: "MEX",
					Start: t, FirstSeq: i, FirstPoint: p.LatLon(), Open: true}
				a.Assessment.AlertNew = true
			}
			alert.Last, alert.LastSeq, alert.LastPoint = t, i, p.LatLon()
			alert.Fixes++
			alert.Callsign = p.Callsign
			alert.MaxDepth = max(alert.MaxDepth, fix.Depth)
			c := *alert
			a.Assessment.Alert = &c
		}
		out = append(out, a)
	}
	return out
}

// utc returns t as the store gives it back.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Unix(0, t.UnixNano()).UTC()
}

func utcStay(s track.Stay) track.Stay {
	s.Start, s.End = utc(s.Start), utc(s.End)
	return s
}

func utcFlight(f track.Flight) track.Flight {
	f.Start, f.End, f.Stay = utc(f.Start), utc(f.End), utcStay(f.Stay)
	return f
}

func utcAlert(a compliance.Alert) compliance.Alert {
	a.Start, a.Last, a.End = utc(a.Start), utc(a.Last), utc(a.End)
	return a
}

// assessed returns the fixes of batch as Fixes should give them back.
func assessed(batch []store.Applied) []compliance.AssessedFix {
	out := make([]compliance.AssessedFix, len(batch))
	for i, a := range batch {
		f := a.Fix
		f.Position.Time = utc(f.Position.Time)
		out[i] = compliance.AssessedFix{Fix: f, Verdict: a.Assessment.Verdict, AuthorisationID: a.Assessment.AuthorisationID}
	}
	return out
}

// crossings returns the crossings of batch as Crossings should give them
// back.
func crossings(batch []store.Applied) []track.Crossing {
	var out []track.Crossing
	for _, a := range batch {
		for _, c := range a.Crossings {
			c.Time, c.Left = utc(c.Time), utcStay(c.Left)
			out = append(out, c)
		}
	}
	return out
}

// alerts returns the final state of every alert in batch, by ID.
func alerts(batch []store.Applied) map[string]compliance.Alert {
	out := map[string]compliance.Alert{}
	for _, a := range batch {
		for _, al := range []*compliance.Alert{a.Assessment.Alert, a.Assessment.Closed} {
			if al != nil {
				if old, ok := out[al.ID]; !ok || store.NewerAlert(&old, al) {
					out[al.ID] = utcAlert(*al)
				}
			}
		}
	}
	return out
}

const authJSON = `{
  "id": %q,
  "aircraft": ["icao:AE1F01", "mission:SON-ORB-01"],
  "operator": "USA",
  "airspace": "MEX",
  "areas": [{"type": "Polygon", "coordinates": [[[-110.65, 29.25], [-109.85, 29.25], [-109.85, 29.85], [-110.65, 29.85], [-110.65, 29.25]]]}],
  "windows": [{"start": "2026-03-02T15:00:00.123456789+02:00", "end": "2026-03-02T20:00:00Z"}],
  "altitude": {"min_m": 4500.000000000001, "max_m": 8000, "ref": "msl"},
  "created": "2026-03-01T10:00:00-07:00",
  "note": %q
}`
