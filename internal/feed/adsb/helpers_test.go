package adsb

import (
	"encoding/hex"
	"math"
	"testing"
)

// frameHex returns the frame of a hex string, with a 12 MHz timestamp of
// sec seconds when sec >= 0.
func frameHex(t testing.TB, h string, sec float64) Frame {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil || (len(b) != 7 && len(b) != 14 && len(b) != 2) {
		t.Fatalf("bad test frame %q", h)
	}
	var f Frame
	f.Len = copy(f.Data[:], b)
	if sec >= 0 {
		f.Ticks, f.HasTicks = uint64(math.Round(sec*12e6))+1, true
	}
	return f
}

// decodeHex decodes one hex frame with d and fails the test if it is not
// accepted.
func decodeHex(t testing.TB, d *Decoder, h string, sec float64) *Message {
	t.Helper()
	f := frameHex(t, h, sec)
	m := new(Message)
	if err := d.Decode(&f, m); err != nil {
		t.Fatalf("%s: %v", h, err)
	}
	return m
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// withParity returns the frame with its last three bytes set to the
// parity of the rest, XORed with addr (0 for DF11/17/18).
func withParity(b []byte, addr uint32) []byte {
	n := len(b)
	p := Parity(b[:n-3]) ^ addr
	b[n-3], b[n-2], b[n-1] = byte(p>>16), byte(p>>8), byte(p)
	return b
}

// df11 returns an all-call reply from addr, which makes addr known.
func df11(addr uint32) string {
	b := withParity([]byte{0x5D, byte(addr >> 16), byte(addr >> 8), byte(addr), 0, 0, 0}, 0)
	return hex.EncodeToString(b)
}
