package envi

import "math"

// tmProjection is a transverse Mercator projection on an ellipsoid, by
// Krüger's series to sixth order in the third flattening n, as given in
//
//	C. F. F. Karney, "Transverse Mercator with an accuracy of a few
//	nanometers", J. Geodesy 85, 475–485 (2011),
//	https://doi.org/10.1007/s00190-011-0445-3 (arXiv:1002.1417),
//	equations (7), (9), (11)–(13), (35) and (36),
//
// accurate to about 5 nm within 3,900 km of the central meridian.
type tmProjection struct {
	e2, e    float64    // eccentricity squared, eccentricity
	scaleA   float64    // k0 × the rectifying radius A
	alp, bet [7]float64 // forward and inverse coefficients, 1-based
	k0       float64
}

func newTM(a, f, k0 float64) *tmProjection {
	n := f / (2 - f)
	n2 := n * n
	n3 := n2 * n
	n4, n5, n6 := n2*n2, n2*n3, n3*n3
	p := &tmProjection{e2: f * (2 - f), k0: k0}
	p.e = math.Sqrt(p.e2)
	p.scaleA = k0 * a / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	p.alp = [7]float64{0,
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
		13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
		61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
		49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
		34729*n5/80640 - 3418889*n6/1995840,
		212378941 * n6 / 319334400,
	}
	p.bet = [7]float64{0,
		n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
		n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
		17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
		4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
		4583*n5/161280 - 108847*n6/3991680,
		20648693 * n6 / 638668800,
	}
	return p
}

// wgs84UTM is UTM's transverse Mercator on WGS84 (k0 = 0.9996).
var wgs84UTM = newTM(6378137, 1/298.257223563, 0.9996)

// taup returns τ′, the tangent of the conformal latitude, for τ = tan φ.
func (p *tmProjection) taup(tau float64) float64 {
	tau1 := math.Hypot(1, tau)
	sig := math.Sinh(p.e * math.Atanh(p.e*tau/tau1))
	return math.Hypot(1, sig)*tau - sig*tau1
}

// tauf inverts taup by Newton's method (Karney 2011, eqs 19–21).
func (p *tmProjection) tauf(taup float64) float64 {
	tau := taup
	for range 6 {
		tp := p.taup(tau)
		d := (taup - tp) * (1 + (1-p.e2)*tau*tau) /
			((1 - p.e2) * math.Hypot(1, tau) * math.Hypot(1, tp))
		tau += d
		if math.Abs(d) <= 1e-15*math.Max(1, math.Abs(tau)) {
			break
		}
	}
	return tau
}

// forward maps latitude and longitude difference from the central
// meridian (radians) to x (east) and y (north) in metres from the origin.
func (p *tmProjection) forward(phi, lam float64) (x, y float64) {
	tp := p.taup(math.Tan(phi))
	sl, cl := math.Sincos(lam)
	xip := math.Atan2(tp, cl)
	etap := math.Asinh(sl / math.Hypot(tp, cl))
	xi, eta := xip, etap
	for j := 1; j <= 6; j++ {
		s, c := math.Sincos(2 * float64(j) * xip)
		xi += p.alp[j] * s * math.Cosh(2*float64(j)*etap)
		eta += p.alp[j] * c * math.Sinh(2*float64(j)*etap)
	}
	return p.scaleA * eta, p.scaleA * xi
}

// inverse maps x, y in metres from the origin to latitude and longitude
// difference from the central meridian (radians).
func (p *tmProjection) inverse(x, y float64) (phi, lam float64) {
	xi, eta := y/p.scaleA, x/p.scaleA
	xip, etap := xi, eta
	for j := 1; j <= 6; j++ {
		s, c := math.Sincos(2 * float64(j) * xi)
		xip -= p.bet[j] * s * math.Cosh(2*float64(j)*eta)
		etap -= p.bet[j] * c * math.Sinh(2*float64(j)*eta)
	}
	sxi, cxi := math.Sincos(xip)
	she := math.Sinh(etap)
	taup := sxi / math.Hypot(she, cxi)
	lam = math.Atan2(she, cxi)
	phi = math.Atan(p.tauf(taup))
	return phi, lam
}

// UTM constants.
const (
	utmFalseEasting  = 500000
	utmFalseNorthing = 10000000 // southern hemisphere
)

// centralMeridian returns the central meridian of a UTM zone in degrees.
func centralMeridian(zone int) float64 { return float64(6*zone - 183) }

// UTMToLonLat converts UTM coordinates on WGS84 (zone 1–60, hemisphere,
// easting and northing in metres, false easting 500 km and for the south
// false northing 10,000 km) to longitude and latitude in degrees. It is
// the inverse of LonLatToUTM, accurate to well under a millimetre within
// a zone. Safe for concurrent use.
func UTMToLonLat(zone int, north bool, easting, northing float64) (lon, lat float64) {
	y := northing
	if !north {
		y -= utmFalseNorthing
	}
	phi, lam := wgs84UTM.inverse(easting-utmFalseEasting, y)
	lon = centralMeridian(zone) + lam*180/math.Pi
	if lon > 180 {
		lon -= 360
	} else if lon < -180 {
		lon += 360
	}
	return lon, phi * 180 / math.Pi
}

// LonLatToUTM converts longitude and latitude in degrees on WGS84 to
// easting and northing in metres in the given UTM zone and hemisphere
// (the zone need not be the one containing the point). Safe for
// concurrent use.
func LonLatToUTM(zone int, north bool, lon, lat float64) (easting, northing float64) {
	dl := math.Remainder(lon-centralMeridian(zone), 360)
	x, y := wgs84UTM.forward(lat*math.Pi/180, dl*math.Pi/180)
	if !north {
		y += utmFalseNorthing
	}
	return x + utmFalseEasting, y
}
