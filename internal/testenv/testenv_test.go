package testenv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/testenv"
)

func TestPostgres(t *testing.T) {
	t.Parallel()
	start := time.Now()
	dsn := testenv.Postgres(t)
	t.Logf("cluster up in %v: %s", time.Since(start).Round(time.Millisecond), dsn)
	conn := testenv.Connect(t, dsn)
	var db, version string
	if err := conn.QueryRow(context.Background(), "SELECT current_database(), version()").Scan(&db, &version); err != nil {
		t.Fatal(err)
	}
	if db != testenv.Database {
		t.Errorf("current_database() = %q, want %q", db, testenv.Database)
	}
	t.Log(version)
	var fsync string
	if err := conn.QueryRow(context.Background(), "SHOW fsync").Scan(&fsync); err != nil {
		t.Fatal(err)
	}
	if fsync != "off" {
		t.Errorf("fsync = %q, want off", fsync)
	}
}

func TestPostGIS(t *testing.T) {
	t.Parallel()
	start := time.Now()
	dsn := testenv.PostGIS(t)
	t.Logf("cluster with PostGIS up in %v", time.Since(start).Round(time.Millisecond))
	conn := testenv.Connect(t, dsn)
	var v string
	if err := conn.QueryRow(context.Background(), "SELECT postgis_full_version()").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v, "POSTGIS=") {
		t.Errorf("postgis_full_version() = %q", v)
	}
	t.Log(v)
	var covers bool
	if err := conn.QueryRow(context.Background(),
		"SELECT ST_Covers(ST_MakeEnvelope(0, 0, 1, 1, 4326), ST_SetSRID(ST_MakePoint(1, 0.5), 4326))").Scan(&covers); err != nil {
		t.Fatal(err)
	}
	if !covers {
		t.Error("ST_Covers does not cover a boundary point")
	}
}

// Each call gets its own cluster, so clusters started in parallel must not
// interfere.
func TestParallelClusters(t *testing.T) {
	t.Parallel()
	for i := range 3 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			conn := testenv.Connect(t, testenv.Postgres(t))
			ctx := context.Background()
			if _, err := conn.Exec(ctx, "CREATE TABLE only_here (i int)"); err != nil {
				t.Fatalf("cluster %d: %v", i, err)
			}
		})
	}
}

func TestRequire(t *testing.T) {
	t.Setenv("VIGIA_REQUIRE", "foo, postgres ,bar")
	if !testenv.Require(t, "postgres") {
		t.Error("Require(postgres) = false")
	}
	if testenv.Require(t, "postgis") {
		t.Error("Require(postgis) = true")
	}
	t.Setenv("VIGIA_REQUIRE", "")
	if testenv.Require(t, "postgres") {
		t.Error("Require(postgres) with empty VIGIA_REQUIRE = true")
	}
}
