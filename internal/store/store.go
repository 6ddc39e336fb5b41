package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/track"
)

// Sentinel errors, for errors.Is. Backends wrap them with the record's ID or
// the batch item and field.
var (
	// ErrNotFound is returned for a flight, alert, authorisation or report
	// that is not stored.
	ErrNotFound = errors.New("not found")
	// ErrRevoked is returned by RevokeAuthorisation for an authorisation
	// that is already revoked.
	ErrRevoked = errors.New("already revoked")
	// ErrExists is returned by AddAuthorisation for an ID already stored
	// with different content.
	ErrExists = errors.New("already exists")
	// ErrInvalid is wrapped by every error about a record that cannot be
	// stored (empty ID, non-finite number, mismatched flight); the message
	// names the batch item and the field. Nothing of the batch is stored.
	ErrInvalid = errors.New("invalid record")
	// ErrSchemaTooNew is returned on open for a database whose schema
	// version is newer than this program knows: it was written by a later
	// vigia and is left untouched.
	ErrSchemaTooNew = errors.New("database schema is newer than this program")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("store closed")
)

// Applied is one fix released by the tracker (with its flight and the
// crossings before it) together with its assessment by the compliance
// engine.
type Applied struct {
	track.Applied
	// Assessment is the fix's verdict; its Alert and Closed, when not
	// nil, are upserted with the fix.
	Assessment compliance.Assessment
}

// Checkpoint is a consumer's position in a stream: the last sequence whose
// work is stored, and optionally the consumer's state at that sequence
// (opaque bytes, e.g. a tracker snapshot), so that a restart resumes
// exactly where the stored work ends.
type Checkpoint struct {
	Stream string
	Seq    uint64
	// State, when not nil, replaces the stored state of Stream, but only
	// when the checkpoint moves forward or stays (Seq at or after the
	// stored one).
	State []byte
}

// Batch is what SaveApplied writes in one transaction.
type Batch struct {
	// Applied are fixes in release order (for each flight, in Seq order).
	Applied []Applied
	// Alerts are further alert states to upsert, such as the alert closed
	// by compliance.Engine.EndFlight.
	Alerts []compliance.Alert
	// Checkpoint, when its Stream is not empty, is written with the batch;
	// a stored checkpoint only moves forward.
	Checkpoint Checkpoint
}

// FlightFilter selects flights. Zero fields select everything.
type FlightFilter struct {
	Aircraft string // position ID, exact
	// From and To select flights that overlap [From, To): End ≥ From and
	// Start < To. A zero bound is open.
	From, To time.Time
	Limit    int // at most this many; 0 means no limit
}

// AlertFilter selects alerts. Zero fields select everything.
type AlertFilter struct {
	OpenOnly bool
	Since    time.Time // alerts whose Last is at or after Since
	Limit    int       // at most this many; 0 means no limit
}

// Store is vigia's storage. Implementations are safe for concurrent use.
// Flights come newest first (by Start, then ID); alerts newest first (by
// Start, then ID); fixes in Seq order; crossings in time order;
// authorisations by ID.
type Store interface {
	// SaveApplied writes b in one transaction (see the package
	// documentation for what is idempotent). An invalid record fails the
	// whole batch with an error wrapping ErrInvalid; nothing is stored.
	SaveApplied(ctx context.Context, b Batch) error
	// Checkpoint returns the stored sequence of stream, 0 if none.
	Checkpoint(ctx context.Context, stream string) (uint64, error)
	// CheckpointState returns the stored checkpoint of stream with its
	// state (nil if none was stored); a stream never checkpointed gives
	// the zero Checkpoint with Stream set.
	CheckpointState(ctx context.Context, stream string) (Checkpoint, error)

	// Flight returns the stored state of one flight, or ErrNotFound.
	Flight(ctx context.Context, id string) (track.Flight, error)
	// Flights lists flights selected by f.
	Flights(ctx context.Context, f FlightFilter) ([]track.Flight, error)
	// Fixes returns every stored fix of a flight with its verdict (none
	// for an unknown flight).
	Fixes(ctx context.Context, flightID string) ([]compliance.AssessedFix, error)
	// MapFixes returns the map fixes of a flight (see IsMapFix).
	MapFixes(ctx context.Context, flightID string) ([]compliance.AssessedFix, error)
	// Crossings returns the crossings of a flight.
	Crossings(ctx context.Context, flightID string) ([]track.Crossing, error)
	// Alert returns one alert, or ErrNotFound.
	Alert(ctx context.Context, id string) (compliance.Alert, error)
	// Alerts lists alerts selected by f.
	Alerts(ctx context.Context, f AlertFilter) ([]compliance.Alert, error)

	// AddAuthorisation stores a, which must be valid (a.Validate). Adding
	// the same content again is a no-op; other content under a stored ID
	// is ErrExists.
	AddAuthorisation(ctx context.Context, a *compliance.Authorisation) error
	// RevokeAuthorisation revokes authorisation id from at: ErrNotFound
	// for an unknown ID, ErrRevoked if it is already revoked.
	RevokeAuthorisation(ctx context.Context, id string, at time.Time) error
	// Authorisations lists the stored authorisations, the revoked ones
	// too when includeRevoked is true.
	Authorisations(ctx context.Context, includeRevoked bool) ([]*compliance.Authorisation, error)

	// SaveReport stores (or replaces) the rendered report of a flight in
	// one format ("json", "geojson", "html", ...).
	SaveReport(ctx context.Context, flightID, format string, data []byte) error
	// Report returns a stored report, or ErrNotFound.
	Report(ctx context.Context, flightID, format string) ([]byte, error)

	// SchemaVersion returns the schema version of the database.
	SchemaVersion(ctx context.Context) (int, error)
	// Close releases the store; it is safe to call more than once.
	Close() error
}

// MapInterval is the slot length of the map downsampling rule (IsMapFix).
const MapInterval = 10 * time.Second

// IsMapFix reports whether a fix is a map fix: the first of its flight
// (prev is zero), one with a crossing since the previous fix, one that
// opens or closes an alert, or the first fix in a new MapInterval-long slot
// of Unix time (prev, the previous fix's time, in an earlier slot).
func IsMapFix(a *Applied, prev time.Time) bool {
	if a.Fix.Seq == 0 || prev.IsZero() || len(a.Crossings) > 0 || a.Assessment.AlertNew || a.Assessment.Closed != nil {
		return true
	}
	slot := func(t time.Time) int64 { return t.UnixNano() / int64(MapInterval) }
	return slot(a.Fix.Position.Time) != slot(prev)
}

// Validate checks one batch item before it is stored; i is its index, used
// in the message. Errors wrap ErrInvalid.
func Validate(i int, a *Applied) error {
	f := &a.Fix
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: applied[%d].%s: %s", ErrInvalid, i, field, fmt.Sprintf(format, args...))
	}
	switch {
	case a.Flight.ID == "":
		return bad("flight.id", "empty")
	case f.FlightID != a.Flight.ID:
		return bad("fix.flight_id", "%q is not the flight's %q", f.FlightID, a.Flight.ID)
	case f.Seq < 0:
		return bad("fix.seq", "%d is negative", f.Seq)
	case f.Position.Time.IsZero():
		return bad("fix.time", "zero")
	case !finite(float64(f.Position.Lat)) || math.Abs(float64(f.Position.Lat)) > 90:
		return bad("fix.lat", "%v out of range", f.Position.Lat)
	case !finite(float64(f.Position.Lon)) || math.Abs(float64(f.Position.Lon)) > 180:
		return bad("fix.lon", "%v out of range", f.Position.Lon)
	case !finite(float64(f.Depth)) || !finite(float64(f.Position.Altitude)) || !finite(f.Position.GroundSpeed) ||
		!finite(float64(f.Position.Track)) || !finite(f.Position.VerticalRate) || !finite(float64(f.Position.Accuracy)):
		return bad("fix", "non-finite number")
	case a.Assessment.Verdict.String() == "" && a.Assessment.Verdict != compliance.None:
		return bad("verdict", "unknown verdict %d", a.Assessment.Verdict)
	}
	for j, c := range a.Crossings {
		if c.FlightID != a.Flight.ID {
			return bad(fmt.Sprintf("crossings[%d].flight_id", j), "%q is not the flight's %q", c.FlightID, a.Flight.ID)
		}
		if !finite(float64(c.Point.Lat)) || !finite(float64(c.Point.Lon)) {
			return bad(fmt.Sprintf("crossings[%d].point", j), "non-finite")
		}
	}
	for _, al := range []*compliance.Alert{a.Assessment.Alert, a.Assessment.Closed} {
		// The place is formatted only for an invalid alert.
		if al != nil && ValidateAlert("", al) != nil {
			return ValidateAlert(fmt.Sprintf("applied[%d].alert", i), al)
		}
	}
	return nil
}

// ValidateAlert checks one alert before it is stored; where names it in the
// message. Errors wrap ErrInvalid.
func ValidateAlert(where string, a *compliance.Alert) error {
	switch {
	case a.ID == "":
		return fmt.Errorf("%w: %s.id: empty", ErrInvalid, where)
	case a.FlightID == "":
		return fmt.Errorf("%w: %s.flight_id: empty", ErrInvalid, where)
	case !finite(float64(a.MaxDepth)):
		return fmt.Errorf("%w: %s.max_depth_m: non-finite", ErrInvalid, where)
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// NewerAlert reports whether alert state b supersedes stored state a of the
// same alert: a later LastSeq, or the same LastSeq and b closed while a is
// open. Backends apply the same rule in SQL.
func NewerAlert(a, b *compliance.Alert) bool {
	return b.LastSeq > a.LastSeq || (b.LastSeq == a.LastSeq && a.Open && !b.Open)
}
