package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/sqlite"
	"github.com/vigia/vigia/internal/store/storetest"
)

func backend() storetest.Backend {
	raw := func(t testing.TB, loc string) *sql.DB {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+loc+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	return storetest.Backend{
		New: func(t testing.TB) string { return filepath.Join(t.TempDir(), sqlite.FileName) },
		Open: func(ctx context.Context, loc string) (store.Store, error) {
			s, err := sqlite.Open(ctx, loc)
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		Exec: func(t testing.TB, loc, stmt string, args ...any) {
			if _, err := raw(t, loc).Exec(stmt, args...); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		},
		Int: func(t testing.TB, loc, q string) int64 {
			var n int64
			if err := raw(t, loc).QueryRow(q).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		},
		Blob:    "BLOB",
		NoRowID: " WITHOUT ROWID",
	}
}

func TestConformance(t *testing.T) { storetest.Run(t, backend()) }

func BenchmarkSaveApplied(b *testing.B) { storetest.Bench(b, backend()) }

func TestOpenDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s, err := sqlite.OpenDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if want := filepath.Join(dir, sqlite.FileName); s.Path() != want {
		t.Errorf("Path = %s, want %s", s.Path(), want)
	}
	var mode string
	db, err := sql.Open("sqlite", "file:"+s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal (persistent in the file)", mode, err)
	}
	if v, err := s.SchemaVersion(context.Background()); err != nil || v != sqlite.SchemaVersion {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, sqlite.SchemaVersion)
	}
}

// BenchmarkAnchorInsert is the textbook SQLite bulk insert of the same
// rows: one prepared single-row INSERT per fix, 1,000 per transaction, into
// an unkeyed table, same driver, same pragmas.
func BenchmarkAnchorInsert(b *testing.B) {
	path := filepath.Join(b.TempDir(), "anchor.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE anchor (" + storetest.AnchorColumns + ")"); err != nil {
		b.Fatal(err)
	}
	ins, err := db.Prepare("INSERT INTO anchor VALUES (" + strings.Repeat("?, ", 22) + "?)")
	if err != nil {
		b.Fatal(err)
	}
	defer ins.Close()
	storetest.BenchAnchor(b, func(rows [][]any) error {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		st := tx.Stmt(ins)
		for _, r := range rows {
			if _, err := st.Exec(r...); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
}
