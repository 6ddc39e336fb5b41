// Package postgres is the PostgreSQL store.Store, for deployments that share
// one database between several vigia processes (--db postgres://…). It
// uses pgx v5 through its database/sql adapter (the same SQL as the SQLite
// backend, with $n placeholders), column arrays (unnest) for the chunks of
// fixes, and a transaction-scoped advisory lock so that processes opening
// the same database at once migrate it once.
//
// The schema is migrated on open (versions recorded in schema_migrations);
// a database written by a newer vigia is refused with store.ErrSchemaTooNew.
//
// A Store is safe for concurrent use; Close it when done.
package postgres
