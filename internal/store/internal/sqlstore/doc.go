// Package sqlstore implements store.Store over database/sql for both
// backends; a Dialect holds what differs between SQLite and PostgreSQL.
//
// Fixes are stored in chunks (table fix_chunks): per batch and flight, the
// fixes above the flight's watermark (flights.stored_seq), encoded by
// rows.ChunkEncoder, each chunk linked to the flight's previous one
// (prev_id) and the flight to its newest (flights.last_chunk). A chain
// rather than an index on (flight, seq): a batch of the server's shape
// touches thousands of flights, and every index entry would dirty its own
// page; the chain costs nothing beyond the flight row the batch updates
// anyway, and chunk rows append in ID order. SQLite numbers chunks on from
// the highest ID (its writes are serialised); PostgreSQL takes them from
// the column's identity sequence, and locks the batch's flight rows (FOR
// UPDATE after the upsert) before it reads their heads.
//
// A DB is safe for concurrent use. Schema migrations (Migrations) run in one
// transaction on Open; a database whose recorded version is above Latest is
// refused with store.ErrSchemaTooNew and left untouched.
package sqlstore
