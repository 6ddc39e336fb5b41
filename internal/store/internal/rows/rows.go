package rows

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/track"
)

// Nanos returns t as Unix nanoseconds; the zero time is 0.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Time is the inverse of Nanos, in UTC.
func Time(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// stay is the column form of a track.Stay.
type stay struct {
	Country     string  `json:"c"`
	Start       int64   `json:"s"`
	End         int64   `json:"e"`
	Fixes       int     `json:"n"`
	MaxDepth    float64 `json:"d"`
	MaxDepthSeq int     `json:"q"`
}

// EncodeStay returns s as compact JSON.
func EncodeStay(s track.Stay) string {
	d := float64(s.MaxDepth)
	if !plainJSON(s.Country) || math.IsNaN(d) || math.IsInf(d, 0) {
		b, _ := json.Marshal(stay{s.Country, Nanos(s.Start), Nanos(s.End), s.Fixes, d, s.MaxDepthSeq})
		return string(b)
	}
	// The same object as json.Marshal writes, without reflection: the
	// accounting writes one per flight and batch.
	b := make([]byte, 0, 96)
	b = append(b, `{"c":"`...)
	b = append(b, s.Country...)
	b = append(b, `","s":`...)
	b = strconv.AppendInt(b, Nanos(s.Start), 10)
	b = append(b, `,"e":`...)
	b = strconv.AppendInt(b, Nanos(s.End), 10)
	b = append(b, `,"n":`...)
	b = strconv.AppendInt(b, int64(s.Fixes), 10)
	b = append(b, `,"d":`...)
	b = strconv.AppendFloat(b, d, 'g', -1, 64)
	b = append(b, `,"q":`...)
	b = strconv.AppendInt(b, int64(s.MaxDepthSeq), 10)
	b = append(b, '}')
	return string(b)
}

// plainJSON reports whether s needs no escaping in a JSON string.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// DecodeStay is the inverse of EncodeStay; col names the column in errors.
func DecodeStay(col, s string) (track.Stay, error) {
	var v stay
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return track.Stay{}, fmt.Errorf("column %s: %w", col, err)
	}
	return track.Stay{Country: v.Country, Start: Time(v.Start), End: Time(v.End), Fixes: v.Fixes, MaxDepth: geo.Meters(v.MaxDepth), MaxDepthSeq: v.MaxDepthSeq}, nil
}

// EncodeFootprint returns f as JSON, or nil for nil.
func EncodeFootprint(f *position.Footprint) *string {
	if f == nil {
		return nil
	}
	b, _ := json.Marshal(f)
	s := string(b)
	return &s
}

// DecodeFootprint is the inverse of EncodeFootprint.
func DecodeFootprint(s *string) (*position.Footprint, error) {
	if s == nil {
		return nil, nil
	}
	f := new(position.Footprint)
	if err := json.Unmarshal([]byte(*s), f); err != nil {
		return nil, fmt.Errorf("column footprint: %w", err)
	}
	return f, nil
}

// Reduced is a batch reduced to the rows it writes: the latest state of
// each flight and of each alert, in first-seen order.
type Reduced struct {
	Flights []track.Flight
	Alerts  []compliance.Alert
}

// Reduce reduces b, validating its alerts and checkpoint; the fixes are
// validated as they are written (store.Validate), so that a bad one
// exercises the transaction's rollback. Errors wrap store.ErrInvalid.
func Reduce(b *store.Batch) (Reduced, error) {
	var r Reduced
	fi := map[string]int{}
	ai := map[string]int{}
	addAlert := func(a *compliance.Alert) {
		if j, ok := ai[a.ID]; ok {
			if store.NewerAlert(&r.Alerts[j], a) {
				r.Alerts[j] = *a
			}
			return
		}
		ai[a.ID] = len(r.Alerts)
		r.Alerts = append(r.Alerts, *a)
	}
	for i := range b.Applied {
		a := &b.Applied[i]
		if j, ok := fi[a.Flight.ID]; ok {
			f := &r.Flights[j]
			if a.Flight.Fixes > f.Fixes || (a.Flight.Fixes == f.Fixes && a.Flight.Implausible >= f.Implausible) {
				*f = a.Flight
			}
		} else {
			fi[a.Flight.ID] = len(r.Flights)
			r.Flights = append(r.Flights, a.Flight)
		}
		for _, al := range []*compliance.Alert{a.Assessment.Closed, a.Assessment.Alert} {
			if al == nil {
				continue
			}
			if store.ValidateAlert("", al) != nil {
				return r, store.ValidateAlert(fmt.Sprintf("applied[%d].alert", i), al)
			}
			addAlert(al)
		}
	}
	for i := range b.Alerts {
		if err := store.ValidateAlert(fmt.Sprintf("alerts[%d]", i), &b.Alerts[i]); err != nil {
			return r, err
		}
		addAlert(&b.Alerts[i])
	}
	if b.Checkpoint.Seq > 1<<63-1 {
		return r, fmt.Errorf("%w: checkpoint.seq: %d above 2^63-1", store.ErrInvalid, b.Checkpoint.Seq)
	}
	return r, nil
}

// fixKey names one fix.
type fixKey struct {
	flight string
	seq    int
}

type lastFix struct {
	seq int
	t   time.Time
}

// maxCached bounds the marker's cache; beyond it the cache starts afresh
// (the database answers the misses).
const maxCached = 1 << 16

// MapMarker decides the map flag of each fix of a batch (store.IsMapFix),
// remembering the latest fix time of each flight so that the previous fix
// is rarely looked up in the database. It is safe for concurrent use.
type MapMarker struct {
	mu   sync.Mutex
	last map[string]lastFix
}

// Mark returns the map flag of every item of batch. The time of a fix's
// predecessor comes from the cache, from the batch, or else from prev,
// which looks up the time of fix (flightID, seq) in the database (inside
// the batch's transaction); ok false when it is not stored. commit must
// be called once the transaction has committed, to remember the batch's
// latest fixes.
func (m *MapMarker) Mark(batch []store.Applied, prev func(flightID string, seq int) (t time.Time, ok bool, err error)) (flags []bool, commit func(), err error) {
	local := map[string]lastFix{}
	var inBatch map[fixKey]time.Time
	flags = make([]bool, len(batch))
	for i := range batch {
		a := &batch[i]
		id, seq := a.Fix.FlightID, a.Fix.Seq
		l, ok := local[id]
		if !ok {
			m.mu.Lock()
			l, ok = m.last[id]
			m.mu.Unlock()
		}
		var pt time.Time
		if seq > 0 {
			if ok && l.seq == seq-1 {
				pt = l.t
			} else {
				if inBatch == nil {
					// The previous fix may come later in the batch (a
					// redelivery out of order): index the batch once.
					inBatch = make(map[fixKey]time.Time, len(batch))
					for j := range batch {
						k := fixKey{batch[j].Fix.FlightID, batch[j].Fix.Seq}
						if _, dup := inBatch[k]; !dup {
							inBatch[k] = batch[j].Fix.Position.Time
						}
					}
				}
				if t, found := inBatch[fixKey{id, seq - 1}]; found {
					pt = t
				} else {
					t, found, err := prev(id, seq-1)
					if err != nil {
						return nil, nil, err
					}
					if found {
						pt = t
					}
				}
			}
		}
		flags[i] = store.IsMapFix(a, pt)
		if !ok || seq > l.seq {
			local[id] = lastFix{seq, a.Fix.Position.Time}
		}
	}
	commit = func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.last == nil || len(m.last)+len(local) > maxCached {
			m.last = make(map[string]lastFix, len(local))
		}
		for id, l := range local {
			if c, ok := m.last[id]; !ok || l.seq > c.seq {
				m.last[id] = l
			}
		}
	}
	return flags, commit, nil
}
