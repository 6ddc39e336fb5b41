package adsb

import (
	"math"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// Extended squitter (DF17/18) decoding: the ME field, bits 33-88 of the
// frame, by type code (DO-260B §2.2.3.2; "The 1090 Megahertz Riddle",
// ADS-B chapters).

// meBits returns ME bits a..b (1-based, inclusive) of the 56-bit ME field.
func meBits(me uint64, a, b uint) uint32 {
	return uint32(me >> (56 - b) & (1<<(b-a+1) - 1))
}

func (d *Decoder) extendedSquitter(m *Message, a *aircraft, nw now) {
	fr := m.Frame[:14]
	var me uint64
	for _, b := range fr[4:11] {
		me = me<<8 | uint64(b)
	}
	tc := uint8(me >> 51)
	m.TC, m.Has = tc, m.Has|HasTC
	if m.DF == 18 && m.CA == 3 || m.DF == 18 && (m.CA == 4 || m.CA == 7) {
		return // coarse TIS-B and management messages: another layout
	}
	switch {
	case tc >= 1 && tc <= 4:
		m.Category = uint16('E'-tc)<<8 | uint16(meBits(me, 6, 8))
		m.Has |= HasCategory
		if cs, ok := decodeCallsign(me, a); ok {
			m.Callsign, m.Has = cs, m.Has|HasCallsign
		}
	case tc >= 5 && tc <= 8:
		m.OnGround, m.Has = true, m.Has|HasOnGround
		if gs, ok := surfaceSpeed(meBits(me, 6, 12)); ok {
			m.GroundSpeed, m.Has = gs, m.Has|HasGroundSpeed
			a.velMono, a.velPseq, a.velClock, a.hasGS, a.gsKt = nw.mono, a.pseq, nw.clock, true, gs
			a.hasTrack, a.hasVRate = false, false
		}
		if meBits(me, 13, 13) == 1 {
			m.Track, m.Has = float64(meBits(me, 14, 20))*360/128, m.Has|HasTrack
		}
		m.NIC, m.Has = nicFor(tc, a, 0), m.Has|HasNIC
		m.Surface = true
		d.cpr(m, a, me, nw)
	case tc >= 9 && tc <= 18 || tc >= 20 && tc <= 22:
		ac := meBits(me, 9, 20)
		if tc <= 18 {
			if alt, ok := decodeAC12(ac); ok {
				m.AltBaro, m.Has = alt, m.Has|HasAltBaro
			}
		} else if ac != 0 {
			// GNSS height in metres ("The 1090 Megahertz Riddle", GNSS height).
			m.AltGeom, m.Has = int32(math.Round(float64(ac)/0.3048)), m.Has|HasAltGeom
		}
		m.OnGround, m.Has = false, m.Has|HasOnGround
		var suppB uint32
		if m.DF == 17 || m.CA <= 1 {
			suppB = meBits(me, 8, 8) // in TIS-B and ADS-R the bit is IMF
		}
		m.NIC, m.Has = nicFor(tc, a, suppB), m.Has|HasNIC
		d.cpr(m, a, me, nw)
	case tc == 19:
		d.velocity(m, a, me, nw)
	case tc == 28:
		m.Subtype = uint8(meBits(me, 6, 8))
		if m.Subtype == 1 {
			m.Emergency, m.Has = uint8(meBits(me, 9, 11)), m.Has|HasEmergency
			if id := meBits(me, 12, 24); id != 0 || m.Emergency != 0 {
				m.Squawk, m.Has = decodeID13(id), m.Has|HasSquawk
				d.noteSquawk(a, m.Squawk)
			}
		}
	case tc == 29:
		m.Subtype = uint8(meBits(me, 6, 7))
		if m.Subtype == 1 {
			if v := meBits(me, 10, 20); v != 0 {
				m.SelAltitude, m.Has = int32(v-1)*32, m.Has|HasSelAltitude
			}
			if v := meBits(me, 21, 29); v != 0 {
				m.BaroSetting, m.Has = 800+float64(v-1)*0.8, m.Has|HasBaroSetting
			}
			if meBits(me, 30, 30) == 1 {
				m.SelHeading, m.Has = float64(meBits(me, 31, 39))*180/256, m.Has|HasSelHeading
			}
			m.NACp, m.Has = uint8(meBits(me, 40, 43)), m.Has|HasNACp
			m.SIL, m.Has = uint8(meBits(me, 45, 46)), m.Has|HasSIL
			a.nacp, a.hasNACp = m.NACp, true
		}
	case tc == 31:
		m.Subtype = uint8(meBits(me, 6, 8))
		if m.Subtype > 1 {
			return
		}
		m.Version, m.Has = uint8(meBits(me, 41, 43)), m.Has|HasVersion
		if m.Version >= 1 {
			m.NACp, m.Has = uint8(meBits(me, 45, 48)), m.Has|HasNACp
			m.SIL, m.Has = uint8(meBits(me, 51, 52)), m.Has|HasSIL
			a.nacp, a.hasNACp = m.NACp, true
			a.nicSuppA = meBits(me, 44, 44) == 1
			if m.Subtype == 1 {
				a.nicSuppC = meBits(me, 20, 20) == 1
			}
		}
	}
}

// surfaceSpeed decodes the 7-bit surface movement field into knots
// (DO-260B §2.2.3.2.4.2; "The 1090 Megahertz Riddle", Surface position).
func surfaceSpeed(mv uint32) (float64, bool) {
	switch {
	case mv == 0 || mv > 124:
		return 0, false
	case mv == 1:
		return 0, true
	case mv <= 8:
		return 0.125 * float64(mv-1), true
	case mv <= 12:
		return 1 + 0.25*float64(mv-9), true
	case mv <= 38:
		return 2 + 0.5*float64(mv-13), true
	case mv <= 93:
		return 15 + float64(mv-39), true
	case mv <= 108:
		return 70 + 2*float64(mv-94), true
	case mv <= 123:
		return 100 + 5*float64(mv-109), true
	}
	return 175, true
}

// nicFor derives the navigation integrity category from the type code and
// the NIC supplements (DO-260B Tables 2-14 and 2-16). Where a supplement
// the decoder has not seen would raise it, the lower value is given.
func nicFor(tc uint8, a *aircraft, suppB uint32) uint8 {
	switch tc {
	case 5, 9, 20:
		return 11
	case 6, 10, 21:
		return 10
	case 7:
		if a.nicSuppA {
			return 9
		}
		return 8
	case 8:
		if a.nicSuppA || a.nicSuppC {
			return 6
		}
		return 0
	case 11:
		if a.nicSuppA && suppB == 1 {
			return 9
		}
		return 8
	case 12:
		return 7
	case 13:
		return 6
	case 14:
		return 5
	case 15:
		return 4
	case 16:
		if a.nicSuppA && suppB == 1 {
			return 3
		}
		return 2
	case 17:
		return 1
	}
	return 0
}

// velocity decodes TC 19, all four subtypes.
func (d *Decoder) velocity(m *Message, a *aircraft, me uint64, nw now) {
	st := uint8(meBits(me, 6, 8))
	m.Subtype = st
	mult := 1.0
	if st == 2 || st == 4 {
		mult = 4 // supersonic
	}
	switch st {
	case 1, 2:
		ew, ns := meBits(me, 15, 24), meBits(me, 26, 35)
		if ew != 0 && ns != 0 {
			vx := float64(ew-1) * mult
			vy := float64(ns-1) * mult
			if meBits(me, 14, 14) == 1 {
				vx = -vx
			}
			if meBits(me, 25, 25) == 1 {
				vy = -vy
			}
			m.GroundSpeed, m.Has = math.Hypot(vx, vy), m.Has|HasGroundSpeed
			tr := math.Atan2(vx, vy) * 180 / math.Pi
			if tr < 0 {
				tr += 360
			}
			m.Track, m.Has = tr, m.Has|HasTrack
		}
	case 3, 4:
		if meBits(me, 14, 14) == 1 {
			m.Heading, m.Has = float64(meBits(me, 15, 24))*360/1024, m.Has|HasHeading
		}
		if as := meBits(me, 26, 35); as != 0 {
			v := uint16(float64(as-1) * mult)
			if meBits(me, 25, 25) == 1 {
				m.TAS, m.Has = v, m.Has|HasTAS
			} else {
				m.IAS, m.Has = v, m.Has|HasIAS
			}
		}
	default:
		return
	}
	if vr := meBits(me, 38, 46); vr != 0 {
		v := int32(vr-1) * 64
		if meBits(me, 37, 37) == 1 {
			v = -v
		}
		m.VerticalRate, m.VerticalRateGNSS, m.Has = v, meBits(me, 36, 36) == 0, m.Has|HasVerticalRate
	}
	if dh := meBits(me, 50, 56); dh != 0 && dh != 127 {
		v := int32(dh-1) * 25
		if meBits(me, 49, 49) == 1 {
			v = -v
		}
		m.GNSSBaroDiff, m.Has = v, m.Has|HasGNSSBaroDiff
	}
	a.velMono, a.velPseq, a.velClock = nw.mono, a.pseq, nw.clock
	a.hasGS = m.Has&HasGroundSpeed != 0
	a.hasTrack = m.Has&HasTrack != 0
	a.hasVRate = m.Has&HasVerticalRate != 0
	a.gsKt, a.trackDeg, a.vrateFPM = m.GroundSpeed, m.Track, m.VerticalRate
}

// cpr stores the frame's CPR fields and tries to turn them into a fix:
// globally with a fresh partner of the other parity, else locally against
// the aircraft's last fix or the receiver.
func (d *Decoder) cpr(m *Message, a *aircraft, me uint64, nw now) {
	m.CPRFormat = uint8(meBits(me, 22, 22))
	m.CPRLat, m.CPRLon = meBits(me, 23, 39), meBits(me, 40, 56)
	m.Has |= HasCPR
	if m.DF == 18 && m.CA == 3 {
		return
	}
	a.pseq++
	f := m.CPRFormat
	a.cpr[f] = cprRec{lat: m.CPRLat, lon: m.CPRLon, mono: nw.mono, pseq: a.pseq, surface: m.Surface, clock: nw.clock, valid: true}
	o := &a.cpr[1-f]

	window := pairWindowAir
	if m.Surface {
		window = pairWindowSurface
	}
	fresh := o.valid && o.surface == m.Surface && d.within(nw, o.clock, o.mono, a.pseq-o.pseq, window, pairWindowMsgs)
	if fresh {
		var refLat, refLon float64
		haveRef := !m.Surface
		if m.Surface {
			if a.fixOK && d.within(nw, a.fixClock, a.fixMono, a.pseq-a.fixPseq, fixMaxAge, fixMaxAgeMsgs) {
				refLat, refLon, haveRef = a.fixLat, a.fixLon, true
			} else if d.opts.HasReceiver {
				refLat, refLon, haveRef = float64(d.opts.Receiver.Lat), float64(d.opts.Receiver.Lon), true
			}
		}
		if haveRef {
			e, od := &a.cpr[0], &a.cpr[1]
			lat, lon, fail := cprGlobal(e.lat, e.lon, od.lat, od.lon, f == 1, m.Surface, refLat, refLon)
			if fail == cprOK {
				if !d.plausible(a, lat, lon, nw, m.Surface) {
					d.stats.Implausible++
					a.reliable--
					if a.reliable <= 0 {
						a.fixOK = false
					}
					return
				}
				d.stats.CPRGlobalOK++
				a.reliable = min(a.reliable+1, 4)
				d.accept(m, a, lat, lon, nw, true)
				return
			}
			d.stats.CPRGlobalBad++
		} else {
			d.stats.CPRGlobalSkipped++
		}
	} else {
		d.stats.CPRGlobalSkipped++
	}

	// Local decoding.
	var refLat, refLon float64
	switch {
	case a.fixOK && d.within(nw, a.fixClock, a.fixMono, a.pseq-a.fixPseq, fixMaxAge, fixMaxAgeMsgs):
		refLat, refLon = a.fixLat, a.fixLon
	case d.opts.HasReceiver && (m.Surface || d.opts.MaxRange > 0 && d.opts.MaxRange <= localRangeAir):
		refLat, refLon = float64(d.opts.Receiver.Lat), float64(d.opts.Receiver.Lon)
	default:
		d.stats.CPRLocalSkipped++
		return
	}
	lat, lon, fail := cprLocal(m.CPRLat, m.CPRLon, f == 1, m.Surface, refLat, refLon)
	if fail != cprOK {
		d.stats.CPRLocalFailed++
		return
	}
	if !d.plausible(a, lat, lon, nw, m.Surface) {
		d.stats.Implausible++
		return
	}
	d.stats.CPRLocalOK++
	if !a.fixOK {
		a.reliable = 1
	}
	d.accept(m, a, lat, lon, nw, false)
}

// within says whether a record taken at mono (stream time, if recClock)
// or msgs position frames ago is no older than window (or maxMsgs frames
// when either frame has no clock).
func (d *Decoder) within(nw now, recClock bool, mono int64, msgs uint64, window time.Duration, maxMsgs uint64) bool {
	if nw.clock && recClock {
		dt := nw.mono - mono
		return dt >= 0 && dt <= int64(window)
	}
	return msgs <= maxMsgs
}

const earthRadius = 6371008.8 // mean radius, metres: enough for plausibility

// distance is the haversine distance in metres.
func distance(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	s1 := math.Sin((lat2 - lat1) * rad / 2)
	s2 := math.Sin((lon2 - lon1) * rad / 2)
	h := s1*s1 + math.Cos(lat1*rad)*math.Cos(lat2*rad)*s2*s2
	return 2 * earthRadius * math.Asin(math.Sqrt(min(h, 1)))
}

// plausible checks a candidate fix against the receiver range and against
// the aircraft's last fix at the speed it could have flown.
func (d *Decoder) plausible(a *aircraft, lat, lon float64, nw now, surface bool) bool {
	if d.opts.HasReceiver && d.opts.MaxRange > 0 &&
		distance(lat, lon, float64(d.opts.Receiver.Lat), float64(d.opts.Receiver.Lon)) > float64(d.opts.MaxRange) {
		return false
	}
	if !a.fixOK {
		return true
	}
	speed, slack := 1200.0, 1000.0 // knots, metres
	if surface {
		speed, slack = 150, 500
	}
	if a.hasGS && d.within(nw, a.velClock, a.velMono, a.pseq-a.velPseq, velMaxAge, velMaxAgeMsgs) {
		speed = a.gsKt*1.25 + 100
		if surface {
			speed = a.gsKt*1.25 + 20
		}
	}
	var dt float64 // seconds
	if nw.clock && a.fixClock {
		dt = math.Abs(float64(nw.mono-a.fixMono)) / 1e9
	} else {
		dt = float64(a.pseq-a.fixPseq) * 2 // generous: position frames come at 2 Hz
	}
	if dt > float64(fixMaxAge/time.Second) {
		return true // too old to judge
	}
	return distance(lat, lon, a.fixLat, a.fixLon) <= speed*float64(geo.NauticalMile)/3600*dt+slack
}

// accept records a fix and fills the message's position.
func (d *Decoder) accept(m *Message, a *aircraft, lat, lon float64, nw now, global bool) {
	a.fixLat, a.fixLon, a.fixMono, a.fixPseq, a.fixClock, a.fixOK = lat, lon, nw.mono, a.pseq, nw.clock, true
	m.Lat, m.Lon, m.Global, m.Has = geo.Degrees(lat), geo.Degrees(lon), global, m.Has|HasPosition
	d.fillFix(m, a, nw)
}

// fillFix builds the normalised Position of a message with a fix.
func (d *Decoder) fillFix(m *Message, a *aircraft, nw now) {
	d.stats.Positions++
	p := &m.fix
	*p = position.Position{ID: a.id, Source: m.Source, Lat: m.Lat, Lon: m.Lon, Callsign: a.callsign, Squawk: a.squawkStr}
	if m.Has&HasTime != 0 {
		p.Time = m.Time
	}
	switch {
	case m.Has&HasAltBaro != 0:
		p.Altitude, p.AltitudeRef, p.Has = geo.Meters(m.AltBaro)*geo.Foot, position.Barometric, p.Has|position.HasAltitude
	case m.Has&HasAltGeom != 0:
		p.Altitude, p.AltitudeRef, p.Has = geo.Meters(m.AltGeom)*geo.Foot, position.Geometric, p.Has|position.HasAltitude
	}
	if m.Has&HasOnGround != 0 {
		p.OnGround, p.Has = m.OnGround, p.Has|position.HasOnGround
	}
	const knot = float64(geo.NauticalMile) / 3600
	if m.Surface {
		if m.Has&HasGroundSpeed != 0 {
			p.GroundSpeed, p.Has = m.GroundSpeed*knot, p.Has|position.HasGroundSpeed
		}
		if m.Has&HasTrack != 0 {
			p.Track, p.Has = geo.Degrees(m.Track), p.Has|position.HasTrack
		}
	} else if d.within(nw, a.velClock, a.velMono, a.pseq-a.velPseq, velMaxAge, velMaxAgeMsgs) {
		if a.hasGS {
			p.GroundSpeed, p.Has = a.gsKt*knot, p.Has|position.HasGroundSpeed
		}
		if a.hasTrack {
			p.Track, p.Has = geo.Degrees(a.trackDeg), p.Has|position.HasTrack
		}
		if a.hasVRate {
			p.VerticalRate, p.Has = float64(a.vrateFPM)*float64(geo.Foot)/60, p.Has|position.HasVerticalRate
		}
	}
	if a.hasNACp {
		if r, ok := NACpRadius(a.nacp); ok {
			p.Accuracy, p.Has = r, p.Has|position.HasAccuracy
		}
	}
}
