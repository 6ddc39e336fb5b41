package track

import (
	"reflect"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/position"
)

// fuzzPositions turns bytes into positions: 5 bytes each — aircraft (of
// three), a signed time step in 100 ms, signed lat/lon steps in 0.01°
// from the aircraft's previous position near Nogales, and a byte whose
// low bit repeats the position. Steps may go back in time and jump far.
func fuzzPositions(data []byte) []position.Position {
	type st struct {
		t        time.Time
		lat, lon float64
	}
	ac := [3]st{}
	for i := range ac {
		ac[i] = st{t0, 31.33 + 0.01*float64(i), -110.94}
	}
	ids := [3]string{"icao:A00001", "icao:A00002", "klv:MQ-9A/X"}
	var ps []position.Position
	for len(data) >= 5 {
		k := int(data[0]) % 3
		a := &ac[k]
		a.t = a.t.Add(time.Duration(int8(data[1])) * 100 * time.Millisecond)
		a.lat += 0.01 * float64(int8(data[2]))
		a.lon += 0.01 * float64(int8(data[3]))
		a.lat = max(-90, min(90, a.lat))
		p := pos(ids[k], a.t, a.lat, a.lon)
		ps = append(ps, p)
		if data[4]&1 != 0 {
			ps = append(ps, p)
		}
		data = data[5:]
	}
	return ps
}

// FuzzTracker feeds arbitrary position streams (out of order, repeated,
// jumping, crossing the border) and checks the invariants: no panic; in
// each flight, fixes in strictly increasing time with consecutive Seq;
// crossings that chain from the previous fix's airspace to the next's;
// and a Snapshot restored into a new Tracker mid-stream giving the same
// result as the uninterrupted run.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{0, 10, 1, 0, 0, 0, 10, 1, 0, 1, 0, 10, 2, 0, 0})
	f.Add([]byte{0, 10, 0, 0, 0, 0, 246, 0, 0, 0, 1, 100, 127, 127, 0, 0, 20, 1, 1, 0})
	f.Add([]byte{2, 1, 1, 0, 0, 2, 1, 1, 0, 0, 2, 1, 1, 0, 0, 2, 1, 1, 0, 1, 2, 1, 128, 0, 0})
	as := testSet(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ps := fuzzPositions(data)
		opts := DefaultOptions()
		opts.Gap = 2 * time.Minute
		base := run(t, New(as, opts), ps)
		for id, fixes := range base.fixes {
			for k, x := range fixes {
				if x.Seq != k || (k > 0 && !x.Position.Time.After(fixes[k-1].Position.Time)) {
					t.Fatalf("flight %s: fix %d (seq %d) out of order", id, k, x.Seq)
				}
			}
			prev := map[int]string{}
			for _, c := range base.crossings[id] {
				from, ok := prev[c.After]
				if !ok {
					from = fixes[c.Before].Country
				}
				if c.From != from || c.After != c.Before+1 || c.From == c.To {
					t.Fatalf("flight %s: crossing %+v does not chain from %q", id, c, from)
				}
				prev[c.After] = c.To
			}
			for k := 1; k < len(fixes); k++ {
				to, ok := prev[k]
				if !ok {
					to = fixes[k-1].Country
				}
				if to != fixes[k].Country {
					t.Fatalf("flight %s: fix %d in %q but crossings lead to %q", id, k, fixes[k].Country, to)
				}
			}
		}
		cut := len(ps) / 2
		tr := New(as, opts)
		r := newRecord()
		for _, p := range ps[:cut] {
			r.take(t, tr.Add(p))
		}
		tr2 := New(as, opts)
		if err := tr2.Restore(tr.Snapshot()); err != nil {
			t.Fatal(err)
		}
		for _, p := range ps[cut:] {
			r.take(t, tr2.Add(p))
		}
		r.take(t, tr2.Expire(t0.Add(1000*time.Hour)))
		if !reflect.DeepEqual(r.fixes, base.fixes) || !reflect.DeepEqual(r.crossings, base.crossings) || !reflect.DeepEqual(r.flights, base.flights) {
			t.Fatal("run with a restore differs")
		}
	})
}
