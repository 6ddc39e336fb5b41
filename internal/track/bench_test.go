package track

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// benchStream returns one pass of a realistic mix, in time order: 180
// ADS-B aircraft at 2 Hz and 20 KLV drones at 10 Hz, 300 s each, on
// straight courses at 60–250 m/s from random starts over the border
// region (lon −117..−97, lat 25.5..32.7, so many fly near or across the
// border), with 1 % of positions repeated.
func benchStream() []position.Position {
	rng := rand.New(rand.NewPCG(1, 2))
	var ps []position.Position
	for i := range 200 {
		id, dt, src := "icao:"+string(rune('A'+i/26))+string(rune('A'+i%26))+"0000", 500*time.Millisecond, position.ADSB
		if i >= 180 {
			id, dt, src = "klv:MQ-9A/M"+string(rune('A'+i-180)), 100*time.Millisecond, position.KLV
		}
		a := geo.LatLon{Lat: geo.Degrees(25.5 + 7.2*rng.Float64()), Lon: geo.Degrees(-117 + 20*rng.Float64())}
		l := line(id, t0, dt, int(300*time.Second/dt), a, geo.Degrees(360*rng.Float64()), 60+190*rng.Float64())
		for k := range l {
			l[k].Source = src
		}
		ps = append(ps, l...)
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Time.Before(ps[j].Time) })
	var out []position.Position
	for _, p := range ps {
		out = append(out, p)
		if rng.IntN(100) == 0 {
			out = append(out, p)
		}
	}
	return out
}

// BenchmarkAdd measures Tracker.Add on the mix; one op is one position.
// Passes repeat with times shifted beyond the gap, so each pass starts new
// flights. The anchor "classify" is the airspace work alone (Locate and
// Depth for each position), the floor under Add.
func BenchmarkAdd(b *testing.B) {
	as := testSet(b)
	ps := benchStream()
	const period = 300*time.Second + 20*time.Minute
	cases := []struct {
		name string
		opts Options
	}{
		{"exact/reorder=5s", DefaultOptions()},
		{"exact/reorder=0", Options{Gap: 10 * time.Minute, MaxSpeed: 1000}},
		{"tolerance=20m+1%/reorder=5s", toleranceOptions()},
	}
	for _, tc := range cases {
		b.Run("mix/"+tc.name, func(b *testing.B) {
			tr := New(as, tc.opts)
			b.ReportAllocs()
			i, off := 0, time.Duration(0)
			var n int
			for b.Loop() {
				p := ps[i]
				p.Time = p.Time.Add(off)
				u := tr.Add(p)
				n += len(u.Applied)
				if i++; i == len(ps) {
					i, off = 0, off+period
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "positions/s")
		})
	}
	b.Run("classify", func(b *testing.B) {
		b.ReportAllocs()
		var sink geo.Meters
		i := 0
		for b.Loop() {
			p := &ps[i]
			k := as.Locate(p.Lon, p.Lat)
			sink += as.Depth(k, p.Lon, p.Lat)
			if i++; i == len(ps) {
				i = 0
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "positions/s")
		_ = sink
	})
}
