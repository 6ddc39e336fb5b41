package track

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/sim"
)

// TestSimBorder runs the simulator's border scenario through the Tracker:
// every aircraft's true trajectory, sampled as its feeds would report it
// (ADS-B at 2 Hz, KLV at 10 Hz, under the position IDs the truth header
// names). The crossings expected are those of the true trajectory itself,
// classified at every 0.1 s integration step: the manned patrol stays in
// the USA and the drones, the straying one included, stay in Mexico (it
// strays from its authorised area, not across the border), so they must
// have no crossing at all, and every fix must be in the airspace the truth
// puts it in; the overrunning patrol must have one crossing per change of
// airspace of its truth.
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
	h := s.Header()
	type expect struct {
		aircraft string
		country  string
	}
	want := map[string]expect{} // by position ID
	var ps []position.Position
	overrunChanges := 0
	for i, f := range s.Flights {
		// The truth: the airspace of every integration step.
		states := f.States()
		home := as.Locate(states[0].Pos.Lon, states[0].Pos.Lat)
		changes := 0
		for k := 1; k < len(states); k++ {
			if as.Locate(states[k].Pos.Lon, states[k].Pos.Lat) != as.Locate(states[k-1].Pos.Lon, states[k-1].Pos.Lat) {
				changes++
			}
		}
		if f.Aircraft.ID == "patrol-overrun" {
			// The one aircraft that crosses the border: its flight must
			// hold one crossing per change of airspace of the truth.
			overrunChanges = changes
			if changes == 0 {
				t.Fatalf("%s: the true trajectory never crosses the border", f.Aircraft.ID)
			}
		} else if changes != 0 {
			t.Fatalf("%s: the true trajectory changes airspace %d times; this test expects none", f.Aircraft.ID, changes)
		}
		for _, id := range h.Aircraft[i].PositionID {
			src, dt := position.ADSB, 500*time.Millisecond
			if strings.HasPrefix(id, "klv:") {
				src, dt = position.KLV, 100*time.Millisecond
			}
			want[id] = expect{f.Aircraft.ID, tr0code(as.Codes(), home)}
			for d := time.Duration(0); d <= sc.Duration; d += dt {
				st := f.At(d)
				ps = append(ps, position.Position{ID: id, Source: src, Time: sc.Start.Add(d), Lat: st.Pos.Lat, Lon: st.Pos.Lon,
					Has: position.HasAltitude, Altitude: st.Alt, Callsign: strings.TrimSpace(f.Aircraft.Callsign)})
			}
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Time.Before(ps[j].Time) })
	if want["icao:AE1F10"].country != "USA" || want["klv:MQ-9B/SON-RTE-03"].country != "MEX" {
		t.Fatalf("scenario changed: %+v", want)
	}
	r := run(t, New(as, DefaultOptions()), ps)
	if len(r.flights) != len(want) {
		t.Fatalf("%d flights, want one per position ID (%d)", len(r.flights), len(want))
	}
	for _, f := range r.flights {
		w, ok := want[f.Aircraft]
		if !ok {
			t.Fatalf("flight of unknown aircraft %s", f.Aircraft)
		}
		if w.aircraft == "patrol-overrun" {
			if f.Crossings != overrunChanges || len(r.crossings[f.ID]) != overrunChanges {
				t.Errorf("%s (%s): %d crossings, want %d", f.ID, w.aircraft, f.Crossings, overrunChanges)
			}
			continue
		}
		if f.Crossings != 0 || len(r.crossings[f.ID]) != 0 {
			t.Errorf("%s (%s): %d crossings, want 0", f.ID, w.aircraft, f.Crossings)
		}
		if f.Stay.Country != w.country || f.Stay.Fixes != f.Fixes {
			t.Errorf("%s (%s): stay %+v, want all %d fixes in %s", f.ID, w.aircraft, f.Stay, f.Fixes, w.country)
		}
		if !f.Start.Equal(sc.Start) || f.Start.Add(sc.Duration) != f.End {
			t.Errorf("%s: %v–%v, want the whole scenario", f.ID, f.Start, f.End)
		}
		maxD := r.fixes[f.ID][0].Depth
		for _, x := range r.fixes[f.ID] {
			if x.Country != w.country {
				t.Fatalf("%s: fix %d in %q, want %s", f.ID, x.Seq, x.Country, w.country)
			}
			maxD = max(maxD, x.Depth)
		}
		if f.Stay.MaxDepth != maxD {
			t.Errorf("%s: stay max depth %v, fixes' max %v", f.ID, f.Stay.MaxDepth, maxD)
		}
		t.Logf("%s (%s): %d fixes in %s, max depth %.0f m", f.ID, w.aircraft, f.Fixes, w.country, float64(f.Stay.MaxDepth))
	}
	if r.duplicates+r.late+r.implausible != 0 {
		t.Errorf("%d duplicates, %d late, %d implausible", r.duplicates, r.late, r.implausible)
	}
}

func tr0code(codes []string, i int) string {
	if i < 0 {
		return ""
	}
	return codes[i]
}

// TestSimCrossingDrone re-routes the scenario's straying drone across the
// Arizona–Sonora border at Nogales (a looped route between a waypoint in
// Sonora and one in Arizona) and checks that its 2 Hz fixes give one
// crossing per change of airspace of the true trajectory, in the same
// direction and within 0.5 s of the true time.
func TestSimCrossingDrone(t *testing.T) {
	as := testSet(t)
	sc, err := sim.Load("border")
	if err != nil {
		t.Fatal(err)
	}
	var a sim.Aircraft
	for _, x := range sc.Aircraft {
		if x.ID == "sonora-stray" {
			a = x
		}
	}
	a.Pattern.Waypoints = []sim.Waypoint{
		{Pos: geoLL(31.20, -110.90), Altitude: a.Altitude, Speed: a.Speed},
		{Pos: geoLL(31.48, -110.85), Altitude: a.Altitude, Speed: a.Speed},
	}
	f, err := sim.NewFlight(&a, sc.Duration)
	if err != nil {
		t.Fatal(err)
	}
	type change struct {
		t        time.Time
		from, to string
	}
	var truth []change
	states := f.States()
	for k := 1; k < len(states); k++ {
		i0 := as.Locate(states[k-1].Pos.Lon, states[k-1].Pos.Lat)
		i1 := as.Locate(states[k].Pos.Lon, states[k].Pos.Lat)
		if i0 != i1 {
			truth = append(truth, change{sc.Start.Add(states[k].T - sim.Step/2), tr0code(as.Codes(), i0), tr0code(as.Codes(), i1)})
		}
	}
	if len(truth) < 3 {
		t.Fatalf("re-routed drone changes airspace %d times; want at least 3", len(truth))
	}
	var ps []position.Position
	for d := time.Duration(0); d <= sc.Duration; d += 500 * time.Millisecond {
		st := f.At(d)
		ps = append(ps, position.Position{ID: "icao:AE1F03", Source: position.ADSB, Time: sc.Start.Add(d), Lat: st.Pos.Lat, Lon: st.Pos.Lon})
	}
	cs := run(t, New(as, DefaultOptions()), ps).allCrossings()
	if len(cs) != len(truth) {
		t.Fatalf("%d crossings, the truth has %d", len(cs), len(truth))
	}
	var worst time.Duration
	for k, c := range cs {
		d := c.Time.Sub(truth[k].t)
		worst = max(worst, d.Abs())
		if c.From != truth[k].from || c.To != truth[k].to || d < -500*time.Millisecond || d > 500*time.Millisecond {
			t.Errorf("crossing %d: %s→%s at %v, truth %s→%s at %v", k, c.From, c.To, c.Time, truth[k].from, truth[k].to, truth[k].t)
		}
	}
	t.Logf("%d crossings, largest time difference from the truth %v", len(cs), worst)
}
