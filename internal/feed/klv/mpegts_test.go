package klv

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/feed/mpegts"
)

// BenchmarkTSDemuxDecode demultiplexes a transport stream shaped like full
// motion video — per 30 fps frame one video frame, 110 more TS packets
// standing for about 5 Mbit/s of picture (null packets, PID 0x1FFF, which
// the demuxer skips as it skips video), and one ST 0601 packet — and
// decodes every KLV packet: the throughput the 1 GB/s target is
// about, in bytes of TS.
func BenchmarkTSDemuxDecode(b *testing.B) {
	for _, c := range []mpegts.Carriage{mpegts.Async, mpegts.Sync} {
		b.Run(c.String(), func(b *testing.B) {
			var ts bytes.Buffer
			m, err := mpegts.NewMuxer(&ts, mpegts.MuxOptions{Carriage: c})
			if err != nil {
				b.Fatal(err)
			}
			null := make([]byte, mpegts.PacketSize)
			null[0], null[1], null[2], null[3] = mpegts.SyncByte, 0x1F, 0xFF, 0x10
			const frames = 300
			for i := range frames {
				pts := int64(90000 + 3000*i)
				if err := m.WriteVideoFrame(pts); err != nil {
					b.Fatal(err)
				}
				for range 110 {
					ts.Write(null)
				}
				if err := m.WriteMetadata(pts, encodeSample(b, i%60)); err != nil {
					b.Fatal(err)
				}
			}
			if err := m.Close(); err != nil {
				b.Fatal(err)
			}
			benchTS(b, ts.Bytes(), frames)
		})
	}
	// KWIVER's FFmpeg-written test video (see TestKWIVERVideo): a tiny
	// 160×120 picture, so KLV is most of the stream.
	b.Run("kwiver_h264", func(b *testing.B) { benchTS(b, readTestdata(b, "kwiver_h264_klv.ts"), 30) })
}

// benchTS demultiplexes stream and decodes its KLV packets, want of them.
func benchTS(b *testing.B, stream []byte, want int) {
	var p Packet
	run := func() int {
		d := mpegts.NewDemuxer(bytes.NewReader(stream))
		n := 0
		for {
			u, err := d.Next()
			if errors.Is(err, io.EOF) {
				return n
			}
			if err != nil {
				b.Fatal(err)
			}
			for data := u.Data; len(data) > 0; {
				pkt, _, next := Find(data)
				if pkt == nil {
					break
				}
				if err := p.DecodeFrom(pkt); err != nil {
					b.Fatal(err)
				}
				n++
				data = data[next:]
			}
		}
	}
	if n := run(); n != want {
		b.Fatalf("decoded %d packets, want %d", n, want)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		run()
	}
}

// TestKWIVERVideo decodes the KLV of KWIVER's test video
// test_data/videos/h264_klv.ts (https://github.com/Kitware/kwiver, commit
// 02397a25; testdata/kwiver_h264_klv.ts), an H.264 transport stream written
// by FFmpeg with one ST 0601 packet per frame, demultiplexed by
// internal/feed/mpegts. KWIVER's test_video_input_ffmpeg_klv.cxx expects 30
// frames with one KLV packet each; the packets are the ST 0601 example
// (mission "MISSION01", from the 17th frame "MISSION02") with full nested
// ST 0102 and ST 0903 sets, 1/30 s apart.
func TestKWIVERVideo(t *testing.T) {
	d := mpegts.NewDemuxer(bytes.NewReader(readTestdata(t, "kwiver_h264_klv.ts")))
	var pkts []Packet
	var shared Packet
	for {
		u, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for data := u.Data; len(data) > 0; {
			b, _, next := Find(data)
			if b == nil {
				break
			}
			p, err := Decode(b)
			if err != nil {
				t.Fatalf("offset %d: %v", u.Offset, err)
			}
			// Decoding into one reused Packet gives the same result.
			if err := shared.DecodeFrom(b); err != nil || string(shared.AppendJSON(nil)) != string(p.AppendJSON(nil)) {
				t.Fatalf("offset %d: reused Packet differs (%v)", u.Offset, err)
			}
			pkts = append(pkts, p)
			data = data[next:]
		}
	}
	if len(pkts) != 30 {
		t.Fatalf("%d packets, want 30", len(pkts))
	}
	var prev time.Time
	for i, p := range pkts {
		if !p.ChecksumOK || p.Unknown != 0 || p.Malformed != 0 {
			t.Errorf("packet %d: checksum %v unknown %d malformed %d", i, p.ChecksumOK, p.Unknown, p.Malformed)
		}
		ts, _ := p.Get(TagPrecisionTimeStamp)
		if i == 0 && ts.Time.Format(time.RFC3339Nano) != "2008-10-24T00:13:29.913Z" {
			t.Errorf("first time %v", ts.Time)
		}
		if i > 0 {
			if dt := ts.Time.Sub(prev); dt < 33333*time.Microsecond || dt > 33334*time.Microsecond {
				t.Errorf("packet %d: %v after the previous one", i, dt)
			}
		}
		prev = ts.Time
		want := "MISSION01"
		if i >= 16 {
			want = "MISSION02" // the video's second half
		}
		if v, _ := p.Get(TagMissionID); v.Str != want {
			t.Errorf("packet %d: mission %q, want %q", i, v.Str, want)
		}
	}
	p := pkts[0]
	sv, _ := p.Get(TagSecurityLocalSet)
	if s := sv.Security; s == nil || s.Classification != 1 || s.ClassifyingCountry != "//US" || s.Version != 12 {
		t.Errorf("security %+v", sv.Security)
	}
	vv, _ := p.Get(TagVMTILocalSet)
	m := vv.VMTI
	if m == nil || m.SystemName != "DSTO_ADSS_VMTI" || m.Version != 5 || m.TotalTargets != 28 || m.ReportedTargets != 2 ||
		m.FrameWidth != 1920 || m.FrameHeight != 1080 || len(m.Targets) != 2 {
		t.Fatalf("VMTI %+v", m)
	}
	if tg := m.Targets[1]; tg.ID != 1234 || tg.Priority != 27 || tg.Confidence != 80 || tg.HAE != 10000 || tg.Row != 872 || tg.Column != 1137 {
		t.Errorf("target %+v", tg)
	}
	if _, ok := p.Position(); !ok {
		t.Error("no position")
	}
}
