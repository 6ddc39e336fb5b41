package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"

	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/internal/rows"
	"github.com/vigia/vigia/internal/track"
)

// Dialect is what differs between the backends.
type Dialect struct {
	Name string // "sqlite" or "postgres", in error messages
	// Dollar numbers placeholders $1, $2, … (PostgreSQL) instead of ?.
	Dollar bool
	// Blob is the type of binary columns; NoRowID is appended to tables
	// keyed by a composite primary key; IDKey is the type and constraint
	// of an integer primary key the database numbers when it is not
	// given.
	Blob, NoRowID, IDKey string
	// MigrationLock, when not empty, is executed first in the migration
	// transaction to serialise concurrent openers.
	MigrationLock string
	// SerialWrites serialises write transactions inside the process
	// (SQLite has one writer).
	SerialWrites bool
	// Unnest inserts the chunks of a batch in one statement of column
	// array parameters (INSERT … SELECT FROM unnest(…)) and looks flights
	// up by an array (id = ANY(…)), PostgreSQL, instead of multi-row
	// inserts and IN lists.
	Unnest bool
}

// DB is a store.Store over a *sql.DB.
type DB struct {
	db      *sql.DB
	d       *Dialect
	wmu     sync.Mutex
	marker  rows.MapMarker
	closeMu sync.Mutex
	closed  bool
	q       sync.Map // query text → dialect's text
	stmtMu  sync.Mutex
	stmts   map[string]*sql.Stmt // prepared on the pool, by dialect's text
}

// stmt returns the statement q (in the dialect's text) for tx, prepared
// once on the pool so that each connection parses it once; the caller
// closes the returned statement (which leaves the pool's open).
func (s *DB) stmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	st, ok := s.stmts[q]
	if !ok {
		var err error
		if st, err = s.db.PrepareContext(ctx, q); err != nil {
			s.stmtMu.Unlock()
			return nil, err
		}
		if s.stmts == nil {
			s.stmts = map[string]*sql.Stmt{}
		}
		s.stmts[q] = st
	}
	s.stmtMu.Unlock()
	return tx.StmtContext(ctx, st), nil
}

var _ store.Store = (*DB)(nil)

// Open migrates db to the latest schema and returns the store, which owns
// db and closes it on Close.
func Open(ctx context.Context, db *sql.DB, d *Dialect) (*DB, error) {
	s := &DB{db: db, d: d}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// rebind turns ? placeholders into $n for PostgreSQL. Queries hold no
// literal question marks.
func (s *DB) rebind(q string) string {
	if !s.d.Dollar {
		return q
	}
	if v, ok := s.q.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	s.q.Store(q, b.String())
	return b.String()
}

func (s *DB) check() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	return nil
}

// Close closes the database; later calls do nothing.
func (s *DB) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	return s.db.Close()
}

func (s *DB) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin migration: %w", s.d.Name, err)
	}
	defer tx.Rollback()
	if s.d.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, s.d.MigrationLock); err != nil {
			return fmt.Errorf("%s: migration lock: %w", s.d.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ns BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("%s: schema_migrations: %w", s.d.Name, err)
	}
	var cur sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&cur); err != nil {
		return fmt.Errorf("%s: schema_migrations: %w", s.d.Name, err)
	}
	if int(cur.Int64) > Latest {
		return fmt.Errorf("%s: schema version %d, this program knows up to %d: %w", s.d.Name, cur.Int64, Latest, store.ErrSchemaTooNew)
	}
	for _, m := range Migrations {
		if m.Version <= int(cur.Int64) {
			continue
		}
		for i, q := range m.SQL {
			if _, err := tx.ExecContext(ctx, s.d.ddl(q)); err != nil {
				return fmt.Errorf("%s: migration %d statement %d: %w", s.d.Name, m.Version, i, err)
			}
		}
		if m.Convert != nil {
			if err := m.Convert(ctx, s, tx); err != nil {
				return fmt.Errorf("%s: migration %d: %w", s.d.Name, m.Version, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO schema_migrations (version, name, applied_ns) VALUES (?, ?, ?)`), m.Version, m.Name, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("%s: recording migration %d: %w", s.d.Name, m.Version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit migration: %w", s.d.Name, err)
	}
	return nil
}

// SchemaVersion returns the highest applied migration.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("%s: schema version: %w", s.d.Name, err)
	}
	return int(v.Int64), nil
}

// write runs fn in one write transaction.
func (s *DB) write(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	if err := s.check(); err != nil {
		return err
	}
	if s.d.SerialWrites {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %s: begin: %w", s.d.Name, what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %s: commit: %w", s.d.Name, what, err)
	}
	return nil
}

// FixArgs appends the 23 column values of one fix, in the order of the
// columns of the fixes table of schema version 2 (one row per fix), to
// args.
func FixArgs(args []any, a *store.Applied, isMap bool) []any {
	f := &a.Fix
	p := &f.Position
	return append(args, f.FlightID, f.Seq, rows.Nanos(p.Time), p.ID, int(p.Source),
		float64(p.Lat), float64(p.Lon), int(p.Has), float64(p.Altitude), int(p.AltitudeRef),
		p.GroundSpeed, float64(p.Track), p.VerticalRate, p.OnGround, float64(p.Accuracy),
		p.Callsign, p.Squawk, rows.EncodeFootprint(p.Footprint), f.Country, float64(f.Depth),
		a.Assessment.Verdict.String(), a.Assessment.AuthorisationID, isMap)
}

// flightNewer is the condition for a flight's state to replace the stored
// one.
const flightNewer = `(excluded.fixes > flights.fixes OR (excluded.fixes = flights.fixes AND excluded.implausible > flights.implausible))`

// flightInsertState and flightInsertHead are the heads of the flights
// upserts flightUpsertState and flightUpsertHead.
const (
	flightInsertState = `INSERT INTO flights (id, aircraft, callsign, source, start_ns, end_ns, fixes, crossings, implausible, stay) VALUES `
	flightInsertHead  = `INSERT INTO flights (id, aircraft, callsign, source, start_ns, end_ns, fixes, crossings, implausible, stay, stored_seq, last_chunk) VALUES `
)

// flightUpsertState replaces a flight's state by a newer one.
var flightUpsertState = strings.NewReplacer("NEWER", flightNewer).Replace(`
	ON CONFLICT (id) DO UPDATE SET callsign = excluded.callsign, source = excluded.source, end_ns = excluded.end_ns,
		fixes = excluded.fixes, crossings = excluded.crossings, implausible = excluded.implausible, stay = excluded.stay
	WHERE NEWER`)

// flightUpsertHead replaces a flight's state by a newer one, and raises
// its stored_seq and last_chunk independently.
var flightUpsertHead = strings.NewReplacer("NEWER", flightNewer).Replace(`
	ON CONFLICT (id) DO UPDATE SET
		callsign = CASE WHEN NEWER THEN excluded.callsign ELSE flights.callsign END,
		source = CASE WHEN NEWER THEN excluded.source ELSE flights.source END,
		end_ns = CASE WHEN NEWER THEN excluded.end_ns ELSE flights.end_ns END,
		fixes = CASE WHEN NEWER THEN excluded.fixes ELSE flights.fixes END,
		crossings = CASE WHEN NEWER THEN excluded.crossings ELSE flights.crossings END,
		implausible = CASE WHEN NEWER THEN excluded.implausible ELSE flights.implausible END,
		stay = CASE WHEN NEWER THEN excluded.stay ELSE flights.stay END,
		stored_seq = CASE WHEN excluded.stored_seq > flights.stored_seq THEN excluded.stored_seq ELSE flights.stored_seq END,
		last_chunk = CASE WHEN excluded.last_chunk > flights.last_chunk THEN excluded.last_chunk ELSE flights.last_chunk END
	WHERE NEWER OR excluded.stored_seq > flights.stored_seq OR excluded.last_chunk > flights.last_chunk`)

const crossingInsert = `INSERT INTO crossings (flight_id, time_ns, from_airspace, to_airspace, lat, lon, before_seq, after_seq, left_stay)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (flight_id, time_ns, from_airspace, to_airspace) DO NOTHING`

const alertInsert = `INSERT INTO alerts (id, flight_id, aircraft, callsign, operator, airspace, start_ns, last_ns, end_ns, first_seq, last_seq, fixes, max_depth, first_lat, first_lon, last_lat, last_lon, open) VALUES `

const alertConflict = ` ON CONFLICT (id) DO UPDATE SET callsign = excluded.callsign, last_ns = excluded.last_ns, end_ns = excluded.end_ns,
		last_seq = excluded.last_seq, fixes = excluded.fixes, max_depth = excluded.max_depth,
		last_lat = excluded.last_lat, last_lon = excluded.last_lon, open = excluded.open
	WHERE excluded.last_seq > alerts.last_seq OR (excluded.last_seq = alerts.last_seq AND alerts.open AND NOT excluded.open)`

const checkpointUpsert = `INSERT INTO checkpoints (stream, seq) VALUES (?, ?)
	ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > checkpoints.seq`

const checkpointStateUpsert = `INSERT INTO checkpoints (stream, seq, state) VALUES (?, ?, ?)
	ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq, state = excluded.state WHERE excluded.seq >= checkpoints.seq`

// SaveApplied writes b in one transaction: the fixes of each flight that
// are not stored yet (above the flight's stored_seq watermark) as one
// chunk linked to the flight's previous one.
func (s *DB) SaveApplied(ctx context.Context, b store.Batch) error {
	red, err := rows.Reduce(&b)
	if err != nil {
		return fmt.Errorf("%s: save: %w", s.d.Name, err)
	}
	for i := range b.Applied {
		if err := store.Validate(i, &b.Applied[i]); err != nil {
			return fmt.Errorf("%s: save: %w", s.d.Name, err)
		}
	}
	var commit func()
	err = s.write(ctx, "save", func(tx *sql.Tx) error {
		flags, c, err := s.marker.Mark(b.Applied, func(id string, seq int) (time.Time, bool, error) {
			return s.fixTime(ctx, tx, id, seq)
		})
		if err != nil {
			return err
		}
		commit = c
		if err := s.saveChunks(ctx, tx, b.Applied, red.Flights, flags); err != nil {
			return err
		}
		if err := s.saveCrossings(ctx, tx, b.Applied); err != nil {
			return err
		}
		if err := s.saveAlerts(ctx, tx, red.Alerts); err != nil {
			return err
		}
		if b.Checkpoint.Stream != "" && b.Checkpoint.State != nil {
			if _, err := tx.ExecContext(ctx, s.rebind(checkpointStateUpsert), b.Checkpoint.Stream, int64(b.Checkpoint.Seq), b.Checkpoint.State); err != nil {
				return fmt.Errorf("%s: save: checkpoint %s: %w", s.d.Name, b.Checkpoint.Stream, err)
			}
		} else if b.Checkpoint.Stream != "" {
			if _, err := tx.ExecContext(ctx, s.rebind(checkpointUpsert), b.Checkpoint.Stream, int64(b.Checkpoint.Seq)); err != nil {
				return fmt.Errorf("%s: save: checkpoint %s: %w", s.d.Name, b.Checkpoint.Stream, err)
			}
		}
		return nil
	})
	if err == nil && commit != nil {
		commit()
	}
	return err
}

// saveFlights upserts the flights' states; with heads (SerialWrites), it
// also raises their stored_seq and last_chunk.
func (s *DB) saveFlights(ctx context.Context, tx *sql.Tx, fl []track.Flight, heads map[string]head) error {
	ins, cols, tail := flightInsertState, 10, flightUpsertState
	if heads != nil {
		ins, cols, tail = flightInsertHead, 12, flightUpsertHead
	}
	return s.multiInsert(ctx, tx, "flights", ins, cols, tail, 32, len(fl), func(args []any, i int) []any {
		f := &fl[i]
		args = append(args, f.ID, f.Aircraft, f.Callsign, int(f.Source), rows.Nanos(f.Start), rows.Nanos(f.End),
			f.Fixes, f.Crossings, f.Implausible, rows.EncodeStay(f.Stay))
		if heads != nil {
			h, ok := heads[f.ID]
			if !ok {
				h = head{stored: -1}
			}
			args = append(args, h.stored, h.last)
		}
		return args
	})
}

func (s *DB) saveCrossings(ctx context.Context, tx *sql.Tx, batch []store.Applied) error {
	var st *sql.Stmt
	for i := range batch {
		for _, c := range batch[i].Crossings {
			if st == nil {
				var err error
				if st, err = s.stmt(ctx, tx, s.rebind(crossingInsert)); err != nil {
					return fmt.Errorf("%s: save crossings: %w", s.d.Name, err)
				}
				defer st.Close()
			}
			if _, err := st.ExecContext(ctx, c.FlightID, rows.Nanos(c.Time), c.From, c.To, float64(c.Point.Lat), float64(c.Point.Lon),
				c.Before, c.After, rows.EncodeStay(c.Left)); err != nil {
				return fmt.Errorf("%s: save crossing applied[%d] of %s: %w", s.d.Name, i, c.FlightID, err)
			}
		}
	}
	return nil
}

func (s *DB) saveAlerts(ctx context.Context, tx *sql.Tx, al []compliance.Alert) error {
	return s.multiInsert(ctx, tx, "alerts", alertInsert, 18, alertConflict, 32, len(al), func(args []any, i int) []any {
		a := &al[i]
		return append(args, a.ID, a.FlightID, a.Aircraft, a.Callsign, a.Operator, a.Airspace,
			rows.Nanos(a.Start), rows.Nanos(a.Last), rows.Nanos(a.End), a.FirstSeq, a.LastSeq, a.Fixes, float64(a.MaxDepth),
			float64(a.FirstPoint.Lat), float64(a.FirstPoint.Lon), float64(a.LastPoint.Lat), float64(a.LastPoint.Lon), a.Open)
	})
}

// multiInsert writes count rows with the statement head + rows of cols
// placeholders + tail: per rows per statement, and the remainder in
// decreasing powers of two, so that few distinct statements are ever
// prepared; fill appends the values of row i to args. Rows must not
// conflict with each other.
func (s *DB) multiInsert(ctx context.Context, tx *sql.Tx, what, head string, cols int, tail string, per, count int, fill func(args []any, i int) []any) error {
	args := make([]any, 0, min(per, count)*cols)
	for lo := 0; lo < count; {
		n := per
		if rest := count - lo; rest < n {
			n = 1 << (bits.Len(uint(rest)) - 1)
		}
		args = args[:0]
		for i := lo; i < lo+n; i++ {
			args = fill(args, i)
		}
		st, err := s.stmt(ctx, tx, s.multiSQL(head, cols, tail, n))
		if err == nil {
			_, err = st.ExecContext(ctx, args...)
			st.Close()
		}
		if err != nil {
			return fmt.Errorf("%s: save %s [%d:%d]: %w", s.d.Name, what, lo, lo+n, err)
		}
		lo += n
	}
	return nil
}

// multiSQL returns head + n rows of cols placeholders + tail, in the
// dialect's text.
func (s *DB) multiSQL(head string, cols int, tail string, n int) string {
	key := strconv.Itoa(n) + "\x00" + head
	if v, ok := s.q.Load(key); ok {
		return v.(string)
	}
	var b strings.Builder
	b.WriteString(head)
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(tail)
	q := s.rebind(b.String())
	s.q.Store(key, q)
	return q
}

// Checkpoint returns the stored sequence of stream.
func (s *DB) Checkpoint(ctx context.Context, stream string) (uint64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var seq int64
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT seq FROM checkpoints WHERE stream = ?`), stream).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%s: checkpoint %s: %w", s.d.Name, stream, err)
	}
	return uint64(seq), nil
}

// CheckpointState returns the stored checkpoint of stream with its state.
func (s *DB) CheckpointState(ctx context.Context, stream string) (store.Checkpoint, error) {
	cp := store.Checkpoint{Stream: stream}
	if err := s.check(); err != nil {
		return cp, err
	}
	var seq int64
	var state []byte
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT seq, state FROM checkpoints WHERE stream = ?`), stream).Scan(&seq, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return cp, nil
	}
	if err != nil {
		return cp, fmt.Errorf("%s: checkpoint %s: %w", s.d.Name, stream, err)
	}
	cp.Seq, cp.State = uint64(seq), state
	return cp, nil
}

const flightCols = `id, aircraft, callsign, source, start_ns, end_ns, fixes, crossings, implausible, stay`

func scanFlight(sc interface{ Scan(...any) error }) (track.Flight, error) {
	var f track.Flight
	var src int
	var start, end int64
	var stay string
	if err := sc.Scan(&f.ID, &f.Aircraft, &f.Callsign, &src, &start, &end, &f.Fixes, &f.Crossings, &f.Implausible, &stay); err != nil {
		return f, err
	}
	f.Source = position.Source(src)
	f.Start, f.End = rows.Time(start), rows.Time(end)
	var err error
	f.Stay, err = rows.DecodeStay("flights.stay", stay)
	return f, err
}

// Flight returns one flight.
func (s *DB) Flight(ctx context.Context, id string) (track.Flight, error) {
	if err := s.check(); err != nil {
		return track.Flight{}, err
	}
	f, err := scanFlight(s.db.QueryRowContext(ctx, s.rebind(`SELECT `+flightCols+` FROM flights WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("flight %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("%s: flight %q: %w", s.d.Name, id, err)
	}
	return f, nil
}

// Flights lists flights, newest first.
func (s *DB) Flights(ctx context.Context, f store.FlightFilter) ([]track.Flight, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	q := `SELECT ` + flightCols + ` FROM flights WHERE 1 = 1`
	var args []any
	if f.Aircraft != "" {
		q += ` AND aircraft = ?`
		args = append(args, f.Aircraft)
	}
	if !f.From.IsZero() {
		q += ` AND end_ns >= ?`
		args = append(args, f.From.UnixNano())
	}
	if !f.To.IsZero() {
		q += ` AND start_ns < ?`
		args = append(args, f.To.UnixNano())
	}
	q += ` ORDER BY start_ns DESC, id`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	r, err := s.db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: flights: %w", s.d.Name, err)
	}
	defer r.Close()
	var out []track.Flight
	for r.Next() {
		fl, err := scanFlight(r)
		if err != nil {
			return nil, fmt.Errorf("%s: flights: %w", s.d.Name, err)
		}
		out = append(out, fl)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%s: flights: %w", s.d.Name, err)
	}
	return out, nil
}

const fixSelect = `SELECT flight_id, seq, time_ns, aircraft, source, lat, lon, has, altitude, alt_ref, ground_speed, track, vertical_rate, on_ground, accuracy, callsign, squawk, footprint, country, depth, verdict, authorisation_id, map FROM fixes`

// scanFix reads one row of fixSelect (the fixes table of schema
// version 2, read by migration 3).
func scanFix(r *sql.Rows) (compliance.AssessedFix, bool, error) {
	var a compliance.AssessedFix
	f := &a.Fix
	p := &f.Position
	var tns int64
	var src, has, ref int
	var lat, lon, alt, trk, acc, depth float64
	var fp sql.NullString
	var verdict string
	var isMap bool
	if err := r.Scan(&f.FlightID, &f.Seq, &tns, &p.ID, &src, &lat, &lon, &has, &alt, &ref, &p.GroundSpeed, &trk, &p.VerticalRate,
		&p.OnGround, &acc, &p.Callsign, &p.Squawk, &fp, &f.Country, &depth, &verdict, &a.AuthorisationID, &isMap); err != nil {
		return a, false, err
	}
	p.Time = rows.Time(tns)
	p.Source = position.Source(src)
	p.Lat, p.Lon = geo.Degrees(lat), geo.Degrees(lon)
	p.Has = position.Has(has)
	p.Altitude, p.AltitudeRef = geo.Meters(alt), position.AltitudeRef(ref)
	p.Track, p.Accuracy = geo.Degrees(trk), geo.Meters(acc)
	f.Depth = geo.Meters(depth)
	if fp.Valid {
		var err error
		if p.Footprint, err = rows.DecodeFootprint(&fp.String); err != nil {
			return a, false, fmt.Errorf("fix %s/%d: %w", f.FlightID, f.Seq, err)
		}
	}
	v, ok := compliance.ParseVerdict(verdict)
	if !ok {
		return a, false, fmt.Errorf("fix %s/%d: column verdict: unknown %q", f.FlightID, f.Seq, verdict)
	}
	a.Verdict = v
	return a, isMap, nil
}

// Crossings returns the crossings of a flight in time order.
func (s *DB) Crossings(ctx context.Context, flightID string) ([]track.Crossing, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	r, err := s.db.QueryContext(ctx, s.rebind(`SELECT flight_id, time_ns, from_airspace, to_airspace, lat, lon, before_seq, after_seq, left_stay
		FROM crossings WHERE flight_id = ? ORDER BY time_ns, before_seq, from_airspace, to_airspace`), flightID)
	if err != nil {
		return nil, fmt.Errorf("%s: crossings of %s: %w", s.d.Name, flightID, err)
	}
	defer r.Close()
	var out []track.Crossing
	for r.Next() {
		var c track.Crossing
		var tns int64
		var lat, lon float64
		var left string
		if err := r.Scan(&c.FlightID, &tns, &c.From, &c.To, &lat, &lon, &c.Before, &c.After, &left); err != nil {
			return nil, fmt.Errorf("%s: crossings of %s: %w", s.d.Name, flightID, err)
		}
		c.Time = rows.Time(tns)
		c.Point = geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}
		if c.Left, err = rows.DecodeStay("crossings.left_stay", left); err != nil {
			return nil, fmt.Errorf("%s: crossing of %s: %w", s.d.Name, flightID, err)
		}
		out = append(out, c)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%s: crossings of %s: %w", s.d.Name, flightID, err)
	}
	return out, nil
}

const alertCols = `id, flight_id, aircraft, callsign, operator, airspace, start_ns, last_ns, end_ns, first_seq, last_seq, fixes, max_depth, first_lat, first_lon, last_lat, last_lon, open`

func scanAlert(sc interface{ Scan(...any) error }) (compliance.Alert, error) {
	var a compliance.Alert
	var start, last, end int64
	var depth, flat, flon, llat, llon float64
	if err := sc.Scan(&a.ID, &a.FlightID, &a.Aircraft, &a.Callsign, &a.Operator, &a.Airspace, &start, &last, &end,
		&a.FirstSeq, &a.LastSeq, &a.Fixes, &depth, &flat, &flon, &llat, &llon, &a.Open); err != nil {
		return a, err
	}
	a.Start, a.Last, a.End = rows.Time(start), rows.Time(last), rows.Time(end)
	a.MaxDepth = geo.Meters(depth)
	a.FirstPoint = geo.LatLon{Lat: geo.Degrees(flat), Lon: geo.Degrees(flon)}
	a.LastPoint = geo.LatLon{Lat: geo.Degrees(llat), Lon: geo.Degrees(llon)}
	return a, nil
}

// Alert returns one alert.
func (s *DB) Alert(ctx context.Context, id string) (compliance.Alert, error) {
	if err := s.check(); err != nil {
		return compliance.Alert{}, err
	}
	a, err := scanAlert(s.db.QueryRowContext(ctx, s.rebind(`SELECT `+alertCols+` FROM alerts WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("alert %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("%s: alert %q: %w", s.d.Name, id, err)
	}
	return a, nil
}

// Alerts lists alerts, newest first.
func (s *DB) Alerts(ctx context.Context, f store.AlertFilter) ([]compliance.Alert, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	q := `SELECT ` + alertCols + ` FROM alerts WHERE 1 = 1`
	var args []any
	if f.OpenOnly {
		q += ` AND open`
	}
	if !f.Since.IsZero() {
		q += ` AND last_ns >= ?`
		args = append(args, f.Since.UnixNano())
	}
	q += ` ORDER BY start_ns DESC, id`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	r, err := s.db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: alerts: %w", s.d.Name, err)
	}
	defer r.Close()
	var out []compliance.Alert
	for r.Next() {
		a, err := scanAlert(r)
		if err != nil {
			return nil, fmt.Errorf("%s: alerts: %w", s.d.Name, err)
		}
		out = append(out, a)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%s: alerts: %w", s.d.Name, err)
	}
	return out, nil
}
