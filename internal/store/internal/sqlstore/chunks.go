package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/internal/rows"
	"github.com/vigia/vigia/internal/track"
)

// MaxChunkFixes is the most fixes one chunk holds; a flight's new fixes in
// a batch beyond it go into further chunks.
const MaxChunkFixes = 1024

// chunkCols is the number of columns of fix_chunks.
const chunkCols = 7

// chunkRows is the number of chunks per multi-row insert (without Unnest).
const chunkRows = 64

// headLookup is the number of flight IDs per head query (without Unnest);
// unused places hold "", which no flight has.
const headLookup = 256

// head is where a flight's stored fixes end: every fix up to stored is
// stored (−1: none known), and last is the ID of its newest chunk (0:
// none).
type head struct {
	stored int
	last   int64
}

// heads returns the heads of the stored flights among fl (flights not
// stored are absent). Without SerialWrites the rows are locked (FOR
// UPDATE), so that concurrent writers of one flight take turns.
func (s *DB) heads(ctx context.Context, tx *sql.Tx, fl []track.Flight) (map[string]head, error) {
	out := make(map[string]head, len(fl))
	read := func(r *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var id string
			var h head
			if err := r.Scan(&id, &h.stored, &h.last); err != nil {
				return err
			}
			out[id] = h
		}
		return r.Err()
	}
	if s.d.Unnest {
		ids := make([]string, len(fl))
		for i := range fl {
			ids[i] = fl[i].ID
		}
		q := `SELECT id, stored_seq, last_chunk FROM flights WHERE id = ANY(?::text[])`
		if !s.d.SerialWrites {
			q += ` FOR UPDATE`
		}
		st, err := s.stmt(ctx, tx, s.rebind(q))
		if err == nil {
			err = read(st.QueryContext(ctx, ids))
			st.Close()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: save: flight heads: %w", s.d.Name, err)
		}
		return out, nil
	}
	q := `SELECT id, stored_seq, last_chunk FROM flights WHERE id IN (` + strings.Repeat("?, ", headLookup-1) + `?)`
	if !s.d.SerialWrites {
		q += ` FOR UPDATE`
	}
	st, err := s.stmt(ctx, tx, s.rebind(q))
	if err != nil {
		return nil, fmt.Errorf("%s: save: flight heads: %w", s.d.Name, err)
	}
	defer st.Close()
	args := make([]any, headLookup)
	for lo := 0; lo < len(fl); lo += headLookup {
		for k := range args {
			args[k] = ""
			if lo+k < len(fl) {
				args[k] = fl[lo+k].ID
			}
		}
		if err := read(st.QueryContext(ctx, args...)); err != nil {
			return nil, fmt.Errorf("%s: save: flight heads: %w", s.d.Name, err)
		}
	}
	return out, nil
}

// chunk is one row of fix_chunks.
type chunk struct {
	id, prev           int64
	flight             string
	first, last, count int
	body               []byte
}

// encodeChunks encodes each group into chunks of at most MaxChunkFixes.
func encodeChunks(batch []store.Applied, groups []rows.FlightFixes, flags []bool) []chunk {
	var out []chunk
	var enc rows.ChunkEncoder
	var arena []byte
	for _, g := range groups {
		for k, i := range g.Idx {
			a := &batch[i]
			enc.Add(&a.Fix, a.Assessment.Verdict, a.Assessment.AuthorisationID, flags[i])
			if enc.Len() == MaxChunkFixes || k == len(g.Idx)-1 {
				if arena == nil {
					arena = make([]byte, 0, 128*len(batch))
				}
				start := len(arena)
				arena = enc.AppendTo(arena)
				first, last := enc.Seqs()
				out = append(out, chunk{flight: g.FlightID, first: first, last: last, count: enc.Len(), body: arena[start:len(arena):len(arena)]})
				enc.Reset()
			}
		}
	}
	return out
}

// chunkIDs returns n new chunk IDs, in increasing order. With
// SerialWrites the writer is alone and numbers on from the highest ID;
// otherwise the IDs come from the column's identity sequence.
func (s *DB) chunkIDs(ctx context.Context, tx *sql.Tx, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if s.d.SerialWrites {
		var top int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM fix_chunks`).Scan(&top); err != nil {
			return nil, err
		}
		for k := range n {
			ids = append(ids, top+1+int64(k))
		}
		return ids, nil
	}
	r, err := tx.QueryContext(ctx, s.rebind(`SELECT nextval(pg_get_serial_sequence('fix_chunks', 'id')) FROM generate_series(1, ?)`), n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	for r.Next() {
		var id int64
		if err := r.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("%d chunk IDs for %d chunks", len(ids), n)
	}
	slices.Sort(ids)
	return ids, nil
}

// saveChunks writes the flights' states and their new fixes as chunks,
// and moves the flights' heads. With SerialWrites the heads are read
// first and written with the states in one upsert; otherwise the states
// are upserted first (locking the flight rows), then the heads read and
// updated.
func (s *DB) saveChunks(ctx context.Context, tx *sql.Tx, batch []store.Applied, fl []track.Flight, flags []bool) error {
	if !s.d.SerialWrites {
		if err := s.saveFlights(ctx, tx, fl, nil); err != nil {
			return err
		}
	}
	heads, err := s.heads(ctx, tx, fl)
	if err != nil {
		return err
	}
	stored := make(map[string]int, len(fl))
	for id, h := range heads {
		stored[id] = h.stored
	}
	groups := rows.NewFixes(batch, stored)
	cs := encodeChunks(batch, groups, flags)
	if len(cs) > 0 {
		ids, err := s.chunkIDs(ctx, tx, len(cs))
		if err != nil {
			return fmt.Errorf("%s: save: chunk IDs: %w", s.d.Name, err)
		}
		for k := range cs {
			c := &cs[k]
			h, ok := heads[c.flight]
			if !ok {
				h = head{stored: -1}
			}
			c.id, c.prev = ids[k], h.last
			h.last, h.stored = c.id, stored[c.flight]
			heads[c.flight] = h
		}
	}
	if s.d.SerialWrites {
		if err := s.saveFlights(ctx, tx, fl, heads); err != nil {
			return err
		}
	} else if len(cs) > 0 {
		if err := s.updateHeads(ctx, tx, groups, heads); err != nil {
			return err
		}
	}
	return s.insertChunks(ctx, tx, cs)
}

// updateHeads writes the heads of the flights that got chunks in one
// statement (Unnest).
func (s *DB) updateHeads(ctx context.Context, tx *sql.Tx, groups []rows.FlightFixes, heads map[string]head) error {
	ids, stored, last := make([]string, len(groups)), make([]int32, len(groups)), make([]int64, len(groups))
	for k, g := range groups {
		h := heads[g.FlightID]
		ids[k], stored[k], last[k] = g.FlightID, int32(h.stored), h.last
	}
	st, err := s.stmt(ctx, tx, s.rebind(`UPDATE flights SET stored_seq = u.stored_seq, last_chunk = u.last_chunk
		FROM unnest(?::text[], ?::int[], ?::bigint[]) AS u(id, stored_seq, last_chunk) WHERE flights.id = u.id`))
	if err == nil {
		_, err = st.ExecContext(ctx, ids, stored, last)
		st.Close()
	}
	if err != nil {
		return fmt.Errorf("%s: save: flight heads: %w", s.d.Name, err)
	}
	return nil
}

const chunkInsert = `INSERT INTO fix_chunks (id, flight_id, prev_id, first_seq, last_seq, n, body) VALUES `

const chunkUnnest = `INSERT INTO fix_chunks (id, flight_id, prev_id, first_seq, last_seq, n, body)
	SELECT * FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::int[], ?::int[], ?::int[], ?::bytea[])`

// insertChunks writes cs: in one statement of column arrays (Unnest), or
// in multi-row inserts of chunkRows rows.
func (s *DB) insertChunks(ctx context.Context, tx *sql.Tx, cs []chunk) error {
	if len(cs) == 0 {
		return nil
	}
	if s.d.Unnest {
		n := len(cs)
		id, prev, flight, first, last, count, body := make([]int64, n), make([]int64, n), make([]string, n), make([]int32, n), make([]int32, n), make([]int32, n), make([][]byte, n)
		for i, c := range cs {
			id[i], prev[i], flight[i], first[i], last[i], count[i], body[i] = c.id, c.prev, c.flight, int32(c.first), int32(c.last), int32(c.count), c.body
		}
		st, err := s.stmt(ctx, tx, s.rebind(chunkUnnest))
		if err == nil {
			_, err = st.ExecContext(ctx, id, flight, prev, first, last, count, body)
			st.Close()
		}
		if err != nil {
			return fmt.Errorf("%s: save fix chunks: %w", s.d.Name, err)
		}
		return nil
	}
	return s.multiInsert(ctx, tx, "fix chunks", chunkInsert, chunkCols, "", chunkRows, len(cs), func(args []any, i int) []any {
		c := &cs[i]
		return append(args, c.id, c.flight, c.prev, c.first, c.last, c.count, c.body)
	})
}

// fixTime returns the time of fix (flightID, seq), ok false if it is not
// stored: it walks the flight's chunks from the newest, which holds the
// fix asked for in the usual case (the one before the batch's first).
func (s *DB) fixTime(ctx context.Context, tx *sql.Tx, flightID string, seq int) (time.Time, bool, error) {
	fail := func(err error) (time.Time, bool, error) {
		return time.Time{}, false, fmt.Errorf("%s: save: previous fix of %s: %w", s.d.Name, flightID, err)
	}
	var id int64
	err := tx.QueryRowContext(ctx, s.rebind(`SELECT last_chunk FROM flights WHERE id = ?`), flightID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return fail(err)
	}
	st, err := s.stmt(ctx, tx, s.rebind(`SELECT flight_id, prev_id, first_seq, last_seq, body FROM fix_chunks WHERE id = ?`))
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	var fixes []rows.ChunkFix
	for steps := 0; id != 0; steps++ {
		var owner string
		var prev int64
		var first, last int
		var body []byte
		if err := st.QueryRowContext(ctx, id).Scan(&owner, &prev, &first, &last, &body); err != nil {
			return fail(fmt.Errorf("chunk %d: %w", id, err))
		}
		if owner != flightID || prev >= id {
			return fail(fmt.Errorf("chunk %d of %s links to %d: %w", id, owner, prev, rows.ErrBadChunk))
		}
		if first <= seq && seq <= last {
			if fixes, err = rows.DecodeChunk(body, flightID, fixes[:0]); err != nil {
				return fail(fmt.Errorf("chunk %d: %w", id, err))
			}
			for k := range fixes {
				if fixes[k].Fix.Seq == seq {
					return fixes[k].Fix.Position.Time, true, nil
				}
			}
		}
		id = prev
	}
	return time.Time{}, false, nil
}

// chunkChain selects the chunks of a flight, oldest first, by following
// prev_id from the flight's last_chunk; one statement, so one snapshot.
const chunkChain = `WITH RECURSIVE c(id, prev_id, flight_id, first_seq, last_seq, n, body) AS (
		SELECT k.id, k.prev_id, k.flight_id, k.first_seq, k.last_seq, k.n, k.body FROM fix_chunks k JOIN flights f ON k.id = f.last_chunk WHERE f.id = ?
		UNION ALL
		SELECT k.id, k.prev_id, k.flight_id, k.first_seq, k.last_seq, k.n, k.body FROM fix_chunks k JOIN c ON k.id = c.prev_id AND k.id < c.id)
	SELECT id, flight_id, first_seq, last_seq, n, body FROM c ORDER BY id`

// Fixes returns every fix of a flight in Seq order.
func (s *DB) Fixes(ctx context.Context, flightID string) ([]compliance.AssessedFix, error) {
	return s.fixes(ctx, flightID, false)
}

// MapFixes returns the map fixes of a flight in Seq order.
func (s *DB) MapFixes(ctx context.Context, flightID string) ([]compliance.AssessedFix, error) {
	return s.fixes(ctx, flightID, true)
}

// fixes decodes the chunks of a flight; a Seq stored in more than one
// chunk (a replay that found the watermark behind) is given once, from
// the chunk stored first.
func (s *DB) fixes(ctx context.Context, flightID string, mapOnly bool) ([]compliance.AssessedFix, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	r, err := s.db.QueryContext(ctx, s.rebind(chunkChain), flightID)
	if err != nil {
		return nil, fmt.Errorf("%s: fixes of %s: %w", s.d.Name, flightID, err)
	}
	defer r.Close()
	var cf []rows.ChunkFix
	for r.Next() {
		var id int64
		var owner string
		var first, last, n int
		var body []byte
		if err := r.Scan(&id, &owner, &first, &last, &n, &body); err != nil {
			return nil, fmt.Errorf("%s: fixes of %s: %w", s.d.Name, flightID, err)
		}
		at := len(cf)
		if cf, err = rows.DecodeChunk(body, flightID, cf); err != nil {
			return nil, fmt.Errorf("%s: fixes of %s: chunk %d: %w", s.d.Name, flightID, id, err)
		}
		if got := cf[at:]; owner != flightID || len(got) != n || len(got) == 0 || got[0].Fix.Seq != first || got[len(got)-1].Fix.Seq != last {
			return nil, fmt.Errorf("%s: fixes of %s: chunk %d of %s: body holds %d fixes, the row says %d from %d to %d: %w",
				s.d.Name, flightID, id, owner, len(got), n, first, last, rows.ErrBadChunk)
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%s: fixes of %s: %w", s.d.Name, flightID, err)
	}
	bySeq := func(a, b rows.ChunkFix) int { return a.Fix.Seq - b.Fix.Seq }
	if !slices.IsSortedFunc(cf, bySeq) {
		slices.SortStableFunc(cf, bySeq)
	}
	var out []compliance.AssessedFix
	for k := range cf {
		if (k > 0 && cf[k].Fix.Seq == cf[k-1].Fix.Seq) || (mapOnly && !cf[k].Map) {
			continue
		}
		if out == nil {
			out = make([]compliance.AssessedFix, 0, len(cf)-k)
		}
		out = append(out, cf[k].AssessedFix)
	}
	return out, nil
}

// convertFixes is migration 3's data step: the rows of the fixes table
// become chunks (of at most MaxChunkFixes fixes), each flight's head is
// set, and the table is dropped.
func convertFixes(ctx context.Context, s *DB, tx *sql.Tx) error {
	r, err := tx.QueryContext(ctx, `SELECT DISTINCT flight_id FROM fixes ORDER BY flight_id`)
	if err != nil {
		return fmt.Errorf("fixes to chunks: %w", err)
	}
	var ids []string
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			r.Close()
			return fmt.Errorf("fixes to chunks: %w", err)
		}
		ids = append(ids, id)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return fmt.Errorf("fixes to chunks: %w", err)
	}
	ins := s.rebind(`INSERT INTO fix_chunks (flight_id, prev_id, first_seq, last_seq, n, body) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`)
	var enc rows.ChunkEncoder
	for _, id := range ids {
		r, err := tx.QueryContext(ctx, s.rebind(fixSelect+` WHERE flight_id = ? ORDER BY seq`), id)
		if err != nil {
			return fmt.Errorf("fixes of %s to chunks: %w", id, err)
		}
		var fixes []compliance.AssessedFix
		var maps []bool
		for r.Next() {
			a, m, err := scanFix(r)
			if err != nil {
				r.Close()
				return fmt.Errorf("fixes of %s to chunks: %w", id, err)
			}
			fixes, maps = append(fixes, a), append(maps, m)
		}
		r.Close()
		if err := r.Err(); err != nil {
			return fmt.Errorf("fixes of %s to chunks: %w", id, err)
		}
		stored, last := -1, int64(0)
		for k := range fixes {
			if fixes[k].Fix.Seq == stored+1 {
				stored++
			}
			enc.Add(&fixes[k].Fix, fixes[k].Verdict, fixes[k].AuthorisationID, maps[k])
			if enc.Len() == MaxChunkFixes || k == len(fixes)-1 {
				first, lastSeq := enc.Seqs()
				if err := tx.QueryRowContext(ctx, ins, id, last, first, lastSeq, enc.Len(), enc.AppendTo(nil)).Scan(&last); err != nil {
					return fmt.Errorf("fixes of %s to chunks: %w", id, err)
				}
				enc.Reset()
			}
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE flights SET stored_seq = ?, last_chunk = ? WHERE id = ?`), stored, last, id); err != nil {
			return fmt.Errorf("fixes of %s to chunks: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE fixes`); err != nil {
		return fmt.Errorf("fixes to chunks: %w", err)
	}
	return nil
}
