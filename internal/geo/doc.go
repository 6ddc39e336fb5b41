// Package geo holds vigia's geodesy: positions, lengths and angles, and
// geodesics (shortest paths) on the WGS84 ellipsoid.
//
// Units: lengths are Meters and angles are Degrees (latitudes, longitudes
// and azimuths, the latter clockwise from true north); feet and nautical
// miles are converted at the edges of the system only. Positions are LatLon
// values, latitude first.
//
// The geodesic core, Ellipsoid, solves the inverse problem (distance and
// azimuths between two points: Inverse, Distance), the direct problem (end
// point from a start, an azimuth and a distance: Direct), and interpolates
// along geodesics (Interpolate, InterpolateTime for a track between two
// timed fixes). It implements the algorithms of
//
//	C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43–55
//	(2013), https://doi.org/10.1007/s00190-012-0578-z (arXiv:1109.4448),
//
// with the series expansions carried to sixth order in the flattening.
// For WGS84 the results are accurate to about 15 nanometres for all pairs of
// points, including nearly antipodal ones, and the inverse solution always
// converges. All methods are safe for concurrent use and do not allocate.
//
// WGS84 is the World Geodetic System 1984 ellipsoid, with equatorial radius
// a = 6378137 m and flattening f = 1/298.257223563 (so polar semi-axis
// b = a(1 - f) ≈ 6356752.314245 m); NewEllipsoid makes others.
package geo
