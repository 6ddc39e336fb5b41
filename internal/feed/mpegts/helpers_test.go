package mpegts

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// klvPackets returns the KLV units the tests carry: the two MISB ST 0902.5
// sample packets published with klvdata (testdata/klv/SOURCE.md), and a
// large ST 0601 local set built here so that one unit spans many TS
// packets.
func klvPackets(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, name := range []string{"st0902-dynamic-constant.bin", "st0902-dynamic-only.bin"} {
		b, err := os.ReadFile(filepath.Join("testdata", "klv", name))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return append(out, bigLocalSet(200))
}

// bigLocalSet builds an ST 0601 local set (UL, BER long-form length) of n
// mission ID items (tag 3) and a tag 1 checksum: about 30·n bytes.
func bigLocalSet(n int) []byte {
	var items []byte
	for i := range n {
		s := fmt.Sprintf("vigia test mission %06d", i)
		items = append(items, 3, byte(len(s)))
		items = append(items, s...)
	}
	items = append(items, 1, 2) // checksum tag and length; value below
	ul := []byte{0x06, 0x0E, 0x2B, 0x34, 0x02, 0x0B, 0x01, 0x01, 0x0E, 0x01, 0x03, 0x01, 0x01, 0x00, 0x00, 0x00}
	p := append(ul, 0x82, byte((len(items)+2)>>8), byte(len(items)+2))
	p = append(p, items...)
	var sum uint16
	for i, c := range p {
		sum += uint16(c) << (8 * uint(1-i%2))
	}
	return binary.BigEndian.AppendUint16(p, sum)
}

// muxed is a stream written by the Muxer and the units written into it.
type muxed struct {
	ts    []byte
	units []Unit // PID, Carriage, PTS, HasPTS and Data as written
}

// muxStream writes frames video frames at 30 Hz starting at PTS 90000 with
// one KLV unit per frame (cycling through klv) presented with the frame.
func muxStream(tb testing.TB, c Carriage, frames int, klv [][]byte, opts MuxOptions) muxed {
	tb.Helper()
	var buf bytes.Buffer
	opts.Carriage = c
	m, err := NewMuxer(&buf, opts)
	if err != nil {
		tb.Fatal(err)
	}
	var out muxed
	for i := range frames {
		pts := int64(90000 + 3000*i)
		if err := m.WriteVideoFrame(pts); err != nil {
			tb.Fatal(err)
		}
		k := klv[i%len(klv)]
		if err := m.WriteMetadata(pts, k); err != nil {
			tb.Fatal(err)
		}
		out.units = append(out.units, Unit{PID: MuxMetadataPID, Carriage: c, PTS: pts, HasPTS: true, Data: k})
	}
	if err := m.Close(); err != nil {
		tb.Fatal(err)
	}
	out.ts = buf.Bytes()
	return out
}
