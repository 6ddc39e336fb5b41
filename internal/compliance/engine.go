package compliance

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/track"
)

// ErrUnknownAuthorisation is returned by Revoke for an ID the Engine does
// not hold.
var ErrUnknownAuthorisation = errors.New("unknown authorisation")

// ErrBadState is returned by Restore for a State that is inconsistent.
var ErrBadState = errors.New("bad compliance state")

// Verdict is the judgement of one fix.
type Verdict uint8

// Verdicts. The zero Verdict is None (not assessed).
const (
	None          Verdict = iota
	Domestic              // in the airspace of the aircraft's own operating state
	International         // outside every sovereign airspace of the set
	Authorised            // in another state's airspace, covered by an authorisation
	Unauthorised          // in another state's airspace (or any, operator unknown), not covered
)

var verdictNames = [...]string{"", "domestic", "international", "authorised", "unauthorised"}

// String returns "domestic", "international", "authorised", "unauthorised",
// or "" for None.
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return ""
}

// MarshalText writes the verdict's name.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads a verdict's name.
func (v *Verdict) UnmarshalText(b []byte) error {
	p, ok := ParseVerdict(string(b))
	if !ok {
		return fmt.Errorf("unknown verdict %q", b)
	}
	*v = p
	return nil
}

// ParseVerdict returns the Verdict named s ("" is None).
func ParseVerdict(s string) (Verdict, bool) {
	for i, n := range verdictNames {
		if n == s {
			return Verdict(i), true
		}
	}
	return None, false
}

// Options tunes an Engine.
type Options struct {
	// GeoidUndulation is the height of the geoid above the WGS84
	// ellipsoid (metres), used to compare a geometric (ellipsoidal) height
	// with a band measured from mean sea level and back: MSL = geometric −
	// GeoidUndulation. vigia carries no geoid model; give the value for
	// the region (about −28 m over Sonora).
	GeoidUndulation geo.Meters
}

// Alert is one unauthorised incursion of a flight: a contiguous run of
// its unauthorised fixes in one airspace. It opens with the first such fix
// and is updated by each following one; it closes with the first fix of
// the flight that is not unauthorised in that airspace (it left the
// airspace or became covered), or when the flight ends.
type Alert struct {
	// ID is derived from FlightID and Start, so a replay gives the same ID.
	ID       string
	FlightID string
	Aircraft string // position ID
	Callsign string // latest non-empty callsign seen in the incursion
	Operator string // operating state, "" when unknown
	Airspace string // ISO alpha-3 code of the airspace entered
	// Start and Last are the times of the first and latest unauthorised
	// fix; End is the time of the fix that closed the alert, or Last when
	// the end of the flight closed it; zero while open.
	Start, Last, End  time.Time
	FirstSeq, LastSeq int        // Seq of the first and latest unauthorised fix
	Fixes             int        // unauthorised fixes in the incursion
	MaxDepth          geo.Meters // greatest depth of those fixes inside Airspace
	FirstPoint        geo.LatLon
	LastPoint         geo.LatLon
	Open              bool
}

// alertID derives an alert's ID from its flight and its first fix time.
func alertID(flightID string, start time.Time) string {
	h := sha256.Sum256([]byte(flightID + "|" + start.UTC().Format(time.RFC3339Nano)))
	return "alr-" + hex.EncodeToString(h[:8])
}

// Assessment is the result of Engine.Assess for one fix.
type Assessment struct {
	Verdict Verdict
	// AuthorisationID is the authorisation that covers an Authorised fix
	// (the lowest ID if several do); "" otherwise.
	AuthorisationID string
	// Alert is the open alert this (unauthorised) fix opened or updated,
	// a copy owned by the caller; nil for other verdicts and for replays.
	Alert *Alert
	// AlertNew reports that this fix opened Alert.
	AlertNew bool
	// Closed is the alert this fix closed (a copy), if any.
	Closed *Alert
	// Replay reports that the fix's flight had already been assessed at
	// this Seq or later: the verdict is given, nothing changed.
	Replay bool
}

// AssessedFix is a fix with its verdict, as a report consumes it.
type AssessedFix struct {
	Fix             track.Fix
	Verdict         Verdict
	AuthorisationID string
}

// Engine gives every fix a verdict against its authorisations and keeps
// the open alerts of flights. It is not safe for concurrent use: run one
// per partition of aircraft (as for track.Tracker). Authorisations added
// to it are owned by it and must not be modified afterwards.
type Engine struct {
	as    *airspace.Set
	fleet *Fleet
	opts  Options

	auths      map[string]*Authorisation
	byAirspace map[string][]*Authorisation // sorted by ID
	gen        int                         // bumped whenever authorisations change

	aircraft map[string]*aircraftInfo
	flights  map[string]*flightState
}

// aircraftInfo caches, per position ID, its operator and the
// authorisations naming it, valid for one generation of authorisations.
type aircraftInfo struct {
	gen      int
	operator string
	auths    []*Authorisation // naming it, sorted by ID
}

type flightState struct {
	lastSeq int
	open    *Alert
}

// NewEngine returns an Engine judging fixes against the airspaces of as
// (shared, not copied) and operators from fleet (may be nil: then only the
// ICAO blocks and authorisations name operators).
func NewEngine(as *airspace.Set, fleet *Fleet, opts Options) *Engine {
	if fleet == nil {
		fleet = NewFleet()
	}
	return &Engine{as: as, fleet: fleet, opts: opts, auths: map[string]*Authorisation{},
		byAirspace: map[string][]*Authorisation{}, aircraft: map[string]*aircraftInfo{}, flights: map[string]*flightState{}}
}

// Add validates and indexes a copy of a (see Authorisation.Prepare),
// checks that its airspace is one of the set's, and holds it, replacing
// any authorisation with the same ID. a itself is not modified or kept, so
// one Authorisation may be added to the Engines of several partitions;
// each Engine must then be given each Revoke. Errors wrap
// ErrBadAuthorisation and name the field.
func (e *Engine) Add(a *Authorisation) error {
	c := *a
	a = &c
	if a.Revoked != nil {
		r := *a.Revoked
		a.Revoked = &r
	}
	if err := a.Prepare(); err != nil {
		return err
	}
	if !slices.Contains(e.as.Codes(), a.Airspace) {
		return fmt.Errorf("%w: %s: airspace: %q is not in the airspace set (%s)", ErrBadAuthorisation, a.ID, a.Airspace, strings.Join(e.as.Codes(), ", "))
	}
	e.auths[a.ID] = a
	e.reindex()
	return nil
}

// Revoke revokes authorisation id from at: fixes at or after at are no
// longer covered by it; earlier fixes still are. A second revocation keeps
// the earlier instant.
func (e *Engine) Revoke(id string, at time.Time) error {
	a, ok := e.auths[id]
	if !ok {
		return fmt.Errorf("revoke %q: %w", id, ErrUnknownAuthorisation)
	}
	if a.Revoked == nil || at.Before(*a.Revoked) {
		t := at
		a.Revoked = &t
	}
	e.gen++
	return nil
}

// Authorisation returns the Engine's copy of the authorisation with the
// given ID, or nil. The caller must not modify it.
func (e *Engine) Authorisation(id string) *Authorisation { return e.auths[id] }

// Authorisations returns the Engine's copies of every authorisation it
// holds, sorted by ID. The caller must not modify them.
func (e *Engine) Authorisations() []*Authorisation {
	out := make([]*Authorisation, 0, len(e.auths))
	for _, a := range e.auths {
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y *Authorisation) int { return strings.Compare(x.ID, y.ID) })
	return out
}

func (e *Engine) reindex() {
	clear(e.byAirspace)
	for _, a := range e.Authorisations() {
		e.byAirspace[a.Airspace] = append(e.byAirspace[a.Airspace], a)
	}
	e.gen++
}

// matches reports whether matcher m names the aircraft with position ID id.
func (e *Engine) matches(m, id string) bool {
	kind, val, _ := strings.Cut(m, ":")
	switch kind {
	case "icao", "tisb":
		return len(id) == len(m) && strings.EqualFold(id, m)
	case "reg":
		ent, ok := e.fleet.byReg[strings.ToUpper(val)]
		return ok && ent == id
	case "mission":
		if rest, ok := strings.CutPrefix(id, "klv:"); ok {
			i := strings.LastIndexByte(rest, '/')
			return i >= 0 && rest[i+1:] == val
		}
		return false
	}
	return m == id
}

// info returns the cached operator and authorisations of aircraft id.
func (e *Engine) info(id string) *aircraftInfo {
	ai := e.aircraft[id]
	if ai != nil && ai.gen == e.gen {
		return ai
	}
	if ai == nil {
		ai = &aircraftInfo{}
		e.aircraft[id] = ai
	}
	ai.gen, ai.auths, ai.operator = e.gen, ai.auths[:0], ""
	for _, a := range e.Authorisations() {
		for _, m := range a.Aircraft {
			if e.matches(m, id) {
				ai.auths = append(ai.auths, a)
				break
			}
		}
	}
	if ent, ok := e.fleet.Entry(id); ok && ent.Operator != "" {
		ai.operator = ent.Operator
	} else if len(ai.auths) > 0 {
		ai.operator = ai.auths[0].Operator
	} else if op, ok := e.fleet.Operator(id); ok {
		ai.operator = op
	}
	return ai
}

// Operator returns the operating state of aircraft id: its Fleet entry,
// else the Operator of the first authorisation (by ID) naming it, else its
// ICAO address block; "" when none knows.
func (e *Engine) Operator(id string) string { return e.info(id).operator }

// Programme reports whether aircraft id belongs to the programme: it has a
// Fleet entry or an authorisation names it. Aircraft outside the programme
// (airliners on the same receivers) are judged like any other when given
// to Assess; a caller accounting only the programme's flights filters with
// this.
func (e *Engine) Programme(id string) bool {
	if e.fleet != nil {
		if _, ok := e.fleet.Entry(id); ok {
			return true
		}
	}
	return len(e.info(id).auths) > 0
}

// mslOf returns the fix's altitude above mean sea level.
func (e *Engine) mslOf(p *position.Position) geo.Meters {
	if p.AltitudeRef == position.Geometric {
		return p.Altitude - e.opts.GeoidUndulation
	}
	return p.Altitude // MSL, or pressure altitude taken as MSL (standard atmosphere)
}

// inBand reports whether the fix's altitude lies in b.
func (e *Engine) inBand(p *position.Position, b AltitudeBand) bool {
	if p.Has&position.HasAltitude == 0 {
		return false
	}
	lo, hi := b.Min, b.Max
	if b.Ref == position.Geometric {
		lo, hi = lo-e.opts.GeoidUndulation, hi-e.opts.GeoidUndulation
	}
	alt := e.mslOf(p)
	return alt >= lo && alt <= hi
}

// Verdict judges one fix without changing anything: International outside
// every airspace; Domestic in the airspace of the aircraft's operator;
// otherwise Authorised if an authorisation naming the aircraft grants
// fix.Country and, at the fix's time, is in one of its windows, not
// revoked, holds the point in an area (boundary included) and the altitude
// in its band (a fix without altitude is not in any band); Unauthorised if
// none does. An aircraft with no known operator is Unauthorised in every
// sovereign airspace unless an authorisation covers it.
//
// Altitudes are compared above mean sea level: barometric (pressure)
// altitude is taken as MSL in the standard atmosphere, geometric height is
// converted with Options.GeoidUndulation.
func (e *Engine) Verdict(fix *track.Fix) (Verdict, string) {
	if fix.Country == "" {
		return International, ""
	}
	ai := e.info(fix.Position.ID)
	if ai.operator == fix.Country {
		return Domestic, ""
	}
	p := &fix.Position
	for _, a := range ai.auths {
		if a.Airspace == fix.Country && a.ActiveAt(p.Time) && e.inBand(p, a.Altitude) && a.InArea(p.LatLon()) {
			return Authorised, a.ID
		}
	}
	return Unauthorised, ""
}

// Assess judges fix (see Verdict) and keeps its flight's alert: an
// unauthorised fix opens an Alert, or updates the open one when it
// continues the same incursion (same flight, same airspace, no fix in
// between that was not unauthorised); any other fix closes the open alert.
// Fixes of one flight must come in Seq order, as track.Tracker releases
// them; a fix whose Seq is not after the last assessed of its flight is a
// replay: its verdict is returned with Replay set and nothing changes.
func (e *Engine) Assess(fix track.Fix) Assessment {
	v, auth := e.Verdict(&fix)
	as := Assessment{Verdict: v, AuthorisationID: auth}
	st := e.flights[fix.FlightID]
	if st == nil {
		st = &flightState{lastSeq: -1}
		e.flights[fix.FlightID] = st
	} else if fix.Seq <= st.lastSeq {
		as.Replay = true
		return as
	}
	st.lastSeq = fix.Seq
	p := &fix.Position
	if st.open != nil && (v != Unauthorised || fix.Country != st.open.Airspace) {
		st.open.Open, st.open.End = false, p.Time
		as.Closed, st.open = st.open, nil
	}
	if v != Unauthorised {
		return as
	}
	al := st.open
	if al == nil {
		al = &Alert{ID: alertID(fix.FlightID, p.Time), FlightID: fix.FlightID, Aircraft: p.ID,
			Operator: e.info(p.ID).operator, Airspace: fix.Country, Start: p.Time, FirstSeq: fix.Seq,
			FirstPoint: p.LatLon(), MaxDepth: fix.Depth, Open: true}
		st.open = al
		as.AlertNew = true
	}
	al.Last, al.LastSeq, al.LastPoint = p.Time, fix.Seq, p.LatLon()
	al.Fixes++
	al.MaxDepth = max(al.MaxDepth, fix.Depth)
	if p.Callsign != "" {
		al.Callsign = p.Callsign
	}
	c := *al
	as.Alert = &c
	return as
}

// EndFlight forgets a flight (call it for each flight in track's
// Update.Ended) and returns its open alert, closed, or nil. Fixes of a
// forgotten flight given again would be judged afresh; track.Tracker does
// not release them twice.
func (e *Engine) EndFlight(flightID string) *Alert {
	st := e.flights[flightID]
	delete(e.flights, flightID)
	if i := strings.LastIndexByte(flightID, '@'); i > 0 {
		delete(e.aircraft, flightID[:i]) // the cache entry of its aircraft (track's flight IDs are aircraft@start)
	}
	if st == nil || st.open == nil {
		return nil
	}
	st.open.Open, st.open.End = false, st.open.Last
	return st.open
}

// OpenAlerts returns copies of the open alerts, sorted by ID.
func (e *Engine) OpenAlerts() []Alert {
	var out []Alert
	for _, st := range e.flights {
		if st.open != nil {
			out = append(out, *st.open)
		}
	}
	slices.SortFunc(out, func(a, b Alert) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Flights returns the number of flights the Engine holds state for.
func (e *Engine) Flights() int { return len(e.flights) }

// State is the Engine's per-flight state as plain values (authorisations
// are persisted separately), so that a restarted Engine continues the same
// alerts: see Snapshot and Restore.
type State struct {
	Flights []FlightState // sorted by FlightID
}

// FlightState is the state of one flight: the last Seq assessed and its
// open alert, if any.
type FlightState struct {
	FlightID string
	LastSeq  int
	Open     *Alert
}

// Snapshot returns a copy of the Engine's per-flight state.
func (e *Engine) Snapshot() State {
	var st State
	for id, f := range e.flights {
		fs := FlightState{FlightID: id, LastSeq: f.lastSeq}
		if f.open != nil {
			a := *f.open
			fs.Open = &a
		}
		st.Flights = append(st.Flights, fs)
	}
	slices.SortFunc(st.Flights, func(a, b FlightState) int { return strings.Compare(a.FlightID, b.FlightID) })
	return st
}

// Restore replaces the Engine's per-flight state with st. It fails,
// leaving the Engine unchanged, on a repeated or empty flight ID or an
// open alert that is not open or belongs to another flight.
func (e *Engine) Restore(st State) error {
	fl := make(map[string]*flightState, len(st.Flights))
	for i, f := range st.Flights {
		if _, dup := fl[f.FlightID]; dup || f.FlightID == "" {
			return fmt.Errorf("compliance: restore: flight %d: %w: id %q empty or repeated", i, ErrBadState, f.FlightID)
		}
		s := &flightState{lastSeq: f.LastSeq}
		if f.Open != nil {
			if !f.Open.Open || f.Open.FlightID != f.FlightID {
				return fmt.Errorf("compliance: restore: flight %s: %w: alert %s not open or of another flight", f.FlightID, ErrBadState, f.Open.ID)
			}
			a := *f.Open
			s.open = &a
		}
		fl[f.FlightID] = s
	}
	e.flights = fl
	return nil
}
