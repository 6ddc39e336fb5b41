package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/vigia/vigia/internal/store/internal/sqlstore"
)

// SchemaVersion is the schema version this program writes.
var SchemaVersion = sqlstore.Latest

// migrationLockKey is the advisory lock key held while migrating
// ("vigia" in ASCII).
const migrationLockKey = 0x7669676961

var dialect = sqlstore.Dialect{
	Name:          "postgres",
	Dollar:        true,
	Blob:          "BYTEA",
	MigrationLock: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockKey),
	// 23 columns × 1,000 rows stays under PostgreSQL's 65,535 parameters.
	FixRows: 1000,
	Unnest:  true,
}

// Store is the PostgreSQL store.Store. It is safe for concurrent use.
type Store struct {
	*sqlstore.DB
}

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value connection string) and migrates its schema.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %s@%s:%d/%s: %w", cfg.User, cfg.Host, cfg.Port, cfg.Database, err)
	}
	s, err := sqlstore.Open(ctx, db, &dialect)
	if err != nil {
		return nil, err
	}
	return &Store{DB: s}, nil
}
