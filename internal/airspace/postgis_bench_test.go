package airspace

// PostGIS speed anchor: how fast PostGIS itself answers the two questions
// the airspace engine answers, on the same polygons and the same 20,000
// oracle points (testdata/oracle_sample.csv.gz), measured server-side with
// one SQL statement per iteration over all points:
//
//	go test ./internal/airspace -run '^$' -bench PostGIS
//
// Like TestGenerateOracle this uses nothing from package airspace; the
// airspace table and the boundary SQL are shared with oracle_gen_test.go.

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vigia/vigia/internal/testenv"
)

const pgBenchSample = "testdata/oracle_sample.csv.gz"

// pgBenchSetup starts PostGIS and loads the airspace table, the boundary
// table of oracle_gen_test.go and the points in pts (lon, lat, country,
// geom geometry, geog geography, GiST-indexed). It skips (or fails under
// VIGIA_REQUIRE=postgres) when PostGIS is missing.
func pgBenchSetup(b *testing.B, pts []oracleRow) *pgx.Conn {
	b.Helper()
	ctx := context.Background()
	conn := testenv.Connect(b, testenv.PostGIS(b))
	pgOracleLoad(b, ctx, conn, pgOracleReadCountries(b))
	for _, sql := range []string{
		pgOracleSQLBoundary,
		`CREATE TABLE pts (id int, lon float8, lat float8, country text, geom geometry, geog geography)`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"pts"}, []string{"id", "lon", "lat", "country"},
		pgx.CopyFromSlice(len(pts), func(i int) ([]any, error) {
			return []any{i, pts[i].lon, pts[i].lat, pts[i].country}, nil
		})); err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE pts SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326), geog = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography`,
		`CREATE INDEX pts_geom ON pts USING gist (geom)`,
		`CREATE INDEX pts_geog ON pts USING gist (geog)`,
		`VACUUM ANALYZE pts`,
		`VACUUM ANALYZE airspace`,
		`VACUUM ANALYZE boundary`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	return conn
}

// pgBenchRun times query (one statement over all n points per iteration)
// and reports points/s and ns/point. check checks the result of a first,
// untimed run.
func pgBenchRun(b *testing.B, conn *pgx.Conn, n int, query string, check func(float64)) {
	b.Helper()
	ctx := context.Background()
	var v float64
	if err := conn.QueryRow(ctx, query).Scan(&v); err != nil { // warm up, check
		b.Fatal(err)
	}
	check(v)
	b.ResetTimer()
	for b.Loop() {
		if err := conn.QueryRow(ctx, query).Scan(&v); err != nil {
			b.Fatal(err)
		}
	}
	total := float64(b.N) * float64(n)
	b.ReportMetric(total/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/point")
}

// BenchmarkPostGISCovers: which airspace covers each of the 20,000 sample
// points (ST_Covers on geometry, GiST-indexed join).
func BenchmarkPostGISCovers(b *testing.B) {
	pts := readOracle(b, pgBenchSample)
	conn := pgBenchSetup(b, pts)
	inside := 0
	for _, p := range pts {
		if p.country != "" {
			inside++
		}
	}
	pgBenchRun(b, conn, len(pts),
		`SELECT count(*)::float8 FROM pts JOIN airspace ON ST_Covers(airspace.geom, pts.geom)`,
		func(v float64) {
			if int(v) != inside {
				b.Errorf("ST_Covers matched %v points, the oracle says %d are inside", v, inside)
			}
		})
}

// BenchmarkPostGISDistance: geography distance (WGS84 spheroid,
// great-circle edges) from each sample point with dist_m <= 30 km to the
// boundary of its airspace (the nearer one for points outside both).
//
// Sub-benchmarks: boundary=merged is the boundary of oracle_gen_test.go
// (ring segments without the antimeridian cuts) joined back into
// linestrings with ST_LineMerge, PostGIS's fastest natural form (about twice
// as fast as the next); boundary=segments is that multilinestring of ~69k
// 2-point segments as the oracle uses it. Both give the same distances.
func BenchmarkPostGISDistance(b *testing.B) {
	var near []oracleRow
	for _, p := range readOracle(b, pgBenchSample) {
		if p.dist <= 30000 {
			near = append(near, p)
		}
	}
	conn := pgBenchSetup(b, near)
	if _, err := conn.Exec(context.Background(), `CREATE TABLE boundary_merged AS
SELECT a3, ST_LineMerge(geom)::geography AS geog FROM boundary;
ANALYZE boundary_merged;`); err != nil {
		b.Fatal(err)
	}
	want := 0.0
	for _, p := range near {
		want += p.dist
	}
	for _, bnd := range []struct{ name, table string }{{"merged", "boundary_merged"}, {"segments", "boundary"}} {
		b.Run("boundary="+bnd.name, func(b *testing.B) {
			pgBenchRun(b, conn, len(near), `SELECT sum(CASE p.country
        WHEN 'USA' THEN ST_Distance(p.geog, u.geog)
        WHEN 'MEX' THEN ST_Distance(p.geog, m.geog)
        ELSE least(ST_Distance(p.geog, u.geog), ST_Distance(p.geog, m.geog)) END)
FROM pts p,
    (SELECT geog FROM `+bnd.table+` WHERE a3 = 'USA') u,
    (SELECT geog FROM `+bnd.table+` WHERE a3 = 'MEX') m`,
				func(v float64) {
					// The sample's dist_m are rounded to 1 mm; the antimeridian
					// cuts left out here are far from all sample points.
					if d := v - want; d > float64(len(near))*0.001 || d < -float64(len(near))*0.001 {
						b.Errorf("sum of distances %.3f, the oracle says %.3f", v, want)
					}
				})
		})
	}
	b.Logf("%d points with dist_m <= 30 km", len(near))
}
