package track

import (
	"math"
	"slices"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// Options tunes a Tracker.
type Options struct {
	// Gap is the silence after which a flight ends: a fix more than Gap
	// after the flight's last fix starts a new flight.
	Gap time.Duration
	// Reorder is how late a position may arrive, behind the newest message
	// time of its aircraft, and still be placed in order. Later positions
	// are reported Late and ignored. Fixes are released this long (in
	// message time) after they arrive; 0 releases every in-order fix at
	// once.
	Reorder time.Duration
	// MaxSpeed is the ground speed in metres per second above which a fix
	// is implausible: one that could only be reached from the flight's
	// previous fix faster than this is rejected.
	MaxSpeed float64
	// DepthTolerance and DepthRelTolerance let Fix.Depth be bounded
	// instead of computed exactly: a fix's depth may then be reported as
	// an upper bound U whose gap to a proven lower bound L is at most
	// DepthTolerance + DepthRelTolerance·L. The bounds come from the last
	// exact depth of the same aircraft in the same airspace (depth changes
	// no faster than position) and from the boundary point that depth was
	// measured to; each costs two chords instead of a search of the
	// border. Both zero (the default) means every depth is exact.
	// Crossings are unaffected: they use the lower bounds.
	DepthTolerance    geo.Meters
	DepthRelTolerance float64
}

// DefaultOptions returns a Gap of 10 minutes, a Reorder window of 5 s and a
// MaxSpeed of 1000 m/s.
func DefaultOptions() Options {
	return Options{Gap: 10 * time.Minute, Reorder: 5 * time.Second, MaxSpeed: 1000}
}

// CrossingTolerance bounds the error of a crossing point: each crossing is
// reported at the midpoint of a piece of the geodesic shorter than this
// that holds the change of airspace, so within half of it of the border
// along the track. An excursion into another airspace shorter than this
// along the track may be missed.
const CrossingTolerance geo.Meters = 1

// maxProbes bounds the points examined on one segment (each a Locate and a
// Depth, about 1–2 µs). Only a long segment running within a metre of a
// border for kilometres can exhaust it; its remaining changes are then
// reported at the midpoints of the pieces that hold them.
const maxProbes = 4096

// jumpFixes is how many consecutive implausible fixes, each plausible
// from the one before, make the Tracker believe them: the flight ends and
// a new one begins at the last of them.
const jumpFixes = 3

// recentTimes is how many released message times an aircraft remembers to
// tell a replayed duplicate from a late position.
const recentTimes = 64

// Fix is one accepted position with its place in a flight and its airspace.
type Fix struct {
	FlightID string
	Seq      int // index of the fix in its flight, from 0
	// Position is the position as given. It is a named field, not an
	// embedded one, so that Position's own JSON method does not hide the
	// others.
	Position position.Position
	Country  string // ISO 3166-1 alpha-3 code of the covering airspace, "" outside all
	// Depth is the geodesic distance to the nearest border of Country (or,
	// outside all, to the nearest airspace): exact, or within the
	// tolerance set in Options.
	Depth geo.Meters
}

// Stay is a contiguous run of a flight in one airspace, from the crossing
// (or first fix) that began it to the crossing that ended it or the latest
// fix. A Stay in a partner's airspace is an incursion.
type Stay struct {
	Country     string     // "" for international airspace
	Start, End  time.Time  // first fix or entering crossing; latest fix or leaving crossing
	Fixes       int        // fixes in it (0 for a stay crossed between two fixes)
	MaxDepth    geo.Meters // greatest Depth of its fixes
	MaxDepthSeq int        // Seq of the fix with MaxDepth, −1 when Fixes is 0
}

// Crossing is a change of airspace between two consecutive fixes of a
// flight, on the geodesic between them.
type Crossing struct {
	FlightID      string
	Time          time.Time  // interpolated in proportion to the distance along the segment
	Point         geo.LatLon // within CrossingTolerance/2 of the border along the track
	From, To      string     // country codes, "" for international airspace
	Before, After int        // Seq of the fixes on either side
	Left          Stay       // the stay this crossing ends, with its maximum depth
}

// Flight is the state of one flight of one aircraft.
type Flight struct {
	// ID is Aircraft + "@" + Start in RFC 3339 with milliseconds (UTC), so
	// that a replay gives the same ID.
	ID          string
	Aircraft    string // position.Position.ID
	Callsign    string // the latest non-empty callsign
	Source      position.Source
	Start, End  time.Time // first and latest fix
	Fixes       int       // fixes applied
	Crossings   int       // crossings so far
	Implausible int       // fixes rejected as implausible
	Stay        Stay      // the current stay
}

// Applied is one fix released into its flight.
type Applied struct {
	Fix       Fix
	Flight    Flight // the flight after this fix
	NewFlight bool   // this fix began the flight
	// Crossings between the flight's previous fix and this one, in order
	// along the segment.
	Crossings []Crossing
}

// Update is what one call to Add or Expire did. Its slices are owned by
// the Tracker and valid until the next call.
type Update struct {
	// Duplicate: the position given to Add has the same ID and time as one
	// already buffered or recently released; it changed nothing.
	Duplicate bool
	// Late: the position given to Add was more than Reorder behind its
	// aircraft's watermark; it changed nothing.
	Late bool
	// Applied lists the fixes released by this call, in time order per
	// aircraft.
	Applied []Applied
	// Implausible lists the positions rejected as implausible: invalid
	// coordinates or time, or a speed above MaxSpeed from the previous fix.
	Implausible []position.Position
	// Ended lists the flights closed by this call, in their final state.
	Ended []Flight
}

// Tracker keeps the state of every aircraft it has been given positions
// for. It is not safe for concurrent use.
type Tracker struct {
	as      *airspace.Set
	opts    Options
	codeIdx map[string]int
	clock   time.Time // latest time given to Expire
	planes  map[string]*plane

	applied     []Applied
	implausible []position.Position
	ended       []Flight
	crossings   []Crossing
}

// plane is the state of one aircraft.
type plane struct {
	id      string
	newest  time.Time
	buf     []position.Position // reorder buffer: buf[head:] sorted by time, distinct times
	head    int
	recent  [recentTimes]int64 // released times, UnixNano, ring
	nrecent int

	open    bool
	flight  Flight
	last    Fix
	lastIdx int
	lastX   vec3
	lastLo  float64 // lower bound of last.Depth
	anc     anchor

	// The run of consecutive implausible fixes, each plausible from the
	// one before: its length and its latest fix.
	jumpN int
	jumpP geo.LatLon
	jumpT time.Time
	jumpX vec3
}

// anchor is the last exact depth of an aircraft, for bounding the next.
type anchor struct {
	ok    bool
	idx   int
	p, q  geo.LatLon // the point and the boundary point nearest to it
	x, qx vec3
	depth float64
}

func (pl *plane) pending() []position.Position { return pl.buf[pl.head:] }

// New returns a Tracker that accounts fixes against as. as is shared, not
// copied; it must not be nil. In opts, a Gap of 0 or less means the
// default Gap, a negative Reorder means 0, and a MaxSpeed of 0 or less
// disables the speed check.
func New(as *airspace.Set, opts Options) *Tracker {
	if opts.Gap <= 0 {
		opts.Gap = DefaultOptions().Gap
	}
	opts.Reorder = max(opts.Reorder, 0)
	if !(opts.MaxSpeed > 0) {
		opts.MaxSpeed = math.Inf(1)
	}
	t := &Tracker{as: as, opts: opts, codeIdx: map[string]int{}, planes: map[string]*plane{}}
	for i, c := range as.Codes() {
		t.codeIdx[c] = i
	}
	return t
}

func (t *Tracker) reset() {
	clear(t.applied)
	t.applied = t.applied[:0]
	clear(t.implausible)
	t.implausible = t.implausible[:0]
	clear(t.ended)
	t.ended = t.ended[:0]
	clear(t.crossings)
	t.crossings = t.crossings[:0]
}

func (t *Tracker) update(u *Update) {
	u.Applied, u.Implausible, u.Ended = t.applied, t.implausible, t.ended
}

func valid(p *position.Position) bool {
	return p.ID != "" && !p.Time.IsZero() && p.Lat >= -90 && p.Lat <= 90 &&
		!math.IsNaN(float64(p.Lon)) && !math.IsInf(float64(p.Lon), 0)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Add gives the Tracker one position and returns what it did: the position
// may be buffered (nothing applied yet), may release earlier buffered
// fixes of its aircraft, or may be a Duplicate or Late and change nothing.
func (t *Tracker) Add(p position.Position) Update {
	t.reset()
	var u Update
	if !valid(&p) {
		t.implausible = append(t.implausible, p)
		t.update(&u)
		return u
	}
	pl := t.planes[p.ID]
	if pl == nil {
		pl = &plane{id: p.ID, lastIdx: -1}
		t.planes[p.ID] = pl
	}
	// Find p's place in the buffer, searching from the end, where it
	// almost always goes.
	q := pl.pending()
	i := len(q)
	for i > 0 && q[i-1].Time.After(p.Time) {
		i--
	}
	if i > 0 && q[i-1].Time.Equal(p.Time) {
		u.Duplicate = true
		return u
	}
	if w := later(pl.newest, t.clock); !w.IsZero() && !p.Time.After(w.Add(-t.opts.Reorder)) {
		if pl.released(p.Time) {
			u.Duplicate = true
		} else {
			u.Late = true
		}
		return u
	}
	pl.buf = slices.Insert(pl.buf, pl.head+i, p)
	if p.Time.After(pl.newest) {
		pl.newest = p.Time
	}
	t.release(pl, later(pl.newest, t.clock).Add(-t.opts.Reorder))
	t.update(&u)
	return u
}

// Expire advances the Tracker's clock to now (message time; an earlier now
// is ignored): it releases every buffered fix no later than now − Reorder
// and closes every flight that no position still acceptable could extend
// (its last fix at or before now − Reorder − Gap). Aircraft with nothing
// left are forgotten. Flights and fixes come in the order of aircraft ID.
// To end a replayed file, call Expire with its last time + Reorder + Gap.
func (t *Tracker) Expire(now time.Time) Update {
	t.reset()
	var u Update
	t.clock = later(t.clock, now)
	ids := make([]string, 0, len(t.planes))
	for id := range t.planes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	th := t.clock.Add(-t.opts.Reorder)
	closeBy := th.Add(-t.opts.Gap)
	for _, id := range ids {
		pl := t.planes[id]
		t.release(pl, later(pl.newest, t.clock).Add(-t.opts.Reorder))
		if pl.open && !pl.flight.End.After(closeBy) {
			t.ended = append(t.ended, pl.flight)
			pl.open = false
		}
		if !pl.open && len(pl.pending()) == 0 && !pl.newest.After(t.clock) {
			delete(t.planes, id)
		}
	}
	t.update(&u)
	return u
}

// Aircraft returns the number of aircraft the Tracker holds state for.
func (t *Tracker) Aircraft() int { return len(t.planes) }

func (pl *plane) remember(tm time.Time) {
	pl.recent[pl.nrecent%recentTimes] = tm.UnixNano()
	pl.nrecent++
}

func (pl *plane) released(tm time.Time) bool {
	n := tm.UnixNano()
	for i := range min(pl.nrecent, recentTimes) {
		if pl.recent[i] == n {
			return true
		}
	}
	return false
}

// release applies, in order, the buffered fixes of pl no later than th.
func (t *Tracker) release(pl *plane, th time.Time) {
	for pl.head < len(pl.buf) && !pl.buf[pl.head].Time.After(th) {
		t.apply(pl, &pl.buf[pl.head])
		pl.buf[pl.head] = position.Position{}
		pl.head++
	}
	switch {
	case pl.head == len(pl.buf):
		pl.buf, pl.head = pl.buf[:0], 0
	case pl.head >= 64 && 2*pl.head >= len(pl.buf):
		n := copy(pl.buf, pl.buf[pl.head:])
		clear(pl.buf[n:])
		pl.buf, pl.head = pl.buf[:n], 0
	}
}

// depth returns the depth of p (in airspace idx, at ECEF x) to report and
// a lower bound of it: the exact depth twice, or, when Options allow a
// tolerance and the aircraft's anchor bounds it tightly enough, an upper
// and a lower bound.
func (t *Tracker) depth(pl *plane, idx int, p geo.LatLon, x vec3) (geo.Meters, float64) {
	tolA, tolR := float64(t.opts.DepthTolerance), t.opts.DepthRelTolerance
	if tolA <= 0 && tolR <= 0 {
		d := t.as.Depth(idx, p.Lon, p.Lat)
		return d, float64(d)
	}
	if a := &pl.anc; a.ok && a.idx == idx {
		u := chordBound(x.dist(a.qx))
		l := max(0, a.depth-chordBound(x.dist(a.x)))
		if u-l <= tolA+tolR*l {
			return geo.Meters(u), l
		}
	}
	d, q := t.as.Nearest(idx, p.Lon, p.Lat)
	pl.anc = anchor{ok: true, idx: idx, p: p, q: q, x: x, qx: ecef(q), depth: float64(d)}
	return d, float64(d)
}

// tooFast reports whether covering a chord of c metres from time a to b
// needs more than MaxSpeed.
func (t *Tracker) tooFast(c float64, a, b time.Time) bool {
	return c > t.opts.MaxSpeed*b.Sub(a).Seconds()
}

// flightID formats the deterministic ID of a flight.
func flightID(aircraft string, start time.Time) string {
	return aircraft + "@" + start.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func (t *Tracker) code(i int) string {
	if i < 0 {
		return ""
	}
	return t.as.Codes()[i]
}

// apply puts one released position into its aircraft's flight.
func (t *Tracker) apply(pl *plane, p *position.Position) {
	pl.remember(p.Time)
	if pl.open && p.Time.Sub(pl.flight.End) > t.opts.Gap {
		t.ended = append(t.ended, pl.flight)
		pl.open = false
	}
	ll := p.LatLon()
	x := ecef(ll)
	var chord float64
	if pl.open {
		chord = x.dist(pl.lastX)
		// The chord never exceeds the geodesic, so this only rejects a fix
		// that is certainly too fast.
		if t.tooFast(chord, pl.flight.End, p.Time) {
			if pl.jumpN > 0 && !t.tooFast(x.dist(pl.jumpX), pl.jumpT, p.Time) {
				pl.jumpN++
			} else {
				pl.jumpN = 1
			}
			pl.jumpP, pl.jumpT, pl.jumpX = ll, p.Time, x
			if pl.jumpN < jumpFixes {
				pl.flight.Implausible++
				t.implausible = append(t.implausible, *p)
				return
			}
			// The aircraft is consistently elsewhere: the flight so far
			// ends, and a new one begins here.
			t.ended = append(t.ended, pl.flight)
			pl.open = false
		}
	}
	pl.jumpN = 0
	idx := t.as.Locate(p.Lon, p.Lat)
	depth, lo := t.depth(pl, idx, ll, x)
	fix := Fix{Position: *p, Country: t.code(idx), Depth: depth}
	a := Applied{}
	f := &pl.flight
	if !pl.open {
		pl.open = true
		*f = Flight{ID: flightID(p.ID, p.Time), Aircraft: p.ID, Source: p.Source, Start: p.Time,
			Stay: Stay{Country: fix.Country, Start: p.Time, MaxDepthSeq: -1}}
		a.NewFlight = true
	} else {
		fix.Seq = f.Fixes
		if idx != pl.lastIdx || lo+pl.lastLo <= chordBound(chord) {
			c0 := len(t.crossings)
			t.crossings = t.segmentCrossings(t.crossings, pl.last.Position.LatLon(), ll, f.End, p.Time,
				pl.lastIdx, idx, pl.lastLo, lo)
			a.Crossings = t.crossings[c0:len(t.crossings):len(t.crossings)]
			for i := range a.Crossings {
				c := &a.Crossings[i]
				c.FlightID, c.Before, c.After = f.ID, pl.last.Seq, fix.Seq
				f.Stay.End = c.Time
				c.Left = f.Stay
				f.Stay = Stay{Country: c.To, Start: c.Time, End: c.Time, MaxDepthSeq: -1}
			}
			f.Crossings += len(a.Crossings)
		}
	}
	fix.FlightID = f.ID
	if p.Callsign != "" {
		f.Callsign = p.Callsign
	}
	f.End = p.Time
	f.Fixes++
	s := &f.Stay
	s.End = p.Time
	s.Fixes++
	if s.MaxDepthSeq < 0 || depth > s.MaxDepth {
		s.MaxDepth, s.MaxDepthSeq = depth, fix.Seq
	}
	pl.last, pl.lastIdx, pl.lastX, pl.lastLo = fix, idx, x, lo
	a.Fix, a.Flight = fix, *f
	t.applied = append(t.applied, a)
}
