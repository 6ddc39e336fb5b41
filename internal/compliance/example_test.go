package compliance_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/track"
)

// A US drone is authorised over part of Sonora; a fix outside that area
// raises an alert, and the next one updates it.
func Example() {
	as, err := airspace.Embedded()
	if err != nil {
		panic(err)
	}
	a, err := compliance.ParseAuthorisation(strings.NewReader(`{
	  "id": "AUT-MEX-SON-01", "aircraft": ["mission:SON-ORB-01"], "operator": "USA", "airspace": "MEX",
	  "areas": [{"type": "Polygon", "coordinates": [[[-110.65,29.25],[-109.85,29.25],[-109.85,29.85],[-110.65,29.85],[-110.65,29.25]]]}],
	  "windows": [{"start": "2026-03-02T15:00:00Z", "end": "2026-03-02T20:00:00Z"}],
	  "altitude": {"min_m": 4500, "max_m": 8000, "ref": "msl"}}`), "example.json")
	if err != nil {
		panic(err)
	}
	e := compliance.NewEngine(as, nil, compliance.Options{})
	if err := e.Add(a); err != nil {
		panic(err)
	}
	t0 := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)
	for i, lon := range []float64{-110.25, -109.70, -109.69} {
		p := position.Position{ID: "klv:MQ-9B/SON-ORB-01", Time: t0.Add(time.Duration(i) * time.Second), Lat: 29.55, Lon: geo.Degrees(lon),
			Has: position.HasAltitude, Altitude: 6700, AltitudeRef: position.MSL}
		code, depth := as.Classify(p.Lon, p.Lat)
		r := e.Assess(track.Fix{FlightID: "klv:MQ-9B/SON-ORB-01@x", Seq: i, Position: p, Country: code, Depth: depth})
		fmt.Println(code, r.Verdict, r.AuthorisationID, r.AlertNew, r.Alert != nil && r.Alert.Fixes == i)
	}
	// Output:
	// MEX authorised AUT-MEX-SON-01 false false
	// MEX unauthorised  true true
	// MEX unauthorised  false true
}
