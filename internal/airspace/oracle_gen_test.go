package airspace

// TestGenerateOracle regenerates testdata/oracle_postgis.csv.gz and
// testdata/ORACLE.md with PostGIS:
//
//	go test ./internal/airspace -run TestGenerateOracle -update
//
// It deliberately uses nothing from package airspace (only the standard
// library, internal/testenv and pgx), so that the oracle is an independent
// reading of data/usa.geojson and data/mex.geojson. All top-level names in
// this file start with pgOracle to keep clear of the package's own names.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigia/vigia/internal/testenv"
)

var update = flag.Bool("update", false, "regenerate the PostGIS oracle in testdata")

const (
	pgOracleCSV  = "testdata/oracle_postgis.csv.gz"
	pgOracleDoc  = "testdata/ORACLE.md"
	pgOracleSeed = "rand.New(rand.NewPCG(1, 1))"
)

// pgOracleFiles are the inputs, in load order.
var pgOracleFiles = []string{"data/usa.geojson", "data/mex.geojson"}

// The SQL, verbatim as run (and as quoted in ORACLE.md).
const (
	pgOracleSQLSchema = `CREATE TABLE airspace (a3 text, geom geometry);`

	// $1 = A3, $2 = the Feature's "geometry" member, byte for byte.
	pgOracleSQLInsert = `INSERT INTO airspace (a3, geom) VALUES ($1, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326));`

	pgOracleSQLIndex = `CREATE INDEX airspace_geom ON airspace USING gist (geom);`

	// Every vertex as PostGIS parsed it, to check it against Go's parse.
	pgOracleSQLVertices = `SELECT a3, ST_X(d.geom), ST_Y(d.geom)
FROM airspace, ST_DumpPoints(geom) d
ORDER BY a3, d.path;`

	// Per country: the multilinestring of its ring segments, minus the
	// artificial cuts along the antimeridian (both ends at |lon| = 180);
	// geog = that as geography (great-circle edges), geog_seg = the same cut
	// into <= 0.01 degree pieces in lon/lat first (straight lon/lat edges).
	pgOracleSQLBoundary = `CREATE TABLE boundary (a3 text, nseg int, geom geometry, geog geography, geog_seg geography);
ALTER TABLE boundary ALTER geom SET STORAGE EXTERNAL, ALTER geog SET STORAGE EXTERNAL, ALTER geog_seg SET STORAGE EXTERNAL;
INSERT INTO boundary (a3, nseg, geom)
SELECT a.a3, count(*), ST_Collect(s.geom ORDER BY s.path)
FROM airspace a, ST_DumpSegments(a.geom) s
WHERE NOT (abs(ST_X(ST_StartPoint(s.geom))) = 180 AND abs(ST_X(ST_EndPoint(s.geom))) = 180)
GROUP BY a.a3;
UPDATE boundary SET geog = geom::geography, geog_seg = ST_Segmentize(geom, 0.01)::geography;`

	// seed is filled by COPY from Go: (id, kind, lon0, lat0, dist, az).
	// dist NULL: the point is (lon0, lat0) itself; otherwise it is
	// (lon0, lat0) moved dist metres along azimuth az (radians) on the WGS84
	// spheroid.
	pgOracleSQLSeed = `CREATE TEMP TABLE seed (id int PRIMARY KEY, kind text, lon0 float8, lat0 float8, dist float8, az float8);`

	pgOracleSQLPoints = `CREATE TEMP TABLE pts AS
SELECT s.id, s.kind, ST_X(q.p) AS lon, ST_Y(q.p) AS lat, q.p AS geom, q.p::geography AS geog
FROM seed s, LATERAL (SELECT CASE WHEN s.dist IS NULL
        THEN ST_SetSRID(ST_MakePoint(s.lon0, s.lat0), 4326)
        ELSE ST_SetSRID(ST_Project(ST_SetSRID(ST_MakePoint(s.lon0, s.lat0), 4326)::geography, s.dist, s.az)::geometry, 4326)
    END AS p) q;
CREATE INDEX pts_geom ON pts USING gist (geom);
ANALYZE pts;`

	// One pass over the points; each airspace / boundary is a constant
	// (an initplan), so PostGIS's prepared-geometry and circular-tree caches
	// are built once per call site.
	pgOracleSQLLabel = `CREATE TEMP TABLE labelled AS
SELECT p.id,
    ST_Covers((SELECT geom FROM airspace WHERE a3 = 'USA'), p.geom) AS in_usa,
    ST_Covers((SELECT geom FROM airspace WHERE a3 = 'MEX'), p.geom) AS in_mex,
    ST_Distance(p.geog, (SELECT geog FROM boundary WHERE a3 = 'USA')) AS d_usa,
    ST_Distance(p.geog, (SELECT geog FROM boundary WHERE a3 = 'MEX')) AS d_mex,
    ST_Distance(p.geog, (SELECT geog_seg FROM boundary WHERE a3 = 'USA')) AS dseg_usa,
    ST_Distance(p.geog, (SELECT geog_seg FROM boundary WHERE a3 = 'MEX')) AS dseg_mex
FROM pts p;`

	// country: the covering airspace ("" = neither; both = a point on the
	// shared boundary, written "MEX|USA"); distances to that airspace's
	// boundary, or the nearer of the two.
	pgOracleSQLResult = `SELECT p.id, p.kind, p.lon, p.lat,
    CASE WHEN l.in_usa AND l.in_mex THEN 'MEX|USA' WHEN l.in_usa THEN 'USA' WHEN l.in_mex THEN 'MEX' ELSE '' END AS country,
    CASE WHEN l.in_usa AND NOT l.in_mex THEN l.d_usa WHEN l.in_mex AND NOT l.in_usa THEN l.d_mex
         ELSE least(l.d_usa, l.d_mex) END AS dist_m,
    CASE WHEN l.in_usa AND NOT l.in_mex THEN l.dseg_usa WHEN l.in_mex AND NOT l.in_usa THEN l.dseg_mex
         ELSE least(l.dseg_usa, l.dseg_mex) END AS dist_seg_m
FROM pts p JOIN labelled l USING (id)
ORDER BY p.id;`
)

// pgOracleKinds in output order, with their definitions for ORACLE.md.
var pgOracleKinds = []struct{ name, doc string }{
	{"border", "within 30 km of the shared USA–MEX boundary (the land border and the maritime boundaries: segments present in both files)"},
	{"coast", "within 30 km of any other USA or MEX boundary segment lying in lon −125..−80, lat 14..33 (half of them), or of a USA boundary segment in lon −125..−66, lat 24..50 outside that box (the other half: the Pacific coast up to Washington, the Atlantic coast, the Canadian border with the Great Lakes and its long straight edges)"},
	{"alaska", "70 % within 30 km of a USA boundary segment in lon −180..−129, lat 50..72; 30 % uniform in lon −170..−130, lat 54..71"},
	{"antimeridian", "lat 50..56, lon in [172, 180] ∪ [−180, −165]: 100 exactly on the antimeridian cuts (lon exactly +180 or −180 on a cut edge), 100 at lon exactly ±180 with lat uniform in 50..56, 400 within 60 km of the antimeridian (ST_Project from (180, lat), lat uniform 50..56, random azimuth, 0–60 km), 400 within 30 km of a (non-cut) Aleutian boundary segment in that lon/lat window"},
	{"hawaii", "half within 30 km of a USA boundary segment in lon −161..−154, lat 18..23, half uniform in that box"},
	{"puertorico", "half within 30 km of a USA boundary segment in lon −68..−64, lat 17..19.5 (Puerto Rico and the USVI), half uniform in that box"},
	{"uniform", "uniform in lon −125..−86, lat 14..33"},
	{"vertex", "exactly on a polygon vertex: 180 of all vertices (both files, any region), 100 of the shared USA–MEX boundary, 20 endpoints of antimeridian cut edges"},
	{"midpoint", "at the float64 midpoint ((a+b)/2 per coordinate) of a boundary segment, which need not lie exactly on it — PostGIS decides: 180 of all non-cut segments, 100 of the shared USA–MEX boundary, 20 of the antimeridian cut edges"},
}

// pgOracleCountry is one input file: its A3, its GeoJSON geometry as is, and
// its polygon rings as [lon, lat] pairs (closed: last = first).
type pgOracleCountry struct {
	a3       string
	geometry json.RawMessage
	rings    [][][2]float64
}

type pgOracleSeg struct {
	a, b [2]float64
	a3   string
}

func (s pgOracleSeg) cut() bool { return math.Abs(s.a[0]) == 180 && math.Abs(s.b[0]) == 180 }

// within: both endpoints in the box.
func (s pgOracleSeg) within(lon0, lon1, lat0, lat1 float64) bool {
	in := func(p [2]float64) bool { return p[0] >= lon0 && p[0] <= lon1 && p[1] >= lat0 && p[1] <= lat1 }
	return in(s.a) && in(s.b)
}

func pgOracleKey(a, b [2]float64) [4]float64 {
	if a[0] > b[0] || (a[0] == b[0] && a[1] > b[1]) {
		a, b = b, a
	}
	return [4]float64{a[0], a[1], b[0], b[1]}
}

func pgOracleReadCountries(t testing.TB) []pgOracleCountry {
	t.Helper()
	var out []pgOracleCountry
	for _, f := range pgOracleFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct {
				Properties map[string]any  `json:"properties"`
				Geometry   json.RawMessage `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(fc.Features) != 1 {
			t.Fatalf("%s: %d features, want 1", f, len(fc.Features))
		}
		ft := fc.Features[0]
		a3, _ := ft.Properties["A3"].(string)
		var g struct {
			Type        string           `json:"type"`
			Coordinates [][][][2]float64 `json:"coordinates"`
		}
		if err := json.Unmarshal(ft.Geometry, &g); err != nil || g.Type != "MultiPolygon" || a3 == "" {
			t.Fatalf("%s: want a MultiPolygon with property A3 (%q, %v)", f, g.Type, err)
		}
		c := pgOracleCountry{a3: a3, geometry: ft.Geometry}
		for _, poly := range g.Coordinates {
			c.rings = append(c.rings, poly...)
		}
		out = append(out, c)
	}
	return out
}

// pgOracleLoad creates and fills the airspace table. Shared with the
// benchmarks in postgis_bench_test.go.
func pgOracleLoad(t testing.TB, ctx context.Context, conn *pgx.Conn, countries []pgOracleCountry) {
	t.Helper()
	if _, err := conn.Exec(ctx, pgOracleSQLSchema); err != nil {
		t.Fatal(err)
	}
	for _, c := range countries {
		if _, err := conn.Exec(ctx, pgOracleSQLInsert, c.a3, string(c.geometry)); err != nil {
			t.Fatalf("loading %s: %v", c.a3, err)
		}
	}
	if _, err := conn.Exec(ctx, pgOracleSQLIndex+" ANALYZE airspace;"); err != nil {
		t.Fatal(err)
	}
}

// pgOracleSampler draws boundary points, weighted by (approximate) length.
type pgOracleSampler struct {
	segs []pgOracleSeg
	cum  []float64
}

func pgOracleNewSampler(t testing.TB, name string, segs []pgOracleSeg) *pgOracleSampler {
	s := &pgOracleSampler{segs: segs}
	total := 0.0
	for _, g := range segs {
		dx := (g.b[0] - g.a[0]) * math.Cos((g.a[1]+g.b[1])/2*math.Pi/180)
		total += math.Hypot(dx, g.b[1]-g.a[1])
		s.cum = append(s.cum, total)
	}
	if len(segs) == 0 || total == 0 {
		t.Fatalf("no boundary segments for %s", name)
	}
	return s
}

func (s *pgOracleSampler) seg(rng *rand.Rand) pgOracleSeg {
	i := sort.SearchFloat64s(s.cum, rng.Float64()*s.cum[len(s.cum)-1])
	return s.segs[min(i, len(s.segs)-1)]
}

// point returns a random point on a random segment.
func (s *pgOracleSampler) point(rng *rand.Rand) (lon, lat float64) {
	g := s.seg(rng)
	f := rng.Float64()
	return g.a[0] + f*(g.b[0]-g.a[0]), g.a[1] + f*(g.b[1]-g.a[1])
}

type pgOracleSeedRow struct {
	kind       string
	lon0, lat0 float64
	dist, az   *float64 // nil: the point itself
}

func TestGenerateOracle(t *testing.T) {
	if !*update {
		t.Skip("regenerates " + pgOracleCSV + " with PostGIS; run: go test ./internal/airspace -run TestGenerateOracle -update")
	}
	start := time.Now()
	ctx := context.Background()
	countries := pgOracleReadCountries(t)
	dsn := testenv.PostGIS(t)
	conn := testenv.Connect(t, dsn)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%v\nin:\n%s", err, sql)
		}
	}
	var version string
	if err := conn.QueryRow(ctx, "SELECT postgis_full_version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	var pgVersion string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&pgVersion); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostgreSQL %s, %s", pgVersion, version)
	pgOracleLoad(t, ctx, conn, countries)

	// PostGIS must have parsed every coordinate to the same float64 as Go,
	// or the vertex/midpoint points would not be what they claim.
	{
		rows, err := conn.Query(ctx, pgOracleSQLVertices)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][][2]float64{}
		for rows.Next() {
			var a3 string
			var x, y float64
			if err := rows.Scan(&a3, &x, &y); err != nil {
				t.Fatal(err)
			}
			got[a3] = append(got[a3], [2]float64{x, y})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for _, c := range countries {
			var want [][2]float64
			for _, r := range c.rings {
				want = append(want, r...)
			}
			if !slices.Equal(got[c.a3], want) {
				t.Fatalf("%s: PostGIS vertices differ from Go's parse (%d vs %d)", c.a3, len(got[c.a3]), len(want))
			}
		}
	}

	// Segments, as ST_DumpSegments sees them.
	var all, cut []pgOracleSeg
	for _, c := range countries {
		for _, r := range c.rings {
			for i := 0; i+1 < len(r); i++ {
				s := pgOracleSeg{r[i], r[i+1], c.a3}
				if s.cut() {
					cut = append(cut, s)
				} else {
					all = append(all, s)
				}
			}
		}
	}
	owners := map[[4]float64]map[string]bool{}
	for _, s := range all {
		k := pgOracleKey(s.a, s.b)
		if owners[k] == nil {
			owners[k] = map[string]bool{}
		}
		owners[k][s.a3] = true
	}
	shared := func(s pgOracleSeg) bool { return len(owners[pgOracleKey(s.a, s.b)]) > 1 }
	filter := func(keep func(pgOracleSeg) bool) []pgOracleSeg {
		var out []pgOracleSeg
		for _, s := range all {
			if keep(s) {
				out = append(out, s)
			}
		}
		return out
	}
	border := filter(func(s pgOracleSeg) bool { return s.a3 == "USA" && shared(s) })
	coastS := filter(func(s pgOracleSeg) bool { return !shared(s) && s.within(-125, -80, 14, 33) })
	coastN := filter(func(s pgOracleSeg) bool {
		return s.a3 == "USA" && !shared(s) && s.within(-125, -66, 24, 50) && !s.within(-125, -80, 14, 33)
	})
	alaska := filter(func(s pgOracleSeg) bool { return s.a3 == "USA" && s.within(-180, -129, 50, 72) })
	aleut := filter(func(s pgOracleSeg) bool {
		return s.a3 == "USA" && (s.within(172, 180, 50, 56) || s.within(-180, -165, 50, 56))
	})
	hawaii := filter(func(s pgOracleSeg) bool { return s.a3 == "USA" && s.within(-161, -154, 18, 23) })
	pr := filter(func(s pgOracleSeg) bool { return s.a3 == "USA" && s.within(-68, -64, 17, 19.5) })
	t.Logf("segments: %d (+%d antimeridian cuts), shared %d, coastS %d, coastN %d, alaska %d, aleutians %d, hawaii %d, pr %d",
		len(all), len(cut), len(border), len(coastS), len(coastN), len(alaska), len(aleut), len(hawaii), len(pr))

	rng := rand.New(rand.NewPCG(1, 1))
	var seed []pgOracleSeedRow
	fixed := func(kind string, lon, lat float64) {
		seed = append(seed, pgOracleSeedRow{kind: kind, lon0: lon, lat0: lat})
	}
	projected := func(kind string, lon, lat, maxDist float64) {
		d, az := rng.Float64()*maxDist, rng.Float64()*2*math.Pi
		seed = append(seed, pgOracleSeedRow{kind: kind, lon0: lon, lat0: lat, dist: &d, az: &az})
	}
	near := func(kind string, segs []pgOracleSeg, n int) {
		s := pgOracleNewSampler(t, kind, segs)
		for range n {
			lon, lat := s.point(rng)
			projected(kind, lon, lat, 30000)
		}
	}
	uniform := func(kind string, n int, lon0, lon1, lat0, lat1 float64) {
		for range n {
			fixed(kind, lon0+rng.Float64()*(lon1-lon0), lat0+rng.Float64()*(lat1-lat0))
		}
	}
	pick := func(segs []pgOracleSeg) pgOracleSeg { return segs[rng.IntN(len(segs))] }

	near("border", border, 4000)
	near("coast", coastS, 4000)
	near("coast", coastN, 4000)
	near("alaska", alaska, 700)
	uniform("alaska", 300, -170, -130, 54, 71)
	{
		s := pgOracleNewSampler(t, "antimeridian cuts", cut)
		for range 100 {
			lon, lat := s.point(rng) // lon = a + f*0: exactly ±180
			fixed("antimeridian", lon, lat)
		}
		for range 100 {
			lon := 180.0
			if rng.IntN(2) == 0 {
				lon = -180
			}
			fixed("antimeridian", lon, 50+rng.Float64()*6)
		}
		for range 400 {
			projected("antimeridian", 180, 50+rng.Float64()*6, 60000)
		}
		near("antimeridian", aleut, 400)
	}
	near("hawaii", hawaii, 500)
	uniform("hawaii", 500, -161, -154, 18, 23)
	near("puertorico", pr, 500)
	uniform("puertorico", 500, -68, -64, 17, 19.5)
	uniform("uniform", 7400, -125, -86, 14, 33)
	for range 180 {
		s := pick(all)
		fixed("vertex", s.a[0], s.a[1])
	}
	for range 100 {
		s := pick(border)
		fixed("vertex", s.a[0], s.a[1])
	}
	for range 20 {
		s := pick(cut)
		fixed("vertex", s.b[0], s.b[1])
	}
	mid := func(s pgOracleSeg) { fixed("midpoint", (s.a[0]+s.b[0])/2, (s.a[1]+s.b[1])/2) }
	for range 180 {
		mid(pick(all))
	}
	for range 100 {
		mid(pick(border))
	}
	for range 20 {
		mid(pick(cut))
	}

	exec(pgOracleSQLSeed)
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"seed"}, []string{"id", "kind", "lon0", "lat0", "dist", "az"},
		pgx.CopyFromSlice(len(seed), func(i int) ([]any, error) {
			r := seed[i]
			return []any{i + 1, r.kind, r.lon0, r.lat0, r.dist, r.az}, nil
		})); err != nil {
		t.Fatal(err)
	}
	step := time.Now()
	exec(pgOracleSQLBoundary)
	t.Logf("boundaries built in %v", time.Since(step).Round(time.Millisecond))
	step = time.Now()
	exec(pgOracleSQLPoints)
	t.Logf("%d points projected in %v", len(seed), time.Since(step).Round(time.Millisecond))
	step = time.Now()
	exec(pgOracleSQLLabel)
	t.Logf("labelled in %v", time.Since(step).Round(time.Millisecond))

	var nseg [2]int
	if err := conn.QueryRow(ctx, "SELECT (SELECT nseg FROM boundary WHERE a3 = 'USA'), (SELECT nseg FROM boundary WHERE a3 = 'MEX')").Scan(&nseg[0], &nseg[1]); err != nil {
		t.Fatal(err)
	}

	// Write the CSV.
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	fmt.Fprintln(zw, "lon,lat,country,dist_m,dist_seg_m,kind")
	rows, err := conn.Query(ctx, pgOracleSQLResult)
	if err != nil {
		t.Fatal(err)
	}
	type stat struct{ n, usa, mex, both, none, on180 int }
	stats := map[string]*stat{}
	var nDiff1 int
	var maxDiff float64
	var maxDiffAt string
	n := 0
	for rows.Next() {
		var id int
		var kind, country string
		var lon, lat, d, dseg float64
		if err := rows.Scan(&id, &kind, &lon, &lat, &country, &d, &dseg); err != nil {
			t.Fatal(err)
		}
		n++
		if id != n || kind != seed[id-1].kind {
			t.Fatalf("row %d: id %d kind %q", n, id, kind)
		}
		if math.IsNaN(d) || math.IsNaN(dseg) || math.IsInf(d, 0) || math.IsInf(dseg, 0) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			t.Fatalf("point %d (%v, %v): bad label %v %v", id, lon, lat, d, dseg)
		}
		f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
		m := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
		q := country
		if q == "" {
			q = `""`
		}
		fmt.Fprintf(zw, "%s,%s,%s,%s,%s,%s\n", f(lon), f(lat), q, m(d), m(dseg), kind)
		s := stats[kind]
		if s == nil {
			s = &stat{}
			stats[kind] = s
		}
		s.n++
		switch country {
		case "USA":
			s.usa++
		case "MEX":
			s.mex++
		case "":
			s.none++
		default:
			s.both++
		}
		if math.Abs(lon) == 180 {
			s.on180++
		}
		if diff := math.Abs(d - dseg); diff > 1 {
			nDiff1++
			if diff > maxDiff {
				maxDiff, maxDiffAt = diff, fmt.Sprintf("(%s, %s) %s dist_m %.3f dist_seg_m %.3f", f(lon), f(lat), kind, d, dseg)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(seed) {
		t.Fatalf("%d labelled points, want %d", n, len(seed))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(pgOracleCSV), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pgOracleCSV, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// And the description.
	var md strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&md, format, args...) }
	w("# PostGIS oracle for the airspace engine\n\n")
	w("`oracle_postgis.csv.gz` (generated by `TestGenerateOracle` in `../oracle_gen_test.go`; do not edit by hand) —\n")
	w("%d points labelled by PostGIS against `../data/usa.geojson` and `../data/mex.geojson`.\n\n", n)
	w("Regenerate (needs PostgreSQL 15 with PostGIS 3, found by `internal/testenv`; takes well under a minute):\n\n")
	w("```sh\ngo test ./internal/airspace -run TestGenerateOracle -update\n```\n\n")
	w("The output is deterministic: same inputs and PostGIS build ⇒ same bytes.\n\n")
	w("## Produced with\n\n- PostgreSQL %s\n- `postgis_full_version()`: `%s`\n", pgVersion, version)
	w("- random source: Go `math/rand/v2`, `%s` (PCG, seed 1), drawn in the order of the kinds below\n\n", pgOracleSeed)
	w("## Columns\n\n")
	w("`lon,lat,country,dist_m,dist_seg_m,kind`\n\n")
	w("- `lon`, `lat`: degrees, written with `strconv.FormatFloat(x, 'g', -1, 64)`: they parse back to exactly the float64 PostGIS labelled.\n")
	w("- `country`: the `a3` of the airspace whose geometry `ST_Covers` the point, on **geometry** (edges are straight lines in lon/lat, as GeoJSON says; the boundary belongs to the polygon). `\"\"` = covered by neither. `MEX|USA` = covered by both, which only happens for points exactly on the shared boundary (dist_m = 0); there either answer is right.\n")
	w("- `dist_m`: `ST_Distance(point::geography, boundary::geography)` in metres (WGS84 spheroid, default `use_spheroid`), to the boundary of the covering airspace; for a point covered by neither (or both) the smaller of the two. The boundary is the multilinestring of the airspace's ring segments (`ST_DumpSegments`) **without** the artificial antimeridian cut edges (both endpoints at |lon| = 180): no point is near a border just because it is near lon ±180. NB: geography takes each edge as a **great-circle arc**, which moves long edges by up to ~578 m from the straight lon/lat edge that defines `country`.\n")
	w("- `dist_seg_m`: the same, but with the boundary geometry first cut into ≤ 0.01° pieces in lon/lat (`ST_Segmentize(geom, 0.01)`, straight lon/lat edges) and then cast to geography: an independent computation of the distance to the straight lon/lat edges (a great-circle arc over ≤ 0.01° stays within a few centimetres of the straight edge: cutting to 0.001° instead changes distances by ~1 cm). **Use `dist_seg_m` to test a straight-edge engine**; `dist_m` is what plain PostGIS geography says.\n")
	w("- `kind`: how the point was drawn (below). \"Within 30 km of a segment\" means: a boundary segment drawn with probability proportional to its length (`hypot(Δlon·cos(mid lat), Δlat)`), a uniform point on it (`a + f·(b−a)`, f uniform in [0,1)), then `ST_Project` on geography by a uniform distance in [0, 30 km) along a uniform azimuth in [0, 2π).\n\n")
	w("## Counts\n\n| kind | points | USA | MEX | both | neither | lon = ±180 | drawn as |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
	tot := stat{}
	for _, k := range pgOracleKinds {
		s := stats[k.name]
		if s == nil {
			s = &stat{}
		}
		w("| %s | %d | %d | %d | %d | %d | %d | %s |\n", k.name, s.n, s.usa, s.mex, s.both, s.none, s.on180, k.doc)
		tot.n += s.n
		tot.usa += s.usa
		tot.mex += s.mex
		tot.both += s.both
		tot.none += s.none
		tot.on180 += s.on180
	}
	w("| **total** | %d | %d | %d | %d | %d | %d | |\n\n", tot.n, tot.usa, tot.mex, tot.both, tot.none, tot.on180)
	w("Boundary segments used for the distances: USA %d, MEX %d (the %d antimeridian cut edges of USA are left out).\n\n", nseg[0], nseg[1], len(cut))
	w("Great-circle vs straight edges: %d points have |dist_m − dist_seg_m| > 1 m; the largest difference is %.3f m, at %s.\n\n", nDiff1, maxDiff, maxDiffAt)
	w("## SQL\n\nRun in this order in a fresh database with `CREATE EXTENSION postgis` (the points go into `seed` by COPY from Go):\n\n```sql\n")
	for _, s := range []string{pgOracleSQLSchema, pgOracleSQLInsert, pgOracleSQLIndex, pgOracleSQLBoundary, pgOracleSQLSeed, pgOracleSQLPoints, pgOracleSQLLabel, pgOracleSQLResult} {
		w("%s\n\n", s)
	}
	w("```\n\nBefore labelling, the generator checks that every vertex PostGIS parsed (`%s`) is the same float64 as Go's `encoding/json` parse of the file.\n\n",
		strings.ReplaceAll(pgOracleSQLVertices, "\n", " "))
	w("The other file here, `oracle_sample.csv.gz`, is the original 20,000-point oracle, copied unchanged from the data drop (see `../data/SOURCE.md`): `country` by `ST_Covers`, `dist_m` to the great-circle boundary *including* the antimeridian cut edges (irrelevant there: all its points are in lon −125..−86).\n\n")
	w("Data: © OpenStreetMap contributors, ODbL 1.0 (see `../data/SOURCE.md`).\n")
	if err := os.WriteFile(pgOracleDoc, []byte(md.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d points, %d bytes) and %s in %v; |dist_m-dist_seg_m| > 1 m: %d, max %.3f m at %s",
		pgOracleCSV, n, buf.Len(), pgOracleDoc, time.Since(start).Round(time.Millisecond), nDiff1, maxDiff, maxDiffAt)
}
