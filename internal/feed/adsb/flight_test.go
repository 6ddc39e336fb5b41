package adsb

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
)

// Test-only encoder: builds DF17 frames for a synthetic flight, so that
// decoding can be checked against a known truth.

// cprEncode encodes a position into 17-bit CPR values (DO-260B §A.1.7.1).
func cprEncode(lat, lon float64, odd, surface bool) (uint32, uint32) {
	span, i := 360.0, 0
	if surface {
		span = 90
	}
	if odd {
		i = 1
	}
	dlat := span / float64(60-i)
	yz := math.Floor(cprScale*cprMod(lat, dlat)/dlat + 0.5)
	rlat := dlat * (yz/cprScale + math.Floor(lat/dlat))
	ni := max(cprNL(rlat)-i, 1)
	dlon := span / float64(ni)
	xz := math.Floor(cprScale*cprMod(lon, dlon)/dlon + 0.5)
	return uint32(yz) & 0x1FFFF, uint32(xz) & 0x1FFFF
}

func esFrame(addr uint32, me uint64, ticks uint64) Frame {
	f := Frame{Len: 14, Ticks: ticks, HasTicks: ticks != 0}
	f.Data[0], f.Data[1], f.Data[2], f.Data[3] = 0x8D, byte(addr>>16), byte(addr>>8), byte(addr)
	for k := range 7 {
		f.Data[4+k] = byte(me >> (48 - 8*k))
	}
	withParity(f.Data[:14], 0)
	return f
}

// encAC12 encodes feet in 25 ft steps with the Q bit.
func encAC12(ft int32) uint64 {
	n := uint64((ft + 1000) / 25)
	return (n&0x7F0)<<1 | 0x10 | n&0x0F
}

func identME(call string) uint64 {
	me := uint64(4)<<51 | 3<<48
	for i := range 8 {
		c := byte(' ')
		if i < len(call) {
			c = call[i]
		}
		me |= uint64(strings.IndexByte(callsignChars, c)) << (42 - 6*i)
	}
	return me
}

func velME(gsKt, trackDeg float64, vrFPM int32) uint64 {
	vx := gsKt * math.Sin(trackDeg*math.Pi/180)
	vy := gsKt * math.Cos(trackDeg*math.Pi/180)
	me := uint64(19)<<51 | 1<<48
	if vx < 0 {
		me |= 1 << (56 - 14)
	}
	me |= uint64(math.Round(math.Abs(vx))+1) << (56 - 24)
	if vy < 0 {
		me |= 1 << (56 - 25)
	}
	me |= uint64(math.Round(math.Abs(vy))+1) << (56 - 35)
	if vrFPM < 0 {
		me |= 1 << (56 - 37)
	}
	me |= uint64(abs32(vrFPM)/64+1) << (56 - 46)
	return me | 1<<(56-36) // barometric rate
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// truthPoint is where the synthetic aircraft was at a time.
type truthPoint struct {
	t        time.Duration
	lat, lon float64
}

// syntheticFlight returns the frames of one aircraft flying a straight
// line at 250 kt from start along track (degrees), for dur: a position
// every 0.5 s (even and odd alternately), velocity every second,
// identification every 5 s; ticks on a 12 MHz clock starting at t0.
func syntheticFlight(addr uint32, call string, start geo.LatLon, track float64, dur time.Duration, t0 time.Duration) ([]Frame, []truthPoint) {
	const gs = 250.0 // kt
	var frames []Frame
	var truth []truthPoint
	ticks := func(t time.Duration) uint64 {
		return uint64((t0+t)/time.Second*12e6) + uint64((t0+t)%time.Second)*12/1000
	}
	for k := 0; time.Duration(k)*500*time.Millisecond <= dur; k++ {
		t := time.Duration(k) * 500 * time.Millisecond
		d := geo.Meters(gs * float64(geo.NauticalMile) / 3600 * t.Seconds())
		plat, plon, _ := geo.WGS84.Direct(start.Lat, start.Lon, geo.Degrees(track), d)
		p := geo.LatLon{Lat: plat, Lon: plon}
		odd := k%2 == 1
		lat, lon := cprEncode(float64(p.Lat), float64(p.Lon), odd, false)
		me := uint64(11)<<51 | encAC12(12000)<<36 | uint64(lat)<<17 | uint64(lon)
		if odd {
			me |= 1 << 34
		}
		frames = append(frames, esFrame(addr, me, ticks(t)))
		truth = append(truth, truthPoint{t, float64(p.Lat), float64(p.Lon)})
		if k%2 == 0 {
			frames = append(frames, esFrame(addr, velME(gs, track, -640), ticks(t+100*time.Millisecond)))
		}
		if k%10 == 0 {
			frames = append(frames, esFrame(addr, identME(call), ticks(t+200*time.Millisecond)))
		}
	}
	return frames, truth
}

// TestSyntheticFlight decodes a flight built by the encoder above: every
// position frame after the first gives a fix within 10 m of the truth
// (the airborne CPR step is about 5 m), and the fixes never jump.
func TestSyntheticFlight(t *testing.T) {
	start := geo.LatLon{Lat: 32.60, Lon: -114.80} // near the USA-Mexico border
	frames, truth := syntheticFlight(0xA1B2C3, "VIGIA01", start, 150, 120*time.Second, time.Hour)
	opts := DefaultOptions()
	opts.Start = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	d := NewDecoder(opts)
	var m Message
	var fixes []Message
	for i := range frames {
		if err := d.Decode(&frames[i], &m); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if m.Has&HasPosition != 0 {
			fixes = append(fixes, m)
		}
	}
	if len(fixes) != len(truth)-1 {
		t.Fatalf("%d fixes from %d position frames, want %d", len(fixes), len(truth), len(truth)-1)
	}
	for i, f := range fixes {
		tr := truth[i+1]
		if dist := distance(float64(f.Lat), float64(f.Lon), tr.lat, tr.lon); dist > 10 {
			t.Errorf("fix %d: %.1f m from the truth", i, dist)
		}
		wantT := opts.Start.Add(time.Hour + tr.t)
		if !f.Time.Equal(wantT) {
			t.Errorf("fix %d: time %v, want %v", i, f.Time, wantT)
		}
		p, ok := f.Position()
		if !ok || p.ID != "icao:A1B2C3" || p.Callsign != "VIGIA01" || p.Source.String() != "adsb" ||
			!near(float64(p.Altitude), 12000*0.3048, 1e-6) || p.AltitudeRef.String() != "baro" ||
			!near(p.GroundSpeed, 250*1852.0/3600, 1) || !near(float64(p.Track), 150, 0.5) ||
			!near(p.VerticalRate, -640*0.3048/60, 1e-9) || !p.Time.Equal(wantT) {
			t.Fatalf("fix %d position %+v", i, p)
		}
	}
	st := d.Stats()
	if st.CPRGlobalOK != uint64(len(fixes)) || st.Implausible != 0 || st.Positions != uint64(len(fixes)) {
		t.Errorf("stats %+v", st)
	}
	// A pair far from the track (50 km east) is rejected as implausible
	// and does not move the fix.
	plat, plon, _ := geo.WGS84.Direct(fixes[len(fixes)-1].Lat, fixes[len(fixes)-1].Lon, 90, 50e3)
	p := geo.LatLon{Lat: plat, Lon: plon}
	last := truth[len(truth)-1].t
	for k, odd := range []bool{false, true} {
		lat, lon := cprEncode(float64(p.Lat), float64(p.Lon), odd, false)
		me := uint64(11)<<51 | encAC12(12000)<<36 | uint64(lat)<<17 | uint64(lon)
		if odd {
			me |= 1 << 34
		}
		f := esFrame(0xA1B2C3, me, uint64((time.Hour+last+time.Duration(k+1)*500*time.Millisecond).Seconds()*12e6))
		if err := d.Decode(&f, &m); err != nil {
			t.Fatal(err)
		}
		if m.Has&HasPosition != 0 && distance(float64(m.Lat), float64(m.Lon), float64(p.Lat), float64(p.Lon)) < 1000 {
			t.Errorf("jump accepted: %s", m.AppendJSON(nil))
		}
	}
	if d.Stats().Implausible == 0 {
		t.Error("no implausible position counted")
	}
}

// pymodesFrames reads the real frames of testdata/pymodes_sample_data_adsb.csv
// with 12 MHz ticks from their (whole-second) times, spread evenly within
// each second so that order is kept.
func pymodesFrames(t testing.TB) []Frame {
	t.Helper()
	f, err := os.Open("testdata/pymodes_sample_data_adsb.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Frame
	var t0, prev int64
	var inSec int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fld := strings.Split(sc.Text(), ",")
		sec, err := strconv.ParseInt(fld[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if t0 == 0 {
			t0 = sec - 100
		}
		if sec != prev {
			inSec, prev = 0, sec
		}
		b, err := hex.DecodeString(strings.Trim(fld[1], `"`))
		if err != nil {
			t.Fatal(err)
		}
		var fr Frame
		fr.Len = copy(fr.Data[:], b)
		fr.Ticks, fr.HasTicks = uint64(sec-t0)*12e6+uint64(inSec)*100e3, true
		inSec++
		out = append(out, fr)
	}
	return out
}

// encode writes frames in the given format.
func encode(frames []Frame, format Format, stamps bool) []byte {
	var b []byte
	for _, f := range frames {
		if !stamps {
			f.HasTicks = false
		}
		if format == FormatBeast {
			b = AppendBeast(b, &f)
		} else {
			b = AppendAVR(b, &f)
		}
	}
	return b
}

// TestRealFramesAllFormats decodes the pyModeS sample as timestamped AVR,
// Beast and plain AVR: the timestamped forms give identical results, and
// positions stay close to the published track (the aircraft flies near
// Delft, 51.9-52.3 N, 3.9-4.5 E).
func TestRealFramesAllFormats(t *testing.T) {
	frames := pymodesFrames(t)
	run := func(data []byte, f Format) []Message {
		d := NewDecoder(nil)
		r := NewReader(bytes.NewReader(data), f, d)
		var out []Message
		var m Message
		for {
			err := r.Next(&m)
			if err != nil {
				break
			}
			m.Offset, m.Frame = 0, [14]byte{}
			out = append(out, m)
		}
		if st := d.Stats(); st.JunkBytes != 0 || st.BadCRC != 0 {
			t.Errorf("%v: stats %+v", f, st)
		}
		return out
	}
	avr := run(encode(frames, FormatAVR, true), FormatAuto)
	beast := run(encode(frames, FormatBeast, true), FormatAuto)
	plain := run(encode(frames, FormatAVR, false), FormatAVR)
	if len(avr) != len(frames) || len(beast) != len(frames) || len(plain) != len(frames) {
		t.Fatalf("messages: avr %d beast %d plain %d of %d", len(avr), len(beast), len(plain), len(frames))
	}
	npos := 0
	for i := range avr {
		a, b := avr[i], beast[i]
		b.Signal, b.Has = a.Signal, b.Has&^HasSignal|a.Has&HasSignal
		if a.AppendJSON(nil) == nil || string(a.AppendJSON(nil)) != string(b.AppendJSON(nil)) {
			t.Fatalf("message %d differs:\n avr   %s\n beast %s", i, a.AppendJSON(nil), b.AppendJSON(nil))
		}
		if a.Has&HasPosition != 0 {
			npos++
			if a.Lat < 50.5 || a.Lat > 52.5 || a.Lon < 3.5 || a.Lon > 8 {
				t.Errorf("message %d: position %v %v off the known track", i, a.Lat, a.Lon)
			}

			if p := plain[i]; p.Has&HasPosition != 0 && distance(float64(p.Lat), float64(p.Lon), float64(a.Lat), float64(a.Lon)) > 100 {
				t.Errorf("message %d: plain AVR %v,%v vs timed %v,%v", i, p.Lat, p.Lon, a.Lat, a.Lon)
			}
		}
	}
	if npos < 500 {
		t.Errorf("only %d positions", npos)
	}
}

// syntheticTaxi returns the surface position frames (TC 6, 15 kt) of an
// aircraft taxiing from start along track, one every 0.5 s (even and odd
// alternately), with identification every 5 s.
func syntheticTaxi(addr uint32, call string, start geo.LatLon, track float64, dur time.Duration, t0 time.Duration) ([]Frame, []truthPoint) {
	const gs = 15.0 // kt: movement code 39
	var frames []Frame
	var truth []truthPoint
	ticks := func(t time.Duration) uint64 { return uint64((t0 + t).Seconds() * 12e6) }
	for k := 0; time.Duration(k)*500*time.Millisecond <= dur; k++ {
		t := time.Duration(k) * 500 * time.Millisecond
		d := geo.Meters(gs * float64(geo.NauticalMile) / 3600 * t.Seconds())
		plat, plon, _ := geo.WGS84.Direct(start.Lat, start.Lon, geo.Degrees(track), d)
		odd := k%2 == 1
		lat, lon := cprEncode(float64(plat), float64(plon), odd, true)
		me := uint64(6)<<51 | uint64(39)<<44 | 1<<43 | uint64(math.Round(track*128/360))&127<<36 | uint64(lat)<<17 | uint64(lon)
		if odd {
			me |= 1 << 34
		}
		frames = append(frames, esFrame(addr, me, ticks(t)))
		truth = append(truth, truthPoint{t, float64(plat), float64(plon)})
		if k%10 == 0 {
			frames = append(frames, esFrame(addr, identME(call), ticks(t+200*time.Millisecond)))
		}
	}
	return frames, truth
}

// TestSyntheticTaxi decodes surface positions with a receiver reference:
// every position frame after the first gives a fix within 3 m of the
// truth (the surface CPR step is about 1.3 m), on the ground.
func TestSyntheticTaxi(t *testing.T) {
	start := geo.LatLon{Lat: 32.6562, Lon: -114.6060} // Yuma airport
	frames, truth := syntheticTaxi(0xA2B3C4, "TAXI01", start, 210, 60*time.Second, time.Minute)
	opts := DefaultOptions()
	opts.Receiver, opts.HasReceiver = geo.LatLon{Lat: 32.7, Lon: -114.6}, true
	d := NewDecoder(opts)
	var m Message
	k := 0
	for i := range frames {
		if err := d.Decode(&frames[i], &m); err != nil {
			t.Fatal(err)
		}
		if m.Has&HasCPR == 0 {
			continue
		}
		tr := truth[k]
		k++
		if m.Has&HasPosition == 0 {
			t.Errorf("position frame %d: no fix (%+v)", k-1, d.Stats())
			continue
		}
		if dist := distance(float64(m.Lat), float64(m.Lon), tr.lat, tr.lon); dist > 3 {
			t.Errorf("position frame %d: %.1f m from the truth", k-1, dist)
		}
		p, _ := m.Position()
		if !p.OnGround || !near(p.GroundSpeed, 15*1852.0/3600, 1e-9) || !near(float64(p.Track), 210, 360.0/128) || k > 1 && p.Callsign != "TAXI01" {
			t.Fatalf("position %+v", p)
		}
	}
	// The first frame is decoded locally against the receiver; then pairs.
	if st := d.Stats(); st.CPRLocalOK != 1 || st.CPRGlobalOK != uint64(len(truth)-1) || st.Implausible != 0 {
		t.Errorf("stats %+v", st)
	}
}
