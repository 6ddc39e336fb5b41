package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/postgres"
	"github.com/vigia/vigia/internal/store/storetest"
	"github.com/vigia/vigia/internal/testenv"
)

// cluster starts one PostgreSQL server for the test binary's top-level
// test; every subtest gets a fresh database in it.
type cluster struct {
	dsn string // of the database testenv creates
	n   atomic.Int64
}

func (c *cluster) backend() storetest.Backend {
	conn := func(t testing.TB, dsn string) *pgx.Conn { return testenv.Connect(t, dsn) }
	return storetest.Backend{
		New: func(t testing.TB) string {
			name := fmt.Sprintf("t%d", c.n.Add(1))
			if _, err := conn(t, c.dsn).Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(c.dsn)
			if err != nil {
				t.Fatal(err)
			}
			u.Path = "/" + name
			return u.String()
		},
		Open: func(ctx context.Context, loc string) (store.Store, error) {
			s, err := postgres.Open(ctx, loc)
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		Exec: func(t testing.TB, loc, stmt string, args ...any) {
			if _, err := conn(t, loc).Exec(context.Background(), stmt, args...); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		},
		Int: func(t testing.TB, loc, q string) int64 {
			var n int64
			if err := conn(t, loc).QueryRow(context.Background(), q).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		},
		Blob:   "BYTEA",
		Dollar: true,
	}
}

func TestConformance(t *testing.T) {
	c := &cluster{dsn: testenv.Postgres(t)}
	storetest.Run(t, c.backend())
}

// TestConcurrentOpen opens one fresh database from several goroutines at
// once: the advisory lock makes exactly one of them migrate it.
func TestConcurrentOpen(t *testing.T) {
	c := &cluster{dsn: testenv.Postgres(t)}
	b := c.backend()
	loc := b.New(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(context.Background(), loc)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("opener %d: %v", i, err)
		}
	}
	if n := b.Int(t, loc, "SELECT COUNT(*) FROM schema_migrations"); n != int64(postgres.SchemaVersion) {
		t.Errorf("%d migrations recorded, want %d", n, postgres.SchemaVersion)
	}
}

func BenchmarkSaveApplied(b *testing.B) {
	c := &cluster{dsn: testenv.Postgres(b)}
	storetest.Bench(b, c.backend())
}

// BenchmarkAnchorCopy is PostgreSQL's fastest bulk path for the same rows:
// pgx CopyFrom (COPY … FROM STDIN, binary) of 1,000 fixes per transaction
// into an unkeyed table.
func BenchmarkAnchorCopy(b *testing.B) {
	dsn := testenv.Postgres(b)
	conn := testenv.Connect(b, dsn)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, "CREATE TABLE anchor ("+storetest.AnchorColumns+")"); err != nil {
		b.Fatal(err)
	}
	cols := []string{"flight_id", "seq", "time_ns", "aircraft", "source", "lat", "lon", "has", "altitude", "alt_ref", "ground_speed", "track",
		"vertical_rate", "on_ground", "accuracy", "callsign", "squawk", "footprint", "country", "depth", "verdict", "authorisation_id", "map"}
	storetest.BenchAnchor(b, func(rows [][]any) error {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"anchor"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}
