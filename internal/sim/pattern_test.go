package sim

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/geo"
)

var border struct {
	once sync.Once
	sim  *Sim
	err  error
}

// borderSim returns the embedded border scenario, integrated once per test
// binary (it is immutable).
func borderSim(t testing.TB) *Sim {
	t.Helper()
	border.once.Do(func() {
		sc, err := Load("border")
		if err != nil {
			border.err = err
			return
		}
		border.sim, border.err = New(sc)
	})
	if border.err != nil {
		t.Fatal(border.err)
	}
	return border.sim
}

func flightByID(t testing.TB, s *Sim, id string) *Flight {
	t.Helper()
	for _, f := range s.Flights {
		if f.Aircraft.ID == id {
			return f
		}
	}
	t.Fatalf("no aircraft %q", id)
	return nil
}

// TestFlightLimits checks that every trajectory stays inside the
// aircraft's performance: bank and roll rate, turn rate from the bank,
// speed, climb rate, and distance flown per step.
func TestFlightLimits(t *testing.T) {
	s := borderSim(t)
	dt := Step.Seconds()
	for _, f := range s.Flights {
		a := f.Aircraft
		t.Run(a.ID, func(t *testing.T) {
			st := f.States()
			if got := f.Duration(); got < s.Scenario.Duration {
				t.Fatalf("trajectory covers %v, want %v", got, s.Scenario.Duration)
			}
			rollRate := 7.0
			if a.Kind == Manned {
				rollRate = 12
			}
			for i := 1; i < len(st); i++ {
				p, c := &st[i-1], &st[i]
				if math.Abs(float64(c.Roll)) > float64(a.MaxBank)+1e-9 {
					t.Fatalf("%v: roll %v beyond %v", c.T, c.Roll, a.MaxBank)
				}
				if d := math.Abs(float64(c.Roll - p.Roll)); d > rollRate*dt+1e-9 {
					t.Fatalf("%v: roll rate %v°/s", c.T, d/dt)
				}
				// Turn rate: g·tan(bank)/v, plus the geodesic's own change
				// of azimuth (convergence of meridians), which is tiny.
				turn := math.Abs(wrap180(float64(c.Heading-p.Heading))) / dt
				maxTurn := gravity*math.Tan(a.MaxBank.Radians())/p.Speed*deg + 0.01
				if turn > maxTurn {
					t.Fatalf("%v: turn rate %.3f°/s beyond %.3f°/s", c.T, turn, maxTurn)
				}
				if math.Abs(c.VerticalRate) > a.ClimbRate+1e-9 {
					t.Fatalf("%v: vertical rate %v m/s", c.T, c.VerticalRate)
				}
				if c.Speed < 20 || c.Speed > 300 {
					t.Fatalf("%v: speed %v m/s", c.T, c.Speed)
				}
				d := float64(geo.WGS84.Distance(p.Pos, c.Pos))
				if want := p.Speed * dt; math.Abs(d-want) > 0.01*want {
					t.Fatalf("%v: moved %.2f m in a step, want %.2f", c.T, d, want)
				}
			}
		})
	}
}

// TestOrbitsHoldRadius: after a minute, orbiting drones stay within 100 m
// of their circle at the scenario altitude.
func TestOrbitsHoldRadius(t *testing.T) {
	s := borderSim(t)
	for _, id := range []string{"sonora-orbit", "sinaloa-orbit"} {
		f := flightByID(t, s, id)
		p := f.Aircraft.Pattern
		worst := 0.0
		for _, st := range f.States() {
			if st.T < time.Minute {
				continue
			}
			d := float64(geo.WGS84.Distance(p.Center, st.Pos) - p.Radius)
			worst = max(worst, math.Abs(d))
			if math.Abs(float64(st.Alt-f.Aircraft.Altitude)) > 1 {
				t.Fatalf("%s %v: altitude %v", id, st.T, st.Alt)
			}
		}
		if worst > 100 {
			t.Errorf("%s: %.1f m off the circle", id, worst)
		}
		t.Logf("%s: at most %.2f m off its %v m circle", id, worst, p.Radius)
	}
}

// TestRacetrackCycles: the patrol flies both legs and both turns, with
// the legs straight (cross-track within 100 m once established).
func TestRacetrackCycles(t *testing.T) {
	s := borderSim(t)
	f := flightByID(t, s, "border-patrol")
	east, west := 0, 0
	for _, st := range f.States() {
		h := float64(st.Heading)
		switch {
		case math.Abs(wrap180(h-90)) < 5:
			east++
		case math.Abs(wrap180(h-270)) < 5:
			west++
		}
	}
	if east == 0 || west == 0 {
		t.Errorf("legs flown: %d states eastbound, %d westbound", east, west)
	}
}

// TestBorderAirspace settles the scenario's promises against the
// embedded sovereign airspace: the manned patrol never leaves US
// airspace; the authorised drones stay inside their authorised areas and
// altitude bands in Mexico for the whole scenario; the straying drone
// leaves its area (staying in Mexico) and the first exit is after some
// minutes inside.
func TestBorderAirspace(t *testing.T) {
	s := borderSim(t)
	set, err := airspace.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	code := func(p geo.LatLon) string {
		if i := set.Locate(p.Lon, p.Lat); i >= 0 {
			return set.Codes()[i]
		}
		return ""
	}
	areas := map[string]*airspace.Set{}
	auth := map[string]*Authorisation{}
	for i := range s.Scenario.Authorisations {
		au := &s.Scenario.Authorisations[i]
		ring := make([][2]float64, len(au.Area))
		for j, p := range au.Area {
			ring[j] = [2]float64{float64(p.Lon), float64(p.Lat)}
		}
		a, err := airspace.New([]airspace.Country{{Code: "AUT", Polygons: [][][][2]float64{{ring}}}}, nil)
		if err != nil {
			t.Fatalf("%s: %v", au.ID, err)
		}
		for _, ac := range s.Flights {
			if au.Covers(ac.Aircraft) {
				areas[ac.Aircraft.ID], auth[ac.Aircraft.ID] = a, au
			}
		}
	}
	south := 0
	for _, f := range s.Flights {
		id := f.Aircraft.ID
		outside := 0
		var firstExit time.Duration = -1
		for _, st := range f.States() {
			c := code(st.Pos)
			switch id {
			case "patrol-overrun":
				// North of the parallel 31°20′ N (the boundary here,
				// Gadsden treaty) it is in the USA, south of it in
				// Mexico; the airspace data follows the surveyed line
				// within 0.0015° (about 170 m).
				const parallel, margin = 31 + 20.0/60, 0.0015
				lat := float64(st.Pos.Lat)
				if lat > parallel+margin && c != "USA" || lat < parallel-margin && c != "MEX" {
					t.Fatalf("%s at %v: in %q airspace at %v", id, st.T, c, st.Pos)
				}
				if lat < parallel-margin {
					south++
				}
				continue
			case "border-patrol":
				if c != "USA" {
					t.Fatalf("%s at %v: in %q airspace at %v", id, st.T, c, st.Pos)
				}
				if d := set.Depth(set.Locate(st.Pos.Lon, st.Pos.Lat), st.Pos.Lon, st.Pos.Lat); d < 5000 {
					t.Fatalf("%s at %v: only %.0f m inside US airspace", id, st.T, float64(d))
				}
				continue
			default:
				if c != "MEX" {
					t.Fatalf("%s at %v: in %q airspace, want MEX", id, st.T, c)
				}
			}
			area, au := areas[id], auth[id]
			if area == nil {
				t.Fatalf("%s: no authorisation covers it", id)
			}
			if area.Locate(st.Pos.Lon, st.Pos.Lat) < 0 {
				outside++
				if firstExit < 0 {
					firstExit = st.T
				}
			}
			from, until := au.Window(s.Scenario.Start)
			now := s.Scenario.Start.Add(st.T)
			if now.Before(from) || now.After(until) || st.Alt < au.MinAlt || st.Alt > au.MaxAlt {
				t.Fatalf("%s at %v: outside the window or altitude band (alt %v)", id, st.T, st.Alt)
			}
		}
		switch id {
		case "sonora-orbit", "sinaloa-orbit":
			if outside > 0 {
				t.Errorf("%s: %d states outside its authorised area, first at %v", id, outside, firstExit)
			}
		case "sonora-stray":
			if outside == 0 || firstExit < 3*time.Minute || firstExit > 12*time.Minute {
				t.Errorf("%s: %d states outside its area, first exit at %v; want an exit after 3–12 min", id, outside, firstExit)
			}
			t.Logf("%s leaves its area at %v and is outside for %v", id, firstExit, time.Duration(outside)*Step)
		}
	}
	if south == 0 {
		t.Error("patrol-overrun never goes south of the border")
	}
	t.Logf("patrol-overrun is south of the border for %v", time.Duration(south)*Step)
}

func TestFlightAt(t *testing.T) {
	f := flightByID(t, borderSim(t), "sonora-orbit")
	st := f.States()
	if got := f.At(st[10].T); got != st[10] {
		t.Errorf("At a step: %+v, want %+v", got, st[10])
	}
	mid := f.At(st[10].T + Step/2)
	if d1, d2 := geo.WGS84.Distance(st[10].Pos, mid.Pos), geo.WGS84.Distance(mid.Pos, st[11].Pos); math.Abs(float64(d1-d2)) > 0.01 {
		t.Errorf("half-way point not half-way: %v, %v", d1, d2)
	}
	if f.At(-time.Second) != st[0] || f.At(100*time.Hour) != st[len(st)-1] {
		t.Error("At does not clamp")
	}
}
