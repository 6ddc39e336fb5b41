package adsb

import (
	"bytes"
	"math"
	"strconv"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// SBS (BaseStation) is the CSV of port 30003: one record per line,
//
//	MSG,3,1,1,4840D6,1,2016/03/10,12:00:00.000,2016/03/10,12:00:00.000,,37000,,,52.25720,3.91937,,,0,0,0,0
//
// fields: 0 record type, 1 transmission type 1-8, 4 hex address ('~'
// before it for a non-ICAO address), 6/7 date and time generated (taken as
// UTC), 10 callsign, 11 altitude (ft), 12 ground speed (kt), 13 track (°),
// 14/15 latitude/longitude (°), 16 vertical rate (ft/min), 17 squawk, 19
// emergency, 21 on ground ("-1" or "1" for true). Transmission types: 1
// identification, 2 surface position, 3 airborne position, 4 velocity (all
// DF17), 5 surveillance altitude (DF4/20), 6 surveillance identity
// (DF5/21), 7 air-to-air (DF16), 8 all-call (DF11). Other record types
// (SEL, ID, AIR, STA, CLK) are skipped.

const maxSBS = 1024 // longest SBS line read

var sbsDF = [9]uint8{0, 17, 17, 17, 17, 4, 5, 16, 11}

// DecodeSBS decodes one SBS MSG line (without its line end) into m. The
// values are taken as the line gives them (the sender already decoded
// them); a fix is yielded for types 2 and 3 with a latitude and longitude.
func (d *Decoder) DecodeSBS(line []byte, offset int64, m *Message) error {
	*m = Message{Offset: offset}
	d.seq++
	d.stats.Frames++
	var fld [22][]byte
	n := 0
	for n < len(fld) {
		i := bytes.IndexByte(line, ',')
		if i < 0 {
			fld[n] = line
			n++
			break
		}
		fld[n] = line[:i]
		line = line[i+1:]
		n++
	}
	if n < 11 || string(fld[0]) != "MSG" || len(fld[1]) != 1 || fld[1][0] < '1' || fld[1][0] > '8' {
		d.stats.BadSBS++
		return ErrSBS
	}
	typ := fld[1][0] - '0'
	hex := fld[4]
	if len(hex) > 0 && hex[0] == '~' {
		m.NonICAO = true
		hex = hex[1:]
	}
	if len(hex) != 6 {
		d.stats.BadSBS++
		return ErrSBS
	}
	for _, c := range hex {
		v := hexVal[c]
		if v > 15 {
			d.stats.BadSBS++
			return ErrSBS
		}
		m.Addr = m.Addr<<4 | uint32(v)
	}
	m.DF, m.CRCOK = sbsDF[typ], true
	m.Source = position.ModeS
	if typ <= 4 {
		m.Source = position.ADSB
	}
	var nw now
	if t, ok := sbsTime(fld[6], fld[7]); ok {
		m.Time, m.Has = t, m.Has|HasTime
		nw = now{mono: t.UnixNano(), clock: true}
	}
	a := d.lookup(m.Addr, m.NonICAO, m.Source, nw, true)
	get := func(i int) []byte {
		if i < n {
			return bytes.TrimSpace(fld[i])
		}
		return nil
	}
	num := func(i int) (float64, bool) {
		b := get(i)
		if len(b) == 0 || len(b) > 32 {
			return 0, false
		}
		v, err := strconv.ParseFloat(string(b), 64)
		return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	if cs := get(10); len(cs) > 0 && len(cs) <= 8 {
		if string(cs) != a.callsign {
			a.callsign = string(cs)
		}
		m.Callsign, m.Has = a.callsign, m.Has|HasCallsign
	}
	if v, ok := num(11); ok {
		m.AltBaro, m.Has = int32(math.Round(v)), m.Has|HasAltBaro
	}
	if v, ok := num(12); ok && v >= 0 {
		m.GroundSpeed, m.Has = v, m.Has|HasGroundSpeed
	}
	if v, ok := num(13); ok {
		m.Track, m.Has = math.Mod(v+360, 360), m.Has|HasTrack
	}
	if v, ok := num(16); ok {
		m.VerticalRate, m.Has = int32(math.Round(v)), m.Has|HasVerticalRate
	}
	if sq := get(17); len(sq) == 4 {
		var s uint16
		ok := true
		for _, c := range sq {
			if c < '0' || c > '7' {
				ok = false
			}
			s = s<<3 | uint16(c-'0')
		}
		if ok {
			m.Squawk, m.Has = s, m.Has|HasSquawk
			d.noteSquawk(a, s)
		}
	}
	if g := get(21); len(g) > 0 {
		m.OnGround, m.Has = string(g) == "-1" || string(g) == "1", m.Has|HasOnGround
	}
	if typ == 2 {
		m.Surface = true
	}
	if typ == 4 && m.Has&HasGroundSpeed != 0 {
		a.velMono, a.velPseq, a.velClock, a.hasGS, a.gsKt = nw.mono, a.pseq, nw.clock, true, m.GroundSpeed
		a.hasTrack, a.trackDeg = m.Has&HasTrack != 0, m.Track
		a.hasVRate, a.vrateFPM = m.Has&HasVerticalRate != 0, m.VerticalRate
	}
	lat, okLat := num(14)
	lon, okLon := num(15)
	if okLat && okLon && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && (typ == 2 || typ == 3) {
		a.pseq++
		a.fixLat, a.fixLon, a.fixMono, a.fixPseq, a.fixClock, a.fixOK = lat, lon, nw.mono, a.pseq, nw.clock, true
		m.Lat, m.Lon, m.Has = geo.Degrees(lat), geo.Degrees(lon), m.Has|HasPosition
		d.fillFix(m, a, nw)
	}
	d.stats.Accepted++
	return nil
}

// sbsTime parses "2006/01/02" and "15:04:05.000" (fractional seconds
// optional) as UTC without allocating.
func sbsTime(date, clock []byte) (time.Time, bool) {
	date, clock = bytes.TrimSpace(date), bytes.TrimSpace(clock)
	if len(date) != 10 || date[4] != '/' || date[7] != '/' || len(clock) < 8 || clock[2] != ':' || clock[5] != ':' {
		return time.Time{}, false
	}
	dig := func(b []byte) (int, bool) {
		v := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := dig(date[:4])
	mo, ok2 := dig(date[5:7])
	dd, ok3 := dig(date[8:10])
	h, ok4 := dig(clock[:2])
	mi, ok5 := dig(clock[3:5])
	s, ok6 := dig(clock[6:8])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || dd < 1 || dd > 31 || h > 23 || mi > 59 || s > 60 {
		return time.Time{}, false
	}
	ns := 0
	if len(clock) > 8 {
		if clock[8] != '.' || len(clock) > 18 {
			return time.Time{}, false
		}
		frac := clock[9:]
		v, ok := dig(frac)
		if !ok {
			return time.Time{}, false
		}
		for range 9 - len(frac) {
			v *= 10
		}
		ns = v
	}
	return time.Date(y, time.Month(mo), dd, h, mi, s, ns, time.UTC), true
}
