package compliance

import (
	"strconv"
	"strings"
)

// FleetEntry says which state operates one aircraft.
type FleetEntry struct {
	// ID is the aircraft's position ID ("icao:AE1F01",
	// "klv:MQ-9A/SON-ORB-01").
	ID string
	// Operator is the ISO 3166-1 alpha-3 code of the operating state.
	Operator string
	// Registration is the aircraft's registration mark ("N123AB"); may be
	// empty. Authorisation matchers "reg:…" resolve through it.
	Registration string
}

// Fleet knows which state operates which aircraft, so that "domestic" can
// be decided. It holds explicit entries; Operator falls back to the ICAO
// 24-bit address allocation blocks for "icao:" IDs. (The Engine
// additionally falls back to the Operator of an authorisation that names
// the aircraft.) A Fleet is not safe for concurrent modification; reads
// after the last Add are safe.
type Fleet struct {
	byID  map[string]FleetEntry
	byReg map[string]string // registration → ID
}

// NewFleet returns a Fleet holding entries; later entries for the same ID
// replace earlier ones.
func NewFleet(entries ...FleetEntry) *Fleet {
	f := &Fleet{byID: map[string]FleetEntry{}, byReg: map[string]string{}}
	for _, e := range entries {
		f.Add(e)
	}
	return f
}

// Add records or replaces one entry.
func (f *Fleet) Add(e FleetEntry) {
	e.ID = normaliseID(e.ID)
	if old, ok := f.byID[e.ID]; ok && old.Registration != "" {
		delete(f.byReg, strings.ToUpper(old.Registration))
	}
	f.byID[e.ID] = e
	if e.Registration != "" {
		f.byReg[strings.ToUpper(e.Registration)] = e.ID
	}
}

// Entry returns the explicit entry for a position ID.
func (f *Fleet) Entry(id string) (FleetEntry, bool) {
	if f == nil {
		return FleetEntry{}, false
	}
	e, ok := f.byID[id]
	return e, ok
}

// Operator returns the operating state of the aircraft with position ID
// id: its explicit entry, else, for an "icao:" ID, the state the ICAO
// address block belongs to; ok is false when neither knows.
func (f *Fleet) Operator(id string) (code string, ok bool) {
	if e, ok := f.Entry(id); ok && e.Operator != "" {
		return e.Operator, true
	}
	if hex, found := strings.CutPrefix(id, "icao:"); found {
		if v, err := strconv.ParseUint(hex, 16, 32); err == nil && len(hex) == 6 {
			return ICAOBlockState(uint32(v))
		}
	}
	return "", false
}

// normaliseID upper-cases the hex of an "icao:"/"tisb:" ID, as position
// IDs carry it.
func normaliseID(id string) string {
	if k, v, ok := strings.Cut(id, ":"); ok && (k == "icao" || k == "tisb") {
		return k + ":" + strings.ToUpper(v)
	}
	return id
}

// icaoBlock is one state's allocation of 24-bit aircraft addresses.
type icaoBlock struct {
	lo, hi uint32
	state  string
}

// icaoBlocks are allocations from ICAO Annex 10, Volume III, Part I,
// Chapter 9, Appendix, Table 9-1 ("Allocation of aircraft addresses to
// States"): the states of the programme and their neighbours.
var icaoBlocks = []icaoBlock{
	{0x0D0000, 0x0D7FFF, "MEX"}, // Mexico: 0000 1101 0 …
	{0xA00000, 0xAFFFFF, "USA"}, // United States: 1010 …
	{0xC00000, 0xC3FFFF, "CAN"}, // Canada: 1100 00 …
}

// ICAOBlockState returns the ISO alpha-3 code of the state whose ICAO
// Annex 10 address block holds addr (24 bits), for the states vigia knows
// (USA, Mexico, Canada).
func ICAOBlockState(addr uint32) (string, bool) {
	for _, b := range icaoBlocks {
		if addr >= b.lo && addr <= b.hi {
			return b.state, true
		}
	}
	return "", false
}
