package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/internal/rows"
	"github.com/vigia/vigia/internal/store/internal/sqlstore"
)

// testReplays replays fixes grouped differently from how they were first
// stored, as a restarted server does: batches that are partly stored,
// and the same fixes twice and out of order in one batch. Only the fixes
// not yet stored are written, so chunks never overlap.
func testReplays(t *testing.T, b Backend) {
	loc := b.New(t)
	s := b.open(t, loc)
	batch := border.build()
	save(t, s, store.Batch{Applied: batch[:30]})
	save(t, s, store.Batch{Applied: batch[20:45]})
	mixed := append(append([]store.Applied(nil), batch[50:55]...), batch[40:52]...)
	save(t, s, store.Batch{Applied: mixed})
	save(t, s, store.Batch{Applied: batch[55:]})
	save(t, s, store.Batch{Applied: batch})
	if got, want := counts(t, b, loc), "flights=1 fix_chunks=4 crossings=1 alerts=1 checkpoints=0 fixes=60"; got != want {
		t.Errorf("counts %s, want %s", got, want)
	}
	checkFlight(t, s, batch)
	checkMap(t, s, batch, wantMap(batch))
}

// testOutOfOrder stores a flight's later fixes before its first ones: the
// watermark cannot pass the missing fixes, so the later write stores some
// fixes a second time, and readers give each fix once, as first stored
// (fix 10 was first stored without its predecessor, so it is a map fix).
func testOutOfOrder(t *testing.T, b Backend) {
	loc := b.New(t)
	s := b.open(t, loc)
	batch := border.build()
	save(t, s, store.Batch{Applied: batch[10:20]})
	save(t, s, store.Batch{Applied: batch[:30]})
	save(t, s, store.Batch{Applied: batch[30:]})
	if got, want := counts(t, b, loc), "flights=1 fix_chunks=3 crossings=1 alerts=1 checkpoints=0 fixes=70"; got != want {
		t.Errorf("counts %s, want %s", got, want)
	}
	checkFlight(t, s, batch)
	want := wantMap(batch)
	if !contains(want, 10) {
		want = append(want, 10)
		sortInts(want)
	}
	checkMap(t, s, batch, want)
	// Now the watermark has caught up: a replay stores nothing.
	save(t, s, store.Batch{Applied: batch})
	if n := storedFixes(t, b, loc); n != 70 {
		t.Errorf("%d fixes in chunks after a replay, want 70", n)
	}
}

// testManyFlights writes interleaved flights in batches, re-opening the
// store between them (so that the previous fix of each flight comes from
// the database), and reads each flight back.
func testManyFlights(t *testing.T, b Backend) {
	loc := b.New(t)
	s := b.open(t, loc)
	const flights = 40
	all := make([][]store.Applied, flights)
	for k := range all {
		sc := border
		sc.aircraft = fmt.Sprintf("icao:AE%04X", k)
		sc.step = 1500 * time.Millisecond
		sc.start = start.Add(time.Duration(k) * 700 * time.Millisecond)
		all[k] = sc.build()
	}
	for lo := 0; lo < border.n; lo += 20 {
		var batch []store.Applied
		for i := lo; i < lo+20; i++ {
			for k := range all {
				batch = append(batch, all[k][i])
			}
		}
		save(t, s, store.Batch{Applied: batch, Checkpoint: store.Checkpoint{Stream: "positions", Seq: uint64(lo + 20)}})
		s.Close()
		s = b.open(t, loc)
	}
	for k := range all {
		checkFlight(t, s, all[k])
		checkMap(t, s, all[k], wantMap(all[k]))
	}
	if got, want := counts(t, b, loc), fmt.Sprintf("flights=%d fix_chunks=%d crossings=%d alerts=%d checkpoints=1 fixes=%d", flights, 3*flights, flights, flights, flights*border.n); got != want {
		t.Errorf("counts %s, want %s", got, want)
	}
}

// checkMap compares the map fixes of batch's flight with the fixes of the
// given Seqs.
func checkMap(t testing.TB, s store.Store, batch []store.Applied, seqs []int) {
	t.Helper()
	got, err := s.MapFixes(context.Background(), batch[0].Flight.ID)
	if err != nil {
		t.Fatalf("MapFixes: %v", err)
	}
	all := assessed(batch)
	var want []compliance.AssessedFix
	for _, q := range seqs {
		want = append(want, all[q])
	}
	if !reflect.DeepEqual(got, want) {
		var g []int
		for _, f := range got {
			g = append(g, f.Fix.Seq)
		}
		t.Errorf("MapFixes(%s): seqs %v, want %v (or fields differ)", batch[0].Flight.ID, g, seqs)
	}
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// testMigrateVersion2 builds a database of schema version 2 (fixes as
// rows, map fixes flagged) with a whole flight and one with missing
// fixes, opens it with the current code, and reads the fixes back from
// the chunks the migration made; then replays both flights.
func testMigrateVersion2(t *testing.T, b Backend) {
	if b.Blob == "" {
		t.Skip("the backend does not describe its dialect")
	}
	ctx := context.Background()
	loc := b.New(t)
	rebind := func(q string) string {
		if !b.Dollar {
			return q
		}
		var out strings.Builder
		n := 0
		for _, c := range q {
			if c == '?' {
				n++
				out.WriteString("$" + strconv.Itoa(n))
				continue
			}
			out.WriteRune(c)
		}
		return out.String()
	}
	b.Exec(t, loc, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ns BIGINT NOT NULL)`)
	ddl := strings.NewReplacer("{{blob}}", b.Blob, "{{norowid}}", b.NoRowID)
	for _, m := range sqlstore.Migrations[:2] {
		for _, q := range m.SQL {
			b.Exec(t, loc, ddl.Replace(q))
		}
		b.Exec(t, loc, rebind(`INSERT INTO schema_migrations (version, name, applied_ns) VALUES (?, ?, ?)`), m.Version, m.Name, int64(0))
	}
	full := border.build()
	sc := border
	sc.aircraft = "icao:AE1F02"
	sc.step = 1500 * time.Millisecond
	gapped := sc.build()
	partial := append(append([]store.Applied(nil), gapped[:20]...), gapped[25:40]...)
	fixRow := "(" + strings.Repeat("?, ", 22) + "?)"
	fixIns := `INSERT INTO fixes (flight_id, seq, time_ns, aircraft, source, lat, lon, has, altitude, alt_ref, ground_speed, track, vertical_rate, on_ground, accuracy, callsign, squawk, footprint, country, depth, verdict, authorisation_id, map) VALUES ` + fixRow
	flightIns := rebind(`INSERT INTO flights (id, aircraft, callsign, source, start_ns, end_ns, fixes, crossings, implausible, stay) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	legacy := func(list []store.Applied) []int {
		f := list[len(list)-1].Flight
		b.Exec(t, loc, flightIns, f.ID, f.Aircraft, f.Callsign, int(f.Source), rows.Nanos(f.Start), rows.Nanos(f.End),
			f.Fixes, f.Crossings, f.Implausible, rows.EncodeStay(f.Stay))
		times := map[int]time.Time{}
		for _, a := range list {
			times[a.Fix.Seq] = a.Fix.Position.Time
		}
		var maps []int
		var args []any
		for i := range list {
			a := &list[i]
			isMap := store.IsMapFix(a, times[a.Fix.Seq-1])
			if isMap {
				maps = append(maps, a.Fix.Seq)
			}
			args = sqlstore.FixArgs(args, a, isMap)
		}
		b.Exec(t, loc, rebind(fixIns+strings.Repeat(", "+fixRow, len(list)-1)), args...)
		return maps
	}
	fullMap, partialMap := legacy(full), legacy(partial)

	s := b.open(t, loc)
	if v, err := s.SchemaVersion(ctx); err != nil || v != sqlstore.Latest {
		t.Fatalf("SchemaVersion after migrating = %d, %v; want %d", v, err, sqlstore.Latest)
	}
	for _, c := range []struct {
		list []store.Applied
		maps []int
	}{{full, fullMap}, {partial, partialMap}} {
		id := c.list[0].Flight.ID
		got, err := s.Fixes(ctx, id)
		if err != nil {
			t.Fatalf("Fixes(%s): %v", id, err)
		}
		if want := assessed(c.list); !reflect.DeepEqual(got, want) {
			t.Errorf("Fixes(%s) after migrating: %d fixes, differ from the %d rows", id, len(got), len(want))
		}
		mf, err := s.MapFixes(ctx, id)
		if err != nil {
			t.Fatalf("MapFixes(%s): %v", id, err)
		}
		var seqs []int
		for _, f := range mf {
			seqs = append(seqs, f.Fix.Seq)
		}
		if !reflect.DeepEqual(seqs, c.maps) {
			t.Errorf("MapFixes(%s) after migrating: %v, want %v", id, seqs, c.maps)
		}
	}
	if got, want := counts(t, b, loc), "flights=2 fix_chunks=2 crossings=0 alerts=0 checkpoints=0 fixes=95"; got != want {
		t.Errorf("counts after migrating %s, want %s", got, want)
	}
	// Replays: the whole flight stores nothing; the other stores the
	// fixes above its first gap (20 to 59, 25 to 39 a second time).
	save(t, s, store.Batch{Applied: full})
	save(t, s, store.Batch{Applied: gapped})
	if n := storedFixes(t, b, loc); n != 95+40 {
		t.Errorf("%d fixes in chunks after the replays, want %d", n, 95+40)
	}
	checkFlight(t, s, full)
	checkFlight(t, s, gapped)
}

// testConcurrentWriters writes one flight from three stores open on the
// same database at once, each all of it in batches of its own size (as
// two processes replaying the same stream): the flight's head is read
// and moved under the database's lock, so every fix is stored once.
func testConcurrentWriters(t *testing.T, b Backend) {
	loc := b.New(t)
	sc := border
	sc.n, sc.cross, sc.authFrom = 600, 200, 400
	batch := sc.build()
	sizes := []int{7, 11, 13}
	stores := make([]store.Store, len(sizes))
	for k := range stores {
		stores[k] = b.open(t, loc)
	}
	errs := make(chan error, len(sizes))
	for k, size := range sizes {
		go func() {
			for lo := 0; lo < len(batch); lo += size {
				if err := stores[k].SaveApplied(context.Background(), store.Batch{Applied: batch[lo:min(lo+size, len(batch))]}); err != nil {
					errs <- fmt.Errorf("writer %d: %w", k, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range sizes {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := storedFixes(t, b, loc); n != int64(len(batch)) {
		t.Errorf("%d fixes in chunks, want each of the %d once", n, len(batch))
	}
	checkFlight(t, stores[0], batch)
	checkMap(t, stores[1], batch, wantMap(batch))
}
