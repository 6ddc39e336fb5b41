package compliance

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/track"
)

func TestPlaces(t *testing.T) {
	as := testSet(t)
	for _, c := range []struct {
		p    geo.LatLon
		want string
	}{{sonora, "MEX"}, {tucson, "USA"}, {gulf, ""}, {sonoraE, "MEX"}, {nogales, "MEX"}} {
		if code, _ := as.Classify(c.p.Lon, c.p.Lat); code != c.want {
			t.Fatalf("%v in %q, want %q", c.p, code, c.want)
		}
	}
}

func TestVerdicts(t *testing.T) {
	e := newEngine(t, authJSON)
	nan := math.NaN()
	start := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	end := time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC)
	geometric := func(f track.Fix, h float64) track.Fix {
		f.Position.Altitude, f.Position.AltitudeRef = geo.Meters(h), position.Geometric
		return f
	}
	cases := []struct {
		name string
		fix  track.Fix
		want Verdict
		auth string
	}{
		{"US aircraft (ICAO block) in the USA", mkfix(t, "icao:AE1F01", 0, t0, tucson, 6000), Domestic, ""},
		{"US aircraft in the Gulf", mkfix(t, "icao:AE1F01", 0, t0, gulf, 6000), International, ""},
		{"covered in Mexico", mkfix(t, "icao:AE1F01", 0, t0, sonora, 6000), Authorised, "AUT-1"},
		{"outside the area", mkfix(t, "icao:AE1F01", 0, t0, sonoraE, 6000), Unauthorised, ""},
		{"on the area's east edge", mkfix(t, "icao:AE1F01", 0, t0, ll(29.5, -109.85), 6000), Authorised, "AUT-1"},
		{"just east of the edge", mkfix(t, "icao:AE1F01", 0, t0, ll(29.5, -109.849999), 6000), Unauthorised, ""},
		{"on the area's corner", mkfix(t, "icao:AE1F01", 0, t0, ll(29.25, -110.65), 6000), Authorised, "AUT-1"},
		{"window start (inclusive)", mkfix(t, "icao:AE1F01", 0, start, sonora, 6000), Authorised, "AUT-1"},
		{"before the window", mkfix(t, "icao:AE1F01", 0, start.Add(-time.Nanosecond), sonora, 6000), Unauthorised, ""},
		{"last instant of the window", mkfix(t, "icao:AE1F01", 0, end.Add(-time.Nanosecond), sonora, 6000), Authorised, "AUT-1"},
		{"window end (exclusive)", mkfix(t, "icao:AE1F01", 0, end, sonora, 6000), Unauthorised, ""},
		{"band floor", mkfix(t, "icao:AE1F01", 0, t0, sonora, 4500), Authorised, "AUT-1"},
		{"below the band", mkfix(t, "icao:AE1F01", 0, t0, sonora, 4499.99), Unauthorised, ""},
		{"band ceiling", mkfix(t, "icao:AE1F01", 0, t0, sonora, 8000), Authorised, "AUT-1"},
		{"above the band", mkfix(t, "icao:AE1F01", 0, t0, sonora, 8000.01), Unauthorised, ""},
		{"geometric at the floor (N = -28 m)", geometric(mkfix(t, "icao:AE1F01", 0, t0, sonora, 0), 4472), Authorised, "AUT-1"},
		{"geometric below the floor", geometric(mkfix(t, "icao:AE1F01", 0, t0, sonora, 0), 4471.9), Unauthorised, ""},
		{"no altitude", mkfix(t, "icao:AE1F01", 0, t0, sonora, nan), Unauthorised, ""},
		{"KLV by mission id in Mexico", mkfix(t, "klv:MQ-9B/SON-ORB-01", 0, t0, sonora, 6000), Authorised, "AUT-1"},
		{"KLV operator from the authorisation, in the USA", mkfix(t, "klv:MQ-9B/SON-ORB-01", 0, t0, tucson, 6000), Domestic, ""},
		{"other mission", mkfix(t, "klv:MQ-9B/SON-ORB-02", 0, t0, sonora, 6000), Unauthorised, ""},
		{"unknown operator in the USA", mkfix(t, "klv:MQ-9B/SON-ORB-02", 0, t0, tucson, 6000), Unauthorised, ""},
		{"unknown operator outside", mkfix(t, "klv:MQ-9B/SON-ORB-02", 0, t0, gulf, 6000), International, ""},
		{"registration via the fleet", mkfix(t, "icao:AE1F02", 0, t0, sonora, 6000), Authorised, "AUT-1"},
		{"Mexican block in Mexico", mkfix(t, "icao:0D0001", 0, t0, sonora, 6000), Domestic, ""},
		{"Mexican block in the USA", mkfix(t, "icao:0D0001", 0, t0, tucson, 6000), Unauthorised, ""},
		{"not named, US block, in Mexico", mkfix(t, "icao:A00001", 0, t0, sonora, 6000), Unauthorised, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, auth := e.Verdict(&tc.fix)
			if v != tc.want || auth != tc.auth {
				t.Errorf("verdict %v (%q), want %v (%q)", v, auth, tc.want, tc.auth)
			}
		})
	}
}

func TestRevocation(t *testing.T) {
	shared := mustParse(t, authJSON)
	e, other := newEngine(t), newEngine(t)
	for _, x := range []*Engine{e, other} {
		if err := x.Add(shared); err != nil {
			t.Fatal(err)
		}
	}
	rt := t0.Add(time.Hour)
	before := mkfix(t, "icao:AE1F01", 0, rt.Add(-time.Second), sonora, 6000)
	at := mkfix(t, "icao:AE1F01", 1, rt, sonora, 6000)
	if v, _ := e.Verdict(&at); v != Authorised {
		t.Fatalf("before revocation: %v", v)
	}
	if err := e.Revoke("AUT-1", rt); err != nil {
		t.Fatal(err)
	}
	if err := e.Revoke("AUT-9", rt); err == nil {
		t.Error("revoking an unknown authorisation succeeded")
	}
	if v, _ := e.Verdict(&before); v != Authorised {
		t.Errorf("fix before the revocation time: %v, want authorised", v)
	}
	if v, _ := e.Verdict(&at); v != Unauthorised {
		t.Errorf("fix at the revocation time: %v, want unauthorised", v)
	}
	// Each engine holds its own copy: the other engine and the value
	// added are untouched.
	if v, _ := other.Verdict(&at); v != Authorised || shared.Revoked != nil {
		t.Errorf("revocation leaked: other engine %v, added value revoked %v", v, shared.Revoked)
	}
	// A later revocation does not move it.
	_ = e.Revoke("AUT-1", rt.Add(time.Hour))
	if got := e.Authorisation("AUT-1").Revoked; got == nil || !got.Equal(rt) {
		t.Errorf("revoked at %v, want %v", got, rt)
	}
}

// incursion returns a flight's fixes, one a minute: n1 in the USA, n2 in
// Mexico east of the authorised area (unauthorised), n3 in the USA again,
// n4 in Mexico again.
func incursion(t testing.TB, id string, ns ...int) []track.Fix {
	var out []track.Fix
	places := []geo.LatLon{tucson, sonoraE, tucson, sonoraE}
	seq := 0
	for k, n := range ns {
		for i := range n {
			p := places[k]
			p.Lat += geo.Degrees(0.001 * float64(i)) // deeper each fix
			out = append(out, mkfix(t, id, seq, t0.Add(time.Duration(seq)*time.Minute), p, 6000))
			seq++
		}
	}
	return out
}

func TestAlerts(t *testing.T) {
	e := newEngine(t, authJSON)
	fixes := incursion(t, "icao:AE1F01", 3, 5, 2, 4)
	var opened, closed []Alert
	updates := map[string]int{}
	var maxDepth geo.Meters
	for _, f := range fixes[3:8] {
		maxDepth = max(maxDepth, f.Depth)
	}
	for _, f := range fixes {
		a := e.Assess(f)
		if a.Replay {
			t.Fatalf("fix %d: replay", f.Seq)
		}
		if (a.Verdict == Unauthorised) != (a.Alert != nil) {
			t.Fatalf("fix %d: verdict %v, alert %v", f.Seq, a.Verdict, a.Alert)
		}
		if a.AlertNew {
			opened = append(opened, *a.Alert)
		}
		if a.Alert != nil {
			updates[a.Alert.ID]++
		}
		if a.Closed != nil {
			closed = append(closed, *a.Closed)
		}
	}
	if len(opened) != 2 {
		t.Fatalf("%d alerts opened, want 2 (one per incursion)", len(opened))
	}
	if opened[0].ID == opened[1].ID {
		t.Fatalf("both incursions have alert %s", opened[0].ID)
	}
	if updates[opened[0].ID] != 5 || updates[opened[1].ID] != 4 {
		t.Errorf("updates %v, want 5 and 4", updates)
	}
	if len(closed) != 1 || closed[0].ID != opened[0].ID || closed[0].Open || closed[0].Fixes != 5 ||
		!closed[0].Start.Equal(fixes[3].Position.Time) || !closed[0].Last.Equal(fixes[7].Position.Time) ||
		!closed[0].End.Equal(fixes[8].Position.Time) || closed[0].FirstSeq != 3 || closed[0].LastSeq != 7 ||
		closed[0].MaxDepth != maxDepth || closed[0].Airspace != "MEX" || closed[0].Operator != "USA" ||
		closed[0].FirstPoint != fixes[3].Position.LatLon() || closed[0].LastPoint != fixes[7].Position.LatLon() {
		t.Errorf("closed %+v", closed)
	}
	open := e.OpenAlerts()
	if len(open) != 1 || open[0].ID != opened[1].ID || !open[0].Open || open[0].Fixes != 4 {
		t.Errorf("open alerts %+v", open)
	}
	// Replay in the same engine: nothing changes.
	for _, f := range fixes {
		if a := e.Assess(f); !a.Replay || a.Alert != nil || a.Closed != nil || a.AlertNew {
			t.Fatalf("replayed fix %d: %+v", f.Seq, a)
		}
	}
	if again := e.OpenAlerts(); len(again) != 1 || again[0] != open[0] {
		t.Errorf("after replay: %+v", again)
	}
	// A fresh engine gives the same alert IDs.
	e2 := newEngine(t, authJSON)
	var ids []string
	for _, f := range fixes {
		if a := e2.Assess(f); a.AlertNew {
			ids = append(ids, a.Alert.ID)
		}
	}
	if len(ids) != 2 || ids[0] != opened[0].ID || ids[1] != opened[1].ID {
		t.Errorf("fresh engine: alert ids %v, want %s %s", ids, opened[0].ID, opened[1].ID)
	}
	// The end of the flight closes the open alert.
	if a := e.EndFlight(fixes[0].FlightID); a == nil || a.ID != opened[1].ID || a.Open || !a.End.Equal(a.Last) {
		t.Errorf("EndFlight: %+v", a)
	}
	if e.Flights() != 0 || len(e.OpenAlerts()) != 0 {
		t.Errorf("after EndFlight: %d flights, %d open alerts", e.Flights(), len(e.OpenAlerts()))
	}
}

// TestAlertClosedByCoverage: an unauthorised run that becomes authorised
// (the aircraft enters its area) closes the alert; a later exit opens a
// new one.
func TestAlertClosedByCoverage(t *testing.T) {
	e := newEngine(t, authJSON)
	places := []geo.LatLon{sonoraE, sonoraE, sonora, sonoraE}
	var news, closes int
	for i, p := range places {
		a := e.Assess(mkfix(t, "icao:AE1F01", i, t0.Add(time.Duration(i)*time.Minute), p, 6000))
		if a.AlertNew {
			news++
		}
		if a.Closed != nil {
			closes++
			if i != 2 {
				t.Errorf("alert closed at fix %d", i)
			}
		}
	}
	if news != 2 || closes != 1 {
		t.Errorf("%d opened, %d closed; want 2 and 1", news, closes)
	}
}

func TestSnapshotRestore(t *testing.T) {
	fixes := incursion(t, "icao:AE1F01", 1, 6)
	e := newEngine(t, authJSON)
	var id string
	for _, f := range fixes[:4] {
		if a := e.Assess(f); a.AlertNew {
			id = a.Alert.ID
		}
	}
	st := e.Snapshot()
	e2 := newEngine(t, authJSON)
	if err := e2.Restore(st); err != nil {
		t.Fatal(err)
	}
	// Replay from the start: the first four are replays; the rest update
	// the same alert.
	for _, f := range fixes {
		a := e2.Assess(f)
		if a.Replay != (f.Seq < 4) || a.AlertNew || (f.Seq >= 4 && (a.Alert == nil || a.Alert.ID != id)) {
			t.Fatalf("fix %d after restore: %+v", f.Seq, a)
		}
	}
	if open := e2.OpenAlerts(); len(open) != 1 || open[0].Fixes != 6 {
		t.Errorf("open %+v", open)
	}
	bad := State{Flights: []FlightState{{FlightID: "x"}, {FlightID: "x"}}}
	if err := e2.Restore(bad); err == nil || !strings.Contains(err.Error(), "repeated") {
		t.Errorf("restore of a repeated flight: %v", err)
	}
}

func TestVerdictText(t *testing.T) {
	for v := None; v <= Unauthorised; v++ {
		b, _ := v.MarshalText()
		var back Verdict
		if err := back.UnmarshalText(b); err != nil || back != v {
			t.Errorf("%v: %q → %v, %v", v, b, back, err)
		}
	}
	var v Verdict
	if err := v.UnmarshalText([]byte("maybe")); err == nil {
		t.Error("unknown verdict accepted")
	}
}

// TestAlertPerAirspace: an aircraft of unknown operator is unauthorised
// in both airspaces; crossing from one into the other closes the first
// alert and opens a second.
func TestAlertPerAirspace(t *testing.T) {
	e := newEngine(t, authJSON)
	var opened []Alert
	for i, p := range []geo.LatLon{tucson, tucson, sonoraE, sonoraE} {
		a := e.Assess(mkfix(t, "klv:X/UNKNOWN", i, t0.Add(time.Duration(i)*time.Minute), p, 6000))
		if a.Verdict != Unauthorised {
			t.Fatalf("fix %d: %v", i, a.Verdict)
		}
		if a.AlertNew {
			opened = append(opened, *a.Alert)
		}
		if (a.Closed != nil) != (i == 2) {
			t.Errorf("fix %d: closed %v", i, a.Closed)
		}
	}
	if len(opened) != 2 || opened[0].Airspace != "USA" || opened[1].Airspace != "MEX" || opened[0].Operator != "" {
		t.Errorf("opened %+v", opened)
	}
}
