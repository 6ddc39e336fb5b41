package track

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// ErrBadState is returned by Restore for a State that does not fit the
// Tracker's airspace set or is inconsistent.
var ErrBadState = errors.New("bad tracker state")

// State is everything a Tracker holds, as plain values, so that it can be
// persisted and loaded into a new Tracker: a replay of the positions that
// followed the snapshot then gives exactly what an uninterrupted run would
// have. It holds no pointers into the Tracker (position footprints are
// shared, and are never modified).
type State struct {
	Clock    time.Time       // latest time given to Expire
	Aircraft []AircraftState // sorted by ID
}

// AircraftState is the state of one aircraft in a State.
type AircraftState struct {
	ID      string
	Newest  time.Time           // latest message time seen
	Pending []position.Position // the reorder buffer, in time order
	Recent  []time.Time         // recently released message times, oldest first
	Open    bool                // Flight is open
	Flight  Flight              // the current (or last) flight
	Last    Fix                 // the flight's latest fix
	// LastDepthLow is a lower bound of Last.Depth (equal to it when depths
	// are exact).
	LastDepthLow geo.Meters
	// Anchor is the aircraft's last exact depth when Options allow a depth
	// tolerance; nil otherwise.
	Anchor *DepthAnchor
	// Jump is the run of consecutive implausible fixes (each plausible
	// from the one before) that will start a new flight if it reaches
	// three; nil when there is none.
	Jump *Jump
}

// Jump is a run of consecutive implausible fixes: how many, and the
// latest.
type Jump struct {
	Fixes int
	Point geo.LatLon
	Time  time.Time
}

// DepthAnchor is an exact depth kept to bound the depths of the fixes
// after it: the point, its airspace, its depth and the boundary point at
// that distance.
type DepthAnchor struct {
	Point    geo.LatLon
	Country  string
	Depth    geo.Meters
	Boundary geo.LatLon
}

// Snapshot returns a copy of the Tracker's state.
func (t *Tracker) Snapshot() State {
	st := State{Clock: t.clock, Aircraft: make([]AircraftState, 0, len(t.planes))}
	for _, pl := range t.planes {
		as := AircraftState{ID: pl.id, Newest: pl.newest, Pending: slices.Clone(pl.pending()),
			Open: pl.open, Flight: pl.flight, Last: pl.last, LastDepthLow: geo.Meters(pl.lastLo)}
		if pl.jumpN > 0 {
			as.Jump = &Jump{Fixes: pl.jumpN, Point: pl.jumpP, Time: pl.jumpT}
		}
		if a := pl.anc; a.ok {
			as.Anchor = &DepthAnchor{Point: a.p, Country: t.code(a.idx), Depth: geo.Meters(a.depth), Boundary: a.q}
		}
		n := min(pl.nrecent, recentTimes)
		for i := range n {
			ns := pl.recent[(pl.nrecent-n+i)%recentTimes]
			as.Recent = append(as.Recent, time.Unix(0, ns).UTC())
		}
		st.Aircraft = append(st.Aircraft, as)
	}
	slices.SortFunc(st.Aircraft, func(a, b AircraftState) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return st
}

// Restore replaces the Tracker's state with st (from Snapshot, possibly
// through storage). It fails, leaving the Tracker unchanged, if st names an
// airspace the Tracker's set does not have, repeats an aircraft, or holds
// an unsorted buffer.
func (t *Tracker) Restore(st State) error {
	planes := make(map[string]*plane, len(st.Aircraft))
	for i, as := range st.Aircraft {
		if _, dup := planes[as.ID]; dup || as.ID == "" {
			return fmt.Errorf("track: restore: aircraft %d: %w: id %q empty or repeated", i, ErrBadState, as.ID)
		}
		pl := &plane{id: as.ID, newest: as.Newest, buf: slices.Clone(as.Pending), open: as.Open,
			flight: as.Flight, last: as.Last, lastIdx: -1, lastLo: float64(as.LastDepthLow)}
		for j := 1; j < len(pl.buf); j++ {
			if !pl.buf[j].Time.After(pl.buf[j-1].Time) {
				return fmt.Errorf("track: restore: aircraft %s: %w: buffer not in time order at %d", as.ID, ErrBadState, j)
			}
		}
		var err error
		if as.Open {
			if pl.lastIdx, err = t.index(as.Last.Country); err != nil {
				return fmt.Errorf("track: restore: aircraft %s: %w", as.ID, err)
			}
			pl.lastX = ecef(as.Last.Position.LatLon())
		}
		if j := as.Jump; j != nil {
			pl.jumpN, pl.jumpP, pl.jumpT, pl.jumpX = j.Fixes, j.Point, j.Time, ecef(j.Point)
		}
		if a := as.Anchor; a != nil {
			idx, err := t.index(a.Country)
			if err != nil {
				return fmt.Errorf("track: restore: aircraft %s: anchor: %w", as.ID, err)
			}
			pl.anc = anchor{ok: true, idx: idx, p: a.Point, q: a.Boundary, x: ecef(a.Point), qx: ecef(a.Boundary), depth: float64(a.Depth)}
		}
		for _, r := range as.Recent {
			pl.remember(r)
		}
		planes[as.ID] = pl
	}
	t.planes, t.clock = planes, st.Clock
	t.reset()
	return nil
}

// index returns the index of airspace code c, −1 for "".
func (t *Tracker) index(c string) (int, error) {
	if c == "" {
		return -1, nil
	}
	i, ok := t.codeIdx[c]
	if !ok {
		return 0, fmt.Errorf("%w: airspace %q not in the set", ErrBadState, c)
	}
	return i, nil
}
