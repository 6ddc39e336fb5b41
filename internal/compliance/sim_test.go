package compliance

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/sim"
	"github.com/vigia/vigia/internal/track"
)

// treatyParallel is the US–Mexico boundary between the meridians 108°13′ W
// and 111°04′ W: the parallel 31°20′ N (Gadsden Purchase Treaty, 1853,
// article I). treatyMargin allows for the airspace data's rendering of it
// (OpenStreetMap follows the surveyed monuments): 0.0015°, about 170 m.
const (
	treatyParallel = 31 + 20.0/60
	treatyMargin   = 0.0015
)

// fromSim converts a scenario's authorisation (sim → compliance); the
// programme's aircraft are operated by the USA.
func fromSim(sc *sim.Scenario, a *sim.Authorisation) *Authorisation {
	out := &Authorisation{ID: a.ID, Operator: "USA", Airspace: a.Country,
		Altitude: AltitudeBand{Min: a.MinAlt, Max: a.MaxAlt, Ref: position.MSL}}
	for _, x := range a.ICAO {
		out.Aircraft = append(out.Aircraft, fmt.Sprintf("icao:%06X", x))
	}
	for _, m := range a.MissionIDs {
		out.Aircraft = append(out.Aircraft, "mission:"+m)
	}
	var ring [][2]float64
	for _, p := range a.Area {
		ring = append(ring, [2]float64{float64(p.Lon), float64(p.Lat)})
	}
	out.Areas = [][][][2]float64{{ring}}
	from, until := a.Window(sc.Start)
	out.Windows = []Window{{Start: from, End: until}}
	return out
}

// inRect is the test's own containment for the scenario's areas, which are
// rectangles in lon/lat (checked below).
func inRect(ring []geo.LatLon, p geo.LatLon) bool {
	lo, hi := ring[0], ring[0]
	for _, q := range ring {
		lo.Lat, lo.Lon = min(lo.Lat, q.Lat), min(lo.Lon, q.Lon)
		hi.Lat, hi.Lon = max(hi.Lat, q.Lat), max(hi.Lon, q.Lon)
	}
	return p.Lat >= lo.Lat && p.Lat <= hi.Lat && p.Lon >= lo.Lon && p.Lon <= hi.Lon
}

// TestSimBorder runs the simulator's border scenario through track.Tracker
// and the Engine: each aircraft's true trajectory sampled as its feeds
// report it (ADS-B at 2 Hz with pressure altitude, which the simulator
// makes equal to MSL; KLV at 10 Hz with ellipsoidal height, MSL + the
// scenario's geoid undulation). The expected verdicts come from the
// scenario's geometry computed here independently: the two orbiting drones
// stay in their authorised rectangles (authorised throughout), the manned
// patrol stays in the USA (domestic), and the straying drone is authorised
// while its true position is in its rectangle and unauthorised after it
// leaves it: one alert per position ID, opening at the first fix after the
// true exit.
func TestSimBorder(t *testing.T) {
	as := testSet(t)
	sc, err := sim.Load("border")
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(as, nil, Options{GeoidUndulation: sc.GeoidUndulation})
	auths := map[string]*sim.Authorisation{}
	for i := range sc.Authorisations {
		a := &sc.Authorisations[i]
		if len(a.Area) != 5 || a.Area[0].Lat != a.Area[1].Lat || a.Area[1].Lon != a.Area[2].Lon {
			if a.ID != "AUT-MEX-SIN-02" { // the Sinaloa area is a quadrilateral; its orbit is far inside
				t.Fatalf("%s: area is not a lon/lat rectangle; the test's containment needs one", a.ID)
			}
		}
		if err := e.Add(fromSim(sc, a)); err != nil {
			t.Fatal(err)
		}
		auths[a.ID] = a
	}
	h := s.Header()
	type truth struct {
		aircraft string
		auth     *sim.Authorisation
		exit     time.Duration // first true state outside the area, −1 if none
		dt       time.Duration
		// incursions counts the true trajectory's passages south of the
		// treaty parallel (patrol-overrun only).
		incursions int
	}
	want := map[string]truth{}
	var ps []position.Position
	for i, f := range s.Flights {
		ac := f.Aircraft
		var au *sim.Authorisation
		for _, id := range h.Aircraft[i].Authorisations {
			au = auths[id]
		}
		exit := time.Duration(-1)
		if au != nil {
			for _, st := range f.States() {
				if st.T <= sc.Duration && !inRect(au.Area, st.Pos) {
					exit = st.T
					break
				}
			}
		}
		incursions := 0
		if ac.ID == "patrol-overrun" {
			north := true
			for _, st := range f.States() {
				if st.T > sc.Duration {
					break
				}
				if n := float64(st.Pos.Lat) > treatyParallel; n != north {
					if !n {
						incursions++
					}
					north = n
				}
			}
		}
		for _, id := range h.Aircraft[i].PositionID {
			src, dt, ref := position.ADSB, 500*time.Millisecond, position.Barometric
			if strings.HasPrefix(id, "klv:") {
				src, dt, ref = position.KLV, 100*time.Millisecond, position.Geometric
			}
			want[id] = truth{ac.ID, au, exit, dt, incursions}
			for d := time.Duration(0); d <= sc.Duration; d += dt {
				st := f.At(d)
				alt := st.Alt
				if ref == position.Geometric {
					alt += sc.GeoidUndulation
				}
				ps = append(ps, position.Position{ID: id, Source: src, Time: sc.Start.Add(d), Lat: st.Pos.Lat, Lon: st.Pos.Lon,
					Has: position.HasAltitude, Altitude: alt, AltitudeRef: ref, Callsign: strings.TrimSpace(ac.Callsign)})
			}
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Time.Before(ps[j].Time) })
	if w := want["klv:MQ-9B/SON-RTE-03"]; w.aircraft != "sonora-stray" || w.exit <= 0 {
		t.Fatalf("scenario changed: the straying drone %+v", w)
	}
	if w := want["icao:AE1F01"]; w.exit >= 0 {
		t.Fatalf("scenario changed: the Sonora orbit leaves its area at %v", w.exit)
	}

	tr := track.New(as, track.DefaultOptions())
	type flightRecord struct {
		flight    track.Flight
		fixes     []AssessedFix
		crossings []track.Crossing
		alerts    map[string]Alert
		opened    []Alert
	}
	flights := map[string]*flightRecord{}
	rec := func(id string) *flightRecord {
		if flights[id] == nil {
			flights[id] = &flightRecord{alerts: map[string]Alert{}}
		}
		return flights[id]
	}
	take := func(u track.Update) {
		for _, ap := range u.Applied {
			r := rec(ap.Fix.FlightID)
			r.flight = ap.Flight
			r.crossings = append(r.crossings, ap.Crossings...)
			a := e.Assess(ap.Fix)
			r.fixes = append(r.fixes, AssessedFix{Fix: ap.Fix, Verdict: a.Verdict, AuthorisationID: a.AuthorisationID})
			if a.AlertNew {
				r.opened = append(r.opened, *a.Alert)
			}
			if a.Alert != nil {
				r.alerts[a.Alert.ID] = *a.Alert
			}
			if a.Closed != nil {
				r.alerts[a.Closed.ID] = *a.Closed
			}
		}
		for _, f := range u.Ended {
			r := rec(f.ID)
			r.flight = f
			if a := e.EndFlight(f.ID); a != nil {
				r.alerts[a.ID] = *a
			}
		}
	}
	for _, p := range ps {
		take(tr.Add(p))
	}
	take(tr.Expire(sc.Start.Add(sc.Duration + time.Hour)))

	if len(flights) != len(want) {
		t.Fatalf("%d flights, want %d", len(flights), len(want))
	}
	for _, r := range flights {
		w := want[r.flight.Aircraft]
		counts := map[Verdict]int{}
		for _, f := range r.fixes {
			counts[f.Verdict]++
			exp := Domestic
			if w.aircraft == "patrol-overrun" {
				// South of the parallel 31°20′ N (the boundary there,
				// by the Gadsden treaty), it is in Mexico without
				// authorisation; fixes within the margin of the
				// parallel are not judged here.
				switch lat := float64(f.Fix.Position.Lat); {
				case lat < treatyParallel-treatyMargin:
					exp = Unauthorised
				case lat <= treatyParallel+treatyMargin:
					continue
				}
			}
			if w.auth != nil {
				exp = Unauthorised
				if inRect(w.auth.Area, f.Fix.Position.LatLon()) {
					exp = Authorised
				}
			}
			if f.Verdict != exp {
				t.Errorf("%s (%s): fix %d at %v: %v, want %v", r.flight.ID, w.aircraft, f.Fix.Seq, f.Fix.Position.LatLon(), f.Verdict, exp)
				break
			}
		}
		switch {
		case w.aircraft == "patrol-overrun":
			// One alert per passage south of the border, each closed
			// when it returns (the last may still be open), and one
			// crossing per change of side.
			if w.incursions == 0 || len(r.opened) != w.incursions || len(r.alerts) != w.incursions {
				t.Errorf("%s (%s): %d alerts opened, want %d", r.flight.ID, w.aircraft, len(r.opened), w.incursions)
			}
			for _, c := range r.crossings {
				if d := math.Abs(float64(c.Point.Lat) - treatyParallel); d > treatyMargin {
					t.Errorf("%s: crossing %s→%s at %v, %.5f° from the treaty parallel", r.flight.ID, c.From, c.To, c.Point, d)
				}
			}
			if n := len(r.crossings); n < 2*w.incursions-1 || n > 2*w.incursions {
				t.Errorf("%s: %d crossings for %d incursions", r.flight.ID, n, w.incursions)
			}
		case w.auth == nil && (counts[Domestic] != len(r.fixes) || len(r.alerts) != 0):
			t.Errorf("%s (%s): %v, %d alerts; want all domestic", r.flight.ID, w.aircraft, counts, len(r.alerts))
		case w.auth != nil && w.exit < 0 && (counts[Authorised] != len(r.fixes) || len(r.alerts) != 0):
			t.Errorf("%s (%s): %v, %d alerts; want all authorised", r.flight.ID, w.aircraft, counts, len(r.alerts))
		case w.exit >= 0:
			// One incursion: one alert, starting at the first fix after
			// the true exit, updated by every later fix.
			if len(r.opened) != 1 || len(r.alerts) != 1 {
				t.Fatalf("%s (%s): %d alerts opened, want 1", r.flight.ID, w.aircraft, len(r.opened))
			}
			a := r.alerts[r.opened[0].ID]
			lag := a.Start.Sub(sc.Start.Add(w.exit))
			if lag < 0 || lag >= w.dt+sim.Step {
				t.Errorf("%s: alert starts %v after the true exit at %v, want within one fix interval (%v)", r.flight.ID, lag, w.exit, w.dt)
			}
			if a.Fixes != counts[Unauthorised] || a.Open || a.Airspace != "MEX" || a.Operator != "USA" || !a.Last.Equal(r.flight.End) {
				t.Errorf("%s: alert %+v; %d unauthorised fixes", r.flight.ID, a, counts[Unauthorised])
			}
			// The report: the authorised share is the time before the exit.
			rep := BuildReport(r.flight, r.fixes, r.crossings, []Alert{a}, as)
			share := w.exit.Seconds() / sc.Duration.Seconds()
			if rep.AuthorisedShare == nil || *rep.AuthorisedShare < share-w.dt.Seconds()/sc.Duration.Seconds() || *rep.AuthorisedShare > share+w.dt.Seconds()/sc.Duration.Seconds() {
				t.Errorf("%s: authorised share %v, want %.4f within one fix interval", r.flight.ID, rep.AuthorisedShare, share)
			}
			var buf bytes.Buffer
			if err := WriteHTML(&buf, &rep, as); err != nil {
				t.Fatal(err)
			}
			checkTrackDrawn(t, &rep, decodeMap(t, buf.String()))
			t.Logf("%s: exit at %v, alert %s from %v (+%v), %d fixes, max depth %.0f m; authorised share %.4f",
				r.flight.ID, w.exit, a.ID, a.Start.Format("15:04:05.0"), lag, a.Fixes, float64(a.MaxDepth), *rep.AuthorisedShare)
		}
		t.Logf("%s (%s): %v", r.flight.ID, w.aircraft, counts)
	}
}
