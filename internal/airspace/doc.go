// Package airspace answers, for any position, whose sovereign airspace it is
// in and how deep inside.
//
// An airspace is a country's land plus its 12 nm territorial sea, given as
// GeoJSON polygons (one feature per country, its ISO 3166-1 alpha-3 code in
// a property). The package embeds the USA and Mexico (© OpenStreetMap
// contributors, ODbL; see Attribution) and loads any other set with Parse,
// ParseFS or LoadPath.
//
// Containment follows GeoJSON's rule (RFC 7946): edges are straight lines in
// longitude/latitude, holes are honoured, and a point on the boundary is
// inside — the semantics of PostGIS ST_Covers on geometry. It is exact. A
// two-level uniform grid answers the cells far from every edge at once; in a
// cell that edges cross, the answer comes from counting crossings between
// the query point and a reference point settled when the index was built,
// each decided by an orientation predicate whose float64 evaluation carries
// a proven error bound (Shewchuk's) and falls back to exact arithmetic when
// the bound cannot decide.
//
// Depth is the geodesic distance on the WGS84 ellipsoid to the nearest
// boundary of the containing airspace (for a point outside every airspace,
// to the nearest one). The straight cuts that split a polygon along the
// antimeridian are not boundaries. A bounding-volume hierarchy over the
// edges in Earth-centred space, entered at a node chosen for the point's
// cell of a lon/lat grid, proposes candidates by chord bounds that never
// exceed the geodesic; each candidate's distance is then settled on the
// ellipsoid (geo.Ellipsoid.SegmentDistance).
//
// A Set is immutable once built, safe for concurrent use, and its queries do
// not allocate.
package airspace
