package sqlstore

import (
	"context"
	"database/sql"
	"strings"
)

// Migration is one versioned step of the schema, applied in one transaction
// and recorded in schema_migrations.
type Migration struct {
	Version int
	Name    string
	SQL     []string // statements; {{blob}}, {{norowid}} and {{idkey}} are replaced per dialect
	// Convert, when not nil, runs after SQL in the same transaction, to
	// move data into the new tables.
	Convert func(ctx context.Context, s *DB, tx *sql.Tx) error
}

// Migrations are the schema's versions, in order. Both backends apply the
// same list.
var Migrations = []Migration{
	{Version: 1, Name: "flights, fixes, crossings, alerts, authorisations, reports, checkpoints", SQL: []string{
		`CREATE TABLE flights (
			id TEXT PRIMARY KEY,
			aircraft TEXT NOT NULL,
			callsign TEXT NOT NULL,
			source INTEGER NOT NULL,
			start_ns BIGINT NOT NULL,
			end_ns BIGINT NOT NULL,
			fixes INTEGER NOT NULL,
			crossings INTEGER NOT NULL,
			implausible INTEGER NOT NULL,
			stay TEXT NOT NULL)`,
		`CREATE INDEX flights_start ON flights (start_ns)`,
		`CREATE INDEX flights_aircraft ON flights (aircraft, start_ns)`,
		`CREATE TABLE fixes (
			flight_id TEXT NOT NULL,
			seq INTEGER NOT NULL,
			time_ns BIGINT NOT NULL,
			aircraft TEXT NOT NULL,
			source INTEGER NOT NULL,
			lat DOUBLE PRECISION NOT NULL,
			lon DOUBLE PRECISION NOT NULL,
			has INTEGER NOT NULL,
			altitude DOUBLE PRECISION NOT NULL,
			alt_ref INTEGER NOT NULL,
			ground_speed DOUBLE PRECISION NOT NULL,
			track DOUBLE PRECISION NOT NULL,
			vertical_rate DOUBLE PRECISION NOT NULL,
			on_ground BOOLEAN NOT NULL,
			accuracy DOUBLE PRECISION NOT NULL,
			callsign TEXT NOT NULL,
			squawk TEXT NOT NULL,
			footprint TEXT,
			country TEXT NOT NULL,
			depth DOUBLE PRECISION NOT NULL,
			verdict TEXT NOT NULL,
			authorisation_id TEXT NOT NULL,
			map BOOLEAN NOT NULL,
			PRIMARY KEY (flight_id, seq)){{norowid}}`,
		`CREATE TABLE crossings (
			flight_id TEXT NOT NULL,
			time_ns BIGINT NOT NULL,
			from_airspace TEXT NOT NULL,
			to_airspace TEXT NOT NULL,
			lat DOUBLE PRECISION NOT NULL,
			lon DOUBLE PRECISION NOT NULL,
			before_seq INTEGER NOT NULL,
			after_seq INTEGER NOT NULL,
			left_stay TEXT NOT NULL,
			PRIMARY KEY (flight_id, time_ns, from_airspace, to_airspace)){{norowid}}`,
		`CREATE TABLE alerts (
			id TEXT PRIMARY KEY,
			flight_id TEXT NOT NULL,
			aircraft TEXT NOT NULL,
			callsign TEXT NOT NULL,
			operator TEXT NOT NULL,
			airspace TEXT NOT NULL,
			start_ns BIGINT NOT NULL,
			last_ns BIGINT NOT NULL,
			end_ns BIGINT NOT NULL,
			first_seq INTEGER NOT NULL,
			last_seq INTEGER NOT NULL,
			fixes INTEGER NOT NULL,
			max_depth DOUBLE PRECISION NOT NULL,
			first_lat DOUBLE PRECISION NOT NULL,
			first_lon DOUBLE PRECISION NOT NULL,
			last_lat DOUBLE PRECISION NOT NULL,
			last_lon DOUBLE PRECISION NOT NULL,
			open BOOLEAN NOT NULL)`,
		`CREATE INDEX alerts_start ON alerts (start_ns)`,
		`CREATE INDEX alerts_flight ON alerts (flight_id)`,
		`CREATE TABLE authorisations (
			id TEXT PRIMARY KEY,
			operator TEXT NOT NULL,
			airspace TEXT NOT NULL,
			created_ns BIGINT NOT NULL,
			revoked_ns BIGINT,
			body TEXT NOT NULL)`,
		`CREATE TABLE reports (
			flight_id TEXT NOT NULL,
			format TEXT NOT NULL,
			saved_ns BIGINT NOT NULL,
			body {{blob}} NOT NULL,
			PRIMARY KEY (flight_id, format))`,
		`CREATE TABLE checkpoints (
			stream TEXT PRIMARY KEY,
			seq BIGINT NOT NULL)`,
	}},
	{Version: 2, Name: "consumer state with checkpoints", SQL: []string{
		`ALTER TABLE checkpoints ADD COLUMN state {{blob}}`,
	}},
	{Version: 3, Name: "fixes in chunks", SQL: []string{
		`CREATE TABLE fix_chunks (
			id {{idkey}},
			flight_id TEXT NOT NULL,
			prev_id BIGINT NOT NULL,
			first_seq INTEGER NOT NULL,
			last_seq INTEGER NOT NULL,
			n INTEGER NOT NULL,
			body {{blob}} NOT NULL)`,
		`ALTER TABLE flights ADD COLUMN stored_seq INTEGER NOT NULL DEFAULT -1`,
		`ALTER TABLE flights ADD COLUMN last_chunk BIGINT NOT NULL DEFAULT 0`,
	}, Convert: convertFixes},
}

// Latest is the schema version this program writes.
var Latest = Migrations[len(Migrations)-1].Version

func (d *Dialect) ddl(s string) string {
	return strings.NewReplacer("{{blob}}", d.Blob, "{{norowid}}", d.NoRowID, "{{idkey}}", d.IDKey).Replace(s)
}
