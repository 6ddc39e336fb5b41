package adsb

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/vigia/vigia/internal/geo"
)

// Sources of the published vectors below:
//
//	[riddle]  "The 1090 Megahertz Riddle", 2nd ed., mode-s.org/decode
//	          (github.com/junzis/the-1090mhz-riddle, content/*.tex), the
//	          worked example of each chapter named at each test.
//	[pymodes] pyModeS test suite, github.com/junzis/pyModeS, tests/*.py
//	          (commit a49921bb3c87), file named at each test.
//	[readsb]  readsb cprtests.c (the CPR tests of dump1090-fa),
//	          github.com/wiedehopf/readsb/blob/0c87e59/cprtests.c.

// [riddle] chapter "Error control", CRC example; chapter "Mode S basics",
// address recovery example.
func TestCRCRiddle(t *testing.T) {
	a, _ := hex.DecodeString("8D406B902015A678D4D220AA4BDA")
	if s := Checksum(a); s != 0 {
		t.Errorf("msgA syndrome %06X, want 0", s)
	}
	if p := Parity(a[:11]); p != 0xAA4BDA {
		t.Errorf("msgA parity %06X, want AA4BDA", p)
	}
	b, _ := hex.DecodeString("8D4CA251204994B1C36E60A5343D")
	if s := Checksum(b); s != 16 {
		t.Errorf("msgB remainder %d, want 16 (a corrupted frame)", s)
	}
	c, _ := hex.DecodeString("A0001838CA380031440000F24177")
	if p := Parity(c[:11]); p != 0xCE2CA7 {
		t.Errorf("DF20 payload remainder %06X, want CE2CA7", p)
	}
	if s := Checksum(c); s != 0x3C6DD0 {
		t.Errorf("DF20 recovered address %06X, want 3C6DD0", s)
	}
}

// [riddle] chapter "Error control" msgB, a frame with a corrupted bit:
// rejected without correction, accepted with one bit corrected.
func TestBadCRCAndFix(t *testing.T) {
	opts := DefaultOptions()
	opts.FixErrors = false
	d := NewDecoder(opts)
	f := frameHex(t, "8D4CA251204994B1C36E60A5343D", -1)
	var m Message
	if err := d.Decode(&f, &m); !errors.Is(err, ErrBadCRC) {
		t.Fatalf("without fixing: %v, want ErrBadCRC", err)
	}
	if st := d.Stats(); st.BadCRC != 1 || st.Accepted != 0 {
		t.Errorf("stats %+v", st)
	}
	d = NewDecoder(nil)
	if err := d.Decode(&f, &m); err != nil || m.CorrectedBits != 1 || !m.CRCOK {
		t.Fatalf("with fixing: err %v, corrected %d", err, m.CorrectedBits)
	}
	if d.Stats().Fixed != 1 {
		t.Errorf("fixed count %d", d.Stats().Fixed)
	}

	// A single flipped bit anywhere after the DF field is corrected; two
	// flipped bits are not.
	good, _ := hex.DecodeString("8D406B902015A678D4D220AA4BDA")
	for bit := 5; bit < 112; bit++ {
		var fr Frame
		fr.Len = copy(fr.Data[:], good)
		fr.Data[bit/8] ^= 0x80 >> (bit % 8)
		if err := d.Decode(&fr, &m); err != nil || m.CorrectedBits != 1 || m.Callsign != "EZY85MH" || m.Addr != 0x406B90 {
			t.Fatalf("bit %d: err %v, corrected %d, callsign %q", bit, err, m.CorrectedBits, m.Callsign)
		}
	}
	var fr Frame
	fr.Len = copy(fr.Data[:], good)
	fr.Data[5] ^= 0x11
	if err := d.Decode(&fr, &m); !errors.Is(err, ErrBadCRC) {
		t.Errorf("two bits flipped: %v, want ErrBadCRC", err)
	}
	// A flipped bit in the DF field is never corrected.
	fr.Len = copy(fr.Data[:], good)
	fr.Data[0] ^= 0x08
	if err := d.Decode(&fr, &m); err == nil {
		t.Errorf("DF bit flipped: accepted as DF%d", m.DF)
	}
}

// [riddle] chapter "Identification", decoding example; [pymodes]
// test_bds08.py, test_adsb.py.
func TestIdentification(t *testing.T) {
	d := NewDecoder(nil)
	for _, tc := range []struct{ hex, icao, call string }{
		{"8D4840D6202CC371C32CE0576098", "4840D6", "KLM1023"},
		{"8D406B902015A678D4D220AA4BDA", "406B90", "EZY85MH"},
	} {
		m := decodeHex(t, d, tc.hex, -1)
		if m.DF != 17 || m.TC != 4 || m.Callsign != tc.call || m.Category != 'A'<<8 {
			t.Errorf("%s: DF%d TC%d callsign %q category %X", tc.hex, m.DF, m.TC, m.Callsign, m.Category)
		}
		if got := string(appendHex24(nil, m.Addr)); got != tc.icao {
			t.Errorf("%s: icao %s, want %s", tc.hex, got, tc.icao)
		}
	}
	// [pymodes] test_adsb.py: the same frame as DF18 (CF 0) is ADS-B too.
	m := decodeHex(t, NewDecoder(nil), hex.EncodeToString(withParity(mustHex("90406B902015A678D4D220000000"), 0)), -1)
	if m.DF != 18 || m.Callsign != "EZY85MH" || m.Source.String() != "adsb" {
		t.Errorf("DF18: DF%d %q %s", m.DF, m.Callsign, m.Source)
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// [riddle] chapter "Airborne position": global decoding example (the
// first frame is the most recent; t0 = 1457996402, t1 = 1457996400) and
// local decoding example against (52.258, 3.918).
func TestAirborneRiddle(t *testing.T) {
	d := NewDecoder(nil)
	decodeHex(t, d, "8D40621D58C386435CC412692AD6", 0)
	m := decodeHex(t, d, "8D40621D58C382D690C8AC2863A7", 2)
	if m.Has&HasPosition == 0 || !m.Global {
		t.Fatalf("no global position: %s", m.AppendJSON(nil))
	}
	if !near(float64(m.Lat), 52.25720214843750, 1e-9) || !near(float64(m.Lon), 3.91937255859375, 1e-9) {
		t.Errorf("global: %v, %v; want 52.2572021484375, 3.91937255859375", m.Lat, m.Lon)
	}
	if m.CPRFormat != 0 || m.CPRLat != 93000 || m.CPRLon != 51372 {
		t.Errorf("CPR fields %d %d %d", m.CPRFormat, m.CPRLat, m.CPRLon)
	}
	lat, lon, f := cprLocal(93000, 51372, false, false, 52.258, 3.918)
	if f != cprOK || !near(lat, 52.2572021484375, 1e-9) || !near(lon, 3.91937255859375, 1e-9) {
		t.Errorf("local: %v %v %v", lat, lon, f)
	}
	// The receiver-relative decode of the same frame by a decoder that has
	// seen no pair: allowed when the range limit is within 180 NM.
	opts := DefaultOptions()
	opts.Receiver, opts.HasReceiver, opts.MaxRange = geo.LatLon{Lat: 52.258, Lon: 3.918}, true, 180*geo.NauticalMile
	d = NewDecoder(opts)
	m = decodeHex(t, d, "8D40621D58C382D690C8AC2863A7", 0)
	if m.Has&HasPosition == 0 || m.Global || !near(float64(m.Lat), 52.2572021484375, 1e-9) {
		t.Errorf("receiver-local: %s", m.AppendJSON(nil))
	}
	if st := d.Stats(); st.CPRLocalOK != 1 {
		t.Errorf("stats %+v", st)
	}
}

// [pymodes] test_cpr.py (TestAirbornePositionWithRef,
// TestAirbornePositionPair) and test_bds05.py (altitude 39000).
func TestAirbornePyModeS(t *testing.T) {
	const even, odd = "8D40058B58C901375147EFD09357", "8D40058B58C904A87F402D3B8C59"
	for _, tc := range []struct {
		name     string
		first    string
		second   string
		lat, lon float64
	}{
		{"odd newer", even, odd, 49.81755, 6.08442},
		{"even newer", odd, even, 49.82410, 6.06785},
	} {
		d := NewDecoder(nil)
		decodeHex(t, d, tc.first, 10)
		m := decodeHex(t, d, tc.second, 11)
		if m.Has&HasPosition == 0 || !near(float64(m.Lat), tc.lat, 1e-3) || !near(float64(m.Lon), tc.lon, 1e-3) {
			t.Errorf("%s: %s", tc.name, m.AppendJSON(nil))
		}
		if m.AltBaro != 39000 {
			t.Errorf("%s: altitude %d, want 39000", tc.name, m.AltBaro)
		}
	}
	for _, tc := range []struct {
		hex              string
		refLat, refLon   float64
		wantLat, wantLon float64
	}{
		{even, 49.0, 6.0, 49.82410, 6.06785},
		{odd, 49.0, 6.0, 49.81755, 6.08442},
		{"8D06A15358BF17FF7D4A84B47B95", 30.508474576271183, 7.2*5.0 + 3e-15, 30.50540, 33.44787},
	} {
		m := decodeHex(t, NewDecoder(nil), tc.hex, -1)
		lat, lon, f := cprLocal(m.CPRLat, m.CPRLon, m.CPRFormat == 1, false, tc.refLat, tc.refLon)
		if f != cprOK || !near(lat, tc.wantLat, 1e-3) || !near(lon, tc.wantLon, 1e-3) {
			t.Errorf("%s local: %v %v %v", tc.hex, lat, lon, f)
		}
	}
}

// Pairs that must give no position: [pymodes] test_cpr.py
// test_pair_zone_mismatch_returns_none (NL mismatch) and
// test_pair_impossible_latitude_returns_none (a real pair from OpenSky
// that resolves to latitude 113°), and test_zone_mismatch_returns_none for
// the surface.
func TestCPRRejects(t *testing.T) {
	if _, _, f := cprGlobal(8192, 0, 114688, 0, false, false, 0, 0); f != cprZoneChanged {
		t.Errorf("NL mismatch: %v", f)
	}
	if _, _, f := cprGlobal(113939, 119217, 72761, 59498, true, false, 0, 0); f != cprBadLat {
		t.Errorf("latitude > 90: %v", f)
	}
	if _, _, f := cprGlobal(28672, 0, 122880, 0, false, true, 50, 0); f != cprZoneChanged {
		t.Errorf("surface NL mismatch: %v", f)
	}
	// The same rejections through the decoder: airborne frames built with
	// those CPR values are counted as bad pairs and yield no position.
	d := NewDecoder(nil)
	for i, p := range [][2]uint32{{113939, 119217}, {72761, 59498}} {
		m := decodeHex(t, d, airborneFrame(0xABCDEF, uint8(i), p[0], p[1]), float64(i))
		if m.Has&HasPosition != 0 {
			t.Errorf("position from an impossible pair: %s", m.AppendJSON(nil))
		}
	}
	if st := d.Stats(); st.CPRGlobalBad != 1 || st.Positions != 0 {
		t.Errorf("stats %+v", st)
	}
	d = NewDecoder(nil)
	for i, p := range [][2]uint32{{8192, 0}, {114688, 0}} {
		decodeHex(t, d, airborneFrame(0xABCDEE, uint8(i), p[0], p[1]), float64(i))
	}
	if st := d.Stats(); st.CPRGlobalBad != 1 || st.Positions != 0 {
		t.Errorf("NL mismatch stats %+v", st)
	}
}

// airborneFrame builds a DF17 TC11 frame at 39000 ft with given CPR values.
func airborneFrame(addr uint32, format uint8, lat, lon uint32) string {
	me := uint64(11)<<51 | uint64(0xC90)<<36 | uint64(format)<<34 | uint64(lat)<<17 | uint64(lon)
	b := []byte{0x8D, byte(addr >> 16), byte(addr >> 8), byte(addr)}
	for s := 48; s >= 0; s -= 8 {
		b = append(b, byte(me>>s))
	}
	return hex.EncodeToString(withParity(append(b, 0, 0, 0), 0))
}

// [riddle] chapter "Surface position": global example (reference 51.990,
// 4.375; the second frame is the most recent), local example, speed and
// track.
func TestSurfaceRiddle(t *testing.T) {
	opts := DefaultOptions()
	opts.Receiver, opts.HasReceiver = geo.LatLon{Lat: 51.990, Lon: 4.375}, true
	d := NewDecoder(opts)
	decodeHex(t, d, "8C4841753AAB238733C8CD4020B1", 10)
	m := decodeHex(t, d, "8C4841753A8A35323FAEBDAC702D", 12)
	if m.Has&HasPosition == 0 || !near(float64(m.Lat), 52.320607072215964, 1e-9) || !near(float64(m.Lon), 4.734734671456474, 1e-9) {
		t.Fatalf("global surface: %s", m.AppendJSON(nil))
	}
	if !m.OnGround || m.Has&HasOnGround == 0 {
		t.Error("surface position not on ground")
	}
	lat, lon, f := cprLocal(39195, 110320, true, true, 52.320607, 4.734735)
	if f != cprOK || !near(lat, 52.32056051997815, 1e-9) || !near(lon, 4.735735212053571, 1e-9) {
		t.Errorf("local surface: %v %v %v", lat, lon, f)
	}
	m = decodeHex(t, d, "8C4841753A9A153237AEF0F275BE", 14)
	if m.Has&HasPosition == 0 || !near(float64(m.Lat), 52.320561, 1e-6) || !near(float64(m.Lon), 4.735735, 1e-6) {
		t.Errorf("surface frame 3: %s", m.AppendJSON(nil))
	}
	if m.GroundSpeed != 17 || m.Track != 92.8125 {
		t.Errorf("surface movement %v kt, track %v; want 17, 92.8125", m.GroundSpeed, m.Track)
	}
	// Without a reference a surface pair cannot be decoded.
	d = NewDecoder(nil)
	decodeHex(t, d, "8C4841753AAB238733C8CD4020B1", 10)
	if m := decodeHex(t, d, "8C4841753A8A35323FAEBDAC702D", 12); m.Has&HasPosition != 0 {
		t.Errorf("surface pair without a reference decoded: %s", m.AppendJSON(nil))
	}
}

// [pymodes] test_cpr.py TestSurfacePositionPair: a real DF18 pair on a
// taxiway at Toulouse-Blagnac, with references moved around the globe,
// and the São Paulo pair.
func TestSurfacePyModeS(t *testing.T) {
	ev := mustHex("903a23ff426a38565950432ebf95")
	od := mustHex("903a23ff426a4e65f7487a775d17")
	cpr := func(b []byte) (uint32, uint32) {
		var me uint64
		for _, c := range b[4:11] {
			me = me<<8 | uint64(c)
		}
		return meBits(me, 23, 39), meBits(me, 40, 56)
	}
	elat, elon := cpr(ev)
	olat, olon := cpr(od)
	for _, tc := range []struct {
		refLat, refLon float64
		oddNewer       bool
		lat, lon       float64
	}{
		{43.63, 1.37, true, 43.62646, 1.37476},
		{43.63, 1.37, false, 43.62648, 1.37462},
		{-43.5, 1.37, true, -46.37354, 1.44350},
		{43.63, -178.63, true, 43.62646, -178.62524},
		{43.63, 91.37, true, 43.62646, 91.37476},
	} {
		lat, lon, f := cprGlobal(elat, elon, olat, olon, tc.oddNewer, true, tc.refLat, tc.refLon)
		if f != cprOK || !near(lat, tc.lat, 1e-3) || !near(lon, tc.lon, 1e-3) {
			t.Errorf("ref %v,%v odd newer %v: %v %v %v, want %v %v", tc.refLat, tc.refLon, tc.oddNewer, lat, lon, f, tc.lat, tc.lon)
		}
	}
	elat, elon = cpr(mustHex("8FE48C033A9FA184B934E744C6FD"))
	olat, olon = cpr(mustHex("8FE48C033A9FA68F7C3D39B1C2F0"))
	lat, lon, f := cprGlobal(elat, elon, olat, olon, true, true, -23.4265448, -46.4816258)
	if f != cprOK || !near(lat, -23.4265448, 0.05) || !near(lon, -46.4816258, 0.05) {
		t.Errorf("São Paulo: %v %v %v", lat, lon, f)
	}
}

// [readsb] cprGlobalAirborneTests, cprGlobalSurfaceTests and
// cprRelativeTests, to the 1e-6° those tests demand.
func TestReadsbCPR(t *testing.T) {
	type want struct{ lat, lon float64 }
	air := []struct {
		e, o     [2]uint32
		even, od want
	}{
		{[2]uint32{80536, 9432}, [2]uint32{61720, 9192}, want{51.686646, 0.700156}, want{51.686763, 0.701294}},
		{[2]uint32{80534, 9413}, [2]uint32{61714, 9144}, want{51.686554, 0.698745}, want{51.686484, 0.697632}},
	}
	for i, tc := range air {
		for _, odd := range []bool{false, true} {
			w := tc.even
			if odd {
				w = tc.od
			}
			lat, lon, f := cprGlobal(tc.e[0], tc.e[1], tc.o[0], tc.o[1], odd, false, 0, 0)
			if f != cprOK || !near(lat, w.lat, 1e-6) || !near(lon, w.lon, 1e-6) {
				t.Errorf("airborne %d odd=%v: %.6f %.6f %v, want %v", i, odd, lat, lon, f, w)
			}
		}
	}
	const elat, elon, olat, olon = 105730, 9259, 29693, 8997
	surf := []struct {
		ref      [2]float64
		e, o     [2]uint32
		even, od want
	}{
		{[2]float64{52, -180}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601 - 180}, want{52.209976, 0.176507 - 180}},
		{[2]float64{52, -140}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601 - 180}, want{52.209976, 0.176507 - 180}},
		{[2]float64{52, -130}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601 - 90}, want{52.209976, 0.176507 - 90}},
		{[2]float64{52, -50}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601 - 90}, want{52.209976, 0.176507 - 90}},
		{[2]float64{52, -40}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601}, want{52.209976, 0.176507}},
		{[2]float64{52, -10}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601}, want{52.209976, 0.176507}},
		{[2]float64{52, 0}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601}, want{52.209976, 0.176507}},
		{[2]float64{52, 10}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601}, want{52.209976, 0.176507}},
		{[2]float64{52, 40}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601}, want{52.209976, 0.176507}},
		{[2]float64{52, 50}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601 + 90}, want{52.209976, 0.176507 + 90}},
		{[2]float64{52, 130}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601 + 90}, want{52.209976, 0.176507 + 90}},
		{[2]float64{52, 140}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601 - 180}, want{52.209976, 0.176507 - 180}},
		{[2]float64{52, 180}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601 - 180}, want{52.209976, 0.176507 - 180}},
		{[2]float64{90, 0}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601}, want{52.209976, 0.176507}},
		{[2]float64{52, 0}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601}, want{52.209976, 0.176507}},
		{[2]float64{8, 0}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984, 0.176601}, want{52.209976, 0.176507}},
		{[2]float64{7, 0}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984 - 90, 0.135269}, want{52.209976 - 90, 0.134299}},
		{[2]float64{-52, 0}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984 - 90, 0.135269}, want{52.209976 - 90, 0.134299}},
		{[2]float64{-90, 0}, [2]uint32{elat, elon}, [2]uint32{olat, olon}, want{52.209984 - 90, 0.135269}, want{52.209976 - 90, 0.134299}},
		{[2]float64{-46, -180}, [2]uint32{}, [2]uint32{}, want{-90, -180}, want{-90, -180}},
		{[2]float64{-44, -180}, [2]uint32{}, [2]uint32{}, want{0, -180}, want{0, -180}},
		{[2]float64{44, -180}, [2]uint32{}, [2]uint32{}, want{0, -180}, want{0, -180}},
		{[2]float64{46, -180}, [2]uint32{}, [2]uint32{}, want{90, -180}, want{90, -180}},
	}
	for i, tc := range surf {
		for _, odd := range []bool{false, true} {
			w := tc.even
			if odd {
				w = tc.od
			}
			lat, lon, f := cprGlobal(tc.e[0], tc.e[1], tc.o[0], tc.o[1], odd, true, tc.ref[0], tc.ref[1])
			if f != cprOK || !near(lat, w.lat, 1e-6) || !near(lon, w.lon, 1e-6) {
				t.Errorf("surface %d odd=%v: %.6f %.6f %v, want %v", i, odd, lat, lon, f, w)
			}
		}
	}
	rel := []struct {
		ref          [2]float64
		lat, lon     uint32
		odd, surface bool
		wlat, wlon   float64
	}{
		{[2]float64{52, 0}, 80536, 9432, false, false, 51.686646, 0.700156},
		{[2]float64{52, 0}, 61720, 9192, true, false, 51.686763, 0.701294},
		{[2]float64{52, 0}, 80534, 9413, false, false, 51.686554, 0.698745},
		{[2]float64{52, 0}, 61714, 9144, true, false, 51.686484, 0.697632},
		{[2]float64{48.70, 0}, 80536, 9432, false, false, 51.686646, 0.700156},
		{[2]float64{48.70, 0}, 61720, 9192, true, false, 51.686763, 0.701294},
		{[2]float64{48.70, 0}, 80534, 9413, false, false, 51.686554, 0.698745},
		{[2]float64{48.70, 0}, 61714, 9144, true, false, 51.686484, 0.697632},
		{[2]float64{54.60, 0}, 80536, 9432, false, false, 51.686646, 0.700156},
		{[2]float64{54.60, 0}, 61720, 9192, true, false, 51.686763, 0.701294},
		{[2]float64{54.60, 0}, 80534, 9413, false, false, 51.686554, 0.698745},
		{[2]float64{54.60, 0}, 61714, 9144, true, false, 51.686484, 0.697632},
		{[2]float64{52, 5.40}, 80536, 9432, false, false, 51.686646, 0.700156},
		{[2]float64{52, 5.40}, 61720, 9192, true, false, 51.686763, 0.701294},
		{[2]float64{52, 5.40}, 80534, 9413, false, false, 51.686554, 0.698745},
		{[2]float64{52, 5.40}, 61714, 9144, true, false, 51.686484, 0.697632},
		{[2]float64{52, -4.10}, 80536, 9432, false, false, 51.686646, 0.700156},
		{[2]float64{52, -4.10}, 61720, 9192, true, false, 51.686763, 0.701294},
		{[2]float64{52, -4.10}, 80534, 9413, false, false, 51.686554, 0.698745},
		{[2]float64{52, -4.10}, 61714, 9144, true, false, 51.686484, 0.697632},
		{[2]float64{52, 0}, 105730, 9259, false, true, 52.209984, 0.176601},
		{[2]float64{52, 0}, 29693, 8997, true, true, 52.209976, 0.176507},
		{[2]float64{51.46, 0}, 105730, 9259, false, true, 52.209984, 0.176601},
		{[2]float64{51.46, 0}, 29693, 8997, true, true, 52.209976, 0.176507},
		{[2]float64{52.95, 0}, 105730, 9259, false, true, 52.209984, 0.176601},
		{[2]float64{52.95, 0}, 29693, 8997, true, true, 52.209976, 0.176507},
		{[2]float64{52, 1.40}, 105730, 9259, false, true, 52.209984, 0.176601},
		{[2]float64{52, 1.40}, 29693, 8997, true, true, 52.209976, 0.176507},
		{[2]float64{52, -1.05}, 105730, 9259, false, true, 52.209984, 0.176601},
		{[2]float64{52, -1.05}, 29693, 8997, true, true, 52.209976, 0.176507},
	}
	for i, tc := range rel {
		lat, lon, f := cprLocal(tc.lat, tc.lon, tc.odd, tc.surface, tc.ref[0], tc.ref[1])
		if f != cprOK || !near(lat, tc.wlat, 1e-6) || !near(lon, tc.wlon, 1e-6) {
			t.Errorf("relative %d: %.6f %.6f %v, want %.6f %.6f", i, lat, lon, f, tc.wlat, tc.wlon)
		}
	}
}

// [riddle] chapter "Airborne position", NL values; [pymodes] test_cpr.py
// TestCprNL.
func TestNL(t *testing.T) {
	for _, tc := range []struct {
		lat float64
		nl  int
	}{{0, 59}, {0.1, 59}, {-0.1, 59}, {45, 42}, {80, 10}, {87, 2}, {-87, 2}, {87.5, 1}, {-87.5, 1},
		{52.25720214843750, 36}, {52.26578017412606, 36}, {52.323040008544920, 36}} {
		if got := cprNL(tc.lat); got != tc.nl {
			t.Errorf("NL(%v) = %d, want %d", tc.lat, got, tc.nl)
		}
	}
	prev := 59
	for lat := 0.0; lat <= 90; lat += 0.01 {
		nl := cprNL(lat)
		if nl > prev || nl != cprNL(-lat) {
			t.Fatalf("NL not monotone or not symmetric at %v", lat)
		}
		prev = nl
	}
}

// [riddle] chapter "Airborne velocity", messages A (subtype 1) and B
// (subtype 3); [pymodes] test_bds09.py vertical rate sign cases.
func TestVelocity(t *testing.T) {
	d := NewDecoder(nil)
	m := decodeHex(t, d, "8D485020994409940838175B284F", -1)
	if m.Subtype != 1 || !near(m.GroundSpeed, 159.20, 0.01) || !near(m.Track, 182.88, 0.01) || m.VerticalRate != -832 || !m.VerticalRateGNSS || m.GNSSBaroDiff != 550 {
		t.Errorf("message A: %+v", m)
	}
	m = decodeHex(t, d, "8DA05F219B06B6AF189400CBC33F", -1)
	if m.Subtype != 3 || m.TAS != 375 || m.Has&HasTAS == 0 || m.Has&HasIAS != 0 || !near(m.Heading, 243.98, 0.01) || m.VerticalRate != -2304 || m.Has&HasGNSSBaroDiff != 0 {
		t.Errorf("message B: %+v", m)
	}
	for _, tc := range []struct {
		hex string
		vr  int32
	}{
		{"8d3461cf9908388930080f948ea1", 64},
		{"8d3461cf9908558e100c1071eb67", 128},
		{"8d3461cf99085a8f10400f80e6ac", 960},
		{"8d394c0f990c4932780838866883", -64},
	} {
		if m := decodeHex(t, d, tc.hex, -1); m.VerticalRate != tc.vr {
			t.Errorf("%s: vertical rate %d, want %d", tc.hex, m.VerticalRate, tc.vr)
		}
	}
	// Supersonic subtype 2 multiplies by 4: build one from message A.
	b := mustHex("8D485020994409940838175B284F")
	b[4] = b[4]&^7 | 2
	m = decodeHex(t, d, hex.EncodeToString(withParity(b, 0)), -1)
	if m.Subtype != 2 || !near(m.GroundSpeed, 4*159.20, 0.05) || !near(m.Track, 182.88, 0.01) {
		t.Errorf("supersonic: %+v", m)
	}
}

// [pymodes] test_bds05.py altitude cases, test_bds06.py surface movement.
func TestAltitudeAndMovement(t *testing.T) {
	d := NewDecoder(nil)
	for _, tc := range []struct {
		hex string
		alt int32
	}{
		{"8d484fde5803b647ecec4fcdd74f", -325},
		{"8d4845575803c647bcec2a980abc", -300},
		{"8d3424d25803d64c18ee03351f89", -275},
		{"8d4401e458058645a8ea90496290", 0},
		{"8d346355580596459cea86756acc", 25},
		{"8d346355580b064116e70a269f97", 1000},
		{"8d343386581f06318ad4fecab734", 5000},
	} {
		if m := decodeHex(t, d, tc.hex, -1); m.AltBaro != tc.alt || m.Has&HasAltBaro == 0 {
			t.Errorf("%s: altitude %d, want %d", tc.hex, m.AltBaro, tc.alt)
		}
	}
	for _, tc := range []struct {
		hex string
		gs  float64 // -1: none
	}{
		{"8c3944f8400002acb23cda192b95", -1},
		{"903a33ff40100858d34ff3cce976", 0},
		{"8c394c0f389b1667e947db7bb8bc", 1},
		{"8c3461cf398d60597b4ea434c4d7", 7.5},
		{"8c3461cf399d6059814ea81483a9", 8},
		{"8c3461cf3a7f3059c94e5bf4e169", 15},
		{"8c3950cf3dede47bac304d3b5122", 70},
		{"8c3933203edde47b9e2ffa5e77b8", 100},
		{"8d3933203fcde2a84e39e1c6c5bc", 175},
	} {
		m := decodeHex(t, d, tc.hex, -1)
		if tc.gs < 0 && m.Has&HasGroundSpeed != 0 || tc.gs >= 0 && (m.Has&HasGroundSpeed == 0 || m.GroundSpeed != tc.gs) {
			t.Errorf("%s: movement %v (has %v), want %v", tc.hex, m.GroundSpeed, m.Has&HasGroundSpeed != 0, tc.gs)
		}
	}
}

// [pymodes] test_altcode_gray.py (Gillham cases) and test_surv.py, and
// [riddle] chapter "Surveillance replies" (altitude 36000, identity 0356).
func TestSurveillance(t *testing.T) {
	if _, ok := decodeAC13(1<<12 | 1<<8); ok {
		t.Error("invalid Gillham 100 ft count decoded")
	}
	if _, ok := decodeAC13(0); ok {
		t.Error("all-zero altitude decoded")
	}
	if alt, ok := decodeAC13(1<<10 | 1<<9 | 1<<5 | 1<<1 | 1); !ok || alt <= 45000 || alt >= 60000 {
		t.Errorf("Gillham case: %d %v", alt, ok)
	}
	if alt, ok := decodeAC13(0x1030); !ok || alt != 25000 {
		t.Errorf("Q-bit 0x1030: %d", alt)
	}
	d := NewDecoder(nil)
	for _, h := range []string{"20001718029FCD", "2000171806A983", "2A00516D492B80"} {
		f := frameHex(t, h, -1)
		var m Message
		if err := d.Decode(&f, &m); !errors.Is(err, ErrUnknownAddress) {
			t.Errorf("%s from an unknown address: %v", h, err)
		}
		a := Checksum(f.Data[:7])
		decodeHex(t, d, df11(a), -1)
		m2 := decodeHex(t, d, h, -1)
		if m2.Addr != a || m2.Source.String() != "mode_s" {
			t.Errorf("%s: address %06X source %s", h, m2.Addr, m2.Source)
		}
		switch h[:2] {
		case "20":
			if m2.DF != 4 || m2.AltBaro != 36000 {
				t.Errorf("%s: DF%d altitude %d, want 36000", h, m2.DF, m2.AltBaro)
			}
		case "2A":
			if m2.DF != 5 || m2.SquawkString() != "0356" || m2.OnGround {
				t.Errorf("%s: DF%d squawk %s", h, m2.DF, m2.SquawkString())
			}
		}
	}
	if st := d.Stats(); st.UnknownAddress != 3 {
		t.Errorf("unknown address count %d", st.UnknownAddress)
	}
	// A DF20 reply ([riddle] "Mode S basics"): address 3C6DD0 once known.
	decodeHex(t, d, df11(0x3C6DD0), -1)
	if m := decodeHex(t, d, "A0001838CA380031440000F24177", -1); m.DF != 20 || m.Addr != 0x3C6DD0 || m.Has&HasAltBaro == 0 {
		t.Errorf("DF20: %s", m.AppendJSON(nil))
	}
	// A flipped bit in an address/parity frame changes the address: never
	// corrected.
	f := frameHex(t, "20001718029FCD", -1)
	f.Data[3] ^= 1
	var m Message
	if err := d.Decode(&f, &m); !errors.Is(err, ErrUnknownAddress) {
		t.Errorf("corrupted DF4: %v", err)
	}
	// [pymodes] test_allcall.py: DF11 484FDE, capability 5.
	if m := decodeHex(t, d, "5D484FDEA248F5", -1); m.DF != 11 || m.Addr != 0x484FDE || m.CA != 5 {
		t.Errorf("DF11: %s", m.AppendJSON(nil))
	}
}

// [pymodes] test_bds61.py (emergency/squawk), test_bds62.py (target
// state), and test_bds65.py (operational status, built with its CRC).
func TestStatusMessages(t *testing.T) {
	d := NewDecoder(nil)
	m := decodeHex(t, d, "8DA2C1B6E112B600000000760759", -1)
	if m.TC != 28 || m.Subtype != 1 || m.Emergency != 0 || m.SquawkString() != "6513" {
		t.Errorf("TC28: %s", m.AppendJSON(nil))
	}
	m = decodeHex(t, d, "8DA05629EA21485CBF3F8CADAEEB", -1)
	if m.TC != 29 || m.SelAltitude != 16992 || !near(m.BaroSetting, 1012.8, 0.01) || !near(m.SelHeading, 66.8, 0.1) || m.Has&HasNACp == 0 {
		t.Errorf("TC29: %+v", m)
	}
	// The same with the heading sign bit set (parity recomputed).
	m = decodeHex(t, d, hex.EncodeToString(withParity(mustHex("8DA05629EA21485EBF3F8C000000"), 0)), -1)
	if !near(m.SelHeading, 246.796875, 0.01) {
		t.Errorf("TC29 heading sign: %v", m.SelHeading)
	}
	me := uint64(31)<<51 | 2<<13 | 1<<12 | 10<<8 | 3<<4 | 1<<3
	b := []byte{0x8D, 0x40, 0, 0}
	for s := 48; s >= 0; s -= 8 {
		b = append(b, byte(me>>s))
	}
	m = decodeHex(t, d, hex.EncodeToString(withParity(append(b, 0, 0, 0), 0)), -1)
	if m.TC != 31 || m.Version != 2 || m.NACp != 10 || m.SIL != 3 {
		t.Errorf("TC31: %+v", m)
	}
	if r, ok := NACpRadius(10); !ok || r != 10 {
		t.Errorf("NACp 10 radius %v", r)
	}
}

// [pymodes] test_bds_commb.py TestBds60Decoder and TestBds50Decoder golden
// vectors (DF20 replies), decoded once their addresses are known; a field
// that is valid as more than one register yields nothing.
func TestCommB(t *testing.T) {
	d := NewDecoder(nil)
	known := func(h string) {
		f := frameHex(t, h, -1)
		decodeHex(t, d, df11(Checksum(f.Data[:14])), -1)
	}
	known("A00004128F39F91A7E27C46ADC21")
	m := decodeHex(t, d, "A00004128F39F91A7E27C46ADC21", -1)
	if !near(m.Heading, 42.715, 0.01) || m.IAS != 252 || !near(m.Mach, 0.42, 0.005) || m.VerticalRate != -1920 || m.Has&HasMach == 0 {
		t.Errorf("BDS 6,0: %s", m.AppendJSON(nil))
	}
	known("A000139381951536E024D4CCF6B5")
	m = decodeHex(t, d, "A000139381951536E024D4CCF6B5", -1)
	if !near(m.Track, 114.258, 0.01) || m.GroundSpeed != 438 || m.TAS != 424 || m.Has&(HasMach|HasIAS) != 0 {
		t.Errorf("BDS 5,0: %s", m.AppendJSON(nil))
	}
	// Roll (5,0), heading (6,0) and selected altitude (4,0) all read a
	// status bit and a small value in the first bits: ambiguous.
	mb := uint64(1)<<55 | uint64(3)<<47
	var got Message
	commBSpeeds(&got, mb)
	if !isBDS50(mb) || !isBDS60(mb) || got.Has != 0 {
		t.Errorf("ambiguous field: 5,0 %v 6,0 %v, decoded %s", isBDS50(mb), isBDS60(mb), got.AppendJSON(nil))
	}
}

// DF18 control fields keep ADS-B, TIS-B and ADS-R apart; the IMF bit of
// fine TIS-B and ADS-R marks a non-ICAO address (DO-260B §2.2.3.2.1.5;
// frames built here with the position pair of TestAirborneRiddle).
func TestDF18Sources(t *testing.T) {
	for _, tc := range []struct {
		cf     byte
		imf    bool
		source string
		id     string
	}{
		{0, false, "adsb", "icao:40621D"},
		{1, false, "adsb", "anon:40621D"},
		{2, false, "tisb", "icao:40621D"},
		{2, true, "tisb", "tisb:40621D"},
		{5, false, "tisb", "tisb:40621D"},
		{6, false, "adsr", "icao:40621D"},
		{6, true, "adsr", "anon:40621D"},
	} {
		d := NewDecoder(nil)
		var m *Message
		for i, h := range []string{"8D40621D58C386435CC412692AD6", "8D40621D58C382D690C8AC2863A7"} {
			b := mustHex(h)
			b[0] = 0x90 | tc.cf
			if tc.imf {
				b[4] |= 1 // ME bit 8
			}
			m = decodeHex(t, d, hex.EncodeToString(withParity(b, 0)), float64(i))
		}
		p, ok := m.Position()
		if !ok || m.DF != 18 || m.Source.String() != tc.source || p.ID != tc.id || p.Source.String() != tc.source ||
			!near(float64(p.Lat), 52.2572021484375, 1e-9) {
			t.Errorf("CF %d IMF %v: %s, id %q", tc.cf, tc.imf, m.AppendJSON(nil), p.ID)
		}
	}
}
