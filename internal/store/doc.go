// Package store defines the storage of vigia's accounted traffic: one
// interface, Store, with two backends (store/sqlite, the embedded default,
// and store/postgres) that pass one conformance suite (store/storetest).
//
// # What is stored
//
// Flights (track.Flight, by their deterministic ID), every fix released by
// the tracker with its airspace, depth and verdict (compliance), the
// crossings between fixes, alerts (one per incursion, upserted by their
// deterministic ID), authorisations (their JSON form plus indexed columns),
// rendered flight reports, and consumer checkpoints (stream name → last
// acknowledged sequence).
//
// # Idempotency and atomicity
//
// Every write is idempotent, so that a message replayed after a crash changes
// nothing: fixes are keyed by (flight ID, Seq) and stored only if absent
// (see Fix storage), crossings by (flight ID, time, from, to) and are
// inserted only if absent; a flight is updated only by a state with at
// least as many fixes; an alert only by a later state of the same incursion
// (a later LastSeq, or the same LastSeq and closed); a checkpoint only moves
// forward. SaveApplied writes one Batch in one transaction, with its
// checkpoint: either all of it is stored or none of it.
//
// # Fix storage
//
// The backends store fixes compactly (schema version 3): the fixes of one
// flight that a batch adds become one chunk, a binary record of all their
// fields (floats bit for bit, times in Unix nanoseconds), and a flight's
// chunks form a chain from the flight's newest one. Each flight keeps a
// watermark, the Seq up to which all its fixes are stored; a batch stores
// only the fixes above it (a replay grouped differently stores nothing
// again, and a batch with a flight's fixes partly stored adds only the
// others). Only when fixes arrive before an earlier fix of their flight
// (a gap below them) can a Seq be stored twice; readers give each Seq once, as first stored (the
// content is identical by construction). Fixes and MapFixes decode a
// flight's chunks in one statement, so a reader sees whole batches.
// Databases of schema version 2 (a row per fix) are converted on open.
//
// # Map fixes
//
// Every fix is stored; some are also marked as map fixes, the downsampled
// track a map draws (see IsMapFix): the first fix of a flight, a fix with a
// crossing before it, a fix that opens or closes an alert, and the first fix
// in each MapInterval-long slot of Unix time. The rule depends only on the
// fix, its assessment and the time of the previous fix of its flight (in
// the cache, the batch or the database), so a replay marks the same fixes.
//
// # Times and numbers
//
// Times are stored as Unix nanoseconds (UTC) and come back in UTC; floats as
// IEEE 754 doubles, exactly. A Store is safe for concurrent use by several
// goroutines; values passed in are not retained and values returned are
// owned by the caller.
package store
