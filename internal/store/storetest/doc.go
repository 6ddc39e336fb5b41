// Package storetest is the conformance suite every store.Store backend
// passes: Run runs the same subtests on a backend (round trips of every
// record type, idempotent replays and replays grouped differently, fixes
// out of order, atomic batches, sentinel errors, schema migrations (a
// database of schema version 2 converted on open), concurrent readers and
// writers, checkpoints), and Bench measures SaveApplied in batches of
// fixes (1,000 fixes of 10 flights, and the server's 20,000 fixes of
// 2,000 flights).
//
// The suite uses only the Backend it is given; it is imported by tests.
package storetest
