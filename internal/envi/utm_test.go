package envi

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/testenv"
)

// TestUTMPublished checks the projection against published values.
func TestUTMPublished(t *testing.T) {
	// GeographicLib's GeoConvert(1) manual, section DESCRIPTION, "UTM/UPS"
	// (https://manpages.ubuntu.com/manpages/jammy/man1/GeoConvert.1.html):
	// 33.3 44.4 (lat, lon, WGS84) is "38n 444140.54 3684706.36".
	e, n := LonLatToUTM(38, true, 44.4, 33.3)
	if math.Abs(e-444140.54) > 0.006 || math.Abs(n-3684706.36) > 0.006 {
		t.Errorf("forward: %.3f %.3f, want 444140.54 3684706.36", e, n)
	}
	lon, lat := UTMToLonLat(38, true, 444140.54, 3684706.36)
	// 1 cm of rounding in the published values is ~1e-7°.
	if math.Abs(lon-44.4) > 2e-7 || math.Abs(lat-33.3) > 2e-7 {
		t.Errorf("inverse: %.9f %.9f, want 44.4 33.3", lon, lat)
	}

	// "Map Projections — A Working Manual", USGS
	// Professional Paper 1395 (1987), transverse Mercator numerical
	// example for the ellipsoid (Appendix A): Clarke 1866 (a = 6378206.4 m,
	// e² = 0.00676866), φ = 40°30′N, λ = 73°30′W, λ0 = 75°W, k0 = 0.9996
	// give x = 127,106.5 m, y = 4,484,124.4 m. Clarke 1866's 1/f is
	// 294.9786982.
	p := newTM(6378206.4, 1/294.9786982, 0.9996)
	x, y := p.forward(40.5*math.Pi/180, 1.5*math.Pi/180)
	if math.Abs(x-127106.5) > 0.05 || math.Abs(y-4484124.4) > 0.05 {
		t.Errorf("PP 1395 forward: %.3f %.3f", x, y)
	}
	phi, lam := p.inverse(127106.5, 4484124.4)
	if math.Abs(phi*180/math.Pi-40.5) > 1e-6 || math.Abs(lam*180/math.Pi-1.5) > 1e-6 {
		t.Errorf("PP 1395 inverse: %.8f %.8f", phi*180/math.Pi, lam*180/math.Pi)
	}
}

// utmTestPoints spans zones and hemispheres, the centre and the edges of
// a zone (and 2° beyond), near the equator and at high latitude.
func utmTestPoints() (pts []struct {
	zone  int
	north bool
	e, n  float64
}) {
	for _, z := range []struct {
		zone  int
		north bool
	}{{13, true}, {18, false}, {60, true}, {1, false}, {31, true}} {
		for _, e := range []float64{166000, 320000, 500000, 699999.5, 834000} {
			for _, n := range []float64{1000, 2.5e6, 4.4e6, 7.9e6, 9.3e6} {
				pts = append(pts, struct {
					zone  int
					north bool
					e, n  float64
				}{z.zone, z.north, e, n})
			}
		}
	}
	return pts
}

// TestUTMRoundTrip: forward after inverse returns the input within 1 µm.
func TestUTMRoundTrip(t *testing.T) {
	for _, p := range utmTestPoints() {
		lon, lat := UTMToLonLat(p.zone, p.north, p.e, p.n)
		e, n := LonLatToUTM(p.zone, p.north, lon, lat)
		if math.Abs(e-p.e) > 1e-6 || math.Abs(n-p.n) > 1e-6 {
			t.Errorf("%+v: round trip to %.7f %.7f", p, e, n)
		}
	}
}

// TestUTMAgainstGDAL compares the inverse with PROJ through gdaltransform
// on every test point: within 1e-9° (0.1 mm).
func TestUTMAgainstGDAL(t *testing.T) {
	tool := testenv.Tool(t, "gdaltransform")
	pts := utmTestPoints()
	byCRS := map[int][]int{}
	for i, p := range pts {
		code := 32700 + p.zone
		if p.north {
			code = 32600 + p.zone
		}
		byCRS[code] = append(byCRS[code], i)
	}
	for code, idx := range byCRS {
		var in bytes.Buffer
		for _, i := range idx {
			fmt.Fprintf(&in, "%.4f %.4f\n", pts[i].e, pts[i].n)
		}
		cmd := exec.Command(tool, "-s_srs", fmt.Sprintf("EPSG:%d", code), "-t_srs", "EPSG:4326", "-output_xy")
		cmd.Stdin = &in
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gdaltransform: %v", err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != len(idx) {
			t.Fatalf("gdaltransform gave %d lines for %d points", len(lines), len(idx))
		}
		for k, i := range idx {
			f := strings.Fields(lines[k])
			glon, _ := strconv.ParseFloat(f[0], 64)
			glat, _ := strconv.ParseFloat(f[1], 64)
			lon, lat := UTMToLonLat(pts[i].zone, pts[i].north, pts[i].e, pts[i].n)
			if math.Abs(math.Remainder(lon-glon, 360)) > 1e-9 || math.Abs(lat-glat) > 1e-9 {
				t.Errorf("EPSG:%d %.1f %.1f: ours %.10f %.10f, GDAL %s", code, pts[i].e, pts[i].n, lon, lat, lines[k])
			}
		}
	}
}
