package geo

import "math"

// Meters is a length on the ground or in the air, in metres.
type Meters float64

// Degrees is an angle in decimal degrees: a latitude, a longitude or an
// azimuth (clockwise from true north).
type Degrees float64

// Radians returns d in radians.
func (d Degrees) Radians() float64 { return float64(d) * math.Pi / 180 }

// Conversions at the edge of the system: feet and nautical miles are never
// carried inside vigia, only converted to or from Meters.
const (
	Foot           Meters = 0.3048
	NauticalMile   Meters = 1852
	Kilometre      Meters = 1000
	TerritorialSea        = 12 * NauticalMile
)

// LatLon is a position on the WGS84 ellipsoid, latitude first.
type LatLon struct {
	Lat, Lon Degrees
}

// NormalizeLon returns lon unchanged if it lies in [-180, 180], and
// otherwise reduced into [-180, 180). It is exact: math.Remainder introduces
// no rounding.
func NormalizeLon(lon Degrees) Degrees {
	if lon >= -180 && lon <= 180 {
		return lon
	}
	r := Degrees(math.Remainder(float64(lon), 360))
	if r == 180 {
		r = -180
	}
	return r
}
