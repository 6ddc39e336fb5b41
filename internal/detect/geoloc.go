package detect

import (
	"fmt"
	"math"
	"sort"

	"github.com/vigia/vigia/internal/envi"
	"github.com/vigia/vigia/internal/geo"
)

// locator places fractional pixel coordinates on the ground: (line,
// sample) with (0, 0) the upper-left corner of the upper-left pixel and
// (l+0.5, s+0.5) the centre of pixel (l, s).
type locator interface {
	lonLat(line, sample float64) (lon, lat float64, ok bool)
}

// mapLocator uses the cube's map info: an affine transform to map
// coordinates, then UTM to longitude and latitude when the map is UTM.
type mapLocator struct {
	gt    [6]float64
	utm   bool
	zone  int
	north bool
}

func newMapLocator(m *envi.MapInfo) *mapLocator {
	return &mapLocator{gt: m.GeoTransform(), utm: m.IsUTM(), zone: m.Zone, north: m.North}
}

func (m *mapLocator) lonLat(line, sample float64) (lon, lat float64, ok bool) {
	x := m.gt[0] + sample*m.gt[1] + line*m.gt[2]
	y := m.gt[3] + sample*m.gt[4] + line*m.gt[5]
	if !m.utm {
		return x, y, true
	}
	lon, lat = envi.UTMToLonLat(m.zone, m.north, x, y)
	return lon, lat, true
}

// igmLocator interpolates the IGM's pixel-centre positions bilinearly
// (and extrapolates linearly by half a pixel at the edges).
type igmLocator struct {
	g              envi.Geolocation
	lines, samples int
}

func (g *igmLocator) lonLat(line, sample float64) (lon, lat float64, ok bool) {
	// centre coordinates
	y, x := line-0.5, sample-0.5
	l0 := min(max(int(math.Floor(y)), 0), max(g.lines-2, 0))
	s0 := min(max(int(math.Floor(x)), 0), max(g.samples-2, 0))
	l1, s1 := min(l0+1, g.lines-1), min(s0+1, g.samples-1)
	fy, fx := y-float64(l0), x-float64(s0)
	if l1 == l0 {
		fy = 0
	}
	if s1 == s0 {
		fx = 0
	}
	var lo, la [4]float64
	for i, p := range [4][2]int{{l0, s0}, {l0, s1}, {l1, s0}, {l1, s1}} {
		var good bool
		lo[i], la[i], good = g.g.LonLat(p[0], p[1])
		if !good {
			return 0, 0, false
		}
	}
	bil := func(v [4]float64) float64 {
		return (v[0]*(1-fx)+v[1]*fx)*(1-fy) + (v[2]*(1-fx)+v[3]*fx)*fy
	}
	return bil(lo), bil(la), true
}

// pixelSize estimates the ground sampling distance from a locator: the
// median geodesic distance between neighbouring pixel centres, along and
// across track, at up to 9 places.
func pixelSize(loc locator, lines, samples int) (geo.Meters, error) {
	var d []float64
	for _, fl := range []float64{0.25, 0.5, 0.75} {
		for _, fs := range []float64{0.25, 0.5, 0.75} {
			l := math.Floor(fl*float64(lines-1)) + 0.5
			s := math.Floor(fs*float64(samples-1)) + 0.5
			lon0, lat0, ok0 := loc.lonLat(l, s)
			if !ok0 {
				continue
			}
			for _, step := range [2][2]float64{{1, 0}, {0, 1}} {
				lon1, lat1, ok1 := loc.lonLat(l+step[0], s+step[1])
				if !ok1 {
					continue
				}
				m := geo.WGS84.Distance(geo.LatLon{Lat: geo.Degrees(lat0), Lon: geo.Degrees(lon0)}, geo.LatLon{Lat: geo.Degrees(lat1), Lon: geo.Degrees(lon1)})
				if m > 0 {
					d = append(d, float64(m))
				}
			}
		}
	}
	if len(d) == 0 {
		return 0, fmt.Errorf("cannot measure the pixel size: no two neighbouring pixels are located")
	}
	sort.Float64s(d)
	return geo.Meters(d[len(d)/2]), nil
}

// fitAffine fits map = gt · (sample, line) by least squares over a grid of
// pixel corners and centres located by xy (map coordinates), and returns
// the transform and the largest residual in map units. It georeferences
// the rasters of a cube located only by an IGM: exact for a north-up
// orthorectified grid, approximate for raw sensor geometry.
func fitAffine(xy func(line, sample float64) (x, y float64, ok bool), lines, samples int) (gt [6]float64, maxResid float64, err error) {
	type obs struct{ l, s, x, y float64 }
	var pts []obs
	const n = 12
	for i := 0; i <= n; i++ {
		for j := 0; j <= n; j++ {
			l := math.Floor(float64(i)*float64(lines-1)/n) + 0.5
			s := math.Floor(float64(j)*float64(samples-1)/n) + 0.5
			if x, y, ok := xy(l, s); ok {
				pts = append(pts, obs{l, s, x, y})
			}
		}
	}
	if len(pts) < 3 {
		return gt, 0, fmt.Errorf("only %d located pixels to fit a geotransform", len(pts))
	}
	// Normal equations for [1, s, l] → x and → y.
	var a [3][3]float64
	var bx, by [3]float64
	for _, p := range pts {
		v := [3]float64{1, p.s, p.l}
		for r := range 3 {
			for c := range 3 {
				a[r][c] += v[r] * v[c]
			}
			bx[r] += v[r] * p.x
			by[r] += v[r] * p.y
		}
	}
	cx, okx := solve3(a, bx)
	cy, oky := solve3(a, by)
	if !okx || !oky {
		return gt, 0, fmt.Errorf("located pixels are collinear: cannot fit a geotransform")
	}
	gt = [6]float64{cx[0], cx[1], cx[2], cy[0], cy[1], cy[2]}
	for _, p := range pts {
		dx := gt[0] + p.s*gt[1] + p.l*gt[2] - p.x
		dy := gt[3] + p.s*gt[4] + p.l*gt[5] - p.y
		maxResid = math.Max(maxResid, math.Hypot(dx, dy))
	}
	return gt, maxResid, nil
}

// solve3 solves a 3×3 system by Gaussian elimination with partial
// pivoting.
func solve3(a [3][3]float64, b [3]float64) ([3]float64, bool) {
	for c := range 3 {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-300 {
			return b, false
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < 3; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < 3; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < 3; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}
