package mpegts

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/testenv"
)

// writeSim writes a muxed stream to sim.ts in a temporary directory.
func writeSim(t *testing.T, m muxed) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "sim.ts")
	if err := os.WriteFile(path, m.ts, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

func run(t *testing.T, name string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, e.Bytes())
	}
	return o.Bytes(), e.Bytes()
}

// TestFFmpegExtractsKLV has ffmpeg (a demuxer no one here wrote) extract
// the data stream of the Muxer's output with the command of the issue,
// `ffmpeg -i sim.ts -map 0:d -c copy -f data out.klv`, and compares it
// with the KLV written, for both carriages. For synchronous carriage
// ffmpeg's mpegts demuxer removes the 5-byte metadata AU cell header
// (ISO/IEC 13818-1 2.12.4) and outputs the cell's payload, the KLV packet
// itself, so the expected bytes are the same for both carriages.
func TestFFmpegExtractsKLV(t *testing.T) {
	ffmpeg := testenv.Tool(t, "ffmpeg")
	klv := klvPackets(t)
	for _, c := range []Carriage{Async, Sync} {
		t.Run(c.String(), func(t *testing.T) {
			m := muxStream(t, c, 60, klv, MuxOptions{})
			dir, sim := writeSim(t, m)
			out := filepath.Join(dir, "out.klv")
			run(t, ffmpeg, "-nostdin", "-v", "error", "-i", sim, "-map", "0:d", "-c", "copy", "-f", "data", out)
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var want []byte
			for _, u := range m.units {
				want = append(want, u.Data...)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("ffmpeg extracted %d bytes, want the %d bytes of KLV written", len(got), len(want))
			}
			// The real ST 0902 packets are in there, unchanged.
			for _, k := range klv[:2] {
				if !bytes.Contains(got, k) {
					t.Fatalf("sample packet of %d bytes not in ffmpeg's output", len(k))
				}
			}
		})
	}
}

// TestFFmpegDecodesVideo has ffmpeg decode the video of the Muxer's output
// (`ffmpeg -v error -i sim.ts -f null -`, plus a frame checksum per
// decoded frame): no error, and every frame written is decoded.
func TestFFmpegDecodesVideo(t *testing.T) {
	ffmpeg := testenv.Tool(t, "ffmpeg")
	for _, c := range []Carriage{Async, Sync} {
		t.Run(c.String(), func(t *testing.T) {
			const frames = 75 // two and a half GOPs
			m := muxStream(t, c, frames, klvPackets(t), MuxOptions{VideoBitRate: 500_000})
			_, sim := writeSim(t, m)
			_, stderr := run(t, ffmpeg, "-nostdin", "-v", "error", "-i", sim, "-f", "null", "-")
			if len(bytes.TrimSpace(stderr)) != 0 {
				t.Fatalf("ffmpeg reported errors decoding:\n%s", stderr)
			}
			stdout, stderr := run(t, ffmpeg, "-nostdin", "-v", "error", "-i", sim, "-map", "0:v", "-f", "framecrc", "-")
			if len(bytes.TrimSpace(stderr)) != 0 {
				t.Fatalf("ffmpeg reported errors:\n%s", stderr)
			}
			n := 0
			sizes := map[string]bool{}
			for line := range strings.Lines(string(stdout)) {
				if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
					continue
				}
				n++
				f := strings.Split(line, ",")
				if len(f) >= 5 {
					sizes[strings.TrimSpace(f[4])] = true
				}
			}
			// 64×64 yuv420p is 6144 bytes a frame.
			if n != frames || len(sizes) != 1 || !sizes["6144"] {
				t.Fatalf("ffmpeg decoded %d frames of sizes %v, want %d frames of 6144 bytes", n, sizes, frames)
			}
		})
	}
}

// TestFFprobeKLV has ffprobe recognise the metadata stream as KLV data
// (codec klv) and the video as 64×64 H.264, and report each KLV packet
// with the PTS and size written.
func TestFFprobeKLV(t *testing.T) {
	ffprobe := testenv.Tool(t, "ffprobe")
	klv := klvPackets(t)
	for _, c := range []Carriage{Async, Sync} {
		t.Run(c.String(), func(t *testing.T) {
			m := muxStream(t, c, 30, klv, MuxOptions{})
			_, sim := writeSim(t, m)
			stdout, _ := run(t, ffprobe, "-v", "error", "-of", "json", "-show_streams", "-show_packets", sim)
			var probe struct {
				Streams []struct {
					Index     int    `json:"index"`
					ID        string `json:"id"`
					CodecName string `json:"codec_name"`
					CodecType string `json:"codec_type"`
					Width     int    `json:"width"`
					Height    int    `json:"height"`
				} `json:"streams"`
				Packets []struct {
					StreamIndex int    `json:"stream_index"`
					PTS         int64  `json:"pts"`
					Size        string `json:"size"`
				} `json:"packets"`
			}
			if err := json.Unmarshal(stdout, &probe); err != nil {
				t.Fatal(err)
			}
			data, video := -1, -1
			for _, s := range probe.Streams {
				switch s.ID {
				case "0x101":
					if s.CodecName != "klv" || s.CodecType != "data" {
						t.Errorf("metadata stream: codec %q type %q, want klv data", s.CodecName, s.CodecType)
					}
					data = s.Index
				case "0x100":
					if s.CodecName != "h264" || s.Width != 64 || s.Height != 64 {
						t.Errorf("video stream: %q %d×%d", s.CodecName, s.Width, s.Height)
					}
					video = s.Index
				}
			}
			if data < 0 || video < 0 {
				t.Fatalf("streams %+v: want PIDs 0x100 and 0x101", probe.Streams)
			}
			i := 0
			for _, p := range probe.Packets {
				if p.StreamIndex != data {
					continue
				}
				if i >= len(m.units) {
					t.Fatalf("ffprobe shows more than the %d KLV packets written", len(m.units))
				}
				u := m.units[i]
				if p.PTS != u.PTS || p.Size != strconv.Itoa(len(u.Data)) {
					t.Fatalf("KLV packet %d: ffprobe pts %d size %s, want %d and %d", i, p.PTS, p.Size, u.PTS, len(u.Data))
				}
				i++
			}
			if i != len(m.units) {
				t.Fatalf("ffprobe shows %d KLV packets, want %d", i, len(m.units))
			}
		})
	}
}

// TestDemuxFFmpegRemux reads with the Demuxer a transport stream written by
// ffmpeg's own mpegts muxer (`ffmpeg -i sim.ts -map 0 -c copy -f mpegts`),
// whose PAT, PMT, PES packetisation and stuffing are its own: the same KLV
// comes out, unit for unit. (ffmpeg 5.1 writes KLV asynchronously, stream
// type 0x06 with "KLVA", whatever the input's carriage, and shifts the
// time stamps by a constant; when it writes a PTS the spacing is checked.)
func TestDemuxFFmpegRemux(t *testing.T) {
	ffmpeg := testenv.Tool(t, "ffmpeg")
	klv := klvPackets(t)
	for _, c := range []Carriage{Async, Sync} {
		t.Run(c.String(), func(t *testing.T) {
			m := muxStream(t, c, 60, klv, MuxOptions{VideoBitRate: 300_000})
			dir, sim := writeSim(t, m)
			out := filepath.Join(dir, "ff.ts")
			run(t, ffmpeg, "-nostdin", "-v", "error", "-i", sim, "-map", "0", "-c", "copy", "-f", "mpegts", out)
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, st := demuxAll(t, f)
			if len(got) != len(m.units) {
				t.Fatalf("got %d units from ffmpeg's stream, want %d (stats %+v)", len(got), len(m.units), st)
			}
			for i, u := range got {
				if !bytes.Equal(u.Data, m.units[i].Data) {
					t.Fatalf("unit %d: %d bytes differ from the %d written", i, len(u.Data), len(m.units[i].Data))
				}
				if u.HasPTS && i > 0 && u.PTS-got[0].PTS != m.units[i].PTS-m.units[0].PTS {
					t.Fatalf("unit %d: PTS %d, first %d: spacing differs from the written", i, u.PTS, got[0].PTS)
				}
			}
			if st.CCErrors != 0 || st.PESErrors != 0 || st.SkippedBytes != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}
