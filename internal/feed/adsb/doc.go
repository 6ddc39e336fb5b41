// Package adsb decodes Mode S and ADS-B (1090 MHz extended squitter) from
// the outputs common receivers give — AVR text, Beast binary and SBS
// (BaseStation) CSV — and turns them into normalised position.Position
// fixes.
//
// A Reader frames records from any io.Reader (a file, standard input, a
// TCP connection from Dial or Listen), re-synchronising after junk, and
// feeds them to a Decoder. The Decoder checks the CRC-24 parity of every
// downlink format (correcting a single bit in DF11/17/18 when
// Options.FixErrors is set; never in the address/parity formats), accepts
// DF0/4/5/16/20/21 only from addresses recently seen in DF11/17/18, and
// decodes altitude (25 ft, Gillham and metric codes), identity, all-call
// replies, Comm-B identification (BDS 2,0), track and turn (5,0) and
// heading and speed (6,0) when the register is unambiguous, and every
// extended squitter type: identification and category (TC 1-4), surface
// position (5-8), airborne position with barometric or GNSS height (9-18,
// 20-22), velocity (19, all four subtypes), emergency/squawk (28), target
// state (29) and operational status (31). DF18 control fields (and the
// IMF bit) keep ADS-B, TIS-B and ADS-R, ICAO and non-ICAO addresses
// apart.
//
// Positions come from Compact Position Reporting: globally from an
// even/odd pair received within 10 s (25 s on the surface), taking the
// newer frame's latitude, rejecting pairs that straddle a longitude-zone
// (NL) boundary or give a latitude beyond ±90°; else locally from one
// frame against the aircraft's last fix or the receiver. Every candidate
// is checked against the receiver range and against the distance the
// aircraft could have flown since its last fix; a per-aircraft
// reliability count drops a fix that keeps failing. Time is the message's
// own (Beast or AVR 12 MHz or GPS clock, SBS time), never the time of
// arrival, so a recording replayed fast decodes as it did live; input
// without timestamps falls back to counting each aircraft's position
// frames.
//
// Decoding writes into a caller-owned Message; the Decoder keeps one
// entry per aircraft (its identity string built once), so decoding a frame
// of a known aircraft allocates nothing. Neither Decoder nor Reader is
// safe for concurrent use. The decoder never panics on any input.
//
// Checksum and Parity expose the Mode S CRC for encoders.
package adsb
