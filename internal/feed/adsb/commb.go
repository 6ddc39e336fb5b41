package adsb

import "math"

// Comm-B (DF20/21) registers. The MB field does not say which register
// it holds, so the register is inferred from the field's structure (ICAO
// Doc 9871 Tables A-2-32, A-2-64, A-2-80 and A-2-96 give the layouts). The
// decoder is deliberately conservative: BDS 2,0 is recognised by its
// register number; BDS 5,0 (track and turn) and 6,0 (heading and speed)
// are decoded only when the field is valid as exactly one of 4,0, 5,0 and
// 6,0 — an ambiguous field yields nothing rather than a wrong speed.

// mbBits returns MB bits a..b (0-based from the most significant of 56).
func mbBits(mb uint64, a, b uint) uint64 {
	return mb >> (55 - b) & (1<<(b-a+1) - 1)
}

// wrongStatus says whether a field whose status bit is clear still
// carries a non-zero value.
func wrongStatus(mb uint64, status, a, b uint) bool {
	return mbBits(mb, status, status) == 0 && mbBits(mb, a, b) != 0
}

// signedMB reads a sign-magnitude-in-two's-complement field: the sign bit
// then n value bits.
func signedMB(mb uint64, sign, a, b uint) float64 {
	v := float64(mbBits(mb, a, b))
	if mbBits(mb, sign, sign) == 1 {
		v -= float64(uint64(1) << (b - a + 1))
	}
	return v
}

func isBDS40(mb uint64) bool {
	if mb == 0 || wrongStatus(mb, 0, 1, 12) || wrongStatus(mb, 13, 14, 25) || wrongStatus(mb, 26, 27, 38) ||
		wrongStatus(mb, 47, 48, 50) || wrongStatus(mb, 53, 54, 55) {
		return false
	}
	return mbBits(mb, 39, 46) == 0 && mbBits(mb, 51, 52) == 0
}

func isBDS50(mb uint64) bool {
	if mb == 0 || wrongStatus(mb, 0, 1, 10) || wrongStatus(mb, 11, 12, 22) || wrongStatus(mb, 23, 24, 33) ||
		wrongStatus(mb, 34, 35, 44) || wrongStatus(mb, 45, 46, 55) {
		return false
	}
	if mbBits(mb, 0, 0) == 1 && math.Abs(signedMB(mb, 1, 2, 10)*45/256) > 35 {
		return false
	}
	gs, tas := mbBits(mb, 24, 33)*2, mbBits(mb, 46, 55)*2
	hasGS, hasTAS := mbBits(mb, 23, 23) == 1, mbBits(mb, 45, 45) == 1
	if hasGS && gs > 600 || hasTAS && tas > 500 {
		return false
	}
	if hasGS && hasTAS && math.Abs(float64(gs)-float64(tas)) > 200 {
		return false
	}
	return true
}

func isBDS60(mb uint64) bool {
	if mb == 0 || wrongStatus(mb, 0, 1, 11) || wrongStatus(mb, 12, 13, 22) || wrongStatus(mb, 23, 24, 33) ||
		wrongStatus(mb, 34, 35, 44) || wrongStatus(mb, 45, 46, 55) {
		return false
	}
	if mbBits(mb, 12, 12) == 1 && mbBits(mb, 13, 22) > 500 {
		return false
	}
	if mbBits(mb, 23, 23) == 1 && float64(mbBits(mb, 24, 33))*2.048/512 > 1 {
		return false
	}
	if mbBits(mb, 34, 34) == 1 && math.Abs(signedMB(mb, 35, 36, 44)*32) > 6000 {
		return false
	}
	return !(mbBits(mb, 45, 45) == 1 && math.Abs(signedMB(mb, 46, 47, 55)*32) > 6000)
}

// commBSpeeds decodes BDS 5,0 or 6,0 into m when the MB field is
// unambiguously one of them.
func commBSpeeds(m *Message, mb uint64) {
	is40, is50, is60 := isBDS40(mb), isBDS50(mb), isBDS60(mb)
	switch {
	case is50 && !is60 && !is40:
		if mbBits(mb, 11, 11) == 1 {
			tr := signedMB(mb, 12, 13, 22) * 90 / 512
			if tr < 0 {
				tr += 360
			}
			m.Track, m.Has = tr, m.Has|HasTrack
		}
		if mbBits(mb, 23, 23) == 1 {
			m.GroundSpeed, m.Has = float64(mbBits(mb, 24, 33)*2), m.Has|HasGroundSpeed
		}
		if mbBits(mb, 45, 45) == 1 {
			m.TAS, m.Has = uint16(mbBits(mb, 46, 55)*2), m.Has|HasTAS
		}
	case is60 && !is50 && !is40:
		if mbBits(mb, 0, 0) == 1 {
			h := signedMB(mb, 1, 2, 11) * 90 / 512
			if h < 0 {
				h += 360
			}
			m.Heading, m.Has = h, m.Has|HasHeading
		}
		if mbBits(mb, 12, 12) == 1 {
			m.IAS, m.Has = uint16(mbBits(mb, 13, 22)), m.Has|HasIAS
		}
		if mbBits(mb, 23, 23) == 1 {
			m.Mach, m.Has = float64(mbBits(mb, 24, 33))*2.048/512, m.Has|HasMach
		}
		if mbBits(mb, 34, 34) == 1 {
			m.VerticalRate, m.VerticalRateGNSS, m.Has = int32(signedMB(mb, 35, 36, 44)*32), false, m.Has|HasVerticalRate
		}
	}
}
