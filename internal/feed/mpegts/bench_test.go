package mpegts

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/asticode/go-astits"
)

// benchStream is 10 s of a STANAG 4609-like stream: H.264 video padded to
// 5 Mbit/s at 30 frames/s, PCR, PAT/PMT every 100 ms, and one ST 0601 packet
// (the ST 0902 samples, alternately) per frame: KLV at 30 Hz.
func benchStream(b *testing.B, c Carriage) muxed {
	b.Helper()
	return muxStream(b, c, 300, klvPackets(b)[:2], MuxOptions{VideoBitRate: 5_000_000})
}

// BenchmarkDemux measures Demuxer throughput on benchStream; one op is the
// whole 10 s stream (SetBytes: MB/s is of TS bytes). The anchors parse the
// same bytes with github.com/asticode/go-astits: all PIDs, and with a
// packet skipper that lets only the PAT, PMT and KLV PIDs through (told the
// PIDs in advance, which our demuxer finds from the PMT).
func BenchmarkDemux(b *testing.B) {
	for _, c := range []Carriage{Async, Sync} {
		m := benchStream(b, c)
		b.Run(c.String()+"/vigia", func(b *testing.B) {
			b.SetBytes(int64(len(m.ts)))
			b.ReportAllocs()
			for b.Loop() {
				if n := demuxVigia(m.ts); n != len(m.units) {
					b.Fatalf("%d units, want %d", n, len(m.units))
				}
			}
		})
		for _, skip := range []bool{false, true} {
			name := c.String() + "/astits"
			var opts []func(*astits.Demuxer)
			if skip {
				name += "-skip"
				opts = append(opts, astits.DemuxerOptPacketSkipper(func(p *astits.Packet) bool {
					pid := p.Header.PID
					return pid != pidPAT && pid != MuxPMTPID && pid != MuxMetadataPID
				}))
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(m.ts)))
				b.ReportAllocs()
				for b.Loop() {
					if n := demuxAstits(b, m.ts, opts...); n != len(m.units) {
						b.Fatalf("astits: %d KLV PES packets, want %d", n, len(m.units))
					}
				}
			})
		}
	}
}

// demuxVigia and demuxAstits demultiplex ts once and return the number of
// KLV units (astits: PES packets of the KLV PID).
func demuxVigia(ts []byte) int {
	d := NewDemuxer(bytes.NewReader(ts))
	n := 0
	for {
		if _, err := d.Next(); err != nil {
			return n
		}
		n++
	}
}

func demuxAstits(b *testing.B, ts []byte, opts ...func(*astits.Demuxer)) int {
	d := astits.NewDemuxer(context.Background(), bytes.NewReader(ts), opts...)
	n := 0
	for {
		dd, err := d.NextData()
		if err != nil {
			if !errors.Is(err, astits.ErrNoMorePackets) && !errors.Is(err, io.EOF) {
				b.Fatal(err)
			}
			return n
		}
		if dd.PES != nil && dd.PID == MuxMetadataPID {
			n++
		}
	}
}

// BenchmarkDemuxPaired runs our demuxer and go-astits (all PIDs, and with
// the PID skipper) one after the other on benchStream in every iteration,
// so that all three see the same load on a shared machine, and reports the
// median over iterations of the time ratios astits/vigia and
// astits-skip/vigia; ns/op and MB/s are ours alone. Ours runs after astits
// has pushed the input out of the caches, so the ratios are conservative.
func BenchmarkDemuxPaired(b *testing.B) {
	skip := astits.DemuxerOptPacketSkipper(func(p *astits.Packet) bool {
		pid := p.Header.PID
		return pid != pidPAT && pid != MuxPMTPID && pid != MuxMetadataPID
	})
	median := func(x []float64) float64 {
		slices.Sort(x)
		return x[len(x)/2]
	}
	for _, c := range []Carriage{Async, Sync} {
		m := benchStream(b, c)
		b.Run(c.String(), func(b *testing.B) {
			b.SetBytes(int64(len(m.ts)))
			b.ReportAllocs()
			var all, skipped []float64
			for b.Loop() {
				t0 := time.Now()
				n := demuxVigia(m.ts)
				t1 := time.Now()
				b.StopTimer()
				na := demuxAstits(b, m.ts)
				t2 := time.Now()
				ns := demuxAstits(b, m.ts, skip)
				t3 := time.Now()
				runtime.GC() // astits' garbage must not be collected during our turn
				b.StartTimer()
				if n != len(m.units) || na != n || ns != n {
					b.Fatalf("units: ours %d, astits %d and %d, want %d", n, na, ns, len(m.units))
				}
				ours := float64(t1.Sub(t0))
				all = append(all, float64(t2.Sub(t1))/ours)
				skipped = append(skipped, float64(t3.Sub(t2))/ours)
			}
			b.ReportMetric(median(all), "astits/vigia")
			b.ReportMetric(median(skipped), "astits-skip/vigia")
		})
	}
}

// BenchmarkMux measures the Muxer writing benchStream's content (10 s of
// 5 Mbit/s video and 30 Hz KLV) to memory; MB/s is of TS bytes written.
func BenchmarkMux(b *testing.B) {
	klv := klvPackets(b)[:2]
	size := len(benchStream(b, Async).ts)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		m, err := NewMuxer(&buf, MuxOptions{VideoBitRate: 5_000_000})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 300 {
			pts := int64(90000 + 3000*i)
			if err := m.WriteVideoFrame(pts); err != nil {
				b.Fatal(err)
			}
			if err := m.WriteMetadata(pts, klv[i%2]); err != nil {
				b.Fatal(err)
			}
		}
	}
}
