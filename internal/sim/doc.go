// Package sim simulates surveillance flights and writes them in the formats
// real receivers deliver, with the ground truth beside them.
//
// A Scenario (a TOML file; see docs/FORMATS.md) names aircraft, the pattern
// each one flies (an orbit, a racetrack or a route of waypoints), what it
// transmits (ADS-B extended squitters, MISB ST 0601 KLV in an MPEG-2
// transport stream, or both) and the partner's authorisations that cover
// them. New turns it into Flights: trajectories integrated at 20 Hz from a
// point-mass model with a bank-limited turn rate, a roll rate, an
// acceleration limit and a limited climb and descent rate, guided onto the
// pattern. Run then emits, in one time-ordered stream:
//
//   - ADS-B (DO-260B): airborne position (TC 11) twice a second alternating
//     even and odd CPR, airborne velocity (TC 19 subtype 1) twice a second,
//     identification (TC 1–4) every 5 s and operational status (TC 31)
//     every 2.5 s, each at the standard's randomised intervals, and
//     optionally the DF4/DF5 surveillance replies a secondary radar
//     elicits, as AVR ("@" with a 48-bit 12 MHz timestamp) and Beast
//     records;
//   - KLV: one ST 0601 packet per drone at its KLV rate (10 Hz by default)
//     with platform attitude, sensor position, field of view, the sensor's
//     relative angles and slant range towards a fixed point on the ground,
//     and the frame centre and corners that this geometry gives, muxed with
//     a minimal H.264 video stream in either carriage of MISB ST 1402;
//   - truth: one NDJSON record per emitted message with the true state of
//     the aircraft at that instant.
//
// The receiver clock counts 12 MHz ticks from the scenario start, so a
// decoder given the start time (written in the truth file's header)
// recovers UTC. All randomness comes from the scenario's seed: the same
// scenario and seed give the same bytes, in files or live.
//
// Units: distances and altitudes are geo.Meters (altitudes above mean sea
// level unless a name says otherwise), angles geo.Degrees, speeds metres
// per second, times time.Time in UTC and durations from the scenario start.
//
// Scenarios, Flights and their trajectories are immutable after
// construction and safe for concurrent use; a run's writers are not.
package sim
