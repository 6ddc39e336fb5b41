package airspace

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vigia/vigia/internal/testenv"
)

// TestPostGISLive labels fresh points with a running PostGIS, the same way
// the stored oracle was made, and checks each answer of ours against it:
// the covering airspaces against ST_Covers; and each depth by asking
// PostGIS for the spheroid distance to the boundary point we found (its
// own geodesic code, GeographicLib's), for how far that point lies from
// the boundary (0: it is on it), and for its distance to the boundary cut
// into 0.01° pieces, which ours may not exceed.
func TestPostGISLive(t *testing.T) {
	s := embeddedForTest(t)
	ctx := context.Background()
	conn := testenv.Connect(t, testenv.PostGIS(t))
	pgOracleLoad(t, ctx, conn, pgOracleReadCountries(t))
	if _, err := conn.Exec(ctx, pgOracleSQLBoundary); err != nil {
		t.Fatal(err)
	}

	n := 1500
	if testing.Short() {
		n = 300
	}
	pts := nearBoundaryPoints(embeddedCountries(t), n, 21)
	rng := rand.New(rand.NewPCG(22, 23))
	for i := 0; i < n/3; i++ {
		pts = append(pts, [2]float64{-125 + rng.Float64()*39, 14 + rng.Float64()*19})
		pts = append(pts, [2]float64{172 + rng.Float64()*8, 50 + rng.Float64()*6}) // Aleutians, west of the antimeridian
	}
	type ours struct {
		codes      string
		d          float64
		flon, flat float64
		code       string // the airspace whose boundary d is measured to; "" for the nearest
	}
	res := make([]ours, len(pts))
	for i, p := range pts {
		all := s.LocateAll(nil, degrees(p[0]), degrees(p[1]))
		var codes []string
		for _, k := range all {
			codes = append(codes, s.Codes()[k])
		}
		idx := -1
		if len(all) == 1 {
			idx = all[0]
		}
		d, foot := s.Nearest(idx, degrees(p[0]), degrees(p[1]))
		r := ours{codes: strings.Join(codes, "|"), d: float64(d), flon: float64(foot.Lon), flat: float64(foot.Lat)}
		if idx >= 0 {
			r.code = s.Codes()[idx]
		}
		res[i] = r
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE q (id int, lon float8, lat float8, flon float8, flat float8)`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"q"}, []string{"id", "lon", "lat", "flon", "flat"},
		pgx.CopyFromSlice(len(pts), func(i int) ([]any, error) {
			return []any{i, pts[i][0], pts[i][1], res[i].flon, res[i].flat}, nil
		})); err != nil {
		t.Fatal(err)
	}
	// Each airspace and boundary is a constant (an initplan), so PostGIS
	// builds its caches once, as in the oracle's labelling.
	rows, err := conn.Query(ctx, `
WITH pt AS (
  SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS p, ST_SetSRID(ST_MakePoint(flon, flat), 4326) AS f FROM q)
SELECT id,
  concat_ws('|', CASE WHEN ST_Covers((SELECT geom FROM airspace WHERE a3 = 'MEX'), p) THEN 'MEX' END,
                 CASE WHEN ST_Covers((SELECT geom FROM airspace WHERE a3 = 'USA'), p) THEN 'USA' END),
  ST_Distance(p::geography, f::geography),
  ST_Distance(f, (SELECT geom FROM boundary WHERE a3 = 'MEX')),
  ST_Distance(f, (SELECT geom FROM boundary WHERE a3 = 'USA')),
  ST_Distance(p::geography, (SELECT geog_seg FROM boundary WHERE a3 = 'MEX')),
  ST_Distance(p::geography, (SELECT geog_seg FROM boundary WHERE a3 = 'USA'))
FROM pt ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var worstFoot, worstOff float64
	checked := 0
	for rows.Next() {
		var id int
		var covers string
		var dFoot, offMEX, offUSA, segMEX, segUSA float64
		if err := rows.Scan(&id, &covers, &dFoot, &offMEX, &offUSA, &segMEX, &segUSA); err != nil {
			t.Fatal(err)
		}
		r, p := res[id], pts[id]
		off, dSeg := math.Min(offMEX, offUSA), math.Min(segMEX, segUSA)
		switch r.code {
		case "MEX":
			off, dSeg = offMEX, segMEX
		case "USA":
			off, dSeg = offUSA, segUSA
		}
		if covers != r.codes {
			t.Errorf("%v,%v: covered by %q, PostGIS ST_Covers says %q", p[0], p[1], r.codes, covers)
		}
		if diff := math.Abs(dFoot - r.d); diff > 1e-3 {
			t.Errorf("%v,%v: depth %.4f m, PostGIS spheroid distance to our boundary point %.4f m", p[0], p[1], r.d, dFoot)
		}
		if off > 1e-9 {
			t.Errorf("%v,%v: our boundary point %v,%v is %.3g° off the boundary", p[0], p[1], r.flon, r.flat, off)
		}
		if r.d > dSeg+segTolerance {
			t.Errorf("%v,%v: depth %.3f m exceeds PostGIS's distance to the densified boundary, %.3f m", p[0], p[1], r.d, dSeg)
		}
		worstFoot = math.Max(worstFoot, math.Abs(dFoot-r.d))
		worstOff = math.Max(worstOff, off)
		checked++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if checked != len(pts) {
		t.Fatalf("PostGIS answered for %d of %d points", checked, len(pts))
	}
	t.Logf("%d fresh points: coverage agrees with ST_Covers; depth matches PostGIS's spheroid distance to our boundary point within %.2g m, which lies within %.2g° of the boundary", checked, worstFoot, worstOff)
}
