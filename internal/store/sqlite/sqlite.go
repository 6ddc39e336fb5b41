package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigia/vigia/internal/store/internal/sqlstore"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// FileName is the database file OpenDir opens under the data directory.
const FileName = "vigia.db"

// SchemaVersion is the schema version this program writes.
var SchemaVersion = sqlstore.Latest

var dialect = sqlstore.Dialect{
	Name:         "sqlite",
	Blob:         "BLOB",
	IDKey:        "INTEGER PRIMARY KEY",
	NoRowID:      " WITHOUT ROWID",
	SerialWrites: true,
}

// Store is the SQLite store.Store. It is safe for concurrent use.
type Store struct {
	*sqlstore.DB
	path string
}

// OpenDir opens (creating it and the directory if needed) the database
// FileName under dir.
func OpenDir(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	return Open(ctx, filepath.Join(dir, FileName))
}

// Open opens (creating it if needed) the database file at path, sets WAL
// mode and migrates its schema.
func Open(ctx context.Context, path string) (*Store, error) {
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("sqlite: %s: a database path may not contain '?'", path)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "cache_size(-131072)", "wal_autocheckpoint(8192)", "temp_store(2)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: journal mode %q, want wal", path, mode)
	}
	s, err := sqlstore.Open(ctx, db, &dialect)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Store{DB: s, path: path}, nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }
