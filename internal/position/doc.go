// Package position defines the normalised Position: one fix of one aircraft,
// whatever feed it came from (ADS-B, Mode S, TIS-B, ADS-R or MISB ST 0601
// KLV). Feeds produce Positions; tracking, airspace accounting and storage
// consume them. A Position is a plain value: copying it is cheap and it holds
// no pointers on the hot path (the KLV sensor footprint is the one optional
// pointer).
//
// Absent values are marked by the Has bits, never by a magic number, so that
// a zero altitude or a zero ground speed is a real reading.
package position
