package adsb

import "math"

// Compact Position Reporting (CPR), as DO-260B §A.1.7 defines it and "The
// 1090 Megahertz Riddle" (mode-s.org/decode, chapters "Airborne position"
// and "Surface position") explains it. Positions come as 17-bit fractions
// of a latitude zone and a longitude zone in one of two grids, even (60
// latitude zones, i = 0) and odd (59 zones, i = 1). Airborne zones span
// 360°, surface zones 90°.

const (
	cprNZ    = 15
	cprScale = 1 << 17
)

// nlTable[k] is the latitude (degrees, ≥ 0) below which NL is at least k,
// for k = 2..59: the transition latitudes of DO-260B §A.1.7.2.d, computed
// from the closed form at start-up.
var nlTable = func() (t [60]float64) {
	a := 1 - math.Cos(math.Pi/(2*cprNZ))
	for k := 2; k < 60; k++ {
		t[k] = math.Acos(math.Sqrt(a/(1-math.Cos(2*math.Pi/float64(k))))) * 180 / math.Pi
	}
	return t
}()

// cprNL is the number of longitude zones at latitude lat: 59 at the
// equator, 2 at ±87°, 1 beyond.
func cprNL(lat float64) int {
	a := math.Abs(lat)
	if a > 87 {
		return 1
	}
	for k := 59; k >= 2; k-- {
		if a < nlTable[k] {
			return k
		}
	}
	return 2
}

// cprMod is the non-negative remainder of a / b.
func cprMod(a, b float64) float64 {
	r := a - b*math.Floor(a/b)
	if r < 0 || r >= b {
		return 0
	}
	return r
}

func cprModInt(a, b int) int {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

// cprFail says why a CPR decode gave no position.
type cprFail uint8

const (
	cprOK          cprFail = iota
	cprBadLat              // latitude out of [-90, 90]
	cprZoneChanged         // the two frames lie in different NL zones
	cprOutOfCell           // a local decode fell more than half a cell from its reference
)

// cprGlobal decodes an even/odd pair. oddNewer chooses the frame whose
// position is returned (the newer one). surface selects the 90° surface
// grid; then refLat/refLon choose among the candidate quadrants (the
// nearest to the reference). Longitude is returned in [-180, 180).
func cprGlobal(evenLat, evenLon, oddLat, oddLon uint32, oddNewer, surface bool, refLat, refLon float64) (lat, lon float64, f cprFail) {
	span := 360.0
	if surface {
		span = 90
	}
	latE := float64(evenLat) / cprScale
	latO := float64(oddLat) / cprScale
	j := int(math.Floor(59*latE - 60*latO + 0.5))
	rlatE := span / 60 * (float64(cprModInt(j, 60)) + latE)
	rlatO := span / 59 * (float64(cprModInt(j, 59)) + latO)
	if surface {
		rlatE = surfaceLat(rlatE, refLat)
		rlatO = surfaceLat(rlatO, refLat)
	} else {
		if rlatE >= 270 {
			rlatE -= 360
		}
		if rlatO >= 270 {
			rlatO -= 360
		}
	}
	if rlatE < -90 || rlatE > 90 || rlatO < -90 || rlatO > 90 {
		return 0, 0, cprBadLat
	}
	nl := cprNL(rlatE)
	if nl != cprNL(rlatO) {
		return 0, 0, cprZoneChanged
	}
	i, lonNew := 0, float64(evenLon)/cprScale
	lat = rlatE
	if oddNewer {
		i, lonNew, lat = 1, float64(oddLon)/cprScale, rlatO
	}
	ni := max(nl-i, 1)
	m := int(math.Floor(float64(evenLon)/cprScale*float64(nl-1) - float64(oddLon)/cprScale*float64(nl) + 0.5))
	lon = span / float64(ni) * (float64(cprModInt(m, ni)) + lonNew)
	if surface {
		// All four quadrants are valid; take the one nearest the reference.
		lon += math.Floor((refLon-lon+45)/90) * 90
	}
	return lat, normLon(lon), cprOK
}

// surfaceLat picks, for a northern surface latitude rlat in [0, 90), the
// candidate (rlat or rlat-90) nearest refLat. 0 also encodes ±90.
func surfaceLat(rlat, refLat float64) float64 {
	if rlat == 0 {
		switch {
		case refLat < -45:
			return -90
		case refLat > 45:
			return 90
		}
		return 0
	}
	if rlat-refLat > 45 {
		return rlat - 90
	}
	return rlat
}

// normLon reduces lon into [-180, 180).
func normLon(lon float64) float64 {
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

// cprLocal decodes one frame against a reference position within half a
// cell (about 180 NM airborne, 45 NM on the surface).
func cprLocal(cprLat, cprLon uint32, odd, surface bool, refLat, refLon float64) (lat, lon float64, f cprFail) {
	span := 360.0
	if surface {
		span = 90
	}
	i := 0
	if odd {
		i = 1
	}
	dlat := span / float64(60-i)
	fl := float64(cprLat) / cprScale
	j := math.Floor(refLat/dlat) + math.Floor(cprMod(refLat, dlat)/dlat-fl+0.5)
	lat = dlat * (j + fl)
	if lat < -90 || lat > 90 {
		return 0, 0, cprBadLat
	}
	if math.Abs(lat-refLat) > dlat/2 {
		return 0, 0, cprOutOfCell
	}
	ni := max(cprNL(lat)-i, 1)
	dlon := span / float64(ni)
	fo := float64(cprLon) / cprScale
	m := math.Floor(refLon/dlon) + math.Floor(cprMod(refLon, dlon)/dlon-fo+0.5)
	lon = dlon * (m + fo)
	if math.Abs(lon-refLon) > dlon/2 {
		return 0, 0, cprOutOfCell
	}
	return lat, normLon(lon), cprOK
}
