package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/internal/sqlstore"
)

// benchShapes are Bench's batch shapes: fixes per batch, spread evenly
// over flights, and the length of each flight (fixes) before a new
// generation of flights starts.
var benchShapes = []struct{ size, flights, length int }{
	{1000, 10, 20000},
	// The server's writer: ~20,000 fixes of ~2,000 interleaved flights
	// every ~200 ms.
	{20000, 2000, 120},
}

// Bench measures SaveApplied on b: each iteration writes one batch of new
// fixes (size per sub-benchmark) spread evenly over 10 or 2,000 flights,
// with the crossings and alert updates of the border scenario, and a
// checkpoint. It reports fixes/s.
func Bench(b *testing.B, be Backend) {
	for _, sh := range benchShapes {
		b.Run(fmt.Sprintf("batch=%d/flights=%d", sh.size, sh.flights), func(b *testing.B) {
			s := be.fresh(b)
			ctx := context.Background()
			per := sh.size / sh.flights
			// Long flights; each iteration takes the next per fixes of
			// each, and a new generation of flights starts when they run
			// out.
			scs := make([][]store.Applied, sh.flights)
			generation := 0
			regenerate := func() {
				for k := range scs {
					sc := border
					sc.aircraft = fmt.Sprintf("icao:A%05X", k)
					sc.start = start.Add(time.Duration(generation) * 24 * time.Hour)
					sc.n, sc.cross, sc.authFrom = sh.length, sh.length/3, 2*sh.length/3
					scs[k] = sc.build()
				}
				generation++
			}
			regenerate()
			n := 0
			batch := make([]store.Applied, 0, sh.size)
			var seq uint64
			b.ReportAllocs()
			for b.Loop() {
				if (n+1)*per > sh.length {
					b.StopTimer()
					regenerate()
					n = 0
					b.StartTimer()
				}
				batch = batch[:0]
				for k := range scs {
					batch = append(batch, scs[k][n*per:(n+1)*per]...)
				}
				n++
				seq++
				if err := s.SaveApplied(ctx, store.Batch{Applied: batch, Checkpoint: store.Checkpoint{Stream: "positions", Seq: seq}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(sh.size)*float64(b.N)/b.Elapsed().Seconds(), "fixes/s")
		})
	}
}

// AnchorColumns is the column list of the anchor table: the fixes table's
// columns, without key or index, for BenchAnchor.
const AnchorColumns = `flight_id TEXT, seq INTEGER, time_ns BIGINT, aircraft TEXT, source INTEGER, lat DOUBLE PRECISION, lon DOUBLE PRECISION,
	has INTEGER, altitude DOUBLE PRECISION, alt_ref INTEGER, ground_speed DOUBLE PRECISION, track DOUBLE PRECISION, vertical_rate DOUBLE PRECISION,
	on_ground BOOLEAN, accuracy DOUBLE PRECISION, callsign TEXT, squawk TEXT, footprint TEXT, country TEXT, depth DOUBLE PRECISION,
	verdict TEXT, authorisation_id TEXT, map BOOLEAN`

// BenchAnchor measures a backend's plainest bulk insert of the same fixes
// Bench writes: insert is given 1,000 rows of the fixes table's 23 column
// values per call, to write in one transaction into an unkeyed table
// (AnchorColumns). It reports fixes/s.
func BenchAnchor(b *testing.B, insert func(rows [][]any) error) {
	const size = 1000
	b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
		sc := border
		sc.n, sc.cross, sc.authFrom = 20*size, 20*size/3, 2*20*size/3
		all := sc.build()
		cols := make([][]any, len(all))
		for i := range all {
			cols[i] = sqlstore.FixArgs(nil, &all[i], i%10 == 0)
		}
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			if (n+1)*size > len(cols) {
				n = 0
			}
			if err := insert(cols[n*size : (n+1)*size]); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(size)*float64(b.N)/b.Elapsed().Seconds(), "fixes/s")
	})
}
