// Package sqlite is the embedded store.Store: one SQLite database file
// (modernc.org/sqlite, pure Go, no cgo) in write-ahead-log mode, by default
// vigia.db under the data directory (OpenDir).
//
// The schema is migrated on open (versions recorded in schema_migrations);
// a database written by a newer vigia is refused with store.ErrSchemaTooNew.
// Writes are serialised inside the process (SQLite has one writer) and
// readers run concurrently with them (WAL). synchronous=NORMAL: a committed
// batch survives a crash of the process; a power loss may lose the last
// batches, never corrupt the database.
//
// A Store is safe for concurrent use; Close it when done.
package sqlite
