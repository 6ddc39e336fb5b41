package sim

import (
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/geo"
)

// Published frames from "The 1090 Megahertz Riddle", 2nd ed.
// (mode-s.org/decode; github.com/junzis/the-1090mhz-riddle): the
// identification example of chapter "Identification" and the even frame
// of the global decoding example of chapter "Airborne position", whose
// decoded position (52.2572021484375, 3.91937255859375) at 38000 ft lies
// exactly on the even CPR grid, so encoding it must give the frame back
// bit for bit.
func TestEncodeRiddleFrames(t *testing.T) {
	id := encodeIdent(0x4840D6, "KLM1023", "A0")
	if got := strings.ToUpper(hex.EncodeToString(id[:])); got != "8D4840D6202CC371C32CE0576098" {
		t.Errorf("identification %s, want 8D4840D6202CC371C32CE0576098", got)
	}
	s := State{Pos: geo.LatLon{Lat: 52.2572021484375, Lon: 3.91937255859375}, Alt: 38000 * geo.Foot}
	pos := encodePosition(0x40621D, &s, 0)
	if got := strings.ToUpper(hex.EncodeToString(pos[:])); got != "8D40621D58C382D690C8AC2863A7" {
		t.Errorf("position %s, want 8D40621D58C382D690C8AC2863A7", got)
	}
	if c := altitudeCode(38000); c != 0xC38 {
		t.Errorf("altitude code %03X, want C38", c)
	}
}

// NL zone boundaries from the transition-latitude table of DO-260B
// Appendix A (A.1.7.2 d), as reproduced in "The 1090 Megahertz Riddle",
// chapter "Airborne position" (NL 59 below 10.47047130°, 58 below
// 14.82817437°, 3 below 86.53536998°, 2 up to 87°, then 1), and NL = 36 at
// the latitude of that chapter's example.
func TestCPRNL(t *testing.T) {
	for _, tc := range []struct {
		lat  float64
		want int
	}{
		{0, 59}, {10.47047129, 59}, {10.47047131, 58}, {-10.47047131, 58},
		{14.82817436, 58}, {14.82817438, 57}, {52.2572, 36}, {86.53536997, 3}, {86.53537001, 2}, {87, 2}, {87.0001, 1}, {90, 1},
	} {
		if got := cprNL(tc.lat); got != tc.want {
			t.Errorf("NL(%v) = %d, want %d", tc.lat, got, tc.want)
		}
	}
}

// globalDecode is an independent implementation of the airborne global
// decoding of DO-260B A.1.7.7 (the formulae as "The 1090 Megahertz
// Riddle" writes them), most recent frame even when evenNewer.
func globalDecode(yzE, xzE, yzO, xzO uint32, evenNewer bool) (lat, lon float64, ok bool) {
	const nb = 131072.0
	dE, dO := 360.0/60, 360.0/59
	j := math.Floor(59*float64(yzE)/nb - 60*float64(yzO)/nb + 0.5)
	latE := dE * (mod(j, 60) + float64(yzE)/nb)
	latO := dO * (mod(j, 59) + float64(yzO)/nb)
	if latE >= 270 {
		latE -= 360
	}
	if latO >= 270 {
		latO -= 360
	}
	// NL by its closed form, written out again here.
	nl := func(l float64) int {
		if math.Abs(l) >= 87 {
			if math.Abs(l) == 87 {
				return 2
			}
			return 1
		}
		return int(math.Floor(2 * math.Pi / math.Acos(1-(1-math.Cos(math.Pi/30))/math.Pow(math.Cos(math.Pi/180*l), 2))))
	}
	if nl(latE) != nl(latO) {
		return 0, 0, false
	}
	lat = latO
	odd := 1
	xz := float64(xzO)
	if evenNewer {
		lat, odd, xz = latE, 0, float64(xzE)
	}
	n := nl(lat)
	m := math.Floor(float64(xzE)*float64(n-1)/nb - float64(xzO)*float64(n)/nb + 0.5)
	ni := max(n-odd, 1)
	lon = 360 / float64(ni) * (mod(m, float64(ni)) + xz/nb)
	if lon >= 180 {
		lon -= 360
	}
	return lat, lon, true
}

// TestCPRRoundTrip encodes random positions as an even/odd pair and
// decodes them with the global formulae: the result must be within the
// CPR resolution (half a cell: 360/60/2^17/2 ° of latitude, and of
// longitude the zone width over 2^18).
func TestCPRRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := range n {
		lat := r.Float64()*170 - 85
		lon := r.Float64()*360 - 180
		if i < 4 {
			lat, lon = []float64{29.55, 25.45, 31.47, 0}[i], []float64{-110.25, -107.1, -110.5, 0}[i]
		}
		yE, xE := cprEncode(lat, lon, 0)
		yO, xO := cprEncode(lat, lon, 1)
		for _, evenNewer := range []bool{true, false} {
			dlat, dlon, ok := globalDecode(yE, xE, yO, xO, evenNewer)
			if !ok {
				// The pair straddles an NL transition: a real decoder
				// waits for the next pair. It happens only within half
				// a cell of a transition latitude.
				if a, b := cprNL(lat-0.001), cprNL(lat+0.001); a == b {
					t.Fatalf("(%v, %v): NL mismatch away from a transition", lat, lon)
				}
				continue
			}
			odd := 0
			if !evenNewer {
				odd = 1
			}
			latTol := 360.0/float64(60-odd)/131072/2 + 1e-9
			nl := max(cprNL(dlat)-odd, 1)
			lonTol := 360.0/float64(nl)/131072/2 + 1e-9
			if math.Abs(dlat-lat) > latTol || math.Abs(math.Remainder(dlon-lon, 360)) > lonTol {
				t.Fatalf("(%v, %v) even newer %v: decoded (%v, %v), off by %g° / %g°", lat, lon, evenNewer, dlat, dlon, dlat-lat, dlon-lon)
			}
		}
	}
}

func TestAltitudeCode(t *testing.T) {
	for _, ft := range []float64{-1000, 0, 12345, 21975, 50175} {
		c := altitudeCode(ft)
		n := (c>>5)<<4 | c&0xF
		if c&0x10 == 0 || math.Abs(float64(n)*25-1000-ft) > 12.5 {
			t.Errorf("%v ft: code %03X decodes to %v ft", ft, c, float64(n)*25-1000)
		}
	}
	if altitudeCode(60000) != 0 || altitudeCode(-1100) != 0 {
		t.Error("out-of-range altitudes must be coded 0 (unknown)")
	}
}

// TestSurveillanceCodes checks the identity and altitude codes of the
// surveillance replies against their bit definitions in ICAO Annex 10
// Vol IV §3.1.2.6.7.1 (identity: C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4 from
// the most significant bit) and §3.1.2.6.5.4 (altitude, Q = 1: M is bit 6
// and Q bit 4 counting from the least significant), one digit at a time.
// The decoding of whole replies is checked in TestADSBRoundTrip.
func TestSurveillanceCodes(t *testing.T) {
	for _, tc := range []struct {
		sq   uint16
		want uint32
	}{
		{0o7000, 1<<(12-5) | 1<<(12-3) | 1<<(12-1)},  // A4 A2 A1
		{0o0700, 1<<(12-11) | 1<<(12-9) | 1<<(12-7)}, // B4 B2 B1
		{0o0070, 1<<(12-4) | 1<<(12-2) | 1<<(12-0)},  // C4 C2 C1
		{0o0007, 1 | 1<<(12-10) | 1<<(12-8)},         // D4 (the last bit) D2 D1
		{0o0001, 1 << (12 - 8)},                      // D1
	} {
		if got := id13(tc.sq); got != tc.want {
			t.Errorf("id13(%04o) = %013b, want %013b", tc.sq, got, tc.want)
		}
	}
	// AC13 with Q = 1: bit 4 set, bit 6 (M) clear, N spread round them.
	for _, ft := range []float64{-1000, 5800 / 0.3048, 38000, 50175} {
		c := ac13(ft)
		n := (c&0x1F80)>>2 | (c&0x20)>>1 | c&0xF
		if c&0x10 == 0 || c&0x40 != 0 || math.Abs(float64(n)*25-1000-ft) > 12.5 {
			t.Errorf("ac13(%v) = %013b", ft, c)
		}
	}
	f := encodeReply(0xAE1F10, 5, id13(0o4521))
	if f[0]>>3 != 5 {
		t.Errorf("DF %d", f[0]>>3)
	}
}
