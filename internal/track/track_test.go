package track

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// mixed returns a realistic stream in time order: aircraft crossing the
// border at Otay Mesa, Nogales and east of Nogales, one at 2 Hz, one at 1 Hz, a KLV
// drone at 10 Hz, with a 15-minute silence (a gap) in one of them.
func mixed() []position.Position {
	var ps []position.Position
	ps = append(ps, line("icao:A00001", t0, 500*time.Millisecond, 600, geo.LatLon{Lat: 32.50, Lon: -116.95}, 10, 150)...)
	ps = append(ps, line("icao:A00002", t0, time.Second, 300, geo.LatLon{Lat: 31.36, Lon: -110.92}, 190, 120)...)
	ps = append(ps, line("klv:MQ-9A/SON-ORB-01", t0.Add(3*time.Second), 100*time.Millisecond, 1200, geo.LatLon{Lat: 31.345, Lon: -110.50}, 180, 80)...)
	late := line("icao:A00002", t0.Add(20*time.Minute), time.Second, 120, geo.LatLon{Lat: 31.30, Lon: -110.95}, 20, 120)
	ps = append(ps, late...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Time.Before(ps[j].Time) })
	return ps
}

func TestFlightsAndGaps(t *testing.T) {
	tr := New(testSet(t), DefaultOptions())
	r := run(t, tr, mixed())
	if len(r.flights) != 4 {
		t.Fatalf("%d flights, want 4: %v", len(r.flights), r.flightIDs())
	}
	want := map[string]int{
		"icao:A00001@2026-03-02T16:00:00.000Z":          600,
		"icao:A00002@2026-03-02T16:00:00.000Z":          300,
		"icao:A00002@2026-03-02T16:20:00.000Z":          120,
		"klv:MQ-9A/SON-ORB-01@2026-03-02T16:00:03.000Z": 1200,
	}
	for id, n := range want {
		f, ok := r.flights[id]
		if !ok {
			t.Fatalf("no flight %s; have %v", id, r.flightIDs())
		}
		if f.Fixes != n || len(r.fixes[id]) != n || f.Crossings != len(r.crossings[id]) {
			t.Errorf("flight %s: %d fixes (%d applied), %d crossings (%d seen); want %d fixes", id, f.Fixes, len(r.fixes[id]), f.Crossings, len(r.crossings[id]), n)
		}
		if !f.Start.Equal(r.fixes[id][0].Position.Time) || !f.End.Equal(r.fixes[id][n-1].Position.Time) {
			t.Errorf("flight %s: %v–%v", id, f.Start, f.End)
		}
	}
	// Each flight crosses the border once, the second flight of A00002
	// back north.
	for id, from := range map[string]string{
		"icao:A00001@2026-03-02T16:00:00.000Z":          "MEX",
		"icao:A00002@2026-03-02T16:00:00.000Z":          "USA",
		"icao:A00002@2026-03-02T16:20:00.000Z":          "MEX",
		"klv:MQ-9A/SON-ORB-01@2026-03-02T16:00:03.000Z": "USA",
	} {
		cs := r.crossings[id]
		if len(cs) != 1 || cs[0].From != from {
			t.Errorf("flight %s: crossings %+v, want one from %s", id, cs, from)
		}
	}
	if r.duplicates+r.late+r.implausible != 0 {
		t.Errorf("clean stream: %d duplicates, %d late, %d implausible", r.duplicates, r.late, r.implausible)
	}
}

func TestDuplicatesLateImplausible(t *testing.T) {
	tr := New(testSet(t), DefaultOptions())
	ps := line("icao:ABC123", t0, time.Second, 20, geo.LatLon{Lat: 32.50, Lon: -116.95}, 0, 150)
	r := newRecord()
	for _, p := range ps[:10] {
		r.take(t, tr.Add(p))
	}
	if n := len(r.fixes["icao:ABC123@2026-03-02T16:00:00.000Z"]); n != 5 {
		t.Fatalf("%d fixes released with the newest at +9 s and Reorder 5 s, want 5 (up to +4 s)", n)
	}
	// A duplicate still buffered, and one already released.
	for _, p := range []position.Position{ps[9], ps[2]} {
		if u := tr.Add(p); !u.Duplicate || u.Late || len(u.Applied) != 0 {
			t.Errorf("replay of %v: %+v, want Duplicate only", p.Time, u)
		}
	}
	// More than Reorder behind the newest, never seen: Late.
	old := pos("icao:ABC123", t0.Add(2500*time.Millisecond), 32.5, -116.95)
	if u := tr.Add(old); !u.Late || u.Duplicate {
		t.Errorf("late position: %+v", u)
	}
	// Within the window, out of order: accepted.
	in := pos("icao:ABC123", t0.Add(7500*time.Millisecond), float64(ps[7].Lat), float64(ps[7].Lon))
	if u := tr.Add(in); u.Late || u.Duplicate {
		t.Errorf("position 1.5 s late: %+v", u)
	}
	// A jump of 100 km in one second.
	jump := pos("icao:ABC123", t0.Add(10*time.Second), 33.5, -116.95)
	r.take(t, tr.Add(jump))
	for _, p := range ps[11:] {
		r.take(t, tr.Add(p))
	}
	r.take(t, tr.Expire(t0.Add(time.Hour)))
	if r.implausible != 1 {
		t.Errorf("%d implausible, want 1", r.implausible)
	}
	f := r.flights["icao:ABC123@2026-03-02T16:00:00.000Z"]
	if f.Fixes != 20 || f.Implausible != 1 {
		t.Errorf("flight %+v: want 20 fixes (19 + the one 1.5 s late) and 1 implausible", f)
	}
	// Invalid positions are implausible at once.
	for _, p := range []position.Position{
		pos("icao:ABC123", t0.Add(2*time.Hour), 91, 0),
		pos("", t0.Add(2*time.Hour), 0, 0),
		pos("icao:ABC123", time.Time{}, 0, 0),
	} {
		if u := tr.Add(p); len(u.Implausible) != 1 || len(u.Applied) != 0 {
			t.Errorf("invalid %+v: %+v", p, u)
		}
	}
}

// TestReorderProperty shuffles the mixed stream, with duplicates, so that
// each position arrives less than Reorder behind the newest, and checks
// that the flights, fixes and crossings equal those of the ordered run.
func TestReorderProperty(t *testing.T) {
	base := run(t, New(testSet(t), DefaultOptions()), mixed())
	rounds := 8
	if testing.Short() {
		rounds = 2
	}
	for seed := range uint64(rounds) {
		rng := rand.New(rand.NewPCG(seed, 42))
		type arrival struct {
			key time.Time
			p   position.Position
		}
		var as []arrival
		window := DefaultOptions().Reorder - time.Millisecond
		for _, p := range mixed() {
			as = append(as, arrival{p.Time.Add(time.Duration(rng.Int64N(int64(window)))), p})
			if rng.IntN(20) == 0 {
				as = append(as, arrival{p.Time.Add(time.Duration(rng.Int64N(int64(window)))), p})
			}
		}
		sort.SliceStable(as, func(i, j int) bool { return as[i].key.Before(as[j].key) })
		ps := make([]position.Position, len(as))
		for i, a := range as {
			ps[i] = a.p
		}
		got := run(t, New(testSet(t), DefaultOptions()), ps)
		if got.late != 0 || got.duplicates != len(ps)-len(mixed()) {
			t.Fatalf("seed %d: %d late, %d duplicates, want 0 and %d", seed, got.late, got.duplicates, len(ps)-len(mixed()))
		}
		if !reflect.DeepEqual(got.fixes, base.fixes) || !reflect.DeepEqual(got.crossings, base.crossings) || !reflect.DeepEqual(got.flights, base.flights) {
			t.Fatalf("seed %d: shuffled run differs from the ordered one", seed)
		}
	}
}

// TestSnapshotRestore stops a run mid-stream, persists the state as JSON,
// restores it into a new Tracker, replays the last 200 positions before
// the snapshot (as a consumer does after a crash) and continues; the
// result must equal an uninterrupted run.
func TestSnapshotRestore(t *testing.T) {
	t.Run("exact", func(t *testing.T) { testSnapshotRestore(t, DefaultOptions()) })
	t.Run("tolerance", func(t *testing.T) { testSnapshotRestore(t, toleranceOptions()) })
}

func toleranceOptions() Options {
	o := DefaultOptions()
	o.DepthTolerance, o.DepthRelTolerance = 20, 0.01
	return o
}

func testSnapshotRestore(t *testing.T, opts Options) {
	ps := mixed()
	base := run(t, New(testSet(t), opts), ps)
	for _, cut := range []int{1, 777, len(ps) / 2, len(ps) - 3} {
		tr := New(testSet(t), opts)
		r := newRecord()
		for i, p := range ps[:cut] {
			r.take(t, tr.Add(p))
			if i == cut/2 {
				r.take(t, tr.Expire(p.Time))
			}
		}
		b, err := json.Marshal(tr.Snapshot())
		if err != nil {
			t.Fatal(err)
		}
		var st State
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		tr2 := New(testSet(t), opts)
		if err := tr2.Restore(st); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(tr2.Snapshot(), tr.Snapshot()) {
			t.Fatalf("cut %d: restored state differs", cut)
		}
		for _, p := range ps[max(0, cut-200):cut] {
			u := tr2.Add(p)
			if !u.Duplicate && !u.Late {
				t.Fatalf("cut %d: replayed %s at %v was applied again", cut, p.ID, p.Time)
			}
		}
		for _, p := range ps[cut:] {
			r.take(t, tr2.Add(p))
		}
		r.take(t, tr2.Expire(t0.Add(1000*time.Hour)))
		if !reflect.DeepEqual(r.fixes, base.fixes) || !reflect.DeepEqual(r.crossings, base.crossings) || !reflect.DeepEqual(r.flights, base.flights) {
			t.Fatalf("cut %d: interrupted run differs", cut)
		}
	}
}

func TestRestoreErrors(t *testing.T) {
	tr := New(testSet(t), DefaultOptions())
	for _, p := range line("icao:ABC123", t0, time.Second, 10, geo.LatLon{Lat: 32.50, Lon: -116.95}, 0, 150) {
		tr.Add(p)
	}
	good := tr.Snapshot()
	bad := []func(*State){
		func(s *State) { s.Aircraft = append(s.Aircraft, s.Aircraft[0]) },
		func(s *State) { s.Aircraft[0].Last.Country = "FRA" },
		func(s *State) { p := s.Aircraft[0].Pending; p[0], p[1] = p[1], p[0] },
	}
	for i, f := range bad {
		b, _ := json.Marshal(good)
		var st State
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		f(&st)
		if err := tr.Restore(st); !errors.Is(err, ErrBadState) {
			t.Errorf("case %d: %v, want ErrBadState", i, err)
		}
	}
	if !reflect.DeepEqual(tr.Snapshot(), good) {
		t.Error("a failed Restore changed the state")
	}
}

// TestExpire checks that Expire releases buffered fixes, closes silent
// flights only when no acceptable position could extend them, forgets
// finished aircraft, and that a zero Reorder releases fixes at once.
func TestExpire(t *testing.T) {
	tr := New(testSet(t), DefaultOptions())
	ps := line("icao:ABC123", t0, time.Second, 10, geo.LatLon{Lat: 32.50, Lon: -116.95}, 0, 150)
	for _, p := range ps {
		tr.Add(p)
	}
	u := tr.Expire(t0.Add(14 * time.Second))
	if len(u.Applied) != 5 || len(u.Ended) != 0 {
		t.Fatalf("Expire(+14 s): %d applied, %d ended; want 5 (the rest of the buffer), 0", len(u.Applied), len(u.Ended))
	}
	// Last fix at +9 s: closable once now − Reorder − Gap ≥ +9 s.
	if u := tr.Expire(t0.Add(9*time.Second + DefaultOptions().Gap + DefaultOptions().Reorder - time.Millisecond)); len(u.Ended) != 0 {
		t.Fatal("flight closed while a position could still extend it")
	}
	u = tr.Expire(t0.Add(9*time.Second + DefaultOptions().Gap + DefaultOptions().Reorder))
	if len(u.Ended) != 1 || u.Ended[0].Fixes != 10 || tr.Aircraft() != 0 {
		t.Fatalf("Expire after the gap: %+v, %d aircraft left", u.Ended, tr.Aircraft())
	}
	// A replay of the forgotten aircraft is late: the clock is past it.
	if u := tr.Add(ps[3]); !u.Late {
		t.Errorf("replay after expiry: %+v", u)
	}

	tr = New(testSet(t), Options{Gap: time.Minute, MaxSpeed: 1000})
	for i, p := range ps {
		if u := tr.Add(p); len(u.Applied) != 1 || u.Applied[0].Fix.Seq != i {
			t.Fatalf("Reorder 0: fix %d not released at once: %+v", i, u)
		}
	}
	if u := tr.Add(ps[9]); !u.Duplicate {
		t.Errorf("Reorder 0: duplicate of the newest: %+v", u)
	}
	if u := tr.Add(pos("icao:ABC123", ps[8].Time.Add(time.Millisecond), 32.5, -116.95)); !u.Late {
		t.Errorf("Reorder 0: out-of-order fix: %+v", u)
	}
}

// TestDepthTolerance checks that with a depth tolerance every reported
// depth lies within it of the exact depth (and never below it), that
// fewer exact searches are made, and that the crossings are exactly
// those of the exact run.
func TestDepthTolerance(t *testing.T) {
	as := testSet(t)
	exact := run(t, New(as, DefaultOptions()), mixed())
	opts := toleranceOptions()
	tr := New(as, opts)
	got := run(t, tr, mixed())
	if !reflect.DeepEqual(got.crossings, exact.crossings) {
		t.Fatal("crossings differ from the exact run")
	}
	bounded := 0
	for id, fs := range got.fixes {
		for k, f := range fs {
			e := exact.fixes[id][k]
			if f.Position != e.Position || f.Country != e.Country {
				t.Fatalf("%s fix %d differs from the exact run", id, k)
			}
			tol := float64(opts.DepthTolerance) + opts.DepthRelTolerance*float64(e.Depth)
			if d := float64(f.Depth - e.Depth); d < -1e-6 || d > tol {
				t.Fatalf("%s fix %d: depth %v, exact %v (tolerance %.1f m)", id, k, f.Depth, e.Depth, tol)
			}
			if f.Depth != e.Depth {
				bounded++
			}
		}
	}
	if bounded == 0 {
		t.Error("no depth was bounded instead of searched")
	}
	t.Logf("%d of %d depths bounded", bounded, len(mixed()))
}

// TestJump checks that a track which jumps 100 km and carries on from
// there is believed after three consistent fixes: the first two are
// implausible, the flight ends and a new one starts at the third; and
// that a snapshot taken in the middle of the run changes nothing.
func TestJump(t *testing.T) {
	ps := line("icao:ABC123", t0, time.Second, 10, geoLL(32.50, -116.95), 0, 150)
	ps = append(ps, line("icao:ABC123", t0.Add(10*time.Second), time.Second, 10, geoLL(33.50, -116.95), 0, 150)...)
	base := run(t, New(testSet(t), DefaultOptions()), ps)
	first, second := "icao:ABC123@2026-03-02T16:00:00.000Z", "icao:ABC123@2026-03-02T16:00:12.000Z"
	if len(base.flights) != 2 || base.flights[first].Fixes != 10 || base.flights[first].Implausible != 2 ||
		base.flights[second].Fixes != 8 || base.implausible != 2 {
		t.Fatalf("flights %+v, %d implausible; want 10 fixes then 8 from +12 s, 2 implausible", base.flights, base.implausible)
	}
	midJump := false
	for cut := 11; cut <= 17; cut++ {
		tr := New(testSet(t), DefaultOptions())
		r := newRecord()
		for _, p := range ps[:cut] {
			r.take(t, tr.Add(p))
		}
		st := tr.Snapshot()
		midJump = midJump || st.Aircraft[0].Jump != nil
		tr2 := New(testSet(t), DefaultOptions())
		if err := tr2.Restore(st); err != nil {
			t.Fatal(err)
		}
		for _, p := range ps[cut:] {
			r.take(t, tr2.Add(p))
		}
		r.take(t, tr2.Expire(t0.Add(time.Hour)))
		if !reflect.DeepEqual(r.fixes, base.fixes) || !reflect.DeepEqual(r.flights, base.flights) || r.implausible != base.implausible {
			t.Fatalf("cut %d: run with a restore differs", cut)
		}
	}
	if !midJump {
		t.Error("no snapshot was taken in the middle of the jump")
	}
}
