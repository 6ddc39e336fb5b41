// Package compliance judges every fix of a flight against sovereign
// airspace and the partner's authorisations, raises alerts for
// unauthorised incursions, and writes flight reports.
//
// # Authorisations
//
// An Authorisation grants aircraft operated by one state (Operator) the
// right to be in a partner's airspace (Airspace) inside areas (GeoJSON
// polygons, edges straight in lon/lat, boundary inside: the same exact
// containment as internal/airspace, which indexes them), half-open time
// windows [Start, End), and a closed altitude band [Min, Max]. A
// revocation at T removes coverage from fixes at or after T only.
// ParseAuthorisation reads the JSON form of docs/FORMATS.md with errors
// naming the field.
//
// # Verdicts
//
// Engine.Assess gives each fix (a track.Fix, which carries its airspace)
// one Verdict:
//
//   - International: outside every airspace of the set.
//   - Domestic: in the airspace of the aircraft's operating state.
//   - Authorised: in another state's airspace, covered at the fix's time by
//     an authorisation naming the aircraft (window, not revoked, area,
//     altitude band).
//   - Unauthorised: in another state's airspace and not covered. An
//     aircraft whose operator is unknown (no Fleet entry, no authorisation
//     naming it, no ICAO address block vigia knows) is Unauthorised in
//     every sovereign airspace: the programme cannot show it belongs there.
//     Callers that feed traffic outside the programme (airliners) should
//     list the operators of what they feed in the Fleet or filter it.
//
// The operating state comes from the Fleet's explicit entry, else the
// Operator of an authorisation naming the aircraft, else the ICAO 24-bit
// address allocation block (ICAO Annex 10, Volume III, Part I, Chapter 9).
//
// # Alerts
//
// An unauthorised fix opens an Alert; the following unauthorised fixes of
// the same flight in the same airspace update it (one alert per
// incursion, never a flood); the first fix that is not unauthorised there
// closes it, as does Engine.EndFlight. Alert IDs derive from the flight
// ID and the first fix time, so a replay gives the same IDs. Assess is
// idempotent: a fix whose Seq is not after the last assessed of its
// flight changes nothing. Snapshot and Restore carry the open alerts
// across a restart.
//
// # Reports
//
// BuildReport accounts a flight: time (seconds) and geodesic distance
// (metres, WGS84) per airspace and per verdict, split at crossings; the
// maximum depth (metres) per airspace; the share (a fraction) of the time
// in partner airspace that was authorised; crossings and alerts.
// WriteJSON, WriteGeoJSON and WriteHTML render it; the HTML page embeds a
// map (RenderMap) drawn with the standard image packages from the
// airspace set itself, without network tiles.
//
// # Concurrency and ownership
//
// An Engine is not safe for concurrent use; run one per partition of
// aircraft, as for track.Tracker. Reports and rendering functions are
// pure. The package touches no storage, bus or network.
package compliance
