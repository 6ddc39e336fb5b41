package mpegts

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// demuxAll reads every unit from r, copying the data, and returns them with
// the final stats.
func demuxAll(tb testing.TB, r io.Reader) ([]Unit, Stats) {
	tb.Helper()
	d := NewDemuxer(r)
	var units []Unit
	for {
		u, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("Next after %d units: %v", len(units), err)
		}
		u.Data = bytes.Clone(u.Data)
		units = append(units, u)
	}
	if _, err := d.Next(); err != io.EOF {
		tb.Fatalf("Next after EOF: %v, want sticky io.EOF", err)
	}
	return units, d.Stats()
}

// sameUnits compares demuxed units with those written (Offset aside).
func sameUnits(tb testing.TB, got, want []Unit) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d units, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.PID != w.PID || g.Carriage != w.Carriage || g.PTS != w.PTS || g.HasPTS != w.HasPTS || !bytes.Equal(g.Data, w.Data) {
			tb.Fatalf("unit %d: got PID %#x %v PTS %d/%v %d bytes, want PID %#x %v PTS %d/%v %d bytes",
				i, g.PID, g.Carriage, g.PTS, g.HasPTS, len(g.Data), w.PID, w.Carriage, w.PTS, w.HasPTS, len(w.Data))
		}
	}
}

// checkOffsets checks that each unit's Offset is a packet of its PID with
// payload_unit_start_indicator set in ts.
func checkOffsets(tb testing.TB, ts []byte, units []Unit) {
	tb.Helper()
	for i, u := range units {
		o := u.Offset
		if o < 0 || o+PacketSize > int64(len(ts)) || ts[o] != SyncByte || ts[o+1]&0x40 == 0 ||
			uint16(ts[o+1]&0x1F)<<8|uint16(ts[o+2]) != u.PID {
			tb.Fatalf("unit %d: offset %d is not the start of a PES packet of PID %#x", i, o, u.PID)
		}
	}
}

// chunkReader returns its data in chunks of random sizes from 1 to max.
type chunkReader struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.data), 1+r.rng.IntN(r.max))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

func TestRoundTrip(t *testing.T) {
	klv := klvPackets(t)
	for _, c := range []Carriage{Async, Sync} {
		t.Run(c.String(), func(t *testing.T) {
			m := muxStream(t, c, 120, klv, MuxOptions{VideoBitRate: 2_000_000})
			if len(klv[2]) < 10*PacketSize {
				t.Fatalf("the large unit (%d bytes) should span many packets", len(klv[2]))
			}
			readers := []struct {
				name string
				r    io.Reader
			}{
				{"whole", bytes.NewReader(m.ts)},
				{"byte at a time", iotest.OneByteReader(bytes.NewReader(m.ts))},
				{"random chunks", &chunkReader{m.ts, rand.New(rand.NewPCG(1, 2)), 5000}},
				{"data with errors", iotest.DataErrReader(bytes.NewReader(m.ts))},
			}
			for _, rc := range readers {
				got, st := demuxAll(t, rc.r)
				sameUnits(t, got, m.units)
				checkOffsets(t, m.ts, got)
				if st.Resyncs != 0 || st.SkippedBytes != 0 || st.CCErrors != 0 || st.PESErrors != 0 || st.PSIErrors != 0 {
					t.Errorf("%s: clean stream gave errors: %+v", rc.name, st)
				}
				if st.Packets*PacketSize != int64(len(m.ts)) || st.Bytes != int64(len(m.ts)) || st.PES != int64(len(m.units)) || st.Units != int64(len(m.units)) {
					t.Errorf("%s: stats %+v for %d bytes, %d units", rc.name, st, len(m.ts), len(m.units))
				}
				if st.PMTUpdates != 1 {
					t.Errorf("%s: %d PMT updates, want 1 (repetitions are not updates)", rc.name, st.PMTUpdates)
				}
			}
		})
	}
}

// insertJunk inserts random junk (1..187 bytes, any values) at the start
// and between packets, before about one packet in eight but with at least
// three packets between insertions, and returns the new stream and the
// number of junk bytes. (Sync is confirmed by the next two packet starts:
// a packet closer to the next junk is found only if no 0x47 in the junk
// happens to look better, and a 0x47 exactly one packet before a real
// packet is a packet as far as sync bytes can tell.)
func insertJunk(ts []byte, seed uint64) ([]byte, int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []byte
	junk, since := 0, 0
	for i := 0; i < len(ts); i += PacketSize {
		if i == 0 || since >= 3 && rng.IntN(8) == 0 {
			n := 1 + rng.IntN(PacketSize-1)
			for range n {
				out = append(out, byte(rng.Uint32()))
			}
			junk, since = junk+n, 0
		}
		out = append(out, ts[i:i+PacketSize]...)
		since++
	}
	return out, junk
}

func TestRoundTripJunk(t *testing.T) {
	klv := klvPackets(t)
	for _, c := range []Carriage{Async, Sync} {
		t.Run(c.String(), func(t *testing.T) {
			m := muxStream(t, c, 120, klv, MuxOptions{VideoBitRate: 1_000_000})
			for seed := range uint64(5) {
				ts, junk := insertJunk(m.ts, seed)
				for _, r := range []io.Reader{bytes.NewReader(ts), &chunkReader{ts, rand.New(rand.NewPCG(seed, 3)), 700}} {
					got, st := demuxAll(t, r)
					sameUnits(t, got, m.units)
					checkOffsets(t, ts, got)
					if st.SkippedBytes != int64(junk) || st.Packets*PacketSize != int64(len(m.ts)) {
						t.Errorf("seed %d: skipped %d bytes and took %d packets; junk was %d bytes, packets %d",
							seed, st.SkippedBytes, st.Packets, junk, len(m.ts)/PacketSize)
					}
					if st.Resyncs == 0 || st.CCErrors != 0 || st.PESErrors != 0 {
						t.Errorf("seed %d: stats %+v", seed, st)
					}
				}
			}
		})
	}
}

// metadataPackets returns the indices of the packets of PID in ts.
func metadataPackets(ts []byte, pid uint16) []int {
	var idx []int
	for i := 0; i+PacketSize <= len(ts); i += PacketSize {
		if uint16(ts[i+1]&0x1F)<<8|uint16(ts[i+2]) == pid {
			idx = append(idx, i)
		}
	}
	return idx
}

func TestLostPacket(t *testing.T) {
	klv := klvPackets(t)
	for _, c := range []Carriage{Async, Sync} {
		t.Run(c.String(), func(t *testing.T) {
			m := muxStream(t, c, 9, klv, MuxOptions{})
			// Unit 5 is the large one (cycle of 3): drop its fourth packet.
			var starts []int
			pk := metadataPackets(m.ts, MuxMetadataPID)
			for _, i := range pk {
				if m.ts[i+1]&0x40 != 0 {
					starts = append(starts, i)
				}
			}
			var cut int
			for _, i := range pk {
				if i > starts[5] {
					cut = i
					break
				}
			}
			ts := append(bytes.Clone(m.ts[:cut]), m.ts[cut+PacketSize:]...)
			got, st := demuxAll(t, bytes.NewReader(ts))
			want := append(append([]Unit{}, m.units[:5]...), m.units[6:]...)
			sameUnits(t, got, want)
			if st.CCErrors != 1 || st.PESErrors != 1 {
				t.Errorf("stats %+v, want 1 CC error and 1 PES error", st)
			}
		})
	}
}

// TestCutPacket cuts a metadata packet in the middle of a large unit short
// (the common corruption: bytes lost): that unit is dropped, not returned
// with the next packet's bytes spliced in, and the rest survive.
func TestCutPacket(t *testing.T) {
	klv := klvPackets(t)
	for _, c := range []Carriage{Async, Sync} {
		t.Run(c.String(), func(t *testing.T) {
			m := muxStream(t, c, 9, klv, MuxOptions{})
			pk := metadataPackets(m.ts, MuxMetadataPID)
			var starts []int
			for _, i := range pk {
				if m.ts[i+1]&0x40 != 0 {
					starts = append(starts, i)
				}
			}
			var cut int
			for _, i := range pk {
				if i > starts[2] {
					cut = i
					break
				}
			}
			ts := append(bytes.Clone(m.ts[:cut+100]), m.ts[cut+PacketSize:]...)
			got, st := demuxAll(t, bytes.NewReader(ts))
			want := append(append([]Unit{}, m.units[:2]...), m.units[3:]...)
			sameUnits(t, got, want)
			if st.SkippedBytes != 100 || st.Resyncs != 1 || st.CCErrors != 1 || st.PESErrors != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestDuplicatePacket(t *testing.T) {
	m := muxStream(t, Async, 6, klvPackets(t), MuxOptions{})
	// Repeat every metadata packet once, as ISO/IEC 13818-1 2.4.3.3 allows.
	var ts []byte
	for i := 0; i < len(m.ts); i += PacketSize {
		p := m.ts[i : i+PacketSize]
		ts = append(ts, p...)
		if uint16(p[1]&0x1F)<<8|uint16(p[2]) == MuxMetadataPID {
			ts = append(ts, p...)
		}
	}
	got, st := demuxAll(t, bytes.NewReader(ts))
	sameUnits(t, got, m.units)
	if st.CCErrors != 0 || st.PESErrors != 0 {
		t.Errorf("stats %+v", st)
	}
}

// withPMTVersion rewrites every PMT packet of ts (single-packet sections
// at pointer 0, as the Muxer writes them) to carry version v.
func withPMTVersion(ts []byte, v byte) []byte {
	ts = bytes.Clone(ts)
	for _, i := range metadataPackets(ts, MuxPMTPID) {
		s := ts[i+5:]
		n := 3 + (int(s[1]&0x0F)<<8 | int(s[2]))
		s[5] = s[5]&0xC1 | v<<1
		crc := crc32MPEG(s[:n-4])
		s[n-4], s[n-3], s[n-2], s[n-1] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
	}
	return ts
}

func TestPMTVersionChange(t *testing.T) {
	klv := klvPackets(t)
	a := muxStream(t, Async, 30, klv, MuxOptions{})
	s := muxStream(t, Sync, 30, klv, MuxOptions{})
	// The stream switches from asynchronous to synchronous carriage on the
	// same PID with PMT version 1, then back with version 2.
	ts := append(append(bytes.Clone(a.ts), withPMTVersion(s.ts, 1)...), withPMTVersion(a.ts, 2)...)
	got, st := demuxAll(t, bytes.NewReader(ts))
	want := append(append(append([]Unit{}, a.units...), s.units...), a.units...)
	sameUnits(t, got, want)
	if st.PMTUpdates != 3 {
		t.Errorf("%d PMT updates, want 3", st.PMTUpdates)
	}
	// The splices restart the continuity counters: PAT, PMT and metadata
	// PIDs each see a discontinuity at both splices.
	if st.CCErrors == 0 || st.PESErrors != 0 {
		t.Errorf("stats %+v", st)
	}

	// A PMT that no longer lists the metadata stream stops its units.
	noKLV := bytes.Clone(a.ts)
	pmt := finishSection(append([]byte{tableIDPMT, 0xB0, 0, 0, MuxProgram, 0xC1 | 1<<1, 0, 0,
		0xE0 | byte(MuxVideoPID>>8), byte(MuxVideoPID & 0xFF), 0xF0, 0},
		streamTypeH264, 0xE0|byte(MuxVideoPID>>8), byte(MuxVideoPID&0xFF), 0xF0, 0))
	for _, i := range metadataPackets(noKLV, MuxPMTPID) {
		copy(noKLV[i+5:], pmt)
		for j := i + 5 + len(pmt); j < i+PacketSize; j++ {
			noKLV[j] = 0xFF
		}
	}
	got, st = demuxAll(t, bytes.NewReader(append(bytes.Clone(a.ts), noKLV...)))
	sameUnits(t, got, a.units)
	if st.PMTUpdates != 2 {
		t.Errorf("%d PMT updates, want 2", st.PMTUpdates)
	}
}

func TestTruncatedAndEmpty(t *testing.T) {
	m := muxStream(t, Sync, 6, klvPackets(t), MuxOptions{})
	for _, tc := range []struct {
		name      string
		ts        []byte
		units     int
		skipped   int64
		pesErrors int64
	}{
		{"empty", nil, 0, 0, 0},
		{"one byte", []byte{SyncByte}, 0, 1, 0},
		{"junk only", bytes.Repeat([]byte{0x47, 0x00, 0x11}, 500), 0, 1500, 0},
		{"partial last packet", m.ts[:len(m.ts)-100], 5, PacketSize - 100, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, st := demuxAll(t, bytes.NewReader(tc.ts))
			if len(got) != tc.units || st.SkippedBytes != tc.skipped || st.PESErrors != tc.pesErrors {
				t.Errorf("%d units, stats %+v; want %d units, %d skipped, %d PES errors", len(got), st, tc.units, tc.skipped, tc.pesErrors)
			}
		})
	}
}

func TestReadError(t *testing.T) {
	m := muxStream(t, Async, 6, klvPackets(t), MuxOptions{})
	boom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader(m.ts), iotest.ErrReader(boom))
	d := NewDemuxer(r)
	n := 0
	var err error
	for err == nil {
		_, err = d.Next()
		n++
	}
	if !errors.Is(err, boom) || n-1 != len(m.units) {
		t.Fatalf("got %d units then %v; want %d units then %v", n-1, err, len(m.units), boom)
	}
	if _, err2 := d.Next(); !errors.Is(err2, boom) {
		t.Fatalf("error not sticky: %v", err2)
	}
}

// stallReader returns (0, nil) forever.
type stallReader struct{}

func (stallReader) Read([]byte) (int, error) { return 0, nil }

func TestNoProgress(t *testing.T) {
	if _, err := NewDemuxer(stallReader{}).Next(); !errors.Is(err, ErrNoProgress) {
		t.Fatalf("got %v, want ErrNoProgress", err)
	}
}

func TestIsTS(t *testing.T) {
	m := muxStream(t, Async, 2, klvPackets(t), MuxOptions{})
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"stream", m.ts, true},
		{"first packet", m.ts[:PacketSize], true},
		{"two and a bit", m.ts[:2*PacketSize+1], true},
		{"one byte", []byte{SyncByte}, true},
		{"empty", nil, false},
		{"shifted", m.ts[1:], false},
		{"KLV", klvPackets(t)[0], false},
		{"no third sync", append(bytes.Clone(m.ts[:2*PacketSize]), 0x00), false},
	} {
		if got := IsTS(tc.b); got != tc.want {
			t.Errorf("%s: IsTS = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCRC32MPEG checks the CRC against the check value of CRC-32/MPEG-2 in
// the catalogue of parametrised CRC algorithms
// (https://reveng.sourceforge.io/crc-catalogue/17plus.htm#crc.cat.crc-32-mpeg-2):
// check=0x0376e6e7 over "123456789".
func TestCRC32MPEG(t *testing.T) {
	if got := crc32MPEG([]byte("123456789")); got != 0x0376E6E7 {
		t.Fatalf("crc32MPEG = %#08x, want 0x0376e6e7", got)
	}
	for _, s := range [][]byte{patSection(), pmtSection(Async), pmtSection(Sync)} {
		if crc32MPEG(s) != 0 {
			t.Errorf("section % x: CRC over it is not zero", s)
		}
	}
}

func TestTimestamp(t *testing.T) {
	var b [5]byte
	for _, ts := range []int64{0, 1, 90000, 1<<32 + 12345, 1<<33 - 1} {
		putTimestamp(b[:], 2, ts)
		if got := readTimestamp(b[:]); got != ts {
			t.Errorf("timestamp %d came back %d", ts, got)
		}
		if b[0]>>4 != 2 || b[0]&1 != 1 || b[2]&1 != 1 || b[4]&1 != 1 {
			t.Errorf("timestamp %d: prefix or marker bits wrong in % x", ts, b)
		}
	}
	// ISO/IEC 13818-1 2.4.3.7: 33 bits; higher bits are dropped.
	putTimestamp(b[:], 2, 1<<33+5)
	if got := readTimestamp(b[:]); got != 5 {
		t.Errorf("wrapped timestamp came back %d", got)
	}
}

func TestCheckCC(t *testing.T) {
	for _, tc := range []struct {
		name      string
		last, cc  int8
		disc      bool
		dup, gap  bool
		wantAfter int8
	}{
		{"first packet", -1, 9, false, false, false, 9},
		{"next", 3, 4, false, false, false, 4},
		{"wraps", 15, 0, false, false, false, 0},
		{"duplicate", 7, 7, false, true, false, 7},
		{"lost packets", 7, 10, false, false, true, 10},
		{"signalled discontinuity", 7, 2, true, false, false, 2},
	} {
		last := tc.last
		dup, gap := checkCC(&last, tc.cc, tc.disc)
		if dup != tc.dup || gap != tc.gap || last != tc.wantAfter {
			t.Errorf("%s: dup %v gap %v last %d", tc.name, dup, gap, last)
		}
	}
}

// TestErrorIndicator sets transport_error_indicator on one packet inside a
// large unit: that unit is dropped and the packet counted.
func TestErrorIndicator(t *testing.T) {
	m := muxStream(t, Async, 6, klvPackets(t), MuxOptions{})
	ts := bytes.Clone(m.ts)
	var inBig []int
	for _, i := range metadataPackets(ts, MuxMetadataPID) {
		if i > int(checkOffsetOf(t, m, 2)) {
			inBig = append(inBig, i)
		}
	}
	ts[inBig[3]+1] |= 0x80
	got, st := demuxAll(t, bytes.NewReader(ts))
	want := append(append([]Unit{}, m.units[:2]...), m.units[3:]...)
	sameUnits(t, got, want)
	if st.ErrorPackets != 1 || st.PESErrors != 1 || st.CCErrors != 0 {
		t.Errorf("stats %+v", st)
	}
}

// checkOffsetOf returns the offset where unit i of m begins.
func checkOffsetOf(t *testing.T, m muxed, i int) int64 {
	t.Helper()
	units, _ := demuxAll(t, bytes.NewReader(m.ts))
	return units[i].Offset
}

// TestUnboundedPES sets PES_packet_length to 0 (unbounded, ISO/IEC
// 13818-1 2.4.3.7) in every metadata PES packet: each unit then ends at the
// next packet start of its PID, the last one at the end of the input.
func TestUnboundedPES(t *testing.T) {
	for _, c := range []Carriage{Async, Sync} {
		m := muxStream(t, c, 12, klvPackets(t), MuxOptions{})
		ts := bytes.Clone(m.ts)
		n := 0
		for _, i := range metadataPackets(ts, MuxMetadataPID) {
			if ts[i+1]&0x40 == 0 {
				continue
			}
			start := i + 4
			if ts[i+3]&0x20 != 0 {
				start += 1 + int(ts[i+4])
			}
			if !bytes.HasPrefix(ts[start:], []byte{0, 0, 1}) {
				t.Fatalf("no PES start code at %d", start)
			}
			ts[start+4], ts[start+5] = 0, 0
			n++
		}
		if n != len(m.units) {
			t.Fatalf("patched %d PES headers, want %d", n, len(m.units))
		}
		got, st := demuxAll(t, bytes.NewReader(ts))
		sameUnits(t, got, m.units)
		if st.PESErrors != 0 {
			t.Errorf("%v: stats %+v", c, st)
		}
	}
}

// TestPATVersionChange moves the PMT to another PID with a new PAT
// version: the demuxer follows it, and forgets the old PMT PID.
func TestPATVersionChange(t *testing.T) {
	klv := klvPackets(t)
	a := muxStream(t, Async, 15, klv, MuxOptions{})
	b := muxStream(t, Sync, 15, klv, MuxOptions{})
	const newPMT = 0x0ABC
	moved := bytes.Clone(b.ts)
	pat := finishSection([]byte{tableIDPAT, 0xB0, 0, 0, 1, 0xC1 | 1<<1, 0, 0,
		0, MuxProgram, 0xE0 | newPMT>>8, newPMT & 0xFF})
	for i := 0; i < len(moved); i += PacketSize {
		switch uint16(moved[i+1]&0x1F)<<8 | uint16(moved[i+2]) {
		case pidPAT:
			copy(moved[i+5:], pat)
		case MuxPMTPID:
			moved[i+1] = moved[i+1]&0xE0 | newPMT>>8
			moved[i+2] = newPMT & 0xFF
		}
	}
	// After the move, the old PMT PID carries a PMT that would drop the
	// KLV stream: it must be ignored.
	stale := withPMTVersion(a.ts[:2*PacketSize], 9)
	stale = bytes.Clone(stale[PacketSize:]) // the PMT packet alone
	noKLV := finishSection(append([]byte{tableIDPMT, 0xB0, 0, 0, MuxProgram, 0xC1 | 9<<1, 0, 0,
		0xE0 | byte(MuxVideoPID>>8), byte(MuxVideoPID & 0xFF), 0xF0, 0},
		streamTypeH264, 0xE0|byte(MuxVideoPID>>8), byte(MuxVideoPID&0xFF), 0xF0, 0))
	copy(stale[5:], noKLV)
	ts := append(append(bytes.Clone(a.ts), moved[:len(moved)/2/PacketSize*PacketSize]...), stale...)
	ts = append(ts, moved[len(moved)/2/PacketSize*PacketSize:]...)
	got, st := demuxAll(t, bytes.NewReader(ts))
	sameUnits(t, got, append(append([]Unit{}, a.units...), b.units...))
	if st.PMTUpdates != 2 || st.PSIErrors != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestCarriageOf(t *testing.T) {
	reg := func(id string) []byte { return append([]byte{descRegistration, 4}, id...) }
	meta := func(id string) []byte {
		return append(append([]byte{descMetadata, 13, 0xFF, 0xFF, 'K', 'L', 'V', 'A', 0xFF}, id...), 0, 0x0F)
	}
	metaNoAppID := append(append([]byte{descMetadata, 9, 0x01, 0x00, 0xFF}, "KLVA"...), 0, 0x0F)
	for _, tc := range []struct {
		name        string
		streamType  byte
		desc        []byte
		programKLVA bool
		want        Carriage
	}{
		{"0x06 KLVA", 0x06, reg("KLVA"), false, Async},
		{"0x06 after other descriptors", 0x06, append([]byte{0x0A, 4, 'e', 'n', 'g', 0}, reg("KLVA")...), false, Async},
		{"0x06 other registration", 0x06, reg("AC-3"), false, 0},
		{"0x06 bare", 0x06, nil, false, 0},
		{"0x06 KLVA at program level", 0x06, nil, true, Async},
		{"0x06 own registration wins", 0x06, reg("ID3 "), true, 0},
		{"0x15 KLVA", 0x15, meta("KLVA"), false, Sync},
		{"0x15 KLVA, application format not 0xFFFF", 0x15, metaNoAppID, false, Sync},
		{"0x15 ID3", 0x15, meta("ID3 "), false, 0},
		{"0x15 truncated descriptor", 0x15, meta("KLVA")[:8], false, 0},
		{"H.264", 0x1B, reg("KLVA"), false, 0},
	} {
		if got := carriageOf(tc.streamType, tc.desc, tc.programKLVA); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestDemuxAllocations checks that demultiplexing allocates a fixed amount
// whatever the length of the stream: four times the stream (and 270 more
// units) costs no more allocations, give or take the growth steps of the
// buffers.
func TestDemuxAllocations(t *testing.T) {
	klv := klvPackets(t)
	short := muxStream(t, Sync, 30, klv, MuxOptions{VideoBitRate: 1_000_000})
	long := muxStream(t, Sync, 120, klv, MuxOptions{VideoBitRate: 1_000_000})
	a := testing.AllocsPerRun(5, func() { demuxVigia(short.ts) })
	b := testing.AllocsPerRun(5, func() { demuxVigia(long.ts) })
	if b > a+2 || a > 40 {
		t.Fatalf("%v allocations for 30 frames, %v for 120", a, b)
	}
}
