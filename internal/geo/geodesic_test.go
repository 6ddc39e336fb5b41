package geo

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Tests against published values: the worked examples of Karney (2013), a
// sample of GeographicLib's test set GeodTest (testdata/README.md), and the
// cases with expected values in GeographicLib's C test suite.

// angErr returns |x - y| in degrees, reduced modulo 360.
func angErr(x, y float64) float64 {
	d, e := angDiff(y, x)
	return math.Abs(d + e)
}

// geodLine is one line of GeodTest: a geodesic given by its end points,
// azimuths and length, plus the arc length a12, reduced length m12 and area
// S12 (not used here except m12, see checkInverseAzimuth).
type geodLine struct {
	lat1, lon1, azi1, lat2, lon2, azi2, s12, a12, m12, area float64
}

// GeodTest-short.dat consists of 9 blocks, in this order; the sample keeps
// every 25th line, so the category of sample line i is that of line 25i+1 of
// the original.
var geodTestCategories = []struct {
	name  string
	first int // first line (1-based) of the category in GeodTest-short.dat
}{
	{"random", 1},
	{"nearly antipodal", 2001},
	{"short", 3001},
	{"one end near a pole", 4001},
	{"ends near opposite poles", 5001},
	{"nearly meridional", 6001},
	{"nearly equatorial", 7001},
	{"between vertices", 8001},
	{"ending close to vertices", 9001},
}

func geodTestCategory(i int) string {
	line := 25*i + 1
	name := ""
	for _, c := range geodTestCategories {
		if line >= c.first {
			name = c.name
		}
	}
	return name
}

func readGeodTest(t *testing.T) []geodLine {
	t.Helper()
	f, err := os.Open("testdata/GeodTest-sample.dat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []geodLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 10 {
			t.Fatalf("line %d: %d fields, want 10", len(lines)+1, len(fields))
		}
		var v [10]float64
		for k, s := range fields {
			if v[k], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("line %d: %v", len(lines)+1, err)
			}
		}
		lines = append(lines, geodLine{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 400 {
		t.Fatalf("read %d lines, want 400", len(lines))
	}
	return lines
}

const (
	tolDist  = 1e-8 // m; GeographicLib's error bound is 15 nm
	tolAngle = 1e-9 // degrees
	// An azimuth error δ (rad) moves the far end of the geodesic sideways
	// by |m12|·δ. Where the inverse problem is ill-conditioned (the far
	// end near a point conjugate to the first, e.g. lines between
	// vertices) rounding the inputs to float64 already changes the
	// azimuth by more than tolAngle; there the error is judged by this
	// displacement instead.
	tolAziShift = 1e-8 // m
)

// checkInverseAzimuth reports whether the azimuth got is acceptably close to
// want for a geodesic with reduced length m12.
func checkInverseAzimuth(got, want, m12 float64) bool {
	d := angErr(got, want)
	return d <= tolAngle || d*degree*math.Abs(m12) <= tolAziShift
}

func TestGeodTestInverse(t *testing.T) {
	illCond := map[string]int{}
	for i, l := range readGeodTest(t) {
		s12, azi1, azi2 := WGS84.Inverse(Degrees(l.lat1), Degrees(l.lon1), Degrees(l.lat2), Degrees(l.lon2))
		if d := math.Abs(float64(s12) - l.s12); !(d <= tolDist) {
			t.Errorf("sample %d (%s): s12 = %.9f, want %.9f (error %.3g m)", i, geodTestCategory(i), s12, l.s12, d)
		}
		for _, a := range []struct {
			name      string
			got, want float64
		}{{"azi1", float64(azi1), l.azi1}, {"azi2", float64(azi2), l.azi2}} {
			if !checkInverseAzimuth(a.got, a.want, l.m12) {
				t.Errorf("sample %d (%s): %s = %.15g, want %.15g (m12 = %g)", i, geodTestCategory(i), a.name, a.got, a.want, l.m12)
			}
			if angErr(a.got, a.want) > tolAngle {
				illCond[geodTestCategory(i)]++
			}
		}
		if d := float64(WGS84.Distance(LatLon{Degrees(l.lat1), Degrees(l.lon1)}, LatLon{Degrees(l.lat2), Degrees(l.lon2)})); d != float64(s12) {
			t.Errorf("sample %d: Distance = %v, Inverse s12 = %v", i, d, s12)
		}
	}
	t.Logf("azimuths judged by the sideways displacement |m12|·δ (ill-conditioned): %v", illCond)
}

func TestGeodTestDirect(t *testing.T) {
	for i, l := range readGeodTest(t) {
		lat2, lon2, azi2 := WGS84.Direct(Degrees(l.lat1), Degrees(l.lon1), Degrees(l.azi1), Meters(l.s12))
		// Positions are compared as arcs: the longitude error counts with
		// the weight cos(lat) it has on the ground.
		dlat := math.Abs(float64(lat2) - l.lat2)
		dlon := angErr(float64(lon2), l.lon2)
		coslat := math.Cos(l.lat2 * degree)
		if !(dlat <= tolAngle) || !(dlon*coslat <= tolAngle) {
			t.Errorf("sample %d (%s): (lat2, lon2) = (%.15g, %.15g), want (%.15g, %.15g)",
				i, geodTestCategory(i), lat2, lon2, l.lat2, l.lon2)
		}
		// Near a pole the meridian, and so the azimuth, turns by
		// sin(lat)·Δlon for a longitude error Δlon; remove that part.
		da, _ := angDiff(l.azi2, float64(azi2))
		dl, _ := angDiff(l.lon2, float64(lon2))
		if d := math.Abs(da - math.Sin(l.lat2*degree)*dl); !(d <= tolAngle) {
			t.Errorf("sample %d (%s): azi2 = %.15g, want %.15g", i, geodTestCategory(i), azi2, l.azi2)
		}
	}
}

// TestPaperExamples checks the worked examples of Karney (2013), Tables 2-6
// (WGS84), whose results are given to 11 decimals in degrees and 1 µm.
func TestPaperExamples(t *testing.T) {
	const tol = 1e-10 // rounding of the published values is 5e-12
	// Table 2: the direct problem.
	lat2, lon2, azi2 := WGS84.Direct(40, 0, 30, 10e6)
	for _, c := range []struct {
		name      string
		got, want Degrees
	}{
		{"lat2", lat2, 41.79331020506},
		{"lon2", lon2, 137.84490004377},
		{"azi2", azi2, 149.09016931807},
	} {
		if d := math.Abs(float64(c.got - c.want)); !(d <= tol) {
			t.Errorf("Table 2: %s = %.12f, want %.11f", c.name, c.got, c.want)
		}
	}

	// Table 3: a short inverse problem. For a line this short (4.9 m) the
	// azimuth is fixed only to about 1e-8° by positions in float64 (and by
	// the round-off in λ12 that ends the iteration), so it is judged by the
	// displacement it causes, as in TestGeodTestInverse (m12 ≈ s12 here).
	s12, azi1, azi2 := WGS84.Inverse(-30.12345, 0, -30.12344, 0.00005)
	if d := math.Abs(float64(s12) - 4.944208); d > 0.5e-6 {
		t.Errorf("Table 3: s12 = %.9f, want 4.944208", s12)
	}
	if !checkInverseAzimuth(float64(azi1), 77.04353354237, float64(s12)) {
		t.Errorf("Table 3: azi1 = %.12f, want 77.04353354237", azi1)
	}
	if !checkInverseAzimuth(float64(azi2), 77.04350844913, float64(s12)) {
		t.Errorf("Table 3: azi2 = %.12f, want 77.04350844913", azi2)
	}

	// Tables 4-6: a nearly antipodal inverse problem (astroid start).
	s12, azi1, azi2 = WGS84.Inverse(-30, 0, 29.9, 179.8)
	if d := math.Abs(float64(s12) - 19989832.827610); d > 0.5e-6 {
		t.Errorf("Table 6: s12 = %.7f, want 19989832.827610", s12)
	}
	if d := math.Abs(float64(azi1) - 161.89052473633); d > tol {
		t.Errorf("Table 6: azi1 = %.12f, want 161.89052473633", azi1)
	}
	if d := math.Abs(float64(azi2) - 18.09073724574); d > tol {
		t.Errorf("Table 6: azi2 = %.12f, want 18.09073724574", azi2)
	}
}

// geodtestCases are the WGS84 test cases of GeographicLib's C test suite
// (https://github.com/geographiclib/geographiclib-c, tests/geodtest.c, array
// testcases, at commit d367e44e6042e233f87a1740c9c3a3b29f1f0a55): lat1,
// lon1, azi1, lat2, lon2 (unrolled), azi2, s12.
var geodtestCases = [][7]float64{
	{35.60777, -139.44815, 111.098748429560326, -11.17491, -69.95921, 129.289270889708762, 8935244.5604818305},
	{55.52454, 106.05087, 22.020059880982801, 77.03196, 197.18234, 109.112041110671519, 4105086.1713924406},
	{-21.97856, 142.59065, -32.44456876433189, 41.84138, 98.56635, -41.84359951440466, 8394328.894657671},
	{-66.99028, 112.2363, 173.73491240878403, -12.70631, 285.90344, 2.512956620913668, 11150344.2312080241},
	{-17.42761, 173.34268, -159.033557661192928, -15.84784, 5.93557, -20.787484651536988, 16076603.1631180673},
	{32.84994, 48.28919, 150.492927788121982, -56.28556, 202.29132, 48.113449399816759, 16727068.9438164461},
	{6.96833, 52.74123, 92.581585386317712, -7.39675, 206.17291, 90.721692165923907, 17102477.2496958388},
	{-50.56724, -16.30485, -105.439679907590164, -33.56571, -94.97412, -47.348547835650331, 6455670.5118668696},
	{-58.93002, -8.90775, 140.965397902500679, -8.91104, 133.13503, 19.255429433416599, 11756066.0219864627},
	{-68.82867, -74.28391, 93.774347763114881, -50.63005, -8.36685, 34.65564085411343, 3956936.926063544},
	{-10.62672, -32.0898, -86.426713286747751, 5.883, -134.31681, -80.473780971034875, 11470869.3864563009},
	{-21.76221, 166.90563, 29.319421206936428, 48.72884, 213.97627, 43.508671946410168, 9098627.3986554915},
	{-19.79938, -174.47484, 71.167275780171533, -11.99349, -154.35109, 65.589099775199228, 2319004.8601169389},
	{-11.95887, -116.94513, 92.712619830452549, 4.57352, 7.16501, 78.64960934409585, 13834722.5801401374},
	{-87.85331, 85.66836, -65.120313040242748, 66.48646, 16.09921, -4.888658719272296, 17286615.3147144645},
	{1.74708, 128.32011, -101.584843631173858, -11.16617, 11.87109, -86.325793296437476, 12942901.1241347408},
	{-25.72959, -144.90758, -153.647468693117198, -57.70581, -269.17879, -48.343983158876487, 9413446.7452453107},
	{-41.22777, 122.32875, 14.285113402275739, -7.57291, 130.37946, 10.805303085187369, 3812686.035106021},
	{11.01307, 138.25278, 79.43682622782374, 6.62726, 247.05981, 103.708090215522657, 11911190.819018408},
	{-29.47124, 95.14681, -163.779130441688382, -27.46601, -69.15955, -15.909335945554969, 13487015.8381145492},
}

func TestGeographicLibCases(t *testing.T) {
	const tolAzi = 1e-12 // degrees
	for i, c := range geodtestCases {
		s12, azi1, azi2 := WGS84.Inverse(Degrees(c[0]), Degrees(c[1]), Degrees(c[3]), Degrees(c[4]))
		if angErr(float64(azi1), c[2]) > tolAzi || angErr(float64(azi2), c[5]) > tolAzi || math.Abs(float64(s12)-c[6]) > tolDist {
			t.Errorf("case %d: Inverse = (%.9f, %.15g, %.15g), want (%.9f, %.15g, %.15g)", i, s12, azi1, azi2, c[6], c[2], c[5])
		}
		lat2, lon2, azi2 := WGS84.Direct(Degrees(c[0]), Degrees(c[1]), Degrees(c[2]), Meters(c[6]))
		if math.Abs(float64(lat2)-c[3]) > tolAzi || angErr(float64(lon2), c[4]) > tolAzi || angErr(float64(azi2), c[5]) > tolAzi {
			t.Errorf("case %d: Direct = (%.15g, %.15g, %.15g), want (%.15g, %.15g, %.15g)", i, lat2, lon2, azi2, c[3], c[4], c[5])
		}
	}
}

// inverseCase is an inverse problem with published results (rounded, so each
// has its tolerance) from GeographicLib's C test suite (tests/geodtest.c as
// above, functions GeodSolveN, named after them). These cover known hard
// cases and other ellipsoids.
type inverseCase struct {
	name                   string
	a                      Meters
	f                      float64
	lat1, lon1, lat2, lon2 Degrees
	azi1, azi2             Degrees // NaN: not checked
	s12                    Meters
	tolAzi                 Degrees
	tolS                   Meters
}

var wgs84f = 1 / 298.257223563

var inverseCases = []inverseCase{
	{"GeodSolve0", 6378137, wgs84f, 40.6, -73.8, 49.01666667, 2.55, 53.47022, 111.59367, 5853226, 0.5e-5, 0.5},
	{"GeodSolve2 prolate", 6.4e6, -1 / 150.0, 0.07476, 0, -0.07476, 180, 90.00078, 90.00078, 20106193, 0.5e-5, 0.5},
	{"GeodSolve2 prolate b", 6.4e6, -1 / 150.0, 0.1, 0, -0.1, 180, 90.00105, 90.00105, 20106193, 0.5e-5, 0.5},
	{"GeodSolve4 short", 6378137, wgs84f, 36.493349428792, 0, 36.49334942879201, .0000008, nan, nan, 0.072, 0, 0.5e-3},
	{"GeodSolve6 a", 6378137, wgs84f, 88.202499451857, 0, -88.202499451857, 179.981022032992859592, nan, nan, 20003898.214, 0, 0.5e-3},
	{"GeodSolve6 b", 6378137, wgs84f, 89.262080389218, 0, -89.262080389218, 179.992207982775375662, nan, nan, 20003925.854, 0, 0.5e-3},
	{"GeodSolve6 c", 6378137, wgs84f, 89.333123580033, 0, -89.333123580032997687, 179.99295812360148422, nan, nan, 20003926.881, 0, 0.5e-3},
	{"GeodSolve9", 6378137, wgs84f, 56.320923501171, 0, -56.320923501171, 179.664747671772880215, nan, nan, 19993558.287, 0, 0.5e-3},
	{"GeodSolve10", 6378137, wgs84f, 52.784459512564, 0, -52.784459512563990912, 179.634407464943777557, nan, nan, 19991596.095, 0, 0.5e-3},
	{"GeodSolve11", 6378137, wgs84f, 48.522876735459, 0, -48.52287673545898293, 179.599720456223079643, nan, nan, 19989144.774, 0, 0.5e-3},
	{"GeodSolve12 extreme prolate", 89.8, -1.83, 0, 0, -10, 160, 120.27, 105.15, 266.7, 1e-2, 1e-1},
	{"GeodSolve33 a", 6378137, wgs84f, 0, 0, 0, 179, 90, 90, 19926189, 0.5e-5, 0.5},
	{"GeodSolve33 b", 6378137, wgs84f, 0, 0, 0, 179.5, 55.96650, 124.03350, 19980862, 0.5e-5, 0.5},
	{"GeodSolve33 c", 6378137, wgs84f, 0, 0, 0, 180, 0, 180, 20003931, 0.5e-5, 0.5},
	{"GeodSolve33 d", 6378137, wgs84f, 0, 0, 1, 180, 0, 180, 19893357, 0.5e-5, 0.5},
	{"GeodSolve33 sphere a", 6.4e6, 0, 0, 0, 0, 179, 90, 90, 19994492, 0.5e-5, 0.5},
	{"GeodSolve33 sphere b", 6.4e6, 0, 0, 0, 0, 180, 0, 180, 20106193, 0.5e-5, 0.5},
	{"GeodSolve33 sphere c", 6.4e6, 0, 0, 0, 1, 180, 0, 180, 19994492, 0.5e-5, 0.5},
	{"GeodSolve33 prolate a", 6.4e6, -1 / 300.0, 0, 0, 0, 179, 90, 90, 19994492, 0.5e-5, 0.5},
	{"GeodSolve33 prolate b", 6.4e6, -1 / 300.0, 0, 0, 0, 180, 90, 90, 20106193, 0.5e-5, 0.5},
	{"GeodSolve33 prolate c", 6.4e6, -1 / 300.0, 0, 0, 0.5, 180, 33.02493, 146.97364, 20082617, 0.5e-5, 0.5},
	{"GeodSolve33 prolate d", 6.4e6, -1 / 300.0, 0, 0, 1, 180, 0, 180, 20027270, 0.5e-5, 0.5},
	{"GeodSolve59", 6378137, wgs84f, 5, 0.00000000000001, 10, 180, 0.000000000000035, 179.99999999999996, 18345191.174332713, 1.5e-14, 5e-9},
	{"GeodSolve74", 6378137, wgs84f, 54.1589, 15.3872, 54.1591, 15.3877, 55.723110355, 55.723515675, 39.527686385, 5e-9, 5e-9},
	{"GeodSolve76 Wellington-Salamanca", 6378137, wgs84f, -(41 + 19/60.0), 174 + 49/60.0, 40 + 58/60.0, -(5 + 30/60.0), 160.39137649664, 19.50042925176, 19960543.857179, 0.5e-11, 0.5e-6},
	{"GeodSolve78", 6378137, wgs84f, 27.2, 0.0, -27.1, 179.5, 45.82468716758, 134.22776532670, 19974354.765767, 0.5e-11, 0.5e-6},
	{"GeodSolve80 coincident", 6378137, wgs84f, 20.001, 0, 20.001, 0, 180, 180, 0, 1e-13, 1e-8},
	{"GeodSolve80 pole", 6378137, wgs84f, 90, 0, 90, 180, 0, 180, 0, 1e-13, 1e-8},
	{"GeodSolve92", 6378137, wgs84f, 37.757540000000006, -122.47018, 37.75754, -122.470177, 89.99999923, 90.00000106, 0.264, 1e-7, 0.5e-3},
	{"GeodSolve99", 6378137, wgs84f, 45.0, 0.0, -45.0, 179.572719, 90.00000028, 90.00000028, 19987083.007, 1e-8, 0.5e-3},
	{"GeodSolve100 strongly prolate", 1e6, -3, 30, 0, 30, 180, 22.368806, 157.631194, 1074081.6, 1, 1e3},
}

var nan = Degrees(math.NaN())

func TestGeodSolveInverse(t *testing.T) {
	for _, c := range inverseCases {
		e := WGS84
		if c.a != 6378137 || c.f != wgs84f {
			e = NewEllipsoid(c.a, c.f)
		}
		s12, azi1, azi2 := e.Inverse(c.lat1, c.lon1, c.lat2, c.lon2)
		if !(math.Abs(float64(s12-c.s12)) <= float64(c.tolS)) {
			t.Errorf("%s: s12 = %.9f, want %.9f ± %g", c.name, s12, c.s12, c.tolS)
		}
		for _, a := range []struct {
			name      string
			got, want Degrees
		}{{"azi1", azi1, c.azi1}, {"azi2", azi2, c.azi2}} {
			if !math.IsNaN(float64(a.want)) && !(angErr(float64(a.got), float64(a.want)) <= float64(c.tolAzi)) {
				t.Errorf("%s: %s = %.15g, want %.15g ± %g", c.name, a.name, a.got, a.want, c.tolAzi)
			}
		}
	}
	// GeodSolve80: a zero distance is +0.
	if s12, _, _ := WGS84.Inverse(20.001, 0, 20.001, 0); math.Signbit(float64(s12)) {
		t.Errorf("coincident points: s12 = %v, want +0", s12)
	}
}

func TestGeodSolveDirect(t *testing.T) {
	near := func(got Degrees, want, tol float64) bool { return angErr(float64(got), want) <= tol }

	// GeodSolve1.
	lat2, lon2, azi2 := WGS84.Direct(40.63972222, -73.77888889, 53.5, 5850e3)
	if !near(lat2, 49.01467, 0.5e-5) || !near(lon2, 2.56106, 0.5e-5) || !near(azi2, 111.62947, 0.5e-5) {
		t.Errorf("GeodSolve1: got (%v, %v, %v)", lat2, lon2, azi2)
	}
	// GeodSolve5: ending at the pole.
	lat2, lon2, azi2 = WGS84.Direct(0.01777745589997, 30, 0, 10e6)
	if !near(lat2, 90, 0.5e-5) || !(near(lon2, 30, 0.5e-5) && near(azi2, 0, 0.5e-5) || near(lon2, -150, 0.5e-5) && near(azi2, 180, 0.5e-5)) {
		t.Errorf("GeodSolve5: got (%v, %v, %v)", lat2, lon2, azi2)
	}
	// GeodSolve17 (longitudes reduced, not unrolled).
	lat2, lon2, azi2 = WGS84.Direct(40, -75, -10, 2e7)
	if !near(lat2, -39, 1) || !near(lon2, 105, 1) || !near(azi2, -170, 1) {
		t.Errorf("GeodSolve17: got (%v, %v, %v)", lat2, lon2, azi2)
	}
	// GeodSolve61: a tiny negative azimuth goes west.
	lat2, lon2, azi2 = WGS84.Direct(45, 0, -0.000000000000000003, 1e7)
	if !near(lat2, 45.30632, 0.5e-5) || !near(lon2, -180, 0.5e-5) || !near(azi2, 180, 0.5e-5) {
		t.Errorf("GeodSolve61: got (%v, %v, %v)", lat2, lon2, azi2)
	}
	// GeodSolve73: backwards from the pole; azi2 is +0.
	lat2, lon2, azi2 = WGS84.Direct(90, 10, 180, -1e6)
	if !near(lat2, 81.04623, 0.5e-5) || !near(lon2, -170, 0.5e-5) || azi2 != 0 || math.Signbit(float64(azi2)) {
		t.Errorf("GeodSolve73: got (%v, %v, %v)", lat2, lon2, azi2)
	}
}

// TestNaNs follows GeodSolve14, 55, 84 and 94: invalid inputs give NaN
// results, not wrong numbers.
func TestNaNs(t *testing.T) {
	inf := Degrees(math.Inf(1))
	isNaN := func(x ...float64) bool {
		for _, v := range x {
			if !math.IsNaN(v) {
				return false
			}
		}
		return true
	}
	for _, c := range [][4]Degrees{{0, 0, 1, nan}, {nan, 0, 0, 90}, {nan, 0, 90, 9}, {0, 0, nan, 90}, {91, 0, 0, 0}} {
		s12, azi1, azi2 := WGS84.Inverse(c[0], c[1], c[2], c[3])
		if !isNaN(float64(s12), float64(azi1), float64(azi2)) {
			t.Errorf("Inverse%v = (%v, %v, %v), want NaNs", c, s12, azi1, azi2)
		}
	}
	for _, c := range []struct {
		lat1, lon1, azi1 Degrees
		s12              Meters
	}{{0, 0, 90, Meters(inf)}, {0, 0, 90, Meters(nan)}, {0, 0, inf, 1000}, {0, 0, nan, 1000}, {inf, 0, 90, 1000}, {nan, 0, 90, 1000}} {
		lat2, lon2, azi2 := WGS84.Direct(c.lat1, c.lon1, c.azi1, c.s12)
		if !isNaN(float64(lat2), float64(lon2), float64(azi2)) {
			t.Errorf("Direct(%v, %v, %v, %v) = (%v, %v, %v), want NaNs", c.lat1, c.lon1, c.azi1, c.s12, lat2, lon2, azi2)
		}
	}
	// A bad longitude spoils only the longitude.
	for _, lon1 := range []Degrees{inf, nan} {
		lat2, lon2, azi2 := WGS84.Direct(0, lon1, 90, 1000)
		if lat2 != 0 || !math.IsNaN(float64(lon2)) || azi2 != 90 {
			t.Errorf("Direct(0, %v, 90, 1000) = (%v, %v, %v), want (0, NaN, 90)", lon1, lat2, lon2, azi2)
		}
	}
}
