package mpegts

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the seed corpus in testdata/fuzz/FuzzTS")

// fragmentedSync returns a Sync stream (no video) whose one KLV unit is
// split into a first, a middle and a last AU cell over two PES packets,
// followed by a whole unit.
func fragmentedSync(tb testing.TB, klv []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	m, err := NewMuxer(&buf, MuxOptions{Carriage: Sync})
	if err != nil {
		tb.Fatal(err)
	}
	a, b := len(klv)/3, 2*len(klv)/3
	cell := func(seq byte, frag byte, p []byte) []byte {
		return append([]byte{0, seq, frag<<6 | 0x0F, byte(len(p) >> 8), byte(len(p))}, p...)
	}
	pes1 := append(cell(7, cellFirst, klv[:a]), cell(8, cellMiddle, klv[a:b])...)
	pes2 := cell(9, cellLast, klv[b:])
	for i, payload := range [][]byte{pes1, pes2} {
		p := appendPESHeader(nil, streamIDMetadata, int64(1000+i), len(payload))
		m.packetize(MuxMetadataPID, append(p, payload...), -1, false)
	}
	if err := m.flush(); err != nil {
		tb.Fatal(err)
	}
	m.seq = 10
	if err := m.WriteMetadata(5000, klv[:20]); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestSyncFragments(t *testing.T) {
	klv := klvPackets(t)[2]
	ts := fragmentedSync(t, klv)
	got, st := demuxAll(t, bytes.NewReader(ts))
	sameUnits(t, got, []Unit{
		{PID: MuxMetadataPID, Carriage: Sync, PTS: 1000, HasPTS: true, Data: klv},
		{PID: MuxMetadataPID, Carriage: Sync, PTS: 5000, HasPTS: true, Data: klv[:20]},
	})
	if st.PES != 3 || st.PESErrors != 0 {
		t.Errorf("stats %+v", st)
	}
	// Without the first PES packet the middle and last fragments are
	// orphans: dropped and counted, the whole unit after them kept.
	pk := metadataPackets(ts, MuxMetadataPID)
	var second int
	for _, i := range pk[1:] {
		if ts[i+1]&0x40 != 0 {
			second = i
			break
		}
	}
	var cut []byte
	for i := 0; i < len(ts); i += PacketSize {
		if i >= pk[0] && i < second && uint16(ts[i+1]&0x1F)<<8|uint16(ts[i+2]) == MuxMetadataPID {
			continue
		}
		cut = append(cut, ts[i:i+PacketSize]...)
	}
	got, st = demuxAll(t, bytes.NewReader(cut))
	sameUnits(t, got, []Unit{{PID: MuxMetadataPID, Carriage: Sync, PTS: 5000, HasPTS: true, Data: klv[:20]}})
	if st.PESErrors != 1 || st.CCErrors != 0 { // the PID starts at the second packet: no gap seen
		t.Errorf("stats %+v", st)
	}
}

// fuzzSeeds returns small transport streams covering both carriages, PES
// packets over several TS packets, fragmented AU cells, junk, a cut
// packet and a PMT version change.
func fuzzSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	klv := klvPackets(tb)
	meta := func(c Carriage, units ...[]byte) []byte {
		var buf bytes.Buffer
		m, err := NewMuxer(&buf, MuxOptions{Carriage: c})
		if err != nil {
			tb.Fatal(err)
		}
		for i, u := range units {
			if err := m.WriteMetadata(int64(9000*i), u); err != nil {
				tb.Fatal(err)
			}
		}
		return buf.Bytes()
	}
	async := meta(Async, klv[1], klv[0], klv[1])
	sync := meta(Sync, klv[0], klv[1])
	junk, _ := insertJunk(sync, 1)
	withVideo := muxStream(tb, Sync, 2, klv[:2], MuxOptions{}).ts
	return [][]byte{
		async,
		sync,
		junk,
		async[:len(async)-77],
		append(bytes.Clone(async), withPMTVersion(sync, 3)...),
		fragmentedSync(tb, klv[0]),
		withVideo[len(withVideo)-30*PacketSize:],
	}
}

// FuzzTS feeds arbitrary bytes to the Demuxer, whole and split into reads
// at arbitrary points: it must not panic, must account for every byte,
// keep units within MaxUnitSize, and give the same units and counts however
// the input is split.
func FuzzTS(f *testing.F) {
	for i, s := range fuzzSeeds(f) {
		f.Add(s, uint64(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, split uint64) {
		whole, st := demuxAll(t, bytes.NewReader(data))
		if st.Bytes != int64(len(data)) || st.Packets*PacketSize+st.SkippedBytes != st.Bytes {
			t.Fatalf("%d bytes: stats %+v do not account for them", len(data), st)
		}
		for _, u := range whole {
			if len(u.Data) > MaxUnitSize || u.Offset < 0 || u.Offset+PacketSize > int64(len(data)) || data[u.Offset] != SyncByte {
				t.Fatalf("unit of %d bytes at offset %d", len(u.Data), u.Offset)
			}
		}
		for _, r := range []*chunkReader{
			{data, rand.New(rand.NewPCG(split, 1)), 1 + int(split%400)},
			{data, rand.New(rand.NewPCG(split, 2)), 3}, // as a byte-at-a-time reader, and cheaper
		} {
			parts, st2 := demuxAll(t, r)
			if st2 != st || !reflect.DeepEqual(parts, whole) {
				t.Fatalf("split input (max %d): %d units %+v; whole: %d units %+v", r.max, len(parts), st2, len(whole), st)
			}
		}
	})
}

// TestUpdateFuzzCorpus writes the seeds to testdata/fuzz/FuzzTS in Go's
// corpus format when run with -update.
func TestUpdateFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzTS")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range fuzzSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nuint64(%d)\n", s, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
