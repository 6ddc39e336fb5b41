package klv

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vigia/vigia/internal/feed/mpegts"
)

// FuzzKLV decodes arbitrary bytes as a packet and as a stream: decoding
// never panics, a decoded packet gives valid JSON and re-encodes to a
// packet that decodes to as many values, and the stream scanner finds the
// same packets at the same offsets however the input is split.
func FuzzKLV(f *testing.F) {
	for _, name := range []string{"st0601_kwiver.bin", "st0902_dynamic_only.bin", "st0902_dynamic_constant.bin", "st0903_jmisb.bin"} {
		f.Add(readTestdata(f, name), uint16(7))
	}
	f.Add(append(encodeSample(f, 1), encodeSample(f, 2)[:40]...), uint16(19))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		var p Packet
		err := p.DecodeFrom(data)
		// A Packet reused after another packet decodes the same.
		var r Packet
		if r.DecodeFrom(readKWIVERVideoPacket(t)) != nil {
			t.Fatal("seed packet does not decode")
		}
		if rerr := r.DecodeFrom(data); (rerr == nil) != (err == nil) || (err == nil && string(r.AppendJSON(nil)) != string(p.AppendJSON(nil))) {
			t.Fatalf("reused Packet: %v, fresh: %v", rerr, err)
		}
		if err == nil {
			if p.Length > len(data) {
				t.Fatalf("length %d beyond input %d", p.Length, len(data))
			}
			js := p.AppendJSON(nil)
			if !json.Valid(js) {
				t.Fatalf("invalid JSON %s", js)
			}
			b, err := Encode(nil, p.Values)
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			var q Packet
			if err := q.DecodeFrom(b); err != nil || !q.ChecksumOK || len(q.Values) != len(p.Values) {
				t.Fatalf("re-decode: %v, checksum %v, %d values, want %d", err, q.ChecksumOK, len(q.Values), len(p.Values))
			}
		} else if !errors.Is(err, ErrNoKey) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("undocumented error %v", err)
		}
		// Find, on the whole buffer, yields the Scanner's packets.
		var found [][]byte
		for rest := data; len(rest) > 0; {
			pkt, _, next := Find(rest)
			if pkt == nil {
				break
			}
			if next <= 0 || next > len(rest) {
				t.Fatalf("Find made no progress: next %d of %d", next, len(rest))
			}
			found = append(found, pkt)
			rest = rest[next:]
		}
		whole, wholeOffs, _ := scanAll(t, bytes.NewReader(data))
		if len(found) != len(whole) {
			t.Fatalf("Find: %d packets, Scanner: %d", len(found), len(whole))
		}
		for i := range found {
			if !bytes.Equal(found[i], whole[i]) {
				t.Fatalf("packet %d: Find and Scanner differ", i)
			}
		}
		cut := 1 + int(split)%max(1, len(data))
		parts, partOffs, _ := scanAll(t, &chunkReader{b: data, cuts: []int{cut, cut + 1, 2 * cut, 3*cut + 5}})
		if len(whole) != len(parts) {
			t.Fatalf("%d packets whole, %d split at %d", len(whole), len(parts), cut)
		}
		for i := range whole {
			if !bytes.Equal(whole[i], parts[i]) || wholeOffs[i] != partOffs[i] {
				t.Fatalf("packet %d differs when split at %d", i, cut)
			}
		}
	})
}

func benchPacket(b *testing.B, pkt []byte) {
	b.Helper()
	var p Packet
	if err := p.DecodeFrom(pkt); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		if err := p.DecodeFrom(pkt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/packet")
}

// BenchmarkDecode decodes one packet into a reused Packet: a typical
// simulator packet (12 tags), the ST 0902 Dynamic Only packet (22 tags),
// and KWIVER's packet of every tag (with the empty nested sets).
func BenchmarkDecode(b *testing.B) {
	b.Run("sim12", func(b *testing.B) { benchPacket(b, encodeSample(b, 1)) })
	b.Run("st0902", func(b *testing.B) { benchPacket(b, readTestdata(b, "st0902_dynamic_only.bin")) })
	b.Run("every_tag", func(b *testing.B) { benchPacket(b, readTestdata(b, "st0601_kwiver.bin")) })
}

// BenchmarkScanDecode finds and decodes packets in a 1 MiB stream of
// simulator packets with a little noise between them.
func BenchmarkScanDecode(b *testing.B) {
	var stream []byte
	for i := 0; len(stream) < 1<<20; i++ {
		stream = append(stream, encodeSample(b, i%60)...)
		stream = append(stream, 0, 0, 0)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	var p Packet
	for b.Loop() {
		s := NewScanner(bytes.NewReader(stream))
		for {
			pkt, _, err := s.Next()
			if err != nil {
				break
			}
			if err := p.DecodeFrom(pkt); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkEncode encodes a typical simulator packet into a reused buffer.
func BenchmarkEncode(b *testing.B) {
	p, err := Decode(encodeSample(b, 1))
	if err != nil {
		b.Fatal(err)
	}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = Encode(buf[:0], p.Values); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkKLVDataAnchor runs the anchor of docs/BENCHMARKS.md: klvdata
// (pure Python) decoding the ST 0902 Dynamic Only packet, timed by
// testdata/klvdata_anchor.py. It needs python3 and KLVDATA_SRC, a checkout
// of github.com/paretech/klvdata (the directory holding the klvdata
// package); without them it is skipped.
func BenchmarkKLVDataAnchor(b *testing.B) {
	src := os.Getenv("KLVDATA_SRC")
	py, err := exec.LookPath("python3")
	if src == "" || err != nil {
		b.Skip("set KLVDATA_SRC to a klvdata checkout and install python3")
	}
	cmd := exec.Command(py, "testdata/klvdata_anchor.py", "testdata/st0902_dynamic_only.bin")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+src)
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%v: %s", err, out)
	}
	ns, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
	}
	b.ReportMetric(ns, "ns/packet")
}

// readKWIVERVideoPacket returns the first ST 0601 packet of KWIVER's test
// video (see TestKWIVERVideo), which carries every nested set.
func readKWIVERVideoPacket(t testing.TB) []byte {
	kwiverVideoOnce.Do(func() {
		ts := readTestdata(t, "kwiver_h264_klv.ts")
		d := mpegts.NewDemuxer(bytes.NewReader(ts))
		u, err := d.Next()
		if err != nil {
			return
		}
		pkt, _, _ := Find(u.Data)
		kwiverVideoPacket = append([]byte(nil), pkt...)
	})
	return kwiverVideoPacket
}

var (
	kwiverVideoOnce   sync.Once
	kwiverVideoPacket []byte
)
