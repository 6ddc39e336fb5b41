package sim

import (
	"math"

	"github.com/vigia/vigia/internal/feed/adsb"
	"github.com/vigia/vigia/internal/geo"
)

// Mode S extended squitters (DF17) as RTCA DO-260B and ICAO Doc 9871 lay
// them out: 5 bits DF, 3 bits CA, 24 bits ICAO address, 56 bits ME, 24
// bits parity. ME bit n below is bit n of the 56-bit field, 1-based, as the
// standards number them.

// MsgKind is the kind of a simulated message.
type MsgKind uint8

// Kinds of messages.
const (
	MsgPositionEven  MsgKind = iota + 1 // ADS-B TC 11 airborne position, even CPR
	MsgPositionOdd                      // ADS-B TC 11 airborne position, odd CPR
	MsgVelocity                         // ADS-B TC 19 subtype 1 airborne velocity
	MsgIdent                            // ADS-B TC 1–4 identification and category
	MsgStatus                           // ADS-B TC 31 aircraft operational status
	MsgKLV                              // one MISB ST 0601 packet
	MsgAltitudeReply                    // Mode S DF4 surveillance altitude reply
	MsgIdentityReply                    // Mode S DF5 surveillance identity reply
)

var msgNames = [...]string{"", "position_even", "position_odd", "velocity", "identification", "operational_status", "klv", "altitude_reply", "identity_reply"}

// String returns the name used in the truth file.
func (k MsgKind) String() string {
	if int(k) < len(msgNames) {
		return msgNames[k]
	}
	return ""
}

// es is one 112-bit extended squitter being built.
type es struct{ b [14]byte }

// put sets ME bits [from, from+n) (1-based) to the low n bits of v.
func (m *es) put(from, n int, v uint64) {
	for i := range n {
		bit := 32 + from - 1 + i // bit index in the frame, 0 = MSB of byte 0
		if v>>(n-1-i)&1 != 0 {
			m.b[bit/8] |= 0x80 >> (bit % 8)
		} else {
			m.b[bit/8] &^= 0x80 >> (bit % 8)
		}
	}
}

// finish writes the DF17 header and the parity.
func (m *es) finish(icao uint32, ca uint8) [14]byte {
	m.b[0] = 17<<3 | ca&7
	m.b[1], m.b[2], m.b[3] = byte(icao>>16), byte(icao>>8), byte(icao)
	p := adsb.Parity(m.b[:11])
	m.b[11], m.b[12], m.b[13] = byte(p>>16), byte(p>>8), byte(p)
	return m.b
}

// caAirborne is the capability "level 2+ transponder, airborne".
const caAirborne = 5

// cprNZ is the number of latitude zones per hemisphere (DO-260B A.1.7.1).
const cprNZ = 15

// cprNL is the number of longitude zones at latitude lat (DO-260B
// A.1.7.2 d), from its closed form.
func cprNL(lat float64) int {
	lat = math.Abs(lat)
	switch {
	case lat == 0:
		return 59
	case lat == 87:
		return 2
	case lat > 87:
		return 1
	}
	a := 1 - math.Cos(math.Pi/(2*cprNZ))
	c := math.Cos(math.Pi / 180 * lat)
	return int(math.Floor(2 * math.Pi / math.Acos(1-a/(c*c))))
}

// cprEncode returns the 17-bit airborne CPR latitude and longitude of
// (lat, lon) in format odd (0 even, 1 odd), as DO-260B A.1.7.3.
func cprEncode(lat, lon float64, odd int) (yz, xz uint32) {
	const nb = 1 << 17
	i := float64(odd)
	dlat := 360 / (4*cprNZ - i)
	y := math.Floor(nb*mod(lat, dlat)/dlat + 0.5)
	rlat := dlat * (y/nb + math.Floor(lat/dlat))
	nl := cprNL(rlat) - odd
	dlon := 360.0
	if nl > 0 {
		dlon = 360 / float64(nl)
	}
	x := math.Floor(nb*mod(lon, dlon)/dlon + 0.5)
	return uint32(int64(y) & (nb - 1)), uint32(int64(x) & (nb - 1))
}

// mod is the standard's MOD: x - y·floor(x/y), never negative for y > 0.
func mod(x, y float64) float64 { return x - y*math.Floor(x/y) }

// altitudeCode returns the 12-bit altitude field with Q = 1 (25 ft steps)
// for a pressure altitude in feet; out of the coded range it returns 0 (no
// altitude).
func altitudeCode(ft float64) uint64 {
	n := math.Round((ft + 1000) / 25)
	if n < 0 || n > 0x7FF {
		return 0
	}
	v := uint64(n)
	return (v>>4)<<5 | 1<<4 | v&0xF
}

// encodePosition returns a TC 11 airborne position squitter (NIC 8,
// barometric altitude).
func encodePosition(icao uint32, s *State, odd int) [14]byte {
	var m es
	m.put(1, 5, 11)
	m.put(6, 2, 0) // surveillance status: no condition
	m.put(8, 1, 0) // NIC supplement B
	m.put(9, 12, altitudeCode(float64(s.Alt/geo.Foot)))
	m.put(21, 1, 0) // time not synchronised to UTC
	m.put(22, 1, uint64(odd))
	y, x := cprEncode(float64(s.Pos.Lat), float64(s.Pos.Lon), odd)
	m.put(23, 17, uint64(y))
	m.put(40, 17, uint64(x))
	return m.finish(icao, caAirborne)
}

// knots per m/s and feet per minute per m/s.
const (
	knot = 1852.0 / 3600
	fpm  = 0.3048 / 60
)

// encodeVelocity returns a TC 19 subtype 1 (ground speed, subsonic)
// airborne velocity squitter with the GNSS vertical rate and the GNSS
// height's difference from the barometric altitude.
func encodeVelocity(icao uint32, s *State, geoidN geo.Meters) [14]byte {
	var m es
	m.put(1, 5, 19)
	m.put(6, 3, 1)
	m.put(9, 1, 0)  // intent change
	m.put(10, 1, 0) // IFR capability
	m.put(11, 3, 2) // NACv 2: velocity error < 3 m/s
	h := s.Heading.Radians()
	vew := s.Speed * math.Sin(h) / knot
	vns := s.Speed * math.Cos(h) / knot
	comp := func(v float64) (sign, mag uint64) {
		n := math.Round(math.Abs(v))
		if n > 1021 {
			n = 1021
		}
		if v < 0 && n > 0 {
			sign = 1
		}
		return sign, uint64(n) + 1
	}
	sg, mg := comp(vew)
	m.put(14, 1, sg)
	m.put(15, 10, mg)
	sg, mg = comp(vns)
	m.put(25, 1, sg)
	m.put(26, 10, mg)
	m.put(36, 1, 0) // vertical rate source: GNSS
	vr := s.VerticalRate / fpm
	n := math.Round(math.Abs(vr) / 64)
	if n > 510 {
		n = 510
	}
	if vr < 0 && n > 0 {
		m.put(37, 1, 1)
	}
	m.put(38, 9, uint64(n)+1)
	// GNSS height above the ellipsoid minus pressure altitude.
	diff := float64(geoidN / geo.Foot)
	d := math.Round(math.Abs(diff) / 25)
	if d > 126 {
		d = 126
	}
	if diff < 0 && d > 0 {
		m.put(49, 1, 1)
	}
	m.put(50, 7, uint64(d)+1)
	return m.finish(icao, caAirborne)
}

// callsignCode maps a character to its 6-bit code (ICAO Annex 10 Vol IV
// Table 3-7, the IA-5 subset).
func callsignCode(c byte) uint64 {
	switch {
	case c >= 'A' && c <= 'Z':
		return uint64(c-'A') + 1
	case c >= '0' && c <= '9':
		return uint64(c)
	}
	return 32 // space
}

// encodeIdent returns an identification and category squitter: TC 4 for
// set A, 3 for B, 2 for C, 1 for D.
func encodeIdent(icao uint32, callsign, category string) [14]byte {
	var m es
	m.put(1, 5, uint64(4-(category[0]-'A')))
	m.put(6, 3, uint64(category[1]-'0'))
	for i := range 8 {
		c := byte(' ')
		if i < len(callsign) {
			c = callsign[i]
		}
		m.put(9+6*i, 6, callsignCode(c))
	}
	return m.finish(icao, caAirborne)
}

// encodeStatus returns an airborne operational status squitter (TC 31
// subtype 0) of a version 2 transponder: NACp 9 (< 30 m), SIL 3 per hour,
// GVA 2 (< 45 m), NICbaro 1, headings true north.
func encodeStatus(icao uint32) [14]byte {
	var m es
	m.put(1, 5, 31)
	m.put(6, 3, 0)
	m.put(9, 16, 0x1000) // capability class: only ME bit 12, 1090ES IN (receives ADS-B)
	m.put(25, 16, 0)     // operational mode: no TCAS RA, no IDENT, single antenna off
	m.put(41, 3, 2)      // ADS-B version 2 (DO-260B)
	m.put(44, 1, 0)      // NIC supplement A
	m.put(45, 4, 9)      // NACp
	m.put(49, 2, 2)      // GVA
	m.put(51, 2, 3)      // SIL
	m.put(53, 1, 1)      // NICbaro
	m.put(54, 1, 0)      // HRD: true north
	m.put(55, 1, 0)      // SIL supplement: per hour
	return m.finish(icao, caAirborne)
}

// Surveillance replies (DF4, DF5): 5 bits DF, 3 bits flight status, 5 bits
// downlink request, 6 bits utility message, 13 bits altitude or identity
// code, then the address/parity field: the CRC of the first 32 bits XORed
// with the aircraft address (ICAO Annex 10 Vol IV §3.1.2.6.5, 3.1.2.6.7).

// ac13 returns the 13-bit altitude code with M = 0 and Q = 1 (25 ft
// steps) for a pressure altitude in feet, or 0 (unknown) out of range: the
// 11-bit count N sits in bits 12–7, 5 and 3–0, M is bit 6 and Q bit 4.
func ac13(ft float64) uint32 {
	n := math.Round((ft + 1000) / 25)
	if n < 0 || n > 0x7FF {
		return 0
	}
	v := uint32(n)
	return (v>>5)<<7 | (v>>4&1)<<5 | 1<<4 | v&0xF
}

// id13 returns the 13-bit identity code of a squawk given as 12 bits of
// four octal digits ABCD: bits C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4 from
// the most significant.
func id13(sq uint16) uint32 {
	a, b, c, d := uint32(sq>>9&7), uint32(sq>>6&7), uint32(sq>>3&7), uint32(sq&7)
	bit := func(v uint32, k uint) uint32 { return v >> k & 1 }
	order := [13]uint32{bit(c, 0), bit(a, 0), bit(c, 1), bit(a, 1), bit(c, 2), bit(a, 2), 0,
		bit(b, 0), bit(d, 0), bit(b, 1), bit(d, 1), bit(b, 2), bit(d, 2)}
	var v uint32
	for _, x := range order {
		v = v<<1 | x
	}
	return v
}

// encodeReply returns a 56-bit DF4 (altitude) or DF5 (identity) reply of
// an airborne aircraft (flight status 0) with code as its last 13 bits.
func encodeReply(icao uint32, df uint8, code uint32) [7]byte {
	var f [7]byte
	f[0] = df << 3
	f[2] = byte(code >> 8 & 0x1F)
	f[3] = byte(code)
	ap := adsb.Parity(f[:4]) ^ icao
	f[4], f[5], f[6] = byte(ap>>16), byte(ap>>8), byte(ap)
	return f
}
