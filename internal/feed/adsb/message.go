package adsb

import (
	"strconv"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// Field is a set of bits saying which optional fields of a Message hold a
// value.
type Field uint32

// Optional fields of a Message.
const (
	HasTC           Field = 1 << iota // TC, Subtype
	HasCallsign                       // Callsign
	HasCategory                       // Category
	HasSquawk                         // Squawk
	HasAltBaro                        // AltBaro
	HasAltGeom                        // AltGeom
	HasCPR                            // CPRFormat, CPRLat, CPRLon, Surface
	HasPosition                       // Lat, Lon (and Position() gives a fix)
	HasGroundSpeed                    // GroundSpeed
	HasTrack                          // Track
	HasVerticalRate                   // VerticalRate, VerticalRateGNSS
	HasIAS                            // IAS
	HasTAS                            // TAS
	HasMach                           // Mach
	HasHeading                        // Heading
	HasOnGround                       // OnGround
	HasNIC                            // NIC
	HasNACp                           // NACp
	HasSIL                            // SIL
	HasVersion                        // Version
	HasGNSSBaroDiff                   // GNSSBaroDiff
	HasEmergency                      // Emergency
	HasSelAltitude                    // SelAltitude
	HasBaroSetting                    // BaroSetting
	HasSelHeading                     // SelHeading
	HasTime                           // Time
	HasSignal                         // Signal
)

// Message is one decoded Mode S downlink (or one SBS line): every field the
// frame carries, with Has saying which optional fields hold a value. The
// caller owns it and passes it to Decoder.Decode or Reader.Next, which
// overwrite it completely; it holds no pointer into reused buffers except
// the strings noted below, which are immutable and shared with the
// Decoder's aircraft table. Units are in the field comments: feet, knots
// and feet per minute as the messages send them (convert with geo.Foot at
// the edge; Position does).
type Message struct {
	Frame  [14]byte // the frame after any correction; Len bytes valid
	Len    int      // 7 (56 bits) or 14 (112 bits); 0 for SBS
	Offset int64    // byte offset of the frame in its stream

	DF            uint8  // downlink format 0..24
	Addr          uint32 // 24-bit address (ICAO, or non-ICAO when NonICAO)
	NonICAO       bool   // Addr is not an ICAO address (DF18 CF 1, 5; CF 2, 6 with IMF)
	CA            uint8  // capability (DF11/17) or control field (DF18)
	Source        position.Source
	CRCOK         bool  // the parity checked (possibly after correction)
	CorrectedBits uint8 // bits corrected to make it check (0 or 1)

	Has     Field
	TC      uint8 // ADS-B type code (DF17/18)
	Subtype uint8 // ADS-B subtype (TC 19, 28, 29, 31)

	// Category is the emitter category as DO-260B names it: set 'A'..'D'
	// in the high byte and 0..7 in the low byte (e.g. 'A'<<8|3 for "A3").
	Category uint16
	Callsign string // flight identification, trailing spaces trimmed

	Squawk uint16 // Mode A code as 12 bits: four octal digits

	AltBaro int32 // barometric (pressure) altitude, feet
	AltGeom int32 // GNSS height above the WGS84 ellipsoid, feet

	CPRFormat uint8  // 0 even, 1 odd
	CPRLat    uint32 // 17-bit CPR latitude
	CPRLon    uint32 // 17-bit CPR longitude
	Surface   bool   // a surface position (TC 5-8)
	Global    bool   // Lat/Lon came from an even/odd pair (else: local)

	Lat, Lon geo.Degrees // WGS84

	GroundSpeed      float64 // knots
	Track            float64 // degrees clockwise from true north, [0, 360)
	VerticalRate     int32   // feet per minute, positive up
	VerticalRateGNSS bool    // VerticalRate is from GNSS (else barometric)
	IAS, TAS         uint16  // knots
	Mach             float64 // Mach number
	Heading          float64 // degrees from magnetic north, [0, 360)
	OnGround         bool

	NIC, NACp, SIL uint8 // DO-260B integrity and accuracy categories
	Version        uint8 // ADS-B version (TC 31): 0, 1 or 2
	GNSSBaroDiff   int32 // GNSS height minus barometric altitude, feet
	Emergency      uint8 // TC 28 emergency state 0..7

	SelAltitude int32   // TC 29 selected altitude, feet
	BaroSetting float64 // TC 29 barometric pressure setting, hPa
	SelHeading  float64 // TC 29 selected heading, degrees

	// Time is the time of the frame in UTC when the input carries one (SBS
	// time, or the receiver clock with Options.Start set).
	Time   time.Time
	Signal uint8 // Beast signal level byte

	fix position.Position // filled with HasPosition
}

// Position returns the normalised fix this message yields, and false when
// it yields none (no decoded latitude and longitude). The fix carries the
// aircraft's identity ("icao:ABC123", "tisb:ABC123", "anon:ABC123"),
// source, the message time (the zero time when the input has none), the
// altitude of this message (barometric or GNSS height), the most recent
// velocity, callsign and squawk the decoder holds for the aircraft, and the
// 95 % accuracy radius from its NACp (see docs/FORMATS.md).
func (m *Message) Position() (position.Position, bool) {
	return m.fix, m.Has&HasPosition != 0
}

// SquawkString returns the squawk as four octal digits ("7700").
func (m *Message) SquawkString() string {
	var b [4]byte
	return string(appendSquawk(b[:0], m.Squawk))
}

func appendSquawk(b []byte, s uint16) []byte {
	return append(b, '0'+byte(s>>9&7), '0'+byte(s>>6&7), '0'+byte(s>>3&7), '0'+byte(s&7))
}

const hexDigits = "0123456789ABCDEF"

func appendHex24(b []byte, a uint32) []byte {
	for s := 20; s >= 0; s -= 4 {
		b = append(b, hexDigits[a>>s&15])
	}
	return b
}

// AppendJSON appends the message as one JSON object (no newline) in the
// form documented in docs/FORMATS.md and returns the extended buffer. It
// allocates only to grow b.
func (m *Message) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	if m.Has&HasTime != 0 {
		b = append(b, `"t":"`...)
		b = m.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"df":`...)
	b = strconv.AppendUint(b, uint64(m.DF), 10)
	b = append(b, `,"icao":"`...)
	b = appendHex24(b, m.Addr)
	b = append(b, `","source":"`...)
	b = append(b, m.Source.String()...)
	b = append(b, `","crc_ok":`...)
	b = strconv.AppendBool(b, m.CRCOK)
	if m.Len > 0 {
		b = append(b, `,"corrected_bits":`...)
		b = strconv.AppendUint(b, uint64(m.CorrectedBits), 10)
	}
	if m.Has&HasTC != 0 {
		b = append(b, `,"tc":`...)
		b = strconv.AppendUint(b, uint64(m.TC), 10)
	}
	if m.Has&HasCategory != 0 {
		b = append(b, `,"category":"`...)
		b = append(b, byte(m.Category>>8), '0'+byte(m.Category&7), '"')
	}
	if m.Has&HasCallsign != 0 {
		b = append(b, `,"callsign":`...)
		b = strconv.AppendQuote(b, m.Callsign)
	}
	if m.Has&HasSquawk != 0 {
		b = append(b, `,"squawk":"`...)
		b = appendSquawk(b, m.Squawk)
		b = append(b, '"')
	}
	if m.Has&HasAltBaro != 0 {
		b = append(b, `,"alt_baro_ft":`...)
		b = strconv.AppendInt(b, int64(m.AltBaro), 10)
	}
	if m.Has&HasAltGeom != 0 {
		b = append(b, `,"alt_geom_ft":`...)
		b = strconv.AppendInt(b, int64(m.AltGeom), 10)
	}
	if m.Has&HasOnGround != 0 {
		b = append(b, `,"on_ground":`...)
		b = strconv.AppendBool(b, m.OnGround)
	}
	if m.Has&HasCPR != 0 {
		if m.CPRFormat == 0 {
			b = append(b, `,"cpr_format":"even"`...)
		} else {
			b = append(b, `,"cpr_format":"odd"`...)
		}
	}
	if m.Has&HasPosition != 0 {
		b = append(b, `,"lat":`...)
		b = strconv.AppendFloat(b, float64(m.Lat), 'f', 6, 64)
		b = append(b, `,"lon":`...)
		b = strconv.AppendFloat(b, float64(m.Lon), 'f', 6, 64)
	}
	if m.Has&HasGroundSpeed != 0 {
		b = append(b, `,"gs_kt":`...)
		b = strconv.AppendFloat(b, round3(m.GroundSpeed), 'f', -1, 64)
	}
	if m.Has&HasTrack != 0 {
		b = append(b, `,"track_deg":`...)
		b = strconv.AppendFloat(b, round3(m.Track), 'f', -1, 64)
	}
	if m.Has&HasVerticalRate != 0 {
		b = append(b, `,"vrate_fpm":`...)
		b = strconv.AppendInt(b, int64(m.VerticalRate), 10)
	}
	if m.Has&HasIAS != 0 {
		b = append(b, `,"ias_kt":`...)
		b = strconv.AppendUint(b, uint64(m.IAS), 10)
	}
	if m.Has&HasTAS != 0 {
		b = append(b, `,"tas_kt":`...)
		b = strconv.AppendUint(b, uint64(m.TAS), 10)
	}
	if m.Has&HasMach != 0 {
		b = append(b, `,"mach":`...)
		b = strconv.AppendFloat(b, round3(m.Mach), 'f', -1, 64)
	}
	if m.Has&HasHeading != 0 {
		b = append(b, `,"heading_deg":`...)
		b = strconv.AppendFloat(b, round3(m.Heading), 'f', -1, 64)
	}
	if m.Has&HasNIC != 0 {
		b = append(b, `,"nic":`...)
		b = strconv.AppendUint(b, uint64(m.NIC), 10)
	}
	if m.Has&HasNACp != 0 {
		b = append(b, `,"nacp":`...)
		b = strconv.AppendUint(b, uint64(m.NACp), 10)
	}
	return append(b, '}')
}

// round3 rounds to three decimals — finer than any message sends (angles
// in steps of 360/1024°, speeds of 0.125 kt, Mach of 0.004) — so that the
// JSON stays short.
func round3(v float64) float64 {
	return float64(int64(v*1000+0.5)) / 1000
}
