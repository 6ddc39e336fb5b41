package airspace

import (
	"testing"
)

// benchPoints returns the oracle sample's points: all of them, and those
// within 30 km of a boundary.
func benchPoints(b *testing.B) (all, near [][2]float64) {
	b.Helper()
	for _, r := range readOracle(b, "testdata/oracle_sample.csv.gz") {
		all = append(all, [2]float64{r.lon, r.lat})
		if r.dist <= 30000 {
			near = append(near, [2]float64{r.lon, r.lat})
		}
	}
	return all, near
}

// BenchmarkLocate measures exact classification over the 20,000 oracle
// points (half uniform, half within 30 km of a boundary). One op is one
// point.
func BenchmarkLocate(b *testing.B) {
	s := embeddedForTest(b)
	all, _ := benchPoints(b)
	b.ReportAllocs()
	var sink int
	i := 0
	for b.Loop() {
		p := all[i]
		sink += s.Locate(degrees(p[0]), degrees(p[1]))
		if i++; i == len(all) {
			i = 0
		}
	}
	_ = sink
}

// BenchmarkDepth measures the depth query for the oracle points within
// 30 km of a boundary, in their covering airspace (as Classify does). One
// op is one point.
func BenchmarkDepth(b *testing.B) {
	s := embeddedForTest(b)
	_, near := benchPoints(b)
	idx := make([]int, len(near))
	for i, p := range near {
		idx[i] = s.Locate(degrees(p[0]), degrees(p[1]))
	}
	b.ReportAllocs()
	var sink float64
	i := 0
	for b.Loop() {
		p := near[i]
		sink += float64(s.Depth(idx[i], degrees(p[0]), degrees(p[1])))
		if i++; i == len(near) {
			i = 0
		}
	}
	_ = sink
}

// BenchmarkClassify measures Classify (country and depth) over all 20,000
// oracle points, far ones included.
func BenchmarkClassify(b *testing.B) {
	s := embeddedForTest(b)
	all, _ := benchPoints(b)
	b.ReportAllocs()
	var sink float64
	i := 0
	for b.Loop() {
		p := all[i]
		_, d := s.Classify(degrees(p[0]), degrees(p[1]))
		sink += float64(d)
		if i++; i == len(all) {
			i = 0
		}
	}
	_ = sink
}
