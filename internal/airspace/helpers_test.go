package airspace

import (
	"bufio"
	"compress/gzip"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/geo"
)

func degrees(v float64) geo.Degrees { return geo.Degrees(v) }

// embeddedForTest returns the embedded set (built once per process).
func embeddedForTest(t testing.TB) *Set {
	t.Helper()
	set, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// embeddedCountries returns the parsed embedded data.
func embeddedCountries(t testing.TB) []Country {
	t.Helper()
	cs, err := ParseFS(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// oracleRow is one labelled point of a CSV oracle in testdata.
type oracleRow struct {
	line     int
	lon, lat float64
	country  string
	dist     float64 // PostGIS geography ST_Distance (great-circle edges)
	distSeg  float64 // the same to edges densified in lon/lat; NaN if absent
	kind     string
}

// readOracle reads a gzipped CSV oracle with header
// lon,lat,country,dist_m[,dist_seg_m[,kind]].
func readOracle(t testing.TB, path string) []oracleRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Scan()
	head := strings.Split(sc.Text(), ",")
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var rows []oracleRow
	for n := 2; sc.Scan(); n++ {
		p := strings.Split(sc.Text(), ",")
		num := func(name string) float64 {
			i, ok := col[name]
			if !ok {
				return math.NaN()
			}
			v, err := strconv.ParseFloat(p[i], 64)
			if err != nil {
				t.Fatalf("%s:%d: %s: %v", path, n, name, err)
			}
			return v
		}
		r := oracleRow{line: n, lon: num("lon"), lat: num("lat"), country: strings.Trim(p[col["country"]], `"`), dist: num("dist_m"), distSeg: num("dist_seg_m")}
		if i, ok := col["kind"]; ok {
			r.kind = p[i]
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// newSearch returns a search prepared for the point (lon, lat).
func newSearch(lon, lat float64) search {
	var s search
	s.init(lon, lat)
	return s
}

// settle settles edge i of t from s's point, as the index would.
func (s *search) settle(t *tree, i int32, hint float64) (float64, geo.LatLon) {
	e := &t.edges[i]
	return s.settleFrom(t.ix, e.leaf.v+e.k, hint)
}
