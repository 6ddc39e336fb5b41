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
	// keyed by a composite primary key.
	Blob, NoRowID string
	// MigrationLock, when not empty, is executed first in the migration
	// transaction to serialise concurrent openers.
	MigrationLock string
	// SerialWrites serialises write transactions inside the process
	// (SQLite has one writer).
	SerialWrites bool
	// FixRows is the number of fixes per multi-row INSERT.
	FixRows int
	// Unnest inserts the fixes of a batch in one statement of 23 array
	// parameters (INSERT … SELECT FROM unnest(…), PostgreSQL) instead of
	// multi-row inserts.
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

const fixCols = 23

const fixInsert = `INSERT INTO fixes (flight_id, seq, time_ns, aircraft, source, lat, lon, has, altitude, alt_ref, ground_speed, track, vertical_rate, on_ground, accuracy, callsign, squawk, footprint, country, depth, verdict, authorisation_id, map) VALUES `

// fixSQL returns the multi-row insert of n fixes.
func (s *DB) fixSQL(n int) string {
	key := "fixes:" + strconv.Itoa(n)
	if v, ok := s.q.Load(key); ok {
		return v.(string)
	}
	var b strings.Builder
	b.WriteString(fixInsert)
	row := "(" + strings.Repeat("?, ", fixCols-1) + "?)"
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(" ON CONFLICT (flight_id, seq) DO NOTHING")
	q := s.rebind(b.String())
	s.q.Store(key, q)
	return q
}

// FixArgs appends the 23 column values of one fix (in the order of the
// fixes table) to args.
func FixArgs(args []any, a *store.Applied, isMap bool) []any {
	f := &a.Fix
	p := &f.Position
	return append(args, f.FlightID, f.Seq, rows.Nanos(p.Time), p.ID, int(p.Source),
		float64(p.Lat), float64(p.Lon), int(p.Has), float64(p.Altitude), int(p.AltitudeRef),
		p.GroundSpeed, float64(p.Track), p.VerticalRate, p.OnGround, float64(p.Accuracy),
		p.Callsign, p.Squawk, rows.EncodeFootprint(p.Footprint), f.Country, float64(f.Depth),
		a.Assessment.Verdict.String(), a.Assessment.AuthorisationID, isMap)
}

const flightUpsert = `INSERT INTO flights (id, aircraft, callsign, source, start_ns, end_ns, fixes, crossings, implausible, stay)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET callsign = excluded.callsign, source = excluded.source, end_ns = excluded.end_ns,
		fixes = excluded.fixes, crossings = excluded.crossings, implausible = excluded.implausible, stay = excluded.stay
	WHERE excluded.fixes > flights.fixes OR (excluded.fixes = flights.fixes AND excluded.implausible > flights.implausible)`

const crossingInsert = `INSERT INTO crossings (flight_id, time_ns, from_airspace, to_airspace, lat, lon, before_seq, after_seq, left_stay)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (flight_id, time_ns, from_airspace, to_airspace) DO NOTHING`

const alertUpsert = `INSERT INTO alerts (id, flight_id, aircraft, callsign, operator, airspace, start_ns, last_ns, end_ns, first_seq, last_seq, fixes, max_depth, first_lat, first_lon, last_lat, last_lon, open)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET callsign = excluded.callsign, last_ns = excluded.last_ns, end_ns = excluded.end_ns,
		last_seq = excluded.last_seq, fixes = excluded.fixes, max_depth = excluded.max_depth,
		last_lat = excluded.last_lat, last_lon = excluded.last_lon, open = excluded.open
	WHERE excluded.last_seq > alerts.last_seq OR (excluded.last_seq = alerts.last_seq AND alerts.open AND NOT excluded.open)`

const checkpointUpsert = `INSERT INTO checkpoints (stream, seq) VALUES (?, ?)
	ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > checkpoints.seq`

const checkpointStateUpsert = `INSERT INTO checkpoints (stream, seq, state) VALUES (?, ?, ?)
	ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq, state = excluded.state WHERE excluded.seq >= checkpoints.seq`

// SaveApplied writes b in one transaction.
func (s *DB) SaveApplied(ctx context.Context, b store.Batch) error {
	red, err := rows.Reduce(&b)
	if err != nil {
		return fmt.Errorf("%s: save: %w", s.d.Name, err)
	}
	var commit func()
	err = s.write(ctx, "save", func(tx *sql.Tx) error {
		prevStmt, err := s.stmt(ctx, tx, s.rebind(`SELECT time_ns FROM fixes WHERE flight_id = ? AND seq = ?`))
		if err != nil {
			return fmt.Errorf("%s: save: %w", s.d.Name, err)
		}
		defer prevStmt.Close()
		flags, c, err := s.marker.Mark(b.Applied, func(id string, seq int) (time.Time, bool, error) {
			var ns int64
			err := prevStmt.QueryRowContext(ctx, id, seq).Scan(&ns)
			if errors.Is(err, sql.ErrNoRows) {
				return time.Time{}, false, nil
			}
			if err != nil {
				return time.Time{}, false, fmt.Errorf("%s: save: previous fix of %s: %w", s.d.Name, id, err)
			}
			return rows.Time(ns), true, nil
		})
		if err != nil {
			return err
		}
		commit = c
		if err := s.saveFlights(ctx, tx, red.Flights); err != nil {
			return err
		}
		if err := s.saveFixes(ctx, tx, b.Applied, flags); err != nil {
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

func (s *DB) saveFlights(ctx context.Context, tx *sql.Tx, fl []track.Flight) error {
	if len(fl) == 0 {
		return nil
	}
	st, err := s.stmt(ctx, tx, s.rebind(flightUpsert))
	if err != nil {
		return fmt.Errorf("%s: save flights: %w", s.d.Name, err)
	}
	defer st.Close()
	for i := range fl {
		f := &fl[i]
		if _, err := st.ExecContext(ctx, f.ID, f.Aircraft, f.Callsign, int(f.Source), rows.Nanos(f.Start), rows.Nanos(f.End),
			f.Fixes, f.Crossings, f.Implausible, rows.EncodeStay(f.Stay)); err != nil {
			return fmt.Errorf("%s: save flight %s: %w", s.d.Name, f.ID, err)
		}
	}
	return nil
}

// saveFixes writes the fixes in multi-row inserts of FixRows rows, and the
// remainder in chunks of decreasing powers of two, so that few distinct
// statements are ever prepared.
func (s *DB) saveFixes(ctx context.Context, tx *sql.Tx, batch []store.Applied, flags []bool) error {
	if s.d.Unnest {
		return s.saveFixesUnnest(ctx, tx, batch, flags)
	}
	args := make([]any, 0, min(s.d.FixRows, len(batch))*fixCols)
	for lo := 0; lo < len(batch); {
		n := s.d.FixRows
		if rest := len(batch) - lo; rest < n {
			n = 1 << (bits.Len(uint(rest)) - 1)
		}
		hi := lo + n
		args = args[:0]
		for i := lo; i < hi; i++ {
			if err := store.Validate(i, &batch[i]); err != nil {
				return fmt.Errorf("%s: save: %w", s.d.Name, err)
			}
			args = FixArgs(args, &batch[i], flags[i])
		}
		st, err := s.stmt(ctx, tx, s.fixSQL(n))
		if err == nil {
			_, err = st.ExecContext(ctx, args...)
			st.Close()
		}
		if err != nil {
			return fmt.Errorf("%s: save fixes (applied[%d:%d]): %w", s.d.Name, lo, hi, err)
		}
		lo = hi
	}
	return nil
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
	if len(al) == 0 {
		return nil
	}
	st, err := s.stmt(ctx, tx, s.rebind(alertUpsert))
	if err != nil {
		return fmt.Errorf("%s: save alerts: %w", s.d.Name, err)
	}
	defer st.Close()
	for i := range al {
		a := &al[i]
		if _, err := st.ExecContext(ctx, a.ID, a.FlightID, a.Aircraft, a.Callsign, a.Operator, a.Airspace,
			rows.Nanos(a.Start), rows.Nanos(a.Last), rows.Nanos(a.End), a.FirstSeq, a.LastSeq, a.Fixes, float64(a.MaxDepth),
			float64(a.FirstPoint.Lat), float64(a.FirstPoint.Lon), float64(a.LastPoint.Lat), float64(a.LastPoint.Lon), a.Open); err != nil {
			return fmt.Errorf("%s: save alert %s: %w", s.d.Name, a.ID, err)
		}
	}
	return nil
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

// Fixes returns every fix of a flight.
func (s *DB) Fixes(ctx context.Context, flightID string) ([]compliance.AssessedFix, error) {
	return s.fixes(ctx, flightID, false)
}

// MapFixes returns the map fixes of a flight.
func (s *DB) MapFixes(ctx context.Context, flightID string) ([]compliance.AssessedFix, error) {
	return s.fixes(ctx, flightID, true)
}

func (s *DB) fixes(ctx context.Context, flightID string, mapOnly bool) ([]compliance.AssessedFix, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	q := `SELECT flight_id, seq, time_ns, aircraft, source, lat, lon, has, altitude, alt_ref, ground_speed, track, vertical_rate, on_ground, accuracy, callsign, squawk, footprint, country, depth, verdict, authorisation_id, map FROM fixes WHERE flight_id = ? ORDER BY seq`
	r, err := s.db.QueryContext(ctx, s.rebind(q), flightID)
	if err != nil {
		return nil, fmt.Errorf("%s: fixes of %s: %w", s.d.Name, flightID, err)
	}
	defer r.Close()
	var out []compliance.AssessedFix
	for r.Next() {
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
			return nil, fmt.Errorf("%s: fixes of %s: %w", s.d.Name, flightID, err)
		}
		if mapOnly && !isMap {
			continue
		}
		p.Time = rows.Time(tns)
		p.Source = position.Source(src)
		p.Lat, p.Lon = geo.Degrees(lat), geo.Degrees(lon)
		p.Has = position.Has(has)
		p.Altitude, p.AltitudeRef = geo.Meters(alt), position.AltitudeRef(ref)
		p.Track, p.Accuracy = geo.Degrees(trk), geo.Meters(acc)
		f.Depth = geo.Meters(depth)
		if fp.Valid {
			if p.Footprint, err = rows.DecodeFootprint(&fp.String); err != nil {
				return nil, fmt.Errorf("%s: fix %s/%d: %w", s.d.Name, flightID, f.Seq, err)
			}
		}
		v, ok := compliance.ParseVerdict(verdict)
		if !ok {
			return nil, fmt.Errorf("%s: fix %s/%d: column verdict: unknown %q", s.d.Name, flightID, f.Seq, verdict)
		}
		a.Verdict = v
		out = append(out, a)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%s: fixes of %s: %w", s.d.Name, flightID, err)
	}
	return out, nil
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

const fixUnnest = `INSERT INTO fixes (flight_id, seq, time_ns, aircraft, source, lat, lon, has, altitude, alt_ref, ground_speed, track, vertical_rate, on_ground, accuracy, callsign, squawk, footprint, country, depth, verdict, authorisation_id, map)
	SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[], ?::text[], ?::int[], ?::float8[], ?::float8[], ?::int[], ?::float8[], ?::int[], ?::float8[], ?::float8[], ?::float8[], ?::bool[], ?::float8[], ?::text[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::text[], ?::text[], ?::bool[])
	ON CONFLICT (flight_id, seq) DO NOTHING`

// saveFixesUnnest writes the fixes as one column array each.
func (s *DB) saveFixesUnnest(ctx context.Context, tx *sql.Tx, batch []store.Applied, flags []bool) error {
	n := len(batch)
	if n == 0 {
		return nil
	}
	var (
		flight, aircraft, callsign, squawk, country, verdict, authz = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		seq, source, has, ref                                       = make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
		tns                                                         = make([]int64, n)
		lat, lon, alt, gs, trk, vr, acc, depth                      = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		ground                                                      = make([]bool, n)
		footprint                                                   = make([]*string, n)
	)
	for i := range batch {
		a := &batch[i]
		if err := store.Validate(i, a); err != nil {
			return fmt.Errorf("%s: save: %w", s.d.Name, err)
		}
		f := &a.Fix
		p := &f.Position
		flight[i], seq[i], tns[i], aircraft[i], source[i] = f.FlightID, int32(f.Seq), rows.Nanos(p.Time), p.ID, int32(p.Source)
		lat[i], lon[i], has[i], alt[i], ref[i] = float64(p.Lat), float64(p.Lon), int32(p.Has), float64(p.Altitude), int32(p.AltitudeRef)
		gs[i], trk[i], vr[i], ground[i], acc[i] = p.GroundSpeed, float64(p.Track), p.VerticalRate, p.OnGround, float64(p.Accuracy)
		callsign[i], squawk[i], footprint[i], country[i], depth[i] = p.Callsign, p.Squawk, rows.EncodeFootprint(p.Footprint), f.Country, float64(f.Depth)
		verdict[i], authz[i] = a.Assessment.Verdict.String(), a.Assessment.AuthorisationID
	}
	st, err := s.stmt(ctx, tx, s.rebind(fixUnnest))
	if err == nil {
		_, err = st.ExecContext(ctx, flight, seq, tns, aircraft, source, lat, lon, has, alt, ref, gs, trk, vr, ground, acc,
			callsign, squawk, footprint, country, depth, verdict, authz, flags)
		st.Close()
	}
	if err != nil {
		return fmt.Errorf("%s: save fixes: %w", s.d.Name, err)
	}
	return nil
}
