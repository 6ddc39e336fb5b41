// Package storetest is the conformance suite every store.Store backend
// passes: Run runs the same subtests on a backend (round trips of every
// record type, idempotent replays, atomic batches, sentinel errors, schema
// migrations, concurrent readers, checkpoints), and Bench measures
// SaveApplied in batches of fixes.
//
// The suite uses only the Backend it is given; it is imported by tests.
package storetest
