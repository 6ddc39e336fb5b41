// Package sqlstore implements store.Store over database/sql for both
// backends; a Dialect holds what differs between SQLite and PostgreSQL.
//
// A DB is safe for concurrent use. Schema migrations (Migrations) run in one
// transaction on Open; a database whose recorded version is above Latest is
// refused with store.ErrSchemaTooNew and left untouched.
package sqlstore
