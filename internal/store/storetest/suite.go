package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/track"
)

// Backend is what the suite needs of a store implementation.
type Backend struct {
	// New returns the location (file path or DSN) of a fresh, empty
	// database for one test; it arranges its removal with t.Cleanup.
	New func(t testing.TB) string
	// Open opens the store at loc, migrating its schema.
	Open func(ctx context.Context, loc string) (store.Store, error)
	// Exec runs one SQL statement on the database at loc, outside the
	// store (to forge a newer schema).
	Exec func(t testing.TB, loc, stmt string, args ...any)
	// Int runs a query returning one integer on the database at loc.
	Int func(t testing.TB, loc, query string) int64
	// Blob and NoRowID are the dialect's type of binary columns and the
	// suffix of tables keyed by a composite key, and Dollar tells that
	// its placeholders are $n, for building a database of an older
	// schema; with Blob empty that test is skipped.
	Blob, NoRowID string
	Dollar        bool
}

func (b Backend) open(t testing.TB, loc string) store.Store {
	t.Helper()
	s, err := b.Open(context.Background(), loc)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (b Backend) fresh(t testing.TB) store.Store {
	t.Helper()
	return b.open(t, b.New(t))
}

var start = time.Date(2026, 3, 2, 8, 0, 0, 500_000_001, time.FixedZone("MST", -7*3600))

// border is a 60-fix flight that crosses into MEX at fix 30, unauthorised
// for 10 fixes (one alert) and authorised after.
var border = scenario{aircraft: "icao:AE1F01", start: start, step: time.Second, n: 60, cross: 30, authFrom: 40}

// Run runs the conformance suite on b.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"RoundTrip", testRoundTrip},
		{"MapFixes", testMapFixes},
		{"Idempotent", testIdempotent},
		{"Replays", testReplays},
		{"OutOfOrder", testOutOfOrder},
		{"ManyFlights", testManyFlights},
		{"MigrateVersion2", testMigrateVersion2},
		{"ConcurrentWriters", testConcurrentWriters},
		{"NoRegression", testNoRegression},
		{"FailedBatch", testFailedBatch},
		{"NotFound", testNotFound},
		{"Authorisations", testAuthorisations},
		{"Filters", testFilters},
		{"Reports", testReports},
		{"Checkpoint", testCheckpoint},
		{"Migrations", testMigrations},
		{"ConcurrentReaders", testConcurrentReaders},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, b) })
	}
}

func save(t testing.TB, s store.Store, b store.Batch) {
	t.Helper()
	if err := s.SaveApplied(context.Background(), b); err != nil {
		t.Fatalf("SaveApplied: %v", err)
	}
}

// checkFlight compares everything stored of one flight with the batch that
// wrote it.
func checkFlight(t testing.TB, s store.Store, batch []store.Applied) {
	t.Helper()
	ctx := context.Background()
	last := batch[len(batch)-1]
	id := last.Flight.ID
	f, err := s.Flight(ctx, id)
	if err != nil {
		t.Fatalf("Flight(%s): %v", id, err)
	}
	if want := utcFlight(last.Flight); !reflect.DeepEqual(f, want) {
		t.Errorf("Flight(%s):\n got %+v\nwant %+v", id, f, want)
	}
	fixes, err := s.Fixes(ctx, id)
	if err != nil {
		t.Fatalf("Fixes: %v", err)
	}
	want := assessed(batch)
	if len(fixes) != len(want) {
		t.Fatalf("Fixes(%s): %d fixes, want %d", id, len(fixes), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(fixes[i], want[i]) {
			t.Fatalf("fix %d:\n got %+v\nwant %+v", i, fixes[i], want[i])
		}
	}
	cs, err := s.Crossings(ctx, id)
	if err != nil {
		t.Fatalf("Crossings: %v", err)
	}
	if wc := crossings(batch); !reflect.DeepEqual(cs, wc) {
		t.Errorf("Crossings(%s):\n got %+v\nwant %+v", id, cs, wc)
	}
	for aid, wa := range alerts(batch) {
		a, err := s.Alert(ctx, aid)
		if err != nil {
			t.Fatalf("Alert(%s): %v", aid, err)
		}
		if !reflect.DeepEqual(a, wa) {
			t.Errorf("Alert(%s):\n got %+v\nwant %+v", aid, a, wa)
		}
	}
}

func testRoundTrip(t *testing.T, b Backend) {
	s := b.fresh(t)
	batch := border.build()
	save(t, s, store.Batch{Applied: batch})
	checkFlight(t, s, batch)
	// The values the round trip must keep bit for bit.
	fixes, _ := s.Fixes(context.Background(), border.flightID())
	p := fixes[3].Fix.Position
	if p.Footprint == nil || p.Footprint.SlantRange != 12345.678901234567 || p.GroundSpeed != 0.1+0.2 ||
		p.Time.Nanosecond() != 500_000_001 || p.Time.Location() != time.UTC || p.Callsign != "VIGÍA01" {
		t.Errorf("fix 3 lost precision or zone: %+v (footprint %+v)", p, p.Footprint)
	}
	if math.Float64bits(float64(fixes[5].Fix.Position.Lat)) != math.Float64bits(float64(batch[5].Fix.Position.Lat)) {
		t.Errorf("latitude bits changed")
	}
	al, err := s.Alerts(context.Background(), store.AlertFilter{})
	if err != nil || len(al) != 1 || al[0].Open || al[0].Fixes != 10 || al[0].FirstSeq != 30 || al[0].LastSeq != 39 {
		t.Errorf("Alerts = %+v, %v; want one closed alert of 10 fixes 30..39", al, err)
	}
}

// wantMap is the map rule computed independently: first fix, the fix after
// a crossing, alert opening and closing fixes, and the first fix of each
// 10-second slot of Unix time.
func wantMap(batch []store.Applied) []int {
	var out []int
	for i, a := range batch {
		slot := a.Fix.Position.Time.Unix() / 10
		if i == 0 || len(a.Crossings) > 0 || a.Assessment.AlertNew || a.Assessment.Closed != nil ||
			slot != batch[i-1].Fix.Position.Time.Unix()/10 {
			out = append(out, a.Fix.Seq)
		}
	}
	return out
}

func testMapFixes(t *testing.T, b Backend) {
	loc := b.New(t)
	s := b.open(t, loc)
	// 1.5 s apart so slots hold 6 or 7 fixes; written in three batches,
	// the last after a re-open (no cache), so the previous fix comes from
	// the database too.
	sc := border
	sc.step = 1500 * time.Millisecond
	batch := sc.build()
	save(t, s, store.Batch{Applied: batch[:17]})
	save(t, s, store.Batch{Applied: batch[17:41]})
	s.Close()
	s = b.open(t, loc)
	save(t, s, store.Batch{Applied: batch[41:]})
	got, err := s.MapFixes(context.Background(), sc.flightID())
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int
	for _, f := range got {
		seqs = append(seqs, f.Fix.Seq)
	}
	want := wantMap(batch)
	if !reflect.DeepEqual(seqs, want) {
		t.Errorf("map fixes %v, want %v", seqs, want)
	}
	if len(want) >= len(batch)/2 || !contains(want, 30) || !contains(want, 40) {
		t.Errorf("rule did not downsample or missed the crossing/closing fix: %v", want)
	}
	all, _ := s.Fixes(context.Background(), sc.flightID())
	if len(all) != len(batch) {
		t.Errorf("%d fixes stored, want all %d", len(all), len(batch))
	}
	if !reflect.DeepEqual(got[2], assessed(batch)[got[2].Fix.Seq]) {
		t.Errorf("map fix differs from the stored fix: %+v", got[2])
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// counts gives the rows of each table; fixes counts the fixes held in
// chunks (the sum of their n, overlaps counted twice).
func counts(t testing.TB, b Backend, loc string) string {
	var parts []string
	for _, tab := range []string{"flights", "fix_chunks", "crossings", "alerts", "checkpoints"} {
		parts = append(parts, fmt.Sprintf("%s=%d", tab, b.Int(t, loc, "SELECT COUNT(*) FROM "+tab)))
	}
	parts = append(parts, fmt.Sprintf("fixes=%d", storedFixes(t, b, loc)))
	return strings.Join(parts, " ")
}

func storedFixes(t testing.TB, b Backend, loc string) int64 {
	return b.Int(t, loc, "SELECT COALESCE(SUM(n), 0) FROM fix_chunks")
}

func testIdempotent(t *testing.T, b Backend) {
	loc := b.New(t)
	s := b.open(t, loc)
	batch := border.build()
	bt := store.Batch{Applied: batch, Checkpoint: store.Checkpoint{Stream: "positions", Seq: 60}}
	save(t, s, bt)
	before := counts(t, b, loc)
	if before != "flights=1 fix_chunks=1 crossings=1 alerts=1 checkpoints=1 fixes=60" {
		t.Fatalf("counts after one batch: %s", before)
	}
	save(t, s, bt)
	// A replay of a part, and of the whole in smaller batches.
	save(t, s, store.Batch{Applied: batch[20:45]})
	// Redelivered messages inside one batch: the same fixes twice.
	save(t, s, store.Batch{Applied: append(append([]store.Applied(nil), batch[25:35]...), batch[25:35]...)})
	for i := 0; i < len(batch); i += 7 {
		save(t, s, store.Batch{Applied: batch[i:min(i+7, len(batch))]})
	}
	if after := counts(t, b, loc); after != before {
		t.Errorf("after replays: %s, want %s", after, before)
	}
	checkFlight(t, s, batch)
}

// testNoRegression replays an older state of a flight and an alert after
// the newer one: neither goes back.
func testNoRegression(t *testing.T, b Backend) {
	s := b.fresh(t)
	batch := border.build()
	save(t, s, store.Batch{Applied: batch})
	old := batch[35] // flight at 36 fixes, alert open at fix 35
	save(t, s, store.Batch{Applied: []store.Applied{old}, Alerts: []compliance.Alert{*batch[33].Assessment.Alert}})
	checkFlight(t, s, batch)
}

func testFailedBatch(t *testing.T, b Backend) {
	loc := b.New(t)
	s := b.open(t, loc)
	ctx := context.Background()
	sc := border
	sc.n = 2500
	sc.cross, sc.authFrom = 20, 2400
	batch := sc.build()
	first := batch[:35] // alert open at fix 34
	// The first fixes, twice in the batch (a redelivery).
	save(t, s, store.Batch{Applied: append(append([]store.Applied(nil), first...), first[30:]...), Checkpoint: store.Checkpoint{Stream: "positions", Seq: 35}})
	before := counts(t, b, loc)
	rest := append([]store.Applied(nil), batch[35:]...)
	// A bad record far into the batch, after more fixes than one chunk
	// holds: the whole batch is refused.
	bad := 2100 - 35
	rest[bad].Fix.Position.Lat = 91
	err := s.SaveApplied(ctx, store.Batch{Applied: rest, Checkpoint: store.Checkpoint{Stream: "positions", Seq: 2500}})
	if !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("SaveApplied with a bad fix: %v, want ErrInvalid", err)
	}
	if want := fmt.Sprintf("applied[%d].fix.lat", bad); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
	if after := counts(t, b, loc); after != before {
		t.Errorf("after the failed batch: %s, want %s", after, before)
	}
	checkFlight(t, s, first)
	if cp, _ := s.Checkpoint(ctx, "positions"); cp != 35 {
		t.Errorf("checkpoint %d after the failed batch, want 35", cp)
	}
	// An invalid alert fails the batch too.
	badAlert := *first[34].Assessment.Alert
	badAlert.MaxDepth = geo.Meters(math.NaN())
	err = s.SaveApplied(ctx, store.Batch{Applied: batch[35:40], Alerts: []compliance.Alert{badAlert}})
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "alerts[0].max_depth_m") {
		t.Errorf("SaveApplied with a NaN alert depth: %v", err)
	}
	if after := counts(t, b, loc); after != before {
		t.Errorf("after the failed alert batch: %s, want %s", after, before)
	}
	// The store still works, and the good batch then goes in whole.
	rest[bad].Fix.Position.Lat = batch[2100].Fix.Position.Lat
	save(t, s, store.Batch{Applied: rest})
	checkFlight(t, s, batch)
}

func testNotFound(t *testing.T, b Backend) {
	s := b.fresh(t)
	ctx := context.Background()
	save(t, s, store.Batch{Applied: border.build()})
	if _, err := s.Flight(ctx, "icao:000000@2026-01-01T00:00:00.000Z"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Flight(unknown): %v", err)
	}
	if _, err := s.Alert(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Alert(unknown): %v", err)
	}
	if _, err := s.Report(ctx, border.flightID(), "json"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Report(unknown): %v", err)
	}
	if err := s.RevokeAuthorisation(ctx, "AUT-X", start); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeAuthorisation(unknown): %v", err)
	}
	if f, err := s.Fixes(ctx, "unknown"); err != nil || len(f) != 0 {
		t.Errorf("Fixes(unknown) = %d, %v", len(f), err)
	}
}

func parseAuth(t testing.TB, id, note string) *compliance.Authorisation {
	t.Helper()
	a, err := compliance.ParseAuthorisation(strings.NewReader(fmt.Sprintf(authJSON, id, note)), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func authIDs(as []*compliance.Authorisation) string {
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return strings.Join(ids, ",")
}

func testAuthorisations(t *testing.T, b Backend) {
	s := b.fresh(t)
	ctx := context.Background()
	a2, a1 := parseAuth(t, "AUT-2", "second"), parseAuth(t, "AUT-1", "first ñ")
	for _, a := range []*compliance.Authorisation{a2, a1} {
		if err := s.AddAuthorisation(ctx, a); err != nil {
			t.Fatalf("AddAuthorisation(%s): %v", a.ID, err)
		}
	}
	if err := s.AddAuthorisation(ctx, parseAuth(t, "AUT-1", "first ñ")); err != nil {
		t.Errorf("adding the same authorisation again: %v", err)
	}
	if err := s.AddAuthorisation(ctx, parseAuth(t, "AUT-1", "changed")); !errors.Is(err, store.ErrExists) {
		t.Errorf("adding other content under AUT-1: %v, want ErrExists", err)
	}
	invalid := parseAuth(t, "AUT-3", "")
	invalid.Aircraft = nil
	if err := s.AddAuthorisation(ctx, invalid); !errors.Is(err, store.ErrInvalid) || !errors.Is(err, compliance.ErrBadAuthorisation) {
		t.Errorf("adding an invalid authorisation: %v", err)
	}
	got, err := s.Authorisations(ctx, false)
	if err != nil || authIDs(got) != "AUT-1,AUT-2" {
		t.Fatalf("Authorisations = %s, %v", authIDs(got), err)
	}
	if !reflect.DeepEqual(got[0], a1) {
		t.Errorf("AUT-1 round trip:\n got %+v\nwant %+v", got[0], a1)
	}
	at := time.Date(2026, 3, 2, 10, 30, 0, 123, time.FixedZone("CST", -6*3600))
	if err := s.RevokeAuthorisation(ctx, "AUT-1", at); err != nil {
		t.Fatalf("RevokeAuthorisation: %v", err)
	}
	if err := s.RevokeAuthorisation(ctx, "AUT-1", at.Add(time.Hour)); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("second revocation: %v, want ErrRevoked", err)
	}
	if got, _ := s.Authorisations(ctx, false); authIDs(got) != "AUT-2" {
		t.Errorf("unrevoked = %s, want AUT-2", authIDs(got))
	}
	all, err := s.Authorisations(ctx, true)
	if err != nil || authIDs(all) != "AUT-1,AUT-2" {
		t.Fatalf("all = %s, %v", authIDs(all), err)
	}
	if r := all[0].Revoked; r == nil || !r.Equal(at) {
		t.Errorf("AUT-1 revoked %v, want %v", r, at)
	}
	if all[0].ActiveAt(at) || !all[0].ActiveAt(at.Add(-time.Nanosecond)) {
		t.Errorf("revocation at %v not honoured by ActiveAt", at)
	}
}

func testFilters(t *testing.T, b Backend) {
	s := b.fresh(t)
	ctx := context.Background()
	// Three flights: two of one aircraft an hour apart, one of another.
	scs := []scenario{border, border, border}
	scs[1].start = start.Add(time.Hour)
	scs[2].aircraft = "klv:MQ-9A/SON-ORB-01"
	scs[2].start = start.Add(30 * time.Minute)
	scs[2].authFrom = 1000 // its alert stays open
	var all []store.Applied
	for _, sc := range scs {
		all = append(all, sc.build()...)
	}
	save(t, s, store.Batch{Applied: all})
	ids := func(fs []track.Flight, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range fs {
			out = append(out, f.ID)
		}
		return strings.Join(out, " ")
	}
	f0, f1, f2 := scs[0].flightID(), scs[1].flightID(), scs[2].flightID()
	cases := []struct {
		f    store.FlightFilter
		want string
	}{
		{store.FlightFilter{}, f1 + " " + f2 + " " + f0},
		{store.FlightFilter{Aircraft: "icao:AE1F01"}, f1 + " " + f0},
		{store.FlightFilter{Limit: 1}, f1},
		// Overlap: f0 ends at start+59 s; f2 starts at start+30 min.
		{store.FlightFilter{From: start.Add(59 * time.Second), To: start.Add(30 * time.Minute)}, f0},
		{store.FlightFilter{From: start.Add(60 * time.Second), To: start.Add(30*time.Minute + time.Nanosecond)}, f2},
	}
	for _, c := range cases {
		if got := ids(s.Flights(ctx, c.f)); got != c.want {
			t.Errorf("Flights(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
	aids := func(as []compliance.Alert, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return strings.Join(out, " ")
	}
	a0, a1, a2 := f0+"#30", f1+"#30", f2+"#30"
	acases := []struct {
		f    store.AlertFilter
		want string
	}{
		{store.AlertFilter{}, a1 + " " + a2 + " " + a0},
		{store.AlertFilter{OpenOnly: true}, a2},
		{store.AlertFilter{Limit: 2}, a1 + " " + a2},
		{store.AlertFilter{Since: start.Add(39 * time.Second)}, a1 + " " + a2 + " " + a0},
		{store.AlertFilter{Since: start.Add(39*time.Second + time.Nanosecond)}, a1 + " " + a2},
	}
	for _, c := range acases {
		if got := aids(s.Alerts(ctx, c.f)); got != c.want {
			t.Errorf("Alerts(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
}

func testReports(t *testing.T, b Backend) {
	s := b.fresh(t)
	ctx := context.Background()
	id := border.flightID()
	html := []byte("<html>\x00\xff binary-safe</html>")
	if err := s.SaveReport(ctx, id, "html", html); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveReport(ctx, id, "json", []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveReport(ctx, id, "json", []byte(`{"v":2}`)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Report(ctx, id, "html"); err != nil || string(got) != string(html) {
		t.Errorf("Report html = %q, %v", got, err)
	}
	if got, err := s.Report(ctx, id, "json"); err != nil || string(got) != `{"v":2}` {
		t.Errorf("Report json = %q, %v; want the replacement", got, err)
	}
	if _, err := s.Report(ctx, id, "geojson"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Report geojson: %v", err)
	}
	if err := s.SaveReport(ctx, "", "json", nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SaveReport without flight: %v", err)
	}
}

func testCheckpoint(t *testing.T, b Backend) {
	s := b.fresh(t)
	ctx := context.Background()
	batch := border.build()
	steps := []struct {
		stream string
		seq    uint64
		want   uint64
	}{{"positions", 10, 10}, {"positions", 5, 10}, {"positions", 10, 10}, {"positions", 20, 20}, {"", 99, 20}, {"positions", 1<<63 - 1, 1<<63 - 1}}
	for i, st := range steps {
		save(t, s, store.Batch{Applied: batch[i : i+1], Checkpoint: store.Checkpoint{Stream: st.stream, Seq: st.seq}})
		if got, err := s.Checkpoint(ctx, "positions"); err != nil || got != st.want {
			t.Errorf("step %d: checkpoint %d, %v; want %d", i, got, err, st.want)
		}
	}
	if got, err := s.Checkpoint(ctx, "other"); err != nil || got != 0 {
		t.Errorf("unknown stream: %d, %v", got, err)
	}
	if err := s.SaveApplied(ctx, store.Batch{Checkpoint: store.Checkpoint{Stream: "positions", Seq: 1 << 63}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("checkpoint 2^63: %v, want ErrInvalid", err)
	}
	// A state goes with its checkpoint, and only forward or in place.
	if cp, err := s.CheckpointState(ctx, "positions"); err != nil || cp.Seq != 1<<63-1 || cp.State != nil {
		t.Errorf("checkpoint without state: %+v, %v", cp, err)
	}
	save(t, s, store.Batch{Checkpoint: store.Checkpoint{Stream: "acct", Seq: 7, State: []byte("seven")}})
	save(t, s, store.Batch{Checkpoint: store.Checkpoint{Stream: "acct", Seq: 6, State: []byte("six")}})
	if cp, err := s.CheckpointState(ctx, "acct"); err != nil || cp.Seq != 7 || string(cp.State) != "seven" {
		t.Errorf("state after an older checkpoint: %+v, %v; want 7 seven", cp, err)
	}
	save(t, s, store.Batch{Checkpoint: store.Checkpoint{Stream: "acct", Seq: 7, State: []byte("seven again")}})
	save(t, s, store.Batch{Checkpoint: store.Checkpoint{Stream: "acct", Seq: 9, State: []byte("nine")}})
	if cp, err := s.CheckpointState(ctx, "acct"); err != nil || cp.Seq != 9 || string(cp.State) != "nine" {
		t.Errorf("state: %+v, %v; want 9 nine", cp, err)
	}
	if cp, err := s.CheckpointState(ctx, "none"); err != nil || cp.Seq != 0 || cp.State != nil || cp.Stream != "none" {
		t.Errorf("unknown stream: %+v, %v", cp, err)
	}
	// A checkpoint alone (a batch of messages that stored nothing).
	save(t, s, store.Batch{Checkpoint: store.Checkpoint{Stream: "alerts", Seq: 3}})
	if got, _ := s.Checkpoint(ctx, "alerts"); got != 3 {
		t.Errorf("alerts checkpoint %d, want 3", got)
	}
}

func testMigrations(t *testing.T, b Backend) {
	ctx := context.Background()
	loc := b.New(t)
	s := b.open(t, loc)
	v, err := s.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	if n := b.Int(t, loc, "SELECT COUNT(*) FROM schema_migrations"); n != int64(v) {
		t.Errorf("%d migrations recorded, want %d", n, v)
	}
	save(t, s, store.Batch{Applied: border.build()})
	s.Close()
	// Re-open: nothing applied again, data kept.
	s = b.open(t, loc)
	if v2, err := s.SchemaVersion(ctx); err != nil || v2 != v {
		t.Errorf("after re-open SchemaVersion = %d, %v; want %d", v2, err, v)
	}
	if n := b.Int(t, loc, "SELECT COUNT(*) FROM schema_migrations"); n != int64(v) {
		t.Errorf("after re-open %d migrations recorded, want %d", n, v)
	}
	checkFlight(t, s, border.build())
	s.Close()
	// A database of a newer schema is refused, and left as it was.
	b.Exec(t, loc, fmt.Sprintf("INSERT INTO schema_migrations (version, name, applied_ns) VALUES (%d, 'from the future', 0)", v+1))
	if s, err := b.Open(ctx, loc); !errors.Is(err, store.ErrSchemaTooNew) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("opening a newer schema: %v, want ErrSchemaTooNew", err)
	} else if want := fmt.Sprintf("schema version %d", v+1); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if n := storedFixes(t, b, loc); n != int64(border.n) {
		t.Errorf("refused database has %d fixes, want %d", n, border.n)
	}
}

// testConcurrentReaders reads a flight while batches of it are written:
// every read sees whole batches (a multiple of the batch size, contiguous
// Seq), never part of one.
func testConcurrentReaders(t *testing.T, b Backend) {
	s := b.fresh(t)
	ctx := context.Background()
	sc := border
	sc.n, sc.cross, sc.authFrom = 4000, 1<<30, 1<<30
	batch := sc.build()
	const size = 500
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	var reads [4]int
	for r := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				fixes, err := s.Fixes(ctx, sc.flightID())
				if err != nil {
					errs <- err
					return
				}
				if len(fixes)%size != 0 {
					errs <- fmt.Errorf("reader saw %d fixes, not a multiple of the batch size %d", len(fixes), size)
					return
				}
				for i, f := range fixes {
					if f.Fix.Seq != i {
						errs <- fmt.Errorf("reader saw seq %d at %d", f.Fix.Seq, i)
						return
					}
				}
				reads[r]++
			}
		}()
	}
	var werr error
	for i := 0; i < len(batch) && werr == nil; i += size {
		werr = s.SaveApplied(ctx, store.Batch{Applied: batch[i : i+size]})
	}
	close(done)
	wg.Wait()
	close(errs)
	if werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	for err := range errs {
		t.Error(err)
	}
	if fixes, _ := s.Fixes(ctx, sc.flightID()); len(fixes) != len(batch) {
		t.Errorf("%d fixes stored, want %d", len(fixes), len(batch))
	}
	t.Logf("reads during the writes: %v", reads)
}

func testClosed(t *testing.T, b Backend) {
	s, err := b.Open(context.Background(), b.New(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx := context.Background()
	if _, err := s.Flight(ctx, "x"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Flight after Close: %v", err)
	}
	if err := s.SaveApplied(ctx, store.Batch{Applied: border.build()}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("SaveApplied after Close: %v", err)
	}
}
