package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/internal/rows"
)

func encodeAuth(a *compliance.Authorisation) (string, error) {
	b, err := a.MarshalJSON()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func decodeAuth(id, body string) (*compliance.Authorisation, error) {
	return compliance.ParseAuthorisation(strings.NewReader(body), "authorisations["+id+"].body")
}

// AddAuthorisation stores a.
func (s *DB) AddAuthorisation(ctx context.Context, a *compliance.Authorisation) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	body, err := encodeAuth(a)
	if err != nil {
		return fmt.Errorf("%w: authorisation %s: %w", store.ErrInvalid, a.ID, err)
	}
	var revoked *int64
	if a.Revoked != nil {
		r := rows.Nanos(*a.Revoked)
		revoked = &r
	}
	return s.write(ctx, "add authorisation", func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT body FROM authorisations WHERE id = ?`), a.ID).Scan(&old)
		switch {
		case err == nil && old == body:
			return nil
		case err == nil:
			return fmt.Errorf("authorisation %q: %w with other content", a.ID, store.ErrExists)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%s: authorisation %q: %w", s.d.Name, a.ID, err)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO authorisations (id, operator, airspace, created_ns, revoked_ns, body) VALUES (?, ?, ?, ?, ?, ?)`),
			a.ID, a.Operator, a.Airspace, rows.Nanos(a.Created), revoked, body); err != nil {
			return fmt.Errorf("%s: authorisation %q: %w", s.d.Name, a.ID, err)
		}
		return nil
	})
}

// RevokeAuthorisation revokes authorisation id from at.
func (s *DB) RevokeAuthorisation(ctx context.Context, id string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("%w: authorisation %q: revocation time: zero", store.ErrInvalid, id)
	}
	return s.write(ctx, "revoke authorisation", func(tx *sql.Tx) error {
		var body string
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT body, revoked_ns FROM authorisations WHERE id = ?`), id).Scan(&body, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("authorisation %q: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("%s: authorisation %q: %w", s.d.Name, id, err)
		}
		if revoked.Valid {
			return fmt.Errorf("authorisation %q: %w at %s", id, store.ErrRevoked, rows.Time(revoked.Int64).Format(time.RFC3339Nano))
		}
		a, err := decodeAuth(id, body)
		if err != nil {
			return fmt.Errorf("%s: %w", s.d.Name, err)
		}
		t := at.UTC()
		a.Revoked = &t
		nb, err := encodeAuth(a)
		if err != nil {
			return fmt.Errorf("%s: authorisation %q: %w", s.d.Name, id, err)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE authorisations SET revoked_ns = ?, body = ? WHERE id = ?`), rows.Nanos(t), nb, id); err != nil {
			return fmt.Errorf("%s: authorisation %q: %w", s.d.Name, id, err)
		}
		return nil
	})
}

// Authorisations lists the stored authorisations by ID.
func (s *DB) Authorisations(ctx context.Context, includeRevoked bool) ([]*compliance.Authorisation, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	q := `SELECT id, body FROM authorisations`
	if !includeRevoked {
		q += ` WHERE revoked_ns IS NULL`
	}
	r, err := s.db.QueryContext(ctx, q+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("%s: authorisations: %w", s.d.Name, err)
	}
	defer r.Close()
	var out []*compliance.Authorisation
	for r.Next() {
		var id, body string
		if err := r.Scan(&id, &body); err != nil {
			return nil, fmt.Errorf("%s: authorisations: %w", s.d.Name, err)
		}
		a, err := decodeAuth(id, body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.d.Name, err)
		}
		out = append(out, a)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%s: authorisations: %w", s.d.Name, err)
	}
	return out, nil
}

// SaveReport stores or replaces one rendered report.
func (s *DB) SaveReport(ctx context.Context, flightID, format string, data []byte) error {
	if flightID == "" || format == "" {
		return fmt.Errorf("%w: report: empty flight id or format", store.ErrInvalid)
	}
	if data == nil {
		data = []byte{}
	}
	return s.write(ctx, "save report", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO reports (flight_id, format, saved_ns, body) VALUES (?, ?, ?, ?)
			ON CONFLICT (flight_id, format) DO UPDATE SET saved_ns = excluded.saved_ns, body = excluded.body`),
			flightID, format, time.Now().UnixNano(), data); err != nil {
			return fmt.Errorf("%s: report %s/%s: %w", s.d.Name, flightID, format, err)
		}
		return nil
	})
}

// Report returns one stored report.
func (s *DB) Report(ctx context.Context, flightID, format string) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var b []byte
	err := s.db.QueryRowContext(ctx, s.rebind(`SELECT body FROM reports WHERE flight_id = ? AND format = ?`), flightID, format).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report %s/%s: %w", flightID, format, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: report %s/%s: %w", s.d.Name, flightID, format, err)
	}
	return b, nil
}
