package adsb

import (
	"testing"
	"time"
)

// TestAnchor shows that a free-running 12 MHz clock reads as the anchor
// time at the first timestamped frame and keeps its own spacing after it.
func TestAnchor(t *testing.T) {
	at := time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)
	calls := 0
	d := NewDecoder(&Options{Anchor: func() time.Time { calls++; return at }})
	var m Message
	// DF17 identification frame of "The 1090 Megahertz Riddle" (KLM1023).
	var f Frame
	if err := ParseAVR([]byte("@00000BEBC200"+"8D4840D6202CC371C32CE0576098;"), &f); err != nil {
		t.Fatal(err)
	}
	if err := d.Decode(&f, &m); err != nil {
		t.Fatal(err)
	}
	if !m.Time.Equal(at) {
		t.Fatalf("first frame at %v, want %v", m.Time, at)
	}
	// 12,000,000 ticks later is one second later.
	if err := ParseAVR([]byte("@00000CA2DD00"+"8D4840D6202CC371C32CE0576098;"), &f); err != nil {
		t.Fatal(err)
	}
	if err := d.Decode(&f, &m); err != nil {
		t.Fatal(err)
	}
	if want := at.Add(time.Second); !m.Time.Equal(want) || calls != 1 {
		t.Fatalf("second frame at %v (anchor called %d times), want %v once", m.Time, calls, want)
	}
}
