// Package track turns a stream of positions into flights and accounts every
// fix against sovereign airspace.
//
// A Tracker keeps per-aircraft state keyed by position.Position.ID (an ICAO
// address for ADS-B, a platform designation and mission id for KLV). For
// each fix it records the covering airspace and the depth inside it (from
// an airspace.Set), numbers the fix within its flight, and, between
// consecutive fixes of a flight, finds every crossing of an airspace
// boundary with its point on the WGS84 geodesic between them and its time
// in proportion to the distance travelled. Each contiguous run of a flight
// in one airspace is a Stay, carrying the maximum depth of its fixes; a
// Stay in a partner's airspace is an incursion.
//
// # Order, duplicates and replays
//
// Positions arrive roughly in time order. Each aircraft has a watermark W:
// the latest message time seen for it, or the latest time given to Expire,
// whichever is later. A position is accepted only if its time is after
// W − Reorder; accepted positions wait in a short reorder buffer keyed by
// message time and are released, in time order, once they are no later
// than W − Reorder. So a fix up to Reorder late is placed between its true
// neighbours before any crossing is computed, and a fix later than that is
// reported Late and ignored. A position with the same ID and time as one
// buffered or recently released is a Duplicate and changes nothing.
// Because release depends only on message times, the same positions in
// any order that keeps each within Reorder of the newest give the same
// flights, fixes and crossings; and a replay of positions already applied
// (after Restore of a Snapshot) changes nothing. With Reorder = 0 every fix
// in order is released by the Add that brings it, at the cost of treating
// any out-of-order fix as late.
//
// Expire is part of the input: call it with message time (for example each
// time the newest message time passes a whole second), never with the wall
// clock, so that a replay reproduces it.
//
// Flights begin with an aircraft's first fix and end after a silence longer
// than Gap. A flight's ID is the aircraft ID, "@", and the start time in
// RFC 3339 with milliseconds, so a replay gives the same IDs. A fix that
// would need a ground speed above MaxSpeed from the flight's previous fix
// is rejected as Implausible and not applied, unless three such fixes in a
// row are each plausible from the one before: the aircraft is then
// believed to be where they put it (the earlier fixes were wrong), its
// flight ends and a new one begins at the third.
//
// # Crossings
//
// The segment between two fixes is searched by adaptive subdivision with a
// proof: if both ends of a piece lie in the same airspace (or both outside
// all) and their depths add up to more than the piece's length, no point of
// the piece can reach a border (depth is a distance, so it changes no
// faster than the position), and the piece is settled. Otherwise the piece
// is split at its midpoint on the geodesic and both halves are examined,
// down to pieces shorter than CrossingTolerance, where a change of airspace
// is reported as a crossing at the piece's midpoint. This finds every
// crossing whose excursion is longer than CrossingTolerance, however many
// a segment holds, with no fixed sampling resolution to justify, and costs
// nothing for the great majority of segments that are far from a border.
//
// # Depth
//
// By default every fix's depth is exact (airspace.Set.Depth), which is
// most of the cost of a fix. Options.DepthTolerance and DepthRelTolerance
// allow a bounded depth instead: depth changes no faster than position,
// and no point is deeper than its distance to a known boundary point, so
// the aircraft's last exact depth and the boundary point it was measured
// to bound every later fix in the same airspace from both sides by two
// chords; while the bounds are within the tolerance the upper one is
// reported and the border is not searched again. Crossings use the lower
// bounds, so they are the same either way.
//
// # Concurrency and ownership
//
// A Tracker is not safe for concurrent use: run one per partition of
// aircraft. The slices in an Update are owned by the Tracker and valid
// until its next call; copy what must be kept.
package track
