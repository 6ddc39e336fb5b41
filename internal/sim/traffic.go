package sim

import (
	"math"
	"time"

	"github.com/vigia/vigia/internal/geo"
)

// Traffic is a synthetic ADS-B load for measuring a receiver pipeline: many
// aircraft flying straight lines, each sending one airborne position
// squitter every Interval, even and odd CPR formats alternating, as one
// time-ordered Beast stream with 12 MHz timestamps from 0.
type Traffic struct {
	// Aircraft is the number of aircraft; Positions the number of
	// position squitters each sends.
	Aircraft, Positions int
	// Interval is each aircraft's time between squitters.
	Interval time.Duration
	// FirstICAO is the address of the first aircraft; the others follow
	// it (an address in a state's ICAO block makes that state the
	// operator).
	FirstICAO uint32
	// Origin and Spacing place aircraft i at Origin shifted i·Spacing
	// degrees of longitude; each flies north (heading 0) or, with South
	// set, south at Speed metres per second and Altitude metres.
	Origin   geo.LatLon
	Spacing  geo.Degrees
	South    bool
	Speed    float64
	Altitude geo.Meters
}

// Frame is one squitter of a Traffic: its receiver time and Beast record.
type Frame struct {
	Ticks    Ticks
	ICAO     uint32 // the aircraft's address
	Aircraft int    // its index in the Traffic
	Seq      int
	Beast    []byte
	Lat, Lon geo.Degrees
}

// Frames returns the load's squitters in time order (aircraft staggered
// evenly within each Interval), each as a Beast record in one shared
// buffer.
func (l *Traffic) Frames() []Frame {
	out := make([]Frame, 0, l.Aircraft*l.Positions)
	buf := make([]byte, 0, l.Aircraft*l.Positions*24)
	dir := 1.0
	if l.South {
		dir = -1
	}
	for k := 0; k < l.Positions; k++ {
		for i := 0; i < l.Aircraft; i++ {
			t := time.Duration(k)*l.Interval + time.Duration(i)*l.Interval/time.Duration(l.Aircraft)
			dist := l.Speed * t.Seconds()
			lat := float64(l.Origin.Lat) + dir*dist/111_000
			lon := float64(l.Origin.Lon) + float64(i)*float64(l.Spacing)
			s := State{Pos: geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}, Alt: l.Altitude}
			fr := encodePosition(l.FirstICAO+uint32(i), &s, k&1)
			ticks := Ticks(math.Round(t.Seconds() * TicksPerSecond))
			start := len(buf)
			buf = appendBeast(buf, ticks, 0x80, fr[:])
			out = append(out, Frame{Ticks: ticks, ICAO: l.FirstICAO + uint32(i), Aircraft: i, Seq: k, Beast: buf[start:len(buf):len(buf)], Lat: s.Pos.Lat, Lon: s.Pos.Lon})
		}
	}
	return out
}
