package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// benchPoints is a fixed set of point pairs, cycled through so that the
// benchmarks do not measure a single, branch-predicted case.
type benchPoints [1024][2]LatLon

// shortPairs returns pairs less than 50 km apart around 30° N, 110° W.
func shortPairs() *benchPoints {
	r := rand.New(rand.NewPCG(11, 12))
	var p benchPoints
	for i := range p {
		a := LatLon{Degrees(30 + 0.5*(r.Float64()-0.5)), Degrees(-110 + 0.5*(r.Float64()-0.5))}
		lat, lon, _ := WGS84.Direct(a.Lat, a.Lon, Degrees(360*r.Float64()), Meters(50000*r.Float64()))
		p[i] = [2]LatLon{a, {lat, lon}}
	}
	return &p
}

// globalPairs returns pairs uniformly distributed on the globe.
func globalPairs() *benchPoints {
	r := rand.New(rand.NewPCG(13, 14))
	pt := func() LatLon {
		return LatLon{Degrees(math.Asin(2*r.Float64()-1) / degree), Degrees(360*r.Float64() - 180)}
	}
	var p benchPoints
	for i := range p {
		p[i] = [2]LatLon{pt(), pt()}
	}
	return &p
}

var benchSink float64

func BenchmarkInverse(b *testing.B) {
	for _, c := range []struct {
		name string
		pts  *benchPoints
	}{{"short", shortPairs()}, {"long", globalPairs()}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var sum float64
			i := 0
			for b.Loop() {
				p := &c.pts[i%len(c.pts)]
				s, azi1, azi2 := WGS84.Inverse(p[0].Lat, p[0].Lon, p[1].Lat, p[1].Lon)
				sum += float64(s) + float64(azi1+azi2)
				i++
			}
			benchSink = sum
		})
	}
}

func BenchmarkDistance(b *testing.B) {
	pts := shortPairs()
	b.ReportAllocs()
	var sum float64
	i := 0
	for b.Loop() {
		p := &pts[i%len(pts)]
		sum += float64(WGS84.Distance(p[0], p[1]))
		i++
	}
	benchSink = sum
}

func BenchmarkDirect(b *testing.B) {
	pts := globalPairs()
	r := rand.New(rand.NewPCG(15, 16))
	var azi [len(pts)]Degrees
	var s [len(pts)]Meters
	for i := range pts {
		azi[i] = Degrees(360*r.Float64() - 180)
		s[i] = Meters(2e7 * r.Float64())
	}
	b.ReportAllocs()
	var sum float64
	i := 0
	for b.Loop() {
		k := i % len(pts)
		lat, lon, azi2 := WGS84.Direct(pts[k][0].Lat, pts[k][0].Lon, azi[k], s[k])
		sum += float64(lat + lon + azi2)
		i++
	}
	benchSink = sum
}

func BenchmarkInterpolate(b *testing.B) {
	pts := shortPairs()
	b.ReportAllocs()
	var sum float64
	i := 0
	for b.Loop() {
		p := &pts[i%len(pts)]
		sum += float64(WGS84.Interpolate(p[0], p[1], 0.37).Lat)
		i++
	}
	benchSink = sum
}
