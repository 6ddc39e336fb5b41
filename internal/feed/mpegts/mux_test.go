package mpegts

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// bits renders the bits written so far as a string of 0 and 1.
func bits(w *bitWriter) string {
	var s strings.Builder
	for _, b := range w.b {
		fmt.Fprintf(&s, "%08b", b)
	}
	for i := int(w.nbit) - 1; i >= 0; i-- {
		fmt.Fprintf(&s, "%d", w.cur>>uint(i)&1)
	}
	return s.String()
}

// TestExpGolomb checks the bit writer's codes against ITU-T H.264 Table
// 9-2 (ue(v) bit strings) and Table 9-3 (se(v) mapping).
func TestExpGolomb(t *testing.T) {
	for _, tc := range []struct {
		v    uint64
		want string
	}{{0, "1"}, {1, "010"}, {2, "011"}, {3, "00100"}, {6, "00111"}, {7, "0001000"}, {14, "0001111"}, {15, "000010000"}} {
		var w bitWriter
		w.ue(tc.v)
		if got := bits(&w); got != tc.want {
			t.Errorf("ue(%d) = %s, want %s", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		v    int64
		want string
	}{{0, "1"}, {1, "010"}, {-1, "011"}, {2, "00100"}, {-2, "00101"}, {3, "00110"}} {
		var w bitWriter
		w.se(tc.v)
		if got := bits(&w); got != tc.want {
			t.Errorf("se(%d) = %s, want %s", tc.v, got, tc.want)
		}
	}
	var w bitWriter
	w.u(3, 5)
	w.trailing()
	if !bytes.Equal(w.b, []byte{0xB0}) { // 101 + stop bit + 0000
		t.Errorf("u(3,5)+trailing = % x", w.b)
	}
}

// TestEmulationPrevention checks appendNAL against ITU-T H.264 7.4.1: a
// 0x03 goes after any two zero bytes followed by a byte ≤ 0x03.
func TestEmulationPrevention(t *testing.T) {
	got := appendNAL(nil, 3, nalSPS, []byte{0, 0, 0, 0, 0, 1, 0, 0, 3, 0, 0, 4, 0, 0})
	want := []byte{0, 0, 0, 1, 0x67, 0, 0, 3, 0, 0, 3, 0, 1, 0, 0, 3, 3, 0, 0, 4, 0, 0}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
}

// TestMuxerTiming checks the PCR and PSI schedule: every video frame's
// first packet carries a PCR 100 ms behind its PTS, and the PAT and PMT
// come at least every 100 ms of time stamps.
func TestMuxerTiming(t *testing.T) {
	m := muxStream(t, Async, 45, klvPackets(t), MuxOptions{})
	var pcrs []int64
	psi, lastPSI := 0, -1
	video := 0
	for i := 0; i < len(m.ts); i += PacketSize {
		p := m.ts[i : i+PacketSize]
		pid := uint16(p[1]&0x1F)<<8 | uint16(p[2])
		switch pid {
		case pidPAT:
			psi++
			lastPSI = video
		case MuxVideoPID:
			if p[1]&0x40 == 0 {
				continue
			}
			if p[3]&0x20 == 0 || p[5]&0x10 == 0 {
				t.Fatalf("video frame %d: no PCR in its first packet", video)
			}
			base := int64(p[6])<<25 | int64(p[7])<<17 | int64(p[8])<<9 | int64(p[9])<<1 | int64(p[10]>>7)
			pcrs = append(pcrs, base)
			if video-lastPSI > 3 {
				t.Fatalf("video frame %d: %d frames since the last PAT", video, video-lastPSI)
			}
			video++
		}
	}
	if video != 45 || psi < 15 {
		t.Fatalf("%d video frames, %d PATs", video, psi)
	}
	for i, pcr := range pcrs {
		if want := m.units[i].PTS - pcrLead; pcr != want {
			t.Fatalf("frame %d: PCR base %d, want %d", i, pcr, want)
		}
	}
}

func TestMuxerErrors(t *testing.T) {
	var buf bytes.Buffer
	for _, o := range []MuxOptions{{Carriage: 3}, {FrameRate: -1}, {FrameRate: 1000}, {VideoBitRate: -1}, {GOP: -2}} {
		if _, err := NewMuxer(&buf, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	m, err := NewMuxer(&buf, MuxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.WriteMetadata(0, make([]byte, MaxMetadataSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized unit: %v", err)
	}
	if err := m.WriteMetadata(0, make([]byte, MaxMetadataSize)); err != nil {
		t.Errorf("largest unit: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.WriteVideoFrame(0); !errors.Is(err, ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}
	boom := errors.New("disk full")
	if _, err := NewMuxer(failWriter{boom}, MuxOptions{}); !errors.Is(err, boom) {
		t.Errorf("write error: %v", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// TestLargestUnits round-trips the largest unit each carriage takes in one
// PES packet.
func TestLargestUnits(t *testing.T) {
	big := bytes.Repeat([]byte{0x06, 0x0E, 0x2B, 0x34}, MaxMetadataSize/4+1)[:MaxMetadataSize]
	for _, c := range []Carriage{Async, Sync} {
		m := muxStream(t, c, 2, [][]byte{big}, MuxOptions{})
		got, _ := demuxAll(t, bytes.NewReader(m.ts))
		sameUnits(t, got, m.units)
	}
}
